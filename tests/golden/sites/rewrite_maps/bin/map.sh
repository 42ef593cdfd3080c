#!/bin/sh
# RewriteMap prg: one key per line in, one value per line out; NULL means no value.
while IFS= read -r key; do
    case "$key" in
        miss*) echo NULL ;;
        *) echo "prg-$key" ;;
    esac
done

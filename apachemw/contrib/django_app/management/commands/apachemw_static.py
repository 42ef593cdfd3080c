"""``manage.py apachemw_static``: print the Apache lines that serve collectstatic's
output (STATIC_ROOT) at STATIC_URL, ready to paste into httpd.conf."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apachemw.contrib.django import SettingsError, static_alias_lines

__all__ = ["Command"]


class Command(BaseCommand):
    help = "Print the Alias and <Directory> lines serving STATIC_ROOT at STATIC_URL."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.stdout.write(static_alias_lines(), ending="")
        except SettingsError as exc:
            raise CommandError(str(exc)) from exc

"""RewriteMap: txt (with and without a |default), rnd (one choice only, to stay
deterministic), int:toupper/tolower/escape/unescape, dbm (sdbm, gdbm and the default Berkeley DB,
all built by httxt2dbm in prepare()) and prg (a committed shell script). RewriteMap is
declared in server context only; .htaccess may use a map but not declare one (500).

Map results are shown through a redirect to http://echo.test/v=<value>= ([NE] for the
escape/unescape maps, so their own output is what Location carries).
"""

from __future__ import annotations

import os
import shutil
import subprocess

from ..harness import Case, header, request, set_mtimes

NAME = "rewrite_maps"


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    return (
        header(root, port, ("rewrite",))
        + f"""
DocumentRoot {h}
<Directory {h}>
    Options FollowSymLinks
    AllowOverride FileInfo
    Require all granted
</Directory>
RewriteEngine On
RewriteMap txt "txt:{root}/maps/map.txt"
RewriteMap rnd "rnd:{root}/maps/rnd.txt"
RewriteMap up int:toupper
RewriteMap low int:tolower
RewriteMap esc int:escape
RewriteMap unesc int:unescape
RewriteMap dbm "dbm=sdbm:{root}/maps/map.sdbm"
RewriteMap dbmdb "dbm:{root}/maps/map.db"
RewriteMap dbmg "dbm=gdbm:{root}/maps/map.gdbm"
RewriteMap prg "prg:{root}/bin/map.sh"
"""
        + r"""
RewriteRule ^/txt/(.*)$ /echo/v=${txt:$1}=
RewriteRule ^/txtdef/(.*)$ /echo/v=${txt:$1|fallback}=
RewriteRule ^/txtdefexp/(.*)$ /echo/v=${txt:$1|${up:$1}}=
RewriteRule ^/txtnested/(.*)$ /echo/v=${txt:${low:$1}}=
RewriteRule ^/txtfile/(.*)$ /${txt:$1|a}.txt [L]
RewriteRule ^/txtquery/(.*)$ /echo/v?q=${txt:$1}
RewriteRule ^/rnd/(.*)$ /echo/v=${rnd:$1}=
RewriteRule ^/rnddef/(.*)$ /echo/v=${rnd:$1|none}=
RewriteRule ^/up/(.*)$ /echo/v=${up:$1}=
RewriteRule ^/low/(.*)$ /echo/v=${low:$1}=
RewriteRule ^/esc/(.*)$ /echone/v=${esc:$1}=
RewriteRule ^/unesc/(.*)$ /echone/v=${unesc:$1}=
RewriteRule ^/unesc-escaped/(.*)$ /echo/v=${unesc:$1}=
RewriteRule ^/dbm/(.*)$ /echo/v=${dbm:$1}=
RewriteRule ^/dbmdef/(.*)$ /echo/v=${dbm:$1|fallback}=
RewriteRule ^/dbmdb/(.*)$ /echo/v=${dbmdb:$1}=
RewriteRule ^/dbmdbdef/(.*)$ /echo/v=${dbmdb:$1|fallback}=
RewriteRule ^/dbmg/(.*)$ /echo/v=${dbmg:$1|fallback}=
RewriteRule ^/prg/(.*)$ /echo/v=${prg:$1}=
RewriteRule ^/prgdef/(.*)$ /echo/v=${prg:$1|fallback}=
RewriteRule ^/literal/(.*)$ /echo/v=\${txt:$1}=
RewriteRule ^/unclosed/(.*)$ /echo/v=${txt:$1=
RewriteCond ${txt:%{HTTP:X-K}} =one
RewriteRule ^/cond$ /a.txt [L]
RewriteRule ^/cond$ /b.txt [L]
RewriteCond %{QUERY_STRING} (?:^|&)k=([^&]*)
RewriteRule ^/q$ /echo/v=${txt:%1|none}=
RewriteRule ^/echo/(.*)$ http://echo.test/$1 [R,L]
RewriteRule ^/echone/(.*)$ http://echo.test/$1 [R,NE,L]
"""
    )


def prepare(root: str) -> None:
    maps = os.path.join(root, "maps")
    os.chmod(os.path.join(root, "bin", "map.sh"), 0o755)
    tool = shutil.which("httxt2dbm")
    if tool is None:
        raise SystemExit("rewrite_maps needs httxt2dbm (Debian package apache2-utils)")
    # No -f: apr-util's default DBM, Berkeley DB on Debian, which is what "dbm:" opens.
    for fmt, name in ((["-f", "SDBM"], "map.sdbm"), ([], "map.db"), (["-f", "GDBM"], "map.gdbm")):
        source, out = os.path.join(maps, "map.txt"), os.path.join(maps, name)
        subprocess.run([tool, *fmt, "-i", source, "-o", out], check=True, capture_output=True)
    set_mtimes(root, ("htdocs", "maps"))


def _g(name: str, target: str, note: str, headers: list[tuple[str, str]] | None = None) -> Case:
    return Case(name, request("GET", target, headers or []), note)


CASES = [
    _g("txt-hit", "/txt/alpha", "txt map hit"),
    _g("txt-tab", "/txt/beta", "tab-separated, extra field ignored"),
    _g("txt-case", "/txt/gamma", "keys are case-sensitive: miss"),
    _g("txt-case-exact", "/txt/Gamma", "exact case"),
    _g("txt-dup", "/txt/dup", "duplicate key in a txt map"),
    _g("txt-slash", "/txt/a/b", "key with a slash"),
    _g("txt-utf8", "/txt/caf%C3%A9", "UTF-8 key"),
    _g("txt-indented", "/txt/indented", "indented line"),
    _g("txt-novalue", "/txt/empty", "key without a value"),
    _g("txt-comment", "/txt/%23", "# is a comment, not a key"),
    _g("txt-miss", "/txt/nope", "miss without default: empty"),
    _g("txt-empty-key", "/txt/", "empty key"),
    _g("txtdef-hit", "/txtdef/alpha", "default unused on a hit"),
    _g("txtdef-miss", "/txtdef/nope", "default on a miss"),
    _g("txtdefexp-miss", "/txtdefexp/nope", "default is expanded (a nested map)"),
    _g("txtnested", "/txtnested/ALPHA", "key expanded from a nested map"),
    _g("txtfile-hit", "/txtfile/target", "map value picks the file"),
    _g("txtfile-miss", "/txtfile/nope", "default picks the file"),
    _g("txtquery", "/txtquery/alpha?old=1", "map value in the query"),
    _g("rnd-one", "/rnd/one", "rnd with one choice"),
    _g("rnd-pair", "/rnd/pair", "rnd with two equal choices"),
    _g("rnd-miss", "/rnd/nope", "rnd miss"),
    _g("rnddef-miss", "/rnddef/nope", "rnd miss with default"),
    _g("up", "/up/abc-%C3%A9x", "int:toupper (ASCII only)"),
    _g("low", "/low/ABC-Def", "int:tolower"),
    _g("esc", "/esc/a%20b&c/d%3Fe%23f", "int:escape"),
    _g("esc-pct", "/esc/100%25", "int:escape of %"),
    _g("unesc", "/unesc/a%2520b", "int:unescape gives a raw space ([NE])"),
    _g("unesc-crlf", "/unesc/x%250d%250aSet-Cookie:%2520a=b", "int:unescape to CRLF, [NE]"),
    _g("unesc-crlf-escaped", "/unesc-escaped/x%250d%250aSet-Cookie:%2520a=b", "same without NE"),
    _g("unesc-nul", "/unesc/a%2500b", "int:unescape to NUL"),
    _g("unesc-bad", "/unesc/a%25zz", "int:unescape of a bad escape"),
    _g("dbm-hit", "/dbm/alpha", "dbm (sdbm) map hit"),
    _g("dbm-dup", "/dbm/dup", "duplicate key: dbm keeps the last, txt the first"),
    _g("dbm-miss", "/dbm/nope", "dbm miss"),
    _g("dbmdef-miss", "/dbmdef/nope", "dbm miss with default"),
    _g("dbm-utf8", "/dbm/caf%C3%A9", "dbm UTF-8 key"),
    _g("dbmdb-hit", "/dbmdb/alpha", "dbm: (the default type, Berkeley DB) hit"),
    _g("dbmdb-dup", "/dbmdb/dup", "Berkeley DB duplicate key: the last store wins"),
    _g("dbmdb-case", "/dbmdb/gamma", "Berkeley DB keys are case-sensitive"),
    _g("dbmdb-tab", "/dbmdb/beta", "Berkeley DB value from a tab-separated line"),
    _g("dbmdb-miss", "/dbmdb/nope", "Berkeley DB miss"),
    _g("dbmdbdef-miss", "/dbmdbdef/nope", "Berkeley DB miss with default"),
    _g("dbmdb-utf8", "/dbmdb/caf%C3%A9", "Berkeley DB UTF-8 key"),
    _g("dbmdb-empty-key", "/dbmdbdef/", "Berkeley DB empty key takes the default"),
    _g("dbmg-hit", "/dbmg/alpha", "dbm=gdbm: hit"),
    _g("dbmg-dup", "/dbmg/dup", "gdbm duplicate key: the last store wins"),
    _g("dbmg-utf8", "/dbmg/caf%C3%A9", "gdbm UTF-8 key"),
    _g("dbmg-miss", "/dbmg/nope", "gdbm miss takes the default"),
    _g("prg-hit", "/prg/abc", "prg map"),
    _g("prg-space", "/prg/a%20b", "prg key with a space"),
    _g("prg-null", "/prg/missing", "prg answers NULL: empty"),
    _g("prgdef-null", "/prgdef/missing", "prg NULL with default"),
    _g("prgdef-hit", "/prgdef/x", "prg hit with default"),
    _g("literal", "/literal/alpha", "\\${ is not a map reference"),
    _g("unclosed", "/unclosed/alpha", "${ without }"),
    _g("cond-hit", "/cond", "map in a RewriteCond test string", [("X-K", "alpha")]),
    _g("cond-miss", "/cond", "map in a RewriteCond test string, miss", [("X-K", "beta")]),
    _g("query-key", "/q?x=1&k=beta", "key from %1"),
    _g("query-key-miss", "/q?k=zzz", "key from %1, miss"),
    _g("htaccess-use", "/ht/m/alpha", "a server map used in .htaccess"),
    _g("htaccess-use-miss", "/ht/m/zzz", "a server map used in .htaccess, default"),
    _g("htaccess-int", "/ht/u/abc", "int map in .htaccess"),
    _g("htaccess-declare", "/declare/a.txt", "RewriteMap in .htaccess: 500"),
]

"""mod_alias regex and mapping: RedirectMatch (captures, unanchored patterns, CRLF in a
capture, open-redirect shapes), AliasMatch, Alias segment matching and trailing slashes,
Alias to a directory with DirectorySlash, access control on the target, overlapping
aliases (AH00671) and aliases in vhosts (apache-semantics.md §2.2; security.md H03,
R01-R07)."""

from __future__ import annotations

import json

from ..harness import Case, header, request, set_mtimes

NAME = "alias_match"


def conf(root: str, port: int) -> str:
    h, t = f"{root}/htdocs", f"{root}/t"
    return (
        header(root, port, ("alias", "dir"))
        + f"""
DocumentRoot {h}
<Directory {h}>
    AllowOverride FileInfo
    Require all granted
</Directory>
<Directory {h}/badalias>
    AllowOverride All
</Directory>
<Directory {h}/dm>
    RedirectMatch ^/dm/(.*)\\.html$ /dm/$1.txt
</Directory>
<Directory {t}>
    Require all granted
</Directory>
<Directory {t}/private>
    Require all denied
</Directory>

RedirectMatch 302 ^/rm/(.*)$ http://example.com/$1
RedirectMatch /unanch/(.*) http://example.com/u/$1
RedirectMatch ^/nine/(.)(.)(.)(.)(.)(.)(.)(.)(.)(.*)$ http://example.com/$9$8$7$6$5$4$3$2$1/$10
RedirectMatch ^/zero/.*$ http://example.com/z?whole=$0
RedirectMatch ^/bytes/(.)(.*)$ http://example.com/b/$2/$1
RedirectMatch ^/blen/.{{2}}$ http://example.com/two
RedirectMatch ^/qf/([^/]*)/?(.*)$ http://example.com/p/$1?x=$2#frag-$1
RedirectMatch ^/keepq/(.*)$ http://example.com/k/$1
RedirectMatch ^/relm/(.*)$ /local/$1
RedirectMatch permanent ^/perm-m(.*) http://example.com/pm$1
RedirectMatch gone ^/gone-m
RedirectMatch 410 ^/g410
RedirectMatch 307 ^/m307(.*) http://example.com/m307$1
RedirectMatch ^/esc/(.*)$ http://example.com/\\$1/&/$1
RedirectMatch ^/missing/(.*)$ http://example.com/m/$1$5
RedirectMatch (?i)^/CaSe/(.*) http://example.com/case/$1
RedirectMatch ^/end\\.php$ http://example.com/end
RedirectMatch ^/dot/(.*)$ http://example.com/dot/$1
RedirectMatch ^/sp/(.*)$ http://example.com/sp?q=$1
RedirectMatch ^/go/(.*)$ $1
RedirectMatch ^/go2(.*)$ $1
RedirectMatch ^/go3/(.*)$ /$1
RedirectMatch ^/hostcap/([^/]+)/(.*)$ http://$1/$2
RedirectMatch ^/first http://example.com/first-match
RedirectMatch ^/first/deeper http://example.com/never

Alias /icons {t}/icons
Alias /ts/ {t}/ts/
Alias /mis/ {t}/mis
Alias /mis2 {t}/mis2/
Alias /docs {t}/docs
Alias /private {t}/private
Alias /nodir {root}/nodir
Alias /ov {t}/ov1
Alias /ov/sub {t}/ov2
Alias /file {t}/icons/file.txt
Alias /dbl//x {t}/icons
Alias /rdx {t}/icons
RedirectMatch ^/rdx/r http://example.com/rdx
AliasMatch ^/am/(.*)\\.txt$ {t}/icons/$1.txt
AliasMatch /um/(.*)$ {t}/icons/$1
AliasMatch ^/tail/ {t}/icons/file.txt
AliasMatch ^/swap/([a-z]+)/([a-z]+)$ {t}/$2/$1.txt
AliasMatch ^/amdir(.*)$ {t}/docs$1
AliasMatch ^/order/(.*)$ {t}/icons/$1
Alias /order {t}/docs
<Location /la>
    Alias "{t}/icons/file.txt"
</Location>
<Location /lad>
    Alias "{t}/docs"
</Location>

<VirtualHost *:*>
    ServerName localhost
</VirtualHost>
<VirtualHost *:*>
    ServerName av.example
    Alias /icons {t}/vhicons
    AliasMatch ^/vam/(.*)$ {t}/vhicons/$1
    RedirectMatch ^/vrm/(.*)$ /vlocal/$1
</VirtualHost>
<VirtualHost *:*>
    ServerName nomerge.example
    MergeSlashes Off
    RedirectMatch 301 ^(.+)/$ $1
</VirtualHost>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs", "t", "nodir"))


def _g(name: str, target: str, note: str, **kw: object) -> Case:
    return Case(name, request("GET", target, **kw), note)  # type: ignore[arg-type]


REDIRECT_MATCH = [
    _g("rm-plain", "/rm/a/b", "H03 shape, plain capture"),
    _g("rm-bytes-split", "/bytes/%C3%A9x", "PCRE matches bytes: $1 is half a character"),
    _g("rm-bytes-len", "/blen/%C3%A9", ".{2} is one two-byte character"),
    _g("rm-crlf", "/rm/x%0d%0aSet-Cookie:%20a=b", "H03 CRLF in a capture"),
    _g("rm-space-utf8", "/rm/a%20b/caf%c3%a9", "capture re-escaped"),
    _g("rm-qmark-hash", "/rm/a%3fb%23c", "encoded ? and # in a capture"),
    _g("rm-query", "/rm/x?a=1&b=%20", "query appended, target has no ?"),
    _g("unanchored", "/x/unanch/y", "unanchored pattern matches mid-path"),
    _g("unanchored-prefixed", "/unanchored/unanch/z", "first match in the string"),
    _g("nine", "/nine/abcdefghiJKL", "$1..$9, and $10 is $1 then 0"),
    _g("zero", "/zero/p/q?orig=1", "$0 in the target's query"),
    _g("qf", "/qf/one/two?orig=1", "target with ? and #: original query dropped"),
    _g("qf-crlf", "/qf/a%0d%0ab/c%20d", "CRLF and space in the target's query/fragment"),
    _g("keepq", "/keepq/p?orig=1&x=%0d%0a", "original query appended as is"),
    _g("relm", "/relm/a/b", "relative target made absolute"),
    _g("relm-host", "/relm/a", "relative target, Host with port", host="localhost:8080"),
    _g("relm-evil-host", "/relm/a", "R06 relative target, spoofed Host", host="evil.example"),
    _g("perm", "/perm-m/x", "RedirectMatch permanent"),
    _g("gone", "/gone-m/anything", "RedirectMatch gone"),
    _g("g410", "/g410", "RedirectMatch 410"),
    _g("m307", "/m307/z", "RedirectMatch 307"),
    _g("esc", "/esc/v", "backslash-dollar and & in the target"),
    _g("missing-group", "/missing/v", "$5 with one group is empty"),
    _g("case-insensitive", "/case/Low", "(?i) inline flag"),
    _g("case-exact", "/CaSe/x", "(?i) pattern, exact case"),
    _g("end-php", "/end.php", "$ at the end"),
    _g("end-php-newline", "/end.php%0a", "DOLLAR_ENDONLY: $ does not match before a newline"),
    _g("dot-newline", "/dot/a%0ab", ". matches a newline (DOTALL)"),
    _g("sp-query", "/sp/a%20b%0d%0ac", "capture with space and CRLF in the target query"),
    _g("first-wins", "/first/deeper", "first matching RedirectMatch wins"),
    Case("head", request("HEAD", "/rm/a"), "HEAD to a RedirectMatch"),
    Case("post", request("POST", "/rm/a", body=b"x=1"), "POST to a RedirectMatch"),
]

OPEN_REDIRECT = [
    _g("R01-scheme-capture", "/go/https://evil.example/", "R01 capture is the whole target"),
    _g("R01-scheme-host", "/go/evil.example/x", "capture not a URL: target not absolute"),
    _g("R01-scheme-only", "/go/javascript:alert(1)", "capture with a scheme"),
    _g("R02-encoded-slash", "/go/https:%2f%2fevil.example/", "R02 encoded slash: 404"),
    _g("go2-double-slash", "/go2//evil.example", "merged // then made absolute"),
    _g("go2-backslash", "/go2/%5cevil.example", "R05 encoded backslash"),
    _g("go3-double", "/go3//evil.example/", "capture after a / prefix"),
    _g("hostcap", "/hostcap/evil.example/p?q=1", "R03 host from a capture: open by config"),
    _g("R04-nomerge", "//evil.example/", "R04 MergeSlashes Off", host="nomerge.example"),
    _g("R05-nomerge-bs", "/%5cevil.example/", "R05 %5c", host="nomerge.example"),
    _g("R04-nomerge-triple", "///evil.example//", "R04 runs of /", host="nomerge.example"),
    _g("R07", "//evil.example/%2e%2e", "R07 dot-dot after //: no redirect"),
    _g("R07-nomerge", "//evil.example/%2e%2e", "R07 with MergeSlashes Off", host="nomerge.example"),
]

ALIAS_MATCH = [
    _g("am", "/am/file.txt", "AliasMatch with a capture"),
    _g("am-sub", "/am/sub/deep.txt", "capture spans segments"),
    _g("am-nomatch", "/am/file.html", "pattern not matched: DocumentRoot 404"),
    _g("um-unanchored", "/x/um/file.txt", "unanchored AliasMatch matches mid-path"),
    _g("um", "/um/sub/deep.txt", "unanchored AliasMatch at the start"),
    _g("tail-dropped", "/tail/anything/at/all", "unmatched tail dropped"),
    _g("tail-bare", "/tail", "no match without the slash"),
    _g("swap", "/swap/file/icons", "two captures reordered"),
    _g("amdir-noslash", "/amdir", "AliasMatch to a directory: DirectorySlash"),
    _g("amdir-slash", "/amdir/", "AliasMatch to a directory with index"),
    _g("amdir-sub", "/amdir/sub", "AliasMatch subdirectory without slash"),
    _g("order-aliasmatch-first", "/order/file.txt", "AliasMatch listed before Alias wins"),
    _g("rdx-redirect-first", "/rdx/r", "RedirectMatch listed after Alias still wins"),
    _g("rdx-alias", "/rdx/file.txt", "the Alias for the rest"),
]

ALIAS = [
    _g("icons", "/icons/file.txt", "Alias"),
    _g("icons-bare", "/icons", "Alias to a directory, no slash: DirectorySlash"),
    _g("icons-foo", "/iconsfoo/file.txt", "segment aware: not aliased"),
    _g("icons-double", "//icons//file.txt", "// merged before matching"),
    _g(
        "icons-nomerge",
        "//icons//file.txt",
        "runs of / with MergeSlashes Off",
        host="nomerge.example",
    ),
    _g("icons-nomerge-bare", "/icons///sub///deep.txt", "runs inside", host="nomerge.example"),
    _g("icons-dotdot", "/icons/../index.html", "normalised before Alias"),
    _g("icons-encoded", "/icon%73/file.txt", "unreserved escape decoded"),
    _g("ts-bare", "/ts", "Alias /ts/ needs the slash: DocumentRoot's ts, 301"),
    _g("ts-slash", "/ts/", "Alias /ts/ with the slash"),
    _g("mis", "/mis/file.txt", "Alias /mis/ -> .../mis: the slash is lost"),
    _g("mis2", "/mis2/file.txt", "Alias /mis2 -> .../mis2/: double slash in the path"),
    _g("mis2-bare", "/mis2", "Alias with trailing-slash target, bare URL"),
    _g("docs-bare", "/docs", "DirectorySlash 301 Location"),
    _g("docs-bare-query", "/docs?x=1", "DirectorySlash keeps the query"),
    _g("docs-bare-host", "/docs", "DirectorySlash with Host port", host="localhost:8080"),
    _g("docs-slash", "/docs/", "DirectoryIndex in the alias"),
    _g("docs-sub", "/docs/sub", "subdirectory DirectorySlash"),
    _g("private", "/private/file.txt", "<Directory> Require all denied on the target"),
    _g("nodir", "/nodir/file.txt", "target outside any granted <Directory>"),
    _g("ov-sub", "/ov/sub/file.txt", "AH00671: later /ov/sub never matches"),
    _g("ov-file", "/ov/sub", "earlier /ov alias, sub directory without slash"),
    _g("file-alias", "/file", "Alias to a file"),
    _g("file-alias-pathinfo", "/file/extra", "Alias to a file with path info"),
    _g("dbl-fake", "/dbl/x/file.txt", "fake path with // matches a single /"),
    _g("dbl-fake-double", "/dbl//x/file.txt", "and the merged URL"),
    _g("la", "/la", "one-argument Alias in <Location>"),
    _g("la-deeper", "/la/x/y", "one-argument Alias maps the whole Location"),
    _g("lad", "/lad/", "one-argument Alias to a directory"),
    _g("lad-sub", "/lad/sub/", "one-argument Alias: the tail is not appended"),
    _g("vh-icons", "/icons/file.txt", "vhost Alias before the main one", host="av.example"),
    _g("vh-main-inherited", "/docs/", "main Alias inherited", host="av.example"),
    _g("vh-aliasmatch", "/vam/file.txt", "AliasMatch in a vhost", host="av.example"),
    _g("vh-aliasmatch-main", "/vam/file.txt", "vhost AliasMatch not in localhost"),
    _g("vh-redirectmatch", "/vrm/a", "RedirectMatch in a vhost", host="av.example:81"),
]

PER_DIR = [
    _g("ht-m", "/ht/m/a%20b", ".htaccess RedirectMatch on the full URL-path"),
    _g("ht-m2", "/ht/xm2/y", ".htaccess unanchored RedirectMatch"),
    _g("ht-rel", "/ht/rel/z?q=1", ".htaccess relative RedirectMatch"),
    _g("ht-page", "/ht/page.html", "unmatched file"),
    _g("ht-outside", "/m2/y", "the .htaccess does not apply outside its directory"),
    _g("dm", "/dm/a.html", "RedirectMatch in <Directory>"),
    _g("dm-txt", "/dm/a.txt", "target of the Directory RedirectMatch"),
    _g("badalias", "/badalias/page.html", "Alias in .htaccess: not allowed here"),
]

CASES = REDIRECT_MATCH + OPEN_REDIRECT + ALIAS_MATCH + ALIAS + PER_DIR

# The overlapping `Alias /ov/sub` draws AH00671 while the config is read, before the
# per-case log capture of record.py starts: record those startup lines on their own.
#     python -m tests.golden.suites.alias_match [--check]
STARTUP = "alias_match_startup.json"


def record_startup() -> dict[str, object]:
    """Start apache2 on this suite's site; return the warnings it logged at startup."""
    import shutil
    import sys
    import tempfile
    from pathlib import Path

    from ..compare import mask_error_line
    from ..harness import build_site
    from ..record import apache_version, config_test, free_port, running_apache, unroot

    root = tempfile.mkdtemp(prefix=f"golden-{NAME}-")
    try:
        port = free_port()
        conf_path = build_site(sys.modules[__name__], root, port)
        config_test(conf_path)
        with running_apache(root, conf_path, port):
            pass
        logs = Path(root) / "logs"
        lines = {
            name: [
                mask_error_line(unroot(x, root))
                for x in (logs / name).read_text().splitlines()
                # Startup notices carry the product and command line, not the config's.
                if x and "AH00489" not in x and "AH00094" not in x and "AH00491" not in x
            ]
            for name in ("stderr.log", "error.log")
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)
    # "replay": false and no cases, so the replay test and any reader of recorded/ skip it.
    return {
        "suite": STARTUP.removesuffix(".json"),
        "apache": apache_version(),
        "replay": False,
        "note": "startup lines: stderr (first config pass) and error.log (second pass)",
        "startup_stderr": lines["stderr.log"],
        "startup_error_log": lines["error.log"],
        "cases": [],
    }


if __name__ == "__main__":
    import sys

    from ..record import RECORDED, dump

    result = record_startup()
    path = RECORDED / STARTUP
    if "--check" in sys.argv[1:]:
        stored = json.loads(path.read_text()) if path.exists() else None
        same = stored is not None and all(stored[k] == result[k] for k in result)
        print(f"{STARTUP}: {'ok' if same else 'differs from the recording'}", file=sys.stderr)
        sys.exit(0 if same else 1)
    path.write_text(dump(result))
    print(f"{STARTUP}: recorded", file=sys.stderr)

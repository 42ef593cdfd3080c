"""URI parsing and path normalisation: security.md §3 T rows, Alias, AcceptPathInfo."""

from __future__ import annotations

from ..harness import Case, header, request, set_mtimes

NAME = "core_paths"


def conf(root: str, port: int) -> str:
    return (
        header(root, port, ("alias",))
        + f"""
DocumentRoot {root}/htdocs
<Directory {root}/htdocs>
    Options FollowSymLinks
    Require all granted
</Directory>
Alias /al/ {root}/aliased/
Alias /icons {root}/aliased
<Directory {root}/aliased>
    Require all granted
</Directory>
<Directory {root}/htdocs/pi-on>
    AcceptPathInfo On
</Directory>
<Directory {root}/htdocs/pi-off>
    AcceptPathInfo Off
</Directory>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs", "outside", "aliased"))


def _get(name: str, target: str, note: str, **kw: object) -> Case:
    return Case(name, request("GET", target, **kw), note)  # type: ignore[arg-type]


CASES = [
    _get("T01", "/../outside/secret.txt", "T01 dot-dot above root: 400"),
    _get("T02", "/sub/../../outside/secret.txt", "T02 dot-dot above root after a segment"),
    _get("T03", "/sub/../index.html", "T03 in-root dot-dot is fine"),
    _get("T04", "/%2e%2e/outside/secret.txt", "T04 encoded dot-dot: decoded before the check"),
    _get("T05", "/sub/.%2e/.%2e/outside/secret.txt", "T05 CVE-2021-41773 mixed dot"),
    _get("T06", "/icons/.%2e/%2e%2e/%2e%2e/etc/passwd", "T06 41773 through an Alias"),
    _get("T07", "/icons/.%%32%65/.%%32%65/etc/passwd", "T07 CVE-2021-42013 double encoding"),
    _get("T08", "/sub/%252e%252e/index.html", "T08 %25 decoded only once"),
    _get("T09", "/sub%2findex.html", "T09 encoded slash with AllowEncodedSlashes Off: 404"),
    _get("T10", "/sub/..%2f..%2foutside/secret.txt", "T10 dot-dot via encoded slash"),
    _get("T11", "/sub/..%5c..%5coutside/secret.txt", "T11 encoded backslash is no separator"),
    _get("T13", "/sub/%c0%ae%c0%ae/index.html", "T13 overlong UTF-8 dot stays bytes"),
    _get("T14", "/sub/%ef%bc%8e%ef%bc%8e/index.html", "T14 fullwidth dots not folded"),
    _get("T15", "/index.html%00.txt", "T15 encoded NUL: 404, no truncation"),
    _get("T17-zz", "/%zz", "T17 bad escape: 400"),
    _get("T17-trailing-pct", "/index.html%", "T17 truncated escape: 400"),
    _get("T17-iis-u", "/%u002e%u002e/index.html", "T17 IIS %u escape: 400"),
    _get("T18-dot", "/index.html.", "T18 trailing dot is part of the name (POSIX)"),
    _get("T18-space", "/index.html%20", "T18 trailing encoded space"),
    _get("T19-jsessionid", "/index.html;jsessionid=1", "T19 ; params are not stripped"),
    _get("T19-dir", "/sub;x/index.html", "T19 ; in a directory segment"),
    _get("T19-dotdot", "/sub/..;/index.html", "T19 Tomcat-style ..;"),
    _get("T20-double-slash", "//sub//index.html", "T20 MergeSlashes On (default)"),
    _get("T20-dot-segment", "/./index.html", "T20 /./ removed"),
    _get("T20-encoded-dot", "/sub/%2e/index.html", "T20 encoded single dot removed"),
    _get("T21", "/%69ndex.html", "T21 unreserved escape decoded"),
    _get("T22", "http://localhost/sub/../index.html", "T22 absolute-form target"),
    _get("T23", "http://evil.example/index.html", "T23 absolute-form with another host"),
    _get("T24", "sub/../index.html", "T24 relative target: 400"),
    _get("T25", "@localhost/index.html", "T25 CVE-2011-3368 @ target: 400"),
    _get("T26", "/index.html#frag", "T26 fragment in the request line: 400"),
    _get("T27-get", "*", "T27 GET *: 400"),
    Case("T27-options", request("OPTIONS", "*"), "T27 OPTIONS *: 200"),
    _get("T28", "/index.html/extra", "T28 path info on a static file, default AcceptPathInfo"),
    _get("T28-pi-on", "/pi-on/index.html/extra", "T28 AcceptPathInfo On: served"),
    _get("T28-pi-off", "/pi-off/index.html/extra", "T28 AcceptPathInfo Off: 404"),
    _get("T28-pi-on-deep", "/pi-on/index.html/a/b%2fc", "AcceptPathInfo On, encoded slash in it"),
    _get("T32", "/" + "a" * 300, "T32 one 300-byte segment: ENAMETOOLONG -> 403"),
    _get("T33", "/index.html%3f.txt", "T33 encoded ? is not a query"),
    _get("T34", "/al/../outside/secret.txt", "T34 normalised before Alias"),
    _get("T35-icons-dots", "/icons../outside/secret.txt", "T35 Alias is segment aware"),
    _get("T35-iconsX", "/iconsX/file.txt", "T35 Alias prefix must end at a segment"),
    _get("alias-file", "/icons/file.txt", "Alias without trailing slash"),
    _get("alias-slash-file", "/al/file.txt", "Alias with trailing slash"),
    _get("alias-icons-double-slash", "/icons//file.txt", "Alias tolerates //"),
    _get("T36-CON", "/CON", "T36 Windows device names are plain names on POSIX"),
    _get("T36-NUL", "/sub/NUL", "T36"),
    _get("T36-CON-txt", "/CON.txt", "T36"),
    _get("T36-drive", "/C:/Windows/win.ini", "T36 drive letter"),
    _get("T36-unc", "//srv/share/x", "T36 UNC-looking path"),
    _get("T36-ads", "/x::$DATA", "T36 NTFS alternate data stream"),
    _get("query-kept", "/index.html?a=1&b=%2f", "query string does not affect the file"),
    _get("deep-file", "/sub/deeper/file.txt", "text/plain from mime.types"),
    _get("missing", "/nope.html", "plain 404"),
    _get("root", "/", "directory without DirectoryIndex (mod_dir not loaded)"),
    _get("dir-no-slash", "/sub", "directory without slash, mod_dir not loaded"),
    _get("outside-direct", "/outside/secret.txt", "not under DocumentRoot: 404"),
    _get("http10-no-host", "/index.html", "HTTP/1.0 without Host", host=None, version="HTTP/1.0"),
    _get("host-missing-11", "/index.html", "R08 HTTP/1.1 without Host: 400", host=None),
    # Shapes that once made apachemw's URI fast path backtrack exponentially (a hang).
    _get("long-run-bad-end", "/" + "a" * 60 + "!", "60 letters then '!': a plain 404"),
    _get("many-segments-bad-end", "/sub/" + "a/" * 100 + "a!", "100 segments then '!'"),
    _get("long-run-escape", "/" + "ab" * 40 + "%41", "80 letters then an escape"),
    _get("long-run-dot-end", "/" + "a" * 60 + ".", "60 letters then a trailing dot"),
]

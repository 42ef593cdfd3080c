"""mod_logio's %I, %O and %S in the access log (Debian's stock ``combined`` uses %O):
whole files, HEAD, 304, 404, 206, a request body, HTTP/1.0, keep-alive and ServerTokens."""

from __future__ import annotations

from ..harness import Case, header, request, set_mtimes, with_log_format

NAME = "core_logio"

LOG = 'LogFormat "%h %l %u %t \\"%r\\" %>s %b %I %O %S" combined'


def conf(root: str, port: int) -> str:
    base = header(root, port)  # mod_logio is built into Debian's apache2
    base = with_log_format(base, LOG)
    return (
        base
        + f"""
DocumentRoot {root}/htdocs
<Directory {root}/htdocs>
    Require all granted
</Directory>
ServerTokens Prod
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs",))


ETAG_LATER = "Sat, 01 Jan 2050 00:00:00 GMT"

CASES = [
    Case("get", request("GET", "/a.txt"), "a whole file"),
    Case("head", request("HEAD", "/a.txt"), "HEAD: headers only"),
    Case("missing", request("GET", "/nope.txt"), "404 page"),
    Case(
        "not-modified",
        request("GET", "/a.txt", [("If-Modified-Since", ETAG_LATER)]),
        "304: no body",
    ),
    Case("range", request("GET", "/a.txt", [("Range", "bytes=0-99")]), "206"),
    Case(
        "post-body",
        request("POST", "/index.html", [("Content-Type", "text/plain")], b"x" * 500),
        "a request body counts in %I",
    ),
    Case("http10", request("GET", "/a.txt", host=None, version="HTTP/1.0"), "HTTP/1.0"),
    Case(
        "headers",
        request("GET", "/a.txt", [("X-Long", "y" * 300), ("User-Agent", "logio-test/1.0")]),
        "request headers count",
    ),
]

"""mod_expires: ExpiresActive, ExpiresDefault and ExpiresByType in both syntaxes
("A3600" and "access plus 1 month 2 days"), major-type wildcards, modification-based
codes, ExpiresActive Off below, and no Expires on errors. Expires is compared as an
offset from the response's Date (it is counted from the request)."""

from __future__ import annotations

from ..harness import get_case, header, set_mtimes

NAME = "expires"


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    return (
        header(root, port, ("expires",))
        + f"""
DocumentRoot {h}
<Directory {h}>
    Require all granted
    ExpiresActive On
    ExpiresDefault "access plus 1 hour"
    ExpiresByType text/html A600
    ExpiresByType image/png "now plus 1 month 2 days 3 hours 4 minutes 5 seconds"
</Directory>
<Directory {h}/typed>
    ExpiresByType text/* "access 30 minutes"
    ExpiresByType text/css "a plus 1 week"
</Directory>
<Directory {h}/off>
    ExpiresActive Off
</Directory>
<Directory {h}/mod>
    ExpiresDefault "modification plus 10 seconds"
</Directory>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs",))


LATER = "Sat, 01 Jan 2050 00:00:00 GMT"

CASES = [
    get_case("default", "/a.txt", "ExpiresDefault access plus 1 hour"),
    get_case("by-type", "/b.html", "ExpiresByType A600"),
    get_case("long-code", "/c.png", "months, days, hours, minutes, seconds"),
    get_case("wildcard", "/typed/a.txt", "text/* in a subdirectory"),
    get_case("exact-beats-wildcard", "/typed/d.css", "text/css over text/*"),
    get_case("inherited-type", "/typed/b.html", "the parent's text/html A600 wins over text/*"),
    get_case("off", "/off/a.txt", "ExpiresActive Off below"),
    get_case("modification-past", "/mod/a.txt", "M+10 s of an old file: max-age=0"),
    get_case("missing", "/nope.txt", "no Expires on a 404"),
    get_case("head", "/a.txt", "HEAD", method="HEAD"),
    get_case(
        "not-modified",
        "/a.txt",
        "304 carries Expires",
        [("If-None-Match", "*")],
    ),
]

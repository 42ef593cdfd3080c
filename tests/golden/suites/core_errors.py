"""ErrorDocument: local URL (internal redirect), full URL (302), literal text, default,
missing target, in .htaccess; error pages never 206/304."""

from __future__ import annotations

from ..harness import Case, header, request, set_mtimes

NAME = "core_errors"


def conf(root: str, port: int) -> str:
    return (
        header(root, port)
        + f"""
DocumentRoot {root}/htdocs
<Directory {root}/htdocs>
    Require all granted
</Directory>
ErrorDocument 404 /errors/404.html
ErrorDocument 403 /errors/403.html
ErrorDocument 405 /errors/405.html
ErrorDocument 400 "bad request text
<Directory {root}/htdocs/full>
    ErrorDocument 404 http://example.com/notfound?x=1
    ErrorDocument 403 http://example.com/forbidden
    Require all denied
</Directory>
<Directory {root}/htdocs/literal>
    ErrorDocument 404 "Nothing here, <b>sorry</b>
    ErrorDocument 405 "no such method
</Directory>
<Directory {root}/htdocs/denied>
    Require all denied
</Directory>
<Directory {root}/htdocs/missingdoc>
    ErrorDocument 404 /errors/nope.html
</Directory>
<Directory {root}/htdocs/ht>
    AllowOverride FileInfo
</Directory>
<Directory {root}/htdocs/reset>
    ErrorDocument 404 default
</Directory>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs",))


def _g(name: str, target: str, note: str, headers: list[tuple[str, str]] | None = None) -> Case:
    return Case(name, request("GET", target, headers or []), note)


CASES = [
    _g("local-404", "/missing.html", "local ErrorDocument: 404 status, custom body"),
    _g("local-404-query", "/missing.html?a=b", "query on the failing URL"),
    _g("local-403", "/denied/file.txt", "403 from Require all denied, local document"),
    _g("local-403-dir", "/denied/", "403 on the directory"),
    Case("local-405", request("PUT", "/index.html", body=b"x"), "405 with a local document"),
    Case("local-404-head", request("HEAD", "/missing.html"), "HEAD on a 404 with a document"),
    Case("local-404-post", request("POST", "/missing.html", body=b"a=1"), "POST 404: GET doc"),
    _g("local-404-range", "/missing.html", "RG14 Range on the error doc", [("Range", "bytes=0-3")]),
    _g("local-404-inm", "/missing.html", "no 304 for error docs", [("If-None-Match", "*")]),
    _g("errors-direct", "/errors/404.html", "the document itself is a plain 200"),
    _g(
        "full-404",
        "/full/missing",
        "access is checked before the file: 403, whose full URL gives 302",
    ),
    _g("full-403", "/full/file", "full URL for 403"),
    _g("literal-404", "/literal/missing", "literal text body"),
    Case("literal-405", request("DELETE", "/literal/x"), "literal text for 405"),
    _g("missing-doc", "/missingdoc/missing", "X08 ErrorDocument target missing"),
    _g("ht-404", "/ht/missing", "ErrorDocument from .htaccess"),
    _g(
        "ht-403-literal",
        "/ht/.htaccess",
        "no <Files .ht*> rule in this suite: the .htaccess is served",
    ),
    _g("ht-sub-default", "/ht/sub/missing", "nested .htaccess resets with default"),
    _g("reset-default", "/reset/missing", "ErrorDocument default in <Directory>"),
    _g("bad-uri-400", "/%zz", "400 with a literal ErrorDocument"),
    _g("traversal-400", "/../x", "400 AH10244 with the literal document"),
]

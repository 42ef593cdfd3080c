"""Methods on a file, a directory and a missing path (L09-L11), OPTIONS *, TRACE."""

from __future__ import annotations

from ..harness import Case, header, request, set_mtimes

NAME = "core_methods"


def conf(root: str, port: int) -> str:
    return (
        header(root, port, ("dir",))
        + f"""
DocumentRoot {root}/htdocs
<Directory {root}/htdocs>
    Require all granted
</Directory>
DirectoryIndex index.html
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs",))


METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "FOO", "CONNECT")
TARGETS = {
    "file": "/index.html",
    "dir": "/dir/",
    "dir-noslash": "/dir",
    "dir-noindex": "/noindex/",
    "missing": "/missing.html",
}
ROW = {"PUT": "L10", "DELETE": "L10", "TRACE": "L11", "FOO": "L09"}


def _cases() -> list[Case]:
    cases = []
    for method in METHODS:
        for label, target in TARGETS.items():
            if method == "CONNECT" and label != "file":
                continue
            body = b"a=1" if method in ("POST", "PUT", "PATCH") else b""
            headers = [("Content-Type", "application/x-www-form-urlencoded")] if body else []
            note = f"{ROW.get(method, '')} {method} on {label}".strip()
            cases.append(Case(f"{method}-{label}", request(method, target, headers, body), note))
    return cases


CASES = [
    *_cases(),
    Case("OPTIONS-star", request("OPTIONS", "*"), "T27 OPTIONS * answered by core"),
    Case("POST-empty", request("POST", "/index.html"), "POST without a body on a file"),
    Case(
        "TRACE-body",
        request("TRACE", "/index.html", body=b"hello"),
        "L11 TRACE with a request body is refused (413)",
    ),
    Case(
        "TRACE-headers",
        request("TRACE", "/index.html", [("Cookie", "a=b"), ("X-Test", "t")]),
        "L11 TRACE echoes the request headers (XST)",
    ),
    Case("GET-query", request("GET", "/index.html?x=1"), "query ignored for files"),
    Case(
        "HEAD-dir-noslash-query",
        request("HEAD", "/dir?q=1"),
        "HEAD on a directory without slash: 301 keeps the query",
    ),
    Case("GET-http10", request("GET", "/index.html", version="HTTP/1.0"), "HTTP/1.0 with Host"),
]

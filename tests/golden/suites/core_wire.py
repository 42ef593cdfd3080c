"""Requests uvicorn rejects (or mangles) before any app runs: recorded to document what
Apache answers, never replayed (security.md §3 U table)."""

from __future__ import annotations

from ..harness import Case, header, request, set_mtimes

NAME = "core_wire"
REPLAY = False


def conf(root: str, port: int) -> str:
    return (
        header(root, port)
        + f"""
DocumentRoot {root}/htdocs
<Directory {root}/htdocs>
    Require all granted
</Directory>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs",))


CASES = [
    Case("T12", request("GET", "/sub\\..\\index.html"), "T12 raw backslash"),
    Case("T16", request("GET", b"/index.html\x00"), "T16 raw NUL: 400"),
    Case("T29-utf8", request("GET", b"/caf\xc3\xa9.html"), "T29 raw UTF-8 accepted"),
    Case("T29-latin1", request("GET", b"/\xff\xfe"), "T29 raw non-UTF-8 accepted"),
    Case("T30", request("GET", b"/\x01"), "T30 raw control byte: 400"),
    Case("T31", request("GET", "/" + "a" * 9000), "T31 9000-byte URL: 414"),
    Case("L01", request("GET", "/index.html", [("X-Big", "a" * 9000)]), "L01 9000-byte header"),
    Case(
        "L02",
        request("GET", "/index.html", [(f"X-H{i}", "v") for i in range(150)]),
        "L02 150 headers",
    ),
    Case(
        "L05",
        b"GET /index.html HTTP/1.1\r\nHost: localhost\r\nX: a\r\n b\r\nConnection: close\r\n\r\n",
        "L05 obs-fold",
    ),
    Case("L06", b"GET /index.html HTTP/1.1\nHost: localhost\nConnection: close\n\n", "L06 bare LF"),
    Case("L07", request("GET", "/index.html", [("X ", "a")]), "L07 space before colon"),
    Case(
        "L08",
        request(
            "POST",
            "/index.html",
            [("Content-Length", "5"), ("Transfer-Encoding", "chunked")],
            b"0\r\n\r\n",
        ),
        "L08 CL + TE",
    ),
    Case("L09", request("get", "/index.html"), "L09 lowercase method: 501"),
    Case("L12", request("GET", "/index.html", version="HTTP/1.11"), "L12 HTTP/1.11"),
    Case("L13-esc", request("GET", "/index.html", [("User-Agent", b"a\x1bb")]), "L13 ESC in UA"),
    Case("L13-del", request("GET", "/index.html", [("User-Agent", b"a\x7fb")]), "L13 DEL in UA"),
    Case("R10", request("GET", "/index.html", [("Host", "evil")]), "R10 duplicate Host"),
    Case("http2-version", request("GET", "/index.html", version="HTTP/2.0"), "HTTP/2.0 on h1"),
]

"""security.md H08: an app header with CR/LF/NUL gets Apache's 500 (AH02430),
never a split header on the wire."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from apachemw.asgi import Apache as ASGIApache
from apachemw.wsgi import Apache as WSGIApache

BAD = ("Location", "http://x/\r\nSet-Cookie: pwn=1")


def _wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("302 Found", [BAD])
    return [b"moved"]


async def _asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 302,
            "headers": [(BAD[0].encode(), BAD[1].encode())],
        }
    )
    await send({"type": "http.response.body", "body": b"moved"})


def test_wsgi_app_header_with_crlf_is_500(tmp_path: Path) -> None:
    mw = WSGIApache(_wsgi_app, document_root=tmp_path)
    lines: list[str] = []
    mw.engine.site.error_log = lines.append
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, headers

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/x",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http",
    }
    body = b"".join(mw(environ, start_response))
    assert seen["status"].startswith("500")
    assert all("\n" not in v for _, v in seen["headers"])
    assert b"Internal Server Error" in body and b"moved" not in body
    assert any("AH02430" in line for line in lines)


def test_asgi_app_header_with_crlf_is_500(tmp_path: Path) -> None:
    mw = ASGIApache(_asgi_app, document_root=tmp_path)
    lines: list[str] = []
    mw.engine.site.error_log = lines.append
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/x",
        "raw_path": b"/x",
        "query_string": b"",
        "headers": [(b"host", b"localhost")],
        "http_version": "1.1",
        "scheme": "http",
    }
    asyncio.run(mw(scope, receive, send))
    assert sent[0]["status"] == 500
    assert all(b"\n" not in v for _, v in sent[0]["headers"])
    body = b"".join(m.get("body", b"") for m in sent[1:])
    assert b"Internal Server Error" in body and b"moved" not in body
    assert any("AH02430" in line for line in lines)

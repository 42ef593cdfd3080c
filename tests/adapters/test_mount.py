"""Mounted under a prefix (WSGI SCRIPT_NAME, ASGI root_path), Apache's rules apply
below it and the URLs apachemw builds keep it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from apachemw.asgi import Apache as ASGIApache
from apachemw.wsgi import Apache as WSGIApache


def _site(tmp_path: Path) -> Path:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "index.html").write_text("index")
    (tmp_path / "a.txt").write_text("a")
    return tmp_path


def test_wsgi_directory_slash_keeps_the_mount(tmp_path: Path) -> None:
    app = WSGIApache(None, document_root=_site(tmp_path))
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "/mount",
        "PATH_INFO": "/sub",
        "QUERY_STRING": "q=1",
        "REQUEST_URI": "/mount/sub?q=1",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http",
    }
    body = b"".join(app(environ, start_response))
    assert seen["status"].startswith("301")
    assert seen["headers"]["Location"] == "http://localhost/mount/sub/?q=1"
    assert b"/mount/sub/?q=1" in body
    environ.update(PATH_INFO="/a.txt", REQUEST_URI="/mount/a.txt", QUERY_STRING="")
    assert b"".join(app(environ, start_response)) == b"a"


def test_asgi_file_below_root_path(tmp_path: Path) -> None:
    app = ASGIApache(None, document_root=_site(tmp_path))
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/mount/a.txt",
        "raw_path": b"/mount/a.txt",
        "root_path": "/mount",
        "query_string": b"",
        "headers": [(b"host", b"localhost")],
        "http_version": "1.1",
        "scheme": "http",
    }
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 200
    assert sent[1]["body"] == b"a"

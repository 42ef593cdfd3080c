"""The ASGI face hands a whole file to the server when it offers pathsend."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from apachemw.asgi import Apache


def _run(app: Apache, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def _scope(
    path: str, extensions: dict[str, Any], headers: list[tuple[bytes, bytes]]
) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"localhost"), *headers],
        "http_version": "1.1",
        "scheme": "http",
        "extensions": extensions,
    }


def test_pathsend_used_for_a_whole_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("hello")
    app = Apache(None, document_root=tmp_path)
    sent = _run(app, _scope("/a.txt", {"http.response.pathsend": {}}, []))
    assert sent[0]["status"] == 200
    assert sent[1] == {"type": "http.response.pathsend", "path": str(tmp_path / "a.txt")}


def test_ranges_are_sent_as_body_even_with_pathsend(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("hello world")
    app = Apache(None, document_root=tmp_path)
    sent = _run(app, _scope("/a.txt", {"http.response.pathsend": {}}, [(b"range", b"bytes=0-4")]))
    assert sent[0]["status"] == 206
    assert b"".join(m.get("body", b"") for m in sent[1:]) == b"hello"


def test_without_pathsend_the_body_is_streamed(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("hello")
    app = Apache(None, document_root=tmp_path)
    sent = _run(app, _scope("/a.txt", {}, []))
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[1]["body"] == b"hello"


def test_large_file_and_ranges_stream_in_bounded_chunks(tmp_path: Path) -> None:
    data = bytes(range(256)) * 6000  # 1.5 MB: past the small-file cache
    (tmp_path / "f.bin").write_bytes(data)
    app = Apache(None, document_root=tmp_path)
    sent = _run(app, _scope("/f.bin", {}, []))
    chunks = [m["body"] for m in sent[1:]]
    assert b"".join(chunks) == data
    assert max(len(c) for c in chunks) <= 256 * 1024
    assert sent[-1]["more_body"] is False
    ranged = _run(app, _scope("/f.bin", {}, [(b"range", b"bytes=0-9,300000-700000")]))
    body = b"".join(m["body"] for m in ranged[1:])
    assert ranged[0]["status"] == 206
    assert len(body) == int(dict(ranged[0]["headers"])[b"content-length"])
    assert data[300000:700001] in body and data[0:10] in body

"""The ASGI face: scope in, the core's outcome out through ``send``.

The core's decision (stats, .htaccess, the walks) and the first read of a file
run in one worker-thread call, so the event loop never blocks on the filesystem;
larger files are read a chunk at a time, each in the thread pool. Lifespan and
websocket scopes pass straight through to the wrapped app.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any, BinaryIO

from apachemw.core.pipeline import Engine
from apachemw.core.request import FileBody, Incoming, Outcome
from apachemw.engine import CHUNK, build_engine, finish

__all__ = ["Apache", "incoming_from_scope"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def incoming_from_scope(scope: Scope) -> Incoming:
    raw = scope.get("raw_path") or scope.get("path", "/").encode("utf-8", "surrogateescape")
    query = scope.get("query_string") or b""
    client = scope.get("client") or ("127.0.0.1", 0)
    server = scope.get("server") or ("127.0.0.1", 80)
    return Incoming(
        method=scope.get("method", "GET"),
        target=bytes(raw) + (b"?" + bytes(query) if query else b""),
        protocol=f"HTTP/{scope.get('http_version', '1.1')}",
        headers=[
            (k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope.get("headers", ())
        ],
        remote_addr=str(client[0]),
        remote_port=int(client[1] or 0),
        local_addr=str(server[0]),
        local_port=int(server[1] or 80),
        scheme=scope.get("scheme", "http"),
        request_time=time.time(),
    )


def _decide(
    engine: Engine, incoming: Incoming, pathsend: bool
) -> tuple[Outcome, BinaryIO | None, bytes]:
    """In a worker thread: the core's decision, and the file's first chunk."""
    outcome = engine.handle(incoming)
    fbody = outcome.file
    if fbody is None or outcome.head_only or (pathsend and fbody.parts is None):
        return outcome, None, b""
    handle = open(fbody.path, "rb")  # noqa: SIM115 - closed by the sender
    try:
        first = _read_part(handle, fbody, 0)
    except OSError:
        handle.close()
        raise
    return outcome, handle, first


def _read_part(handle: BinaryIO, fbody: FileBody, index: int) -> bytes:
    """Whole-file bodies are read in order; ranged ones piece by piece."""
    if fbody.parts is None:
        return handle.read(CHUNK)
    if index >= len(fbody.parts):
        return b""
    part = fbody.parts[index]
    if isinstance(part, bytes):
        return part
    start, end = part
    handle.seek(start)
    return handle.read(end - start + 1)


class Apache:
    """ASGI middleware: ``app = Apache(app, config="httpd.conf")``, or Starlette's
    ``Middleware(Apache, config=...)``. ``app=None`` answers like Apache alone.
    """

    def __init__(
        self,
        app: ASGIApp | None = None,
        *,
        config: str | os.PathLike[str] | None = None,
        text: str | None = None,
        defines: Iterable[str] = (),
        document_root: str | os.PathLike[str] | None = None,
    ) -> None:
        self.app = app
        self.engine = build_engine(
            config=config,
            text=text,
            defines=defines,
            document_root=document_root,
            has_app=app is not None,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if self.app is None:
                if scope["type"] == "lifespan":
                    await _lifespan(receive, send)
                return
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        incoming = incoming_from_scope(scope)
        pathsend = "http.response.pathsend" in (scope.get("extensions") or {})
        outcome, handle, first = await loop.run_in_executor(
            None, _decide, self.engine, incoming, pathsend
        )
        if outcome.app is not None and self.app is not None:
            await self._call_app(scope, receive, send, outcome)
            return
        await send(
            {
                "type": "http.response.start",
                "status": outcome.status,
                "headers": _encode(outcome.headers),
            }
        )
        sent = 0
        try:
            fbody = outcome.file
            if pathsend and fbody is not None and fbody.parts is None and not outcome.head_only:
                # The server sends the file itself (zero-copy where it can).
                await send({"type": "http.response.pathsend", "path": fbody.path})
                sent = fbody.size
            elif handle is None:
                body = b"" if outcome.head_only else outcome.body
                await send({"type": "http.response.body", "body": body})
                sent = len(body)
            else:
                assert outcome.file is not None
                sent = await _send_file(loop, send, handle, outcome.file, first)
        finally:
            if handle is not None:
                handle.close()
            finish(self.engine, outcome, outcome.status, sent, outcome.headers)

    async def _call_app(self, scope: Scope, receive: Receive, send: Send, outcome: Outcome) -> None:
        assert outcome.app is not None and self.app is not None
        call = outcome.app
        inner = dict(scope)
        inner["path"] = inner.get("root_path", "") + call.path
        inner["raw_path"] = call.raw_path
        inner["query_string"] = call.query.encode("latin-1", "replace")
        inner["apachemw.env"] = dict(call.env)
        extra = _encode(outcome.headers)
        seen: dict[str, Any] = {"status": 500, "headers": [], "sent": 0}

        async def wrapped_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = list(message.get("headers", ())) + extra
                seen["status"] = message["status"]
                seen["headers"] = [
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in message["headers"]
                ]
            elif message["type"] == "http.response.body":
                seen["sent"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(inner, receive, wrapped_send)
        finally:
            finish(self.engine, outcome, seen["status"], seen["sent"], seen["headers"])


async def _send_file(
    loop: asyncio.AbstractEventLoop, send: Send, handle: BinaryIO, fbody: FileBody, first: bytes
) -> int:
    sent = len(first)
    index = 1
    total_parts = None if fbody.parts is None else len(fbody.parts)
    chunk = first
    while True:
        more = await _has_more(fbody, chunk, index, total_parts)
        await send({"type": "http.response.body", "body": chunk, "more_body": more})
        if not more:
            return sent
        chunk = await loop.run_in_executor(None, _read_part, handle, fbody, index)
        index += 1
        sent += len(chunk)


async def _has_more(fbody: FileBody, chunk: bytes, index: int, total: int | None) -> bool:
    if total is None:
        return len(chunk) == CHUNK
    return index < total


def _encode(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1", "replace")) for k, v in headers]


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return

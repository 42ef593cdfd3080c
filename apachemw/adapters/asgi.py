"""The ASGI face: scope in, the core's outcome out through ``send``.

The core's decision runs on the event loop: it only stats, and a .htaccess that
must be (re)read sends that request to a worker thread instead. File bodies are
never read on the loop: small ones are read once in a thread and kept by
identity (core.filecache), large ones stream a chunk at a time from the thread
pool, and a server offering ``http.response.pathsend`` sends the file itself.
Lifespan scopes pass straight through; a websocket handshake goes through the phases
like a GET and reaches the app only if Apache would hand that GET to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any, BinaryIO
from urllib.parse import quote

from apachemw.config.htaccess import NeedsBlockingIO
from apachemw.core.filecache import SmallFiles, open_body
from apachemw.core.http import invalid_header
from apachemw.core.pipeline import Engine
from apachemw.core.request import FileBody, Incoming, Outcome
from apachemw.engine import (
    app_body_limit,
    app_failed,
    app_output_headers,
    build_engine,
    error_outcome,
    finish,
    opened,
    release,
)

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
    root = str(scope.get("root_path") or "").rstrip("/")
    return Incoming(
        mount=quote(root.encode("utf-8", "surrogateescape"), safe="/:@!$&'()*+,;=~-._").encode(),
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


SMALL = SmallFiles()
_HTTP_SCHEME = {"ws": "http", "wss": "https"}


async def _refuse_websocket(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
) -> None:
    """Apache's answer through the websocket denial response when the server offers it;
    otherwise the connection is closed before it is accepted (the server answers 403)."""
    message = await receive()
    if message.get("type") != "websocket.connect":
        return
    if "websocket.http.response" in (scope.get("extensions") or {}):
        start = {"type": "websocket.http.response.start", "status": status}
        await send({**start, "headers": _encode(headers)})
        await send({"type": "websocket.http.response.body", "body": body})
        return
    await send({"type": "websocket.close", "code": 1008})


async def _decide(engine: Engine, incoming: Incoming) -> Outcome:
    """The core's decision on the loop (it stats, never reads); a .htaccess that
    must be (re)read sends the whole request to a worker thread instead."""
    incoming.may_block = False
    try:
        return engine.handle(incoming)
    except NeedsBlockingIO:
        incoming.may_block = True
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, engine.handle, incoming)


def _app_scope(scope: Scope, outcome: Outcome) -> Scope:
    """The scope the app gets: the path the phases left, their environment, the client."""
    assert outcome.app is not None
    call = outcome.app
    inner = dict(scope)
    root = str(scope.get("root_path") or "").rstrip("/")
    inner["path"] = root + call.path
    inner["raw_path"] = _quote_path(root) + call.raw_path
    if call.script_name:
        inner["root_path"] = root + call.script_name  # WSGIScriptAlias's mount
    inner["query_string"] = call.query.encode("latin-1", "replace")
    inner["apachemw.env"] = dict(call.env)
    if call.headers is not None:  # RequestHeader changed them
        # ASGI header names are lower-case; a directive names them as it likes.
        inner["headers"] = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in call.headers
        ]
    if "REMOTE_ADDR" in call.env:  # mod_remoteip's client, not the proxy's address
        inner["client"] = (call.env["REMOTE_ADDR"], int(call.env.get("REMOTE_PORT", 0)))
    extensions = scope.get("extensions")
    if extensions and _EARLY_HINT in extensions and not outcome.interim_allowed:
        # Early hints would be dropped here: the app is told it cannot send them.
        inner["extensions"] = {k: v for k, v in extensions.items() if k != _EARLY_HINT}
    return inner


def _slices(data: bytes, parts: list[bytes | tuple[int, int]]) -> bytes:
    return b"".join(p if isinstance(p, bytes) else data[p[0] : p[1] + 1] for p in parts)


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
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            if self.app is None:
                if scope["type"] == "lifespan":
                    await _lifespan(receive, send)
                return
            await self.app(scope, receive, send)
            return
        # One engine for the whole request, even if a reload swaps self.engine meanwhile.
        engine = self.engine
        incoming = incoming_from_scope(scope)
        outcome = await _decide(engine, incoming)
        hints = _EARLY_HINT in (scope.get("extensions") or {}) and outcome.interim_allowed
        if hints and outcome.early_links:
            links = [link.encode("latin-1", "replace") for link in outcome.early_links]
            await send({"type": _EARLY_HINT, "links": links})
        if outcome.app is not None and self.app is not None:
            await self._call_app(scope, receive, _hints_passed(send, hints), outcome, engine)
            return
        await self._serve(scope, receive, send, outcome, engine)

    async def _serve(
        self, scope: Scope, receive: Receive, send: Send, outcome: Outcome, engine: Engine
    ) -> None:
        """Apache's own answer: a canned page, an error document or a file."""
        pathsend = "http.response.pathsend" in (scope.get("extensions") or {})
        outcome, source = await _body_source(engine, outcome, pathsend)
        headers = _encode(outcome.headers)
        try:
            await send(
                {"type": "http.response.start", "status": outcome.status, "headers": headers}
            )
        except BaseException:
            release(self.engine, outcome)  # no log phase follows: free its status slot
            raise
        sent = 0
        left = _Departure(receive) if _streams(outcome, pathsend) else None
        try:
            sent = await _send_body(send, outcome, source, left)
        finally:
            aborted = left is not None and left.stop()
            if aborted:
                # Apache counted the whole file before writing it: %b is its size even
                # for a client that left mid-way (security.md G06); %X says "X".
                sent = _planned_length(outcome.headers, sent)
            finish(engine, outcome, outcome.status, sent, outcome.headers, aborted)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A websocket handshake is a GET to Apache: it goes through every phase, and
        only a request that reaches the app is handed over; any other answer (401, 403,
        a redirect, a file) refuses the handshake."""
        as_get = {**scope, "method": "GET", "scheme": _HTTP_SCHEME.get(scope.get("scheme", "ws"))}
        engine = self.engine
        outcome = await _decide(engine, incoming_from_scope(as_get))
        if outcome.app is not None and self.app is not None:
            state = {"status": 403}

            async def watched(message: Message) -> None:
                if message["type"] == "websocket.accept":
                    state["status"] = 101
                await send(message)

            try:
                await self.app(_app_scope(scope, outcome), receive, watched)
            finally:
                finish(engine, outcome, state["status"], 0, outcome.headers)
            return
        # A file or other 2xx answer cannot carry a websocket: refused as 403.
        status = outcome.status if outcome.status >= 300 else 403
        body = outcome.body if status == outcome.status and outcome.file is None else b""
        await _refuse_websocket(scope, receive, send, status, outcome.headers, body)
        finish(engine, outcome, status, len(body), outcome.headers)

    async def _call_app(
        self, scope: Scope, receive: Receive, send: Send, outcome: Outcome, engine: Engine
    ) -> None:
        assert outcome.app is not None and self.app is not None
        inner = _app_scope(scope, outcome)
        extra = _encode(outcome.headers)
        seen: dict[str, Any] = {"status": 500, "headers": [], "sent": 0, "limit": None}
        method = str(scope.get("method", "GET"))
        answers_errors = outcome.app.answers_errors

        async def wrapped_send(message: Message) -> None:
            if seen.get("refused"):
                return  # the app's answer was replaced by Apache's 500
            if message["type"] == "http.response.start":
                raw = [
                    (k.decode("latin-1"), v.decode("latin-1"))
                    for k, v in message.get("headers", ())
                ]
                note = invalid_header(raw)
                if note is not None:
                    seen["refused"] = True
                    error = error_outcome(engine, outcome, 500, note)
                    seen.update(status=500, headers=error.headers, sent=len(error.body))
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 500,
                            "headers": _encode(error.headers),
                        }
                    )
                    await send({"type": "http.response.body", "body": error.body})
                    return
                seen["started"] = True
                message = dict(message)
                seen["limit"] = app_body_limit(method, message["status"], raw, answers_errors)
                decoded = [*raw, *((k.decode("latin-1"), v.decode("latin-1")) for k, v in extra)]
                message["headers"] = _encode(
                    app_output_headers(outcome, message["status"], decoded)
                )
                seen["status"] = message["status"]
                seen["headers"] = [
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in message["headers"]
                ]
            elif message["type"] == "http.response.body" and seen["limit"] is not None:
                # Cut where Apache stops sending the body (HEAD, 204/304, mod_wsgi's
                # Content-Length).
                body = message.get("body", b"")[: seen["limit"]]
                seen["limit"] -= len(body)
                message = {**message, "body": body}
            if message["type"] == "http.response.body":
                seen["sent"] += len(message.get("body", b""))
            await send(message)

        failed: Exception | None = None
        try:
            await self.app(inner, receive, wrapped_send)
        except Exception as exc:
            if not answers_errors or seen.get("started"):
                raise
            failed = exc  # mod_wsgi answers it: a 500, ErrorDocument and all
        finally:
            if failed is None:
                finish(engine, outcome, seen["status"], seen["sent"], seen["headers"])
        if failed is not None:
            await self._serve(scope, receive, send, app_failed(outcome, failed), engine)


_EARLY_HINT = "http.response.early_hint"


def _hints_passed(send: Send, allowed: bool) -> Send:
    """The app's send, with its early hints dropped when they may not be sent (no
    server support, HTTP/1.0, or H2EarlyHints off over HTTP/2)."""
    if allowed:
        return send

    async def filtered(message: Message) -> None:
        if message.get("type") != _EARLY_HINT:
            await send(message)

    return filtered


class _Departure:
    """Watches for the client going away while a large file streams (http.disconnect;
    uvicorn's send() says nothing once the client is gone), so the stream stops early
    and the log line says "X"."""

    def __init__(self, receive: Receive) -> None:
        self._task = asyncio.ensure_future(self._watch(receive))
        self.completed = False  # set once the last piece was handed to the server

    @staticmethod
    async def _watch(receive: Receive) -> bool:
        finished_body = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return True
            if not message.get("more_body"):
                # After the request body receive() must wait for the disconnect; a
                # server that answers again at once is not watched (no busy loop).
                finished_body += 1
                if finished_body > 1:
                    return False

    @property
    def gone(self) -> bool:
        return self._task.done() and not self._task.cancelled() and self._task.result()

    def stop(self) -> bool:
        """Stop watching; whether the client left before the body was all sent (once
        the last piece is out, the server reports a disconnect anyway)."""
        gone = self.gone and not self.completed
        self._task.cancel()
        return gone


def _streams(outcome: Outcome, pathsend: bool) -> bool:
    """Only a file too large for one message, sent by us in pieces, is worth watching."""
    fbody = outcome.file
    if outcome.head_only or fbody is None or (pathsend and fbody.parts is None):
        return False
    return fbody.size > SMALL.max_file


def _planned_length(headers: list[tuple[str, str]], sent: int) -> int:
    for name, value in headers:
        if name.lower() == "content-length" and value.isdigit():
            return int(value)
    return sent


# Where a body comes from: the server (pathsend), a small file's bytes, an open file.
Source = bytes | BinaryIO | None


async def _body_source(engine: Engine, outcome: Outcome, pathsend: bool) -> tuple[Outcome, Source]:
    """Read or open the answer's file before its status goes out, as Apache opens it
    first: one that can no longer be opened gets Apache's answer instead (a small
    file already in memory needs no open; with pathsend the server opens it)."""
    fbody = outcome.file
    if outcome.head_only or fbody is None or (pathsend and fbody.parts is None):
        return outcome, None
    if fbody.size <= SMALL.max_file:
        data = SMALL.get(fbody.key)
        if data is not None:
            return outcome, data
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, opened, engine, outcome, _read_or_open)


def _read_or_open(fbody: FileBody) -> bytes | BinaryIO:
    return SMALL.read(fbody) if fbody.size <= SMALL.max_file else open_body(fbody)


async def _send_body(
    send: Send, outcome: Outcome, source: Source, left: _Departure | None = None
) -> int:
    """Send the body; returns the bytes sent, for the log phase."""
    fbody = outcome.file
    if outcome.head_only or fbody is None:
        body = b"" if outcome.head_only else outcome.body
        await send({"type": "http.response.body", "body": body})
        return len(body)
    if source is None:
        # pathsend: the server sends the file itself (zero-copy where it can).
        await send({"type": "http.response.pathsend", "path": fbody.path})
        return fbody.size
    if isinstance(source, bytes):
        body = source[: fbody.size] if fbody.parts is None else _slices(source, fbody.parts)
        await send({"type": "http.response.body", "body": body})
        return len(body)
    return await _stream(send, fbody, source, left)


STREAM_CHUNK = 256 * 1024


def _read_piece(handle: BinaryIO, part: bytes | tuple[int, int], offset: int) -> bytes:
    """Up to STREAM_CHUNK bytes of one piece (literal bytes or a range of the file)."""
    if isinstance(part, bytes):
        return part
    start, end = part
    handle.seek(start + offset)
    return handle.read(min(STREAM_CHUNK, end - start + 1 - offset))


def _pieces(fbody: FileBody) -> list[bytes | tuple[int, int]]:
    """A whole file is the range of the size announced: it may have grown since."""
    return list(fbody.parts) if fbody.parts is not None else [(0, fbody.size - 1)]


async def _stream(
    send: Send, fbody: FileBody, handle: BinaryIO, left: _Departure | None = None
) -> int:
    """A large file in bounded chunks read in the thread pool, the next read
    running while the previous chunk is being sent."""
    loop = asyncio.get_running_loop()
    sent = 0
    pieces = _pieces(fbody)
    index, offset = 0, 0
    pending: asyncio.Future[bytes] | None = loop.run_in_executor(
        None, _read_piece, handle, pieces[0], 0
    )
    try:
        while pending is not None:
            chunk = await pending
            part = pieces[index]
            offset += len(chunk)
            piece_done = isinstance(part, bytes) or offset >= part[1] - part[0] + 1 or not chunk
            if piece_done:
                index, offset = index + 1, 0
            more = index < len(pieces)
            pending = (
                loop.run_in_executor(None, _read_piece, handle, pieces[index], offset)
                if more
                else None
            )
            if left is not None and left.gone:
                break  # nobody is reading: stop reading the file
            await send({"type": "http.response.body", "body": chunk, "more_body": more})
            sent += len(chunk)
            if left is not None and not more:
                left.completed = True
    finally:
        if pending is not None:  # the client went away mid-file: let the read finish
            with contextlib.suppress(Exception):
                await pending
        handle.close()
    return sent


def _quote_path(path: str) -> bytes:
    return quote(path.encode("utf-8", "surrogateescape"), safe="/:@!$&'()*+,;=~-._").encode()


def _encode(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    # A field value has no surrounding whitespace on the wire (Apache may send some
    # that the client drops; h11 would refuse it): the log still sees the value whole.
    return [
        (k.lower().encode("latin-1"), v.strip(" \t").encode("latin-1", "replace"))
        for k, v in headers
    ]


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return

"""The WSGI face: environ in, the core's outcome out through start_response.

The raw request-target is taken from ``REQUEST_URI``/``RAW_URI`` when the server
gives one (gunicorn, uWSGI, a2wsgi's ``asgi.scope``), else rebuilt from
``PATH_INFO`` (then ``%2f`` and ``..`` have already been decoded by the server).
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO
from urllib.parse import quote

from apachemw.core.filecache import open_body
from apachemw.core.http import invalid_header
from apachemw.core.pipeline import Engine
from apachemw.core.request import Incoming, Outcome
from apachemw.engine import (
    CHUNK,
    app_body_limit,
    app_failed,
    app_output_headers,
    build_engine,
    error_outcome,
    finish,
    opened,
    release,
    status_line,
)

__all__ = ["Apache", "incoming_from_environ"]

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


def _raw_target(environ: Environ) -> bytes:
    scope = environ.get("asgi.scope")
    if isinstance(scope, dict) and "raw_path" in scope:
        raw = bytes(scope["raw_path"] or b"/")
        query = bytes(scope.get("query_string") or b"")
        return raw + (b"?" + query if query else b"")
    for key in ("REQUEST_URI", "RAW_URI"):
        value = environ.get(key)
        if value:
            return str(value).encode("latin-1", "replace")
    path = str(environ.get("SCRIPT_NAME", "")).rstrip("/") + str(environ.get("PATH_INFO", ""))
    raw = quote(path.encode("latin-1", "replace"), safe="/:@!$&'()*+,;=~-._").encode()
    query = environ.get("QUERY_STRING", "")
    return raw + (b"?" + query.encode("latin-1", "replace") if query else b"")


def _raw_mount(script_name: str) -> bytes:
    """SCRIPT_NAME as it appears at the start of the raw target."""
    raw = script_name.encode("latin-1", "replace")
    return quote(raw, safe="/:@!$&'()*+,;=~-._").encode()


def incoming_from_environ(environ: Environ) -> Incoming:
    headers = [
        (key[5:].replace("_", "-").lower(), str(value))
        for key, value in environ.items()
        if key.startswith("HTTP_")
    ]
    for key, name in (("CONTENT_TYPE", "content-type"), ("CONTENT_LENGTH", "content-length")):
        if environ.get(key):
            headers.append((name, str(environ[key])))
    script_name = str(environ.get("SCRIPT_NAME") or "").rstrip("/")
    return Incoming(
        method=environ.get("REQUEST_METHOD", "GET"),
        target=_raw_target(environ),
        mount=_raw_mount(script_name),
        protocol=environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
        headers=headers,
        remote_addr=environ.get("REMOTE_ADDR", "127.0.0.1"),
        remote_port=int(environ.get("REMOTE_PORT") or 0),
        local_addr=_local_addr(environ),
        local_port=int(environ.get("SERVER_PORT") or 80),
        scheme=environ.get("wsgi.url_scheme", "http"),
        request_time=time.time(),
    )


def _local_addr(environ: dict[str, Any]) -> str:
    """The address the request came in on (Apache's %A, SERVER_ADDR). PEP 3333 has no
    such key: SERVER_ADDR where the server gives it (mod_wsgi), SERVER_NAME when it is an
    address (gunicorn's bind address), else the loopback address."""
    for key in ("SERVER_ADDR", "SERVER_NAME"):
        value = str(environ.get(key) or "")
        try:
            ipaddress.ip_address(value.strip("[]"))
        except ValueError:
            continue
        return value
    return "127.0.0.1"


class _Body:
    """Iterates a response body and runs the log phase when the server closes it."""

    def __init__(
        self,
        chunks: Iterator[bytes],
        done: Callable[[int, bool], None],
        closer: Callable[[], None] | None = None,
    ) -> None:
        self._chunks = chunks
        self._done = done
        self._closer = closer
        self._sent = 0
        self._closed = False
        self._started = False
        self._exhausted = False

    def __iter__(self) -> Iterator[bytes]:
        self._started = True
        for chunk in self._chunks:
            self._sent += len(chunk)
            yield chunk
        self._exhausted = True

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if self._closer is not None:
                self._closer()
        finally:
            # The server closes a body it stopped reading when the client went away.
            self._done(self._sent, self._started and not self._exhausted)


def _file_chunks(
    handle: BinaryIO, size: int, parts: list[bytes | tuple[int, int]] | None
) -> Iterator[bytes]:
    """The file's pieces; a whole file never beyond the size announced (it may have
    grown since it was found)."""
    with handle:
        if parts is None:
            left = size
            while left > 0 and (chunk := handle.read(min(CHUNK, left))):
                left -= len(chunk)
                yield chunk
            return
        for part in parts:
            if isinstance(part, bytes):
                yield part
                continue
            start, end = part
            handle.seek(start)
            left = end - start + 1
            while left > 0:
                chunk = handle.read(min(CHUNK, left))
                if not chunk:
                    return
                left -= len(chunk)
                yield chunk


class Apache:
    """WSGI middleware: ``app = Apache(app, config="httpd.conf")``.

    With no ``config``, ``document_root`` (default: the current directory) is
    served with the defaults of Debian's apache2.conf. ``app=None`` answers like
    Apache alone (404 where nothing maps).
    """

    def __init__(
        self,
        app: WSGIApp | None = None,
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

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        # One engine for the whole request, even if a reload swaps self.engine meanwhile.
        engine = self.engine
        outcome = engine.handle(incoming_from_environ(environ))
        if outcome.app is not None and self.app is not None:
            return self._call_app(environ, start_response, outcome, engine)
        return self._serve(environ, start_response, outcome, engine)

    def _serve(
        self, environ: Environ, start_response: StartResponse, outcome: Outcome, engine: Engine
    ) -> Iterable[bytes]:
        """Apache's own answer: a canned page, an error document or a file."""
        outcome, handle = opened(engine, outcome, open_body)
        headers = [(k, v) for k, v in outcome.headers]
        # A field value has no surrounding whitespace on the wire (Apache may send some
        # that the client drops): the log still sees the value whole.
        start_response(status_line(outcome.status), [(k, v.strip(" \t")) for k, v in headers])

        def done(sent: int, aborted: bool = False) -> None:
            if aborted:
                # Apache counted the whole answer before writing it (the content-length
                # filter sees the file at once): %b is its size even for a client that
                # left (security.md G06); %X says "X".
                sent = _planned_length(headers, sent)
            finish(engine, outcome, outcome.status, sent, headers, aborted)

        fbody = outcome.file
        if handle is None or fbody is None:
            body = b"" if outcome.head_only else outcome.body
            return _Body(iter((body,) if body else ()), done)
        wrapper = environ.get("wsgi.file_wrapper")
        if fbody.parts is None and wrapper is not None:
            logged = _LoggedFile(handle, done, fbody.size)
            return wrapper(logged, CHUNK)  # type: ignore[no-any-return]
        return _Body(_file_chunks(handle, fbody.size, fbody.parts), done, handle.close)

    def _call_app(
        self, environ: Environ, start_response: StartResponse, outcome: Outcome, engine: Engine
    ) -> Iterable[bytes]:
        assert outcome.app is not None and self.app is not None
        call = outcome.app
        inner = dict(environ)
        # The mount of the app inside apachemw's space (WSGIScriptAlias) moves from
        # PATH_INFO to SCRIPT_NAME, as mod_wsgi hands it over.
        inner["SCRIPT_NAME"] = str(environ.get("SCRIPT_NAME", "")) + _wsgi_str(call.script_name)
        inner["PATH_INFO"] = _wsgi_str(call.path[len(call.script_name) :])
        inner["QUERY_STRING"] = call.query
        # PEP 3333's native strings, as mod_wsgi hands them over (REDIRECT_URL, a
        # SetEnv or RewriteRule value with UTF-8 in it).
        inner.update((k, _wsgi_str(v)) for k, v in call.env.items())
        inner["apachemw.env"] = dict(call.env)
        if call.headers is not None:  # RequestHeader changed them
            _replace_http_headers(inner, call.headers)
        seen: dict[str, Any] = {"status": 200, "headers": [], "error": None, "limit": None}
        extra = list(outcome.headers)
        method = str(environ.get("REQUEST_METHOD", "GET"))

        def inner_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["started"] = True
            note = invalid_header(headers)
            if note is not None:
                error = error_outcome(engine, outcome, 500, note)
                seen["error"] = error
                status, headers, extra[:] = status_line(500), list(error.headers), []
            seen["status"] = int(status.split(" ", 1)[0])
            seen["limit"] = app_body_limit(method, seen["status"], headers, call.answers_errors)
            seen["headers"] = app_output_headers(outcome, seen["status"], list(headers) + extra)
            if exc_info is not None:
                return start_response(status, seen["headers"], exc_info)
            return start_response(status, seen["headers"])

        try:
            result = self.app(inner, inner_start)
        except Exception as exc:
            if not call.answers_errors or seen.get("started"):
                release(self.engine, outcome)
                raise
            return self._serve(environ, start_response, app_failed(outcome, exc), engine)
        except BaseException:
            release(self.engine, outcome)
            raise

        def done(sent: int, aborted: bool = False) -> None:
            finish(engine, outcome, seen["status"], sent, seen["headers"], aborted)

        return _Body(_app_chunks(result, seen), done, getattr(result, "close", None))


def _app_chunks(result: Iterable[bytes], seen: dict[str, Any]) -> Iterator[bytes]:
    """The app's body, unless its headers were refused (then Apache's 500 page), cut
    where Apache stops sending it (HEAD, 204/304, mod_wsgi's Content-Length)."""
    for chunk in result:
        if seen["error"] is not None:
            break
        limit = seen["limit"]
        if limit is not None:
            chunk = chunk[:limit]
            seen["limit"] = limit - len(chunk)
        if chunk:
            yield chunk
    if seen["error"] is not None:
        yield seen["error"].body


def _wsgi_str(text: str) -> str:
    """PEP 3333's native strings: the UTF-8 bytes as latin-1."""
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


class _LoggedFile:
    """A file handed to wsgi.file_wrapper that runs the log phase on close()."""

    def __init__(self, handle: BinaryIO, done: Callable[[int, bool], None], size: int) -> None:
        self._handle = handle  # closed by the server via close()
        self._done = done
        self._size = size
        self._left = size
        self._closed = False

    def read(self, size: int = -1) -> bytes:
        # Never beyond the size announced: the file may have grown since it was found.
        wanted = self._left if size < 0 else min(size, self._left)
        data = self._handle.read(wanted) if wanted > 0 else b""
        self._left -= len(data)
        return data

    def fileno(self) -> int:
        return self._handle.fileno()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._handle.close()
        # The server may send it with sendfile() and never read(): whether the client
        # stayed to the end is not known here.
        self._done(self._size, False)


def _planned_length(headers: list[tuple[str, str]], sent: int) -> int:
    """The answer's Content-Length, or what was sent when it has none."""
    for name, value in headers:
        if name.lower() == "content-length" and value.isdigit():
            return int(value)
    return sent


_BODY_KEYS = ("CONTENT_TYPE", "CONTENT_LENGTH")


def _replace_http_headers(environ: Environ, headers: list[tuple[str, str]]) -> None:
    """The environ's HTTP_* (and CONTENT_TYPE/CONTENT_LENGTH) from a header list."""
    # CONTENT_TYPE/CONTENT_LENGTH too: they come back from the list (once, not twice).
    for key in [k for k in environ if k.startswith("HTTP_") or k in _BODY_KEYS]:
        del environ[key]
    for name, value in headers:
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        environ[key] = f"{environ[key]},{value}" if key in environ else value

"""Asserting what a request gets from an apachemw configuration, in a test, offline.

``ApacheTester`` builds one engine from a configuration (a file, text, or a bare
document root, as the middlewares do) and sends requests to it in-process::

    from apachemw.testing import ApacheTester, assert_redirect

    site = ApacheTester(text="Redirect 301 /old /new")
    assert_redirect(site.get("/old"), "http://localhost/new", status=301)

Each request is traced (what ``apachemw explain`` prints) and answers a ``Result``: the
status, the headers, the body, the file or the app the request reached with the path and
environment the app sees, the access-log line, and the trace. The ``assert_*`` helpers
raise ``AssertionError`` with the trace appended, so a failing test says why Apache
answered what it did.

By default the request goes to the core alone (no WSGI or ASGI machinery). Given an
``app``, the request runs through the real adapter of the app's kind, in-process, so the
result shows what the wrapped app received and answered; ``adapter=`` chooses one for
a configuration without an app.

Nothing is written to the configuration's log files, pipes or syslog: access-log and
error-log lines are kept on the result instead.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import io
import os
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeVar
from urllib.parse import unquote_to_bytes, urlsplit

from apachemw.core.logfiles import LogWriter
from apachemw.core.pipeline import Engine
from apachemw.core.request import OK, FileBody, Incoming, Outcome
from apachemw.core.trace import Trace
from apachemw.engine import build_engine, finish, release
from apachemw.errors import ApacheMWError
from apachemw.explain import render, summarize
from apachemw.modules.mod_log_config import LogServer, Transaction, compile_format

__all__ = [
    "ApacheTester",
    "AppView",
    "ResponseHeaders",
    "Result",
    "assert_app",
    "assert_file",
    "assert_header",
    "assert_log",
    "assert_redirect",
    "assert_status",
]

Adapter = Literal["core", "wsgi", "asgi"]

# The client every request comes from unless the request names another.
CLIENT = ("127.0.0.1", 50000)
# How many results a tester keeps in ``history`` (the pytest plugin prints their traces).
HISTORY = 20


# ---------------------------------------------------------------- results


class ResponseHeaders(Mapping[str, str]):
    """Response headers with case-insensitive lookup; a repeated field reads as its
    values joined with ", " (``get_all`` gives them apart); ``raw`` is the list sent."""

    def __init__(self, raw: Iterable[tuple[str, str]]) -> None:
        self.raw: list[tuple[str, str]] = list(raw)

    def get_all(self, name: str) -> list[str]:
        lname = name.lower()
        return [v for k, v in self.raw if k.lower() == lname]

    def __getitem__(self, name: str) -> str:
        values = self.get_all(name)
        if not values:
            raise KeyError(name)
        return ", ".join(values)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and bool(self.get_all(name))

    def __iter__(self) -> Iterator[str]:
        seen: dict[str, str] = {}
        for name, _ in self.raw:
            seen.setdefault(name.lower(), name)
        return iter(seen.values())

    def __len__(self) -> int:
        return len({name.lower() for name, _ in self.raw})

    def __repr__(self) -> str:
        return f"ResponseHeaders({self.raw!r})"


@dataclass(frozen=True)
class AppView:
    """What the wrapped app sees of a request the phases handed to it."""

    path: str  # the (rewritten) URL-path: WSGI SCRIPT_NAME + PATH_INFO, ASGI path
    query: str
    env: Mapping[str, str]  # what SetEnv, SetEnvIf, rewrite's E= and REDIRECT_* set
    script_name: str  # the app's own mount (WSGIScriptAlias), "" when none
    headers: list[tuple[str, str]]  # the request headers (RequestHeader applied)
    # The WSGI environ or ASGI scope the app was called with (adapter runs only).
    received: Mapping[str, Any] | None = field(default=None, repr=False)


@dataclass(frozen=True, eq=False)
class Result:
    """What one request got. ``status`` is None only for a request handed to the app
    when the tester has no app to call (``has_app=True``); ``body`` is then None too."""

    method: str
    url: str
    adapter: Adapter
    status: int | None
    headers: ResponseHeaders
    body: bytes | None
    file: str | None  # the file served, after every rewrite and negotiation
    app: AppView | None  # set when the request reached the app
    document_root: str | None  # the DocumentRoot of the server that answered
    # The access-log line (no newline): see ``ApacheTester.request`` for which one.
    log_line: str | None
    logs: dict[str, str]  # every access log the config declares that got a line, by name
    error_log: list[str]  # the error-log lines written while the request ran
    trace: list[dict[str, Any]] = field(repr=False)
    _summary: dict[str, Any] = field(repr=False)
    _transaction: Transaction | None = field(repr=False)

    @property
    def location(self) -> str | None:
        return self.headers.get("Location")

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 ("" when there is none)."""
        return (self.body or b"").decode("utf-8", "replace")

    def format_log(self, log_format: str) -> str | None:
        """This request's access-log line in another format (a format string, or a
        LogFormat nickname the config defines); None if the log phase did not run."""
        t = self._transaction
        if t is None:
            return None
        return _render_log(t, log_format)

    def explain(self) -> str:
        """The trace as ``apachemw explain`` prints it, with the final answer."""
        lines = [render(self._summary)]
        if self.app is not None and self.status is not None:
            lines.append(f"=> the app answered {self.status}")
        if self.log_line is not None:
            lines.append(f"   access log: {self.log_line}")
        lines.extend(f"   error log: {line}" for line in self.error_log)
        return "\n".join(lines)

    def __repr__(self) -> str:
        status = "handed to the app" if self.status is None else str(self.status)
        where = f" file={self.file}" if self.file else ""
        where += f" app={self.app.path}" if self.app else ""
        location = f" Location: {self.location}" if self.location else ""
        return f"<Result {self.method} {self.url} -> {status}{location}{where}>"


def _render_log(t: Transaction, log_format: str) -> str:
    server = t.request.server
    text = log_format
    if "mod_log_config" in server.modules:
        conf: LogServer = server.get("mod_log_config")
        text = conf.formats.get(log_format.lower(), log_format)
    return compile_format(text).render(t).removesuffix("\n")


# ---------------------------------------------------------------- recording


@dataclass
class _Capture:
    """What one request left behind, gathered while it runs."""

    at: float | None
    incoming: Incoming | None = None
    outcome: Outcome | None = None
    transaction: Transaction | None = None
    logs: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    received: Mapping[str, Any] | None = field(default=None, repr=False)


class _RecordingEngine(Engine):
    """The engine with every request traced and its outcome kept for the result. A
    traced request bypasses the answer memo and walk cache, so each trace is whole."""

    capture: _Capture | None = None

    def handle(self, incoming: Incoming) -> Outcome:
        capture = self.capture
        # A fresh trace each time: the ASGI adapter may start a request on the loop and
        # run it again in a thread when a .htaccess must be read.
        incoming.trace = Trace()
        if capture is not None and capture.at is not None:
            incoming.request_time = capture.at
        outcome = super().handle(incoming)
        if capture is not None:
            capture.incoming, capture.outcome = incoming, outcome
        return outcome

    def record_transaction(self, t: Transaction) -> int:
        if self.capture is not None:
            self.capture.transaction = t
        return OK


class _LogSink(LogWriter):
    """Stands in for a CustomLog's file or pipe: the line goes to the current result."""

    def __init__(self, name: str, engine: _RecordingEngine) -> None:
        self.name = name
        self.engine = engine

    def write(self, data: bytes) -> None:
        capture = self.engine.capture
        if capture is not None:
            capture.logs.append((self.name, data.decode("utf-8", "surrogateescape")))


def _error_sink(engine: _RecordingEngine, fallback: Callable[[str], None]) -> Callable[[str], None]:
    def write(line: str) -> None:
        capture = engine.capture
        if capture is None:
            fallback(line)  # not a request's line: where the config sends it
        else:
            capture.errors.append(line)

    return write


def _divert_logs(engine: _RecordingEngine) -> None:
    site = engine.site
    for server in (site.main, *site.vhosts):
        if "mod_log_config" in server.modules:
            conf: LogServer = server.get("mod_log_config")
            for target in conf.config_logs:
                target.writer = _LogSink(target.fname, engine)
    site.error_log = _error_sink(engine, site.error_log)
    site.server_error_logs = {
        key: _error_sink(engine, sink) for key, sink in site.server_error_logs.items()
    }
    site.hooks.setdefault("log_transaction", []).append(engine.record_transaction)


# ---------------------------------------------------------------- the tester


def _app_kind(app: Any) -> Adapter:
    # An ASGI app is a coroutine function or an object with an async __call__.
    if inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(app.__call__):
        return "asgi"
    return "wsgi"


class ApacheTester:
    """One configuration, answering requests in-process.

    ``config`` (a file), ``text`` (configuration text; every module available) or
    ``document_root`` (Debian's apache2 defaults over that directory) say what to
    serve, as for ``apachemw.wsgi.Apache``. ``app`` is the wrapped WSGI or ASGI app; it
    is called through the real adapter of its kind (``adapter`` overrides the guess).
    Without an app, requests go to the core alone unless ``adapter`` is "wsgi" or
    "asgi"; ``has_app=True`` then answers, for what would reach an app, where it would
    go (``Result.app``) without calling anything. ``log_format`` (a format string or a
    LogFormat nickname) chooses the format of ``Result.log_line``.
    """

    def __init__(
        self,
        config: str | os.PathLike[str] | None = None,
        *,
        text: str | None = None,
        defines: Iterable[str] = (),
        document_root: str | os.PathLike[str] | None = None,
        app: Any = None,
        adapter: Adapter | None = None,
        has_app: bool | None = None,
        log_format: str | None = None,
    ) -> None:
        if adapter is None:
            adapter = "core" if app is None else _app_kind(app)
        if adapter not in ("core", "wsgi", "asgi"):
            raise ApacheMWError(f"adapter must be 'core', 'wsgi' or 'asgi', not {adapter!r}")
        wraps = app is not None if has_app is None else has_app
        if wraps and app is None and adapter != "core":
            raise ApacheMWError("has_app=True through an adapter needs the app to call: app=")
        base = build_engine(
            config=config, text=text, defines=defines, document_root=document_root, has_app=wraps
        )
        self.app = app
        self.adapter: Adapter = adapter
        self.log_format = log_format
        self.engine = _RecordingEngine(base.site)
        _divert_logs(self.engine)
        self.history: deque[Result] = deque(maxlen=HISTORY)
        self._lock = threading.Lock()
        self._face = _make_face(adapter, self.engine, app)

    def get(self, url: str, **kwargs: Any) -> Result:
        return self.request("GET", url, **kwargs)

    def head(self, url: str, **kwargs: Any) -> Result:
        return self.request("HEAD", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Result:
        return self.request("POST", url, **kwargs)

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
        body: bytes = b"",
        *,
        remote_addr: str = CLIENT[0],
        protocol: str = "HTTP/1.1",
        at: float | datetime | None = None,
        log_format: str | None = None,
    ) -> Result:
        """Send one request. ``url`` is a request-target (``/path?query``, sent as is,
        ``..`` and ``%2f`` included) or an absolute URL, whose scheme, host and port
        become the connection's and the Host header's (``Host: localhost`` is sent
        unless given). ``body`` reaches the app (the phases read none). ``protocol`` is
        the request line's ("HTTP/1.0" for Apache's answers to 1.0 clients). ``at``
        fixes the request time (``%t`` in the log).

        ``Result.log_line`` is the line in ``log_format`` (or the tester's) if given;
        else the first line the config's access logs got (None if their ``env=`` /
        ``expr=`` conditions skipped it); a config that declares no access log gives
        the line in its default LogFormat."""
        incoming, shown = _incoming(method, url, headers, remote_addr, protocol)
        when = at.timestamp() if isinstance(at, datetime) else at
        with self._lock:
            capture = _Capture(at=when)
            self.engine.capture = capture
            try:
                answer = self._face(incoming, body, capture)
            finally:
                self.engine.capture = None
        result = self._result(shown, answer, capture, log_format or self.log_format)
        self.history.append(result)
        return result

    def _result(
        self, url: str, answer: _Answer, capture: _Capture, log_format: str | None
    ) -> Result:
        outcome, incoming = capture.outcome, capture.incoming
        assert outcome is not None and incoming is not None
        r = outcome.request
        t = capture.transaction
        return Result(
            method=incoming.method,
            url=url,
            adapter=self.adapter,
            status=answer.status,
            headers=ResponseHeaders(answer.headers),
            body=answer.body,
            file=outcome.file.path if outcome.file is not None else None,
            app=_app_view(outcome, incoming, capture.received),
            document_root=r.server.get("core").document_root if r is not None else None,
            log_line=_log_line(t, capture.logs, log_format),
            logs=_logs_by_name(capture.logs),
            error_log=capture.errors,
            trace=incoming.trace.events,
            _summary=summarize(incoming, url, outcome),
            _transaction=t,
        )


def _log_line(t: Transaction | None, logs: list[tuple[str, str]], fmt: str | None) -> str | None:
    if t is None:
        return None
    if fmt is not None:
        return _render_log(t, fmt)
    if logs:
        return logs[0][1].removesuffix("\n")
    server = t.request.server
    if "mod_log_config" not in server.modules:
        return None  # a registry without mod_log_config (Debian builds it in) logs nothing
    conf: LogServer = server.get("mod_log_config")
    if conf.config_logs or conf.server_config_logs:
        return None  # the config's logs skipped this request (env= / expr=)
    assert conf.default_format is not None
    return conf.default_format.render(t).removesuffix("\n")


def _logs_by_name(logs: list[tuple[str, str]]) -> dict[str, str]:
    by_name: dict[str, str] = {}
    for name, line in logs:
        by_name[name] = by_name.get(name, "") + line
    return {name: text.removesuffix("\n") for name, text in by_name.items()}


def _app_view(
    outcome: Outcome, incoming: Incoming, received: Mapping[str, Any] | None
) -> AppView | None:
    call = outcome.app
    if call is None:
        return None
    return AppView(
        path=call.path,
        query=call.query,
        env=dict(call.env),
        script_name=call.script_name,
        headers=list(call.headers if call.headers is not None else incoming.headers),
        received=received,
    )


def _incoming(
    method: str,
    url: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    remote_addr: str,
    protocol: str,
) -> tuple[Incoming, str]:
    """The request as the server would receive it, and the target to show for it."""
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    names = [(k.lower(), str(v)) for k, v in pairs]
    scheme, port, target = "http", 80, url
    if "://" in url.split("?", 1)[0]:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        port = parts.port or (443 if scheme == "https" else 80)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if not any(k == "host" for k, _ in names):
            names.insert(0, ("host", parts.netloc))
    if not any(k == "host" for k, _ in names):
        names.insert(0, ("host", "localhost"))
    incoming = Incoming(
        method=method.upper(),
        target=target.encode("utf-8", "surrogateescape"),
        protocol=protocol,
        headers=names,
        remote_addr=remote_addr,
        remote_port=CLIENT[1],
        local_port=port,
        scheme=scheme,
        request_time=time.time(),
    )
    return incoming, target


# ---------------------------------------------------------------- the three faces


@dataclass
class _Answer:
    status: int | None
    headers: list[tuple[str, str]]
    body: bytes | None


Face = Callable[[Incoming, bytes, _Capture], _Answer]
_A = TypeVar("_A")


def _make_face(adapter: Adapter, engine: _RecordingEngine, app: Any) -> Face:
    if adapter == "core":
        return lambda incoming, body, capture: _core_request(engine, incoming)
    if adapter == "wsgi":
        return _wsgi_face(engine, app)
    return _asgi_face(engine, app)


def _core_request(engine: _RecordingEngine, incoming: Incoming) -> _Answer:
    """The core's answer carried out as the adapters would, without one."""
    outcome = engine.handle(incoming)
    if outcome.app is not None:  # has_app without an app: nothing answers
        release(engine, outcome)
        return _Answer(None, list(outcome.headers), None)
    if outcome.head_only:
        body = b""
    elif outcome.file is not None:
        body = _file_bytes(outcome.file)
    else:
        body = outcome.body
    finish(engine, outcome, outcome.status, len(body), outcome.headers)
    return _Answer(outcome.status, list(outcome.headers), body)


def _file_bytes(fbody: FileBody) -> bytes:
    with open(fbody.path, "rb") as handle:
        data = handle.read()
    if fbody.parts is None:
        return data[: fbody.size]
    return b"".join(p if isinstance(p, bytes) else data[p[0] : p[1] + 1] for p in fbody.parts)


def _attach(cls: type[_A], engine: Engine, app: Any) -> _A:
    """An adapter over the tester's engine (its constructor would build another; it
    holds nothing but the app and the engine, which a test keeps in step)."""
    adapter = object.__new__(cls)
    vars(adapter).update(app=app, engine=engine)
    return adapter


def _wsgi_face(engine: _RecordingEngine, app: Any) -> Face:
    from apachemw.adapters.wsgi import Apache

    def recording(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        assert engine.capture is not None
        engine.capture.received = environ
        return app(environ, start_response)

    middleware = _attach(Apache, engine, recording if app is not None else None)

    def face(incoming: Incoming, body: bytes, capture: _Capture) -> _Answer:
        seen: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc: Any = None) -> Any:
            seen["status"], seen["headers"] = int(status.split(" ", 1)[0]), list(headers)
            return lambda data: None

        result = middleware(_environ(incoming, body), start_response)
        try:
            data = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return _Answer(seen["status"], seen["headers"], data)

    return face


def _environ(incoming: Incoming, body: bytes) -> dict[str, Any]:
    """A PEP 3333 environ for the request, with the raw target in REQUEST_URI as
    gunicorn and uWSGI give it."""
    target = incoming.target.decode("latin-1")
    path, _, query = target.partition("?")
    host = next((v for k, v in incoming.headers if k == "host"), "localhost")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": incoming.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "QUERY_STRING": query,
        "REQUEST_URI": target,
        "RAW_URI": target,
        "SERVER_NAME": host.rsplit(":", 1)[0] if not host.endswith("]") else host,
        "SERVER_ADDR": incoming.local_addr,
        "SERVER_PORT": str(incoming.local_port),
        "SERVER_PROTOCOL": incoming.protocol,
        "REMOTE_ADDR": incoming.remote_addr,
        "REMOTE_PORT": str(incoming.remote_port),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": incoming.scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in _with_length(incoming.headers, body):
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


def _with_length(headers: list[tuple[str, str]], body: bytes) -> list[tuple[str, str]]:
    if body and not any(k == "content-length" for k, _ in headers):
        return [*headers, ("content-length", str(len(body)))]
    return headers


def _asgi_face(engine: _RecordingEngine, app: Any) -> Face:
    from apachemw.adapters.asgi import Apache

    async def recording(scope: Any, receive: Any, send: Any) -> None:
        assert engine.capture is not None
        engine.capture.received = scope
        await app(scope, receive, send)

    middleware = _attach(Apache, engine, recording if app is not None else None)

    def face(incoming: Incoming, body: bytes, capture: _Capture) -> _Answer:
        return _run(_asgi_call(middleware, incoming, body))

    return face


async def _asgi_call(middleware: Any, incoming: Incoming, body: bytes) -> _Answer:
    target = incoming.target
    raw_path, _, query = target.partition(b"?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": incoming.protocol.removeprefix("HTTP/"),
        "method": incoming.method,
        "scheme": incoming.scheme,
        "path": unquote_to_bytes(raw_path).decode("utf-8", "surrogateescape"),
        "raw_path": raw_path,
        "query_string": query,
        "root_path": "",
        "headers": [
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in _with_length(incoming.headers, body)
        ],
        "client": (incoming.remote_addr, incoming.remote_port),
        "server": (incoming.local_addr, incoming.local_port),
        "extensions": {},
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await middleware(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in start.get("headers", ())]
    data = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return _Answer(int(start["status"]), headers, data)


def _run(coro: Awaitable[_Answer]) -> _Answer:
    """Run the ASGI call to completion, from a test that has an event loop running too."""

    async def main() -> _Answer:
        return await coro

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


# ---------------------------------------------------------------- assertions


def _trace_block(result: Result) -> str:
    """The trace as the helpers append it to a failure (and the pytest plugin shows it)."""
    trace = "\n".join("    " + line for line in result.explain().splitlines())
    return f"apachemw explain for {result.method} {result.url}:\n{trace}"


def _fail(result: Result, message: str) -> AssertionError:
    return AssertionError(f"{message}\n\n{_trace_block(result)}")


def _status_text(result: Result) -> str:
    return "handed to the app (no app to answer)" if result.status is None else str(result.status)


def assert_status(result: Result, status: int) -> None:
    """The response's status is ``status`` (the app's, when the app answered)."""
    __tracebackhide__ = True  # pytest shows the test's line, not this one
    if result.status != status:
        raise _fail(result, f"expected status {status}, got {_status_text(result)}")


def assert_redirect(result: Result, location: str, status: int | None = None) -> None:
    """An external redirect to ``location`` (exactly as sent in Location), with
    ``status`` if given, else any 3xx."""
    __tracebackhide__ = True  # pytest shows the test's line, not this one
    ok_status = result.status == status if status is not None else _is_3xx(result.status)
    if not ok_status or result.location != location:
        wanted = f"a {status}" if status is not None else "a 3xx"
        raise _fail(
            result,
            f"expected {wanted} redirect to {location!r}, got {_status_text(result)} "
            f"with Location {result.location!r}",
        )


def _is_3xx(status: int | None) -> bool:
    return status is not None and 300 <= status < 400


def assert_file(result: Result, path: str | os.PathLike[str]) -> None:
    """The request was answered from the file ``path``: absolute, or relative to the
    DocumentRoot of the server that answered."""
    __tracebackhide__ = True  # pytest shows the test's line, not this one
    wanted = os.fspath(path)
    if not os.path.isabs(wanted) and result.document_root is not None:
        wanted = os.path.join(result.document_root, wanted)
    wanted = os.path.normpath(wanted)
    if result.file is None or os.path.normpath(result.file) != wanted:
        got = result.file if result.file is not None else f"no file ({_status_text(result)})"
        raise _fail(result, f"expected the file {wanted}, got {got}")


def assert_app(
    result: Result,
    path: str | None = None,
    *,
    query: str | None = None,
    env: Mapping[str, str | None] | None = None,
) -> None:
    """The request reached the app, with this path and query if given; ``env`` lists
    variables the app must see with these values (None: must not see)."""
    __tracebackhide__ = True  # pytest shows the test's line, not this one
    if result.app is None:
        got = f"no app call ({_status_text(result)}"
        got += f", file {result.file})" if result.file else ")"
        raise _fail(result, f"expected the request to reach the app, got {got}")
    seen = result.app
    problems = []
    if path is not None and seen.path != path:
        problems.append(f"path {seen.path!r}, expected {path!r}")
    if query is not None and seen.query != query:
        problems.append(f"query {seen.query!r}, expected {query!r}")
    for name, value in (env or {}).items():
        if seen.env.get(name) != value:
            problems.append(f"env {name}={seen.env.get(name)!r}, expected {value!r}")
    if problems:
        raise _fail(result, "the app saw " + "; ".join(problems))


def assert_header(result: Result, name: str, value: str | re.Pattern[str] | None) -> None:
    """The response header ``name`` is ``value`` (a string, or a pattern it must match
    whole); ``None``: the response has no such header."""
    __tracebackhide__ = True  # pytest shows the test's line, not this one
    got = result.headers.get(name)
    if value is None:
        ok = got is None
    elif isinstance(value, re.Pattern):
        ok = got is not None and value.fullmatch(got) is not None
    else:
        ok = got == value
    if not ok:
        wanted = "no such header" if value is None else repr(_shown(value))
        raise _fail(result, f"expected {name}: {wanted}, got {got!r}")


def assert_log(
    result: Result, expected: str | re.Pattern[str], *, log_format: str | None = None
) -> None:
    """The access-log line (``Result.log_line``, or in ``log_format``) is ``expected``,
    or matches it whole if it is a compiled pattern."""
    __tracebackhide__ = True  # pytest shows the test's line, not this one
    line = result.format_log(log_format) if log_format is not None else result.log_line
    if isinstance(expected, re.Pattern):
        ok = line is not None and expected.fullmatch(line) is not None
    else:
        ok = line == expected
    if not ok:
        raise _fail(result, f"expected the access-log line {_shown(expected)!r}, got {line!r}")


def _shown(value: str | re.Pattern[str]) -> str:
    return value.pattern if isinstance(value, re.Pattern) else value

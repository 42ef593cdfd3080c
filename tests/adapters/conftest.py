"""The same tests on both faces: a ``client`` fixture parametrized over ``wsgi`` and ``asgi``.

Starlette's ``test_client_factory`` pattern: a test body asks the fixture for an app of
the face under test (``client.echo_app()``), wraps it (``client.wrap(app, text=...)``)
and sends requests through a small synchronous client whose answers look the same on
both faces. WSGI runs through Werkzeug's test client inside ``LintMiddleware``; ASGI
through ``httpx.ASGITransport``, each request in its own event loop.

``raw()`` and ``chunks()`` bypass the HTTP clients where they would hide what is being
tested: httpx and Werkzeug normalise ``/../`` away, and neither shows message boundaries.
"""

from __future__ import annotations

import asyncio
import json
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from werkzeug.middleware.lint import HTTPWarning, LintMiddleware, WSGIWarning
from werkzeug.test import Client as WerkzeugClient
from werkzeug.test import EnvironBuilder, run_wsgi_app

from apachemw.asgi import Apache as ASGIApache
from apachemw.wsgi import Apache as WSGIApache

__all__ = ["Face", "Response", "Site"]

# contrib/ ships in the checkout, not in the wheel: importable from the repository root
# (an editable install puts it on sys.path already; a plain one does not).
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

# The combined format of Debian's apache2.conf.
COMBINED = 'LogFormat "%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\"" combined'


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Seen:
    """What an echo app received, the same shape on both faces."""

    method: str
    path: str
    query: str
    prefix: str  # WSGI SCRIPT_NAME, ASGI root_path
    env: dict[str, str]
    raw: dict[str, Any] = field(repr=False)


# Echo apps: answer JSON describing the request, streamed in three pieces; a path
# ending in /status/NNN answers NNN.
def _echo_status(path: str) -> int:
    _, marker, code = path.rpartition("/status/")
    return int(code) if marker and code.isdigit() else 200


def _echo_pieces(seen: Seen) -> list[bytes]:
    body = json.dumps({"path": seen.path, "query": seen.query, "prefix": seen.prefix}).encode()
    third = len(body) // 3
    return [body[:third], body[third : 2 * third], body[2 * third :]]


class WSGIEcho:
    def __init__(self) -> None:
        self.calls: list[Seen] = []
        self.closed = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        seen = Seen(
            method=environ["REQUEST_METHOD"],
            path=environ["PATH_INFO"],
            query=environ.get("QUERY_STRING", ""),
            prefix=environ.get("SCRIPT_NAME", ""),
            env=dict(environ.get("apachemw.env", {})),
            raw=environ,
        )
        self.calls.append(seen)
        status = _echo_status(seen.path)
        start_response(f"{status} X", [("Content-Type", "application/json"), ("X-App", "echo")])
        return _ClosingIter(_echo_pieces(seen), self)


class _ClosingIter:
    """A WSGI body with close(), so a test can see the middleware call it."""

    def __init__(self, pieces: list[bytes], owner: WSGIEcho) -> None:
        self._pieces = pieces
        self._owner = owner

    def __iter__(self) -> Iterator[bytes]:
        yield from self._pieces

    def close(self) -> None:
        self._owner.closed += 1


class ASGIEcho:
    def __init__(self) -> None:
        self.calls: list[Seen] = []
        self.closed = 0  # ASGI has no close(); kept so tests can read it on both faces
        self.other_scopes: list[dict[str, Any]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            self.other_scopes.append(scope)
            return
        seen = Seen(
            method=scope["method"],
            path=scope["path"],
            query=scope["query_string"].decode("latin-1"),
            prefix=scope.get("root_path", ""),
            env=dict(scope.get("apachemw.env", {})),
            raw=scope,
        )
        self.calls.append(seen)
        status = _echo_status(seen.path)
        headers = [(b"content-type", b"application/json"), (b"x-app", b"echo")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        pieces = _echo_pieces(seen)
        for i, piece in enumerate(pieces):
            more = i < len(pieces) - 1
            await send({"type": "http.response.body", "body": piece, "more_body": more})
        self.closed += 1


@dataclass
class Client:
    face: str
    app: Any  # the Apache middleware object

    def get(self, url: str, **kw: Any) -> Response:
        return self.request("GET", url, **kw)

    def head(self, url: str, **kw: Any) -> Response:
        return self.request("HEAD", url, **kw)

    def request(
        self, method: str, url: str, headers: dict[str, str] | None = None, prefix: str = ""
    ) -> Response:
        """``prefix``: mount the middleware there (WSGI SCRIPT_NAME, ASGI root_path);
        ``url`` is then the whole path, as the server received it."""
        if self.face == "wsgi":
            return _wsgi_request(self.app, method, url, headers or {}, prefix)
        return asyncio.run(_asgi_request(self.app, method, url, headers or {}, prefix))

    def raw(self, method: str, target: bytes) -> Response:
        """Send a request-target exactly as given (no client-side normalisation)."""
        if self.face == "wsgi":
            return _wsgi_raw(self.app, method, target)
        response, _ = asyncio.run(_asgi_call(self.app, method, target))
        return response

    def chunks(self, url: str) -> tuple[Response, list[bytes]]:
        """The body as the middleware handed it on, piece by piece."""
        if self.face == "wsgi":
            return _wsgi_chunks(self.app, url)
        return asyncio.run(_asgi_call(self.app, "GET", url.encode()))


def _lint_filters(method: str) -> Any:
    context = warnings.catch_warnings()
    context.__enter__()
    # Apache's 304 carries ETag and friends, which lint calls "entity headers".
    warnings.filterwarnings("ignore", message="Entity header", category=HTTPWarning)
    # A negotiated answer's ETag lacks its closing quote, as Apache's does (http_etag.c).
    warnings.filterwarnings("ignore", message="Unquoted etag", category=HTTPWarning)
    if method == "HEAD":
        # Lint expects a HEAD body as long as Content-Length; Apache sends none.
        warnings.filterwarnings(
            "ignore", message="Content-Length and the number", category=WSGIWarning
        )
    return context


def _wsgi_request(
    app: Any, method: str, url: str, headers: dict[str, str], prefix: str
) -> Response:
    overrides: dict[str, str] = {}
    path = url
    if prefix:
        assert url.startswith(prefix + "/")
        path = url[len(prefix) :]
        # As gunicorn and uWSGI give it: REQUEST_URI is the whole target, SCRIPT_NAME
        # included (Werkzeug's test builder would leave the prefix out).
        overrides = {"REQUEST_URI": url, "RAW_URI": url}
    client = WerkzeugClient(LintMiddleware(app))
    context = _lint_filters(method)
    try:
        result = client.open(
            path,
            method=method,
            headers=headers,
            base_url=f"http://localhost{prefix}",
            environ_overrides=overrides,
            buffered=True,
        )
        body = result.get_data()
        result.close()
    finally:
        context.__exit__(None, None, None)
    return Response(result.status_code, list(result.headers.items()), body)


def _wsgi_raw(app: Any, method: str, target: bytes) -> Response:
    path, _, query = target.decode("latin-1").partition("?")
    environ = EnvironBuilder(path=path, query_string=query, method=method).get_environ()
    environ["REQUEST_URI"] = environ["RAW_URI"] = target.decode("latin-1")
    response, chunks = _run_wsgi(app, environ, method)
    return Response(response.status, response.headers, b"".join(chunks))


def _wsgi_chunks(app: Any, url: str) -> tuple[Response, list[bytes]]:
    path, _, query = url.partition("?")
    environ = EnvironBuilder(path=path, query_string=query).get_environ()
    return _run_wsgi(app, environ, "GET")


def _run_wsgi(app: Any, environ: dict[str, Any], method: str) -> tuple[Response, list[bytes]]:
    context = _lint_filters(method)
    try:
        app_iter, status, headers = run_wsgi_app(LintMiddleware(app), environ)
        try:
            chunks = list(app_iter)
        finally:
            app_iter.close()  # type: ignore[attr-defined]
    finally:
        context.__exit__(None, None, None)
    return Response(int(status.split()[0]), list(headers.items()), b""), chunks


async def _asgi_request(
    app: Any, method: str, url: str, headers: dict[str, str], prefix: str
) -> Response:
    transport = httpx.ASGITransport(app, root_path=prefix)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        result = await client.request(method, url, headers=headers)
    return Response(result.status_code, list(result.headers.items()), result.content)


def asgi_scope(method: str, target: bytes, root_path: str = "") -> dict[str, Any]:
    from urllib.parse import unquote_to_bytes

    raw_path, _, query = target.partition(b"?")
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote_to_bytes(raw_path).decode("utf-8", "surrogateescape"),
        "raw_path": raw_path,
        "query_string": query,
        "root_path": root_path,
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }


async def _asgi_call(app: Any, method: str, target: bytes) -> tuple[Response, list[bytes]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(asgi_scope(method, target), receive, send)
    start = sent[0]
    assert start["type"] == "http.response.start"
    chunks = [m.get("body", b"") for m in sent[1:] if m["type"] == "http.response.body"]
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in start["headers"]]
    return Response(start["status"], headers, b"".join(chunks)), chunks


class Face:
    """What a test needs to know about the face it runs on."""

    def __init__(self, name: str) -> None:
        self.name = name

    def echo_app(self) -> Any:
        return WSGIEcho() if self.name == "wsgi" else ASGIEcho()

    def middleware(self, app: Any = None, **kwargs: Any) -> Any:
        cls = WSGIApache if self.name == "wsgi" else ASGIApache
        return cls(app, **kwargs)

    def wrap(self, app: Any = None, **kwargs: Any) -> Client:
        return Client(self.name, self.middleware(app, **kwargs))


@pytest.fixture(params=["wsgi", "asgi"])
def client(request: pytest.FixtureRequest) -> Face:
    return Face(request.param)


class Site:
    """A document root under tmp_path and the configuration text that serves it."""

    def __init__(self, root: Path) -> None:
        self.tmp = root
        self.docroot = root / "htdocs"
        self.docroot.mkdir()
        self.access_log = root / "access.log"
        self.error_log = root / "error.log"

    def write(self, relpath: str, content: str | bytes) -> Path:
        path = self.docroot / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        path.write_bytes(data)
        return path

    def conf(self, extra: str = "", *, override: str = "None") -> str:
        return "\n".join(
            [
                "ServerName localhost",
                f"DocumentRoot {self.docroot}",
                "<Directory />",
                "    Require all denied",
                "    AllowOverride None",
                "</Directory>",
                f"<Directory {self.docroot}>",
                "    Require all granted",
                f"    AllowOverride {override}",
                "</Directory>",
                "DirectoryIndex index.html",
                f"ErrorLog {self.error_log}",
                COMBINED,
                f"CustomLog {self.access_log} combined",
                extra,
                "",
            ]
        )

    def log_lines(self, which: str = "access") -> list[str]:
        path = self.access_log if which == "access" else self.error_log
        return path.read_text().splitlines() if path.exists() else []


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path)

"""Replay every recorded Apache answer through apachemw (WSGI and ASGI) and compare.

The middleware reads the same httpd.conf text Apache read (port aside) against a copy of
the same site with the same mtimes, so its answers must match the recording.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import io
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes

import pytest
from werkzeug.middleware.lint import HTTPWarning

from .compare import differences
from .harness import HERE, build_site, load_suites

RECORDED = HERE / "recorded"
SUITES = {s.NAME: s for s in load_suites()}
CLIENT_PORT = 50000
# The port the replayed server "listens" on: like the recording's, not 80, so
# answers that compare a URL's port with the server's own come out the same.
LISTEN_PORT = 8080


def _recorded() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(RECORDED.glob("*.json")):
        data = json.loads(path.read_text())
        if data.get("replay", True) and data["suite"] in SUITES:
            out += [(data["suite"], case) for case in data["cases"]]
    return out


CASES = _recorded()
# Recorded answers whose behaviour belongs to a later issue. Each stays a strict
# xfail: the day it passes, the mark must go.
_EMPTY_LENGTH = (
    "Apache's content-length filter gives an app's empty answer (no body, no "
    "Content-Length) a Content-Length: 0; the adapters pass the app's start on before "
    "they know the body is empty"
)
NOT_YET: dict[str, str] = {
    "wsgi_apps/bare-200": _EMPTY_LENGTH,
    "wsgi_apps/bare-404": _EMPTY_LENGTH,
    "wsgi_apps/bare-500": _EMPTY_LENGTH,
}


# What the WSGI face cannot carry: PEP 3333 servers fold repeated request headers
# into one HTTP_* value joined by ",", where Apache (and ASGI) keep ", ".
WSGI_LIMITS = {
    "rewrite_server/var-header-two": "WSGI environ folds repeated headers with ','",
    "log_config/multi-header": "WSGI environ folds repeated headers with ','",
}


def _marks(suite: str, name: str, adapter: str = "") -> list[pytest.MarkDecorator]:
    """A whole suite recorded ahead of its module (``PENDING`` in the suite file) is
    skipped with that reason; single cases of a later issue are strict xfails."""
    pending = getattr(SUITES[suite], "PENDING", None)
    if pending:
        return [pytest.mark.skip(reason=f"recorded ahead of its module: {pending}")]
    key = f"{suite}/{name}"
    if key in NOT_YET:
        return [pytest.mark.xfail(reason=NOT_YET[key], strict=True)]
    if adapter == "wsgi" and key in WSGI_LIMITS:
        return [pytest.mark.xfail(reason=WSGI_LIMITS[key], strict=True)]
    return []


PARAMS = [
    pytest.param(
        suite,
        case,
        adapter,
        id=f"{suite}-{case['name']}-{adapter}",
        marks=_marks(suite, case["name"], adapter),
    )
    for suite, case in CASES
    for adapter in ("wsgi", "asgi")
]


class Site:
    """One suite's site and conf in a tmp dir, plus tails of its two log files."""

    def __init__(self, root: Path, conf: str) -> None:
        self.root, self.conf = str(root), conf
        self.access = root / "logs" / "access.log"
        self.errors = root / "logs" / "error.log"

    def mark(self) -> tuple[int, int]:
        return self.access.stat().st_size, self.errors.stat().st_size

    def since(self, mark: tuple[int, int]) -> tuple[str, list[str]]:
        with open(self.access, "rb") as f:
            f.seek(mark[0])
            log = f.read().decode("latin-1").rstrip("\n")
        with open(self.errors, "rb") as f:
            f.seek(mark[1])
            err = f.read().decode("latin-1").splitlines()
        return log, err


@pytest.fixture(scope="session")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Site]:
    cache: dict[str, Site] = {}

    class Lazy(dict):  # type: ignore[type-arg]
        def __missing__(self, name: str) -> Site:
            root = tmp_path_factory.mktemp(name)
            site = Site(root, build_site(SUITES[name], str(root), LISTEN_PORT))
            self[name] = site
            return site

    return Lazy(cache)


def parse_raw(raw: bytes) -> tuple[str, bytes, str, list[tuple[bytes, bytes]], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    method, target, version = lines[0].split(b" ", 2)
    headers = [(n.strip(), v.strip()) for n, _, v in (ln.partition(b":") for ln in lines[1:])]
    return method.decode("latin-1"), target, version.decode("latin-1"), headers, body


def wsgi_environ(raw: bytes, address: str = "127.0.0.1") -> dict[str, Any]:
    method, target, version, headers, body = parse_raw(raw)
    raw_path, _, query = target.partition(b"?")
    # Servers give PATH_INFO the path of an absolute-form target and leave it
    # empty for targets that are not paths ("*", "sub/x"); REQUEST_URI stays raw.
    scheme, sep, rest = raw_path.partition(b"://")
    if sep and b"/" not in scheme:
        raw_path = b"/" + rest.partition(b"/")[2]
    if not raw_path.startswith(b"/"):
        raw_path = b""
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        # PEP 3333: the %-decoded bytes as latin-1, like gunicorn/waitress.
        "PATH_INFO": unquote_to_bytes(raw_path).decode("latin-1"),
        "QUERY_STRING": query.decode("latin-1"),
        "REQUEST_URI": target.decode("latin-1"),
        "RAW_URI": target.decode("latin-1"),
        "SERVER_NAME": "localhost",
        "SERVER_ADDR": address,  # mod_wsgi's key: the address the request came in on
        "SERVER_PORT": str(LISTEN_PORT),
        "SERVER_PROTOCOL": version,
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": str(CLIENT_PORT),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in headers:
        key = name.decode("latin-1").upper().replace("-", "_")
        val = value.decode("latin-1")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            env[key] = val
            continue
        key = "HTTP_" + key
        env[key] = f"{env[key]},{val}" if key in env else val
    return env


@functools.cache
def _script_app(conf: str) -> Any:
    """The WSGI app the suite's WSGIScriptAlias names, loaded from the same file mod_wsgi
    ran when recording (None for a suite without one: apachemw answers alone)."""
    from apachemw.config.site import load_site
    from apachemw.modules.mod_wsgi import load_script, script_files

    scripts = script_files(load_site(conf))
    return load_script(scripts[0]) if scripts else None


def _with_scope_env(app: Any) -> Any:
    """The WSGI app under a2wsgi behind the ASGI face: what apachemw hands a handler
    (SetEnv, REMOTE_USER, REDIRECT_*) travels in ``scope["apachemw.env"]``, which
    a2wsgi does not copy into the environ; this puts it where mod_wsgi puts it."""

    def app_with_env(environ: dict[str, Any], start_response: Any) -> Any:
        scope = environ.get("asgi.scope") or {}
        env = scope.get("apachemw.env") or {}
        # PEP 3333's native strings (the UTF-8 bytes as latin-1), as a2wsgi does for paths.
        environ.update((k, v.encode("utf-8").decode("latin-1")) for k, v in env.items())
        return app(environ, start_response)

    return app_with_env


@functools.cache
def _wsgi_app(conf: str) -> Any:
    from werkzeug.middleware.lint import LintMiddleware

    from apachemw.wsgi import Apache as WSGIApache

    return LintMiddleware(WSGIApache(_script_app(conf), config=conf))


@functools.cache
def _asgi_app(conf: str) -> Any:
    from a2wsgi import WSGIMiddleware

    from apachemw.asgi import Apache as ASGIApache

    script = _script_app(conf)
    inner = None if script is None else WSGIMiddleware(_with_scope_env(script))
    return ASGIApache(inner, config=conf)


def run_wsgi(
    conf: str, raw: bytes, address: str = "127.0.0.1", length_agrees: bool = True
) -> tuple[int, list[list[str]], bytes]:
    app = _wsgi_app(conf)
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"], captured["headers"] = status, headers
        return lambda data: None

    # Apache sends Last-Modified/ETag with a 304 (RFC 9110 §15.4.5 allows the
    # validators); Werkzeug's lint calls that an "entity header" and warns. The
    # answer must stay Apache's, so only that one lint opinion is silenced.
    # For HEAD, lint also expects the body a GET would have had; an empty body
    # with the GET's Content-Length is what HTTP (and Apache) send.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Entity header", category=HTTPWarning)
        # Apache sends a RedirectMatch target like "javascript:alert(1)" as is (any
        # "scheme:" is a URL to ap_is_url); lint wants a netloc. Apache's answer stands.
        warnings.filterwarnings("ignore", message="Absolute URLs required", category=HTTPWarning)
        # A negotiated answer's ETag joins the variant-list validator and, through an
        # off-by-one in http_etag.c, loses its closing quote; Apache sends it so.
        warnings.filterwarnings("ignore", message="Unquoted etag", category=HTTPWarning)
        if raw.startswith(b"HEAD ") or not length_agrees:
            # Also where Apache itself sent fewer bytes than its Content-Length (an
            # app's wrong Content-Length under mod_wsgi, security.md H09).
            warnings.filterwarnings("ignore", message="Content-Length and the number")
        # Lint wants "Content-Length: 0" on a 204; Apache sends a 204 without one.
        warnings.filterwarnings("ignore", message="204 responses must have an empty")
        result = app(wsgi_environ(raw, address), start_response)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
    status = int(captured["status"].split(" ", 1)[0])
    return status, [[n, v] for n, v in captured["headers"]], body


def asgi_scope(raw: bytes, address: str = "127.0.0.1") -> tuple[dict[str, Any], bytes]:
    method, target, _version, headers, body = parse_raw(raw)
    # What uvicorn's h11 protocol builds (uvicorn/protocols/http/h11_impl.py).
    raw_path, _, query = target.partition(b"?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": _version.split("/", 1)[-1],
        "method": method,
        "scheme": "http",
        "path": unquote(raw_path.decode("ascii")),
        "raw_path": raw_path,
        "query_string": query,
        "root_path": "",
        "headers": [(n.lower(), v) for n, v in headers],
        "client": ("127.0.0.1", CLIENT_PORT),
        "server": (address, LISTEN_PORT),
        "state": {},
    }
    return scope, body


def run_asgi(
    conf: str, raw: bytes, address: str = "127.0.0.1"
) -> tuple[int, list[list[str]], bytes]:
    app = _asgi_app(conf)
    scope, body = asgi_scope(raw, address)
    incoming = [
        {"type": "http.request", "body": body, "more_body": False},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if len(incoming) > 1 else incoming[0]

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    chunks = [m.get("body", b"") for m in sent if m["type"] == "http.response.body"]
    headers = [[n.decode("latin-1"), v.decode("latin-1")] for n, v in start.get("headers", [])]
    return start["status"], headers, b"".join(chunks)


def _length_agrees(case: dict[str, Any]) -> bool:
    """Whether Apache's recorded body is as long as its Content-Length said."""
    lengths = [v for n, v in case["headers"] if n.lower() == "content-length"]
    body = base64.b64decode(case.get("body_b64", ""))
    return case["raw"].startswith("HEAD ") or all(int(v) == len(body) for v in lengths)


@pytest.mark.parametrize(("suite", "case", "adapter"), PARAMS)
def test_golden(sites: dict[str, Site], suite: str, case: dict[str, Any], adapter: str) -> None:
    site = sites[suite]
    raw = case["raw"].encode("latin-1")
    run: Any = run_asgi
    if adapter == "wsgi":
        run = functools.partial(run_wsgi, length_agrees=_length_agrees(case))
    # Each case is sent twice: the second answer may come from the caches the
    # first one filled (directory walks, parsed .htaccess, static answers), and
    # must be Apache's answer all the same.
    for attempt in ("first", "repeated"):
        mark = site.mark()
        sent_at = time.time()
        status, headers, body = run(site.conf, raw, case.get("address", "127.0.0.1"))
        log, err = site.since(mark)
        actual = {
            "status": status,
            "headers": headers,
            "body": body,
            "log": log,
            "error_log": err,
            "root": site.root,
            "sent_at": sent_at,
        }
        diffs = differences(case, actual)
        assert not diffs, (
            f"{suite}/{case['name']} ({case['note']}), {attempt} request:\n  " + "\n  ".join(diffs)
        )

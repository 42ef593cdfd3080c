"""A client that goes away in the middle of a large file (security.md G06): the log line
is still written, with %b the whole answer's size as Apache counts it and %X "X"; the
ASGI face stops reading the file instead of streaming it to nobody."""

from __future__ import annotations

import asyncio
from typing import Any

from apachemw.asgi import Apache as ASGIApache
from apachemw.wsgi import Apache as WSGIApache

from .conftest import Site, asgi_scope

SIZE = 4 * 1024 * 1024  # many 256 KB pieces, far above the one-message limit
LOG = 'LogFormat "%>s %b %X" plain\nCustomLog {log} plain\n'


def _site(site: Site) -> str:
    site.write("big.bin", b"x" * SIZE)
    return site.conf(LOG.format(log=site.tmp / "plain.log"))


def _log(site: Site) -> list[str]:
    return (site.tmp / "plain.log").read_text().splitlines()


def test_asgi_stops_streaming_when_the_client_leaves(site: Site) -> None:
    app = ASGIApache(text=_site(site))
    sent: list[dict[str, Any]] = []
    gone = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if not sent:
            return {"type": "http.request", "body": b"", "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "http.response.body":
            gone.set()  # the client reads one piece and hangs up
            await asyncio.sleep(0)

    asyncio.run(app(asgi_scope("GET", b"/big.bin"), receive, send))
    bodies = [m for m in sent if m["type"] == "http.response.body"]
    assert 1 <= len(bodies) < SIZE // (256 * 1024)
    assert _log(site) == [f"200 {SIZE} X"]


def test_asgi_whole_download_is_not_an_abort(site: Site) -> None:
    app = ASGIApache(text=_site(site))
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(asgi_scope("GET", b"/big.bin"), receive, send))
    assert sum(len(m.get("body", b"")) for m in sent[1:]) == SIZE
    assert _log(site) == [f"200 {SIZE} +"]  # HTTP/1.1, kept alive


def test_wsgi_body_closed_early_is_logged_as_aborted(site: Site) -> None:
    app = WSGIApache(text=_site(site))
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/big.bin",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "HTTP_HOST": "localhost",
    }
    body = app(environ, lambda status, headers, exc_info=None: None)
    first = next(iter(body))
    assert first
    body.close()  # type: ignore[attr-defined]  # what a server does when the write fails
    assert _log(site) == [f"200 {SIZE} X"]

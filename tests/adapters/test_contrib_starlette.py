"""``apachemw.contrib.starlette``: apachemw inside Starlette's middleware stack
(``middleware()``, ``add_middleware``) or wrapped around the app (``wrap``), on real
Starlette and FastAPI apps. What differs is written in the module's docstring; each
test here checks one line of it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from apachemw.contrib.starlette import Apache, middleware, wrap
from apachemw.errors import ConfigError

from .conftest import Site

PLACEMENTS = ["inside", "outside"]


async def _boom(request: Request) -> JSONResponse:
    raise RuntimeError("a bug in a route")


async def _gone(request: Request) -> JSONResponse:
    raise HTTPException(410, "this page was removed")


async def _hello(request: Request) -> JSONResponse:
    return JSONResponse({"hello": request.url.path})


ROUTES = [Route("/boom", _boom), Route("/gone", _gone), Route("/hello", _hello)]


class StampMiddleware:
    """Pure ASGI middleware that marks every response it carries with x-stamp."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        async def stamped(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message["headers"], (b"x-stamp", b"1")]}
            await send(message)

        await self.app(scope, receive, stamped)


def _conf(site: Site) -> str:
    site.write("static/site.css", "body{}\n")
    return site.conf(
        'ErrorDocument 500 "Apache\'s own 500"\n'
        'LogFormat "%>s %b %U" short\n'
        f"CustomLog {site.tmp / 'short.log'} short\n"
    )


def _short_log(site: Site) -> list[str]:
    return (site.tmp / "short.log").read_text().splitlines()


def _build(placement: str, site: Site, **starlette: Any) -> Any:
    if placement == "inside":
        stack = [Middleware(StampMiddleware), middleware(text=_conf(site))]
        return Starlette(routes=ROUTES, middleware=stack, **starlette)
    return wrap(
        Starlette(routes=ROUTES, middleware=[Middleware(StampMiddleware)], **starlette),
        text=_conf(site),
    )


def _get(app: Any, path: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            return await c.get(path)

    return asyncio.run(go())


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_files_routes_and_the_apps_404(placement: str, site: Site) -> None:
    app = _build(placement, site)
    css = _get(app, "/static/site.css")
    assert (css.status_code, css.text, css.headers["content-type"]) == (200, "body{}\n", "text/css")
    assert _get(app, "/hello").json() == {"hello": "/hello"}
    missing = _get(app, "/nowhere")
    assert (missing.status_code, missing.text) == (404, "Not Found")  # Starlette's
    assert _short_log(site) == ["200 7 /static/site.css", "200 18 /hello", "404 9 /nowhere"]


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_an_app_exception_gets_starlettes_500_not_apaches(placement: str, site: Site) -> None:
    app = _build(placement, site)
    r = _get(app, "/boom")
    assert (r.status_code, r.text) == (500, "Internal Server Error")
    # Inside, the exception passes Apache before ServerErrorMiddleware answers: Apache
    # logs a 500 with nothing sent. Outside, Apache logs what the client got.
    assert _short_log(site) == ["500 - /boom" if placement == "inside" else "500 21 /boom"]


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_a_500_handler_answer_is_logged_only_outside(placement: str, site: Site) -> None:
    async def sorry(request: Request, exc: Exception) -> PlainTextResponse:
        return PlainTextResponse("sorry", status_code=503)

    app = _build(placement, site, exception_handlers={Exception: sorry})
    r = _get(app, "/boom")
    assert (r.status_code, r.text) == (503, "sorry")
    assert _short_log(site) == ["500 - /boom" if placement == "inside" else "503 5 /boom"]


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_http_exceptions_are_answered_inside_apache(placement: str, site: Site) -> None:
    r = _get(_build(placement, site), "/gone")
    assert (r.status_code, r.text) == (410, "this page was removed")
    assert _short_log(site) == ["410 21 /gone"]


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_outer_middleware_sees_apaches_answers_only_inside(placement: str, site: Site) -> None:
    app = _build(placement, site)
    assert _get(app, "/hello").headers.get("x-stamp") == "1"
    static = _get(app, "/static/site.css").headers.get("x-stamp")
    assert static == ("1" if placement == "inside" else None)


async def _run_lifespan(app: Any) -> list[str]:
    """Drive a lifespan scope as a server does; returns the messages the app sent."""
    inbox = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[str] = []

    async def receive() -> dict[str, Any]:
        while not inbox:  # the app asks again only after answering
            await asyncio.sleep(0)
        return inbox.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message["type"])

    await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
    return sent


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_lifespan_passes_through(placement: str, site: Site) -> None:
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        events.append("startup")
        yield
        events.append("shutdown")

    app = _build(placement, site, lifespan=lifespan)
    sent = asyncio.run(_run_lifespan(app))
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert events == ["startup", "shutdown"]


def test_a_bad_config_fails_when_middleware_is_called() -> None:
    with pytest.raises(ConfigError, match="Invalid command 'NoSuchDirective'"):
        middleware(text="NoSuchDirective on\n")
    with pytest.raises(ConfigError, match="Invalid command 'NoSuchDirective'"):
        wrap(Starlette(routes=ROUTES), text="NoSuchDirective on\n")


def test_a_bare_middleware_entry_fails_only_at_the_first_call() -> None:
    app = Starlette(routes=ROUTES, middleware=[Middleware(Apache, text="NoSuchDirective on\n")])
    with pytest.raises(ConfigError, match="Invalid command 'NoSuchDirective'"):
        asyncio.run(_run_lifespan(app))


# --- FastAPI --------------------------------------------------------------------------


def _fastapi(add: Callable[[Any], Any] | None = None) -> Any:
    from fastapi import FastAPI

    api = FastAPI()

    @api.get("/items/{item_id}")
    def item(item_id: int) -> dict[str, int]:
        return {"item_id": item_id}

    @api.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug in a route")

    if add is not None:
        add(api)
    return api


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_fastapi(placement: str, site: Site) -> None:
    if placement == "inside":
        app = _fastapi(lambda api: api.add_middleware(Apache, text=_conf(site)))
    else:
        app = wrap(_fastapi(), text=_conf(site))
    assert _get(app, "/static/site.css").text == "body{}\n"
    assert _get(app, "/items/7").json() == {"item_id": 7}
    invalid = _get(app, "/items/seven")
    assert invalid.status_code == 422  # FastAPI's validation, answered inside Apache
    assert _get(app, "/nowhere").json() == {"detail": "Not Found"}
    boom = _get(app, "/boom")
    assert (boom.status_code, boom.text) == (500, "Internal Server Error")
    log = _short_log(site)
    assert [line.split()[0] for line in log] == ["200", "200", "422", "404", "500"]
    assert log[-1] == ("500 - /boom" if placement == "inside" else "500 21 /boom")

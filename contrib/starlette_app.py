"""Starlette (and FastAPI) behind apachemw.

As middleware, so Starlette's lifespan and exception handling stay outermost::

    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from apachemw.asgi import Apache

    app = Starlette(routes=routes, middleware=[Middleware(Apache, config="httpd.conf")])

or by plain wrapping, which puts Apache in front of everything::

    app = Apache(Starlette(routes=routes), config="httpd.conf")

FastAPI takes the same ``middleware=[...]`` argument, or ``app.add_middleware(Apache,
config="httpd.conf")``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from apachemw.asgi import Apache

__all__ = ["create_app", "routes", "wrap"]


async def hello(request: Request) -> JSONResponse:
    return JSONResponse({"hello": "starlette", "path": request.url.path})


routes = [Route("/hello", hello)]


def create_app(inner: Sequence[Middleware] = (), **apache: Any) -> Starlette:
    """``routes`` with apachemw as the outermost user middleware; ``inner`` runs after it."""
    return Starlette(routes=routes, middleware=[Middleware(Apache, **apache), *inner])


def wrap(app: Any, **apache: Any) -> Apache:
    """Plain wrapping: any ASGI app behind apachemw."""
    return Apache(app, **apache)

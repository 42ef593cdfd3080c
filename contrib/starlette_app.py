"""Starlette (and FastAPI) behind apachemw: kept for existing imports; the glue and the
notes on placing it are in ``apachemw.contrib.starlette``.

``routes`` and ``create_app`` are the small app ``tests/adapters/test_frameworks.py`` runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from apachemw.contrib.starlette import Apache, middleware, wrap

__all__ = ["Apache", "create_app", "middleware", "routes", "wrap"]


async def hello(request: Request) -> JSONResponse:
    return JSONResponse({"hello": "starlette", "path": request.url.path})


routes = [Route("/hello", hello)]


def create_app(inner: Sequence[Middleware] = (), **apache: Any) -> Starlette:
    """``routes`` with apachemw as the outermost user middleware; ``inner`` runs after it."""
    return Starlette(routes=routes, middleware=[middleware(**apache), *inner])

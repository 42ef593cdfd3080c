"""Application factories for uvicorn: ``uvicorn --factory benchmarks.apps:NAME``.

Each reads its document root (``BENCH_DOCROOT``) or apachemw config file
(``BENCH_CONFIG``) from the environment, so ``benchmarks.run`` can start any of
them as a plain uvicorn process.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

__all__ = [
    "apachemw_asgi",
    "apachemw_wsgi",
    "bare",
    "servestatic",
    "starlette_static",
    "whitenoise",
]

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]

BODY = (b"apachemw benchmark payload 0123456789 abcdefghijklmnopqrstuvwxyz\n" * 32)[:2048]


def _docroot() -> str:
    return os.environ["BENCH_DOCROOT"]


def _config() -> str:
    return os.environ["BENCH_CONFIG"]


def bare() -> ASGIApp:
    """The reference: a raw ASGI app sending a constant 2 KB body."""
    start = {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-type", b"text/html"), (b"content-length", b"2048")],
    }
    body = {"type": "http.response.body", "body": BODY}

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send(start)
        await send(body)

    return app


def apachemw_asgi() -> ASGIApp:
    from apachemw.asgi import Apache

    return Apache(None, config=_config())


def apachemw_asgi_rules() -> ASGIApp:
    """apachemw with 200 server-context RewriteRules that never match."""
    from apachemw.asgi import Apache

    return Apache(None, config=os.environ["BENCH_CONFIG_RULES"])


def apachemw_wsgi() -> Any:  # a2wsgi types its scope more narrowly
    from a2wsgi import WSGIMiddleware

    from apachemw.wsgi import Apache

    return WSGIMiddleware(Apache(None, config=_config()))  # type: ignore[arg-type]


def starlette_static() -> ASGIApp:
    from starlette.staticfiles import StaticFiles

    return StaticFiles(directory=_docroot())


def servestatic() -> Any:
    from servestatic import ServeStaticASGI  # type: ignore[import-untyped]

    return ServeStaticASGI(None, root=_docroot())


def _not_found(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "9")])
    return [b"not found"]


def whitenoise() -> Any:  # a2wsgi types its scope more narrowly
    from a2wsgi import WSGIMiddleware
    from whitenoise import WhiteNoise  # type: ignore[import-untyped]

    return WSGIMiddleware(WhiteNoise(_not_found, root=_docroot()))

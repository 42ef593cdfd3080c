"""Starlette and FastAPI behind apachemw: as a middleware in the app, or wrapped around it.

Two placements, both supported::

    from apachemw.contrib.starlette import Apache, middleware

    app = Starlette(routes=routes, middleware=[middleware(config="httpd.conf")])
    app = FastAPI(); app.add_middleware(Apache, config="httpd.conf")   # inside

    app = Apache(Starlette(routes=routes), config="httpd.conf")        # outside

``middleware(...)`` is ``Middleware(Apache, ...)`` that also reads the configuration at
once (see "A bad configuration" below). ``add_middleware`` puts the last one added
outermost, so add Apache last to have it see requests first.

What changes with the placement
-------------------------------

Starlette always runs ``ServerErrorMiddleware`` outermost and ``ExceptionMiddleware``
innermost, around the routes; user middleware sits between them. So *inside* means
ServerErrorMiddleware → [your middleware, Apache] → ExceptionMiddleware → routes, and
*outside* means Apache → ServerErrorMiddleware → ... → routes.

* **An exception the app does not handle** (a bug in a route). Both placements give the
  client Starlette's 500 (or your ``exception_handlers[Exception]`` answer); the
  exception then reaches the server, which logs the traceback. Inside, it passes
  through Apache before ServerErrorMiddleware answers, so Apache's access log records
  ``500`` with no bytes whatever the handler then sent (a handler answering 503 is
  logged as 500). Outside, Apache logs what the client got (status and size).
* **HTTPException and registered handlers** are answered by ExceptionMiddleware,
  inside Apache in both placements: Apache sees and logs an ordinary response.
* **Apache's error pages** (ErrorDocument, or its own 401/403/404 for what it answers)
  are the same in both: a request Apache answers never reaches Starlette, and an
  answer the app makes is never replaced (Apache does not replace a content
  handler's own body either).
* **Your other middleware** (CORS, GZip, sessions): listed before Apache (outer) they
  see Apache's answers too, static files included; outside placement, Apache's
  answers never enter Starlette at all.
* **Lifespan** passes through Apache untouched in both: startup and shutdown handlers
  run as without it.
* **A bad configuration.** ``Apache(app, config=...)`` reads it when constructed, so an
  import fails. Starlette builds its middleware at the first ASGI call (lifespan
  startup), so a bare ``Middleware(Apache, ...)`` or ``add_middleware`` with a bad
  config fails only then — and uvicorn's default ``--lifespan auto`` takes a failed
  startup for "lifespan unsupported" and keeps serving 500s. ``middleware(...)`` reads
  the configuration when called, so the error comes at import as with the wrapper.

``tests/adapters/test_contrib_starlette.py`` asserts each of these on Starlette and
FastAPI.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from apachemw.asgi import Apache

if TYPE_CHECKING:
    from starlette.middleware import Middleware

__all__ = ["Apache", "middleware", "wrap"]


def middleware(**apache: Any) -> Middleware:
    """``Middleware(Apache, **apache)``, with the configuration read now: a bad one
    raises ``ConfigError`` here rather than at the app's first request."""
    from starlette.middleware import Middleware

    _check_config(**apache)
    return Middleware(Apache, **apache)


def wrap(app: Any, **apache: Any) -> Apache:
    """The outer placement: ``Apache(app, **apache)`` in front of any ASGI app."""
    return Apache(app, **apache)


def _check_config(
    *,
    config: str | os.PathLike[str] | None = None,
    text: str | None = None,
    defines: Any = (),
    **_: Any,
) -> None:
    from apachemw.config.site import load_site

    if config is not None:
        load_site(os.fspath(config), defines=defines)
    elif text is not None:
        load_site(text=text, defines=defines, all_modules=True)

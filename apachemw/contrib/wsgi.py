"""Any WSGI app under uvicorn (or another ASGI server), with apachemw in front of it.

uvicorn speaks ASGI; a WSGI app reaches it through a2wsgi, which runs the app in a
thread pool. apachemw's WSGI middleware goes *inside* a2wsgi, so the app gets what
Apache gives a handler in its environ (``REMOTE_USER``, ``AUTH_TYPE``, SetEnv and
rewrite variables, ``REDIRECT_*``) — apachemw's ASGI middleware outside a2wsgi could
only put them in the scope, which a2wsgi does not copy into the environ — and a2wsgi's
``asgi.scope`` gives apachemw the raw request-target (``%2F`` and ``..`` as sent)::

    # myproject/asgi.py
    from apachemw.contrib.wsgi import asgi_from_wsgi
    from myproject.wsgi import application

    app = asgi_from_wsgi(application, config="/etc/myproject/httpd.conf")

    $ uvicorn myproject.asgi:app

``to_asgi`` is the second half alone, for an app that already carries apachemw (a
Flask app after ``apachemw.contrib.flask.wrap``). ``apachemw serve -f httpd.conf --app
module:wsgi_app`` does the same as ``asgi_from_wsgi`` for a WSGI app.
"""

from __future__ import annotations

from typing import Any

from apachemw.adapters.wsgi import WSGIApp
from apachemw.wsgi import Apache

__all__ = ["asgi_from_wsgi", "to_asgi"]


def to_asgi(app: WSGIApp, *, workers: int = 10, send_queue_size: int = 10) -> Any:
    """``app`` as an ASGI app through a2wsgi (``workers`` threads run it)."""
    from a2wsgi import WSGIMiddleware

    return WSGIMiddleware(app, workers=workers, send_queue_size=send_queue_size)  # type: ignore[arg-type]


def asgi_from_wsgi(
    app: WSGIApp | None, *, workers: int = 10, send_queue_size: int = 10, **apache: Any
) -> Any:
    """``apachemw.wsgi.Apache(app, **apache)`` served as ASGI through a2wsgi."""
    return to_asgi(Apache(app, **apache), workers=workers, send_queue_size=send_queue_size)

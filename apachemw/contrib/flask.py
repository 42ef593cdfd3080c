"""Flask behind apachemw: Apache answers for files, Flask for the rest.

The lines to copy::

    from flask import Flask
    from apachemw.contrib.flask import wrap

    app = Flask(__name__)
    wrap(app, config="httpd.conf")  # app.wsgi_app = Apache(app.wsgi_app, config=...)

Wrapping ``app.wsgi_app`` (not ``app``) keeps ``app`` a Flask object, so ``flask run``,
``app.test_client()`` and extensions still see it, and apachemw with it. With
``document_root=`` instead of ``config=``, that directory is served with Debian's apache2
defaults. Under uvicorn, hand it over through a2wsgi:
``apachemw.contrib.wsgi.to_asgi(app)``.

Behind a reverse proxy: who sees the client's address
------------------------------------------------------

The proxy's own address is the connection's peer (``REMOTE_ADDR``); the client's is in
``X-Forwarded-For``. Three ways to use it, and what each one means for Apache's
``Require ip``, the log's ``%a``/``%h`` and the app's ``REMOTE_ADDR``:

* ``ProxyFix`` *inside* apachemw (``app.wsgi_app = ProxyFix(app.wsgi_app)`` first, then
  ``wrap(app)``): only Flask sees the client. Apache's phases run first and see the
  proxy, so ``Require ip <client net>`` refuses everyone (or, written for the proxy,
  admits everyone) and the access log names the proxy on every line.
* ``ProxyFix`` *outside* apachemw (``wrap(app, proxy_fix={"x_for": 1})``, the same as
  ``wrap(app)`` then ``app.wsgi_app = ProxyFix(app.wsgi_app)``): Apache sees
  the client ProxyFix names, in ``Require ip``, ``%a`` and ``REMOTE_ADDR``. ProxyFix
  believes the header from any peer, so this is only safe when nothing but the proxy
  can reach the app: a client that connects directly sends
  ``X-Forwarded-For: 10.0.0.1`` and passes ``Require ip 10.0.0.0/8``.
* apachemw's mod_remoteip (``RemoteIPHeader X-Forwarded-For`` with
  ``RemoteIPInternalProxy <proxy>`` in the config), no ProxyFix for the address:
  Apache sees the client, the app gets it as ``REMOTE_ADDR``, and the header is
  believed only when the peer is a listed proxy — a direct client's spoofed header is
  ignored, as Apache ignores it. The addresses mod_remoteip used are taken off the
  header the app sees, so do not add ProxyFix's ``x_for`` on top (it would drop one
  more hop); ``x_proto``/``x_host``/``x_prefix`` still combine with it, inside or out.

``tests/adapters/test_contrib_flask.py`` asserts each of these.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from apachemw.wsgi import Apache

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["Apache", "wrap"]


def wrap(app: Flask, *, proxy_fix: Mapping[str, int] | None = None, **apache: Any) -> Flask:
    """Put apachemw in front of ``app``'s WSGI callable; ``apache`` goes to ``Apache``.

    ``proxy_fix`` (ProxyFix's ``x_for``, ``x_proto``, ``x_host``, ``x_port``,
    ``x_prefix``) puts werkzeug's ProxyFix *outside* apachemw, so Apache's phases see
    the client and scheme it names (see the module's notes on when that is safe).
    Returns ``app``, whose ``wsgi_app`` is now the outermost middleware.
    """
    wsgi_app: Any = Apache(app.wsgi_app, **apache)
    if proxy_fix is not None:
        from werkzeug.middleware.proxy_fix import ProxyFix

        wsgi_app = ProxyFix(wsgi_app, **proxy_fix)
    app.wsgi_app = wsgi_app  # type: ignore[method-assign]
    return app

"""Flask behind apachemw: Apache answers for files, Flask for the rest.

The lines to copy::

    from flask import Flask
    from apachemw.wsgi import Apache

    app = Flask(__name__)
    app.wsgi_app = Apache(app.wsgi_app, config="httpd.conf")

Wrapping ``app.wsgi_app`` (not ``app``) keeps ``app`` a Flask object, so ``flask run``,
``app.test_client()`` and extensions still see it. With ``document_root=`` instead of
``config=``, that directory is served with Debian's apache2 defaults.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from apachemw.wsgi import Apache

__all__ = ["create_app", "wrap"]


def wrap(app: Flask, **apache: Any) -> Flask:
    """Put apachemw in front of ``app``'s WSGI callable; ``apache`` goes to ``Apache``."""
    app.wsgi_app = Apache(app.wsgi_app, **apache)  # type: ignore[method-assign]
    return app


def create_app(**apache: Any) -> Flask:
    """A small Flask app with one route, ``/hello``, behind apachemw."""
    app = Flask(__name__)

    @app.get("/hello")
    def hello() -> dict[str, str]:
        return {"hello": "flask"}

    return wrap(app, **apache)

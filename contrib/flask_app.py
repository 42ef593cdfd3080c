"""Flask behind apachemw: kept for existing imports; the glue is ``apachemw.contrib.flask``.

``create_app`` is the small app ``tests/adapters/test_frameworks.py`` runs.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from apachemw.contrib.flask import wrap

__all__ = ["create_app", "wrap"]


def create_app(**apache: Any) -> Flask:
    """A small Flask app with one route, ``/hello``, behind apachemw."""
    app = Flask(__name__)

    @app.get("/hello")
    def hello() -> dict[str, str]:
        return {"hello": "flask"}

    return wrap(app, **apache)

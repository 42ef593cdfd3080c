"""apachemw in front of real frameworks, through the glue in ``contrib/``.

In each: a static file is answered by apachemw (ETag, the framework never reached), a
route by the framework, and the framework's own 404 when neither matches (nothing in
the configuration names the app, so what maps to no file falls back to it).
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest

from contrib import django_asgi, django_wsgi, flask_app, starlette_app

from .conftest import Client, Site

LOAD_MODULES = "".join(
    f"LoadModule {name}_module /usr/lib/apache2/modules/mod_{name}.so\n"
    for name in ("authz_core", "mime", "dir")
)


@pytest.fixture
def static_site(site: Site) -> Site:
    site.write("static/site.css", "body { color: black }\n")
    return site


def _assert_static(c: Client) -> None:
    r = c.get("/static/site.css")
    assert r.status == 200
    assert r.body == b"body { color: black }\n"
    assert r.header("ETag")
    assert r.header("Content-Type") == "text/css"


class Recorder:
    """Pure ASGI middleware that notes every path it is handed."""

    def __init__(self, app: Any, seen: list[str]) -> None:
        self.app = app
        self.seen = seen

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.seen.append(scope["path"])
        await self.app(scope, receive, send)


# --- Flask ----------------------------------------------------------------------------


def test_flask(static_site: Site) -> None:
    app = flask_app.create_app(text=static_site.conf())
    seen: list[str] = []

    @app.before_request
    def note() -> None:
        from flask import request

        seen.append(request.path)

    c = Client("wsgi", app)
    _assert_static(c)
    assert seen == []
    r = c.get("/hello")
    assert (r.status, r.json()) == (200, {"hello": "flask"})
    r = c.get("/nowhere")
    assert r.status == 404
    assert "<title>404 Not Found</title>" in r.text
    assert "The requested URL was not found on the server." in r.text  # Werkzeug's wording
    assert seen == ["/hello", "/nowhere"]


def test_flask_document_root(static_site: Site) -> None:
    """The README's form: no configuration, a directory with Debian's defaults."""
    c = Client("wsgi", flask_app.create_app(document_root=static_site.docroot))
    _assert_static(c)
    assert c.get("/hello").json() == {"hello": "flask"}
    assert c.get("/nowhere").status == 404


# --- Django ---------------------------------------------------------------------------


def _django_hello(request: Any) -> Any:
    from django.http import JsonResponse

    return JsonResponse({"hello": "django", "path": request.path})


@pytest.fixture(scope="module")
def django_setup() -> Iterator[list[str]]:
    """Configure Django once for this module; yields the paths Django was handed."""
    import django
    from django.conf import settings
    from django.core.signals import request_started
    from django.urls import path

    if not settings.configured:
        # A minimal urlconf, as a module Django can import by name.
        urlconf = types.ModuleType("apachemw_test_urls")
        urlconf.urlpatterns = [path("hello", _django_hello)]  # type: ignore[attr-defined]
        sys.modules[urlconf.__name__] = urlconf
        settings.configure(
            DEBUG=False,
            SECRET_KEY="apachemw-tests",
            ALLOWED_HOSTS=["*"],
            ROOT_URLCONF=urlconf.__name__,
            MIDDLEWARE=[],
            INSTALLED_APPS=[],
            USE_TZ=True,
        )
        django.setup()
    seen: list[str] = []

    def note(sender: Any, **kwargs: Any) -> None:
        environ = kwargs.get("environ")
        scope = kwargs.get("scope")
        seen.append(environ["PATH_INFO"] if environ is not None else scope["path"])

    request_started.connect(note, weak=False)
    yield seen
    request_started.disconnect(note)


@pytest.mark.parametrize("face", ["wsgi", "asgi"])
def test_django(face: str, static_site: Site, django_setup: list[str]) -> None:
    glue = django_wsgi if face == "wsgi" else django_asgi
    c = Client(face, glue.get_application(text=static_site.conf()))
    django_setup.clear()
    _assert_static(c)
    assert django_setup == []
    r = c.get("/hello?x=1")
    assert (r.status, r.json()) == (200, {"hello": "django", "path": "/hello"})
    r = c.get("/nowhere")
    assert r.status == 404
    assert "<h1>Not Found</h1>" in r.text  # Django's page, not Apache's
    assert django_setup == ["/hello", "/nowhere"]


# --- Starlette ------------------------------------------------------------------------


def _assert_starlette(c: Client, seen: list[str]) -> None:
    _assert_static(c)
    assert seen == []
    r = c.get("/hello")
    assert (r.status, r.json()) == (200, {"hello": "starlette", "path": "/hello"})
    r = c.get("/nowhere")
    assert (r.status, r.text) == (404, "Not Found")  # Starlette's, not Apache's page
    assert seen == ["/hello", "/nowhere"]


def test_starlette_middleware(static_site: Site) -> None:
    from starlette.middleware import Middleware

    # config= a file, as in the README; a file loads its modules as httpd.conf does.
    conf = static_site.tmp / "httpd.conf"
    conf.write_text(LOAD_MODULES + static_site.conf())
    seen: list[str] = []
    app = starlette_app.create_app(inner=[Middleware(Recorder, seen=seen)], config=conf)
    _assert_starlette(Client("asgi", app), seen)


def test_starlette_wrapped(static_site: Site) -> None:
    from starlette.applications import Starlette

    seen: list[str] = []
    inner = Recorder(Starlette(routes=starlette_app.routes), seen)
    app = starlette_app.wrap(inner, text=static_site.conf())
    _assert_starlette(Client("asgi", app), seen)


# --- FastAPI --------------------------------------------------------------------------


def test_fastapi(static_site: Site) -> None:
    pytest.importorskip("fastapi")
    from fastapi import FastAPI

    from apachemw.asgi import Apache

    api = FastAPI()

    @api.get("/hello")
    def hello() -> dict[str, str]:
        return {"hello": "fastapi"}

    seen: list[str] = []
    api.add_middleware(Recorder, seen=seen)
    api.add_middleware(Apache, text=static_site.conf())  # added last: outermost
    c = Client("asgi", api)
    _assert_static(c)
    assert seen == []
    assert c.get("/hello").json() == {"hello": "fastapi"}
    r = c.get("/nowhere")
    assert (r.status, r.json()) == (404, {"detail": "Not Found"})
    assert seen == ["/hello", "/nowhere"]

"""The faces (apachemw.faces) and the configuration objects (apachemw.config.objects):
each face alone over both adapters; any nesting of faces is one pipeline whose answers
equal the same configuration given as Apache text (a property test over permutations);
text -> objects -> text round-trips over every golden configuration; a configuration
built in Python is refused with Apache's message at the Python line that built it."""

# The adapters' fixtures are imported by name, so their parameters shadow the imports.
# ruff: noqa: F811

from __future__ import annotations

import base64
import itertools
from pathlib import Path
from typing import Any

import pytest
from adapters.conftest import Client, Face, Site, client, site  # noqa: F401 - fixtures
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apachemw import faces
from apachemw.config.objects import (
    Directory,
    Require,
    RequireAll,
    RewriteCond,
    RewriteRule,
    check,
    parse,
    render,
)
from apachemw.errors import ConfigError


def _app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    user = environ.get("REMOTE_USER", "-")
    return [f"app {environ['PATH_INFO']} user={user}".encode()]


def _client(face: Face, app: Any) -> Client:
    return Client(face.name, app)


def _sha_line(user: str, password: str) -> str:
    import hashlib

    digest = base64.b64encode(hashlib.sha1(password.encode()).digest()).decode()
    return f"{user}:{{SHA}}{digest}\n"


# ------------------------------------------------------------------ each face alone


def test_rewrite_alone(client: Face) -> None:
    app = faces.Rewrite(client.echo_app(), "RewriteRule ^/old/(.*)$ /new/$1 [R=301,L]")
    c = _client(client, app)
    r = c.get("/old/page")
    assert (r.status, r.header("Location")) == (301, "http://localhost/new/page")
    assert c.get("/other").status == 200  # the app


def test_alias_alone(client: Face) -> None:
    app = faces.Alias(client.echo_app(), "Redirect 302 /gone https://example.com/here")
    r = _client(client, app).get("/gone/x")
    assert (r.status, r.header("Location")) == (302, "https://example.com/here/x")


def test_access_control_alone(client: Face) -> None:
    denied = _client(client, faces.AccessControl(client.echo_app(), "Require ip 10.9.9.9"))
    assert denied.get("/anything").status == 403
    allowed = _client(client, faces.AccessControl(client.echo_app(), "Require ip 127.0.0.1"))
    assert allowed.get("/anything").status == 200


def test_basic_auth_alone(client: Face, site: Site) -> None:
    users = site.tmp / "users"
    users.write_text(_sha_line("alice", "wonderland"))
    app = faces.BasicAuth(client.echo_app(), realm="Staff", user_file=users)
    c = _client(client, app)
    r = c.get("/x")
    assert (r.status, r.header("WWW-Authenticate")) == (401, 'Basic realm="Staff"')
    token = base64.b64encode(b"alice:wonderland").decode()
    assert c.get("/x", headers={"Authorization": f"Basic {token}"}).status == 200


def test_static_files_and_htaccess(client: Face, site: Site) -> None:
    site.write("a.txt", "file\n")
    site.write("sub/.htaccess", "Redirect 301 /sub/old /sub/new\n")
    static = _client(client, faces.StaticFiles(client.echo_app(), site.docroot))
    r = static.get("/a.txt")
    assert (r.status, r.body, bool(r.header("ETag"))) == (200, b"file\n", True)
    assert static.get("/sub/old").status == 200  # .htaccess not read: the app answers
    ht = _client(client, faces.Htaccess(client.echo_app(), site.docroot))
    assert ht.get("/sub/old").status == 301


def test_negotiation_and_autoindex(client: Face, site: Site) -> None:
    site.write("page.html.en", "english\n")
    site.write("page.html.fr", "francais\n")
    site.write("files/one.txt", "1\n")
    langs = "AddLanguage en .en\nAddLanguage fr .fr\nLanguagePriority fr en"
    app = faces.AutoIndex(faces.Negotiation(faces.StaticFiles(None, site.docroot), langs))
    c = _client(client, app)
    assert c.get("/page.html").body == b"francais\n"
    assert c.get("/page.html", headers={"Accept-Language": "en"}).body == b"english\n"
    listing = c.get("/files/")
    assert listing.status == 200 and b'href="one.txt"' in listing.body


def test_access_log_and_headers(client: Face, site: Site) -> None:
    log = site.tmp / "access.log"
    app = faces.AccessLog(
        faces.Headers(client.echo_app(), 'Header always set X-Frame-Options "DENY"'),
        path=str(log),
        format="common",
    )
    r = _client(client, app).get("/hello")
    assert r.header("X-Frame-Options") == "DENY"
    assert log.read_text().rstrip().endswith('"GET /hello HTTP/1.1" 200 -') or (
        '"GET /hello HTTP/1.1" 200' in log.read_text()
    )


# ------------------------------------------------------------------ composition


def _members(root: Path, users: Path) -> list[Any]:
    """A set of faces, as constructors over an inner app."""
    return [
        lambda inner: faces.Rewrite(
            inner,
            [
                RewriteCond("%{REQUEST_URI}", "!^/keep"),
                RewriteRule("^/old/(.*)$", "/new/$1", ["R=301", "L"]),
                RewriteRule("^/inner/(.*)$", "/$1", ["PT"]),
            ],
        ),
        lambda inner: faces.Alias(inner, "Redirect 302 /moved https://example.com/m"),
        lambda inner: faces.AccessControl(
            inner,
            [Require("all", "granted"), Directory(str(root / "private"), Require("all", "denied"))],
        ),
        lambda inner: faces.BasicAuth(inner, realm="R", user_file=users, path="/staff"),
        lambda inner: faces.StaticFiles(inner, root),
        lambda inner: faces.Headers(inner, "Header always set X-Composed yes"),
    ]


CORPUS = [
    ("GET", "/old/x", {}),
    ("GET", "/keep/old/x", {}),
    ("GET", "/inner/a.txt", {}),
    ("GET", "/a.txt", {}),
    ("HEAD", "/a.txt", {}),
    ("GET", "/private/p.txt", {}),
    ("GET", "/moved/y", {}),
    ("GET", "/staff/z", {}),
    ("GET", "/staff/z", {"Authorization": "Basic " + base64.b64encode(b"bob:pw").decode()}),
    ("GET", "/app/route", {}),
]


def _answers(app: Any, kind: str) -> list[tuple[int, str | None, str | None, bytes]]:
    c = Client(kind, app)
    out = []
    for method, url, headers in CORPUS:
        r = c.request(method, url, headers=dict(headers))
        out.append((r.status, r.header("Location"), r.header("X-Composed"), r.body))
    return out


@pytest.fixture
def tree(site: Site) -> tuple[Path, Path]:
    site.write("a.txt", "A\n")
    site.write("private/p.txt", "secret\n")
    users = site.tmp / "users"
    users.write_text(_sha_line("bob", "pw"))
    return site.docroot, users


# The tree is only read: sharing one across examples is sound.
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(order=st.permutations(range(6)))
def test_any_nesting_is_the_same_apache(tree: tuple[Path, Path], order: list[int]) -> None:
    root, users = tree
    members = _members(root, users)
    app: Any = _app
    for index in order:
        app = members[index](app)
    assert isinstance(app, faces.Face)
    reference: Any = faces.Apache(_app, app.to_apache())
    for kind in ("wsgi", "asgi"):
        assert _answers(app, kind) == _answers(reference, kind)


def test_every_nesting_prints_the_same_configuration(tree: tuple[Path, Path]) -> None:
    root, users = tree
    members = _members(root, users)
    texts = set()
    for order in itertools.permutations(range(4)):
        app: Any = _app
        for index in order:
            app = members[index](app)
        texts.add(app.to_apache())
    assert len(texts) == 1


def test_a_face_refuses_another_capabilitys_directive() -> None:
    with pytest.raises(ConfigError, match="Rewrite takes mod_rewrite directives; Require"):
        faces.Rewrite(_app, "Require all granted")


# ------------------------------------------------------------------ objects and text


def test_python_objects_refused_at_their_line() -> None:
    line = _line_of('Require("all", "grantd")')
    with pytest.raises(ConfigError) as caught:
        check([Directory("/tmp", Require("all", "grantd"))])
    assert caught.value.file == __file__
    assert caught.value.line == line
    assert "Argument for 'Require all' must be 'granted' or 'denied'" in str(caught.value)


def _line_of(snippet: str) -> int:
    lines = Path(__file__).read_text().splitlines()
    return next(i for i, text in enumerate(lines, 1) if snippet in text and "_line_of" not in text)


def test_objects_and_text_spell_the_same_tree() -> None:
    built = [
        RewriteRule("^/a b/(.*)$", '/q "x"', ["R=302", "L"]),
        RequireAll(Require("ip", "10.0.0.0/8"), Require("ip", "10.1.0.0/16", negate=True)),
    ]
    text = render(built)
    assert parse(text) == built
    assert 'RewriteRule "^/a b/(.*)$" "/q \\"x\\"" [R=302,L]' in text


def _golden_configs() -> list[tuple[str, str]]:
    from golden.harness import load_suites

    return [(s.NAME, s.conf("/srv/golden-root", 8080)) for s in load_suites()]


@pytest.mark.parametrize(("name", "text"), _golden_configs(), ids=lambda v: v[:40])
def test_golden_configs_round_trip(name: str, text: str) -> None:
    objects = parse(text)
    again = render(objects)
    assert parse(again) == objects
    assert render(parse(again)) == again


def test_round_trip_reads_the_same_in_the_real_parser(tmp_path: Path) -> None:
    """Printed objects mean the same to the loader: same directives, same words."""
    from apachemw.config.parser import ParseEnv, parse_text

    text = (
        f"DocumentRoot {tmp_path}\n<Directory {tmp_path}>\n    Options -Indexes +FollowSymLinks\n"
        '    Header set X-A "two words"\n    RewriteRule "^/(.*) x$" /b\\ c [QSA]\n</Directory>\n'
        '<If "%{REQUEST_URI} =~ m#^/a#">\n    Require all denied\n</If>\n'
    )

    def shape(nodes: Any) -> Any:
        return [(n.name, n.args, shape(n.children) if n.children else None) for n in nodes]

    env = ParseEnv(server_root=str(tmp_path))
    original = parse_text(text, "a.conf", env)
    printed = parse_text(render(parse(text)), "b.conf", ParseEnv(server_root=str(tmp_path)))
    assert shape(printed) == shape(original)


# ------------------------------------------------------------------ inside frameworks


def test_faces_as_starlette_middleware() -> None:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def home(request: Any) -> PlainTextResponse:
        return PlainTextResponse("home")

    app = Starlette(
        routes=[Route("/", home)],
        middleware=[Middleware(faces.Rewrite, config="RewriteRule ^/old$ / [R=301,L]")],
    )
    c = Client("asgi", app)
    r = c.get("/old")
    assert (r.status, r.header("Location")) == (301, "http://localhost/")
    assert c.get("/").body == b"home"


def test_faces_around_flask_wsgi_app() -> None:
    from flask import Flask

    flask = Flask(__name__)

    @flask.get("/hello")
    def hello() -> str:
        return "hi"

    flask.wsgi_app = faces.AccessControl(flask.wsgi_app, "Require ip 10.1.1.1")  # type: ignore[method-assign]
    assert flask.test_client().get("/hello").status_code == 403
    flask.wsgi_app = faces.Rewrite(  # type: ignore[method-assign]
        faces.AccessControl(flask.wsgi_app.app, "Require all granted"),
        "RewriteRule ^/hi$ /hello [PT]",
    )
    r = flask.test_client().get("/hi")
    assert (r.status_code, r.get_data()) == (200, b"hi")


DJANGO_SCRIPT = """
import django
from django.conf import settings
from django.http import HttpResponse
from django.urls import path

# mod_rewrite sets SCRIPT_URL, from which Django would guess a script name (as it does
# behind Apache with mod_wsgi); a site at the root says so.
settings.configure(
    DEBUG=False,
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["localhost"],
    SECRET_KEY="x" * 50,
    FORCE_SCRIPT_NAME="",
)
urlpatterns = [path("hello", lambda request: HttpResponse("hello " + request.path))]
django.setup()

from django.core.wsgi import get_wsgi_application
from werkzeug.test import Client

from apachemw import faces

application = faces.Rewrite(get_wsgi_application(), "RewriteRule ^/hi$ /hello [PT]")
response = Client(application).get("/hi")
print(response.status_code, response.get_data(as_text=True))
"""


def test_faces_in_a_django_wsgi_py() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", DJANGO_SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "200 hello /hello"


# ------------------------------------------------------------------ the docs page


def _doc_pairs() -> list[tuple[str, str]]:
    import re

    text = (Path(__file__).resolve().parent.parent / "docs" / "faces.md").read_text()
    pattern = re.compile(r"<!-- face -->\n```python\n(.*?)```\n\n```apache\n(.*?)```", re.S)
    return pattern.findall(text)


@pytest.mark.parametrize(("code", "apache"), _doc_pairs())
def test_docs_show_each_face_with_its_apache_text(code: str, apache: str) -> None:
    from apachemw import config

    namespace: dict[str, Any] = {"app": None}
    # Faces win a name both modules have (Alias): the page's examples are faces.
    namespace.update({name: getattr(config.objects, name) for name in config.objects.__all__})
    namespace.update({name: getattr(faces, name) for name in faces.__all__})
    exec(code, namespace)  # the page's own examples
    assert namespace["app"].to_apache(prelude=False) == apache


def test_docs_page_has_every_face_example() -> None:
    assert len(_doc_pairs()) >= 9

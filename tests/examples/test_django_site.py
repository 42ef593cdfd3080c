"""examples/django_site with real Django, and the glue in ``apachemw.contrib.django``.

The example runs as its README says, in subprocesses on free ports: under uvicorn
(ASGI, ``asgi.py``) and under ``manage.py runserver`` (WSGI). Django can be configured
once per process, so everything that needs configured settings runs in a subprocess;
the settings table, the checks and the static recipe are functions of a settings
object and are tested in this process with plain namespaces.
"""

from __future__ import annotations

import base64
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from adapters.conftest import Face, client
from liveserver import free_port, stop, wait_listening

from apachemw.config.site import load_site
from apachemw.contrib import django as glue
from apachemw.contrib.django import SETTINGS, SettingsError

__all__ = ["client"]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "django_site"
README = EXAMPLE / "README.md"


# --- running servers ------------------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    """The environment of a child: this checkout first on the path, no inherited
    settings module (each project sets its own)."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


@dataclass
class Server:
    base: str
    log: Path  # the server's stdout and stderr


@contextmanager
def serving(
    argv: list[str], port: int, cwd: Path, env: dict[str, str], log: Path
) -> Iterator[Server]:
    """A server in a subprocess, stopped by its pid; its output goes to ``log``."""
    with log.open("w") as out:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_listening(proc, port, timeout=20, log=log)
            yield Server(f"http://127.0.0.1:{port}", log)
        finally:
            stop(proc)


def _readme_line(pattern: str) -> str:
    match = re.search(pattern, README.read_text(), re.MULTILINE)
    assert match, f"no line matching {pattern!r} in {README}"
    return match.group(0)


def _python(argv: list[str]) -> list[str]:
    assert argv[0] == "python"
    return [sys.executable, *argv[1:]]


def _serve_command(face: str, port: int) -> list[str]:
    """The README's command for a face, on ``port``."""
    if face == "asgi":
        line = _readme_line(r"^python manage.py collectstatic .*&& python -m uvicorn .*$")
        argv = shlex.split(line.split("&&")[1])
        assert argv[argv.index("--port") + 1] == "8000"
        argv[argv.index("--port") + 1] = str(port)
    else:
        argv = shlex.split(_readme_line(r"^python manage.py runserver .*$"))
        assert argv[-1] == "127.0.0.1:8000"
        argv[-1] = f"127.0.0.1:{port}"
    return _python(argv)


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """STATIC_ROOT, filled by the README's collectstatic command."""
    root = tmp_path_factory.mktemp("collected")
    line = _readme_line(r"^python manage.py collectstatic .*&& python -m uvicorn .*$")
    argv = _python(shlex.split(line.split("&&")[0]))
    env = _env(DJANGO_SITE_STATIC_ROOT=str(root))
    subprocess.run(argv, cwd=EXAMPLE, env=env, check=True, capture_output=True)
    assert (root / "css" / "site.css").is_file()
    return root


@pytest.fixture(scope="module", params=["asgi", "wsgi"])
def example(
    request: pytest.FixtureRequest, collected: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The example served by the README's command for each face, shared by the tests
    below (each requests URLs of its own)."""
    port = free_port()
    env = _env(DJANGO_SITE_STATIC_ROOT=str(collected))
    argv = _serve_command(request.param, port)
    log = tmp_path_factory.mktemp(request.param) / "server.log"
    with serving(argv, port, EXAMPLE, env, log) as server:
        yield server


def _log_lines(server: Server, needle: str, count: int) -> list[str]:
    """apachemw's access-log lines (combined format, from 127.0.0.1) holding ``needle``,
    once ``count`` are written (a line is written when its response has been sent, maybe
    after the client has it). The servers' own log lines start otherwise."""
    deadline = time.monotonic() + 5
    while True:
        text = server.log.read_text()
        lines = [x for x in text.splitlines() if x.startswith("127.0.0.1 - ") and needle in x]
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


# --- the example, over both adapters ----------------------------------------------------


def test_old_urls_are_redirected_to_views(example: Server) -> None:
    with httpx.Client(base_url=example.base) as http:
        about = http.get("/about.html")
        assert (about.status_code, about.headers["location"]) == (301, f"{example.base}/about/")
        old = http.get("/blog/7.php")
        assert (old.status_code, old.headers["location"]) == (301, f"{example.base}/articles/7/")
        assert "<h1>Article 7</h1>" in http.get("/articles/7/").text
        assert "<h1>About</h1>" in http.get("/about/").text


def test_front_controller_rewrite_reaches_the_view(example: Server) -> None:
    with httpx.Client(base_url=example.base) as http:
        r = http.get("/products/red-shoes")
        assert r.status_code == 200
        assert r.json() == {
            "view": "catalogue",
            "path": "/catalogue/",
            "slug": "red-shoes",
            "redirect_url": "/products/red-shoes",
        }


def test_members_area_needs_basic_auth_and_django_sees_the_user(example: Server) -> None:
    with httpx.Client(base_url=example.base) as http:
        for headers in ({}, _basic("alice", "wrong")):
            refused = http.get("/members/whoami", headers=headers)
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"] == 'Basic realm="Members"'
        r = http.get("/members/whoami", headers=_basic("alice", "secret"))
        assert r.status_code == 200
        assert r.json() == {"user": "alice", "auth_type": "Basic"}
    # The access log names the user (%u), for the refused password too, as Apache's
    # does; one line per request: apachemw ran once, not twice.
    lines = _log_lines(example, '"GET /members/whoami HTTP/1.1" ', 3)
    assert [line.split(" ")[2] for line in lines] == ["-", "alice", "alice"]
    assert lines[-1].endswith('"GET /members/whoami HTTP/1.1" 200 39 "-" "python-httpx/0.28.1"')


def test_collected_static_files_have_etag_and_ranges(example: Server, collected: Path) -> None:
    body = (collected / "css" / "site.css").read_bytes()
    with httpx.Client(base_url=example.base) as http:
        css = http.get("/static/css/site.css")
        assert (css.status_code, css.content) == (200, body)
        assert css.headers["content-type"] == "text/css"
        assert css.headers["accept-ranges"] == "bytes"
        etag = css.headers["etag"]
        assert http.get("/static/css/site.css", headers={"If-None-Match": etag}).status_code == 304
        part = http.get("/static/css/site.css", headers={"Range": "bytes=3-12"})
        assert part.status_code == 206
        assert part.headers["content-range"] == f"bytes 3-12/{len(body)}"
        assert part.content == body[3:13]
        assert http.get("/robots.txt").text.startswith("User-agent: *")
        assert http.get("/.htaccess").status_code == 403


def test_django_answers_what_maps_to_no_file(example: Server) -> None:
    with httpx.Client(base_url=example.base) as http:
        home = http.get("/")
        assert home.status_code == 200
        assert "<h1>Django behind apachemw</h1>" in home.text
        missing = http.get("/nowhere")
        assert missing.status_code == 404
        assert "<h1>Not Found</h1>" in missing.text  # Django's page, not Apache's


# --- runserver, with a project of its own -------------------------------------------------

PROJECT_SETTINGS = """\
import os
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
SECRET_KEY = "runserver-test"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = ["apachemw.contrib.django_app", "django.contrib.staticfiles"]
MIDDLEWARE = []
ROOT_URLCONF = "proj.urls"
DATABASES = {}
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE / "assets"]
VARIANT = os.environ["VARIANT"]
if VARIANT in ("wrapped", "disabled"):
    WSGI_APPLICATION = "proj.wsgi.application"
APACHEMW_RUNSERVER = VARIANT != "off"
APACHEMW_ENABLED = VARIANT != "disabled"
APACHEMW_CONFIG = os.environ.get("CONFIG")
APACHEMW_TEXT = None if APACHEMW_CONFIG else f'''
DocumentRoot {BASE / "htdocs"}
<Directory {BASE / "htdocs"}>
    Require all granted
</Directory>
RewriteEngine On
RewriteRule ^/old$ /hello [R=301,L]
RewriteRule ^/static/secret\\.css$ - [F]
'''
"""

PROJECT_URLS = """\
from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("hello", lambda request: HttpResponse("hello from django"))]
"""

PROJECT_WSGI = """\
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")

from apachemw.contrib.django import get_wsgi_application

application = get_wsgi_application()
"""


def _project(tmp_path: Path) -> Path:
    """A Django project whose runserver tests write nothing into the checkout."""
    files = {
        "proj/__init__.py": "",
        "proj/settings.py": PROJECT_SETTINGS,
        "proj/urls.py": PROJECT_URLS,
        "proj/wsgi.py": PROJECT_WSGI,
        "assets/app.css": "body { color: green }\n",
        "assets/secret.css": "body { color: red }\n",
        "htdocs/robots.txt": "User-agent: *\n",
        "manage.py": (EXAMPLE / "manage.py").read_text().replace("mysite.", "proj."),
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize("variant", ["plain", "wrapped", "off", "disabled"])
def test_runserver(variant: str, tmp_path: Path) -> None:
    """plain: WSGI_APPLICATION unset, the runserver command wraps Django's handler;
    wrapped: WSGI_APPLICATION is behind apachemw already and the StaticFilesHandler
    (DEBUG) moves inside it; off: APACHEMW_RUNSERVER = False, Django alone; disabled:
    APACHEMW_ENABLED = False, wsgi.py's helper and runserver both leave Django bare."""
    project = _project(tmp_path / "project")
    port = free_port()
    argv = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    env = _env(VARIANT=variant)
    log = tmp_path / "server.log"
    with (
        serving(argv, port, project, env, log) as server,
        httpx.Client(base_url=server.base) as http,
    ):
        old, secret = http.get("/old"), http.get("/static/secret.css")
        app_css, robots = http.get("/static/app.css"), http.get("/robots.txt")
        hello = http.get("/hello")
    assert hello.text == "hello from django"
    # DEBUG: staticfiles serves the app's files from their finders, behind apachemw.
    assert (app_css.status_code, app_css.text) == (200, "body { color: green }\n")
    if variant in ("off", "disabled"):
        assert old.status_code == 404  # Django's: no rewrite ran
        assert secret.status_code == 200  # staticfiles answered first
        assert robots.status_code == 404
        return
    assert (old.status_code, old.headers["location"]) == (301, f"{server.base}/hello")
    assert secret.status_code == 403  # apachemw's rule came before staticfiles
    assert (robots.status_code, robots.text) == (200, "User-agent: *\n")
    assert robots.headers["etag"]


# --- the settings table ---------------------------------------------------------------


def test_table_rows_are_complete_and_named_once() -> None:
    names = [row.name for row in SETTINGS]
    assert len(names) == len(set(names))
    assert all(name.startswith("APACHEMW_") for name in names)
    assert all(row.help and row.kind.accepts(row.default) for row in SETTINGS)


def test_readme_lists_every_setting_with_its_default() -> None:
    text = README.read_text()
    for row in SETTINGS:
        default = "()" if row.default == () else repr(row.default)
        assert re.search(rf"\| `{row.name}`\s*\| `{re.escape(default)}`", text), row.name


def test_unset_settings_read_as_their_defaults() -> None:
    values = glue.read_settings(SimpleNamespace())
    assert values == {row.name: row.default for row in SETTINGS}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("APACHEMW_ENABLED", "yes"),
        ("APACHEMW_CONFIG", 3),
        ("APACHEMW_TEXT", b"Alias /a /b"),
        ("APACHEMW_DEFINES", "FOO"),
        ("APACHEMW_DEFINES", ["FOO", 1]),
        ("APACHEMW_DOCUMENT_ROOT", ["/srv"]),
        ("APACHEMW_RUNSERVER", 1),
    ],
)
def test_a_wrong_type_is_refused_by_name(name: str, value: Any) -> None:
    with pytest.raises(SettingsError, match=f"^{name} must be "):
        glue.read_settings(SimpleNamespace(**{name: value}))


def test_settings_become_the_middleware_arguments(tmp_path: Path) -> None:
    conf = tmp_path / "httpd.conf"
    assert glue.apache_arguments(SimpleNamespace(APACHEMW_CONFIG=conf)) == {
        "config": str(conf),
        "defines": (),
    }
    text = SimpleNamespace(APACHEMW_TEXT="Alias /a /b", APACHEMW_DEFINES=["X", "Y=1"])
    assert glue.apache_arguments(text) == {"text": "Alias /a /b", "defines": ("X", "Y=1")}
    root = SimpleNamespace(APACHEMW_DOCUMENT_ROOT=tmp_path)
    assert glue.apache_arguments(root) == {"document_root": str(tmp_path), "defines": ()}


def test_one_source_exactly() -> None:
    both = SimpleNamespace(APACHEMW_CONFIG="/etc/httpd.conf", APACHEMW_TEXT="Alias /a /b")
    with pytest.raises(SettingsError, match="not APACHEMW_CONFIG and APACHEMW_TEXT"):
        glue.apache_arguments(both)
    with pytest.raises(SettingsError, match="nothing to serve"):
        glue.apache_arguments(SimpleNamespace())


def test_explicit_arguments_wrap_without_settings(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    wrapped = glue.wrap_wsgi(None, document_root=tmp_path)
    assert wrapped.app is None and wrapped.engine.site.main.mods["core"].document_root


# --- the system checks ----------------------------------------------------------------


def _ids(**settings: Any) -> list[str]:
    return [message.id for message in glue.find_problems(SimpleNamespace(**settings))]


def _messages(**settings: Any) -> list[Any]:
    return glue.find_problems(SimpleNamespace(**settings))


def test_every_check_id_is_documented_and_tested() -> None:
    text = README.read_text()
    source = Path(__file__).read_text()
    for check_id in glue.CHECK_IDS:
        assert f"`{check_id}`" in text, check_id
        assert f"def test_{check_id.split('.')[1].lower()}_" in source, check_id


def test_a_good_configuration_has_no_problems(tmp_path: Path) -> None:
    assert _ids(APACHEMW_TEXT=f"DocumentRoot {tmp_path}") == []
    assert _ids(APACHEMW_ENABLED=False) == []


def test_e001_config_does_not_load(tmp_path: Path) -> None:
    conf = tmp_path / "httpd.conf"
    conf.write_text("ServerName localhost\n\nRewriteEngine On\n")  # mod_rewrite not loaded
    (message,) = _messages(APACHEMW_CONFIG=conf)
    assert message.id == "apachemw.E001"
    assert message.msg.startswith(f"{conf}:3: ")
    assert "Invalid command 'RewriteEngine'" in message.msg
    (message,) = _messages(APACHEMW_TEXT="Alias /a")
    assert message.id == "apachemw.E001"
    assert message.msg.startswith("<string>:1: ")


def test_e002_config_missing_or_unreadable(tmp_path: Path) -> None:
    (message,) = _messages(APACHEMW_CONFIG=tmp_path / "nope.conf")
    assert (message.id, message.msg) == (
        "apachemw.E002",
        f"APACHEMW_CONFIG {tmp_path / 'nope.conf'}: no such file",
    )
    assert _ids(APACHEMW_CONFIG=tmp_path) == ["apachemw.E002"]


def test_e003_wrong_types() -> None:
    assert _ids(APACHEMW_ENABLED="no", APACHEMW_DEFINES="X") == ["apachemw.E003"] * 2


def test_e004_more_than_one_source(tmp_path: Path) -> None:
    assert _ids(APACHEMW_TEXT="", APACHEMW_DOCUMENT_ROOT=tmp_path) == ["apachemw.E004"]


def test_e005_nothing_to_serve() -> None:
    assert _ids() == ["apachemw.E005"]


def test_e006_document_root_not_a_directory(tmp_path: Path) -> None:
    assert _ids(APACHEMW_DOCUMENT_ROOT=tmp_path / "missing") == ["apachemw.E006"]


def _static_conf(docroot: Path, alias: Path | None) -> str:
    lines = f"DocumentRoot {docroot}\n"
    return lines + (f"Alias /static/ {alias}/\n" if alias else "")


def test_w001_alias_serves_another_directory(tmp_path: Path) -> None:
    elsewhere, root = tmp_path / "elsewhere", tmp_path / "collected"
    (message,) = _messages(
        APACHEMW_TEXT=_static_conf(tmp_path, elsewhere), STATIC_URL="static/", STATIC_ROOT=root
    )
    assert message.id == "apachemw.W001"
    assert message.msg == f"Alias /static/ serves {elsewhere}, but STATIC_ROOT is {root}"
    assert f"Alias /static/ {root}/" in message.hint


def test_w002_static_root_not_served(tmp_path: Path) -> None:
    root = tmp_path / "collected"
    settings = {"STATIC_URL": "/static/", "STATIC_ROOT": root}
    assert _ids(APACHEMW_TEXT=_static_conf(tmp_path, None), **settings) == ["apachemw.W002"]
    # Served: by the Alias, or as the DocumentRoot's own static/ directory.
    assert _ids(APACHEMW_TEXT=_static_conf(tmp_path, root), **settings) == []
    inside = {"STATIC_URL": "/static/", "STATIC_ROOT": tmp_path / "static"}
    assert _ids(APACHEMW_TEXT=_static_conf(tmp_path, None), **inside) == []
    # A CDN's URL is not apachemw's business.
    cdn = {"STATIC_URL": "https://cdn.example.com/s/", "STATIC_ROOT": root}
    assert _ids(APACHEMW_TEXT=_static_conf(tmp_path, None), **cdn) == []


def test_w003_configuration_warnings(tmp_path: Path) -> None:
    text = f"DocumentRoot {tmp_path}\n<IfDefine X>\nServerName ${{UNSET}}\n</IfDefine>\n"
    messages = _messages(APACHEMW_TEXT=text, APACHEMW_DEFINES=["X"])
    assert [m.id for m in messages] == ["apachemw.W003"]
    assert "UNSET" in messages[0].msg


def test_w004_runserver_shadowed_by_staticfiles(tmp_path: Path) -> None:
    ok = {"APACHEMW_TEXT": f"DocumentRoot {tmp_path}"}
    after = ["django.contrib.staticfiles", "apachemw.contrib.django_app"]
    assert _ids(INSTALLED_APPS=after, **ok) == ["apachemw.W004"]
    assert _ids(INSTALLED_APPS=after[::-1], **ok) == []
    assert _ids(INSTALLED_APPS=after, APACHEMW_RUNSERVER=False, **ok) == []


def test_manage_py_check_runs_the_registered_checks(tmp_path: Path) -> None:
    """Through Django: the app's ready() registers the checks; an error stops check."""
    project = _project(tmp_path)
    broken = project / "httpd.conf"
    broken.write_text("ServerName localhost\nBogusDirective on\n")
    argv = [sys.executable, "manage.py", "check"]
    env = _env(VARIANT="plain", CONFIG=str(broken))
    done = subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert f"(apachemw.E001) {broken}:2: " in done.stderr
    assert "Invalid command 'BogusDirective'" in done.stderr


# --- the collectstatic recipe -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "written"),
    [("static files", "static files"), ('a "q" \\b', 'a \\"q\\" \\\\b')],
    ids=["space", "quote-and-backslash"],
)
def test_static_lines_serve_static_root(
    client: Face, tmp_path: Path, name: str, written: str
) -> None:
    root = tmp_path / name  # the lines quote the path, escaping what ap_getword_conf unescapes
    (root / "css").mkdir(parents=True)
    (root / "css" / "site.css").write_text("body {}\n")
    settings = SimpleNamespace(STATIC_URL="static/", STATIC_ROOT=root)
    lines = glue.static_alias_lines(settings)
    assert lines.splitlines()[1] == f'Alias /static/ "{tmp_path}/{written}/"'
    text = f"DocumentRoot {tmp_path}\n" + lines
    load_site(text=text, all_modules=True)  # loads cleanly
    assert glue.find_problems(SimpleNamespace(APACHEMW_TEXT=text, **vars(settings))) == []
    r = client.wrap(None, text=text).get("/static/css/site.css")
    assert (r.status, r.body, r.header("Content-Type")) == (200, b"body {}\n", "text/css")
    assert r.header("ETag")


def test_static_lines_need_a_local_url_and_a_root() -> None:
    with pytest.raises(SettingsError, match="STATIC_ROOT is not set"):
        glue.static_alias_lines(SimpleNamespace(STATIC_URL="/static/", STATIC_ROOT=None))
    with pytest.raises(SettingsError, match="not a local path"):
        glue.static_alias_lines(SimpleNamespace(STATIC_URL="//cdn/s/", STATIC_ROOT="/srv/s"))


def test_manage_py_apachemw_static_prints_the_lines(tmp_path: Path) -> None:
    argv = [sys.executable, "manage.py", "apachemw_static"]
    env = _env(DJANGO_SITE_STATIC_ROOT=str(tmp_path))
    done = subprocess.run(argv, cwd=EXAMPLE, env=env, capture_output=True, text=True, check=True)
    expected = glue.static_alias_lines(SimpleNamespace(STATIC_URL="static/", STATIC_ROOT=tmp_path))
    assert done.stdout == expected
    assert f"Alias /static/ {tmp_path}/\n" in expected

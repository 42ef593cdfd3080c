"""An Apache + mod_wsgi configuration runs unchanged: WSGIScriptAlias mounts the
wrapped app, which sees the mount as SCRIPT_NAME (root_path) and the rest as
PATH_INFO, while the document root is still served by Apache's rules."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import pytest

from apachemw.asgi import Apache as ASGIApache
from apachemw.cli import build_app, main
from apachemw.errors import ApacheMWError
from apachemw.server import Settings
from apachemw.wsgi import Apache as WSGIApache

from .conftest import Client


def _conf(tmp_path: Path) -> Path:
    root = tmp_path / "htdocs"
    root.mkdir()
    (root / "robots.txt").write_text("static\n")
    conf = tmp_path / "httpd.conf"
    conf.write_text(f"""\
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so
DocumentRoot {root}
<Directory {root}>
    Require all granted
</Directory>
WSGIDaemonProcess site processes=2 threads=15
WSGIProcessGroup site
WSGIScriptAlias /app {tmp_path}/site/wsgi.py process-group=site
<Directory {tmp_path}/site>
    Require all granted
</Directory>
""")
    return conf


def test_wsgi_app_mounted_by_wsgiscriptalias(tmp_path: Path) -> None:
    seen: dict[str, str] = {}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(script=environ["SCRIPT_NAME"], path=environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"app"]

    mw = WSGIApache(app, config=_conf(tmp_path))

    def call(path: str) -> tuple[str, bytes]:
        status: list[str] = []
        environ = {
            "REQUEST_METHOD": "GET",
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "REQUEST_URI": path,
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "HTTP_HOST": "localhost",
            "wsgi.url_scheme": "http",
        }
        body = b"".join(mw(environ, lambda s, h: status.append(s)))
        return status[0], body

    assert call("/app/users/7") == ("200 OK", b"app")
    assert seen == {"script": "/app", "path": "/users/7"}
    assert call("/robots.txt") == ("200 OK", b"static\n")
    assert call("/missing")[0].startswith("404")  # the config names the app: no fallback


def test_asgi_app_mounted_by_wsgiscriptalias(tmp_path: Path) -> None:
    seen: dict[str, str] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.update(root=scope["root_path"], path=scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"app"})

    mw = ASGIApache(app, config=_conf(tmp_path))
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/app/users/7",
        "raw_path": b"/app/users/7",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"localhost")],
        "http_version": "1.1",
        "scheme": "http",
    }
    asyncio.run(mw(scope, receive, send))
    assert sent[0]["status"] == 200
    assert seen == {"root": "/app", "path": "/app/users/7"}


# --- apachemw serve without --app: the script loaded as mod_wsgi loads it -----------------


def _script_site(tmp_path: Path, scripts: dict[str, str]) -> Path:
    """A config mounting each script (relative to ServerRoot) at /<name>."""
    lines = [
        "LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so",
        "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so",
        f"DocumentRoot {tmp_path}",
        "<Directory />",
        "    Require all granted",
        "</Directory>",
    ]
    for name, body in scripts.items():
        (tmp_path / f"{name}.wsgi").write_text(body)
        lines.append(f"WSGIScriptAlias /{name} {name}.wsgi")
    conf = tmp_path / "httpd.conf"
    conf.write_text("\n".join(lines) + "\n")
    return conf


HELLO = """\
def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [("%s %s" % (environ["SCRIPT_NAME"], __name__)).encode()]
"""


def test_serve_loads_the_script_as_mod_wsgi(tmp_path: Path) -> None:
    conf = _script_site(tmp_path, {"hello": HELLO})
    app = build_app(Settings(config=str(conf)))
    body = Client("asgi", app).get("/hello/x").text
    script = str(tmp_path / "hello.wsgi")  # relative in the config: from ServerRoot
    assert body == "/hello _mod_wsgi_" + hashlib.md5(script.encode()).hexdigest()


def test_serve_refuses_a_script_without_application(tmp_path: Path) -> None:
    conf = _script_site(tmp_path, {"app": "app = None\n"})
    with pytest.raises(ApacheMWError, match="does not contain WSGI application 'application'"):
        build_app(Settings(config=str(conf)))


def test_serve_asks_for_app_when_several_scripts_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conf = _script_site(tmp_path, {"one": HELLO, "two": HELLO})
    assert main(["serve", "-f", str(conf)]) == 1
    assert "WSGIScriptAlias names several scripts" in capsys.readouterr().err

"""An Apache + mod_wsgi configuration runs unchanged: WSGIScriptAlias mounts the
wrapped app, which sees the mount as SCRIPT_NAME (root_path) and the rest as
PATH_INFO, while the document root is still served by Apache's rules."""

from __future__ import annotations

import asyncio
import hashlib
import warnings
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


def _mod_wsgi_conf(tmp_path: Path, extra: str = "") -> Path:
    """/app mounted by WSGIScriptAlias, ErrorDocument 500 a local page (golden: wsgi_apps)."""
    root = tmp_path / "htdocs"
    root.mkdir()
    (root / "500.html").write_text("custom 500\n")
    conf = tmp_path / "httpd.conf"
    conf.write_text(f"""\
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so
DocumentRoot {root}
<Directory {root}>
    Require all granted
</Directory>
WSGIScriptAlias /app {tmp_path}/app.wsgi
ErrorDocument 500 /500.html
{extra}
""")
    return conf


def _sent_authorization(face: Any, seen: Any) -> str | None:
    if face.name == "wsgi":
        value: str | None = seen.raw.get("HTTP_AUTHORIZATION")
        return value
    headers = dict(seen.raw["headers"])
    return headers[b"authorization"].decode() if b"authorization" in headers else None


@pytest.mark.parametrize("passed", [False, True])
def test_authorization_reaches_the_app_only_with_wsgipassauthorization(
    client: Any, tmp_path: Path, passed: bool
) -> None:
    # mod_wsgi keeps credentials out of the environ (ap_add_common_vars) unless
    # WSGIPassAuthorization On (golden wsgi_apps/auth-public).
    extra = "WSGIPassAuthorization On" if passed else ""
    echo = client.echo_app()
    app = client.wrap(echo, config=str(_mod_wsgi_conf(tmp_path, extra)))
    assert app.get("/app/x", headers={"Authorization": "Basic eDp5"}).status == 200
    expected = "Basic eDp5" if passed else None
    assert _sent_authorization(client, echo.calls[-1]) == expected


def test_wsgipassauthorization_takes_on_or_off(tmp_path: Path) -> None:
    conf = _mod_wsgi_conf(tmp_path, "WSGIPassAuthorization maybe")
    with pytest.raises(ApacheMWError, match=r"must be one of: Off \| On"):
        WSGIApache(None, config=conf)


def test_app_raising_before_start_response_gets_the_errordocument(tmp_path: Path) -> None:
    # mod_wsgi's handler returns 500 and Apache's ErrorDocument answers (golden
    # wsgi_apps/raise-errdoc), on both faces.
    def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise RuntimeError("boom")

    async def asgi_app(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("boom")

    conf = _mod_wsgi_conf(tmp_path)
    wsgi = Client("wsgi", WSGIApache(wsgi_app, config=conf)).get("/app/x")
    asgi = Client("asgi", ASGIApache(asgi_app, config=conf)).get("/app/x")
    for response in (wsgi, asgi):
        assert (response.status, response.body) == (500, b"custom 500\n")


def test_app_body_cut_at_its_content_length_and_dropped_for_204(
    client: Any, tmp_path: Path
) -> None:
    # mod_wsgi stops at the app's Content-Length (security.md H09; golden
    # wsgi_apps/len-short); a 204 goes out without body or Content-Length.
    def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        code = environ["PATH_INFO"][1:]
        start_response(f"{code} X", [("Content-Length", "4"), ("Content-Type", "text/plain")])
        return [b"more than four"]

    async def asgi_app(scope: Any, receive: Any, send: Any) -> None:
        code = int(scope["path"].rsplit("/", 1)[1])
        headers = [(b"content-length", b"4"), (b"content-type", b"text/plain")]
        await send({"type": "http.response.start", "status": code, "headers": headers})
        await send({"type": "http.response.body", "body": b"more than four"})

    app = client.wrap(
        wsgi_app if client.name == "wsgi" else asgi_app, config=str(_mod_wsgi_conf(tmp_path))
    )
    cut = app.get("/app/200")
    assert (cut.status, cut.body) == (200, b"more")
    with warnings.catch_warnings():
        # Werkzeug's lint wants "Content-Length: 0" on a 204; Apache sends none.
        warnings.filterwarnings("ignore", message="204 responses must have an empty")
        empty = app.get("/app/204")
    assert (empty.status, empty.body) == (204, b"")
    assert empty.header("Content-Length") is None and empty.header("Content-Type") is None

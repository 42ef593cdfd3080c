"""A front controller routes to the wrapped app the way Apache hands a request to a
handler after mod_rewrite's internal redirect: the app sees the rewritten path,
the original query, and REDIRECT_URL / REDIRECT_QUERY_STRING / REDIRECT_STATUS.
The app is named in the configuration by the handler ``apachemw-app``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from apachemw.wsgi import Apache as WSGIApache

from .conftest import Face, Site


def _site(tmp_path: Path) -> str:
    root = tmp_path / "htdocs"
    root.mkdir()
    (root / "style.css").write_text("body{}\n")
    (root / "index.php").write_text("<?php // stands for the app\n")
    (root / ".htaccess").write_text(
        "RewriteEngine On\n"
        "RewriteCond %{REQUEST_FILENAME} !-f\n"
        "RewriteCond %{REQUEST_FILENAME} !-d\n"
        "RewriteRule ^ index.php [L]\n"
        "<Files index.php>\n    SetHandler apachemw-app\n</Files>\n"
    )
    return f"""\
DocumentRoot {root}
<Directory {root}>
    AllowOverride All
    Require all granted
</Directory>
"""


def _call(mw: WSGIApache, path: str, query: str = "") -> tuple[str, bytes]:
    status: list[str] = []
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "REQUEST_URI": path + ("?" + query if query else ""),
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http",
    }
    body = b"".join(mw(environ, lambda s, h: status.append(s)))
    return status[0], body


def test_front_controller_hands_missing_paths_to_the_app(tmp_path: Path) -> None:
    seen: list[dict[str, Any]] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(
            {
                k: environ.get(k)
                for k in (
                    "PATH_INFO",
                    "QUERY_STRING",
                    "REDIRECT_URL",
                    "REDIRECT_QUERY_STRING",
                    "REDIRECT_STATUS",
                )
            }
        )
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"from the app"]

    mw = WSGIApache(app, text=_site(tmp_path))
    assert _call(mw, "/blog/2024/hello", "page=2") == ("200 OK", b"from the app")
    assert seen[0] == {
        "PATH_INFO": "/index.php",
        "QUERY_STRING": "page=2",
        "REDIRECT_URL": "/blog/2024/hello",
        "REDIRECT_QUERY_STRING": "page=2",
        "REDIRECT_STATUS": "200",
    }
    assert _call(mw, "/style.css") == ("200 OK", b"body{}\n")  # existing files stay static
    assert len(seen) == 1


def test_cookie_from_a_rewrite_reaches_the_client_with_the_app_answer(tmp_path: Path) -> None:
    """err_headers_out ([CO]'s Set-Cookie) go out with every response, the app's too."""
    root = tmp_path / "htdocs"
    root.mkdir()
    text = f"""
DocumentRoot {root}
<Directory {root}>
    Require all granted
</Directory>
RewriteEngine On
RewriteRule ^/app - [CO=visited:1:localhost]
<Location /app>
    SetHandler apachemw-app
</Location>
"""
    seen: list[list[tuple[str, str]]] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), ("Vary", "Cookie")])
        return [b"hi"]

    mw = WSGIApache(app, text=text)
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/app",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http",
    }
    b"".join(mw(environ, lambda status, headers, exc=None: seen.append(headers)))
    (headers,) = seen
    assert ("Set-Cookie", "visited=1; path=/; domain=localhost") in headers


def test_h_flag_names_the_app_and_turns_the_fallback_off(client: Face, site: Site) -> None:
    """[H=apachemw-app] hands a request to the app without changing its path, as
    SetHandler apachemw-app does; the config then names the app, so what the rule
    leaves out is Apache's 404 rather than the app's."""
    site.write("style.css", "body{}\n")
    text = site.conf(
        "RewriteEngine On\n"
        "RewriteCond %{DOCUMENT_ROOT}%{REQUEST_URI} !-f\n"
        "RewriteCond %{REQUEST_URI} !^/static/\n"
        "RewriteRule ^ - [H=apachemw-app]\n"
    )
    app = client.echo_app()
    c = client.wrap(app, text=text)
    assert c.get("/blog/2024/hello?page=2").json() == {
        "path": "/blog/2024/hello",
        "query": "page=2",
        "prefix": "",
    }
    assert "REDIRECT_URL" not in app.calls[0].env  # no internal redirect
    assert c.get("/style.css").body == b"body{}\n"
    missing = c.get("/static/missing.png")
    assert missing.status == 404 and "<title>404 Not Found</title>" in missing.text
    assert len(app.calls) == 1


def test_add_handler_names_the_app(client: Face, site: Site) -> None:
    """AddHandler apachemw-app .php routes *.php files to the app (which sees the
    script's path); other missing paths stay Apache's 404."""
    site.write("index.php", "<?php // stands for the app\n")
    app = client.echo_app()
    c = client.wrap(app, text=site.conf("AddHandler apachemw-app .php\n"))
    assert c.get("/index.php?x=1").json()["path"] == "/index.php"
    assert c.get("/missing").status == 404
    assert len(app.calls) == 1

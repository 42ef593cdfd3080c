"""The middleware on both faces: files as Apache serves them, the wrapped app as a
content handler, error documents, logs, .htaccess, and the requests Apache refuses."""

from __future__ import annotations

import asyncio
import os
import re
import threading
from typing import Any

import httpx

from .conftest import ASGIEcho, Face, Response, Site, asgi_scope

API = "<Location /api>\n    SetHandler apachemw-app\n</Location>"


def _apache_404(response: Response) -> None:
    # Apache's canned page, not the echo app's JSON.
    assert response.status == 404
    assert "<title>404 Not Found</title>" in response.text
    assert response.header("X-App") is None


# --- files ------------------------------------------------------------------------


def test_file_served_with_apache_headers(client: Face, site: Site) -> None:
    site.write("hello.txt", "hello, world\n")
    c = client.wrap(None, text=site.conf())
    r = c.get("/hello.txt")
    assert r.status == 200
    assert r.body == b"hello, world\n"
    assert r.header("Content-Type") == "text/plain"
    assert r.header("Content-Length") == "13"
    assert r.header("Accept-Ranges") == "bytes"
    assert (r.header("Last-Modified") or "").endswith(" GMT")
    etag = r.header("ETag")
    assert etag is not None and re.fullmatch(r'(W/)?"[0-9a-f]+-[0-9a-f]+"', etag)

    again = c.get("/hello.txt", headers={"If-None-Match": etag})
    assert again.status == 304
    assert again.body == b""
    assert again.header("ETag") == etag


def test_range_request(client: Face, site: Site) -> None:
    site.write("digits.txt", "0123456789")
    c = client.wrap(None, text=site.conf())
    r = c.get("/digits.txt", headers={"Range": "bytes=2-5"})
    assert r.status == 206
    assert r.header("Content-Range") == "bytes 2-5/10"
    assert r.header("Content-Length") == "4"
    assert r.body == b"2345"


def test_directory_slash_keeps_query(client: Face, site: Site) -> None:
    site.write("docs/index.html", "<p>docs</p>")
    c = client.wrap(client.echo_app(), text=site.conf())
    r = c.get("/docs?page=2&x=y")
    assert r.status == 301
    assert r.header("Location") == "http://localhost/docs/?page=2&x=y"


def test_directory_index(client: Face, site: Site) -> None:
    site.write("docs/index.html", "<p>docs</p>")
    app = client.echo_app()
    c = client.wrap(app, text=site.conf())
    r = c.get("/docs/")
    assert r.status == 200
    assert r.body == b"<p>docs</p>"
    assert r.header("Content-Type") == "text/html"
    assert r.header("ETag")
    assert app.calls == []


def test_head_has_no_body(client: Face, site: Site) -> None:
    site.write("page.html", "<h1>hi</h1>")
    c = client.wrap(None, text=site.conf())
    get, head = c.get("/page.html"), c.head("/page.html")
    assert head.status == 200
    assert head.body == b""
    for name in ("Content-Length", "Content-Type", "ETag", "Last-Modified"):
        assert head.header(name) == get.header(name)


# Apache's HTTP header filter drops whatever a handler writes for a HEAD request and
# logs %b as "-"; the app's body should not reach the client (raw() shows what the
# middleware hands on, before httpx would discard it).
def test_head_to_app_has_no_body(client: Face, site: Site) -> None:
    c = client.wrap(client.echo_app(), text=site.conf())
    r = c.raw("HEAD", b"/app/page")
    assert r.status == 200
    assert r.header("X-App") == "echo"
    assert r.body == b""
    (line,) = site.log_lines()
    assert '"HEAD /app/page HTTP/1.1" 200 - ' in line


# --- the wrapped app --------------------------------------------------------------


def test_unmapped_request_goes_to_app(client: Face, site: Site) -> None:
    site.write("hello.txt", "hi")
    app = client.echo_app()
    c = client.wrap(app, text=site.conf())
    r = c.get("/no/such/thing?a=1&b=%20x")
    assert r.status == 200
    assert r.header("X-App") == "echo"
    assert r.json() == {"path": "/no/such/thing", "query": "a=1&b=%20x", "prefix": ""}
    assert [call.method for call in app.calls] == ["GET"]
    # The file is still Apache's.
    assert c.get("/hello.txt").header("ETag")
    assert len(app.calls) == 1


# The app should see what the server gave it under a mount point: WSGI SCRIPT_NAME and
# PATH_INFO as they were (REQUEST_URI carries the whole path, as gunicorn/uWSGI set it),
# ASGI root_path with a path that includes it once (the ASGI spec).
def test_app_mounted_under_prefix_keeps_prefix(client: Face, site: Site) -> None:
    app = client.echo_app()
    c = client.wrap(app, text=site.conf())
    r = c.get("/mount/x/y?q=1", prefix="/mount")
    assert r.status == 200
    seen = app.calls[0]
    assert seen.prefix == "/mount"
    expected = "/x/y" if client.name == "wsgi" else "/mount/x/y"
    assert seen.path == expected
    assert seen.query == "q=1"


def test_sethandler_routes_only_that_location(client: Face, site: Site) -> None:
    site.write("hello.txt", "hi")
    app = client.echo_app()
    c = client.wrap(app, text=site.conf(API))
    r = c.get("/api/items?id=7")
    assert r.status == 200
    assert r.json()["path"] == "/api/items"
    assert r.json()["query"] == "id=7"
    _apache_404(c.get("/elsewhere/missing.txt"))
    assert c.get("/hello.txt").body == b"hi"
    assert [call.path for call in app.calls] == ["/api/items"]


def test_app_response_streamed_with_status_and_headers(client: Face, site: Site) -> None:
    app = client.echo_app()
    c = client.wrap(app, text=site.conf())
    response, chunks = c.chunks("/stream/status/418")
    assert response.status == 418
    assert ("x-app", "echo") in [(k.lower(), v) for k, v in response.headers]
    assert response.header("Content-Type") == "application/json"
    assert len(chunks) == 3 and all(chunks)
    assert b"".join(chunks).startswith(b'{"path": "/stream/status/418"')
    if client.name == "wsgi":
        assert app.closed == 1


def test_error_document_handled_by_app_sees_redirect_vars(client: Face, site: Site) -> None:
    app = client.echo_app()
    c = client.wrap(app, text=site.conf(API + "\nErrorDocument 404 /api/notfound"))
    r = c.get("/missing/page.html?from=here")
    # As with a CGI ErrorDocument, the handler's status goes out (it would send
    # Status: 404 to keep the error); the echo app answers 200.
    assert (r.status, r.header("X-App")) == (200, "echo")
    assert r.json()["path"] == "/api/notfound"
    env = app.calls[0].env
    assert env["REDIRECT_URL"] == "/missing/page.html"
    assert env["REDIRECT_STATUS"] == "404"
    assert env["REDIRECT_QUERY_STRING"] == "from=here"
    if client.name == "wsgi":
        # As for a CGI script, the variables are in the environ itself too.
        environ = app.calls[0].raw
        assert environ["REDIRECT_URL"] == "/missing/page.html"
        assert environ["REDIRECT_STATUS"] == "404"


def test_access_log_line_for_app_response(client: Face, site: Site) -> None:
    c = client.wrap(client.echo_app(), text=site.conf())
    r = c.get("/logged/status/201?k=v")
    assert r.status == 201
    (line,) = site.log_lines()
    assert '"GET /logged/status/201?k=v HTTP/1.1" 201 ' in line
    status_and_bytes = line.split('HTTP/1.1" ', 1)[1].split(" ")[:2]
    assert status_and_bytes == ["201", str(len(r.body))]


def test_access_log_line_for_file(client: Face, site: Site) -> None:
    site.write("f.txt", "12345")
    c = client.wrap(client.echo_app(), text=site.conf())
    c.get("/f.txt")
    (line,) = site.log_lines()
    assert '"GET /f.txt HTTP/1.1" 200 5 ' in line


# --- .htaccess ----------------------------------------------------------------------


def test_htaccess_honoured_and_edit_seen(client: Face, site: Site) -> None:
    site.write("index.html", "index")
    site.write("other.html", "other")
    site.write(".htaccess", "DirectoryIndex other.html\n")
    c = client.wrap(None, text=site.conf(override="All"))
    assert c.get("/").body == b"other"
    # A different size, so the edit is seen whatever the mtime granularity.
    site.write(".htaccess", "DirectoryIndex index.html\nRequire all denied\n")
    assert c.get("/").status == 403
    site.write(".htaccess", "\n")
    assert c.get("/").body == b"index"
    # An edit of the same size, in place (same inode), as an editor saving quickly would.
    site.write("one.html", "one")
    site.write("two.html", "two")
    site.write(".htaccess", "DirectoryIndex one.html\n")
    assert c.get("/").body == b"one"
    site.write(".htaccess", "DirectoryIndex two.html\n")
    assert c.get("/").body == b"two"


def test_bad_htaccess_is_500_and_logged(client: Face, site: Site) -> None:
    site.write("hello.txt", "hi")
    htaccess = site.write(".htaccess", "NoSuchDirective on\n")
    c = client.wrap(client.echo_app(), text=site.conf(override="All"))
    r = c.get("/hello.txt")
    assert r.status == 500
    assert "<title>500 Internal Server Error</title>" in r.text
    errors = site.log_lines("error")
    assert any(
        f"{htaccess}: Invalid command 'NoSuchDirective'" in line and "[core:alert]" in line
        for line in errors
    ), errors


# --- what Apache refuses ------------------------------------------------------------


def test_fifo_is_403_without_hanging(client: Face, site: Site) -> None:
    os.mkfifo(site.docroot / "pipe")
    c = client.wrap(None, text=site.conf())
    result: list[Response] = []
    worker = threading.Thread(target=lambda: result.append(c.get("/pipe")), daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert not worker.is_alive(), "the FIFO request blocked"
    assert result[0].status == 403


def test_dot_dot_outside_docroot_is_400(client: Face, site: Site) -> None:
    (site.tmp / "secret.txt").write_text("secret")
    c = client.wrap(client.echo_app(), text=site.conf())
    r = c.raw("GET", b"/../secret.txt")
    assert r.status == 400
    assert b"secret" not in r.body


# --- state ----------------------------------------------------------------------------


def test_no_per_request_state_on_middleware(client: Face, site: Site) -> None:
    site.write("a.txt", "a")
    c = client.wrap(client.echo_app(), text=site.conf())
    before = dict(vars(c.app))
    c.get("/a.txt")
    c.get("/app/path?q=1")
    assert dict(vars(c.app)) == before


async def _slow_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    # The first request waits so the second overtakes it inside the middleware.
    await asyncio.sleep(0.2 if scope["path"] == "/first" else 0)
    body = f"{scope['path']}?{scope['query_string'].decode()}".encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def test_asgi_concurrent_requests_get_their_own_answers(site: Site) -> None:
    from apachemw.asgi import Apache

    site.write("static.txt", "static")
    middleware = Apache(_slow_app, text=site.conf())

    async def both() -> list[httpx.Response]:
        transport = httpx.ASGITransport(middleware)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as ac:
            return await asyncio.gather(
                ac.get("/first?n=1"), ac.get("/second?n=2"), ac.get("/static.txt")
            )

    first, second, static = asyncio.run(both())
    assert first.text == "/first?n=1"
    assert second.text == "/second?n=2"
    assert static.text == "static" and static.headers["etag"]
    lines = site.log_lines()
    assert sorted(line.split('"')[1] for line in lines) == [
        "GET /first?n=1 HTTP/1.1",
        "GET /second?n=2 HTTP/1.1",
        "GET /static.txt HTTP/1.1",
    ]


# --- ASGI scopes other than http ----------------------------------------------------


def test_asgi_lifespan_passes_through_untouched(site: Site) -> None:
    from apachemw.asgi import Apache

    app = ASGIEcho()
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    snapshot = dict(scope)

    async def receive() -> dict[str, Any]:
        return {"type": "lifespan.startup"}

    async def send(message: dict[str, Any]) -> None:
        raise AssertionError(message)

    asyncio.run(Apache(app, text=site.conf())(scope, receive, send))
    assert app.other_scopes == [snapshot]
    assert app.other_scopes[0] is scope


def test_asgi_lifespan_answered_without_an_app(site: Site) -> None:
    from apachemw.asgi import Apache

    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
    asyncio.run(Apache(None, text=site.conf())(scope, receive, send))
    assert [m["type"] for m in sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]


def test_asgi_websocket_reaches_the_app_with_its_scope_intact(site: Site) -> None:
    """A handshake Apache would hand to the app arrives with path and query as sent,
    and the caller's scope is not changed (tests/adapters/test_websocket.py has the
    refusals)."""
    from apachemw.asgi import Apache

    app = ASGIEcho()
    scope = asgi_scope("GET", b"/api/ws?x=1")
    scope["type"] = "websocket"
    del scope["method"]
    snapshot = dict(scope)

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        raise AssertionError(message)

    asyncio.run(Apache(app, text=site.conf(API))(scope, receive, send))
    assert scope == snapshot
    (seen,) = app.other_scopes
    assert (seen["type"], seen["path"], seen["query_string"]) == ("websocket", "/api/ws", b"x=1")

"""``apachemw.contrib.wsgi``: a plain WSGI app behind apachemw, served by a real uvicorn
on a free port through a2wsgi, and asked over real HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn
from liveserver import free_port

from apachemw.contrib.wsgi import asgi_from_wsgi, to_asgi
from apachemw.wsgi import Apache

from .conftest import Site


def guestbook(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """A PEP 3333 app: POST /sign echoes the entry, anything else says where it landed."""
    if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"] == "/sign":
        size = int(environ.get("CONTENT_LENGTH") or 0)
        entry = environ["wsgi.input"].read(size)
        start_response("201 Created", [("Content-Type", "text/plain")])
        return [b"signed: ", entry]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"app at {environ['PATH_INFO']} for {environ['REMOTE_ADDR']}".encode()]


@contextmanager
def uvicorn_serving(app: Any) -> Iterator[str]:
    """uvicorn in a thread on a free port; stopped through should_exit."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        assert not thread.is_alive()


def test_a_wsgi_app_behind_apachemw_under_uvicorn(site: Site) -> None:
    site.write("robots.txt", "User-agent: *\nDisallow:\n")
    app = asgi_from_wsgi(guestbook, text=site.conf())
    with uvicorn_serving(app) as base, httpx.Client(base_url=base) as http:
        robots = http.get("/robots.txt")
        assert (robots.status_code, robots.text) == (200, "User-agent: *\nDisallow:\n")
        again = http.get("/robots.txt", headers={"If-None-Match": robots.headers["etag"]})
        assert again.status_code == 304
        hello = http.get("/guests/ann")
        assert (hello.status_code, hello.text) == (200, "app at /guests/ann for 127.0.0.1")
        signed = http.post("/sign", content=b"hello from ann")
        assert (signed.status_code, signed.text) == (201, "signed: hello from ann")
        # The raw target reaches apachemw through a2wsgi's asgi.scope: an encoded
        # slash is refused as Apache refuses it (AllowEncodedSlashes Off).
        assert http.get("/guests/a%2Fb").status_code == 404
    # One line per request; a2wsgi closes each body in its own thread, so the order of
    # the lines follows the closes, not the requests.
    lines = sorted(
        (line.split('"')[1], *line.split('"')[2].split()[:2]) for line in site.log_lines()
    )
    assert [line[:2] for line in lines] == [
        ("GET /guests/a%2Fb HTTP/1.1", "404"),
        ("GET /guests/ann HTTP/1.1", "200"),
        ("GET /robots.txt HTTP/1.1", "200"),
        ("GET /robots.txt HTTP/1.1", "304"),
        ("POST /sign HTTP/1.1", "201"),
    ]
    assert [line[2] for line in lines[1:]] == ["32", "24", "-", "22"]


def test_to_asgi_serves_an_app_already_behind_apachemw(site: Site) -> None:
    app = to_asgi(Apache(guestbook, text=site.conf()))
    with uvicorn_serving(app) as base:
        assert httpx.get(f"{base}/x").text == "app at /x for 127.0.0.1"

"""Access control applies to websocket handshakes (ASGI only): a handshake Apache would
answer itself (401, 403, a redirect) never reaches the app; the answer goes out through
the websocket denial response when the server offers it, else the connection is closed
before it is accepted. An allowed handshake reaches the app on the rewritten path and
is logged with 101."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import Any

from apachemw.asgi import Apache

USERS = "alice:$apr1$SwBODNta$gnBqQsT79nLggQimP3YSS1\n"  # htpasswd -nbm alice secret


class EchoSocket:
    """Accepts, and remembers the path it was called with."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "websocket"
        self.paths.append(scope["path"])
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": 1000})


def _middleware(tmp_path: Path, app: Any) -> Apache:
    (tmp_path / "users").write_text(USERS)
    docroot = tmp_path / "htdocs"
    (docroot / "private").mkdir(parents=True)
    (docroot / "auth").mkdir()
    text = f"""
DocumentRoot {docroot}
ErrorLog {tmp_path}/error.log
LogFormat "%h %u \\"%r\\" %>s" short
CustomLog {tmp_path}/access.log short
<Directory {docroot}>
    Require all granted
</Directory>
<Directory {docroot}/private>
    Require all denied
</Directory>
<Directory {docroot}/auth>
    AuthType Basic
    AuthName "ws"
    AuthUserFile {tmp_path}/users
    Require valid-user
</Directory>
RewriteEngine On
RewriteRule ^/old$ /new [R=301,L]
RewriteRule ^/v1/(.*)$ /api/$1 [PT]
"""
    return Apache(app, text=text)


def _handshake(
    mw: Apache, path: str, *, denial: bool = True, headers: list[tuple[bytes, bytes]] | None = None
) -> list[dict[str, Any]]:
    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost"), *(headers or [])],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 80),
        "extensions": {"websocket.http.response": {}} if denial else {},
    }
    incoming = [{"type": "websocket.connect"}, {"type": "websocket.disconnect", "code": 1000}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict[str, Any]) -> None:
        sent.append(dict(message))

    asyncio.run(mw(scope, receive, send))
    return sent


def test_allowed_handshake_reaches_the_app_and_is_logged(tmp_path: Path) -> None:
    app = EchoSocket()
    sent = _handshake(_middleware(tmp_path, app), "/v1/chat")
    assert [m["type"] for m in sent] == ["websocket.accept", "websocket.close"]
    assert app.paths == ["/api/chat"]
    assert (
        (tmp_path / "access.log")
        .read_text()
        .splitlines()[-1]
        .endswith('"GET /v1/chat HTTP/1.1" 101')
    )


def test_denied_handshake_gets_apache_answer_as_denial_response(tmp_path: Path) -> None:
    app = EchoSocket()
    sent = _handshake(_middleware(tmp_path, app), "/private/chat")
    assert sent[0]["type"] == "websocket.http.response.start"
    assert sent[0]["status"] == 403
    assert b"Forbidden" in sent[1]["body"]
    assert app.paths == []
    assert "AH01630" in (tmp_path / "error.log").read_text()


def test_denied_handshake_without_the_extension_is_closed_before_accept(tmp_path: Path) -> None:
    app = EchoSocket()
    sent = _handshake(_middleware(tmp_path, app), "/private/chat", denial=False)
    assert sent == [{"type": "websocket.close", "code": 1008}]
    assert app.paths == []


def test_basic_auth_and_redirects_apply_to_handshakes(tmp_path: Path) -> None:
    app = EchoSocket()
    mw = _middleware(tmp_path, app)
    sent = _handshake(mw, "/auth/chat")
    assert sent[0]["status"] == 401
    assert (b"www-authenticate", b'Basic realm="ws"') in sent[0]["headers"]
    token = base64.b64encode(b"alice:secret")
    sent = _handshake(mw, "/auth/chat", headers=[(b"authorization", b"Basic " + token)])
    assert sent[0]["type"] == "websocket.accept"
    sent = _handshake(mw, "/old")
    assert sent[0]["status"] == 301
    # The handshake is an HTTP GET: Apache's redirect names the http URL.
    assert (b"location", b"http://localhost/new") in sent[0]["headers"]
    assert app.paths == ["/auth/chat"]

"""103 Early Hints through ASGI's ``http.response.early_hint`` extension (mod_http2):
H2PushResource and H2EarlyHint announce resources on HTTP/2 requests, reaching the
client only with H2EarlyHints on and a server that offers the extension; an app's own
early hints pass under the same rules (HTTP/1.1 passes interim answers, HTTP/1.0 not);
over HTTP/1.x mod_http2 adds nothing."""

from __future__ import annotations

import asyncio
from typing import Any

from apachemw.asgi import Apache

from .conftest import Site

EARLY = "http.response.early_hint"
PUSH = """
<Directory {root}>
    H2PushResource /style.css
    H2PushResource add /app.js critical
    H2EarlyHint Link "</font.woff2>; rel=preload; as=font"
</Directory>
"""


def _scope(version: str, extensions: bool, path: str = "/page.html") -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": version,
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        "extensions": {EARLY: {}} if extensions else {},
    }


def _run(app: Any, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def _links(message: dict[str, Any]) -> list[bytes]:
    return [v for k, v in message["headers"] if k == b"link"]


def _site(site: Site, hints: str) -> Apache:
    site.write("page.html", "<p>page</p>\n")
    extra = PUSH.format(root=site.docroot) + f"H2EarlyHints {hints}\n"
    return Apache(text=site.conf(extra))


EXPECTED = [
    b"</style.css>; rel=preload",
    b"</app.js>; rel=preload; critical",
    b"</font.woff2>; rel=preload; as=font",
]


def test_http2_early_hints_sent_before_the_answer(site: Site) -> None:
    sent = _run(_site(site, "on"), _scope("2", extensions=True))
    assert [m["type"] for m in sent] == [EARLY, "http.response.start", "http.response.body"]
    assert sent[0]["links"] == EXPECTED
    assert sent[1]["status"] == 200
    assert _links(sent[1]) == EXPECTED  # Apache leaves them on the response too


def test_h2earlyhints_off_keeps_only_the_link_headers(site: Site) -> None:
    sent = _run(_site(site, "off"), _scope("2", extensions=True))
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert _links(sent[0]) == EXPECTED


def test_no_extension_no_hint(site: Site) -> None:
    sent = _run(_site(site, "on"), _scope("2", extensions=False))
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]


def test_http11_gets_nothing_from_mod_http2(site: Site) -> None:
    sent = _run(_site(site, "on"), _scope("1.1", extensions=True))
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert _links(sent[0]) == []


class HintingApp:
    """An app that sends its own 103 when the server offers the extension."""

    def __init__(self) -> None:
        self.offered: list[bool] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        offered = EARLY in (scope.get("extensions") or {})
        self.offered.append(offered)
        await send({"type": EARLY, "links": [b"</late.css>; rel=preload"]})
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"app"})


def _app_run(site: Site, version: str, hints: str = "off") -> tuple[list[Any], HintingApp]:
    app = HintingApp()
    middleware = Apache(app, text=site.conf(f"H2EarlyHints {hints}\n"))
    return _run(middleware, _scope(version, extensions=True, path="/api")), app


def test_app_hint_passes_on_http11(site: Site) -> None:
    sent, app = _app_run(site, "1.1")
    assert app.offered == [True]
    assert sent[0] == {"type": EARLY, "links": [b"</late.css>; rel=preload"]}


def test_app_hint_dropped_for_http10(site: Site) -> None:
    sent, app = _app_run(site, "1.0")
    assert app.offered == [False]  # the app is told it cannot
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]


def test_app_hint_over_http2_follows_h2earlyhints(site: Site) -> None:
    sent, app = _app_run(site, "2", "off")
    assert app.offered == [False]
    assert EARLY not in [m["type"] for m in sent]
    sent, app = _app_run(site, "2", "on")
    assert app.offered == [True]
    assert sent[0]["type"] == EARLY

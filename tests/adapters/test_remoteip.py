"""Behind a trusted proxy the wrapped app sees the client mod_remoteip believed, on both
faces (WSGI REMOTE_ADDR, ASGI scope["client"]), and an untrusted peer's header is not
believed."""

from __future__ import annotations

import os

from .conftest import Face, Seen, Site


def _conf(site: Site, proxies: str) -> str:
    return site.conf(f"RemoteIPHeader X-Forwarded-For\nRemoteIPInternalProxy {proxies}\n")


def _client(seen: Seen) -> str:
    """WSGI REMOTE_ADDR or ASGI scope["client"] ("" when the test server gives none)."""
    raw = seen.raw
    if "REMOTE_ADDR" in raw:
        return str(raw["REMOTE_ADDR"])
    return str((raw.get("client") or ("",))[0])


def test_app_sees_the_client_a_trusted_proxy_names(client: Face, site: Site) -> None:
    app = client.echo_app()
    c = client.wrap(app, text=_conf(site, "127.0.0.0/8"))
    r = c.get("/app", headers={"X-Forwarded-For": "203.0.113.9"})
    assert r.status == 200
    assert _client(app.calls[0]) == "203.0.113.9"
    assert site.log_lines()[-1].startswith("203.0.113.9 ")


def test_untrusted_peer_is_not_believed(client: Face, site: Site) -> None:
    app = client.echo_app()
    c = client.wrap(app, text=_conf(site, "10.9.9.9"))
    c.get("/app", headers={"X-Forwarded-For": "203.0.113.9"})
    assert _client(app.calls[0]) != "203.0.113.9"
    assert not site.log_lines()[-1].startswith("203.0.113.9 ")


def test_app_sees_the_header_without_the_hops_used(client: Face, site: Site) -> None:
    """mod_remoteip edits headers_in, which is what a handler reads: the addresses it
    believed are gone, the rest stays; a header wholly used is removed."""
    app = client.echo_app()
    c = client.wrap(app, text=_conf(site, "127.0.0.0/8 10.0.0.0/8"))
    c.get("/app", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9, 10.1.1.1"})
    c.get("/app", headers={"X-Forwarded-For": "203.0.113.9"})
    assert [_forwarded_for(seen) for seen in app.calls] == ["198.51.100.1", None]
    assert _client(app.calls[0]) == "203.0.113.9"


def _forwarded_for(seen: Seen) -> str | None:
    raw = seen.raw
    if "headers" in raw:
        values = [v.decode() for k, v in raw["headers"] if k == b"x-forwarded-for"]
        return values[0] if values else None
    return raw.get("HTTP_X_FORWARDED_FOR")


def test_a_memoised_static_answer_still_believes_the_header(client: Face, site: Site) -> None:
    # A static file answered from the memo for a direct client must not be replayed for
    # a request that names a client in the header: the log shows the believed one.
    path = site.write("a.txt", "one")
    os.utime(path, (1_600_000_000, 1_600_000_000))
    c = client.wrap(text=_conf(site, "127.0.0.0/8"))
    for _ in range(2):
        assert c.get("/a.txt").status == 200
        assert site.log_lines()[-1].startswith("127.0.0.1 ")
    assert c.get("/a.txt", headers={"X-Forwarded-For": "203.0.113.9"}).status == 200
    assert site.log_lines()[-1].startswith("203.0.113.9 ")

"""mod_headers around the wrapped app, on both faces: RequestHeader changes what the app
sees, Header edits the app's answer (onsuccess and always), and an app's error answer is
not Apache's error path (onsuccess lines still apply, as for any handler)."""

from __future__ import annotations

from .conftest import Face, Site

CONF = """
RequestHeader set X-Added "by-apache"
RequestHeader unset X-Secret
Header set X-Frame-Options DENY
Header always set X-Always yes
Header unset X-Powered-By
"""


def test_request_headers_reach_the_app_changed(client: Face, site: Site) -> None:
    app = client.echo_app()
    c = client.wrap(app, text=site.conf(CONF))
    c.get("/api/items", headers={"X-Secret": "hunter2", "X-Kept": "1"})
    (seen,) = app.calls
    raw = seen.raw
    if "HTTP_X_ADDED" in raw:  # WSGI
        assert (raw["HTTP_X_ADDED"], raw["HTTP_X_KEPT"]) == ("by-apache", "1")
        assert "HTTP_X_SECRET" not in raw
    else:
        headers = {k.decode(): v.decode() for k, v in raw["headers"]}
        assert (headers["x-added"], headers["x-kept"]) == ("by-apache", "1")
        assert "x-secret" not in headers


def test_response_headers_of_the_app_are_edited(client: Face, site: Site) -> None:
    c = client.wrap(client.echo_app(), text=site.conf(CONF))
    ok = c.get("/api/items")
    assert (ok.header("X-Frame-Options"), ok.header("X-Always")) == ("DENY", "yes")
    missing = c.get("/api/status/404")
    assert missing.status == 404
    assert (missing.header("X-Frame-Options"), missing.header("X-Always")) == ("DENY", "yes")


def test_early_response_headers_reach_the_apps_answer(client: Face, site: Site) -> None:
    # Header ... early fills headers_out / err_headers_out when the request is read; a
    # handler's answer (the app's) goes out with them, as a proxied answer would.
    early = 'Header set X-Early-Out "out" early\nHeader always set X-Early-Err "err" early\n'
    c = client.wrap(client.echo_app(), text=site.conf(early))
    ok = c.get("/api/items")
    assert (ok.header("X-Early-Out"), ok.header("X-Early-Err")) == ("out", "err")

"""mod_expires applies to the wrapped app's responses as to Apache's own, on both faces,
by the content type the app sends — unless the app set Expires itself or answered an
error."""

from __future__ import annotations

from .conftest import Face, Site

CONF = """
ExpiresActive On
ExpiresByType application/json A60
ExpiresDefault A3600
"""


def test_app_response_gets_expires_by_its_type(client: Face, site: Site) -> None:
    c = client.wrap(client.echo_app(), text=site.conf(CONF))
    r = c.get("/api/items")
    assert r.status == 200
    assert r.header("Content-Type") == "application/json"
    assert r.header("Cache-Control") == "max-age=60"
    assert (
        r.header(
            "Expires",
        )
        is not None
    )


def test_app_errors_get_no_expires(client: Face, site: Site) -> None:
    c = client.wrap(client.echo_app(), text=site.conf(CONF))
    r = c.get("/api/status/404")
    assert r.status == 404
    assert r.header("Expires") is None
    assert r.header("Cache-Control") is None

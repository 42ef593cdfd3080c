"""Variables set by SetEnv and SetEnvIf reach the wrapped app on both faces, as a
handler behind Apache sees them in its environment."""

from __future__ import annotations

from .conftest import Face, Site


def test_setenv_and_setenvif_reach_the_app(client: Face, site: Site) -> None:
    app = client.echo_app()
    extra = 'SetEnv APP_STAGE production\nSetEnvIfNoCase User-Agent "mobile" IS_MOBILE=yes\n'
    c = client.wrap(app, text=site.conf(extra))
    c.get("/app", headers={"User-Agent": "Some Mobile Browser"})
    c.get("/app", headers={"User-Agent": "desktop"})
    first, second = app.calls
    assert (first.env["APP_STAGE"], first.env["IS_MOBILE"]) == ("production", "yes")
    assert second.env["APP_STAGE"] == "production"
    assert "IS_MOBILE" not in second.env

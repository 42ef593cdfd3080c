"""examples/multiviews_site: language negotiation by MultiViews and a type map, over
both adapters, and the README's command on a free port. (These answers were compared
with a live apache2 serving the same httpd.conf: the same status and headers.)"""

from __future__ import annotations

import httpx
import pytest
from adapters.conftest import Client

from apachemw.wsgi import Apache as WSGIApache

from .live import EXAMPLES, load_serve_app, readme_command, serving

CONF = EXAMPLES / "multiviews_site" / "httpd.conf"
NEGOTIATED = "negotiate,accept-language"


@pytest.fixture(params=["wsgi", "asgi"])
def site(request: pytest.FixtureRequest) -> Client:
    if request.param == "asgi":
        return Client("asgi", load_serve_app(readme_command("multiviews_site")))
    return Client("wsgi", WSGIApache(None, config=CONF))


@pytest.mark.parametrize(
    ("path", "accept_language", "variant"),
    [
        ("/", None, "index.html.en"),  # LanguagePriority en fr
        ("/", "fr", "index.html.fr"),
        ("/", "fr;q=0.5, en;q=0.8", "index.html.en"),
        ("/index.html", "fr", "index.html.fr"),
        ("/about", "fr-CA, fr;q=0.9", "about.html.fr"),
        ("/about", "de", "about.html.en"),  # ForceLanguagePriority Fallback
        ("/hours.var", "fr", "hours.fr.html"),  # the type map
        ("/hours.var", None, "hours.en.html"),
    ],
)
def test_negotiated_variant(
    site: Client, path: str, accept_language: str | None, variant: str
) -> None:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    r = site.get(path, headers=headers)
    assert r.status == 200
    assert r.header("Content-Location") == variant
    assert r.header("Content-Language") == ("fr" if ".fr" in variant else "en")
    assert r.header("Vary") == NEGOTIATED
    assert r.header("TCN") == "choice"
    assert r.header("Content-Type") == "text/html; charset=utf-8"
    assert r.body == (CONF.parent / "htdocs" / variant).read_bytes()


def test_a_variant_by_its_own_name_is_not_negotiated(site: Client) -> None:
    r = site.get("/index.html.fr", headers={"Accept-Language": "en"})
    assert (r.status, r.header("Content-Language"), r.header("Vary")) == (200, "fr", None)
    assert "Boulangerie" in r.text


def test_no_variant_is_apaches_404(site: Client) -> None:
    r = site.get("/menu")
    assert r.status == 404
    assert "<title>404 Not Found</title>" in r.text


def test_readme_command() -> None:
    with serving("multiviews_site") as base, httpx.Client(base_url=base) as http:
        fr = http.get("/", headers={"Accept-Language": "fr"})
        assert (fr.status_code, fr.headers["content-language"]) == (200, "fr")
        assert "Boulangerie de la rue Mouffetard" in fr.text
        en = http.get("/about")
        assert (en.headers["content-location"], en.headers["vary"]) == ("about.html.en", NEGOTIATED)

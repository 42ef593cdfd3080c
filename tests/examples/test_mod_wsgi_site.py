"""examples/mod_wsgi_site: an Apache + mod_wsgi configuration served unchanged.

``apachemw serve -f httpd.conf`` loads the WSGIScriptAlias script itself. The answers
are checked on the script's app behind apachemw's WSGI middleware, and on what the
README's command serves (the same, through a2wsgi, as ASGI). Real apache2 accepts the
same file (``apache2 -t``).
"""

from __future__ import annotations

import os
import shutil
import subprocess

import httpx
import pytest
from adapters.conftest import Client

from apachemw.modules.mod_wsgi import load_script
from apachemw.wsgi import Apache as WSGIApache

from .live import EXAMPLES, load_serve_app, readme_command, serving

SITE = EXAMPLES / "mod_wsgi_site"
CONF = SITE / "httpd.conf"
EDITOR = {"Authorization": "Basic ZWRpdG9yOmd1ZXN0Ym9vay1lZGl0b3I="}  # editor:guestbook-editor
MOD_WSGI = "/usr/lib/apache2/modules/mod_wsgi.so"


@pytest.fixture(params=["wsgi", "served"])
def site(request: pytest.FixtureRequest) -> Client:
    """A fresh app per test (entries live in the app's memory)."""
    if request.param == "wsgi":
        return Client(
            "wsgi", WSGIApache(load_script(str(SITE / "wsgi" / "guestbook.wsgi")), config=CONF)
        )
    return Client("asgi", load_serve_app(readme_command("mod_wsgi_site")))


def test_static_pages_and_the_htaccess_404(site: Client) -> None:
    home = site.get("/")
    assert (home.status, home.header("Content-Type")) == (200, "text/html; charset=utf-8")
    assert "Read and sign the" in home.text and home.header("ETag")
    missing = site.get("/nothing-here")
    assert missing.status == 404
    assert "This page is not part of our guestbook" in missing.text  # ErrorDocument


@pytest.mark.parametrize("old", ["/guestbook.php", "/sign.php"])
def test_old_urls_redirect(site: Client, old: str) -> None:
    r = site.get(old)
    assert (r.status, r.header("Location")) == (301, "http://localhost/guestbook/")


def test_the_app_is_mounted_at_the_script_alias(site: Client) -> None:
    page = site.get("/guestbook/")
    assert page.status == 200
    assert "<h1>Our guestbook</h1>" in page.text and "No entries yet." in page.text
    # url_for() builds on SCRIPT_NAME: the form posts to /guestbook/sign.
    assert 'action="/guestbook/sign"' in page.text


def test_the_admin_pages_need_apaches_login(site: Client) -> None:
    refused = site.get("/guestbook/admin/")
    assert refused.status == 401
    assert refused.header("WWW-Authenticate") == 'Basic realm="Guestbook admin"'
    admin = site.get("/guestbook/admin/", headers=EDITOR)
    assert admin.status == 200
    assert "Signed in as editor." in admin.text  # REMOTE_USER, set by Apache


def test_the_private_directory_needs_the_same_login(site: Client) -> None:
    assert site.get("/private/moderation.txt").status == 401
    notes = site.get("/private/moderation.txt", headers=EDITOR)
    assert (notes.status, notes.text.splitlines()[0]) == (200, "Moderation notes")
    assert site.get("/private/.htaccess", headers=EDITOR).status == 403


def test_the_script_and_its_module_are_not_served_as_files(site: Client) -> None:
    assert site.get("/wsgi/guestbook.py").status == 404


def test_readme_command_signs_the_guestbook() -> None:
    argv = readme_command("mod_wsgi_site")
    assert "--app" not in argv  # the configuration names the script
    with serving("mod_wsgi_site") as base, httpx.Client(base_url=base) as http:
        signed = http.post("/guestbook/sign", data={"name": "Ann", "message": "Lovely bread"})
        assert (signed.status_code, signed.headers["location"]) == (303, "/guestbook/")
        page = http.get("/guestbook/")
        assert "<b>Ann</b>: Lovely bread" in page.text
        assert http.get("/sign.php").headers["location"] == f"{base}/guestbook/"
        admin = http.get("/guestbook/admin/", auth=("editor", "guestbook-editor"))
        assert "Signed in as editor." in admin.text and "Lovely bread" in admin.text


APACHE2 = shutil.which("apache2") or (
    "/usr/sbin/apache2" if os.path.exists("/usr/sbin/apache2") else None
)


@pytest.mark.skipif(
    APACHE2 is None or not os.path.exists(MOD_WSGI),
    reason="needs apache2 and Debian's libapache2-mod-wsgi-py3 (.ci/run installs both)",
)
def test_apache2_accepts_the_same_file() -> None:
    assert APACHE2 is not None
    done = subprocess.run(
        [APACHE2, "-t", "-d", str(SITE), "-f", str(CONF)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert "Syntax OK" in done.stderr

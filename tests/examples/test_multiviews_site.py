"""examples/multiviews_site: language negotiation by MultiViews and a type map, over
both adapters; the README's command on a free port; and the same requests to a live
apache2 serving the same httpd.conf, which must answer alike."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import httpx
import pytest
from adapters.conftest import Client
from liveserver import free_port, wait_listening

from apachemw.asgi import Apache as ASGIApache
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


# --- the same answers from a live apache2 ---------------------------------------------

APACHE2 = "/usr/sbin/apache2"
COMPARED = ("content-type", "content-language", "content-location", "vary", "tcn", "etag")
REQUESTS = [
    ("/", ""),
    ("/", "fr"),
    ("/", "de"),
    ("/", "fr;q=0.5, en;q=0.8"),
    ("/index.html", "fr"),
    ("/index.html.fr", "en"),
    ("/about", ""),
    ("/about", "fr-CA, fr;q=0.9"),
    ("/about.html", "de"),
    ("/hours.var", ""),
    ("/hours.var", "fr"),
    ("/hours", "fr"),
    ("/menu", ""),
]


def _copy_for_apache(dest: Path) -> Path:
    """The example in a tree www-data can read, with httpd.conf made runnable on a
    free port by appending/replacing only process-level lines (address, logs, pid)."""
    site = dest / "site"
    shutil.copytree(CONF.parent, site)  # copy2: mtimes kept, so ETags match
    for sub in ("logs", "run"):
        (dest / sub).mkdir()
    for dirpath, _subdirs, filenames in os.walk(dest):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)
    os.chmod(dest, 0o755)
    return site


def _apache_conf(site: Path, port: int) -> str:
    text = CONF.read_text()
    text = re.sub(r"(?m)^Listen .*$", f"Listen 127.0.0.1:{port}", text)
    text = text.replace("ErrorLog /dev/stderr", f"ErrorLog {site.parent}/logs/error.log")
    text = text.replace("CustomLog /dev/stdout", f"CustomLog {site.parent}/logs/access.log")
    return (
        f"ServerRoot {site}\nDefaultRuntimeDir {site.parent}/run\n"
        f"PidFile {site.parent}/run/httpd.pid\nMutex file:{site.parent}/run default\n"
        f"User www-data\nGroup www-data\n{text}"
    )


@pytest.mark.skipif(
    not os.path.exists(APACHE2) or os.geteuid() != 0,
    reason="needs apache2 and root (its children run as www-data)",
)
def test_apachemw_answers_as_live_apache2() -> None:
    dest = Path(tempfile.mkdtemp(prefix="apachemw-multiviews-"))
    try:
        site = _copy_for_apache(dest)
        port = free_port()
        conf = dest / "httpd.conf"
        conf.write_text(_apache_conf(site, port))
        # <Directory htdocs> is relative: apache2 takes it from its working directory.
        proc = subprocess.Popen(
            [APACHE2, "-f", str(conf), "-DFOREGROUND"],
            cwd=site,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_listening(proc, port, timeout=15, name="apache2")
            ours = Client("asgi", ASGIApache(None, config=site / "httpd.conf"))
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as real:
                for path, language in REQUESTS:
                    headers = {"Accept-Language": language} if language else {}
                    theirs = real.get(path, headers=headers)
                    mine = ours.get(path, headers=headers)
                    expected = (theirs.status_code, [theirs.headers.get(h) for h in COMPARED])
                    assert (mine.status, [mine.header(h) for h in COMPARED]) == expected, path
                    assert mine.body == theirs.content, path
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    finally:
        shutil.rmtree(dest)

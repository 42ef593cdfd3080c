"""apachemw's own listing options (mod_apachemw): IndexTheme Modern and IndexFormats JSON.

Neither is an Apache feature, so there is no recording to replay: these tests hold the
options to what they promise (the entries and escaping of the Apache listing, Accept
chosen by q-value, Vary, the memo) and check that with the options off, or inside an
<IfModule apachemw_module> block that Apache skips, nothing about the Apache listing
changes (tests/golden/suites/autoindex.py holds that listing to Apache itself).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from adapters.conftest import Face, Response, Site

from apachemw.config.site import load_site
from apachemw.core.request import Incoming
from apachemw.core.uri_escape import escape_html, escape_uri
from apachemw.defaults import default_config
from apachemw.engine import build_engine
from apachemw.errors import ConfigError
from apachemw.modules.autoindex_modern import human_size
from apachemw.modules.mod_apachemw import prefers_json

APACHE2 = shutil.which("apache2") or (
    "/usr/sbin/apache2" if os.path.exists("/usr/sbin/apache2") else None
)
MODULE_DIR = "/usr/lib/apache2/modules"
OLD = 1_600_000_000  # mtimes outside Apache's one-second weak-ETag window
XSS = "<img src=x onerror=alert(1)>.txt"
JSON = {"Accept": "application/json"}
FILES = {"a b.txt": 5, "small.txt": 100, "five.bin": 5000, "notes.log": 8, XSS: 3}


def _options(theme: str = "", formats: str = "", extra: str = "") -> str:
    body = "".join(
        f"        {line}\n" for line in (theme and f"IndexTheme {theme}", formats) if line
    )
    block = f"    <IfModule apachemw_module>\n{body}    </IfModule>\n" if body else ""
    return block + extra


def _listing_conf(site: Site, options: str, index_options: str = "FancyIndexing") -> str:
    root = site.docroot
    return site.conf(
        f"<Directory {root}>\n    Options Indexes\n    IndexOptions {index_options}\n"
        f'    IndexIgnore *.log\n    AddDescription "Plain <em>text</em>" small.txt\n'
        f"{options}</Directory>\n"
        f"<Directory {root}/files/private>\n    Require all denied\n</Directory>\n"
    )


def _populate(site: Site) -> None:
    for name, size in FILES.items():
        site.write(f"files/{name}", "x" * size)
    site.write("files/sub/inner.txt", "inner")
    site.write("files/private/hidden.txt", "secret")
    for path in (site.docroot / "files").rglob("*"):
        os.utime(path, (OLD, OLD))


def _serve(client: Face, site: Site, options: str, index_options: str = "FancyIndexing") -> Any:
    _populate(site)
    return client.wrap(text=_listing_conf(site, options, index_options))


def _hrefs(page: str) -> list[str]:
    """The entry links of a listing, in order (sort links and breadcrumbs left out)."""
    links = re.findall(r'<a href="([^"]*)"', page)
    return [
        h for h in links if not h.startswith(("?", "/")) and not re.fullmatch(r"\./|(\.\./)+", h)
    ]


# ------------------------------------------------------------------ options off


def test_options_off_leave_the_apache_listing_unchanged(client: Face, site: Site) -> None:
    plain = _serve(client, site, "").get("/files/?C=S;O=D")
    off = client.wrap(text=_listing_conf(site, _options("Apache", "IndexFormats HTML")))
    same = off.get("/files/?C=S;O=D", headers=JSON)
    assert (same.status, same.headers, same.body) == (plain.status, plain.headers, plain.body)
    assert same.header("Vary") is None
    assert same.header("Content-Type") == "text/html;charset=ISO-8859-1"


# ------------------------------------------------------------------ the modern theme


def test_modern_theme_page(client: Face, site: Site) -> None:
    site.write("files/HEADER.html", "<p>Release <b>files</b></p>\n")
    site.write("files/README.txt", "Checksums are in SHA256SUMS & signed.\n")
    extra = "    HeaderName HEADER.html\n    ReadmeName README.txt\n"
    extra += "    IndexIgnore HEADER.html README.txt\n"
    c = _serve(client, site, _options("Modern", extra=extra))
    page = c.get("/files/sub/")
    assert page.status == 200
    assert page.header("Content-Type") == "text/html;charset=UTF-8"
    assert page.header("Content-Length") == str(len(page.body))
    text = page.text
    assert text.startswith("<!DOCTYPE html>\n")
    assert '<meta name="viewport"' in text and "prefers-color-scheme:dark" in text
    assert '<nav class="crumbs"' in text
    assert '<a href="../../">/</a><a href="../">files</a>' in text
    assert '<span aria-current="page">sub</span>' in text
    top = c.get("/files/").text
    assert "<p>Release <b>files</b></p>" in top  # HeaderName, as HTML
    assert "Checksums are in SHA256SUMS &amp; signed." in top  # ReadmeName, as text
    assert '<td class="col-desc">Plain <em>text</em></td>' in top  # AddDescription
    assert f'title="5000 bytes">{human_size(5000)}</td>' in top
    assert 'href="?C=N;O=D">Name<span class="arrow">' in top  # Apache's own sort links
    assert 'href="?C=S;O=A">Size</a>' in top
    assert "notes.log" not in top  # IndexIgnore
    assert "private/" not in top  # Require all denied: hidden, as Apache hides it


def test_modern_theme_keeps_the_apache_order_and_links(client: Face, site: Site) -> None:
    c = _serve(client, site, "")
    apache = c.get("/files/?C=S;O=D").text
    modern_client = client.wrap(text=_listing_conf(site, _options("Modern")))
    modern = modern_client.get("/files/?C=S;O=D").text
    assert _hrefs(modern) == _hrefs(apache)
    sizes = {escape_html(escape_uri(n)): s for n, s in FILES.items() if not n.endswith(".log")}
    files = [h for h in _hrefs(modern) if h in sizes]
    assert files == sorted(sizes, key=lambda h: -sizes[h])


def test_modern_theme_escapes_a_hostile_file_name(client: Face, site: Site) -> None:
    c = _serve(client, site, _options("Modern"))
    page = c.get("/files/").text
    assert XSS not in page
    assert "<img" not in page
    href = escape_html(escape_uri(XSS))
    assert f'<a href="{href}">' in page
    assert f"<span>{escape_html(XSS)}</span>" in page
    apache = client.wrap(text=_listing_conf(site, "")).get("/files/").text
    assert f'<a href="{href}">' in apache  # the very link the Apache listing writes


def test_modern_theme_escapes_a_hostile_directory_in_title_and_breadcrumbs(
    client: Face, site: Site
) -> None:
    hostile = "<svg onload=alert(1)>"
    site.write(f"files/{hostile}/x.txt", "x")
    c = _serve(client, site, _options("Modern"))
    page = c.get(f"/files/{escape_uri(hostile)}/")
    assert page.status == 200
    assert hostile not in page.text
    assert f"<title>Index of /files/{escape_html(hostile)}</title>" in page.text
    assert f'<span aria-current="page">{escape_html(hostile)}</span>' in page.text


def test_modern_theme_honours_suppressed_columns_and_sorting(client: Face, site: Site) -> None:
    c = _serve(client, site, _options("Modern"), "SuppressSize SuppressColumnSorting")
    page = c.get("/files/").text
    assert "col-size" not in page.split("</style>")[1]
    assert "?C=" not in page
    assert '<th class="col-name" aria-sort="ascending">Name</th>' in page


def test_modern_theme_is_inherited_and_reset_below(client: Face, site: Site) -> None:
    reset = f"<Directory {site.docroot}/files/sub>\n    <IfModule apachemw_module>\n"
    reset += "        IndexTheme Apache\n    </IfModule>\n</Directory>\n"
    _populate(site)
    site.write("files/sub/deeper/x.txt", "x")
    c = client.wrap(text=_listing_conf(site, _options("Modern")) + reset)
    assert c.get("/files/").text.startswith("<!DOCTYPE html>\n")
    assert c.get("/files/sub/").text.startswith("<!DOCTYPE HTML PUBLIC")
    assert c.get("/files/sub/deeper/").text.startswith("<!DOCTYPE HTML PUBLIC")


@pytest.mark.parametrize(
    ("size", "shown"),
    [(0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (5000, "4.9 KiB"), (10 << 20, "10 MiB")],
)
def test_human_size(size: int, shown: str) -> None:
    assert human_size(size) == shown


# ------------------------------------------------------------------ JSON


def _json_names(response: Response) -> list[str]:
    return [entry["name"] for entry in response.json()["entries"]]


def test_json_listing_fields(client: Face, site: Site) -> None:
    c = _serve(client, site, _options(formats="IndexFormats HTML JSON"))
    answer = c.get("/files/", headers=JSON)
    assert answer.status == 200
    assert answer.header("Content-Type") == "application/json"
    assert answer.header("Vary") == "Accept"
    document = answer.json()
    assert (document["path"], document["parent"]) == ("/files/", "/")
    assert document["sort"] == {"column": "N", "order": "A"}
    by_name = {entry["name"]: entry for entry in document["entries"]}
    small = site.docroot / "files" / "small.txt"
    assert by_name["small.txt"] == {
        "name": "small.txt",
        "href": "small.txt",
        "type": "file",
        "size": small.stat().st_size,
        "mtime": datetime.fromtimestamp(OLD, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "mtime_epoch": OLD,
        "content_type": "text/plain",
        "description": "Plain <em>text</em>",
    }
    sub = by_name["sub"]
    assert (sub["type"], sub["href"], sub["size"], sub["content_type"]) == (
        "directory",
        "sub/",
        None,
        None,
    )


def test_json_lists_what_the_html_lists_in_its_order(client: Face, site: Site) -> None:
    c = _serve(client, site, _options(formats="IndexFormats HTML JSON"), "FancyIndexing")
    for query in ("", "?C=S;O=D", "?C=N;O=D", "?C=M;O=A", "?P=*.txt"):
        page = c.get(f"/files/{query}").text
        listed = c.get(f"/files/{query}", headers=JSON).json()["entries"]
        assert [escape_html(entry["href"]) for entry in listed] == _hrefs(page), query


def test_json_folders_first_and_modern_order(client: Face, site: Site) -> None:
    c = _serve(
        client,
        site,
        _options("Modern", "IndexFormats HTML JSON"),
        "FancyIndexing FoldersFirst",
    )
    names = _json_names(c.get("/files/?C=S;O=A", headers=JSON))
    assert names[0] == "sub"
    sizes = {n: s for n, s in FILES.items() if not n.endswith(".log")}
    assert names[1:] == sorted(sizes, key=lambda n: (sizes[n], n))
    page = c.get("/files/?C=S;O=A").text
    assert [escape_html(escape_uri(n)) for n in names[1:]] == _hrefs(page)[1:]


def test_json_escapes_a_hostile_file_name(client: Face, site: Site) -> None:
    c = _serve(client, site, _options(formats="IndexFormats HTML JSON"))
    answer = c.get("/files/", headers=JSON)
    assert b"<" not in answer.body and b">" not in answer.body
    (entry,) = [e for e in answer.json()["entries"] if e["name"] == XSS]
    assert entry["href"] == escape_uri(XSS)


def test_json_leaves_out_hidden_entries_and_shows_forbidden_ones(client: Face, site: Site) -> None:
    formats = _options(formats="IndexFormats HTML JSON")
    hidden = _serve(client, site, formats)
    names = _json_names(hidden.get("/files/", headers=JSON))
    assert "private" not in names and "notes.log" not in names
    shown = client.wrap(text=_listing_conf(site, formats, "FancyIndexing ShowForbidden"))
    assert "private" in _json_names(shown.get("/files/", headers=JSON))


@pytest.mark.parametrize(
    ("accept", "json"),
    [
        (None, False),
        ("application/json", True),
        ("application/json;q=0.5, text/html", False),
        ("text/html;q=0.5, application/json", True),
        ("text/html, application/json", False),  # a tie keeps HTML
        ("*/*", False),
        ("application/*", True),
        ("text/*;q=0.2, */*;q=0.9", True),
        ("application/json;q=0, */*", False),
        ("application/json;q=bogus", False),
        ("image/png", False),
    ],
)
def test_accept_decides_by_q_value(accept: str | None, json: bool) -> None:
    assert prefers_json(accept) is json


def test_accept_q_values_over_the_wire(client: Face, site: Site) -> None:
    c = _serve(client, site, _options(formats="IndexFormats HTML JSON"))
    html = c.get("/files/", headers={"Accept": "application/json;q=0.5, text/html"})
    assert html.header("Content-Type") == "text/html;charset=ISO-8859-1"
    assert html.header("Vary") == "Accept"
    json = c.get("/files/", headers={"Accept": "text/html;q=0.5, application/json"})
    assert json.header("Content-Type") == "application/json"


def test_head_gets_the_chosen_headers_and_no_body(client: Face, site: Site) -> None:
    c = _serve(client, site, _options(formats="IndexFormats HTML JSON"))
    json = c.head("/files/", headers=JSON)
    assert (json.status, json.body) == (200, b"")
    assert (json.header("Content-Type"), json.header("Vary")) == ("application/json", "Accept")
    html = c.head("/files/")
    assert (html.header("Content-Type"), html.header("Vary")) == (
        "text/html;charset=ISO-8859-1",
        "Accept",
    )


def test_json_has_its_own_etag(client: Face, site: Site) -> None:
    c = _serve(client, site, _options(formats="IndexFormats HTML JSON"), "TrackModified")
    html, json = c.get("/files/"), c.get("/files/", headers=JSON)
    assert html.header("ETag") and json.header("ETag")
    assert html.header("ETag") != json.header("ETag")


def test_memo_never_crosses_formats(tmp_path: Path) -> None:
    for name, size in FILES.items():
        (tmp_path / name).write_text("x" * size)
        os.utime(tmp_path / name, (OLD, OLD))
    os.utime(tmp_path, (OLD, OLD))
    engine = build_engine(
        text=default_config(str(tmp_path), index_theme="modern", index_formats=("html", "json"))
    )
    host = ("host", "localhost")
    asks = [[host, ("accept", "application/json")], [host, ("accept", "text/html")]] * 3
    for headers in asks:
        outcome = engine.handle(Incoming(method="GET", target=b"/", headers=headers))
        wanted = "application/json" if ("accept", "application/json") in headers else "text/html"
        assert dict(outcome.headers)["Content-Type"].startswith(wanted)
    assert not engine.memo._entries


# ------------------------------------------------------------------ configuration


def test_htaccess_sets_the_options_under_allowoverride_indexes(client: Face, site: Site) -> None:
    _populate(site)
    site.write("files/.htaccess", "IndexTheme Modern\nIndexFormats HTML JSON\n")
    files = f"<Directory {site.docroot}/files>\n    Options Indexes\n</Directory>\n"
    allowed = client.wrap(text=site.conf(files, override="Indexes"))
    assert allowed.get("/files/").text.startswith("<!DOCTYPE html>\n")
    assert allowed.get("/files/", headers=JSON).header("Content-Type") == "application/json"
    refused = client.wrap(text=site.conf(files, override="FileInfo"))
    assert refused.get("/files/").status == 500
    assert any("IndexTheme not allowed here" in line for line in site.log_lines("error"))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("IndexTheme Fancy", "IndexTheme must be 'Apache' or 'Modern', not 'Fancy'"),
        ("IndexTheme", "IndexTheme takes one argument"),
        ("IndexFormats JSON", "IndexFormats must include 'HTML'"),
        ("IndexFormats HTML XML", "IndexFormats takes 'HTML' and 'JSON', not 'XML'"),
    ],
)
def test_bad_values_refuse_to_start(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "httpd.conf"
    path.write_text(
        f"<Directory /tmp>\n<IfModule apachemw_module>\n{line}\n</IfModule>\n</Directory>\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_site(str(path))
    error = caught.value
    assert (error.file, error.line, error.directive) == (str(path), 3, line.split()[0])
    assert error.message.startswith(message)
    assert f"line 3 of {path}" in str(error)


@pytest.mark.skipif(APACHE2 is None, reason="apache2 is not installed")
def test_apache2_accepts_a_config_using_the_options(tmp_path: Path) -> None:
    root = tmp_path
    loads = "".join(
        f"LoadModule {m}_module {MODULE_DIR}/mod_{m}.so\n"
        for m in ("mpm_event", "authz_core", "autoindex")
    )
    body = (
        f"ServerRoot {root}\nServerName localhost\nPidFile {root}/httpd.pid\n"
        f"Mutex file:{root} default\nErrorLog {root}/error.log\n{loads}"
        f"<Directory {root}>\n    Options Indexes\n    IndexOptions FancyIndexing\n"
        f"{_options('Modern', 'IndexFormats HTML JSON')}</Directory>\n"
        "<IfModule mod_apachemw.c>\n    <Directory /tmp>\n        IndexTheme Modern\n"
        "    </Directory>\n</IfModule>\n"
    )
    path = root / "httpd.conf"
    path.write_text(body)
    assert APACHE2 is not None
    done = subprocess.run(
        [APACHE2, "-d", str(root), "-f", str(path), "-t"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert done.returncode == 0 and "Syntax OK" in done.stderr, done.stderr
    # apachemw reads the same file and takes the options in.
    site = load_site(str(path))
    (section,) = [s for s in site.main.dir_sections if s.pattern.rstrip("/") == str(root)]
    conf = section.conf["mod_apachemw"]
    assert (conf.index_theme, conf.index_formats) == ("modern", frozenset({"html", "json"}))


def test_default_config_offers_the_options(tmp_path: Path) -> None:
    plain = default_config(str(tmp_path))
    assert "apachemw_module" not in plain
    themed = default_config(str(tmp_path), index_theme="modern", index_formats=("html", "json"))
    assert "<IfModule apachemw_module>" in themed
    site = load_site(text=themed, all_modules=True)
    (section,) = [s for s in site.main.dir_sections if "mod_apachemw" in s.conf]
    conf = section.conf["mod_apachemw"]
    assert (conf.index_theme, conf.index_formats) == ("modern", frozenset({"html", "json"}))

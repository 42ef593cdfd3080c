"""The examples, started the way their READMEs say, on a free port.

The command is read from each example's README, so the documented line is the one
tested. Each server runs in a subprocess and is stopped by its pid.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from liveserver import free_port, stop, wait_listening

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def readme_command(example: str) -> list[str]:
    """The ``python -m apachemw serve ...`` line of an example's README."""
    text = (EXAMPLES / example / "README.md").read_text()
    match = re.search(r"^python -m apachemw serve .*$", text, re.MULTILINE)
    assert match, f"no serve command in examples/{example}/README.md"
    return shlex.split(match.group(0))


@contextmanager
def serving(argv: list[str], port: int) -> Iterator[str]:
    proc = subprocess.Popen(
        argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_listening(proc, port, timeout=15)
        yield base
    finally:
        stop(proc)
        if proc.stderr is not None:
            proc.stderr.close()


def test_static_site_example() -> None:
    argv = readme_command("static_site")
    assert argv[:4] == ["python", "-m", "apachemw", "serve"]
    assert argv[argv.index("--port") + 1] == "8000"
    port = free_port()
    argv[0] = sys.executable
    argv[argv.index("--port") + 1] = str(port)
    with serving(argv, port) as base, httpx.Client(base_url=base) as http:
        home = http.get("/")
        assert home.status_code == 200
        assert "apachemw static site" in home.text
        assert home.headers["etag"] and home.headers["last-modified"]
        css = http.get("/css/site.css")
        assert css.headers["content-type"] == "text/css"
        again = http.get("/css/site.css", headers={"If-None-Match": css.headers["etag"]})
        assert again.status_code == 304
        about = http.get("/about")
        assert about.status_code == 301
        assert about.headers["location"] == f"{base}/about/"
        assert "found by DirectoryIndex" in http.get("/about/").text
        missing = http.get("/nothing-here")
        assert missing.status_code == 404
        assert "This site's own 404 page" in missing.text


def test_embedded_example() -> None:
    port = free_port()
    argv = [sys.executable, "-m", "apachemw", "serve", "--port", str(port)]
    with serving(argv, port) as base, httpx.Client(base_url=base) as http:
        home = http.get("/")
        assert home.status_code == 200
        assert home.headers["etag"]
        docs = http.get("/docs")
        assert docs.status_code == 301
        assert docs.headers["location"] == f"{base}/docs/"
        assert http.get("/private/secret.txt").status_code == 403
        listing = http.get("/files/?C=S;O=D")
        assert listing.status_code == 200
        assert listing.headers["content-type"] == "text/html;charset=UTF-8"
        assert '<a href="table.csv">table.csv</a>' in listing.text
        assert "Comma-separated values" in listing.text
        assert "Files offered for download." in listing.text  # the ReadmeName file
        assert "README.txt</a>" not in listing.text  # IndexIgnore
        assert '<img src="/icons/folder.png" alt="[DIR]" width="20" height="22">' in listing.text
        reports = http.get("/files/reports/")  # apachemw's own IndexTheme Modern
        assert reports.text.startswith("<!DOCTYPE html>\n") and "q3.txt" in reports.text
        as_json = http.get("/files/reports/", headers={"Accept": "application/json"})
        assert [e["name"] for e in as_json.json()["entries"]] == ["q3.txt"]
        assert listing.headers.get("vary") is None  # /files/ itself stays Apache's own
        icon = http.get("/icons/folder.png")
        assert (icon.status_code, icon.headers["content-type"]) == (200, "image/png")
        assert icon.content.startswith(b"\x89PNG")
        hello = http.get("/app/hello?x=1")
        assert hello.status_code == 200
        assert hello.headers["content-type"] == "application/json"
        data = hello.json()
        assert (data["path"], data["query_string"]) == ("/app/hello", "x=1")

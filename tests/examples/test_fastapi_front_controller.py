"""examples/fastapi_front_controller: the front controller hands what is neither file
nor directory to FastAPI; the download area is Apache's listing. Loaded as the README's
uvicorn command loads it (``releases:app``), and the command itself on a free port."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import httpx
import pytest

from .live import EXAMPLES, load_uvicorn_app, readme_command, serving

DOWNLOADS = EXAMPLES / "fastapi_front_controller" / "htdocs" / "downloads"


@pytest.fixture(scope="module")
def app() -> Any:
    return load_uvicorn_app(readme_command("fastapi_front_controller"))


def _get(app: Any, path: str, **headers: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            return await c.get(path, headers=headers)

    return asyncio.run(go())


def _release(version: str) -> dict[str, Any]:
    data = (DOWNLOADS / f"NOTES-{version}.txt").read_bytes()
    return {
        "version": version,
        "notes": f"/downloads/NOTES-{version}.txt",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def test_the_front_page_is_a_file(app: Any) -> None:
    r = _get(app, "/")
    assert (r.status_code, r.headers["content-type"]) == (200, "text/html")
    assert "<h1>Tide tables</h1>" in r.text and r.headers["etag"]


def test_api_routes_reach_fastapi(app: Any) -> None:
    assert _get(app, "/api/releases").json() == [_release("1.0"), _release("1.1")]
    assert _get(app, "/api/releases/latest").json() == _release("1.1")
    assert _get(app, "/api/releases/1.0").json() == _release("1.0")
    missing = _get(app, "/api/releases/9.9")
    assert (missing.status_code, missing.json()) == (404, {"detail": "no release 9.9"})
    docs = _get(app, "/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_unknown_paths_get_fastapis_404(app: Any) -> None:
    r = _get(app, "/nowhere")
    assert (r.status_code, r.json()) == (404, {"detail": "Not Found"})


def test_the_download_area_is_apaches_listing(app: Any) -> None:
    listing = _get(app, "/downloads/")
    assert listing.status_code == 200
    assert listing.headers["content-type"] == "text/html;charset=UTF-8"
    assert listing.text.startswith("<!DOCTYPE html>")  # IndexTheme Modern
    assert "Index of /downloads" in listing.text
    assert "NOTES-1.1.txt" in listing.text and "Release notes" in listing.text
    assert "Release notes and sample data of the tide tables." in listing.text  # HEADER.html
    as_json = _get(app, "/downloads/", accept="application/json")
    assert as_json.headers["content-type"].startswith("application/json")
    names = [entry["name"] for entry in as_json.json()["entries"]]
    assert names == ["tides-1.1-sample.csv", "NOTES-1.1.txt", "NOTES-1.0.txt"]  # Descending
    assert _get(app, "/downloads").headers["location"] == "http://localhost/downloads/"


def test_files_in_the_download_area(app: Any) -> None:
    notes = _get(app, "/downloads/NOTES-1.1.txt")
    assert (notes.status_code, notes.headers["content-type"]) == (200, "text/plain")
    assert notes.content == (DOWNLOADS / "NOTES-1.1.txt").read_bytes()
    # Outside the front controller: Apache's own 404, not FastAPI's JSON.
    missing = _get(app, "/downloads/NOTES-9.txt")
    assert missing.status_code == 404
    assert "<title>404 Not Found</title>" in missing.text


def test_readme_command() -> None:
    with serving("fastapi_front_controller") as base, httpx.Client(base_url=base) as http:
        assert http.get("/api/releases/latest").json() == _release("1.1")
        listing = http.get("/downloads/", headers={"Accept": "application/json"})
        assert "NOTES-1.0.txt" in [entry["name"] for entry in listing.json()["entries"]]
        assert http.get("/downloads/NOTES-9.txt").status_code == 404

"""The tide tables' release API: FastAPI behind apachemw's front controller.

The releases are read from the download area Apache lists (``htdocs/downloads``): one
``NOTES-<version>.txt`` per release, published with its size and SHA-256. apachemw is
a middleware of the app (``httpd.conf`` next to this file); see README.md.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from apachemw.contrib.starlette import middleware

HERE = Path(__file__).resolve().parent
DOWNLOADS = HERE / "htdocs" / "downloads"
NOTES = re.compile(r"NOTES-(\d+(?:\.\d+)*)\.txt")


class Release(BaseModel):
    version: str
    notes: str
    size: int
    sha256: str


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def find_releases() -> list[Release]:
    """Every release in the download area, oldest first."""
    found = []
    for path in DOWNLOADS.iterdir():
        match = NOTES.fullmatch(path.name)
        if match is None:
            continue
        data = path.read_bytes()
        found.append(
            Release(
                version=match.group(1),
                notes=f"/downloads/{path.name}",
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            )
        )
    return sorted(found, key=lambda release: _version_key(release.version))


# middleware() reads httpd.conf now, so a mistake in it stops the import.
app = FastAPI(title="Tide tables", middleware=[middleware(config=HERE / "httpd.conf")])


@app.get("/api/releases")
def list_releases() -> list[Release]:
    return find_releases()


@app.get("/api/releases/latest")
def latest_release() -> Release:
    releases = find_releases()
    if not releases:
        raise HTTPException(404, "no release yet")
    return releases[-1]


@app.get("/api/releases/{version}")
def one_release(version: str) -> Release:
    for release in find_releases():
        if release.version == version:
            return release
    raise HTTPException(404, f"no release {version}")

"""A file that changes between the moment it was found and the moment it is sent.

Apache's default_handler opens the file before anything goes out and answers 403
(AH00132) when it cannot; apachemw's adapters open it before the status too
(core.filecache.open_body, Engine.refuse_file). Each test changes the file right after
the core decided (a wrapped ``Engine.handle``), on both faces, for a small file (read
whole) and a large one (streamed). security.md S06, S08, S10.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Client, Face, Site

SIZES = {"small": 300, "large": 300_000}  # below and above the in-memory limit (64 KB)


def _content(size: int, tag: str) -> bytes:
    return (tag.encode() * size)[:size]


def _after_decision(c: Client, change: Callable[[], None]) -> None:
    """Run ``change`` once, right after the next decision."""
    engine = c.app.engine
    decide = engine.handle
    done: list[bool] = []

    def handle(incoming: object) -> object:
        outcome = decide(incoming)
        if not done:
            done.append(True)
            change()
        return outcome

    engine.handle = handle


@pytest.mark.parametrize("size", SIZES)
def test_a_file_removed_after_it_was_found_gets_apaches_403(
    client: Face, site: Site, size: str
) -> None:
    path = site.write("gone.bin", _content(SIZES[size], f"removed-{size}-{client.name}"))
    c = client.wrap(text=site.conf())
    _after_decision(c, path.unlink)
    r = c.get("/gone.bin")
    assert r.status == 403
    assert b"You don't have permission to access this resource." in r.body
    assert r.header("ETag") is None and r.header("Last-Modified") is None
    errors = site.log_lines("error")
    assert any(
        "(2)No such file or directory" in line
        and f"AH00132: file permissions deny server access: {path}" in line
        for line in errors
    ), errors
    assert " 403 " in site.log_lines()[-1]


@pytest.mark.parametrize("size", SIZES)
def test_a_symlink_swapped_in_is_not_followed_without_followsymlinks(
    client: Face, site: Site, size: str
) -> None:
    secret = site.tmp / "secret.txt"
    secret.write_text("outside the document root\n")
    path = site.write("a.bin", _content(SIZES[size], f"symlink-{size}-{client.name}"))
    conf = site.conf(f"<Directory {site.docroot}>\n    Options -FollowSymLinks\n</Directory>")
    c = client.wrap(text=conf)

    def swap() -> None:
        path.unlink()
        os.symlink(secret, path)

    _after_decision(c, swap)
    r = c.get("/a.bin")
    assert r.status == 403
    assert b"outside the document root" not in r.body
    # Without the race the walk refuses the link itself, as Apache does.
    assert c.get("/a.bin").status == 403


@pytest.mark.parametrize("size", SIZES)
def test_a_file_that_grew_is_sent_as_announced(client: Face, site: Site, size: str) -> None:
    original = _content(SIZES[size], f"grew-{size}-{client.name}")
    path = site.write("grow.bin", original)
    c = client.wrap(text=site.conf())

    def grow() -> None:
        with open(path, "ab") as handle:
            handle.write(b"appended after the answer was made")

    _after_decision(c, grow)
    r = c.get("/grow.bin")
    assert r.status == 200
    assert r.header("Content-Length") == str(len(original))
    assert r.body == original


def test_a_fifo_swapped_in_does_not_hang(client: Face, site: Site, tmp_path: Path) -> None:
    path = site.write("pipe.bin", _content(SIZES["large"], f"fifo-{client.name}"))
    c = client.wrap(text=site.conf())

    def swap() -> None:
        path.unlink()
        os.mkfifo(path)

    _after_decision(c, swap)
    assert c.get("/pipe.bin").status == 403

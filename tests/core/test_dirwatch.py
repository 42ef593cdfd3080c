"""inotify-backed directory watching for the static-answer memo (apachemw.core.dirwatch)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from apachemw.core.dirwatch import DirWatcher, watcher

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify: Linux")


def _watched(tmp_path: Path) -> tuple[DirWatcher, int]:
    w = DirWatcher()
    assert w.available
    assert w.watch({str(tmp_path)})
    return w, w.generation()


def test_reading_does_not_change_the_generation(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    w, gen = _watched(tmp_path)
    assert (tmp_path / "f").read_text() == "x"
    os.stat(tmp_path / "f")
    assert w.generation() == gen


@pytest.mark.parametrize("change", ["create", "modify", "chmod", "delete", "rename", "mkdir"])
def test_each_kind_of_change_bumps_the_generation(tmp_path: Path, change: str) -> None:
    target = tmp_path / "f"
    target.write_text("x")
    w, gen = _watched(tmp_path)
    if change == "create":
        (tmp_path / "new").write_text("y")
    elif change == "modify":
        with open(target, "a") as fh:
            fh.write("more")
    elif change == "chmod":
        target.chmod(0o600)
    elif change == "delete":
        target.unlink()
    elif change == "rename":
        target.rename(tmp_path / "g")
    else:
        (tmp_path / "d").mkdir()
    assert w.generation() > gen


def test_a_removed_directory_can_be_watched_again(tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    w = DirWatcher()
    assert w.watch({str(sub)})
    gen = w.generation()
    sub.rmdir()
    assert w.generation() > gen
    sub.mkdir()
    assert w.watch({str(sub)})
    gen = w.generation()
    (sub / "f").write_text("x")
    assert w.generation() > gen


def test_a_missing_directory_cannot_be_watched(tmp_path: Path) -> None:
    assert not DirWatcher().watch({str(tmp_path / "absent")})


def test_a_forked_child_gets_its_own_watcher() -> None:
    parent = watcher()
    assert watcher() is parent
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report whether it got a different watcher, then leave
        os.close(read)
        os.write(write, b"1" if watcher() is not parent else b"0")
        os._exit(0)
    os.close(write)
    answer = os.read(read, 1)
    os.close(read)
    os.waitpid(pid, 0)
    assert answer == b"1"

"""What both DBM readers refuse (through dbmcache.ParsedFiles), and that a parse is reused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from apachemw.core.parsedfiles import ParsedFiles
from apachemw.modules.mod_rewrite.bdb import BdbError, bdb_fetch
from apachemw.modules.mod_rewrite.gdbm import GdbmError, gdbm_fetch

Fetch = Callable[[str, bytes], "bytes | None"]
READERS = [(bdb_fetch, BdbError), (gdbm_fetch, GdbmError)]
BAD = {
    "empty": b"",
    "zeros": b"\0" * 100,
    "text": b"x" * 8192,
    "bdb-bad-version": b"\0" * 12 + b"\x61\x15\x06\x00" + b"\0" * 4096,
    "gdbm-32-bit": b"\xcd\x9a\x57\x13" + b"\0" * 60,
}


@pytest.mark.parametrize(("fetch", "error"), READERS, ids=["bdb", "gdbm"])
@pytest.mark.parametrize("content", list(BAD.values()), ids=list(BAD))
def test_files_that_are_not_databases_are_refused(
    tmp_path: Path, fetch: Fetch, error: type[Exception], content: bytes
) -> None:
    path = tmp_path / "bad"
    path.write_bytes(content)
    with pytest.raises(error):
        fetch(str(path), b"k")


@pytest.mark.parametrize(("fetch", "error"), READERS, ids=["bdb", "gdbm"])
def test_a_missing_file_is_refused_with_its_path(
    tmp_path: Path, fetch: Fetch, error: type[Exception]
) -> None:
    with pytest.raises(error, match="absent"):
        fetch(str(tmp_path / "absent"), b"k")


def test_a_parse_is_reused_until_the_file_changes(tmp_path: Path) -> None:
    calls: list[bytes] = []

    def parse(_path: str, data: bytes) -> dict[bytes, bytes]:
        calls.append(data)
        return {b"k": data}

    files = ParsedFiles(parse, ValueError, size=1)
    path = tmp_path / "f"
    path.write_bytes(b"one")
    assert files.load(str(path)) == {b"k": b"one"}
    assert files.load(str(path)) == {b"k": b"one"}
    assert calls == [b"one"]
    path.write_bytes(b"three")  # another size: parsed again
    assert files.load(str(path)) == {b"k": b"three"}
    assert calls == [b"one", b"three"]

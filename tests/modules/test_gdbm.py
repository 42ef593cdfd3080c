"""The GNU dbm reader behind ``RewriteMap dbm=gdbm:`` (apachemw.modules.mod_rewrite.gdbm).

Databases are written by httxt2dbm -f GDBM, the tool Apache users run; the same source
written as Berkeley DB must read back the same pairs.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from apachemw.modules.mod_rewrite.bdb import bdb_items
from apachemw.modules.mod_rewrite.gdbm import GdbmError, gdbm_fetch, gdbm_items

HTTXT2DBM = shutil.which("httxt2dbm")


def _build(tmp_path: Path, lines: list[str], kind: str = "GDBM") -> Path:
    assert HTTXT2DBM is not None, "httxt2dbm (apache2-utils) is needed; .ci/run installs it"
    src = tmp_path / "map.txt"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / f"map.{kind.lower()}"
    subprocess.run([HTTXT2DBM, "-f", kind, "-i", str(src), "-o", str(out)], check=True)
    return out


def test_many_keys_across_split_buckets_match_the_berkeley_db_copy(tmp_path: Path) -> None:
    rng = random.Random(11)
    lines = [f"key{i}-{rng.randrange(10**9)} value{i}" for i in range(5000)]
    lines += ["dup first", "dup last", "caf\u00e9 \u00e9t\u00e9", "long " + "v" * 900]
    gdbm = gdbm_items(str(_build(tmp_path, lines)))
    assert len(gdbm) == 5003
    assert gdbm == bdb_items(str(_build(tmp_path, lines, "DB")))
    assert gdbm[b"dup"] == b"last"
    assert gdbm["caf\u00e9".encode()] == "\u00e9t\u00e9".encode()


def test_fetch_and_a_changed_file(tmp_path: Path) -> None:
    path = _build(tmp_path, ["k old"])
    assert gdbm_fetch(str(path), b"k") == b"old"
    assert gdbm_fetch(str(path), b"absent") is None
    path = _build(tmp_path, ["k new", "other x"])
    assert gdbm_fetch(str(path), b"k") == b"new"


def test_a_directory_pointing_outside_the_file_is_refused(tmp_path: Path) -> None:
    path = _build(tmp_path, ["k v"])
    data = bytearray(path.read_bytes())
    (directory,) = memoryview(data)[8:16].cast("q")
    data[directory : directory + 8] = (len(data) + 4096).to_bytes(8, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(GdbmError):
        gdbm_fetch(str(path), b"k")

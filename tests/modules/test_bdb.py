"""The Berkeley DB hash reader behind ``RewriteMap dbm:`` (apachemw.modules.mod_rewrite.bdb).

Databases are written by the real tools: httxt2dbm (what Apache users run) and
db5.3_load, whose long records land on overflow pages that httxt2dbm never writes.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from apachemw.modules.mod_rewrite.bdb import BdbError, bdb_fetch, bdb_items

HTTXT2DBM = shutil.which("httxt2dbm")
DB_LOAD = shutil.which("db5.3_load") or shutil.which("db_load")


def _httxt2dbm(tmp_path: Path, lines: list[str]) -> Path:
    assert HTTXT2DBM is not None, "httxt2dbm (apache2-utils) is needed; .ci/run installs it"
    src = tmp_path / "map.txt"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "map.db"
    subprocess.run([HTTXT2DBM, "-f", "DB", "-i", str(src), "-o", str(out)], check=True)
    return out


def test_many_keys_across_split_buckets(tmp_path: Path) -> None:
    rng = random.Random(7)
    expected = {f"key{i}-{rng.randrange(10**9)}": f"value{i}" for i in range(5000)}
    path = _httxt2dbm(tmp_path, [f"{k} {v}" for k, v in expected.items()])
    got = bdb_items(str(path))
    assert got == {k.encode(): v.encode() for k, v in expected.items()}
    assert bdb_fetch(str(path), b"key-absent") is None


def test_last_duplicate_wins_and_bytes_are_kept(tmp_path: Path) -> None:
    path = _httxt2dbm(tmp_path, ["dup first", "dup second", "caf\u00e9 \u00e9t\u00e9"])
    assert bdb_fetch(str(path), b"dup") == b"second"
    assert bdb_fetch(str(path), "caf\u00e9".encode()) == "\u00e9t\u00e9".encode()


def test_overflow_pages_hold_long_keys_and_values(tmp_path: Path) -> None:
    assert DB_LOAD is not None, "db5.3_load (db5.3-util) is needed; .ci/run installs it"
    pairs = {f"k{i}".encode(): b"y" * (5000 + 37 * i) for i in range(40)}
    pairs[b"long" * 900] = b"short"
    dump = tmp_path / "pairs.txt"
    dump.write_bytes(b"".join(k + b"\n" + v + b"\n" for k, v in pairs.items()))
    out = tmp_path / "ov.db"
    subprocess.run([DB_LOAD, "-T", "-t", "hash", "-f", str(dump), str(out)], check=True)
    data = out.read_bytes()
    assert any(data[p * 4096 + 25] == 7 for p in range(1, len(data) // 4096))  # overflow pages
    assert bdb_items(str(out)) == pairs


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    path = _httxt2dbm(tmp_path, ["k old"])
    assert bdb_fetch(str(path), b"k") == b"old"
    path = _httxt2dbm(tmp_path, ["k new", "other x"])
    assert bdb_fetch(str(path), b"k") == b"new"


def test_a_corrupt_page_is_refused_not_misread(tmp_path: Path) -> None:
    path = _httxt2dbm(tmp_path, [f"k{i} v{i}" for i in range(500)])
    data = path.read_bytes()
    # Corrupt one hash page's first item offset so that it points past the page end.
    page = next(p for p in range(1, len(data) // 4096) if data[p * 4096 + 25] == 13)
    broken = bytearray(data)
    broken[page * 4096 + 26 : page * 4096 + 28] = (5000).to_bytes(2, "little")
    path.write_bytes(bytes(broken))
    with pytest.raises(BdbError):
        bdb_fetch(str(path), b"k1")

"""RewriteMap types (apachemw.modules.mod_rewrite.maps) and the sdbm reader behind dbm=sdbm.

Expected values marked "recorded" come from Apache 2.4.71's answers in
tests/golden/recorded/rewrite_maps.json for the map files in tests/golden/sites/rewrite_maps;
those marked "live" were checked against apache2 by hand (apache2 -t for config errors).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from apachemw.modules.mod_rewrite import maps
from apachemw.modules.mod_rewrite.maps import MapError, RewriteMap, close_all, parse_map
from apachemw.modules.mod_rewrite.sdbm import sdbm_fetch, sdbm_hash, sdbm_items

SITE = Path(__file__).resolve().parents[1] / "golden" / "sites" / "rewrite_maps"
HTTXT2DBM = shutil.which("httxt2dbm")
needs_httxt2dbm = pytest.mark.skipif(HTTXT2DBM is None, reason="httxt2dbm (apache2-utils) missing")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the suite's site, prepared as its prepare() does (map.sh executable)."""
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    (site / "bin" / "map.sh").chmod(0o755)
    return site


@pytest.fixture(autouse=True)
def _stop_programs() -> Iterator[None]:
    yield None
    close_all()


def build_sdbm(src: Path, out: Path) -> None:
    """What the suite's prepare() runs: httxt2dbm -f SDBM -i map.txt -o map.sdbm."""
    assert HTTXT2DBM is not None
    cmd = [HTTXT2DBM, "-f", "SDBM", "-i", str(src), "-o", str(out)]
    subprocess.run(cmd, check=True, capture_output=True)


def write_script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


def bump_mtime(path: Path, seconds: int) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + seconds * 1_000_000_000))


# ------------------------------------------------------------------------------ txt


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("alpha", "one"),  # recorded txt-hit
        ("beta", "two"),  # recorded txt-tab: tab-separated, extra field ignored
        ("gamma", None),  # recorded txt-case: keys are case-sensitive
        ("Gamma", "three"),  # recorded txt-case-exact
        ("dup", "first"),  # recorded txt-dup: first line wins
        ("a/b", "slash"),  # recorded txt-slash
        ("café", "accent"),  # recorded txt-utf8
        ("indented", None),  # recorded txt-indented: indented lines are skipped
        ("empty", None),  # recorded txt-novalue
        ("#", None),  # recorded txt-comment
        ("nope", None),  # recorded txt-miss
        ("", None),  # recorded txt-empty-key
        ("target", "b"),  # recorded txtfile-hit serves /b.txt
    ],
)
def test_txt_recorded(root: Path, key: str, value: str | None) -> None:
    m = parse_map("txt", f"txt:{root}/maps/map.txt", str(root))
    assert (m.name, m.kind, m.source) == ("txt", "txt", f"{root}/maps/map.txt")
    assert m.lookup(key) == value


def test_txt_line_rules(tmp_path: Path) -> None:
    f = tmp_path / "m.txt"
    long_key = "k" * 1030
    f.write_bytes(
        b"crlf value\r\n"
        b"nul \xc3\xa9\x00x\n"  # live: the value ends at the NUL ("é")
        b"novalue   \n"
        b"novalue second\n"  # a key without a value is skipped, the scan goes on
        + long_key.encode()
        + b" far\n"
        + b"x" * 1024
        + b"tail split\n"  # apr_file_gets reads 1024 bytes: "tail" starts a line
        b"last noeol"
    )
    m = RewriteMap("m", "txt", str(f))
    assert m.lookup("crlf") == "value"
    assert m.lookup("nul") == "é"
    assert m.lookup("novalue") == "second"
    assert m.lookup(long_key) is None
    assert m.lookup("tail") == "split"
    assert m.lookup("last") == "noeol"
    assert m.lookup("a b") is None  # a key with a space never matches


def test_txt_cache_follows_mtime(tmp_path: Path) -> None:
    f = tmp_path / "m.txt"
    f.write_text("k old\n")
    m = RewriteMap("m", "txt", str(f))
    assert m.lookup("k") == "old"
    assert m.lookup("new") is None  # the miss is cached too
    mtime = f.stat().st_mtime_ns
    f.write_text("k changed\nnew yes\n")
    os.utime(f, ns=(mtime, mtime))
    # Same mtime: Apache keeps serving its cached answers.
    assert m.lookup("k") == "old"
    assert m.lookup("new") is None
    bump_mtime(f, 10)
    assert m.lookup("k") == "changed"
    assert m.lookup("new") == "yes"


def test_txt_file_gone_at_request_time(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    f = tmp_path / "m.txt"
    f.write_text("k v\n")
    m = parse_map("m", str(f), str(tmp_path))  # no prefix: a txt map
    assert m.kind == "txt"
    f.unlink()
    with caplog.at_level(logging.ERROR, "apachemw.mod_rewrite"):
        assert m.lookup("k") is None
    assert "AH00661" in caplog.text


# ------------------------------------------------------------------------------ rnd


def test_rnd_recorded(root: Path) -> None:
    m = parse_map("rnd", "rnd:maps/rnd.txt", str(root))
    assert m.kind == "rnd"
    assert m.lookup("one") == "only"  # recorded rnd-one
    assert m.lookup("pair") == "x"  # recorded rnd-pair
    assert m.lookup("nope") is None  # recorded rnd-miss / rnddef-miss


def test_rnd_picks_every_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "r.txt"
    f.write_text("k a||c\n")
    m = RewriteMap("r", "rnd", str(f))
    seen = {m.lookup("k") for _ in range(200)}
    # select_random_value_part can pick the empty part; lookup_map then says "not found".
    assert seen == {"a", None, "c"}
    picks: list[list[str]] = []
    monkeypatch.setattr(maps.random, "choice", lambda parts: picks.append(parts) or parts[-1])
    assert m.lookup("k") == "c"
    assert picks == [["a", "", "c"]]


# ------------------------------------------------------------------------------ int


@pytest.mark.parametrize(
    ("func", "key", "value"),
    [
        ("toupper", "abc-éx", "ABC-éX"),  # recorded up: ASCII only
        ("tolower", "ABC-Def", "abc-def"),  # recorded low
        ("escape", "a b&c/d?e#f", "a%20b&c/d%3fe%23f"),  # recorded esc
        ("escape", "100%", "100%25"),  # recorded esc-pct
        ("unescape", "a%20b", "a b"),  # recorded unesc
        ("unescape", "x%0d%0aSet-Cookie:%20a=b", "x\r\nSet-Cookie: a=b"),  # recorded unesc-crlf
        ("unescape", "a%00b", "a"),  # recorded unesc-nul: the value ends at the NUL
        ("unescape", "a%zz", "a%zz"),  # recorded unesc-bad: a bad escape stays
        ("unescape", "%2f%4", "/%4"),  # %2F decodes; a short escape stays
        ("unescape", "%c3%a9%ff", "é\udcff"),  # bytes that are not UTF-8 survive
        ("toupper", "", ""),  # an int map always answers, even with ""
    ],
)
def test_int_functions(func: str, key: str, value: str) -> None:
    m = parse_map("i", f"int:{func}", "/nonexistent")
    assert (m.kind, m.source) == ("int", func)
    assert m.lookup(key) == value


# ------------------------------------------------------------------------------ dbm


@needs_httxt2dbm
@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("alpha", "one"),  # recorded dbm-hit
        ("dup", "second"),  # recorded dbm-dup: the last value wins
        ("nope", None),  # recorded dbm-miss / dbmdef-miss
        ("café", "accent"),  # recorded dbm-utf8
        ("", None),  # apr_dbm_fetch refuses an empty key
        ("indented", None),  # httxt2dbm skips indented lines as well
    ],
)
def test_dbm_recorded(root: Path, key: str, value: str | None) -> None:
    build_sdbm(root / "maps" / "map.txt", root / "maps" / "map.sdbm")
    m = parse_map("dbm", f"dbm=sdbm:{root}/maps/map.sdbm", str(root))
    assert (m.kind, m.dbm_type, m.source) == ("dbm", "sdbm", f"{root}/maps/map.sdbm")
    assert m.lookup(key) == value


@needs_httxt2dbm
def test_sdbm_split_pages_and_signed_hash(tmp_path: Path) -> None:
    # Enough keys for ~800 pages, so directory bits past bit 8 decide the page; the keys
    # carry a 3-byte UTF-8 character, which only the signed-char hash places correctly.
    src = tmp_path / "big.txt"
    src.write_text("".join(f"k{i}€{i * 7} v{i}\n" for i in range(8000)))
    build_sdbm(src, tmp_path / "big")
    assert (tmp_path / "big.pag").stat().st_size > 256 * 1024
    assert len(sdbm_items(str(tmp_path / "big"))) == 8000
    for i in range(0, 8000, 7):
        assert sdbm_fetch(str(tmp_path / "big"), f"k{i}€{i * 7}".encode()) == f"v{i}".encode()
    assert sdbm_fetch(str(tmp_path / "big"), b"k1") is None


def test_sdbm_hash() -> None:
    assert sdbm_hash(b"") == 0
    assert sdbm_hash(b"a") == 97
    assert sdbm_hash(b"ab") == 98 + 65599 * 97


@needs_httxt2dbm
def test_dbm_cache_follows_both_files(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    src = tmp_path / "m.txt"
    src.write_text("k old\n")
    build_sdbm(src, tmp_path / "m")
    m = parse_map("d", "dbm=SDBM:m", str(tmp_path))
    assert m.lookup("k") == "old"
    src.write_text("k new\n")
    build_sdbm(src, tmp_path / "m")
    for ext in (".dir", ".pag"):
        bump_mtime(tmp_path / ("m" + ext), 10)
    assert m.lookup("k") == "new"
    (tmp_path / "m.pag").unlink()
    with caplog.at_level(logging.ERROR, "apachemw.mod_rewrite"):
        assert m.lookup("k") is None
    assert "AH00663" in caplog.text


@needs_httxt2dbm
def test_dbm_default_type_reads_berkeley_db(tmp_path: Path) -> None:
    # dbm: is apr-util's default type, Berkeley DB on Debian; httxt2dbm without -f writes it.
    src = tmp_path / "m.txt"
    src.write_text("alpha one\ndup first\ndup last\ncaf\u00e9 accent\n")
    assert HTTXT2DBM is not None
    subprocess.run([HTTXT2DBM, "-i", str(src), "-o", str(tmp_path / "m")], check=True)
    m = parse_map("d", "dbm:m", str(tmp_path))
    assert (m.kind, m.dbm_type) == ("dbm", "db")
    assert m.lookup("alpha") == "one"
    assert m.lookup("dup") == "last"  # recorded dbmdb-dup: the store replaces
    assert m.lookup("caf\u00e9") == "accent"
    assert m.lookup("nope") is None
    src.write_text("alpha two\n")
    subprocess.run([HTTXT2DBM, "-i", str(src), "-o", str(tmp_path / "m")], check=True)
    bump_mtime(tmp_path / "m", 10)
    assert m.lookup("alpha") == "two"


def test_dbm_unreadable_file_is_a_miss_with_ah00656(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "m").write_bytes(b"not a database at all" * 10)
    m = parse_map("d", "dbm=db:m", str(tmp_path))
    with caplog.at_level(logging.ERROR, "apachemw.mod_rewrite"):
        assert m.lookup("k") is None
    assert "AH00656" in caplog.text


@needs_httxt2dbm
def test_dbm_gdbm_type_reads_gnu_dbm(tmp_path: Path) -> None:
    src = tmp_path / "m.txt"
    src.write_text("alpha one\ndup first\ndup last\n")
    assert HTTXT2DBM is not None
    subprocess.run([HTTXT2DBM, "-f", "GDBM", "-i", str(src), "-o", str(tmp_path / "m")], check=True)
    m = parse_map("d", "dbm=gdbm:m", str(tmp_path))
    assert (m.kind, m.dbm_type) == ("dbm", "gdbm")
    assert (m.lookup("alpha"), m.lookup("dup"), m.lookup("nope")) == ("one", "last", None)


# ------------------------------------------------------------------------------ prg


def test_prg_recorded(root: Path) -> None:
    m = parse_map("prg", f"prg:{root}/bin/map.sh", str(root))
    assert (m.kind, m.source) == ("prg", f"{root}/bin/map.sh")
    assert m.lookup("abc") == "prg-abc"  # recorded prg-hit
    assert m.lookup("a b") == "prg-a b"  # recorded prg-space
    assert m.lookup("missing") is None  # recorded prg-null / prgdef-null
    assert m.lookup("x") == "prg-x"  # recorded prgdef-hit
    assert m.lookup("two\nlines") is None  # Apache refuses a key with a newline
    assert m.lookup("after") == "prg-after"  # ... and stays in step


def test_prg_started_once_and_serialised(root: Path) -> None:
    script = write_script(root / "bin" / "pid.sh", 'while read -r k; do echo "$$-$k"; done\n')
    m = parse_map("p", "prg:bin/pid.sh", str(root))
    assert m.source == str(script)
    results: dict[int, str | None] = {}

    def worker(n: int) -> None:
        for j in range(10):
            results[n * 10 + j] = m.lookup(f"k{n * 10 + j}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pids = {v.split("-")[0] for v in results.values() if v}
    assert len(pids) == 1
    pid = pids.pop()
    assert all(results[i] == f"{pid}-k{i}" for i in range(80))


def test_prg_arguments_cwd_and_environment(root: Path) -> None:
    write_script(
        root / "bin" / "args.sh",
        'while read -r k; do echo "$k|$1|$2|$(pwd)|${HOME:-nohome}"; done\n',
    )
    m = parse_map("p", 'prg:bin/args.sh "a b" c\\ d', str(root))
    assert m.argv == (str(root / "bin" / "args.sh"), "a b", "c d")
    # APR_PROGRAM: an empty environment, run in the program's directory (live: only the
    # PWD the shell sets itself was in the environment).
    assert m.lookup("k") == f"k|a b|c d|{root / 'bin'}|nohome"


def test_prg_null_is_case_insensitive_and_exact(root: Path) -> None:
    write_script(root / "bin" / "n.sh", 'while read -r k; do echo "$k"; done\n')
    m = parse_map("p", "prg:bin/n.sh", str(root))
    assert m.lookup("null") is None
    assert m.lookup("NuLl") is None
    assert m.lookup("NULLX") == "NULLX"
    assert m.lookup("") == ""  # an empty line is an empty value, not "not found"


def test_prg_child_death_answers_empty(root: Path) -> None:
    write_script(root / "bin" / "once.sh", 'read -r k\necho "v-$k"\n')
    m = parse_map("p", "prg:bin/once.sh", str(root))
    assert m.lookup("a") == "v-a"
    start = time.monotonic()
    # live: Apache answers "" (not "not found": the |default is not used) once the
    # program has exited, and never restarts it.
    assert m.lookup("b") == ""
    assert m.lookup("c") == ""
    assert time.monotonic() - start < 2


def test_prg_timeout_then_restart(root: Path, caplog: pytest.LogCaptureFixture) -> None:
    write_script(
        root / "bin" / "slow.sh",
        'while read -r k; do [ "$k" = slow ] && exec sleep 30; echo "v-$k"; done\n',
    )
    m = parse_map("p", "prg:bin/slow.sh", str(root))
    m.timeout = 0.3
    assert m.lookup("a") == "v-a"
    with caplog.at_level(logging.ERROR, "apachemw.mod_rewrite"):
        start = time.monotonic()
        assert m.lookup("slow") is None
        assert time.monotonic() - start < 2
    assert "did not answer" in caplog.text
    assert m.lookup("b") == "v-b"  # a fresh child


def test_prg_that_cannot_start(root: Path, caplog: pytest.LogCaptureFixture) -> None:
    (root / "bin" / "map.sh").chmod(0o644)
    m = parse_map("p", "prg:bin/map.sh", str(root))
    with caplog.at_level(logging.ERROR, "apachemw.mod_rewrite"):
        assert m.lookup("a") is None
        assert m.lookup("b") is None
    assert caplog.text.count("AH00654") == 1


def test_close_all_stops_children(root: Path) -> None:
    m = parse_map("prg", "prg:bin/map.sh", str(root))
    assert m.lookup("a") == "prg-a"
    program = m._program
    assert program is not None and program._proc is not None
    proc = program._proc
    close_all()
    assert proc.poll() is not None
    assert m.lookup("b") == "prg-b"  # a later lookup starts it again


# ------------------------------------------------------------------------- parse_map


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        # live: apache2 -t's messages for these RewriteMap lines (ServerRoot {root})
        ("txt:maps/nope.txt", "RewriteMap: file for map m not found:{root}/maps/nope.txt"),
        ("rnd:/nonexistent", "RewriteMap: file for map m not found:/nonexistent"),
        ("int:nope", "RewriteMap: internal map not found:nope"),
        ("int:TOUPPER", "RewriteMap: internal map not found:TOUPPER"),
        ("dbm=foo:maps/map", "RewriteMap: dbm type foo is invalid"),
        ("dbm=ndbm:maps/map", "RewriteMap: dbm type ndbm is invalid"),
        ("dbm=:maps/map", "RewriteMap: dbm type  is invalid"),
        ("dbm=sdbm:maps/nope", "RewriteMap: file for map m not found:{root}/maps/nope.dir"),
        ("dbm:maps/nope", "RewriteMap: file for map m not found:{root}/maps/nope"),
        ("dbm=db:maps/nope", "RewriteMap: file for map m not found:{root}/maps/nope"),
        ("dbmx:foo", "RewriteMap: bad map:dbmx:foo"),
        ("dbm=sdbm", "RewriteMap: bad map:dbm=sdbm"),
        ("prg:/nonexistent arg", "RewriteMap: file for map m not found:/nonexistent"),
        ("nope:foo", "RewriteMap: file for map m not found:{root}/nope:foo"),
        ("dbd:SELECT 1", "RewriteMap types dbd and fastdbd require mod_dbd!"),
    ],
)
def test_map_errors(root: Path, spec: str, message: str) -> None:
    with pytest.raises(MapError) as info:
        parse_map("m", spec, str(root))
    assert str(info.value) == message.format(root=root)


def test_prefixes_are_case_insensitive_and_paths_relative(root: Path) -> None:
    m = parse_map("m", "TXT:maps/../maps/map.txt", str(root))
    assert (m.kind, m.source) == ("txt", f"{root}/maps/map.txt")
    assert parse_map("m", "Rnd:maps/rnd.txt", str(root)).kind == "rnd"
    assert parse_map("m", "maps/map.txt", str(root)).source == f"{root}/maps/map.txt"

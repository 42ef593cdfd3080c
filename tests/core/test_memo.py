"""The static-answer memo: reused only while stat says nothing changed, and never
for requests whose answer depends on more than the target and the files."""

from __future__ import annotations

import os
from pathlib import Path

from apachemw.core.pipeline import Engine
from apachemw.core.request import Incoming, Outcome
from apachemw.engine import build_engine

OLD = 1_600_000_000  # mtimes far in the past: outside Apache's weak-ETag second


def _engine(root: Path) -> Engine:
    text = f"""
DocumentRoot {root}
<Directory {root}>
    AllowOverride All
    Require all granted
</Directory>
"""
    return build_engine(text=text)


def _get(engine: Engine, target: str, *headers: tuple[str, str]) -> Outcome:
    return engine.handle(
        Incoming(method="GET", target=target.encode(), headers=[("host", "localhost"), *headers])
    )


def _write(path: Path, text: str) -> None:
    path.write_text(text)
    os.utime(path, (OLD, OLD))


def test_repeated_request_is_answered_from_the_memo(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", "one")
    engine = _engine(tmp_path)
    first = _get(engine, "/a.txt")
    key = engine.memo.key(Incoming(method="GET", target=b"/a.txt", headers=[("host", "localhost")]))
    assert key is not None and key in engine.memo._entries
    second = _get(engine, "/a.txt")
    assert second is not first and second.headers == first.headers
    assert second.request is not None and second.request.filename == str(tmp_path / "a.txt")


def test_a_changed_file_is_not_answered_stale(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", "one")
    engine = _engine(tmp_path)
    _get(engine, "/a.txt")
    (tmp_path / "a.txt").write_text("three")
    os.utime(tmp_path / "a.txt", (OLD + 10, OLD + 10))
    assert dict(_get(engine, "/a.txt").headers)["Content-Length"] == "5"


def test_a_new_htaccess_ends_the_reuse(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", "one")
    engine = _engine(tmp_path)
    assert _get(engine, "/a.txt").status == 200
    assert _get(engine, "/a.txt").status == 200
    _write(tmp_path / ".htaccess", "Require all denied\n")
    assert _get(engine, "/a.txt").status == 403


def test_conditional_and_range_requests_bypass_the_memo(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", "hello world")
    engine = _engine(tmp_path)
    etag = dict(_get(engine, "/a.txt").headers)["ETag"]
    assert _get(engine, "/a.txt", ("if-none-match", etag)).status == 304
    assert _get(engine, "/a.txt", ("range", "bytes=0-4")).status == 206


def test_recently_modified_files_are_not_memoised(tmp_path: Path) -> None:
    (tmp_path / "fresh.txt").write_text("new")
    engine = _engine(tmp_path)
    _get(engine, "/fresh.txt")
    assert not engine.memo._entries


def _nested(tmp_path: Path) -> Path:
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    _write(deep / "f.txt", "data")
    for directory in (tmp_path / "a", deep):
        _write(directory / ".htaccess", "Require all granted\n")
    return deep


def test_watched_htaccess_edit_ends_the_reuse(tmp_path: Path) -> None:
    # A watched entry's lookup stats only the file: were the edit's inotify event lost,
    # the stale 200 would come back.
    deep = _nested(tmp_path)
    engine = _engine(tmp_path)
    assert _get(engine, "/a/b/f.txt").status == 200
    entry = next(iter(engine.memo._entries.values()))
    assert entry.gen is not None  # inotify watches the candidates' directories (Linux)
    assert _get(engine, "/a/b/f.txt").status == 200
    with open(deep / ".htaccess", "w") as fh:
        fh.write("Require all denied\n")
    os.utime(deep / ".htaccess", (OLD + 5, OLD + 5))
    assert _get(engine, "/a/b/f.txt").status == 403


def test_renaming_a_watched_directory_ends_the_reuse(tmp_path: Path) -> None:
    deep = _nested(tmp_path)
    engine = _engine(tmp_path)
    assert _get(engine, "/a/b/f.txt").status == 200
    deep.rename(tmp_path / "a" / "gone")
    assert _get(engine, "/a/b/f.txt").status == 404


def test_without_watches_the_memo_stats_every_candidate(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from apachemw.core import dirwatch

    monkeypatch.setattr(dirwatch.DirWatcher, "watch", lambda _self, _dirs: False)
    deep = _nested(tmp_path)
    engine = _engine(tmp_path)
    assert _get(engine, "/a/b/f.txt").status == 200
    assert next(iter(engine.memo._entries.values())).gen is None
    _write(deep / ".htaccess", "Require all denied\n")
    os.utime(deep / ".htaccess", (OLD + 5, OLD + 5))
    assert _get(engine, "/a/b/f.txt").status == 403

"""The static-answer memo: reused only while stat says nothing changed, and never
for requests whose answer depends on more than the target and the files."""

from __future__ import annotations

import os
import time
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


# --- negotiated (MultiViews) answers --------------------------------------------------


def _multiviews(root: Path, priority: str = "") -> Engine:
    text = f"""
DocumentRoot {root}
<Directory {root}>
    AllowOverride All
    Options +MultiViews
    AddLanguage en .en
    AddLanguage fr .fr
    AddLanguage de .de
    {priority}
    Require all granted
</Directory>
"""
    return build_engine(text=text)


def _variants(root: Path, **bodies: str) -> None:
    for lang, body in bodies.items():
        _write(root / f"page.html.{lang}", body)


def _settled(root: Path) -> None:
    """The directory's listing, too, outside the weak-ETag second (its mtime is the
    memo's evidence of which variants exist: a later change moves it on)."""
    os.utime(root, (OLD, OLD))


def _language(outcome: Outcome) -> str | None:
    return dict(outcome.headers).get("Content-Language")


def test_negotiated_answers_are_memoised_per_header_values(tmp_path: Path) -> None:
    _variants(tmp_path, en="english", fr="french")
    _settled(tmp_path)
    engine = _multiviews(tmp_path)
    for _round in range(2):
        for lang in ("fr", "en", "fr"):
            outcome = _get(engine, "/page.html", ("accept-language", lang))
            assert (outcome.status, _language(outcome)) == (200, lang)
    # One entry per Accept-Language value, each checked against every variant and the
    # directory that listed them.
    entries = list(engine.memo._entries.values())
    assert len(entries) == 2
    watched = {path for path, _ident in entries[0].watch}
    assert {str(tmp_path / "page.html.en"), str(tmp_path / "page.html.fr")} <= watched
    assert str(tmp_path) + "/" in watched


def test_a_new_variant_is_negotiated(tmp_path: Path) -> None:
    _variants(tmp_path, en="english")
    _settled(tmp_path)
    engine = _multiviews(tmp_path)
    for _round in range(2):
        assert _language(_get(engine, "/page.html", ("accept-language", "de, en;q=0.5"))) == "en"
    _variants(tmp_path, de="deutsch")
    assert _language(_get(engine, "/page.html", ("accept-language", "de, en;q=0.5"))) == "de"


def test_a_new_htaccess_changes_the_negotiation(tmp_path: Path) -> None:
    _variants(tmp_path, en="english", fr="french")
    _settled(tmp_path)
    engine = _multiviews(tmp_path, "LanguagePriority en fr")
    for _round in range(2):
        assert _language(_get(engine, "/page.html")) == "en"
    _write(tmp_path / ".htaccess", "LanguagePriority fr en\n")
    assert _language(_get(engine, "/page.html")) == "fr"


def test_a_variant_not_chosen_is_evidence_too(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # With no language preference the smaller variant wins; shrinking the one not
    # chosen must change the answer, whether or not inotify watches the directory.
    from apachemw.core import dirwatch

    for watched in (True, False):
        if not watched:
            monkeypatch.setattr(dirwatch.DirWatcher, "watch", lambda _self, _dirs: False)
        root = tmp_path / str(watched)
        root.mkdir()
        _variants(root, en="short", fr="much longer")
        _settled(root)
        engine = _multiviews(root)
        for _round in range(2):
            assert _language(_get(engine, "/page.html")) == "en"
        assert (next(iter(engine.memo._entries.values())).gen is not None) is watched
        with open(root / "page.html.fr", "w") as fh:  # in place: the directory keeps its mtime
            fh.write("tiny")
        os.utime(root / "page.html.fr", (OLD + 5, OLD + 5))
        assert _language(_get(engine, "/page.html")) == "fr"


# --- DirectoryIndex answers (a subrequest per name, then a fast redirect) -------------


def _indexed(root: Path, names: str = "index.html index.htm") -> Engine:
    text = f"""
DocumentRoot {root}
DirectoryIndex {names}
<Directory {root}>
    AllowOverride All
    Require all granted
</Directory>
"""
    return build_engine(text=text)


def _body_path(outcome: Outcome) -> str | None:
    return outcome.file.path if outcome.file is not None else None


def test_a_directory_index_is_memoised_while_it_stays(tmp_path: Path) -> None:
    _write(tmp_path / "index.html", "html")
    _write(tmp_path / "index.htm", "htm")
    engine = _indexed(tmp_path)
    for _round in range(2):
        assert _body_path(_get(engine, "/")) == str(tmp_path / "index.html")
    assert len(engine.memo._entries) == 1
    (tmp_path / "index.html").unlink()
    assert _body_path(_get(engine, "/")) == str(tmp_path / "index.htm")


def test_a_new_htaccess_changes_the_directory_index(tmp_path: Path) -> None:
    _write(tmp_path / "index.html", "html")
    _write(tmp_path / "other.html", "other")
    engine = _indexed(tmp_path)
    for _round in range(2):
        assert _body_path(_get(engine, "/")) == str(tmp_path / "index.html")
    _write(tmp_path / ".htaccess", "DirectoryIndex other.html\n")
    assert _body_path(_get(engine, "/")) == str(tmp_path / "other.html")


def test_an_index_found_after_a_missing_name_is_not_memoised(tmp_path: Path) -> None:
    # The missing name's subrequest walked no existing file, so nothing would tell the
    # memo that it appeared: the answer is decided every time.
    _write(tmp_path / "index.htm", "htm")
    engine = _indexed(tmp_path)
    assert _body_path(_get(engine, "/")) == str(tmp_path / "index.htm")
    assert not engine.memo._entries
    _write(tmp_path / "index.html", "html")
    assert _body_path(_get(engine, "/")) == str(tmp_path / "index.html")


# --- SetEnvIf / BrowserMatch ----------------------------------------------------------


def test_browsermatch_answers_are_memoised_per_user_agent(tmp_path: Path) -> None:
    _variants(tmp_path, en="english", fr="french")
    _settled(tmp_path)
    text = f"""
DocumentRoot {tmp_path}
BrowserMatch FrenchBot prefer-language=fr
<Directory {tmp_path}>
    Options +MultiViews
    AddLanguage en .en
    AddLanguage fr .fr
    LanguagePriority en fr
    Require all granted
</Directory>
"""
    engine = build_engine(text=text)
    for _round in range(2):
        for agent, lang in (("FrenchBot/1", "fr"), ("curl/8", "en"), ("FrenchBot/2", "fr")):
            outcome = _get(engine, "/page.html", ("user-agent", agent))
            assert _language(outcome) == lang
            assert outcome.request is not None
            assert ("prefer-language" in outcome.request.subprocess_env) is (lang == "fr")
    assert len(engine.memo._entries) == 3  # one per User-Agent value


def test_setenvif_on_the_client_keeps_answers_off_the_memo(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", "one")
    text = f"""
DocumentRoot {tmp_path}
SetEnvIf Remote_Addr ^127 local
<Directory {tmp_path}>
    Require all granted
</Directory>
"""
    engine = build_engine(text=text)
    assert _get(engine, "/a.txt").status == 200
    assert not engine.memo._entries


# --- answers chosen after a missing name ----------------------------------------------


def test_a_fallback_answer_is_not_kept_once_the_name_exists(tmp_path: Path) -> None:
    # FallbackResource answers for a name that does not exist; nothing of the fallback's
    # own walk tells the memo that the name appeared (or that a .htaccess on its path did).
    _write(tmp_path / "fallback.txt", "fallback")
    text = f"""
DocumentRoot {tmp_path}
FallbackResource /fallback.txt
<Directory {tmp_path}>
    AllowOverride All
    Require all granted
</Directory>
"""
    engine = build_engine(text=text)
    for _round in range(2):
        assert _body_path(_get(engine, "/page.txt")) == str(tmp_path / "fallback.txt")
    _write(tmp_path / "page.txt", "page")
    assert _body_path(_get(engine, "/page.txt")) == str(tmp_path / "page.txt")


def test_a_userdir_entry_that_appears_is_used(tmp_path: Path) -> None:
    # UserDir tries its entries in order: the first one missing is no file of the
    # answer, yet its appearing changes it.
    first, second = tmp_path / "first", tmp_path / "second"
    (second / "alice").mkdir(parents=True)
    _write(second / "alice" / "a.txt", "two")
    text = f"""
DocumentRoot {tmp_path}
UserDir {first} {second}
<Directory {tmp_path}>
    Require all granted
</Directory>
"""
    engine = build_engine(text=text)
    for _round in range(2):
        assert _body_path(_get(engine, "/~alice/a.txt")) == str(second / "alice" / "a.txt")
    assert len(engine.memo._entries) == 1  # kept, with the missing entry as evidence
    (first / "alice").mkdir(parents=True)
    _write(first / "alice" / "a.txt", "one")
    assert _body_path(_get(engine, "/~alice/a.txt")) == str(first / "alice" / "a.txt")


# --- expressions ----------------------------------------------------------------------


def test_an_authtype_expression_is_decided_every_time(tmp_path: Path) -> None:
    # AuthType is a string expression: with no Require to support it, a scheme it finds
    # in a header makes the answer Apache's 500 (AH01627), an empty one lets it through.
    _write(tmp_path / "a.txt", "one")
    text = f"""
DocumentRoot {tmp_path}
<Directory {tmp_path}>
    AuthType "%{{HTTP:X-Auth}}"
</Directory>
"""
    engine = build_engine(text=text)
    for _round in range(2):
        assert _get(engine, "/a.txt").status == 200
    assert _get(engine, "/a.txt", ("x-auth", "Basic")).status == 500


# --- what read_request checks before any module ---------------------------------------


def test_header_limits_are_checked_on_a_memoised_target(tmp_path: Path) -> None:
    # LimitRequestFields and LimitRequestFieldSize refuse a request (400) whatever it
    # asks for: a memoised answer to the same target must not let it through.
    _write(tmp_path / "a.txt", "one")
    text = f"""
DocumentRoot {tmp_path}
LimitRequestFields 3
LimitRequestFieldSize 100
<Directory {tmp_path}>
    Require all granted
</Directory>
"""
    engine = build_engine(text=text)
    for _round in range(2):
        assert _get(engine, "/a.txt").status == 200
    assert _get(engine, "/a.txt", ("x-long", "x" * 100)).status == 400
    many = [(f"x-{n}", "v") for n in range(3)]
    assert _get(engine, "/a.txt", *many).status == 400
    assert _get(engine, "/a.txt", *many[:2]).status == 200


def test_an_encoding_is_sent_in_the_spelling_each_client_asked_for(tmp_path: Path) -> None:
    # mod_negotiation's fixup answers x-gzip as "gzip" to a client that accepts gzip:
    # an answer memoised without Accept-Encoding must not be replayed to it.
    _write(tmp_path / "a.txt.gz", "zipped")
    text = f"""
DocumentRoot {tmp_path}
AddEncoding x-gzip .gz
<Directory {tmp_path}>
    Require all granted
</Directory>
"""
    engine = build_engine(text=text)
    for _round in range(2):
        for accepted, sent in ((None, "x-gzip"), ("gzip", "gzip"), ("x-gzip", "x-gzip")):
            headers = [("accept-encoding", accepted)] if accepted else []
            outcome = _get(engine, "/a.txt.gz", *headers)
            assert dict(outcome.headers)["Content-Encoding"] == sent
    assert len(engine.memo._entries) == 3  # one per Accept-Encoding value


def test_a_permission_change_ends_the_reuse(tmp_path: Path) -> None:
    # chmod leaves mtime, size and inode alone; the file's ctime tells the memo that
    # what os.access says (403, AH00132, for a process that may not read it) may differ.
    _write(tmp_path / "a.txt", "one")
    engine = _engine(tmp_path)
    _get(engine, "/a.txt")
    incoming = Incoming(
        method="GET",
        target=b"/a.txt",
        headers=[("host", "localhost")],
        request_time=time.time(),
    )
    key = engine.memo.key(incoming)
    assert key is not None
    assert engine.memo.lookup(key, incoming, engine.site) is not None
    os.chmod(tmp_path / "a.txt", 0o600)
    assert engine.memo.lookup(key, incoming, engine.site) is None

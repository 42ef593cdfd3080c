"""mod_authn_file / mod_authz_groupfile: password checks off the event loop, remembered
only for the same stored hash, and user and group files read again when they change."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from apachemw.config.htaccess import NeedsBlockingIO
from apachemw.core.pipeline import Engine
from apachemw.core.request import Incoming
from apachemw.engine import build_engine

ALICE = "alice:$apr1$SwBODNta$gnBqQsT79nLggQimP3YSS1\n"  # htpasswd -nbm alice secret
BOB = "bob:$2y$04$lTghcQLfSy6Bwo8Cbr4fjO8C65ple9pWVH4Y5E0aTzM/DvSnRVaa6\n"  # -nbB bob builder


def _engine(tmp_path: Path) -> Engine:
    docroot = tmp_path / "htdocs"
    (docroot / "staff").mkdir(parents=True)
    (docroot / "staff" / "a.txt").write_text("a")
    return build_engine(
        text=f"""
DocumentRoot {docroot}
<Directory {docroot}/staff>
    AuthType Basic
    AuthName "staff"
    AuthUserFile {tmp_path}/users
    AuthGroupFile {tmp_path}/groups
    Require group staff
</Directory>
"""
    )


def _get(engine: Engine, user: str, password: str, may_block: bool = True) -> int:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    incoming = Incoming(
        method="GET",
        target=b"/staff/a.txt",
        headers=[("host", "localhost"), ("authorization", f"Basic {token}")],
        may_block=may_block,
    )
    return engine.handle(incoming).status


def _write(path: Path, text: str, stamp: int) -> None:
    path.write_text(text)
    os.utime(path, (stamp, stamp))  # a new version even within one second


def test_hashing_never_runs_on_the_event_loop(tmp_path: Path) -> None:
    _write(tmp_path / "users", BOB, 1)
    _write(tmp_path / "groups", "staff: bob\n", 1)
    engine = _engine(tmp_path)
    _get(engine, "bob", "builder")  # files parsed, result remembered
    with pytest.raises(NeedsBlockingIO):
        _get(engine, "bob", "not-remembered", may_block=False)
    assert _get(engine, "bob", "builder", may_block=False) == 200  # remembered: no hashing


def test_changed_user_and_group_files_are_read_again(tmp_path: Path) -> None:
    _write(tmp_path / "users", ALICE, 1)
    _write(tmp_path / "groups", "staff: alice\n", 1)
    engine = _engine(tmp_path)
    assert _get(engine, "alice", "secret") == 200
    _write(tmp_path / "groups", "staff: carol\n", 2)
    assert _get(engine, "alice", "secret") == 401  # authenticated, no longer in the group
    _write(tmp_path / "users", BOB, 2)
    assert _get(engine, "alice", "secret") == 401  # user gone
    _write(tmp_path / "groups", "staff: bob\n", 3)
    assert _get(engine, "bob", "builder") == 200

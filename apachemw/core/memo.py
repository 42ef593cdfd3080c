"""Answers to plain static GET/HEAD requests, reused while nothing they depend on changed.

For a request with no conditional or range header, whose answer was a whole
regular file reached without a subrequest, an internal redirect or an error-log
line, the phases' answer depends only on: the method, the mount and the target
below it, the Host header, the configuration (fixed), the file itself and the
.htaccess files the directory walk looked for. The memo keeps that answer and,
on the next identical request, checks the file and every .htaccess candidate
with stat, exactly the evidence Apache would re-derive; any difference, or any
header a module says it reads (``Site.memo_headers``), sends the request down
the full pipeline instead. A MultiViews answer is kept too, under the key and the
values of the headers it was negotiated by (``Request.memo_vary``), with the
directory, every variant and their subrequests' candidates as further evidence
(``Request.memo_evidence``). Where inotify watches the candidates' directories
(``core/dirwatch.py``), "no event since the answer was stored" stands in for the
candidates' stats, and only the file itself is stat-ed. ``tests/golden`` replays
every recorded case twice to hold memoised answers to the pipeline's.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, replace
from typing import Any

from apachemw.core.dirwatch import watcher
from apachemw.core.fsinfo import Ident, fsinfo_ident
from apachemw.core.request import Incoming, Outcome, Request

__all__ = ["VARYING", "StaticMemo"]

# Request headers the core's own phases read (besides Host, which is in the key).
VARYING = frozenset(
    {"range", "if-range", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since"}
)


@dataclass(frozen=True, slots=True)
class _Entry:
    watch: tuple[tuple[str, Ident | None], ...]  # the file, then .htaccess candidates
    gen: int | None  # the watcher's generation when the candidates last matched; None: stat
    mtime: float
    outcome: Outcome
    request: Request


class StaticMemo:
    """Per-configuration memo of static answers (bounded, reset wholesale)."""

    def __init__(
        self,
        varying: frozenset[str] = VARYING,
        limit: int = 20_000,
        header_limits: tuple[int, int] = (100, 8190),
    ) -> None:
        self.varying = varying
        self.limit = limit
        # LimitRequestFields (0: none) and LimitRequestFieldSize: read_request refuses a
        # request past them (400) before any module, whatever its target.
        self.max_fields, self.max_field_size = header_limits
        self._entries: dict[tuple[Any, ...], _Entry] = {}
        # The request headers a key's answer was negotiated by (r.memo_vary): its
        # entries are stored under the key and those headers' values.
        self._vary: dict[tuple[Any, ...], tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def key(self, incoming: Incoming) -> tuple[Any, ...] | None:
        if incoming.method not in ("GET", "HEAD"):
            return None
        if self.max_fields and len(incoming.headers) > self.max_fields:
            return None
        host = None
        for name, value in incoming.headers:
            if name in self.varying or len(name) + 2 + len(value) > self.max_field_size:
                return None
            if name == "host":
                if host is not None:
                    return None
                host = value
        return (
            incoming.method,
            incoming.local_target(),
            incoming.mount,  # the URLs built for the request put it back (SCRIPT_URI)
            host,
            incoming.scheme,
            incoming.local_addr,  # IP-based virtual hosts
            incoming.local_port,
            incoming.protocol,
        )

    def lookup(self, key: tuple[Any, ...], incoming: Incoming, site: Any) -> Outcome | None:
        names = self._vary.get(key)
        if names is not None:
            key = (key, names, _header_values(incoming, names))
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.gen is not None and watcher().generation() == entry.gen:
            if not _unchanged(entry.watch[:1]):
                return None
        elif not self._still_valid(key, entry):
            return None
        if incoming.request_time - entry.mtime < 2.0:
            return None  # within Apache's weak-ETag window: let the handler decide
        return _replay(entry, incoming, site)

    def remember(self, key: tuple[Any, ...], r: Request, outcome: Outcome) -> None:
        fbody = outcome.file
        if (
            r.eventful
            or r.prev is not None
            or r.main is not None
            or outcome.status != 200
            or fbody is None
            or fbody.parts is not None
            or r.walk_checks is None
            or r.finfo is None
            or r.no_cache
        ):
            return
        # Within Apache's weak-ETag window of the file (or of a negotiated answer's
        # directory) the handler must decide.
        newest = max([r.finfo.st_mtime_ns] + [i[0] for _p, i in r.memo_evidence if i]) / 1e9
        if r.request_time - newest < 2.0:
            return
        file = (fbody.path, fsinfo_ident(r.finfo))
        watch = tuple(dict.fromkeys((file, *r.walk_checks, *r.memo_evidence)))
        entry = _Entry(watch, _watched_generation(watch), newest, outcome, r)
        names = r.memo_vary
        stored = (key, names, _header_values(r.incoming, names)) if names else key
        with self._lock:
            if len(self._entries) >= self.limit:
                self._entries.clear()
                self._vary.clear()
            if names:
                self._vary[key] = names
            else:
                self._vary.pop(key, None)
            self._entries[stored] = entry

    def _still_valid(self, key: tuple[Any, ...], entry: _Entry) -> bool:
        """Stat everything; when it all matches, watch again from the current generation."""
        if len(entry.watch) == 1:
            return _unchanged(entry.watch)
        gen = _watched_generation(entry.watch)
        if gen is None:
            return _unchanged(entry.watch)
        if not _unchanged(entry.watch[:1]):
            return False
        with self._lock:
            if self._entries.get(key) is entry:
                self._entries[key] = replace(entry, gen=gen)
        return True


def _header_values(incoming: Incoming, names: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """Each named request header's values, in the order sent."""
    return tuple(tuple(v for n, v in incoming.headers if n == name) for name in names)


def _watched_generation(watch: tuple[tuple[str, Ident | None], ...]) -> int | None:
    """The generation from which the .htaccess candidates are known unchanged, or None.

    Watch first, then read the generation, then stat: a change before the stat shows in
    it, a change after the generation was read shows as an event. None when there is no
    candidate, a directory cannot be watched, or a stat no longer matches.
    """
    candidates = watch[1:]
    if not candidates:
        return None
    directories = {os.path.dirname(path) for path, _ident in candidates}
    # The topmost candidate's parent too: renaming a directory is an event in its parent.
    directories.add(os.path.dirname(min(directories, key=len)))
    dirwatch = watcher()
    if not dirwatch.watch(directories):
        return None
    gen = dirwatch.generation()
    return gen if _unchanged(candidates) else None


def _unchanged(watch: tuple[tuple[str, Ident | None], ...]) -> bool:
    """Whether every watched path still stats as recorded (None: still missing).

    Written as one tight loop: it runs on every memoised request.
    """
    stat = os.stat
    for path, ident in watch:
        try:
            st = stat(path)
        except FileNotFoundError:
            if ident is not None:
                return False
            continue
        except (OSError, ValueError):
            return False
        if (
            ident is None
            or st.st_mtime_ns != ident[0]
            or st.st_size != ident[1]
            or st.st_ino != ident[2]
            or st.st_ctime_ns != ident[3]
        ):
            return False
    return True


def _replay(entry: _Entry, incoming: Incoming, site: Any) -> Outcome:
    """A fresh request record (for the log phase) and a copy of the answer."""
    old_r = entry.request
    r = Request(incoming, site, old_r.server)
    r.uri, r.args, r.unparsed_uri = old_r.uri, old_r.args, old_r.unparsed_uri
    r.hostname, r.filename, r.path_info = old_r.hostname, old_r.filename, old_r.path_info
    r.per_dir, r.finfo, r.handler = old_r.per_dir, old_r.finfo, old_r.handler
    r.content_type, r.canonical_filename = old_r.content_type, old_r.canonical_filename
    r.content_languages = old_r.content_languages
    r.content_encoding = old_r.content_encoding
    r.log = old_r.log  # the sections' LogLevel, for lines the log phase writes
    r.subprocess_env = dict(old_r.subprocess_env)
    r.notes = dict(old_r.notes)
    old = entry.outcome
    assert old.file is not None
    outcome = Outcome(
        old.status,
        list(old.headers),
        file=replace(old.file),
        head_only=old.head_only,
        request=r,
    )
    r.outcome = outcome
    return outcome

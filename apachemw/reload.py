"""Reloading a configuration in-process when its files change (``apachemw serve --reload``).

What is already re-read without a reload, on the request after it changed (each keyed by
the file's stat): ``.htaccess`` files (config.htaccess), AuthUserFile and AuthGroupFile
files (core.parsedfiles), and RewriteMap txt/rnd/dbm files (mod_rewrite.maps, as Apache
itself does). What is read once, when the configuration is loaded, is the main file,
every file an Include or IncludeOptional brings in (and which files a wildcard matches),
TypesConfig and RemoteIPTrustedProxyList files: ``ParseEnv.sources``/``includes``.

``ConfigReloader`` looks at those once a second (by default) in a daemon thread of each
worker process: ``stat`` each file, read it again only if its stat changed, and compare
a digest of its bytes with the digest of what the configuration was built from; and
list each Include's files again, for a file newly matched. On a change it loads the
configuration anew and, if that worked, swaps the middleware's engine: requests already
under way finish on the engine they started with (the adapters read ``engine`` once per
request), new ones get the new one. A configuration that fails to load changes nothing:
the last good one keeps serving and the error goes to its error log with file, line and
Apache's message, as ``apachemw configtest`` prints them; the next change is tried again.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Protocol

from apachemw.config.parser import include_files, source_digest
from apachemw.config.site import Site
from apachemw.core.pipeline import Engine
from apachemw.engine import build_engine
from apachemw.errors import ConfigError

__all__ = ["POLL_INTERVAL", "ConfigReloader"]

# Seconds between two looks at the configuration's files.
POLL_INTERVAL = 1.0


class HasEngine(Protocol):
    """Either adapter's ``Apache`` middleware."""

    engine: Engine


# A file modified this recently (ns) may change again within the same clock tick and
# keep its stat; its digest is not trusted for longer than one look.
_SETTLE_NS = 1_000_000_000


class _Digests:
    """The digest of each file's current bytes, read again only when ``stat`` says it
    may have changed (the stat key is trusted once the file has been quiet a while)."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[tuple[int, int, int], str | None]] = {}

    def current(self, path: str) -> str | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        key = (st.st_mtime_ns, st.st_size, st.st_ino)
        known = self._known.get(path)
        if known is not None and known[0] == key:
            return known[1]
        try:
            with open(path, "rb") as handle:
                digest = source_digest(handle.read())
        except OSError:
            return None
        if time.time_ns() - st.st_mtime_ns > _SETTLE_NS:
            self._known[path] = (key, digest)
        return digest


def _unread_includes(includes: Iterable[tuple[str, bool]], read: Mapping[str, object]) -> bool:
    """An Include now brings in a file the configuration did not read (or fails)."""
    for pattern, optional in includes:
        try:
            if any(path not in read for path in include_files(pattern, optional)):
                return True
        except ConfigError:
            return True
    return False


class ConfigReloader:
    """Keeps ``target.engine`` built from the current text of ``config``."""

    def __init__(
        self,
        target: HasEngine,
        config: str,
        defines: Iterable[str] = (),
        interval: float = POLL_INTERVAL,
    ) -> None:
        self.target = target
        self.config = config
        self.defines = tuple(defines)
        self.interval = interval
        self._digests = _Digests()
        env = target.engine.site.env
        # What the serving configuration was built from: each file's digest, as read.
        self._basis: dict[str, str | None] = dict(env.sources)
        self._includes = list(env.includes)
        self._pid = 0
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start polling in this process (once; again in a forked child, whose copy of
        the parent's thread does not run)."""
        if self._pid == os.getpid():  # the per-request case: no lock
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
        thread = threading.Thread(target=self._poll, name="apachemw-reload", daemon=True)
        thread.start()

    def _poll(self) -> None:
        pid = os.getpid()
        while self._pid == pid:
            time.sleep(self.interval)
            self.check()

    def changed(self) -> bool:
        """Whether any file the configuration read, or an Include's list, differs now."""
        if any(self._digests.current(p) != d for p, d in self._basis.items()):
            return True
        return _unread_includes(self._includes, self._basis)

    def check(self) -> bool:
        """Reload if anything the configuration read has changed; True if it swapped."""
        if not self.changed():
            return False
        return self.reload_now()

    def reload_now(self) -> bool:
        """Load the configuration again whether or not it changed (a restart signal);
        swap it in if it loads, else keep the last good one. True if it swapped."""
        site = self.target.engine.site
        try:
            engine = build_engine(config=self.config, defines=self.defines, has_app=site.has_app)
        except ConfigError as exc:
            self._refused(site, exc)
            return False
        self.target.engine = engine
        self._basis = dict(engine.site.env.sources)
        self._includes = list(engine.site.env.includes)
        engine.site.log_error(
            None, "notice", "core", f"apachemw: configuration reloaded from {self.config}"
        )
        return True

    def _refused(self, site: Site, exc: ConfigError) -> None:
        # Wait for the next change: to the files as they are now, and to the file the
        # error names (a newly included file being fixed must be seen too).
        paths = [*self._basis, *([exc.file] if exc.file else [])]
        self._basis = {path: self._digests.current(path) for path in paths}
        message = str(exc).replace("\n", " ")
        site.log_error(
            None,
            "alert",
            "core",
            f"apachemw: configuration not reloaded, still serving the last good one: {message}",
        )

"""Finding, parsing and caching ``.htaccess`` files.

Apache re-reads and re-compiles every ``.htaccess`` on every request. apachemw
parses a file once per (path, mtime, size, inode, overrides in force) and
re-reads it only when ``stat`` says it changed, so the answers stay Apache's
(an edit is seen on the next request) without paying the parse each time.
"""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apachemw.config.model import Section
from apachemw.errors import ConfigError

__all__ = ["HtaccessCache", "HtaccessError", "HtaccessResult", "NeedsBlockingIO"]


class NeedsBlockingIO(Exception):
    """The request needs a file read; the caller must redo it off the event loop."""


class HtaccessError(Exception):
    """A .htaccess that stops the request: 500 for bad syntax, 403 unreadable."""

    def __init__(self, status: int, log: str) -> None:
        super().__init__(log)
        self.status = status
        self.log = log


@dataclass(frozen=True, slots=True)
class HtaccessResult:
    section: Section
    warnings: tuple[str, ...]


_Key = tuple[str, int, int, int, int, int, int, frozenset[str]]


class HtaccessCache:
    """Parsed .htaccess sections keyed by file identity and the overrides allowed."""

    def __init__(self, compile_file: Callable[[str, str, int, int, frozenset[str]], Any]) -> None:
        self._compile = compile_file
        self._entries: dict[_Key, HtaccessResult | HtaccessError] = {}
        self.warned: set[str] = set()  # files whose parse produced Nonfatal warnings
        self._lock = threading.Lock()

    def find(
        self,
        directory: str,
        names: tuple[str, ...],
        override: int,
        override_opts: int,
        override_list: frozenset[str],
        may_read: bool = True,
    ) -> HtaccessResult | None:
        """The first existing access file of ``names`` in ``directory``, parsed.

        Raises ``HtaccessError`` for a file Apache would refuse (403 or 500), and
        ``NeedsBlockingIO`` when the file must be (re)read but ``may_read`` is off.
        """
        for name in names:
            path = directory + name
            try:
                st = os.stat(path)
            except OSError as exc:
                if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ENAMETOOLONG):
                    continue
                raise _unreadable(path, exc) from None
            key = (
                path,
                st.st_mtime_ns,
                st.st_size,
                st.st_ino,
                st.st_ctime_ns,  # a chmod can make it unreadable (403)
                override,
                override_opts,
                override_list,
            )
            cached = self._entries.get(key)
            if cached is None and not may_read:
                raise NeedsBlockingIO(path)
            if cached is None:
                cached = self._load(path, key, override, override_opts, override_list)
            if isinstance(cached, HtaccessError):
                raise cached
            return cached
        return None

    def _load(
        self,
        path: str,
        key: _Key,
        override: int,
        override_opts: int,
        override_list: frozenset[str],
    ) -> HtaccessResult | HtaccessError:
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except IsADirectoryError:
            # Apache: ap_pcfg_openfile refuses a directory ("is not a regular file").
            result: HtaccessResult | HtaccessError = HtaccessError(
                500, f"{path}: {path} is not a regular file"
            )
        except OSError as exc:
            result = _unreadable(path, exc)
        else:
            result = self._parse(path, raw, override, override_opts, override_list)
        with self._lock:
            self._forget_older(key)
            self._entries[key] = result
        return result

    def _parse(
        self,
        path: str,
        raw: bytes,
        override: int,
        override_opts: int,
        override_list: frozenset[str],
    ) -> HtaccessResult | HtaccessError:
        text = raw.decode("utf-8", "surrogateescape")
        try:
            section, warnings = self._compile(path, text, override, override_opts, override_list)
        except ConfigError as exc:
            # AH00529-style: "<file>: <message>" at alert level, 500 to the client.
            return HtaccessError(500, f"{path}: {exc.message}")
        if warnings:
            self.warned.add(path)
        return HtaccessResult(section, tuple(warnings))

    def _forget_older(self, key: _Key) -> None:
        """Drop parses of an earlier version of the same file."""
        stale = [k for k in self._entries if k[0] == key[0] and k[1:5] != key[1:5]]
        for key in stale:
            del self._entries[key]


def _unreadable(path: str, exc: OSError) -> HtaccessError:
    # Apache's ap_parse_htaccess: a file that exists but cannot be opened is
    # refused "to be safe" (AH00529), which the client sees as 403.
    reason = exc.strerror or "error"
    return HtaccessError(
        403,
        f"AH00529: {path} pcfg_openfile: unable to check htaccess file, ensure it is "
        f"readable and that '{os.path.dirname(path)}/' is executable ({reason})",
    )

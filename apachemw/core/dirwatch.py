"""Change notification for the directories whose .htaccess files a memoised answer read.

Apache re-reads every .htaccess candidate on every request. The static-answer memo
(``core/memo.py``) proves nothing changed by stat-ing each candidate instead, which at three
nested levels is most of the cost of a memoised request. On Linux, inotify can say the
same thing for less: the kernel queues an event at the moment a watched directory's
entries or files change, so "no event since the answer was stored" (one ``poll`` with a
zero timeout) is as strong as "every stat still matches".

Any event in any watched directory bumps one generation counter, which invalidates every
entry stored before it (they fall back to stat and are re-stored): coarse, but it never
needs to know which answer read which file. A lost queue (IN_Q_OVERFLOW), a removed
watch, a failed ``inotify_add_watch`` (the per-user limit) or a non-Linux host all mean
"not watched", and the memo stats as before. Descriptors are per process: a forked worker
makes its own watcher rather than share (and steal events from) its parent's.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import select
import struct
import sys
import threading

__all__ = ["DirWatcher", "watcher"]

_IN_MODIFY = 0x2
_IN_ATTRIB = 0x4
_IN_CLOSE_WRITE = 0x8
_IN_MOVED_FROM = 0x40
_IN_MOVED_TO = 0x80
_IN_CREATE = 0x100
_IN_DELETE = 0x200
_IN_DELETE_SELF = 0x400
_IN_MOVE_SELF = 0x800
_IN_IGNORED = 0x8000
_IN_ONLYDIR = 0x01000000
_IN_NONBLOCK = 0o4000
_IN_CLOEXEC = 0o2000000
_MASK = (
    _IN_MODIFY
    | _IN_ATTRIB
    | _IN_CLOSE_WRITE
    | _IN_MOVED_FROM
    | _IN_MOVED_TO
    | _IN_CREATE
    | _IN_DELETE
    | _IN_DELETE_SELF
    | _IN_MOVE_SELF
    | _IN_ONLYDIR
)
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len (then len bytes of name)


class DirWatcher:
    """Watches directories; ``generation()`` changes whenever anything in one changed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._gen = 0
        self._dirs: dict[str, int] = {}
        self._wds: dict[int, str] = {}
        self._fd = -1
        self._poll: select.poll | None = None
        self._libc: ctypes.CDLL | None = None
        if sys.platform.startswith("linux"):
            self._open()

    def _open(self) -> None:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
            fd = int(libc.inotify_init1(_IN_NONBLOCK | _IN_CLOEXEC))
        except (OSError, AttributeError):
            return
        if fd < 0:
            return
        self._libc, self._fd = libc, fd
        self._poll = select.poll()
        self._poll.register(fd, select.POLLIN)

    @property
    def available(self) -> bool:
        return self._fd >= 0

    def watch(self, directories: set[str]) -> bool:
        """Watch every directory given; False when any of them cannot be watched."""
        if self._libc is None:
            return False
        with self._lock:
            for path in directories:
                if path in self._dirs:
                    continue
                wd = int(self._libc.inotify_add_watch(self._fd, os.fsencode(path), _MASK))
                if wd < 0:
                    return False
                self._dirs[path] = wd
                self._wds[wd] = path
        return True

    def generation(self) -> int:
        """The current generation, after taking in every event the kernel has queued."""
        poll = self._poll
        if poll is None or not poll.poll(0):
            return self._gen
        with self._lock:
            self._drain()
            return self._gen

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                self._gen += 1
                return
            self._gen += 1
            offset = 0
            while offset + _EVENT.size <= len(data):
                wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
                offset += _EVENT.size + length
                if mask & _IN_IGNORED:
                    # The directory went away (or was unmounted): watch it afresh next time.
                    path = self._wds.pop(wd, None)
                    if path is not None and self._dirs.get(path) == wd:
                        del self._dirs[path]


_lock = threading.Lock()
_watchers: dict[int, DirWatcher] = {}


def watcher() -> DirWatcher:
    """This process's watcher (a forked child gets its own)."""
    pid = os.getpid()
    found = _watchers.get(pid)
    if found is None:
        with _lock:
            found = _watchers.get(pid)
            if found is None:
                found = _watchers[pid] = DirWatcher()
    return found

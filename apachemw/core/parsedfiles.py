"""Parsed files kept until the file changes: DBM RewriteMaps (Berkeley DB, gdbm),
htpasswd user files and group files.

Each reader parses a whole file once; the key is what ``stat`` says, so a file rebuilt
(by ``httxt2dbm``, ``htpasswd``, an editor: a new inode, size or mtime) is parsed again
on its next use. On an event loop (``may_read`` off) a file that must be read raises
NeedsBlockingIO, and the adapter decides the request again in a worker thread.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from apachemw.config.htaccess import NeedsBlockingIO

__all__ = ["ParsedFiles"]

T = TypeVar("T")


class ParsedFiles(Generic[T]):
    """A small LRU of parsed files; OSError becomes ``error`` with the path in its text."""

    def __init__(
        self, parse: Callable[[str, bytes], T], error: type[Exception], size: int = 16
    ) -> None:
        self._parse = parse
        self._error = error
        self._size = size
        self._files: OrderedDict[tuple[str, int, int, int, int], T] = OrderedDict()
        self._lock = threading.Lock()

    def load(self, path: str, may_read: bool = True) -> T:
        try:
            st = os.stat(path)
            stamp = (path, st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)
            with self._lock:
                cached = self._files.get(stamp)
                if cached is not None:
                    self._files.move_to_end(stamp)
                    return cached
            if not may_read:
                raise NeedsBlockingIO(path)
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise self._error(f"{path}: {exc.strerror}") from exc
        pairs = self._parse(path, data)
        with self._lock:
            self._files[stamp] = pairs
            while len(self._files) > self._size:
                self._files.popitem(last=False)
        return pairs

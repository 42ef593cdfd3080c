"""Small files' bodies in memory, keyed by what stat says about them.

The ASGI face runs the core's decision on the event loop (it only stats) and
must not read files there. A small file read once in a worker thread is kept
under (path, inode, size, mtime_ns), which the next request's stat confirms;
a changed file has a new key and is read again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

__all__ = ["SmallFiles"]

Key = tuple[str, int, int, int]


class SmallFiles:
    """A bounded LRU of file bodies up to ``max_file`` bytes each."""

    def __init__(self, max_file: int = 64 * 1024, max_total: int = 32 * 1024 * 1024) -> None:
        self.max_file = max_file
        self.max_total = max_total
        self._data: OrderedDict[Key, bytes] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()

    def get(self, key: Key) -> bytes | None:
        data = self._data.get(key)
        if data is not None:
            self._data.move_to_end(key)
        return data

    def read(self, key: Key) -> bytes:
        """Read the file (in a worker thread) and keep it if it is small."""
        with open(key[0], "rb") as handle:
            data = handle.read(self.max_file + 1)
        if len(data) != key[2]:
            return data  # changed since the stat: serve it, do not keep it
        with self._lock:
            if key not in self._data:
                self._data[key] = data
                self._total += len(data)
                while self._total > self.max_total:
                    _, old = self._data.popitem(last=False)
                    self._total -= len(old)
        return data

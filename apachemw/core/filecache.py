"""Opening an answer's file, and small files' bodies in memory, keyed by what stat
says about them.

Apache's default_handler opens the file before anything is sent, and answers 403
(AH00132) when it cannot; the adapters do the same through ``open_body`` (and
``Engine.refuse_file``), so a file removed, replaced by a FIFO or by a symlink the
walk would have refused in the moment since it was found gets Apache's answer, not
a traceback or a hang (security.md S06, S08, S10).

The ASGI face runs the core's decision on the event loop (it only stats) and
must not read files there. A small file read once in a worker thread is kept
under (path, inode, size, mtime_ns), which the next request's stat confirms;
a changed file has a new key and is read again.
"""

from __future__ import annotations

import errno
import os
import stat
import threading
from collections import OrderedDict
from typing import BinaryIO

from apachemw.core.request import FileBody

__all__ = ["SmallFiles", "open_body"]

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

    def read(self, fbody: FileBody) -> bytes:
        """Read the file (in a worker thread; OSError as open_body) and keep it if it is
        small and still the version the answer was made for."""
        key = fbody.key
        with open_body(fbody) as handle:
            st = os.fstat(handle.fileno())
            data = handle.read(self.max_file + 1)
        if (st.st_ino, st.st_size, st.st_mtime_ns) != key[1:] or len(data) != key[2]:
            return data[: key[2]]  # changed since the stat: never more than announced
        with self._lock:
            if key not in self._data:
                self._data[key] = data
                self._total += len(data)
                while self._total > self.max_total:
                    _, old = self._data.popitem(last=False)
                    self._total -= len(old)
        return data


def open_body(fbody: FileBody) -> BinaryIO:
    """The answer's file, opened as default_handler opens it (raises OSError). Never
    blocks on a FIFO, and refuses anything but a regular file; follows no final
    symlink where the walk allowed none."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC
    if fbody.nofollow:
        flags |= os.O_NOFOLLOW
    fd = os.open(fbody.path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EACCES, "not a regular file", fbody.path)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise

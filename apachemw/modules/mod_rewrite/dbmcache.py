"""Parsed DBM files kept until the file changes, shared by the Berkeley DB and gdbm readers.

Both readers parse a whole file into a dict once; the key is what ``stat`` says, so a map
rebuilt by ``httxt2dbm`` (a new inode, size or mtime) is parsed again on its next lookup.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable

__all__ = ["ParsedFiles"]

Parser = Callable[[str, bytes], dict[bytes, bytes]]


class ParsedFiles:
    """A small LRU of parsed files; OSError becomes ``error`` with the path in its text."""

    def __init__(self, parse: Parser, error: type[Exception], size: int = 16) -> None:
        self._parse = parse
        self._error = error
        self._size = size
        self._files: OrderedDict[tuple[str, int, int, int], dict[bytes, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def load(self, path: str) -> dict[bytes, bytes]:
        try:
            st = os.stat(path)
            stamp = (path, st.st_mtime_ns, st.st_size, st.st_ino)
            with self._lock:
                cached = self._files.get(stamp)
                if cached is not None:
                    self._files.move_to_end(stamp)
                    return cached
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

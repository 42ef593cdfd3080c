"""A read-only reader for GNU dbm files, the format of ``RewriteMap dbm=gdbm:``.

Python reads gdbm files through ``dbm.gnu`` only when it was built against libgdbm, which
many builds (pyenv's, this project's CI) are not; the format is simple enough to read.

Layout (gdbm 1.x, gdbmconst.h and gdbmdefs.h, 64-bit ``off_t``, the host's byte order,
since gdbm files are not portable between architectures):

* the header at offset 0: ``header_magic`` (0x13579acf, or 0x13579ad1 with the
  numsync extension), ``block_size``, ``dir`` (off_t at 8), ``dir_size`` (at 16),
  ``dir_bits``, ``bucket_size``, ``bucket_elems`` (at 28).
* the directory at ``dir``: ``dir_size / 8`` bucket offsets, many pointing to the same
  bucket.
* a bucket: ``av_count`` and six avail entries (112 bytes with padding), then
  ``bucket_elems`` 24-byte elements ``{int hash_value; char key_start[4]; off_t
  data_pointer; int key_size; int data_size}``; a ``hash_value`` of -1 is an empty slot,
  and the key's bytes followed by the value's lie at ``data_pointer``.

As with the Berkeley DB reader, every bucket is read once and the pairs kept until the
file changes, instead of reproducing gdbm's hash function.
"""

from __future__ import annotations

import struct
import sys

from apachemw.core.parsedfiles import ParsedFiles

__all__ = ["GdbmError", "gdbm_fetch", "gdbm_items"]

_MAGICS_64 = (0x13579ACF, 0x13579AD1)
_MAGICS_32 = (0x13579ACD, 0x13579AD0, 0x13579ACE)
_BUCKET_TABLE = 112  # av_count, padding, 6 x {int av_size; off_t av_adr}, bucket_bits, count
_ELEMENT = struct.Struct("=i4sqii")
_ORDER = "<" if sys.byteorder == "little" else ">"


class GdbmError(Exception):
    """The file is missing, unreadable or not a gdbm database this reader understands."""


def gdbm_fetch(path: str, key: bytes) -> bytes | None:
    """The value stored under ``key``, or None when the key is absent."""
    return _FILES.load(path).get(key)


def gdbm_items(path: str) -> dict[bytes, bytes]:
    """Every key/value pair in the database."""
    return dict(_FILES.load(path))


def _parse(path: str, data: bytes) -> dict[bytes, bytes]:
    if len(data) < 32:
        raise GdbmError(f"{path}: too short for a gdbm file")
    magic = struct.unpack_from(_ORDER + "I", data, 0)[0]
    if magic in _MAGICS_32:
        raise GdbmError(f"{path}: gdbm files with a 32-bit off_t are not supported")
    if magic not in _MAGICS_64:
        raise GdbmError(f"{path}: not a gdbm database (or one from another architecture)")
    (directory,) = struct.unpack_from(_ORDER + "q", data, 8)
    dir_size, _dir_bits, bucket_size, bucket_elems = struct.unpack_from(_ORDER + "iiii", data, 16)
    if (
        dir_size <= 0
        or dir_size % 8
        or not 0 < directory <= len(data) - dir_size
        or bucket_elems <= 0
        or _BUCKET_TABLE + bucket_elems * _ELEMENT.size > bucket_size
    ):
        raise GdbmError(f"{path}: bad gdbm header")
    buckets = sorted(set(struct.unpack_from(f"{_ORDER}{dir_size // 8}q", data, directory)))
    pairs: dict[bytes, bytes] = {}
    for bucket in buckets:
        if not 0 < bucket <= len(data) - bucket_size:
            raise GdbmError(f"{path}: directory points outside the file")
        table = bucket + _BUCKET_TABLE
        for index in range(bucket_elems):
            hash_value, _start, pointer, key_size, data_size = _ELEMENT.unpack_from(
                data, table + index * _ELEMENT.size
            )
            if hash_value == -1:
                continue
            if key_size < 0 or data_size < 0 or not 0 < pointer <= len(data) - key_size - data_size:
                raise GdbmError(f"{path}: a bucket element points outside the file")
            pairs[data[pointer : pointer + key_size]] = data[
                pointer + key_size : pointer + key_size + data_size
            ]
    return pairs


_FILES = ParsedFiles(_parse, GdbmError)

"""A read-only reader for APR's sdbm files, the format of ``RewriteMap dbm=sdbm:``.

An sdbm database is two files: ``NAME.pag`` holds 1024-byte pages of key/value pairs and
``NAME.dir`` is a bitmap saying which pages have been split.  A key's page is found by
walking that bitmap with the bits of the key's sdbm hash (apr-util dbm/sdbm/sdbm.c:getpage).

Page layout (apr-util dbm/sdbm/sdbm_pair.c): the page starts with an array of native-endian
signed 16-bit offsets.  ``ino[0]`` counts the offsets that follow; ``ino[1], ino[2]`` are the
start offsets of the first key and its value, ``ino[3], ino[4]`` the next pair, and so on.
Pairs are packed from the end of the page downwards, so key ``i`` spans
``[ino[i], end)`` where ``end`` is the previous value's start (the page size for the first
key), and its value spans ``[ino[i + 1], ino[i])``.
"""

from __future__ import annotations

import os
import platform
import struct
import sys
from typing import BinaryIO

__all__ = ["DIR_EXT", "PAG_EXT", "SdbmError", "sdbm_fetch", "sdbm_hash", "sdbm_items"]

DIR_EXT = ".dir"
PAG_EXT = ".pag"

# sdbm_private.h: APR builds sdbm with 1024-byte pages and 4096-byte directory blocks
# (the bigger sizes are compiled out "for perl compatibility").
PBLKSIZ = 1024
DBLKSIZ = 4096
BYTESIZ = 8

_MASK64 = (1 << 64) - 1
# apr writes the offsets as C shorts in the host's byte order.
_ENDIAN = "<" if sys.byteorder == "little" else ">"
# char is signed on x86 and x86-64 and unsigned on ARM, POWER and s390 (their ABIs say so);
# sdbm_hash depends on it.
_SIGNED_CHAR = platform.machine().lower() in (
    "x86_64",
    "amd64",
    "i386",
    "i486",
    "i586",
    "i686",
    "x86",
)


class SdbmError(Exception):
    """The files are missing, unreadable or not a valid sdbm database."""


def sdbm_hash(key: bytes) -> int:
    """sdbm_hash(): ``n = c + 65599 * n`` over the key, as a 64-bit unsigned long.

    The C loop reads the key through a plain ``char *``, which is signed on x86, so bytes
    0x80-0xff count as negative numbers there: a UTF-8 key hashes differently than it would
    with unsigned bytes, and httxt2dbm's files on this platform depend on that.
    """
    n = 0
    for b in key:
        c = b - 256 if _SIGNED_CHAR and b >= 0x80 else b
        n = (c + 65599 * n) & _MASK64
    return n


def sdbm_fetch(path: str, key: bytes) -> bytes | None:
    """apr_sdbm_fetch on ``path + .dir/.pag``: the value stored for ``key``, or None.

    An empty key is never found (apr refuses it with APR_EINVAL).
    """
    if not key:
        return None
    try:
        with open(path + DIR_EXT, "rb") as dirf, open(path + PAG_EXT, "rb") as pagf:
            page_no = _page_for(dirf, sdbm_hash(key))
            page = _read_page(pagf, page_no)
    except OSError as exc:
        raise SdbmError(f"{path}: {exc.strerror or exc}") from None
    return _get_pair(page, key)


def sdbm_items(path: str) -> list[tuple[bytes, bytes]]:
    """Every pair in page order (apr_sdbm_firstkey/nextkey); for tests and diagnostics."""
    try:
        with open(path + PAG_EXT, "rb") as pagf:
            data = pagf.read()
    except OSError as exc:
        raise SdbmError(f"{path}: {exc.strerror or exc}") from None
    out: list[tuple[bytes, bytes]] = []
    for start in range(0, len(data) - PBLKSIZ + 1, PBLKSIZ):
        out.extend(_pairs(_checked(data[start : start + PBLKSIZ])))
    return out


def _page_for(dirf: BinaryIO, hash_: int) -> int:
    """getpage(): follow split bits in the directory, one hash bit per level."""
    maxbno = os.fstat(dirf.fileno()).st_size * BYTESIZ
    dbit = 0
    hbit = 0
    while dbit < maxbno and _dir_bit(dirf, dbit):
        dbit = 2 * dbit + (2 if hash_ & (1 << hbit) else 1)
        hbit += 1
    return hash_ & ((1 << hbit) - 1)


def _dir_bit(dirf: BinaryIO, dbit: int) -> bool:
    dirf.seek(dbit // BYTESIZ)
    byte = dirf.read(1)
    return bool(byte) and bool(byte[0] & (1 << (dbit % BYTESIZ)))


def _read_page(pagf: BinaryIO, page_no: int) -> bytes:
    pagf.seek(page_no * PBLKSIZ)
    page = pagf.read(PBLKSIZ)
    # read_from(): a page past the end of the file (or a short one) reads as all zeros,
    # which is an empty page.
    if len(page) < PBLKSIZ:
        return bytes(PBLKSIZ)
    return _checked(page)


def _offsets(page: bytes) -> list[int]:
    (count,) = struct.unpack_from(_ENDIAN + "h", page, 0)
    if count < 0 or count > PBLKSIZ // 2 - 1:
        raise SdbmError("corrupt sdbm page")
    return list(struct.unpack_from(f"{_ENDIAN}{count + 1}h", page, 0))


def _checked(page: bytes) -> bytes:
    """chkpage(): offsets must stay inside the page and run downwards."""
    ino = _offsets(page)
    off = PBLKSIZ
    for i in range(1, ino[0], 2):
        key_at, val_at = ino[i], ino[i + 1]
        if not (0 <= val_at <= key_at <= off):
            raise SdbmError("corrupt sdbm page")
        off = val_at
    return page


def _pairs(page: bytes) -> list[tuple[bytes, bytes]]:
    ino = _offsets(page)
    out: list[tuple[bytes, bytes]] = []
    end = PBLKSIZ
    for i in range(1, ino[0], 2):
        out.append((page[ino[i] : end], page[ino[i + 1] : ino[i]]))
        end = ino[i + 1]
    return out


def _get_pair(page: bytes, key: bytes) -> bytes | None:
    """getpair()/seepair(): a linear scan of the page's keys."""
    for k, v in _pairs(page):
        if k == key:
            return v
    return None

"""A read-only reader for Berkeley DB hash files, the format of ``RewriteMap dbm:``.

Debian builds apr-util with Berkeley DB as its default DBM, so ``dbm:`` and ``dbm=db:``
maps (and ``httxt2dbm -f DB``) are Berkeley DB *hash* databases.  Python has had no
Berkeley DB module in its standard library since 3.0, so we read the pages ourselves.

Layout (Berkeley DB 4.x-5.x, dbinc/db_page.h, hash version 8-10):

* page 0 is the metadata page: ``magic`` 0x061561 at byte 12 tells the byte order,
  ``pagesize`` is at byte 20, ``encrypt_alg`` at 24 and ``metaflags`` at 26;
  ``last_pgno`` at 32.
* every other page starts with a 26-byte header: ``pgno`` at 8, ``next_pgno`` at 16,
  ``entries`` at 20, ``hf_offset`` at 22 and the page ``type`` at 25, followed by
  ``entries`` 16-bit offsets.  On hash pages (types 2 and 13) the items alternate key,
  value; item ``i`` runs from its offset to the previous item's (the page end for
  the first).  Its first byte says what it is: 1 the bytes themselves, 3 a pointer
  (``pgno`` at 4, ``tlen`` at 8) to a chain of overflow pages (type 7) whose
  ``hf_offset`` is the number of bytes each carries.

Rather than reproduce the hash function and bucket arithmetic, the reader walks every
hash page once and keeps the pairs; the parse is cached until the file changes.  A map
file is written once by ``httxt2dbm`` and only read afterwards, so every pair on a hash
page is live (Berkeley DB compacts a page when it deletes from it, and a freed page
becomes type 0, which is skipped).
"""

from __future__ import annotations

import struct

from apachemw.core.parsedfiles import ParsedFiles

__all__ = ["BdbError", "bdb_fetch", "bdb_items"]

_HASH_MAGIC = 0x061561
_HASH_VERSIONS = (8, 9, 10)
_PAGE_HEADER = 26
_P_HASH_UNSORTED = 2
_P_OVERFLOW = 7
_P_HASH = 13
_H_KEYDATA = 1
_H_OFFPAGE = 3
_DBMETA_CHKSUM = 0x01


class BdbError(Exception):
    """The file is missing, unreadable or not a Berkeley DB hash database we can read."""


def bdb_fetch(path: str, key: bytes) -> bytes | None:
    """The value stored under ``key``, or None when the key is absent."""
    return _FILES.load(path).get(key)


def bdb_items(path: str) -> dict[bytes, bytes]:
    """Every key/value pair in the database."""
    return dict(_FILES.load(path))


def _byte_order(path: str, data: bytes) -> str:
    if len(data) < 72:
        raise BdbError(f"{path}: too short for a Berkeley DB file")
    for order in ("<", ">"):
        if struct.unpack_from(order + "I", data, 12)[0] == _HASH_MAGIC:
            return order
    raise BdbError(f"{path}: not a Berkeley DB hash database")


def _parse(path: str, data: bytes) -> dict[bytes, bytes]:
    order = _byte_order(path, data)
    version, pagesize = struct.unpack_from(order + "II", data, 16)
    encrypt_alg, _dbtype, metaflags = data[24], data[25], data[26]
    if version not in _HASH_VERSIONS:
        raise BdbError(f"{path}: hash version {version} is not supported")
    if encrypt_alg or metaflags & _DBMETA_CHKSUM:
        # Checksummed and encrypted pages carry extra header bytes; apr never asks for them.
        raise BdbError(f"{path}: checksummed or encrypted databases are not supported")
    if pagesize < 512 or pagesize & (pagesize - 1) or len(data) % pagesize:
        raise BdbError(f"{path}: bad page size {pagesize}")
    reader = _Pages(path, data, pagesize, order)
    pairs: dict[bytes, bytes] = {}
    for pgno in range(1, len(data) // pagesize):
        if reader.page_type(pgno) in (_P_HASH, _P_HASH_UNSORTED):
            pairs.update(reader.hash_pairs(pgno))
    return pairs


class _Pages:
    """Pages of one file, read with the file's own byte order."""

    def __init__(self, path: str, data: bytes, pagesize: int, order: str) -> None:
        self.path = path
        self.data = data
        self.pagesize = pagesize
        self.order = order
        self.npages = len(data) // pagesize

    def _offset(self, pgno: int) -> int:
        if not 0 < pgno < self.npages:
            raise BdbError(f"{self.path}: page {pgno} is outside the file")
        return pgno * self.pagesize

    def page_type(self, pgno: int) -> int:
        return self.data[self._offset(pgno) + 25]

    def _header(self, pgno: int) -> tuple[int, int, int]:
        """(next_pgno, entries, hf_offset) of a page."""
        base = self._offset(pgno)
        next_pgno, entries, hf_offset = struct.unpack_from(self.order + "IHH", self.data, base + 16)
        return next_pgno, entries, hf_offset

    def hash_pairs(self, pgno: int) -> list[tuple[bytes, bytes]]:
        base = self._offset(pgno)
        _next, entries, _hf = self._header(pgno)
        if entries % 2 or _PAGE_HEADER + 2 * entries > self.pagesize:
            raise BdbError(f"{self.path}: page {pgno} has a bad entry count")
        offsets = struct.unpack_from(f"{self.order}{entries}H", self.data, base + _PAGE_HEADER)
        items: list[bytes] = []
        end = self.pagesize
        for start in offsets:
            if not _PAGE_HEADER + 2 * entries <= start < end:
                raise BdbError(f"{self.path}: page {pgno} has a bad item offset")
            items.append(self._item(self.data[base + start : base + end]))
            end = start
        return list(zip(items[0::2], items[1::2], strict=True))

    def _item(self, raw: bytes) -> bytes:
        kind = raw[0]
        if kind == _H_KEYDATA:
            return raw[1:]
        if kind == _H_OFFPAGE and len(raw) >= 12:
            pgno, tlen = struct.unpack_from(self.order + "II", raw, 4)
            return self._overflow(pgno, tlen)
        # Duplicate sets (types 2 and 4) need DB_DUP, which apr_dbm never sets.
        raise BdbError(f"{self.path}: item type {kind} is not supported")

    def _overflow(self, pgno: int, tlen: int) -> bytes:
        chunks: list[bytes] = []
        seen: set[int] = set()
        total = 0
        while pgno and total < tlen:
            if pgno in seen or self.page_type(pgno) != _P_OVERFLOW:
                raise BdbError(f"{self.path}: broken overflow chain at page {pgno}")
            seen.add(pgno)
            next_pgno, _entries, length = self._header(pgno)
            base = self._offset(pgno) + _PAGE_HEADER
            if length > self.pagesize - _PAGE_HEADER:
                raise BdbError(f"{self.path}: overflow page {pgno} is too long")
            chunks.append(self.data[base : base + length])
            total += length
            pgno = next_pgno
        value = b"".join(chunks)
        if len(value) != tlen:
            raise BdbError(f"{self.path}: overflow item is {len(value)} bytes, not {tlen}")
        return value


_FILES = ParsedFiles(_parse, BdbError)

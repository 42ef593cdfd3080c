"""mod_mime_magic: content types from first bytes for files mod_mime leaves untyped.

Three magic files: Debian's /etc/apache2/magic (localhost), the suite's own (own.test:
continuation levels, masks, relations, escapes, both byte orders, native longs, an
indirect offset, a printf description, an encoding column, a line of unknown type and
Apache's "BOINK"), and a valid one on two more hosts, of which the one after the bad
file in Apache's server list gets no magic at all (magic_init stops there). Cases: image,
document, archive and executable headers without extensions, gzip and compress data
typed by what they uncompress to (and gzip data that does not uncompress), the ASCII
heuristics (HTML tags, mail, news, troff, Fortran, "the", escape sequences), tar
checksums, files shorter than the 63 bytes any rule needs, an empty file, a file whose
extension mod_mime knows, a directory, and "name@N" revision suffixes.

Binary files are written by ``prepare`` (byte for byte the same on every run: stored
deflate blocks and a small LZW coder, not zlib's or compress's choices)."""

from __future__ import annotations

import hashlib
import io
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

from ..harness import Case, header, request, set_mtimes, with_log_format

NAME = "mime_magic"

LOG = 'LogFormat "%v \\"%r\\" %>s %b \\"%{Content-Type}o\\" \\"%{Content-Encoding}o\\"" combined'


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    base = with_log_format(header(root, port, ("mime_magic",)), LOG)
    return (
        base
        + f"""
DocumentRoot {h}
MimeMagicFile /etc/apache2/magic
<Directory {h}>
    Require all granted
</Directory>
<VirtualHost 127.0.0.1:{port}>
    ServerName stopped.test
    MimeMagicFile {root}/good.magic
</VirtualHost>
<VirtualHost 127.0.0.1:{port}>
    ServerName own.test
    MimeMagicFile {root}/own.magic
</VirtualHost>
<VirtualHost 127.0.0.1:{port}>
    ServerName after.test
    MimeMagicFile good.magic
</VirtualHost>
<VirtualHost 127.0.0.1:{port}>
    ServerName localhost
</VirtualHost>
"""
    )


def _junk(size: int, seed: bytes) -> bytes:
    out = b""
    block = seed
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return out[:size]


def _pad(start: bytes, size: int = 100) -> bytes:
    """``start`` filled up to ``size`` with bytes above 0x7f (no keywords, no NUL)."""
    return start + bytes(0x80 + i % 128 for i in range(size - len(start)))


def _gzip(data: bytes) -> bytes:
    """A gzip member with one stored deflate block (no compressor's choices in it)."""
    head = b"\x1f\x8b\x08\x00" + b"\x00" * 4 + b"\x00\x03"
    block = b"\x01" + struct.pack("<HH", len(data), len(data) ^ 0xFFFF) + data
    return head + block + struct.pack("<II", zlib.crc32(data), len(data))


def _lzw(data: bytes) -> bytes:
    """compress(1) data (.Z) for inputs short enough to stay with 9-bit codes."""
    table = {bytes([i]): i for i in range(256)}
    codes, word = [], b""
    for byte in data:
        nxt = word + bytes([byte])
        if nxt in table:
            word = nxt
            continue
        codes.append(table[word])
        table[nxt] = 257 + len(table) - 256
        word = bytes([byte])
    codes.append(table[word])
    assert len(table) < 512 - 1
    bits = 0
    for i, code in enumerate(codes):
        bits |= code << (9 * i)
    return b"\x1f\x9d\x90" + bits.to_bytes((9 * len(codes) + 7) // 8, "little")


def _tar() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo("hello.txt")
        body = b"hello from a tar archive\n"
        info.size, info.mtime, info.uname, info.gname = len(body), 1_700_000_000, "u", "g"
        tar.addfile(info, io.BytesIO(body))
    return buf.getvalue()


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(zipfile.ZipInfo("a.txt", (2024, 1, 2, 3, 4, 6)), b"zip member\n")
    return buf.getvalue()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
HTML = b"<html>\n<head><title>Inside gzip</title></head>\n<body><p>compressed</p></body>\n</html>\n"
ENGLISH = b"The quick brown fox jumps over the lazy dog, and then it rests for a while.\n"

BINARY = {
    "png": _pad(PNG),
    "png-short": PNG[:40],
    "known.txt": _pad(PNG),
    "gif": _pad(b"GIF89a\x01\x00\x01\x00\x80\x00\x00"),
    "jpeg": _pad(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01"),
    "pdf": _pad(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"),
    "zip": _zip(),
    "tar": _tar(),
    "gz-html": _gzip(HTML),
    "gz-binary": _gzip(_junk(300, b"gz")),
    "gz-short": _gzip(b"hello the world\n"),
    "gz-corrupt": _pad(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff\xff\xff"),
    "z-text": _lzw(ENGLISH),
    "junk": b"\x01" + _junk(299, b"junk"),
    "mpeg": _pad(b"\xff\xfb\x90\x64\x00"),
    "elf": _pad(b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + b"\x02\x00\x3e\x00"),
    "msword": _pad(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 700),
    "wav": _pad(b"RIFF\x24\x00\x00\x00WAVEfmt "),
    "zoo": _pad(b"\x00" * 20 + struct.pack("<I", 0xFDC4A7DC)),
    "empty": b"",
    "png@2": b"\x00\x01revision 2 of the png\n",
    "missing.html@3": b"\x00\x01revision 3 of a page that is gone\n",
    "png@x": b"\x00\x01not a revision\n",
    # own.magic
    "o-escapes": _pad(b"MAGIC!A\tTAB SP"),
    "o-newline": _pad(b"NL\nLINE"),
    "o-cr": _pad(b"NL\rLINE"),
    "o-cont-two": _pad(b"CONT\x01\x02"),
    "o-cont-one": _pad(b"CONT\x01\x05"),
    "o-cont-nine": _pad(b"CONT\x09\x05"),
    "o-le16": _pad(b"ENDIAN\x34\x12"),
    "o-be16": _pad(b"ENDIAN\x12\x34"),
    "o-le32": _pad(b"LONGS\x78\x56\x34\x12"),
    "o-be32": _pad(b"LONGS\x12\x34\x56\x78"),
    "o-masked": _pad(b"LONGS\x0a\x0b\xcc\xdd"),
    "o-highbit": _pad(b"HIGHBIT\x89\xab\xcd\xef"),
    "o-native": _pad(b"NATIVE\x01\x02\x03\x04\x05\x06\x07\x08"),
    "o-rels-low": _pad(b"RELS\x15"),
    "o-rels-high": _pad(b"RELS\x95"),
    "o-any": _pad(b"ANY\x00"),
    "o-indirect": _pad(b"INDIR\x0c\x00\x00\x00\x00\x00\x00\x00\x00FOUND"),
    # the byte at 5 is 10, a newline: a string rule reads it as a NUL, so 0 + 2
    "o-indirect-newline": _pad(b"INDIR\x0a\x00\x00\x00\x00\x00\x00FOUND"),
    "o-type": _pad(b"TYPE:plain\n"),
    "o-encoded": _pad(b"ENCODED"),
    "o-zzzz": _pad(b"zzzz"),
    "o-boink": _pad(b"\x02\x03"),
}


def prepare(root: str) -> None:
    docs = Path(root, "htdocs")
    for name, data in BINARY.items():
        (docs / name).write_bytes(data)
    set_mtimes(root, ("htdocs",))


def _get(name: str, target: str, note: str, host: str = "localhost", method: str = "GET") -> Case:
    return Case(name, request(method, target, host=host), note)


def _own(name: str, note: str) -> Case:
    return _get(f"own-{name}", f"/o-{name}", note, host="own.test")


CASES = [
    # Debian's magic file
    _get("png", "/png", "\\x89PNG at 0: image/png"),
    _get("png-short", "/png-short", "40 bytes: no rule can match (each reads 64)"),
    _get("gif", "/gif", "GIF89a"),
    _get("jpeg", "/jpeg", "beshort 0xffd8"),
    _get("pdf", "/pdf", "%PDF-"),
    _get("zip", "/zip", "PK\\003\\004"),
    _get("tar", "/tar", "ustar at 257: a type and an encoding column"),
    _get("mpeg", "/mpeg", "beshort&0xfffe =0xfffa"),
    _get("elf", "/elf", "\\177ELF with continuations on e_type"),
    _get("msword", "/msword", "an OLE header"),
    _get("wav", "/wav", "RIFF then WAVE at 8"),
    _get("zoo", "/zoo", "lelong 0xfdc4a7dc: a top-bit value never matches on 64-bit"),
    _get("junk", "/junk", "binary data that nothing recognises: no type"),
    _get("empty", "/empty", "an empty file is text/plain"),
    _get("known-extension", "/known.txt", "mod_mime's type wins over the PNG bytes"),
    _get("directory", "/dir/", "a directory is never typed by magic"),
    _get("head", "/png", "HEAD", method="HEAD"),
    _get("gz-html", "/gz-html", "gzip data typed by its contents, x-gzip"),
    _get("gz-binary", "/gz-binary", "gzip of unknown data: x-gzip stays, no type"),
    _get("gz-short", "/gz-short", "gzip of short text: keywords still work"),
    _get("gz-corrupt", "/gz-corrupt", "gzip magic that does not uncompress: AH01554"),
    _get("z-text", "/z-text", "compress (.Z) data: x-compress"),
    # ascmagic
    _get("html", "/page", "<html> among the first words"),
    _get("html-doctype", "/doctype", "<!DOCTYPE html> then <html>"),
    _get("english", "/english", "'The': text/plain"),
    _get("no-keywords", "/nowords", "text without a keyword: no type"),
    _get("short-text", "/short", "11 bytes, no keyword: no type"),
    _get("mail", "/mail", "Received: at 0 (a rule)"),
    _get("mail-short", "/mail-short", "Received: in a short file (the keyword list)"),
    _get("news", "/news", "Newsgroups:"),
    _get("troff", "/troff", ".TH: troff"),
    _get("fortran", "/fortran", "'c ' at 0: Fortran is text/plain"),
    _get("escapes", "/escapes", "'the' with ESC in the text: the note becomes an encoding"),
    _get("script", "/script", "#!/bin/sh"),
    _get("xml", "/xml", "<?xml without the SVG doctype at 38: matched, but nothing printed"),
    _get("svg", "/svg", "<?xml with <!DOCTYPE svg at 38"),
    # revision suffixes
    _get("revision", "/png@2", "name@N: the type of 'name' by a subrequest"),
    _get("revision-missing", "/missing.html@3", "the base name need not exist"),
    _get("revision-not", "/png@x", "not digits after @"),
    # the suite's own magic file
    _own("escapes", "\\x21, \\101, \\t and an escaped space"),
    _own("newline", "a pattern with \\n never matches; BOINK catches it"),
    _own("cr", "\\r is fine"),
    _own("cont-two", "levels 1 and 2, \\b (no space), then a second word: an encoding"),
    _own("cont-one", "level 1 only"),
    _own("cont-nine", "another level-1 line"),
    _own("le16", "leshort"),
    _own("be16", "beshort"),
    _own("le32", "lelong"),
    _own("be32", "belong"),
    _own("masked", "belong&0xffff0000"),
    _own("highbit", "belong with the top bit: only the negative value matches"),
    _own("native", "long reads 8 little-endian bytes"),
    _own("rels-low", "> then < one level down, ^, !"),
    _own("rels-high", "signed and unsigned >, &"),
    _own("any", "x matches any value"),
    _own("indirect", "(5.b+2): the byte at 5, plus 2"),
    _own("indirect-newline", "(5.b+2) where that byte is a newline"),
    _own("type", "text/%s filled from the data"),
    _own("encoded", "an encoding column"),
    _own("zzzz", "string >ZZZZ"),
    _own("boink", "past the unknown type (AH01538) to 0x78 (AH01539 BOINK)"),
    _get("own-short", "/short", "short: no rule is even tried", host="own.test"),
    _get("after-good", "/png", "a valid file before the bad one in the list", host="after.test"),
    _get("stopped", "/png", "after the bad file in the list: no magic", host="stopped.test"),
]

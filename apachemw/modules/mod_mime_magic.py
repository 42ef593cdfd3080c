"""mod_mime_magic: a content type from a file's first bytes, for files mod_mime left
untyped (modules/metadata/mod_mime_magic.c).

``MimeMagicFile`` names a magic file in Apache's format (parsed once, at config load,
by ``magic_rules``); apachemw ships its own small one as ``${APACHEMW_MAGIC}``. The
type checker runs after mod_mime's and only for an existing file that has no content
type yet (a directory always has mod_mime's ``httpd/unix-directory``). In Apache's
order it tries:

1. a name ending in ``@digits``: the type of the name without it, by a subrequest;
2. the file's kind: other than a regular file is ``application/octet-stream``, an
   empty file ``text/plain``;
3. on the first 4096 bytes: compressed data (gzip's, compress's or pack's magic) is
   uncompressed and typed itself, with ``Content-Encoding: x-gzip``/``x-compress``;
   then the magic file's rules; then the ASCII heuristics (troff, Fortran, and the
   first of some keywords in the first 1024 bytes: HTML tags, mail and news headers,
   "the"... give ``text/html``, ``message/rfc822``, ``message/news``, ``text/plain``)
   and a tar header's checksum. Nothing else falls back to ``text/plain``.

The matched descriptions are read as Apache reads them: the first word with a ``/``
is the type, the next word the encoding; Apache copies one character more than it
counted, so a type followed by an encoding keeps the space or tab after it (the access
log shows it; on the wire the header is trimmed, as the client reads it anyway).

A magic file that cannot be read (AH01515), or has a line of unknown type (AH01524),
is logged at startup and never refuses the configuration, as in Apache: the servers
Apache would set up after it get no magic.

Deliberately different: Apache runs ``gzip -dcq FILE`` in a child process to look
inside compressed files. apachemw inflates gzip data in process with ``zlib``
(at most 4096 bytes out, reading at most 1 MiB in) and decodes compress's LZW the
same way, so no process is started per request. gzip data that yields nothing gets
the two lines gzip would have written to Apache's error log ("invalid compressed
data--format violated" or "unexpected end of file"), then AH01554; for bad compress
data, which gzip words in more ways, only AH01554 is logged. pack's Huffman format
(``\\037\\036``), which only gzip still reads, is treated as data gzip could not
read (AH01554, no type). File reads go through a small cache of first bytes keyed by
the file's identity; on an event loop a file not in it raises NeedsBlockingIO and the
request is decided in a worker thread.
"""

from __future__ import annotations

import os
import re
import stat
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from apachemw.config.directives import RSRC_CONF, Args, Cmd, Module
from apachemw.config.htaccess import NeedsBlockingIO
from apachemw.config.rows import row
from apachemw.core.request import DECLINED, OK, Request
from apachemw.modules.magic_rules import MagicFile, match, parse_magic
from apachemw.modules.mod_mime import DIR_MAGIC_TYPE

__all__ = ["HOWMANY", "MODULE", "MagicServer", "load_magic", "read_sample"]

HOWMANY = 4096  # bytes read from the file (and from its uncompressed data)
SMALL_HOWMANY = 1024  # bytes the keyword search looks at
MAX_COMPRESSED_INPUT = 1 << 20  # how far apachemw reads a compressed file to fill 4096
BINARY_UNKNOWN = "application/octet-stream"
TEXT_UNKNOWN = "text/plain"
_SPACE = b" \t\n\v\f\r"
_TOKEN_SPLIT = b" \t\n\r\f"
_WORDS = re.compile(rb"[ \t\n\r\f]+")  # apr_strtok's separators (no \v)
_DONE = -2  # fsmagic decided without reading the file


@dataclass
class MagicServer:
    magic_file: str | None = None  # the MimeMagicFile path, server-root relative
    magic: MagicFile | None = None  # the parsed rules; None: the module does nothing


def _merge_server(base: MagicServer, add: MagicServer) -> MagicServer:
    return MagicServer(magic_file=add.magic_file or base.magic_file)


def _magic_file(cmd: Cmd, args: Sequence[str]) -> None:
    conf: MagicServer = cmd.srv()
    conf.magic_file = args[0]


# -- config load --------------------------------------------------------------------------


def load_magic(path: str, log: Callable[[str, OSError | None], None]) -> MagicFile | None:
    """apprentice(): the file's rules, or None (AH01515) when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        log(f"AH01515: mod_mime_magic: can't read magic file {path}", exc)
        return None
    return parse_magic(path, data, lambda message: log(message, None))


def post_config(site: object) -> None:
    """magic_init: each server's magic file, in Apache's server list order (the main
    server, then the virtual hosts last-defined first, as core.c prepends them). A
    file that cannot be read or has a line of unknown type stops the loop: the servers
    after it have no magic (the one with the bad line keeps the lines it could read)."""
    from apachemw.config.site import Site

    assert isinstance(site, Site)
    parsed: dict[str, MagicFile | None] = {}

    def log(message: str, error: OSError | None) -> None:
        site.log_error(None, "error", "mime_magic", message, error)

    stopped = False
    for server in (site.main, *reversed(site.vhosts)):
        conf: MagicServer = server.get("mod_mime_magic")
        own = MagicServer(magic_file=conf.magic_file)
        server.mods["mod_mime_magic"] = own  # a vhost may share the main's object
        if stopped or own.magic_file is None:
            continue
        path = own.magic_file
        if not os.path.isabs(path):
            path = os.path.join(site.server_root, path)
        if path not in parsed:
            parsed[path] = load_magic(path, log)
        own.magic = parsed[path]
        stopped = own.magic is None or own.magic.errors > 0


# -- the first bytes of a file, cached by identity ----------------------------------------

Key = tuple[str, int, int, int]


@dataclass(frozen=True, slots=True)
class Sample:
    """What the checks read: the first HOWMANY bytes, and for compressed data the first
    HOWMANY bytes it uncompresses to (b"": it could not be uncompressed)."""

    head: bytes
    inflated: bytes | None
    # What gzip would have written to stderr (the error log) for data it could not
    # read at all.
    complaint: str | None = None


class Samples:
    """A bounded LRU of samples under (path, inode, size, mtime_ns)."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._data: OrderedDict[Key, Sample] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key, may_read: bool) -> Sample:
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
                return found
        if not may_read:
            raise NeedsBlockingIO(key[0])
        sample = read_sample(key[0])
        if len(sample.head) == min(key[2], HOWMANY):  # unchanged since the stat
            with self._lock:
                self._data[key] = sample
                while len(self._data) > self.size:
                    self._data.popitem(last=False)
        return sample


SAMPLES = Samples()

# The compressed formats zmagic recognises: magic bytes and Content-Encoding.
_COMPRESSED = ((b"\037\235", "x-compress"), (b"\037\213", "x-gzip"), (b"\037\036", "x-gzip"))


def read_sample(path: str) -> Sample:
    """Read the file's first bytes (in a worker thread on an event loop)."""
    with open(path, "rb") as handle:
        head = handle.read(HOWMANY)
        if head[:2] == b"\037\213":
            handle.seek(0)
            inflated, complaint = _gunzip(handle)
            return Sample(head, inflated, complaint and f"gzip: {path}: {complaint}")
        if head[:2] == b"\037\235":
            handle.seek(0)
            return Sample(head, _unlzw(handle.read(MAX_COMPRESSED_INPUT)))
        if head[:2] == b"\037\036":
            return Sample(head, b"")  # pack: not reproduced (see the module's docstring)
    return Sample(head, None)


def _gunzip(handle: BinaryIO) -> tuple[bytes, str | None]:
    """gzip -dc's first HOWMANY bytes, members concatenated, as far as the data reads;
    with nothing read, gzip's complaint."""
    out = bytearray()
    complaint: str | None = "unexpected end of file"
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    taken = 0
    pending = b""
    while len(out) < HOWMANY and taken < MAX_COMPRESSED_INPUT:
        chunk = pending or handle.read(16384)
        pending = b""
        if not chunk:
            break
        taken += len(chunk)
        try:
            out += inflater.decompress(chunk, HOWMANY - len(out))
        except zlib.error:
            complaint = "invalid compressed data--format violated"
            break
        if inflater.eof:
            rest = inflater.unused_data
            if not rest.startswith(b"\037\213"):
                break
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            pending = rest
        elif inflater.unconsumed_tail and len(out) >= HOWMANY:
            break
    return bytes(out[:HOWMANY]), (None if out else complaint)


def _unlzw(data: bytes) -> bytes:
    """compress(1)'s LZW (the .Z format), its first HOWMANY bytes."""
    if len(data) < 3 or data[:2] != b"\037\235":
        return b""
    flags = data[2]
    max_bits = flags & 0x1F
    block_mode = bool(flags & 0x80)
    if max_bits < 9 or max_bits > 16:
        return b""
    table: list[bytes] = [bytes([i]) for i in range(256)]
    if block_mode:
        table.append(b"")  # code 256 clears the table
    out = bytearray()
    bits, pos, prev = 9, 3, b""
    bitbuf, bitcount, group_start = 0, 0, 3
    while len(out) < HOWMANY:
        while bitcount < bits and pos < len(data):
            bitbuf |= data[pos] << bitcount
            bitcount += 8
            pos += 1
        if bitcount < bits:
            break
        code = bitbuf & ((1 << bits) - 1)
        bitbuf >>= bits
        bitcount -= bits
        if block_mode and code == 256:
            table = table[:257]
            # compress pads to the end of the current group of 8 codes
            consumed = (pos - group_start) * 8 - bitcount
            skip = (-(consumed // bits)) % 8 * bits
            pos, bitbuf, bitcount = _skip_bits(data, pos, bitbuf, bitcount, skip)
            bits, prev, group_start = 9, b"", pos
            continue
        if code < len(table):
            entry = table[code]
        elif code == len(table) and prev:
            entry = prev + prev[:1]
        else:
            break  # corrupt data: gzip stops here too
        out += entry
        if prev and len(table) < (1 << max_bits):
            table.append(prev + entry[:1])
        prev = entry
        if len(table) >= (1 << bits) and bits < max_bits:
            consumed = (pos - group_start) * 8 - bitcount
            skip = (-(consumed // bits)) % 8 * bits
            pos, bitbuf, bitcount = _skip_bits(data, pos, bitbuf, bitcount, skip)
            bits += 1
            group_start = pos
    return bytes(out[:HOWMANY])


def _skip_bits(
    data: bytes, pos: int, bitbuf: int, bitcount: int, skip: int
) -> tuple[int, int, int]:
    """Drop ``skip`` bits of input (compress aligns code-size changes to 8 codes)."""
    while skip > 0:
        if bitcount == 0:
            if pos >= len(data):
                break
            bitbuf, bitcount, pos = data[pos], 8, pos + 1
        take = min(skip, bitcount)
        bitbuf >>= take
        bitcount -= take
        skip -= take
    return pos, bitbuf, bitcount


# -- one request ---------------------------------------------------------------------------


class Result:
    """Apache's result string list for one request, and its error-log calls."""

    def __init__(self, r: Request) -> None:
        self.r = r
        self.parts: list[bytes] = []

    def log(self, message: str, error: OSError | None = None) -> None:
        self.r.site.log_error(self.r, "error", "mime_magic", message, error)

    def puts(self, text: str) -> None:
        self.parts.append(text.encode("latin-1"))


def magic_find_ct(r: Request) -> int:
    """type_checker, after mod_mime: only an existing file that has no type yet."""
    if r.finfo is None or not r.filename or r.content_type:
        return DECLINED
    conf: MagicServer = r.server.get("mod_mime_magic")
    if conf.magic is None or not conf.magic.rules:
        return DECLINED
    if _revision_suffix(r):
        return DECLINED
    result = Result(r)
    status = _process(r, conf.magic, result)
    if status != OK:
        return status
    return _to_request(r, result.parts)


def _revision_suffix(r: Request) -> bool:
    """revision_suffix(): "name@123" takes the type a subrequest finds for "name"."""
    from apachemw.core.pipeline import lookup_file

    name = r.filename or ""
    digits = len(name) - len(name.rstrip("0123456789"))
    if not digits or len(name) == digits or name[-digits - 1] != "@":
        return False
    sub = lookup_file(r, name[: -digits - 1])
    if not sub.content_type:
        return False
    r.content_type = sub.content_type
    if sub.content_encoding:
        r.content_encoding = sub.content_encoding
    if sub.content_languages:
        r.content_languages = list(sub.content_languages)
    return True


def _process(r: Request, magic: MagicFile, result: Result) -> int:
    """magic_process(): the file's kind, then its first bytes."""
    status = _fsmagic(r, result)
    if status == _DONE:
        result.parts.append(b"\n")
        return OK
    if status != OK:
        return status
    assert r.finfo is not None and r.filename is not None
    key = (r.filename, r.finfo.st_ino, r.finfo.st_size, r.finfo.st_mtime_ns)
    try:
        sample = SAMPLES.get(key, r.may_block)
    except OSError:
        result.log(f"AH01512: mod_mime_magic: can't read `{r.filename}'")
        return DECLINED
    if not sample.head:
        return DECLINED
    status = _tryit(r, sample.head + b"\0", magic, result, sample)
    if status != OK:
        return status
    result.parts.append(b"\n")
    return OK


def _fsmagic(r: Request, result: Result) -> int:
    assert r.finfo is not None
    mode = r.finfo.st_mode
    if stat.S_ISDIR(mode):
        result.puts(DIR_MAGIC_TYPE)
        return _DONE
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        result.puts(BINARY_UNKNOWN)
        return _DONE
    if not stat.S_ISREG(mode):
        result.log(f"AH01528: mod_mime_magic: invalid file type {stat.S_IFMT(mode)}.")
        return 500
    if r.finfo.st_size == 0:
        result.puts(TEXT_UNKNOWN)
        return _DONE
    return OK


def _tryit(r: Request, buf: bytes, magic: MagicFile, result: Result, sample: Sample | None) -> int:
    """tryit(): compressed data, then the magic rules, then the ASCII heuristics."""
    if sample is not None and sample.inflated is not None and _zmagic(r, magic, result, sample):
        return OK
    if match(buf, magic.rules, result.parts, result.log):
        return OK
    if _ascmagic(buf, result):
        return OK
    return DECLINED


def _zmagic(r: Request, magic: MagicFile, result: Result, sample: Sample) -> bool:
    """zmagic(): type what the data uncompresses to; a failure to uncompress still
    counts as decided (with nothing printed), as in Apache."""
    encoding = next((enc for start, enc in _COMPRESSED if sample.head.startswith(start)), None)
    inflated = sample.inflated
    if encoding is None or inflated is None:
        return False
    if not inflated:
        if sample.complaint:
            # gzip's stderr is Apache's: its lines land in the main error log as they are.
            r.eventful = True
            r.site.error_log("")
            r.site.error_log(sample.complaint)
        result.log(
            f"AH01554: mod_mime_magic: read failed from uncompress of {r.filename}",
            OSError(70014, "End of file found"),
        )
        return True
    r.content_encoding = encoding
    # Apache puts its NUL over the last byte it read, not after it.
    return _tryit(r, inflated[:-1] + b"\0", magic, result, None) == OK


# The keywords ascmagic looks for, each with its type; the first word of the text that
# is one of them decides.
_NAMES = {
    **dict.fromkeys(
        ("<html>", "<HTML>", "<head>", "<HEAD>", "<title>", "<TITLE>", "<h1>", "<H1>", "<!--"),
        "text/html",
    ),
    "<!DOCTYPE HTML": "text/html",  # one word never holds a space: never matches
    **dict.fromkeys(
        ("/*", "#include", "char", "The", "the", "double", "extern", "float", "real", "struct"),
        TEXT_UNKNOWN,
    ),
    **dict.fromkeys(
        ("union", "CFLAGS", "LDFLAGS", "all:", ".PRECIOUS", ".ascii", ".asciiz", ".byte"),
        TEXT_UNKNOWN,
    ),
    **dict.fromkeys((".even", ".globl", "clr", "(input,", "dcl"), TEXT_UNKNOWN),
    **dict.fromkeys(("Received:", ">From", "Return-Path:", "Cc:"), "message/rfc822"),
    **dict.fromkeys(("Newsgroups:", "Path:", "Organization:"), "message/news"),
}


def _isalnum(c: int) -> bool:
    return chr(c).isascii() and chr(c).isalnum()


def _ascmagic(buf: bytes, result: Result) -> bool:
    """ascmagic(): troff, Fortran, keywords, tar; no fallback."""
    if buf[:1] == b".":
        tp = 1
        while buf[tp] in _SPACE:
            tp += 1
        first, second = buf[tp], buf[tp + 1] if tp + 1 < len(buf) else 0
        # The second test looks at the first character again (as Apache's does).
        if (_isalnum(first) or first == 0x5C) and (_isalnum(second) or first == 0x22):
            result.puts("application/x-troff")
            return True
    if buf[:1] in (b"c", b"C") and buf[1:2] != b"" and buf[1] in _SPACE:
        result.puts(TEXT_UNKNOWN)
        return True
    small = buf[:SMALL_HOWMANY]
    escapes = b"\033" in small
    for token in _WORDS.split(small.split(b"\0", 1)[0]):
        kind = _NAMES.get(token.decode("latin-1"))
        if kind is not None:
            result.puts(kind)
            if escapes:
                result.puts(" (with escape sequences)")
            return True
    if _is_tar(buf):
        result.puts("application/x-tar")
        return True
    return False


def _is_tar(buf: bytes) -> bool:
    """is_tar(): a 512-byte header whose checksum field matches its bytes."""
    if len(buf) < 512:
        return False
    recorded = _from_oct(buf[148:156])
    total = sum(buf[:512]) - sum(buf[148:156]) + 0x20 * 8
    return total == recorded


def _from_oct(field: bytes) -> int:
    pos = 0
    while pos < len(field) and field[pos] in _SPACE:
        pos += 1
        if pos >= len(field):
            return -1
    start = pos
    while pos < len(field) and 0x30 <= field[pos] <= 0x37:
        pos += 1
    value = int(field[start:pos], 8) if pos > start else 0
    if pos < len(field) and field[pos] != 0 and field[pos] not in _SPACE:
        return -1
    return value


# -- the result string list into the request ------------------------------------------------

_LEADING, _TYPE, _SUBTYPE, _SEPARATOR, _ENCODING = range(5)


def _to_request(r: Request, parts: list[bytes]) -> int:
    """magic_rsl_to_request(): the first word with a "/" is the type, the next word
    the encoding; the last part (the closing newline) is never looked at."""
    body = parts[:-1]
    found = _scan(body)
    if found is None:
        return DECLINED
    state, type_at, encoding_at = found
    ctype = _copy(body, *type_at)
    head, semi, tail = ctype.decode("latin-1").partition(";")
    r.content_type = head.lower() + semi + tail
    if state == _ENCODING:
        encoding = _copy(body, *encoding_at).decode("latin-1").lower()
        r.content_encoding = encoding
        if len(ctype) == type_at[2] + 1 and len(ctype) % 8 == 0:
            # Apache writes the type's NUL one byte past its allocation; when that
            # is exactly an 8-byte boundary, the encoding allocated next overwrites
            # it and the type reads on into the encoding (recorded: "a/b c/d " for
            # a 23-character type).
            r.content_type += encoding
    return OK


Span = tuple[int, int, int]  # fragment, position, length


def _scan(body: list[bytes]) -> tuple[int, Span, Span] | None:
    state = _LEADING
    type_at: Span = (0, 0, 0)
    encoding_at: Span = (0, 0, 0)
    for fi, frag in enumerate(body):
        for pos, c in enumerate(frag):
            if c in _SPACE:
                if state == _TYPE:
                    return None
                if state == _SUBTYPE:
                    state = _SEPARATOR
                elif state == _ENCODING:
                    return state, type_at, encoding_at
                continue
            if state == _TYPE and c == 0x2F:
                type_at = (*type_at[:2], type_at[2] + 1)
                state = _SUBTYPE
            elif state == _LEADING:
                state, type_at = _TYPE, (fi, pos, 1)
            elif state in (_TYPE, _SUBTYPE):
                type_at = (*type_at[:2], type_at[2] + 1)
            elif state == _SEPARATOR:
                state, encoding_at = _ENCODING, (fi, pos, 1)
            else:
                encoding_at = (*encoding_at[:2], encoding_at[2] + 1)
    if state in (_SUBTYPE, _SEPARATOR, _ENCODING):
        return state, type_at, encoding_at
    return None


def _copy(body: list[bytes], start_frag: int, start_pos: int, length: int) -> bytes:
    """rsl_strdup(): ``length`` + 1 characters from the start (one more than counted),
    skipping in later fragments the first ``start_pos`` characters as Apache does."""
    out = bytearray()
    for fi in range(start_frag, len(body)):
        frag = body[fi]
        for pos in range(start_pos if fi == start_frag else 0, len(frag)):
            if pos >= start_pos and len(out) <= length:
                out.append(frag[pos])
                if len(out) > length:
                    break
    return bytes(out)


MODULE = Module(
    name="mod_mime_magic",
    ident="mime_magic_module",
    directives=(
        row(
            "MimeMagicFile",
            Args.TAKE1,
            RSRC_CONF,
            "Path to MIME Magic file (in file(1) format)",
            _magic_file,
        ),
    ),
    create_server=MagicServer,
    merge_server=_merge_server,
    hooks={"type_checker": (10, magic_find_ct), "post_config": (10, post_config)},
)

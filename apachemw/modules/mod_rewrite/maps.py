"""RewriteMap: the txt, rnd, int, dbm and prg map types of mod_rewrite.

``parse_map`` is cmd_rewritemap (config time: type, path, existence check, Apache's error
strings); ``RewriteMap.lookup`` is lookup_map (request time: None means "not found", and the
caller applies the ``|default``).  Keys and values are ``str`` holding UTF-8 with
surrogateescape, so any byte Apache would pass through survives the round trip.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import random
import select
import subprocess
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from apachemw.core.ctype import ascii_lower, ascii_upper
from apachemw.core.uri_escape import escape_uri
from apachemw.modules.mod_rewrite.bdb import BdbError, bdb_fetch
from apachemw.modules.mod_rewrite.gdbm import GdbmError, gdbm_fetch
from apachemw.modules.mod_rewrite.sdbm import DIR_EXT, PAG_EXT, SdbmError, sdbm_fetch

__all__ = ["PRG_TIMEOUT", "MapError", "RewriteMap", "close_all", "parse_map"]

_LOG = logging.getLogger("apachemw.mod_rewrite")

# A prg map that has not answered after this many seconds is treated as "not found"
# (Apache would wait forever and hang the request).
PRG_TIMEOUT = 5.0

# Apache's per-map cache grows without bound but its child processes get recycled; ours
# live as long as the app, so a map's cache is dropped once it holds this many keys.
_CACHE_LIMIT = 100_000

# apr_isspace is C isspace in the C locale.
_SPACE = b" \t\n\v\f\r"
# apr_file_gets reads at most REWRITE_MAX_TXT_MAP_LINE (1024) bytes at a time, so the rest
# of a longer line is seen as a line of its own.
_TXT_LINE_MAX = 1024

# apr_dbm types that Debian's apr-util 1.6 accepts; "default" is its APU_DBM default.
_DBM_TYPES = ("sdbm", "gdbm", "db")
_DBM_DEFAULT = "db"
# One pure-Python reader per type, each caching its parse until the file changes.
_DBM_READERS = {"db": bdb_fetch, "gdbm": gdbm_fetch, "sdbm": sdbm_fetch}


class MapError(Exception):
    """A RewriteMap directive Apache would refuse; the message is cmd_rewritemap's."""


# --------------------------------------------------------------------------- helpers


def _to_bytes(text: str) -> bytes:
    raw = text.encode("utf-8", "surrogateescape")
    # Apache's keys and values are C strings: whatever follows a NUL is gone.
    nul = raw.find(b"\0")
    return raw if nul < 0 else raw[:nul]


def _to_str(raw: bytes) -> str:
    nul = raw.find(b"\0")
    return (raw if nul < 0 else raw[:nul]).decode("utf-8", "surrogateescape")


def _server_root_relative(server_root: str, path: str) -> str:
    """ap_server_root_relative: apr_filepath_merge onto ServerRoot, "." and ".." folded."""
    return os.path.normpath(os.path.join(server_root, path))


def _mtime(path: str) -> int | None:
    """apr_stat's mtime (microseconds), or None when the file cannot be stat'ed."""
    try:
        return os.stat(path).st_mtime_ns // 1000
    except OSError:
        return None


# ------------------------------------------------------------------ int: functions

_HEX_BYTES = frozenset(bytes([b]) for b in b"0123456789abcdefABCDEF")


def _unescape(key: str) -> str:
    """ap_unescape_url on the key, keeping its result whatever its status.

    A bad escape stays as written ("%zz" is kept, recorded case "unesc-bad"); %2F still
    decodes (only the status says it was forbidden); %00 decodes to NUL, which ends the
    C string (recorded case "unesc-nul": "a%00b" gives "a").
    """
    raw = _to_bytes(key)
    out = bytearray()
    i = 0
    while i < len(raw):
        if raw[i] == 0x25 and raw[i + 1 : i + 2] in _HEX_BYTES and raw[i + 2 : i + 3] in _HEX_BYTES:
            out.append(int(raw[i + 1 : i + 3], 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return _to_str(bytes(out))


# mod_rewrite's register_hooks registers exactly these four; the name is matched exactly.
_INT_FUNCS: dict[str, Callable[[str], str]] = {
    # ap_str_toupper uses the C locale: only ASCII letters change (recorded case "up").
    "toupper": ascii_upper,
    "tolower": ascii_lower,
    "escape": escape_uri,
    "unescape": _unescape,
}


# ------------------------------------------------------------------------- caching


class _MapCache:
    """set_cache_value/get_cache_value: one map's answers, valid for one file mtime.

    A miss is cached as "" so the file is not scanned again for the same key.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mtime: int | None = None
        self._entries: dict[str, str] = {}

    def get(self, mtime: int, key: str) -> str | None:
        with self._lock:
            if mtime != self._mtime:
                self._mtime, self._entries = mtime, {}
                return None
            return self._entries.get(key)

    def put(self, mtime: int, key: str, value: str) -> None:
        with self._lock:
            if mtime != self._mtime or len(self._entries) >= _CACHE_LIMIT:
                self._mtime, self._entries = mtime, {}
            self._entries[key] = value


# ---------------------------------------------------------------- txt: and rnd: files


def _txt_lines(data: bytes) -> list[bytes]:
    """The lines apr_file_gets hands lookup_map_txtfile, each cut at a NUL."""
    out: list[bytes] = []
    lines = data.split(b"\n")
    for n, line in enumerate(lines):
        whole = line if n == len(lines) - 1 else line + b"\n"
        for start in range(0, len(whole), _TXT_LINE_MAX):
            piece = whole[start : start + _TXT_LINE_MAX]
            nul = piece.find(b"\0")
            out.append(piece if nul < 0 else piece[:nul])
    return out


def _txt_value(line: bytes, key: bytes) -> bytes | None:
    """lookup_map_txtfile's test of one line: "key<space>value", value = first word."""
    if not line or line[0] == 0x23 or line[0] in _SPACE:
        # Comments and indented lines are skipped (recorded case "txt-indented").
        return None
    if not line.startswith(key) or len(line) == len(key) or line[len(key)] not in _SPACE:
        return None
    if any(b in _SPACE for b in key):
        # Apache compares only up to the line's first space, so such a key never matches.
        return None
    rest = line[len(key) :].lstrip(_SPACE)
    end = 0
    while end < len(rest) and rest[end] not in _SPACE:
        end += 1
    # A key with no value is skipped and the scan goes on (recorded case "txt-novalue").
    return rest[:end] or None


def _scan_txt(path: str, key: str) -> str | None:
    """The first line for ``key`` wins (recorded case "txt-dup"); None on a miss."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        _LOG.error("AH00655: mod_rewrite: can't open text RewriteMap file %s", path)
        return None
    want = _to_bytes(key)
    for line in _txt_lines(data):
        value = _txt_value(line, want)
        if value is not None:
            return _to_str(value)
    return None


def _random_part(value: str) -> str:
    """select_random_value_part: one of the "|"-separated parts, each equally likely."""
    return random.choice(value.split("|"))


# --------------------------------------------------------------------------- dbm:


def _dbm_checkfiles(dbm_type: str, path: str) -> tuple[str, str | None]:
    """apr_dbm_get_usednames_ex: the files whose mtime decides the cache."""
    if dbm_type == "sdbm":
        return path + DIR_EXT, path + PAG_EXT
    return path, None


def _fetch_dbm(dbm_type: str, path: str, key: str) -> str | None:
    """lookup_map_dbmfile: open, fetch, close, every time (the cache is in front)."""
    raw = _to_bytes(key)
    if not raw:
        # apr_dbm_fetch refuses an empty key.
        return None
    try:
        found = _DBM_READERS[dbm_type](path, raw)
    except (SdbmError, BdbError, GdbmError):
        _LOG.error("AH00656: mod_rewrite: can't open DBM RewriteMap %s", path)
        return None
    return None if found is None else _to_str(found)


# --------------------------------------------------------------------------- prg:


class _Program:
    """One RewriteMap program and Apache's line protocol: "key\\n" out, one line back.

    Apache starts the child at startup and never restarts it; a child that has exited
    answers every lookup with an empty value (its pipe reads EOF at once).  We start it on
    the first lookup, serialise lookups with a lock (rewrite_mapr_lock_acquire), and add a
    read timeout Apache lacks: after one, the child is out of step with us, so it is
    killed and started afresh on the next lookup.
    """

    def __init__(self, argv: tuple[str, ...], timeout: float) -> None:
        self.argv = argv
        self.timeout = timeout
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._owner = 0
        self._pending = b""
        self._failed = False
        self._stopper: weakref.finalize[..., _Program] = weakref.finalize(self, _noop)
        _PROGRAMS.add(self)

    def ask(self, key: bytes) -> bytes | None:
        with self._lock:
            proc = self._running()
            if proc is None:
                return None
            self._send(proc, key + b"\n")
            return self._read_line(proc)

    def _running(self) -> subprocess.Popen[bytes] | None:
        if self._proc is not None and self._owner == os.getpid():
            return self._proc
        if self._failed:
            return None
        if self._proc is not None:
            # After a fork the parent's pipe is shared; this process gets its own child.
            self._proc, self._pending = None, b""
        return self._start()

    def _start(self) -> subprocess.Popen[bytes] | None:
        prog = self.argv[0]
        try:
            # rewritemap_program_child: cwd is the program's directory, stderr is ours,
            # and APR_PROGRAM passes an empty environment.
            self._proc = subprocess.Popen(
                list(self.argv),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=os.path.dirname(prog) or "/",
                env={},
                bufsize=0,
            )
        except OSError:
            _LOG.error("AH00654: mod_rewrite: could not start RewriteMap program %s", prog)
            self._failed = True
            return None
        self._owner = os.getpid()
        # A map dropped without close() (a config reload) still stops its program.
        self._stopper = weakref.finalize(self, _stop, self._proc, self._owner, False)
        return self._proc

    @staticmethod
    def _send(proc: subprocess.Popen[bytes], data: bytes) -> None:
        assert proc.stdin is not None
        # A dead child refuses the write; the read then sees EOF, as Apache's does.
        with contextlib.suppress(OSError):
            proc.stdin.write(data)

    def _read_line(self, proc: subprocess.Popen[bytes]) -> bytes | None:
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        while b"\n" not in self._pending:
            ready, _, _ = select.select([fd], [], [], self.timeout)
            if not ready:
                _LOG.error(
                    "mod_rewrite: RewriteMap program %s did not answer in %gs",
                    self.argv[0],
                    self.timeout,
                )
                self.close(kill=True)
                return None
            chunk = os.read(fd, 4096)
            if not chunk:
                # EOF: Apache returns what it has read, usually "" (not "not found").
                line, self._pending = self._pending, b""
                return line
            self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        return line

    def close(self, kill: bool = False) -> None:
        proc, self._proc, self._pending = self._proc, None, b""
        if proc is not None:
            self._stopper.detach()
            _stop(proc, self._owner, kill)


def _noop() -> None:
    pass


def _stop(proc: subprocess.Popen[bytes], owner: int, kill: bool) -> None:
    """Close our ends of the pipes (the program sees EOF) and reap it, killing if need be."""
    if kill and owner == os.getpid():
        proc.kill()
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            pipe.close()
    if owner != os.getpid():
        return  # another process's child: not ours to reap
    try:
        proc.wait(timeout=1)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


_PROGRAMS: weakref.WeakSet[_Program] = weakref.WeakSet()


def _tokenize_argv(text: str) -> list[str]:
    """apr_tokenize_to_argv: blank-separated words, "..." or '...' words, \\ escapes."""
    words: list[str] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t":
            i += 1
        if i >= n:
            return words
        quote = text[i] if text[i] in "\"'" else ""
        i += 1 if quote else 0
        start = i
        while i < n:
            if text[i] == "\\" and i + 1 < n and text[i + 1] in " \t\"'":
                i += 2
                continue
            if (not quote and text[i] in " \t") or (quote and text[i] == quote):
                break
            i += 1
        words.append(_remove_escapes(text[start:i]))
        i += 1


def _remove_escapes(word: str) -> str:
    # REMOVE_ESCAPE_CHARS drops every backslash that is not itself escaped.
    out: list[str] = []
    escaped = False
    for ch in word:
        if not escaped and ch == "\\":
            escaped = True
        else:
            escaped = False
            out.append(ch)
    return "".join(out)


# ------------------------------------------------------------------------ the map

MapTrace = Callable[[int, str], None]


def _no_trace(level: int, text: str) -> None:
    """A lookup nobody traces."""


@dataclass
class RewriteMap:
    """One declared map.  ``source`` is the data file, the program, or the int function."""

    name: str
    kind: str  # "txt" | "rnd" | "int" | "dbm" | "prg"
    source: str
    dbm_type: str = ""  # dbm only: "sdbm", "gdbm" or "db" ("" is apr-util's default)
    argv: tuple[str, ...] = ()  # prg only: program and arguments (default: source alone)
    timeout: float = PRG_TIMEOUT  # prg only
    _cache: _MapCache = field(default_factory=_MapCache, init=False, repr=False, compare=False)
    _program: _Program | None = field(default=None, init=False, repr=False, compare=False)

    def lookup(self, key: str, trace: MapTrace | None = None) -> str | None:
        """lookup_map: the value for ``key``, or None when the map has none.

        ``trace(level, text)`` receives mod_rewrite's trace5/trace6 lines about the
        lookup, when the caller traces."""
        log = trace or _no_trace
        if self.kind in ("txt", "rnd"):
            return self._lookup_txt(key, log)
        if self.kind == "dbm":
            return self._lookup_dbm(key, log)
        if self.kind == "prg":
            value = self._lookup_prg(key)
        elif self.kind == "int":
            value = _INT_FUNCS[self.source](_to_str(_to_bytes(key)))
            if self.source != "escape":
                key = value  # toupper, tolower and unescape work on the key in place
        else:
            raise MapError(f"RewriteMap: unknown map type {self.kind}")
        if value is None:
            log(5, f"map lookup FAILED: map={self.name} key={key}")
        else:
            log(5, f"map lookup OK: map={self.name} key={key} -> val={value}")
        return value

    def close(self) -> None:
        """Stop this map's program, if it has one running."""
        if self._program is not None:
            self._program.close()

    def _lookup_txt(self, key: str, log: MapTrace) -> str | None:
        mtime = _mtime(self.source)
        if mtime is None:
            _LOG.error("AH00661: mod_rewrite: can't access text RewriteMap file %s", self.source)
            return None
        value = self._cache.get(mtime, key)
        if value is None:
            log(6, "cache lookup FAILED, forcing new map lookup")
            value = _scan_txt(self.source, key) or ""
            self._cache.put(mtime, key, value)
            if not value:
                log(5, f"map lookup FAILED: map={self.name}[txt] key={key}")
                return None
            log(5, f"map lookup OK: map={self.name}[txt] key={key} -> val={value}")
        else:
            log(5, f"cache lookup OK: map={self.name}[txt] key={key} -> val={value}")
        if self.kind == "rnd" and value:
            value = _random_part(value)
            log(5, f"randomly chosen the subvalue `{value}'")
        # An empty choice ("a||b") is "not found", so the |default applies.
        return value or None

    def _lookup_dbm(self, key: str, log: MapTrace) -> str | None:
        mtime = self._dbm_mtime()
        if mtime is None:
            return None
        cached = self._cache.get(mtime, key)
        if cached is not None:
            log(5, f"cache lookup OK: map={self.name}[dbm] key={key} -> val={cached}")
            return cached or None
        log(6, "cache lookup FAILED, forcing new map lookup")
        value = _fetch_dbm(self.dbm_type or _DBM_DEFAULT, self.source, key)
        self._cache.put(mtime, key, value or "")
        if value is None:
            log(5, f"map lookup FAILED: map={self.name}[dbm] key={key}")
        else:
            log(5, f"map lookup OK: map={self.name}[dbm] key={key} -> val={value}")
        # Apache hands back a fresh empty value as it is, and only a cached one as "not
        # found" (lookup_map's MAPTYPE_DBM branch); we keep that quirk.
        return value

    def _dbm_mtime(self) -> int | None:
        first, second = _dbm_checkfiles(self.dbm_type or _DBM_DEFAULT, self.source)
        mtime = _mtime(first)
        if mtime is None:
            _LOG.error("AH00662: mod_rewrite: can't access DBM RewriteMap file %s", first)
            return None
        if second is None:
            return mtime
        mtime2 = _mtime(second)
        if mtime2 is None:
            _LOG.error("AH00663: mod_rewrite: can't access DBM RewriteMap file %s", second)
            return None
        return max(mtime, mtime2)

    def _lookup_prg(self, key: str) -> str | None:
        raw = _to_bytes(key)
        if b"\n" in raw:
            # A newline would put the program out of step with us; Apache refuses it.
            return None
        if self._program is None:
            self._program = _Program(self.argv or (self.source,), self.timeout)
        answer = self._program.ask(raw)
        if answer is None or answer.lower() == b"null":
            return None
        return _to_str(answer)


# --------------------------------------------------------------------- parse_map


def parse_map(
    name: str, spec: str, server_root: str, dbm_type_arg: str | None = None
) -> RewriteMap:
    """cmd_rewritemap: RewriteMap NAME SPEC [ARG3] as Apache reads it.

    ``dbm_type_arg`` is the directive's optional third argument.  Apache uses it only for
    prg maps (the user:group to run the program as), which we cannot honour; like Apache
    we ignore it for the other types.
    """
    low = spec.lower()
    if low.startswith(("txt:", "rnd:")):
        path = _server_root_relative(server_root, spec[4:])
        return _checked(name, RewriteMap(name, low[:3], path), path)
    if low.startswith("dbm"):
        return _parse_dbm(name, spec, server_root)
    if low.startswith(("dbd:", "fastdbd:")):
        raise MapError("RewriteMap types dbd and fastdbd require mod_dbd!")
    if low.startswith("prg:"):
        if dbm_type_arg:
            _LOG.warning(
                "RewriteMap %s: running the program as %s is not supported", name, dbm_type_arg
            )
        return _parse_prg(name, spec[4:], server_root)
    if low.startswith("int:"):
        func = spec[4:]
        if func not in _INT_FUNCS:
            raise MapError(f"RewriteMap: internal map not found:{func}")
        return RewriteMap(name, "int", func)
    # No known prefix: Apache takes the whole argument as a txt map's path.
    path = _server_root_relative(server_root, spec)
    return _checked(name, RewriteMap(name, "txt", path), path)


def _parse_dbm(name: str, spec: str, server_root: str) -> RewriteMap:
    if spec[3:4] == ":":
        dbm_type, fname = "default", spec[4:]
    elif spec[3:4] == "=" and ":" in spec[4:]:
        dbm_type, _, fname = spec[4:].partition(":")
    else:
        raise MapError(f"RewriteMap: bad map:{spec}")
    kind = dbm_type.lower()
    kind = _DBM_DEFAULT if kind == "default" else kind
    if kind not in _DBM_TYPES:
        # Debian's apr-util has no ndbm driver; it refuses that type too.
        raise MapError(f"RewriteMap: dbm type {dbm_type} is invalid")
    path = _server_root_relative(server_root, fname)
    found = RewriteMap(name, "dbm", path, dbm_type=kind)
    return _checked(name, found, _dbm_checkfiles(kind, path)[0])


def _parse_prg(name: str, command: str, server_root: str) -> RewriteMap:
    words = _tokenize_argv(command)
    program = _server_root_relative(server_root, words[0] if words else "")
    argv = (program, *words[1:])
    return _checked(name, RewriteMap(name, "prg", program, argv=argv), program)


def _checked(name: str, found: RewriteMap, checkfile: str) -> RewriteMap:
    """The final test of cmd_rewritemap: the map's file must exist when it is declared."""
    if _mtime(checkfile) is None:
        raise MapError(f"RewriteMap: file for map {name} not found:{checkfile}")
    return found


def close_all() -> None:
    """Stop every prg map's program (also run at interpreter exit)."""
    for program in list(_PROGRAMS):
        program.close()


atexit.register(close_all)

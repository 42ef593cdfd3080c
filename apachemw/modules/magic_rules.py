"""The magic file of mod_mime_magic: its lines parsed into rules, and rules tested on bytes.

This follows what modules/metadata/mod_mime_magic.c does on a 64-bit Linux build of
Apache 2.4, quirks included, because the oracle is what that build answers:

* a line is ``[>...][(]offset[.bsl±n)] [u]type[&mask] [relation]value [description]``;
  ``>`` counts the continuation level, the description is a MIME type, optionally
  followed by an encoding, and is kept to 49 bytes;
* numbers are read as C's ``strtol`` (base 0: ``0x`` hex, leading ``0`` octal), the
  offset is kept as an ``int``; values and masks are sign-extended to the type's width
  unless the type is ``u``-prefixed;
* every test copies 64 bytes (the size of the C value union) from its offset, so no
  test matches unless offset + 64 is within the bytes read plus the one NUL Apache
  appends: a file of fewer than 63 bytes never matches a rule at offset 0;
* ``long``/``date`` read 8 native (little-endian) bytes; ``belong``/``lelong`` read 4
  and sign-extend them, so on this build a 32-bit value with its top bit set, written
  as a positive number, never equals the data;
* strings compare byte for byte (the data's first newline, before any NUL, reads as a
  NUL); for a string ``!`` is not a relation but part of the value; ``>``/``<`` compare
  the first differing byte; ``&`` always matches and ``^`` never does;
* a value whose first two bytes (as the C union holds them) are ``"x\\0"`` matches
  anything and logs AH01539 "BOINK" when tested (``string x`` at the end of a line, or
  a number such as 0x78);
* a line whose type is not known still takes its place in the list (so the
  continuations after it are skipped with it) and logs AH01538 whenever a request
  reaches it with enough bytes.

Where the C code reads outside its buffer (a negative offset, an escape at the very
end of a line) apachemw treats the test as not matching, or the line as ended.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from apachemw.core.http import DAY_NAMES, MONTH_NAMES

__all__ = ["MagicFile", "Rule", "match", "parse_magic", "split_lines"]

MASK64 = (1 << 64) - 1
VALUE_SIZE = 64  # sizeof(union VALUETYPE): char s[MAXstring]
MAXSTRING = 64
MAXDESC = 50
MAXMIMESTRING = 256
BUFSIZ = 8192  # apr_file_gets(line, BUFSIZ, f): at most BUFSIZ - 1 bytes a line

BYTE, SHORT, LONG, STRING, DATE = 1, 2, 4, 5, 6
BESHORT, BELONG, BEDATE, LESHORT, LELONG, LEDATE = 7, 8, 9, 10, 11, 12
# Tried in this order, each as a prefix of the rest of the line (so "string/c" is
# "string" followed by the value "/c").
_TYPES = (
    (b"byte", BYTE),
    (b"short", SHORT),
    (b"long", LONG),
    (b"string", STRING),
    (b"date", DATE),
    (b"beshort", BESHORT),
    (b"belong", BELONG),
    (b"bedate", BEDATE),
    (b"leshort", LESHORT),
    (b"lelong", LELONG),
    (b"ledate", LEDATE),
)
_SHORTS = (SHORT, BESHORT, LESHORT)
_LONGS = (LONG, BELONG, LELONG, DATE, BEDATE, LEDATE)
_DATES = (DATE, BEDATE, LEDATE)
_SPACE = b" \t\n\v\f\r"
_DIGITS = b"0123456789"
_OCTAL = b"01234567"
_HEX = b"0123456789abcdefABCDEF"
_HEX_BYTES = frozenset(bytes([c]) for c in _HEX)

Log = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Rule:
    """One line of the magic file (struct magic)."""

    lineno: int
    level: int = 0
    indirect: bool = False
    in_type: int = LONG
    in_offset: int = 0
    offset: int = 0
    unsigned: bool = False
    type: int = 0  # 0: the line's type was not recognised
    mask: int = 0
    reln: str = "\0"
    value: int = 0  # a number's value, as the unsigned long Apache keeps
    string: bytes = b""  # a string's value (vallen bytes)
    nospace: bool = False
    desc: bytes = b""

    @property
    def boink(self) -> bool:
        """The first two bytes of the value union are "x\\0" (mcheck's BOINK)."""
        if self.type == STRING:
            return self.string[:1] == b"x" and self.string[1:2] in (b"", b"\0")
        return self.value & 0xFFFF == 0x78


@dataclass(frozen=True, slots=True)
class MagicFile:
    """A parsed magic file: the rules in order, and how many lines were refused."""

    path: str
    rules: tuple[Rule, ...]
    errors: int


# -- reading numbers and strings as the C library does ----------------------------------


def _skip_space(text: bytes, pos: int) -> int:
    while pos < len(text) and text[pos] in _SPACE:
        pos += 1
    return pos


def strtol(text: bytes, pos: int) -> tuple[int, int]:
    """C ``strtol(s, &end, 0)`` from ``pos``: (value, end); end == pos if no number."""
    start = pos
    pos = _skip_space(text, pos)
    negative = False
    if pos < len(text) and text[pos] in b"+-":
        negative = text[pos] == ord("-")
        pos += 1
    base = 10
    if text[pos : pos + 2] in (b"0x", b"0X") and text[pos + 2 : pos + 3] in _HEX_BYTES:
        base, pos = 16, pos + 2
    elif text[pos : pos + 1] == b"0":
        base = 8
    digits = _HEX if base == 16 else _OCTAL if base == 8 else _DIGITS
    end = pos
    while end < len(text) and text[end] in digits:
        end += 1
    if end == pos:
        return 0, start
    value = int(text[pos:end], base)
    if negative:
        value = -value
    limit = 1 << 63
    return max(-limit, min(limit - 1, value)), end


def _int32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


def _signed(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def signextend(rule_type: int, unsigned: bool, value: int) -> int:
    """signextend(): narrow to the type's width and sign-extend, as an unsigned long."""
    if not unsigned:
        if rule_type == BYTE:
            value = _signed(value, 8)
        elif rule_type in _SHORTS:
            value = _signed(value, 16)
    return value & MASK64


def getstr(text: bytes, pos: int) -> tuple[bytes, int, bool]:
    """getstr(): a string value with C escapes, up to an unescaped space; (value, end,
    too_long). As in C, the byte that did not fit is consumed."""
    out = bytearray()
    while pos < len(text):
        c = text[pos]
        pos += 1
        if c in _SPACE:
            break
        if len(out) >= MAXSTRING - 1:
            return bytes(out), pos, True
        if c != 0x5C:
            out.append(c)
            continue
        if pos >= len(text):
            break  # a backslash ends the line: the value ends there
        c = text[pos]
        pos += 1
        value, pos = _escape(c, text, pos)
        out.append(value & 0xFF)
    return bytes(out), pos, False


_SIMPLE_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("b"): 8, ord("t"): 9, ord("f"): 12, ord("v"): 11}


def _escape(c: int, text: bytes, pos: int) -> tuple[int, int]:
    if c in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[c], pos
    if c in _OCTAL:
        value = c - 0x30
        for _ in range(2):
            if pos < len(text) and text[pos] in _OCTAL:
                value = (value << 3) | (text[pos] - 0x30)
                pos += 1
            else:
                break
        return value, pos
    if c == ord("x"):
        digits = 0
        value = 0
        while digits < 3 and pos < len(text) and text[pos] in _HEX:
            value = (value << 4) + int(chr(text[pos]), 16)
            pos += 1
            digits += 1
        return (value if digits else ord("x")), pos
    return c, pos


# -- the magic file ---------------------------------------------------------------------


def split_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """apr_file_gets with a BUFSIZ buffer: lines, a long one cut in BUFSIZ - 1 pieces,
    each piece counted as a line; a line ends at its first NUL for strlen."""
    lineno = 0
    start = 0
    while start < len(data):
        end = data.find(b"\n", start, start + BUFSIZ - 1)
        stop = end + 1 if end >= 0 else min(len(data), start + BUFSIZ - 1)
        lineno += 1
        yield lineno, data[start:stop].split(b"\0", 1)[0]
        start = stop


def parse_magic(path: str, data: bytes, log: Log) -> MagicFile:
    """apprentice(): every line that is not blank or a comment becomes a rule."""
    rules: list[Rule] = []
    errors = 0
    for lineno, raw in split_lines(data):
        line = raw.rstrip(_SPACE).lstrip(_SPACE)
        if not line or line.startswith(b"#"):
            continue
        rule, ok = parse_line(line, lineno, log)
        rules.append(rule)
        errors += 0 if ok else 1
    return MagicFile(path, tuple(rules), errors)


def _text(data: bytes) -> str:
    return data.decode("latin-1")


def parse_line(line: bytes, lineno: int, log: Log) -> tuple[Rule, bool]:
    """parse(): one rule; False when its type is unknown (the rule is kept anyway,
    with no type, as Apache keeps it)."""
    pos = 0
    level = 0
    while pos < len(line) and line[pos] == ord(">"):
        level += 1
        pos += 1
    indirect = level > 0 and line[pos : pos + 1] == b"("
    pos += 1 if indirect else 0
    offset, end = strtol(line, pos)
    if end == pos:
        log(f"AH01521: mod_mime_magic: offset {_text(line[pos:])} invalid")
    pos = end
    in_type, in_offset = LONG, 0
    if indirect:
        in_type, in_offset, pos = _indirect(line, pos, log)
    while pos < len(line) and line[pos] in _DIGITS:
        pos += 1
    pos = _skip_space(line, pos)
    unsigned = line[pos : pos + 1] == b"u"
    pos += 1 if unsigned else 0
    base = Rule(lineno, level, indirect, in_type, in_offset, _int32(offset), unsigned)
    for name, kind in _TYPES:
        if line.startswith(name, pos):
            return _parse_test(base, kind, line, pos + len(name), log), True
    log(f"AH01524: mod_mime_magic: type {_text(line[pos:])} invalid")
    return base, False


def _indirect(line: bytes, pos: int, log: Log) -> tuple[int, int, int]:
    """The ``.[bsl][+-]n)`` of an indirect offset ``(offset.type+n)``."""
    in_type = LONG
    if line[pos : pos + 1] == b".":
        pos += 1
        kind = line[pos : pos + 1]
        in_type = {b"l": LONG, b"s": SHORT, b"b": BYTE}.get(kind, in_type)
        if kind not in (b"l", b"s", b"b"):
            log(f"AH01522: mod_mime_magic: indirect offset type {_text(kind)} invalid")
        pos += 1
    sign = line[pos : pos + 1]
    pos += 1 if sign in (b"+", b"-") else 0
    in_offset = 0
    if line[pos : pos + 1].isdigit():
        in_offset, pos = strtol(line, pos)
        in_offset = -in_offset if sign == b"-" else in_offset
    if line[pos : pos + 1] != b")":
        log("AH01523: mod_mime_magic: missing ')' in indirect offset")
    return in_type, in_offset, min(pos + 1, len(line))


def _parse_test(base: Rule, kind: int, line: bytes, pos: int, log: Log) -> Rule:
    """The mask, relation, value and description after the type."""
    mask = MASK64
    if line[pos : pos + 1] == b"&":
        raw, pos = strtol(line, pos + 1)
        mask = signextend(kind, base.unsigned, raw)
    pos = _skip_space(line, pos)
    reln = "="
    here = line[pos : pos + 1]
    if here in (b">", b"<", b"&", b"^", b"=") or (here == b"!" and kind != STRING):
        reln = here.decode()
        pos += 1
    elif here == b"x" and line[pos + 1 : pos + 2] != b"" and line[pos + 1] in _SPACE:
        return _with_desc(base, kind, mask, "x", 0, b"", line, pos + 1)
    pos = _skip_space(line, pos)
    value, string = 0, b""
    if kind == STRING:
        start = pos
        string, pos, too_long = getstr(line, pos)
        if too_long:
            log(f"AH01526: mod_mime_magic: string too long: {_text(line[start:])}")
    else:
        raw, pos = strtol(line, pos)
        value = signextend(kind, base.unsigned, raw)
    return _with_desc(base, kind, mask, reln, value, string, line, pos)


def _with_desc(
    base: Rule, kind: int, mask: int, reln: str, value: int, string: bytes, line: bytes, pos: int
) -> Rule:
    pos = _skip_space(line, pos)
    nospace = False
    if line[pos : pos + 1] == b"\b":
        nospace, pos = True, pos + 1
    elif line[pos : pos + 2] == b"\\b":
        nospace, pos = True, pos + 2
    desc = line[pos : pos + MAXDESC - 1]
    return Rule(
        base.lineno,
        base.level,
        base.indirect,
        base.in_type,
        base.in_offset,
        base.offset,
        base.unsigned,
        kind,
        mask,
        reln,
        value,
        string,
        nospace,
        desc,
    )


# -- testing rules on a buffer ----------------------------------------------------------


def _window(buf: bytes, offset: int) -> bytearray | None:
    """mget's copy of the value union from ``offset``; None when it does not fit."""
    if offset < 0 or offset + VALUE_SIZE > len(buf):
        return None
    return bytearray(buf[offset : offset + VALUE_SIZE])


def _mconvert(w: bytearray, kind: int) -> None:
    """mconvert(): fixed-endian values into the union's native (little-endian) view."""
    if kind == STRING:
        w[VALUE_SIZE - 1] = 0
        end = w.find(0)
        newline = w.find(10, 0, end)
        if newline >= 0:
            w[newline] = 0
    elif kind == BESHORT:
        w[0:2] = ((w[0] << 8) | w[1]).to_bytes(2, "little")
    elif kind in (BELONG, BEDATE):
        w[0:8] = (_signed(int.from_bytes(w[0:4], "big"), 32) & MASK64).to_bytes(8, "little")
    elif kind in (LELONG, LEDATE):
        w[0:8] = (_signed(int.from_bytes(w[0:4], "little"), 32) & MASK64).to_bytes(8, "little")


def _read(w: bytearray, width: int) -> int:
    """p->b, p->h or p->l: the union's first 1, 2 or 8 bytes, unsigned."""
    return int.from_bytes(w[0:width], "little")


def mget(buf: bytes, rule: Rule, log: Log) -> bytearray | None:
    """The value union a rule compares, or None (out of range, or no type)."""
    w = _window(buf, rule.offset)
    if w is None:
        return None
    if rule.type == 0:
        log(f"AH01538: mod_mime_magic: invalid type {rule.type} in mconvert().")
        return None
    _mconvert(w, rule.type)
    if rule.indirect:
        width = {BYTE: 1, SHORT: 2}.get(rule.in_type, 8)
        offset = _signed(_read(w, width) + rule.in_offset, 64)
        w = _window(buf, offset)
        if w is None:
            return None
        _mconvert(w, rule.type)
    return w


def _data_value(w: bytearray, rule: Rule) -> int:
    if rule.type == BYTE:
        return _read(w, 1)
    if rule.type in _SHORTS:
        return _read(w, 2)
    return _read(w, 8)


def _string_difference(w: bytearray, want: bytes) -> int:
    for a, b in zip(want, w, strict=False):
        if a != b:
            return (b - a) & MASK64
    return 0


def mcheck(w: bytearray, rule: Rule, log: Log) -> bool:
    if rule.boink:
        log("AH01539: mod_mime_magic: BOINK")
        return True
    if rule.type == STRING:
        want = 0
        v = _string_difference(w, rule.string)
    else:
        want = rule.value
        v = _data_value(w, rule)
    v = signextend(rule.type, rule.unsigned, v) & rule.mask
    return _relation(rule, v, want)


def _relation(rule: Rule, v: int, want: int) -> bool:
    reln = rule.reln
    if reln == "x":
        return True
    if reln == "!":
        return v != want
    if reln == "=":
        return v == want
    if reln in "<>":
        a, b = (v, want) if rule.unsigned else (_signed(v, 64), _signed(want, 64))
        return a > b if reln == ">" else a < b
    if reln == "&":
        return v & want == want
    return v & want != want  # "^"


def match(buf: bytes, rules: tuple[Rule, ...], out: list[bytes], log: Log) -> bool:
    """match(): the first top-level rule that matches, with its matching continuations,
    printed into ``out`` as Apache's result string list; False if none matched."""
    i = 0
    while i < len(rules):
        rule = rules[i]
        w = mget(buf, rule, log)
        if w is None or not mcheck(w, rule, log):
            i += 1
            while i < len(rules) and rules[i].level != 0:
                i += 1
            continue
        out.append(mprint(w, rule))
        need_separator = bool(rule.desc)
        level = 1
        i += 1
        while i < len(rules) and rules[i].level != 0:
            cont = rules[i]
            i += 1
            if level < cont.level:
                continue
            level = cont.level
            w = mget(buf, cont, log)
            if w is None or not mcheck(w, cont, log):
                continue
            if need_separator and not cont.nospace and cont.desc:
                out.append(b" ")
                need_separator = False
            out.append(mprint(w, cont))
            need_separator = need_separator or bool(cont.desc)
            level += 1
        return True
    return False


# -- printing a match -------------------------------------------------------------------


def _ctime(seconds: int) -> bytes:
    """apr_ctime: "Sat Sep 01 00:00:00 2001", local time."""
    try:
        t = time.localtime(seconds)
    except (OverflowError, OSError, ValueError):
        return b""
    day = DAY_NAMES[t.tm_wday]
    text = (
        f"{day} {MONTH_NAMES[t.tm_mon - 1]} {t.tm_mday:02d} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} {t.tm_year}"
    )
    return text.encode()


def mprint(w: bytearray, rule: Rule) -> bytes:
    """mprint(): the description, used as a printf format for the matched value."""
    arg: int | bytes
    if rule.type == STRING:
        arg = rule.string.split(b"\0", 1)[0] if rule.reln == "=" else bytes(w).split(b"\0", 1)[0]
    elif rule.type in _DATES:
        arg = _ctime(_signed(_read(w, 8), 64))
    else:
        arg = signextend(rule.type, rule.unsigned, _data_value(w, rule)) & rule.mask
    return printf(rule.desc, arg)[: MAXMIMESTRING - 1]


_CONVERSIONS = b"diouxXcs%"
_FLAGS = b"-+ #0"


def printf(fmt: bytes, arg: int | bytes) -> bytes:
    """A C printf of one argument, enough for magic descriptions: the first conversion
    takes the value (integers for numbers, %s for strings); a conversion that does not
    fit the value, or comes after the first, prints nothing (C would read garbage)."""
    out = bytearray()
    pos = 0
    used = False
    while pos < len(fmt):
        c = fmt[pos]
        if c != 0x25:
            out.append(c)
            pos += 1
            continue
        spec_end = pos + 1
        while spec_end < len(fmt) and fmt[spec_end] not in _CONVERSIONS:
            spec_end += 1
        if spec_end >= len(fmt):
            break
        conv = fmt[spec_end]
        if conv == 0x25:
            out.append(0x25)
        elif not used:
            out += _format_one(fmt[pos + 1 : spec_end], conv, arg)
            used = True
        pos = spec_end + 1
    return bytes(out)


def _format_one(spec: bytes, conv: int, arg: int | bytes) -> bytes:
    flags = bytes(c for c in spec if c in _FLAGS).decode()
    rest = bytes(c for c in spec if c not in _FLAGS).decode()
    width, _, precision = rest.partition(".")
    width = "".join(ch for ch in width if ch.isdigit())
    precision = "".join(ch for ch in precision if ch.isdigit())
    long_arg = "l" in rest or "z" in rest or "j" in rest
    pyspec = "%" + flags + width + ("." + precision if "." in rest else "")
    if conv == ord("s"):
        if not isinstance(arg, bytes):
            return b""
        return (pyspec + "s").encode() % arg
    if isinstance(arg, bytes):
        return b""
    bits = 64 if long_arg else 32
    if conv in b"di":
        number = _signed(arg, bits)
    elif conv == ord("c"):
        return bytes([arg & 0xFF])
    else:
        number = arg & ((1 << bits) - 1)
    return (pyspec + chr(conv if conv != ord("u") else ord("d"))).encode() % number

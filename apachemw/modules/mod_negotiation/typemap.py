"""Type map files (handler ``type-map``), read as mod_negotiation reads them.

Records of RFC 822-style header lines separated by blank lines; ``#`` lines are
comments, a line starting with white space continues the one before, ``(...)`` is a
comment inside a value, and ``Body:tag`` holds an inline variant up to the next
``tag``. Lines are read at most 8191 bytes at a time (MAX_STRING_LEN), so a longer
line splits as it does in Apache. The file is bytes; it is handled as latin-1 text
(one character a byte, as C sees it) and the variant file names turned back into
file-system names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from apachemw.core.ctype import ascii_lower
from apachemw.core.http import parse_strict_length
from apachemw.core.regex import from_byte_text

from .accept import SPACE, get_entry, get_token, languages_line
from .choose import Variant

__all__ = ["MapResult", "read_type_map"]

MAX_STRING_LEN = 8192
_EOF, _SEEN, _SEP = 0, 1, 2


class _Reader:
    """apr_file_gets/getc/ungetc/read over the map's bytes."""

    __slots__ = ("data", "pos")

    def __init__(self, data: str) -> None:
        self.data = data
        self.pos = 0

    def gets(self) -> str | None:
        if self.pos >= len(self.data):
            return None
        limit = self.pos + MAX_STRING_LEN - 1
        newline = self.data.find("\n", self.pos, limit)
        end = newline + 1 if newline >= 0 else min(len(self.data), limit)
        line = self.data[self.pos : end]
        self.pos = end
        return line

    def getc(self) -> str | None:
        if self.pos >= len(self.data):
            return None
        self.pos += 1
        return self.data[self.pos - 1]

    def ungetc(self) -> None:
        if self.pos > 0:
            self.pos -= 1


def _header_line(reader: _Reader) -> tuple[int, str]:
    """get_header_line: one header (continuations joined with their newlines)."""
    while True:
        line = reader.gets()
        if line is None:
            return _EOF, ""
        if not line.startswith("#"):
            break
    if not line.strip("".join(SPACE)):
        return _SEP, line
    if ascii_lower(line[:5]) == "body:":
        return _SEEN, line  # no continuation after a Body: line
    buf = line
    while (c := reader.getc()) is not None:
        if c == "#":
            while (c := reader.getc()) is not None and c != "\n":
                pass
        elif c in SPACE:
            while c != "\n" and c in SPACE:
                nxt = reader.getc()
                if nxt is None:
                    break
                c = nxt
            reader.ungetc()
            if c == "\n":
                return _SEEN, buf  # a blank line: the record ends next time round
            buf = _continuation(reader, buf)
        else:
            reader.ungetc()
            return _SEEN, buf
    return _SEEN, buf


def _continuation(reader: _Reader, buf: str) -> str:
    extra: list[str] = []
    while len(buf) + len(extra) < MAX_STRING_LEN - 2:
        c = reader.getc()
        if c is None or c == "\n":
            break
        extra.append(c)
    return buf + "".join(extra) + "\n"


def _strip_paren_comments(text: str) -> str:
    """Blank out ``(...)``; a quote only skips itself (Apache's loop finds the same
    quote it stands on)."""
    chars = list(text)
    i = 0
    while i < len(chars):
        if chars[i] == "(":
            while i < len(chars) and chars[i] != ")":
                chars[i] = " "
                i += 1
            if i < len(chars):
                chars[i] = " "
        i += 1
    return "".join(chars)


@dataclass
class MapResult:
    """The variants read, or the status when the map is broken (500), and the error-log
    lines (with their AH numbers) Apache writes for it."""

    variants: list[Variant] = field(default_factory=list)
    status: int = 0
    errors: list[str] = field(default_factory=list)


def _split_header(buf: str, shown: str, result: MapResult) -> tuple[str, str] | None:
    """The header name lower-cased and its value, or None (and a 500) when either
    is missing."""
    colon = buf.find(":")
    if colon < 0:
        result.errors.append(
            f"AH00681: Syntax error in type map, no ':' in {shown} for header {ascii_lower(buf)}"
        )
        return None
    name = ascii_lower(buf[:colon])
    start = colon + 1
    while start < len(buf) and buf[start] in SPACE:
        start += 1
    if start == len(buf):
        result.errors.append(
            f"AH00682: Syntax error in type map --- no header body: {shown} for {name}{buf[colon:]}"
        )
        return None
    return name, buf[start:]


Handler = Callable[[Variant, str], bool]


def read_type_map(data: bytes, shown: str, map_name: str) -> MapResult:
    """Read a type map. ``shown`` is the file name error messages give (the request's),
    ``map_name`` the map file's own name, the file name of inline Body variants."""
    reader = _Reader(data.decode("latin-1"))
    result = MapResult()
    variant, has_content = Variant(), False
    while True:
        state, buf = _header_line(reader)
        if state == _SEEN:
            split = _split_header(buf, shown, result)
            if split is None:
                result.status = 500
                return result
            name, value = split
            outcome = _apply_header(reader, variant, name, value, shown, map_name, result)
            if outcome is None:
                break  # Apache stops reading the map here, keeping what it had
            has_content = has_content or outcome
            continue
        if variant.file_name and has_content:
            result.variants.append(variant)
        variant, has_content = Variant(), False
        if state == _EOF:
            break
    return result


def _apply_header(
    reader: _Reader,
    variant: Variant,
    name: str,
    value: str,
    shown: str,
    map_name: str,
    result: MapResult,
) -> bool | None:
    """One header into the variant: whether it counts as content; None to stop."""
    value = _strip_paren_comments(value)
    if name == "uri":
        variant.file_name = from_byte_text(get_token(value, 0, False)[0])
    elif name == "content-type":
        variant.set_mime_fields(get_entry(value)[0])
        return True
    elif name == "content-length":
        token = get_token(value, 0, False)[0]
        length = parse_strict_length(token)
        if length is None:
            result.errors.append(
                f"AH00684: Parse error in type map, Content-Length: '{token}' in {shown} "
                "is invalid."
            )
            return None
        variant.bytes = length
        return True
    elif name == "content-language":
        variant.content_languages = languages_line(value)
        return True
    elif name == "content-encoding":
        variant.content_encoding = get_token(value, 0, False)[0]
        return True
    elif name == "description":
        # Newlines become spaces and the last character goes (normally the newline).
        variant.description = value.replace("\n", " ")[:-1]
    elif name == "body":
        return _read_body(reader, variant, value, shown, map_name, result)
    return False


def _read_body(
    reader: _Reader, variant: Variant, value: str, shown: str, map_name: str, result: MapResult
) -> bool | None:
    """Body:tag — the variant is the bytes up to the next ``tag`` within the next
    8191 bytes; reading goes on after the line holding the tag."""
    tag = value.rstrip("".join(SPACE))
    start = reader.pos
    chunk = reader.data[start : start + MAX_STRING_LEN - 1]
    found = chunk.find(tag) if chunk else -1
    if found < 0:
        result.errors.append(
            f"AH00685: Syntax error in type map, no end tag '{tag}' found in {shown} "
            "for Body: content."
        )
        return None
    after = found + len(tag)
    newline = chunk.find("\n", after)
    reader.pos = start + (len(chunk) if newline < 0 else newline + 1)
    variant.body = start
    variant.bytes = found
    variant.file_name = map_name
    return False

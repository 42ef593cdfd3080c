"""Reading Accept-style header lines the way mod_negotiation reads them.

Qualities are C floats in Apache, and its comparisons and products happen in single
precision; ``f32`` rounds every value (and every product) to what a float holds, so
ties come out as they do in Apache. Parsing is linear in the header and never fails:
whatever a client sends gives some list of entries, as in Apache (security.md N05).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from apachemw.core.ctype import ascii_lower
from apachemw.core.http import atoi

__all__ = [
    "INCLUDES_MAGIC_TYPE",
    "INCLUDES_MAGIC_TYPE3",
    "AcceptRec",
    "atoq",
    "f32",
    "get_entry",
    "get_token",
    "header_line",
    "languages_line",
    "list_items",
]

INCLUDES_MAGIC_TYPE = "text/x-server-parsed-html"
INCLUDES_MAGIC_TYPE3 = "text/x-server-parsed-html3"

# apr_isspace: the C locale's white space.
SPACE = frozenset(" \t\n\v\f\r")
_PACK = struct.Struct("f")


def f32(value: float) -> float:
    """``value`` as a C float holds it."""
    result: float = _PACK.unpack(_PACK.pack(value))[0]
    return result


@dataclass(slots=True)
class AcceptRec:
    """One entry of an Accept* line (or a variant's content type): name, q, level,
    charset."""

    name: str
    quality: float = 1.0
    level: float = 0.0
    charset: str = ""


def atoq(text: str) -> float:
    """A quality value, read as mod_negotiation reads it: anything that does not start
    with "0" or "." is 1 (so "abc", "1.5" and "-1" are all 1), and at most three
    decimals count (security.md N02)."""
    i = 0
    while i < len(text) and text[i] in SPACE:
        i += 1
    if not text[i:]:
        return 1.0
    if text[i] != ".":
        if text[i] != "0":
            return 1.0
        i += 1
    if text[i : i + 1] != ".":
        return 0.0
    value = 0
    for weight, index in ((100, i + 1), (10, i + 2), (1, i + 3)):
        digit = text[index : index + 1]
        if not ("0" <= digit <= "9") or (weight == 1 and digit == "0"):
            break
        value += (ord(digit) - 48) * weight
    return f32(value / 1000)


def get_token(text: str, pos: int, accept_white: bool) -> tuple[str, int]:
    """ap_get_token: a token up to ";" or "," (or white space, unless allowed),
    quoted strings kept whole; white space after it skipped."""
    n = len(text)
    while pos < n and text[pos] in SPACE:
        pos += 1
    start = pos
    while pos < n and (accept_white or text[pos] not in SPACE) and text[pos] not in ";,":
        quote = text[pos] == '"'
        pos += 1
        if quote:
            end = text.find('"', pos)
            pos = n if end < 0 else end + 1
    token = text[start:pos]
    while pos < n and text[pos] in SPACE:
        pos += 1
    return token, pos


def get_entry(text: str, pos: int = 0) -> tuple[AcceptRec, int]:
    """One media type (or language, charset, encoding) and its parameters; returns
    the position after it and its comma. The old space-separated form
    ("text/html text/plain") reads as separate entries."""
    name, pos = get_token(text, pos, False)
    rec = AcceptRec(ascii_lower(name))
    # Apache treats text/html as HTML 2.0 unless told otherwise.
    if rec.name in ("text/html", INCLUDES_MAGIC_TYPE):
        rec.level = 2.0
    elif rec.name == INCLUDES_MAGIC_TYPE3:
        rec.level = 3.0
    while pos < len(text) and text[pos] == ";":
        param, pos = get_token(text, pos + 1, True)
        _apply_param(rec, param)
    if pos < len(text) and text[pos] == ",":
        pos += 1
    return rec, pos


def _apply_param(rec: AcceptRec, param: str) -> None:
    end = 0
    while end < len(param) and param[end] not in SPACE and param[end] != "=":
        end += 1
    if end == len(param):
        return  # no "=": ignored
    var = ascii_lower(param[:end])
    start = end + 1
    while start < len(param) and (param[start] in SPACE or param[start] == "="):
        start += 1
    if param[start : start + 1] == '"':
        start += 1
        stop = start
        while stop < len(param) and param[stop] not in '\n\r"':
            stop += 1
    else:
        stop = start
        while stop < len(param) and param[stop] not in SPACE:
            stop += 1
    value = ascii_lower(param[start:stop])
    if var in ("q", "qs"):
        rec.quality = atoq(value)
    elif var == "level":
        rec.level = float(atoi(value))
    elif var == "charset":
        rec.charset = value


def header_line(value: str | None) -> list[AcceptRec] | None:
    """do_header_line: every entry of an Accept* header; None when it is absent."""
    if value is None:
        return None
    entries: list[AcceptRec] = []
    pos = 0
    while pos < len(value):
        rec, pos = get_entry(value, pos)
        entries.append(rec)
    return entries


def languages_line(value: str) -> list[str]:
    """A type map's Content-Language: tokens split at "," or ";", lower-cased."""
    langs: list[str] = []
    pos = 0
    while pos < len(value):
        token, pos = get_token(value, pos, False)
        langs.append(ascii_lower(token))
        if pos < len(value) and value[pos] in ",;":
            pos += 1
    return langs


def list_items(value: str) -> list[str]:
    """ap_get_list_item over a whole header: comma-separated items, trimmed, inner
    white space folded to one space, lower-cased outside quoted strings."""
    items: list[str] = []
    for raw in _split_outside_quotes(value):
        words = raw.split()
        if not words:
            continue
        item = " ".join(words)
        items.append(_lower_outside_quotes(item))
    return items


def _split_outside_quotes(value: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in value:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _lower_outside_quotes(item: str) -> str:
    out: list[str] = []
    quoted = False
    for char in item:
        if char == '"':
            quoted = not quoted
        out.append(char if quoted else ascii_lower(char))
    return "".join(out)

"""LogFormat strings: parsed once, as mod_log_config's parse_log_string reads them, then
rendered per request.

A format is a list of items: literal text (with ``\\n``, ``\\r``, ``\\t`` and ``\\\\``
turned into their characters, any other backslash kept) and ``%`` directives. A directive
may carry, in any order before its letter: ``<`` or ``>`` (the original or the final
request of an internal-redirect chain; each letter has Apache's own default), status
conditions (``400,501`` or ``!200,304``: the item is ``-`` unless the final status is,
or is not, listed) and an ``{argument}``. Letters that take no argument ignore one.
Other modules add letters with ``register`` (mod_logio's %I %O %S %^FB).
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from apachemw.config.directives import DirectiveError
from apachemw.core.http import DAY_NAMES, DAY_NAMES_LONG, MONTH_NAMES, MONTH_NAMES_LONG
from apachemw.core.request import Request
from apachemw.core.uri_escape import escape_log_bytes

__all__ = [
    "ItemFn",
    "LogFormat",
    "Transaction",
    "compile_format",
    "escape_logitem",
    "escape_raw",
    "register",
    "strftime_c",
]


@dataclass
class Transaction:
    """What the log phase knows once the response has been sent."""

    request: Request
    status: int
    bytes_sent: int
    headers_out: list[tuple[str, str]]
    end_time: float
    aborted: bool = False
    # When the response's first byte went out, if the adapter knows (mod_logio's %^FB).
    first_byte: float | None = None


# An item: the value for the request it looks at (original or final) or None ("-").
ItemFn = Callable[[Transaction, Request], str | None]
Handler = Callable[[str], ItemFn]

_ESCAPES = {
    0x22: '\\"',
    0x5C: "\\\\",
    0x08: "\\b",
    0x0A: "\\n",
    0x0D: "\\r",
    0x09: "\\t",
    0x0B: "\\v",
}
_PLAIN = re.compile(r"[\x20-\x21\x23-\x5b\x5d-\x7e]*")


def escape_logitem(text: str | None) -> str | None:
    """ap_escape_logitem over a decoded path (UTF-8 with surrogateescape: r->uri,
    r->filename): quotes and backslashes backslashed, control bytes and bytes >= 0x7f
    as ``\\xhh``."""
    if text is None or _PLAIN.fullmatch(text):
        return text
    return escape_log_bytes(text, _ESCAPES)


def escape_raw(text: str | None) -> str | None:
    """ap_escape_logitem over text kept as latin-1 (headers, the request line, the
    query): each character is one byte off the wire."""
    if text is None or _PLAIN.fullmatch(text):
        return text
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return escape_log_bytes(text, _ESCAPES)
    return escape_log_bytes(raw.decode("utf-8", "surrogateescape"), _ESCAPES)


# ---------------------------------------------------------------- the items


def _final_status(t: Transaction, r: Request) -> str | None:
    # pfmt: a status of 0 or less is "-".
    return str(r.status) if r.status > 0 else None


def _remote_host(arg: str) -> ItemFn:
    """%h: the client's host (mod_remoteip's client when it believed a proxy); %{c}h
    the connection's peer. Without HostnameLookups both are addresses."""
    if arg == "c":
        return lambda t, r: escape_raw(r.incoming.remote_host or r.incoming.remote_addr)

    def host(t: Transaction, r: Request) -> str | None:
        inc = r.incoming
        if inc.useragent_ip:
            return escape_raw(inc.useragent_ip)
        return escape_raw(inc.remote_host or inc.remote_addr)

    return host


def _remote_address(arg: str) -> ItemFn:
    if arg == "c":
        return lambda t, r: r.incoming.remote_addr
    return lambda t, r: r.incoming.client_ip


def _user(t: Transaction, r: Request) -> str | None:
    user = r.user
    if user is None:
        return "-"
    return escape_logitem(user) if user else '""'


def _request_line(t: Transaction, r: Request) -> str | None:
    # A password in an absolute-form target is logged as XXXXXXXX (apr_uri_unparse
    # without APR_URI_UNP_REVEALPASSWORD).
    line = r.the_request
    target = line.split(" ")[1] if line.count(" ") >= 1 else ""
    match = _USERINFO.match(target)
    if match and match["password"] is not None:
        hidden = f"{match['scheme']}{match['user']}:XXXXXXXX@{target[match.end() :]}"
        line = line.replace(target, hidden, 1)
    return escape_raw(line)


_USERINFO = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^/?#@:]*)(?::(?P<password>[^/?#@]*))?@"
)


def _query(t: Transaction, r: Request) -> str | None:
    return f"?{escape_raw(r.args)}" if r.args is not None else ""


def _bytes(t: Transaction, r: Request) -> int:
    # Only the final request sends a body; an earlier one in the chain sent nothing.
    return t.bytes_sent if r is _final(t.request) else 0


def _bytes_clf(t: Transaction, r: Request) -> str | None:
    sent = _bytes(t, r)
    return str(sent) if sent else "-"


def _header_in(arg: str) -> ItemFn:
    return lambda t, r: escape_raw(r.headers_in.get(arg))


def _header_out(arg: str) -> ItemFn:
    """%{X}o: headers_out as it stands after the response went out, which by then holds
    err_headers_out too (ahead of the others, so ``Header always`` wins a tie). Content-Type
    is r->content_type without parameters; Set-Cookie is every value, joined."""
    lname = arg.lower()

    def header(t: Transaction, r: Request) -> str | None:
        values = [v for k, v in t.headers_out if k.lower() == lname]
        if lname == "content-type" and values:
            # ap_field_noparam: spaces before a ";" go with the parameters; a type
            # without any keeps its own (mod_mime_magic's "text/plain " is logged so).
            value = values[0]
            return escape_raw(value.split(";", 1)[0].rstrip() if ";" in value else value)
        if lname == "set-cookie":
            return escape_raw(", ".join(values)) if values else None
        if lname == "connection":
            return "close" if _closes(t) else None
        return escape_raw(values[0]) if values else None

    return header


def _note(arg: str) -> ItemFn:
    def note(t: Transaction, r: Request) -> str | None:
        value = r.notes.get(arg)
        return escape_raw(value) if isinstance(value, str) else None

    return note


def _env(arg: str) -> ItemFn:
    return lambda t, r: escape_raw(r.subprocess_env.get(arg))


def _cookie(arg: str) -> ItemFn:
    """%{name}C: the value of a Cookie pair, name matched without case; pairs without a
    value are skipped; blanks around names and values are trimmed."""
    lname = arg.lower()

    def cookie(t: Transaction, r: Request) -> str | None:
        header = r.headers_in.get("Cookie")
        if header is None:
            return None
        for pair in header.split(";"):
            # apr_strtok: leading delimiters are skipped, the value is all after the
            # first "=" that follows the name.
            name, eq, value = pair.lstrip("=").partition("=")
            if not eq or not name or not value:
                continue
            if name.lstrip(" \t").rstrip().lower() == lname:
                return escape_raw(value.lstrip(" \t").rstrip())
        return None

    return cookie


def _server_name(t: Transaction, r: Request) -> str | None:
    from apachemw.core.pipeline import server_name

    return escape_raw(server_name(r))


def _virtual_host(t: Transaction, r: Request) -> str | None:
    return escape_raw(r.server.get("core").server_name)


def _server_port(arg: str) -> ItemFn:
    """%p: the server's port (from ServerName, else the scheme's); %{local}p and
    %{remote}p the connection's two ends; any other argument is logged as written."""
    which = arg.lower()
    if which in ("", "canonical"):

        def canonical(t: Transaction, r: Request) -> str | None:
            from apachemw.core.pipeline import default_port

            return str(r.server.get("core").server_port or default_port(r))

        return canonical
    if which == "remote":
        return lambda t, r: str(r.incoming.client_port)
    if which == "local":
        return lambda t, r: str(r.incoming.local_port)
    return lambda t, r: arg


def _pid_tid(arg: str) -> ItemFn:
    which = arg.lower()
    if which in ("", "pid"):
        return lambda t, r: str(os.getpid())
    if which == "tid":
        return lambda t, r: str(threading.get_ident())
    if which == "hextid":
        return lambda t, r: f"{threading.get_ident():x}"
    return lambda t, r: arg


def _closes(t: Transaction) -> bool:
    from apachemw.modules.mod_logio import keeps_alive

    return not keeps_alive(t)


def _connection_status(t: Transaction, r: Request) -> str | None:
    if t.aborted:
        return "X"
    return "-" if _closes(t) else "+"


def _duration_us(t: Transaction, r: Request) -> int:
    return int(t.end_time * 1_000_000) - int(r.request_time * 1_000_000)


def _duration(arg: str) -> ItemFn:
    """%T in seconds, %{ms}T, %{us}T; an unknown unit is logged as written."""
    unit = arg.lower()
    scale = {"": 1_000_000, "s": 1_000_000, "ms": 1_000, "us": 1}.get(unit)
    if scale is None:
        return lambda t, r: arg
    return lambda t, r: str(_duration_us(t, r) // scale)


def _log_id(arg: str) -> ItemFn:
    """%L: the request's log id, %{c}L the connection's; "-" until an error-log line
    for them was written (core.errorlog.add_log_ids)."""
    if arg == "c":
        return lambda t, r: r.incoming.log_id
    return lambda t, r: r.log_id


def _none(arg: str) -> ItemFn:
    return lambda t, r: None


def _plain(fn: ItemFn) -> Handler:
    """A letter that ignores its argument."""
    return lambda arg: fn


# ---------------------------------------------------------------- %t


_STRFTIME = re.compile(r"%([aAbBhpPcxXr%])")


def strftime_c(fmt: str, stamp: time.struct_time) -> str:
    """strftime in the C locale, which Apache's process runs in: English names whatever
    locale the Python process set. The names are put in first; the rest goes to the C
    library as is (so its handling of unknown conversions, kept literally, is Apache's)."""

    def named(m: re.Match[str]) -> str:
        return "%%" if m[1] == "%" else _C_NAMES[m[1]](stamp).replace("%", "%%")

    return time.strftime(_STRFTIME.sub(named, fmt), stamp)


def _hour12(stamp: time.struct_time) -> str:
    return f"{(stamp.tm_hour + 11) % 12 + 1:02d}"


_C_NAMES: dict[str, Callable[[time.struct_time], str]] = {
    "a": lambda s: DAY_NAMES[s.tm_wday],
    "A": lambda s: DAY_NAMES_LONG[s.tm_wday],
    "b": lambda s: MONTH_NAMES[s.tm_mon - 1],
    "h": lambda s: MONTH_NAMES[s.tm_mon - 1],
    "B": lambda s: MONTH_NAMES_LONG[s.tm_mon - 1],
    "p": lambda s: "AM" if s.tm_hour < 12 else "PM",
    "P": lambda s: "am" if s.tm_hour < 12 else "pm",
    "c": lambda s: (
        f"{DAY_NAMES[s.tm_wday]} {MONTH_NAMES[s.tm_mon - 1]} {s.tm_mday:2d} "
        f"{s.tm_hour:02d}:{s.tm_min:02d}:{s.tm_sec:02d} {s.tm_year}"
    ),
    "x": lambda s: f"{s.tm_mon:02d}/{s.tm_mday:02d}/{s.tm_year % 100:02d}",
    "X": lambda s: f"{s.tm_hour:02d}:{s.tm_min:02d}:{s.tm_sec:02d}",
    "r": lambda s: f"{_hour12(s)}:{s.tm_min:02d}:{s.tm_sec:02d} {'AM' if s.tm_hour < 12 else 'PM'}",
}


def clf_time(when: float) -> str:
    """[day/Mon/year:hh:mm:ss +zzzz] in local time, English month."""
    stamp = time.localtime(int(when))
    offset = stamp.tm_gmtoff
    sign = "-" if offset < 0 else "+"
    offset = abs(offset)
    return (
        f"[{stamp.tm_mday:02d}/{MONTH_NAMES[stamp.tm_mon - 1]}/{stamp.tm_year}:"
        f"{stamp.tm_hour:02d}:{stamp.tm_min:02d}:{stamp.tm_sec:02d} "
        f"{sign}{offset // 3600:02d}{offset % 3600 // 60:02d}]"
    )


def _absolute(kind: str, us: int) -> str:
    if kind == "sec":
        return str(us // 1_000_000)
    if kind == "msec":
        return str(us // 1_000)
    if kind == "usec":
        return str(us)
    if kind == "msec_frac":
        return f"{us // 1_000 % 1_000:03d}"
    return f"{us % 1_000_000:06d}"


def _request_time(arg: str) -> ItemFn:
    """%t and %{format}t as log_request_time reads its argument: an optional ``begin`` or
    ``end`` (alone: the CLF stamp of that moment; with ``:``, the rest is the format),
    then ``sec``/``msec``/``usec``/``msec_frac``/``usec_frac`` or a strftime format."""
    end, fmt, kind = _time_argument(arg)

    def when(t: Transaction, r: Request) -> float:
        return t.end_time if end else r.request_time

    if kind == "clf":
        return lambda t, r: clf_time(when(t, r))
    if kind == "custom":
        return lambda t, r: strftime_c(fmt, time.localtime(int(when(t, r))))
    return lambda t, r: _absolute(kind, int(when(t, r) * 1_000_000))


def _time_argument(arg: str) -> tuple[bool, str, str]:
    """(at the end?, the strftime format, the kind: clf, custom or an absolute unit)."""
    if not arg:
        return False, arg, "clf"
    end, fmt, rest = False, arg, arg
    for prefix in ("begin", "end"):
        if arg.startswith(prefix):
            rest = arg[len(prefix) :]
            if not rest:
                return prefix == "end", arg, "clf"
            if rest.startswith(":"):
                end, rest = prefix == "end", rest[1:]
                fmt = rest
            break
    for unit in ("msec", "usec"):
        if rest.startswith(unit):
            tail = rest[len(unit) :]
            if not tail:
                return end, fmt, unit
            if tail == "_frac":
                return end, fmt, unit + "_frac"
            return end, fmt, "custom"
    if rest == "sec":
        return end, fmt, "sec"
    if not rest:
        return end, fmt, "clf"
    return end, fmt, "custom"


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class _Letter:
    handler: Handler
    want_orig: bool


# log_pre_config's registrations: letter -> (handler, looks at the original request?).
_LETTERS: dict[str, _Letter] = {}


def register(tag: str, handler: Handler, want_orig: bool = False) -> None:
    """ap_register_log_handler: a one-letter tag, or ``^`` and two letters."""
    _LETTERS[tag] = _Letter(handler, want_orig)


for _tag, _handler, _orig in (
    ("h", _remote_host, False),
    ("a", _remote_address, False),
    ("A", _plain(lambda t, r: r.incoming.local_addr), False),
    ("l", _none, False),
    ("u", _plain(_user), False),
    ("t", _request_time, False),
    ("f", _plain(lambda t, r: escape_logitem(r.filename)), False),
    ("b", _plain(_bytes_clf), False),
    ("B", _plain(lambda t, r: str(_bytes(t, r))), False),
    ("i", _header_in, False),
    ("o", _header_out, False),
    ("n", _note, False),
    ("L", _log_id, True),
    ("e", _env, False),
    ("V", _plain(_server_name), False),
    ("v", _plain(_virtual_host), False),
    ("p", _server_port, False),
    ("P", _pid_tid, False),
    ("H", _plain(lambda t, r: escape_raw(r.protocol)), False),
    ("m", _plain(lambda t, r: escape_raw(r.method)), False),
    ("q", _plain(_query), False),
    ("X", _plain(_connection_status), False),
    ("C", _cookie, False),
    # Requests served on this connection before this one: a WSGI/ASGI server does not
    # say, so 0, what Apache logs for the first request of every connection.
    ("k", _plain(lambda t, r: "0"), False),
    ("r", _plain(_request_line), True),
    ("D", _plain(lambda t, r: str(_duration_us(t, r))), True),
    ("T", _duration, True),
    ("U", _plain(lambda t, r: escape_logitem(r.uri)), True),
    ("s", _plain(_final_status), True),
    ("R", _plain(lambda t, r: escape_raw(r.handler)), True),
    # Request and response trailers: WSGI and ASGI pass none to the middleware.
    ("^ti", _none, False),
    ("^to", _none, False),
):
    register(_tag, _handler, _orig)


# ---------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Item:
    fn: ItemFn
    want_orig: bool
    conditions: frozenset[int] = frozenset()
    negated: bool = False


Piece = str | Item


@dataclass(frozen=True)
class LogFormat:
    text: str
    pieces: tuple[Piece, ...]

    def render(self, t: Transaction) -> str:
        final = _final(t.request)
        orig = _original(t.request)
        out: list[str] = []
        for piece in self.pieces:
            out.append(piece if isinstance(piece, str) else _value(piece, t, orig, final))
        return "".join(out)


def _final(r: Request) -> Request:
    while r.next is not None:
        r = r.next
    return r


def _original(r: Request) -> Request:
    while r.prev is not None:
        r = r.prev
    return r


def _value(item: Item, t: Transaction, orig: Request, final: Request) -> str:
    if item.conditions and (final.status in item.conditions) == item.negated:
        return "-"
    value = item.fn(t, orig if item.want_orig else final)
    return "-" if value is None else value


def compile_format(text: str) -> LogFormat:
    """parse_log_string; raises DirectiveError with Apache's words for a bad one."""
    pieces: list[Piece] = []
    pos = 0
    while pos < len(text):
        if text[pos] != "%":
            end = text.find("%", pos)
            end = len(text) if end < 0 else end
            pieces.append(_unescape(text[pos:end]))
            pos = end
        elif text[pos + 1 : pos + 2] == "%":
            pieces.append("%")
            pos += 2
        else:
            item, pos = _parse_item(text, pos + 1)
            pieces.append(item)
    pieces.append("\n")
    return LogFormat(text, tuple(_joined(pieces)))


def _joined(pieces: list[Piece]) -> list[Piece]:
    """Adjacent literal pieces as one (the rendering does less work)."""
    out: list[Piece] = []
    for piece in pieces:
        if isinstance(piece, str) and out and isinstance(out[-1], str):
            out[-1] += piece
        else:
            out.append(piece)
    return out


_BACKSLASHED = {"\\": "\\", "r": "\r", "n": "\n", "t": "\t"}


def _unescape(text: str) -> str:
    """parse_log_misc_string: \\\\ \\r \\n \\t; any other backslash is kept."""
    return re.sub(r"\\([\\rnt])", lambda m: _BACKSLASHED[m[1]], text)


def _parse_item(text: str, pos: int) -> tuple[Item, int]:
    negated, want_orig = False, None
    conditions: list[int] = []
    arg = ""
    while pos < len(text):
        c = text[pos]
        if c == "!":
            negated, pos = not negated, pos + 1
        elif c in "<>":
            want_orig, pos = c == "<", pos + 1
        elif c == ",":
            pos += 1
        elif c == "{":
            arg, pos = _word(text, pos + 1)
        elif c.isdigit() and c.isascii():
            digits = re.match(r"[0-9]+", text[pos:])
            assert digits is not None
            conditions.append(int(digits[0]))
            pos += len(digits[0])
        else:
            letter, pos = _letter(text, pos)
            orig = letter.want_orig if want_orig is None else want_orig
            return Item(letter.handler(arg), orig, frozenset(conditions), negated), pos
    raise DirectiveError("Ran off end of LogFormat parsing args to some directive")


def _word(text: str, pos: int) -> tuple[str, int]:
    """ap_getword(..., '}'): up to the brace, then past every brace that follows."""
    end = text.find("}", pos)
    if end < 0:
        return text[pos:], len(text)
    after = end
    while after < len(text) and text[after] == "}":
        after += 1
    return text[pos:end], after


def _letter(text: str, pos: int) -> tuple[_Letter, int]:
    if text[pos] == "^" and len(text) > pos + 2:
        three = _LETTERS.get(text[pos : pos + 3])
        if three is not None:
            return three, pos + 3
    letter = _LETTERS.get(text[pos])
    if letter is None:
        raise DirectiveError(f"Unrecognized LogFormat directive %{text[pos]}")
    return letter, pos + 1

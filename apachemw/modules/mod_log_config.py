"""mod_log_config: LogFormat, CustomLog, TransferLog, written after the response.

Each access-log line is formatted from the final request record and written
with a single ``os.write`` on an ``O_APPEND`` descriptor, so several workers can
share a file without interleaving and a rotated file is picked up on reopen.
Items are escaped as ``ap_escape_logitem`` does: ``"`` and ``\\`` backslashed,
control characters and every byte >= 0x80 as ``\\xhh``.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from apachemw.config.directives import RSRC_CONF, Args, Cmd, DirectiveError, Module
from apachemw.config.rows import accepted, row
from apachemw.core.request import OK, Request
from apachemw.core.uri_escape import escape_log_bytes

__all__ = ["MODULE", "LogFormat", "compile_format", "escape_logitem"]

COMBINED = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"'
COMMON = '%h %l %u %t "%r" %>s %b'
DEFAULT_FORMAT = COMMON

_ESCAPES = {
    0x22: '\\"',
    0x5C: "\\\\",
    0x08: "\\b",
    0x0A: "\\n",
    0x0D: "\\r",
    0x09: "\\t",
    0x0B: "\\v",
}


def escape_logitem(text: str) -> str:
    """ap_escape_logitem over the bytes of ``text``."""
    return escape_log_bytes(text, _ESCAPES)


@dataclass
class Transaction:
    """What the log phase knows once the response has been sent."""

    request: Request
    status: int
    bytes_sent: int
    headers_out: list[tuple[str, str]]
    end_time: float


Item = Callable[[Transaction], str]


def _address(which: str) -> Item:
    """%{c}a: the connection's peer; %a (any other argument): the client (useragent)."""
    if which == "c":
        return lambda t: t.request.incoming.remote_addr
    return lambda t: t.request.incoming.client_ip


def _header_in(name: str) -> Item:
    return lambda t: _or_dash(t.request.headers_in.get(name))


def _header_out(name: str) -> Item:
    lname = name.lower()

    def item(t: Transaction) -> str:
        values = [v for k, v in t.headers_out if k.lower() == lname]
        return ", ".join(values) if values else "-"

    return item


def _env(name: str) -> Item:
    return lambda t: _or_dash(t.request.subprocess_env.get(name))


def _note(name: str) -> Item:
    return lambda t: _or_dash(
        t.request.notes.get(name) if isinstance(t.request.notes.get(name), str) else None
    )


def _or_dash(value: str | None) -> str:
    return "-" if value is None or value == "" else escape_logitem(value)


def _clf_time(t: Transaction) -> str:
    stamp = time.localtime(t.request.request_time)
    offset = stamp.tm_gmtoff // 60
    sign = "+" if offset >= 0 else "-"
    zone = f"{sign}{abs(offset) // 60:02d}{abs(offset) % 60:02d}"
    return time.strftime("[%d/%b/%Y:%H:%M:%S ", stamp) + zone + "]"


def _bytes_clf(t: Transaction) -> str:
    return str(t.bytes_sent) if t.bytes_sent else "-"


def _user(t: Transaction) -> str:
    user = t.request.user
    if user is None:
        return "-"
    return escape_logitem(user) if user else '""'


def _remote(t: Transaction) -> str:
    # 2.4's %h is ap_get_useragent_host: mod_remoteip's client, or its looked-up name.
    inc = t.request.incoming
    return inc.remote_host or inc.client_ip


def _the_request(t: Transaction) -> str:
    return escape_logitem(t.request.the_request)


def _query(t: Transaction) -> str:
    args = t.request.args
    return f"?{escape_logitem(args)}" if args else ""


SIMPLE: dict[str, Item] = {
    "h": _remote,
    "a": lambda t: t.request.incoming.client_ip,
    "A": lambda t: t.request.incoming.local_addr,
    "l": lambda t: "-",
    "u": _user,
    "t": _clf_time,
    "r": _the_request,
    "s": lambda t: str(t.request.status),
    "b": _bytes_clf,
    "B": lambda t: str(t.bytes_sent),
    "U": lambda t: escape_logitem(t.request.uri),
    "q": _query,
    "m": lambda t: escape_logitem(t.request.method),
    "H": lambda t: escape_logitem(t.request.protocol),
    "v": lambda t: t.request.server.get("core").server_name or "-",
    "V": lambda t: t.request.hostname or t.request.server.get("core").server_name or "-",
    "p": lambda t: str(t.request.incoming.local_port),
    "f": lambda t: escape_logitem(t.request.filename or "-"),
    "D": lambda t: str(int((t.end_time - t.request.request_time) * 1_000_000)),
    "T": lambda t: str(int(t.end_time - t.request.request_time)),
    "P": lambda t: str(os.getpid()),
    "k": lambda t: "0",
    "X": lambda t: "-",
    "R": lambda t: escape_logitem(t.request.handler or "-"),
    "%": lambda t: "%",
}
ARGUMENT: dict[str, Callable[[str], Item]] = {
    "i": _header_in,
    "o": _header_out,
    "e": _env,
    "n": _note,
    "a": _address,
}

_ORIGINAL_BY_DEFAULT = frozenset("sUTDr")
_TOKEN = re.compile(r"%([<>]?)(?:!?[0-9,]+)?(?:\{([^}]*)\})?([<>]?)([a-zA-Z%])")


@dataclass(frozen=True)
class LogFormat:
    text: str
    pieces: tuple[str | tuple[str, Item], ...]

    def render(self, t: Transaction) -> str:
        out: list[str] = []
        for piece in self.pieces:
            if isinstance(piece, str):
                out.append(piece)
            else:
                out.append(_render_item(piece, t))
        return "".join(out)


def _render_item(piece: tuple[str, Item], t: Transaction) -> str:
    # ``t.request`` is the final request; "<" (and, by default, %s %U %T %D %r)
    # look at the original one, as mod_log_config does.
    which, item = piece
    if which == "<":
        first = t.request.initial
        return item(Transaction(first, t.status, t.bytes_sent, t.headers_out, t.end_time))
    return item(t)


def compile_format(text: str) -> LogFormat:
    """Parse a LogFormat string once; unknown letters fail as Apache fails."""
    pieces: list[str | tuple[str, Item]] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        if match.start() > pos:
            pieces.append(_unescape(text[pos : match.start()]))
        which = match.group(1) or match.group(3)
        arg, letter = match.group(2), match.group(4)
        if not which and letter in _ORIGINAL_BY_DEFAULT:
            which = "<"
        if letter == "s" and which == ">":
            pieces.append(("", lambda t: str(t.status)))
        elif arg is not None and letter in ARGUMENT:
            pieces.append((which, ARGUMENT[letter](arg)))
        elif letter in SIMPLE:
            pieces.append((which, SIMPLE[letter]))
        else:
            raise DirectiveError(f"Unrecognized LogFormat directive %{letter}")
        pos = match.end()
    if pos < len(text):
        pieces.append(_unescape(text[pos:]))
    return LogFormat(text, tuple(pieces))


def _unescape(text: str) -> str:
    return text.replace("\\n", "\n").replace("\\t", "\t").replace('\\"', '"').replace("\\\\", "\\")


@dataclass
class LogTarget:
    path: str
    format: LogFormat
    condition: tuple[bool, str] | None = None


@dataclass
class LogServer:
    formats: dict[str, str] = field(default_factory=dict)
    default_format: str | None = None
    targets: list[LogTarget] | None = None


def merge_server(base: LogServer, virt: LogServer) -> LogServer:
    # A virtual host with its own CustomLog logs only there (no GlobalLog here).
    return LogServer(
        formats={**base.formats, **virt.formats},
        default_format=virt.default_format or base.default_format,
        targets=virt.targets if virt.targets is not None else base.targets,
    )


def _log_format(cmd: Cmd, args: Sequence[str]) -> None:
    conf: LogServer = cmd.srv()
    compile_format(args[0])
    if len(args) == 2:
        conf.formats[args[1]] = args[0]
    else:
        conf.default_format = args[0]


def _custom_log(cmd: Cmd, args: Sequence[str]) -> None:
    conf: LogServer = cmd.srv()
    path, fmt = args[0], args[1] if len(args) > 1 else None
    condition = None
    if len(args) == 3:
        clause = args[2]
        if not clause.startswith("env="):
            raise DirectiveError("error in condition clause")
        name = clause[4:]
        condition = (not name.startswith("!"), name.lstrip("!"))
    if not path.startswith(("/", "|")):
        path = os.path.join(cmd.ctx.site.server_root, path)
    known = {**conf.formats, "combined": conf.formats.get("combined", COMBINED)}
    text = known.get(fmt, fmt) if fmt is not None else conf.default_format or DEFAULT_FORMAT
    target = LogTarget(path, compile_format(text), condition)
    conf.targets = [*(conf.targets or ()), target]


def _transfer_log(cmd: Cmd, args: Sequence[str]) -> None:
    _custom_log(cmd, (args[0],))


class _Files:
    """Open log descriptors, one per path, opened on first use (O_APPEND)."""

    def __init__(self) -> None:
        self._fds: dict[str, int] = {}
        self._lock = threading.Lock()

    def write(self, path: str, line: str) -> None:
        data = (line + "\n").encode("utf-8", "surrogateescape")
        if path in ("/dev/stdout", "-"):
            os.write(1, data)
            return
        if path == "/dev/stderr":
            os.write(2, data)
            return
        fd = self._fds.get(path)
        if fd is None:
            with self._lock:
                fd = self._fds.get(path)
                if fd is None:
                    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                    self._fds[path] = fd
        os.write(fd, data)

    def reopen(self) -> None:
        with self._lock:
            for fd in self._fds.values():
                os.close(fd)
            self._fds.clear()


FILES = _Files()


def log_transaction(t: Transaction) -> int:
    conf: LogServer = t.request.server.get("mod_log_config")
    for target in conf.targets or ():
        if target.condition is not None:
            wanted, name = target.condition
            if (name in t.request.subprocess_env) != wanted:
                continue
        FILES.write(target.path, target.format.render(t))
    return OK


S = RSRC_CONF

MODULE = Module(
    name="mod_log_config",
    ident="log_config_module",
    directives=(
        row(
            "CustomLog",
            Args.TAKE23,
            S,
            'a file name, a custom log format string or format name, and an optional "env=" '
            'or "expr=" clause (see docs)',
            _custom_log,
        ),
        accepted(
            "GlobalLog",
            Args.TAKE23,
            S,
            "Same as CustomLog, but forces virtualhosts to inherit the log",
        ),
        row("TransferLog", Args.TAKE1, S, "the filename of the access log", _transfer_log),
        row(
            "LogFormat",
            Args.TAKE12,
            S,
            "a log format string (see docs) and an optional format name",
            _log_format,
        ),
        accepted("BufferedLogs", Args.TAKE1, S, "Enable Buffered Logging (experimental)"),
    ),
    create_server=LogServer,
    merge_server=merge_server,
    hooks={"log_transaction": (10, log_transaction)},
)

"""mod_logio: %I, %O and %S in LogFormat — bytes received and sent, headers included.

apachemw does not see the bytes on the wire (uvicorn writes them), so these count what
Apache would have read and sent for the same exchange: the request line and header
lines as ``Name: value`` with CRLFs plus the declared body; Apache's status line, its
Date and Server headers, the response headers, the connection headers Apache adds
(``Connection: close``, or ``Keep-Alive``/``Connection: Keep-Alive`` on a persistent
connection, whose ``max`` is taken as the first request's), and the body. Debian's
stock ``combined`` format uses %O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from apachemw.config.directives import OR_ALL, Args, Cmd, Module
from apachemw.config.rows import row
from apachemw.core.canned import REASONS
from apachemw.core.request import Request
from apachemw.modules.mod_log_config.format import ItemFn, Transaction, register

__all__ = ["MODULE", "bytes_in", "bytes_out", "keeps_alive"]

_DATE_LINE = len("Date: Sun, 22 Nov 2026 02:13:34 GMT\r\n")  # always 29 characters of date
# ap_status_drops_connection: answers after which Apache closes the connection.
_DROPS = frozenset({400, 408, 411, 413, 414, 417, 500, 501, 503})


def bytes_in(t: Transaction) -> int:
    """%I: the request as read, body included."""
    r = t.request
    inc = r.incoming
    line = len(f"{inc.method} ".encode()) + len(inc.target) + len(f" {inc.protocol}\r\n")
    heads = sum(
        len(f"{name}: {value}\r\n".encode("latin-1", "replace")) for name, value in inc.headers
    )
    if r.initial.notes.get("request-line-only"):
        return line
    length = r.headers_in.get("Content-Length") or "0"
    body = int(length) if length.isdigit() else 0
    return line + heads + 2 + body


def keeps_alive(t: Transaction) -> bool:
    """ap_set_keepalive's verdict: the connection stays open after this answer."""
    r = t.request
    asked = (r.headers_in.get("Connection") or "").lower()
    keep = (r.protocol == "HTTP/1.1" and "close" not in asked) or "keep-alive" in asked
    return keep and t.status not in _DROPS


def _connection_lines(t: Transaction) -> str:
    if keeps_alive(t):
        return "Keep-Alive: timeout=5, max=100\r\nConnection: Keep-Alive\r\n"
    return "Connection: close\r\n"


def bytes_out(t: Transaction) -> int:
    """%O: Apache's status line and headers, then the body."""
    from apachemw.core.pipeline import server_banner

    status = f"HTTP/1.1 {t.status} {REASONS.get(t.status, 'Unknown Reason')}\r\n"
    lines = [f"{name}: {value}\r\n" for name, value in t.headers_out]
    head = status + f"Server: {server_banner(t.request)}\r\n" + "".join(lines)
    head += _connection_lines(t) + _chunked(t) + "\r\n"
    framing = _chunk_framing(t) if _chunked(t) else 0
    return len(head.encode("latin-1", "replace")) + _DATE_LINE + t.bytes_sent + framing


def _chunked(t: Transaction) -> str:
    """An HTTP/1.1 body of unknown length goes out chunked (the TRACE echo, streamed
    answers): Apache adds the Transfer-Encoding header and the chunk lines."""
    r = t.request
    if r.protocol != "HTTP/1.1" or r.is_head or t.status in (204, 304) or t.status < 200:
        return ""
    if any(name.lower() == "content-length" for name, _ in t.headers_out):
        return ""
    return "Transfer-Encoding: chunked\r\n"


def _chunk_framing(t: Transaction) -> int:
    # Taken as one chunk: "<size hex>\r\n" ... "\r\n", then the last chunk "0\r\n\r\n".
    body = t.bytes_sent
    return (len(f"{body:x}") + 4 if body else 0) + 5


register("I", lambda arg: lambda t, r: str(bytes_in(t)))
register("O", lambda arg: lambda t, r: str(bytes_out(t)))
register("S", lambda arg: lambda t, r: str(bytes_in(t) + bytes_out(t)))


def _ttfb(conf: LogioDir | None) -> bool:
    return bool(conf is not None and conf.track_ttfb)


def _first_byte(arg: str) -> ItemFn:
    """%^FB: "-" unless LogIOTrackTTFB is on for the request's directory; then the time
    from the request's arrival to the response's first byte, which apachemw takes as
    the end of the request's processing (the time the response began)."""

    def item(t: Transaction, r: Request) -> str | None:
        if not _ttfb(r.per_dir.get("mod_logio") if r.per_dir else None):
            return None
        first = t.first_byte or t.end_time
        return str(int(first * 1_000_000) - int(r.request_time * 1_000_000))

    return item


register("^FB", _first_byte)


@dataclass
class LogioDir:
    """mod_logio's per-directory config: LogIOTrackTTFB."""

    track_ttfb: bool | None = None


def _merge_dir(base: LogioDir, new: LogioDir) -> LogioDir:
    return LogioDir(new.track_ttfb if new.track_ttfb is not None else base.track_ttfb)


def _track_ttfb(cmd: Cmd, args: Sequence[str]) -> None:
    conf: LogioDir = cmd.dir()
    conf.track_ttfb = args[0].lower() == "on"


MODULE = Module(
    name="mod_logio",
    ident="logio_module",
    directives=(
        row(
            "LogIOTrackTTFB",
            Args.FLAG,
            OR_ALL,
            "Set to 'ON' to enable tracking time to first byte",
            _track_ttfb,
        ),
    ),
    create_dir=LogioDir,
    merge_dir=_merge_dir,
)

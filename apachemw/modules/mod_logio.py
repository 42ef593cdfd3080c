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

from dataclasses import dataclass

from apachemw.config.directives import OR_ALL, Args, Module
from apachemw.config.rows import accepted
from apachemw.core.canned import REASONS
from apachemw.modules import mod_log_config
from apachemw.modules.mod_log_config import Transaction

__all__ = ["MODULE", "bytes_in", "bytes_out"]

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
    length = r.headers_in.get("Content-Length") or "0"
    body = int(length) if length.isdigit() else 0
    return line + heads + 2 + body


def _connection_lines(t: Transaction) -> str:
    r = t.request
    asked = (r.headers_in.get("Connection") or "").lower()
    keep = (r.protocol == "HTTP/1.1" and "close" not in asked) or "keep-alive" in asked
    if keep and t.status not in _DROPS:
        return "Keep-Alive: timeout=5, max=100\r\nConnection: Keep-Alive\r\n"
    return "Connection: close\r\n"


def bytes_out(t: Transaction) -> int:
    """%O: Apache's status line and headers, then the body."""
    from apachemw.core.pipeline import server_banner

    status = f"HTTP/1.1 {t.status} {REASONS.get(t.status, 'Unknown Reason')}\r\n"
    lines = [f"{name}: {value}\r\n" for name, value in t.headers_out]
    head = status + f"Server: {server_banner(t.request)}\r\n" + "".join(lines)
    head += _connection_lines(t) + "\r\n"
    return len(head.encode("latin-1", "replace")) + _DATE_LINE + t.bytes_sent


mod_log_config.SIMPLE["I"] = lambda t: str(bytes_in(t))
mod_log_config.SIMPLE["O"] = lambda t: str(bytes_out(t))
mod_log_config.SIMPLE["S"] = lambda t: str(bytes_in(t) + bytes_out(t))


@dataclass
class LogioDir:
    """mod_logio's per-directory config (LogIOTrackTTFB, which nothing here reads)."""


MODULE = Module(
    name="mod_logio",
    ident="logio_module",
    directives=(
        # Only %^FB (time to first byte) needs it, and %^FB is not offered.
        accepted(
            "LogIOTrackTTFB", Args.FLAG, OR_ALL, "Set to 'ON' to enable tracking time to first byte"
        ),
    ),
    create_dir=LogioDir,
)

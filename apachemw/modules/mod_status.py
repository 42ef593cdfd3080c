"""mod_status: the server-status handler, in Apache's layout, from this process's scoreboard.

``SetHandler server-status`` in a ``<Location>`` (access-controlled like any other)
answers GET and HEAD with the status page; ``?auto`` gives the machine-readable form,
``?refresh=N`` a ``Refresh`` header (10 when N is missing or below 1), ``?notable`` the
per-worker details as text instead of a table. The arguments are found anywhere in the
query string, as mod_status looks for them with strstr. Other methods are declined (the
default handler then answers, as in Apache). ``ExtendedStatus`` (core) defaults to On
once this module is loaded, as mod_status's pre_config arranges; Off leaves out the
totals and the per-worker table.

What the figures mean here is set out in core/scoreboard.py: they are this process's
(its PID is on the page), a worker is a request slot, the uptime counts from when the
configuration was loaded. What apachemw cannot know is shown as Apache shows an unknown:
connection-level figures (keep-alive, async connections) are 0, per-worker CPU is 0.00,
the bytes counted are the response bodies (Apache with mod_logio counts headers too).
The page is built per request and never memoised (the answer is not a file).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from apachemw import __version__
from apachemw.config.directives import Module
from apachemw.core.http import DAY_NAMES_LONG, MONTH_NAMES, atoi
from apachemw.core.request import DECLINED, DONE, Incoming, Outcome, Request
from apachemw.core.scoreboard import BUSY_LOG, BUSY_WRITE, READY, Scoreboard, Slot
from apachemw.core.uri_escape import escape_html

__all__ = ["MODULE", "STATUS_HANDLERS", "extended_status", "format_time"]

STATUS_HANDLERS = frozenset({"server-status", "application/x-httpd-status"})
KBYTE = 1024
MBYTE = 1048576
GBYTE = 1073741824
LINE = 64  # STATUS_MAXLINE: scoreboard characters per line of the HTML page
LONG_MAX = 2**63 - 1
# What ap_show_mpm() names; apachemw runs inside another server's workers.
MPM_NAME = "apachemw"
# Apache's page is written through a buffer that is flushed once it exceeds this many
# bytes; a flushed page goes out without Content-Length (chunked).
BUFFER = 8000


@dataclass
class Options:
    refresh: int | None = None
    notable: bool = False
    auto: bool = False


@dataclass
class Totals:
    """What status_handler sums over the slots."""

    busy: int = 0
    idle: int = 0
    count: int = 0
    kbytes: int = 0
    duration_ms: int = 0
    uptime: int = 0


def extended_status(r: Request) -> bool:
    """ap_extended_status: ExtendedStatus of the main server; On when unset (this
    module's pre_config turns it on)."""
    value = r.site.main.get("core").extended_status
    return True if value is None else bool(value)


def _atol(text: str) -> int:
    return max(-LONG_MAX - 1, min(LONG_MAX, atoi(text)))


def parse_options(args: str | None) -> Options:
    """The table-driven scan: each keyword anywhere in the query string (strstr)."""
    opts = Options()
    if not args:
        return opts
    at = args.find("refresh")
    if at >= 0:
        rest = args[at + len("refresh") :]
        seconds = _atol(rest[1:]) if rest.startswith("=") else 0
        opts.refresh = 10 if seconds < 1 else seconds
    opts.notable = "notable" in args
    opts.auto = "auto" in args
    return opts


def format_time(ts: float) -> str:
    """ap_ht_time with "%A, %d-%b-%Y %H:%M:%S %Z" in local time, English names."""
    t = time.localtime(ts)
    zone = time.strftime("%Z", t)
    return (
        f"{DAY_NAMES_LONG[t.tm_wday]}, {t.tm_mday:02d}-{MONTH_NAMES[t.tm_mon - 1]}-{t.tm_year:04d} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} {zone}"
    )


def show_time(secs: int) -> str:
    days, rest = divmod(secs, 86400)
    hours, rest = divmod(rest, 3600)
    mins, secs = divmod(rest, 60)
    out = ""
    for value, unit in ((days, "day"), (hours, "hour"), (mins, "minute"), (secs, "second")):
        if value:
            out += f" {value} {unit}{'' if value == 1 else 's'}"
    return out


def format_byte_out(count: float) -> str:
    if count < 5 * KBYTE:
        return f"{int(count)} B"
    if count < MBYTE / 2:
        return f"{count / KBYTE:.1f} kB"
    if count < GBYTE / 2:
        return f"{count / MBYTE:.1f} MB"
    return f"{count / GBYTE:.1f} GB"


def format_kbyte_out(kbytes: int) -> str:
    if kbytes < KBYTE:
        return f"{kbytes} kB"
    if kbytes < MBYTE:
        return f"{kbytes / KBYTE:.1f} MB"
    return f"{kbytes / MBYTE:.1f} GB"


def _g(value: float) -> str:
    return f"{value:g}"


# ---------------------------------------------------------------- gathering


def _counts(slot: Slot) -> bool:
    """Whether a slot's figures enter the totals (used, or busy now)."""
    return slot.access_count != 0 or slot.status != READY


def totals(board: Scoreboard, slots: list[Slot], now: float, extended: bool) -> Totals:
    out = Totals(uptime=max(0, int(now - board.restart_time)))
    served = 0
    duration = 0.0
    for slot in slots:
        if slot.status == READY:
            out.idle += 1
        else:
            out.busy += 1
        if extended and _counts(slot):
            out.count += slot.access_count
            served += slot.bytes_served
            duration += slot.duration
    out.kbytes = served >> 10
    out.duration_ms = int(duration * 1000)
    return out


def _cpu() -> tuple[float, float, float, float]:
    t = os.times()
    return t.user, t.system, t.children_user, t.children_system


def _load() -> tuple[float, float, float]:
    try:
        return os.getloadavg()
    except OSError:  # not every platform has one; Apache then reports -1
        return (-1.0, -1.0, -1.0)


def _scoreboard_line(slots: list[Slot]) -> str:
    return "".join(slot.status for slot in slots)


# ---------------------------------------------------------------- the ?auto form


def auto_report(r: Request, board: Scoreboard, slots: list[Slot], now: float) -> str:
    from apachemw.core.pipeline import VERSION, server_name

    extended = extended_status(r)
    t = totals(board, slots, now, extended)
    load = _load()
    lines = [
        server_name(r),
        f"ServerVersion: {VERSION}",
        f"ServerMPM: {MPM_NAME}",
        f"Server Built: apachemw {__version__}",
        f"CurrentTime: {format_time(now)}",
        f"RestartTime: {format_time(board.restart_time)}",
        "ParentServerConfigGeneration: 1",
        "ParentServerMPMGeneration: 0",
        f"ServerUptimeSeconds: {t.uptime}",
        f"ServerUptime:{show_time(t.uptime)}",
        f"Load1: {load[0]:.2f}\nLoad5: {load[1]:.2f}\nLoad15: {load[2]:.2f}",
    ]
    if extended:
        lines += _auto_extended(t)
    lines += [
        f"BusyWorkers: {t.busy}\nGracefulWorkers: 0\nIdleWorkers: {t.idle}",
        f"Processes: 1\nStopping: 0\nConnsTotal: {t.busy}",
        "ConnsAsyncWaitIO: 0\nConnsAsyncWriting: 0\nConnsAsyncKeepAlive: 0\nConnsAsyncClosing: 0",
        f"Scoreboard: {_scoreboard_line(slots)}",
    ]
    return "\n".join(lines) + "\n"


def _auto_extended(t: Totals) -> list[str]:
    user, system, cuser, csystem = _cpu()
    cpu = user + system + cuser + csystem
    lines = [
        f"Total Accesses: {t.count}\nTotal kBytes: {t.kbytes}\nTotal Duration: {t.duration_ms}",
        f"CPUUser: {_g(user)}\nCPUSystem: {_g(system)}",
        f"CPUChildrenUser: {_g(cuser)}\nCPUChildrenSystem: {_g(csystem)}",
    ]
    if cpu:
        lines.append(f"CPULoad: {_g(_per_second(cpu, t.uptime) * 100)}")
    lines.append(f"Uptime: {t.uptime}")
    if t.uptime > 0:
        lines.append(f"ReqPerSec: {_g(t.count / t.uptime)}")
        lines.append(f"BytesPerSec: {_g(KBYTE * t.kbytes / t.uptime)}")
    if t.count > 0:
        lines.append(f"BytesPerReq: {_g(KBYTE * t.kbytes / t.count)}")
        lines.append(f"DurationPerReq: {_g(t.duration_ms / t.count)}")
    return lines


def _per_second(value: float, uptime: int) -> float:
    """C's float division: a server up for less than a second divides by zero (inf)."""
    return value / uptime if uptime else float("inf")


# ---------------------------------------------------------------- the HTML page


def html_report(r: Request, board: Scoreboard, slots: list[Slot], now: float, notable: bool) -> str:
    extended = extended_status(r)
    t = totals(board, slots, now, extended)
    parts = [_html_head(r, board, now, t)]
    if extended:
        parts.append(_html_totals(t))
    parts.append(
        f"<dt>{t.busy} requests currently being processed, 0 workers gracefully "
        f"restarting, {t.idle} idle workers</dt>\n</dl>"
    )
    parts.append(_process_table(board, t))
    parts.append(_html_scoreboard(slots))
    if extended:
        parts.append(_details(r, board, slots, now, notable))
    else:
        parts.append(_pid_key(board, slots))
        parts.append(
            "<hr />To obtain a full report with current status information you need to "
            "use the <code>ExtendedStatus On</code> directive.\n"
        )
    parts.append(_signature(r) + "</body></html>\n")
    return "".join(parts)


def _html_head(r: Request, board: Scoreboard, now: float, t: Totals) -> str:
    from apachemw.core.pipeline import VERSION, server_name

    load = _load()
    return (
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" '
        '"http://www.w3.org/TR/html4/strict.dtd">\n'
        "<html><head>\n<title>Apache Status</title>\n</head><body>\n"
        f"<h1>Apache Server Status for {escape_html(server_name(r))} "
        f"(via {r.incoming.local_addr})</h1>\n\n"
        f"<dl><dt>Server Version: {VERSION}</dt>\n"
        f"<dt>Server MPM: {MPM_NAME}</dt>\n"
        f"<dt>Server Built: apachemw {__version__}\n</dt></dl><hr /><dl>\n"
        f"<dt>Current Time: {format_time(now)}</dt>\n"
        f"<dt>Restart Time: {format_time(board.restart_time)}</dt>\n"
        "<dt>Parent Server Config. Generation: 1</dt>\n"
        "<dt>Parent Server MPM Generation: 0</dt>\n"
        f"<dt>Server uptime: {show_time(t.uptime)}</dt>\n"
        f"<dt>Server load: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}</dt>\n"
    )


def _html_totals(t: Totals) -> str:
    user, system, cuser, csystem = _cpu()
    cpu = user + system + cuser + csystem
    out = (
        f"<dt>Total accesses: {t.count} - Total Traffic: {format_kbyte_out(t.kbytes)}"
        f" - Total Duration: {t.duration_ms}</dt>\n"
        f"<dt>CPU Usage: u{_g(user)} s{_g(system)} cu{_g(cuser)} cs{_g(csystem)}"
    )
    out += f" - {_per_second(cpu, t.uptime) * 100:.3g}% CPU load</dt>\n" if cpu else "</dt>\n"
    out += "<dt>"
    if t.uptime > 0:
        out += f"{t.count / t.uptime:.3g} requests/sec - "
        out += format_byte_out(int(KBYTE * t.kbytes / t.uptime)) + "/second"
    if t.count > 0:
        if t.uptime > 0:
            out += " - "
        out += format_byte_out(int(KBYTE * t.kbytes / t.count))
        out += f"/request - {_g(t.duration_ms / t.count)} ms/request"
    return out + "</dt>\n"


def _process_table(board: Scoreboard, t: Totals) -> str:
    """The async MPM's per-process table: one process, this one."""
    cells = f"<td>{t.busy}</td><td>0</td><td>{t.idle}</td><td>0</td><td>0</td><td>0</td><td>0</td>"
    return (
        '\n\n<table rules="all" cellpadding="1%">\n'
        '<tr><th rowspan="2">Slot</th><th rowspan="2">PID</th><th rowspan="2">Stopping</th>'
        '<th colspan="2">Connections</th>\n'
        '<th colspan="3">Threads</th><th colspan="4">Async connections</th></tr>\n'
        "<tr><th>total</th><th>accepting</th><th>busy</th><th>graceful</th><th>idle</th>"
        "<th>wait-io</th><th>writing</th><th>keep-alive</th><th>closing</th></tr>\n"
        f"<tr><td>0</td><td>{board.pid}</td><td>no</td><td>{t.busy}</td><td>yes</td>"
        f"{cells}</tr>\n"
        f"<tr><td>Sum</td><td>1</td><td>0</td><td>{t.busy}</td><td>&nbsp;</td>{cells}</tr>\n"
        "</table>\n"
    )


_KEY = (
    '<p>Scoreboard Key:<br />\n"<b><code>_</code></b>" Waiting for Connection, \n'
    '"<b><code>S</code></b>" Starting up, \n"<b><code>R</code></b>" Reading Request,<br />\n'
    '"<b><code>W</code></b>" Sending Reply, \n"<b><code>K</code></b>" Keepalive (read), \n'
    '"<b><code>D</code></b>" DNS Lookup,<br />\n"<b><code>C</code></b>" Closing connection, \n'
    '"<b><code>L</code></b>" Logging, \n"<b><code>G</code></b>" Gracefully finishing,<br /> \n'
    '"<b><code>I</code></b>" Idle cleanup of worker, \n'
    '"<b><code>.</code></b>" Open slot with no current process<br />\n</p>\n'
)


def _html_scoreboard(slots: list[Slot]) -> str:
    line = _scoreboard_line(slots)
    rows = [line[i : i + LINE] for i in range(0, len(line), LINE)]
    if len(line) % LINE == 0 and line:
        rows.append("")  # a full last line still ends with its newline
    return "<pre>" + "\n".join(rows) + "</pre>\n" + _KEY


def _pid_key(board: Scoreboard, slots: list[Slot]) -> str:
    out = "PID Key: <br />\n<pre>\n"
    for k, slot in enumerate(slots, 1):
        out += f"   {board.pid} in state: {slot.status} " + ("\n" if k % 3 == 0 else ",")
    return out + "\n</pre>\n"


# ---------------------------------------------------------------- per-worker details

_TABLE_HEAD = (
    '\n\n<table border="0"><tr><th>Srv</th><th>PID</th><th>Acc</th><th>M</th><th>CPU\n</th>'
    "<th>SS</th><th>Req</th><th>Dur</th><th>Conn</th><th>Child</th><th>Slot</th>"
    "<th>Client</th><th>Protocol</th><th>VHost</th><th>Request</th></tr>\n\n"
)
_TABLE_KEY = (
    "</table>\n <hr /> <table>\n"
    " <tr><th>Srv</th><td>Child Server number - generation</td></tr>\n"
    " <tr><th>PID</th><td>OS process ID</td></tr>\n"
    " <tr><th>Acc</th><td>Number of accesses this connection / this child / this slot"
    "</td></tr>\n"
    " <tr><th>M</th><td>Mode of operation</td></tr>\n"
    "<tr><th>CPU</th><td>CPU usage, number of seconds</td></tr>\n"
    "<tr><th>SS</th><td>Seconds since beginning of most recent request</td></tr>\n"
    " <tr><th>Req</th><td>Milliseconds required to process most recent request</td></tr>\n"
    " <tr><th>Dur</th><td>Sum of milliseconds required to process all requests</td></tr>\n"
    " <tr><th>Conn</th><td>Kilobytes transferred this connection</td></tr>\n"
    " <tr><th>Child</th><td>Megabytes transferred this child</td></tr>\n"
    " <tr><th>Slot</th><td>Total megabytes transferred this slot</td></tr>\n"
    " </table>\n"
)
_MODE_CELL = {READY: "_", BUSY_WRITE: "<b>W</b>", BUSY_LOG: "<b>L</b>"}
_MODE_WORD = {READY: "Ready", BUSY_WRITE: "<b>Write</b>", BUSY_LOG: "<b>Logging</b>"}


@dataclass
class WorkerView:
    """One slot as the status page shows it (copied, as ap_copy_scoreboard_worker)."""

    status: str
    conn: int
    access: int
    since: int
    req_ms: int
    dur_ms: int
    bytes: int
    client: str
    protocol: str
    vhost: str
    request: str


def _details(r: Request, board: Scoreboard, slots: list[Slot], now: float, notable: bool) -> str:
    views = [_view(r, slot, now) for slot in slots if _counts(slot)]
    if notable:
        rows = [_notable_row(board, v) for v in views]
        return "<hr /><h2>Server Details</h2>\n\n" + "".join(rows)
    return _TABLE_HEAD + "".join(_table_row(board, v) for v in views) + _TABLE_KEY


def _view(r: Request, slot: Slot, now: float) -> WorkerView:
    status = slot.status
    busy = status != READY
    req_ms = int((slot.stop_time - slot.start_time) * 1000) if slot.start_time else 0
    client, vhost, line = _slot_request(r, slot)
    return WorkerView(
        status=status,
        conn=1 if busy else 0,
        access=slot.access_count,
        since=int(now - slot.last_used) if slot.last_used else 0,
        req_ms=max(0, req_ms),
        dur_ms=int(slot.duration * 1000),
        bytes=slot.bytes_served,
        client=client,
        protocol="http/1.1",
        vhost=vhost,
        request=line,
    )


def _slot_request(r: Request, slot: Slot) -> tuple[str, str, str]:
    """Client, virtual host and request line of the slot's request: the one in flight
    (this very request, when it is the status request's own slot), else the last one."""
    incoming = slot.incoming
    current = r.initial if incoming is not None and incoming is r.incoming else None
    last = current or (slot.request if incoming is None else None)
    if last is not None:
        inc = last.incoming
        return inc.remote_host or inc.client_ip, _vhost(last), _request_line(r, last.the_request)
    if incoming is not None:
        line = f"{incoming.method} {incoming.target.decode('latin-1')} {incoming.protocol}"
        server = _chosen_server(r.site, incoming)
        return incoming.client_ip, _vhost_name(server, incoming), _request_line(r, line)
    return "", "", ""


def _chosen_server(site: Any, incoming: Incoming) -> Any:
    """The virtual host a request in flight is for, chosen as read_request chooses it."""
    from apachemw.config.vhosts import fix_hostname

    base, chain = site.connection_server(incoming.local_addr, incoming.local_port)
    host = next((value for name, value in incoming.headers if name == "host"), None)
    name = fix_hostname(host.strip()) if host else None
    return site.request_server(base, chain, name, incoming.local_port)


def _vhost(req: Request) -> str:
    return _vhost_name(req.server, req.incoming)


def _vhost_name(server: Any, incoming: Incoming) -> str:
    """ws->vhost: the host's ServerName and the port the connection came in on."""
    name = server.get("core").server_name or incoming.local_addr
    return f"{name}:{incoming.local_port}"


def _request_line(r: Request, line: str) -> str:
    """copy_request: the first 63 characters, or with SeeRequestTail the last 63."""
    if len(line) <= 63:
        return line
    if r.site.main.get("core").see_request_tail:
        return line[-63:]
    return line[:63]


def _escaped_request(view: WorkerView) -> str:
    from apachemw.modules.mod_log_config.format import escape_raw

    return escape_html(escape_raw(view.request) or "")


def _table_row(board: Scoreboard, v: WorkerView) -> str:
    return (
        f"<tr><td><b>0-0</b></td><td>{board.pid}</td><td>{v.conn}/{v.access}/{v.access}"
        f"</td><td>{_MODE_CELL.get(v.status, '?')}\n</td><td>0.00</td><td>{v.since}</td>"
        f"<td>{v.req_ms}</td><td>{v.dur_ms}</td><td>0.0</td>"
        f"<td>{v.bytes / MBYTE:.2f}</td><td>{v.bytes / MBYTE:.2f}\n</td>"
        f"<td>{escape_html(v.client)}</td><td>{escape_html(v.protocol)}</td>"
        f"<td nowrap>{escape_html(v.vhost)}</td><td nowrap>{_escaped_request(v)}</td>"
        "</tr>\n\n"
    )


def _notable_row(board: Scoreboard, v: WorkerView) -> str:
    served = format_byte_out(v.bytes)
    return (
        f"<b>Server 0-0</b> ({board.pid}): {v.conn}|{v.access}|{v.access} "
        f"[{_MODE_WORD.get(v.status, '?STATE?')}] u0 s0 cu0 cs0\n"
        f" {v.since} {v.req_ms} {v.dur_ms}(0 B|{served}|{served})\n"
        f" <i>{escape_html(v.client)} {{{_escaped_request(v)}}}</i> "
        f"<i>({escape_html(v.protocol)})</i> <b>[{escape_html(v.vhost)}]</b><br />\n\n"
    )


def _signature(r: Request) -> str:
    """ap_psignature("<hr />\\n", r)."""
    from apachemw.modules.mod_autoindex import signature

    text = signature(r)
    return "<hr />\n" + text if text else ""


# ---------------------------------------------------------------- the handler


def status_handler(r: Request) -> int:
    if r.handler not in STATUS_HANDLERS:
        return DECLINED
    if r.method_number != "GET":
        return DECLINED
    r.eventful = True  # figures change with every request: never a memoised answer
    board: Scoreboard = r.site.engine.scoreboard
    opts = parse_options(r.args)
    now = time.time()
    slots = board.snapshot()
    if opts.auto:
        ctype, body = "text/plain", auto_report(r, board, slots, now)
    else:
        ctype, body = "text/html", html_report(r, board, slots, now, opts.notable)
    data = body.encode("latin-1", "replace")
    headers = [("Refresh", str(opts.refresh))] if opts.refresh is not None else []
    if len(data) <= BUFFER:
        headers.append(("Content-Length", str(len(data))))
    r.content_type = f"{ctype}; charset=ISO-8859-1"
    headers.append(("Content-Type", r.content_type))
    r.outcome = Outcome(200, headers, body=data, head_only=r.is_head)
    return DONE


MODULE = Module(
    name="mod_status",
    ident="status_module",
    hooks={"handler": (10, status_handler)},
)

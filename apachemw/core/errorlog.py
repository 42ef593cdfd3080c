"""ErrorLog destinations, and the Python logger every error-log line also goes through.

Apache writes its error log to a file (relative to ServerRoot), to a piped program
(``|prog``, ``|$command``), or to syslog (``syslog``, ``syslog:facility``,
``syslog:facility:tag``), and a virtual host may name its own. apachemw writes the same
lines to the same places, one write per line, and also hands each line to the Python
logger ``apachemw.error`` as a record whose message is the line in Apache's format (its
``apache_level`` and ``apache_module`` attributes say what Apache would). The logger only
has a NullHandler of its own: attach handlers to it (or to the root logger) to collect the
lines in Python as well; the file or pipe output happens either way.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from apachemw.core import logfiles

__all__ = ["LOGGER", "Sink", "add_log_ids", "emit", "open_error_log", "route_error_logs"]

LOGGER = logging.getLogger("apachemw.error")
LOGGER.addHandler(logging.NullHandler())

Sink = Callable[[str], None]

_PY_LEVELS = {
    "emerg": logging.CRITICAL,
    "alert": logging.CRITICAL,
    "crit": logging.CRITICAL,
    "error": logging.ERROR,
    "warn": logging.WARNING,
    "notice": logging.INFO,
    "info": logging.INFO,
    "debug": logging.DEBUG,
}


def emit(line: str, level: str, module: str) -> None:
    """Hand one formatted error-log line to Python logging (cheap when nobody listens)."""
    py_level = _PY_LEVELS.get(level, logging.DEBUG)
    if LOGGER.isEnabledFor(py_level):
        LOGGER.log(py_level, "%s", line, extra={"apache_level": level, "apache_module": module})


def log_id(when: float) -> str:
    """core_generate_log_id: the time in microseconds mixed with the pid and thread,
    base64 without its trailing "=" (11 characters)."""
    ident = int(when * 1_000_000)
    pid = os.getpid()
    ident ^= (pid << 40) ^ ((pid >> 24) << 56) ^ (threading.get_ident() << 32)
    raw = (ident & 0xFFFF_FFFF_FFFF_FFFF).to_bytes(8, "little")
    return base64.b64encode(raw).decode("ascii")[:-1]


def add_log_ids(r: Any) -> None:
    """An error-log line for a request gives its connection and its main request a log
    id (%{c}L and %L in the access log), as log_error_core does."""
    inc = r.incoming
    if inc.log_id is None:
        inc.log_id = log_id(time.time())
    main = r.main or r
    if main.log_id is None:
        main.log_id = log_id(main.request_time or time.time())


def stderr_sink(line: str) -> None:
    sys.stderr.write(line + "\n")


def open_error_log(spec: str, server_root: str) -> Sink:
    """A sink for an ErrorLog argument."""
    if spec == "syslog" or spec.startswith("syslog:"):
        return _syslog_sink(spec)
    writer = logfiles.open_log(spec, server_root)

    def write(line: str) -> None:
        writer.write((line + "\n").encode("utf-8", "surrogateescape"))

    return write


# Apache's facility names (log.c); syslog's own module has the numbers.
_FACILITIES = [
    "auth",
    "authpriv",
    "cron",
    "daemon",
    "ftp",
    "kern",
    "lpr",
    "mail",
    "news",
    "syslog",
    "user",
    "uucp",
    "local0",
    "local1",
    "local2",
    "local3",
    "local4",
    "local5",
    "local6",
    "local7",
]
_SYSLOG_PRIORITY = {
    "emerg": 0,
    "alert": 1,
    "crit": 2,
    "error": 3,
    "warn": 4,
    "notice": 5,
    "info": 6,
}
_LEVEL = re.compile(r"\[[^:\]]*:(\w+)\]")


def _syslog_sink(spec: str) -> Sink:
    """``syslog[:facility[:tag]]``: local7 by default, the program's name as the tag; the
    line goes without its timestamp (syslog adds its own), as Apache sends it."""
    import syslog

    _, _, rest = spec.partition(":")
    name, _, tag = rest.partition(":")
    facility = syslog.LOG_LOCAL7
    if name:
        matches = [f for f in _FACILITIES if f.startswith(name.lower())]
        if not matches:
            raise ValueError(f"AH10036: {_program()}: could not open syslog error log {rest}.")
        facility = getattr(syslog, f"LOG_{matches[0].upper()}")
    syslog.openlog(
        tag or _program(), syslog.LOG_NDELAY | syslog.LOG_CONS | syslog.LOG_PID, facility
    )

    def write(line: str) -> None:
        untimed = line.split("] ", 1)[1] if line.startswith("[") else line
        found = _LEVEL.match(untimed)
        priority = _SYSLOG_PRIORITY.get(found[1] if found else "", syslog.LOG_DEBUG)
        syslog.syslog(priority, untimed)

    return write


def _program() -> str:
    return os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "apachemw"


def route_error_logs(site: Any) -> None:
    """Point the site's error log (and each virtual host's own, if it names another) at
    the ErrorLog destinations; without ErrorLog the lines go to stderr."""
    main = site.main.get("core").error_log
    if main:
        site.error_log = open_error_log(main, site.server_root)
    for vhost in site.vhosts:
        own = vhost.get("core").error_log
        if own and own != main:
            site.server_error_logs[id(vhost)] = open_error_log(own, site.server_root)

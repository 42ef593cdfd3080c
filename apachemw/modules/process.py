"""Process-level modules: their directives are read and checked, their effect is
uvicorn's (listening sockets, workers, users, keep-alive, MPM tuning).

The rows mirror Debian apache2's tables (help text and contexts as ``apache2 -L``
prints them); ``tests/config/test_tables.py`` holds them to that output.
"""

from __future__ import annotations

from collections.abc import Sequence

from apachemw.config.directives import (
    EXEC_ON_READ,
    RSRC_CONF,
    Args,
    Cmd,
    DirectiveError,
    Module,
)
from apachemw.config.rows import accepted, row
from apachemw.core.http import atoi

__all__ = ["MODULES"]

S = RSRC_CONF


def _graceful_shutdown_timeout(cmd: Cmd, args: Sequence[str]) -> None:
    """How long a graceful stop waits for requests under way (0: as long as they take);
    apachemw serve hands it to uvicorn."""
    if cmd.server.is_virtual:
        raise DirectiveError(f"{cmd.node.name} cannot occur within <VirtualHost> section")
    cmd.ctx.site.graceful_shutdown_timeout = atoi(args[0])


def _listen(cmd: Cmd, args: Sequence[str]) -> None:
    """Listen [IP:]port: recorded so ``apachemw serve -f`` binds where Apache would."""
    if cmd.server.is_virtual:
        raise DirectiveError("Listen cannot occur within <VirtualHost> section")
    if not args:
        raise DirectiveError("Listen requires 1 or 2 arguments.")
    host, _, port = args[0].rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise DirectiveError("Port must be specified")
    cmd.ctx.site.listen.append((host.strip("[]") or "0.0.0.0", int(port)))


class _NoSettings:
    """A per-directory config for modules whose per-dir directives do nothing here."""


def _module(name: str, ident: str, *rows: object, per_dir: bool = False) -> Module:
    return Module(
        name=name,
        ident=ident,
        directives=tuple(rows),  # type: ignore[arg-type]
        create_dir=_NoSettings if per_dir else None,
    )


# Apache's LISTEN_COMMANDS: every MPM declares the same listener directives.
_LISTEN_ROWS = (
    accepted(
        "ListenBacklog",
        Args.TAKE1,
        S,
        "Maximum length of the queue of pending connections, as used by listen(2)",
    ),
    accepted(
        "ListenCoresBucketsRatio",
        Args.TAKE1,
        S,
        "Ratio between the number of CPU cores (online) and the number of listeners buckets",
    ),
    row(
        "Listen",
        Args.TAKE_ARGV,
        S,
        "A port number or a numeric IP address and a port number, and an optional protocol",
        _listen,
    ),
    accepted("SendBufferSize", Args.TAKE1, S, "Send buffer size in bytes"),
    accepted("ReceiveBufferSize", Args.TAKE1, S, "Receive buffer size in bytes"),
    accepted(
        "ListenTCPDeferAccept",
        Args.TAKE1,
        S,
        "Value set for the socket option TCP_DEFER_ACCEPT if it is set",
    ),
)


MODULES: tuple[Module, ...] = (
    _module(
        "mod_so",
        "so_module",
        accepted(
            "LoadModule",
            Args.TAKE2,
            S | EXEC_ON_READ,
            "a module name and the name of a shared object file to load it from",
        ),
        accepted(
            "LoadFile",
            Args.ITERATE,
            S | EXEC_ON_READ,
            "shared object file or library to load into the server at runtime",
        ),
    ),
    _module(
        "http_core",
        "http_module",
        accepted("KeepAliveTimeout", Args.TAKE1, S, "Keep-Alive timeout duration (sec)"),
        accepted(
            "MaxKeepAliveRequests",
            Args.TAKE1,
            S,
            "Maximum number of Keep-Alive requests per connection, or 0 for infinite",
        ),
        accepted("KeepAlive", Args.FLAG, S, "Whether persistent connections should be On or Off"),
    ),
    _module(
        "mod_unixd",
        "unixd_module",
        accepted("User", Args.TAKE1, S, "Effective user id for this server"),
        accepted("Group", Args.TAKE1, S, "Effective group id for this server"),
        accepted("ChrootDir", Args.TAKE1, S, "The directory to chroot(2) into"),
        accepted("Suexec", Args.FLAG, S, "Enable or disable suEXEC support"),
    ),
    _module(
        "event",
        "mpm_event_module",
        *_LISTEN_ROWS,
        accepted(
            "StartServers", Args.TAKE1, S, "Number of child processes launched at server startup"
        ),
        accepted(
            "ServerLimit", Args.TAKE1, S, "Maximum number of child processes for this run of Apache"
        ),
        accepted(
            "MinSpareThreads",
            Args.TAKE1,
            S,
            "Minimum number of idle threads, to handle request spikes",
        ),
        accepted("MaxSpareThreads", Args.TAKE1, S, "Maximum number of idle threads"),
        accepted("MaxClients", Args.TAKE1, S, "Deprecated name of MaxRequestWorkers"),
        accepted(
            "MaxRequestWorkers", Args.TAKE1, S, "Maximum number of threads alive at the same time"
        ),
        accepted("ThreadsPerChild", Args.TAKE1, S, "Number of threads each child creates"),
        accepted(
            "ThreadLimit",
            Args.TAKE1,
            S,
            "Maximum number of worker threads per child process for this run of Apache - "
            "Upper limit for ThreadsPerChild",
        ),
        accepted(
            "AsyncRequestWorkerFactor",
            Args.TAKE1,
            S,
            "How many additional connects will be accepted per idle worker thread",
        ),
        row(
            "GracefulShutdownTimeout",
            Args.TAKE1,
            S,
            "Maximum time in seconds to wait for child processes to complete transactions "
            "during shutdown",
            _graceful_shutdown_timeout,
        ),
    ),
    _module(
        "mod_watchdog",
        "watchdog_module",
        accepted("WatchdogInterval", Args.TAKE1, S, "Watchdog interval in seconds"),
    ),
)
# The worker and prefork MPMs have their own tables (apache2 -L with each loaded).

MODULES = (
    *MODULES,
    _module(
        "worker",
        "mpm_worker_module",
        *_LISTEN_ROWS,
        accepted(
            "StartServers", Args.TAKE1, S, "Number of child processes launched at server startup"
        ),
        accepted(
            "MinSpareThreads",
            Args.TAKE1,
            S,
            "Minimum number of idle threads, to handle request spikes",
        ),
        accepted("MaxSpareThreads", Args.TAKE1, S, "Maximum number of idle threads"),
        accepted(
            "MaxRequestWorkers", Args.TAKE1, S, "Maximum number of threads alive at the same time"
        ),
        accepted("MaxClients", Args.TAKE1, S, "Deprecated name of MaxRequestWorkers"),
        accepted("ThreadsPerChild", Args.TAKE1, S, "Number of threads each child creates"),
        accepted(
            "ServerLimit", Args.TAKE1, S, "Maximum number of child processes for this run of Apache"
        ),
        accepted(
            "ThreadLimit",
            Args.TAKE1,
            S,
            "Maximum number of worker threads per child process for this run of Apache - "
            "Upper limit for ThreadsPerChild",
        ),
        row(
            "GracefulShutdownTimeout",
            Args.TAKE1,
            S,
            "Maximum time in seconds to wait for child processes to complete transactions "
            "during shutdown",
            _graceful_shutdown_timeout,
        ),
    ),
    _module(
        "prefork",
        "mpm_prefork_module",
        *_LISTEN_ROWS,
        accepted(
            "StartServers", Args.TAKE1, S, "Number of child processes launched at server startup"
        ),
        accepted(
            "MinSpareServers",
            Args.TAKE1,
            S,
            "Minimum number of idle children, to handle request spikes",
        ),
        accepted("MaxSpareServers", Args.TAKE1, S, "Maximum number of idle children"),
        accepted("MaxClients", Args.TAKE1, S, "Deprecated name of MaxRequestWorkers"),
        accepted(
            "MaxRequestWorkers", Args.TAKE1, S, "Maximum number of children alive at the same time"
        ),
        accepted(
            "ServerLimit",
            Args.TAKE1,
            S,
            "Maximum value of MaxRequestWorkers for this run of Apache",
        ),
        row(
            "GracefulShutdownTimeout",
            Args.TAKE1,
            S,
            "Maximum time in seconds to wait for child processes to complete transactions "
            "during shutdown",
            _graceful_shutdown_timeout,
        ),
    ),
)

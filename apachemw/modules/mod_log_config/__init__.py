"""mod_log_config: LogFormat, CustomLog, TransferLog, GlobalLog, BufferedLogs.

Each access-log line is formatted from the request chain once the response has been
sent (``format``) and written whole, in one write, to its destination (core.logfiles:
a file relative to ServerRoot, stdout/stderr, or a piped program).

Configuration follows mod_log_config's own bookkeeping, whose quirks users meet:

- A format nickname is looked up when the logs are opened, after the whole config was
  read (a LogFormat may follow the CustomLog naming it; a name that is never defined is
  logged as the literal text it is). Names are matched without case; ``CLF`` is built in.
- A virtual host with CustomLog/TransferLog lines of its own logs only there, plus the
  main server's GlobalLog lines; one without logs of its own uses every main-server log.
- A log without a format (TransferLog) uses the default LogFormat of the server the
  request was served by.
- ``env=`` and ``expr=`` conditions look at the request as it arrived, before any
  internal redirect.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from apachemw.config.directives import RSRC_CONF, Args, Cmd, DirectiveError, Module
from apachemw.config.expr import Expr, ExprError, parse_expr
from apachemw.config.rows import row
from apachemw.core import logfiles
from apachemw.core.exprvars import RequestExprContext
from apachemw.core.request import OK, Request
from apachemw.errors import ConfigError
from apachemw.modules.mod_log_config.format import (
    LogFormat,
    Transaction,
    compile_format,
    escape_logitem,
    register,
)

__all__ = [
    "MODULE",
    "LogFormat",
    "LogServer",
    "LogTarget",
    "Transaction",
    "compile_format",
    "escape_logitem",
    "log_transaction",
    "register",
]

DEFAULT_FORMAT = '%h %l %u %t "%r" %>s %b'


@dataclass
class LogTarget:
    """One CustomLog/TransferLog/GlobalLog line (Apache's config_log_state)."""

    fname: str
    format_string: str | None
    format: LogFormat | None
    where: str
    condition_var: str | None = None
    condition_expr: Expr | None = None
    inherit: bool = False
    writer: logfiles.LogWriter | None = None


@dataclass
class LogServer:
    """Per-server state (multi_log_state): format nicknames, the default format, the
    server's own logs and, in a virtual host, the main server's."""

    formats: dict[str, str] = field(default_factory=lambda: {"clf": DEFAULT_FORMAT})
    default_format_string: str | None = None
    default_format: LogFormat | None = None
    config_logs: list[LogTarget] = field(default_factory=list)
    server_config_logs: list[LogTarget] | None = None
    # BufferedLogs is one switch for the whole process in Apache; kept on the main server.
    buffered: bool = False


def merge_server(base: LogServer, virt: LogServer) -> LogServer:
    """merge_config_log_state: the vhost keeps its own logs and points at the main
    server's (the same objects); formats overlay; the default format is inherited."""
    merged = LogServer(
        formats={**base.formats, **virt.formats},
        default_format_string=virt.default_format_string,
        default_format=virt.default_format,
        config_logs=virt.config_logs,
        server_config_logs=base.config_logs,
    )
    if virt.default_format is None:
        merged.default_format_string = base.default_format_string
        merged.default_format = base.default_format
    return merged


# ---------------------------------------------------------------- directives


def _log_format(cmd: Cmd, args: Sequence[str]) -> None:
    """LogFormat format [nickname]: with a nickname, only define it."""
    conf: LogServer = cmd.srv()
    parsed = compile_format(args[0])
    if len(args) == 2:
        conf.formats[args[1].lower()] = args[0]
    else:
        conf.default_format_string = args[0]
        conf.default_format = parsed


def _custom_log(cmd: Cmd, args: Sequence[str]) -> None:
    conf: LogServer = cmd.srv()
    target = _target(cmd, args[0], args[1] if len(args) > 1 else None)
    if len(args) == 3:
        _condition(target, args[2])
    if target.format_string is not None:
        # Parsed as a format now (a bad one refuses the config), even if it turns out
        # to be a nickname when the logs are opened.
        target.format = compile_format(target.format_string)
    conf.config_logs.append(target)


def _target(cmd: Cmd, fname: str, fmt: str | None) -> LogTarget:
    return LogTarget(fname=fname, format_string=fmt, format=None, where=cmd.where())


def _condition(target: LogTarget, clause: str) -> None:
    lowered = clause.lower()
    if lowered.startswith("env="):
        name = clause[4:]
        if not name or name == "!":
            raise DirectiveError("missing environment variable name")
        target.condition_var = name
    elif lowered.startswith("expr="):
        if not clause[5:]:
            raise DirectiveError("missing condition")
        try:
            target.condition_expr = parse_expr(clause[5:])
        except ExprError as exc:
            raise DirectiveError(str(exc)) from None
    else:
        raise DirectiveError("error in condition clause")


def _global_log(cmd: Cmd, args: Sequence[str]) -> None:
    if cmd.server.is_virtual:
        raise DirectiveError("GlobalLog cannot occur within <VirtualHost> section")
    _custom_log(cmd, args)
    conf: LogServer = cmd.srv()
    conf.config_logs[-1].inherit = True


def _transfer_log(cmd: Cmd, args: Sequence[str]) -> None:
    conf: LogServer = cmd.srv()
    conf.config_logs.append(_target(cmd, args[0], None))


def _buffered_logs(cmd: Cmd, args: Sequence[str]) -> None:
    main: LogServer = cmd.ctx.site.main.module(cmd.module)
    main.buffered = args[0].lower() == "on"


# ---------------------------------------------------------------- opening


def post_config(site: Any) -> None:
    """open_multi_logs for every server (nicknames resolved, main server first), then
    log_check_config: each log file's directory must exist (AH02297)."""
    for server in (site.main, *site.vhosts):
        _resolve(server.get("mod_log_config"))
    for server in (site.main, *site.vhosts):
        conf: LogServer = server.get("mod_log_config")
        for target in conf.config_logs:
            _check_dir(site.server_root, target)


def _resolve(conf: LogServer) -> None:
    if conf.default_format_string is not None:
        named = conf.formats.get(conf.default_format_string.lower())
        if named is not None:
            conf.default_format = compile_format(named)
    if conf.default_format is None:
        conf.default_format = compile_format(DEFAULT_FORMAT)
    # A virtual host without logs of its own re-resolves the main server's (shared) ones
    # with its own nicknames, as open_multi_logs does.
    targets = conf.config_logs or conf.server_config_logs or []
    for target in targets:
        if target.format_string is not None:
            named = conf.formats.get(target.format_string.lower())
            if named is not None:
                target.format = compile_format(named)


def _check_dir(server_root: str, target: LogTarget) -> None:
    if target.fname.startswith("|"):
        return
    path = logfiles.resolve_path(target.fname, server_root)
    parent = os.path.dirname(path) + "/"
    if os.path.isdir(parent):
        return
    reason = (
        "(20)Not a directory"
        if os.path.exists(parent.rstrip("/"))
        else "(2)No such file or directory"
    )
    raise ConfigError(
        f"{reason}: AH02297: Cannot access directory '{parent}' for log file "
        f"'{target.fname}' defined at {target.where}"
    )


# ---------------------------------------------------------------- logging


def log_transaction(t: Transaction) -> int:
    """multi_log_transaction: the server's own logs, then the main server's that a
    virtual host inherits (every one if it has none of its own, else the GlobalLogs)."""
    conf: LogServer = t.request.server.get("mod_log_config")
    for target in conf.config_logs:
        _log_one(t, target, conf)
    for target in conf.server_config_logs or ():
        if target.inherit or not conf.config_logs:
            _log_one(t, target, conf)
    return OK


def _log_one(t: Transaction, target: LogTarget, conf: LogServer) -> None:
    first = _original(t.request)
    if not _wanted(first, target):
        return
    fmt = target.format or conf.default_format
    assert fmt is not None
    data = fmt.render(t).encode("utf-8", "surrogateescape")
    try:
        _writer(first, target).write(data)
    except OSError as exc:
        first.site.log_error(
            first, "warn", "log_config", f"AH00646: Error writing to {target.fname}", exc
        )


def _original(r: Request) -> Request:
    while r.prev is not None:
        r = r.prev
    return r


def _wanted(r: Request, target: LogTarget) -> bool:
    name = target.condition_var
    if name is not None:
        if name.startswith("!"):
            return name[1:] not in r.subprocess_env
        return name in r.subprocess_env
    if target.condition_expr is None:
        return True
    # AP_EXPR_FLAG_DONT_VARY: what the condition reads does not go into Vary.
    result = target.condition_expr.execute(RequestExprContext(r))
    if result.error:
        r.site.log_error(
            r,
            "error",
            "core",
            f"Evaluation of expression from {target.where} failed: {result.error}",
        )
        r.site.log_error(
            r, "warn", "log_config", f"AH00644: Error evaluating log condition: {result.error}"
        )
        return False
    return result.value


def _writer(r: Request, target: LogTarget) -> logfiles.LogWriter:
    writer = target.writer
    if writer is None:
        site = r.site
        main: LogServer = site.main.get("mod_log_config")

        def notify(message: str) -> None:
            site.log_error(None, "emerg", "core", message)

        writer = logfiles.open_log(
            target.fname, site.server_root, buffered=main.buffered, notify=notify
        )
        target.writer = writer
    return writer


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
        row(
            "GlobalLog",
            Args.TAKE23,
            S,
            "Same as CustomLog, but forces virtualhosts to inherit the log",
            _global_log,
        ),
        row("TransferLog", Args.TAKE1, S, "the filename of the access log", _transfer_log),
        row(
            "LogFormat",
            Args.TAKE12,
            S,
            "a log format string (see docs) and an optional format name",
            _log_format,
        ),
        row("BufferedLogs", Args.FLAG, S, "Enable Buffered Logging (experimental)", _buffered_logs),
    ),
    create_server=LogServer,
    merge_server=merge_server,
    hooks={"log_transaction": (10, log_transaction), "post_config": (10, post_config)},
)

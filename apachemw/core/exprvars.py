"""What ap_expr reads from a request: its variables, headers, environment and files.

One context for every module that evaluates an expression against the request being
decided (``Require expr``, ``AuthName``/``AuthType`` expressions, ``<If>``); the
variable names are those of util_expr_eval.c's request and connection tables.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable

from apachemw.config.expr import Expr, ExprResult
from apachemw.core.request import Request

__all__ = ["RequestExprContext", "add_vary", "execute", "stat_test", "time_variables"]

_HEADER_VARS = {
    "HTTP_ACCEPT": "Accept",
    "HTTP_COOKIE": "Cookie",
    "HTTP_FORWARDED": "Forwarded",
    "HTTP_HOST": "Host",
    "HTTP_PROXY_CONNECTION": "Proxy-Connection",
    "HTTP_REFERER": "Referer",
    "HTTP_USER_AGENT": "User-Agent",
}


def time_variables(now: float) -> dict[str, str]:
    """TIME and TIME_* (local time) as ap_expr and mod_rewrite name them."""
    t = time.localtime(now)
    return {
        "TIME_YEAR": f"{t.tm_year:04d}",
        "TIME_MON": f"{t.tm_mon:02d}",
        "TIME_DAY": f"{t.tm_mday:02d}",
        "TIME_HOUR": f"{t.tm_hour:02d}",
        "TIME_MIN": f"{t.tm_min:02d}",
        "TIME_SEC": f"{t.tm_sec:02d}",
        "TIME_WDAY": str((t.tm_wday + 1) % 7),
        "TIME": time.strftime("%Y%m%d%H%M%S", t),
    }


class RequestExprContext:
    """The ExprContext (config.expr) of one request."""

    def __init__(self, r: Request) -> None:
        self.r = r

    def variable(self, name: str) -> str:
        if name in _HEADER_VARS:
            return self.r.headers_in.get(_HEADER_VARS[name]) or ""
        if name.startswith("TIME"):
            return time_variables(self.r.request_time or time.time()).get(name, "")
        getter = _VARIABLES.get(name)
        value = getter(self.r) if getter is not None else None
        return value or ""

    def header(self, name: str) -> str | None:
        return self.r.headers_in.get(name)

    def env(self, name: str) -> str | None:
        return self.r.subprocess_env.get(name)

    def note(self, name: str) -> str | None:
        value = self.r.notes.get(name)
        return value if isinstance(value, str) else None

    def file_exists(self, path: str, test: str) -> bool:
        if test in "FUA":
            return self._subrequest_ok(path, test)
        return stat_test(path, test)

    def _subrequest_ok(self, path: str, test: str) -> bool:
        """-F: a file subrequest that reaches an existing file; -U/-A: a URL subrequest
        that does not fail (op_file_subr, op_url_subr)."""
        from apachemw.core import pipeline

        if test == "F":
            rr = pipeline.lookup_file(self.r, path)
            return rr.status < 300 and rr.filename is not None and os.path.exists(rr.filename)
        return pipeline.lookup_uri(self.r, path).status < 400


def stat_test(path: str, test: str) -> bool:
    """ap_expr's (and RewriteCond's) file tests: d e f s L h x, from one stat."""
    try:
        st = os.lstat(path) if test in "Lh" else os.stat(path)
    except (OSError, ValueError):
        return False
    checks = {
        "d": stat.S_ISDIR(st.st_mode),
        "e": True,
        "f": stat.S_ISREG(st.st_mode),
        "s": stat.S_ISREG(st.st_mode) and st.st_size > 0,
        "L": stat.S_ISLNK(st.st_mode),
        "h": stat.S_ISLNK(st.st_mode),
        "x": bool(st.st_mode & 0o111),
    }
    return checks.get(test, False)


def execute(r: Request, expr: Expr, where: str) -> ExprResult:
    """ap_expr_exec: evaluate a boolean expression for ``r``, add the headers it read to
    Vary, and log a failure naming where the expression was written (file:line)."""
    result = expr.execute(RequestExprContext(r))
    add_vary(r, result.vary)
    if result.error:
        r.site.log_error(
            r, "error", "core", f"Evaluation of expression from {where} failed: {result.error}"
        )
    return result


def add_vary(r: Request, names: tuple[str, ...]) -> None:
    """ap_expr_exec: the headers an expression read go into Vary, whatever its verdict."""
    for name in names:
        current = r.headers_out.get("Vary")
        r.headers_out.set("Vary", name if current is None else f"{current}, {name}")


def _server_name(r: Request) -> str:
    from apachemw.core import pipeline

    return pipeline.server_name(r)


def _server_port(r: Request) -> str:
    from apachemw.core import pipeline

    return str(pipeline.server_port(r))


def _request_scheme(r: Request) -> str:
    from apachemw.core import pipeline

    return pipeline.http_scheme(r)


def _protocol_version(r: Request) -> str:
    major, _, minor = r.protocol.partition("/")[2].partition(".")
    return str(int(major or 0) * 1000 + int(minor or 0)) if major.isdigit() else "0"


_VARIABLES: dict[str, Callable[[Request], str | None]] = {
    "REQUEST_METHOD": lambda r: r.method,
    "REQUEST_SCHEME": _request_scheme,
    "REQUEST_URI": lambda r: r.uri,
    "DOCUMENT_URI": lambda r: r.uri,
    "REQUEST_FILENAME": lambda r: r.filename,
    "SCRIPT_FILENAME": lambda r: r.filename,
    "PATH_INFO": lambda r: r.path_info,
    "QUERY_STRING": lambda r: r.args,
    "IS_SUBREQ": lambda r: "true" if r.main is not None else "false",
    "DOCUMENT_ROOT": lambda r: r.server.get("core").document_root,
    "AUTH_TYPE": lambda r: r.auth_type,
    "THE_REQUEST": lambda r: r.the_request,
    "CONTENT_TYPE": lambda r: r.content_type,
    "HANDLER": lambda r: r.handler,
    "REMOTE_USER": lambda r: r.user,
    "REMOTE_ADDR": lambda r: r.incoming.client_ip,
    "CONN_REMOTE_ADDR": lambda r: r.incoming.remote_addr,
    "REMOTE_HOST": lambda r: r.incoming.remote_host or r.incoming.client_ip,
    "SERVER_NAME": _server_name,
    "SERVER_PORT": _server_port,
    "SERVER_ADMIN": lambda r: r.server.get("core").server_admin,
    "SERVER_PROTOCOL": lambda r: r.protocol,
    "SERVER_PROTOCOL_VERSION": _protocol_version,
    "SERVER_PROTOCOL_VERSION_MAJOR": lambda r: str(int(_protocol_version(r)) // 1000),
    "SERVER_PROTOCOL_VERSION_MINOR": lambda r: str(int(_protocol_version(r)) % 1000),
    "HTTPS": lambda r: "on" if r.incoming.scheme == "https" else "off",
    "IPV6": lambda r: "on" if ":" in r.incoming.client_ip else "off",
    "CONTEXT_PREFIX": lambda r: r.notes.get("context_prefix", ""),
    "CONTEXT_DOCUMENT_ROOT": lambda r: r.notes.get(
        "context_document_root", r.server.get("core").document_root
    ),
    "REQUEST_STATUS": lambda r: str(r.status) if r.status else None,
    "SERVER_SOFTWARE": lambda r: "Apache/2.4.71 (Debian)",
    "API_VERSION": lambda r: "20120211:142",
}

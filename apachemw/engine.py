"""What both adapters share: building the engine and logging a finished request.

Nothing here knows WSGI or ASGI; the adapters translate to and from it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from apachemw.config.site import Site, load_site
from apachemw.core.canned import REASONS
from apachemw.core.errorlog import route_error_logs
from apachemw.core.pipeline import Engine
from apachemw.core.request import FileBody, Outcome
from apachemw.modules.mod_log_config import Transaction

__all__ = [
    "CHUNK",
    "app_body_limit",
    "app_failed",
    "app_output_headers",
    "build_engine",
    "error_outcome",
    "finish",
    "load_site_for",
    "opened",
    "release",
    "status_line",
]

CHUNK = 64 * 1024
T = TypeVar("T")


def build_engine(
    *,
    config: str | os.PathLike[str] | None = None,
    text: str | None = None,
    defines: Iterable[str] = (),
    document_root: str | os.PathLike[str] | None = None,
    has_app: bool = False,
    site: Site | None = None,
) -> Engine:
    """An engine for a config file, config text, or a bare document root."""
    if site is None:
        site = load_site_for(config=config, text=text, defines=defines, document_root=document_root)
        route_error_logs(site)
    site.has_app = has_app
    return Engine(site)


def load_site_for(
    *,
    config: str | os.PathLike[str] | None = None,
    text: str | None = None,
    defines: Iterable[str] = (),
    document_root: str | os.PathLike[str] | None = None,
) -> Site:
    """The configuration the middlewares' arguments name, loaded (raises ConfigError):
    a file as httpd.conf means it, text with every module, or a bare document root."""
    if config is not None:
        return load_site(os.fspath(config), defines=defines)
    if text is not None:
        return load_site(text=text, defines=defines, all_modules=True)
    from apachemw.defaults import default_config

    root = os.fspath(document_root) if document_root is not None else os.getcwd()
    return load_site(text=default_config(root), defines=defines, all_modules=True, server_root=root)


def error_outcome(engine: Engine, outcome: Outcome, status: int, note: str) -> Outcome:
    """Replace an app's answer by Apache's error response for ``status``."""
    from apachemw.core.pipeline import replace_with_error

    r = outcome.request
    assert r is not None
    replace_with_error(r, status, note)
    assert r.outcome is not None
    return r.outcome


def opened(
    engine: Engine, outcome: Outcome, reader: Callable[[FileBody], T]
) -> tuple[Outcome, T | None]:
    """The answer with its file opened by ``reader`` (Apache opens it before anything
    is sent), or the answer Apache gives when it cannot be (Engine.refuse_file). A HEAD
    answer's file is not opened."""
    while outcome.file is not None and not outcome.head_only:
        try:
            return outcome, reader(outcome.file)
        except OSError as exc:
            outcome = engine.refuse_file(outcome, exc)
    return outcome, None


# AP_STATUS_IS_HEADER_ONLY: the http header filter sends these with no body, and drops
# the headers that would describe one.
HEADER_ONLY = (204, 304)
_BODY_HEADERS = ("content-length", "content-type", "transfer-encoding")


def app_output_headers(
    outcome: Outcome, status: int, headers: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The wrapped app's response headers after Apache's output filters (mod_expires)."""
    from apachemw.core.pipeline import fixup_vary, output_headers

    if status in HEADER_ONLY:
        headers = [(n, v) for n, v in headers if n.lower() not in _BODY_HEADERS]
    r = outcome.request
    if r is None:
        return fixup_vary(outcome.err_headers + headers)
    out, err = output_headers(r, status, headers, list(outcome.err_headers), False)
    return fixup_vary(err + out)  # err_headers_out lead, as Apache's overlay puts them


def app_body_limit(
    method: str, status: int, headers: list[tuple[str, str]], mod_wsgi: bool
) -> int | None:
    """How many bytes of the app's body go out (None: all). None for HEAD (header_only)
    or a 204/304; under mod_wsgi no more than the app's own Content-Length (it stops
    writing there, security.md H09)."""
    if method == "HEAD" or status in HEADER_ONLY:
        return 0
    if mod_wsgi:
        for name, value in headers:
            if name.lower() == "content-length" and value.strip().isdigit():
                return int(value)
    return None


def app_failed(outcome: Outcome, error: BaseException) -> Outcome:
    """mod_wsgi's answer when the app raised before start_response: the handler
    returns 500, so ErrorDocument 500 (or the canned page) answers instead."""
    from apachemw.core.pipeline import die_after_handler

    r = outcome.request
    assert r is not None and outcome.app is not None
    script = r.filename or ""
    r.site.log_error(
        r, "error", "wsgi", f"mod_wsgi: Exception occurred processing WSGI script '{script}'."
    )
    r.site.log_error(r, "error", "wsgi", f"{type(error).__name__}: {error}")
    return die_after_handler(r, 500)


def status_line(status: int) -> str:
    return f"{status} {REASONS.get(status, 'Unknown Reason')}"


def finish(
    engine: Engine,
    outcome: Outcome,
    status: int,
    sent: int,
    headers: list[tuple[str, str]],
    aborted: bool = False,
) -> None:
    """The log phase: runs once the body is sent (or the client went away: ``aborted``,
    %X's "X")."""
    r = outcome.request
    if r is None:
        return
    r.status = status
    if not outcome.counted:
        sent = 0
    sent += outcome.extra_logged
    now = time.time()
    t = Transaction(r, status, sent, headers, now, aborted=aborted)
    slot = r.incoming.slot
    if slot is not None:
        engine.scoreboard.logging(slot)
    for fn in engine.site.hooks.get("log_transaction", ()):
        try:
            fn(t)
        except OSError as exc:  # a full disk must not break the response
            engine.site.log_error(r, "error", "log_config", f"AH00646: Error writing to log: {exc}")
    if slot is not None:
        r.incoming.slot = None  # finish runs once per slot, whatever an adapter does
        engine.scoreboard.done(slot, r, sent, now)


def release(engine: Engine, outcome: Outcome) -> None:
    """A request dropped without a log phase (the wrapped app raised): free its
    scoreboard slot, uncounted, so server-status does not show it busy for ever."""
    r = outcome.request
    if r is not None and r.incoming.slot is not None:
        engine.scoreboard.abandon(r.incoming.slot)
        r.incoming.slot = None

"""The request phases in Apache 2.4's order (server/request.c, http_request.c).

``Engine.handle`` is ``ap_process_request``: parse the target, pick the virtual
host, run ``process_internal`` (translate, map_to_storage, location walk,
access/authn/authz, type checker, fixups), then the handler, and turn any error
into Apache's error response via ``die`` (ErrorDocument or the canned page).
Internal redirects and subrequests run the same phases again on a new record.
Hooks are gathered from the loaded modules once, sorted by their declared order;
RUN_FIRST phases stop at the first answer that is not DECLINED, RUN_ALL phases
stop at the first that is not OK.
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from apachemw.config.htaccess import NeedsBlockingIO
from apachemw.config.vhosts import fix_hostname
from apachemw.core import regex as apache_regex
from apachemw.core.canned import DEFAULT_ADMIN, canned_body, server_signature
from apachemw.core.fsinfo import fsinfo_ident
from apachemw.core.http import http_date, invalid_header
from apachemw.core.memo import VARYING, StaticMemo
from apachemw.core.request import DECLINED, DONE, OK, Headers, Incoming, Outcome, Request
from apachemw.core.scoreboard import Scoreboard
from apachemw.core.trace import record
from apachemw.core.uri import BadRequestTarget, normalize_path, parse_target, unescape_path
from apachemw.core.uri_escape import is_url

__all__ = [
    "Engine",
    "allowed_methods",
    "construct_url",
    "die",
    "die_after_handler",
    "dirstr_parent",
    "fast_redirect",
    "internal_redirect",
    "lookup_uri",
    "server_name",
    "server_port",
]

RUN_FIRST = frozenset(
    {
        "translate_name",
        "map_to_storage",
        "access_checker_ex",
        "check_user_id",
        "auth_checker",
        "type_checker",
        "handler",
    }
)
PHASES = (
    "post_read_request",
    "translate_name",
    "map_to_storage",
    "header_parser",
    "access_checker",
    "access_checker_ex",
    "check_user_id",
    "auth_checker",
    "type_checker",
    "fixups",
    "handler",
    "insert_filter",
    "log_transaction",
)
# The request this thread is deciding, so a regex that runs out of time (a hook with no
# request of its own) can write its error-log line with the client's address.
_deciding = threading.local()


def _log_regex_timeout(pattern: apache_regex.Pattern, subject: str) -> None:
    r: Request | None = getattr(_deciding, "request", None)
    if r is None:
        return
    shown = subject if len(subject) <= 200 else subject[:200] + "..."
    r.site.log_error(
        r,
        "error",
        "core",
        f"regex '{pattern.pattern}' ran out of its {apache_regex.match_timeout()} s budget "
        f"on '{shown}' and counts as not matching (PCRE's match limit)",
    )


apache_regex.add_timeout_hook(_log_regex_timeout)

VERSION = "Apache/2.4.71 (Debian)"
_BANNERS = {
    "prod": "Apache",
    "major": "Apache/2",
    "minor": "Apache/2.4",
    "min": "Apache/2.4.71",
    "os": VERSION,
    "full": VERSION,
}


def server_banner(r: Request) -> str:
    """ap_get_server_banner: the Server header Apache sends, by ServerTokens."""
    tokens = r.site.main.get("core").server_tokens or "full"
    return _BANNERS.get(tokens, VERSION)


def build_hooks(modules: Any) -> dict[str, list[Callable[[Request], int]]]:
    hooks: dict[str, list[tuple[int, int, Callable[[Request], int]]]] = {p: [] for p in PHASES}
    for index, module in enumerate(modules):
        entries = [(phase, order, fn) for phase, (order, fn) in module.hooks.items()]
        for phase, order, fn in [*entries, *module.more_hooks]:
            if phase in hooks:
                hooks[phase].append((order, index, fn))
    return {
        phase: [fn for _, _, fn in sorted(entries, key=lambda e: (e[0], e[1]))]
        for phase, entries in hooks.items()
    }


def run_hook(r: Request, phase: str) -> int:
    first = phase in RUN_FIRST
    hooks: list[Callable[[Request], int]] = r.site.hooks[phase]
    for fn in hooks:
        status = fn(r)
        if first:
            if status != DECLINED:
                return status
        elif status not in (OK, DECLINED):
            return status
    return DECLINED if first else OK


class Engine:
    """One configuration's request processor; holds no per-request state."""

    def __init__(self, site: Any) -> None:
        self.site = site
        site.hooks = build_hooks(site.registry.order)
        site.engine = self
        core = site.main.get("core")
        limits = (core.limit_request_fields, core.limit_request_fieldsize)
        self.memo = StaticMemo(VARYING | site.memo_headers, header_limits=limits)
        self.scoreboard = Scoreboard()

    def handle(self, incoming: Incoming) -> Outcome:
        """Everything up to the response: the adapter sends it, then calls ``log``.

        On an event loop (``may_block`` off) a file that must be read raises
        NeedsBlockingIO and the adapter decides the request again in a thread: the
        error-log lines of the first attempt are held back until it succeeds, so a
        retried request logs each line once."""
        if incoming.may_block:
            return self._handle(incoming)
        incoming.deferred_log = []
        try:
            outcome = self._handle(incoming)
        except NeedsBlockingIO:
            incoming.deferred_log = None
            raise
        pending, incoming.deferred_log = incoming.deferred_log, None
        self.site.write_log_lines(pending)
        return outcome

    def _handle(self, incoming: Incoming) -> Outcome:
        if not incoming.request_time:
            incoming.request_time = time.time()
        if incoming.slot is None:
            incoming.slot = self.scoreboard.start(incoming)
        # A traced request runs every phase (the memo would answer without a trace).
        key = self.memo.key(incoming) if incoming.trace is None else None
        if key is not None:
            hit = self.memo.lookup(key, incoming, self.site)
            if hit is not None:
                return hit
        r = Request(incoming, self.site, self.site.main)
        _deciding.request = r
        try:
            status = _run(r)
        except NeedsBlockingIO:
            raise
        except Exception:  # a bug of ours must still get Apache's 500, and a log line
            self.site.log_error(
                r,
                "crit",
                "core",
                "apachemw internal error: " + traceback.format_exc().replace("\n", " | "),
            )
            r = Request(incoming, self.site, r.server or self.site.main)
            r.per_dir = r.server.defaults
            status = 500
        finally:
            _deciding.request = None
        final = _last(r)
        if status not in (OK, DONE):
            die(final, status)
            final = _last(r)
        _output(r, final)
        assert final.outcome is not None
        if key is not None and final is r:
            self.memo.remember(key, r, final.outcome)
        return final.outcome

    def refuse_file(self, outcome: Outcome, error: OSError) -> Outcome:
        """default_handler's answer when the file it found can no longer be opened
        (removed, replaced by a symlink it may not follow, its permissions changed):
        403 and AH00132, as Apache answers a failed open. The adapters open the file
        before the status goes out and call this when they cannot."""
        r = outcome.request
        assert r is not None
        r.site.log_error(
            r, "error", "core", f"AH00132: file permissions deny server access: {r.filename}", error
        )
        return die_after_handler(r, 403)


def die_after_handler(r: Request, status: int) -> Outcome:
    """The answer when the handler gives up with ``status`` after the phases chose it
    (a file that cannot be opened, an app that failed): ap_die, ErrorDocument and all."""
    # Apache opens before it sets Last-Modified, ETag and the length.
    r.headers_out = Headers()
    r.outcome = None
    die(r, status)
    final = _last(r)
    _output(r.initial, final)
    assert final.outcome is not None
    return final.outcome


def _output(r: Request, final: Request) -> None:
    """The http header filter's part: the headers that go out with the final answer."""
    outcome = final.outcome
    assert outcome is not None
    outcome.request = final
    _interim(r, outcome)
    if outcome.app is None:
        if outcome.error_page:
            # The error path: only err_headers_out (and the page's own) go out.
            out, err = output_headers(final, outcome.status, [], outcome.headers, True)
        else:
            # err_headers_out go out with every response, not only errors.
            out, err = output_headers(
                final, outcome.status, outcome.headers, final.err_headers_out.items, False
            )
        if final.no_cache and not any(n.lower() == "expires" for n, _ in out + err):
            # The http header filter marks an uncacheable answer already expired.
            out = [*out, ("Expires", http_date(int(final.request_time)))]
        # apr_table_overlay(err_headers_out, headers_out): the err ones lead, so a
        # name in both is sent (and logged by %{...}o) with the err value first.
        outcome.headers = fixup_vary(err + out)
        note = invalid_header(outcome.headers)
        if note is not None:
            replace_with_error(final, 500, note)


HeaderList = list[tuple[str, str]]


def _interim(r: Request, outcome: Outcome) -> None:
    """Interim answers: HTTP/1.1 passes a handler's on (not to an HTTP/1.0 client);
    over HTTP/2 mod_http2 decides (H2EarlyHints) and may have a 103 of its own."""
    notes = r.notes
    outcome.early_links = list(notes.get("early-hint-links", ()))
    outcome.interim_allowed = notes.get("interim-allowed", r.protocol == "HTTP/1.1")


def output_headers(
    r: Request, status: int, out: HeaderList, err: HeaderList, error_path: bool
) -> tuple[HeaderList, HeaderList]:
    """The output filters that touch headers (insert_filter hooks: mod_headers,
    mod_expires), run once on the final response, Apache's own or the wrapped app's:
    ``out`` is headers_out, ``err`` err_headers_out; on the error path (Apache's error
    page) only the error filters run."""
    for fn in r.site.hooks.get("insert_filter", ()):
        out, err = fn(r, status, out, err, error_path)
    return out, err


def fixup_vary(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The http header filter's fixup_vary: one Vary, tokens unique, joined by ","."""
    tokens: list[str] = []
    seen: set[str] = set()
    first = -1
    for index, (name, value) in enumerate(headers):
        if name.lower() != "vary":
            continue
        first = index if first < 0 else first
        for token in value.split(","):
            token = token.strip()
            if token and token.lower() not in seen:
                seen.add(token.lower())
                tokens.append(token)
    if first < 0:
        return headers
    out = [(n, v) for n, v in headers if n.lower() != "vary"]
    out.insert(first, ("Vary", ",".join(tokens)))
    return out


def _run(r: Request) -> int:
    status = read_request(r)
    if status == OK:
        status = process_internal(r)
        if status == OK:
            status = invoke_handler(r)
    return status


def _last(r: Request) -> Request:
    while r.next is not None:
        r = r.next
    return r


def read_request(r: Request) -> int:
    """What ap_read_request checks before any module runs: Host and the target."""
    inc = r.incoming
    host = r.headers_in.get("host")
    base, chain = r.site.connection_server(inc.local_addr, inc.local_port)
    r.notes["vhost-chain"] = (base, chain)
    r.server = base
    r.per_dir = r.server.defaults
    r.unparsed_uri = r.uri = inc.target.decode("latin-1")
    refused = _header_limits(r)
    if refused:
        return refused
    if host is None and r.protocol == "HTTP/1.1":
        r.site.log_error(
            r,
            "debug",
            "core",
            "AH00569: client sent HTTP/1.1 request without "
            "hostname (see RFC2616 section 14.23): " + r.uri,
        )
        return 400
    name = None
    if host is not None:
        name = fix_hostname(host.strip())
        if name is None:
            r.site.log_error(
                r, "debug", "core", f"AH00550: Client sent malformed Host header: {host}"
            )
            return 400
    status = _parse_for(r, name)
    target_host = r.notes.pop("target-host", None)
    if status == OK and target_host and target_host != name:
        status = _parse_for(r, target_host)
    server = r.server
    record(
        r,
        "request",
        method=r.method,
        args=r.args,
        host=r.hostname,
        status=status,
        server=f"{server.file}:{server.line}" if server.is_virtual else "main server",
    )
    return status


def _header_limits(r: Request) -> int:
    """ap_get_mime_headers_core: LimitRequestFieldsize and LimitRequestFields (400)."""
    core = r.site.main.get("core")
    headers = r.incoming.headers
    if core.limit_request_fields and len(headers) > core.limit_request_fields:
        r.notes["error-notes"] = "The number of request header fields exceeds this server's limit."
        r.site.log_error(r, "info", "core", "AH00563: Number of request headers exceeds the limit")
        return 400
    for name, value in headers:
        if len(name) + 2 + len(value) > core.limit_request_fieldsize:
            r.notes["error-notes"] = "Size of a request header field exceeds server limit."
            r.site.log_error(
                r,
                "info",
                "core",
                f"AH00561: Request header exceeds LimitRequestFieldSize: {name[:80]}",
            )
            return 400
    return OK


def _parse_for(r: Request, name: str | None) -> int:
    """Parse the target with the slash settings of the server ``name`` selects."""
    r.hostname = name
    base, chain = r.notes["vhost-chain"]
    r.server = r.site.request_server(base, chain, name, r.incoming.local_port)
    r.per_dir = r.server.defaults
    slashes = r.server.defaults["core"].allow_encoded_slashes or "off"
    merge = r.server.get("core").merge_slashes is not False
    try:
        target = parse_target(
            r.incoming.local_target(),
            r.method,
            merge_slashes=merge,
            allow_encoded_slashes=slashes,
        )
    except BadRequestTarget as exc:
        _log_target_error(r, exc)
        if exc.uri is not None:
            r.uri = exc.uri
        if exc.status == 400:
            # Refused with the request line: Apache read no header line (mod_logio's %I).
            r.notes["request-line-only"] = True
        return exc.status
    if target.hostname:
        r.notes["target-host"] = target.hostname.lower()
        r.notes["target-port"] = _authority_port(target.unparsed)
    r.uri = target.uri
    r.args = target.args
    r.unparsed_uri = target.unparsed
    r.notes["parsed-uri"] = target.uri
    if name is None and chain is not None:
        # No host name to go by: ServerPath may still pick a name-based host.
        r.server = r.site.request_server(base, chain, None, r.incoming.local_port, r.uri)
        r.per_dir = r.server.defaults
    return OK


def _log_target_error(r: Request, exc: BadRequestTarget) -> None:
    """AH10244 (a path above the root) is an error; request-line parse notes are
    debug-level and %2f/%00 refusals info-level in Apache."""
    if not exc.note:
        return
    level = "error" if exc.note.startswith("AH10244") else "info" if exc.status == 404 else "debug"
    r.site.log_error(r, level, "core", exc.note)


def process_internal(r: Request, file_req: bool = False) -> int:
    """ap_process_request_internal: phases 1-12 of §1.2 of the research notes.

    ``file_req`` is a subrequest for a file: it has its filename already, so
    the <Location> walk before translate and translate_name itself are skipped.
    """
    if r.main is None and r.prev is None:
        status = run_hook(r, "post_read_request")
        if status != OK:
            return status
    from apachemw.core.walk import if_walk, location_walk

    if not file_req:
        # walk_location_and_if before translate_name: a <Location>'s one-argument
        # Alias is read there; the result is dropped before map_to_storage.
        r.per_dir = r.server.defaults
        status = location_walk(r) or if_walk(r)
        if status != OK:
            return status
        _request_log(r)
        status = run_hook(r, "translate_name")
        record(r, "translate", filename=r.filename, status=status)
        if status not in (OK, DECLINED):
            return status
        if status == DECLINED:
            r.site.log_error(r, "error", "core", f"AH00128: translate not completed for {r.uri}")
            return 500
    r.per_dir = r.server.defaults
    status = run_hook(r, "map_to_storage")
    record(r, "map_to_storage", filename=r.filename, path_info=r.path_info, status=status)
    if status == DONE:
        return DONE
    if status not in (OK, DECLINED):
        return status
    status = location_walk(r) or if_walk(r)
    if status != OK:
        return status
    _request_log(r)
    if r.main is None:
        status = run_hook(r, "header_parser")
        if status != OK:
            return status
    status = _access(r)
    record(r, "access", status=status)
    if status != OK:
        return status
    status = run_hook(r, "type_checker")
    record(r, "type_checker", content_type=r.content_type, handler=r.handler, status=status)
    if status not in (OK, DECLINED):
        return status
    status = run_hook(r, "fixups")
    record(r, "fixups", filename=r.filename, handler=r.handler, status=status)
    return status


def _request_log(r: Request) -> None:
    """walk_location_and_if: a LogLevel in the request's sections becomes r->log."""
    log = r.per_dir["core"].log
    if log is not None:
        r.log = r.server.get("core").request_log(log)


def _access(r: Request) -> int:
    """The access, authentication and authorization phases of ap_process_request_internal,
    skipped when the configuration equals the prior or parent request's."""
    if r.prev is not None and r.prev.per_dir is r.per_dir:
        r.user, r.auth_type = r.prev.user, r.prev.auth_type
        return OK
    if r.main is not None and r.main.per_dir is r.per_dir:
        r.user, r.auth_type = r.main.user, r.main.auth_type
        return OK
    if satisfies(r) == "any":
        if run_hook(r, "access_checker") == OK:
            return OK  # Satisfy Any: the host rules alone let it in
    else:
        status = run_hook(r, "access_checker")
        if status != OK:
            return _decl_die(r, status, "check access (with Satisfy All)")
    status = run_hook(r, "access_checker_ex")
    if status == OK:
        return OK  # authorized without authentication
    if status != DECLINED:
        return _decl_die(r, status, "check access")
    status = run_hook(r, "check_user_id")
    if status != OK:
        return _decl_die(r, status, "check user")
    if r.user is None:
        number = "AH00028" if satisfies(r) == "any" else "AH00027"
        r.site.log_error(
            r,
            "error",
            "core",
            f"{number}: No authentication done but request not allowed without "
            f"authentication for {r.uri}. Authentication not configured?",
        )
        return 500
    status = run_hook(r, "auth_checker")
    return OK if status == OK else _decl_die(r, status, "check authorization")


def satisfies(r: Request) -> str:
    """ap_satisfies: "all", "any" or "nospec" (mod_access_compat's Satisfy per method)."""
    conf = r.per_dir.get("mod_access_compat")
    if conf is None:
        return "nospec"
    choice: str = conf.satisfy_for(r.method)
    return choice


def _decl_die(r: Request, status: int, phase: str) -> int:
    """decl_die: a phase nobody answered is a configuration error."""
    if status == DECLINED:
        r.site.log_error(
            r, "crit", "core", f"AH00025: configuration error:  couldn't {phase}: {r.uri}"
        )
        return 500
    return status


def invoke_handler(r: Request) -> int:
    """ap_invoke_handler: the handler named by r.handler, else by the content type."""
    old = r.handler
    if r.handler is None:
        r.handler = r.content_type.split(";")[0].strip() if r.content_type else None
    status = run_hook(r, "handler")
    record(r, "handler", handler=r.handler, status=status)
    handler, r.handler = r.handler, old  # the type's handler is only for this call (%R)
    if status == DECLINED:
        r.site.log_error(
            r, "error", "core", f"AH00524: Handler for {handler} returned invalid result code 0"
        )
        return 500
    return status


# ------------------------------------------------------------ redirects, subrequests


def _decode_internal(r: Request, path: str) -> str | int:
    """What ap_process_request_internal does to a redirect or subrequest URI:
    normalise (decoding unreserved characters), then %-decode once more."""
    raw = path.encode("utf-8", "surrogateescape")
    merge = r.server.get("core").merge_slashes is not False
    normal, valid = normalize_path(raw, merge_slashes=merge, decode_unreserved=True)
    if not valid:
        r.site.log_error(r, "error", "core", f"AH10244: invalid URI path ({path})")
        return 400
    slashes = r.server.defaults["core"].allow_encoded_slashes or "off"
    decoded = unescape_path(
        normal, forbid_slashes=slashes == "off", keep_slashes=slashes == "nodecode"
    )
    if isinstance(decoded, int):
        return decoded
    return decoded.decode("utf-8", "surrogateescape")


def _new_request(r: Request, uri: str, *, method: str | None = None) -> Request:
    new = Request(r.incoming, r.site, r.server)
    new.method = method or r.method
    new.the_request = r.the_request
    new.protocol = r.protocol
    new.hostname = r.hostname
    new.headers_in = r.headers_in
    new.request_time = r.request_time
    new.log = r.log  # rnew->log: the parent's LogLevel until the new walk
    path, sep, query = uri.partition("?")
    new.uri = path
    new.args = query if sep else None
    new.unparsed_uri = uri
    new.per_dir = r.server.defaults
    return new


def recursion_exceeded(r: Request) -> bool:
    redirects, subreqs = r.server.get("core").recursion_limit or (10, 10)
    depth = 0
    cursor: Request | None = r
    while cursor is not None and cursor.prev is not None:
        depth += 1
        cursor = cursor.prev
    sub_depth = 0
    cursor = r
    while cursor is not None and cursor.main is not None:
        sub_depth += 1
        cursor = cursor.main
    if depth >= redirects or sub_depth >= subreqs:
        kind = "internal redirects" if depth >= redirects else "subrequest nesting levels"
        limit = redirects if depth >= redirects else subreqs
        r.site.log_error(
            r,
            "error",
            "core",
            f"AH00124: Request exceeded the limit of {limit} {kind} due to probable "
            "configuration error. Use 'LimitInternalRecursion' to increase the limit if "
            "necessary. Use 'LogLevel debug' to get a backtrace.",
        )
        return True
    return False


def lookup_uri(r: Request, new_uri: str, method: str = "GET") -> Request:
    """ap_sub_req_lookup_uri: run phases 1-12 for a URI relative to r's directory."""
    if not new_uri.startswith("/"):
        base = r.uri[: r.uri.rfind("/") + 1]
        new_uri = base + new_uri
    rr = _new_request(r, new_uri, method=method)
    rr.main = r
    rr.subprocess_env = dict(r.subprocess_env)
    if recursion_exceeded(rr):
        r.eventful = True
        rr.status = 500
        return rr
    decoded = _decode_internal(rr, rr.uri)
    if isinstance(decoded, int):
        r.eventful = True
        rr.status = decoded
        return rr
    rr.uri = decoded
    status = process_internal(rr)
    rr.status = 200 if status in (OK, DECLINED) else status
    _depend_on(r, rr)
    return rr


def lookup_file(r: Request, filename: str) -> Request:
    """ap_sub_req_lookup_file: phases for a file; translate and <Location> skipped. A
    relative name is taken from r's directory; a file in that same directory gets r's
    directory URI plus its name, any other file no URI."""
    directory = dirstr_parent(r.filename or "")
    path = filename if filename.startswith("/") else _merge_path(directory, filename)
    rest = path[len(directory) :] if path.startswith(directory) else ""
    same_dir = bool(rest) and "/" not in rest and bool(r.uri)
    uri = dirstr_parent(r.uri) + rest if same_dir else ""
    rr = _new_request(r, "/")
    rr.uri = rr.unparsed_uri = uri
    rr.args = None
    rr.main = r
    r.eventful = True
    rr.subprocess_env = dict(r.subprocess_env)
    rr.filename = path
    if recursion_exceeded(rr):
        rr.status = 500
        return rr
    status = process_internal(rr, file_req=True)
    rr.status = 200 if status in (OK, DECLINED) else status
    return rr


def dirstr_parent(path: str) -> str:
    """ap_make_dirstr_parent: everything up to and including the last "/"."""
    return path[: path.rfind("/") + 1]


def _merge_path(directory: str, name: str) -> str:
    """apr_filepath_merge of a relative name onto a directory: "." and ".." resolved."""
    parts: list[str] = []
    for segment in (directory + name).split("/"):
        if segment == "..":
            if parts:
                parts.pop()
        elif segment and segment != ".":
            parts.append(segment)
    trailing = "/" if name.endswith("/") else ""
    return "/" + "/".join(parts) + (trailing if parts else "")


def lookup_dirent(r: Request, name: str, *, merge_args: bool = False) -> Request:
    """ap_sub_req_lookup_dirent: an entry of the directory r's file is in, as a
    subrequest for its URI (r's directory plus the name, "/" after a directory) and
    file. With ``merge_args`` (AP_SUBREQ_MERGE_ARGS, as MultiViews asks) r's path
    info and query string carry over; without, neither does."""
    directory = dirstr_parent(r.filename or "")
    path = directory + name
    try:
        is_dir = os.path.isdir(path)
    except (OSError, ValueError):
        is_dir = False
    path_info = r.path_info if merge_args else ""
    uri_dir = r.uri
    if r.path_info and uri_dir.endswith(r.path_info):
        uri_dir = uri_dir[: len(uri_dir) - len(r.path_info)]
    rr = _new_request(r, "/")
    rr.uri = dirstr_parent(uri_dir) + name + path_info + ("/" if is_dir and not path_info else "")
    rr.unparsed_uri = rr.uri
    rr.path_info = path_info
    rr.args = r.args if merge_args and r.args else None
    rr.main = r
    rr.subprocess_env = dict(r.subprocess_env)
    rr.filename = path + "/" if is_dir else path
    if recursion_exceeded(rr):
        r.eventful = True
        rr.status = 500
        return rr
    status = process_internal(rr, file_req=True)
    rr.status = 200 if status in (OK, DECLINED) else status
    _depend_on(r, rr)
    return rr


def _depend_on(r: Request, rr: Request) -> None:
    """r's answer depends on what the subrequest found (core.memo): on its .htaccess
    candidates, file and headers read, or, when it depended on more, r is not
    memoised either."""
    if rr.eventful or rr.walk_checks is None:
        r.eventful = True
        return
    r.memo_depends_on(rr.memo_vary)  # a subrequest reads its parent's headers
    r.memo_evidence.extend(rr.walk_checks)
    r.memo_evidence.extend(rr.memo_evidence)
    r.memo_evidence.append((rr.filename or "", fsinfo_ident(rr.finfo)))


def fast_redirect(rr: Request, r: Request) -> None:
    """ap_internal_fast_redirect: r becomes the subrequest's resource."""
    r.uri, r.filename, r.path_info, r.args = rr.uri, rr.filename, rr.path_info, rr.args
    r.canonical_filename = rr.canonical_filename
    r.finfo, r.handler, r.content_type = rr.finfo, rr.handler, rr.content_type
    r.content_encoding, r.content_languages = rr.content_encoding, rr.content_languages
    r.per_dir = rr.per_dir
    # The resource's walk: for the memo, the .htaccess files r's answer now rests on.
    r.walk_checks = rr.walk_checks
    r.no_cache = r.no_cache and rr.no_cache
    r.notes = {**rr.notes, **r.notes}
    r.headers_out = Headers(rr.headers_out.items + r.headers_out.items)
    r.err_headers_out = Headers(rr.err_headers_out.items + r.err_headers_out.items)
    r.subprocess_env = {**rr.subprocess_env, **r.subprocess_env}


def internal_redirect(r: Request, new_uri: str, *, method: str | None = None) -> int:
    """ap_internal_redirect: a new record, REDIRECT_* env, phases and handler again."""
    if recursion_exceeded(r):
        record(r, "loop", limit="LimitInternalRecursion")
        return 500
    record(r, "internal redirect", to=new_uri)
    new = _new_request(r, new_uri, method=method)
    new.status = r.status
    new.prev = r
    new.main = r.main
    r.next = new
    new.subprocess_env = {f"REDIRECT_{k}": v for k, v in r.subprocess_env.items()}
    new.subprocess_env["REDIRECT_STATUS"] = str(r.status)
    new.err_headers_out = r.err_headers_out  # survives the redirect, as in Apache
    new.no_cache, new.vlist_validator = r.no_cache, r.vlist_validator
    if 300 <= new.status < 400 and r.headers_out.get("Location"):
        new.headers_out.set("Location", r.headers_out.get("Location") or "")
    if r.notes.get("redirect-keeps-vary") and r.headers_out.get("Vary"):
        new.headers_out.set("Vary", r.headers_out.get("Vary") or "")
    decoded = _decode_internal(new, new.uri)
    if isinstance(decoded, int):
        die(new, decoded)
        return DONE
    new.uri = decoded
    status = process_internal(new)
    if status == OK:
        status = invoke_handler(new)
    if status not in (OK, DONE):
        die(new, status)
    return DONE


# ------------------------------------------------------------ errors


def die(r: Request, status: int, recursive_error: int = 200) -> None:
    """ap_die_r: ErrorDocument (local URL, full URL, literal) or the canned page."""
    if status in (OK, DONE):
        return
    first = r
    if r.prev is not None and r.prev.status != 200 and recursive_error == 200:
        recursive_error = r.status
    custom = None
    if recursive_error != 200:
        while first.prev is not None and first.prev.status != 200:
            first = first.prev
    else:
        custom = _error_document(r, status)
    r.status = status
    if custom is not None and not custom.startswith('"') and custom != "default":
        if is_url(custom):
            r.status = 302
            r.headers_out.set("Location", custom)
        elif custom.startswith("/"):
            r.no_local_copy = True
            r.subprocess_env["REQUEST_METHOD"] = r.method
            _error_redirect(r, custom)
            return
        else:
            recursive_error = 500
            r.site.log_error(
                r, "error", "core", f"AH01580: Invalid error redirection directive: {custom}"
            )
    send_error_response(first if first is not r else r, recursive_error, r)


def _error_redirect(r: Request, target: str) -> None:
    status = internal_redirect(r, target, method="GET")
    if status not in (OK, DONE):
        send_error_response(r, status, r)


def _error_document(r: Request, status: int) -> str | None:
    core = r.per_dir.get("core") if r.per_dir else None
    docs: dict[int, str] | None = core.error_documents if core is not None else None
    return docs.get(status) if docs else None


def replace_with_error(r: Request, status: int, note: str) -> None:
    """The http header filter's refusal of a bad header (AH02430): Apache's page
    for ``status``, telling of the answer it replaces ("Additionally, a 302 ...")
    when that was not a 200. The header filter had already run, so no
    Content-Length; the refused body still counts in the log's bytes."""
    r.site.log_error(r, "error", "http", note)
    refused = r.outcome
    original = refused.status if refused is not None else 200
    r.status = status
    r.headers_out = Headers()
    r.err_headers_out = Headers()
    r.notes["no-content-length"] = True
    send_error_response(r, original if original not in (0, 200) else 200, r)
    assert r.outcome is not None
    r.outcome.request = r
    if refused is not None and not refused.head_only:
        r.outcome.extra_logged = len(refused.body)


def send_error_response(r: Request, recursive_error: int, current: Request) -> None:
    """ap_send_error_response: headers from err_headers_out, the canned HTML body."""
    from apachemw.core.http import allow_header

    status = current.status if current is r else r.status
    if current is not r:
        r.status = status
    location = r.headers_out.get("Location") or r.err_headers_out.get("Location")
    headers = list(r.err_headers_out.items)
    if (300 <= status < 400 or status == 201) and location:
        headers.append(("Location", location))
    if status in (204, 304):
        r.outcome = Outcome(status, headers, head_only=True, error_page=True)
        current.outcome = r.outcome
        return
    if status in (405, 501):
        headers.append(("Allow", allow_header(allowed_methods(r))))
    custom = _error_document(r, status) if recursive_error == 200 else None
    if custom is not None and custom.startswith('"'):
        body = custom[1:].encode("utf-8", "surrogateescape")
    else:
        body = canned_body(
            status,
            uri=r.uri,
            method=r.method,
            location=location or "",
            signature=_signature(r),
            error_notes=r.notes.get("error-notes"),
            variant_list=r.notes.get("variant-list"),
            server_admin=r.server.get("core").server_admin or DEFAULT_ADMIN,
            recursive_error=recursive_error if recursive_error != 200 else None,
        )
    headers.append(("Content-Type", "text/html; charset=iso-8859-1"))
    if not r.is_head and not r.notes.get("no-content-length"):
        # Apache's content-length filter never sees a body for HEAD here.
        headers.append(("Content-Length", str(len(body))))
    outcome = Outcome(
        status, headers, body=body, head_only=r.is_head, counted=current is r, error_page=True
    )
    r.outcome = outcome
    current.outcome = outcome


def _signature(r: Request) -> str:
    mode = r.per_dir["core"].server_signature if r.per_dir else None
    if not mode or mode == "off":
        return ""
    core = r.server.get("core")
    return server_signature(
        mode,
        version=VERSION,
        server_name=server_name(r),
        port=server_port(r),
        admin=core.server_admin or DEFAULT_ADMIN,
    )


def allowed_methods(r: Request) -> list[str]:
    methods = ["GET", "HEAD", "POST", "OPTIONS"]
    if (r.server.get("core").trace_enable or "on") != "off":
        methods.append("TRACE")
    return methods


# ------------------------------------------------------------ URLs


def server_name(r: Request) -> str:
    """ap_get_server_name with UseCanonicalName Off: the Host the client sent."""
    mode = r.per_dir["core"].use_canonical_name if r.per_dir else None
    core = r.server.get("core")
    if mode == "on":
        return core.server_name or r.incoming.local_addr
    return r.hostname or core.server_name or r.incoming.local_addr


def _authority_port(target: str) -> int | None:
    """The port of an absolute-form target ("http://host:81/x" -> 81)."""
    authority = target.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0]
    _, colon, port = authority.rpartition(":")
    if colon and "]" not in port and port.isdigit():
        return int(port)
    return None


def http_scheme(r: Request) -> str:
    """ap_http_scheme: https for a ServerName https://..., else the connection's."""
    return "https" if r.server.get("core").server_scheme == "https" else r.incoming.scheme


def default_port(r: Request) -> int:
    """ap_default_port: the scheme's."""
    return 443 if http_scheme(r) == "https" else 80


def _client_port(r: Request) -> int | None:
    """The port the client named: an absolute-form target's, else the Host header's."""
    initial = r.initial
    if "target-port" in initial.notes:  # an absolute-form request line names the host
        named: int | None = initial.notes["target-port"]
        return named
    host = r.headers_in.get("host") or ""
    tail = host.rsplit("]", 1)[-1]
    if ":" in tail:
        port = tail.rsplit(":", 1)[1]
        if port.isdigit() and int(port):
            return int(port)
    return None


def server_port(r: Request) -> int:
    """ap_get_server_port: the port the client named (UseCanonicalName Off), else the
    server's own (ServerName's, or its <VirtualHost> address's), else the scheme's."""
    mode = r.per_dir["core"].use_canonical_name if r.per_dir else None
    if mode != "on":
        named = _client_port(r)
        if named is not None:
            return named
    own = int(r.server.get("core").server_port or 0)
    return own or default_port(r)


def construct_url(r: Request, path: str) -> str:
    """ap_construct_url: scheme://host[:port] + path, default ports left out."""
    scheme = http_scheme(r)
    host = server_name(r)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    port = server_port(r)
    default = default_port(r)
    authority = host if port == default else f"{host}:{port}"
    mount = r.incoming.mount.decode("latin-1")
    return f"{scheme}://{authority}{mount}{path}"

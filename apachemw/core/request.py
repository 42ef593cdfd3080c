"""The request record (Apache's ``request_rec``) and what the core hands back.

The core never sees a WSGI environ or an ASGI scope: an adapter builds an
``Incoming`` from them, the pipeline fills a ``Request``, and the adapter carries
out the resulting ``Outcome``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from apachemw.core.fsinfo import Ident

__all__ = [
    "DECLINED",
    "DONE",
    "OK",
    "AppCall",
    "FileBody",
    "Incoming",
    "Outcome",
    "Request",
]

OK = 0
DECLINED = -1
DONE = -2


@dataclass(slots=True)
class Incoming:
    """One HTTP request as the server received it, protocol-neutral."""

    method: str
    target: bytes  # the request-target exactly as sent, query included
    protocol: str = "HTTP/1.1"
    headers: list[tuple[str, str]] = field(default_factory=list)  # lower-case names
    remote_addr: str = "127.0.0.1"
    remote_port: int = 0
    local_addr: str = "127.0.0.1"
    local_port: int = 80
    scheme: str = "http"
    request_time: float = 0.0
    # False on an event loop: a needed file read raises NeedsBlockingIO instead.
    may_block: bool = True
    # Set by apachemw explain: the phases record what they did (core.trace).
    trace: Any = None
    # Where the middleware is mounted (WSGI SCRIPT_NAME, ASGI root_path), as sent:
    # Apache's rules apply to the path below it; URLs it builds put it back.
    mount: bytes = b""
    # The client's host name once a module looked it up (conn_rec's remote_host): %h
    # and REMOTE_HOST show it instead of the address.
    remote_host: str | None = None
    # Error-log lines held back while the core decides on an event loop (core.pipeline).
    deferred_log: list[tuple[str, str, str, Any]] | None = None
    # The client's address once mod_remoteip believed a proxy's header (r->useragent_ip;
    # the connection's own address stays in remote_addr): Require ip, %a, REMOTE_ADDR.
    useragent_ip: str | None = None
    # conn_rec's log_id: made when an error-log line is written for the connection (%{c}L).
    log_id: str | None = None
    # Its place on this process's scoreboard (core.scoreboard), from Engine.handle to
    # the log phase; kept here so a request retried in a thread keeps one slot.
    slot: Any = None

    @property
    def client_ip(self) -> str:
        """r->useragent_ip: the client as access control and %a see it."""
        return self.useragent_ip or self.remote_addr

    @property
    def client_port(self) -> int:
        """The port of that client: unknown (0) behind a proxy, as mod_remoteip sets it."""
        return 0 if self.useragent_ip else self.remote_port

    def local_target(self) -> bytes:
        """The request-target with the mount prefix taken off."""
        mount = self.mount
        if (
            mount
            and self.target.startswith(mount)
            and self.target[len(mount) :][:1] in (b"/", b"?", b"")
        ):
            return self.target[len(mount) :] or b"/"
        return self.target


class Headers:
    """An ordered, case-insensitive header table (Apache's ``apr_table_t``).

    ``lowered()`` is the table as one dict (lower-case names, repeated fields
    joined with ", "), built on first use and dropped on any change.
    """

    __slots__ = ("_index", "items")

    def __init__(self, items: list[tuple[str, str]] | None = None) -> None:
        self.items: list[tuple[str, str]] = items if items is not None else []
        self._index: dict[str, str] | None = None

    def lowered(self) -> dict[str, str]:
        index = self._index
        if index is None:
            index = {}
            for name, value in self.items:
                key = name.lower()
                index[key] = f"{index[key]}, {value}" if key in index else value
            self._index = index
        return index

    def get(self, name: str) -> str | None:
        return self.lowered().get(name.lower())

    def set(self, name: str, value: str) -> None:
        self.unset(name)
        self.items.append((name, value))  # unset() already dropped the index

    def add(self, name: str, value: str) -> None:
        self._index = None
        self.items.append((name, value))

    def extend(self, items: list[tuple[str, str]]) -> None:
        self._index = None
        self.items.extend(items)

    def unset(self, name: str) -> None:
        lname = name.lower()
        self._index = None
        self.items = [(k, v) for k, v in self.items if k.lower() != lname]

    def copy(self) -> Headers:
        return Headers(list(self.items))

    def replace(self, items: list[tuple[str, str]]) -> None:
        """All the fields at once (mod_headers' RequestHeader)."""
        self._index = None
        self.items = items

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None


class Request:
    """Apache's request_rec, cut down to what the phases in scope read and write."""

    def __init__(self, incoming: Incoming, site: Any, server: Any) -> None:
        self.incoming = incoming
        self.site = site
        self.server = server
        self.method = incoming.method
        self.protocol = incoming.protocol
        self.the_request = (
            f"{incoming.method} {incoming.target.decode('latin-1')} {incoming.protocol}"
        )
        self.headers_in = Headers(list(incoming.headers))
        self.headers_out = Headers()
        self.err_headers_out = Headers()
        self.subprocess_env: dict[str, str] = {}
        self.notes: dict[str, Any] = {}
        self.status = 200
        self.status_line: str | None = None
        self.uri = ""
        self.unparsed_uri = ""
        self.args: str | None = None
        self.hostname: str | None = None
        self.filename: str | None = None
        self.canonical_filename: str | None = None
        self.path_info = ""
        self.used_path_info: bool | None = None
        self.finfo: os.stat_result | None = None
        self.per_dir: dict[str, Any] = {}
        self.handler: str | None = None
        self.content_type: str | None = None
        self.content_languages: list[str] = []
        self.content_encoding: str | None = None
        self.user: str | None = None
        self.auth_type: str | None = None
        self.prev: Request | None = None
        self.main: Request | None = None
        self.next: Request | None = None
        self.no_local_copy = False
        # mod_negotiation: the validator of the variant list a negotiated answer came
        # from (joined onto its ETag), and "not cacheable by HTTP/1.0 clients" (an
        # Expires equal to Date is then sent).
        self.vlist_validator: str | None = None
        self.no_cache = False
        self.request_time = incoming.request_time
        self.outcome: Outcome | None = None
        # What the static-answer memo needs to know (core.memo): the .htaccess
        # candidates the walk depended on, and whether anything made this request
        # unlike the next identical one (a subrequest, an error-log call).
        self.walk_checks: list[tuple[str, Ident | None]] | None = None
        self.eventful = False
        # A negotiated answer may be memoised too: the request headers it was chosen by
        # (beyond the memo's key) and the files it was chosen from (the directory, each
        # variant, their subrequests' .htaccess candidates).
        self.memo_vary: tuple[str, ...] = ()
        self.memo_evidence: list[tuple[str, Ident | None]] = []
        # r->log: the LogLevel of the request's sections (core.LogConf), None for the
        # server's own; set once <Location> and <If> were walked (walk_location_and_if).
        self.log: Any = None
        self.log_id: str | None = None  # %L, once an error-log line named the request

    def memo_depends_on(self, names: Iterable[str]) -> None:
        """The answer depends on these request headers (lower-case): the memo keeps it
        per their values (core.memo)."""
        self.memo_vary = tuple(sorted({*self.memo_vary, *names}))

    @property
    def initial(self) -> Request:
        r = self
        while r.prev is not None:
            r = r.prev
        while r.main is not None:
            r = r.main
            while r.prev is not None:
                r = r.prev
        return r

    @property
    def may_block(self) -> bool:
        return self.incoming.may_block

    @property
    def is_head(self) -> bool:
        """header_only: a HEAD stays headers-only through ErrorDocument redirects."""
        return self.incoming.method == "HEAD"

    @property
    def method_number(self) -> str:
        """HEAD shares GET's method number in Apache."""
        return "GET" if self.method == "HEAD" else self.method


@dataclass(slots=True)
class FileBody:
    """A file to send: the whole of it, or literal pieces and (start, end) slices."""

    path: str
    size: int
    parts: list[bytes | tuple[int, int]] | None = None
    inode: int = 0
    mtime_ns: int = 0
    # Open without following a final symlink: the walk found a regular file where
    # symlinks may not be followed (core.filecache.open_body).
    nofollow: bool = False

    @property
    def key(self) -> tuple[str, int, int, int]:
        """What identifies this version of the file (see core.filecache)."""
        return (self.path, self.inode, self.size, self.mtime_ns)


@dataclass(slots=True)
class AppCall:
    """Hand the request to the wrapped app, as Apache hands it to a handler."""

    path: str  # the (rewritten) URL-path the app should see, decoded
    raw_path: bytes
    query: str
    env: dict[str, str]
    # The part of ``path`` that is the app's mount (WSGIScriptAlias): it becomes
    # SCRIPT_NAME / root_path, the rest PATH_INFO / path.
    script_name: str = ""
    # The request headers, when RequestHeader changed them or some are hidden.
    headers: list[tuple[str, str]] | None = None
    # The handler answers the app's failure itself (mod_wsgi: an exception before
    # start_response is a 500, ErrorDocument and all); otherwise it reaches the server.
    answers_errors: bool = False


@dataclass(slots=True)
class Outcome:
    """What the adapter must do for one request."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""
    file: FileBody | None = None
    app: AppCall | None = None
    head_only: bool = False
    request: Request | None = None
    # False when the body was sent on behalf of an earlier request in the chain
    # (a failed ErrorDocument): mod_log_config's %b then reads the final one, 0.
    counted: bool = True
    # Bytes of a body Apache produced and then replaced (see replace_with_error).
    extra_logged: int = 0
    # Built by send_error_response (headers already taken from err_headers_out).
    error_page: bool = False
    # For the app: the err_headers_out that go out with its answer, kept apart from
    # ``headers`` (headers_out) for the output filters (``Header always``).
    err_headers: list[tuple[str, str]] = field(default_factory=list)
    # A 103 Early Hints to send first (its Link values), and whether interim answers
    # (this one, or an app's) may reach the client at all (mod_http2, core).
    early_links: list[str] = field(default_factory=list)
    interim_allowed: bool = False

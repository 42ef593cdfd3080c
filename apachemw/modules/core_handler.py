"""The core module's request hooks: translate (DocumentRoot), map_to_storage
(directory and file walks, TRACE), the ForceType/SetHandler fixup, and the
default handler that serves files (server/core.c, http_core.c, byterange_filter.c).

The wrapped application is a handler too: ``apachemw-app`` by name, or, when an
app is wrapped and nothing in the configuration named a handler, whatever the
default handler would have answered 404 for.
"""

from __future__ import annotations

import os
import stat

from apachemw.config.vhosts import under_server_path
from apachemw.core import http
from apachemw.core.request import DECLINED, DONE, OK, AppCall, FileBody, Outcome, Request
from apachemw.core.uri_escape import escape_uri
from apachemw.core.walk import directory_walk, file_walk
from apachemw.modules.core import OPT_SYM_LINKS, OPT_SYM_OWNER, CoreDir

__all__ = ["APP_HANDLER", "HOOKS", "KNOWN_METHODS"]

APP_HANDLER = "apachemw-app"
KNOWN_METHODS = frozenset(
    [
        "GET",
        "PUT",
        "POST",
        "DELETE",
        "CONNECT",
        "OPTIONS",
        "TRACE",
        "PATCH",
        "PROPFIND",
        "PROPPATCH",
        "MKCOL",
        "COPY",
        "MOVE",
        "LOCK",
        "UNLOCK",
        "VERSION-CONTROL",
        "CHECKOUT",
        "UNCHECKOUT",
        "CHECKIN",
        "UPDATE",
        "LABEL",
        "REPORT",
        "MKWORKSPACE",
        "MKACTIVITY",
        "BASELINE-CONTROL",
        "MERGE",
        "HEAD",
    ]
)


def core_translate(r: Request) -> int:
    """ap_core_translate: DocumentRoot + the URI, leading slashes dropped."""
    if not r.uri.startswith("/") and r.uri != "*":
        r.site.log_error(
            r, "error", "core", f"AH00126: Invalid URI in request '{r.uri}' '{r.the_request}'"
        )
        return 400
    core = r.server.get("core")
    root = core.document_root or "/var/www/html"
    uri = r.uri
    prefix = core.server_path
    if prefix and under_server_path(uri, prefix):
        uri = uri[len(prefix) :]  # ServerPath names this host's part of the URL space
    path = uri.lstrip("/")
    r.filename = root.rstrip("/") + "/" + path if path else root.rstrip("/") + "/"
    if not path and not uri.endswith("/"):
        r.filename = root
    r.canonical_filename = r.filename
    return OK


def trace_handler(r: Request) -> int:
    """ap_send_http_trace runs in map_to_storage: echo the request back."""
    if r.method != "TRACE":
        return DECLINED
    mode = r.server.get("core").trace_enable or "on"
    if mode == "off":
        r.site.log_error(r, "error", "core", "AH00669: TRACE denied by server configuration")
        return 405
    length = r.headers_in.get("content-length")
    chunked = r.headers_in.get("transfer-encoding")
    if mode != "extended" and ((length and length.strip() != "0") or chunked):
        r.site.log_error(r, "debug", "core", "AH00670: TRACE with a request body is not allowed")
        return 413
    lines = [r.the_request]
    lines.extend(f"{http.canonical_name(name)}: {value}" for name, value in r.headers_in.items)
    body = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
    # Apache streams the echo chunked: no Content-Length.
    r.outcome = Outcome(200, [("Content-Type", "message/http")], body=body)
    return DONE


def map_to_storage(r: Request) -> int:
    """core_map_to_storage: the directory walk, then the file walk."""
    status = directory_walk(r)
    if status != OK:
        return status
    return file_walk(r)


def override_type(r: Request) -> int:
    """core_override_type (fixups, REALLY_FIRST): ForceType, SetHandler, AcceptPathInfo."""
    conf: CoreDir = r.per_dir["core"]
    if conf.force_type and conf.force_type != "none":
        r.content_type = conf.force_type
    if conf.handler and conf.handler != "none":
        r.handler = conf.handler
    if r.used_path_info is None and conf.accept_path_info is not None:
        r.used_path_info = conf.accept_path_info
    return OK


def default_handler(r: Request) -> int:
    """core.c default_handler: serve r.filename, or answer as Apache does."""
    method = r.method_number
    if method not in KNOWN_METHODS:
        r.site.log_error(r, "error", "core", f"AH00135: Invalid method in request {r.the_request}")
        return 501
    if method not in ("GET", "POST"):
        if method == "OPTIONS":
            return _options(r)
        return 405
    info = r.finfo
    if info is None or (r.path_info and r.used_path_info is not True):
        if _app_fallback(r):
            return app_handler(r)
        r.site.log_error(
            r, "info", "core", f"AH00128: File does not exist: {r.filename}{r.path_info}"
        )
        return 404
    if stat.S_ISDIR(info.st_mode):
        if _app_fallback(r):
            return app_handler(r)
        r.site.log_error(r, "info", "core", f"AH00129: Attempt to serve directory: {r.filename}")
        return 404
    if not stat.S_ISREG(info.st_mode):
        # Apache would open a FIFO or device and block the worker; refuse it.
        r.site.log_error(
            r, "error", "core", f"AH00132: file permissions deny server access: {r.filename}"
        )
        return 403
    # Debian's 2.4.71 serves POST on a static file like GET (recorded: 200/206).
    return _serve_file(r, info)


def _app_fallback(r: Request) -> bool:
    """With an app wrapped and no config naming it, what would 404 goes to the app."""
    site = r.site
    return bool(site.has_app and not site.app_named and r.handler in (None, "httpd/unix-directory"))


def _options(r: Request) -> int:
    from apachemw.core.pipeline import allowed_methods

    headers = [] if r.uri == "*" else [("Allow", http.allow_header(allowed_methods(r)))]
    headers.append(("Content-Length", "0"))
    content_type = content_type_header(r)
    if content_type:
        headers.append(("Content-Type", content_type))
    r.outcome = Outcome(200, headers)
    return OK


def _serve_file(r: Request, info: os.stat_result) -> int:
    path = r.filename or ""
    if not os.access(path, os.R_OK):
        r.site.log_error(
            r, "error", "core", f"AH00132: file permissions deny server access: {path}"
        )
        return 403
    conf: CoreDir = r.per_dir["core"]
    mtime = int(info.st_mtime)
    etag = http.make_etag(
        info.st_size,
        info.st_mtime_ns,
        info.st_ino,
        r.request_time,
        conf.etag_components(),
        r.vlist_validator,
    )
    headers = [("Last-Modified", http.http_date(min(mtime, int(r.request_time))))]
    if etag:
        headers.append(("ETag", etag))
    headers.append(("Accept-Ranges", "none" if conf.max_ranges == -1 else "bytes"))
    status = r.status if r.prev is not None else 200
    condition = None
    if 200 <= status < 300 and not r.no_local_copy and _has_conditions(r):
        condition = http.meets_conditions(
            r.method,
            _lower_headers(r),
            etag=etag,
            mtime=mtime,
            request_time=r.request_time,
            status=status,
        )
    r.headers_out.extend(headers)
    if condition is not None:
        return _not_modified(r, condition)
    return _file_outcome(r, info, conf, etag, mtime, status)


def _nofollow(r: Request) -> bool:
    """Whether the file must be opened without following a final symlink: the walk
    refused symlinks here (no FollowSymLinks), so one found at open time was swapped
    in since (security.md S06). Under SymLinksIfOwnerMatch the file may itself be an
    allowed link."""
    opts = r.per_dir["core"].opts
    if opts & OPT_SYM_LINKS:
        return False
    if not opts & OPT_SYM_OWNER:
        return True
    try:
        return not stat.S_ISLNK(os.lstat(r.filename or "").st_mode)
    except (OSError, ValueError):
        return True


_CONDITIONS = ("if-match", "if-none-match", "if-modified-since", "if-unmodified-since")


def _has_conditions(r: Request) -> bool:
    lowered = r.headers_in.lowered()
    return any(name in lowered for name in _CONDITIONS)


def _lower_headers(r: Request) -> dict[str, str]:
    return r.headers_in.lowered()


def _not_modified(r: Request, status: int) -> int:
    headers = list(r.headers_out.items)
    if status == 412:
        # A conditional 412 from the default handler is an empty body that still
        # carries the file's content type (recorded from apache2).
        headers.append(("Content-Length", "0"))
        _add_type(headers, content_type_header(r), r)
    r.outcome = Outcome(status, headers, head_only=True)
    return OK


def _file_outcome(
    r: Request, info: os.stat_result, conf: CoreDir, etag: str | None, mtime: int, status: int
) -> int:
    size = info.st_size
    content_type = content_type_header(r)
    headers = list(r.headers_out.items)
    plan = _range_plan(r, conf, size, etag, mtime, status)
    path = r.filename or ""
    if plan.status == 416:
        return _unsatisfiable(r, size)
    if plan.status == 206 and len(plan.ranges) == 1:
        start, end = plan.ranges[0]
        headers.append(("Content-Range", f"bytes {start}-{end}/{size}"))
        headers.append(("Content-Length", str(end - start + 1)))
        _add_type(headers, content_type, r)
        body = FileBody(path, size, [(start, end)], info.st_ino, info.st_mtime_ns, _nofollow(r))
        r.outcome = Outcome(206, headers, file=body, head_only=r.is_head)
        return OK
    if plan.status == 206:
        boundary = http.make_boundary()
        parts, length = http.multipart_parts(plan.ranges, size, content_type, boundary)
        if len(plan.ranges) <= 32:
            # byterange_filter passes data on every 32 ranges, and then the
            # content-length filter cannot count the body.
            headers.append(("Content-Length", str(length)))
        headers.append(("Content-Type", f"multipart/byteranges; boundary={boundary}"))
        _add_meta(headers, r)
        r.outcome = Outcome(
            206,
            headers,
            file=FileBody(path, size, parts, info.st_ino, info.st_mtime_ns, _nofollow(r)),
            head_only=r.is_head,
        )
        return OK
    headers.append(("Content-Length", str(size)))
    _add_type(headers, content_type, r)
    r.outcome = Outcome(
        status,
        headers,
        file=FileBody(path, size, None, info.st_ino, info.st_mtime_ns, _nofollow(r)),
        head_only=r.is_head,
    )
    return OK


def _range_plan(
    r: Request, conf: CoreDir, size: int, etag: str | None, mtime: int, status: int
) -> http.RangePlan:
    header = r.headers_in.get("range")
    if header is None or status != 200:
        return http.RangePlan(200)
    lower = _lower_headers(r)
    if "if-range" in lower and not http.if_range_allows(
        lower, etag=etag, mtime=mtime, request_time=r.request_time
    ):
        return http.RangePlan(200)
    return http.plan_ranges(
        header,
        size,
        max_ranges=200 if conf.max_ranges is None else conf.max_ranges,
        max_overlaps=20 if conf.max_overlaps is None else conf.max_overlaps,
        max_reversals=20 if conf.max_reversals is None else conf.max_reversals,
    )


def _unsatisfiable(r: Request, size: int) -> int:
    # The byterange filter answers 416 after the content-length filter has
    # run, so Apache sends the canned page without a Content-Length.
    r.notes["no-content-length"] = True
    return 416


def _add_type(headers: list[tuple[str, str]], content_type: str | None, r: Request) -> None:
    if content_type:
        headers.append(("Content-Type", content_type))
    _add_meta(headers, r)


def _add_meta(headers: list[tuple[str, str]], r: Request) -> None:
    if r.content_languages:
        # The http header filter joins them with a bare "," (recorded: "en,fr").
        headers.append(("Content-Language", ",".join(r.content_languages)))
    if r.content_encoding:
        headers.append(("Content-Encoding", r.content_encoding))


def content_type_header(r: Request) -> str | None:
    """The Content-Type Apache's header filter sends, with AddDefaultCharset."""
    content_type = r.content_type
    if not content_type:
        return None
    charset = r.per_dir["core"].default_charset if r.per_dir else None
    if charset and ";" not in content_type and content_type.lower() in ("text/plain", "text/html"):
        return f"{content_type}; charset={charset}"
    return content_type


def app_handler(r: Request) -> int:
    """Hand the request to the wrapped app, as Apache hands it to a content handler."""
    if not r.site.has_app:
        return DECLINED
    env = dict(r.subprocess_env)
    if r.incoming.useragent_ip is not None:
        env["REMOTE_ADDR"] = r.incoming.useragent_ip  # mod_remoteip's client, not the proxy
        env["REMOTE_PORT"] = "0"
    if r.user is not None:
        env["REMOTE_USER"] = r.user  # ap_add_common_vars
    if r.auth_type is not None:
        env["AUTH_TYPE"] = r.auth_type
    if r.prev is not None:
        # What Apache's add_cgi_vars gives a handler after an internal redirect.
        env["REDIRECT_URL"] = r.prev.uri
        if r.prev.args is not None:
            env["REDIRECT_QUERY_STRING"] = r.prev.args
    untouched = r.prev is None and r.uri == r.notes.get("parsed-uri")
    raw = r.unparsed_uri.split("?", 1)[0] if untouched else escape_uri(r.uri)
    # err_headers_out go out with every response (Set-Cookie from [CO], ...), the app's too.
    r.outcome = Outcome(
        0,
        list(r.headers_out.items),
        err_headers=list(r.err_headers_out.items),
        app=AppCall(
            path=r.uri,
            raw_path=raw.encode("latin-1", "replace"),
            query=r.args or "",
            env=env,
            script_name=r.notes.get("wsgi-script-name", ""),
            headers=_app_headers(r),
            answers_errors="wsgi-script-name" in r.notes,
        ),
    )
    return OK


def _app_headers(r: Request) -> list[tuple[str, str]] | None:
    """The request headers the app sees, when they differ from the client's: changed by
    RequestHeader, or some kept from it (mod_wsgi hides Authorization)."""
    hidden = r.notes.get("app-hidden-headers", ())
    if not hidden and not r.notes.get("request-headers-edited"):
        return None
    return [(n, v) for n, v in r.headers_in.items if n.lower() not in hidden]


def named_app_handler(r: Request) -> int:
    if r.handler != APP_HANDLER:
        return DECLINED
    return app_handler(r)


def any_handler(r: Request) -> int:
    """The default handler answers for every handler name nothing else claims."""
    return default_handler(r)


HOOKS = {
    "translate_name": (30, core_translate),
    "map_to_storage": (30, map_to_storage),
    "fixups": (-10, override_type),
    "handler": (30, any_handler),
}
TRACE_HOOK = ("map_to_storage", (10, trace_handler))
APP_HOOK = ("handler", (10, named_app_handler))

"""mod_negotiation's hooks: MultiViews (type_checker), type maps (handler) and the
client's spelling of an encoding (fixups).

MultiViews runs only for a name that does not exist: every ``name.*`` in its
directory is looked up as a subrequest (so access control and ``<Files>`` apply per
variant), those whose extra extensions mod_mime did not recognise are dropped, and
the chosen one's subrequest becomes the request (ap_internal_fast_redirect). A type
map lists its variants itself; the chosen file is reached by an internal redirect,
an inline Body is sent from the map.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, replace

from apachemw.core import http, pipeline
from apachemw.core.fsinfo import fsinfo_ident, stat_or_none
from apachemw.core.parsedfiles import ParsedFiles
from apachemw.core.request import DECLINED, OK, FileBody, Headers, Outcome, Request
from apachemw.core.uri_escape import escape_path_segment, escape_uri
from apachemw.modules.core import OPT_MULTI
from apachemw.modules.mod_mime import EXCEPTIONS_NOTE

from .accept import AcceptRec, f32, get_entry, header_line, list_items
from .choose import (
    ALG_LIST,
    CGI_MAGIC_TYPE,
    Negotiation,
    Variant,
    best_match,
    neg_headers,
    variant_list,
)
from .typemap import MapResult, read_type_map

__all__ = ["fix_encoding", "handle_map_file", "handle_multi"]

MAP_FILE_MAGIC_TYPE = "application/x-type-map"
TYPE_MAP_HANDLERS = (MAP_FILE_MAGIC_TYPE, "type-map")
# Every request header a negotiation reads (lower-case, as core.memo compares them).
NEGOTIATION_HEADERS = (
    "accept",
    "accept-charset",
    "accept-encoding",
    "accept-language",
    "negotiate",
    "user-agent",
)


@dataclass
class NegDir:
    """neg_dir_config: ForceLanguagePriority flags and LanguagePriority."""

    force: int = 0
    priority: list[str] | None = None


def _start(r: Request) -> Negotiation:
    """parse_accept_headers: the Accept* lines and this directory's settings."""
    conf: NegDir = r.per_dir["mod_negotiation"]
    headers = r.headers_in
    accepts = header_line(headers.get("Accept"))
    neg = Negotiation(
        dir_name=pipeline.dirstr_parent(r.filename or ""),
        priority=conf.priority,
        force=conf.force,
        accepts=accepts,
        accept_encodings=header_line(headers.get("Accept-Encoding")),
        accept_charsets=header_line(headers.get("Accept-Charset")),
        accept_langs=header_line(headers.get("Accept-Language")),
        env=r.subprocess_env,
    )
    neg.accept_q = any(a.quality < 1.0 for a in accepts or ())
    return neg


# ------------------------------------------------------------------ the variant list validator


def _vlist_validator(r: Request, info: os.stat_result | None, is_file: bool) -> str | None:
    """An ETag for what the variant list came from: the map file, or, for MultiViews,
    the directory (its mtime alone, since the requested name is no file)."""
    components = r.per_dir["core"].etag_components()
    if info is None or not components:
        return None
    # The validator is itself made like an ETag, so one the request already carries
    # (from before an internal redirect) is joined into it, as Apache does.
    if is_file:
        return http.make_etag(
            info.st_size,
            info.st_mtime_ns,
            info.st_ino,
            r.request_time,
            components,
            r.vlist_validator,
        )
    return http.make_mtime_etag(info.st_mtime_ns, r.request_time, r.vlist_validator)


# ------------------------------------------------------------------ MultiViews


def _exceptions_match(requested: str, exceptions: list[str]) -> bool:
    """Every part of a candidate's name that carried no metadata must appear, in
    order, among the dot-separated parts of the requested name (so index.html.bak
    is not a variant of "index", but index.bak.html would be one of "index.bak")."""
    wanted = 0
    pos = 0
    while pos < len(requested) and wanted < len(exceptions):
        dot = requested.find(".", pos)
        segment = requested[pos:] if dot < 0 else requested[pos:dot]
        if segment == exceptions[wanted]:
            wanted += 1
        if dot < 0:
            break
        pos = dot + 1
    return wanted == len(exceptions)


def _candidates(neg: Negotiation, r: Request) -> list[str] | int:
    """The names starting with the requested one and a dot, skipping directories;
    403 (AH00686) when the directory cannot be read."""
    requested = (r.filename or "").rsplit("/", 1)[-1]
    try:
        with os.scandir(neg.dir_name) as entries:
            return [
                e.name
                for e in entries
                if e.name.startswith(requested + ".") and not e.is_dir(follow_symlinks=False)
            ]
    except OSError as exc:
        r.site.log_error(
            r,
            "error",
            "negotiation",
            f"AH00686: cannot read directory for multi: {neg.dir_name}",
            exc,
        )
        return 403


def _read_types_multi(neg: Negotiation, r: Request) -> int:
    """read_types_multi: the variants on disk (or a type map found among them)."""
    if not r.filename or not r.filename.startswith("/"):
        return DECLINED
    names = _candidates(neg, r)
    if isinstance(names, int):
        return names
    requested = r.filename.rsplit("/", 1)[-1]
    for name in names:
        rr = pipeline.lookup_dirent(r, name, merge_args=True)
        if rr.finfo is None or not stat.S_ISREG(rr.finfo.st_mode):
            continue
        if rr.handler and not rr.content_type:
            rr.content_type = CGI_MAGIC_TYPE  # a handler with no type: treat as a script
        exceptions = rr.notes.get(EXCEPTIONS_NOTE)
        if exceptions is None or not _exceptions_match(requested, exceptions):
            continue
        if rr.status != 200 or not rr.content_type:
            continue
        if rr.content_type == MAP_FILE_MAGIC_TYPE or rr.handler == "type-map":
            neg.variants.clear()
            return _read_map(neg, r, rr)
        variant = Variant(
            file_name=name,
            sub_req=rr,
            content_encoding=rr.content_encoding or None,
            content_languages=list(rr.content_languages) or None,
        )
        variant.set_mime_fields(get_entry(rr.content_type)[0])
        neg.variants.append(variant)
        neg.count_multiviews_variants += 1
    if names and not neg.variants:
        r.site.log_error(
            r,
            "error",
            "negotiation",
            f"AH00687: Negotiation: discovered file(s) matching request: {r.filename} "
            "(None could be negotiated).",
        )
        return 404
    directory = stat_or_none(neg.dir_name)
    r.memo_evidence.append((neg.dir_name, fsinfo_ident(directory)))
    r.vlist_validator = _vlist_validator(r, directory, is_file=False)
    # A canonical order, so the result never depends on readdir's.
    neg.variants.sort(
        key=lambda v: (-v.source_quality, v.file_name.encode("utf-8", "surrogateescape"))
    )
    return OK


def handle_multi(r: Request) -> int:
    """type_checker (first): Options MultiViews for a name that does not exist."""
    if r.finfo is not None or not r.per_dir["core"].opts & OPT_MULTI:
        return DECLINED
    # The answer depends on these headers and on the directory's files (core.memo).
    r.memo_depends_on(NEGOTIATION_HEADERS)
    neg = _start(r)
    status = _read_types_multi(neg, r)
    if status != OK:
        return status
    if not neg.variants:
        return DECLINED
    prefer_scripts = r.method_number != "GET" or r.args is not None or bool(r.path_info)
    status, best = _negotiate(r, neg, prefer_scripts)
    if status != OK:
        return status
    assert best is not None
    rr = best.sub_req
    if rr is None:
        # Chosen from a type map: no subrequest for it yet.
        rr = pipeline.lookup_file(r, best.file_name)
        if rr.status != 200:
            return rr.status
    if rr.args is None:
        rr.args = r.args
    pipeline.fast_redirect(rr, r)
    return OK


# ------------------------------------------------------------------ the choice


def _parse_negotiate(r: Request, neg: Negotiation) -> None:
    """The Negotiate header of a transparent-negotiation client (RFC 2295)."""
    value = r.headers_in.get("Negotiate")
    if value is None:
        return
    user_agent = r.headers_in.get("User-Agent") or ""
    if value == "trans" and user_agent.startswith("Lynx"):
        return  # Lynx sends "trans" without supporting it
    neg.may_choose = False  # even an empty Negotiate asks for a list
    for token in list_items(value):
        if token in ("trans", "vlist", "guess-small", "*") or token[:1].isdigit():
            neg.ua_supports_trans = True
            neg.send_alternates = True
            if token == "1.0":
                neg.may_choose = neg.use_rvsa = neg.dont_fiddle_headers = True
            elif token.startswith("*"):
                neg.may_choose = neg.dont_fiddle_headers = True


def _is_transparent(r: Request, neg: Negotiation) -> bool:
    """Only GET (and HEAD), without path info, over neighbouring files, no inline
    bodies."""
    if r.method_number != "GET" or r.path_info:
        return False
    return not any("/" in v.file_name or v.body for v in neg.variants)


def _add_default_accepts(neg: Negotiation, prefer_scripts: bool) -> None:
    """No Accept means */*; a script is strongly preferred for POST, a query or path
    info, and otherwise nearly ignored."""
    if neg.accepts is None:
        neg.accepts = [AcceptRec("*/*")]
    quality = 0.0 if neg.use_rvsa else (2.0 if prefer_scripts else 0.001)
    neg.accepts.append(AcceptRec(CGI_MAGIC_TYPE, quality=f32(quality)))


def _merge_headers(r: Request, headers: list[tuple[str, str]]) -> None:
    """apr_table_mergen / setn into err_headers_out, as set_neg_headers does."""
    table: Headers = r.err_headers_out
    for name, value in headers:
        old = table.get(name)
        if name == "TCN" or old is None:
            table.set(name, value)
        else:
            table.set(name, f"{old}, {value}")


def _negotiate(r: Request, neg: Negotiation, prefer_scripts: bool) -> tuple[int, Variant | None]:
    """do_negotiation: choose, or answer 406 / 300 with the list."""
    neg.is_transparent = _is_transparent(r, neg)
    if neg.is_transparent:
        _parse_negotiate(r, neg)
    else:
        neg.may_choose = True
    _add_default_accepts(neg, prefer_scripts)
    result, best = best_match(neg)
    if result == ALG_LIST:
        neg.send_alternates = True
        _merge_headers(r, neg_headers(neg, result))
        (r.main or r).notes["variant-list"] = variant_list(neg)
        if neg.is_transparent and neg.ua_supports_trans:
            return 300, None
        if best is None:
            r.site.log_error(
                r, "error", "negotiation", f"AH00690: no acceptable variant: {r.filename}"
            )
            return 406, None
    assert best is not None
    if neg.is_transparent:
        status = _choice_response(r, neg, best)
        if status:
            return status, None
    else:
        _merge_headers(r, neg_headers(neg, result))
    cache = r.server.get("mod_negotiation").cache_negotiated_docs
    if not cache and r.protocol in ("HTTP/1.0", "HTTP/0.9") and neg.count_multiviews_variants != 1:
        r.no_cache = True
    return OK, best


def _choice_response(r: Request, neg: Negotiation, variant: Variant) -> int:
    """setup_choice_response: refuse a variant that negotiates again (506), move its
    Vary to Variant-Vary, name it in Content-Location."""
    rr = variant.sub_req
    if rr is None:
        rr = pipeline.lookup_file(r, variant.file_name)
        if rr.status != 200 and rr.err_headers_out.get("TCN") is None:
            return int(rr.status)
        variant.sub_req = rr
    if rr.err_headers_out.get("TCN") is not None or rr.handler == "type-map":
        return 506
    sub_vary = rr.err_headers_out.get("Vary")
    if sub_vary is not None:
        r.err_headers_out.set("Variant-Vary", sub_vary)
        r.err_headers_out.set("Vary", sub_vary)
        rr.err_headers_out.unset("Vary")
    r.err_headers_out.set("Content-Location", escape_path_segment(variant.file_name))
    _merge_headers(r, neg_headers(neg, 1))
    return 0


# ------------------------------------------------------------------ type maps


class _MapUnreadable(Exception):
    """A type map that could not be read (the OSError is its cause)."""


# Error messages name the request's file, which differs between the requests that
# reach one map: the parse keeps a marker in its place.
_SHOWN = "\0apachemw-request-file\0"
_MAPS: ParsedFiles[MapResult] = ParsedFiles(
    lambda path, data: read_type_map(data, _SHOWN, path.rsplit("/", 1)[-1]), _MapUnreadable
)


def _read_map(neg: Negotiation, r: Request, rr: Request) -> int:
    """read_type_map: the map's variants, or its error status. A map is parsed once per
    version of the file (and, on the event loop, read in a worker thread)."""
    path = rr.filename or ""
    try:
        result = _MAPS.load(path, r.may_block)
    except _MapUnreadable as exc:
        cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else None
        r.site.log_error(
            r, "error", "negotiation", f"AH00683: cannot access type map file: {path}", cause
        )
        missing = isinstance(cause, (FileNotFoundError, NotADirectoryError))
        return 404 if missing else 403
    for message in result.errors:
        r.site.log_error(r, "error", "negotiation", message.replace(_SHOWN, r.filename or ""))
    if result.status:
        return result.status
    # Negotiation writes its findings into the variants: each request gets its own.
    neg.variants = [replace(v) for v in result.variants]
    neg.count_multiviews_variants = 0
    info = rr.finfo if rr.finfo is not None else stat_or_none(path)
    r.vlist_validator = _vlist_validator(rr, info, is_file=True)
    return OK


def handle_map_file(r: Request) -> int:
    """handler: a type map's chosen variant, by internal redirect or inline."""
    if r.handler not in TYPE_MAP_HANDLERS:
        return DECLINED
    r.eventful = True  # never memoised: the map's variants are not in the memo's evidence
    neg = _start(r)
    status = _read_map(neg, r, r)
    if status != OK:
        return status
    status, best = _negotiate(r, neg, False)
    if status != OK:
        return status
    assert best is not None
    if best.body:
        return _send_body(r, best)
    if r.path_info and r.uri.endswith(r.path_info):
        # Apache cuts the path info off r->uri itself before redirecting (so %U
        # logs the map's own URI).
        r.uri = r.uri[: len(r.uri) - len(r.path_info)]
    target = escape_uri(pipeline.dirstr_parent(r.uri)) + best.file_name + r.path_info
    if r.args is not None:
        target += "?" + r.args
    return pipeline.internal_redirect(r, target)


def _send_body(r: Request, best: Variant) -> int:
    """An inline Body: GET or POST only; its type, languages and encoding as the map
    says; no validators (Apache sets none for it)."""
    if r.method_number not in ("GET", "POST"):
        return 405
    headers: list[tuple[str, str]] = [("Accept-Ranges", _accept_ranges(r))]
    headers.append(("Content-Length", str(best.bytes)))
    if best.mime_type:
        charset = f"; charset={best.content_charset}" if best.content_charset else ""
        headers.append(("Content-Type", best.mime_type + charset))
    if best.content_languages:
        headers.append(("Content-Language", ",".join(best.content_languages)))
    if best.content_encoding:
        headers.append(("Content-Encoding", best.content_encoding))
    condition = http.meets_conditions(
        r.method,
        r.headers_in.lowered(),
        etag=None,
        mtime=int(r.request_time),
        request_time=r.request_time,
    )
    if condition is not None:
        r.outcome = Outcome(condition, headers[:1], head_only=True)
        return OK
    info = r.finfo
    if best.bytes == 0 or info is None:
        r.outcome = Outcome(200, headers, head_only=r.is_head)
        return OK
    body = FileBody(
        r.filename or "",
        info.st_size,
        [(best.body, best.body + best.bytes - 1)],
        info.st_ino,
        info.st_mtime_ns,
    )
    r.outcome = Outcome(200, headers, file=body, head_only=r.is_head)
    return OK


def _accept_ranges(r: Request) -> str:
    max_ranges = r.per_dir["core"].max_ranges
    return "none" if max_ranges == -1 else "bytes"


# ------------------------------------------------------------------ fixups


def fix_encoding(r: Request) -> int:
    """fixups: send the encoding in the client's own spelling (gzip or x-gzip)."""
    encoding = r.content_encoding
    if not encoding:
        return DECLINED
    # Without the header too: the answer is kept per its value (core.memo).
    r.memo_depends_on(("accept-encoding",))
    accepted = header_line(r.headers_in.get("Accept-Encoding"))
    if accepted is None:
        return DECLINED
    plain = encoding.removeprefix("x-")
    x_spelling = None
    for accept in accepted:
        if accept.name == plain:
            r.content_encoding = accept.name
            return OK
        if accept.name.startswith("x-") and accept.name[2:] == plain:
            x_spelling = accept.name
    if x_spelling is not None:
        r.content_encoding = x_spelling
        return OK
    return DECLINED

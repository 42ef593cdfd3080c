"""mod_rewrite's hooks: server/vhost rules in translate_name (FIRST), per-directory
rules in fixups (FIRST), [T=]/[H=] in fixups (LAST), and the redirect handler that
turns a per-directory rewrite into an internal redirect (hook_uri2file,
hook_fixup, hook_mimetype, handler_redirect in mod_rewrite.c).
"""

from __future__ import annotations

from apachemw.core.fsinfo import exists
from apachemw.core.request import DECLINED, OK, Request
from apachemw.core.uri_escape import escape_uri
from apachemw.modules.core import OPT_SYM_LINKS, OPT_SYM_OWNER
from apachemw.modules.mod_rewrite.config import (
    ANYURI,
    IGNORE_CONTEXT_INFO,
    LEGACY_PREFIX_DOCROOT,
    NOSLASH,
    UNSAFE_PREFIX_STAT,
    UNSAFE_PREFIX_STAT_FLAG,
    RewriteDir,
    RewriteServer,
    Rule,
)
from apachemw.modules.mod_rewrite.engine import (
    ACTION_NOESCAPE,
    ACTION_STATUS,
    ACTION_STATUS_SET,
    Ctx,
    apply_list,
    escape_absolute,
    is_absolute_uri,
    rlog,
)

__all__ = ["REDIRECT_HANDLER", "handler_redirect", "hook_fixup", "hook_mimetype", "hook_uri2file"]

REDIRECT_HANDLER = "redirect-handler"
_ANYURI_HINT = (
    "Consult the manual entry for the RewriteOptions directive for options and caveats "
    "about matching other strings."
)


def _ended(r: Request) -> bool:
    while r.prev is not None:
        r = r.prev
    return bool(r.notes.get("rewrite-end"))


def _unsafe_query(args: str | None) -> bool:
    """ap_scan_vchar_obstext: a query with spaces or control characters."""
    return args is not None and any(ord(c) <= 0x20 or ord(c) == 0x7F for c in args)


def hook_uri2file(r: Request) -> int:
    conf: RewriteServer = r.server.get("mod_rewrite")
    dconf: RewriteDir | None = r.per_dir.get("mod_rewrite")
    if dconf is None or not dconf.state or _ended(r):
        return DECLINED
    if not dconf.options & ANYURI and (r.unparsed_uri == "*" or not r.uri.startswith("/")):
        return DECLINED
    tracing = _tracing(r)
    oargs = r.args
    _script_url(r)
    if "mod_rewrite_rewritten" in r.notes:
        status = r.notes["mod_rewrite_rewritten"]
        lastsub = None
    else:
        if r.filename is None:
            r.filename = r.uri
        if tracing:
            _trace(r, 2, f"init rewrite engine with requested uri {r.uri}")
        status, ctx = apply_list(r, conf.rules, None, conf.maps)
        lastsub = ctx.lastsub
        r.notes["mod_rewrite_rewritten"] = status
    if not status:
        if tracing:
            _trace(r, 1, f"pass through {r.filename}")
        return DECLINED
    return _server_result(r, conf, status, oargs, lastsub)


def _tracing(r: Request) -> bool:
    """LogLevel rewrite:trace1 or more: decided once per hook, before any text is built."""
    result: bool = r.server.get("core").logs("rewrite", "trace1")
    return result


def _trace(r: Request, level: int, text: str, perdir: str | None = None) -> None:
    if r.server.get("core").logs("rewrite", f"trace{level}"):
        rlog(Ctx(r=r, perdir=perdir, tracing=True), level, text)


def _script_url(r: Request) -> None:
    from apachemw.core import pipeline

    if r.main is None:
        r.subprocess_env["SCRIPT_URL"] = r.subprocess_env.get("REDIRECT_SCRIPT_URL", r.uri)
    else:
        r.subprocess_env["SCRIPT_URL"] = r.main.subprocess_env.get("SCRIPT_URL", "")
    r.subprocess_env["SCRIPT_URI"] = pipeline.construct_url(r, r.subprocess_env["SCRIPT_URL"])


def _refuse_query(r: Request, status: int, note: str) -> int | None:
    assert r.filename is not None
    skip = is_absolute_uri(r.filename)[0]
    will_escape = skip and status != ACTION_NOESCAPE
    if r.args is not None and not will_escape and _unsafe_query(r.args):
        r.site.log_error(
            r,
            "error",
            "rewrite",
            f"{note}: Rewritten query string contains control characters or spaces",
        )
        return 403
    return None


def _status_answer(r: Request, status: int) -> int | None:
    if status == ACTION_STATUS:
        answer = r.status
        r.status = 200
        return answer
    if status == ACTION_STATUS_SET:
        return r.status
    return None


def _redirect_answer(
    r: Request, status: int, oargs: str | None, skip: int, perdir: str | None = None
) -> int:
    tracing = _tracing(r)
    assert r.filename is not None
    if status != ACTION_NOESCAPE:
        if tracing:
            _trace(r, 1, f"escaping {r.filename} for redirect", perdir)
        r.filename = escape_absolute(r.filename, skip)
    if r.args is not None:
        noescape = status == ACTION_NOESCAPE or (oargs is not None and r.args == oargs)
        escaped = r.args if noescape else escape_uri(r.args)
        r.filename += "?" + escaped
        verb, shown = ("copying", "") if noescape else ("escaping", escaped)
        if tracing:
            _trace(r, 1, f"{verb} {r.args} to query string for redirect {shown}", perdir)
    answer = r.status if 300 <= r.status < 400 else 302
    r.status = 200
    r.headers_out.set("Location", r.filename)
    if tracing:
        _trace(r, 1, f"redirect to {r.filename} [REDIRECT/{answer}]", perdir)
    return answer


def _server_result(
    r: Request, conf: RewriteServer, status: int, oargs: str | None, lastsub: Rule | None
) -> int:
    tracing = _tracing(r)
    refused = _refuse_query(r, status, "AH10410")
    if refused is not None:
        return refused
    answer = _status_answer(r, status)
    if answer is not None:
        return answer
    assert r.filename is not None
    skip = is_absolute_uri(r.filename)[0]
    if skip:
        return _redirect_answer(r, status, oargs, skip)
    if r.filename.startswith("passthrough:"):
        r.uri = r.filename[len("passthrough:") :]
        return DECLINED
    if tracing:
        _trace(r, 2, f"local path result: {r.filename}")
    if not r.filename.startswith("/"):
        return 400
    reduced = (not conf.options & LEGACY_PREFIX_DOCROOT) and r.notes.get("mod_rewrite_uri_reduced")
    unsafe = bool(conf.options & UNSAFE_PREFIX_STAT)
    if not _prefix_stat(r, r.filename, None if unsafe else lastsub) or reduced:
        from apachemw.modules.core_handler import core_translate

        uri = r.uri
        r.uri = r.filename
        result = core_translate(r)
        r.uri = uri
        if result != OK:
            return result
        if tracing:
            _trace(r, 2, f"prefixed with document_root to {r.filename}")
    if tracing:
        _trace(r, 1, f"go-ahead with {r.filename} [OK]")
    return OK


def _prefix_stat(r: Request, path: str, lastsub: Rule | None) -> bool:
    """prefix_stat: does the first path segment exist on disk (and may it be used)?"""
    segment = path.lstrip("/").split("/", 1)[0]
    if segment == "..":
        return False  # apr_filepath_merge(APR_FILEPATH_NOTABOVEROOT) refuses it
    statpath = "/" + segment
    if not exists(statpath):
        return False
    tracing = _tracing(r)
    if lastsub is None:
        if tracing:
            _trace(r, 3, f"prefix_stat no lastsub subst prefix {statpath}")
        return True
    if tracing:
        flag = UNSAFE_PREFIX_STAT_FLAG if lastsub.unsafe_prefix_stat else 0
        shown = f"{statpath} and lastsub output {lastsub.output} STATOK {flag} "
        _trace(r, 3, f"prefix_stat compare statpath {shown}")
    if lastsub.unsafe_prefix_stat:
        return True
    docroot = r.server.get("core").document_root or ""
    context_root = r.notes.get("context_document_root")
    return (
        _starts_with(r, lastsub.output, statpath)
        or _starts_with(r, path, docroot)
        or (context_root is not None and _starts_with(r, path, context_root))
    )


def _starts_with(r: Request, haystack: str, needle: str) -> bool:
    found = haystack.startswith(needle)
    if _tracing(r):
        _trace(r, 5, f"prefix_stat startsWith({haystack}, {needle}) {int(found)}")
    return found


def hook_fixup(r: Request) -> int:
    dconf: RewriteDir | None = r.per_dir.get("mod_rewrite")
    if dconf is None or not dconf.state or dconf.directory is None:
        return DECLINED
    directory = dconf.directory
    if not dconf.options & NOSLASH and r.filename == directory[:-1]:
        return DECLINED
    if _ended(r):
        if _tracing(r):
            _trace(r, 8, "Declining, no further rewriting due to END flag", directory)
        return DECLINED
    opts = _allow_options(r)
    if not opts & (OPT_SYM_LINKS | OPT_SYM_OWNER):
        r.site.log_error(
            r,
            "error",
            "rewrite",
            "AH00670: Options FollowSymLinks and SymLinksIfOwnerMatch are both off, so the "
            "RewriteRule directive is also forbidden due to its similar ability to circumvent "
            f"directory restrictions : {r.filename}",
        )
        return 403
    tracing = _tracing(r)
    ofilename, oargs = r.filename, r.args
    if r.filename is None:
        r.filename = r.uri
        if tracing:
            _trace(r, 2, f"init rewrite engine with requested uri {r.filename}", directory)
    sconf: RewriteServer = r.server.get("mod_rewrite")
    status, _ = apply_list(r, dconf.rules, directory, sconf.maps)
    if not status:
        if tracing:
            _trace(r, 1, f"pass through {r.filename}", directory)
        r.filename = ofilename
        return DECLINED
    return _perdir_result(r, dconf, status, ofilename, oargs)


def _allow_options(r: Request) -> int:
    core = r.per_dir["core"]
    opts: int = core.opts
    return opts


def _perdir_result(
    r: Request, dconf: RewriteDir, status: int, ofilename: str | None, oargs: str | None
) -> int:
    tracing = _tracing(r)
    refused = _refuse_query(r, status, "AH10411")
    if refused is not None:
        return refused
    answer = _status_answer(r, status)
    if answer is not None:
        return answer
    assert r.filename is not None and dconf.directory is not None
    skip = is_absolute_uri(r.filename)[0]
    if skip:
        if dconf.base is not None:
            _rebase_absolute(r, dconf, skip)
        return _redirect_answer(r, status, oargs, skip, dconf.directory)
    if r.filename.startswith("passthrough:"):
        r.filename = r.filename[len("passthrough:") :]
    if not r.filename.startswith("/"):
        return 400
    if ofilename is not None and r.filename == ofilename:
        # The same file again would loop.
        if tracing:
            shown = f"{r.filename} [IGNORING REWRITE]"
            _trace(r, 1, f"initial URL equal rewritten URL: {shown}", dconf.directory)
        return OK
    before = r.filename
    if dconf.base is not None:
        if tracing:
            shown = f"{dconf.directory} with {dconf.base}"
            _trace(r, 2, f"trying to replace prefix {shown}", dconf.directory)
        r.filename = _subst_prefix(r, r.filename, dconf.directory, dconf.base)
    else:
        docroot = (r.server.get("core").document_root or "").rstrip("/")
        if docroot and r.filename.startswith(docroot + "/"):
            shown = f"{r.filename} -> {r.filename[len(docroot) :]}"
            if tracing:
                _trace(r, 2, f"strip document_root prefix: {shown}", dconf.directory)
            r.filename = r.filename[len(docroot) :]
    if r.filename is before and not dconf.options & IGNORE_CONTEXT_INFO:
        context_root = r.notes.get("context_document_root")
        prefix = r.notes.get("context_prefix")
        if context_root and prefix is not None:
            if tracing:
                shown = f"context docroot {context_root} with context prefix {prefix}"
                _trace(r, 2, f"trying to replace {shown}", dconf.directory)
            r.filename = _subst_prefix(r, r.filename, context_root, prefix)
    r.notes["redirect-keeps-vary"] = True
    if tracing:
        _trace(r, 1, f"internal redirect with {r.filename} [INTERNAL REDIRECT]", dconf.directory)
    r.filename = "redirect:" + r.filename
    r.handler = REDIRECT_HANDLER
    return OK


def _rebase_absolute(r: Request, dconf: RewriteDir, skip: int) -> None:
    assert r.filename is not None and dconf.directory is not None and dconf.base is not None
    slash = r.filename.find("/", skip)
    if slash < 0 or slash + 1 >= len(r.filename):
        return
    tail = r.filename[slash + 1 :]
    directory = dconf.directory[1:] if dconf.directory.startswith("/") else dconf.directory
    replaced = _subst_prefix(r, tail, directory, dconf.base[1:])
    if replaced != tail:
        r.filename = r.filename[: slash + 1] + replaced


def _subst_prefix(r: Request, text: str, match: str, subst: str) -> str:
    """subst_prefix_path: swap a directory prefix for the RewriteBase."""
    if not match.endswith("/"):
        match += "/"
    if not text.startswith(match):
        return text
    rest = text[len(match) :]
    base = subst if not subst or subst.endswith("/") else subst + "/"
    if _tracing(r):
        _trace(r, 5, f"strip matching prefix: {text} -> {rest}")
        _trace(r, 4, f"add subst prefix: {rest} -> {base}{rest}")
    return base + rest


def hook_mimetype(r: Request) -> int:
    forced = r.notes.get("rewrite-forced-mimetype")
    if forced:
        r.content_type = forced
    handler = r.notes.get("rewrite-forced-handler")
    if handler:
        r.handler = handler
    return OK


def handler_redirect(r: Request) -> int:
    from apachemw.core import pipeline

    if r.handler != REDIRECT_HANDLER or not (r.filename or "").startswith("redirect:"):
        return DECLINED
    assert r.filename is not None
    target = r.filename[len("redirect:") :]
    if r.args is not None:
        target += "?" + r.args
    return pipeline.internal_redirect(r, target)

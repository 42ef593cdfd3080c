"""Applying a rule list: apply_rewrite_list / apply_rewrite_rule / apply_rewrite_cond,
the one-pass expansion of substitutions (do_expand, lookup_variable), and the
small URL helpers around them (modules/mappers/mod_rewrite.c).
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, field
from typing import Any

from apachemw.core.exprvars import stat_test, time_variables
from apachemw.core.fsinfo import stat_or_none
from apachemw.core.http import atoi
from apachemw.core.regex import whole_characters
from apachemw.core.request import Request
from apachemw.core.trace import record
from apachemw.core.uri_escape import escape_uri
from apachemw.modules.mod_rewrite.config import Cond, Rule

__all__ = [
    "ACTION_NOESCAPE",
    "ACTION_NORMAL",
    "ACTION_STATUS",
    "ACTION_STATUS_SET",
    "Ctx",
    "apply_list",
    "is_absolute_uri",
]

# The values Apache gives them (trace2 prints one: "uri already rewritten. Status 1").
ACTION_NORMAL, ACTION_NOESCAPE, ACTION_STATUS, ACTION_STATUS_SET = 1, 2, 4, 8
NOMATCH, MATCH, NOSUB, STATUS_SET = 0, 1, 2, 3

# is_absolute_uri: scheme prefixes mod_rewrite treats as absolute, and whether a
# query string makes sense for them.
_SCHEMES = (
    ("ajp://", True),
    ("balancer://", True),
    ("ftp://", False),
    ("fcgi://", True),
    ("gopher://", False),
    ("http://", True),
    ("https://", True),
    ("h2://", True),
    ("h2c://", True),
    ("ldap://", False),
    ("mailto:", True),
    ("news:", False),
    ("nntp://", False),
    ("scgi://", True),
    ("ws://", True),
    ("wss://", True),
)


def is_absolute_uri(uri: str) -> tuple[int, bool]:
    """(length of the scheme prefix or 0, whether a query string applies)."""
    if uri.startswith("/") or len(uri) <= 5:
        return 0, False
    lowered = uri[:12].lower()
    for prefix, query in _SCHEMES:
        if lowered.startswith(prefix):
            return len(prefix), query
    if lowered.startswith("unix:"):
        return (7 if uri[5:7] == "//" else 5), True
    return 0, False


@dataclass
class Backrefs:
    source: str | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)
    texts: tuple[str, ...] | None = None  # captures given as text (an ap_expr match)


@dataclass
class Ctx:
    """rewrite_ctx: the request, the per-directory prefix, backreferences, Vary."""

    r: Request
    perdir: str | None
    uri: str = ""
    rr: Backrefs = field(default_factory=Backrefs)
    rc: Backrefs = field(default_factory=Backrefs)
    vary: list[str] = field(default_factory=list)
    vary_this: list[str] = field(default_factory=list)
    maps: dict[str, Any] = field(default_factory=dict)
    lastsub: Rule | None = None
    tracing: bool = False  # LogLevel rewrite:trace1 or more (checked once per rule list)


def rlog(ctx: Ctx, level: int, text: str, perdir: bool = True) -> None:
    """mod_rewrite's do_rewritelog: an Apache-shaped [rewrite:traceN] error-log line.

    ``perdir=False`` for the lines Apache logs without the per-directory prefix."""
    r = ctx.r
    if not ctx.tracing or not r.server.get("core").logs("rewrite", f"trace{level}"):
        return
    kind = "subreq" if r.main is not None else "initial"
    redir = ""
    depth, cursor = 0, r
    while cursor.prev is not None:
        depth, cursor = depth + 1, cursor.prev
    if depth:
        redir = f"/redir#{depth}"
    shown = f"[perdir {ctx.perdir}] " if ctx.perdir and perdir else ""
    inc = r.incoming
    from apachemw.core import pipeline

    text = (
        f"{inc.client_ip} - - [{pipeline.server_name(r)}/sid#{id(r.server):x}]"
        f"[rid#{id(r):x}/{kind}{redir}] {shown}{text}"
    )
    r.site.log_error(r, f"trace{level}", "rewrite", text)


def _backrefs(source: str, match: Any) -> Backrefs:
    """$0-$9 or %0-%9 of a match: offsets into ``source`` when it is ASCII, else texts
    (a pattern matching bytes may capture part of a character, see core/regex.py)."""
    count = min((match.re.groups or 0) + 1, 10)
    if source.isascii():
        return Backrefs(source, [match.span(i) for i in range(count)])
    return Backrefs(texts=tuple(match.group(i) or "" for i in range(count)))


# ---------------------------------------------------------------- expansion

_SPECIALS = "\\$%"


def _closing_curly(text: str, start: int) -> int:
    depth = 1
    for i in range(start, len(text)):
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        elif text[i] == "{":
            depth += 1
    return -1


def _char_in_curlies(text: str, start: int, char: str) -> int:
    depth = 1
    for i in range(start, len(text)):
        if text[i] == char and depth == 1:
            return i
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return -1
        elif text[i] == "{":
            depth += 1
    return -1


class _Qmark:
    """do_expand's unsafe_qmark tracking: was the (first, or with [QSL] last)
    '?' of the result literal (safe) or produced by an expansion (unsafe)?"""

    def __init__(self, track: bool, qslast: bool) -> None:
        self.tracking = track
        self.qslast = qslast
        self.unsafe = -1

    def literal(self, text: str) -> None:
        if self.tracking and "?" in text:
            self.unsafe = 0
            self.tracking = self.qslast

    def expanded(self, text: str) -> None:
        if self.tracking and "?" in text:
            self.unsafe = 1
            self.tracking = self.qslast


def expand(text: str, ctx: Ctx, rule: Rule | None = None, qmark: _Qmark | None = None) -> str:
    """do_expand: one pass over $N, %N, %{VAR}, ${map:key|default} and backslashes."""
    out: list[str] = []
    pos, length = 0, len(text)
    while pos < length:
        span = pos
        while span < length and text[span] not in _SPECIALS:
            span += 1
        if span > pos:
            literal = text[pos:span]
            if qmark is not None:
                qmark.literal(literal)
            out.append(literal)
            pos = span
            continue
        char = text[pos]
        if char == "\\":
            if pos + 1 >= length:
                out.append("\\")
                break
            out.append(text[pos + 1])
            if qmark is not None:
                qmark.literal(text[pos + 1])
            pos += 2
            continue
        nxt = text[pos + 1] if pos + 1 < length else ""
        if nxt == "{":
            pos = _expand_curly(text, pos, ctx, rule, qmark, out)
        elif nxt.isdigit():
            piece = _backref(ctx, char, int(nxt), rule)
            if piece and qmark is not None:
                qmark.expanded(piece)
            out.append(piece)
            pos += 2
        else:
            out.append(char)
            if qmark is not None:
                qmark.literal(char)
            pos += 1
    result = "".join(out)
    return result if result.isascii() else whole_characters(result)


def _expand_curly(
    text: str, pos: int, ctx: Ctx, rule: Rule | None, qmark: _Qmark | None, out: list[str]
) -> int:
    end = _closing_curly(text, pos + 2)
    if end < 0:
        out.append(text[pos : pos + 2])
        if qmark is not None:
            qmark.literal(text[pos : pos + 2])
        return pos + 2
    if text[pos] == "%":
        value = lookup_variable(text[pos + 2 : end], ctx)
    else:
        colon = _char_in_curlies(text, pos + 2, ":")
        if colon < 0:
            out.append(text[pos : pos + 2])
            return pos + 2
        value = _map_value(text, pos, colon, end, ctx, rule)
    if value and qmark is not None:
        qmark.expanded(value)
    out.append(value)
    return end + 1


def _map_value(text: str, pos: int, colon: int, end: int, ctx: Ctx, rule: Rule | None) -> str:
    name = text[pos + 2 : colon]
    bar = _char_in_curlies(text, colon + 1, "|")
    key_text = text[colon + 1 : bar if 0 <= bar < end else end]
    default = text[bar + 1 : end] if 0 <= bar < end else None
    found = lookup_map(ctx, name, expand(key_text, ctx, rule))
    if found is None and default:
        found = expand(default, ctx, rule)
    return found or ""


def lookup_map(ctx: Ctx, name: str, key: str) -> str | None:
    entry = ctx.maps.get(name)
    if entry is None:
        ctx.r.site.log_error(
            ctx.r, "error", "rewrite", f"AH00657: map lookup FAILED: map={name} key={key}"
        )
        return None
    trace = (lambda level, text: rlog(ctx, level, text, perdir=False)) if ctx.tracing else None
    result: str | None = entry.lookup(key, trace)
    return result


def _backref(ctx: Ctx, char: str, n: int, rule: Rule | None) -> str:
    refs = ctx.rr if char == "$" else ctx.rc
    if refs.texts is not None:
        piece = refs.texts[n] if n < len(refs.texts) else ""
        if not piece:
            return ""
    elif refs.source is None or n >= len(refs.spans):
        return ""
    else:
        start, end = refs.spans[n]
        if start < 0 or end <= start:
            return ""
        piece = refs.source[start:end]
    if rule is not None and rule.escape_backref:
        escaped = escape_backref(piece, rule)
        if ctx.tracing:
            rlog(ctx, 5, f"escaping backreference '{piece}' to '{escaped}'")
        piece = escaped
    return piece


_VCHAR = frozenset(range(0x21, 0x7F))


def escape_backref(text: str, rule: Rule) -> str:
    """[B]: escape everything but [A-Za-z0-9_] (or only the [B=...] set), lower-case hex."""
    out: list[str] = []
    escapes, noescapes = rule.escapes, rule.noescapes
    for byte in text.encode("utf-8", "surrogateescape"):
        char = chr(byte)
        candidate = (byte not in _VCHAR and byte < 0x80) if rule.escape_ctls else escapes is None
        if escapes is not None and char in escapes:
            candidate = True
        if candidate and not (noescapes and char in noescapes):
            if char.isascii() and (char.isalnum() or char == "_"):
                out.append(char)
            elif char == " " and not rule.escape_noplus:
                out.append("+")
            else:
                out.append(f"%{byte:02x}")
        else:
            out.append(char)
    return "".join(out).encode("latin-1").decode("utf-8", "surrogateescape")


def _header(ctx: Ctx, name: str) -> str | None:
    value = ctx.r.headers_in.get(name)
    if value is not None and name.lower() != "host":
        ctx.vary_this.append(name)
    return value


def lookup_variable(var: str, ctx: Ctx) -> str:
    """lookup_variable: %{NAME}, %{ENV:x}, %{HTTP:x}, %{LA-U:x}, %{LA-F:x}."""
    r = ctx.r
    if len(var) < 4:
        return ""
    if var[3] == ":" and var[:3].upper() == "ENV" and len(var) > 4:
        name = var[4:]
        value = r.notes.get(name) if isinstance(r.notes.get(name), str) else None
        if value is None:
            value = r.subprocess_env.get(name)
        if value is None:
            value = os.environ.get(name)
        return value or ""
    if var[3] == ":" and var[:3].upper() == "SSL":
        return ""
    if len(var) > 5 and var[4] == ":":
        kind = var[:4].upper()
        if kind == "HTTP":
            return _header(ctx, var[5:]) or ""
        if kind in ("LA-U", "LA-F"):
            return _look_ahead(kind, var[5:], ctx)
        return ""
    return _server_variable(var.upper(), ctx)


def _look_ahead(kind: str, var: str, ctx: Ctx) -> str:
    """%{LA-U:var} / %{LA-F:var}: the variable as a subrequest for the URL or
    the file being rewritten would see it."""
    from apachemw.core import pipeline

    r = ctx.r
    if not ctx.uri or not subreq_ok(r):
        return ""
    conf = r.per_dir.get("mod_rewrite")
    path = ctx.uri
    if kind == "LA-U":
        if ctx.perdir and not path.startswith("/") and conf is not None:
            path = (conf.base or conf.directory or "") + path
        rr = pipeline.lookup_uri(r, path)
    elif ctx.perdir and path.startswith("/"):
        rr = pipeline.lookup_uri(r, path)
    else:
        if ctx.perdir and conf is not None:
            path = (conf.directory or "") + path
        rr = pipeline.lookup_file(r, path)
    saved = ctx.r
    ctx.r = rr
    try:
        value = lookup_variable(var, ctx)
    finally:
        ctx.r = saved
    if ctx.tracing:
        rlog(ctx, 5, f"lookahead: path={path} var={var} -> val={value}")
    return value


def subreq_ok(r: Request) -> bool:
    """Avoid an endless subrequest loop: never look ahead at the same URI."""
    return r.main is None or (bool(r.main.uri) and bool(r.uri) and r.main.uri != r.uri)


def _time_value(name: str) -> str | None:
    # mod_rewrite reads the clock when the variable is expanded (apr_time_now).
    return time_variables(time.time()).get(name)


def _server_variable(name: str, ctx: Ctx) -> str:
    from apachemw.core import pipeline

    r = ctx.r
    timed = _time_value(name)
    if timed is not None:
        return timed
    headers = {
        "HTTP_HOST": "Host",
        "HTTP_ACCEPT": "Accept",
        "HTTP_COOKIE": "Cookie",
        "HTTP_REFERER": "Referer",
        "HTTP_FORWARDED": "Forwarded",
        "HTTP_USER_AGENT": "User-Agent",
        "HTTP_PROXY_CONNECTION": "Proxy-Connection",
    }
    if name in headers:
        return _header(ctx, headers[name]) or ""
    inc = r.incoming
    core = r.server.get("core")
    simple: dict[str, Any] = {
        "IPV6": "off" if ":" not in inc.client_ip else "on",
        "HTTPS": "on" if inc.scheme == "https" else "off",
        "IS_SUBREQ": "true" if r.main is not None else "false",
        "PATH_INFO": r.path_info,
        "AUTH_TYPE": r.auth_type,
        "REMOTE_ADDR": inc.client_ip,
        "SERVER_ADDR": inc.local_addr,
        "THE_REQUEST": r.the_request,
        "API_VERSION": "20120211:142",
        "REMOTE_HOST": inc.remote_host or inc.client_ip,
        "REMOTE_PORT": str(inc.remote_port),
        "REMOTE_USER": r.user,
        "REMOTE_IDENT": None,
        "REQUEST_URI": r.uri,
        "QUERY_STRING": r.args,
        "SERVER_ADMIN": core.server_admin,
        "DOCUMENT_ROOT": core.document_root,
        "REQUEST_METHOD": r.method,
        "REQUEST_SCHEME": pipeline.http_scheme(r),
        "SCRIPT_FILENAME": r.filename,
        "REQUEST_FILENAME": r.filename,
        "SERVER_PROTOCOL": r.protocol,
        "SERVER_SOFTWARE": "Apache/2.4.71 (Debian)",
        "CONTEXT_PREFIX": r.notes.get("context_prefix", ""),
        "CONTEXT_DOCUMENT_ROOT": r.notes.get("context_document_root", core.document_root),
        "REQUEST_STATUS": str(r.status) if r.status else None,
    }
    if name == "SERVER_NAME":
        return pipeline.server_name(r)
    if name == "SERVER_PORT":
        return str(pipeline.server_port(r))
    if name in ("SCRIPT_USER", "SCRIPT_GROUP"):
        return _owner(r, name == "SCRIPT_USER")
    value = simple.get(name)
    return value if isinstance(value, str) else ""


def _owner(r: Request, user: bool) -> str:
    import grp
    import pwd

    if r.finfo is None:
        return "<unknown>"
    try:
        return (
            pwd.getpwuid(r.finfo.st_uid).pw_name if user else grp.getgrgid(r.finfo.st_gid).gr_name
        )
    except KeyError:
        return "<unknown>"


# ---------------------------------------------------------------- conditions


def _compare(a: str, b: str) -> int:
    """compare_lexicography: length first, then bytes."""
    if len(a) != len(b):
        return 1 if len(a) > len(b) else -1
    return (a > b) - (a < b)


def _casecmp(a: str, b: str) -> int:
    a, b = a.lower(), b.lower()
    return (a > b) - (a < b)


class _ExprContext:
    """What ap_expr asks of the request, answered as mod_rewrite's variables are."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx

    def variable(self, name: str) -> str:
        return _server_variable(name.upper(), self.ctx)

    def header(self, name: str) -> str | None:
        return self.ctx.r.headers_in.get(name)

    def env(self, name: str) -> str | None:
        r = self.ctx.r
        note = r.notes.get(name)
        return note if isinstance(note, str) else r.subprocess_env.get(name)

    def note(self, name: str) -> str | None:
        value = self.ctx.r.notes.get(name)
        return value if isinstance(value, str) else None

    def file_exists(self, path: str, test: str) -> bool:
        if test == "U":
            return _lookahead_url(path, self.ctx)
        if test == "F":
            return _lookahead_file(path, self.ctx)
        return stat_test(path, test)


def _apply_expr(cond: Cond, ctx: Ctx) -> bool:
    """RewriteCond expr: ap_expr's verdict, its Vary, and its captures as %N."""
    result = cond.expr.execute(_ExprContext(ctx))
    if result.error:
        ctx.r.site.log_error(
            ctx.r,
            "error",
            "rewrite",
            f"RewriteCond: expr='{cond.pattern}' evaluation failed: {result.error}",
        )
    if result.vary and not cond.novary:
        # ap_expr adds its Vary to the response itself, whatever the verdict.
        _merge_vary(ctx.r, list(result.vary))
    value = bool(result.value) and not result.error
    if value and not cond.negate:
        ctx.rc = Backrefs(texts=tuple(result.backrefs))
    record(
        ctx.r,
        "rewrite cond",
        at=cond.source,
        input="expr",
        pattern=cond.pattern,
        kind="expr",
        negate=cond.negate,
        result=value != cond.negate,
    )
    return bool(value != cond.negate)


def apply_cond(cond: Cond, ctx: Ctx) -> bool:
    if cond.ptype == "expr":
        return _apply_expr(cond, ctx)
    text = expand(cond.input, ctx)
    kind = cond.ptype
    result: bool
    if kind == "-f":
        st = stat_or_none(text)
        result = st is not None and stat.S_ISREG(st.st_mode)
    elif kind == "-s":
        st = stat_or_none(text)
        result = st is not None and stat.S_ISREG(st.st_mode) and st.st_size > 0
    elif kind in ("-l", "-L", "-h"):
        st = stat_or_none(text, follow=False)
        result = st is not None and stat.S_ISLNK(st.st_mode)
    elif kind == "-d":
        st = stat_or_none(text)
        result = st is not None and stat.S_ISDIR(st.st_mode)
    elif kind == "-x":
        st = stat_or_none(text)
        result = st is not None and bool(st.st_mode & 0o111)
    elif kind == "-U":
        result = _lookahead_url(text, ctx, trace=True)
    elif kind == "-F":
        result = _lookahead_file(text, ctx, trace=True)
    elif kind in (">", ">=", "<", "<="):
        cmp = _casecmp(text, cond.pattern) if cond.nocase else _compare(text, cond.pattern)
        result = {">": cmp >= 1, ">=": cmp >= 0, "<": cmp <= -1, "<=": cmp <= 0}[kind]
    elif kind == "=":
        result = (text.lower() == cond.pattern.lower()) if cond.nocase else text == cond.pattern
    elif kind in ("-eq", "-lt", "-le", "-gt", "-ge"):
        a, b = atoi(text), atoi(cond.pattern)
        result = {"-eq": a == b, "-lt": a < b, "-le": a <= b, "-gt": a > b, "-ge": a >= b}[kind]
    else:
        assert cond.regex is not None
        match = cond.regex.search(text)
        result = match is not None
        if match is not None and not cond.negate:
            ctx.rc = _backrefs(text, match)
    record(
        ctx.r,
        "rewrite cond",
        at=cond.source,
        input=text,
        pattern=cond.pattern,
        kind=cond.ptype,
        negate=cond.negate,
        result=result != cond.negate,
    )
    if ctx.tracing:
        flags = " [NC]" if cond.nocase else ""
        verdict = "matched" if result != cond.negate else "not-matched"
        bang = "!" if cond.negate else ""
        rlog(
            ctx,
            4,
            f"RewriteCond: input='{text}' pattern='{bang}{cond.pattern}'{flags} => {verdict}",
        )
    return result != cond.negate


def _lookahead_url(text: str, ctx: Ctx, trace: bool = False) -> bool:
    """CondPattern -U (and ap_expr's -U, which logs nothing of mod_rewrite's)."""
    from apachemw.core import pipeline

    if not text or not subreq_ok(ctx.r):
        return False
    rr = pipeline.lookup_uri(ctx.r, text)
    if trace and ctx.tracing:
        rlog(ctx, 5, f"RewriteCond URI (-U check: path={text} -> status={rr.status}", False)
    return rr.status < 400


def _lookahead_file(text: str, ctx: Ctx, trace: bool = False) -> bool:
    """CondPattern -F (and ap_expr's -F)."""
    from apachemw.core import pipeline

    if not text or not subreq_ok(ctx.r):
        return False
    rr = pipeline.lookup_file(ctx.r, text)
    if trace and ctx.tracing:
        shown = f"path={text} -> file={rr.filename} status={rr.status}"
        rlog(ctx, 5, f"RewriteCond file (-F check: {shown}", False)
    return rr.status < 300 and rr.filename is not None and stat_or_none(rr.filename) is not None


# ---------------------------------------------------------------- rules


def _set_env(items: list[str], ctx: Ctx) -> None:
    for item in items:
        name = expand(item, ctx)
        if name.startswith("!"):
            ctx.r.subprocess_env.pop(name[1:], None)
            if ctx.tracing:
                rlog(ctx, 5, f"unsetting env variable '{name[1:]}'", False)
            continue
        key, _, value = name.partition(":")
        ctx.r.subprocess_env[key] = value
        if ctx.tracing:
            rlog(ctx, 5, f"setting env variable '{key}' to '{value}'", False)


def _set_cookies(items: list[str], ctx: Ctx) -> None:
    for item in items:
        _add_cookie(expand(item, ctx), ctx)


def _cookie_fields(spec: str) -> list[str]:
    """apr_strtok over [CO=...]: ':' (or ';' when the value starts with one) separates
    fields, and empty fields vanish, so later ones move up."""
    sep = ":"
    if spec.startswith(";"):
        sep, spec = ";", spec[1:]
    return [part for part in spec.split(sep) if part]


def _cookie_expiry(r: Request, minutes: str) -> str | None:
    count = atoi(minutes)
    if not count:
        return None
    stamp = time.gmtime(r.request_time + 60 * count)
    return time.strftime("%a, %d-%b-%Y %H:%M:%S GMT", stamp)


def _nth(fields: list[str], index: int) -> str | None:
    return fields[index] if index < len(fields) else None


def _flag_true(value: str | None, word: str) -> bool:
    return (value is not None and value.lower() in ("true", word.lower())) or value == "1"


def _add_cookie(spec: str, ctx: Ctx) -> None:
    """add_cookie: [CO=name:value:domain[:lifetime[:path[:secure[:httponly[:samesite]]]]]],
    set once per name on the main request (internal redirects included)."""
    fields = _cookie_fields(spec)
    if len(fields) < 3:
        return
    rmain = ctx.r
    while rmain.main is not None:
        rmain = rmain.main
    name, value, domain = fields[:3]
    expires, path, secure, httponly, samesite = (_nth(fields, i) for i in range(3, 8))
    seen = _chain_root(rmain).notes.setdefault("rewrite-cookies", set())
    main_ctx = Ctx(r=rmain, perdir=None, tracing=ctx.tracing)
    if name in seen:
        if ctx.tracing:
            rlog(main_ctx, 5, f"skipping already set cookie '{name}'")
        return
    cookie = f"{name}={value}; path={path or '/'}; domain={domain}"
    stamp = _cookie_expiry(rmain, expires) if expires is not None else None
    if stamp is not None:
        cookie += f"; expires={stamp}"
    # apr_pstrcat stops at the first NULL argument, and "not secure" is one: HttpOnly
    # only follows a secure cookie.
    if _flag_true(secure, "secure"):
        cookie += "; secure"
        if _flag_true(httponly, "HttpOnly"):
            cookie += "; HttpOnly"
    if samesite is not None and samesite != "0" and samesite.lower() != "false":
        cookie += f"; SameSite={samesite}"
    rmain.err_headers_out.add("Set-Cookie", cookie)
    seen.add(name)
    if ctx.tracing:
        rlog(main_ctx, 5, f"setting cookie '{cookie}'")


def _forced_type_handler(rule: Rule, ctx: Ctx) -> None:
    if rule.forced_type:
        value = expand(rule.forced_type, ctx, rule)
        if value:
            ctx.r.notes["rewrite-forced-mimetype"] = value.lower()
    if rule.forced_handler:
        value = expand(rule.forced_handler, ctx, rule)
        if value:
            ctx.r.notes["rewrite-forced-handler"] = value.lower()


def _match_input(rule: Rule, ctx: Ctx) -> str:
    r = ctx.r
    uri = r.filename or ""
    if ctx.perdir:
        if r.path_info:
            if ctx.tracing:
                rlog(ctx, 3, f"add path info postfix: {uri} -> {uri}{r.path_info}")
            uri += r.path_info
        if uri.startswith(ctx.perdir):
            if ctx.tracing:
                rlog(ctx, 3, f"strip per-dir prefix: {uri} -> {uri[len(ctx.perdir) :]}")
            uri = uri[len(ctx.perdir) :]
    return uri


def _conditions(rule: Rule, ctx: Ctx) -> bool:
    conds = rule.conds
    i = 0
    while i < len(conds):
        cond = conds[i]
        ok = apply_cond(cond, ctx)
        if cond.novary:
            ctx.vary_this = []
        if cond.ornext:
            if not ok:
                ctx.vary_this = []
                i += 1
                continue
            while i < len(conds) and conds[i].ornext:
                i += 1
        elif not ok:
            return False
        if ctx.vary_this:
            ctx.vary.extend(ctx.vary_this)
            ctx.vary_this = []
        i += 1
    return True


def apply_rule(rule: Rule, ctx: Ctx) -> int:
    r = ctx.r
    ctx.uri = _match_input(rule, ctx)
    if rule.prefix is not None and not ctx.uri.startswith(rule.prefix):
        match = None  # the regex cannot match: same answer, without running it
    else:
        match = rule.regex.search(ctx.uri)
    if ctx.tracing:
        rlog(ctx, 3, f"applying pattern '{rule.pattern}' to uri '{ctx.uri}'")
    record(
        r,
        "rewrite rule",
        at=rule.source,
        input=ctx.uri,
        pattern=rule.pattern,
        negate=rule.negate,
        matched=(match is not None) != rule.negate,
        perdir=ctx.perdir,
    )
    if (match is not None) == rule.negate:
        return NOMATCH
    # From here the answer depends on more than the URI (conditions read headers,
    # the time, maps, other files): never reuse it from the static-answer memo.
    r.eventful = True
    ctx.vary_this = []
    ctx.rc = Backrefs()
    ctx.rr = Backrefs() if rule.negate or match is None else _backrefs(ctx.uri, match)
    if not _conditions(rule, ctx):
        return NOMATCH
    newuri = ""
    if not rule.nosub:
        qmark = _Qmark(not rule.unsafe_allow_3f, rule.qslast)
        newuri = expand(rule.output, ctx, rule, qmark)
        if ctx.tracing:
            rlog(ctx, 2, f"rewrite '{ctx.uri}' -> '{newuri}'")
        if qmark.unsafe > 0:
            r.site.log_error(
                r,
                "error",
                "rewrite",
                "AH10508: Unsafe URL with %3f URL rewritten without UnsafeAllow3F",
            )
            r.status = 403
            return STATUS_SET
    _set_env(rule.env, ctx)
    _set_cookies(rule.cookies, ctx)
    if rule.nosub:
        _forced_type_handler(rule, ctx)
        if rule.status_flag:
            r.status = rule.status
        return NOSUB
    ctx.lastsub = rule
    prefix_added = False
    if not newuri.startswith("/") and not is_absolute_uri(newuri)[0]:
        if ctx.perdir:
            if ctx.tracing:
                rlog(ctx, 3, f"add per-dir prefix: {newuri} -> {ctx.perdir}{newuri}")
            newuri = ctx.perdir + newuri
            prefix_added = True
        elif not rule.redirect:
            newuri = "/" + newuri
            prefix_added = True
    r.filename = newuri
    record(r, "rewrite substitution", at=rule.source, result=newuri, flags=_flag_names(rule))
    if ctx.perdir and rule.discard_path_info:
        r.path_info = ""
    _split_query(r, rule)
    if rule.redirect:
        _fully_qualify(r)
        if ctx.tracing:
            rlog(ctx, 2, f"explicitly forcing redirect with {r.filename}")
        r.status = rule.status
        return MATCH
    _reduce_uri(r)
    if is_absolute_uri(r.filename)[0]:
        r.status = rule.status
        return MATCH
    if not (rule.unc or prefix_added) and not rule.output.startswith("//"):
        while r.filename.startswith("//"):
            r.filename = r.filename[1:]
    _forced_type_handler(rule, ctx)
    return MATCH


def _flag_names(rule: Rule) -> list[str]:
    names = {
        "redirect": "R",
        "last": "L",
        "end": "END",
        "chain": "C",
        "next_round": "N",
        "passthrough": "PT",
        "noescape": "NE",
        "qsappend": "QSA",
        "qsdiscard": "QSD",
        "qslast": "QSL",
        "escape_backref": "B",
        "nocase": "NC",
        "nosubreq": "NS",
        "discard_path_info": "DPI",
        "unsafe_allow_3f": "UnsafeAllow3F",
    }
    return [flag for attr, flag in names.items() if getattr(rule, attr)]


def _split_query(r: Request, rule: Rule) -> None:
    """splitout_queryargs: move a '?' of the new target into r.args ([QSA/QSD/QSL])."""
    assert r.filename is not None
    if rule.qsnone:
        r.args = None
        return
    skip, supports_query = is_absolute_uri(r.filename)
    if skip and not supports_query:
        r.args = None
        return
    if rule.qsdiscard:
        r.args = None
    tail = r.filename[skip:]
    index = tail.rfind("?") if rule.qslast else tail.find("?")
    if index < 0:
        return
    olduri = r.filename
    query = tail[index + 1 :]
    r.filename = r.filename[: skip + index]
    if rule.qsappend:
        if query:
            r.args = query + "&" + r.args if r.args is not None else query + "&"
    else:
        r.args = query
    if r.args is not None:
        if not r.args:
            r.args = None
        elif r.args.endswith("&"):
            r.args = r.args[:-1]
    if r.server.get("core").logs("rewrite", "trace3"):
        shown = f"uri={r.filename}, args={r.args if r.args is not None else '<none>'}"
        rlog(Ctx(r=r, perdir=None, tracing=True), 3, f"split uri={olduri} -> {shown}")


def _fully_qualify(r: Request) -> None:
    from apachemw.core import pipeline

    assert r.filename is not None
    if r.method == "CONNECT" or is_absolute_uri(r.filename)[0]:
        return
    url = pipeline.construct_url(r, "")
    r.filename = url + ("" if r.filename.startswith("/") else "/") + r.filename


def _reduce_uri(r: Request) -> None:
    """reduce_uri: "http://this-server[:port]/path" becomes the local "/path"."""
    from apachemw.core import pipeline

    assert r.filename is not None
    scheme = pipeline.http_scheme(r)
    prefix = scheme + "://"
    if len(r.filename) <= len(prefix) or r.filename[: len(prefix)].lower() != prefix:
        return
    rest = r.filename[len(prefix) :]
    slash = rest.find("/")
    authority, url = (rest, "/") if slash < 0 else (rest[:slash], rest[slash:])
    host, colon, port_text = authority.partition(":")
    default = 80 if scheme == "http" else 443
    port = atoi(port_text) if colon else default
    if host.lower() == pipeline.server_name(r).lower() and port == r.incoming.local_port:
        r.filename = url or "/"
        r.notes["mod_rewrite_uri_reduced"] = True


def apply_list(
    r: Request, rules: list[Rule], perdir: str | None, maps: dict[str, Any]
) -> tuple[int, Ctx]:
    """apply_rewrite_list: rules in order, with C, S, N, L, END, PT."""
    ctx = Ctx(r=r, perdir=perdir, maps=maps)
    ctx.tracing = r.server.get("core").logs("rewrite", "trace1")
    changed = 0
    rounds = 1
    restart = True
    while restart:
        restart = False
        i = 0
        while i < len(rules):
            rule = rules[i]
            if r.main is not None and (rule.nosubreq or rule.redirect):
                i += 1
                continue
            ctx.vary = []
            rc = apply_rule(rule, ctx)
            if rc == NOMATCH:
                while i < len(rules) and rules[i].chain:
                    i += 1
                i += 1
                continue
            if ctx.vary:
                _merge_vary(r, ctx.vary)
            if rc == STATUS_SET:
                return ACTION_STATUS_SET, ctx
            if rule.status_flag:
                return ACTION_STATUS, ctx
            if rc != NOSUB:
                changed = ACTION_NOESCAPE if rule.noescape else ACTION_NORMAL
                if ctx.tracing:
                    rlog(ctx, 2, f"setting lastsub to rule with output {rule.output}")
            if rule.passthrough:
                if ctx.tracing:
                    rlog(
                        ctx,
                        2,
                        f"forcing '{r.filename}' to get passed through to next API "
                        "URI-to-filename handler",
                    )
                r.filename = "passthrough:" + (r.filename or "")
                return ACTION_NORMAL, ctx
            if rule.end:
                if ctx.tracing:
                    rlog(ctx, 8, "Rule has END flag, no further rewriting for this request")
                _chain_root(r).notes["rewrite-end"] = True
                return changed, ctx
            if rule.last:
                return changed, ctx
            if rule.next_round:
                rounds += 1
                if rounds >= rule.max_rounds:
                    r.site.log_error(
                        r,
                        "error",
                        "rewrite",
                        f"AH02596: RewriteRule '{rule.pattern}' and URI '{r.uri}' exceeded "
                        f"maximum number of rounds ({rule.max_rounds}) via the [N] flag",
                    )
                    r.status = 500
                    return ACTION_STATUS, ctx
                restart = True
                break
            i += 1 + max(rule.skip, 0)
    return changed, ctx


def _merge_vary(r: Request, names: list[str]) -> None:
    current = r.headers_out.get("Vary")
    merged = ", ".join(names) if current is None else current + ", " + ", ".join(names)
    r.headers_out.set("Vary", merged)


def _chain_root(r: Request) -> Request:
    """The request whose pool internal redirects share (END is remembered there)."""
    while r.prev is not None:
        r = r.prev
    return r


def escape_absolute(uri: str, skip: int) -> str:
    """escape_absolute_uri: keep scheme://host, escape the path."""
    if not skip or len(uri) < skip:
        return uri
    pos = skip
    if uri[pos - 1] == "/":
        while pos < len(uri) and uri[pos] != "/":
            pos += 1
        if pos >= len(uri) or pos + 1 >= len(uri):
            return uri
        pos += 1
    return uri[:pos] + escape_uri(uri[pos:])

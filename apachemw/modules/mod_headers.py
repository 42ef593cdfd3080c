"""mod_headers: Header and RequestHeader, with every action as modules/metadata/mod_headers.c
performs it.

``Header`` (onsuccess) edits headers_out and ``Header always`` err_headers_out, on the final
response — Apache's own or the wrapped app's — through the output filter; on Apache's
error pages only the ``always`` lines run. ``RequestHeader`` edits the request headers in
fixups (last), so the app sees them. ``early`` lines run when the request is read.
Conditions: ``env=[!]var`` and ``expr=...``. Values: text with ``\\n``-style escapes and
the ``%t``, ``%D``, ``%{VAR}e`` tags, or ``expr=`` a string expression.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apachemw.config.directives import OR_FILEINFO, Args, Cmd, DirectiveError, Module
from apachemw.config.expr import Expr, ExprError, parse_expr
from apachemw.config.parser import getword
from apachemw.config.rows import row
from apachemw.core.exprvars import RequestExprContext, execute
from apachemw.core.http import canonical_name
from apachemw.core.regex import compile_pattern
from apachemw.core.request import DECLINED, Request

__all__ = ["MODULE", "HeadersDir"]

ACTIONS = ("set", "setifempty", "add", "append", "merge", "unset", "echo", "edit", "edit*", "note")
Headers = list[tuple[str, str]]


@dataclass
class Entry:
    action: str
    header: str
    tags: list[tuple[str, str]] = field(default_factory=list)  # (kind, argument)
    value_expr: Expr | None = None
    regex: Any = None
    condition_var: str | None = None
    early: bool = False
    expr: Expr | None = None
    where: str = ""

    @property
    def per_request(self) -> bool:
        """Whether the result depends on the request (not only on the configuration)."""
        tags = any(kind in ("t", "D", "e") for kind, _ in self.tags)
        conditional = self.condition_var is not None or self.expr is not None
        reads_request = self.action in ("echo", "note") or self.value_expr is not None
        return tags or conditional or reads_request


@dataclass
class HeadersDir:
    fixup_in: list[Entry] = field(default_factory=list)
    fixup_out: list[Entry] = field(default_factory=list)
    fixup_err: list[Entry] = field(default_factory=list)


def merge_dir(base: HeadersDir, add: HeadersDir) -> HeadersDir:
    return HeadersDir(
        base.fixup_in + add.fixup_in,
        base.fixup_out + add.fixup_out,
        base.fixup_err + add.fixup_err,
    )


# ------------------------------------------------------------------ directives


def _words(raw: str) -> list[str]:
    out, pos = [], 0
    while pos < len(raw):
        word, pos = getword(raw, pos)
        out.append(word)
    return out


def _header_cmd(cmd: Cmd, args: Any) -> None:
    """header_cmd: [always|onsuccess] action header [value] [replacement] [condition]."""
    words = _words(cmd.node.raw_args)
    request = cmd.node.lname == "requestheader"
    table = "in" if request else "out"
    if not request and words and words[0].lower() in ("always", "onsuccess"):
        table = "err" if words.pop(0).lower() == "always" else "out"
    action, header = [*words, "", ""][:2]
    rest = words[2:]
    if len(rest) > 3:
        raise DirectiveError(f"{cmd.node.name} has too many arguments")
    value, subs, envclause = [*rest, None, None, None][:3]
    entry = _entry(cmd, table, action, header, value, subs, envclause)
    conf: HeadersDir = cmd.dir()
    {"in": conf.fixup_in, "out": conf.fixup_out, "err": conf.fixup_err}[table].append(entry)


def _entry(
    cmd: Cmd,
    table: str,
    action: str,
    header: str,
    value: str | None,
    subs: str | None,
    envclause: str | None,
) -> Entry:
    """header_inout_cmd."""
    lowered = action.lower()
    if lowered not in ACTIONS:
        raise DirectiveError(
            "first argument must be 'add', 'set', 'setifempty', 'append', 'merge', 'unset', "
            "'echo', 'note', 'edit', or 'edit*'."
        )
    entry = Entry(lowered, header, where=cmd.where())
    if lowered in ("edit", "edit*"):
        if subs is None:
            raise DirectiveError("Header edit requires a match and a substitution")
        entry.regex = _compile(value or "", "Header edit regex could not be compiled")
    else:
        if envclause is not None:
            raise DirectiveError("Too many arguments to directive")
        envclause = subs
    if lowered == "unset" and value is not None:
        if envclause is not None:
            raise DirectiveError("header unset takes two arguments")
        envclause, value = value, None
    elif lowered == "echo":
        if value is not None:
            if envclause is not None:
                raise DirectiveError("Header echo takes two arguments")
            envclause, value = value, None
        if table == "in":
            raise DirectiveError("Header echo only valid on Header directives")
        entry.regex = _compile(header, "Header echo regex could not be compiled")
    elif lowered != "unset" and value is None:
        raise DirectiveError("Header requires three arguments")
    _condition(entry, envclause)
    if ":" in header:
        entry.header = header[: header.index(":")]
    _value(entry, subs if lowered in ("edit", "edit*") else value)
    return entry


def _compile(pattern: str, message: str) -> Any:
    try:
        return compile_pattern(pattern)
    except re.error:
        raise DirectiveError(message) from None


def _condition(entry: Entry, envclause: str | None) -> None:
    if envclause is None:
        return
    lowered = envclause.lower()
    if lowered == "early":
        entry.early = True
    elif lowered.startswith("env="):
        name = envclause[4:]
        if not name or name == "!":
            raise DirectiveError(
                "error: missing environment variable name. envclause should be in the form "
                "env=envar "
            )
        entry.condition_var = name
    elif lowered.startswith("expr="):
        try:
            entry.expr = parse_expr(envclause[5:])
        except ExprError as exc:
            raise DirectiveError(f"Can't parse envclause/expression: {exc}") from None
    else:
        raise DirectiveError(f"Unknown parameter: {envclause}")


def _value(entry: Entry, text: str | None) -> None:
    """parse_format_string: literal runs (with \\n \\r \\t \\\\) and %-tags, or expr=."""
    if entry.action in ("unset", "echo") or text is None:
        return
    if text.startswith("expr="):
        try:
            entry.value_expr = parse_expr(text[5:], string=True)
        except ExprError as exc:
            raise DirectiveError(f"Can't parse value expression : {exc}") from None
        return
    pos = 0
    while pos < len(text):
        if text[pos] != "%":
            end = text.find("%", pos)
            end = len(text) if end < 0 else end
            entry.tags.append(("", _unescape(text[pos:end])))
            pos = end
            continue
        pos += 1
        if pos >= len(text) or text[pos] == "%":
            entry.tags.append(("", "%"))
            pos += 1
            continue
        arg = ""
        if text[pos] == "{":
            close = text.find("}", pos)
            close = len(text) if close < 0 else close
            arg, pos = text[pos + 1 : close], close + 1
        letter = text[pos : pos + 1]
        if letter not in _TAGS:
            raise DirectiveError(f"Unrecognized header format %{letter}")
        entry.tags.append((letter, arg))
        pos += 1


def _unescape(text: str) -> str:
    """parse_misc_string: \\\\ \\r \\n \\t become their characters; other backslashes stay."""
    return re.sub(
        r"\\([\\rnt])", lambda m: {"\\": "\\", "r": "\r", "n": "\n", "t": "\t"}[m[1]], text
    )


# ------------------------------------------------------------------ values


def _env_tag(r: Request, arg: str) -> str:
    value = r.subprocess_env.get(arg)
    return "(null)" if value is None else value.replace("\r", " ").replace("\n", " ")


_TAGS: dict[str, Callable[[Request, str], str]] = {
    "t": lambda r, arg: f"t={int(r.request_time * 1_000_000)}",
    "D": lambda r, arg: f"D={int((time.time() - r.request_time) * 1_000_000)}",
    "e": _env_tag,
    "s": lambda r, arg: "(null)",  # SSL variables: apachemw does no TLS itself
}


def _process_tags(r: Request, entry: Entry) -> str:
    if entry.value_expr is not None:
        return entry.value_expr.evaluate_string(RequestExprContext(r))
    return "".join(text if kind == "" else _TAGS[kind](r, text) for kind, text in entry.tags)


def _process_regexp(r: Request, entry: Entry, value: str) -> str:
    """process_regexp: the first match replaced (every match for edit*)."""
    from apachemw.modules.mod_alias import substitute

    found = entry.regex.search(value)
    if found is None:
        return value
    replaced = substitute(_process_tags(r, entry), value, found)
    head, tail = value[: found.start()], value[found.end() :]
    if entry.action == "edit*" and tail:
        tail = _process_regexp(r, entry, tail)
    return head + replaced + tail


# ------------------------------------------------------------------ the actions


def _applies(r: Request, entry: Entry, early: bool) -> bool:
    if entry.early != early:
        return False
    if entry.expr is not None:
        result = execute(r, entry.expr, entry.where)
        if result.error:
            r.site.log_error(
                r,
                "error",
                "headers",
                f"AH01501: Failed to evaluate expression ({result.error}) - ignoring",
            )
            return True
        return bool(result.value)
    if entry.condition_var and not early:
        name = entry.condition_var
        if name.startswith("!"):
            return name[1:] not in r.subprocess_env
        return name in r.subprocess_env
    return True


def _find(headers: Headers, name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers if k.lower() == lowered), None)


def _without(headers: Headers, name: str) -> Headers:
    lowered = name.lower()
    return [(k, v) for k, v in headers if k.lower() != lowered]


def _set(headers: Headers, name: str, value: str) -> Headers:
    """apr_table_set: the first entry replaced, the others removed."""
    lowered = name.lower()
    out: Headers = []
    placed = False
    for k, v in headers:
        if k.lower() == lowered:
            if not placed:
                out.append((name, value))
                placed = True
            continue
        out.append((k, v))
    if not placed:
        out.append((name, value))
    return out


def _merge_into(headers: Headers, name: str, value: str) -> Headers:
    """apr_table_merge: appended to the first entry with ", "."""
    lowered = name.lower()
    for index, (k, v) in enumerate(headers):
        if k.lower() == lowered:
            return [*headers[:index], (k, f"{v}, {value}"), *headers[index + 1 :]]
    return [*headers, (name, value)]


def _has_token(existing: str, token: str) -> bool:
    """The merge action's token scan (quoted strings kept whole)."""
    pos = 0
    while pos < len(existing):
        while pos < len(existing) and existing[pos] in " \t\n\v\f\r":
            pos += 1
        start = pos
        while pos < len(existing) and existing[pos] != ",":
            if existing[pos] == '"':
                pos += 1
                while pos < len(existing) and existing[pos] != '"':
                    pos += 1
            pos += 1
        if existing[start:pos] == token:
            return True
        pos += 1
    return False


def _act(r: Request, entry: Entry, headers: Headers, echo_to: Headers | None) -> Headers:
    name = entry.header
    action = entry.action
    if action == "add":
        return [*headers, (name, _process_tags(r, entry))]
    if action == "append":
        return _merge_into(headers, name, _process_tags(r, entry))
    if action == "merge":
        value = _process_tags(r, entry)
        existing = _find(headers, name)
        if existing is None:
            return [*headers, (name, value)]
        return headers if _has_token(existing, value) else _merge_into(headers, name, value)
    if action == "set" or (action == "setifempty" and _find(headers, name) is None):
        return _set(headers, name, _process_tags(r, entry))
    if action == "unset":
        return _without(headers, name)
    if action == "echo" and echo_to is not None:
        for key, value in r.headers_in.items:
            if entry.regex.search(canonical_name(key)) is not None:
                echo_to.append((canonical_name(key), value))
        return headers
    if action in ("edit", "edit*"):
        lowered = name.lower()
        edited = [(k, _process_regexp(r, entry, v)) for k, v in headers if k.lower() == lowered]
        return [*_without(headers, name), *edited] if edited else headers
    if action == "note":
        noted = _find(headers, name)
        if noted is not None:
            r.notes[_process_tags(r, entry)] = noted
    return headers


def _fixup(
    r: Request, entries: list[Entry], headers: Headers, early: bool, echo_to: Headers | None
) -> Headers:
    """do_headers_fixup."""
    for entry in entries:
        if _applies(r, entry, early):
            headers = _act(r, entry, headers, echo_to)
    return headers


# ------------------------------------------------------------------ the hooks


def output_filter(
    r: Request, status: int, out: Headers, err: Headers, error_path: bool
) -> tuple[Headers, Headers]:
    """FIXUP_HEADERS_OUT (always, then onsuccess), or FIXUP_HEADERS_ERR on the error path."""
    conf: HeadersDir | None = r.per_dir.get("mod_headers") if r.per_dir else None
    if conf is None or not (conf.fixup_out or conf.fixup_err):
        return out, err
    if any(e.per_request for e in (*conf.fixup_err, *conf.fixup_out)):
        r.eventful = True  # the answer's headers depend on the request (core.memo)
    echoed: Headers = []
    err = _fixup(r, conf.fixup_err, list(err), False, echoed)
    err += echoed
    if not error_path:
        echoed = []
        out = _fixup(r, conf.fixup_out, list(out), False, echoed)
        out += echoed
    return out, err


def request_headers(r: Request) -> int:
    """ap_headers_fixup: RequestHeader in fixups, last."""
    conf: HeadersDir | None = r.per_dir.get("mod_headers")
    if conf is not None and conf.fixup_in:
        _apply_to_request(r, conf.fixup_in, False)
    return DECLINED


def _apply_to_request(r: Request, entries: list[Entry], early: bool) -> None:
    r.eventful = True
    before = list(r.headers_in.items)
    after = _fixup(r, entries, before, early, None)
    if after != before:
        r.headers_in.replace([(k.lower(), v) for k, v in after])
        r.notes["request-headers-edited"] = True


def early(r: Request) -> int:
    """ap_headers_early: the ``early`` lines of the server's configuration."""
    conf: HeadersDir | None = r.server.defaults.get("mod_headers")
    if conf is None:
        return DECLINED
    if any(e.early for e in conf.fixup_in):
        _apply_to_request(r, conf.fixup_in, True)
    # Header ... early: into the response tables while the request is read; only what
    # lands in err_headers_out (always) survives an error page or internal redirect.
    for entries, table in ((conf.fixup_err, r.err_headers_out), (conf.fixup_out, r.headers_out)):
        if any(e.early for e in entries):
            r.eventful = True
            table.replace(_fixup(r, entries, list(table.items), True, None))
    return DECLINED


MODULE = Module(
    name="mod_headers",
    ident="headers_module",
    directives=(
        row(
            "Header",
            Args.RAW_ARGS,
            OR_FILEINFO,
            "an optional condition, an action, header and value followed by optional env clause",
            _header_cmd,
        ),
        row(
            "RequestHeader",
            Args.RAW_ARGS,
            OR_FILEINFO,
            "an action, header and value followed by optional env clause",
            _header_cmd,
        ),
    ),
    create_dir=HeadersDir,
    merge_dir=merge_dir,
    hooks={
        "fixups": (30, request_headers),
        "insert_filter": (20, output_filter),
        "post_read_request": (0, early),
    },
)

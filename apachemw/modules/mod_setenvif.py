"""mod_setenvif: SetEnvIf, SetEnvIfNoCase, SetEnvIfExpr, BrowserMatch, BrowserMatchNoCase.

Rules written in server context run when the request is read (post_read_request);
rules in <Directory>, <Location>, <Files> and .htaccess run in header_parser, after the
walks. The attribute is a header (or, failing that, an environment variable set by an
earlier rule), one of Apache's special names (Remote_Addr, Remote_Host, Server_Addr,
Request_Method, Request_Protocol, Request_URI), or a regex over header names. A value
may use $0-$9 from the match; ``!var`` unsets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from apachemw.config.directives import OR_FILEINFO, Args, Cmd, DirectiveError, Module
from apachemw.config.expr import Expr, ExprError, parse_expr
from apachemw.config.parser import getword
from apachemw.config.rows import row
from apachemw.core.exprvars import RequestExprContext, add_vary
from apachemw.core.http import canonical_name
from apachemw.core.regex import compile_pattern
from apachemw.core.request import DECLINED, Request

__all__ = ["MODULE", "SetEnvIfConf"]

_SPECIAL = frozenset(
    {
        "remote_addr",
        "remote_host",
        "request_uri",
        "request_method",
        "request_protocol",
        "server_addr",
    }
)
_PLAIN_NAME = re.compile(r"^[-A-Za-z0-9_]*$")


@dataclass
class Condition:
    name: str | None  # the attribute; None for SetEnvIfExpr
    regex: str = ""
    icase: bool = False
    literal: str | None = None  # non_regex_pattern: matched as a substring
    pattern: Any = None  # a compiled regex when not literal
    name_regex: Any = None  # the attribute is a regex over header names
    expr: Expr | None = None
    where: str = ""
    features: dict[str, str] = field(default_factory=dict)


@dataclass
class SetEnvIfConf:
    conditions: list[Condition] = field(default_factory=list)


def merge(base: SetEnvIfConf, add: SetEnvIfConf) -> SetEnvIfConf:
    return SetEnvIfConf([*base.conditions, *add.conditions])


def _conf(cmd: Cmd) -> SetEnvIfConf:
    """Server context keeps its rules in the server config, as cmd->path == NULL does."""
    conf: SetEnvIfConf = cmd.dir() if cmd.ctx.path is not None else cmd.srv()
    return conf


def _non_regex(pattern: str) -> str | None:
    """non_regex_pattern: the literal a pattern without regex syntax stands for."""
    out: list[str] = []
    escaping = False
    for char in pattern:
        if char in "^.$|()[]*+?{}":
            if not escaping:
                return None
            escaping = False
            out.append(char)
        elif char == "\\":
            if escaping:
                out.append(char)
            escaping = not escaping
        else:
            if escaping:
                return None
            out.append(char)
    return "".join(out)


def _features(cmd: Cmd, rest: str, condition: Condition) -> None:
    """add_envvars: var, var=value, !var."""
    seen = False
    pos = 0
    while True:
        word, pos = getword(rest, pos)
        if not word:
            break
        seen = True
        name, eq, value = word.partition("=")
        if eq and value:
            condition.features[name] = value
        elif name.startswith("!"):
            condition.features[name[1:]] = "!"
        else:
            condition.features[name] = "1"
    if not seen:
        raise DirectiveError(f"Missing envariable expression for {cmd.node.name}")


def _add(cmd: Cmd, name: str, rest: str, icase: bool) -> None:
    """add_setenvif_core: a new condition, or more features for the previous one when
    it has the same attribute, case mode and regex."""
    regex, pos = getword(rest, 0)
    if not regex:
        raise DirectiveError(f"Missing regular expression for {cmd.node.name}")
    conf = _conf(cmd)
    for earlier in conf.conditions:
        if earlier.name is not None and earlier.name.lower() == name.lower():
            name = earlier.name  # one string per attribute: match_headers reads it once a run
            break
    last = conf.conditions[-1] if conf.conditions else None
    if (
        last is not None
        and last.expr is None
        and last.name is not None
        and last.name is name
        and last.icase == icase
        and last.regex == regex
    ):
        _features(cmd, rest[pos:], last)
        return
    condition = Condition(name, regex, icase)
    condition.literal = _non_regex(regex)
    try:
        if condition.literal is None:
            condition.pattern = compile_pattern(regex, icase)
        if name.lower() not in _SPECIAL and not _PLAIN_NAME.match(name):
            condition.name_regex = compile_pattern(name, icase)
    except re.error:
        raise DirectiveError(f"{cmd.node.name} regex could not be compiled.") from None
    _features(cmd, rest[pos:], condition)
    conf.conditions.append(condition)


def _setenvif(cmd: Cmd, args: Sequence[str]) -> None:
    name, pos = getword(cmd.node.raw_args, 0)
    if not name:
        raise DirectiveError(f"Missing header-field name for {cmd.node.name}")
    _add(cmd, name, cmd.node.raw_args[pos:], cmd.node.lname.endswith("nocase"))


def _browser(cmd: Cmd, args: Sequence[str]) -> None:
    _add(cmd, "User-Agent", cmd.node.raw_args, cmd.node.lname.endswith("nocase"))


def _setenvifexpr(cmd: Cmd, args: Sequence[str]) -> None:
    text, pos = getword(cmd.node.raw_args, 0)
    if not text:
        raise DirectiveError(f"Missing expression for {cmd.node.name}")
    try:
        expr = parse_expr(text)
    except ExprError as exc:
        raise DirectiveError(f'Could not parse expression "{text}": {exc}') from None
    condition = Condition(None, expr=expr, where=cmd.where())
    _features(cmd, cmd.node.raw_args[pos:], condition)
    _conf(cmd).conditions.append(condition)


def _value(r: Request, condition: Condition) -> str | None:
    assert condition.name is not None
    special = condition.name.lower()
    inc = r.incoming
    if special == "remote_addr":
        return inc.client_ip
    if special == "server_addr":
        return inc.local_addr
    if special == "remote_host":
        return inc.remote_host or inc.client_ip
    if special == "request_uri":
        return r.uri
    if special == "request_method":
        return r.method
    if special == "request_protocol":
        return r.protocol
    if condition.name_regex is not None:
        found = None
        for key, value in r.headers_in.items:
            # The server hands header names over in lower case; Apache matches them as
            # the client wrote them, which is nearly always this canonical spelling.
            if condition.name_regex.search(canonical_name(key)) is not None:
                found = value  # the last matching header wins
        return found
    header = r.headers_in.get(condition.name)
    return header if header is not None else r.subprocess_env.get(condition.name)


def _apply(r: Request, condition: Condition, groups: tuple[str, ...] | None) -> None:
    from apachemw.modules.mod_alias import substitute_texts

    for name, value in condition.features.items():
        if value == "!":
            r.subprocess_env.pop(name, None)
        elif groups is not None:
            r.subprocess_env[name] = substitute_texts(value, groups)
        else:
            r.subprocess_env[name] = value


def _match(r: Request, condition: Condition, value: str) -> tuple[bool, tuple[str, ...] | None]:
    """Whether the condition holds, and the captures $0-$9 may use (None: literal)."""
    if condition.expr is not None:
        result = condition.expr.execute(RequestExprContext(r))
        add_vary(r, result.vary)
        if result.error or not result.value:
            return False, None
        return True, result.backrefs or None
    if condition.literal is not None:
        subject, needle = value, condition.literal
        if condition.icase:
            subject, needle = subject.lower(), needle.lower()
        return needle in subject, None
    found = condition.pattern.search(value)
    if found is None:
        return False, None
    count = min(found.re.groups, 9) + 1
    return True, tuple(found.group(i) or "" for i in range(count))


def _run(r: Request, conf: SetEnvIfConf) -> int:
    """match_headers."""
    last: str | None = None
    value = ""
    for condition in conf.conditions:
        if condition.expr is None and condition.name is not last:
            last = condition.name
            value = _value(r, condition) or ""
        matched, groups = _match(r, condition, value)
        if matched:
            if condition.expr is None and condition.literal is None and groups is None:
                groups = ()
            _apply(r, condition, groups)
    _note_dependencies(r, conf.conditions)
    return DECLINED


# Attributes fixed by the memo's key (the target, the method, the protocol and the
# local address are in it), and those that name the client (never memoised).
_KEYED = frozenset({"server_addr", "request_uri", "request_method", "request_protocol"})
_CLIENT = frozenset({"remote_addr", "remote_host"})


def _note_dependencies(r: Request, conditions: Sequence[Condition]) -> None:
    """What the variables set here depend on, for the static-answer memo: a named
    header makes the answer vary by its value (BrowserMatch: User-Agent); the client,
    a header-name regex or an expression keep it off the memo (core.memo)."""
    headers: list[str] = []
    for condition in conditions:
        if condition.expr is not None or condition.name_regex is not None:
            r.eventful = True
            return
        assert condition.name is not None
        special = condition.name.lower()
        if special in _CLIENT:
            r.eventful = True
            return
        if special not in _KEYED:
            # A header, or else a variable an earlier line set from one.
            headers.append(special)
    if headers:
        r.memo_depends_on(headers)


def post_read_request(r: Request) -> int:
    conf: SetEnvIfConf = r.server.get("mod_setenvif")
    return _run(r, conf)


def header_parser(r: Request) -> int:
    conf: SetEnvIfConf | None = r.per_dir.get("mod_setenvif")
    return DECLINED if conf is None else _run(r, conf)


F = OR_FILEINFO

MODULE = Module(
    name="mod_setenvif",
    ident="setenvif_module",
    directives=(
        row(
            "SetEnvIf", Args.RAW_ARGS, F, "A header-name, regex and a list of variables.", _setenvif
        ),
        row(
            "SetEnvIfNoCase",
            Args.RAW_ARGS,
            F,
            "a header-name, regex and a list of variables.",
            _setenvif,
        ),
        row(
            "SetEnvIfExpr",
            Args.RAW_ARGS,
            F,
            "an expression and a list of variables.",
            _setenvifexpr,
        ),
        row("BrowserMatch", Args.RAW_ARGS, F, "A browser regex and a list of variables.", _browser),
        row(
            "BrowserMatchNoCase",
            Args.RAW_ARGS,
            F,
            "A browser regex and a list of variables.",
            _browser,
        ),
    ),
    create_dir=SetEnvIfConf,
    merge_dir=merge,
    create_server=SetEnvIfConf,
    merge_server=merge,
    hooks={"post_read_request": (20, post_read_request), "header_parser": (10, header_parser)},
)

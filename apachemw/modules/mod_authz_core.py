"""mod_authz_core: Require, <RequireAll>/<RequireAny>/<RequireNone>, AuthMerging,
AuthzSendForbiddenOnFailure, and the ``all``, ``env`` and ``method`` providers.

The authorization tree is built and evaluated as modules/aaa/mod_authz_core.c does it:
each Require line is a leaf naming a provider; a container combines its children with
AND (RequireAll) or OR (RequireAny, and the implicit section of a directory), negated for
RequireNone. Leaves answer GRANTED, DENIED, DENIED_NO_USER ("a user could change this")
or NEUTRAL; DENIED_NO_USER is what turns a 403 into authentication and a 401.

The tree is consulted twice (request.c): before authentication as the access_checker_ex
hook, which grants, denies, or asks for a user; and after it as the auth_checker hook.
Other modules add providers (user, group, ip, host, ...) to :data:`PROVIDERS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from apachemw.config.directives import (
    OR_AUTHCFG,
    RSRC_CONF,
    Args,
    Cmd,
    DirectiveError,
    Module,
)
from apachemw.config.expr import Expr, ExprError, parse_expr
from apachemw.config.parser import getword, words_of
from apachemw.config.rows import row
from apachemw.core.exprvars import execute
from apachemw.core.request import DECLINED, OK, Request
from apachemw.modules.core_handler import KNOWN_METHODS
from apachemw.modules.mod_authn_core import (
    alias_section,
    auth_type,
    merged_over,
    note_auth_failure,
)

__all__ = [
    "DENIED",
    "DENIED_NO_USER",
    "GENERAL_ERROR",
    "GRANTED",
    "MODULE",
    "NEUTRAL",
    "PROVIDERS",
    "AuthzProvider",
    "Section",
    "check_sections",
    "find_provider",
    "method_applies",
    "method_class",
]

GRANTED, DENIED, DENIED_NO_USER = "granted", "denied", "denied (no authenticated user yet)"
NEUTRAL, GENERAL_ERROR = "neutral", "error"
AND, OR = "and", "or"


@dataclass(frozen=True)
class AuthzProvider:
    """An authz provider: ``check(r, args, parsed)`` and an optional config-time
    ``parse(cmd, args)`` whose result (or DirectiveError) is kept with the line."""

    check: Callable[[Request, str, Any], str]
    parse: Callable[[Cmd, str], Any] | None = None


@dataclass
class Section:
    """authz_section_conf: a Require line (``provider`` set) or a container."""

    op: str = OR
    negate: bool = False
    provider: str | None = None
    args: str = ""
    parsed: Any = None
    children: list[Section] = field(default_factory=list)
    limited: frozenset[str] | None = None  # <Limit> methods ("!" first: <LimitExcept>)
    is_merged: bool = False
    impl: AuthzProvider | None = None  # the provider (or <AuthzProviderAlias>) of a leaf

    def describe(self) -> str:
        """format_authz_command: how Apache names this section in messages."""
        if self.provider is not None:
            return f"Require {'not ' if self.negate else ''}{self.provider} {self.args}"
        kind = ("NotAll" if self.negate else "All") if self.op == AND else None
        kind = kind or ("None" if self.negate else "Any")
        return f"AuthMerging {kind}" if self.is_merged else f"<Require{kind}>"


@dataclass
class AuthzServer:
    confs: list[AuthzDir] = field(default_factory=list)
    aliases: dict[str, AuthzProvider] = field(default_factory=dict)  # main server only


@dataclass
class AuthzDir:
    section: Section | None = None
    op: str | None = None  # AuthMerging: "off" | AND | OR; None when unset
    forbidden_on_failure: bool | None = None


# --------------------------------------------------------------------------- providers


def _all_check(r: Request, args: str, parsed: Any) -> str:
    return GRANTED if parsed else DENIED


def _all_parse(cmd: Cmd, args: str) -> bool:
    word = args.strip().lower()
    if word not in ("granted", "denied"):
        raise DirectiveError("Argument for 'Require all' must be 'granted' or 'denied'")
    return word == "granted"


def _env_check(r: Request, args: str, parsed: Any) -> str:
    return GRANTED if any(w in r.subprocess_env for w in words_of(args)) else DENIED


def _method_check(r: Request, args: str, parsed: Any) -> str:
    return GRANTED if method_class(r.method) in parsed else DENIED


def _method_parse(cmd: Cmd, args: str) -> frozenset[str]:
    methods = set()
    for word in words_of(args):
        if word not in KNOWN_METHODS:
            raise DirectiveError(f"Invalid Method '{word}'")
        methods.add(method_class(word))
    return frozenset(methods)


@dataclass(frozen=True)
class _RequireExpr:
    expr: Expr
    want_user: bool  # the expression reads REMOTE_USER: a user could change the verdict
    where: str  # file:line, for the evaluation-failure line


_REMOTE_USER = re.compile(r"%\{\s*REMOTE_USER\s*\}", re.IGNORECASE)


def _expr_parse(cmd: Cmd, args: str) -> _RequireExpr:
    text = args
    if text.startswith('"') and text.endswith('"') and len(text) > 1:
        text = text[1:-1]  # expr_parse_config drops one pair of surrounding quotes
    try:
        expr = parse_expr(text)
    except ExprError as exc:
        raise DirectiveError(f"Cannot parse expression in require line: {exc}") from None
    return _RequireExpr(expr, bool(_REMOTE_USER.search(text)), cmd.where())


def _expr_check(r: Request, args: str, parsed: Any) -> str:
    result = execute(r, parsed.expr, parsed.where)
    if result.error:
        r.site.log_error(
            r,
            "error",
            "authz_core",
            f"AH02320: Error evaluating expression in 'Require expr': {result.error}",
        )
        return GENERAL_ERROR
    if result.value:
        return GRANTED
    return DENIED_NO_USER if parsed.want_user else DENIED


def method_class(method: str) -> str:
    """ap_method_number_of: HEAD shares GET's method bit."""
    return "GET" if method == "HEAD" else method


# Providers whose verdict depends only on the method and the configuration.
_STATIC_PROVIDERS = frozenset({"all", "method"})

PROVIDERS: dict[str, AuthzProvider] = {
    "all": AuthzProvider(_all_check, _all_parse),
    "env": AuthzProvider(_env_check),
    "method": AuthzProvider(_method_check, _method_parse),
    "expr": AuthzProvider(_expr_check, _expr_parse),
}


# --------------------------------------------------------------------------- directives


def _require(cmd: Cmd, args: Sequence[str]) -> None:
    """add_authz_provider: one leaf in the open container or the directory's section."""
    raw = cmd.node.raw_args
    name, rest = _first_word(raw)
    negate = name.lower() == "not"
    if negate:
        name, rest = _first_word(rest)
    provider = find_provider(cmd, name)
    if provider is None:
        raise DirectiveError(f"Unknown Authz provider: {name}")
    leaf = Section(provider=name.lower(), args=rest, negate=negate, limited=cmd.limited)
    leaf.impl = provider
    if provider.parse is not None:
        leaf.parsed = provider.parse(cmd, rest)
    parent = _open_section(cmd)
    if negate and parent.op == OR:
        raise DirectiveError(
            f"negative Require directive has no effect in {parent.describe()} directive"
        )
    parent.limited = _union(parent.limited, leaf.limited)
    parent.children.append(leaf)
    _remember(cmd)


def _remember(cmd: Cmd) -> None:
    """authz_core_first_dir_conf: the server config's sections, checked once it is read
    (.htaccess sections are not)."""
    if not cmd.htaccess:
        server: AuthzServer = cmd.srv()
        conf: AuthzDir = cmd.dir()
        if all(seen is not conf for seen in server.confs):
            server.confs.append(conf)


def find_provider(cmd: Cmd, name: str) -> AuthzProvider | None:
    """A provider by name: a module's, or an <AuthzProviderAlias> read earlier."""
    found = PROVIDERS.get(name.lower())
    if found is None:
        server: AuthzServer = cmd.ctx.site.main.get("mod_authz_core")
        found = server.aliases.get(name.lower())
    return found


def _provider_alias(cmd: Cmd, args: Sequence[str]) -> None:
    """<AuthzProviderAlias base alias "args">: the base provider run with the section's
    directives merged over the request's (authz_alias_check_authorization)."""
    words, conf = alias_section(cmd)
    base, alias, rest = words[0], words[1], words[2] if len(words) > 2 else ""
    provider = PROVIDERS.get(base.lower())
    if provider is None:
        raise DirectiveError(f"Unknown Authz provider: {base}")
    parsed = None
    if provider.parse is not None:
        try:
            parsed = provider.parse(cmd, rest)
        except DirectiveError as exc:
            raise DirectiveError(f"Can't parse 'Require {base} {rest}': {exc}") from None

    def check(r: Request, args: str, _: Any) -> str:
        with merged_over(r, conf):
            assert provider is not None
            return provider.check(r, rest, parsed)

    server: AuthzServer = cmd.srv()
    server.aliases[alias.lower()] = AuthzProvider(check)


def _first_word(text: str) -> tuple[str, str]:
    """ap_getword_conf for the first word, and the rest as written."""
    word, pos = getword(text)
    return word, text[pos:]


def _union(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    """section->limited |= ...: None stands for every method, a set with "!" for every
    method but those listed (<LimitExcept>)."""
    if a is None or b is None:
        return None
    if "!" in a and "!" in b:
        return (a & b) | {"!"}
    if "!" in a or "!" in b:
        excepted, listed = (a, b) if "!" in a else (b, a)
        rest = excepted - listed
        return None if rest == {"!"} else rest
    return a | b


def _open_section(cmd: Cmd) -> Section:
    """The container a Require line belongs to: the open <Require*> or the section's."""
    if isinstance(cmd.ctx.container, Section):
        return cmd.ctx.container
    conf: AuthzDir = cmd.dir()
    if conf.section is None:
        # create_default_section: limited to no method until its lines add theirs.
        conf.section = Section(op=OR, limited=frozenset())
    return conf.section


_CONTAINERS = {
    "requireall": (AND, False),
    "requireany": (OR, False),
    "requirenone": (OR, True),
}


def _require_container(cmd: Cmd, args: Sequence[str]) -> None:
    """add_authz_section: walk the children into a new container, then attach it."""
    from apachemw.config.walker import walk

    if cmd.node.args:
        raise DirectiveError(f"<{cmd.node.name}> directive doesn't take additional arguments")
    op, negate = _CONTAINERS[cmd.node.lname]
    section = Section(op=op, negate=negate, limited=frozenset())
    walk(cmd.node.children or (), cmd.ctx.inside(container=section, parent="<" + cmd.node.name))
    if not section.children:
        raise DirectiveError(f"{section.describe()} directive contains no authorization directives")
    parent = _open_section(cmd)
    if negate and parent.op == OR:
        raise DirectiveError(
            f"{section.describe()} directive has no effect in {parent.describe()} directive"
        )
    parent.limited = _union(parent.limited, section.limited)
    if not negate and op == parent.op:
        parent.children.extend(section.children)  # be associative, as Apache is
    else:
        parent.children.append(section)
    _remember(cmd)


def _auth_merging(cmd: Cmd, args: Sequence[str]) -> None:
    word = args[0].lower()
    if word not in ("off", "and", "or"):
        raise DirectiveError("AuthMerging must be one of: Off | And | Or")
    conf: AuthzDir = cmd.dir()
    conf.op = {"off": "off", "and": AND, "or": OR}[word]


def _forbidden_on_failure(cmd: Cmd, args: Sequence[str]) -> None:
    conf: AuthzDir = cmd.dir()
    conf.forbidden_on_failure = args[0].lower() == "on"


def check_sections(section: Section, top: bool = True) -> Section:
    """authz_core_check_section, run on the server's configuration once it is read:
    refuse a container of only negative lines, and apply De Morgan where a negated
    container's logic differs from its parent's (so NEUTRAL results come out as
    Apache computes them)."""
    children: list[Section] = []
    for child in section.children:
        if child.provider is None:
            child = check_sections(child, top=False)
            if child.negate and child.op != section.op:
                children.extend(replace(c, negate=not c.negate) for c in child.children)
                continue
        children.append(child)
    section.children = children
    if all(c.negate for c in children):
        where = "<Directory>, <Location>, or similar" if top else section.describe()
        raise DirectiveError(
            f"AH01624: {where} directive contains only negative authorization directives"
        )
    return section


def _merge_server(base: AuthzServer, add: AuthzServer) -> AuthzServer:
    return add  # each server checks the sections it declared


def post_config(site: Any) -> None:
    """authz_core_check_config over every section the configuration files declared."""
    from apachemw.errors import ConfigError

    for server in (site.main, *site.vhosts):
        conf: AuthzServer = server.get("mod_authz_core")
        for dirconf in conf.confs:
            if dirconf.section is None:
                continue
            try:
                dirconf.section = check_sections(dirconf.section)
            except DirectiveError as exc:
                raise ConfigError(str(exc)) from None


# --------------------------------------------------------------------------- merging


def merge_dir(base: AuthzDir, add: AuthzDir) -> AuthzDir:
    """merge_authz_core_dir_config: AuthMerging Off (the default) replaces the parent's
    section; And/Or combine both under a new container."""
    forbidden = base.forbidden_on_failure if add.forbidden_on_failure is None else None
    forbidden = add.forbidden_on_failure if forbidden is None else forbidden
    if add.op is None and add.section is None and base.section is not None:
        return AuthzDir(base.section, base.op, forbidden)
    if add.op in (None, "off") or not (base.section or add.section):
        return AuthzDir(add.section, add.op, forbidden)
    section = add.section or base.section
    if base.section is not None and add.section is not None:
        limited = _union(base.section.limited, add.section.limited)
        section = Section(op=add.op, children=[base.section, add.section], limited=limited)
        section.is_merged = True
    return AuthzDir(section, add.op, forbidden)


# --------------------------------------------------------------------------- evaluation


def method_applies(limited: frozenset[str] | None, method: str) -> bool:
    """Whether a line limited to ``limited`` (<Limit>, or <LimitExcept> with "!") covers
    ``method``; None covers every method."""
    if limited is None:
        return True
    if "!" in limited:
        return method_class(method) not in limited
    return method_class(method) in limited


def apply_sections(r: Request, section: Section, parent_op: str) -> str:
    """apply_authz_sections: one section's verdict."""
    if not method_applies(section.limited, r.method):
        return GRANTED if parent_op == AND else NEUTRAL
    if section.impl is not None:
        if section.provider not in _STATIC_PROVIDERS:
            r.eventful = True  # the answer depends on more than the memo's key (core.memo)
        result = section.impl.check(r, section.args, section.parsed)
    else:
        result = _combine(r, section)
        if result == GENERAL_ERROR:
            return result
    if section.negate:
        if result == GRANTED:
            return DENIED
        if result in (DENIED, DENIED_NO_USER):
            return NEUTRAL  # not being refused is no reason to grant
    return result


def _combine(r: Request, section: Section) -> str:
    result = NEUTRAL
    for child in section.children:
        found = apply_sections(r, child, section.op)
        if found == GENERAL_ERROR:
            return found
        if found == NEUTRAL:
            continue
        if section.op == AND:
            if found == DENIED:
                return DENIED
            if (found == DENIED_NO_USER and result != DENIED) or result == NEUTRAL:
                result = found
        else:
            if found == GRANTED:
                return GRANTED
            if (found == DENIED_NO_USER and result == DENIED) or result == NEUTRAL:
                result = found
    return result


def _authorize(r: Request, after_authn: bool) -> int:
    """authorize_user_core."""
    conf: AuthzDir = r.per_dir["mod_authz_core"]
    if conf.section is None:
        if auth_type(r):
            r.site.log_error(
                r,
                "error",
                "authz_core",
                "AH01627: AuthType configured with no corresponding authorization directives",
            )
            return 500
        return OK
    result = apply_sections(r, conf.section, AND)
    if result == GRANTED:
        return OK
    if result == DENIED_NO_USER:
        if not after_authn:
            return DECLINED  # a user is needed before anything can be decided
        r.site.log_error(
            r,
            "error",
            "authz_core",
            f"AH01629: authorization failure (no authenticated user): {r.uri}",
        )
        if r.user is not None:
            note_auth_failure(r)
        return 401
    if result in (DENIED, NEUTRAL):
        return _refuse(r, conf, after_authn)
    return 500  # the provider has logged its error


def _refuse(r: Request, conf: AuthzDir, after_authn: bool) -> int:
    if not after_authn or auth_type(r) is None:
        target = r.filename if r.filename is not None else f"uri {r.uri}"
        r.site.log_error(
            r, "error", "authz_core", f"AH01630: client denied by server configuration: {target}"
        )
        return 403
    r.site.log_error(
        r,
        "error",
        "authz_core",
        f'AH01631: user {r.user}: authorization failure for "{r.uri}": ',
    )
    if conf.forbidden_on_failure:
        return 403
    if r.user is not None:
        note_auth_failure(r)
    return 401


def authorize_userless(r: Request) -> int:
    """access_checker_ex: decide without a user if possible."""
    return _authorize(r, after_authn=False)


def authorize_user(r: Request) -> int:
    """auth_checker: decide with the authenticated user."""
    return _authorize(r, after_authn=True)


AC = OR_AUTHCFG

MODULE = Module(
    name="mod_authz_core",
    ident="authz_core_module",
    directives=(
        row(
            "Require",
            Args.RAW_ARGS,
            AC,
            "specifies authorization directives which one must pass (or not) for a request to "
            "suceeed",
            _require,
        ),
        row(
            "<RequireAll",
            Args.RAW_ARGS,
            AC,
            "container for grouping authorization directives of which none must fail and at "
            "least one must pass for a request to succeed",
            _require_container,
        ),
        row(
            "<RequireAny",
            Args.RAW_ARGS,
            AC,
            "container for grouping authorization directives of which one must pass for a "
            "request to succeed",
            _require_container,
        ),
        row(
            "<RequireNone",
            Args.RAW_ARGS,
            AC,
            "container for grouping authorization directives of which none must pass for a "
            "request to succeed",
            _require_container,
        ),
        row(
            "<AuthzProviderAlias",
            Args.RAW_ARGS,
            RSRC_CONF,
            "container for grouping an authorization provider's directives under a provider alias",
            _provider_alias,
        ),
        row(
            "AuthMerging",
            Args.TAKE1,
            AC,
            "controls how a <Directory>, <Location>, or similar directive's authorization "
            "directives are combined with those of its predecessor",
            _auth_merging,
        ),
        row(
            "AuthzSendForbiddenOnFailure",
            Args.FLAG,
            AC,
            "Controls if an authorization failure should result in a '403 FORBIDDEN' "
            "response instead of the HTTP-conforming '401 UNAUTHORIZED'",
            _forbidden_on_failure,
        ),
    ),
    create_dir=AuthzDir,
    merge_dir=merge_dir,
    create_server=AuthzServer,
    merge_server=_merge_server,
    hooks={
        "access_checker_ex": (20, authorize_userless),
        "auth_checker": (20, authorize_user),
        "post_config": (10, post_config),
    },
)

"""mod_authz_core: Require, <RequireAll>/<RequireAny>/<RequireNone>, AuthMerging.

The authorization tree is evaluated as Apache does it (modules/aaa/
mod_authz_core.c): GRANTED, DENIED or NEUTRAL per leaf, combined by the
container's logic, negated by ``Require not``. This issue ships the ``all``
provider (``Require all granted|denied``), which is what Debian's defaults and
the engine's sections need; host, ip, env, user and group providers plug in as
entries of ``PROVIDERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from apachemw.config.directives import OR_AUTHCFG, Args, Cmd, DirectiveError, Module
from apachemw.config.rows import accepted, row
from apachemw.core.request import DECLINED, OK, Request

__all__ = ["MODULE", "PROVIDERS", "Rule"]

GRANTED, DENIED, NEUTRAL = "granted", "denied", "neutral"


@dataclass
class Rule:
    """A Require line or a Require container."""

    kind: str  # "leaf" | "all" | "any" | "none"
    provider: str = ""
    args: tuple[str, ...] = ()
    negate: bool = False
    children: list[Rule] = field(default_factory=list)


@dataclass
class AuthzDir:
    section: Rule | None = None
    merging: str | None = None  # "off" | "and" | "or"
    forbidden_on_failure: bool | None = None


Provider = Callable[[Request, tuple[str, ...]], str]


def _all_provider(r: Request, args: tuple[str, ...]) -> str:
    return GRANTED if args == ("granted",) else DENIED


def _check_all(args: tuple[str, ...]) -> None:
    if len(args) != 1 or args[0] not in ("granted", "denied"):
        raise (
            DirectiveError("'Require all' does not take an argument")
            if not args
            else (DirectiveError("'Require all' accepts only 'granted' or 'denied'"))
        )


def _method_provider(r: Request, args: tuple[str, ...]) -> str:
    return GRANTED if r.method in args or (r.method == "HEAD" and "GET" in args) else DENIED


def _check_methods(args: tuple[str, ...]) -> None:
    if not args:
        raise DirectiveError("'Require method' requires at least one method")


PROVIDERS: dict[str, tuple[Provider, Callable[[tuple[str, ...]], None]]] = {
    "all": (_all_provider, _check_all),
    "method": (_method_provider, _check_methods),
}


def merge_dir(base: AuthzDir, add: AuthzDir) -> AuthzDir:
    """AuthMerging Off (the default): a section with Require replaces its parent's."""
    if add.section is None:
        return AuthzDir(base.section, base.merging, _pick(add, base))
    mode = add.merging or "off"
    if mode == "off" or base.section is None:
        section = add.section
    else:
        section = Rule(kind="all" if mode == "and" else "any", children=[base.section, add.section])
    return AuthzDir(section, add.merging, _pick(add, base))


def _pick(add: AuthzDir, base: AuthzDir) -> bool | None:
    return (
        add.forbidden_on_failure
        if add.forbidden_on_failure is not None
        else (base.forbidden_on_failure)
    )


def _require(cmd: Cmd, args: Sequence[str]) -> None:
    words = list(cmd.node.args)
    if not words:
        raise DirectiveError("Require takes at least one argument")
    negate = words[0].lower() == "not"
    if negate:
        words = words[1:]
        if not words:
            raise DirectiveError("Require not takes at least one argument")
    provider = words[0].lower()
    if provider not in PROVIDERS:
        raise DirectiveError(f"Unknown Authz provider: {words[0]}")
    rest = tuple(w.lower() if provider == "all" else w for w in words[1:])
    PROVIDERS[provider][1](rest)
    _current(cmd).children.append(Rule("leaf", provider, rest, negate))


def _current(cmd: Cmd) -> Rule:
    """The container a Require line belongs to: the open <Require*> or the section's."""
    if cmd.ctx.container is not None:
        container: Rule = cmd.ctx.container
        return container
    conf: AuthzDir = cmd.dir()
    if conf.section is None:
        conf.section = Rule(kind="any")
    return conf.section


def _require_container(cmd: Cmd, args: Sequence[str]) -> None:
    from apachemw.config.walker import walk

    kind = {"requireall": "all", "requireany": "any", "requirenone": "none"}[cmd.node.lname]
    rule = Rule(kind=kind)
    _current(cmd).children.append(rule)
    walk(cmd.node.children or (), cmd.ctx.inside(container=rule, parent="<" + cmd.node.name))
    if not rule.children:
        raise DirectiveError(
            f"<{cmd.node.name}> container must contain at least one Require directive"
        )


def _auth_merging(cmd: Cmd, args: Sequence[str]) -> None:
    word = args[0].lower()
    if word not in ("off", "and", "or"):
        raise DirectiveError("AuthMerging must be one of: Off | And | Or")
    conf: AuthzDir = cmd.dir()
    conf.merging = word


def _evaluate(r: Request, rule: Rule) -> str:
    if rule.kind == "leaf":
        result = PROVIDERS[rule.provider][0](r, rule.args)
        if rule.negate:
            result = {GRANTED: DENIED, DENIED: GRANTED}.get(result, NEUTRAL)
        return result
    results = [_evaluate(r, child) for child in rule.children]
    if rule.kind == "all":
        if DENIED in results:
            return DENIED
        return GRANTED if GRANTED in results else NEUTRAL
    if rule.kind == "any":
        if GRANTED in results:
            return GRANTED
        return DENIED if DENIED in results else NEUTRAL
    # RequireNone: a granted child denies; otherwise it never grants by itself.
    return DENIED if GRANTED in results else NEUTRAL


def authorize(r: Request) -> int:
    """access_checker_ex/auth_checker: 403 with AH01630 when the tree denies."""
    conf: AuthzDir = r.per_dir["mod_authz_core"]
    if conf.section is None:
        return DECLINED
    result = _evaluate(r, conf.section)
    if result == GRANTED:
        return OK
    target = r.filename or f"uri {r.uri}"
    r.site.log_error(
        r, "error", "authz_core", f"AH01630: client denied by server configuration: {target}"
    )
    return 403


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
            "AuthMerging",
            Args.TAKE1,
            AC,
            "controls how a <Directory>, <Location>, or similar directive's authorization "
            "directives are combined with those of its predecessor",
            _auth_merging,
        ),
        accepted(
            "AuthzSendForbiddenOnFailure",
            Args.FLAG,
            AC,
            "Controls if an authorization failure should result in a '403 FORBIDDEN' "
            "response instead of the HTTP-conforming '401 UNAUTHORIZED'",
        ),
    ),
    create_dir=AuthzDir,
    merge_dir=merge_dir,
    hooks={"access_checker": (0, authorize)},
)

"""mod_authn_core: AuthType and AuthName, the authn provider registry, and the
last-resort check_user_id hook that lets a request through when no AuthType is set.

AuthType and AuthName are string expressions (ap_expr), evaluated per request;
``AuthType None`` means no authentication. Authentication modules register their
scheme's challenge in :data:`CHALLENGES` (ap_run_note_auth_failure) and providers
in :data:`PROVIDERS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from apachemw.config.directives import (
    ACCESS_CONF,
    OR_AUTHCFG,
    RSRC_CONF,
    Args,
    Cmd,
    DirectiveError,
    Module,
)
from apachemw.config.expr import Expr, ExprError, parse_expr
from apachemw.config.model import merge_dir_configs
from apachemw.config.rows import row
from apachemw.core.exprvars import RequestExprContext
from apachemw.core.request import OK, Request

__all__ = [
    "AUTH_DENIED",
    "AUTH_GENERAL_ERROR",
    "AUTH_GRANTED",
    "AUTH_USER_NOT_FOUND",
    "CHALLENGES",
    "MODULE",
    "PROVIDERS",
    "AuthnProvider",
    "alias_section",
    "auth_name",
    "auth_type",
    "evaluate_string",
    "find_provider",
    "merged_over",
    "note_auth_failure",
]

AUTH_DENIED, AUTH_GRANTED = "denied", "granted"
AUTH_USER_NOT_FOUND, AUTH_GENERAL_ERROR = "user not found", "error"


@dataclass(frozen=True)
class AuthnProvider:
    """An authn provider: ``check_password(r, user, password)`` answers AUTH_*."""

    check_password: Callable[[Request, str, str], str]


PROVIDERS: dict[str, AuthnProvider] = {}
# Scheme (lower case) -> what adds its challenge to a 401 (note_auth_failure hooks).
CHALLENGES: dict[str, Callable[[Request], None]] = {}


@dataclass
class AuthnServer:
    aliases: dict[str, AuthnProvider] = field(default_factory=dict)  # main server only


def _merge_server(base: AuthnServer, add: AuthnServer) -> AuthnServer:
    return add


def find_provider(site: Any, name: str) -> AuthnProvider | None:
    """An authn provider by name: a module's, or an <AuthnProviderAlias>."""
    found = PROVIDERS.get(name.lower())
    if found is None:
        server: AuthnServer = site.main.get("mod_authn_core")
        found = server.aliases.get(name.lower())
    return found


def alias_section(cmd: Cmd) -> tuple[list[str], dict[str, Any]]:
    """<AuthnProviderAlias>/<AuthzProviderAlias>: the header's words (base, alias, ...)
    and the per-directory config its directives make (walked as AuthConfig)."""
    from apachemw.config.walker import walk

    words = list(cmd.node.args)
    if len(words) < 2:
        raise DirectiveError(f"<{cmd.node.name}> directive requires additional arguments")
    if cmd.server.is_virtual:
        raise DirectiveError(f"<{cmd.node.name}> cannot occur within <VirtualHost> section")
    conf: dict[str, Any] = {}
    walk(cmd.node.children or (), cmd.ctx.inside(dirconf=conf, override=OR_AUTHCFG | ACCESS_CONF))
    return words, conf


@contextmanager
def merged_over(r: Request, conf: dict[str, Any]) -> Iterator[None]:
    """Run with an alias section's config merged over the request's, then restore it."""
    saved = r.per_dir
    r.per_dir = merge_dir_configs(r.site.modules, saved, conf)
    try:
        yield
    finally:
        r.per_dir = saved


def _provider_alias(cmd: Cmd, args: Sequence[str]) -> None:
    """<AuthnProviderAlias base alias>: the base provider with the section's directives
    (AuthUserFile, ...) merged over the request's (authaliassection)."""
    words, conf = alias_section(cmd)
    base, alias = words[0], words[1]
    if base.lower() == alias.lower():
        raise DirectiveError(
            "The alias provider name must be different from the base provider name."
        )
    if find_provider(cmd.ctx.site, alias) is not None:
        raise DirectiveError(
            f"The alias provider {alias} has already be registered previously as either a "
            "base provider or an alias provider."
        )
    provider = PROVIDERS.get(base.lower())
    if provider is None:
        raise DirectiveError(f"Unknown Authn provider: {base}")

    def check_password(r: Request, user: str, password: str) -> str:
        with merged_over(r, conf):
            assert provider is not None
            return provider.check_password(r, user, password)

    server: AuthnServer = cmd.srv()
    server.aliases[alias.lower()] = AuthnProvider(check_password)


@dataclass
class AuthnDir:
    auth_type: Expr | None = None
    auth_type_set: bool = False
    auth_name: Expr | None = None


def _string_expr(cmd: Cmd, value: str) -> Expr:
    try:
        return parse_expr(value, string=True)
    except ExprError as exc:
        raise DirectiveError(f"Cannot parse expression '{value}' in {cmd.name}: {exc}") from None


def _auth_type(cmd: Cmd, args: Sequence[str]) -> None:
    conf: AuthnDir = cmd.dir()
    conf.auth_type = _string_expr(cmd, args[0])
    conf.auth_type_set = True


def _auth_name(cmd: Cmd, args: Sequence[str]) -> None:
    conf: AuthnDir = cmd.dir()
    conf.auth_name = _string_expr(cmd, args[0])


def merge_dir(base: AuthnDir, add: AuthnDir) -> AuthnDir:
    kind = (add.auth_type, True) if add.auth_type_set else (base.auth_type, base.auth_type_set)
    return AuthnDir(kind[0], kind[1], add.auth_name or base.auth_name)


def evaluate_string(r: Request, expr: Expr) -> str:
    """A string expression's value for this request; a literal is its own value."""
    source = expr.source
    if not any(c in source for c in "%$\\"):
        return source
    r.eventful = True  # it may read anything of the request (core.memo)
    return expr.evaluate_string(RequestExprContext(r))


def auth_type(r: Request) -> str | None:
    """ap_auth_type: the scheme in force, None for none (or ``AuthType None``)."""
    conf: AuthnDir | None = r.per_dir.get("mod_authn_core")
    if conf is None or conf.auth_type is None:
        return None
    value = evaluate_string(r, conf.auth_type)
    return None if value.lower() == "none" else value


def auth_name(r: Request) -> str | None:
    """ap_auth_name: the realm, with its quotes escaped (ap_escape_quotes)."""
    conf: AuthnDir | None = r.per_dir.get("mod_authn_core")
    if conf is None or conf.auth_name is None:
        return None
    return _escape_quotes(evaluate_string(r, conf.auth_name))


def _escape_quotes(text: str) -> str:
    """ap_escape_quotes: a '"' gains a backslash unless one already escapes it."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append(text[i : i + 2])
            i += 2
            continue
        out.append('\\"' if text[i] == '"' else text[i])
        i += 1
    return "".join(out)


def note_auth_failure(r: Request) -> None:
    """ap_note_auth_failure: the scheme's challenge on the coming 401."""
    kind = auth_type(r)
    if kind is None:
        r.site.log_error(
            r, "error", "core", f"AH00571: need AuthType to note auth failure: {r.uri}"
        )
        return
    challenge = CHALLENGES.get(kind.lower())
    if challenge is not None:
        challenge(r)


def authenticate_no_user(r: Request) -> int:
    """check_user_id, last: without an AuthType nothing needs authenticating."""
    kind = auth_type(r)
    if kind is None:
        return OK
    r.site.log_error(
        r,
        "error",
        "authn_core",
        f"AH01796: AuthType {kind} configured without corresponding module",
    )
    return 500


AC = OR_AUTHCFG

MODULE = Module(
    name="mod_authn_core",
    ident="authn_core_module",
    directives=(
        row("AuthType", Args.TAKE1, AC, 'an HTTP authorization type (e.g., "Basic")', _auth_type),
        row(
            "AuthName", Args.TAKE1, AC, 'the authentication realm (e.g. "Members Only")', _auth_name
        ),
        row(
            "<AuthnProviderAlias",
            Args.RAW_ARGS,
            RSRC_CONF,
            "container for grouping an authentication provider's directives under a provider alias",
            _provider_alias,
        ),
    ),
    create_dir=AuthnDir,
    merge_dir=merge_dir,
    create_server=AuthnServer,
    merge_server=_merge_server,
    hooks={"check_user_id": (30, authenticate_no_user)},
)

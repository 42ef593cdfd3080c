"""mod_authz_user: the ``user`` and ``valid-user`` authz providers.

Without an authenticated user both answer DENIED_NO_USER, which sends the request
through authentication (and so to a 401 when no credentials came).
"""

from __future__ import annotations

from typing import Any

from apachemw.config.directives import DirectiveError, Module
from apachemw.config.expr import Expr, ExprError, parse_expr
from apachemw.config.parser import words_of
from apachemw.core.request import Request
from apachemw.modules import mod_authz_core as authz
from apachemw.modules.mod_authn_core import evaluate_string

__all__ = ["MODULE", "require_words"]


def require_words(cmd: Any, args: str) -> Expr:
    """The argument of ``Require user|group``: a string expression (parsed once)."""
    try:
        return parse_expr(args, string=True)
    except ExprError as exc:
        raise DirectiveError(f"Cannot parse expression in require line: {exc}") from None


def _user_check(r: Request, args: str, parsed: Any) -> str:
    if r.user is None:
        return authz.DENIED_NO_USER
    if r.user in words_of(evaluate_string(r, parsed)):
        return authz.GRANTED
    r.site.log_error(
        r,
        "debug",
        "authz_user",
        f"AH01663: access to {r.uri} failed, reason: user '{r.user}' does not meet "
        "'require'ments for user to be allowed access",
    )
    return authz.DENIED


def _valid_user_check(r: Request, args: str, parsed: Any) -> str:
    return authz.DENIED_NO_USER if r.user is None else authz.GRANTED


authz.PROVIDERS["user"] = authz.AuthzProvider(_user_check, require_words)
authz.PROVIDERS["valid-user"] = authz.AuthzProvider(_valid_user_check)

MODULE = Module(name="mod_authz_user", ident="authz_user_module")

"""mod_auth_basic: HTTP Basic authentication (AuthType Basic) against authn providers.

The check_user_id hook decodes the Authorization header as Apache does (a lenient
base64 that stops at the first character outside the alphabet, the user up to the
first ':', both cut at a NUL), asks each AuthBasicProvider in turn, and answers 401
with ``WWW-Authenticate: Basic realm="..."`` when the credentials are missing, of
another scheme, unknown or wrong. A malformed header is a 401, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass

from apachemw.config.directives import OR_AUTHCFG, Args, Cmd, DirectiveError, Module
from apachemw.config.rows import row
from apachemw.core.request import DECLINED, OK, Request
from apachemw.modules import mod_authn_core as authn
from apachemw.modules.mod_authn_core import auth_name, auth_type

__all__ = ["MODULE", "decode_basic"]

DEFAULT_PROVIDER = "file"
_B64_PREFIX = re.compile(rb"[A-Za-z0-9+/]*")


@dataclass
class AuthBasicDir:
    providers: tuple[str, ...] | None = None
    authoritative: bool | None = None


def _providers(cmd: Cmd, args: Sequence[str]) -> None:
    conf: AuthBasicDir = cmd.dir()
    for name in args:
        if authn.find_provider(cmd.ctx.site, name) is None:
            raise DirectiveError(f"Unknown Authn provider: {name}")
    conf.providers = (*(conf.providers or ()), *(name.lower() for name in args))


def _authoritative(cmd: Cmd, args: Sequence[str]) -> None:
    conf: AuthBasicDir = cmd.dir()
    conf.authoritative = args[0].lower() == "on"


def merge_dir(base: AuthBasicDir, add: AuthBasicDir) -> AuthBasicDir:
    return AuthBasicDir(
        add.providers if add.providers is not None else base.providers,
        add.authoritative if add.authoritative is not None else base.authoritative,
    )


def challenge(r: Request) -> None:
    """note_basic_auth_failure: the WWW-Authenticate header of a 401."""
    r.err_headers_out.set("WWW-Authenticate", f'Basic realm="{auth_name(r)}"')


def decode_basic(encoded: str) -> tuple[str, str]:
    """apr_base64_decode, then the user up to the first ':' and the password after it."""
    prefix = _B64_PREFIX.match(encoded.encode("utf-8", "surrogateescape"))
    try:
        data = base64.b64decode(_pad(prefix.group(0) if prefix else b""))
    except (binascii.Error, ValueError):
        data = b""
    data = data.split(b"\0", 1)[0]  # a C string ends at its first NUL
    user, _, password = data.partition(b":")
    return user.decode("utf-8", "surrogateescape"), password.decode("utf-8", "surrogateescape")


def _pad(text: bytes) -> bytes:
    """Whole groups decode to three bytes; a tail of 2 or 3 characters to 1 or 2; a
    lone trailing character to nothing (apr_base64_decode's arithmetic)."""
    rest = len(text) % 4
    if rest == 1:
        return text[:-1]
    return text + b"=" * ((4 - rest) % 4)


def _get_basic_auth(r: Request) -> tuple[str, str] | int:
    line = r.headers_in.get("Authorization")
    if line is None:
        challenge(r)
        return 401
    scheme, _, rest = line.partition(" ")
    if scheme.lower() != "basic":
        r.site.log_error(
            r,
            "error",
            "auth_basic",
            f"AH01614: client used wrong authentication scheme: {r.uri}",
        )
        challenge(r)
        return 401
    user, password = decode_basic(rest.lstrip(" \t"))
    r.user = user  # set before it is checked, as Apache does
    return user, password


def authenticate_basic_user(r: Request) -> int:
    """check_user_id for AuthType Basic."""
    kind = auth_type(r)
    if kind is None or kind.lower() != "basic":
        return DECLINED
    if auth_name(r) is None:
        r.site.log_error(r, "error", "auth_basic", f"AH01615: need AuthName: {r.uri}")
        return 500
    r.auth_type = kind
    r.eventful = True  # the answer depends on the credentials: never memoised
    sent = _get_basic_auth(r)
    if isinstance(sent, int):
        return sent
    user, password = sent
    conf: AuthBasicDir = r.per_dir.get("mod_auth_basic") or AuthBasicDir()
    result = _ask_providers(r, conf, user, password)
    if result == authn.AUTH_GRANTED:
        return OK
    return _failure(r, conf, result, user)


def _ask_providers(r: Request, conf: AuthBasicDir, user: str, password: str) -> str:
    result = authn.AUTH_GENERAL_ERROR
    for name in conf.providers or (DEFAULT_PROVIDER,):
        provider = authn.find_provider(r.site, name)
        if provider is None:
            r.site.log_error(r, "error", "auth_basic", "AH01616: No Authn provider configured")
            return authn.AUTH_GENERAL_ERROR
        result = provider.check_password(r, user, password)
        if result != authn.AUTH_USER_NOT_FOUND:
            break
    return result


def _failure(r: Request, conf: AuthBasicDir, result: str, user: str) -> int:
    if conf.authoritative is False and result != authn.AUTH_DENIED:
        return DECLINED
    if result == authn.AUTH_DENIED:
        message = f'AH01617: user {user}: authentication failure for "{r.uri}": Password Mismatch'
    elif result == authn.AUTH_USER_NOT_FOUND:
        message = f"AH01618: user {user} not found: {r.uri}"
    else:
        return 500  # the provider has logged what went wrong
    r.site.log_error(r, "error", "auth_basic", message)
    challenge(r)
    return 401


authn.CHALLENGES["basic"] = challenge

AC = OR_AUTHCFG

MODULE = Module(
    name="mod_auth_basic",
    ident="auth_basic_module",
    directives=(
        row(
            "AuthBasicProvider",
            Args.ITERATE,
            AC,
            "specify the auth providers for a directory or location",
            _providers,
        ),
        row(
            "AuthBasicAuthoritative",
            Args.FLAG,
            AC,
            "Set to 'Off' to allow access control to be passed along to lower modules if the "
            "UserID is not known to this module",
            _authoritative,
        ),
    ),
    create_dir=AuthBasicDir,
    merge_dir=merge_dir,
    hooks={"check_user_id": (10, authenticate_basic_user)},
)

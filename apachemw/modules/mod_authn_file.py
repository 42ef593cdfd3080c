"""mod_authn_file: the ``file`` authn provider over an htpasswd file (AuthUserFile).

The file is parsed once per version (what stat says) instead of on every request as
Apache reads it; lines are trimmed, ``#`` comments and blank lines skipped, the user is
the text before the first ``:`` and the hash the text up to the next, and the first
entry for a user wins. The hash is checked by ``core.apr_password`` in constant time.
A check that succeeded or failed is remembered (bounded, keyed by the file's version
and a keyed digest of the password, never the password) so a busy client does not pay
for bcrypt on every request; on an event loop an unremembered check raises
NeedsBlockingIO and runs in a worker thread.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from apachemw.config.directives import OR_AUTHCFG, Args, Cmd, Module
from apachemw.config.htaccess import NeedsBlockingIO
from apachemw.config.rows import row
from apachemw.core.apr_password import validate
from apachemw.core.parsedfiles import ParsedFiles
from apachemw.core.request import Request
from apachemw.modules import mod_authn_core as authn

__all__ = ["MODULE", "parse_user_file", "server_relative"]

_VERIFIED_MAX = 4096
_KEY = secrets.token_bytes(32)


class UserFileError(Exception):
    """The user file could not be read."""


@dataclass
class AuthnFileDir:
    user_file: str | None = None


def server_relative(cmd: Cmd, path: str) -> str:
    """ap_server_root_relative, as ap_set_file_slot applies it."""
    if os.path.isabs(path):
        return path
    root: str = cmd.ctx.site.server_root
    return os.path.join(root, path)


def _user_file(cmd: Cmd, args: Sequence[str]) -> None:
    conf: AuthnFileDir = cmd.dir()
    conf.user_file = server_relative(cmd, args[0])


def merge_dir(base: AuthnFileDir, add: AuthnFileDir) -> AuthnFileDir:
    return AuthnFileDir(add.user_file or base.user_file)


def parse_user_file(path: str, data: bytes) -> dict[str, str]:
    """user -> stored hash, the first line for a user winning."""
    users: dict[str, str] = {}
    for raw in data.decode("utf-8", "surrogateescape").split("\n"):
        line = raw.strip(" \t\r\f\v")  # ap_cfg_getline trims both ends
        if not line or line.startswith("#"):
            continue
        user, _, rest = line.partition(":")
        users.setdefault(user, rest.partition(":")[0])
    return users


_FILES: ParsedFiles[dict[str, str]] = ParsedFiles(parse_user_file, UserFileError)
_verified: OrderedDict[tuple[str, bytes], bool] = OrderedDict()
_lock = threading.Lock()
# Hashing is CPU work (a $2y$17$ bcrypt entry takes seconds, in Apache too): at most
# this many checks run at once, so a flood of guesses cannot take every worker thread.
_hashing = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))


def check_password(r: Request, user: str, password: str) -> str:
    """The file provider's check_password."""
    conf: AuthnFileDir | None = r.per_dir.get("mod_authn_file")
    if conf is None or conf.user_file is None:
        r.site.log_error(
            r, "error", "authn_file", "AH01619: AuthUserFile not specified in the configuration"
        )
        return authn.AUTH_GENERAL_ERROR
    try:
        users = _FILES.load(conf.user_file, r.may_block)
    except UserFileError as exc:
        cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else None
        message = f"AH01620: Could not open password file: {conf.user_file}"
        r.site.log_error(r, "error", "authn_file", message, cause)
        return authn.AUTH_GENERAL_ERROR
    stored = users.get(user)
    if stored is None:
        return authn.AUTH_USER_NOT_FOUND
    return authn.AUTH_GRANTED if _checked(r, password, stored) else authn.AUTH_DENIED


def _checked(r: Request, password: str, stored: str) -> bool:
    secret = password.encode("utf-8", "surrogateescape")
    key = (stored, hmac.new(_KEY, secret, hashlib.sha256).digest())
    with _lock:
        known = _verified.get(key)
        if known is not None:
            _verified.move_to_end(key)
            return known
    if not r.may_block:
        raise NeedsBlockingIO(r.uri)  # hashing is CPU work: not on the event loop
    with _hashing:
        result = validate(secret, stored)
    with _lock:
        _verified[key] = result
        while len(_verified) > _VERIFIED_MAX:
            _verified.popitem(last=False)
    return result


authn.PROVIDERS["file"] = authn.AuthnProvider(check_password)

MODULE = Module(
    name="mod_authn_file",
    ident="authn_file_module",
    directives=(
        row(
            "AuthUserFile",
            Args.TAKE1,
            OR_AUTHCFG,
            "text file containing user IDs and passwords",
            _user_file,
        ),
    ),
    create_dir=AuthnFileDir,
    merge_dir=merge_dir,
)

"""mod_authz_groupfile: AuthGroupFile and the ``group`` authz provider.

A group file line is ``name: member member ...``; the name is trimmed at its end and
members are words as Apache's config reader takes them. Parsed once per version of
the file (core.parsedfiles); on an event loop a file to read raises NeedsBlockingIO.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from apachemw.config.directives import OR_AUTHCFG, Args, Cmd, Module
from apachemw.config.parser import words_of
from apachemw.config.rows import row
from apachemw.core.parsedfiles import ParsedFiles
from apachemw.core.request import Request
from apachemw.modules import mod_authz_core as authz
from apachemw.modules.mod_authn_core import evaluate_string
from apachemw.modules.mod_authn_file import server_relative
from apachemw.modules.mod_authz_user import require_words

__all__ = ["MODULE", "parse_group_file"]


class GroupFileError(Exception):
    """The group file could not be read."""


@dataclass
class GroupFileDir:
    group_file: str | None = None


def _group_file(cmd: Cmd, args: Sequence[str]) -> None:
    conf: GroupFileDir = cmd.dir()
    conf.group_file = server_relative(cmd, args[0])


def merge_dir(base: GroupFileDir, add: GroupFileDir) -> GroupFileDir:
    return GroupFileDir(add.group_file or base.group_file)


def parse_group_file(path: str, data: bytes) -> dict[str, set[str]]:
    """user -> the groups naming them (groups_for_user, for every user at once)."""
    groups: dict[str, set[str]] = {}
    for raw in data.decode("utf-8", "surrogateescape").split("\n"):
        line = raw.strip(" \t\r\f\v")
        if not line or line.startswith("#"):
            continue
        name, _, members = line.partition(":")
        name = name.rstrip(" \t\r\f\v")
        for member in words_of(members):
            groups.setdefault(member, set()).add(name)
    return groups


_FILES: ParsedFiles[dict[str, set[str]]] = ParsedFiles(parse_group_file, GroupFileError)


def _group_check(r: Request, args: str, parsed: Any) -> str:
    if r.user is None:
        return authz.DENIED_NO_USER
    conf: GroupFileDir | None = r.per_dir.get("mod_authz_groupfile")
    if conf is None or conf.group_file is None:
        r.site.log_error(
            r,
            "error",
            "authz_groupfile",
            "AH01664: No group file was specified in the configuration",
        )
        return authz.DENIED
    try:
        groups = _FILES.load(conf.group_file, r.may_block).get(r.user, set())
    except GroupFileError as exc:
        cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else None
        message = f"AH01665: Could not open group file: {conf.group_file}"
        r.site.log_error(r, "error", "authz_groupfile", message, cause)
        return authz.DENIED
    if not groups:
        r.site.log_error(
            r,
            "info",
            "authz_groupfile",
            f"AH01666: Authorization of user {r.user} to access {r.uri} failed, reason: "
            f"user doesn't appear in group file ({conf.group_file}).",
        )
        return authz.DENIED
    if any(word in groups for word in words_of(evaluate_string(r, parsed))):
        return authz.GRANTED
    return authz.DENIED


authz.PROVIDERS["group"] = authz.AuthzProvider(_group_check, require_words)

MODULE = Module(
    name="mod_authz_groupfile",
    ident="authz_groupfile_module",
    directives=(
        row(
            "AuthGroupFile",
            Args.TAKE1,
            OR_AUTHCFG,
            "text file containing group names and member user IDs",
            _group_file,
        ),
    ),
    create_dir=GroupFileDir,
    merge_dir=merge_dir,
)

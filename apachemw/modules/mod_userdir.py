"""mod_userdir: ``/~user/...`` mapped to a user's directory (modules/mappers/mod_userdir.c).

UserDir holds one string of entries, tried in order: a name relative to the user's
home directory (``public_html``), an absolute directory (``/srv/users`` gives
``/srv/users/<user>``), a path or URL with ``*`` standing for the user (a URL
redirects with 302). An entry is taken when its directory exists, the last one
whatever. ``UserDir disabled [names]`` and ``UserDir enabled names`` switch users off
and on. The mapping happens in translate_name, after mod_alias, and the directory's
``.htaccess`` and access control then apply as for any file.
"""

from __future__ import annotations

import pwd
from dataclasses import dataclass, field
from typing import Any

from apachemw.config.directives import RSRC_CONF, Args, Cmd, DirectiveError, Module
from apachemw.config.parser import getword
from apachemw.config.rows import row
from apachemw.core.fsinfo import exists
from apachemw.core.request import DECLINED, OK, Request

__all__ = ["MODULE", "UserdirServer"]

O_DEFAULT, O_ENABLE, O_DISABLE = 0, 1, 2


@dataclass
class UserdirServer:
    globally_disabled: int = O_DEFAULT
    # The UserDir entries, split once at config load.
    userdir: tuple[str, ...] | None = None
    enabled_users: set[str] = field(default_factory=set)
    disabled_users: set[str] = field(default_factory=set)


def merge_server(base: UserdirServer, add: UserdirServer) -> UserdirServer:
    # The user lists are the virtual host's own: Apache does not merge them.
    return UserdirServer(
        globally_disabled=add.globally_disabled or base.globally_disabled,
        userdir=add.userdir if add.userdir is not None else base.userdir,
        enabled_users=add.enabled_users,
        disabled_users=add.disabled_users,
    )


def _words(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    while pos < len(text):
        word, pos = getword(text, pos)
        if word == "" and pos >= len(text):
            break
        out.append(word)
    return out


def _user_dir(cmd: Cmd, args: Any) -> None:
    """UserDir entries..., or disabled/enabled [users...]."""
    conf: UserdirServer = cmd.srv()
    raw = cmd.node.raw_args
    words = _words(raw)
    if not words or words[0] == "":
        raise DirectiveError("UserDir requires an argument.")
    keyword = words[0].lower()
    if keyword in ("disable", "disabled", "enable", "enabled"):
        enable = keyword.startswith("enable")
        if len(words) == 1:
            conf.globally_disabled = O_ENABLE if enable else O_DISABLE
        else:
            (conf.enabled_users if enable else conf.disabled_users).update(words[1:])
        return
    conf.userdir = tuple(words)


def _home(user: str) -> str | None:
    try:
        return pwd.getpwnam(user).pw_dir
    except (KeyError, ValueError):
        return None


def _candidate(entry: str, user: str, rest: str) -> tuple[str | None, str | None]:
    """One UserDir entry: (the directory for ``user``, or a redirect URL)."""
    absolute = entry.startswith("/")
    prefix: str | None = None
    if "*" in entry:
        prefix, _, entry = entry.partition("*")
    if entry == "" or absolute:
        if prefix is not None:
            if ":" in prefix and not absolute:
                return None, prefix + user + entry + rest
            return prefix + user + entry, None
        return f"{entry}/{user}", None
    if prefix is not None and ":" in prefix:
        return None, prefix + user + rest  # what followed "*" is dropped, as in Apache
    home = _home(user)
    return (f"{home}/{entry}" if home is not None else None), None


def _excluded(conf: UserdirServer, user: str) -> bool:
    if user in ("", ".", "..") or user in conf.disabled_users:
        return True
    return conf.globally_disabled == O_DISABLE and user not in conf.enabled_users


def translate_userdir(r: Request) -> int:
    """translate_name: /~user[/rest] to the first existing UserDir directory."""
    if not r.uri.startswith("/~"):
        return DECLINED
    conf: UserdirServer = r.server.get("mod_userdir")
    if conf.userdir is None:
        return DECLINED
    user, slash, rest = r.uri[2:].partition("/")
    rest = slash + rest
    if _excluded(conf, user):
        return DECLINED
    entries = conf.userdir
    for index, entry in enumerate(entries):
        filename, redirect = _candidate(entry, user, rest)
        if redirect is not None:
            r.headers_out.set("Location", redirect)
            return 302
        last = index == len(entries) - 1
        if filename is not None and not last and not exists(filename):
            # A later entry answers only while this one stays missing (core.memo).
            r.memo_evidence.append((filename, None))
            continue
        if filename is not None:
            r.filename = filename + rest
            r.notes["context_prefix"] = r.uri[: len(r.uri) - len(rest)]
            r.notes["context_document_root"] = filename
            r.notes["mod_userdir_user"] = user
            return OK
    return DECLINED


MODULE = Module(
    name="mod_userdir",
    ident="userdir_module",
    directives=(
        row(
            "UserDir",
            Args.RAW_ARGS,
            RSRC_CONF,
            "the public subdirectory in users' home directories, or 'disabled', or "
            "'disabled username username...', or 'enabled username username...'",
            _user_dir,
        ),
    ),
    create_server=UserdirServer,
    merge_server=merge_server,
    hooks={"translate_name": (15, translate_userdir)},
)

"""mod_alias, the URL-to-filesystem part: Alias and AliasMatch (translate_name).

Matching is segment-wise (``Alias /icons`` takes ``/icons`` and ``/icons/x`` but
not ``/iconsfoo``), runs of slashes match runs of slashes, and the first alias
in configuration order wins (modules/mappers/mod_alias.c ``alias_matches``).
The Redirect family lives in the same Apache module and is the next issue's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from apachemw.config.directives import RSRC_CONF, Args, Cmd, DirectiveError, Module
from apachemw.config.rows import row
from apachemw.core.regex import compile_pattern
from apachemw.core.request import DECLINED, OK, Request

__all__ = ["MODULE", "alias_matches", "substitute"]


@dataclass(frozen=True, slots=True)
class AliasEntry:
    fake: str
    real: str
    regex: re.Pattern[str] | None = None


@dataclass
class AliasDir:
    """Per-directory mod_alias config: the one-argument Alias of a <Location>."""

    location_alias: str | None = None


def merge_dir(base: AliasDir, add: AliasDir) -> AliasDir:
    return AliasDir(add.location_alias or base.location_alias)


@dataclass
class AliasServer:
    aliases: list[AliasEntry] = field(default_factory=list)


def merge_server(base: AliasServer, virt: AliasServer) -> AliasServer:
    # The virtual host's aliases are tried before the main server's.
    return AliasServer(aliases=virt.aliases + base.aliases)


def alias_matches(uri: str, fake: str) -> int:
    """How many characters of ``uri`` the alias ``fake`` matches (0 for none)."""
    ui = ai = 0
    while ai < len(fake):
        if fake[ai] == "/":
            if ui >= len(uri) or uri[ui] != "/":
                return 0
            while ai < len(fake) and fake[ai] == "/":
                ai += 1
            while ui < len(uri) and uri[ui] == "/":
                ui += 1
        else:
            if ui >= len(uri) or uri[ui] != fake[ai]:
                return 0
            ui += 1
            ai += 1
    if fake and fake[-1] != "/" and ui < len(uri) and uri[ui] != "/":
        return 0
    return ui


def substitute(template: str, source: str, match: re.Match[str]) -> str:
    """ap_pregsub: ``$0``-``$9`` and ``&``-free backslash escapes."""
    out: list[str] = []
    i = 0
    while i < len(template):
        char = template[i]
        if char == "$" and i + 1 < len(template) and template[i + 1].isdigit():
            group = int(template[i + 1])
            if group <= (match.re.groups or 0):
                out.append(match.group(group) or "")
            i += 2
            continue
        if char == "\\" and i + 1 < len(template) and template[i + 1] in "$\\":
            out.append(template[i + 1])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _alias(cmd: Cmd, args: Sequence[str]) -> None:
    if len(args) == 1 and cmd.section_kind == "location":
        # Inside <Location>, "Alias /real/path" maps the whole location there.
        if "%{" in args[0]:
            raise DirectiveError("Alias expressions (%{...}) are not supported by apachemw yet")
        conf_dir: AliasDir = cmd.dir()
        conf_dir.location_alias = args[0]
        return
    if len(args) != 2:
        raise DirectiveError("Alias must have two arguments when used globally")
    conf: AliasServer = cmd.srv()
    fake, real = args
    for existing in conf.aliases:
        if existing.regex is None and alias_matches(fake, existing.fake):
            cmd.warn(
                f"AH00671: The Alias directive in {cmd.node.file} at line {cmd.node.line} will "
                f"probably never match because it overlaps an earlier Alias."
            )
            break
    conf.aliases.append(AliasEntry(fake, real))


def _alias_match(cmd: Cmd, args: Sequence[str]) -> None:
    conf: AliasServer = cmd.srv()
    try:
        regex = compile_pattern(args[0])
    except re.error:
        raise DirectiveError("Regular expression could not be compiled.") from None
    conf.aliases.append(AliasEntry(args[0], args[1], regex))


def translate_alias(r: Request) -> int:
    if r.uri[:1] not in ("/", ""):
        return DECLINED
    located: AliasDir | None = r.per_dir.get("mod_alias")
    if located is not None and located.location_alias:
        r.filename = r.canonical_filename = located.location_alias
        return OK
    conf: AliasServer = r.server.get("mod_alias")
    for entry in conf.aliases:
        if entry.regex is not None:
            match = entry.regex.search(r.uri)
            if match is None:
                continue
            r.filename = substitute(entry.real, r.uri, match)
        else:
            length = alias_matches(r.uri, entry.fake)
            if not length:
                continue
            r.filename = entry.real + r.uri[length:]
        r.canonical_filename = r.filename
        r.notes["alias-context"] = entry
        return OK
    return DECLINED


MODULE = Module(
    name="mod_alias",
    ident="alias_module",
    directives=(
        row(
            "Alias",
            Args.TAKE12,
            RSRC_CONF | 64,
            "a fakename and a realname, or a realname in a Location",
            _alias,
        ),
        row(
            "AliasMatch", Args.TAKE2, RSRC_CONF, "a regular expression and a filename", _alias_match
        ),
    ),
    create_dir=AliasDir,
    merge_dir=merge_dir,
    create_server=AliasServer,
    merge_server=merge_server,
    hooks={"translate_name": (10, translate_alias)},
)

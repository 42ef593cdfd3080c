"""mod_alias: Alias, AliasMatch and the Redirect family (modules/mappers/mod_alias.c).

In translate_name (MIDDLE, after server-context mod_rewrite) the redirects are
tried before the aliases: first a <Location>'s one-argument Redirect, then the
server's Redirect/RedirectMatch list, then a <Location>'s one-argument Alias,
then the server's Alias/AliasMatch list. Per-directory Redirects (<Directory>,
.htaccess) run again in fixups against the URI as it is then. Prefix matching is
segment-wise (``/icons`` takes ``/icons`` and ``/icons/x``, not ``/iconsfoo``),
runs of slashes match runs of slashes, and the first entry in configuration
order wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from apachemw.config.directives import OR_FILEINFO, RSRC_CONF, Args, Cmd, DirectiveError, Module
from apachemw.config.rows import row
from apachemw.core.pipeline import construct_url
from apachemw.core.regex import compile_pattern, whole_characters
from apachemw.core.request import DECLINED, OK, Request
from apachemw.core.uri_escape import escape_uri, is_url

__all__ = ["MODULE", "alias_matches", "substitute", "substitute_texts"]

ACCESS_CONF = 64


@dataclass(frozen=True, slots=True)
class AliasEntry:
    fake: str
    real: str | None
    regex: re.Pattern[str] | None = None
    status: int = 0


@dataclass
class AliasServer:
    aliases: list[AliasEntry] = field(default_factory=list)
    redirects: list[AliasEntry] = field(default_factory=list)


@dataclass
class AliasDir:
    """Per-directory config: <Location> one-argument forms, per-dir Redirects."""

    redirects: list[AliasEntry] = field(default_factory=list)
    alias: str | None = None
    alias_fake: str | None = None
    redirect: str | None = None
    redirect_status: int | None = None
    redirect_set: bool = False
    allow_relative: bool | None = None
    preserve_path: bool | None = None


def merge_server(base: AliasServer, virt: AliasServer) -> AliasServer:
    # The virtual host's entries are tried before the main server's.
    return AliasServer(virt.aliases + base.aliases, virt.redirects + base.redirects)


def merge_dir(base: AliasDir, add: AliasDir) -> AliasDir:
    """merge_alias_dir_config: the child's Redirects first, then the parent's."""
    alias_set = add.alias is not None
    return AliasDir(
        redirects=add.redirects + base.redirects,
        alias=add.alias if alias_set else base.alias,
        alias_fake=add.alias_fake if alias_set else base.alias_fake,
        redirect=add.redirect if add.redirect_set else base.redirect,
        redirect_status=add.redirect_status if add.redirect_set else base.redirect_status,
        redirect_set=add.redirect_set or base.redirect_set,
        allow_relative=base.allow_relative if add.allow_relative is None else add.allow_relative,
        preserve_path=base.preserve_path if add.preserve_path is None else add.preserve_path,
    )


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
    """ap_pregsub over a match: ``$0``-``$9``, and a backslash escaping ``$`` or ``\\``."""
    count = min(match.re.groups or 0, 9) + 1
    return substitute_texts(template, tuple(match.group(i) or "" for i in range(count)))


def substitute_texts(template: str, groups: tuple[str, ...]) -> str:
    """ap_pregsub with the captures given as texts (a missing one is empty)."""
    out: list[str] = []
    i = 0
    while i < len(template):
        char = template[i]
        if char == "$" and i + 1 < len(template) and "0" <= template[i + 1] <= "9":
            group = int(template[i + 1])
            if group < len(groups):
                out.append(groups[group])
            i += 2
            continue
        if char == "\\" and i + 1 < len(template) and template[i + 1] in "$\\":
            out.append(template[i + 1])
            i += 2
            continue
        out.append(char)
        i += 1
    result = "".join(out)
    return result if result.isascii() else whole_characters(result)


# ---------------------------------------------------------------- directives


def _no_expressions(value: str) -> None:
    if "%{" in value:
        raise DirectiveError("mod_alias expressions (%{...}) are not supported by apachemw yet")


def _alias(cmd: Cmd, args: Sequence[str]) -> None:
    if len(args) == 1:
        _location_alias(cmd, args[0])
        return
    if cmd.section_kind is not None or cmd.htaccess:
        raise DirectiveError(f"{cmd.node.name} cannot occur within directory context")
    _add_alias(cmd, args[0], args[1], regex=None)


def _location_alias(cmd: Cmd, real: str) -> None:
    if cmd.section_kind == "directory":
        raise DirectiveError(f"{cmd.node.name} cannot occur within <Directory> section")
    if cmd.section_kind == "files":
        raise DirectiveError(f"{cmd.node.name} cannot occur within <Files> section")
    if cmd.path is None:
        raise DirectiveError("Alias must have two arguments when used globally")
    _no_expressions(real)
    conf: AliasDir = cmd.dir()
    conf.alias, conf.alias_fake = real, cmd.path


def _alias_match(cmd: Cmd, args: Sequence[str]) -> None:
    try:
        regex = compile_pattern(args[0])
    except re.error:
        raise DirectiveError("Regular expression could not be compiled.") from None
    _add_alias(cmd, args[0], args[1], regex=regex)


def _add_alias(cmd: Cmd, fake: str, real: str, regex: re.Pattern[str] | None) -> None:
    conf: AliasServer = cmd.srv()
    if regex is None:
        for earlier in conf.aliases:
            overlaps = (
                earlier.regex.search(fake) is not None
                if earlier.regex is not None
                else alias_matches(fake, earlier.fake) > 0
            )
            if overlaps:
                kind = "AliasMatch" if earlier.regex is not None else "Alias"
                cmd.warn(
                    f"AH00671: The {cmd.node.name} directive in {cmd.node.file} at line "
                    f"{cmd.node.line} will probably never match because it overlaps an "
                    f"earlier {kind}."
                )
                break
    conf.aliases.append(AliasEntry(fake, real, regex))


_STATUS_WORDS = {"permanent": 301, "temp": 302, "seeother": 303, "gone": 410}


def _grok_status(word: str, default: int) -> tuple[int, int]:
    """(status, grok): grok 1 = a redirect status, -1 = a non-redirect one, 0 = not a status."""
    lowered = word.lower()
    if lowered in _STATUS_WORDS:
        status = _STATUS_WORDS[lowered]
        return status, -1 if status == 410 else 1
    if word[:1].isdigit():
        match = re.match(r"\d+", word)
        status = int(match.group(0)) if match else 0
        return status, 1 if 300 <= status < 400 else -1
    return default, 0


Apply = Callable[[Cmd, Sequence[str]], None]


def _redirect(default: int, use_regex: bool) -> Apply:
    def apply(cmd: Cmd, args: Sequence[str]) -> None:
        _add_redirect(cmd, list(args) + [""] * (3 - len(args)), default, use_regex)

    return apply


def _add_redirect(cmd: Cmd, args: list[str], default: int, use_regex: bool) -> None:
    """add_redirect_internal: [status] URL-path [URL], or <Location>'s short forms."""
    arg1, arg2, arg3 = args[0], args[1] or None, args[2] or None
    status, grok = _grok_status(arg1, default)
    if arg3 and not grok:
        raise DirectiveError("Redirect: invalid first argument (of three)")
    if cmd.path is not None and ((grok > 0 and arg2 and not arg3) or (not grok and not arg2)):
        url = arg2 if grok else arg1
        assert url is not None
        _no_expressions(url)
        conf_dir: AliasDir = cmd.dir()
        conf_dir.redirect, conf_dir.redirect_status, conf_dir.redirect_set = url, status, True
        return
    if cmd.path is not None and grok < 0 and not arg2:
        conf_dir = cmd.dir()
        conf_dir.redirect, conf_dir.redirect_status, conf_dir.redirect_set = None, status, True
        return
    fake, url = (arg1, arg2) if not arg3 and not grok else (arg2 or "", arg3)
    regex = None
    if use_regex:
        try:
            regex = compile_pattern(fake)
        except re.error:
            raise DirectiveError("Regular expression could not be compiled.") from None
    if 300 <= status < 400:
        if not url:
            raise DirectiveError("URL to redirect to is missing")
        if not use_regex and not is_url(url) and not url.startswith("/"):
            raise DirectiveError("Redirect to non-URL")
    elif url:
        raise DirectiveError("Redirect URL not valid for this status")
    entry = AliasEntry(fake, url, regex, status)
    if cmd.path is not None:
        target: AliasDir = cmd.dir()
        target.redirects.append(entry)
    else:
        conf: AliasServer = cmd.srv()
        conf.redirects.append(entry)


def _flag(field_name: str) -> Apply:
    def apply(cmd: Cmd, args: Sequence[str]) -> None:
        setattr(cmd.dir(), field_name, args[0].lower() == "on")

    return apply


# ---------------------------------------------------------------- hooks


def _escape_target(found: str) -> str:
    """As apr_uri_parse + unparse + ap_escape_uri: escape the path of a regex
    redirect target, keep scheme, authority, query and fragment as written."""
    head, hash_sign, fragment = found.partition("#")
    path, question, query = head.partition("?")
    prefix = ""
    if is_url(path):
        scheme, _, rest = path.partition(":")
        prefix = scheme + ":"
        if rest.startswith("//"):
            slash = rest.find("/", 2)
            prefix += rest if slash < 0 else rest[:slash]
            rest = "" if slash < 0 else rest[slash:]
        path = rest
    out = prefix + escape_uri(path)
    if question:
        out += "?" + query
    if hash_sign:
        out += "#" + fragment
    return out


def _try_location_redirect(r: Request) -> tuple[str, int] | None:
    conf: AliasDir | None = r.per_dir.get("mod_alias")
    if conf is None or not conf.redirect_set:
        return None
    status = conf.redirect_status or 302
    return (_escape_target(conf.redirect) if conf.redirect else "", status)


def _try_list(r: Request, entries: list[AliasEntry], is_redirect: bool) -> tuple[str, int] | None:
    for entry in entries:
        if entry.regex is not None:
            match = entry.regex.search(r.uri)
            if match is None:
                continue
            if entry.real is None:
                return "", entry.status
            found = substitute(entry.real, r.uri, match)
            return (_escape_target(found) if is_redirect else found), entry.status
        length = alias_matches(r.uri, entry.fake)
        if not length:
            continue
        if not is_redirect:
            # ap_set_context_info: what per-directory rewriting maps back from.
            r.notes["context_prefix"], r.notes["context_document_root"] = entry.fake, entry.real
        rest = r.uri[length:]
        if entry.real is None:
            return "", entry.status
        found = entry.real + (escape_uri(rest) if is_redirect else rest)
        return found, entry.status
    return None


def _answer_redirect(r: Request, found: str, status: int, relative_ok: bool) -> int:
    if 300 <= status < 400:
        if not relative_ok or not found.startswith("/"):
            if found.startswith("/"):
                found = construct_url(r, found)
            if not is_url(found):
                r.site.log_error(
                    r,
                    "error",
                    "alias",
                    f"AH00674: cannot redirect '{r.uri}' to '{found}'; target is not a valid "
                    "absoluteURI or abs_path",
                )
                return 500
        if r.args is not None and "?" not in found:
            found += "?" + r.args
        r.headers_out.set("Location", found)
    return status


def _relative_ok(r: Request) -> bool:
    conf: AliasDir | None = r.per_dir.get("mod_alias")
    return bool(conf is not None and conf.allow_relative)


def translate_alias(r: Request) -> int:
    """translate_alias_redir: redirects first, then aliases."""
    if r.uri[:1] not in ("/", ""):
        return DECLINED
    conf: AliasServer = r.server.get("mod_alias")
    hit = _try_location_redirect(r) or _try_list(r, conf.redirects, True)
    if hit is not None:
        return _answer_redirect(r, hit[0], hit[1], _relative_ok(r))
    found = _try_location_alias(r)
    if found is None:
        listed = _try_list(r, conf.aliases, False)
        found = listed[0] if listed is not None else None
    if found is None:
        return DECLINED
    r.filename = r.canonical_filename = found
    return OK


def _try_location_alias(r: Request) -> str | None:
    located: AliasDir | None = r.per_dir.get("mod_alias")
    if located is None or located.alias is None:
        return None
    found = located.alias
    if located.alias_fake and located.preserve_path:
        length = alias_matches(r.uri, located.alias_fake)
        if length:
            found += r.uri[length:]
    return found


def fixup_redirect(r: Request) -> int:
    """fixup_redir: per-directory Redirects, against the URI as it is now."""
    conf: AliasDir | None = r.per_dir.get("mod_alias")
    if conf is None:
        return DECLINED
    hit = _try_location_redirect(r) or _try_list(r, conf.redirects, True)
    if hit is None:
        return DECLINED
    return _answer_redirect(r, hit[0], hit[1], bool(conf.allow_relative))


FI = OR_FILEINFO

MODULE = Module(
    name="mod_alias",
    ident="alias_module",
    directives=(
        row(
            "Alias",
            Args.TAKE12,
            RSRC_CONF | ACCESS_CONF,
            "a fakename and a realname, or a realname in a Location",
            _alias,
        ),
        row(
            "Redirect",
            Args.TAKE123,
            FI,
            "an optional status, then document to be redirected and destination URL",
            _redirect(302, use_regex=False),
        ),
        row(
            "AliasMatch", Args.TAKE2, RSRC_CONF, "a regular expression and a filename", _alias_match
        ),
        row(
            "RedirectMatch",
            Args.TAKE23,
            FI,
            "an optional status, then a regular expression and destination URL",
            _redirect(302, use_regex=True),
        ),
        row(
            "RedirectTemp",
            Args.TAKE2,
            FI,
            "a document to be redirected, then the destination URL",
            _redirect(302, use_regex=False),
        ),
        row(
            "RedirectPermanent",
            Args.TAKE2,
            FI,
            "a document to be redirected, then the destination URL",
            _redirect(301, use_regex=False),
        ),
        row(
            "RedirectRelative",
            Args.FLAG,
            FI,
            "Set to ON to allow relative redirect targets to be issued as-is",
            _flag("allow_relative"),
        ),
        row(
            "AliasPreservePath",
            Args.FLAG,
            FI,
            "Set to ON to map the full path after the fakename to the realname.",
            _flag("preserve_path"),
        ),
    ),
    create_dir=AliasDir,
    merge_dir=merge_dir,
    create_server=AliasServer,
    merge_server=merge_server,
    hooks={"translate_name": (10, translate_alias), "fixups": (10, fixup_redirect)},
)

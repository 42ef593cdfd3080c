"""mod_mime: file extensions to content type, charset, language, encoding, handler.

Every dot-separated extension after the first part of the file name counts (so
``a.tar.gz`` and ``page.html.en`` carry several), the last type wins, languages
accumulate, encodings join with ", " (modules/http/mod_mime.c ``find_ct``).
"""

from __future__ import annotations

import mimetypes
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from apachemw.config.directives import (
    ACCESS_CONF,
    OR_FILEINFO,
    RSRC_CONF,
    Args,
    Cmd,
    DirectiveError,
)
from apachemw.config.directives import Module as _Module
from apachemw.config.parser import ParseEnv
from apachemw.config.rows import row
from apachemw.core.request import DECLINED, OK, Request

__all__ = ["DIR_MAGIC_TYPE", "MODULE", "MimeDir", "load_types"]

DIR_MAGIC_TYPE = "httpd/unix-directory"


@dataclass(frozen=True, slots=True)
class ExtInfo:
    """extension_info: what AddType/AddCharset/... said about one extension."""

    type: str | None = None
    charset: str | None = None
    language: str | None = None
    encoding: str | None = None
    handler: str | None = None
    # AddInputFilter/AddOutputFilter: not run here, but MultiviewsMatch Filters counts them.
    input_filters: str | None = None
    output_filters: str | None = None


# MultiviewsMatch flags, as mod_mime keeps them.
MULTIMATCH_UNSET = 0
MULTIMATCH_ANY = 1
MULTIMATCH_NEGOTIATED = 2
MULTIMATCH_HANDLERS = 4
MULTIMATCH_FILTERS = 8

# The note find_ct leaves for mod_negotiation: the file-name parts that carried no
# metadata (the base name first), set only when some part did carry metadata.
EXCEPTIONS_NOTE = "ap-mime-exceptions-list"


@dataclass
class MimeDir:
    mappings: dict[str, ExtInfo] = field(default_factory=dict)
    removals: list[tuple[str, str]] = field(default_factory=list)  # (ext, field)
    default_language: str | None = None
    use_path_info: bool | None = None
    multimatch: int = MULTIMATCH_UNSET


@dataclass
class MimeServer:
    types_config: str | None = None
    types: dict[str, str] = field(default_factory=dict)


def create_dir() -> MimeDir:
    return MimeDir()


def merge_dir(base: MimeDir, add: MimeDir) -> MimeDir:
    """Overlay the child's extension info field by field, then apply its Remove*."""
    mappings = dict(base.mappings)
    for ext, info in add.mappings.items():
        old = mappings.get(ext)
        mappings[ext] = info if old is None else _overlay(old, info)
    for ext, name in add.removals:
        old = mappings.get(ext)
        if old is not None:
            # A removed type hides the TypesConfig mapping too (recorded from
            # apache2: RemoveType .txt leaves no Content-Type at all).
            mappings[ext] = replace(old, **{name: "" if name == "type" else None})
        elif name == "type":
            mappings[ext] = ExtInfo(type="")
    return MimeDir(
        mappings=mappings,
        removals=[],
        default_language=add.default_language or base.default_language,
        use_path_info=add.use_path_info if add.use_path_info is not None else base.use_path_info,
        multimatch=add.multimatch or base.multimatch,
    )


def _overlay(old: ExtInfo, new: ExtInfo) -> ExtInfo:
    return ExtInfo(
        type=new.type or old.type,
        charset=new.charset or old.charset,
        language=new.language or old.language,
        encoding=new.encoding or old.encoding,
        handler=new.handler or old.handler,
        input_filters=new.input_filters or old.input_filters,
        output_filters=new.output_filters or old.output_filters,
    )


def _ext_key(ext: str) -> str:
    return ext.lstrip(".").lower()


def _add(field_name: str, lower: bool = False) -> Any:
    def apply(cmd: Cmd, args: Sequence[str]) -> None:
        conf: MimeDir = cmd.dir()
        value = args[0].lower() if lower else args[0]
        for ext in args[1:]:
            key = _ext_key(ext)
            old = conf.mappings.get(key, ExtInfo())
            conf.mappings[key] = replace(old, **{field_name: value})

    return apply


def _remove(field_name: str) -> Any:
    def apply(cmd: Cmd, args: Sequence[str]) -> None:
        conf: MimeDir = cmd.dir()
        for ext in args:
            conf.removals.append((_ext_key(ext), field_name))

    return apply


def _add_handler(cmd: Cmd, args: Sequence[str]) -> None:
    _add("handler", lower=True)(cmd, args)
    if args[0].lower() == "apachemw-app":
        # The configuration routes the app itself, as with SetHandler: no implicit fallback.
        cmd.ctx.site.app_named = True


def _default_language(cmd: Cmd, args: Sequence[str]) -> None:
    # A plain string slot in Apache: kept as written (recorded: "DefaultLanguage EN"
    # sends "Content-Language: EN" and never matches Accept-Language: en).
    conf: MimeDir = cmd.dir()
    conf.default_language = args[0]


_MULTIMATCH_WORDS = {
    "any": (
        MULTIMATCH_ANY,
        ~MULTIMATCH_ANY,
        "Any is incompatible with NegotiatedOnly, Filters and Handlers",
    ),
    "negotiatedonly": (
        MULTIMATCH_NEGOTIATED,
        ~MULTIMATCH_NEGOTIATED,
        "NegotiatedOnly is incompatible with Any, Filters and Handlers",
    ),
    "filters": (
        MULTIMATCH_FILTERS,
        MULTIMATCH_NEGOTIATED | MULTIMATCH_ANY,
        "Filters is incompatible with Any and NegotiatedOnly",
    ),
    "handlers": (
        MULTIMATCH_HANDLERS,
        MULTIMATCH_NEGOTIATED | MULTIMATCH_ANY,
        "Handlers is incompatible with Any and NegotiatedOnly",
    ),
}


def _multiviews_match(cmd: Cmd, args: Sequence[str]) -> None:
    """MultiviewsMatch: which extensions count when MultiViews picks candidates."""
    if cmd.section_kind == "location":
        parent = cmd.ctx.parent if str(cmd.ctx.parent).startswith("<Location") else "<Location"
        raise DirectiveError(f"{cmd.node.name} cannot occur within {parent}> section")
    conf: MimeDir = cmd.dir()
    for word in args:
        known = _MULTIMATCH_WORDS.get(word.lower())
        if known is None:
            raise DirectiveError(f"Unrecognized option '{word}'")
        flag, clashes, message = known
        if conf.multimatch & clashes:
            raise DirectiveError(message)
        conf.multimatch |= flag


def _types_config(cmd: Cmd, args: Sequence[str]) -> None:
    conf: MimeServer = cmd.srv()
    path = args[0]
    if not os.path.isabs(path):
        path = os.path.join(cmd.ctx.site.server_root, path)
    conf.types_config = path


def _use_path_info(cmd: Cmd, args: Sequence[str]) -> None:
    conf: MimeDir = cmd.dir()
    conf.use_path_info = args[0].lower() == "on"


def load_types(path: str | None, env: ParseEnv | None = None) -> dict[str, str]:
    """Read a mime.types file: "type ext ext ..." lines; later lines win per ext.
    With ``env``, the file is noted among the configuration's sources (--reload)."""
    if path is None:
        return _python_types()
    if env is not None:
        env.add_source(path, None)
    with open(path, "rb") as handle:
        data = handle.read()
    if env is not None:
        env.add_source(path, data)
    types: dict[str, str] = {}
    text = data.decode("utf-8", "replace")
    # Universal newlines, as a file opened in text mode reads them.
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        for ext in words[1:]:
            types[ext.lower()] = words[0].lower()
    return types


def _python_types() -> dict[str, str]:
    db = mimetypes.MimeTypes()
    return {ext.lstrip("."): kind for ext, kind in db.types_map[True].items()}


def post_config(site: Any) -> None:
    """Load TypesConfig once per server, as mod_mime's post_config does."""
    for server in (site.main, *site.vhosts):
        conf: MimeServer = server.get("mod_mime")
        path = conf.types_config or _default_types_path(site)
        try:
            conf.types = load_types(path, site.env)
        except OSError as exc:
            from apachemw.errors import ConfigError

            raise ConfigError(
                f"could not open mime types config file {path}: {exc.strerror}"
            ) from None


def _default_types_path(site: Any) -> str | None:
    if os.path.exists("/etc/mime.types"):
        return "/etc/mime.types"
    return None


def find_ct(r: Request) -> int:
    """type_checker: set content type/charset/languages/encoding from extensions."""
    if r.finfo is not None and stat.S_ISDIR(r.finfo.st_mode):
        r.content_type = DIR_MAGIC_TYPE
        return OK
    if not r.filename:
        return DECLINED
    conf: MimeDir = r.per_dir["mod_mime"]
    resource = r.filename + (r.path_info if conf.use_path_info else "")
    base, extensions = _split_name(resource.rsplit("/", 1)[-1])
    exceptions = [base]
    found_metadata = False
    charset: str | None = None
    for ext in extensions:
        found, ext_charset = _apply_extension(r, conf, ext)
        charset = ext_charset or charset
        if found or conf.multimatch & MULTIMATCH_ANY:
            found_metadata = True
        else:
            exceptions.append(ext)
    if found_metadata:
        r.notes[EXCEPTIONS_NOTE] = exceptions
    if r.content_type:
        r.content_type = _with_charset(r.content_type, charset)
    if not r.content_languages and conf.default_language:
        r.content_languages.append(conf.default_language)
    # No type: the type checkers after this one (mod_mime_magic) get their turn.
    return OK if r.content_type else DECLINED


def _split_name(name: str) -> tuple[str, list[str]]:
    """The base name (leading dots belong to it: ".png" is a hidden file, not a png)
    and the non-empty dot-separated extensions after it ("bad..html" has one)."""
    stripped = len(name) - len(name.lstrip("."))
    first_dot = name.find(".", stripped)
    if first_dot < 0:
        return name, []
    return name[:first_dot], [ext for ext in name[first_dot + 1 :].split(".") if ext]


def _apply_extension(r: Request, conf: MimeDir, ext: str) -> tuple[bool, str | None]:
    """One extension's contribution; whether it counts as metadata for MultiViews
    (a handler or a filter only under MultiviewsMatch Handlers/Filters), and its
    charset."""
    key = ext.lower()
    info = conf.mappings.get(key)
    found = False
    types: dict[str, str] = r.server.get("mod_mime").types
    if (info is None or info.type is None) and key in types:
        r.content_type = types[key]
        found = True
    if info is None:
        return found, None
    if info.type:
        r.content_type = info.type
        found = True
    if info.language:
        r.content_languages.append(info.language)
        found = True
    if info.encoding:
        r.content_encoding = (
            info.encoding if not r.content_encoding else f"{r.content_encoding}, {info.encoding}"
        )
        found = True
    if info.handler:
        r.handler = info.handler
        found = found or bool(conf.multimatch & MULTIMATCH_HANDLERS)
    if info.input_filters or info.output_filters:
        found = found or bool(conf.multimatch & MULTIMATCH_FILTERS)
    return found or bool(info.charset), info.charset


def _with_charset(content_type: str, charset: str | None) -> str:
    """Rebuild "type/subtype; params" the way analyze_ct does, adding the charset."""
    base, _, params = content_type.partition(";")
    out = base.strip()
    replaced = False
    for param in params.split(";") if params else ():
        attr, _, value = param.strip().partition("=")
        if not attr:
            continue
        if charset and attr.lower() == "charset":
            if not replaced:
                out += f"; charset={charset}"
                replaced = True
            continue
        out += f"; {attr}={value}"
    if charset and not replaced:
        out += f"; charset={charset}"
    return out


FI = OR_FILEINFO

MODULE = _Module(
    name="mod_mime",
    ident="mime_module",
    directives=(
        row(
            "AddCharset",
            Args.ITERATE2,
            FI,
            "a charset (e.g., iso-2022-jp), followed by one or more file extensions",
            _add("charset", lower=True),
        ),
        row(
            "AddEncoding",
            Args.ITERATE2,
            FI,
            "an encoding (e.g., gzip), followed by one or more file extensions",
            _add("encoding", lower=True),
        ),
        row(
            "AddHandler",
            Args.ITERATE2,
            FI,
            "a handler name followed by one or more file extensions",
            _add_handler,
        ),
        row(
            "AddInputFilter",
            Args.ITERATE2,
            FI,
            "input filter name (or ; delimited names) followed by one or more file extensions",
            _add("input_filters", lower=True),
        ),
        row(
            "AddLanguage",
            Args.ITERATE2,
            FI,
            "a language (e.g., fr), followed by one or more file extensions",
            _add("language", lower=True),
        ),
        row(
            "AddOutputFilter",
            Args.ITERATE2,
            FI,
            "output filter name (or ; delimited names) followed by one or more file extensions",
            _add("output_filters", lower=True),
        ),
        row(
            "AddType",
            Args.ITERATE2,
            FI,
            "a mime type followed by one or more file extensions",
            _add("type", lower=True),
        ),
        row(
            "DefaultLanguage",
            Args.TAKE1,
            FI,
            "language to use for documents with no other language file extension",
            _default_language,
        ),
        row(
            "MultiviewsMatch",
            Args.ITERATE,
            FI,
            "NegotiatedOnly (default), Handlers and/or Filters, or Any",
            _multiviews_match,
        ),
        row("RemoveCharset", Args.ITERATE, FI, "one or more file extensions", _remove("charset")),
        row("RemoveEncoding", Args.ITERATE, FI, "one or more file extensions", _remove("encoding")),
        row("RemoveHandler", Args.ITERATE, FI, "one or more file extensions", _remove("handler")),
        row(
            "RemoveInputFilter",
            Args.ITERATE,
            FI,
            "one or more file extensions",
            _remove("input_filters"),
        ),
        row("RemoveLanguage", Args.ITERATE, FI, "one or more file extensions", _remove("language")),
        row(
            "RemoveOutputFilter",
            Args.ITERATE,
            FI,
            "one or more file extensions",
            _remove("output_filters"),
        ),
        row("RemoveType", Args.ITERATE, FI, "one or more file extensions", _remove("type")),
        row("TypesConfig", Args.TAKE1, RSRC_CONF, "the MIME types config file", _types_config),
        row(
            "ModMimeUsePathInfo",
            Args.FLAG,
            ACCESS_CONF,
            "Set to 'yes' to allow mod_mime to use path info for type checking",
            _use_path_info,
        ),
    ),
    create_dir=create_dir,
    merge_dir=merge_dir,
    create_server=MimeServer,
    merge_server=lambda base, virt: replace(
        virt, types_config=virt.types_config or base.types_config
    ),
    hooks={"type_checker": (10, find_ct), "post_config": (10, post_config)},
)

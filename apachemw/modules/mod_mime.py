"""mod_mime: file extensions to content type, charset, language, encoding, handler.

Every dot-separated extension after the first part of the file name counts (so
``a.tar.gz`` and ``page.html.en`` carry several), the last type wins, languages
accumulate, encodings join with ", " (modules/http/mod_mime.c ``find_ct``).
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from apachemw.config.directives import (
    ACCESS_CONF,
    OR_FILEINFO,
    RSRC_CONF,
    Args,
    Cmd,
)
from apachemw.config.directives import Module as _Module
from apachemw.config.rows import accepted, row
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


@dataclass
class MimeDir:
    mappings: dict[str, ExtInfo] = field(default_factory=dict)
    removals: list[tuple[str, str]] = field(default_factory=list)  # (ext, field)
    default_language: str | None = None
    use_path_info: bool | None = None


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
    )


def _overlay(old: ExtInfo, new: ExtInfo) -> ExtInfo:
    return ExtInfo(
        type=new.type or old.type,
        charset=new.charset or old.charset,
        language=new.language or old.language,
        encoding=new.encoding or old.encoding,
        handler=new.handler or old.handler,
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


def _default_language(cmd: Cmd, args: Sequence[str]) -> None:
    conf: MimeDir = cmd.dir()
    conf.default_language = args[0].lower()


def _types_config(cmd: Cmd, args: Sequence[str]) -> None:
    conf: MimeServer = cmd.srv()
    path = args[0]
    if not os.path.isabs(path):
        path = os.path.join(cmd.ctx.site.server_root, path)
    conf.types_config = path


def _use_path_info(cmd: Cmd, args: Sequence[str]) -> None:
    conf: MimeDir = cmd.dir()
    conf.use_path_info = args[0].lower() == "on"


def load_types(path: str | None) -> dict[str, str]:
    """Read a mime.types file: "type ext ext ..." lines; later lines win per ext."""
    if path is None:
        return _python_types()
    types: dict[str, str] = {}
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
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
            conf.types = load_types(path)
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
    import stat

    if r.finfo is not None and stat.S_ISDIR(r.finfo.st_mode):
        r.content_type = DIR_MAGIC_TYPE
        return OK
    if not r.filename:
        return DECLINED
    conf: MimeDir = r.per_dir["mod_mime"]
    types: dict[str, str] = r.server.get("mod_mime").types
    resource = r.filename + (r.path_info if conf.use_path_info else "")
    name = resource.rsplit("/", 1)[-1]
    stripped = name.lstrip(".")
    first_dot = stripped.find(".")
    rest = "" if first_dot < 0 else stripped[first_dot + 1 :]
    charset = None
    for ext in rest.split(".") if rest else ():
        if not ext:
            continue
        key = ext.lower()
        info = conf.mappings.get(key)
        if (info is None or info.type is None) and key in types:
            r.content_type = types[key]
        if info is None:
            continue
        if info.type:
            r.content_type = info.type
        if info.charset:
            charset = info.charset
        if info.language:
            r.content_languages.append(info.language)
        if info.encoding:
            r.content_encoding = (
                info.encoding
                if not r.content_encoding
                else f"{r.content_encoding}, {info.encoding}"
            )
        if info.handler:
            r.handler = info.handler
    if r.content_type:
        r.content_type = _with_charset(r.content_type, charset)
    if not r.content_languages and conf.default_language:
        r.content_languages.append(conf.default_language)
    return OK


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
        accepted(
            "AddInputFilter",
            Args.ITERATE2,
            FI,
            "input filter name (or ; delimited names) followed by one or more file extensions",
        ),
        row(
            "AddLanguage",
            Args.ITERATE2,
            FI,
            "a language (e.g., fr), followed by one or more file extensions",
            _add("language", lower=True),
        ),
        accepted(
            "AddOutputFilter",
            Args.ITERATE2,
            FI,
            "output filter name (or ; delimited names) followed by one or more file extensions",
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
        accepted(
            "MultiviewsMatch",
            Args.ITERATE,
            FI,
            "NegotiatedOnly (default), Handlers and/or Filters, or Any",
        ),
        row("RemoveCharset", Args.ITERATE, FI, "one or more file extensions", _remove("charset")),
        row("RemoveEncoding", Args.ITERATE, FI, "one or more file extensions", _remove("encoding")),
        row("RemoveHandler", Args.ITERATE, FI, "one or more file extensions", _remove("handler")),
        accepted("RemoveInputFilter", Args.ITERATE, FI, "one or more file extensions"),
        row("RemoveLanguage", Args.ITERATE, FI, "one or more file extensions", _remove("language")),
        accepted("RemoveOutputFilter", Args.ITERATE, FI, "one or more file extensions"),
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

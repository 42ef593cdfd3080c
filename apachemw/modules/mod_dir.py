"""mod_dir: DirectorySlash, DirectoryIndex and FallbackResource (fixups, LAST).

A directory asked for without its trailing slash is redirected (301, query kept);
with the slash, each DirectoryIndex name is tried as a subrequest and the first
one that is a regular file takes over the request (modules/mappers/mod_dir.c).
"""

from __future__ import annotations

import stat
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from apachemw.config.directives import OR_INDEXES, Args, Cmd, DirectiveError, Module
from apachemw.config.rows import row
from apachemw.core import pipeline
from apachemw.core.request import DECLINED, OK, Request
from apachemw.core.uri_escape import escape_uri
from apachemw.modules.mod_mime import DIR_MAGIC_TYPE

__all__ = ["MODULE", "DirConfig"]

REWRITE_REDIRECT_HANDLER = "redirect-handler"


@dataclass
class DirConfig:
    index_names: tuple[str, ...] | None = None
    do_slash: bool | None = None
    fallback: str | None = None
    check_handler: bool | None = None
    redirect_index: int | None = None


def merge_dir(base: DirConfig, add: DirConfig) -> DirConfig:
    return DirConfig(
        index_names=add.index_names if add.index_names is not None else base.index_names,
        do_slash=add.do_slash if add.do_slash is not None else base.do_slash,
        fallback=add.fallback if add.fallback is not None else base.fallback,
        check_handler=add.check_handler if add.check_handler is not None else base.check_handler,
        redirect_index=add.redirect_index
        if add.redirect_index is not None
        else base.redirect_index,
    )


def _directory_index(cmd: Cmd, args: Sequence[str]) -> None:
    """add_index: names append to the section's list; a lone "disabled" empties it."""
    conf: DirConfig = cmd.dir()
    words = list(cmd.node.args)
    if len(words) == 1 and words[0].lower() == "disabled":
        conf.index_names = ()
        return
    conf.index_names = (*(conf.index_names or ()), *words)


def _flag(field_name: str) -> Any:
    def apply(cmd: Cmd, args: Sequence[str]) -> None:
        setattr(cmd.dir(), field_name, args[0].lower() == "on")

    return apply


def _fallback(cmd: Cmd, args: Sequence[str]) -> None:
    conf: DirConfig = cmd.dir()
    conf.fallback = args[0]


def _index_redirect(cmd: Cmd, args: Sequence[str]) -> None:
    conf: DirConfig = cmd.dir()
    word = args[0].lower()
    if word == "on":
        conf.redirect_index = 302
    elif word == "off":
        conf.redirect_index = 0
    else:
        try:
            code = int(word)
        except ValueError:
            code = 0
        if not 300 <= code < 400:
            raise DirectiveError("DirectoryIndexRedirect only accepts values between 300 and 399")
        conf.redirect_index = code


def _is_dir(r: Request) -> bool:
    return r.finfo is not None and stat.S_ISDIR(r.finfo.st_mode)


def dir_fixups(r: Request) -> int:
    if _is_dir(r):
        return _fixup_dir(r)
    if r.finfo is None and r.handler is None:
        return _fixup_fallback(r)
    return DECLINED


def _fixup_fallback(r: Request) -> int:
    conf: DirConfig = r.per_dir["mod_dir"]
    name = conf.fallback
    if name is None or name.lower() == "disabled":
        return DECLINED
    # The answer stands for a name that does not exist: nothing the memo compares would
    # tell it that the name (or a .htaccess on its path) appeared (core.memo).
    r.eventful = True
    if r.args is not None:
        name = f"{name}?{r.args}"
    rr = pipeline.lookup_uri(r, name)
    if rr.status == 200 and _regular(rr):
        pipeline.fast_redirect(rr, r)
        return OK
    if 300 <= rr.status < 400:
        r.headers_out.extend(rr.headers_out.items)
        return rr.status
    if rr.status not in (0, 200, 404):
        return rr.status
    return DECLINED


def _regular(rr: Request) -> bool:
    return rr.handler == "proxy-server" or (rr.finfo is not None and stat.S_ISREG(rr.finfo.st_mode))


def _fixup_dir(r: Request) -> int:
    if r.handler is None:
        r.handler = DIR_MAGIC_TYPE
    if r.path_info:
        return DECLINED
    conf: DirConfig = r.per_dir["mod_dir"]
    if not r.uri.endswith("/"):
        return _redirect_slash(r, conf)
    if r.handler == REWRITE_REDIRECT_HANDLER or (
        conf.check_handler and r.handler != DIR_MAGIC_TYPE
    ):
        if r.content_type == DIR_MAGIC_TYPE:
            r.content_type = None
        return DECLINED
    names = conf.index_names if conf.index_names is not None else ("index.html",)
    return _try_indexes(r, conf, names)


def _redirect_slash(r: Request, conf: DirConfig) -> int:
    if conf.do_slash is False:
        return DECLINED
    if r.method != "GET" and "redirect-carefully" in r.subprocess_env:
        return DECLINED
    target = escape_uri(r.uri) + "/"
    if r.args is not None:
        target += "?" + r.args
    r.headers_out.set("Location", pipeline.construct_url(r, target))
    return 301


def _try_indexes(r: Request, conf: DirConfig, names: Sequence[str]) -> int:
    error = 0
    for index, name in enumerate(names):
        left = len(names) - index
        target = f"{name}?{r.args}" if r.args is not None else name
        rr = pipeline.lookup_uri(r, target)
        if rr.status == 200 and _regular(rr):
            if conf.redirect_index and 300 <= conf.redirect_index < 400:
                r.headers_out.set("Location", pipeline.construct_url(r, escape_uri(rr.uri)))
                return conf.redirect_index
            pipeline.fast_redirect(rr, r)
            return OK
        if 300 <= rr.status < 400 or (rr.status in (406, 401) and left == 1):
            r.headers_out.extend(rr.headers_out.items)
            r.err_headers_out.extend(rr.err_headers_out.items)
            return rr.status
        if rr.status not in (0, 200, 404):
            error = rr.status
    if error:
        return error
    r.notes["dir-index-names"] = ",".join(names)
    return DECLINED


IX = OR_INDEXES

MODULE = Module(
    name="mod_dir",
    ident="dir_module",
    directives=(
        row("FallbackResource", Args.TAKE1, IX, "Set a default handler", _fallback),
        row("DirectoryIndex", Args.RAW_ARGS, IX, "a list of file names", _directory_index),
        row("DirectorySlash", Args.FLAG, IX, "On or Off", _flag("do_slash")),
        row("DirectoryCheckHandler", Args.FLAG, IX, "On or Off", _flag("check_handler")),
        row(
            "DirectoryIndexRedirect",
            Args.TAKE1,
            IX,
            "On, Off, or a 3xx status code.",
            _index_redirect,
        ),
    ),
    create_dir=DirConfig,
    merge_dir=merge_dir,
    hooks={"fixups": (20, dir_fixups)},
)

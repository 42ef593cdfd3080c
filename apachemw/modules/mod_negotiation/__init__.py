"""mod_negotiation: content negotiation (MultiViews and type maps).

``accept`` reads the Accept* headers, ``choose`` rates and picks variants as
Apache's algorithm does, ``typemap`` reads ``.var`` files, ``hooks`` wires them
into the request phases (modules/mappers/mod_negotiation.c).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from apachemw.config.directives import OR_FILEINFO, RSRC_CONF, Args, Cmd, DirectiveError, Module
from apachemw.config.rows import row

from .choose import FLP_FALLBACK, FLP_NONE, FLP_PREFER
from .hooks import NegDir, fix_encoding, handle_map_file, handle_multi

__all__ = ["MODULE", "NegDir"]


@dataclass
class NegServer:
    cache_negotiated_docs: bool = False


def merge_server(base: NegServer, virt: NegServer) -> NegServer:
    # Apache keeps only a "set" marker (Off stores nothing), and a virtual host without
    # it takes the main server's: Off in a virtual host cannot undo the main On.
    return NegServer(base.cache_negotiated_docs or virt.cache_negotiated_docs)


def merge_dir(base: NegDir, add: NegDir) -> NegDir:
    return NegDir(
        force=add.force or base.force,
        priority=add.priority if add.priority is not None else base.priority,
    )


def _language_priority(cmd: Cmd, args: Sequence[str]) -> None:
    conf: NegDir = cmd.dir()
    conf.priority = [*(conf.priority or ()), *args]


def _force_priority(cmd: Cmd, args: Sequence[str]) -> None:
    """ForceLanguagePriority None, or Prefer and/or Fallback, with Apache's refusals."""
    conf: NegDir = cmd.dir()
    for word in args:
        lowered = word.lower()
        if lowered == "none":
            if conf.force & ~FLP_NONE:
                raise DirectiveError("Cannot combine ForceLanguagePriority options with None")
            conf.force = FLP_NONE
        elif lowered in ("prefer", "fallback"):
            if conf.force & FLP_NONE:
                raise DirectiveError(
                    f"Cannot combine ForceLanguagePriority options None and {word.capitalize()}"
                )
            conf.force |= FLP_PREFER if lowered == "prefer" else FLP_FALLBACK
        else:
            raise DirectiveError(f"Invalid ForceLanguagePriority option {word}")


def _cache_negotiated_docs(cmd: Cmd, args: Sequence[str]) -> None:
    conf: NegServer = cmd.srv()
    conf.cache_negotiated_docs = args[0].lower() == "on"


MODULE = Module(
    name="mod_negotiation",
    ident="negotiation_module",
    directives=(
        row(
            "CacheNegotiatedDocs",
            Args.FLAG,
            RSRC_CONF,
            "Either 'on' or 'off' (default)",
            _cache_negotiated_docs,
        ),
        row(
            "LanguagePriority",
            Args.ITERATE,
            OR_FILEINFO,
            "space-delimited list of MIME language abbreviations",
            _language_priority,
        ),
        row(
            "ForceLanguagePriority",
            Args.ITERATE,
            OR_FILEINFO,
            "Force LanguagePriority elections, either None, or Fallback and/or Prefer",
            _force_priority,
        ),
    ),
    create_dir=NegDir,
    merge_dir=merge_dir,
    create_server=NegServer,
    merge_server=merge_server,
    hooks={
        "type_checker": (0, handle_multi),
        "fixups": (10, fix_encoding),
        "handler": (15, handle_map_file),
    },
)

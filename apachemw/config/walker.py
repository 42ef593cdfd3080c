"""The one place that checks where a directive may appear, with Apache's words.

A reading of ``server/config.c``: ``ap_walk_config_sub`` finds the directive row
("Invalid command ..."), ``invoke_cmd`` checks ``req_override`` against the
context ("... not allowed here", "... forbidden by AllowOverride") and the
argument count (Apache's "takes one argument, <help>" wording), then the row's
action runs. Everything here works on parsed nodes and knows no module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from apachemw.config.directives import (
    NONFATAL_OVERRIDE,
    NONFATAL_UNKNOWN,
    Args,
    Cmd,
    Directive,
    DirectiveError,
    Module,
)
from apachemw.config.parser import Node
from apachemw.errors import ConfigError

__all__ = ["Registry", "WalkContext", "walk"]


class Registry:
    """Every loaded module's directive rows, looked up case-insensitively."""

    def __init__(self, modules: Sequence[Module]) -> None:
        self.modules: dict[str, Module] = {m.name: m for m in modules}
        self.order: tuple[Module, ...] = tuple(modules)
        self.table: dict[str, tuple[Module, Directive]] = {}
        for module in modules:
            for row in module.directives:
                self.table[row.name.lower()] = (module, row)

    def lookup(self, node: Node) -> tuple[Module, Directive] | None:
        key = ("<" + node.lname) if node.is_section else node.lname
        return self.table.get(key)

    def knows(self, name: str) -> bool:
        return name.lower() in self.table


@dataclass(frozen=True)
class WalkContext:
    """Where the walk is: Apache's ``cmd_parms`` fields that do not change per node."""

    registry: Registry
    site: Any
    server: Any
    dirconf: dict[str, Any]
    override: int
    override_opts: int = 0
    override_list: frozenset[str] = frozenset()
    path: str | None = None
    section_kind: str | None = None
    parent: str | None = None
    htaccess: bool = False
    limited: frozenset[str] | None = None
    container: Any = None  # the innermost container a module opened (e.g. <RequireAll>)
    warn: Callable[[str], None] = print

    def inside(self, **changes: Any) -> WalkContext:
        return replace(self, **changes)


def walk(nodes: Iterable[Node], ctx: WalkContext) -> None:
    """Apply every node in order; the first error stops the walk, as in Apache."""
    for node in nodes:
        _dispatch(node, ctx)


def _dispatch(node: Node, ctx: WalkContext) -> None:
    found = ctx.registry.lookup(node)
    label = ("<" + node.name) if node.is_section else node.name
    if found is None:
        if ctx.htaccess and ctx.override & NONFATAL_UNKNOWN:
            ctx.warn(
                f"AH02296: Unknown directive {label.lower()} perhaps misspelled or defined "
                "by a module not included in the server configuration"
            )
            return
        raise _error(
            node,
            f"Invalid command '{label}', perhaps misspelled or defined by a module "
            "not included in the server configuration",
        )
    module, row = found
    if not _allowed(row, ctx):
        if ctx.override & NONFATAL_OVERRIDE:
            ctx.warn(f"AH02295: {row.name} in .htaccess forbidden by AllowOverride")
            return
        if ctx.parent is not None:
            raise _error(node, f"{row.name} not allowed in {ctx.parent}> context")
        raise _error(node, f"{row.name} not allowed here")
    args = _shape_args(row, node)
    cmd = Cmd(
        node=node,
        module=module,
        dirconf=ctx.dirconf,
        server=ctx.server,
        ctx=ctx,
        path=ctx.path,
        section_kind=ctx.section_kind,
        override=ctx.override,
        override_opts=ctx.override_opts,
        htaccess=ctx.htaccess,
        limited=ctx.limited,
        warn=ctx.warn,
    )
    if module.create_dir is not None and module.name not in ctx.dirconf:
        # Apache's ap_set_config_vectors: invoking any of a module's directives
        # gives the section its own config for that module.
        ctx.dirconf[module.name] = module.create_dir()
    try:
        row.apply(cmd, args)
    except DirectiveError as exc:
        raise _error(node, str(exc)) from None


def _allowed(row: Directive, ctx: WalkContext) -> bool:
    return bool(row.where & ctx.override) or row.name in ctx.override_list


def _error(node: Node, message: str) -> ConfigError:
    label = ("<" + node.name) if node.is_section else node.name
    return ConfigError(message, node.file, node.line, label)


_COUNT_WORDS = {
    Args.TAKE1: "takes one argument",
    Args.TAKE2: "takes two arguments",
    Args.TAKE12: "takes 1-2 arguments",
    Args.TAKE3: "takes three arguments",
    Args.TAKE23: "takes two or three arguments",
    Args.TAKE123: "takes one, two or three arguments",
    Args.TAKE13: "takes one or three arguments",
    Args.ITERATE: "requires at least one argument",
    Args.ITERATE2: "requires at least two arguments",
}

_COUNTS: dict[Args, tuple[int, int]] = {
    Args.TAKE1: (1, 1),
    Args.TAKE2: (2, 2),
    Args.TAKE12: (1, 2),
    Args.TAKE3: (3, 3),
    Args.TAKE23: (2, 3),
    Args.TAKE123: (1, 3),
    Args.ITERATE: (1, 1 << 30),
    Args.ITERATE2: (2, 1 << 30),
}


def _shape_args(row: Directive, node: Node) -> Sequence[str]:
    """Check the argument count as ``invoke_cmd`` does and return the words."""
    how = row.args
    words = node.args
    if how is Args.RAW_ARGS:
        return (node.raw_args,)
    if how is Args.TAKE_ARGV:
        return words[:64]
    if how is Args.NO_ARGS:
        if words:
            raise _error(node, f"{row.name} takes no arguments")
        return words
    if how is Args.FLAG:
        if len(words) != 1 or words[0].lower() not in ("on", "off"):
            raise _error(node, f"{row.name} must be On or Off")
        return words
    low, high = _COUNTS[how]
    bad = not (low <= len(words) <= high) or (how is Args.TAKE13 and len(words) == 2)
    if bad or (words and words[0] == ""):
        help_text = f", {row.help}" if row.help else ""
        raise _error(node, f"{row.name} {_COUNT_WORDS[how]}{help_text}")
    return words

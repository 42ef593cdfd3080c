"""Directive tables: each Apache module declares its directives as rows of data.

A row says what Apache's ``command_rec`` says: the name, how arguments are taken,
where the directive may appear (``req_override``), and the help text that Apache
appends to argument-count errors. The walker (``walker.py``) is the one place that
checks these rows; modules only say what a directive does once it is allowed.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from apachemw.errors import ApacheMWError

if TYPE_CHECKING:
    from apachemw.config.parser import Node

__all__ = [
    "ACCESS_CONF",
    "EXEC_ON_READ",
    "NONFATAL_ALL",
    "NONFATAL_OVERRIDE",
    "NONFATAL_UNKNOWN",
    "OR_ALL",
    "OR_AUTHCFG",
    "OR_FILEINFO",
    "OR_INDEXES",
    "OR_LIMIT",
    "OR_NONE",
    "OR_OPTIONS",
    "RSRC_CONF",
    "Args",
    "Cmd",
    "Directive",
    "DirectiveError",
    "Module",
]

# Apache's req_override bits (include/http_config.h); the values matter only to us,
# but keeping Apache's keeps `apache2 -L` comparisons a plain bit test.
OR_NONE = 0
OR_LIMIT = 1
OR_OPTIONS = 2
OR_FILEINFO = 4
OR_AUTHCFG = 8
OR_INDEXES = 16
OR_UNSET = 32
ACCESS_CONF = 64
RSRC_CONF = 128
EXEC_ON_READ = 256
NONFATAL_OVERRIDE = 512
NONFATAL_UNKNOWN = 1024
NONFATAL_ALL = NONFATAL_OVERRIDE | NONFATAL_UNKNOWN
OR_ALL = OR_LIMIT | OR_OPTIONS | OR_FILEINFO | OR_AUTHCFG | OR_INDEXES


class Args(enum.Enum):
    """How a directive takes its arguments (Apache's ``cmd_how``)."""

    RAW_ARGS = "raw"
    TAKE_ARGV = "argv"
    NO_ARGS = "none"
    TAKE1 = "1"
    TAKE2 = "2"
    TAKE12 = "12"
    TAKE3 = "3"
    TAKE23 = "23"
    TAKE123 = "123"
    TAKE13 = "13"
    ITERATE = "iterate"
    ITERATE2 = "iterate2"
    FLAG = "flag"


class DirectiveError(ApacheMWError):
    """Raised by a directive's action; the walker adds file and line."""


Apply = Callable[["Cmd", Sequence[str]], None]


@dataclass(frozen=True, slots=True)
class Directive:
    """One row of a module's directive table."""

    name: str
    args: Args
    where: int
    apply: Apply
    help: str
    module: str = ""


@dataclass
class Module:
    """An Apache module: its directive rows, config factories and hooks.

    ``create_dir``/``merge_dir`` follow Apache's lazy per-module merge: a section
    holds a config for this module only when it contains one of its directives.
    Hooks are methods looked up by name by the pipeline (see ``core.pipeline``).
    """

    name: str
    ident: str
    directives: tuple[Directive, ...] = ()
    create_dir: Callable[[], Any] | None = None
    merge_dir: Callable[[Any, Any], Any] | None = None
    create_server: Callable[[], Any] | None = None
    merge_server: Callable[[Any, Any], Any] | None = None
    hooks: dict[str, tuple[int, Callable[..., Any]]] = field(default_factory=dict)
    # A second hook in a phase that already has one (mod_rewrite's fixups).
    more_hooks: tuple[tuple[str, int, Callable[..., Any]], ...] = ()
    # A virtual host without any of this module's directives normally shares the main
    # server's config (merge_server_configs). True: it gets the module's defaults
    # instead, as mod_rewrite arranges by ignoring a config made for another server.
    fresh_in_vhosts: bool = False

    @property
    def source(self) -> str:
        """Apache's source-file name, as ``<IfModule>`` and ``apache2 -L`` use it."""
        return "core.c" if self.name == "core" else f"{self.name}.c"


class Cmd:
    """What a directive's action sees: Apache's ``cmd_parms``.

    ``dir`` and ``server`` hand out this module's config for the section or
    virtual host being read, creating it on first use as Apache does.
    """

    __slots__ = (
        "ctx",
        "dirconf",
        "htaccess",
        "limited",
        "module",
        "node",
        "override",
        "override_opts",
        "path",
        "section_kind",
        "server",
        "warn",
    )

    def __init__(
        self,
        *,
        node: Node,
        module: Module,
        dirconf: dict[str, Any],
        server: Any,
        ctx: Any,
        path: str | None,
        section_kind: str | None,
        override: int,
        override_opts: int,
        htaccess: bool,
        limited: frozenset[str] | None,
        warn: Callable[[str], None],
    ) -> None:
        self.node = node
        self.module = module
        self.dirconf = dirconf
        self.server = server
        self.ctx = ctx
        self.path = path
        self.section_kind = section_kind
        self.override = override
        self.override_opts = override_opts
        self.htaccess = htaccess
        self.limited = limited
        self.warn = warn

    @property
    def name(self) -> str:
        return self.node.name

    def dir(self) -> Any:
        """This module's config for the current section (created lazily)."""
        conf = self.dirconf.get(self.module.name)
        if conf is None:
            assert self.module.create_dir is not None
            conf = self.module.create_dir()
            self.dirconf[self.module.name] = conf
        return conf

    def srv(self) -> Any:
        """This module's config for the current (virtual) server."""
        return self.server.module(self.module)

    def where(self) -> str:
        return f"{self.node.file}:{self.node.line}"

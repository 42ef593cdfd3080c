"""The configuration a walk produces: sections, (virtual) servers and the site.

Per-directory configuration is a dict from module name to that module's config
object; a section holds an entry only for modules it has directives of. Merging
follows Apache's ``ap_merge_per_dir_configs``: a module missing from the child
keeps the parent's object, a module present in both is merged by the module's own
function, and a module without a merge function is replaced by the child's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from apachemw.config.directives import Module

__all__ = ["DirConf", "Section", "Server", "merge_dir_configs"]

DirConf = dict[str, Any]


@dataclass(eq=False)
class Section:
    """A ``<Directory>``, ``<Files>``, ``<Location>`` (or regex twin) or .htaccess.

    ``eq=False`` keeps identity semantics: merge results are cached by the
    identity of the sections applied, which is how Apache's walk cache works.
    """

    kind: str  # "directory" | "files" | "location" | "if" | "htaccess"
    pattern: str
    conf: DirConf
    file: str
    line: int
    regex: re.Pattern[str] | None = None
    fnmatch: bool = False
    components: int = 0
    # <If>/<ElseIf>/<Else>: "if", "elseif" or "else", and the parsed ap_expr condition.
    ifelse: str = ""
    condition: Any = None


@dataclass(eq=False)
class Server:
    """A server or ``<VirtualHost>``: module server configs and section lists."""

    modules: dict[str, Module]
    is_virtual: bool = False
    names: list[str] = field(default_factory=list)
    # s->server_hostname: ServerName, or for a virtual host without one the name
    # vhost.c gives it (the main server's, or its address's reverse DNS name).
    server_name: str | None = None
    port: int | None = None
    addresses: list[str] = field(default_factory=list)
    # The <VirtualHost> addresses parsed: (host as written, port; 0 for any port).
    vhost_addrs: list[tuple[str, int]] = field(default_factory=list)
    mods: dict[str, Any] = field(default_factory=dict)
    defaults: DirConf = field(default_factory=dict)
    dir_sections: list[Section] = field(default_factory=list)
    url_sections: list[Section] = field(default_factory=list)
    plain_dir_sections: list[Section] = field(default_factory=list)
    regex_dir_sections: list[Section] = field(default_factory=list)
    file: str = ""
    line: int = 0

    def module(self, module: Module) -> Any:
        conf = self.mods.get(module.name)
        if conf is None:
            assert module.create_server is not None
            conf = module.create_server()
            self.mods[module.name] = conf
        return conf

    def get(self, name: str) -> Any:
        """The server config of module ``name`` (modules always have one here)."""
        conf = self.mods.get(name)
        if conf is None:
            conf = self.module(self.modules[name])
        return conf


def merge_dir_configs(modules: dict[str, Module], base: DirConf, add: DirConf) -> DirConf:
    """Merge a section's config onto the accumulated one, module by module."""
    merged = dict(base)
    for name, conf in add.items():
        parent = base.get(name)
        merge = modules[name].merge_dir
        merged[name] = conf if parent is None or merge is None else merge(parent, conf)
    return merged

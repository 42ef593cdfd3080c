"""What a configuration amounts to, as Apache text: the loaded modules (``apachectl
-M``), the virtual host map (``apachectl -S``) and, for one request, every section that
applies to it in the order Apache merges them (the "effective configuration")::

    from apachemw.introspect import effective_config
    print(effective_config("httpd.conf", "/docs/page.html"))
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

from apachemw.config.objects import Node, Section, parse, render

__all__ = ["effective_config", "loaded_modules", "vhost_map"]

# Debian's apache2 has these compiled in; -M lists them first, in this order.
STATIC_ORDER = ("core", "so", "watchdog", "http", "log_config", "logio", "version", "unixd")


def loaded_modules(site: Any) -> str:
    """``apachectl -M``: the built-in modules, then each LoadModule in order."""
    lines = ["Loaded Modules:"]
    lines += [f" {name}_module (static)" for name in STATIC_ORDER]
    lines += [f" {ident} (shared)" for ident in site.env.load_order]
    return "\n".join(lines) + "\n"


def vhost_map(site: Any, defines: Sequence[str] = ()) -> str:
    """``apachectl -S``: the virtual host map and the run settings apachemw has."""
    from apachemw.config.vhosts import dump, run_settings

    return dump(site.vhost_map) + run_settings(site, list(defines))


def effective_config(
    config: str | os.PathLike[str] | None = None,
    url: str = "/",
    *,
    text: str | None = None,
    method: str = "GET",
    headers: Iterable[tuple[str, str]] = (),
    defines: Iterable[str] = (),
) -> str:
    """Every <Directory>, <Files>, <Location>, <If> section and .htaccess file that
    applies to one request, as Apache text in the order their settings merge (later
    ones win), each headed by where it was written."""
    from apachemw.explain import explain

    result = explain(config, method, url, headers, text=text, defines=defines)
    sources = _Sources(os.fspath(config) if config is not None else None, text)
    out: list[str] = []
    for event in result["events"]:
        if event.get("depth", 0) != 0:
            continue  # a subrequest's sections are its own
        if event.get("event") == "translate":
            # A (re)started request: what came before (the walk before translation,
            # or a request redirected away from) does not apply.
            out = []
        elif event.get("event") == "section":
            where = str(event.get("at", ""))
            out.append(f"# {event.get('kind')} {event.get('pattern')} at {where}\n")
            out.append(sources.section_text(str(event.get("kind")), where))
    return "".join(out)


class _Sources:
    """The configuration files' text, read once each, and their sections by line."""

    def __init__(self, path: str | None, text: str | None) -> None:
        self._trees: dict[str, list[Node]] = {}
        if text is not None:
            self._trees["<string>"] = parse(text, "<string>")
        self._main = path

    def _tree(self, file: str) -> list[Node]:
        if file not in self._trees:
            try:
                with open(file, encoding="utf-8", errors="surrogateescape") as handle:
                    self._trees[file] = parse(handle.read(), file)
            except OSError:
                self._trees[file] = []
        return self._trees[file]

    def section_text(self, kind: str, where: str) -> str:
        if kind == "htaccess":
            return render(self._tree(where))
        file, _, line = where.rpartition(":")
        found = _find(self._tree(file), f"{file}:{line}")
        return render([found]) if found is not None else f"# ({where} could not be read)\n"


def _find(nodes: Iterable[Node], where: str) -> Section | None:
    for node in nodes:
        if isinstance(node, Section):
            if node.where == where:
                return node
            inner = _find(node.body, where)
            if inner is not None:
                return inner
    return None

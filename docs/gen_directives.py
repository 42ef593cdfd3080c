"""Write ``docs/directives.md``, the directive support matrix, from the directive tables.

    python docs/gen_directives.py           # rewrite docs/directives.md
    python docs/gen_directives.py --check   # exit 1 if docs/directives.md is stale

Every row of every module in ``all_modules()`` is listed with its contexts, its
AllowOverride category and its status; every directive that the recorded
``apache2 -L`` listings (tests/config/apache2-L*.txt) show for a module in scope but
that has no row is listed too, as read by the parser or as not implemented. The page
is generated so that it cannot drift from the tables: ``tests/test_docs.py`` runs
``--check``.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from apachemw.config.directives import (
    ACCESS_CONF,
    OR_ALL,
    OR_AUTHCFG,
    OR_FILEINFO,
    OR_INDEXES,
    OR_LIMIT,
    OR_OPTIONS,
    RSRC_CONF,
    Directive,
    Module,
)
from apachemw.config.parser import READ_TIME_DIRECTIVES
from apachemw.config.rows import is_accepted
from apachemw.config.site import APACHEMW_MODULES
from apachemw.modules.registry import all_modules

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "directives.md"
LISTINGS = tuple(
    ROOT / "tests" / "config" / name
    for name in ("apache2-L.txt", "apache2-L.worker.txt", "apache2-L.prefork.txt")
)

IMPLEMENTED = "implemented"
READ_TIME = "implemented (read by the parser)"
ACCEPTED = "accepted, no effect"
OWN = "apachemw only"
MISSING = "not implemented"
STATUSES = (IMPLEMENTED, READ_TIME, ACCEPTED, OWN, MISSING)
# The summary's column headings, one per status.
HEADINGS = (
    "Implemented",
    "By the parser",
    "Accepted, no effect",
    "apachemw only",
    "Not implemented",
)

SERVER = ("server config", "virtual host")
DIRECTORY = "directory"
HTACCESS = ".htaccess"
# AllowOverride words in the order Apache's show_overrides prints them.
OVERRIDES = (
    (OR_AUTHCFG, "AuthConfig"),
    (OR_LIMIT, "Limit"),
    (OR_OPTIONS, "Options"),
    (OR_FILEINFO, "FileInfo"),
    (OR_INDEXES, "Indexes"),
)
APACHE_DOCS = "https://httpd.apache.org/docs/2.4/mod/"
# Modules whose manual page is not named after the module.
DOC_PAGES = {
    "http_core": APACHE_DOCS + "core.html",
    "event": APACHE_DOCS + "event.html",
    "worker": APACHE_DOCS + "worker.html",
    "prefork": APACHE_DOCS + "prefork.html",
    "mod_wsgi": "https://modwsgi.readthedocs.io/en/master/configuration.html",
    "mod_apachemw": "differences.md",
}


@dataclass(frozen=True)
class Listed:
    """One directive of an ``apache2 -L`` listing."""

    name: str
    source: str
    help: str
    allowed: str


@dataclass(frozen=True)
class Entry:
    """One line of the matrix."""

    name: str
    status: str
    contexts: tuple[str, ...]
    override: str
    help: str


# ---------------------------------------------------------------- reading the inputs


def read_listing(text: str) -> list[Listed]:
    """``apache2 -L``: "NAME (SOURCE)", optional tab-indented help, then "Allowed in"."""
    blocks: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("\t"):
            blocks[-1].append(line[1:])
        else:
            blocks.append([line])
    listed = []
    for head, *body in blocks:
        name, _, source = head.rpartition(" (")
        start = next(i for i, line in enumerate(body) if line.startswith("Allowed in "))
        listed.append(Listed(name, source[:-1], " ".join(body[:start]), " ".join(body[start:])))
    return listed


def read_listings(paths: Iterable[Path] = LISTINGS) -> list[Listed]:
    """Every directive of every listing once (the MPM listings differ only in the MPM)."""
    seen: dict[tuple[str, str], Listed] = {}
    for path in paths:
        for item in read_listing(path.read_text()):
            seen.setdefault((item.name.lower(), item.source), item)
    return list(seen.values())


# ---------------------------------------------------------------- contexts


def contexts_from_bits(where: int) -> tuple[tuple[str, ...], str]:
    """Contexts and AllowOverride for a row's ``req_override`` bits.

    Outside sections Apache allows RSRC_CONF and the Options/FileInfo/Indexes
    classes; inside them ACCESS_CONF and every class; in .htaccess only the classes.
    """
    contexts: list[str] = []
    if where & (RSRC_CONF | OR_OPTIONS | OR_FILEINFO | OR_INDEXES):
        contexts.extend(SERVER)
    if where & (ACCESS_CONF | OR_ALL):
        contexts.append(DIRECTORY)
    if where & OR_ALL:
        contexts.append(HTACCESS)
    return tuple(contexts), _override_of_bits(where)


def _override_of_bits(where: int) -> str:
    if where & OR_ALL == OR_ALL:
        return "All"
    return ", ".join(word for bit, word in OVERRIDES if where & bit)


def contexts_from_listing(allowed: str) -> tuple[tuple[str, ...], str]:
    """Contexts and AllowOverride from the "Allowed in ..." text of ``apache2 -L``."""
    contexts: list[str] = []
    if "only inside" not in allowed:
        contexts.extend(SERVER)
    if "only outside" not in allowed:
        contexts.append(DIRECTORY)
    override = ""
    if "in .htaccess" in allowed:
        contexts.append(HTACCESS)
        found = re.search(r"when AllowOverride (?:includes (.*)|isn't None)$", allowed)
        assert found is not None, allowed
        override = found.group(1).replace(" or ", ", ") if found.group(1) else "All"
    return tuple(contexts), override


# ---------------------------------------------------------------- the entries


def status_of(module: Module, directive: Directive) -> str:
    if module.ident in APACHEMW_MODULES:
        return OWN
    if directive.name in READ_TIME_DIRECTIVES:
        return READ_TIME
    return ACCEPTED if is_accepted(directive) else IMPLEMENTED


def module_name(source: str) -> str:
    """The module's name as Apache's manual titles it: ``mod_alias.c`` -> ``mod_alias``."""
    return source.removesuffix(".c")


def collect(
    modules: Sequence[Module], listed: Sequence[Listed]
) -> dict[str, tuple[str, list[Entry]]]:
    """Module name -> (its identifier, its entries), rows first, then what only -L has."""
    table: dict[str, tuple[str, list[Entry]]] = {}
    have: set[tuple[str, str]] = set()
    for module in modules:
        entries = table.setdefault(module.name, (module.ident, []))[1]
        for d in module.directives:
            have.add((d.name.lower(), module.source))
            contexts, override = contexts_from_bits(d.where)
            entries.append(Entry(d.name, status_of(module, d), contexts, override, d.help))
    for item in listed:
        if (item.name.lower(), item.source) in have:
            continue
        name = module_name(item.source)
        ident = f"{name.removeprefix('mod_')}_module"
        status = READ_TIME if item.name in READ_TIME_DIRECTIVES else MISSING
        contexts, override = contexts_from_listing(item.allowed)
        entry = Entry(item.name, status, contexts, override, item.help)
        table.setdefault(name, (ident, []))[1].append(entry)
    return table


def module_order(names: Iterable[str]) -> list[str]:
    """core and http_core first, apachemw's own module last, the rest by name."""
    first = ("core", "http_core")
    rest = sorted(n for n in names if n not in first and n != "mod_apachemw")
    tail = ["mod_apachemw"] if "mod_apachemw" in names else []
    return [n for n in first if n in names] + rest + tail


# ---------------------------------------------------------------- rendering


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    text = html.escape(" ".join(text.split()), quote=False)
    return re.sub(r"([\\|*_`\[\]])", r"\\\1", text)


def directive_label(name: str) -> str:
    return f"`{name}>`" if name.startswith("<") else f"`{name}`"


def _sort_key(entry: Entry) -> str:
    return entry.name.lstrip("<").lower()


def render_module(name: str, ident: str, entries: Sequence[Entry]) -> list[str]:
    link = DOC_PAGES.get(name, f"{APACHE_DOCS}{name}.html")
    lines = [f"## {name}", ""]
    if not entries:
        lines.append(
            f"`{ident}` has no directives of its own ([manual]({link})); "
            "what it provides is used through other modules' directives."
        )
        return [*lines, ""]
    lines += [
        f"Identifier `{ident}` · [manual]({link})",
        "",
        "| Directive | Status | Context | Override | Description |",
        "| --- | --- | --- | --- | --- |",
    ]
    for e in sorted(entries, key=_sort_key):
        override = e.override or "—"
        lines.append(
            f"| {directive_label(e.name)} | {e.status} | {', '.join(e.contexts)} "
            f"| {override} | {cell(e.help) or '—'} |"
        )
    return [*lines, ""]


def summary(order: Sequence[str], table: dict[str, tuple[str, list[Entry]]]) -> list[str]:
    lines = [
        "| Module | " + " | ".join(HEADINGS) + " |",
        "| --- | " + " | ".join("---:" for _ in STATUSES) + " |",
    ]
    for name in order:
        counts = [sum(e.status == s for e in table[name][1]) for s in STATUSES]
        shown = " | ".join(str(n) if n else "" for n in counts)
        lines.append(f"| [{name}](#{name}) | {shown} |")
    return lines


INTRO = """\
# Directive support

<!-- Generated by docs/gen_directives.py from the directive tables; do not edit. -->

Every directive of the Apache httpd 2.4 modules apachemw covers, one table per module, as
Apache's module manual lists them. The page is generated from apachemw's directive tables
and from the `apache2 -L` listings recorded from Debian's apache2 (with mod_wsgi), so it
always says what the code does: regenerate it with `python docs/gen_directives.py`.

Status:

- **implemented**: the directive has its Apache effect.
- **implemented (read by the parser)**: acted on while the configuration is read
  (`Include`, `Define`, `<IfModule>` and the other conditional sections, `ServerRoot`,
  `LoadModule`), before any module sees it.
- **accepted, no effect**: parsed and checked like any directive (arguments, context,
  AllowOverride), so an Apache configuration loads unchanged, but its effect belongs to the
  server process (sockets, workers, users, MPM tuning, mod_wsgi's daemon processes) and is
  left to uvicorn.
- **apachemw only**: apachemw's own directives, with no Apache counterpart; write them
  inside `<IfModule apachemw_module>` so that Apache skips them.
- **not implemented**: listed by `apache2 -L` but without a row here; a configuration using
  it is refused with Apache's "Invalid command" message, as Apache refuses a directive of a
  module that is not loaded.

Context says where the directive may appear: *server config* and *virtual host* (outside
sections), *directory* (inside `<Directory>`, `<Location>`, `<Files>`, `<If>` and their
`Match` forms) and *.htaccess* (when `AllowOverride` includes the category in the Override
column; *All* means any category but None). A module not in these tables (mod_ssl,
mod_proxy, mod_cgi, mod_include, mod_deflate, ...) is outside apachemw's scope; its
directives are refused as Apache refuses those of a module that is not loaded.

## Summary

"""


def render(modules: Sequence[Module], listed: Sequence[Listed]) -> str:
    table = collect(modules, listed)
    order = module_order(table)
    lines = [INTRO.rstrip("\n"), "", *summary(order, table), ""]
    for name in order:
        lines += render_module(name, *table[name])
    return "\n".join(lines).rstrip("\n") + "\n"


def generate() -> str:
    return render(all_modules(), read_listings())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the page is stale")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    text = generate()
    if args.check:
        current = args.output.read_text() if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run python docs/gen_directives.py", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

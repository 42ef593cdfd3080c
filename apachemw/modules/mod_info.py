"""mod_info: the server-info handler, in Apache's layout, over apachemw's own modules.

``SetHandler server-info`` answers GET and HEAD with: the loaded modules (by their
Apache source names, ``mod_alias.c``), the server settings, the hooks each request phase
runs (with their order numbers), the authn/authz providers, and for each module its
directives with their help text and the configuration lines that use them, each with
its file and line. The query string picks a part as Apache does: ``?config`` (the whole
configuration), ``?server``, ``?list``, ``?hooks``, ``?providers``, or a module's name
(``?mod_rewrite.c``, matched without regard to case). ``AddModuleInfo`` adds a line of
HTML to a module's entry.

What is apachemw's rather than Apache's is said so on the page: the modules, hooks and
providers are apachemw's (a module apachemw does not implement is not listed), the MPM
is "apachemw", the build is apachemw's version, there is no APR. The configuration
lines are the ones Apache keeps in its tree: directives Apache runs while reading
(ServerRoot, LoadModule, Include, Define, ...) and the ``<If*>`` wrappers are not in it.
"""

from __future__ import annotations

import struct
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from apachemw import __version__
from apachemw.config.directives import EXEC_ON_READ, RSRC_CONF, Args, Cmd, Module
from apachemw.config.parser import Node
from apachemw.config.rows import row
from apachemw.core.http import atoi
from apachemw.core.request import DECLINED, DONE, Outcome, Request
from apachemw.core.uri_escape import escape_html

__all__ = ["MODULE", "InfoServer", "config_lines"]

# Directives the parser runs while reading; like Apache's EXEC_ON_READ ones they never
# enter the configuration tree.
_READ_TIME = frozenset({"include", "includeoptional", "define", "undefine", "serverroot"})
_REQUEST_HOOKS = (
    ("Pre-Connection", ""),
    ("Create Connection", ""),
    ("Process Connection", ""),
    ("Create Request", ""),
    ("Pre-Read Request", ""),
    ("Post-Read Request", "post_read_request"),
    ("Header Parse", "header_parser"),
    ("HTTP Scheme", ""),
    ("Default Port", ""),
    ("Quick Handler", ""),
    ("Pre-Translate Name", ""),
    ("Translate Name", "translate_name"),
    ("Map to Storage", "map_to_storage"),
    ("Check Access", "access_checker_ex"),
    ("Check Access (legacy)", "access_checker"),
    ("Verify User ID", "check_user_id"),
    ("Note Authentication Failure", ""),
    ("Verify User Access", "auth_checker"),
    ("Check Type", "type_checker"),
    ("Fixups", "fixups"),
    ("Insert Filters", "insert_filter"),
    ("Content Handlers", "handler"),
    ("Transaction Logging", "log_transaction"),
    ("Insert Errors", ""),
    ("Generate Log ID", ""),
)
_STARTUP_HOOKS = (
    ("Pre-Config", ""),
    ("Check Configuration", ""),
    ("Test Configuration", ""),
    ("Post Configuration", "post_config"),
    ("Open Logs", ""),
    ("Pre-MPM", ""),
    ("MPM", ""),
    ("Drop Privileges", ""),
    ("Retrieve Optional Functions", ""),
    ("Child Init", ""),
)
_OTHER_HOOKS = (
    ("Monitor", ""),
    ("Child Status", ""),
    ("End Generation", ""),
    ("Error Logging", ""),
    ("Query MPM Attributes", ""),
    ("Query MPM Name", ""),
    ("Register Timed Callback", ""),
    ("Extend Expression Parser", ""),
    ("Set Management Items", ""),
)


@dataclass
class InfoServer:
    """info_svr_conf: AddModuleInfo entries, in the order a lookup sees them."""

    more_info: list[tuple[str, str]] = field(default_factory=list)


def merge_server(base: InfoServer, add: InfoServer) -> InfoServer:
    """merge_info_config: the virtual host's entries first, then the main server's."""
    return InfoServer([*add.more_info, *base.more_info])


def _add_module_info(cmd: Cmd, args: Sequence[str]) -> None:
    conf: InfoServer = cmd.srv()
    conf.more_info.append((args[0], args[1]))


# ---------------------------------------------------------------- the configuration tree


def _in_tree(node: Node, registry: Any) -> bool:
    """Whether Apache's tree keeps this node (not run at read time)."""
    if node.lname in _READ_TIME:
        return False
    found = registry.lookup(node)
    return found is None or not found[1].where & EXEC_ON_READ


def _flush_right(number: int, width: int) -> str:
    """put_int_flush_right: the number right-aligned in ``width`` places, a blank as
    "&nbsp;" (and a 0 line number as all blanks)."""
    out = ""
    if width > 1 or number > 9:
        out = _flush_right(number // 10, width - 1)
    return out + (str(number % 10) if number else "&nbsp;")


class _Listing:
    """mod_info_module_cmds' output, with the "In file" line each time the file changes."""

    def __init__(self, registry: Any, names: frozenset[str] | None) -> None:
        self.registry = registry
        self.names = names
        self.file: str | None = None
        self.out: list[str] = []

    def indent(self, nest: int, filename: str, line: int) -> None:
        if filename != self.file:
            self.out.append(
                f"<dd><tt><strong>In file: {escape_html(filename)}</strong></tt></dd>\n"
            )
            self.file = filename
        self.out.append(
            "<dd><tt>" + _flush_right(max(line, 0), 4) + ":&nbsp;" + "&nbsp;&nbsp;" * nest
        )

    def show_cmd(self, node: Node, nest: int) -> None:
        self.indent(nest, node.file, node.line)
        name, args = _spelling(node)
        self.out.append(f"{escape_html(name)} <i>{escape_html(args)}</i></tt></dd>\n")

    def show_open(self, node: Node, nest: int) -> None:
        self.indent(nest, node.file, node.line)
        name, args = _spelling(node)
        self.out.append(f"{escape_html(name)} {escape_html(args)}</tt></dd>\n")

    def show_close(self, node: Node, nest: int) -> None:
        self.indent(nest, node.file, 0)
        self.out.append(f"&lt;/{escape_html(node.name)}&gt;</tt></dd>")

    def wanted(self, node: Node) -> bool:
        if self.names is None:
            return True
        return ("<" + node.lname if node.is_section else node.lname) in self.names

    def walk(self, nodes: Sequence[Node], parents: list[Node], shown: int, level: int) -> int:
        """The nodes of one level; returns the deepest level whose sections were opened."""
        for node in nodes:
            if not _in_tree(node, self.registry):
                continue
            if node.children:
                if level < self.walk(node.children, [*parents, node], shown, level + 1):
                    shown = level
                    self.show_close(node, level)
            elif self.wanted(node):
                for depth in range(shown, level):
                    self.show_open(parents[depth], depth)
                shown = max(shown, level)
                self.show_cmd(node, level)
        return shown


def _spelling(node: Node) -> tuple[str, str]:
    """The directive and its argument text as Apache keeps them ("<Location", "/x>")."""
    if node.is_section:
        return "<" + node.name, node.raw_args + ">"
    return node.name, node.raw_args


def config_lines(site: Any, names: frozenset[str] | None = None) -> str:
    """The configuration lines (of the directives ``names``, lower case; None: all)."""
    listing = _Listing(site.registry, names)
    listing.walk(site.conftree, [], 0, 0)
    return "".join(listing.out)


# ---------------------------------------------------------------- modules and hooks


def _modules(r: Request) -> list[Module]:
    return sorted(r.site.registry.order, key=lambda m: m.source)


def _phases(module: Module) -> set[str]:
    return set(module.hooks) | {phase for phase, _order, _fn in module.more_hooks}


def _hook_entries(r: Request, phase: str) -> list[tuple[int, str]]:
    """The modules in ``phase`` in the order they run (as core.pipeline.build_hooks)."""
    entries = []
    for index, module in enumerate(r.site.registry.order):
        if phase in module.hooks:
            entries.append((module.hooks[phase][0], index, module.source))
        entries += [(o, index, module.source) for p, o, _fn in module.more_hooks if p == phase]
    return [(order, name) for order, _index, name in sorted(entries)]


def _hook_list(r: Request, title: str, anchor: str, table: Sequence[tuple[str, str]]) -> str:
    mark = "?" if (r.args or "").lower() == "hooks" else "#"
    out = f'<h2><a name="{anchor}">{title}</a></h2>\n<dl>'
    for label, phase in table:
        out += f"<dt><strong>{label}:</strong>\n <br /><tt>\n"
        for order, name in _hook_entries(r, phase) if phase else []:
            out += f'&nbsp;&nbsp; {order:02d} <a href="{mark}{name}">{name}</a> <br/>'
        out += "\n  </tt>\n</dt>\n"
    return out + "</dl>\n<hr />\n"


def show_active_hooks(r: Request) -> str:
    return (
        _hook_list(r, "Startup Hooks", "startup_hooks", _STARTUP_HOOKS)
        + _hook_list(r, "Request Hooks", "request_hooks", _REQUEST_HOOKS)
        + _hook_list(r, "Other Hooks", "other_hooks", _OTHER_HOOKS)
    )


def _provider_groups(r: Request) -> dict[str, list[str]]:
    """The authn and authz providers of the loaded modules (each module registers its
    own in mod_authn_core / mod_authz_core's table)."""
    from apachemw.modules import mod_authn_core, mod_authz_core

    loaded = {m.name for m in r.site.registry.order}
    groups: dict[str, list[str]] = {}
    tables: tuple[tuple[str, dict[str, Any], str], ...] = (
        ("authn", mod_authn_core.PROVIDERS, "check_password"),
        ("authz", mod_authz_core.PROVIDERS, "check"),
    )
    for group, table, attr in tables:
        names = [
            name
            for name, provider in table.items()
            if getattr(provider, attr).__module__.rsplit(".", 1)[-1] in loaded
        ]
        if names:
            groups[group] = sorted(names)
    return groups


def show_providers(r: Request) -> str:
    out = '<h2><a name="providers">Providers</a></h2>\n<dl>'
    for group, names in sorted(_provider_groups(r).items()):
        out += f"<dt><strong>{group}</strong> (version <tt>0</tt>):\n <br />\n"
        out += "".join(f"<tt>&nbsp;&nbsp;{name}</tt><br/>" for name in names)
        out += "\n</dt>\n"
    return out + "</dl>\n<hr />\n"


# ---------------------------------------------------------------- server settings


def _timeouts(site: Any) -> tuple[int, int]:
    """Timeout and KeepAliveTimeout as the main server's lines set them (Apache's
    defaults otherwise); apachemw leaves both to the server it runs in."""
    found = {"timeout": 60, "keepalivetimeout": 5}
    for node in site.conftree:
        if node.lname in found and node.args:
            found[node.lname] = atoi(node.args[0])
    return found["timeout"], found["keepalivetimeout"]


def show_server_settings(r: Request) -> str:
    from apachemw.core.pipeline import VERSION, server_name, server_port

    site = r.site
    timeout, keepalive = _timeouts(site)
    python = sys.version.split()[0]
    config_file = site.conftree[0].file if site.conftree else ""
    threaded = "yes" if threading.active_count() > 1 else "no"
    return (
        '<h2><a name="server">Server Settings</a></h2>'
        "<dl><dt><strong>Server Version:</strong> "
        f'<font size="+1"><tt>{VERSION}</tt></font></dt>\n'
        "<dt><strong>Server Built:</strong> "
        f'<font size="+1"><tt>apachemw {__version__}</tt></font></dt>\n'
        "<dt><strong>Server loaded APR Version:</strong> <tt>none</tt></dt>\n"
        "<dt><strong>Compiled with APR Version:</strong> <tt>none</tt></dt>\n"
        "<dt><strong>Server loaded APU Version:</strong> <tt>none</tt></dt>\n"
        "<dt><strong>Compiled with APU Version:</strong> <tt>none</tt></dt>\n"
        f"<dt><strong>Server loaded PCRE Version:</strong> <tt>Python {python} re</tt></dt>\n"
        f"<dt><strong>Compiled with PCRE Version:</strong> <tt>Python {python} re</tt></dt>\n"
        "<dt><strong>Module Magic Number:</strong> <tt>0:0</tt></dt>\n"
        "<dt><strong>Hostname/port:</strong> "
        f"<tt>{escape_html(server_name(r))}:{server_port(r)}</tt></dt>\n"
        "<dt><strong>Timeouts:</strong> "
        f"<tt>connection: {timeout} &nbsp;&nbsp; keep-alive: {keepalive}</tt></dt>"
        "<dt><strong>MPM Name:</strong> <tt>apachemw</tt></dt>\n"
        "<dt><strong>MPM Information:</strong> "
        f"<tt>Max Daemons: 1 Threaded: {threaded} Forked: no</tt></dt>\n"
        "<dt><strong>Server Architecture:</strong> "
        f"<tt>{8 * struct.calcsize('P')}-bit</tt></dt>\n"
        f"<dt><strong>Server Root:</strong> <tt>{site.server_root}</tt></dt>\n"
        f"<dt><strong>Config File:</strong> <tt>{config_file}</tt></dt>\n"
        '<dt><strong>Server Built With:</strong>\n<tt style="white-space: pre;">\n'
        "</tt></dt>\n</dl><hr />"
    )


# ---------------------------------------------------------------- one module


def _phase_participation(module: Module) -> str:
    parts = [
        label
        for present, label in (
            (module.create_dir, "Create Directory Config"),
            (module.merge_dir, "Merge Directory Configs"),
            (module.create_server, "Create Server Config"),
            (module.merge_server, "Merge Server Configs"),
        )
        if present is not None
    ]
    return ", ".join(f"<tt>{p}</tt>" for p in parts) or "<tt> <em>none</em></tt>"


def _request_participation(module: Module) -> str:
    phases = _phases(module)
    parts = [f"<tt>{label}</tt>" for label, phase in _REQUEST_HOOKS if phase and phase in phases]
    return ", ".join(parts) or "<tt> <em>none</em></tt>"


def _directives(r: Request, module: Module) -> str:
    if not module.directives:
        return "<dt><strong>Module Directives:</strong> <tt>none</tt></dt>"
    out = "<dt><strong>Module Directives:</strong></dt>"
    for d in module.directives:
        closing = "&gt;" if d.name.startswith("<") else ""
        out += f"<dd><tt>{escape_html(d.name)}{closing} - <i>{escape_html(d.help)}</i></tt></dd>\n"
    names = frozenset(d.name.lower() for d in module.directives)
    return out + "<dt><strong>Current Configuration:</strong></dt>\n" + config_lines(r.site, names)


def _more_info(r: Request, name: str) -> str | None:
    conf: InfoServer | None = r.server.get("mod_info")
    for entry, info in conf.more_info if conf is not None else []:
        if entry == name:
            return info
    return None


def show_module(r: Request, module: Module) -> str:
    name = module.source
    handlers = "yes" if "handler" in _phases(module) else "none"
    out = (
        f'<dl><dt><a name="{name}"><strong>Module Name:</strong></a> '
        f'<font size="+1"><tt><a href="?{name}">{name}</a></tt></font></dt>\n'
        f"<dt><strong>Content handlers:</strong> <tt> <em>{handlers}</em></tt></dt>"
        "<dt><strong>Configuration Phase Participation:</strong>\n"
        f"{_phase_participation(module)}</dt>"
        "<dt><strong>Request Phase Participation:</strong>\n"
        f"{_request_participation(module)}</dt>\n" + _directives(r, module)
    )
    info = _more_info(r, name)
    if info is not None:
        out += f"<dt><strong>Additional Information:</strong>\n</dt><dd>{info}</dd>"
    return out + "</dl><hr />\n"


# ---------------------------------------------------------------- the page


def _overview(r: Request) -> str:
    links = "".join(f'<a href="#{m.source}">{m.source}</a>, ' for m in _modules(r))
    return (
        '<dl><dt><tt>Subpages:<br /><a href="?config">Configuration Files</a>, '
        '<a href="?server">Server Settings</a>, <a href="?list">Module List</a>, '
        '<a href="?hooks">Active Hooks</a>, <a href="?providers">Available Providers</a>'
        '</tt></dt></dl><hr /><dl><dt><tt>Sections:<br /><a href="#modules">Loaded Modules</a>, '
        '<a href="#server">Server Settings</a>, <a href="#startup_hooks">Startup Hooks</a>, '
        '<a href="#request_hooks">Request Hooks</a>, <a href="#other_hooks">Other Hooks</a>, '
        '<a href="#providers">Providers</a></tt></dt></dl><hr />'
        # Every name is followed by ", ", the last too, as display_info writes them.
        f'<h2><a name="modules">Loaded Modules</a></h2><dl><dt><tt>{links}</tt></dt></dl><hr />'
    )


def _module_sections(r: Request, args: str | None) -> str:
    wanted = args.lower() if args is not None else None
    out = ""
    for module in _modules(r):
        if wanted is None or module.source.lower() == wanted:
            out += show_module(r, module)
            if wanted is not None:
                break
    # display_info's "No such module" line is never reached: its loop leaves the last
    # module in modp whenever nothing matched, so an unknown name shows nothing.
    return out


def _body(r: Request) -> str:
    args = r.args
    lowered = args.lower() if args is not None else None
    if lowered == "list":
        names = "".join(f"<dd>{m.source}</dd>" for m in _modules(r))
        return f"<dl><dt>Server Module List</dt>{names}</dl><hr />"
    out = _overview(r) if args is None else ""
    if lowered in (None, "server"):
        out += show_server_settings(r)
    if lowered in (None, "hooks"):
        out += show_active_hooks(r)
    if lowered in (None, "providers"):
        out += show_providers(r)
    if lowered == "config":
        return (
            out + "<dl><dt><strong>Configuration:</strong>\n" + config_lines(r.site) + "</dl><hr />"
        )
    return out + _module_sections(r, args)


_HEAD = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n'
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
    '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n'
    "  <title>Server Information</title>\n</head>\n"
    '<body><h1 style="text-align: center">Apache Server Information</h1>\n'
)


def info_handler(r: Request) -> int:
    if r.handler != "server-info" or r.method_number != "GET":
        return DECLINED
    from apachemw.modules.mod_autoindex import signature
    from apachemw.modules.mod_status import BUFFER

    r.eventful = True  # built per request: never a memoised answer
    page = _HEAD + _body(r) + signature(r) + "</body></html>\n"
    data = page.encode("utf-8", "surrogateescape")
    r.content_type = "text/html; charset=ISO-8859-1"
    headers = [("Content-Length", str(len(data)))] if len(data) <= BUFFER else []
    headers.append(("Content-Type", r.content_type))
    r.outcome = Outcome(200, headers, body=data, head_only=r.is_head)
    return DONE


MODULE = Module(
    name="mod_info",
    ident="info_module",
    directives=(
        row(
            "AddModuleInfo",
            Args.TAKE2,
            RSRC_CONF,
            "a module name and additional information on that module",
            _add_module_info,
        ),
    ),
    create_server=InfoServer,
    merge_server=merge_server,
    hooks={"handler": (10, info_handler)},
)

"""Loading a whole configuration: parse, walk into servers, fix up virtual hosts.

``load_site`` is what ``apache2 -f`` does up to the point of serving: read the
file (or text), evaluate ``<If*>`` blocks and ``Include``, run every directive
through the walker, then merge each ``<VirtualHost>`` onto the main server as
``ap_fixup_virtual_hosts`` does and sort ``<Directory>`` sections as
``core_reorder_directories`` does.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from apachemw.config.directives import (
    NONFATAL_ALL,
    OR_ALL,
    OR_AUTHCFG,
    OR_LIMIT,
    RSRC_CONF,
    Module,
)
from apachemw.config.htaccess import HtaccessCache
from apachemw.config.model import DirConf, Section, Server, merge_dir_configs
from apachemw.config.parser import Node, ParseEnv, parse_file, parse_text
from apachemw.config.vhosts import Chain, VhostMap, build_map, by_name, by_path, fallback_name
from apachemw.config.walker import Registry, WalkContext, walk
from apachemw.core import errorlog
from apachemw.core.uri_escape import escape_log_bytes
from apachemw.errors import ConfigError

__all__ = ["APACHEMW_MODULES", "STATIC_MODULES", "Site", "load_site"]

# Options every *.conf context may set (cmd->override_opts outside .htaccess).
ALL_OPTIONS = 0xFF

# Compiled into Debian's apache2 (`apache2 -l`): always loaded, no LoadModule.
STATIC_MODULES = frozenset(
    f"{name}_module"
    for name in ("core", "so", "watchdog", "http", "log_config", "logio", "version", "unixd")
)
# apachemw's own modules (modules/mod_apachemw.py): always loaded here, never in Apache,
# which has no such module and so skips their <IfModule apachemw_module> blocks.
APACHEMW_MODULES = frozenset({"apachemw_module"})
# apachemw's own handler name for the wrapped application.
APP_HANDLER = "apachemw-app"


def _all_modules() -> list[Module]:
    from apachemw.modules import registry

    return registry.all_modules()


class Site:
    """Everything one configuration defines: servers, registry, caches, logs."""

    def __init__(self, registry: Registry, server_root: str, env: ParseEnv) -> None:
        self.registry = registry
        self.modules: dict[str, Module] = registry.modules
        self.server_root = server_root
        self.env = env
        self.main = Server(modules=self.modules)
        self.vhosts: list[Server] = []
        self.warnings: list[str] = []
        self.htaccess = HtaccessCache(self._compile_htaccess)
        self._merge_cache: dict[tuple[int, ...], DirConf] = {}
        self._markers: dict[int, Any] = {}
        self._lock = threading.Lock()
        self.error_log: Callable[[str], None] = _stderr_writer()
        # Virtual hosts whose ErrorLog names another destination (core.errorlog).
        self.server_error_logs: dict[int, Callable[[str], None]] = {}
        self.hooks: dict[str, list[Callable[..., Any]]] = {}
        self.has_app = False
        self.app_named = False
        self.listen: list[tuple[str, int]] = []
        # GracefulShutdownTimeout (seconds; 0: wait for every request under way).
        self.graceful_shutdown_timeout = 0
        self.walk_cache: dict[tuple[int, str], Any] = {}
        self.vhost_map = VhostMap()
        # Request headers that modules read: a request carrying one is never
        # answered from the static memo (core.memo). Modules add theirs here.
        self.memo_headers: frozenset[str] = frozenset()
        self.conftree: tuple[Node, ...] = ()

    # -- walking ------------------------------------------------------------------

    def top_context(self) -> WalkContext:
        from apachemw.modules.core import create_server_defaults

        # The server's own per-directory defaults are Apache's
        # create_core_dir_config(dir=NULL): FollowSymLinks is on there.
        self.main.defaults.setdefault("core", create_server_defaults())
        return WalkContext(
            registry=self.registry,
            site=self,
            server=self.main,
            dirconf=self.main.defaults,
            override=(RSRC_CONF | OR_ALL) & ~(OR_AUTHCFG | OR_LIMIT),
            override_opts=ALL_OPTIONS,
            warn=self.warnings.append,
        )

    def _compile_htaccess(
        self,
        path: str,
        text: str,
        override: int,
        override_opts: int,
        override_list: frozenset[str],
    ) -> tuple[Section, list[str]]:
        nodes = parse_text(text, path, _htaccess_env(self.env), htaccess=True)
        directory = os.path.dirname(path) + "/"
        section = Section(kind="htaccess", pattern=directory, conf={}, file=path, line=0)
        warnings: list[str] = []
        ctx = WalkContext(
            registry=self.registry,
            site=self,
            server=self.main,
            dirconf=section.conf,
            override=override | (override & NONFATAL_ALL),
            override_opts=override_opts,
            override_list=override_list,
            path=directory,
            section_kind="htaccess",
            htaccess=True,
            warn=warnings.append,
        )
        walk(nodes, ctx)
        return section, warnings

    # -- merging ------------------------------------------------------------------

    def merge_cached(self, base: DirConf, applied: tuple[Any, ...], section: Section) -> DirConf:
        """Merge ``section`` onto ``base``, reusing the result for the same chain.

        The key is the identity of every section applied so far (and of the
        config a file or location walk started from), so a request that walks
        the same sections as an earlier one merges nothing at all.
        """
        key = tuple(id(s) for s in applied)
        merged = self._merge_cache.get(key)
        if merged is None:
            merged = merge_dir_configs(self.modules, base, section.conf)
            with self._lock:
                if len(self._merge_cache) > 50_000:
                    self._merge_cache.clear()
                self._merge_cache[key] = merged
                for item in applied:
                    self._markers.setdefault(id(item), item)  # keep ids alive
        return merged

    def remember_walk(self, key: tuple[int, str], walked: Any) -> None:
        """Keep a directory walk's result (see core.walk); bounded, wholesale reset."""
        if len(self.walk_cache) > 20_000:
            self.walk_cache.clear()
        self.walk_cache[key] = walked

    def config_marker(self, conf: DirConf) -> Any:
        """An object standing for ``conf`` itself in merge-cache keys."""
        self._markers.setdefault(id(conf), conf)
        return conf

    # -- servers ------------------------------------------------------------------

    def connection_server(self, local_ip: str, port: int) -> tuple[Server, Chain | None]:
        """ap_update_vhost_given_ip: the server a connection to this address starts
        with, and the chain of name-based hosts to choose from by Host."""
        chain = self.vhost_map.for_connection(local_ip, port) if self.vhosts else None
        if chain is None:
            return self.main, None
        server: Server = chain.server
        return server, chain

    def request_server(
        self, base: Server, chain: Chain | None, host: str | None, port: int, uri: str = ""
    ) -> Server:
        """ap_update_vhost_from_headers: within the connection's chain, the host the
        request names (ServerName, ServerAlias, the <VirtualHost> name), or by
        ServerPath when it names none; otherwise the chain's default."""
        if chain is None or chain.names is None:
            return base
        found = by_name(chain, host, port) if host else by_path(chain, uri, port)
        return found if found is not None else base

    def log_error(
        self, r: Any, level: str, module: str, message: str, error: OSError | None = None
    ) -> None:
        """One error-log line in Apache's default ErrorLogFormat, if LogLevel allows."""
        if r is not None:
            r.eventful = True
        server = r.server if r is not None and r.server is not None else self.main
        # r->log: a per-directory LogLevel, once the request's sections were walked.
        log = r.log if r is not None and r.log is not None else server.get("core")
        # A notice about the server itself (start, reload) passes any LogLevel, as
        # Apache's log.c lets its startup/shutdown notices through.
        if not log.logs(module, level) and not (r is None and level == "notice"):
            return
        if r is not None:
            errorlog.add_log_ids(r)
        now = time.time()
        stamp = time.strftime("%a %b %d %H:%M:%S", time.localtime(now))
        micro = f"{now % 1:.6f}"[2:]
        year = time.strftime("%Y", time.localtime(now))
        client = ""
        if r is not None:
            inc = r.incoming
            client = f" [client {inc.client_ip}:{inc.client_port}]"
        if error is not None and error.errno:
            # Apache puts "(errno)text: " before the client when a status is given.
            client = f" ({error.errno}){error.strerror}:{client}"
        pid = os.getpid()
        line = (
            f"[{stamp}.{micro} {year}] [{module}:{level}] [pid {pid}:tid {threading.get_ident()}]"
            f"{client} {escape_errorlog_item(message)}"
        )
        writer = self.server_error_logs.get(id(server), self.error_log)
        pending = r.incoming.deferred_log if r is not None else None
        if pending is not None:
            pending.append((line, level, module, writer))
            return
        errorlog.emit(line, level, module)
        writer(line)

    def write_log_lines(self, lines: list[tuple[str, str, str, Any]]) -> None:
        """Error-log lines held back while a request was decided (core.pipeline)."""
        for line, level, module, writer in lines:
            errorlog.emit(line, level, module)
            writer(line)


_ERRORLOG_ESCAPES = {0x08: "\\b", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x0B: "\\v", 0x5C: "\\\\"}
_PLAIN = re.compile(r"[\x20-\x5b\x5d-\x7e]*")


def escape_errorlog_item(text: str) -> str:
    """ap_escape_errorlog_item: control characters, backslashes and bytes above 0x7e
    escaped, as Apache writes every error-log message (quotes are left alone)."""
    if _PLAIN.fullmatch(text):
        return text
    return escape_log_bytes(text, _ERRORLOG_ESCAPES)


def _stderr_writer() -> Callable[[str], None]:
    def write(line: str) -> None:
        sys.stderr.write(line + "\n")

    return write


def _htaccess_env(env: ParseEnv) -> ParseEnv:
    return ParseEnv(
        server_root=env.server_root,
        defines=dict(env.defines),
        loaded_modules=set(env.loaded_modules),
        version=env.version,
        module_files=env.module_files,
        is_known_directive=env.is_known_directive,
        is_known_section=env.is_known_section,
    )


def _module_files(modules: Sequence[Module]) -> dict[str, str]:
    return {m.source: m.ident for m in modules}


def _reorder(sections: list[Section]) -> list[Section]:
    """core_reorder_directories: non-regex first by depth, regexes after, stable."""
    indexed = list(enumerate(sections))
    indexed.sort(key=lambda p: (p[1].regex is not None, p[1].components, p[0]))
    return [s for _, s in indexed]


def _name_vhosts(site: Site) -> None:
    """Each virtual host's s->server_hostname (its ServerName, or vhost.c's fallback,
    which it also answers with) and the address chains requests are matched with."""
    main_core = site.main.get("core")
    site.main.server_name = main_core.server_name
    for vhost in site.vhosts:
        own = vhost.mods.get("core")
        name = own.server_name if own is not None else None
        core = vhost.module(site.modules["core"])
        if not name:
            name, problem = fallback_name(vhost, main_core.server_name)
            if problem is not None:
                site.log_error(None, "error", "core", problem)
            core.server_name = name
            # s->port: the <VirtualHost> address's port, else the main server's.
            first = vhost.vhost_addrs[0][1] if vhost.vhost_addrs else 0
            core.server_port = first or main_core.server_port or 0
        vhost.server_name = name
    site.vhost_map = build_map(site.vhosts, main_core.server_port or 0)
    for host in site.vhost_map.unresolved:
        site.log_error(
            None, "error", "core", f"AH00547: Could not resolve host name {host} -- ignoring!"
        )


def _fixup_vhosts(site: Site) -> None:
    main = site.main
    for server in (main, *site.vhosts):
        for module in site.modules.values():
            if module.create_dir is not None and module.name not in server.defaults:
                server.defaults[module.name] = (
                    _server_default_dir(module) if server is main else module.create_dir()
                )
    _name_vhosts(site)
    for vhost in site.vhosts:
        for name, module in site.modules.items():
            if module.create_server is None:
                continue
            base = main.get(name)
            virt = vhost.mods.get(name)
            if virt is None and module.fresh_in_vhosts:
                vhost.mods[name] = module.create_server()
            elif virt is None:
                # A module none of whose directives appear in the virtual host has no
                # config there, and takes the main server's as it is, lists and all
                # (merge_server_configs; recorded: "UserDir disabled bob" reaches a
                # virtual host without UserDir lines, but not one with its own).
                vhost.mods[name] = base
            elif module.merge_server is not None:
                vhost.mods[name] = module.merge_server(base, virt)
        vhost.defaults = merge_dir_configs(site.modules, main.defaults, vhost.defaults)
        vhost.dir_sections = main.dir_sections + vhost.dir_sections
        vhost.url_sections = main.url_sections + vhost.url_sections
    for server in (main, *site.vhosts):
        server.dir_sections = _reorder(server.dir_sections)
        server.plain_dir_sections = [s for s in server.dir_sections if s.regex is None]
        server.regex_dir_sections = [s for s in server.dir_sections if s.regex is not None]


def _server_default_dir(module: Module) -> Any:
    from apachemw.modules import core

    if module.name == "core":
        return core.create_server_defaults()
    assert module.create_dir is not None
    return module.create_dir()


ICONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "icons")
MAGIC_FILE = os.path.join(os.path.dirname(ICONS_DIR), "data", "magic")


def load_site(
    path: str | None = None,
    *,
    text: str | None = None,
    defines: Iterable[str] = (),
    server_root: str | None = None,
    all_modules: bool = False,
) -> Site:
    """Parse and walk a configuration; raise ConfigError as ``apache2 -t`` would.

    With ``all_modules`` every module apachemw implements is loaded without
    LoadModule lines (the Python API and ``serve DIR``); otherwise a file means
    exactly what it says, as in Apache.
    """
    modules = _all_modules()
    root = server_root or (os.path.dirname(os.path.abspath(path)) if path else os.getcwd())
    always = STATIC_MODULES | APACHEMW_MODULES
    loaded = {m.ident for m in modules if m.ident in always or all_modules}
    given = {d.partition("=")[0]: (d.partition("=")[2] or None) for d in defines}
    env = ParseEnv(
        server_root=root,
        # ${APACHEMW_ICONS}: the listing icons that ship with apachemw;
        # ${APACHEMW_MAGIC}: its magic file for MimeMagicFile.
        defines={"APACHEMW_ICONS": ICONS_DIR, "APACHEMW_MAGIC": MAGIC_FILE, **given},
        loaded_modules=loaded,
        module_files=_module_files(modules),
    )
    env.is_known_directive = lambda name: _known(modules, env, name)
    env.is_known_section = lambda name: _known(modules, env, "<" + name.lstrip("<"))
    nodes: tuple[Node, ...]
    if text is not None:
        nodes = parse_text(text, path or "<string>", env)
    elif path is not None:
        nodes = parse_file(path, env)
    else:
        raise ConfigError("no configuration given")
    active = [m for m in modules if m.ident in env.loaded_modules]
    site = Site(Registry(active), env.server_root, env)
    site.warnings.extend(env.warnings)
    site.conftree = nodes  # ap_conftree: what mod_info shows
    walk(nodes, site.top_context())
    _fixup_vhosts(site)
    for module in active:
        finish = module.hooks.get("post_config")
        if finish is not None:
            finish[1](site)
    return site


def _known(modules: Sequence[Module], env: ParseEnv, name: str) -> bool:
    lname = name.lower()
    return any(
        m.ident in env.loaded_modules and any(d.name.lower() == lname for d in m.directives)
        for m in modules
    )

"""One middleware per capability, composing into one Apache.

Each face takes a slice of Apache's configuration (as text or as
:mod:`apachemw.config.objects`) and wraps any WSGI or ASGI app::

    app = AccessLog(Rewrite(AccessControl(app, "Require ip 10.0.0.0/8"),
                            "RewriteRule ^/old/(.*)$ /new/$1 [R=301,L]"))

A face wrapping another face does not stack a second middleware: it takes the inner
face's configuration and app, and all of them become one configuration, one engine,
one pipeline. Their lines are ordered by capability (not by nesting), so any nesting of
the same faces gives the same configuration, and Apache's phase order decides what
happens, as it would in httpd.conf. ``face.to_apache()`` prints that configuration.

Without a document root (no :class:`StaticFiles`, :class:`Htaccess` or
:class:`Apache` face) nothing is served from disk: what the rules leave goes to the app.
"""

from __future__ import annotations

import inspect
import os
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar, Literal

from apachemw.config.objects import Directive, Node, Section, check, parse, render
from apachemw.errors import ConfigError

__all__ = [
    "AccessControl",
    "AccessLog",
    "Alias",
    "Apache",
    "AutoIndex",
    "BasicAuth",
    "Face",
    "Headers",
    "Htaccess",
    "Negotiation",
    "Rewrite",
    "StaticFiles",
]

Kind = Literal["wsgi", "asgi"]
Config = str | Node | Iterable[Any] | None


@dataclass(frozen=True)
class _Part:
    """One face's share of the configuration."""

    rank: int
    depth: int  # 0 for the outermost face: within a rank, outer faces come first
    nodes: tuple[Node, ...]
    document_root: str | None = None
    allow_override: str = "None"


def _flatten(config: Config) -> list[Node]:
    if config is None:
        return []
    if isinstance(config, str):
        return parse(config, f"the text given at {_caller()}")
    if isinstance(config, Directive | Section):
        return [config]
    out: list[Node] = []
    for item in config:
        out.extend(_flatten(item))
    return out


def _caller() -> str:
    """Where the user's code handed over configuration (error messages name it)."""
    here = os.path.dirname(os.path.abspath(__file__))
    for frame in inspect.stack()[1:]:
        if not os.path.abspath(frame.filename).startswith(here + os.sep):
            return f"{frame.filename}:{frame.lineno}"
    return "<text>"


@cache
def _owners() -> dict[str, str]:
    """Directive name (lower-case) to the module that declares it."""
    from apachemw.modules.registry import all_modules

    return {d.name.lower(): m.name for m in all_modules() for d in m.directives}


# Sections that say where their lines apply; anything else of a directory-context face
# (its directives, <RequireAll>, <Limit> ...) applies to the whole URL space.
_PLACEMENTS = frozenset(
    {"directory", "directorymatch", "location", "locationmatch", "files", "filesmatch"}
    | {"if", "elseif", "else", "virtualhost"}
)


def _places(node: Node) -> bool:
    return isinstance(node, Section) and node.name.lower() in _PLACEMENTS


def _detect(app: Any) -> Kind | None:
    if app is None:
        return None
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else type(app).__call__
    return "asgi" if inspect.iscoroutinefunction(call) else "wsgi"


@cache
def _empty_root() -> str:
    """An empty directory for a configuration without one: nothing maps to a file."""
    path = tempfile.mkdtemp(prefix="apachemw-empty-")
    os.chmod(path, 0o555)
    return path


class Face:
    """A capability of Apache as middleware. Subclasses say which modules' directives
    they take, where their lines go, and what they add by themselves."""

    rank: ClassVar[int] = 50
    owners: ClassVar[frozenset[str]] = frozenset()  # empty: any directive
    in_location: ClassVar[bool] = False  # bare directives need a directory context

    def __init__(self, app: Any = None, config: Config = None, *, kind: Kind | None = None) -> None:
        inner_parts: list[_Part] = []
        if isinstance(app, Face):
            inner_parts = [
                _Part(p.rank, p.depth + 1, p.nodes, p.document_root, p.allow_override)
                for p in app.parts
            ]
            kind = kind or app.kind
            app = app.app
        self.app: Any = app
        self.kind: Kind | None = kind or _detect(app)
        nodes = self._own_nodes(_flatten(config))
        self._refuse_foreign(nodes)
        own = _Part(self.rank, 0, tuple(nodes), *self._document_root())
        self.parts: list[_Part] = [own, *inner_parts]
        self._lock = threading.Lock()
        self._adapters: dict[str, Any] = {}
        check(self.nodes())

    # -- what each face contributes ---------------------------------------------------

    def _own_nodes(self, nodes: list[Node]) -> list[Node]:
        if self.in_location:
            bare = [n for n in nodes if not _places(n)]
            out: list[Node] = [n for n in nodes if _places(n)]
            if bare:
                out.insert(0, Section("Location", ("/",), tuple(bare), bare[0].where))
            return out
        return nodes

    def _document_root(self) -> tuple[str | None, str]:
        return None, "None"

    def _refuse_foreign(self, nodes: Iterable[Node]) -> None:
        if not self.owners:
            return
        owners = _owners()
        for node in nodes:
            if isinstance(node, Section):
                self._refuse_foreign(node.body)
                continue
            module = owners.get(node.name.lower())
            if module is not None and module not in self.owners:
                file, _, line = node.where.rpartition(":")
                raise ConfigError(
                    f"{type(self).__name__} takes {', '.join(sorted(self.owners))} "
                    f"directives; {node.name} belongs to {module}",
                    file,
                    int(line) if line.isdigit() else 0,
                    node.name,
                )

    # -- the combined configuration --------------------------------------------------

    def nodes(self, prelude: bool = True) -> list[Node]:
        """The whole configuration: a document root (or none), then every face's lines
        by capability, outer faces first within one. ``prelude=False`` leaves out the
        document-root part the faces generate."""
        roots = {p.document_root for p in self.parts if p.document_root is not None}
        if len(roots) > 1:
            raise ConfigError(f"faces name different document roots: {', '.join(sorted(roots))}")
        root = roots.pop() if roots else None
        out = self._prelude(root) if prelude else []
        for part in sorted(self.parts, key=lambda p: (p.rank, p.depth)):
            out.extend(part.nodes)
        return out

    def _prelude(self, root: str | None) -> list[Node]:
        if any(p.rank == Apache.rank for p in self.parts):
            return []  # a whole configuration says where its files are
        override = next((p.allow_override for p in self.parts if p.document_root), "None")
        if root is None:
            # Nothing is served from disk: whatever the rules leave goes to the app.
            empty = _empty_root()
            text = f'DocumentRoot "{empty}"\n<Directory "{empty}">\n    Require all granted\n'
            if self.app is not None:
                text += "    SetHandler apachemw-app\n"
            return parse(text + "</Directory>\n", "<apachemw>")
        from apachemw.defaults import default_config

        return parse(default_config(root, allow_override=override), "<apachemw>")

    def to_apache(self, prelude: bool = True) -> str:
        """The configuration as Apache text (what httpd.conf would say); without the
        generated document-root part if ``prelude`` is False."""
        return render(self.nodes(prelude))

    def effective_config(self, url: str = "/", method: str = "GET") -> str:
        """The sections that apply to one request, in merge order (see
        :func:`apachemw.introspect.effective_config`)."""
        from apachemw.introspect import effective_config

        return effective_config(url=url, text=self.to_apache(), method=method)

    def vhost_map(self) -> str:
        """``apachectl -S`` for this configuration."""
        from apachemw.config.site import load_site
        from apachemw.introspect import vhost_map

        return vhost_map(load_site(text=self.to_apache(), all_modules=True))

    # -- serving ------------------------------------------------------------------------

    def __call__(self, *args: Any) -> Any:
        """WSGI (environ, start_response) or ASGI (scope, receive, send), whichever the
        server calls with; an app of the other kind is bridged with a2wsgi."""
        protocol = "asgi" if len(args) == 3 else "wsgi"
        return self._adapter(protocol)(*args)

    def _adapter(self, protocol: str) -> Any:
        adapter = self._adapters.get(protocol)
        if adapter is None:
            with self._lock:
                adapter = self._adapters.get(protocol)
                if adapter is None:
                    adapter = self._build(protocol)
                    self._adapters[protocol] = adapter
        return adapter

    def _build(self, protocol: str) -> Any:
        app = _bridged(self.app, self.kind, protocol)
        text = self.to_apache()
        if protocol == "asgi":
            from apachemw.asgi import Apache as ASGIApache

            return ASGIApache(app, text=text)
        from apachemw.wsgi import Apache as WSGIApache

        return WSGIApache(app, text=text)


def _bridged(app: Any, kind: Kind | None, protocol: str) -> Any:
    if app is None or kind is None or kind == protocol:
        return app
    from a2wsgi import ASGIMiddleware, WSGIMiddleware

    return WSGIMiddleware(app) if protocol == "asgi" else ASGIMiddleware(app)


# ------------------------------------------------------------------ the faces


class Apache(Face):
    """A whole Apache configuration (text, objects, or a file path)::

        app = Apache(app, "/etc/mysite/httpd.conf")

    Apache equivalent: the configuration itself."""

    rank = 0

    def __init__(
        self,
        app: Any = None,
        config: Config | os.PathLike[str] = None,
        *,
        kind: Kind | None = None,
    ) -> None:
        if isinstance(config, os.PathLike) or (
            isinstance(config, str) and "\n" not in config and os.path.isfile(config)
        ):
            path = os.fspath(config)
            with open(path, encoding="utf-8", errors="surrogateescape") as handle:
                text = f"ServerRoot {os.path.dirname(os.path.abspath(path))}\n" + handle.read()
            config = parse(text, path)
        super().__init__(app, config, kind=kind)


class StaticFiles(Face):
    """Apache's file handler over a document root (Debian's defaults: index files,
    ETag, ranges, conditional requests, ``.ht*`` denied)::

        app = StaticFiles(app, "public/")

    Apache equivalent: ``DocumentRoot public/`` with ``<Directory public/>``."""

    rank = 10

    def __init__(
        self,
        app: Any = None,
        document_root: str | os.PathLike[str] = ".",
        config: Config = None,
        *,
        kind: Kind | None = None,
    ) -> None:
        self._root = os.path.abspath(os.fspath(document_root))
        super().__init__(app, config, kind=kind)

    def _document_root(self) -> tuple[str | None, str]:
        return self._root, "None"


class Htaccess(StaticFiles):
    """Per-directory ``.htaccess`` files under a document root (AllowOverride All)::

        app = Htaccess(app, "public/")

    Apache equivalent: ``<Directory public/> AllowOverride All </Directory>``."""

    def _document_root(self) -> tuple[str | None, str]:
        return self._root, "All"


class Alias(Face):
    """mod_alias: Alias, AliasMatch, Redirect* lines::

    app = Alias(app, "Redirect 301 /old https://example.com/new")"""

    rank = 20
    owners = frozenset({"mod_alias"})


class Rewrite(Face):
    """mod_rewrite rules in server context (``RewriteEngine On`` is implied)::

    app = Rewrite(app, "RewriteRule ^/old/(.*)$ /new/$1 [R=301,L]")"""

    rank = 30
    owners = frozenset({"mod_rewrite"})

    def _own_nodes(self, nodes: list[Node]) -> list[Node]:
        has_engine = any(
            isinstance(n, Directive) and n.name.lower() == "rewriteengine" for n in nodes
        )
        if nodes and not has_engine:
            return [Directive("RewriteEngine", ("On",), nodes[0].where), *nodes]
        return nodes


class AccessControl(Face):
    """Require and friends (mod_authz_*, mod_access_compat); bare lines apply to the
    whole URL space::

        app = AccessControl(app, "Require ip 10.0.0.0/8")

    Apache equivalent: ``<Location /> Require ip 10.0.0.0/8 </Location>``."""

    rank = 40
    owners = frozenset(
        {
            "mod_authz_core",
            "mod_authz_host",
            "mod_authz_user",
            "mod_authz_groupfile",
            "mod_access_compat",
        }
    )
    in_location = True


class BasicAuth(Face):
    """HTTP Basic authentication against an htpasswd file::

        app = BasicAuth(app, realm="Staff", user_file="/etc/mysite/htpasswd")

    Apache equivalent: ``<Location /> AuthType Basic, AuthName, AuthUserFile,
    Require valid-user </Location>``."""

    rank = 45

    def __init__(
        self,
        app: Any = None,
        *,
        realm: str,
        user_file: str | os.PathLike[str],
        require: Sequence[str] = ("valid-user",),
        path: str = "/",
        group_file: str | os.PathLike[str] | None = None,
        kind: Kind | None = None,
    ) -> None:
        where = _caller()
        body: list[Node] = [
            Directive("AuthType", ("Basic",), where),
            Directive("AuthName", (realm,), where),
            Directive("AuthUserFile", (os.fspath(user_file),), where),
        ]
        if group_file is not None:
            body.append(Directive("AuthGroupFile", (os.fspath(group_file),), where))
        body.append(Directive("Require", tuple(require), where))
        super().__init__(app, Section("Location", (path,), tuple(body), where), kind=kind)


class Negotiation(Face):
    """Content negotiation (MultiViews is implied) with mod_mime's language, encoding
    and charset extensions::

        app = Negotiation(StaticFiles(app, "site/"), "LanguagePriority en fr")"""

    rank = 50
    owners = frozenset({"mod_negotiation", "mod_mime", "core"})
    in_location = True

    def _own_nodes(self, nodes: list[Node]) -> list[Node]:
        return super()._own_nodes([Directive("Options", ("+MultiViews",), "<apachemw>:0"), *nodes])


class AutoIndex(Face):
    """Directory listings (``Options +Indexes`` is implied)::

    app = AutoIndex(StaticFiles(app, "downloads/"), "IndexOptions FancyIndexing")"""

    rank = 60
    owners = frozenset({"mod_autoindex", "mod_apachemw", "mod_dir", "core"})
    in_location = True

    def _own_nodes(self, nodes: list[Node]) -> list[Node]:
        return super()._own_nodes([Directive("Options", ("+Indexes",), "<apachemw>:0"), *nodes])


class Headers(Face):
    """Response and request headers, environment, expiry (mod_headers, mod_env,
    mod_setenvif, mod_expires)::

        app = Headers(app, 'Header always set X-Frame-Options "DENY"')"""

    rank = 70
    owners = frozenset({"mod_headers", "mod_env", "mod_setenvif", "mod_expires"})


# The formats Debian's apache2.conf names (Apache itself defines no nicknames).
_COMMON = '%h %l %u %t "%r" %>s %b'
_COMBINED = _COMMON + ' "%{Referer}i" "%{User-Agent}i"'


class AccessLog(Face):
    """Apache's access log (a LogFormat nickname or a format string) to a file, a pipe
    or standard output::

        app = AccessLog(app, format="combined", path="/var/log/mysite/access.log")"""

    rank = 90
    owners = frozenset({"mod_log_config", "mod_logio"})

    def __init__(
        self,
        app: Any = None,
        config: Config = None,
        *,
        format: str = "combined",
        path: str = "/dev/stdout",
        kind: Kind | None = None,
    ) -> None:
        nodes = _flatten(config)
        if not nodes:
            where = _caller()
            known = {"combined": _COMBINED, "common": _COMMON}
            if format in known:  # the nicknames Debian's apache2.conf defines
                nodes.append(Directive("LogFormat", (known[format], format), where))
            nodes.append(Directive("CustomLog", (path, format), where))
        super().__init__(app, nodes, kind=kind)

"""Apache's core module: sections, Options/AllowOverride, ErrorDocument, FileETag,
the translate and map_to_storage phases, ForceType/SetHandler, and the default
file handler (server/core.c, http_core.c).
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from apachemw.config.directives import (
    ACCESS_CONF,
    EXEC_ON_READ,
    NONFATAL_ALL,
    NONFATAL_OVERRIDE,
    NONFATAL_UNKNOWN,
    OR_ALL,
    OR_AUTHCFG,
    OR_FILEINFO,
    OR_INDEXES,
    OR_LIMIT,
    OR_NONE,
    OR_OPTIONS,
    OR_UNSET,
    RSRC_CONF,
    Args,
    Cmd,
    DirectiveError,
    Module,
)
from apachemw.config.model import Section, Server
from apachemw.config.rows import accepted, row
from apachemw.core.http import atoi
from apachemw.core.regex import compile_pattern
from apachemw.core.uri_escape import is_url

if TYPE_CHECKING:
    from apachemw.config.walker import WalkContext

__all__ = [
    "MODULE",
    "OPT_ALL",
    "OPT_INDEXES",
    "OPT_MULTI",
    "OPT_SYM_LINKS",
    "OPT_SYM_OWNER",
    "CoreDir",
    "CoreServer",
]

OPT_NONE = 0
OPT_INDEXES = 1
OPT_INCLUDES = 2
OPT_SYM_LINKS = 4
OPT_EXECCGI = 8
OPT_UNSET = 16
OPT_INC_WITH_EXEC = 32
OPT_SYM_OWNER = 64
OPT_MULTI = 128
OPT_ALL = OPT_INDEXES | OPT_INCLUDES | OPT_INC_WITH_EXEC | OPT_SYM_LINKS | OPT_EXECCGI

ETAG_UNSET = 0
ETAG_NONE = 1
ETAG_MTIME = 2
ETAG_INODE = 4
ETAG_SIZE = 8
ETAG_DIGEST = 16
ETAG_ALL = ETAG_MTIME | ETAG_INODE | ETAG_SIZE
ETAG_DEFAULT = ETAG_MTIME | ETAG_SIZE  # 2.4's "FileETag MTime Size"

UNSET: Any = None


@dataclass(frozen=True)
class LogConf:
    """A LogLevel in a <Directory>/<Location>/<Files>/<If> or .htaccess (ap_logconf):
    a level (None until one is given) and per-module levels."""

    level: str | None = None
    module_levels: dict[str, str] = field(default_factory=dict)

    def over(self, base: LogConf) -> LogConf:
        """ap_merge_log_config: a level given here drops every inherited module level."""
        if self.level is not None:
            return self
        return LogConf(base.level, {**base.module_levels, **self.module_levels})

    def logs(self, module: str, level: str) -> bool:
        limit = self.module_levels.get(module) or self.level or "warn"
        return _LEVEL_RANK[level] <= _LEVEL_RANK[limit]


@dataclass
class CoreDir:
    """core_dir_config: what a section or .htaccess says to the core."""

    opts: int = OPT_UNSET
    opts_add: int = OPT_NONE
    opts_remove: int = OPT_NONE
    override: int = OR_UNSET | OR_NONE
    override_opts: int = OPT_UNSET | OPT_ALL | OPT_SYM_OWNER | OPT_MULTI
    override_list: frozenset[str] | None = None
    error_documents: dict[int, str] | None = None
    accept_path_info: bool | None = None
    server_signature: str | None = None
    default_charset: str | None = None  # "" means Off
    force_type: str | None = None
    handler: str | None = None
    etag_bits: int = ETAG_UNSET
    etag_add: int = ETAG_UNSET
    etag_remove: int = ETAG_UNSET
    max_ranges: int | None = None
    max_overlaps: int | None = None
    max_reversals: int | None = None
    file_sections: list[Section] | None = None
    if_sections: list[Section] | None = None
    use_canonical_name: str | None = None
    allow_encoded_slashes: str | None = None
    limit_request_body: int | None = None
    log: LogConf | None = None  # a per-directory LogLevel (core_dir_config's log)

    def etag_components(self) -> frozenset[str]:
        """The FileETag parts in effect, as http_etag.c computes them per request."""
        bits = (self.etag_bits & ~self.etag_remove) | self.etag_add
        if bits == ETAG_UNSET:
            bits = ETAG_DEFAULT
        if bits & ETAG_NONE:
            return frozenset()
        names = {ETAG_MTIME: "mtime", ETAG_INODE: "inode", ETAG_SIZE: "size"}
        return frozenset(name for bit, name in names.items() if bits & bit)


def create_dir() -> CoreDir:
    return CoreDir()


def create_server_defaults() -> CoreDir:
    # Apache's create_core_dir_config(dir=NULL): the server default has
    # FollowSymLinks on (2.3.11+).
    return CoreDir(opts=OPT_UNSET | OPT_SYM_LINKS)


def _merge_opts(conf: CoreDir, base: CoreDir, new: CoreDir) -> None:
    if new.opts & OPT_UNSET:
        # Only +/- given here: apply them on top of what is inherited.
        conf.opts_add = (conf.opts_add & ~new.opts_remove) | new.opts_add
        conf.opts_remove = (conf.opts_remove & ~new.opts_add) | new.opts_remove
        conf.opts = (conf.opts & ~conf.opts_remove) | conf.opts_add
        with_exec = OPT_INCLUDES | OPT_INC_WITH_EXEC
        if base.opts & with_exec == with_exec and new.opts & with_exec == OPT_INCLUDES:
            conf.opts &= ~OPT_INC_WITH_EXEC
    else:
        # An absolute Options replaces every earlier +/- modifier.
        conf.opts, conf.opts_add, conf.opts_remove = new.opts, new.opts_add, new.opts_remove


def _merge_etag(conf: CoreDir, new: CoreDir) -> None:
    if new.etag_bits == ETAG_UNSET:
        conf.etag_add = (conf.etag_add & ~new.etag_remove) | new.etag_add
        conf.etag_remove = (conf.etag_remove & ~new.etag_add) | new.etag_remove
        conf.etag_bits = (conf.etag_bits & ~conf.etag_remove) | conf.etag_add
    else:
        conf.etag_bits, conf.etag_add, conf.etag_remove = (
            new.etag_bits,
            new.etag_add,
            new.etag_remove,
        )
    if conf.etag_bits != ETAG_NONE:
        conf.etag_bits &= ~ETAG_NONE


_PLAIN_FIELDS = (
    "accept_path_info",
    "server_signature",
    "default_charset",
    "force_type",
    "handler",
    "max_ranges",
    "max_overlaps",
    "max_reversals",
    "use_canonical_name",
    "allow_encoded_slashes",
    "limit_request_body",
    "override_list",
)


def merge_dir(base: CoreDir, new: CoreDir) -> CoreDir:
    """merge_core_dir_configs: a child's setting wins where it made one."""
    conf = copy.copy(base)
    _merge_opts(conf, base, new)
    if not new.override & OR_UNSET:
        conf.override = new.override
    if not new.override_opts & OPT_UNSET:
        conf.override_opts = new.override_opts
    for name in _PLAIN_FIELDS:
        value = getattr(new, name)
        if value is not None:
            setattr(conf, name, value)
    if new.error_documents:
        conf.error_documents = {**(base.error_documents or {}), **new.error_documents}
    if new.file_sections:
        conf.file_sections = [*(base.file_sections or ()), *new.file_sections]
    if new.if_sections:
        conf.if_sections = [*(base.if_sections or ()), *new.if_sections]
    _merge_etag(conf, new)
    if new.log is not None:
        conf.log = new.log if base.log is None else new.log.over(base.log)
    return conf


@dataclass
class CoreServer:
    """core_server_config plus the server_rec fields the request phases read."""

    document_root: str | None = None
    access_names: tuple[str, ...] | None = None
    merge_slashes: bool | None = None
    recursion_limit: tuple[int, int] | None = None
    trace_enable: str | None = None
    server_name: str | None = None
    server_port: int | None = None
    server_path: str | None = None
    server_scheme: str | None = None  # ServerName https://...: the scheme of its own URLs
    aliases: list[str] = field(default_factory=list)
    server_admin: str | None = None
    hostname_lookups: str | None = None
    error_log: str | None = None
    log_level: str | None = None
    module_levels: dict[str, str] | None = None
    server_tokens: str | None = None
    limit_request_fieldsize: int = 8190  # DEFAULT_LIMIT_REQUEST_FIELDSIZE
    limit_request_fields: int = 100  # DEFAULT_LIMIT_REQUEST_FIELDS; 0: no limit
    # ap_extended_status and ap_mod_status_reqtail: process-wide in Apache, so only the
    # main server's are read (None: not set; mod_status then turns it on).
    extended_status: bool | None = None
    see_request_tail: bool = False

    def logs(self, module: str, level: str) -> bool:
        """Whether a message of ``level`` from ``module`` passes LogLevel."""
        limit = (self.module_levels or {}).get(module) or self.log_level or "warn"
        return _LEVEL_RANK[level] <= _LEVEL_RANK[limit]

    def request_log(self, per_dir: LogConf) -> LogConf:
        """r->log for a request whose sections set LogLevel: theirs over the server's."""
        return per_dir.over(LogConf(self.log_level or "warn", self.module_levels or {}))


def create_server() -> CoreServer:
    return CoreServer()


def merge_server(base: CoreServer, virt: CoreServer) -> CoreServer:
    conf = copy.copy(base)
    for name in (
        "document_root",
        "access_names",
        "merge_slashes",
        "recursion_limit",
        "trace_enable",
        "server_name",
        "server_port",
        "server_admin",
        "hostname_lookups",
        "error_log",
        "log_level",
        "module_levels",
        "server_tokens",
    ):
        value = getattr(virt, name)
        if value is not None:
            setattr(conf, name, value)
    conf.aliases = list(virt.aliases)
    conf.server_path = virt.server_path  # s->path belongs to its own host only
    conf.server_scheme = virt.server_scheme  # so does s->server_scheme
    return conf


# ---------------------------------------------------------------- sections


def _ctx(cmd: Cmd) -> WalkContext:
    ctx: WalkContext = cmd.ctx
    return ctx


def _section_words(cmd: Cmd) -> list[str]:
    words = list(cmd.node.args)
    if not words:
        raise DirectiveError(f"<{cmd.node.name}> directive requires additional arguments")
    return words


def _count_dirs(path: str) -> int:
    return path.count("/")


def _regex(cmd: Cmd, source: str) -> re.Pattern[str]:
    try:
        return compile_pattern(source)
    except re.error:
        raise DirectiveError("Regex could not be compiled") from None


def _new_section(cmd: Cmd, kind: str, pattern: str) -> Section:
    return Section(kind=kind, pattern=pattern, conf={}, file=cmd.node.file, line=cmd.node.line)


def _walk_section(cmd: Cmd, section: Section, path: str | None) -> None:
    """Read the section's children into its own config, as ``ap_walk_config``."""
    from apachemw.config.walker import walk

    ctx = _ctx(cmd)
    inner = ctx.inside(
        dirconf=section.conf,
        path=path,
        section_kind=section.kind,
        parent="<" + cmd.node.name,
        override=ctx.override if ctx.htaccess else OR_ALL | ACCESS_CONF,
    )
    walk(cmd.node.children or (), inner)


def _directory_section(cmd: Cmd, args: Sequence[str]) -> None:
    words = _section_words(cmd)
    is_match = cmd.node.lname == "directorymatch"
    section = _new_section(cmd, "directory", words[-1])
    if is_match or words[0] == "~":
        section.regex = _regex(cmd, words[1] if words[0] == "~" and len(words) > 1 else words[0])
        section.pattern = section.regex.pattern
        path = section.pattern
    else:
        path = words[0]
        if not path.startswith("/"):
            path = os.path.join(_ctx(cmd).site.server_root, path)
        if path != "/":
            path = os.path.normpath(path) if not _has_wildcard(path) else path
            if not path.endswith("/"):
                path += "/"
        section.pattern = path
        section.fnmatch = _has_wildcard(path)
        section.components = 0 if path == "/" else _count_dirs(path)
    _walk_section(cmd, section, path)
    cmd.server.dir_sections.append(section)


def _has_wildcard(path: str) -> bool:
    return any(c in path for c in "*?[")


def _pattern_section(cmd: Cmd, kind: str, match_name: str) -> Section:
    """<Files>/<Location> and their Match twins: a name, a wildcard or a regex."""
    words = _section_words(cmd)
    section = _new_section(cmd, kind, words[-1])
    if cmd.node.lname == match_name or words[0] == "~":
        section.regex = _regex(cmd, words[1] if words[0] == "~" and len(words) > 1 else words[0])
        section.pattern = section.regex.pattern
    else:
        section.pattern = words[0]
        section.fnmatch = _has_wildcard(words[0])
    _walk_section(cmd, section, section.pattern)
    return section


def _files_section(cmd: Cmd, args: Sequence[str]) -> None:
    # Files sections belong to the enclosing section's config (file_walk reads them
    # from the merged per-directory config), as ap_add_file_conf does.
    section = _pattern_section(cmd, "files", "filesmatch")
    conf: CoreDir = cmd.dir()
    conf.file_sections = [*(conf.file_sections or ()), section]


def _location_section(cmd: Cmd, args: Sequence[str]) -> None:
    cmd.server.url_sections.append(_pattern_section(cmd, "location", "locationmatch"))


def _limit_section(cmd: Cmd, args: Sequence[str]) -> None:
    from apachemw.config.walker import walk

    methods = frozenset(w.upper() for w in _section_words(cmd))
    if cmd.node.lname == "limitexcept":
        methods = frozenset({"!"} | methods)  # "!" marks an exception list
    ctx = _ctx(cmd)
    walk(cmd.node.children or (), ctx.inside(limited=methods, parent="<" + cmd.node.name))


def _virtualhost_section(cmd: Cmd, args: Sequence[str]) -> None:
    from apachemw.config.walker import walk

    ctx = _ctx(cmd)
    if ctx.server.is_virtual:
        raise DirectiveError("<VirtualHost> cannot occur within <VirtualHost> section")
    from apachemw.config.vhosts import AddressError, parse_addresses

    words = list(_section_words(cmd))
    main_port = ctx.server.get("core").server_port or 0
    try:
        parsed = parse_addresses(words, main_port)
    except AddressError as exc:
        raise DirectiveError(str(exc)) from None
    vhost = Server(
        modules=ctx.server.modules,
        is_virtual=True,
        addresses=words,
        vhost_addrs=parsed,
        file=cmd.node.file,
        line=cmd.node.line,
    )
    walk(cmd.node.children or (), ctx.inside(server=vhost, dirconf=vhost.defaults))
    ctx.site.vhosts.append(vhost)


# ---------------------------------------------------------------- directives


_OPTION_BITS = {
    "indexes": OPT_INDEXES,
    "includes": OPT_INCLUDES | OPT_INC_WITH_EXEC,
    "includesnoexec": OPT_INCLUDES,
    "followsymlinks": OPT_SYM_LINKS,
    "symlinksifownermatch": OPT_SYM_OWNER,
    "execcgi": OPT_EXECCGI,
    "multiviews": OPT_MULTI,
}
_MIXED = "Either all Options must start with + or -, or no Option may."


def _option_bit(name: str, first: bool, merge: bool) -> int:
    """One Options keyword's bits, with set_options's checks on None and All."""
    lname = name.lower()
    if lname in ("none", "all"):
        label = "None" if lname == "none" else "All"
        if not first:
            article = "first Option" if lname == "none" else "first option"
            raise DirectiveError(f"'Options {label}' must be the {article} given.")
        if merge:
            raise DirectiveError(f"You may not use 'Options +{label}' or 'Options -{label}'.")
        return OPT_NONE if lname == "none" else OPT_ALL
    if lname == "runscripts":  # Apache's backward-compatible alias
        return OPT_MULTI | OPT_EXECCGI
    if lname not in _OPTION_BITS:
        raise DirectiveError(f"Illegal option {name}")
    return _OPTION_BITS[lname]


def _options(cmd: Cmd, args: Sequence[str]) -> None:
    """set_options: all words +/- (merge with the parent) or none (replace)."""
    conf: CoreDir = cmd.dir()
    merge = all_none = False
    for index, word in enumerate(cmd.node.args):
        first = index == 0
        action = word[0] if word[:1] in ("+", "-") else ""
        name = word[1:] if action else word
        if action:
            if not merge and not first and not all_none:
                raise DirectiveError(_MIXED)
            merge = True
        elif first:
            conf.opts = OPT_NONE
        elif merge:
            raise DirectiveError(_MIXED)
        opt = _option_bit(name, first, merge)
        all_none = all_none or name.lower() in ("none", "all")
        if cmd.override_opts & opt != opt:
            raise DirectiveError(f"Option {name} not allowed here")
        if action == "-":
            conf.opts_remove |= opt
            conf.opts_add &= ~opt
            conf.opts &= ~opt
        elif action == "+":
            conf.opts_add |= opt
            conf.opts_remove &= ~opt
            conf.opts |= opt
        else:
            conf.opts |= opt


def _allow_opts(value: str) -> int:
    """AllowOverride Options=a,b: the options a .htaccess may set."""
    names = {**_OPTION_BITS, "all": OPT_ALL, "none": OPT_NONE}
    opts = OPT_NONE
    for word in value.split(","):
        if word.lower() not in names:
            raise DirectiveError(f"Illegal option {word}")
        opts |= names[word.lower()]
    return opts


def _allow_override(cmd: Cmd, args: Sequence[str]) -> None:
    _not_in_htaccess(cmd)
    conf: CoreDir = cmd.dir()
    override = OR_NONE
    simple = {"limit": OR_LIMIT, "fileinfo": OR_FILEINFO, "authconfig": OR_AUTHCFG}
    simple["indexes"] = OR_INDEXES
    for word in cmd.node.args:
        key, _, value = word.partition("=")
        lkey = key.lower()
        if lkey in simple and not value:
            override |= simple[lkey]
        elif lkey == "options":
            override |= OR_OPTIONS
            conf.override_opts = _allow_opts(value) if value else OPT_ALL
        elif lkey == "nonfatal":
            nonfatal = {"override": NONFATAL_OVERRIDE, "unknown": NONFATAL_UNKNOWN}
            nonfatal["all"] = NONFATAL_ALL
            if not value:
                raise DirectiveError(f"=Override, =Unknown or =All expected after {word}")
            override |= nonfatal.get(value.lower(), 0)
        elif word.lower() == "none":
            override = OR_NONE
        elif word.lower() == "all":
            override = OR_ALL
        else:
            raise DirectiveError(f"Illegal override option {word}")
    conf.override = override


def _allow_override_list(cmd: Cmd, args: Sequence[str]) -> None:
    _not_in_htaccess(cmd)
    conf: CoreDir = cmd.dir()
    names: set[str] = set()
    registry = _ctx(cmd).registry
    for word in args:
        if word.lower() == "none":
            if len(args) != 1:
                raise DirectiveError(
                    "'None' not allowed with other directives in AllowOverrideList"
                )
            break
        found = registry.table.get(word.lower())
        if found is None:
            cmd.warn(
                f"AH00116: Discarding unrecognized directive `{word}' in AllowOverrideList "
                f"at {cmd.node.file}:{cmd.node.line}"
            )
        elif not found[1].where & (OR_ALL | ACCESS_CONF):
            cmd.warn(
                f"AH02304: Discarding directive `{word}' not allowed in AllowOverrideList "
                f"at {cmd.node.file}:{cmd.node.line}"
            )
        else:
            names.add(found[1].name)
    conf.override_list = frozenset(names)


def _not_in_htaccess(cmd: Cmd) -> None:
    if cmd.htaccess:
        raise DirectiveError(f"{cmd.node.name} cannot occur within htaccess files")


def _error_document(cmd: Cmd, args: Sequence[str]) -> None:
    from apachemw.core.canned import REASONS

    code_text, message = args
    try:
        code = int(code_text)
    except ValueError:
        code = 0
    if code != 500 and code not in REASONS:
        raise DirectiveError(f"Unsupported HTTP response code {code_text}")
    if " " in message:
        target = '"' + message
    elif message.startswith("/") or is_url(message):
        target = message
    else:
        target = '"' + message
    if code == 401 and is_url(message):
        cmd.warn(
            f"AH00113: {cmd.node.file}:{cmd.node.line} cannot use a full URL in a 401 "
            "ErrorDocument directive --- ignoring!"
        )
        return
    conf: CoreDir = cmd.dir()
    conf.error_documents = {**(conf.error_documents or {}), code: target}
    if message.lower() == "default":
        conf.error_documents[code] = "default"


def _file_etag(cmd: Cmd, args: Sequence[str]) -> None:
    """set_etag_bits: absolute keywords reset the +/- lists, relative ones edit them."""
    conf: CoreDir = cmd.dir()
    first = True
    bits = {"size": ETAG_SIZE, "mtime": ETAG_MTIME, "lmtime": ETAG_MTIME}
    bits.update(lastmodified=ETAG_MTIME, inode=ETAG_INODE, digest=ETAG_DIGEST)
    for word in cmd.node.args:
        action = word[0] if word[:1] in ("+", "-") else "*"
        token = word[1:] if action != "*" else word
        if action == "*" and first:
            conf.etag_bits = conf.etag_add = conf.etag_remove = ETAG_UNSET
            first = False
        lname = token.lower()
        if lname in ("none", "all"):
            if action != "*":
                raise DirectiveError(f"FileETag keyword '{token}' cannot be used with '+' or '-'")
            bit = conf.etag_bits = ETAG_NONE if lname == "none" else ETAG_ALL
        elif lname in bits:
            bit = bits[lname]
        else:
            raise DirectiveError(f"Unknown keyword '{token}' for FileETag directive")
        if action == "+":
            conf.etag_add |= bit
            conf.etag_remove &= ~bit
        elif action == "-":
            conf.etag_remove |= bit
            conf.etag_add &= ~bit
        else:
            conf.etag_bits |= bit
            conf.etag_add = conf.etag_remove = ETAG_UNSET


def _set_dir(field_name: str, transform: Any = None) -> Any:
    def apply(cmd: Cmd, args: Sequence[str]) -> None:
        value = transform(args[0]) if transform else args[0]
        setattr(cmd.dir(), field_name, value)

    return apply


def _set_srv(field_name: str, transform: Any = None) -> Any:
    def apply(cmd: Cmd, args: Sequence[str]) -> None:
        value = transform(args[0]) if transform else args[0]
        setattr(cmd.srv(), field_name, value)

    return apply


def _limit(field_name: str, hint: str) -> Any:
    """set_limit_req_fieldsize / set_limit_req_fields: atoi, refusing negatives."""

    def apply(cmd: Cmd, args: Sequence[str]) -> None:
        value = atoi(args[0])
        if value < 0:
            raise DirectiveError(
                f'{cmd.node.name} "{args[0]}" must be a non-negative integer{hint}'
            )
        setattr(cmd.srv(), field_name, value)

    return apply


def _accept_path_info(value: str) -> bool | None:
    lowered = value.lower()
    if lowered not in ("on", "off", "default"):
        raise DirectiveError("AcceptPathInfo must be set to on, off or default")
    return None if lowered == "default" else lowered == "on"


def _add_default_charset(value: str) -> str:
    lowered = value.lower()
    if lowered == "off":
        return ""
    return "iso-8859-1" if lowered == "on" else value


def _document_root(cmd: Cmd, args: Sequence[str]) -> None:
    path = args[0]
    if not os.path.isabs(path):
        path = os.path.join(_ctx(cmd).site.server_root, path)
    if not os.path.isdir(path):
        raise DirectiveError(f"DocumentRoot '{path}' is not a directory, or is not readable")
    conf: CoreServer = cmd.srv()
    conf.document_root = os.path.normpath(path)


def _access_file_name(cmd: Cmd, args: Sequence[str]) -> None:
    names = tuple(cmd.node.args)
    if not names:
        raise DirectiveError("AccessFileName requires at least one argument")
    conf: CoreServer = cmd.srv()
    conf.access_names = names


def _range_limit(name: str) -> Any:
    """MaxRanges and friends: "none" (-1: never honour ranges), "unlimited" (0),
    "default" (200), else C's atoi() of the value, which must come out positive."""

    def parse(value: str) -> int:
        words = {"none": -1, "unlimited": 0, "default": 200}
        if value.lower() in words:
            return words[value.lower()]
        number = atoi(value)
        if number <= 0:
            raise DirectiveError(
                f"{name} requires 'none', 'default', 'unlimited' or a positive integer"
            )
        return number

    return parse


def _encoded_slashes(value: str) -> str:
    lowered = value.lower()
    if lowered not in ("on", "off", "nodecode"):
        raise DirectiveError("AllowEncodedSlashes must be On, Off, or NoDecode")
    return lowered


def _recursion(cmd: Cmd, args: Sequence[str]) -> None:
    try:
        values = [int(a) for a in args]
    except ValueError:
        values = [0]
    if any(v <= 0 for v in values):
        raise DirectiveError("The recursion limit must be greater than zero.")
    conf: CoreServer = cmd.srv()
    conf.recursion_limit = (values[0], values[-1])


def _server_name(cmd: Cmd, args: Sequence[str]) -> None:
    """server_hostname_port: [scheme://]host[:port]; the port is 0 when none is given
    (it replaces the <VirtualHost> address's), read as C's atoi reads it."""
    value = args[0]
    if any(c in value for c in "*?["):
        raise DirectiveError(
            f'Invalid ServerName "{value}" use ServerAlias to set multiple server names.'
        )
    conf: CoreServer = cmd.srv()
    scheme, sep, rest = value.partition("://")
    if sep:
        conf.server_scheme = scheme.lower()
    else:
        rest = value
    host, colon, port_text = rest.partition(":")
    port = 0
    if colon:
        port = atoi(port_text)
        if not 0 < port < 65536:
            raise DirectiveError(
                f'The port number "{value}" is outside the appropriate range (i.e., 1..65535).'
            )
    conf.server_name = host
    conf.server_port = port


def _server_alias(cmd: Cmd, args: Sequence[str]) -> None:
    if not cmd.server.is_virtual:
        raise DirectiveError("ServerAlias only used in <VirtualHost>")
    conf: CoreServer = cmd.srv()
    conf.aliases.extend(cmd.node.args)


def _global_flag(field_name: str) -> Any:
    """ExtendedStatus, SeeRequestTail: GLOBAL_ONLY flags of the whole server."""

    def apply(cmd: Cmd, args: Sequence[str]) -> None:
        if cmd.server.is_virtual:
            raise DirectiveError(f"{cmd.node.name} cannot occur within <VirtualHost> section")
        setattr(cmd.srv(), field_name, args[0].lower() == "on")

    return apply


def _merge_slashes(cmd: Cmd, args: Sequence[str]) -> None:
    conf: CoreServer = cmd.srv()
    conf.merge_slashes = args[0].lower() == "on"


def _signature(value: str) -> str:
    lowered = value.lower()
    if lowered not in ("on", "off", "email"):
        raise DirectiveError("ServerSignature: use one of: off | on | email")
    return lowered


def _canonical(value: str) -> str:
    lowered = value.lower()
    if lowered not in ("on", "off", "dns"):
        raise DirectiveError("parameter must be 'on', 'off', or 'dns'")
    return lowered


def _trace(value: str) -> str:
    lowered = value.lower()
    if lowered not in ("on", "off", "extended"):
        raise DirectiveError("TraceEnable must be one of 'on', 'off', or 'extended'")
    return lowered


LOG_LEVELS = (
    "emerg",
    "alert",
    "crit",
    "error",
    "warn",
    "notice",
    "info",
    "debug",
    *(f"trace{n}" for n in range(1, 9)),
)
# Rank by name: LogLevel checks run on every request (mod_rewrite asks once per hook).
_LEVEL_RANK = {name: rank for rank, name in enumerate(LOG_LEVELS)}


def _log_level(cmd: Cmd, args: Sequence[str]) -> None:
    """LogLevel [module:]level ...: a default, and per-module overrides."""
    conf: CoreServer = cmd.srv()
    levels = dict(conf.module_levels or {}) if cmd.path is None else {}
    default: str | None = None
    keyword = (
        "Log level keyword must be one of emerg/alert/crit/error/warn/notice/info/debug/"
        "trace1/.../trace8"
    )
    for word in args:
        module, _, level = word.rpartition(":")
        if module and not level:
            raise DirectiveError(
                f"Module specifier '{module}' must be followed by a log level keyword"
            )
        if level.lower() not in LOG_LEVELS:
            raise DirectiveError(f"{module}:{level}: {keyword}" if module else keyword)
        if module:
            levels[module.lower().removeprefix("mod_").removesuffix(".c")] = level.lower()
        else:
            # A level given without a module resets the module levels set before it.
            default, levels = level.lower(), {}
    if cmd.path is not None:
        _dir_log_level(cmd, default, levels)
        return
    conf.log_level = default or conf.log_level
    conf.module_levels = levels


def _dir_log_level(cmd: Cmd, default: str | None, levels: dict[str, str]) -> None:
    """LogLevel in a section or .htaccess: the request's own (r->log) once walked."""
    conf: CoreDir = cmd.dir()
    current = conf.log or LogConf()
    if default is None:
        levels = {**current.module_levels, **levels}
    conf.log = LogConf(default or current.level, levels)


def _set_handler(cmd: Cmd, args: Sequence[str]) -> None:
    conf: CoreDir = cmd.dir()
    conf.handler = args[0].lower()
    if conf.handler == "apachemw-app":
        # The configuration routes the app itself: no implicit fallback to it.
        _ctx(cmd).site.app_named = True


def _hostname_lookups(value: str) -> str:
    if value.lower() not in ("on", "off", "double"):
        raise DirectiveError("parameter must be 'on', 'off', or 'double'")
    return value.lower()


_TOKENS = {
    "os": "os",
    "min": "minimal",
    "minimal": "minimal",
    "major": "major",
    "minor": "minor",
    "prod": "prod",
    "productonly": "prod",
    "full": "full",
}


def _server_tokens(value: str) -> str:
    if value.lower() not in _TOKENS:
        raise DirectiveError(
            "ServerTokens takes 1 argument: 'Prod(uctOnly)', 'Major', 'Minor', 'Min(imal)', "
            "'OS', or 'Full'"
        )
    return _TOKENS[value.lower()]


def _lower_or_none(value: str) -> str:
    return value.lower()


def _error_directive(cmd: Cmd, args: Sequence[str]) -> None:
    raise DirectiveError(args[0].strip().strip('"'))


def _if_section(cmd: Cmd, args: Sequence[str]) -> None:
    """ifsection: <If expr>, <ElseIf expr>, <Else>, evaluated per request (walk.if_walk)."""
    from apachemw.config.expr import ExprError, parse_expr

    kind = cmd.node.lname
    words = list(cmd.node.args)
    section = _new_section(cmd, "if", words[0] if words else "")
    section.ifelse = kind
    if kind == "else":
        if words:
            raise DirectiveError("<Else> does not take an argument")
    else:
        if not words:
            raise DirectiveError(f"<{cmd.node.name}> directive requires additional arguments")
        try:
            section.condition = parse_expr(words[0])
        except ExprError as exc:
            raise DirectiveError(f"Cannot parse condition clause: {exc}") from None
    _walk_section(cmd, section, "*If")
    conf: CoreDir = cmd.dir()
    earlier = conf.if_sections or []
    if kind != "if" and not (earlier and earlier[-1].ifelse in ("if", "elseif")):
        raise DirectiveError(
            "<Else> or <ElseIf> section without previous <If> or <ElseIf> section in same scope"
        )
    conf.if_sections = [*earlier, section]
    if len(words) > 1:
        raise DirectiveError(f"Multiple <{cmd.node.name}> arguments not supported.")


_ANY = "Allowed in *.conf anywhere"
S = RSRC_CONF
SD = RSRC_CONF | ACCESS_CONF
ALWAYS = RSRC_CONF | ACCESS_CONF | EXEC_ON_READ

_SECTIONS = (
    row(
        "<Directory",
        Args.RAW_ARGS,
        S,
        "Container for directives affecting resources located in the specified directories",
        _directory_section,
    ),
    row(
        "<Location",
        Args.RAW_ARGS,
        S,
        "Container for directives affecting resources accessed through the specified URL paths",
        _location_section,
    ),
    row(
        "<VirtualHost",
        Args.RAW_ARGS,
        S,
        "Container to map directives to a particular virtual host, takes one or more host "
        "addresses",
        _virtualhost_section,
    ),
    row(
        "<Files",
        Args.RAW_ARGS,
        OR_ALL,
        "Container for directives affecting files matching specified patterns",
        _files_section,
    ),
    row(
        "<Limit",
        Args.RAW_ARGS,
        OR_LIMIT | OR_AUTHCFG,
        "Container for authentication directives when accessed using specified HTTP methods",
        _limit_section,
    ),
    row(
        "<LimitExcept",
        Args.RAW_ARGS,
        OR_LIMIT | OR_AUTHCFG,
        "Container for authentication directives to be applied when any HTTP method other "
        "than those specified is used to access the resource",
        _limit_section,
    ),
    row(
        "<DirectoryMatch",
        Args.RAW_ARGS,
        S,
        "Container for directives affecting resources located in the specified directories",
        _directory_section,
    ),
    row(
        "<LocationMatch",
        Args.RAW_ARGS,
        S,
        "Container for directives affecting resources accessed through the specified URL paths",
        _location_section,
    ),
    row(
        "<FilesMatch",
        Args.RAW_ARGS,
        OR_ALL,
        "Container for directives affecting files matching specified patterns",
        _files_section,
    ),
    row(
        "<If",
        Args.RAW_ARGS,
        OR_ALL,
        "Container for directives to be conditionally applied",
        _if_section,
    ),
    row(
        "<ElseIf",
        Args.RAW_ARGS,
        OR_ALL,
        "Container for directives to be conditionally applied",
        _if_section,
    ),
    row(
        "<Else",
        Args.RAW_ARGS,
        OR_ALL,
        "Container for directives to be conditionally applied",
        _if_section,
    ),
)

_DIRECTIVES = (
    row(
        "AddDefaultCharset",
        Args.TAKE1,
        OR_FILEINFO,
        "The name of the default charset to add to any Content-Type without one or 'Off' to "
        "disable",
        _set_dir("default_charset", _add_default_charset),
    ),
    row(
        "AcceptPathInfo",
        Args.TAKE1,
        OR_FILEINFO,
        "Set to on or off for PATH_INFO to be accepted by handlers, or default for the "
        "per-handler preference",
        _set_dir("accept_path_info", _accept_path_info),
    ),
    accepted(
        "Define",
        Args.TAKE12,
        ALWAYS,
        "Define a variable, optionally to a value.  Same as passing -D to the command line.",
    ),
    accepted(
        "UnDefine", Args.TAKE1, ALWAYS, "Undefine the existence of a variable. Undo a Define."
    ),
    row(
        "Error",
        Args.RAW_ARGS,
        OR_ALL,
        "Generate error message from within configuration",
        _error_directive,
    ),
    row(
        "AccessFileName",
        Args.RAW_ARGS,
        S,
        "Name(s) of per-directory config files (default: .htaccess)",
        _access_file_name,
    ),
    row("DocumentRoot", Args.TAKE1, S, "Root directory of the document tree", _document_root),
    row(
        "ErrorDocument",
        Args.TAKE2,
        OR_FILEINFO,
        "Change responses for HTTP errors",
        _error_document,
    ),
    row(
        "AllowOverride",
        Args.RAW_ARGS,
        ACCESS_CONF,
        "Controls what groups of directives can be configured by per-directory config files",
        _allow_override,
    ),
    row(
        "AllowOverrideList",
        Args.TAKE_ARGV,
        ACCESS_CONF,
        "Controls what individual directives can be configured by per-directory config files",
        _allow_override_list,
    ),
    row(
        "Options",
        Args.RAW_ARGS,
        OR_OPTIONS,
        "Set a number of attributes for a given directory",
        _options,
    ),
    accepted(
        "DefaultType",
        Args.TAKE1,
        OR_FILEINFO,
        "the default media type for otherwise untyped files (DEPRECATED)",
    ),
    row(
        "FileETag",
        Args.RAW_ARGS,
        OR_FILEINFO,
        "Specify components used to construct a file's ETag",
        _file_etag,
    ),
    accepted(
        "EnableMMAP",
        Args.TAKE1,
        OR_FILEINFO,
        "Controls whether memory-mapping may be used to read files",
    ),
    accepted(
        "EnableSendfile",
        Args.TAKE1,
        OR_FILEINFO,
        "Controls whether sendfile may be used to transmit files",
    ),
    accepted(
        "ReadBufferSize", Args.TAKE1, SD, "Size (in bytes) of the memory buffers used to read data"
    ),
    accepted(
        "FlushMaxThreshold",
        Args.TAKE1,
        S,
        "Maximum threshold above which pending data are flushed to the network",
    ),
    accepted(
        "FlushMaxPipelined",
        Args.TAKE1,
        S,
        "Maximum number of pipelined responses (pending) above which they are flushed to "
        "the network",
    ),
    accepted("Protocol", Args.TAKE1, S, "Set the Protocol for httpd to use."),
    accepted("AcceptFilter", Args.TAKE2, S, "Set the Accept Filter to use for a protocol"),
    row(
        "HostnameLookups",
        Args.TAKE1,
        SD,
        '"on" to enable, "off" to disable reverse DNS lookups, or "double" to enable '
        "double-reverse DNS lookups",
        _set_srv("hostname_lookups", _hostname_lookups),
    ),
    row(
        "ServerAdmin",
        Args.TAKE1,
        S,
        "The email address of the server administrator",
        _set_srv("server_admin"),
    ),
    row("ServerName", Args.TAKE1, S, "The hostname and port of the server", _server_name),
    row(
        "ServerSignature",
        Args.TAKE1,
        OR_ALL,
        "En-/disable server signature (on|off|email)",
        _set_dir("server_signature", _signature),
    ),
    accepted(
        "ServerRoot",
        Args.TAKE1,
        S | EXEC_ON_READ,
        "Common directory of server-related files (logs, confs, etc.)",
    ),
    accepted(
        "DefaultRuntimeDir",
        Args.TAKE1,
        S | EXEC_ON_READ,
        "Common directory for run-time files (shared memory, locks, etc.)",
    ),
    row("ErrorLog", Args.TAKE1, S, "The filename of the error log", _set_srv("error_log")),
    accepted("ErrorLogFormat", Args.TAKE12, S, "Format string for the ErrorLog"),
    row(
        "ServerAlias",
        Args.RAW_ARGS,
        S,
        "A name or names alternately used to access the server",
        _server_alias,
    ),
    row(
        "ServerPath",
        Args.TAKE1,
        S,
        "The pathname the server can be reached at",
        _set_srv("server_path"),
    ),
    accepted("Timeout", Args.TAKE1, S, "Timeout duration (sec)"),
    accepted(
        "ContentDigest",
        Args.FLAG,
        OR_OPTIONS,
        "whether or not to send a Content-MD5 header with each request",
    ),
    row(
        "UseCanonicalName",
        Args.TAKE1,
        SD,
        "How to work out the ServerName : Port when constructing URLs",
        _set_dir("use_canonical_name", _canonical),
    ),
    accepted(
        "UseCanonicalPhysicalPort",
        Args.TAKE1,
        SD,
        "Whether to use the physical Port when constructing URLs",
    ),
    accepted(
        "Include",
        Args.TAKE1,
        ALWAYS,
        "Name(s) of the config file(s) to be included; fails if the wildcard does not "
        "match at least one file",
    ),
    accepted(
        "IncludeOptional",
        Args.TAKE1,
        ALWAYS,
        "Name or pattern of the config file(s) to be included; ignored if the file does not "
        "exist or the pattern does not match any files",
    ),
    row("LogLevel", Args.ITERATE, SD, "Level of verbosity in error logging", _log_level),
    accepted("NameVirtualHost", Args.TAKE1, S, "A numeric IP address:port, or the name of a host"),
    row(
        "ServerTokens",
        Args.TAKE1,
        S,
        "Determine tokens displayed in the Server: header - Min(imal), Major, Minor, "
        "Prod(uctOnly), OS, or Full",
        _set_srv("server_tokens", _server_tokens),
    ),
    accepted("LimitRequestLine", Args.TAKE1, S, "Limit on maximum size of an HTTP request line"),
    row(
        "LimitRequestFieldsize",
        Args.TAKE1,
        S,
        "Limit on maximum size of an HTTP request header field",
        _limit("limit_request_fieldsize", ""),
    ),
    row(
        "LimitRequestFields",
        Args.TAKE1,
        S,
        "Limit (0 = unlimited) on max number of header fields in a request message",
        _limit("limit_request_fields", " (0 = no limit)"),
    ),
    accepted(
        "LimitRequestBody",
        Args.TAKE1,
        OR_ALL,
        "Limit (in bytes) on maximum size of request message body",
    ),
    accepted(
        "LimitXMLRequestBody",
        Args.TAKE1,
        OR_ALL,
        "Limit (in bytes) on maximum size of an XML-based request body",
    ),
    accepted("Mutex", Args.RAW_ARGS, S, 'mutex (or "default") and mechanism'),
    row(
        "MaxRanges",
        Args.TAKE1,
        SD,
        "Maximum number of Ranges in a request before returning the entire resource, or 0 for "
        "unlimited",
        _set_dir("max_ranges", _range_limit("MaxRanges")),
    ),
    row(
        "MaxRangeOverlaps",
        Args.TAKE1,
        SD,
        "Maximum number of overlaps in Ranges in a request before returning the entire "
        "resource, or 0 for unlimited",
        _set_dir("max_overlaps", _range_limit("MaxRangeOverlaps")),
    ),
    row(
        "MaxRangeReversals",
        Args.TAKE1,
        SD,
        "Maximum number of reversals in Ranges in a request before returning the entire "
        "resource, or 0 for unlimited",
        _set_dir("max_reversals", _range_limit("MaxRangeReversals")),
    ),
    accepted("RLimitCPU", Args.TAKE12, OR_ALL, "Soft/hard limits for max CPU usage in seconds"),
    accepted("RLimitMEM", Args.TAKE12, OR_ALL, "Soft/hard limits for max memory usage per process"),
    accepted(
        "RLimitNPROC", Args.TAKE12, OR_ALL, "soft/hard limits for max number of processes per uid"
    ),
    accepted(
        "RegexDefaultOptions",
        Args.RAW_ARGS,
        S,
        "default options for regexes (prefixed by '+' to add, '-' to del)",
    ),
    row(
        "LimitInternalRecursion",
        Args.TAKE12,
        S,
        "maximum recursion depth of internal redirects and subrequests",
        _recursion,
    ),
    accepted(
        "CGIPassAuth",
        Args.FLAG,
        OR_AUTHCFG,
        "Controls whether HTTP authorization headers, normally hidden, will be passed to scripts",
    ),
    accepted("CGIVar", Args.TAKE2, OR_FILEINFO, "Controls how some CGI variables are set"),
    accepted(
        "QualifyRedirectURL",
        Args.FLAG,
        OR_FILEINFO,
        "Controls whether the REDIRECT_URL environment variable is fully qualified",
    ),
    accepted("StrictHostCheck", Args.FLAG, S, "Controls whether a hostname match is required"),
    row(
        "ForceType",
        Args.TAKE1,
        OR_FILEINFO,
        "a mime type that overrides other configured type",
        _set_dir("force_type", _lower_or_none),
    ),
    row(
        "SetHandler",
        Args.TAKE1,
        OR_FILEINFO,
        "a handler name that overrides any other configured handler",
        _set_handler,
    ),
    accepted(
        "SetOutputFilter",
        Args.TAKE1,
        OR_FILEINFO,
        "filter (or ; delimited list of filters) to be run on the request content",
    ),
    accepted(
        "SetInputFilter",
        Args.TAKE1,
        OR_FILEINFO,
        "filter (or ; delimited list of filters) to be run on the request body",
    ),
    row(
        "AllowEncodedSlashes",
        Args.TAKE1,
        S,
        "Allow URLs containing '/' encoded as '%2F'",
        _set_dir("allow_encoded_slashes", _encoded_slashes),
    ),
    accepted(
        "ScoreBoardFile",
        Args.TAKE1,
        S,
        "A file for Apache to maintain runtime process management information",
    ),
    row(
        "ExtendedStatus",
        Args.FLAG,
        S,
        '"On" to track extended status information, "Off" to disable',
        _global_flag("extended_status"),
    ),
    row(
        "SeeRequestTail",
        Args.FLAG,
        S,
        'For extended status, "On" to see the last 63 chars of the request line, "Off" '
        "(default) to see the first 63",
        _global_flag("see_request_tail"),
    ),
    accepted("PidFile", Args.TAKE1, S, "A file for logging the server process ID"),
    accepted(
        "MaxRequestsPerChild",
        Args.TAKE1,
        S,
        "Maximum number of connections a particular child serves before dying. "
        "(DEPRECATED, use MaxConnectionsPerChild)",
    ),
    accepted(
        "MaxConnectionsPerChild",
        Args.TAKE1,
        S,
        "Maximum number of connections a particular child serves before dying.",
    ),
    accepted(
        "CoreDumpDirectory",
        Args.TAKE1,
        S,
        "The location of the directory Apache changes to before dumping core",
    ),
    accepted(
        "MaxMemFree",
        Args.TAKE1,
        S,
        "Maximum number of 1k blocks a particular child's allocator may hold.",
    ),
    accepted(
        "ThreadStackSize",
        Args.TAKE1,
        S,
        "Size in bytes of stack used by threads handling client connections",
    ),
    row(
        "TraceEnable",
        Args.TAKE1,
        S,
        "'on' (default), 'off' or 'extended' to trace request body content",
        _set_srv("trace_enable", _trace),
    ),
    accepted("MergeTrailers", Args.FLAG, S, "merge request trailers into request headers or not"),
    accepted("Protocols", Args.ITERATE, S, "Controls which protocols are allowed"),
    accepted(
        "ProtocolsHonorOrder",
        Args.TAKE1,
        S,
        "'off' (default) or 'on' to respect given order of protocols, by default the client "
        "specified order determines selection",
    ),
    accepted(
        "HttpProtocolOptions",
        Args.ITERATE,
        S,
        "'Allow0.9' or 'Require1.0' (default); 'RegisteredMethods' or 'LenientMethods' "
        "(default); 'Unsafe' or 'Strict' (default). Sets HTTP acceptance rules",
    ),
    accepted("RegisterHttpMethod", Args.ITERATE, S, "Registers non-standard HTTP methods"),
    row(
        "MergeSlashes",
        Args.FLAG,
        S,
        "Controls whether consecutive slashes in the URI path are merged",
        _merge_slashes,
    ),
)

MODULE = Module(
    name="core",
    ident="core_module",
    directives=_SECTIONS + _DIRECTIVES,
    create_dir=create_dir,
    merge_dir=merge_dir,
    create_server=create_server,
    merge_server=merge_server,
)

"""Virtual host selection as server/vhost.c does it.

At start-up every ``<VirtualHost>`` address joins a chain: one per exact IP and port,
or, for ``*``/``_default_``, one per port on the default list. The first virtual host
of a chain (in configuration order) is its default; a chain with two or more hosts is
name-based. A connection picks the chain of its local address (an exact IP first,
then a default chain for the port, else the main server); a request's Host then picks,
within that chain only, the first host whose ServerName or ServerAlias matches (the
literal ``<VirtualHost>`` name as a fallback), or keeps the chain's default.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Address",
    "AddressError",
    "Chain",
    "VhostMap",
    "build_map",
    "by_name",
    "by_path",
    "dump",
    "fallback_name",
    "fix_hostname",
    "matches_aliases",
    "parse_addresses",
    "run_settings",
    "under_server_path",
]

_WILDCARDS = ("*", "_default_")


@dataclass(frozen=True)
class Address:
    """server_addr_rec: the address as written, what it resolved to, its port."""

    virthost: str
    ip: str | None  # None: any address ("*", "_default_")
    port: int  # 0: any port


@dataclass(eq=False)
class Chain:
    """ipaddr_chain: the hosts sharing one address."""

    addr: Address
    server: Any
    names: list[tuple[Address, Any]] | None = None
    initial: list[tuple[Address, Any]] | None = None

    def add(self, addr: Address, server: Any) -> None:
        """add_name_vhost_config, fed in reverse configuration order: the last one
        added (the first in the file) is the default; names exist from two hosts on."""
        entry = (addr, server)
        self.server = server
        if self.names is None:
            if self.initial is None:
                self.initial = [entry]
            else:
                self.names = [entry, *self.initial]
                self.initial = None
        else:
            self.names.insert(0, entry)


class AddressError(ValueError):
    """A <VirtualHost> address Apache refuses (its message)."""


def _split_host_port(word: str) -> tuple[str, str]:
    if word.startswith("["):
        close = word.find("]")
        if close < 0:
            raise AddressError("The address or port is invalid")
        rest = word[close + 1 :]
        if rest and not rest.startswith(":"):
            raise AddressError("The address or port is invalid")
        return word[1:close], rest[1:]
    if word.count(":") > 1:
        return word, ""  # a bare IPv6 address
    host, colon, port = word.partition(":")
    if colon and not port:
        return word, ""  # apr takes "name:" for a name, which then fails to resolve
    return host, port


def parse_addresses(words: list[str], default_port: int) -> list[tuple[str, int]]:
    """get_addresses: (host, port) for each word; ``:*`` or a bare ``*`` is any port."""
    out: list[tuple[str, int]] = []
    for word in words:
        wild_port = word == "*" or word.endswith(":*")
        text = word[:-2] if word.endswith(":*") else word
        if word == "*":
            host, port_text = "*", ""
        else:
            host, port_text = _split_host_port(text)
        if port_text and (not port_text.isdigit() or not 0 < int(port_text) < 65536):
            raise AddressError("The address or port is invalid")
        if not host:
            raise AddressError("Missing address for VirtualHost")
        if host.isdigit() and not port_text:
            raise AddressError("Missing address for VirtualHost")  # "80" is a port
        port = int(port_text) if port_text else (0 if wild_port else default_port)
        out.append((host, port))
    return out


def _resolve(host: str) -> list[str] | None:
    """The addresses a <VirtualHost> name stands for; None when it does not resolve
    (Apache logs AH00547 and ignores it)."""
    try:
        return [str(ipaddress.ip_address(host.split("%", 1)[0]))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None
    seen: list[str] = []
    for info in infos:
        ip = str(info[4][0])
        if ip not in seen:
            seen.append(ip)
    return seen


def _same_ip(a: str, b: str) -> bool:
    """apr_sockaddr_equal: the same address, an IPv4-mapped IPv6 one included."""
    try:
        x, y = ipaddress.ip_address(a), ipaddress.ip_address(b)
    except ValueError:
        return a == b
    x4 = x.ipv4_mapped if isinstance(x, ipaddress.IPv6Address) else x
    y4 = y.ipv4_mapped if isinstance(y, ipaddress.IPv6Address) else y
    return (x4 or x) == (y4 or y)


@dataclass(eq=False)
class VhostMap:
    """The chains, and the look-ups a connection and a request make."""

    exact: list[Chain] = field(default_factory=list)
    defaults: list[Chain] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)

    def find_ipaddr(self, ip: str, port: int) -> Chain | None:
        wild = None
        for chain in self.exact:
            addr = chain.addr
            assert addr.ip is not None
            if not _same_ip(addr.ip, ip):
                continue
            if addr.port == port:
                return chain
            if wild is None and (addr.port == 0 or port == 0):
                wild = chain
        return wild

    def find_default(self, port: int) -> Chain | None:
        wild = None
        for chain in self.defaults:
            if chain.addr.port == port:
                return chain
            if wild is None and chain.addr.port == 0:
                wild = chain
        return wild

    def for_connection(self, ip: str, port: int) -> Chain | None:
        """ap_update_vhost_given_ip."""
        return self.find_ipaddr(ip, port) or self.find_default(port)


def build_map(vhosts: list[Any], default_port: int) -> VhostMap:
    """ap_fini_vhost_config: the chains, from the hosts in reverse configuration order
    (as Apache keeps them), so each chain's default is the first in the file."""
    vmap = VhostMap()
    for server in reversed(vhosts):
        previous: Address | None = None
        for host, port in server.vhost_addrs:
            if host in _WILDCARDS or host.lower() == "_default_" or _is_any(host):
                addr = Address(host, None, port)
                _add_default(vmap, server, addr, previous)
                previous = addr
                continue
            ips = _resolve(host)
            if ips is None:
                vmap.unresolved.append(host)
                continue
            for ip in ips:
                addr = Address(host, ip, port)
                chain = vmap.find_ipaddr(ip, port)
                if chain is None or chain.addr.port != port:
                    chain = Chain(addr, server)
                    _insert_exact(vmap, chain)
                chain.add(addr, server)
                previous = addr
    return vmap


def _is_any(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def _add_default(vmap: VhostMap, server: Any, addr: Address, previous: Address | None) -> None:
    chain = vmap.find_default(addr.port)
    if chain is not None and chain.addr.port == addr.port:
        # A host listing the same wildcard address twice is named once.
        if previous is None or previous.ip is not None or previous.port != addr.port:
            chain.add(addr, server)
        return
    chain = Chain(addr, server)
    vmap.defaults.insert(0, chain)
    chain.add(addr, server)


def _insert_exact(vmap: VhostMap, chain: Chain) -> None:
    """Apache appends to the tail of the IP's hash bucket; only the relative order
    of chains for one IP matters to look-ups, and appending keeps it."""
    vmap.exact.append(chain)


def fallback_name(server: Any, main_name: str | None) -> tuple[str, str | None]:
    """The name of a virtual host without ServerName, and an error-log message when
    Apache would log one: the main server's name if it has a wildcard address, else
    its first address's reverse DNS name."""
    addrs: list[tuple[str, int]] = server.vhost_addrs
    if any(h in _WILDCARDS or h.lower() == "_default_" or _is_any(h) for h, _ in addrs):
        return main_name or "localhost", None
    if not addrs:
        return "bogus_host_without_forward_dns", None
    host = addrs[0][0]
    ips = _resolve(host) or [host]
    try:
        return socket.gethostbyaddr(ips[0])[0], None
    except (OSError, UnicodeError):
        return "bogus_host_without_reverse_dns", (
            f"AH00549: Failed to resolve server name for {ips[0]} (check DNS) -- or "
            "specify an explicit ServerName"
        )


# ------------------------------------------------------------------ host names


def is_matchexp(name: str) -> bool:
    """ap_is_matchexp: a ServerAlias with "*" or "?" is a wildcard."""
    return "*" in name or "?" in name


def strcasecmp_match(text: str, pattern: str) -> bool:
    """ap_strcasecmp_match: "*" any run, "?" one character, case folded; no classes."""
    text, pattern = text.lower(), pattern.lower()
    ti = pi = 0
    star = -1
    mark = 0
    while ti < len(text):
        if pi < len(pattern) and pattern[pi] in ("?", text[ti]):
            ti += 1
            pi += 1
        elif pi < len(pattern) and pattern[pi] == "*":
            star, mark = pi, ti
            pi += 1
        elif star >= 0:
            pi = star + 1
            mark += 1
            ti = mark
        else:
            return False
    while pi < len(pattern) and pattern[pi] == "*":
        pi += 1
    return pi == len(pattern)


def matches_aliases(server: Any, host: str) -> bool:
    """ServerName, then the plain ServerAlias names, then the wildcard ones."""
    if host.lower() == (server_hostname(server) or "").lower():
        return True
    aliases: list[str] = server.get("core").aliases
    if any(not is_matchexp(a) and a.lower() == host.lower() for a in aliases):
        return True
    return any(is_matchexp(a) and strcasecmp_match(host, a) for a in aliases)


def server_hostname(server: Any) -> str | None:
    name: str | None = server.server_name or server.get("core").server_name
    return name


def by_name(chain: Chain, host: str, port: int) -> Any | None:
    """update_server_from_aliases: the first host of the chain (on this port) that
    the name matches; else the first whose <VirtualHost> address was this name."""
    virthost = None
    last = None
    for addr, server in chain.names or ():
        if addr.port != 0 and addr.port != port:
            continue
        if server is not last and matches_aliases(server, host):
            return server
        if virthost is None and addr.virthost.lower() == host.lower():
            virthost = server
        last = server
    return virthost


def by_path(chain: Chain, uri: str, port: int) -> Any | None:
    """check_serverpath: a request without a host name, by ServerPath."""
    last = None
    for addr, server in chain.names or ():
        if (addr.port != 0 and addr.port != port) or server is last:
            continue
        last = server
        if under_server_path(uri, server.get("core").server_path):
            return server
    return None


def under_server_path(uri: str, path: str | None) -> bool:
    """Whether ``uri`` lies under a ServerPath: the prefix, then the end or a "/"."""
    return bool(
        path
        and uri.startswith(path)
        and (path.endswith("/") or uri[len(path) : len(path) + 1] in ("", "/"))
    )


def fix_hostname(host: str) -> str | None:
    """fix_hostname with HttpProtocolOptions Strict (the default): the lower-cased
    name without a trailing dot and port, or None for a malformed one (a 400)."""
    if host.isdigit():
        return None  # a purely numeric host
    if host.startswith("["):
        close = host.find("]")
        if close < 0 or (host[close + 1 :] and not _is_port(host[close + 1 :])):
            return None
        literal = host[1:close].lower()
        try:
            ipaddress.IPv6Address(literal)
        except ValueError:
            return None
        return literal
    name, colon, port = host.partition(":")
    if colon and not _is_port(colon + port):
        return None
    if ".." in name or "/" in name or "\\" in name:
        return None
    name = name.lower()
    if name.endswith("."):
        name = name[:-1]
    return name if _strict_ok(name) else None


def _is_port(text: str) -> bool:
    return text == ":" or (text[:1] == ":" and text[1:].isdigit() and int(text[1:]) < 65536)


def _strict_ok(name: str) -> bool:
    """strict_hostname_check: letters, digits, "-", "_" and dots; a dotted quad has
    four parts without leading zeros; a name's last label starts with a letter."""
    if not all(c.isascii() and (c.isalnum() or c in "-_.") for c in name):
        return False
    if all(c.isdigit() or c == "." for c in name):
        parts = name.split(".")
        leading = any(len(p) > 1 and p[0] == "0" for p in parts) or name.startswith(".")
        return not leading and name.count(".") == 3
    last = name.rsplit(".", 1)
    return len(last) == 1 or not last[1] or last[1][0].isalpha()


# ------------------------------------------------------------------ apachectl -S


def _format_addr(addr: Address) -> str:
    if addr.ip is None or _is_any(addr.ip):
        text = f"*:{addr.port}"
    elif ":" in addr.ip:
        text = f"[{addr.ip}]:{addr.port}"
    else:
        text = f"{addr.ip}:{addr.port}"
    return text[:-1] + "*" if addr.port == 0 else text


def _dump_chain(chain: Chain) -> list[str]:
    head = _format_addr(chain.addr)
    server = chain.server
    where = f"({server.file}:{server.line})"
    if chain.names is None:
        return [f"{head:<22} {server_hostname(server)} {where}"]
    lines = [
        f"{head:<22} is a NameVirtualHost",
        f"{'':>8} default server {server_hostname(server)} {where}",
    ]
    for addr, named in chain.names:
        port = f"port {addr.port}" if addr.port else "port *"
        lines.append(
            f"{'':>8} {port} namevhost {server_hostname(named)} ({named.file}:{named.line})"
        )
        aliases: list[str] = named.get("core").aliases
        lines += [f"{'':>16} alias {a}" for a in aliases if not is_matchexp(a)]
        lines += [f"{'':>16} wild alias {a}" for a in aliases if is_matchexp(a)]
    return lines


def _bucket(ip: str) -> int:
    """hash_addr: Apache lists exact addresses by hash bucket (of the last four bytes
    of the address, read in machine order), so -S prints them in that order."""
    packed = ipaddress.ip_address(ip).packed[-4:]
    key = int.from_bytes(packed, "little")
    key ^= key >> 16
    return ((key >> 8) ^ key) % 256


def dump(vmap: VhostMap) -> str:
    """The "VirtualHost configuration:" part of ``apachectl -S``: exact addresses by
    hash bucket (within one, the later-made chain first), then the default list."""
    made = {id(chain): index for index, chain in enumerate(vmap.exact)}
    exact = sorted(vmap.exact, key=lambda c: (_bucket(c.addr.ip or "0.0.0.0"), -made[id(c)]))
    lines = ["VirtualHost configuration:"]
    for chain in (*exact, *vmap.defaults):
        lines += _dump_chain(chain)
    return "\n".join(lines) + "\n"


def run_settings(site: Any, defines: list[str]) -> str:
    """The DUMP_RUN_CFG lines of ``apachectl -S`` that apachemw has: ServerRoot, the
    main server's DocumentRoot and ErrorLog, the defines."""
    core = site.main.get("core")
    lines = [
        f'ServerRoot: "{site.server_root}"',
        f'Main DocumentRoot: "{core.document_root or "/var/www/html"}"',
        f'Main ErrorLog: "{_error_log_path(site, core.error_log)}"',
    ]
    lines += [f"Define: {name}" for name in (*defines, "DUMP_VHOSTS", "DUMP_RUN_CFG")]
    return "\n".join(lines) + "\n"


def _error_log_path(site: Any, value: str | None) -> str:
    import os

    if not value:
        return os.path.join(site.server_root, "logs/error_log")
    if value.startswith(("|", "syslog")) or os.path.isabs(value):
        return value
    return os.path.join(site.server_root, value)

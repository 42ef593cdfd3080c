"""mod_remoteip: the client's address from a trusted proxy's header (RemoteIPHeader).

Behind a load balancer, the address Require ip, Allow from, %a, REMOTE_ADDR and the
error log's ``[client ...]`` see is the one the proxies vouch for; the connection's
own address stays available as ``%{c}a``. As in modules/metadata/mod_remoteip.c the
header is read from its right end, one address per trusted hop:

* with no RemoteIPTrustedProxy/InternalProxy (or List) configured, every peer is a
  trusted *external* proxy, whose claims of private (RFC 3330) or non-global IPv6
  addresses are ignored;
* with a list, only listed peers are believed; an internal proxy may present anything,
  and may hand over to an external one, but not the other way round.

The addresses the proxies added are removed from the header; the rest stays for the
app. Header values must be IP literals here: Apache would also resolve host names
in them (a DNS lookup per request, chosen by the client), which apachemw refuses.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Sequence
from dataclasses import dataclass

from apachemw.config.directives import EXEC_ON_READ, RSRC_CONF, Args, Cmd, DirectiveError, Module
from apachemw.config.parser import words_of
from apachemw.config.rows import row
from apachemw.core.ipsubnet import Subnet, SubnetError, looks_like_ip, parse_subnet
from apachemw.core.request import DECLINED, OK, Request

__all__ = ["MODULE", "RemoteIPServer"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_PRIVATE_V4 = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16")
)
_GLOBAL_V6 = ipaddress.ip_network("2000::/3")


@dataclass(frozen=True)
class ProxyMatch:
    subnet: Subnet
    internal: bool


@dataclass
class RemoteIPServer:
    header: str | None = None
    proxies_header: str | None = None
    proxies: list[ProxyMatch] | None = None


def merge_server(base: RemoteIPServer, add: RemoteIPServer) -> RemoteIPServer:
    return RemoteIPServer(
        add.header or base.header,
        add.proxies_header or base.proxies_header,
        add.proxies if add.proxies is not None else base.proxies,
    )


def _header(cmd: Cmd, args: Sequence[str]) -> None:
    conf: RemoteIPServer = cmd.srv()
    conf.header = args[0]


def _proxies_header(cmd: Cmd, args: Sequence[str]) -> None:
    conf: RemoteIPServer = cmd.srv()
    conf.proxies_header = args[0]


def _internal(cmd: Cmd) -> bool:
    return "internal" in cmd.node.lname


def _add_proxy(cmd: Cmd, word: str) -> None:
    """proxies_set: an address, a subnet, or a host name resolved now."""
    conf: RemoteIPServer = cmd.srv()
    if conf.proxies is None:
        conf.proxies = []
    address, slash, mask = word.partition("/")
    name = cmd.node.name if not cmd.node.name.endswith("List") else cmd.node.name[:-4]
    try:
        if looks_like_ip(address):
            subnets = [parse_subnet(address, mask if slash else None)]
        elif slash:
            raise DirectiveError(
                f"RemoteIP: Error parsing IP {word} the subnet /{mask} is invalid for {name}"
            )
        else:
            subnets = [parse_subnet(ip) for ip in _resolve(address)]
    except SubnetError as exc:
        raise DirectiveError(
            f"RemoteIP: Error parsing IP {word} ({exc.message} error) for {name}"
        ) from None
    conf.proxies.extend(ProxyMatch(subnet, _internal(cmd)) for subnet in subnets)


def _resolve(name: str) -> list[str]:
    from apachemw.core.dns import forward_addresses

    found = sorted(forward_addresses(name))
    if not found:
        raise DirectiveError(f"RemoteIP: Error parsing IP {name} (host not found error)")
    return found


def _proxies(cmd: Cmd, args: Sequence[str]) -> None:
    for word in args:
        _add_proxy(cmd, word)


def _proxy_list(cmd: Cmd, args: Sequence[str]) -> None:
    """proxylist_read: words of a file, ``#`` starting a comment."""
    path = args[0] if os.path.isabs(args[0]) else os.path.join(cmd.ctx.site.server_root, args[0])
    env = cmd.ctx.site.env
    env.add_source(path, None)  # a change to it reloads the config (--reload)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise DirectiveError(
            f"{cmd.node.name}: Could not open file {path}: {exc.strerror}"
        ) from None
    env.add_source(path, data)
    lines = data.decode("utf-8", "surrogateescape").splitlines()
    for number, line in enumerate(lines, 1):
        for word in words_of(line.strip()):
            if word.startswith("#"):
                break
            try:
                _add_proxy(cmd, word)
            except DirectiveError as exc:
                raise DirectiveError(f"{exc} at line {number} of {path}") from None


def _parse_address(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # mapped as IPv4, as APR_IPV4_ADDR_OK asks
    return address


def _refused_external(address: IPAddress) -> bool:
    """An external proxy may not present a private or non-global address."""
    if isinstance(address, ipaddress.IPv4Address):
        return any(address in net for net in _PRIVATE_V4)
    return address not in _GLOBAL_V6


def _trusted(conf: RemoteIPServer, peer: str, internal: bool) -> bool | None:
    """Whether ``peer`` may speak (None: no), and whether the chain is still internal."""
    if conf.proxies is None:
        return internal
    for match in conf.proxies:
        if match.subnet.contains(peer):
            return match.internal if internal else internal
    return None


def modify_request(r: Request) -> int:
    """remoteip_modify_request (post_read_request)."""
    conf: RemoteIPServer = r.server.get("mod_remoteip")
    if not conf.header:
        return DECLINED
    # Without the header the answer is the peer's own, and may be memoised; a request
    # that carries it must not be answered from that entry (core.memo).
    r.memo_depends_on((conf.header.lower(),))
    value = r.headers_in.get(conf.header)
    if value is None:
        return OK
    r.eventful = True  # the client is decided per request (core.memo)
    internal = conf.proxies is not None
    parts = value.split(",")
    peer, proxy_ips, used = r.incoming.client_ip, [], 0
    while parts:
        trusted = _trusted(conf, peer, internal)
        if trusted is None:
            break
        internal = trusted
        candidate = parts[-1].strip(" ")
        address = _parse_address(candidate) if candidate else None
        if address is None or (not internal and _refused_external(address)):
            break
        parts.pop()
        used += 1
        if not internal:
            proxy_ips.append(peer)
        peer = str(address)
    if not used:
        return OK
    _rewrite_headers(r, conf, parts, proxy_ips)
    r.incoming.useragent_ip = peer
    return OK


def _rewrite_headers(
    r: Request, conf: RemoteIPServer, rest: list[str], proxy_ips: list[str]
) -> None:
    assert conf.header is not None
    # The app sees the header as Apache's handlers do: without the hops used here.
    r.notes["request-headers-edited"] = True
    if rest:
        r.headers_in.set(conf.header, ",".join(rest))
    else:
        r.headers_in.unset(conf.header)
    if proxy_ips:
        shown = ", ".join(proxy_ips)
        r.notes["remoteip-proxy-ip-list"] = shown
        if conf.proxies_header:
            r.headers_in.set(conf.proxies_header, shown)


S = RSRC_CONF

MODULE = Module(
    name="mod_remoteip",
    ident="remoteip_module",
    directives=(
        row(
            "RemoteIPHeader",
            Args.TAKE1,
            S,
            "Specifies a request header to trust as the client IP, e.g. X-Forwarded-For",
            _header,
        ),
        row(
            "RemoteIPProxiesHeader",
            Args.TAKE1,
            S,
            "Specifies a request header to record proxy IP's, e.g. X-Forwarded-By; if not "
            "given then do not record",
            _proxies_header,
        ),
        row(
            "RemoteIPTrustedProxy",
            Args.ITERATE,
            S,
            "Specifies one or more proxies which are trusted to present IP headers",
            _proxies,
        ),
        row(
            "RemoteIPInternalProxy",
            Args.ITERATE,
            S,
            "Specifies one or more internal (transparent) proxies which are trusted to present "
            "IP headers",
            _proxies,
        ),
        row(
            "RemoteIPTrustedProxyList",
            Args.TAKE1,
            S | EXEC_ON_READ,
            "The filename to read the list of trusted proxies, see the RemoteIPTrustedProxy "
            "directive",
            _proxy_list,
        ),
        row(
            "RemoteIPInternalProxyList",
            Args.TAKE1,
            S | EXEC_ON_READ,
            "The filename to read the list of internal proxies, see the RemoteIPInternalProxy "
            "directive",
            _proxy_list,
        ),
    ),
    create_server=RemoteIPServer,
    merge_server=merge_server,
    hooks={"post_read_request": (10, modify_request)},
)

"""mod_authz_host: the ``ip``, ``host``, ``forward-dns`` and ``local`` authz providers.

``Require ip`` takes addresses, partial addresses, CIDR, netmasks and IPv6, parsed once
at config time as APR parses them (core.ipsubnet). ``Require host`` needs the client's
double-reverse-checked name and matches whole domain labels; ``Require forward-dns``
resolves each name and compares addresses. Both look names up off the event loop and
in bounded time (core.dns).
"""

from __future__ import annotations

from typing import Any

from apachemw.config.directives import DirectiveError, Module
from apachemw.config.parser import words_of
from apachemw.core import dns
from apachemw.core.ipsubnet import REQUIRE_IP_NO_ARGUMENT, Subnet, SubnetError, parse_require_ip
from apachemw.core.request import Request
from apachemw.modules import mod_authz_core as authz
from apachemw.modules.mod_authn_core import evaluate_string
from apachemw.modules.mod_authz_user import require_words

__all__ = ["MODULE", "in_domain"]

_LOCAL = (parse_require_ip("127.0.0.0/8"), parse_require_ip("::1"))


def _ip_parse(cmd: Any, args: str) -> tuple[Subnet, ...]:
    words: list[str] = []
    for word in words_of(args):
        if not word:
            break  # ap_getword_conf's loop stops at an empty word
        words.append(word)
    if not words:
        raise DirectiveError(REQUIRE_IP_NO_ARGUMENT)
    try:
        return tuple(parse_require_ip(word) for word in words)
    except SubnetError as exc:
        raise DirectiveError(str(exc)) from None


def _ip_check(r: Request, args: str, parsed: Any) -> str:
    client = r.incoming.client_ip
    return authz.GRANTED if any(net.contains(client) for net in parsed) else authz.DENIED


def in_domain(domain: str, name: str) -> bool:
    """Whether host ``name`` is ``domain`` or inside it, by whole labels, any case."""
    if len(name) < len(domain) or name[len(name) - len(domain) :].lower() != domain.lower():
        return False
    if len(name) == len(domain):
        return True
    return domain.startswith(".") or name[len(name) - len(domain) - 1] == "."


def _host_check(r: Request, args: str, parsed: Any) -> str:
    name = dns.client_host(r.incoming)
    if name is None:
        r.site.log_error(
            r,
            "error",
            "authz_host",
            f"AH01753: access check of '{args}' to {r.uri} failed, reason: unable to get "
            "the remote host name",
        )
        return authz.DENIED
    wanted = evaluate_string(r, parsed)
    comment = wanted.find("#")
    if comment == 0:
        r.site.log_error(
            r,
            "error",
            "authz_host",
            f"AH10120: authz_host authorize: dubious empty 'Require host {wanted}' with only "
            "comment",
        )
        return authz.DENIED
    if comment > 0:
        r.site.log_error(
            r,
            "warn",
            "authz_host",
            f"AH10121: authz_host authorize: ignoring comment in 'Require host {wanted}'",
        )
        wanted = wanted[:comment]
    granted = any(in_domain(word, name) for word in words_of(wanted))
    return authz.GRANTED if granted else authz.DENIED


def _forward_dns_check(r: Request, args: str, parsed: Any) -> str:
    client = r.incoming.client_ip
    for word in words_of(evaluate_string(r, parsed)):
        name, hash_mark, _ = word.partition("#")
        if not name:
            break  # the rest of the line is a comment
        addresses = dns.forward_addresses(name, r.may_block)
        if not addresses:
            r.site.log_error(r, "warn", "authz_host", f'AH03356: No sockaddr info for "{name}"')
        if client in addresses or client.removeprefix("::ffff:") in addresses:
            return authz.GRANTED
        if hash_mark:
            break
    return authz.DENIED


def _local_check(r: Request, args: str, parsed: Any) -> str:
    client = r.incoming.client_ip
    local = r.incoming.local_addr
    if client == local or any(net.contains(client) for net in _LOCAL):
        return authz.GRANTED
    return authz.DENIED


authz.PROVIDERS["ip"] = authz.AuthzProvider(_ip_check, _ip_parse)
authz.PROVIDERS["host"] = authz.AuthzProvider(_host_check, require_words)
authz.PROVIDERS["forward-dns"] = authz.AuthzProvider(_forward_dns_check, require_words)
authz.PROVIDERS["local"] = authz.AuthzProvider(_local_check)

MODULE = Module(name="mod_authz_host", ident="authz_host_module")

"""mod_access_compat: Order, Allow, Deny and Satisfy, as Apache 2.4 keeps them.

A section holding any of these directives replaces its parent's set outright (the
module has no merge function). The access_checker hook runs before authentication;
``Satisfy Any`` lets a request the host rules admit skip authentication (see
core.pipeline._access). Every directive takes effect for the methods of the
enclosing <Limit>/<LimitExcept>, or all methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from apachemw.config.directives import OR_AUTHCFG, OR_LIMIT, Args, Cmd, DirectiveError, Module
from apachemw.config.rows import row
from apachemw.core import dns
from apachemw.core.ipsubnet import Subnet, SubnetError, parse_allow_from
from apachemw.core.request import OK, Request
from apachemw.modules.mod_authz_core import method_applies
from apachemw.modules.mod_authz_host import in_domain

__all__ = ["MODULE", "AccessCompatDir"]

Limited = frozenset[str] | None


@dataclass(frozen=True)
class AllowDeny:
    kind: str  # "env" | "nenv" | "all" | "ip" | "host"
    limited: Limited
    name: str = ""
    subnet: Subnet | None = None


@dataclass
class AccessCompatDir:
    orders: list[tuple[Limited, str]] = field(default_factory=list)
    satisfies: list[tuple[Limited, str]] = field(default_factory=list)
    allows: list[AllowDeny] = field(default_factory=list)
    denys: list[AllowDeny] = field(default_factory=list)

    def order_for(self, method: str) -> str:
        return _last_for(self.orders, method, "deny,allow")

    def satisfy_for(self, method: str) -> str:
        """ap_satisfies: "all", "any" or "nospec"."""
        return _last_for(self.satisfies, method, "nospec")


def _last_for(settings: list[tuple[Limited, str]], method: str, default: str) -> str:
    value = default
    for limited, choice in settings:
        if method_applies(limited, method):
            value = choice
    return value


def _order(cmd: Cmd, args: Sequence[str]) -> None:
    word = args[0].lower()
    if word not in ("allow,deny", "deny,allow", "mutual-failure"):
        raise DirectiveError("unknown order")
    conf: AccessCompatDir = cmd.dir()
    conf.orders.append((cmd.limited, word))


def _satisfy(cmd: Cmd, args: Sequence[str]) -> None:
    word = args[0].lower()
    if word not in ("all", "any"):
        raise DirectiveError("Satisfy either 'any' or 'all'.")
    conf: AccessCompatDir = cmd.dir()
    conf.satisfies.append((cmd.limited, word))


def _allow_deny(cmd: Cmd, args: Sequence[str]) -> None:
    """allow_cmd, once per word after ``from``."""
    if args[0].lower() != "from":
        raise DirectiveError("allow and deny must be followed by 'from'")
    conf: AccessCompatDir = cmd.dir()
    target = conf.allows if cmd.node.lname == "allow" else conf.denys
    for where in args[1:]:
        target.append(_entry(where, cmd.limited))


def _entry(where: str, limited: Limited) -> AllowDeny:
    lowered = where.lower()
    if lowered.startswith("env=!"):
        return AllowDeny("nenv", limited, where[5:])
    if lowered.startswith("env="):
        return AllowDeny("env", limited, where[4:])
    if lowered == "all":
        return AllowDeny("all", limited)
    try:
        subnet = parse_allow_from(where)
    except SubnetError as exc:
        raise DirectiveError(str(exc)) from None
    if subnet is not None:
        return AllowDeny("ip", limited, subnet=subnet)
    return AllowDeny("host", limited, where)


def _find(r: Request, entries: list[AllowDeny]) -> bool:
    """find_allowdeny: does any entry for this method admit the client?"""
    host: str | bool | None = False  # False: not looked up yet
    for entry in entries:
        if not method_applies(entry.limited, r.method):
            continue
        if entry.kind == "all":
            return True
        if entry.kind in ("env", "nenv"):
            if (entry.name in r.subprocess_env) == (entry.kind == "env"):
                return True
        elif entry.kind == "ip":
            assert entry.subnet is not None
            if entry.subnet.contains(r.incoming.client_ip):
                return True
        else:
            if host is False:
                host = dns.client_host(r.incoming)
            if isinstance(host, str) and in_domain(entry.name, host):
                return True
    return False


def check_dir_access(r: Request) -> int:
    """access_checker: Order with the Allow and Deny lists."""
    conf: AccessCompatDir | None = r.per_dir.get("mod_access_compat")
    if conf is None:
        return OK
    if conf.allows or conf.denys:
        r.eventful = True  # the verdict depends on the client: never memoised (core.memo)
    order = conf.order_for(r.method)
    if order == "allow,deny":
        allowed = _find(r, conf.allows) and not _find(r, conf.denys)
    elif order == "deny,allow":
        allowed = not _find(r, conf.denys) or _find(r, conf.allows)
    else:
        allowed = _find(r, conf.allows) and not _find(r, conf.denys)
    if allowed:
        return OK
    target = r.filename if r.filename is not None else f"uri {r.uri}"
    r.site.log_error(
        r,
        "error",
        "access_compat",
        f"AH01797: client denied by server configuration: {target}",
    )
    return 403


HOSTS = "'from' followed by hostnames or IP-address wildcards"

MODULE = Module(
    name="mod_access_compat",
    ident="access_compat_module",
    directives=(
        row(
            "order", Args.TAKE1, OR_LIMIT, "'allow,deny', 'deny,allow', or 'mutual-failure'", _order
        ),
        row("allow", Args.ITERATE2, OR_LIMIT, HOSTS, _allow_deny),
        row("deny", Args.ITERATE2, OR_LIMIT, HOSTS, _allow_deny),
        row(
            "Satisfy",
            Args.TAKE1,
            OR_AUTHCFG,
            "access policy if both allow and require used ('all' or 'any')",
            _satisfy,
        ),
    ),
    create_dir=AccessCompatDir,
    hooks={"access_checker": (10, check_dir_access)},
)

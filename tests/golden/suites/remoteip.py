"""mod_remoteip behind proxies: RemoteIPHeader with internal, trusted (external) and
no proxy lists, a List file, RemoteIPProxiesHeader; which X-Forwarded-For entries are
believed (private addresses from external proxies are not), what is left in the header,
and the client Require ip, %a and the error log see. The peer is always 127.0.0.1;
each virtual host is one policy. The log format adds %a, %{c}a and the headers."""

from __future__ import annotations

from ..harness import Case, header, request, set_mtimes, with_log_format

NAME = "remoteip"

LOG = (
    'LogFormat "%a %{c}a %h %l %u %t \\"%r\\" %>s %b '
    '[%{X-Forwarded-For}i] [%{X-Forwarded-By}i] [%{remoteip-proxy-ip-list}n]" combined'
)

VHOSTS = {
    "internal.test": "RemoteIPInternalProxy 127.0.0.1",
    "trusted.test": "RemoteIPTrustedProxy 127.0.0.0/8\n    RemoteIPProxiesHeader X-Forwarded-By",
    "anyone.test": "",
    "other.test": "RemoteIPTrustedProxy 10.9.9.9",
    "list.test": "RemoteIPTrustedProxyList {root}/proxies.txt",
}


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    base = header(root, port, ("remoteip", "authz_host"))
    base = with_log_format(base, LOG)
    vhosts = "".join(
        f"""
<VirtualHost *:{port}>
    ServerName {name}
    DocumentRoot {h}
    RemoteIPHeader X-Forwarded-For
    {rules.format(root=root)}
</VirtualHost>
"""
        for name, rules in VHOSTS.items()
    )
    return (
        base
        + f"""
DocumentRoot {h}
<Directory {h}>
    Require all granted
</Directory>
<Directory {h}/ip-only>
    Require ip 203.0.113.0/24
</Directory>
<VirtualHost *:{port}>
    ServerName localhost
    DocumentRoot {h}
</VirtualHost>
"""
        + vhosts
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs",))


def _get(name: str, host: str, xff: str | None, note: str, target: str = "/a.txt") -> Case:
    headers = [] if xff is None else [("X-Forwarded-For", xff)]
    return Case(name, request("GET", target, headers, host=host), note)


CASES = [
    _get("off", "localhost", "203.0.113.9", "no RemoteIPHeader: the header is only a header"),
    _get("internal-public", "internal.test", "203.0.113.9", "internal proxy: believed"),
    _get("internal-private", "internal.test", "10.1.2.3", "internal proxy may present private"),
    _get("internal-chain", "internal.test", "203.0.113.9, 10.1.2.3", "10.1.2.3 is no proxy"),
    _get("internal-none", "internal.test", None, "no header"),
    _get("trusted-public", "trusted.test", "203.0.113.9", "external proxy: public believed"),
    _get("trusted-private", "trusted.test", "10.1.2.3", "external proxy: private ignored"),
    _get("trusted-chain", "trusted.test", "198.51.100.7, 203.0.113.9", "one hop only"),
    _get("trusted-v6", "trusted.test", "2001:db8::1", "global IPv6 believed"),
    _get("trusted-v6-link", "trusted.test", "fe80::1", "link-local IPv6 ignored"),
    _get("trusted-mapped", "trusted.test", "::ffff:203.0.113.9", "IPv4-mapped taken as IPv4"),
    _get("anyone-chain", "anyone.test", "198.51.100.7, 203.0.113.9", "no list: every hop"),
    _get("anyone-garbage", "anyone.test", "not-an-ip", "unparseable: left alone"),
    _get("anyone-empty-entry", "anyone.test", "198.51.100.7, , 203.0.113.9", "empty entry"),
    _get("anyone-spaces", "anyone.test", "  203.0.113.9  ", "spaces trimmed"),
    _get("other-untrusted", "other.test", "203.0.113.9", "peer not in the list: ignored"),
    _get("list-file", "list.test", "203.0.113.9", "RemoteIPTrustedProxyList"),
    _get(
        "ip-allowed", "internal.test", "203.0.113.9", "Require ip sees the client", "/ip-only/a.txt"
    ),
    _get(
        "ip-denied",
        "internal.test",
        "198.51.100.7",
        "denied: [client] is the client",
        "/ip-only/a.txt",
    ),
    _get(
        "ip-peer",
        "localhost",
        "203.0.113.9",
        "without remoteip the peer is checked",
        "/ip-only/a.txt",
    ),
]

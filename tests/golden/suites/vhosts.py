"""Virtual host selection (server/vhost.c): exact-address chains before the default
(``*``) list, IP-based hosts (one per address) taking every name, name-based chains
matched by ServerName, ServerAlias (plain and wildcard), the <VirtualHost> name and
ServerPath, the first host of a chain as its default, a host without ServerName named
by its address, Host headers cleaned or refused as fix_hostname does (Strict), and
absolute-form targets naming the host. Requests go to 127.0.0.1, .2 and .3."""

from __future__ import annotations

from ..harness import Case, header, request, set_mtimes, with_log_format

NAME = "vhosts"

LOG = 'LogFormat "%v %V %A \\"%r\\" %>s %b" combined'


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    base = with_log_format(header(root, port, ("dir", "alias")), LOG)
    return (
        base
        + f"""
Listen 127.0.0.2:{port}
Listen 127.0.0.3:{port}
DocumentRoot {h}/main
DirectoryIndex index.html
<Directory {h}>
    Require all granted
</Directory>
<VirtualHost 127.0.0.1:{port}>
    ServerName one.test
    ServerAlias alias-one.test *.wild.test
    DocumentRoot {h}/one
</VirtualHost>
<VirtualHost 127.0.0.1:{port}>
    ServerName two.test
    ServerAlias t?o.test
    DocumentRoot {h}/two
</VirtualHost>
<VirtualHost *:{port}>
    ServerName star.test
    DocumentRoot {h}/star
</VirtualHost>
<VirtualHost *:{port}>
    ServerName star2.test
    DocumentRoot {h}/star2
</VirtualHost>
<VirtualHost 127.0.0.2:{port}>
    ServerName ipbased.test
    DocumentRoot {h}/ip
</VirtualHost>
<VirtualHost 127.0.0.1:{port}>
    DocumentRoot {h}/noname
</VirtualHost>
<VirtualHost 127.0.0.1:{port}>
    ServerName path.test
    ServerPath /legacy
    DocumentRoot {h}/path
</VirtualHost>
<VirtualHost 127.0.0.1:{port}>
    ServerName HTTPS://secure.test
    DocumentRoot {h}/one
    Redirect /r /target
</VirtualHost>
<VirtualHost 127.0.0.1:{port}>
    ServerName ported.test:8081
    DocumentRoot {h}/one
    Redirect /r /target
</VirtualHost>
<VirtualHost 127.0.0.1:{port}>
    ServerName canon.test:8082
    UseCanonicalName On
    DocumentRoot {h}/one
    Redirect /r /target
</VirtualHost>
<VirtualHost 127.0.0.1:{port}>
    ServerName canon-noport.test
    UseCanonicalName On
    DocumentRoot {h}/one
    Redirect /r /target
</VirtualHost>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs",))


def _host(
    name: str, host: str | None, target: str = "/", address: str = "127.0.0.1", note: str = ""
) -> Case:
    return Case(name, request("GET", target, [], host=host), note or f"Host: {host}", address)


CASES: list[Case] = [
    _host("one", "one.test"),
    _host("one-upper-dot", "ONE.Test."),
    _host("one-port", "one.test:9999"),
    _host("alias", "alias-one.test"),
    _host("wild-alias", "deep.x.wild.test"),
    _host("wild-alias-bare", "wild.test"),
    _host("two", "two.test"),
    _host("question-alias", "t2o.test"),
    _host("star-name-on-exact-address", "star.test"),
    _host("unknown-default", "unknown.test"),
    _host("reverse-dns-name", "localhost"),
    _host("address-literal", "127.0.0.1"),
    _host("ipv6-literal", "[::1]"),
    _host("ipv6-literal-port", "[::1]:81"),
    Case("http10-no-host", request("GET", "/", [], host=None, version="HTTP/1.0"), "no Host"),
    Case(
        "serverpath",
        request("GET", "/legacy/x.html", [], host=None, version="HTTP/1.0"),
        "ServerPath without Host",
    ),
    _host("serverpath-ignored-with-host", "unknown.test", "/legacy/x.html"),
    Case("http11-no-host", request("GET", "/", [], host=None), "HTTP/1.1 without Host: 400"),
    _host("empty-host", ""),
    _host("bad-slash", "bad/host"),
    _host("bad-backslash", "bad\\host"),
    _host("bad-dots", "a..b.test"),
    _host("bad-numeric", "12345"),
    _host("bad-three-parts", "1.2.3"),
    _host("bad-leading-zero", "01.2.3.4"),
    _host("bad-tld-digit", "x.1abc"),
    _host("bad-comma", "one.test,two.test"),
    _host("bad-port", "one.test:80x"),
    _host("underscore", "under_score.test"),
    Case(
        "absolute-target",
        request("GET", "http://two.test/", [], host="one.test"),
        "the target's host wins over Host",
    ),
    _host("scheme-https", "secure.test", "/r", note="ServerName https://"),
    _host("scheme-https-slash", "secure.test", "/legacy", note="DirectorySlash, https"),
    _host("server-port", "ported.test", "/r", note="ServerName's port without Host port"),
    _host("server-port-host-port", "ported.test:9000", "/r", note="the Host port wins"),
    _host("canonical", "canon.test:9000", "/r", note="UseCanonicalName On"),
    _host("canonical-other-name", "CANON.test", "/r", note="UseCanonicalName On, case"),
    _host("canonical-no-port", "canon-noport.test:9000", "/r", note="canonical, no port"),
    _host("ip-one", "one.test", address="127.0.0.2"),
    _host("ip-own", "ipbased.test", address="127.0.0.2"),
    _host("ip-none", None, address="127.0.0.2"),
    _host("star-default", "nothing.test", address="127.0.0.3"),
    _host("star2", "star2.test", address="127.0.0.3"),
    _host("star-one-name", "one.test", address="127.0.0.3"),
]

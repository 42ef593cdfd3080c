"""Access by client address and name: mod_authz_host (Require ip in every form APR
accepts, local, host with its double reverse lookup, forward-dns) and mod_access_compat
(Order, Allow, Deny from all/addresses/hosts/env=, Satisfy Any/All with Basic auth,
<Limit>), as the client 127.0.0.1 meets them. Names resolve through the machine's
/etc/hosts (localhost <-> 127.0.0.1)."""

from __future__ import annotations

import base64

from ..harness import Case, header, request, set_mtimes

NAME = "access_host"

REQUIRE = {
    "ip-exact": "Require ip 127.0.0.1",
    "ip-partial": "Require ip 127",
    "ip-cidr": "Require ip 127.0.0.0/8",
    "ip-mask": "Require ip 127.0.0.0/255.0.0.0",
    "ip-other": "Require ip 10.0.0.0/8 192.168",
    "ip-v6": "Require ip ::1 2001:db8::/32",
    "ip-list": "Require ip 10.1 127.0.0.1",
    "ip-wrap": "Require ip 4294967423",
    "not-ip": "<RequireAll>\n Require all granted\n Require not ip 127.0.0.1\n</RequireAll>",
    "local": "Require local",
    "host-localhost": "Require host localhost",
    "host-upper": "Require host LOCALHOST",
    "host-dot": "Require host .localhost",
    "host-other": "Require host example.com",
    "host-comment": "Require host localhost#later",
    "fdns": "Require forward-dns localhost",
    "fdns-missing": "Require forward-dns nonexistent.invalid",
    "fdns-comment": "Require forward-dns #localhost",
    "compat-allow-all": "Order allow,deny\n Allow from all",
    "compat-allow-none": "Order allow,deny",
    "compat-deny-all": "Order deny,allow\n Deny from all",
    "compat-deny-allow": "Order deny,allow\n Deny from all\n Allow from 127.0.0.1",
    "compat-allow-deny": "Order allow,deny\n Allow from all\n Deny from 127",
    "compat-mutual": "Order mutual-failure\n Allow from 127.0.0.0/8",
    "compat-mutual-deny": "Order mutual-failure\n Allow from all\n Deny from 127.0.0.1",
    "compat-host": "Order allow,deny\n Allow from localhost",
    "compat-host-dot": "Order allow,deny\n Allow from .localhost",
    "compat-env": "Order allow,deny\n Allow from env=FROM_REWRITE",
    "compat-nenv": "Order deny,allow\n Deny from env=!FROM_REWRITE",
    "compat-limit": "<Limit POST>\n Order deny,allow\n Deny from all\n</Limit>",
    "limitexcept": "Require all granted\n <LimitExcept GET>\n Require all denied\n </LimitExcept>",
}

AUTH = """
    AuthType Basic
    AuthName "Staff"
    AuthUserFile {root}/users
    Require valid-user"""

SATISFY = {
    "satisfy-any": "Order allow,deny\n Allow from 127.0.0.1\n Satisfy Any" + AUTH,
    "satisfy-any-denied": "Order allow,deny\n Satisfy Any" + AUTH,
    "satisfy-all": "Order allow,deny\n Allow from 127.0.0.1\n Satisfy All" + AUTH,
}


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    mods = (
        "access_compat",
        "authz_host",
        "auth_basic",
        "authn_core",
        "authn_file",
        "authz_user",
        "rewrite",
    )
    sections = "".join(
        f"<Directory {h}/{name}>\n {body.format(root=root)}\n</Directory>\n"
        for name, body in {**REQUIRE, **SATISFY}.items()
    )
    return (
        header(root, port, mods)
        + f"""
DocumentRoot {h}
<Directory {h}>
    Require all granted
</Directory>
RewriteEngine On
RewriteRule ^/compat-n?env/.*\\.set$ - [E=FROM_REWRITE:1]
"""
        + sections
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs",))


ALICE = "Basic " + base64.b64encode(b"alice:secret").decode()


def _get(name: str, target: str, note: str, method: str = "GET", auth: bool = False) -> Case:
    headers = [("Authorization", ALICE)] if auth else []
    return Case(name, request(method, target, headers), note)


CASES = [
    *(_get(name, f"/{name}/a.txt", body.splitlines()[0]) for name, body in REQUIRE.items()),
    _get("limitexcept-post", "/limitexcept/a.txt", "Require in <LimitExcept>: POST", "POST"),
    _get("compat-limit-post", "/compat-limit/a.txt", "Deny in <Limit POST>: POST", "POST"),
    _get("compat-env-set", "/compat-env/a.txt.set", "Allow from env= with the variable"),
    _get("compat-nenv-set", "/compat-nenv/a.txt.set", "Deny from env=! with the variable"),
    _get("satisfy-any", "/satisfy-any/a.txt", "Satisfy Any: the address is enough"),
    _get("satisfy-any-denied", "/satisfy-any-denied/a.txt", "Satisfy Any: hosts refuse: 401"),
    _get("satisfy-any-denied-user", "/satisfy-any-denied/a.txt", "... and a user", auth=True),
    _get("satisfy-all", "/satisfy-all/a.txt", "Satisfy All: the address and a user"),
    _get("satisfy-all-user", "/satisfy-all/a.txt", "Satisfy All with a user", auth=True),
]

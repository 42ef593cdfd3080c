"""ap_expr at request time: <If>, <ElseIf>, <Else> (in <Directory>, <Location>, server
context, .htaccess, nested) and ``Require expr`` (with REMOTE_USER asking for a user);
the Vary an expression adds; an evaluation error (AH00039)."""

from __future__ import annotations

import base64

from ..harness import get_case, header, set_mtimes

NAME = "authz_expr"


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    mods = ("auth_basic", "authn_core", "authn_file", "authz_user")
    return (
        header(root, port, mods)
        + f"""
DocumentRoot {h}
<Directory {h}>
    Require all granted
</Directory>
<If "req('X-Global') == 'deny'">
    Require all denied
</If>
<Directory {h}/if>
    Require all denied
    <If "%{{QUERY_STRING}} =~ /open/">
        Require all granted
    </If>
</Directory>
<Directory {h}/chain>
    <If "req('X-Level') == '1'">
        ForceType text/x-one
    </If>
    <ElseIf "req('X-Level') == '2'">
        ForceType text/x-two
    </ElseIf>
    <Else>
        ForceType text/x-other
    </Else>
</Directory>
<Directory {h}/nested>
    <If "-n req('X-A')">
        ForceType text/x-a
        <If "-n req('X-B')">
            ForceType text/x-ab
        </If>
    </If>
</Directory>
<Location /loc>
    <If "%{{REQUEST_METHOD}} == 'POST'">
        Require all denied
    </If>
</Location>
<Directory {h}/rexpr>
    Require expr "%{{HTTP_USER_AGENT}} =~ /curl/"
</Directory>
<Directory {h}/rexpr-user>
    AuthType Basic
    AuthName "Expr"
    AuthUserFile {root}/users
    Require expr %{{REMOTE_USER}} == 'alice'
</Directory>
<Directory {h}/rexpr-time>
    Require expr %{{TIME_YEAR}} -gt 2000
</Directory>
<Directory {h}/iferr>
    <If "file('{root}/no-such-file') == 'x'">
        ForceType text/x-never
    </If>
</Directory>
<Directory {h}/htif>
    AllowOverride All
</Directory>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs",))


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


CASES = [
    get_case("if-denied", "/if/a.txt", "<If> false: the section's Require all denied"),
    get_case("if-granted", "/if/a.txt?open", "<If> true: Require all granted merged"),
    get_case("chain-1", "/chain/a.txt", "<If> true", [("X-Level", "1")]),
    get_case("chain-2", "/chain/a.txt", "<ElseIf> true", [("X-Level", "2")]),
    get_case("chain-else", "/chain/a.txt", "<Else>", [("X-Level", "3")]),
    get_case("chain-none", "/chain/a.txt", "<Else>, header absent"),
    get_case("nested-a", "/nested/a.txt", "outer <If> only", [("X-A", "1")]),
    get_case("nested-ab", "/nested/a.txt", "nested <If> too", [("X-A", "1"), ("X-B", "1")]),
    get_case("nested-b", "/nested/a.txt", "inner alone never applies", [("X-B", "1")]),
    get_case("location-get", "/loc/a.txt", "<If> in <Location>: GET"),
    get_case("location-post", "/loc/a.txt", "<If> in <Location>: POST denied", method="POST"),
    get_case("global-deny", "/a.txt", "server-context <If>", [("X-Global", "deny")]),
    get_case("global-other", "/a.txt", "server-context <If> false", [("X-Global", "no")]),
    get_case("rexpr-curl", "/rexpr/a.txt", "Require expr true", [("User-Agent", "curl/8")]),
    get_case("rexpr-other", "/rexpr/a.txt", "Require expr false: 403", [("User-Agent", "wget")]),
    get_case("rexpr-user-none", "/rexpr-user/a.txt", "REMOTE_USER in expr: 401"),
    get_case(
        "rexpr-user-alice",
        "/rexpr-user/a.txt",
        "alice",
        [("Authorization", _basic("alice", "secret"))],
    ),
    get_case(
        "rexpr-user-bob",
        "/rexpr-user/a.txt",
        "bob: 401",
        [("Authorization", _basic("bob", "builder"))],
    ),
    get_case("rexpr-time", "/rexpr-time/a.txt", "TIME_YEAR"),
    get_case("if-error", "/iferr/a.txt", "file() of a missing file: AH00039"),
    get_case("htaccess-if", "/htif/a.txt?json", "<If> in .htaccess"),
    get_case("htaccess-else", "/htif/a.txt", "<Else> in .htaccess"),
]

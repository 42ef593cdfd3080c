"""Basic authentication and authorization by user and group: mod_auth_basic,
mod_authn_file (every htpasswd format: MD5 apr1, bcrypt, SHA-1, crypt, SHA-256 and
SHA-512 crypt, plain text), mod_authn_core, mod_authz_user, mod_authz_groupfile and
mod_authz_core's arithmetic (RequireAll with a negated user, AuthMerging, 401 vs 403,
AuthzSendForbiddenOnFailure), malformed Authorization headers (never a 500).

``users`` and ``groups`` in the site were written by htpasswd (apache2-utils); the
passwords are in USERS below.
"""

from __future__ import annotations

import base64

from ..harness import Case, header, request, set_mtimes

NAME = "auth_basic"

USERS = {
    "alice": "secret",
    "bob": "builder",
    "carol": "c4rol",
    "dave": "password",
    "erin": "erin-pass",
    "frank": "fr@nk pass",
    "plain": "plain",
    "zoë": "pässword",
    "colon": "a:b:c",
    "empty": "",
    "grace": "grace",
}


def _auth(realm_dir: str, require: str, extra: str = "") -> str:
    return f"""
<Directory {{h}}/{realm_dir}>
    AuthType Basic
    AuthName "Members Only"
    AuthUserFile {{root}}/users
    AuthGroupFile {{root}}/groups
    {require}
    {extra}
</Directory>"""


SECTIONS = "".join(
    [
        _auth("basic", "Require valid-user"),
        _auth("user", "Require user alice zoë"),
        _auth("group", "Require group admins staff"),
        _auth("forbid", "Require user alice", "AuthzSendForbiddenOnFailure On"),
        _auth("all", "<RequireAll>\n Require valid-user\n Require not user bob\n</RequireAll>"),
        _auth("method", "Require method GET\n    Require user bob"),
        _auth("nonauth", "Require valid-user", "AuthBasicAuthoritative Off"),
        _auth("env", "Require env NO_SUCH_VARIABLE"),
        _auth("merge", "Require user alice bob"),
        _auth("limitexcept", "<LimitExcept GET>\n Require valid-user\n </LimitExcept>"),
        _auth("limitpost", "Require all granted\n <Limit POST>\n Require valid-user\n </Limit>"),
    ]
)


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    mods = ("auth_basic", "authn_core", "authn_file", "authz_user", "authz_groupfile")
    return (
        header(root, port, mods)
        + f"""
DocumentRoot {h}
<Directory {h}>
    Require all granted
</Directory>
"""
        + SECTIONS.format(h=h, root=root)
        + f"""
<Directory {h}/merge/sub>
    AuthMerging And
    Require user bob carol
</Directory>
<Directory {h}/noname>
    AuthType Basic
    AuthUserFile {root}/users
    Require valid-user
</Directory>
<Directory {h}/notype>
    Require valid-user
</Directory>
<Directory {h}/typenone>
    AuthType None
    Require valid-user
</Directory>
<Directory {h}/nofile>
    AuthType Basic
    AuthName "No file"
    AuthUserFile {root}/no-such-users
    Require valid-user
</Directory>
<Directory {h}/typeonly>
    AuthType Basic
    AuthName "Type only"
    Require all granted
</Directory>
<AuthnProviderAlias file staff-file>
    AuthUserFile {root}/staff-users
</AuthnProviderAlias>
<AuthzProviderAlias user only-carol carol>
</AuthzProviderAlias>
<AuthzProviderAlias group admins-of-file admins>
    AuthGroupFile {root}/groups
</AuthzProviderAlias>
<Directory {h}/alias-authn>
    AuthType Basic
    AuthName "Alias"
    AuthBasicProvider staff-file file
    AuthUserFile {root}/users
    Require valid-user
</Directory>
<Directory {h}/alias-authz>
    AuthType Basic
    AuthName "Alias"
    AuthUserFile {root}/users
    Require only-carol
</Directory>
<Directory {h}/alias-group>
    AuthType Basic
    AuthName "Alias"
    AuthUserFile {root}/users
    Require admins-of-file
</Directory>
<Directory {h}/private>
    AllowOverride AuthConfig
</Directory>
<FilesMatch "^\\.ht">
    Require all denied
</FilesMatch>
<Directory {h}/realmq>
    AuthType Basic
    AuthName 'say "hi"'
    AuthUserFile {root}/users
    Require valid-user
</Directory>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs",))


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _raw(credentials: bytes) -> str:
    return "Basic " + base64.b64encode(credentials).decode()


def _get(name: str, target: str, note: str, auth: str | None = None, method: str = "GET") -> Case:
    headers = [] if auth is None else [("Authorization", auth)]
    return Case(name, request(method, target, headers), note)


def _logins() -> list[Case]:
    cases = []
    for user, password in USERS.items():
        cases.append(
            _get(f"login-{user}", "/basic/a.txt", "right password", _basic(user, password))
        )
        cases.append(_get(f"wrong-{user}", "/basic/a.txt", "wrong password", _basic(user, "x")))
    return cases


CASES = [
    _get("no-credentials", "/basic/a.txt", "401 with the Basic challenge"),
    _get("open", "/a.txt", "no auth configured"),
    *_logins(),
    _get("unknown-user", "/basic/a.txt", "AH01618 user not found", _basic("nobody", "x")),
    _get("des-truncated", "/basic/a.txt", "crypt() uses 8 characters", _basic("dave", "password9")),
    _get("duplicate-first-wins", "/basic/a.txt", "later alice line ignored", _basic("alice", "x")),
    _get("scheme-bearer", "/basic/a.txt", "AH01614 wrong scheme", "Bearer abc"),
    _get("scheme-lowercase", "/basic/a.txt", "scheme is case-blind", "basic YWxpY2U6c2VjcmV0"),
    _get("scheme-only", "/basic/a.txt", "'Basic' and nothing else", "Basic"),
    _get("empty-token", "/basic/a.txt", "'Basic ' with no token", "Basic "),
    _get("garbage-token", "/basic/a.txt", "not base64 at all", "Basic !!!!"),
    _get("token-junk-tail", "/basic/a.txt", "decoding stops at junk", "Basic YWxpY2U6c2VjcmV0!!x"),
    _get("token-no-padding", "/basic/a.txt", "base64 without '='", "Basic Ym9iOmJ1aWxkZXI"),
    _get("token-tabs", "/basic/a.txt", "tabs before the token", "Basic \t YWxpY2U6c2VjcmV0"),
    _get(
        "no-colon",
        "/basic/a.txt",
        "user without ':'",
        "Basic " + base64.b64encode(b"alice").decode(),
    ),
    _get(
        "nul-in-password",
        "/basic/a.txt",
        "a NUL ends the C string",
        "Basic " + base64.b64encode(b"alice:secret\0junk").decode(),
    ),
    _get(
        "latin1-user",
        "/basic/a.txt",
        "bytes that are not UTF-8",
        "Basic " + base64.b64encode("zoë:pässword".encode("latin-1")).decode(),
    ),
    _get("head", "/basic/a.txt", "HEAD gets the same 401", method="HEAD"),
    _get("user-alice", "/user/a.txt", "Require user: listed", _basic("alice", "secret")),
    _get("user-zoe", "/user/a.txt", "Require user: UTF-8 name", _basic("zoë", "pässword")),
    _get(
        "user-bob", "/user/a.txt", "Require user: not listed: 401 AH01631", _basic("bob", "builder")
    ),
    _get("user-none", "/user/a.txt", "Require user: no credentials"),
    _get("group-alice", "/group/a.txt", "in admins", _basic("alice", "secret")),
    _get("group-carol", "/group/a.txt", "in 'staff ' (name trimmed)", _basic("carol", "c4rol")),
    _get("group-dave", "/group/a.txt", "quoted member", _basic("dave", "password")),
    _get("group-erin", "/group/a.txt", "in no group: AH01666", _basic("erin", "erin-pass")),
    _get(
        "forbid-bob", "/forbid/a.txt", "AuthzSendForbiddenOnFailure: 403", _basic("bob", "builder")
    ),
    _get("forbid-none", "/forbid/a.txt", "no user yet: still 401"),
    _get("forbid-wrong", "/forbid/a.txt", "bad password: 401", _basic("alice", "x")),
    _get("all-alice", "/all/a.txt", "RequireAll: valid, not bob", _basic("alice", "secret")),
    _get("all-bob", "/all/a.txt", "RequireAll: Require not user bob", _basic("bob", "builder")),
    _get("all-none", "/all/a.txt", "RequireAll: no user"),
    _get("method-get", "/method/a.txt", "Require method GET grants GET"),
    _get("method-post", "/method/a.txt", "POST needs user bob", method="POST"),
    _get("method-post-bob", "/method/a.txt", "POST as bob", _basic("bob", "builder"), "POST"),
    _get(
        "nonauth-unknown",
        "/nonauth/a.txt",
        "not authoritative: unknown user falls through",
        _basic("nobody", "x"),
    ),
    _get(
        "nonauth-wrong",
        "/nonauth/a.txt",
        "not authoritative: a wrong password is still 401",
        _basic("alice", "x"),
    ),
    _get("env-none", "/env/a.txt", "Require env: not set: 403"),
    _get("env-alice", "/env/a.txt", "Require env with a user: 403", _basic("alice", "secret")),
    _get("merge-alice", "/merge/a.txt", "parent section alone", _basic("alice", "secret")),
    _get(
        "merge-sub-bob",
        "/merge/sub/a.txt",
        "AuthMerging And: in both lists",
        _basic("bob", "builder"),
    ),
    _get(
        "merge-sub-alice",
        "/merge/sub/a.txt",
        "AuthMerging And: parent only",
        _basic("alice", "secret"),
    ),
    _get(
        "merge-sub-carol",
        "/merge/sub/a.txt",
        "AuthMerging And: child only",
        _basic("carol", "c4rol"),
    ),
    _get("noname", "/noname/a.txt", "AuthType without AuthName: 500 AH01615"),
    _get("notype", "/notype/a.txt", "Require valid-user without AuthType: 500 AH00027"),
    _get("typenone", "/typenone/a.txt", "AuthType None: 500 AH00027"),
    _get("nofile", "/nofile/a.txt", "missing AuthUserFile: 500 AH01620", _basic("alice", "secret")),
    _get("nofile-none", "/nofile/a.txt", "missing AuthUserFile, no credentials: 401"),
    _get("typeonly", "/typeonly/a.txt", "AuthType with Require all granted: no auth"),
    _get("realm-quotes", "/realmq/a.txt", "quotes in the realm escaped"),
    _get(
        "alias-staff-dave",
        "/alias-authn/a.txt",
        "AuthnProviderAlias first",
        _basic("dave", "staffpass"),
    ),
    _get(
        "alias-file-dave",
        "/alias-authn/a.txt",
        "found in the alias: stops there",
        _basic("dave", "password"),
    ),
    _get(
        "alias-file-alice",
        "/alias-authn/a.txt",
        "not in the alias: next provider",
        _basic("alice", "secret"),
    ),
    _get("alias-only-carol", "/alias-authz/a.txt", "AuthzProviderAlias", _basic("carol", "c4rol")),
    _get(
        "alias-not-carol",
        "/alias-authz/a.txt",
        "AuthzProviderAlias refuses",
        _basic("alice", "secret"),
    ),
    _get(
        "alias-group-alice",
        "/alias-group/a.txt",
        "alias with its AuthGroupFile",
        _basic("alice", "secret"),
    ),
    _get("alias-group-carol", "/alias-group/a.txt", "not in admins", _basic("carol", "c4rol")),
    _get("limitexcept-get", "/limitexcept/a.txt", "<LimitExcept GET>: GET needs nothing"),
    _get("limitexcept-post", "/limitexcept/a.txt", "<LimitExcept GET>: POST: 401", method="POST"),
    _get("limitexcept-head", "/limitexcept/a.txt", "HEAD is GET", method="HEAD"),
    _get(
        "limitexcept-put-user",
        "/limitexcept/a.txt",
        "PUT as alice",
        _basic("alice", "secret"),
        "PUT",
    ),
    _get(
        "limitpost-post",
        "/limitpost/a.txt",
        "granted for all OR'ed with <Limit POST>",
        method="POST",
    ),
    _get("limitpost-get", "/limitpost/a.txt", "GET"),
    # security.md rows A and D
    _get("A02-htaccess-login", "/private/", "A02 .htaccess Basic auth", _basic("alice", "secret")),
    _get("A07-crlf-user", "/basic/a.txt", "A07/G05 CR LF in the user", _raw(b"ali\r\nce:x")),
    _get("A08-nul-user", "/basic/a.txt", "A08 NUL in the user", _raw(b"alice\x00junk:secret")),
    _get("A09-huge", "/basic/a.txt", "A09 9,000-byte credentials", "Basic " + "A" * 9000),
    _get("D01-htaccess", "/private/.htaccess", "D01", _basic("alice", "secret")),
    _get("D02-htpasswd", "/private/.htpasswd", "D02", _basic("alice", "secret")),
    _get("D03-encoded", "/private/%2ehtpasswd", "D03", _basic("alice", "secret")),
    _get("D03-encoded-p", "/private/.ht%70asswd", "D03", _basic("alice", "secret")),
    _get("D04-slash", "/private/.htpasswd/", "D04", _basic("alice", "secret")),
    _get("D04-dot", "/private/.htpasswd.", "D04", _basic("alice", "secret")),
    _get("D05-upper", "/private/.HTPASSWD", "D05 directory auth first"),
]

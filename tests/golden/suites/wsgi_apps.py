"""mod_wsgi: a WSGI app mounted with WSGIScriptAlias (under /app and, on a second
address, at the root), and Apache around it: the paths and variables the app sees
(SetEnv, SetEnvIf, RewriteRule [E=], REDIRECT_* after an internal rewrite, Basic auth),
its answers passing back through mod_headers, mod_expires and ErrorDocument into the
access log, its own status codes, HEAD, an app that raises, headers a WSGI app may not
send (security.md H09), and front-controller routing of missing files to the app.

The app (sites/wsgi_apps/wsgi/app.wsgi) is stdlib-only and deterministic: mod_wsgi runs
it under the system python3 when recording, apachemw loads the same file when replaying.
"""

from __future__ import annotations

import base64

from ..harness import Case, header, request, set_mtimes, with_log_format

NAME = "wsgi_apps"

LOG = (
    'LogFormat "%h \\"%r\\" %>s %b u=%u app=%{X-App}o ct=%{Content-Type}o '
    'cl=%{Content-Length}o set=%{SUITE_SET}e rw=%{SUITE_RW}e" combined'
)
MODULES = (
    "alias",
    "rewrite",
    "env",
    "setenvif",
    "headers",
    "expires",
    "auth_basic",
    "authn_core",
    "authn_file",
    "authz_user",
    "wsgi",
)
ROOT_HOST = "127.0.0.2"


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    script = f"{root}/wsgi/app.wsgi"
    base = with_log_format(header(root, port, MODULES), LOG)
    return (
        base
        + f"""
Listen {ROOT_HOST}:{port}
# mod_wsgi logs an app's exception with its pid in the message: kept out of the log.
LogLevel warn wsgi:crit
DocumentRoot {h}
<Directory {h}>
    Require all granted
</Directory>
<Directory {root}/wsgi>
    Require all granted
</Directory>
ErrorDocument 404 /errors/404.html

SetEnv SUITE_SET from-setenv
SetEnvIf User-Agent ^probe SUITE_UA=matched
RewriteEngine On
RewriteRule ^/old/(.*)$ /app/new/$1 [PT,E=SUITE_RW:$1]
RewriteRule ^/flag/(.*)$ /app/$1 [PT,E=SUITE_FLAG:on]

WSGIScriptAlias /app {script}

<Location /app/private>
    AuthType Basic
    AuthName "wsgi private"
    AuthUserFile {root}/users
    Require valid-user
</Location>
<Location /app/hdr>
    Header set X-Set "set-by-apache"
    Header append X-App "appended"
    Header unset X-Remove
    Header always set X-Always "always"
    Header set X-Probe "probe-seen" env=SUITE_UA
    Header set X-Env "%{{SUITE_SET}}e"
</Location>
<Location /app/exp>
    ExpiresActive On
    ExpiresByType text/csv "access plus 1 hour"
    ExpiresDefault "access plus 10 minutes"
</Location>
<Location /app/errdoc>
    ErrorDocument 500 /errors/500.html
    ErrorDocument 404 "inline not found"
</Location>
<Location /app/override>
    WSGIErrorOverride On
    ErrorDocument 500 /errors/500.html
</Location>

<Directory {h}/fc>
    RewriteEngine On
    RewriteCond %{{REQUEST_FILENAME}} !-f
    RewriteRule ^(.*)$ /app/front/$1 [PT,E=SUITE_FC:$1]
</Directory>

<VirtualHost {ROOT_HOST}:{port}>
    ServerName rooted.test
    DocumentRoot {h}
    WSGIScriptAlias / {script}
</VirtualHost>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs", "wsgi"))


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _g(
    name: str,
    target: str,
    note: str,
    headers: list[tuple[str, str]] | None = None,
    method: str = "GET",
    address: str = "127.0.0.1",
) -> Case:
    return Case(name, request(method, target, headers or []), note, address=address)


PATHS = [
    _g("mount-root", "/app", "the mount itself: empty PATH_INFO"),
    _g("mount-slash", "/app/", "PATH_INFO /"),
    _g("mount-path", "/app/a/b", "PATH_INFO /a/b, SCRIPT_NAME /app"),
    _g("mount-query", "/app/q?x=1&y=%20z", "QUERY_STRING passed raw"),
    _g("mount-encoded", "/app/caf%C3%A9/sp%20ace", "PATH_INFO decoded (UTF-8 bytes)"),
    _g("mount-slash-encoded", "/app/a%2Fb", "an encoded slash: AllowEncodedSlashes Off"),
    _g("mount-dotdot", "/app/a/../b", "dot segments removed before the app"),
    _g("mount-double-slash", "/app//x//y", "double slashes kept in PATH_INFO"),
    _g("mount-prefix-only", "/application", "not under the mount: Apache's 404"),
    _g("root-slash", "/", "WSGIScriptAlias /: PATH_INFO /", address=ROOT_HOST),
    _g("root-path", "/x/y?z=1", "at the root: SCRIPT_NAME empty", address=ROOT_HOST),
    _g("root-encoded", "/caf%C3%A9?q=%41", "at the root, encoded", address=ROOT_HOST),
    _g("root-static-shadowed", "/index.html", "the root mount shadows files", address=ROOT_HOST),
]

ENV = [
    _g("env-setenv", "/app/env", "SetEnv reaches the app"),
    _g("env-setenvif", "/app/env", "SetEnvIf User-Agent", [("User-Agent", "probe/1")]),
    _g("env-rewrite", "/old/thing?k=v", "server RewriteRule [PT,E=] to the mount"),
    _g("env-rewrite-flag", "/flag/x", "RewriteRule [E=] value"),
    _g("env-header", "/app/env", "a request header as HTTP_*", [("X-Test", "hello")]),
    _g("auth-none", "/app/private/x", "Basic auth: no credentials, 401"),
    _g(
        "auth-ok",
        "/app/private/x",
        "REMOTE_USER and AUTH_TYPE",
        [("Authorization", _basic("alice", "secret"))],
    ),
    _g(
        "auth-bad",
        "/app/private/x",
        "wrong password: 401",
        [("Authorization", _basic("alice", "nope"))],
    ),
    _g(
        "auth-public",
        "/app/public",
        "Authorization without auth config",
        [("Authorization", _basic("alice", "secret"))],
    ),
]

OUTPUT = [
    _g("hdr-echo", "/app/hdr/headers", "Header set/append/unset on the app's answer"),
    _g("hdr-probe", "/app/hdr/headers", "Header ... env=", [("User-Agent", "probe/2")]),
    _g(
        "hdr-404",
        "/app/hdr/status/404",
        "the app's 404: Header set applies too (handler returned OK)",
    ),
    _g("hdr-500", "/app/hdr/status/500", "Header always on the app's 500"),
    _g("exp-default", "/app/exp/x", "ExpiresDefault on the app's answer"),
    _g("exp-bytype", "/app/exp/type/text/csv", "ExpiresByType on the app's type"),
    _g("exp-own-cc", "/app/exp/headers", "the app's Cache-Control and mod_expires"),
    _g("exp-404", "/app/exp/status/404", "the app's 404: no Expires"),
]

STATUS = [
    _g("status-200", "/app/status/200", "200 with Content-Length"),
    _g("status-201", "/app/status/201", "201 with a body"),
    _g("status-204", "/app/status/204", "204 with a body: Apache drops it"),
    _g("status-304", "/app/status/304", "304 with a body: Apache drops it"),
    _g("status-404", "/app/status/404", "the app's own 404 passes through"),
    _g("status-500", "/app/status/500", "the app's own 500 passes through"),
    _g("bare-200", "/app/bare/200", "200, no body, no Content-Length"),
    _g("bare-204", "/app/bare/204", "204, no body"),
    _g("bare-304", "/app/bare/304", "304, no body"),
    _g("bare-404", "/app/bare/404", "404, no body: not replaced by ErrorDocument"),
    _g("bare-500", "/app/bare/500", "500, no body"),
    _g("nolen", "/app/nolen", "no Content-Length, two chunks"),
    _g("head-echo", "/app/x", "HEAD to the app", method="HEAD"),
    _g("head-nolen", "/app/nolen", "HEAD, no Content-Length", method="HEAD"),
    _g("head-404", "/app/status/404", "HEAD, the app's 404", method="HEAD"),
    _g("post-echo", "/app/post", "POST to the app", method="POST"),
    _g("raise", "/app/raise", "the app raises before start_response: 500"),
    _g("raise-errdoc", "/app/errdoc/raise", "raises, with ErrorDocument 500"),
    _g("errdoc-404", "/app/errdoc/status/404", "the app's 404 with ErrorDocument: passed through"),
    _g("errdoc-500", "/app/errdoc/status/500", "the app's 500 with ErrorDocument: passed through"),
    _g(
        "override-500",
        "/app/override/status/500",
        "WSGIErrorOverride On acts in daemon mode only: passed through",
    ),
    _g(
        "override-404",
        "/app/override/status/404",
        "WSGIErrorOverride On, embedded mode: the app's 404 kept",
    ),
    _g("override-200", "/app/override/x", "WSGIErrorOverride On, a 200"),
]

WIRE = [
    _g("hop-conn", "/app/hop/conn", "H09 the app sends Connection"),
    _g("len-short", "/app/shortlen", "H09 Content-Length shorter than the body"),
    _g("len-long", "/app/longlen", "H09 Content-Length longer than the body"),
]

FRONT = [
    _g("fc-static", "/fc/assets/site.css", "an existing file: served by Apache"),
    _g("fc-readme", "/fc/readme.txt", "an existing file at the top"),
    _g("fc-route", "/fc/users/5?page=2", "a missing file: routed to the app"),
    _g("fc-route-encoded", "/fc/caf%C3%A9", "a missing encoded path routed"),
    _g("fc-dir", "/fc/assets/", "an existing directory is not a file: routed"),
    _g("fc-head", "/fc/blog/1", "HEAD routed to the app", method="HEAD"),
    _g("missing-static", "/nothing", "outside the app: ErrorDocument 404 file"),
]

CASES = [*PATHS, *ENV, *OUTPUT, *STATUS, *WIRE, *FRONT]

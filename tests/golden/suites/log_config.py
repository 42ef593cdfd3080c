"""mod_log_config: every LogFormat item, written by several CustomLog lines into the one
access.log the recorder reads (so each request's entry is several lines, compared whole).

- ``A`` (a GlobalLog, so the second virtual host keeps it): addresses, user, request
  line and its parts, file, statuses and bytes of the original and final request,
  handler, names and ports, connection items, arguments on letters that ignore them,
  bogus arguments that are logged as written, mod_logio's items, escapes in the
  format text.
- ``B`` (``env=!NOB``): request and response headers (Content-Type and Set-Cookie
  special cases, ``Header always``), cookies, environment, notes, status conditions.
- ``C`` (``env=TIMES``): the time and process items, which change per request; each is
  written between ``{~`` and ``~}`` so that compare.py masks it to its shape.
- ``D`` (``expr=``), ``E`` (TransferLog: the default LogFormat), a nickname never
  defined (logged literally) and one defined after its CustomLog, in another case.
- ``V2``: a virtual host with a CustomLog of its own logs there and in the GlobalLog.
"""

from __future__ import annotations

import base64

from ..harness import Case, header, request, set_mtimes, with_log_format

NAME = "log_config"

ITEMS_A = (
    "A %h|%{c}h|%a|%{c}a|%A|%l|%u|%r|%m|%U|%>U|%<U|%q|%H|%f|%<f|%s|%>s|%<s|%b|%B|%<B|"
    "%R|%v|%V|%p|%{canonical}p|%{Bogus}p|%k|%X|{~%L~}|{~%{c}L~}|%{foo}s|%{foo}U|%{bogus}T|"
    "%{Bogus}P|%{x}A|%I|%O|%S|%^FB|%{x}^ti|%{x}^to|%%|\\t|\\q|\\\\\\\\|\\n-"
)
ITEMS_B = (
    "B ua=%{User-Agent}i|ref=%{Referer}i|e=%{X-Empty}i|m=%{X-Multi}i|ck=%{Cookie}i|"
    "sid=%{sid}C|SID=%{SID}C|th=%{theme}C|eq=%{eq}C|ct=%{Content-Type}o|sc=%{Set-Cookie}o|"
    "two=%{X-Two}o|al=%{X-Always}o|both=%{X-Both}o|cn=%{Connection}o|cl=%{Content-Length}o|"
    "lm=%{Last-Modified}o|loc=%{Location}o|vary=%{Vary}o|ka=%{Keep-Alive}o|tag=%{ETag}o|"
    "ar=%{Accept-Ranges}o|le=%{LOGME}e|rs=%{REDIRECT_STATUS}e|ors=%<{REDIRECT_STATUS}e|"
    "un=%{NOSUCH}e|nt=%{two-note}n|c1=%400,404{User-Agent}i|c2=%!200,304{User-Agent}i|"
    "c3=%200{X-Cond}i|c4=%!404>{X-Cond}i|c5=%<404s|c6=%!,401,{X-Cond}i"
)
ITEMS_C = " ".join(
    "{~" + item + "~}"
    for item in (
        "%t",
        "%{%d/%b/%Y:%H:%M:%S %z}t",
        "%{begin:%a %A %B %p %j %U %w %y %Z %c %x %X %r %%}t",
        "%{end:%H}t",
        "%{sec}t",
        "%{msec}t",
        "%{usec}t",
        "%{msec_frac}t",
        "%{usec_frac}t",
        "%{begin:msec}t",
        "%{end:usec_frac}t",
        "%{end}t",
        "%{begin}t",
        "%{}t",
        "%D",
        "%T",
        "%{ms}T",
        "%{US}T",
        "%{s}T",
        "%P",
        "%{pid}P",
        "%{tid}P",
        "%{hextid}P",
        "%{remote}p",
        "%{local}p",
    )
)
# Literal: a strftime format that only looks like a unit, and a prefix without ":".
ITEMS_C += " %{msecfoo}t %{beginX}t %{+}t"


def _q(text: str) -> str:
    """A LogFormat argument in double quotes (the config parser takes \\" as ")."""
    return '"' + text.replace('"', '\\"') + '"'


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    modules = (
        "headers",
        "setenvif",
        "env",
        "rewrite",
        "alias",
        "auth_basic",
        "authn_core",
        "authn_file",
        "authz_user",
        "remoteip",
        "dir",
    )
    base = header(root, port, modules)
    base = with_log_format(base, f"LogFormat {_q(ITEMS_A)} combined")
    # The harness's CustomLog becomes a GlobalLog: the same line, inherited by every vhost.
    base = base.replace("CustomLog ", "GlobalLog ", 1)
    log = f"{root}/logs/access.log"
    return (
        base
        + f"""
LogFormat "E %>s %U %{{X-Log}}i"
CustomLog {log} {_q(ITEMS_B)} env=!NOB
CustomLog {log} {_q(ITEMS_C)} env=TIMES
CustomLog {log} "D %>s %U" "expr=%{{REQUEST_STATUS}} -ge 401 || req('X-Cond') == 'yes'"
TransferLog {log}
CustomLog {log} nosuchnick env=NICK
CustomLog {log} LATERNICK ENV=LATER
LogFormat "F %>s later" laternick
LogIOTrackTTFB Off
SetEnvIf X-Log times TIMES
SetEnvIf Request_URI ^/times/ TIMES
SetEnvIf X-Log nob NOB
SetEnvIf X-Log nick NICK
SetEnvIf X-Log later LATER
SetEnvIf X-Log logme LOGME=yes
RemoteIPHeader X-Client-IP
RemoteIPInternalProxy 127.0.0.1
DocumentRoot {h}
<Directory {h}>
    Require all granted
    RewriteEngine On
    RewriteRule ^old\\.txt$ a.txt [L]
</Directory>
DirectoryIndex index.html
ErrorDocument 404 /err.html
Redirect 302 /redir http://localhost/a.txt
<Directory {h}/utf>
    AddDefaultCharset utf-8
</Directory>
<Directory {h}/hdr>
    Header add Set-Cookie a=1
    Header add Set-Cookie "b=2; Path=/"
    Header add X-Two one
    Header add X-Two two
    Header always set X-Always yes
    Header always set X-Both always
    Header set X-Both onsuccess
    Header note X-Two two-note
    Header append Vary Accept
</Directory>
<Directory {h}/auth>
    AuthType Basic
    AuthName "Log test"
    AuthUserFile {root}/users
    Require valid-user
</Directory>
<Directory {h}/deny>
    Require all denied
</Directory>
<Directory {h}/quiet>
    Require all denied
    LogLevel crit
</Directory>
<Directory {h}/modquiet>
    Require all denied
    LogLevel authz_core:crit
</Directory>
<Directory {h}/loud>
    LogLevel info
</Directory>
<Location /loud/nope>
    LogLevel core:crit
</Location>
<VirtualHost *>
    ServerName localhost
</VirtualHost>
<VirtualHost *>
    ServerName v2.example
    ServerAlias *.v2.example
    CustomLog {log} "V2 %v %V %>s %U %p"
</VirtualHost>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs",))


def _basic(user: str, password: str) -> tuple[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return ("Authorization", f"Basic {token}")


def _g(name: str, target: str, note: str, headers: list[tuple[str, str]] | None = None) -> Case:
    return Case(name, request("GET", target, headers or []), note)


FUTURE = "Sat, 01 Jan 2050 00:00:00 GMT"

CASES = [
    _g("file", "/a.txt", "a plain file: every item of the original request"),
    _g("query", '/a.txt?x=1&y="q"\\', "%q and %r escape quotes and backslashes"),
    Case("head", request("HEAD", "/a.txt"), "HEAD: %b is -, %B 0"),
    _g("index", "/", "DirectoryIndex: a fast redirect, %U stays /"),
    _g("missing", "/nope", "ErrorDocument: %<U, %>U, %f, REDIRECT_STATUS of the final"),
    _g("missing-query", "/nope?q=1", "the error document's %q"),
    _g("rewrite", "/old.txt", "per-directory rewrite: an internal redirect"),
    _g("redirect", "/redir", "a 302: Location in %{Location}o"),
    _g("not-modified", "/a.txt", "304", [("If-Modified-Since", FUTURE)]),
    _g("range", "/a.txt", "206 and its bytes", [("Range", "bytes=0-3")]),
    Case("post", request("POST", "/a.txt", body=b"x" * 20), "POST to a file"),
    Case("options", request("OPTIONS", "/a.txt"), "OPTIONS"),
    Case("http10", request("GET", "/a.txt", host=None, version="HTTP/1.0"), "no Host"),
    Case(
        "keepalive",
        request("GET", "/a.txt", close=False, version="HTTP/1.0"),
        "HTTP/1.0 without keep-alive: %X",
    ),
    Case(
        "password-in-target",
        request("GET", "http://us:pw@localhost/a.txt"),
        "userinfo in the target: refused, %r hides the password",
    ),
    Case(
        "absolute-target",
        request("GET", "http://localhost/a.txt?z=1"),
        "absolute-form target: %r as sent, %U the path",
    ),
    _g("auth-ok", "/auth/a.txt", "%u", [_basic("alice", "secret")]),
    _g("auth-bad", "/auth/a.txt", "%u of a wrong password", [_basic("alice", "nope")]),
    _g("auth-none", "/auth/a.txt", "401 without credentials"),
    _g("auth-utf8", "/auth/a.txt", "%u escapes UTF-8", [_basic("zoë", "pässword")]),
    _g("auth-empty-user", "/auth/a.txt", "an empty user name", [_basic("", "x")]),
    _g("forbidden", "/deny/a.txt", "403"),
    _g("loglevel-dir", "/quiet/a.txt", "a per-directory LogLevel silences AH01630 (and %L)"),
    _g("loglevel-dir-module", "/modquiet/a.txt", "per directory, per module"),
    _g("loglevel-dir-info", "/loud/nope", "LogLevel info in a directory, core:crit by Location"),
    _g("loglevel-dir-info-file", "/loud/a.txt", "LogLevel info where nothing fails"),
    _g("loglevel-dir-info-missing", "/loud/gone.txt", "a 404 with LogLevel info"),
    _g("remoteip", "/a.txt", "%a %h from X-Client-IP", [("X-Client-IP", "203.0.113.9")]),
    _g(
        "remoteip-chain",
        "/a.txt",
        "a chain",
        [("X-Client-IP", "198.51.100.7, 203.0.113.9")],
    ),
    _g(
        "ua-escapes",
        "/a.txt",
        "quote, backslash, tab in a header",
        [("User-Agent", 'a"b\\c\td'), ("Referer", 'http://r.example/?q="1"')],
    ),
    Case(
        "ua-high-bytes",
        request("GET", "/a.txt", [(b"User-Agent", b"caf\xe9 \xff")]),
        "bytes above 0x7f as \\xhh",
    ),
    _g("empty-header", "/a.txt", "an empty header is logged empty", [("X-Empty", "")]),
    _g("multi-header", "/a.txt", "repeated request headers", [("X-Multi", "1"), ("X-Multi", "2")]),
    _g(
        "cookies",
        "/a.txt",
        "%{name}C: case, blanks, values with =",
        [("Cookie", "a=b; SID = v1 ; theme=dark;x; eq=a=b")],
    ),
    _g("cookie-empty", "/a.txt", "an empty value is skipped", [("Cookie", "sid=; theme=")]),
    _g("cookie-leading", "/a.txt", "leading ; and =", [("Cookie", ";;=sid=z; theme = light")]),
    _g("headers-dir", "/hdr/h.txt", "Set-Cookie joined, X-Two first, Header always first"),
    _g("headers-dir-missing", "/hdr/nope", "404 in the headers directory"),
    _g("utf-charset", "/utf/x.txt", "%{Content-Type}o without its charset"),
    _g("cond-200", "/a.txt", "status conditions on a 200", [("X-Cond", "c")]),
    _g("cond-404", "/nope", "status conditions on a 404", [("X-Cond", "c")]),
    _g("cond-401", "/auth/a.txt", "status conditions on a 401", [("X-Cond", "c")]),
    _g("expr-yes", "/a.txt", "expr= condition true", [("X-Cond", "yes")]),
    _g("nob", "/a.txt", "env=!NOB drops the B line", [("X-Log", "nob")]),
    _g("logme", "/a.txt", "%{LOGME}e", [("X-Log", "logme")]),
    _g("nick-undefined", "/a.txt", "a nickname never defined", [("X-Log", "nick")]),
    _g("nick-later", "/a.txt", "a nickname defined later, other case", [("X-Log", "later")]),
    _g("times", "/a.txt", "the time items", [("X-Log", "times")]),
    _g("times-uri", "/times/t.txt", "env= from SetEnvIf Request_URI"),
    _g("times-404", "/times/nope", "the time items of a 404"),
    _g("encoded", "/%61.txt", "%U decoded, %r as sent"),
    _g("space", "/a%20b.txt", "a space in %U and %f"),
    _g("utf8-path", "/caf%C3%A9.txt", "UTF-8 in %U and %f"),
    _g("utf8-missing", "/%C3%A9t%C3%A9", "a 404 with UTF-8 in %U"),
    _g("encoded-quote", "/%22x%5C.txt", "quote and backslash decoded in %U"),
    _g("dot-segments", "/x/../a.txt", "%r as sent, %U normalised"),
    Case("trace", request("TRACE", "/a.txt"), "TRACE"),
    Case("bad-method", request("FOO", "/a.txt"), "an unknown method"),
    Case("lowercase-method", request("get", "/a.txt"), "a method Apache does not know"),
    Case("vhost-2", request("GET", "/a.txt", host="v2.example"), "a vhost's own CustomLog"),
    Case("vhost-2-port", request("GET", "/nope", host="www.v2.example:81"), "%V, a port"),
    Case("vhost-1", request("GET", "/a.txt", host="LocalHost"), "the first vhost: main logs"),
    Case("host-port", request("GET", "/a.txt", host="localhost:8081"), "%V %p, Host port"),
    _g("directory-no-slash", "/utf", "mod_dir's redirect"),
    _g("directory-slash", "/utf/", "a directory without index"),
    _g("long-header", "/a.txt", "a long value", [("User-Agent", "u" * 600)]),
    _g("referer-only", "/a.txt", "%!200,304{Referer}i on a 200", [("Referer", "http://x/")]),
]

"""mod_headers: Header (onsuccess and always) with set, add, append, merge, setifempty,
unset, echo, edit, edit*, note; env= and expr= conditions; %{VAR}e and escapes in values;
RequestHeader (seen through %{...}i in the log) and Header including ``early``; what
reaches an error page (only ``always``)."""

from __future__ import annotations

from ..harness import get_case, header, open_docroot, set_mtimes, with_log_format

NAME = "headers"

LOG = (
    'LogFormat "%h \\"%r\\" %>s req=%{X-Req}i ua=%{User-Agent}i early=%{X-Early}i '
    'note=%{etag-note}n" combined'
)


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    base = with_log_format(header(root, port, ("headers", "env", "setenvif")), LOG)
    return (
        base
        + f"""
{open_docroot(h)}SetEnv SRV server-value
SetEnvIf X-Flag 1 FLAG
RequestHeader set X-Early "from-early" early
Header set X-Early-Out "out" early
Header always set X-Early-Err "err" early
Header always append X-Early-Err "again" early
<Directory {h}/set>
    Header set X-Set "hello\\tworld"
    Header set X-Env "%{{SRV}}e and %{{NOPE}}e"
    Header set X-Pct "100%% sure"
    Header set X-Colon: "colon dropped from the name"
</Directory>
<Directory {h}/append>
    Header append Cache-Control "no-cache"
    Header append Cache-Control "private"
    Header add X-Dup a
    Header add X-Dup b
    Header merge X-M a
    Header merge X-M a
    Header merge X-M b
</Directory>
<Directory {h}/unset>
    Header unset ETag
    Header unset Last-Modified
    Header always unset Accept-Ranges
</Directory>
<Directory {h}/always>
    Header always set X-Always yes
    Header set X-Success yes
</Directory>
<Directory {h}/edit>
    Header edit ETag "^\\"(.*)\\"$" "W/\\"$1\\""
    Header set X-Many "a-b-c"
    Header edit* X-Many "-" "+"
    Header set X-Once "a-b-c"
    Header edit X-Once "-" "+"
</Directory>
<Directory {h}/cond>
    Header set X-If-Env 1 env=FLAG
    Header set X-If-Not 1 env=!FLAG
    Header set X-If-Expr 1 "expr=%{{REQUEST_URI}} =~ /cond/"
    Header set X-If-Expr-No 1 "expr=%{{REQUEST_URI}} =~ /nope/"
</Directory>
<Directory {h}/echo>
    Header echo ^X-Echo
</Directory>
<Directory {h}/setifempty>
    Header setifempty X-Empty filled
    Header setifempty Accept-Ranges none
</Directory>
<Directory {h}/note>
    Header note ETag etag-note
</Directory>
<Directory {h}/req>
    RequestHeader set X-Req "request-value"
    RequestHeader unset User-Agent
</Directory>
<Directory {h}/ctype>
    Header set Content-Type "text/x-forced"
</Directory>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs",))


CASES = [
    get_case("set", "/set/a.txt", "set, escapes, %{VAR}e, %%"),
    get_case("append", "/append/a.txt", "append, add, merge"),
    get_case("unset", "/unset/a.txt", "unset and always unset"),
    get_case("always-ok", "/always/a.txt", "always and onsuccess on a 200"),
    get_case("always-404", "/always/nope.txt", "only always on an error page"),
    get_case("edit", "/edit/a.txt", "edit and edit*"),
    get_case("cond-flag", "/cond/a.txt", "env= with the variable", [("X-Flag", "1")]),
    get_case("cond-noflag", "/cond/a.txt", "env=! without it"),
    get_case(
        "echo",
        "/echo/a.txt",
        "echo request headers by regex",
        [("X-Echo-One", "1"), ("X-Echo-Two", "2"), ("X-Other", "3")],
    ),
    get_case("setifempty", "/setifempty/a.txt", "setifempty"),
    get_case("note", "/note/a.txt", "note ETag into a note (logged)"),
    get_case("request", "/req/a.txt", "RequestHeader set/unset", [("User-Agent", "agent/1")]),
    get_case("content-type", "/ctype/a.txt", "Header set Content-Type"),
    get_case("not-modified", "/set/a.txt", "304 with onsuccess headers", [("If-None-Match", "*")]),
]

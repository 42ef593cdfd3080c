"""mod_env (SetEnv, UnsetEnv, PassEnv) and mod_setenvif (SetEnvIf, SetEnvIfNoCase,
SetEnvIfExpr, BrowserMatch, BrowserMatchNoCase): which variables a request ends with,
seen through %{VAR}e in the access log; server context (post_read_request) against
<Directory> and .htaccess (header_parser); $N captures, !var, special attributes, header
name regexes, literal patterns, and Require env driven by SetEnvIf."""

from __future__ import annotations

from ..harness import Case, header, request, set_mtimes

NAME = "env_setenvif"

VARS = (
    "A",
    "B",
    "CAP",
    "LIT",
    "NC",
    "BOT",
    "EXPR",
    "M",
    "U",
    "HDR",
    "CHAIN",
    "GONE",
    "DIRV",
    "SRV",
    "FROM_HTACCESS",
    "HT_MODE",
    "PASSED",
    "EQ",
)
LOG = 'LogFormat "%h \\"%r\\" %>s ' + " ".join(f"{v}=%{{{v}}}e" for v in VARS) + '" combined'


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    base = header(root, port, ("env", "setenvif"))
    start = base.index("LogFormat")
    base = base[:start] + LOG + base[base.index("\n", start) :]
    return (
        base
        + f"""
DocumentRoot {h}
<Directory {h}>
    Require all granted
</Directory>
SetEnv SRV server-value
SetEnv GONE will-be-unset
PassEnv PATH
PassEnv APACHEMW_NO_SUCH_VARIABLE
SetEnvIf X-A "^yes$" A
SetEnvIf X-A "^yes$" B=second
SetEnvIf X-Cap "^(\\w+)-(\\w+)$" CAP=$2+$1
SetEnvIf X-Lit "a.b" LIT=dots
SetEnvIf X-Lit "plain" LIT=literal
SetEnvIfNoCase X-Nc "^abc$" NC=1
BrowserMatch "bot" BOT=1
BrowserMatchNoCase "CRAWLER" BOT=crawler
SetEnvIfExpr "req('X-E') =~ /^(\\d+)$/" EXPR=n$1
SetEnvIf Request_Method "^POST$" M=post
SetEnvIf Request_URI "^/dir/" U=dir
SetEnvIf "^X-H[0-9]$" ".+" HDR=any
SetEnvIf X-A "^yes$" CHAIN=1
SetEnvIf CHAIN "^1$" CHAIN=2 !B
SetEnvIf X-Eq "." EQ=a=b
<Directory {h}/dir>
    SetEnvIf X-D "(.*)" DIRV=d-$1
    UnsetEnv GONE
    SetEnvIf Request_URI "." !A
</Directory>
<Directory {h}/ht>
    AllowOverride FileInfo
</Directory>
<Directory {h}/plain>
    Require env A
</Directory>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs",))


def _g(
    name: str,
    target: str,
    note: str,
    headers: list[tuple[str, str]] | None = None,
    method: str = "GET",
) -> Case:
    return Case(name, request(method, target, headers or []), note)


CASES = [
    _g("none", "/a.txt", "only SetEnv and PassEnv"),
    _g("two-features", "/a.txt", "two SetEnvIf lines, one condition", [("X-A", "yes")]),
    _g("captures", "/a.txt", "$1 $2", [("X-Cap", "left-right")]),
    _g("literal-dots", "/a.txt", "'a.b' is a regex: a.b matches axb", [("X-Lit", "axb")]),
    _g("literal", "/a.txt", "a literal pattern: substring", [("X-Lit", "is plain here")]),
    _g("nocase", "/a.txt", "SetEnvIfNoCase", [("X-Nc", "ABC")]),
    _g("case", "/a.txt", "SetEnvIf X-Nc is case-blind only with NoCase", [("X-Nc", "abcd")]),
    _g("bot", "/a.txt", "BrowserMatch", [("User-Agent", "friendly-bot/1.0")]),
    _g("crawler", "/a.txt", "BrowserMatchNoCase", [("User-Agent", "A crawler")]),
    _g("expr", "/a.txt", "SetEnvIfExpr with a capture", [("X-E", "42")]),
    _g("expr-miss", "/a.txt", "SetEnvIfExpr false", [("X-E", "4x")]),
    _g("method", "/a.txt", "Request_Method", method="POST"),
    _g("header-regex", "/a.txt", "a regex over header names", [("X-H7", "v")]),
    _g("chain", "/a.txt", "an env var as the attribute, !B", [("X-A", "yes")]),
    _g("equals", "/a.txt", "value with '='", [("X-Eq", "z")]),
    _g("dir", "/dir/a.txt", "<Directory> rules, UnsetEnv, !A", [("X-A", "yes"), ("X-D", "q")]),
    _g("htaccess", "/ht/a.txt", ".htaccess SetEnv and SetEnvIf", [("X-Mode", "dark")]),
    _g("require-env-yes", "/plain/a.txt", "Require env A after SetEnvIf", [("X-A", "yes")]),
    _g("require-env-no", "/plain/a.txt", "Require env A without it"),
]

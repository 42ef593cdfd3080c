"""mod_env (SetEnv, UnsetEnv, PassEnv) and mod_setenvif (SetEnvIf, SetEnvIfNoCase,
SetEnvIfExpr, BrowserMatch, BrowserMatchNoCase): which variables a request ends with,
seen through %{VAR}e in the access log; server context (post_read_request) against
<Directory> and .htaccess (header_parser); $N captures, !var, special attributes, header
name regexes, literal patterns, and Require env driven by SetEnvIf."""

from __future__ import annotations

from ..harness import get_case, header, open_docroot, set_mtimes, with_log_format

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
    base = with_log_format(base, LOG)
    return (
        base
        + f"""
{open_docroot(h)}SetEnv SRV server-value
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


CASES = [
    get_case("none", "/a.txt", "only SetEnv and PassEnv"),
    get_case("two-features", "/a.txt", "two SetEnvIf lines, one condition", [("X-A", "yes")]),
    get_case("captures", "/a.txt", "$1 $2", [("X-Cap", "left-right")]),
    get_case("literal-dots", "/a.txt", "'a.b' is a regex: a.b matches axb", [("X-Lit", "axb")]),
    get_case("literal", "/a.txt", "a literal pattern: substring", [("X-Lit", "is plain here")]),
    get_case("nocase", "/a.txt", "SetEnvIfNoCase", [("X-Nc", "ABC")]),
    get_case("case", "/a.txt", "SetEnvIf X-Nc is case-blind only with NoCase", [("X-Nc", "abcd")]),
    get_case("bot", "/a.txt", "BrowserMatch", [("User-Agent", "friendly-bot/1.0")]),
    get_case("crawler", "/a.txt", "BrowserMatchNoCase", [("User-Agent", "A crawler")]),
    get_case("expr", "/a.txt", "SetEnvIfExpr with a capture", [("X-E", "42")]),
    get_case("expr-miss", "/a.txt", "SetEnvIfExpr false", [("X-E", "4x")]),
    get_case("method", "/a.txt", "Request_Method", method="POST"),
    get_case("header-regex", "/a.txt", "a regex over header names", [("X-H7", "v")]),
    get_case("chain", "/a.txt", "an env var as the attribute, !B", [("X-A", "yes")]),
    get_case("equals", "/a.txt", "value with '='", [("X-Eq", "z")]),
    get_case(
        "dir", "/dir/a.txt", "<Directory> rules, UnsetEnv, !A", [("X-A", "yes"), ("X-D", "q")]
    ),
    get_case("htaccess", "/ht/a.txt", ".htaccess SetEnv and SetEnvIf", [("X-Mode", "dark")]),
    get_case("require-env-yes", "/plain/a.txt", "Require env A after SetEnvIf", [("X-A", "yes")]),
    get_case("require-env-no", "/plain/a.txt", "Require env A without it"),
]

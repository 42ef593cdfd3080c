"""mod_rewrite in server context: every RewriteRule flag with an observable answer,
RewriteCond pattern types and flags, server variables, backreferences, and the 2024
hardening (H01-H07, R01-R03, X07, the Confusion Attack `%3F` payloads).

A rule that wants its internal result seen rewrites to `/echo/...` without [L]; the last
rule turns that into a redirect to http://echo.test/..., so Location shows the path and
query string the earlier rules produced. Conditions pick /yes.txt or /no.txt.
"""

from __future__ import annotations

import os

from ..harness import Case, header, request, set_mtimes

NAME = "rewrite_server"

# name -> (RewriteCond lines, requests as (case suffix, headers, note))
Hdrs = list[tuple[str, str]]

CONDS: dict[str, list[str]] = {
    "regex": ["%{HTTP:X-V} ^ab+c$"],
    "negated": ["%{HTTP:X-V} !^abc$"],
    "nc": ["%{HTTP:X-V} ^abc$ [NC]"],
    "or": ["%{HTTP:X-A} =1 [OR]", "%{HTTP:X-B} =1"],
    "and": ["%{HTTP:X-A} =1", "%{HTTP:X-B} =1"],
    "nv": ["%{HTTP:X-V} ^abc$ [NV]"],
    "lt": ["%{HTTP:X-V} <m"],
    "gt": ["%{HTTP:X-V} >m"],
    "le": ["%{HTTP:X-V} <=m"],
    "ge": ["%{HTTP:X-V} >=m"],
    "lt-nc": ["%{HTTP:X-V} <m [NC]"],
    "eq": ["%{HTTP:X-V} =abc"],
    "eq-nc": ["%{HTTP:X-V} =abc [NC]"],
    "eq-empty": ['%{HTTP:X-V} =""'],
    "int-eq": ["%{HTTP:X-V} -eq10"],
    "int-ne": ["%{HTTP:X-V} -ne10"],
    "int-lt": ["%{HTTP:X-V} -lt10"],
    "int-le": ["%{HTTP:X-V} -le10"],
    "int-gt": ["%{HTTP:X-V} -gt10"],
    "int-ge": ["%{HTTP:X-V} -ge10"],
    "file-f": ["%{DOCUMENT_ROOT}/files/%{HTTP:X-V} -f"],
    "file-d": ["%{DOCUMENT_ROOT}/files/%{HTTP:X-V} -d"],
    "file-s": ["%{DOCUMENT_ROOT}/files/%{HTTP:X-V} -s"],
    "file-l": ["%{DOCUMENT_ROOT}/files/%{HTTP:X-V} -l"],
    "file-L": ["%{DOCUMENT_ROOT}/files/%{HTTP:X-V} -L"],
    "file-h": ["%{DOCUMENT_ROOT}/files/%{HTTP:X-V} -h"],
    "file-x": ["%{DOCUMENT_ROOT}/files/%{HTTP:X-V} -x"],
    "file-not-f": ["%{DOCUMENT_ROOT}/files/%{HTTP:X-V} !-f"],
    "file-F": ["%{DOCUMENT_ROOT}/%{HTTP:X-V} -F"],
    "url-U": ["%{HTTP:X-V} -U"],
    "reqfile-f": ["%{REQUEST_FILENAME} -f"],
    "expr-strmatch": ["expr \"%{HTTP:X-V} -strmatch 'a*'\""],
    "expr-regex": ['expr "%{QUERY_STRING} =~ /^id=[0-9]+$/"'],
    "expr-in": ["expr \"%{HTTP:X-V} in { 'red', 'green' }\""],
    "method": ["%{REQUEST_METHOD} =POST"],
    "https": ["%{HTTPS} =off"],
    "the-request": ["%{THE_REQUEST} ^GET\\ /c/the-request\\?x\\ HTTP/1\\.1$"],
    "cond-sees-dollar": ["$1 =abc"],
}

# One entry per request: (cond name, case suffix, extra headers, note). The request is
# GET /c/<cond name> unless a target is given.
CondReq = tuple[str, str, Hdrs, str]
X = "X-V"
COND_REQS: list[CondReq] = [
    ("regex", "match", [(X, "abbbc")], "regex cond matches"),
    ("regex", "miss", [(X, "ac")], "regex cond misses"),
    ("regex", "absent", [], "absent header expands to empty"),
    ("negated", "match", [(X, "abd")], "!regex true"),
    ("negated", "miss", [(X, "abc")], "!regex false"),
    ("nc", "upper", [(X, "ABC")], "[NC] regex"),
    ("or", "a", [("X-A", "1")], "[OR]: first true"),
    ("or", "b", [("X-B", "1")], "[OR]: second true"),
    ("or", "none", [], "[OR]: both false"),
    ("and", "both", [("X-A", "1"), ("X-B", "1")], "implicit AND: both true"),
    ("and", "one", [("X-A", "1")], "implicit AND: one false"),
    ("nv", "match", [(X, "abc")], "[NV]: no Vary for X-V"),
    ("regex", "vary", [(X, "abc"), ("X-Other", "1")], "Vary only for the tested header"),
    ("lt", "a", [(X, "a")], "'a' < 'm'"),
    ("lt", "z", [(X, "z")], "'z' < 'm' is false"),
    ("lt", "aa", [(X, "aa")], "length first: 'aa' < 'm' is false"),
    ("lt", "empty", [], "'' < 'm'"),
    ("gt", "aa", [(X, "aa")], "length first: 'aa' > 'm'"),
    ("gt", "n", [(X, "n")], "'n' > 'm'"),
    ("le", "m", [(X, "m")], "'m' <= 'm'"),
    ("ge", "m", [(X, "m")], "'m' >= 'm'"),
    ("ge", "l", [(X, "l")], "'l' >= 'm' is false"),
    ("lt-nc", "aa", [(X, "aa")], "[NC] string compare: no length rule"),
    ("lt-nc", "Z", [(X, "Z")], "[NC] 'Z' < 'm' case-folded is false"),
    ("eq", "match", [(X, "abc")], "=abc"),
    ("eq", "case", [(X, "ABC")], "=abc is case-sensitive"),
    ("eq-nc", "case", [(X, "ABC")], "=abc [NC]"),
    ("eq-empty", "absent", [], '="" with no header'),
    ("eq-empty", "set", [(X, "x")], '="" with a value'),
    ("int-eq", "10", [(X, "10")], "-eq 10"),
    ("int-eq", "010", [(X, "010")], "-eq: leading zero"),
    ("int-eq", "10abc", [(X, "10abc")], "-eq: atoi takes the leading digits"),
    ("int-eq", "abc", [(X, "abc")], "-eq: non-numeric is 0"),
    ("int-ne", "9", [(X, "9")], "-ne"),
    ("int-ne", "10", [(X, "10")], "-ne false"),
    ("int-lt", "9", [(X, "9")], "9 -lt 10 (numeric, unlike <)"),
    ("int-lt", "neg", [(X, "-5")], "-5 -lt 10"),
    ("int-le", "10", [(X, "10")], "-le"),
    ("int-gt", "100", [(X, "100")], "-gt"),
    ("int-gt", "abc", [(X, "abc")], "-gt: non-numeric is 0"),
    ("int-ge", "10", [(X, "10")], "-ge"),
    ("file-f", "file", [(X, "exists.txt")], "-f regular file"),
    ("file-f", "dir", [(X, "")], "-f on a directory"),
    ("file-f", "missing", [(X, "nope.txt")], "-f missing"),
    ("file-f", "link", [(X, "link.txt")], "-f follows a symlink"),
    ("file-d", "dir", [(X, "")], "-d directory"),
    ("file-d", "file", [(X, "exists.txt")], "-d on a file"),
    ("file-s", "nonempty", [(X, "exists.txt")], "-s non-empty file"),
    ("file-s", "empty", [(X, "empty.txt")], "-s empty file"),
    ("file-l", "link", [(X, "link.txt")], "-l symlink"),
    ("file-l", "file", [(X, "exists.txt")], "-l regular file"),
    ("file-l", "dangling", [(X, "dangling")], "-l dangling symlink"),
    ("file-L", "link", [(X, "link.txt")], "-L symlink"),
    ("file-h", "link", [(X, "link.txt")], "-h symlink"),
    ("file-x", "exec", [(X, "run.sh")], "-x executable"),
    ("file-x", "plain", [(X, "exists.txt")], "-x not executable"),
    ("file-not-f", "missing", [(X, "nope.txt")], "!-f on a missing file"),
    ("file-F", "ok", [(X, "a.txt")], "-F subrequest: file exists, access ok"),
    ("file-F", "denied", [(X, "denied/x.txt")], "-F subrequest: access denied"),
    ("file-F", "missing", [(X, "nope.txt")], "-F missing file"),
    ("url-U", "ok", [(X, "/a.txt")], "-U subrequest: status < 400"),
    ("url-U", "denied", [(X, "/denied/x.txt")], "-U subrequest: 403"),
    ("url-U", "missing", [(X, "/nope.txt")], "-U: a missing file still < 400 (no handler)"),
    ("reqfile-f", "server", [], "%{REQUEST_FILENAME} in server context is the URI: !-f"),
    ("expr-strmatch", "match", [(X, "abc")], "expr -strmatch"),
    ("expr-strmatch", "miss", [(X, "xbc")], "expr -strmatch misses"),
    ("expr-in", "match", [(X, "green")], "expr in {}"),
    ("expr-in", "miss", [(X, "blue")], "expr in {} misses"),
    ("https", "off", [], "%{HTTPS} is off"),
    ("cond-sees-dollar", "abc", [], "$1 of the rule is usable in its conditions"),
]


def _cond_rules() -> str:
    out = []
    for name, lines in CONDS.items():
        pat = f"^/c/{name}$" if name != "cond-sees-dollar" else "^/c/(abc)$"
        out += [f"RewriteCond {line}" for line in lines]
        out.append(f"RewriteRule {pat} /yes.txt [L]")
        out.append(f"RewriteRule {pat} /no.txt [L]")
    return "\n".join(out)


RULES = r"""
RewriteEngine On
# --- R and its codes
RewriteRule ^/r/default$ /a.txt [R]
RewriteRule ^/r/301$ /a.txt [R=301]
RewriteRule ^/r/302$ /a.txt [R=302]
RewriteRule ^/r/303$ /a.txt [R=303]
RewriteRule ^/r/307$ /a.txt [R=307]
RewriteRule ^/r/308$ /a.txt [R=308]
RewriteRule ^/r/permanent$ /a.txt [R=permanent]
RewriteRule ^/r/temp$ /a.txt [R=temp]
RewriteRule ^/r/seeother$ /a.txt [R=seeother]
RewriteRule ^/r/404$ - [R=404]
RewriteRule ^/r/410$ /a.txt [R=410]
RewriteRule ^/r/absolute$ https://example.com/x?y=1 [R=301]
RewriteRule ^/r/implicit$ http://example.com/implicit [L]
RewriteRule ^/r/self$ http://localhost/a.txt [L]
RewriteRule ^/r/self-port$ http://localhost:80/b.txt [L]
RewriteRule ^/r/other-port$ http://localhost:81/b.txt [L]
RewriteRule ^/r/query$ /a.txt?x=1 [R]
RewriteRule ^/r/keepquery$ /a.txt [R]
RewriteRule ^/r/dropquery$ /a.txt? [R]
RewriteRule ^/r/fragment$ /a.txt#frag [R]
RewriteRule ^/r/fragment-ne$ /a.txt#frag [R,NE]
RewriteRule ^/r/pct$ /a%20b.txt [R]
RewriteRule ^/r/pct-ne$ /a%20b.txt [R,NE]
RewriteRule ^/r/pct-escaped$ /a\%20b.txt [R,NE]
RewriteRule ^/r/pct-escaped-internal$ /a\%20b.txt [L]
RewriteRule ^/r/back/(.*)$ /s/$1 [R]
RewriteRule ^/r/back-ne/(.*)$ /s/$1 [R,NE]
RewriteRule ^/r/nol/x$ /r/nol/y [R]
RewriteRule ^(http://[^/]+)/r/nol/y$ $1/r/nol/z [R,L]
RewriteRule ^/r/relative$ a.txt [R]
RewriteRule ^/r/dash$ - [R]
# --- L and END across into .htaccess
RewriteRule ^/end/l$ /perdir/x.txt [L]
RewriteRule ^/end/end$ /perdir/x.txt [END]
# --- F and G
RewriteRule ^/f$ - [F]
RewriteRule ^/f/sub$ /a.txt [F]
RewriteRule ^/g$ - [G]
RewriteRule ^/fg/(.*)$ - [F,G]
# --- NC
RewriteRule ^/nc/abc$ /a.txt [NC,L]
RewriteRule ^/case/abc$ /a.txt [L]
# --- query strings
RewriteRule ^/qs/keep$ /echo/keep
RewriteRule ^/qs/replace$ /echo/replace?n=2
RewriteRule ^/qs/drop$ /echo/drop?
RewriteRule ^/qs/qsa$ /echo/qsa?n=2 [QSA]
RewriteRule ^/qs/qsa-empty$ /echo/qsa-empty? [QSA]
RewriteRule ^/qs/qsa-noq$ /echo/qsa-noq [QSA]
RewriteRule ^/qs/qsd$ /echo/qsd [QSD]
RewriteRule ^/qs/qsd-qsa$ /echo/qsd-qsa?n=2 [QSD,QSA]
RewriteRule ^/qs/qsd-new$ /echo/qsd-new?n=2 [QSD]
RewriteRule ^/qs/two-q$ /echo/a?b?c=1
RewriteRule ^/qs/qsl$ /echo/a?b?c=1 [QSL]
RewriteRule ^/qs/qsl-qsa$ /echo/a?b?c=1 [QSL,QSA]
RewriteRule ^/qs/var$ /echo/var?was=%{QUERY_STRING}
# --- B and friends: the backreference lands in the query, shown by echo
RewriteRule ^/b/plain/(.*)$ /echo/plain?q=$1
RewriteRule ^/b/b/(.*)$ /echo/b?q=$1 [B]
RewriteRule ^/b/chars/(.*)$ /echo/chars?q=$1 [B=&+]
RewriteRule ^/b/bnp/(.*)$ /echo/bnp?q=$1 [B,BNP]
RewriteRule ^/b/bctls/(.*)$ /echo/bctls?q=$1 [BCTLS]
RewriteRule ^/b/bne/(.*)$ /echo/bne?q=$1 [B,BNE=/]
RewriteRule ^/b/path/(.*)$ /echo/path/$1 [B]
RewriteCond %{QUERY_STRING} ^v=(.*)$
RewriteRule ^/b/cond$ /echo/cond?q=%1 [B]
# --- chains
RewriteRule ^/chain/(a|b)$ /chain-$1 [C]
RewriteRule ^/chain-a$ /a.txt [L]
RewriteRule ^/chain/(.*)$ /b.txt [L]
RewriteRule ^/chain3/(.*)$ /chain3-$1 [C]
RewriteRule ^/chain3-(x.*)$ /chain3-$1-y [C]
RewriteRule ^(.*)$ /echo$1
# --- S=n
RewriteCond %{QUERY_STRING} ^skip$
RewriteRule ^/skip$ - [S=2]
RewriteRule ^/skip$ /a.txt [L]
RewriteRule ^/skip$ /b.txt [L]
RewriteRule ^/skip$ /c.txt [L]
RewriteRule ^/skipchain$ - [S=1]
RewriteRule ^/skipchain$ /a.txt [C]
RewriteRule ^/a\.txt$ /b.txt [L]
RewriteRule ^/skipchain$ /c.txt [L]
# --- N
RewriteRule ^/n/(.*)x(.*)$ /n/$1$2 [N]
RewriteRule ^/n/(.*)$ /echo/n-$1
RewriteRule ^/nlimit/(.*)x(.*)$ /nlimit/$1$2 [N=3]
RewriteRule ^/nlimit/(.*)$ /echo/nlimit-$1
RewriteRule ^/nloop/(.*)$ /nloop/$1 [N]
# --- PT and Alias
RewriteRule ^/pt/(.*)$ /al/$1 [PT]
RewriteRule ^/nopt/(.*)$ /al/$1
RewriteRule ^/pt-l/(.*)$ /al/$1 [PT,L]
# --- E=
RewriteRule ^/env/ - [E=FOO:bar]
RewriteCond %{ENV:FOO} ^bar$
RewriteRule ^/env/set$ /a.txt [L]
RewriteRule ^/env/val/(.*)$ - [E=V:$1,E=W:%{REQUEST_METHOD}]
RewriteCond %{ENV:V}-%{ENV:W} (.+)
RewriteRule ^/env/val/ /echo/env-%1
RewriteRule ^/env/unset$ - [E=!FOO]
RewriteCond %{ENV:FOO} =""
RewriteRule ^/env/unset$ /b.txt [L]
RewriteRule ^/env/ /c.txt [L]
# --- T=
RewriteRule ^/type/(.*)$ /$1 [T=application/x-test,L]
RewriteRule ^/type-dash/a\.txt$ - [T=text/x-dash]
# --- CO=
RewriteRule ^/cookie/simple$ /a.txt [CO=n:v:localhost,L]
RewriteRule ^/cookie/full$ /a.txt [CO=n:v:.example.com:0:/p:secure:httponly,L]
RewriteRule ^/cookie/samesite$ /a.txt [CO=n:v:localhost:0:/:true:true:Strict,L]
RewriteRule ^/cookie/two$ /a.txt [CO=one:1:localhost,CO=two:2:localhost,L]
RewriteRule ^/cookie/expand/(.*)$ - [CO=k:$1:localhost]
RewriteRule ^/cookie/expand/ /b.txt [L]
RewriteRule ^/cookie/redirect$ /a.txt [CO=r:1:localhost,R,L]
RewriteRule ^/cookie/forbidden$ - [CO=f:1:localhost,F]
RewriteRule ^/cookie/empty-field$ /a.txt [CO=n:v:localhost::/p,L]
RewriteRule ^/cookie/same-name$ /a.txt [CO=d:1:localhost,CO=d:2:localhost,L]
RewriteRule ^/cookie/domain-zero$ /a.txt [CO=n:v:0,L]
RewriteRule ^/cookie/semicolons$ /a.txt [CO=;n;a:b;localhost;0;/;false;1;None,L]
RewriteRule ^/cookie/httponly-alone$ /a.txt [CO=n:v:localhost:0:/:0:true,L]
# --- NS (DirectoryIndex subrequests)
RewriteRule ^/ns/index\.html$ /ns/other.html [NS]
RewriteRule ^/ns2/index\.html$ /ns2/other.html
# --- UnsafeAllow3F / Confusion Attack
RewriteRule ^/u3f/(.*)$ /echo/$1 [UnsafeAllow3F]
RewriteRule ^/s3f/(.*)$ /echo/$1
RewriteRule "^/user/(.+)$" "/profiles/$1/profile.yml"
RewriteRule "^/html/(.*)$" "/$1.html"
RewriteRule ^/(typed/.+\.txt)$ /$1 [T=text/x-typed]
RewriteRule ^/ups/(.*)$ /$1 [UnsafePrefixStat]
RewriteRule ^/lit/(.*)$ /etc/$1
# --- CRLF and open redirects
RewriteCond %{REQUEST_URI} ^(/crlf/.+)/$
RewriteRule ^/crlf/ %1 [R=302]
RewriteCond %{QUERY_STRING} ^url=(.*)$
RewriteRule ^/jump$ %1 [R=302]
RewriteRule ^/go/(.*)$ $1 [R=302]
RewriteRule ^/cat/(.*) /backend?id=$1
RewriteRule ^/catb/(.*) /backend?id=$1 [B]
# --- variables
RewriteRule ^/var/uri http://echo.test/v=%{REQUEST_URI} [R,L]
RewriteRule ^/var/query http://echo.test/v=%{QUERY_STRING} [R,L]
RewriteRule ^/var/host http://echo.test/v=%{HTTP_HOST} [R,L]
RewriteRule ^/var/header http://echo.test/v=%{HTTP:X-Custom} [R,L]
RewriteRule ^/var/hosthdr http://echo.test/v=%{HTTP:Host} [R,L]
RewriteRule ^/var/method http://echo.test/v=%{REQUEST_METHOD} [R,L]
RewriteRule ^/var/the_request http://echo.test/v=%{THE_REQUEST} [R,L]
RewriteRule ^/var/filename http://echo.test/v=%{REQUEST_FILENAME} [R,L]
RewriteRule ^/var/docroot http://echo.test/v=%{DOCUMENT_ROOT} [R,L]
RewriteRule ^/var/server_name http://echo.test/v=%{SERVER_NAME} [R,L]
RewriteRule ^/var/server_port http://echo.test/v=%{SERVER_PORT} [R,L]
RewriteRule ^/var/https http://echo.test/v=%{HTTPS} [R,L]
RewriteRule ^/var/scheme http://echo.test/v=%{REQUEST_SCHEME} [R,L]
RewriteRule ^/var/protocol http://echo.test/v=%{SERVER_PROTOCOL} [R,L]
RewriteRule ^/var/remote http://echo.test/v=%{REMOTE_ADDR} [R,L]
RewriteRule ^/var/subreq http://echo.test/v=%{IS_SUBREQ} [R,L]
RewriteRule ^/var/unknown http://echo.test/v=[%{NO_SUCH_VAR}] [R,L]
RewriteRule ^/var/env http://echo.test/v=[%{ENV:NO_SUCH_ENV}] [R,L]
RewriteRule ^/var/ua http://echo.test/v=%{HTTP_USER_AGENT} [R,L]
RewriteRule ^/var/cookie http://echo.test/v=%{HTTP_COOKIE} [R,L]
RewriteRule ^/var/referer http://echo.test/v=%{HTTP_REFERER} [R,L]
RewriteRule ^/var/script_filename http://echo.test/v=%{SCRIPT_FILENAME} [R,L]
RewriteRule ^/var/api http://echo.test/v=%{API_VERSION} [R,L]
RewriteCond %{LA-U:REQUEST_FILENAME} (.*)
RewriteRule ^/var/la-u/(.*)$ http://echo.test/v=%1 [R,L]
RewriteRule ^/var/escape http://echo.test/v=\%{HTTPS}\$1 [R,L]
# --- backreferences
RewriteCond %{HTTP:X-V} ^(\w+)-(\w+)$
RewriteRule ^/br/(\w+)/(\w+)$ http://echo.test/$2/$1/%2/%1/$0/%0 [R,L]
RewriteCond %{HTTP:X-V} ^(\w+)$
RewriteCond %{HTTP:X-W} ^(\w+)$
RewriteRule ^/br/last$ http://echo.test/%1 [R,L]
RewriteCond %{HTTP:X-V} ^(\w+)$
RewriteCond %{HTTP:X-W} !^(\w+)$
RewriteRule ^/br/negated$ http://echo.test/%1 [R,L]
RewriteRule ^/br/unset(x)?$ http://echo.test/[$1][$9][%1] [R,L]
RewriteRule ^/br/neg-rule(?!x) http://echo.test/[$0] [R,L]
# --- PCRE matches bytes, not characters
RewriteRule ^/bytes/split/(.)(.*)$ /echo/split?a=$1&b=$2
RewriteRule ^/bytes/splitb/(.)(.*)$ /echo/splitb?a=$1&b=$2 [B]
RewriteRule ^/bytes/path/(.)(.*)$ /echo/path/$2/$1
RewriteRule ^/bytes/len/.{2}$ /yes.txt [L]
RewriteRule ^/bytes/hex/\xc3\xa9$ /yes.txt [L]
RewriteRule ^/bytes/lit/é$ /yes.txt [L]
RewriteRule ^/bytes/class/[é]$ /yes.txt [L]
RewriteRule ^/bytes/nc/É$ /yes.txt [NC,L]
RewriteCond %{QUERY_STRING} ^(.)
RewriteRule ^/bytes/cond$ /echo/cond?c=%1
RewriteRule ^/bytes/ /no.txt [L]
"""

COND_RULES_MARK = "# --- conditions"

TAIL = r"""
RewriteRule ^/echo/(.*)$ http://echo.test/$1 [R=302,L]
"""


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    return (
        header(root, port, ("alias", "dir", "rewrite"))
        + f"""
DocumentRoot {h}
DirectoryIndex index.html
<Directory {h}>
    Options FollowSymLinks
    Require all granted
</Directory>
<Directory {h}/denied>
    Require all denied
</Directory>
<Directory {h}/perdir>
    AllowOverride FileInfo
</Directory>
Alias /al {root}/aliased
<Directory {root}/aliased>
    Require all granted
</Directory>
<Directory {root}/outside>
    Require all granted
</Directory>
AddType text/plain .yml
"""
        + RULES
        + COND_RULES_MARK
        + "\n"
        + _cond_rules()
        + "\n"
        + f"RewriteRule ^/fs/(.*)$ {root}/outside/$1 [L]\n"
        + TAIL
    )


def prepare(root: str) -> None:
    files = os.path.join(root, "htdocs", "files")
    os.chmod(os.path.join(files, "run.sh"), 0o755)
    os.symlink("exists.txt", os.path.join(files, "link.txt"))
    os.symlink("nowhere.txt", os.path.join(files, "dangling"))
    set_mtimes(root, ("htdocs", "aliased", "outside"))


def _g(name: str, target: str, note: str, headers: Hdrs | None = None, **kw: object) -> Case:
    return Case(name, request("GET", target, headers or [], **kw), note)  # type: ignore[arg-type]


def _conds() -> list[Case]:
    cases = [
        _g(f"cond-{n}-{s}", f"/c/{n}" if n != "cond-sees-dollar" else "/c/abc", note, hdrs)
        for n, s, hdrs, note in COND_REQS
    ]
    cases.append(Case("cond-method-post", request("POST", "/c/method"), "%{REQUEST_METHOD}"))
    cases.append(_g("cond-method-get", "/c/method", "%{REQUEST_METHOD} is GET"))
    cases.append(_g("cond-the-request", "/c/the-request?x", "%{THE_REQUEST} raw line"))
    cases.append(_g("cond-expr-regex", "/c/expr-regex?id=42", "expr =~"))
    cases.append(_g("cond-expr-regex-miss", "/c/expr-regex?id=4x", "expr =~ misses"))
    return cases


CASES = [
    _g("r-default", "/r/default", "[R] defaults to 302, qualified with Host"),
    _g("r-301", "/r/301", "[R=301]"),
    _g("r-302", "/r/302", "[R=302]"),
    _g("r-303", "/r/303", "[R=303]"),
    _g("r-307", "/r/307", "[R=307]"),
    _g("r-308", "/r/308", "[R=308]"),
    _g("r-permanent", "/r/permanent", "[R=permanent] is 301"),
    _g("r-temp", "/r/temp", "[R=temp] is 302"),
    _g("r-seeother", "/r/seeother", "[R=seeother] is 303"),
    _g("r-404", "/r/404", "[R=404]: status only"),
    _g("r-410", "/r/410", "[R=410] with a substitution: substitution dropped"),
    _g("r-absolute", "/r/absolute", "absolute target with its own query"),
    _g("r-absolute-query", "/r/absolute?old=1", "absolute target with ?: old query replaced"),
    _g("r-implicit", "/r/implicit", "absolute URL without [R]: implicit 302"),
    _g(
        "r-self",
        "/r/self",
        "http://localhost/ without [R]: not reduced (listen port is not 80): 302",
    ),
    _g(
        "r-self-port", "/r/self-port", "explicit :80: not reduced either (listen port differs): 302"
    ),
    _g("r-other-port", "/r/other-port", "another port is not this server: redirect"),
    _g("r-host-header", "/r/default", "Location follows the Host header", host="Example.COM:8080"),
    _g("r-query", "/r/query", "query in the target"),
    _g("r-keepquery", "/r/keepquery?a=1&b=%20", "original query kept"),
    _g("r-dropquery", "/r/dropquery?a=1", "trailing ? drops the query"),
    _g("r-fragment", "/r/fragment", "# escaped without NE"),
    _g("r-fragment-ne", "/r/fragment-ne", "[NE] keeps #frag"),
    _g("r-pct", "/r/pct", "%2 in the target is a cond backref (empty): a0b.txt"),
    _g("r-pct-ne", "/r/pct-ne", "[NE]: %2 is still a (empty) cond backref"),
    _g("r-pct-escaped", "/r/pct-escaped", "\\% is a literal %, kept by [NE]"),
    _g("r-pct-escaped-internal", "/r/pct-escaped-internal", "internal target with a literal %20"),
    _g("r-back-space", "/r/back/a%20b", "decoded space in a backref is escaped"),
    _g("r-back-utf8", "/r/back/caf%C3%A9", "decoded UTF-8 in a backref is escaped"),
    _g("r-back-ne", "/r/back-ne/a%20b", "[NE]: decoded space goes out raw"),
    _g("r-back-pct25", "/r/back/100%25", "decoded % in a backref"),
    _g("r-nol", "/r/nol/x", "[R] without L: later rules see http://host/..."),
    _g("r-relative", "/r/relative", "relative [R] target in server context"),
    _g("r-dash", "/r/dash", "[R] with - substitution"),
    _g("end-l", "/end/l", "[L] in server context: .htaccess rules still run"),
    _g("end-end", "/end/end", "[END] in server context: .htaccess rules skipped"),
    _g("f", "/f", "[F]: 403"),
    _g("f-sub", "/f/sub", "[F] ignores the substitution"),
    _g("g", "/g", "[G]: 410"),
    _g("fg", "/fg/x", "[F,G] together"),
    Case("f-head", request("HEAD", "/f"), "[F] on HEAD"),
    _g("nc-lower", "/nc/abc", "[NC] pattern, lower"),
    _g("nc-upper", "/NC/ABC", "[NC] pattern, upper"),
    _g("case-upper", "/CASE/ABC", "without NC: no match, 404"),
    _g("qs-keep", "/qs/keep?a=1", "no ? in substitution: query kept"),
    _g("qs-replace", "/qs/replace?a=1", "? in substitution replaces"),
    _g("qs-drop", "/qs/drop?a=1", "trailing ? drops"),
    _g("qs-qsa", "/qs/qsa?a=1", "[QSA]: new&old"),
    _g("qs-qsa-none", "/qs/qsa", "[QSA] without an original query"),
    _g("qs-qsa-empty", "/qs/qsa-empty?a=1", "[QSA] with a bare trailing ?"),
    _g("qs-qsa-noq", "/qs/qsa-noq?a=1", "[QSA] without ? in substitution"),
    _g("qs-qsd", "/qs/qsd?a=1", "[QSD] drops"),
    _g("qs-qsd-qsa", "/qs/qsd-qsa?a=1", "[QSD] beats [QSA]"),
    _g("qs-qsd-new", "/qs/qsd-new?a=1", "[QSD] with a new query"),
    _g("qs-two-q", "/qs/two-q?a=1", "split at the first ?"),
    _g("qs-qsl", "/qs/qsl?a=1", "[QSL] splits at the last ?"),
    _g("qs-qsl-qsa", "/qs/qsl-qsa?a=1", "[QSL,QSA]"),
    _g("qs-var", "/qs/var?a=1&b=2", "%{QUERY_STRING} expanded into the new query"),
    _g("qs-var-encoded", "/qs/var?a=%20%26", "%{QUERY_STRING} is raw (still encoded)"),
    _g("b-plain", "/b/plain/a%26b%20c+d", "without [B]: decoded & and space reach the query"),
    _g("b-b", "/b/b/a%26b%20c+d/e.f~g", "[B] escapes all but alphanumerics"),
    _g("b-chars", "/b/chars/a%26b%20c+d/e", "[B=&+] escapes only those"),
    _g("b-bnp", "/b/bnp/a%20b", "[B,BNP]: space as %20"),
    _g("b-bctls", "/b/bctls/a%20b%26c", "[BCTLS]: only controls and space"),
    _g("b-bne", "/b/bne/a/b%26c", "[B,BNE=/] keeps /"),
    _g("b-path", "/b/path/a%20b%26c", "[B] in the path part"),
    _g("b-cond", "/b/cond?v=a%20b&c", "[B] escapes %N too"),
    _g("chain-a", "/chain/a", "chain: both rules match"),
    _g("chain-b", "/chain/b", "chain: second fails, result kept"),
    _g("chain-c", "/chain/c", "chain: first fails, chain skipped"),
    _g("chain3-x", "/chain3/xa", "three-link chain all match"),
    _g("chain3-z", "/chain3/za", "three-link chain breaks in the middle"),
    _g("skip-yes", "/skip?skip", "[S=2] skips two rules"),
    _g("skip-no", "/skip", "[S] rule not matched"),
    _g("skip-chain", "/skipchain", "[S=1] counts raw rules, not chains"),
    _g("n-loop", "/n/axbxcx", "[N] restarts until no x left"),
    _g("n-limit-one", "/nlimit/ax", "[N=3] one round of work"),
    _g("n-limit-ok", "/nlimit/axbx", "[N=3] two rounds of work: already over"),
    _g("n-limit-over", "/nlimit/axbxcxdxex", "[N=3] exceeded: 500"),
    _g("n-self-loop", "/nloop/a", "X07 self-loop: 500 after the round cap"),
    _g("pt-alias", "/pt/x.txt", "[PT]: Alias applies to the result"),
    _g("nopt-alias", "/nopt/x.txt", "without [PT]: DocumentRoot prefixed, 404"),
    _g("pt-l", "/pt-l/x.txt", "[PT,L]"),
    _g("env-set", "/env/set", "E= seen by a later RewriteCond"),
    _g("env-val", "/env/val/abc", "E= with $1 and a %{} value"),
    _g("env-unset", "/env/unset", "E=! unsets"),
    _g("env-other", "/env/other", "fallthrough"),
    _g("type", "/type/a.txt", "[T=] forces the type"),
    _g("type-missing", "/type/nope.txt", "[T=] on a missing file: 404 type"),
    _g("type-dash", "/type-dash/a.txt", "[T] with - substitution on a missing URL"),
    _g("cookie-empty-field", "/cookie/empty-field", "[CO] fields: empty ones vanish"),
    _g("cookie-same-name", "/cookie/same-name", "[CO] sets a name once per request"),
    _g("cookie-domain-zero", "/cookie/domain-zero", "[CO] domain 0 is written as it is"),
    _g("cookie-semicolons", "/cookie/semicolons", "[CO=;...] separates with ';'"),
    _g("cookie-httponly-alone", "/cookie/httponly-alone", "[CO]: HttpOnly only after secure"),
    _g("cookie-simple", "/cookie/simple", "[CO] name:value:domain"),
    _g("cookie-full", "/cookie/full", "[CO] with path, secure, httponly"),
    _g("cookie-samesite", "/cookie/samesite", "[CO] with SameSite"),
    _g("cookie-two", "/cookie/two", "two [CO] flags"),
    _g("cookie-expand", "/cookie/expand/abc", "[CO] value expanded, - substitution"),
    _g("cookie-redirect", "/cookie/redirect", "[CO] with [R]"),
    _g("cookie-forbidden", "/cookie/forbidden", "[CO] with [F]"),
    _g(
        "cookie-present",
        "/cookie/simple",
        "[CO] when the request has the cookie",
        [("Cookie", "n=v")],
    ),
    _g("ns-index", "/ns/", "[NS]: DirectoryIndex subrequest not rewritten"),
    _g("ns-direct", "/ns/index.html", "[NS] rule on the main request"),
    _g("ns2-index", "/ns2/", "without NS: DirectoryIndex subrequest rewritten"),
    _g("u3f-allow", "/u3f/a%3Fb=1", "[UnsafeAllow3F]: %3F becomes the query"),
    _g("u3f-deny", "/s3f/a%3Fb=1", "%3F into a ? without UnsafeAllow3F: 403"),
    _g("u3f-literal-q", "/s3f/a?b=1", "a real query is fine"),
    _g("H05-ok", "/user/orange", "H05 baseline"),
    _g("H05", "/user/orange/secret.yml%3F", "H05 CVE-2024-38474: 403"),
    _g("H05-lower", "/user/orange/secret.yml%3f", "H05 lower-case %3f"),
    _g("H06-ok", "/html/about", "H06 baseline: /about.html"),
    _g("H06", "/html/etc/passwd%3F", "H06 CVE-2024-38475: 403"),
    _g("H06-no3f", "/html/etc/passwd", "H06 without ?: under DocumentRoot, 404"),
    _g("confusion-typed", "/typed/a.txt%3Fx.txt", "Confusion Attack: %3F in a T= rule"),
    _g("ups-etc", "/ups/etc/passwd", "[UnsafePrefixStat]: /etc is a filesystem path, 403"),
    _g("ups-missing", "/ups/zzz/passwd", "[UnsafePrefixStat]: no such top dir"),
    _g("lit-etc", "/lit/passwd", "literal /etc/ prefix: filesystem path, 403"),
    _g("fs-outside", "/fs/o.txt", "literal filesystem path substitution, granted"),
    _g("H01", "/crlf/%0D%0Ahttp://127.0.0.1/", "H01 CVE-2020-1927 CRLF in %1"),
    _g("H01-plain", "/crlf/dir/", "H01 baseline"),
    _g("H02", "/jump?url=/x%0d%0aSet-Cookie:%20a=b", "H02 CRLF from the query re-escaped"),
    _g("R03", "/jump?url=https://evil.example/", "R03 open by configuration"),
    _g("jump-protocol-relative", "/jump?url=//evil.example/", "query gives //host"),
    _g("jump-backslash", "/jump?url=/%5Cevil.example/", "query gives /\\host"),
    _g("jump-triple", "/jump?url=///evil.example/", "query gives ///host"),
    _g("R01", "/go/https://evil.example/", "R01 MergeSlashes collapses //"),
    _g("R02", "/go/https:%2f%2fevil.example/", "R02 encoded slash: 404"),
    _g("go-single", "/go/https:/evil.example/", "scheme with one slash"),
    _g("go-backslash", "/go/%5Cevil.example/", "backslash target"),
    _g("H07", "/cat/1%20HTTP/1.1%0d%0aHost:%20x%0d%0a%0d%0aGET%20/SMUGGLED", "H07 25690: 403"),
    _g("H07-space", "/cat/a%20b", "H07 a single space in the rewritten query: 403"),
    _g("H07-b", "/catb/1%20HTTP/1.1%0d%0aHost:%20x", "H07 with [B]: escaped, passes"),
    _g("H07-ok", "/cat/1", "H07 baseline"),
    _g("var-uri", "/var/uri/a%20b", "%{REQUEST_URI} is decoded"),
    _g("var-query", "/var/query?a=%20b&c", "%{QUERY_STRING}"),
    _g("var-host", "/var/host", "%{HTTP_HOST}", host="Example.COM:8080"),
    _g("var-header", "/var/header", "%{HTTP:X-Custom}", [("X-Custom", "hello")]),
    _g(
        "var-header-two",
        "/var/header",
        "%{HTTP:} of a repeated header",
        [("X-Custom", "a"), ("X-Custom", "b")],
    ),
    _g("var-hosthdr", "/var/hosthdr", "%{HTTP:Host}: no Vary"),
    _g("var-method", "/var/method", "%{REQUEST_METHOD}"),
    Case("var-method-delete", request("DELETE", "/var/method"), "%{REQUEST_METHOD} DELETE"),
    _g("var-the-request", "/var/the_request?x=1", "%{THE_REQUEST}"),
    _g("var-filename", "/var/filename", "%{REQUEST_FILENAME} in server context"),
    _g("var-docroot", "/var/docroot", "%{DOCUMENT_ROOT}"),
    _g(
        "var-server-name",
        "/var/server_name",
        "%{SERVER_NAME} (UseCanonicalName Off)",
        host="Other.Example",
    ),
    _g("var-server-port", "/var/server_port", "%{SERVER_PORT}"),
    _g("var-https", "/var/https", "%{HTTPS}"),
    _g("var-scheme", "/var/scheme", "%{REQUEST_SCHEME}"),
    _g("var-protocol", "/var/protocol", "%{SERVER_PROTOCOL}"),
    _g("var-protocol-10", "/var/protocol", "%{SERVER_PROTOCOL} 1.0", version="HTTP/1.0"),
    _g("var-remote", "/var/remote", "%{REMOTE_ADDR}"),
    _g("var-subreq", "/var/subreq", "%{IS_SUBREQ}"),
    _g("var-unknown", "/var/unknown", "unknown %{VAR} is empty"),
    _g("var-env", "/var/env", "unset %{ENV:} is empty"),
    _g("var-ua", "/var/ua", "%{HTTP_USER_AGENT}", [("User-Agent", "t/1")]),
    _g("var-cookie", "/var/cookie", "%{HTTP_COOKIE}", [("Cookie", "a=1; b=2")]),
    _g("var-referer-none", "/var/referer", "%{HTTP_REFERER} absent"),
    _g("var-script-filename", "/var/script_filename", "%{SCRIPT_FILENAME} in server context"),
    _g("var-api", "/var/api", "%{API_VERSION}"),
    _g("var-la-u", "/var/la-u/a.txt", "%{LA-U:REQUEST_FILENAME} look-ahead"),
    _g("var-escape", "/var/escape", "\\% and \\$ are literal"),
    _g("br-all", "/br/aa/bb", "$N, %N, $0, %0", [(X, "cc-dd")]),
    _g("br-last", "/br/last", "%N from the last matched cond", [(X, "one"), ("X-W", "two")]),
    _g("br-negated", "/br/negated", "%N skips a negated cond", [(X, "one"), ("X-W", "-")]),
    _g("br-unset", "/br/unset", "unset backrefs are empty"),
    _g("br-neg-rule", "/br/neg-rule", "lookahead: $0"),
    _g("bytes-split", "/bytes/split/%C3%A9x", "$1 is the first byte of a two-byte character"),
    _g("bytes-split-b", "/bytes/splitb/%C3%A9x", "[B] escapes the split bytes"),
    _g("bytes-split-path", "/bytes/path/%C3%A9x", "split bytes in the path, redirected"),
    _g("bytes-split-latin1", "/bytes/split/%E9x", "a byte that is not UTF-8"),
    _g("bytes-len-2", "/bytes/len/%C3%A9", ".{2} matches one two-byte character"),
    _g("bytes-len-ascii", "/bytes/len/ab", ".{2} matches two ASCII characters"),
    _g("bytes-len-3", "/bytes/len/%E2%82%AC", ".{2} does not match a three-byte character"),
    _g("bytes-hex", "/bytes/hex/%C3%A9", "\\xc3\\xa9 spells e-acute"),
    _g("bytes-literal", "/bytes/lit/%C3%A9", "a UTF-8 literal in the pattern"),
    _g("bytes-class", "/bytes/class/%C3%A9", "[e-acute] is a class of two bytes"),
    _g("bytes-class-byte", "/bytes/class/%C3", "one byte of the class"),
    _g("bytes-nc-other-case", "/bytes/nc/%C3%A9", "[NC] folds ASCII only"),
    _g("bytes-nc-same", "/bytes/nc/%C3%89", "[NC], same bytes"),
    _g("bytes-cond", "/bytes/cond?%C3%A9", "%1 of a condition: first byte of the raw query"),
    _g("fs-missing", "/fs/none.txt", "filesystem substitution, missing file"),
    _g("echo-direct", "/echo/x?y", "the echo rule itself"),
    *_conds(),
]

"""mod_rewrite in per-directory context (.htaccess and <Directory>): prefix stripping,
RewriteBase, relative substitutions (and the filesystem path a relative [R] leaks without
one), [L] re-running the same rules after the internal redirect vs [END], the loop that
ends in 500 at LimitInternalRecursion, RewriteOptions inheritance, AllowNoSlash, DPI,
REDIRECT_ variables, Options -FollowSymLinks (403), and .htaccess errors (X02)."""

from __future__ import annotations

from ..harness import Case, header, request, set_mtimes

NAME = "rewrite_perdir"


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    return (
        header(root, port, ("alias", "dir", "rewrite"))
        + f"""
DocumentRoot {h}
DirectoryIndex index.html
<Directory {h}>
    Options FollowSymLinks
    AllowOverride FileInfo
    Require all granted
</Directory>
<Directory {h}/nofollow>
    Options -FollowSymLinks
</Directory>
<Directory {h}/owner>
    Options -FollowSymLinks +SymLinksIfOwnerMatch
</Directory>
<Directory {h}/dpi>
    AcceptPathInfo On
</Directory>
<Directory {h}/errors/optonly>
    AllowOverride Options
</Directory>
<Directory {h}/errors/none>
    AllowOverride None
</Directory>
<Directory {h}/confdir>
    RewriteEngine On
    RewriteRule (^|/)x$ target.txt [L]
    RewriteRule ^/x$ /target.txt [L]
    RewriteRule ^y$ target.txt [R,L]
</Directory>
<Directory {h}/confbase>
    RewriteEngine On
    RewriteBase /cb/
    RewriteRule ^y$ target.txt [R,L]
</Directory>
<Location /crlf/>
    RewriteEngine On
    RewriteCond %{{REQUEST_URI}} (.+)/$
    RewriteRule ^ %1 [R=302]
</Location>
Alias /al {root}/aliased
Alias /ab {root}/aliasbase
<Directory {root}/aliased>
    Options FollowSymLinks
    AllowOverride FileInfo
    Require all granted
</Directory>
<Directory {root}/aliasbase>
    Options FollowSymLinks
    AllowOverride FileInfo
    Require all granted
</Directory>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs", "aliased", "aliasbase"))


def _g(name: str, target: str, note: str, headers: list[tuple[str, str]] | None = None) -> Case:
    return Case(name, request("GET", target, headers or []), note)


CASES = [
    _g("strip-foo", "/strip/foo", "prefix stripped: ^foo matches"),
    _g("strip-bar", "/strip/bar", "^/bar never matches per-directory: 404"),
    _g("strip-own-dir", "/strip/strip/baz", "^strip/ matches only a subdirectory named strip"),
    _g("strip-deep", "/strip/deep/a/b", "relative [R] without RewriteBase, with query"),
    _g("base-go", "/base/go", "RewriteBase replaces the prefix of a relative target"),
    _g("base-redir", "/base/redir", "relative [R] with RewriteBase"),
    _g("base-abs", "/base/abs", "absolute target ignores RewriteBase"),
    _g("base-redirq", "/base/redirq?old=1", "relative [R=301] with a query"),
    _g("nobase-go", "/nobase/go", "no RewriteBase: DocumentRoot prefix stripped"),
    _g("nobase-redir", "/nobase/redir", "relative [R] without RewriteBase under DocumentRoot"),
    _g("nobase-abs", "/nobase/abs", "absolute URL-path target"),
    _g("nobase-redirabs", "/nobase/redirabs", "absolute [R] target"),
    _g("nobase-up", "/nobase/up", "../ in a relative target"),
    _g("nobase-redirup", "/nobase/redirup", "../ in a relative [R] target"),
    _g("nobase-redirq", "/nobase/redirq?old=1", "relative [R] with a new query"),
    _g("alias-go", "/al/go", "under an Alias without RewriteBase: context prefix"),
    _g("alias-redir", "/al/redir", "relative [R] under an Alias without RewriteBase"),
    _g("aliasbase-go", "/ab/go", "under an Alias with RewriteBase"),
    _g("aliasbase-redir", "/ab/redir", "relative [R] under an Alias with RewriteBase"),
    _g("loopl-a", "/loopl/a.txt", "[L]: the redirect runs the rules again: a -> b -> c"),
    _g("loopl-b", "/loopl/b.txt", "[L]: b -> c"),
    _g("loopl-c", "/loopl/c.txt", "no rule for c"),
    _g("loopend-a", "/loopend/a.txt", "[END]: a -> b and stop"),
    _g("loopend-b", "/loopend/b.txt", "[END]: b -> c"),
    _g("noloop-x", "/noloop/x", "[L] to a directory without rules: no second round"),
    _g("noloop-y", "/noloop/y", "[L] to a file the rules do not match again"),
    _g("inf", "/inf/a", "ever-growing target: 500 after LimitInternalRecursion"),
    _g("same", "/same/a.txt", "target equals the input: rewrite ignored"),
    _g("same-missing", "/same/nope.txt", "same, missing file"),
    _g("idx-any", "/idx/anything", "everything to index.html, then ignored"),
    _g("idx-other", "/idx/other.html", "existing file rewritten too"),
    _g("idx-dir", "/idx/", "directory request"),
    _g("loopq", "/loopq/foo", "same file, new query: second round"),
    _g("loopq-query", "/loopq/foo?x=1", "original query replaced"),
    _g("parent-order", "/parent/order.txt", "parent rule"),
    _g(
        "parent-none",
        "/parent/none/order.txt",
        "child without .htaccess: parent rules, parent prefix",
    ),
    _g("parent-own", "/parent/own/order.txt", "child with its own rules: parent's dropped"),
    _g("parent-own-x", "/parent/own/x", "child's own rule"),
    _g("parent-inherit", "/parent/inherit/order.txt", "Inherit: child rule first"),
    _g("parent-inherit-sub", "/parent/inherit/suborder.txt", "Inherit: parent rule prefix"),
    _g("parent-before", "/parent/before/order.txt", "InheritBefore: parent rule first"),
    _g("parent-off", "/parent/off/order.txt", "RewriteEngine Off in the child"),
    _g("down-self", "/down/order.txt", "InheritDown parent itself"),
    _g("down-child", "/down/child/order.txt", "InheritDown: child inherits"),
    _g("down-child-x", "/down/child/x", "InheritDown: child's own rule"),
    _g("down-ignore", "/down/ignore/order.txt", "IgnoreInherit in the child"),
    _g("down-ignore-x", "/down/ignore/x", "IgnoreInherit: own rule still works"),
    _g("noslash", "/noslash", "directory without slash: rules skipped, mod_dir 301"),
    _g("noslash-slash", "/noslash/", "with slash: ^$ matches"),
    _g("noslash-query", "/noslash?a=1", "without slash, with query"),
    _g("allownoslash", "/allownoslash", "AllowNoSlash: rules run, ^$ does not match; mod_dir 301"),
    _g("allownoslash-slash", "/allownoslash/", "AllowNoSlash, with slash"),
    _g("dirs-sub", "/dirs/sub", "parent's ^sub$ does not fire for the bare directory: mod_dir 301"),
    _g("dirs-sub-slash", "/dirs/sub/", "sub/ does not match ^sub$"),
    _g("dirs-sub-file", "/dirs/sub/file.txt", "no match"),
    _g("nofollow", "/nofollow/x", "Options -FollowSymLinks: 403"),
    _g("nofollow-file", "/nofollow/target.txt", "403 even with no matching rule"),
    _g("owner", "/owner/x", "SymLinksIfOwnerMatch is enough"),
    _g("confdir-x", "/confdir/x", "<Directory> rules"),
    _g("confdir-slash", "/confdir/target.txt", "<Directory>: a file no rule matches"),
    _g("confdir-y", "/confdir/y", "<Directory>: relative [R] without RewriteBase"),
    _g("confdir-ht-x", "/confdir/ht/x", ".htaccess with RewriteEngine On replaces the rules"),
    _g("confdir-plain-x", "/confdir/plain/x", "subdirectory inherits with the parent prefix"),
    _g("confbase-y", "/confbase/y", "<Directory> RewriteBase and relative [R]"),
    _g("dpi-nodpi", "/dpi/nodpi.txt/extra/path", "path info re-appended for the chained rule"),
    _g("dpi-withdpi", "/dpi/withdpi.txt/extra/path", "[DPI] drops it"),
    _g("env-e1", "/env/e1", "E= then [L]: REDIRECT_FOO after the internal redirect"),
    _g("env-e1nol", "/env/e1nol", "E= without L: FOO in the same round"),
    _g("env-e2", "/env/e2", "direct: no REDIRECT_STATUS"),
    _g("env-e3", "/env/e3", "REDIRECT_STATUS and REDIRECT_URL after an internal redirect"),
    _g("type-lost", "/type/lost", "[T] on a rewrite: lost after the internal redirect"),
    _g("type-kept", "/type/kept.txt", "[T] with -: kept"),
    _g("flags-f", "/flags/f", "[F] per-directory"),
    _g("flags-g", "/flags/g", "[G] per-directory"),
    _g("flags-qsa", "/flags/qsa?a=1", "[QSA,R] per-directory"),
    _g("flags-nc", "/flags/NC", "[NC] per-directory"),
    _g("flags-pt", "/flags/pt", "[PT] per-directory (implied anyway)"),
    _g("flags-abs-self", "/flags/abs", "http://localhost/... in .htaccess without [R]"),
    _g("flags-ext", "/flags/ext", "another host in .htaccess: implicit redirect"),
    _g("flags-cookie", "/flags/cookie", "[CO] survives the internal redirect"),
    _g("flags-3f-query", "/flags/3f/a%3Fb", "%3F into the query part per-directory"),
    _g("flags-3f-path", "/flags/3fpath/target.txt%3Fx", "%3F into the path per-directory: 403"),
    _g("flags-vary", "/flags/vary", "Vary from a per-directory %{HTTP:}", [("X-V", "1")]),
    _g("flags-vary-miss", "/flags/vary", "cond false: no Vary", [("X-V", "2")]),
    _g("H01-location", "/crlf/%0D%0Ahttp://127.0.0.1/", "H01 as in httpd-tests, <Location>"),
    _g("H01-location-plain", "/crlf/x/", "H01 baseline in <Location>"),
    _g("err-badflag", "/errors/badflag/a.txt", "unknown flag in .htaccess: 500"),
    _g("err-badregex", "/errors/badregex/a.txt", "X02 regex that cannot compile: 500"),
    _g("err-optonly", "/errors/optonly/a.txt", "AllowOverride Options: RewriteEngine not allowed"),
    _g("err-badbase", "/errors/badbase/a.txt", "RewriteBase must start with /"),
    _g("err-none", "/errors/none/x", "AllowOverride None: rules never read"),
    _g("err-map", "/errors/map/a.txt", "RewriteMap is not allowed in .htaccess"),
]

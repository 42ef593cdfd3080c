"""mod_alias Redirect, RedirectPermanent and RedirectTemp: every status form, segment-aware
prefix matching, the escaped remainder, the query string, relative targets made absolute
from Host, and Redirect in <VirtualHost>, <Location>, <Directory> and .htaccess
(apache-semantics.md §2.2; security.md H04, R06)."""

from __future__ import annotations

from ..harness import Case, header, request, set_mtimes

NAME = "alias_redirect"


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    return (
        header(root, port, ("alias", "dir"))
        + f"""
DocumentRoot {h}
<Directory {h}>
    AllowOverride FileInfo
    Require all granted
</Directory>
<Directory {root}/aliased>
    Require all granted
</Directory>

Redirect permanent /perm http://example.com/perm-target
Redirect temp /temp http://example.com/temp-target
Redirect seeother /seeother http://example.com/so-target
Redirect gone /gone
Redirect 300 /n300 http://example.com/n300
Redirect 301 /n301 http://example.com/n301
Redirect 302 /n302 http://example.com/n302
Redirect 303 /n303 http://example.com/n303
Redirect 307 /n307 http://example.com/n307
Redirect 308 /n308 http://example.com/n308
Redirect 410 /n410
Redirect 403 /n403
Redirect /default http://example.com/default
RedirectPermanent /rp http://example.com/rp
RedirectTemp /rt http://example.com/rt
Redirect 301 /old http://example.com/new
Redirect /slash/ http://example.com/s/
Redirect /tslash http://example.com/ts/
Redirect /withq http://example.com/t?fixed=1
Redirect /frag http://example.com/f#top
Redirect /enc http://example.com/a%20b
Redirect /rel /local
Redirect /https https://example.com:8443/sec
Redirect /both http://example.com/redirect-beats-alias
Alias /both {root}/aliased
Alias /al {root}/aliased
Redirect /al/moved http://example.com/al-moved
Redirect /over http://example.com/first
Redirect /over/deeper http://example.com/second
Redirect /over2/deeper http://example.com/deep-first
Redirect /over2 http://example.com/shallow
Redirect /shadow http://example.com/from-main

<Location /loc1>
    Redirect /loc-target
</Location>
<Location /loc2>
    Redirect permanent http://example.com/l2
</Location>
<Location /loc3>
    Redirect /loc3 http://example.com/l3
</Location>
<Location /loc4>
    Redirect 303 /other http://example.com/l4
</Location>
<Location /loc5>
    Redirect http://example.com/l5?x=1
</Location>

<Directory {h}/dirredir>
    Redirect /dirredir/moved http://example.com/dmoved
    Redirect 307 /dirredir/tmp /local/tmp
    Redirect gone /dirredir/gone
    ErrorDocument 410 "custom gone text"
    Redirect /elsewhere http://example.com/never
</Directory>
<Directory {h}/noov>
    AllowOverride AuthConfig
</Directory>
<Directory {h}/ovnone>
    AllowOverride None
</Directory>
<Directory {h}/dironearg>
    Redirect /dir-one-target
</Directory>
<Location /loc6>
    Redirect gone
</Location>
<Location /loc7>
    Redirect relative-no-slash
</Location>
Redirect nolead http://example.com/nolead
Redirect 200 /n200
Alias /viaalias {h}/ht

<VirtualHost *:*>
    ServerName localhost
</VirtualHost>
<VirtualHost *:*>
    ServerName vh.example
    Redirect /vh http://example.com/vh
    Redirect /shadow http://example.com/from-vhost
    Redirect /vrel /vh-local
</VirtualHost>
<VirtualHost *:*>
    ServerName root.example
    Redirect / http://example.com/
</VirtualHost>
<VirtualHost *:*>
    ServerName root2.example
    Redirect / http://example.com
</VirtualHost>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs", "aliased"))


def _g(name: str, target: str, note: str, **kw: object) -> Case:
    return Case(name, request("GET", target, **kw), note)  # type: ignore[arg-type]


STATUS_FORMS = [
    _g("status-permanent", "/perm", "Redirect permanent: 301"),
    _g("status-temp", "/temp", "Redirect temp: 302"),
    _g("status-seeother", "/seeother", "Redirect seeother: 303"),
    _g("status-gone", "/gone", "Redirect gone without URL: 410"),
    _g("status-gone-sub", "/gone/x", "Redirect gone covers the subtree"),
    _g("status-300", "/n300", "numeric 300"),
    _g("status-301", "/n301", "numeric 301"),
    _g("status-302", "/n302", "numeric 302"),
    _g("status-303", "/n303", "numeric 303"),
    _g("status-307", "/n307", "numeric 307"),
    _g("status-308", "/n308", "numeric 308"),
    _g("status-410", "/n410", "numeric 410 without URL"),
    _g("status-403", "/n403", "numeric non-3xx 403 without URL"),
    _g("status-default", "/default", "no status: 302"),
    _g("redirect-permanent", "/rp/x", "RedirectPermanent"),
    _g("redirect-temp", "/rt/x", "RedirectTemp"),
]

PREFIX = [
    _g("prefix-exact", "/old", "H04 exact prefix"),
    _g("prefix-oldx", "/oldx", "H04 /oldx is not under /old: 404"),
    _g("prefix-old-slash", "/old/", "trailing slash carried over"),
    _g("prefix-deep", "/old/x/y", "remainder appended"),
    _g("prefix-case", "/OLD/x", "prefix is case-sensitive"),
    _g("prefix-semicolon", "/old;p", "; does not end the segment"),
    _g("prefix-double-slash", "//old//x", "MergeSlashes before matching"),
    _g("prefix-dotdot", "/x/../old/x", "normalised before matching"),
    _g("prefix-encoded-o", "/%6fld/x", "unreserved escape decoded before matching"),
    _g("prefix-dot-segment-out", "/old/%2e%2e/index.html", "encoded dot-dot leaves /old"),
    _g("escape-space", "/old/a%20b", "space re-escaped"),
    _g("escape-crlf", "/old/x%0d%0ay", "H04 CRLF in the remainder"),
    _g("escape-crlf-cookie", "/old/x%0d%0aSet-Cookie:%20a=b", "H04 header split attempt"),
    _g("escape-utf8", "/old/caf%C3%A9", "UTF-8 bytes re-escaped"),
    _g("escape-qmark", "/old/a%3fb", "encoded ? stays in the path"),
    _g("escape-hash", "/old/a%23b", "encoded # stays in the path"),
    _g("escape-percent", "/old/100%25", "encoded % re-escaped"),
    _g("escape-reserved", "/old/a+b&c=d:e@f,g;h=i~j!k'l(m)n*o$p", "reserved characters"),
    _g("escape-quote-lt", "/old/%22%3c%3e%5c%5e%60%7b%7c%7d", "unsafe ASCII"),
    _g("escape-encoded-slash", "/old/a%2fb", "AllowEncodedSlashes Off: 404"),
    _g("escape-nul", "/old/a%00b", "encoded NUL: 404"),
    _g("escape-tab", "/old/a%09b", "encoded tab"),
    _g("query-kept", "/old/x?q=1&r=%0d%0a", "query appended when the target has none"),
    _g("query-dropped", "/withq/x?a=1", "target with ? keeps only its own query"),
    _g("query-target-only", "/withq", "target with ?, no remainder"),
    _g("frag-target", "/frag/x?q=1", "target with # and a remainder"),
    _g("enc-target", "/enc/c%20d", "target already escaped is kept"),
    _g("slash-prefix", "/slash/a", "prefix with trailing slash"),
    _g("slash-prefix-bare", "/slash", "prefix /slash/ does not match /slash"),
    _g("tslash-target", "/tslash/a", "target with trailing slash + remainder"),
    _g("https-target", "/https/x", "https target with port"),
]

RELATIVE = [
    _g("rel", "/rel/x", "relative target made absolute from Host"),
    _g("rel-bare", "/rel", "relative target, no remainder"),
    _g("rel-host-port", "/rel/x", "Host with a port", host="localhost:8080"),
    _g("rel-host-80", "/rel/x", "Host with the default port", host="localhost:80"),
    _g("rel-host-upper", "/rel/x", "Host case folded", host="LocalHost"),
    _g("rel-host-dot", "/rel/x", "Host with a trailing dot", host="localhost."),
    _g("rel-host-ip", "/rel/x", "Host an IPv4 literal", host="127.0.0.1:8080"),
    _g("rel-host-ipv6", "/rel/x", "Host an IPv6 literal", host="[::1]:8080"),
    _g("rel-host-evil", "/rel/x", "R06 Host reflected", host="evil.example"),
    _g("rel-http10", "/rel/x", "HTTP/1.0 without Host: ServerName", host=None, version="HTTP/1.0"),
    _g("rel-absolute-form", "http://abs.example:81/rel/x", "absolute-form target gives the host"),
]

CONTEXTS = [
    _g("vhost-redirect", "/vh/x", "Redirect in <VirtualHost>", host="vh.example"),
    _g("vhost-not-main", "/vh/x", "vhost Redirect does not apply to localhost"),
    _g("vhost-shadow-main", "/shadow", "main-server Redirect in the default vhost"),
    _g(
        "vhost-shadow-vhost",
        "/shadow",
        "vhost Redirect before the inherited one",
        host="vh.example",
    ),
    _g("vhost-inherits-main", "/old/x", "main-server Redirect inherited", host="vh.example"),
    _g("vhost-rel", "/vrel/x", "relative target in a vhost", host="vh.example:8080"),
    _g("vhost-upper", "/vh", "vhost chosen case-insensitively", host="VH.EXAMPLE."),
    _g("vhost-root", "/a/b?c=d", "Redirect / with target ending in /", host="root.example"),
    _g("vhost-root2", "/a/b", "Redirect / with target without /", host="root2.example"),
    _g("vhost-root2-bare", "/", "Redirect / root itself", host="root2.example"),
    _g("loc1-one-arg", "/loc1", "one-argument Redirect in <Location>"),
    _g("loc1-deeper", "/loc1/x/y?q=1", "one-argument form: no remainder appended?"),
    _g("loc1-relative-host", "/loc1/x", "relative one-argument target, Host port", host="h:81"),
    _g("loc2-status", "/loc2/z", "status + URL in <Location>"),
    _g("loc3-two-arg", "/loc3/x", "two-argument Redirect in <Location>"),
    _g("loc4-other-prefix", "/loc4/x", "two-argument with a prefix outside the Location"),
    _g("loc4-other-direct", "/other/x", "the Location's Redirect is scoped to it"),
    _g("loc5-query", "/loc5?a=b", "one-argument target with its own ?"),
    _g("dir-moved", "/dirredir/moved/x", "Redirect in <Directory>"),
    _g("dir-file", "/dirredir/file.txt", "unmatched file in the Directory"),
    _g("dir-tmp-rel", "/dirredir/tmp?q=1", "307 relative target in <Directory>"),
    _g("dir-gone-errordoc", "/dirredir/gone", "410 with a string ErrorDocument"),
    _g("dir-elsewhere", "/elsewhere", "Directory Redirect for a URL outside the Directory"),
    _g("ht-go", "/ht/go/x", ".htaccess Redirect"),
    _g("ht-rel", "/ht/rel/y", ".htaccess permanent relative (with ErrorDocument 301)"),
    _g("ht-gone", "/ht/gone", ".htaccess gone with a local ErrorDocument"),
    _g("ht-gone-page", "/ht/gone.html", "ErrorDocument page itself (not under /ht/gone)"),
    _g("ht-page", "/ht/page.html", "plain file next to the .htaccess"),
    _g("ht-go-outside", "/ht/go-x", ".htaccess Redirect is segment aware"),
    _g("ht-relative-prefix", "/ht/../go", "/go Redirect in ht/.htaccess never reached"),
    _g("ht-sub-child", "/ht/sub/x", "child .htaccess Redirect before parent's"),
    _g("ht-sub-parent", "/ht/sub/page.html", "parent .htaccess Redirect in the child dir"),
    _g("ht2-dir-noslash", "/ht2", "Redirect of the directory itself vs DirectorySlash"),
    _g("ht2-page", "/ht2/page.html", ".htaccess Redirect /ht2 covers its files"),
    _g("ht-via-alias", "/viaalias/go/x", ".htaccess reached via Alias: full URL-path compared"),
    _g("ht-via-alias-page", "/viaalias/page.html", "the aliased directory's file"),
    _g("ht-noov", "/noov/x", "Redirect in .htaccess without AllowOverride FileInfo: 500"),
    _g("ht-ovnone", "/ovnone/page.html", "AllowOverride None: .htaccess not read"),
    _g("dir-one-arg", "/dironearg/page.html", "one-argument Redirect in <Directory>"),
    _g("loc6-gone-one-arg", "/loc6/x", "one-argument Redirect gone in <Location>"),
    _g("loc7-relative-one-arg", "/loc7", "one-argument non-URL target in <Location>"),
    _g("nolead", "/nolead", "URL-path without a leading / never matches"),
    _g("status-200", "/n200", "Redirect 200 without URL"),
]

ORDER = [
    _g("redirect-before-alias", "/both/file.txt", "Redirect beats Alias with the same prefix"),
    _g("alias-served", "/al/file.txt", "Alias serves"),
    _g("alias-deeper-redirect", "/al/moved/x", "Redirect below an Alias prefix still wins"),
    _g("first-wins-deeper", "/over/deeper/x", "/over listed first wins"),
    _g("first-wins-shallow", "/over2/deeper/x", "/over2/deeper listed first wins"),
    _g("first-wins-shallow-other", "/over2/other", "/over2 for the rest"),
]

METHODS = [
    Case("head", request("HEAD", "/old/x"), "HEAD to a redirected path"),
    Case("head-gone", request("HEAD", "/gone"), "HEAD to a gone path"),
    Case(
        "post",
        request("POST", "/old/x?q=1", [("Content-Type", "text/plain")], b"hello"),
        "POST to a redirected path",
    ),
    Case("post-307", request("POST", "/n307", body=b"a=1"), "POST to a 307"),
    Case("options", request("OPTIONS", "/old/x"), "OPTIONS to a redirected path"),
    Case("put", request("PUT", "/old/x", body=b"x"), "PUT to a redirected path"),
    Case("delete-gone", request("DELETE", "/gone"), "DELETE to a gone path"),
    _g("http10", "/old/x", "HTTP/1.0 with Host", version="HTTP/1.0"),
]

CASES = STATUS_FORMS + PREFIX + RELATIVE + CONTEXTS + ORDER + METHODS

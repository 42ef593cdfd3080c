"""More of mod_negotiation, seen through the access log as well: what %U, %f and the
response headers say after MultiViews (a fast redirect) and after a type map (an
internal redirect); HTML levels; .htaccess settings; CacheNegotiatedDocs; MultiViews
behind per-directory and server rewrites, DirectoryIndex and ErrorDocument 406;
repeated and compound extensions (two languages, language plus encoding)."""

from __future__ import annotations

from ..harness import Case, get_case, header, request, set_mtimes, with_log_format

NAME = "negotiation_more"

LOG = (
    'LogFormat "%h \\"%r\\" %>s %b %U %f \\"%{Content-Location}o\\" \\"%{Vary}o\\" '
    '\\"%{TCN}o\\" \\"%{Content-Language}o\\" \\"%{Content-Encoding}o\\"" combined'
)


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    base = with_log_format(header(root, port, ("negotiation", "rewrite", "dir")), LOG)
    return (
        base
        + f"""
DocumentRoot {h}
CacheNegotiatedDocs On
RewriteEngine On
RewriteRule ^/rw/srv$ /rw/target [PT]
<Directory {h}>
    Require all granted
    AllowOverride None
    AddLanguage en .en
    AddLanguage fr .fr
    AddEncoding x-gzip .gz
    AddEncoding xz .xz
    AddHandler type-map .var
</Directory>
<Directory {h}/lv>
    Options +MultiViews
    AddType "text/html;level=3" .html3
</Directory>
<Directory {h}/ht>
    AllowOverride FileInfo Options
</Directory>
<Directory {h}/ht2>
    AllowOverride FileInfo Options=MultiViews
</Directory>
<Directory {h}/cache>
    Options +MultiViews
</Directory>
<Directory {h}/rw>
    Options +MultiViews
    RewriteEngine On
    RewriteRule ^alias$ target [L]
</Directory>
<Directory {h}/idx>
    Options +MultiViews
    DirectoryIndex index
</Directory>
<Directory {h}/err>
    Options +MultiViews
    ErrorDocument 406 /err/406.html
</Directory>
<Directory {h}/dup>
    Options +MultiViews
</Directory>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs",))


def _h(*pairs: tuple[str, str]) -> list[tuple[str, str]]:
    return list(pairs)


AL_FR = ("Accept-Language", "fr")

CASES: list[Case] = [
    get_case("lv-none", "/lv/page", "no Accept: levels and sizes"),
    get_case("lv-html", "/lv/page", "text/html is level 2", _h(("Accept", "text/html"))),
    get_case("lv-html3", "/lv/page", "level=3 asked", _h(("Accept", "text/html;level=3"))),
    get_case(
        "lv-html3-low",
        "/lv/page",
        "level 3 at lower q",
        _h(("Accept", "text/html;level=3;q=0.5, text/html")),
    ),
    get_case(
        "lv-explicit-q",
        "/lv/page",
        "a q turns off the wildcard fiddle",
        _h(("Accept", "text/html;q=0.5, */*")),
    ),
    get_case("lv-direct", "/lv/page.html3", "the level-3 file by name"),
    get_case("ht-options-all", "/ht/page.html", "AllowOverride Options leaves out MultiViews"),
    get_case("ht-none", "/ht2/page.html", ".htaccess LanguagePriority fr en"),
    get_case("ht-en", "/ht2/page.html", ".htaccess, en asked", _h(("Accept-Language", "en"))),
    get_case("ht-fallback", "/ht2/page.html", ".htaccess Fallback", _h(("Accept-Language", "zz"))),
    Case(
        "cache-map-http10",
        request("GET", "/cache/m.var", [AL_FR], version="HTTP/1.0"),
        "CacheNegotiatedDocs On: no Expires",
    ),
    Case(
        "cache-mv-http10",
        request("GET", "/cache/page.html", [AL_FR], version="HTTP/1.0"),
        "MultiViews, HTTP/1.0",
    ),
    get_case("rw-fixup", "/rw/alias", "per-directory rewrite, then MultiViews", _h(AL_FR)),
    get_case("rw-server", "/rw/srv", "server rewrite [PT], then MultiViews", _h(AL_FR)),
    get_case("idx-fr", "/idx/", "DirectoryIndex index, MultiViews", _h(AL_FR)),
    get_case("idx-none", "/idx/", "DirectoryIndex index, no header"),
    get_case("err-406", "/err/page", "ErrorDocument 406", _h(("Accept-Language", "zz"))),
    Case(
        "err-406-head",
        request("HEAD", "/err/page", [("Accept-Language", "zz")]),
        "ErrorDocument 406, HEAD",
    ),
    get_case("dup-en", "/dup/a.html", "en, en.en, en.gz, fr.xz", _h(("Accept-Language", "en"))),
    get_case(
        "dup-gzip",
        "/dup/a.html",
        "x-gzip variant asked as gzip",
        _h(("Accept-Language", "en"), ("Accept-Encoding", "gzip")),
    ),
    get_case(
        "dup-xz",
        "/dup/a.html",
        "xz",
        _h(("Accept-Language", "fr"), ("Accept-Encoding", "xz, gzip;q=0.5")),
    ),
    get_case("dup-none", "/dup/a.html", "no headers"),
    Case("options", request("OPTIONS", "/lv/page", []), "OPTIONS on a negotiated name"),
    get_case("map-query", "/cache/m.var?q=1", "a type map keeps the query", _h(AL_FR)),
    get_case("map-path-info", "/cache/m.var/extra", "path info after a type map", _h(AL_FR)),
]

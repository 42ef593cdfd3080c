"""mod_negotiation and the negotiation side of mod_mime: MultiViews over languages,
types, charsets and encodings; Accept* quality arithmetic with Apache's fiddles
(wildcards, language prefixes, no-language variants, unlisted identity), tie-breaks
(LanguagePriority, level, non-latin1 charset, size, name), ForceLanguagePriority
Prefer/Fallback/None, MultiviewsMatch, DefaultLanguage, excluded and denied variants,
406 and 300 with Alternates, Vary only for the dimensions that differ, transparent
negotiation (Negotiate: trans/vlist/*/1.0), prefer-language and no-gzip, HTTP/1.0
Expires, type maps (handler type-map, inline Body, continuation lines, comments, bad
records) and malformed or huge Accept headers (security.md N01-N08, D07)."""

from __future__ import annotations

from ..harness import Case, get_case, header, request, set_mtimes

NAME = "negotiation"


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    return (
        header(root, port, ("negotiation", "setenvif", "dir"))
        + f"""
DocumentRoot {h}
SetEnvIf X-Prefer (.+) prefer-language=$1
SetEnvIf X-No-Gzip . no-gzip
SetEnvIf X-Gzip-Html . gzip-only-text/html=1
<Directory {h}>
    Require all granted
    AddLanguage en .en
    AddLanguage fr .fr
    AddLanguage de .de
    AddLanguage it .it
    AddEncoding gzip .gz
    AddCharset UTF-8 .utf8
    AddHandler type-map .var
    LanguagePriority en fr de
</Directory>
<Directory {h}/mv>
    Options +MultiViews
    DirectoryIndex index.html
    <Files "hidden.txt">
        Require all denied
    </Files>
    <Files "priv.txt">
        Require all denied
    </Files>
</Directory>
<Directory {h}/fb>
    Options +MultiViews
    LanguagePriority fr en
    ForceLanguagePriority Fallback
</Directory>
<Directory {h}/none>
    Options +MultiViews
    ForceLanguagePriority None
</Directory>
<Directory {h}/any>
    Options +MultiViews
    MultiviewsMatch Any
</Directory>
<Directory {h}/var>
    Options +MultiViews
</Directory>
<Directory {h}/var2>
    Options +MultiViews
    MultiviewsMatch Handlers
</Directory>
<Directory {h}/deflang>
    Options +MultiViews
    DefaultLanguage EN
</Directory>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs",))


def _al(value: str) -> list[tuple[str, str]]:
    return [("Accept-Language", value)]


MANY_LANGS = ", ".join(f"x{i:03d}" for i in range(700))
MANY_TYPES = ", ".join(f"a{i}/b{i};q=0.{i % 10}" for i in range(600))
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

CASES: list[Case] = [
    # Languages (MultiViews over page.html.{en,fr,de}, LanguagePriority en fr de)
    get_case("lang-fr", "/mv/page.html", "N01", _al("fr")),
    get_case("lang-none", "/mv/page.html", "no Accept-Language: LanguagePriority decides"),
    get_case("lang-q-abc", "/mv/page.html", "N02: q=abc is 1.0", _al("fr;q=abc, en;q=0.5")),
    get_case("lang-all-zero", "/mv/page.html", "N03: 406", _al("en;q=0, fr;q=0")),
    get_case("lang-star-de", "/mv/page.html", "* below an explicit de", _al("*;q=0.5, de")),
    get_case("lang-star-only", "/mv/page.html", "* alone: priority order", _al("*")),
    get_case("lang-subtag-fiddle", "/mv/page.html", "de-CH finds de at 0.001", _al("de-CH")),
    get_case("lang-upper", "/mv/page.html", "ranges are lower-cased", _al("FR")),
    get_case("lang-unknown", "/mv/page.html", "no acceptable language: 406", _al("zz")),
    get_case(
        "lang-malformed",
        "/mv/page.html",
        "N05",
        [("Accept", ";;;,,,=;q="), ("Accept-Language", ";q=2,,")],
    ),
    get_case("lang-700", "/mv/page.html", "N06: 700 unknown tags", _al(MANY_LANGS)),
    get_case("lang-tie-priority", "/mv/page.html", "de, fr tie: priority", _al("de, fr")),
    get_case("lang-q-order", "/mv/page.html", "higher q wins", _al("de;q=0.9, fr;q=0.8")),
    get_case("lang-q-spaces", "/mv/page.html", "q = 0.2 with spaces", _al("fr ; q = 0.2, de")),
    get_case("lang-q-long", "/mv/page.html", "q=0.0001 is 0", _al("fr;q=0.0001, de;q=0.001")),
    get_case("lang-q-one-dot", "/mv/page.html", "q=.5 and q=1.5", _al("fr;q=.5, de;q=1.5")),
    get_case("lang-multi-fr", "/mv/multi", "a variant in two languages", _al("fr")),
    get_case("lang-multi-star", "/mv/multi", "* beats de", _al("de;q=0.5, *;q=0.6")),
    get_case("lang-multi-none", "/mv/multi", "no header"),
    get_case("lang-direct", "/mv/page.html.fr", "a variant by its own name: Content-Language"),
    # Types
    get_case("type-html-q0", "/mv/doc", "N08", [("Accept", "text/html;q=0")]),
    get_case("type-all-q0", "/mv/doc", "N04", [("Accept", "*/*;q=0")]),
    get_case("type-browser", "/mv/doc", "a browser's Accept", [("Accept", BROWSER)]),
    get_case("type-text-star", "/mv/doc", "text/* fiddle, size decides", [("Accept", "text/*")]),
    get_case("type-none", "/mv/doc", "no Accept: */* at 0.01"),
    get_case(
        "type-explicit-q",
        "/mv/doc",
        "explicit q turns the fiddle off",
        [("Accept", "text/plain;q=0.5, text/html;q=0.4")],
    ),
    get_case(
        "type-star-q",
        "/mv/doc",
        "*/* with q: no fiddle, tie on size",
        [("Accept", "text/html, */*;q=1")],
    ),
    get_case(
        "type-level-low",
        "/mv/lvl",
        "level=1 below html's 2: 406",
        [("Accept", "text/html;level=1")],
    ),
    get_case("type-level-high", "/mv/lvl", "level=3", [("Accept", "text/html;level=3")]),
    get_case(
        "type-old-format", "/mv/doc", "space-separated list", [("Accept", "text/plain text/html")]
    ),
    get_case("type-600", "/mv/doc", "600 entries", [("Accept", MANY_TYPES)]),
    get_case("img-star", "/mv/img", "image/*: the smaller", [("Accept", "image/*")]),
    get_case("img-png", "/mv/img", "image/png", [("Accept", "image/png, image/*;q=0.9")]),
    # Encodings
    get_case("enc-none", "/mv/enc", "no Accept-Encoding: identity 1, gzip 0.5"),
    get_case("enc-gzip", "/mv/enc", "gzip listed", [("Accept-Encoding", "gzip")]),
    get_case(
        "enc-x-gzip", "/mv/enc", "fix_encoding echoes x-gzip", [("Accept-Encoding", "x-gzip")]
    ),
    get_case("enc-gzip-q0", "/mv/enc", "gzip;q=0", [("Accept-Encoding", "gzip;q=0")]),
    get_case(
        "enc-all-q0",
        "/mv/enc",
        "identity and gzip refused: 406",
        [("Accept-Encoding", "identity;q=0, gzip;q=0")],
    ),
    get_case("enc-star", "/mv/enc", "* : size decides", [("Accept-Encoding", "*")]),
    get_case(
        "enc-tie",
        "/mv/enc",
        "equal q",
        [("Accept-Encoding", "gzip;q=0.5, identity;q=0.5")],
    ),
    get_case(
        "enc-no-gzip",
        "/mv/enc",
        "no-gzip env",
        [("Accept-Encoding", "gzip"), ("X-No-Gzip", "1")],
    ),
    get_case(
        "enc-gzip-only-html",
        "/mv/enc",
        "gzip-only-text/html=1 on text/plain",
        [("Accept-Encoding", "gzip"), ("X-Gzip-Html", "1")],
    ),
    get_case(
        "enc-direct",
        "/mv/enc.txt.gz",
        "a .gz by name, x-gzip asked",
        [("Accept-Encoding", "x-gzip, gzip")],
    ),
    # Charsets
    get_case("charset-utf8", "/mv/cs", "utf-8 asked", [("Accept-Charset", "utf-8")]),
    get_case("charset-none", "/mv/cs", "no header: non-latin1 preferred"),
    get_case("charset-latin", "/mv/cs", "latin1 asked", [("Accept-Charset", "iso-8859-1")]),
    get_case(
        "charset-star",
        "/mv/cs",
        "* lower than latin1",
        [("Accept-Charset", "iso-8859-1, *;q=0.5")],
    ),
    get_case(
        "charset-upper",
        "/mv/cs",
        "UTF-8 spelled upper",
        [("Accept-Charset", "UTF-8;q=0.3, iso-8859-1;q=0.2")],
    ),
    # What counts as a variant
    get_case("bak-only", "/mv/secret.txt", "D07: only an excluded .bak: 404"),
    get_case("bak-skipped", "/mv/notes", "notes.txt.bak is not a variant of notes"),
    get_case("unknown-ext", "/mv/readme", "readme.xyz carries no metadata"),
    get_case("directory-name", "/mv/sub", "a directory exists: no negotiation"),
    get_case("denied-variant", "/mv/priv", "priv.txt denied, priv.html served"),
    get_case("denied-only", "/mv/hidden", "the only variant denied: 404"),
    get_case("index", "/mv/", "DirectoryIndex index.html negotiated", _al("fr")),
    get_case("xss-406", "/mv/x%3Cb%3E.html", "CVE-2012-2687: escaped names", _al("zz")),
    # Methods, query, path info, protocol
    Case("head", request("HEAD", "/mv/page.html", _al("fr")), "HEAD"),
    Case("post", request("POST", "/mv/page.html", _al("fr"), b"x=1"), "POST prefers scripts"),
    get_case("query", "/mv/page.html?x=1&y", "the query is kept", _al("fr")),
    get_case("path-info", "/mv/page.html/extra", "path info: not transparent", _al("fr")),
    Case(
        "http10", request("GET", "/mv/page.html", _al("fr"), version="HTTP/1.0"), "Expires for 1.0"
    ),
    Case(
        "http10-single",
        request("GET", "/mv/readme", version="HTTP/1.0"),
        "one variant: no Expires",
    ),
    get_case(
        "not-modified",
        "/mv/page.html",
        "If-Modified-Since later",
        [("Accept-Language", "fr"), ("If-Modified-Since", "Sat, 01 Jan 2050 00:00:00 GMT")],
    ),
    get_case(
        "range", "/mv/page.html", "a range", [("Accept-Language", "de"), ("Range", "bytes=0-3")]
    ),
    # Transparent negotiation
    get_case(
        "neg-trans",
        "/mv/page.html",
        "300 list",
        [("Negotiate", "trans"), ("Accept-Language", "fr")],
    ),
    get_case(
        "neg-trans-lynx",
        "/mv/page.html",
        "Lynx's trans is ignored",
        [("Negotiate", "trans"), ("User-Agent", "Lynx/2.8.9"), ("Accept-Language", "fr")],
    ),
    get_case("neg-vlist", "/mv/page.html", "vlist", [("Negotiate", "vlist")]),
    get_case(
        "neg-star",
        "/mv/page.html",
        "* : server chooses",
        [("Negotiate", "*"), ("Accept-Language", "de")],
    ),
    get_case(
        "neg-rvsa", "/mv/page.html", "RVSA/1.0", [("Negotiate", "1.0"), ("Accept-Language", "fr")]
    ),
    get_case(
        "neg-rvsa-indefinite", "/mv/page.html", "RVSA, no language header", [("Negotiate", "1.0")]
    ),
    get_case("neg-unknown", "/mv/page.html", "unknown directive: 406", [("Negotiate", "foo")]),
    get_case("neg-type", "/mv/doc", "trans, vlist over types", [("Negotiate", "trans, vlist")]),
    # Environment
    get_case("prefer-fr", "/mv/page.html", "prefer-language=fr", [("X-Prefer", "fr")]),
    get_case("prefer-missing", "/mv/page.html", "prefer-language=it: none", [("X-Prefer", "it")]),
    get_case(
        "prefer-over-header",
        "/mv/page.html",
        "prefer-language over Accept-Language",
        [("X-Prefer", "de"), ("Accept-Language", "fr")],
    ),
    get_case(
        "prefer-zero",
        "/mv/page.html",
        "preferred language refused by type",
        [("X-Prefer", "de"), ("Accept", "text/plain"), ("Accept-Language", "fr")],
    ),
    # ForceLanguagePriority, MultiviewsMatch, DefaultLanguage
    get_case("fallback", "/fb/page.html", "Fallback: first priority language", _al("zz")),
    get_case("fallback-nolang", "/fb/nolang", "no-language variant against Fallback", _al("de")),
    get_case("fallback-none", "/fb/page.html", "no header, priority fr en"),
    get_case("force-none-tie", "/none/page.html", "None: name order", _al("fr;q=0.5, en;q=0.5")),
    get_case("force-none-zero", "/none/page.html", "None: 406", _al("zz")),
    get_case("any-en", "/any/notes", "Any: the .bak counts", _al("en")),
    get_case("any-none", "/any/notes", "Any, no header"),
    get_case("any-de", "/any/notes", "Any, only the .bak acceptable", _al("de")),
    get_case("nomv", "/nomv/page.html", "no MultiViews: 404"),
    get_case("deflang-en", "/deflang/page", "DefaultLanguage EN is not lower-cased", _al("en")),
    get_case("deflang-fr", "/deflang/page", "DefaultLanguage and a .fr", _al("fr")),
    get_case("deflang-direct", "/deflang/page.html", "Content-Language: EN"),
    # Type maps
    get_case("var-fr", "/var/doc.var", "map: fr text", _al("fr")),
    get_case("var-it", "/var/doc.var", "map: inline body", _al("it")),
    get_case("var-none", "/var/doc.var", "map: no header"),
    get_case("var-406", "/var/doc.var", "map: 406 with descriptions", _al("zz")),
    get_case("var-de", "/var/doc.var", "map: continuation line languages", _al("de")),
    get_case("var-plain-fr", "/var/plain.var", "transparent map", _al("fr")),
    get_case(
        "var-plain-gzip",
        "/var/plain.var",
        "x-gzip variant",
        [("Accept-Encoding", "gzip"), ("Accept-Language", "fr")],
    ),
    get_case(
        "var-plain-trans", "/var/plain.var", "map, Negotiate: trans", [("Negotiate", "trans")]
    ),
    get_case("var-far", "/var/far.var", "non-neighbour variant", _al("en")),
    get_case("var-bad", "/var/bad.var", "no ':' : 500"),
    get_case("var-escape-dots", "/var/escape.var", "a map pointing above the root"),
    get_case("var-escape-abs", "/var/abs.var", "a map with an absolute URI"),
    get_case("var-escape-pct", "/var/pct.var", "a map with %2e%2e segments"),
    get_case("var-len", "/var/len.var", "bad Content-Length stops reading", _al("en")),
    get_case("var-len-fr", "/var/len.var", "bad Content-Length, fr", _al("fr")),
    get_case("var-nobody", "/var/nobody.var", "Body without end tag"),
    get_case("var-loop", "/var/loop.var", "a map choosing a map: 506"),
    get_case("var-qs", "/var/qs.var", "qs 0.4 over 0.3"),
    get_case("var-qs-plain", "/var/qs.var", "qs with Accept", [("Accept", "text/plain")]),
    get_case("var-mv", "/var/doc", "MultiViews finds the .var (NegotiatedOnly)", _al("fr")),
    get_case("var2-mv", "/var2/doc", "MultiviewsMatch Handlers", _al("fr")),
    Case("var-head", request("HEAD", "/var/doc.var", _al("it")), "HEAD of an inline body"),
    Case("var-post", request("POST", "/var/doc.var", _al("it"), b"a=b"), "POST of an inline body"),
    Case("var-put", request("PUT", "/var/doc.var", _al("it"), b"a=b"), "PUT of an inline body"),
    Case("var-http10", request("GET", "/var/doc.var", _al("fr"), version="HTTP/1.0"), "map, 1.0"),
    Case(
        "var-it-http10", request("GET", "/var/doc.var", _al("it"), version="HTTP/1.0"), "body, 1.0"
    ),
    Case("var-mv-http10", request("GET", "/var2/doc", _al("fr"), version="HTTP/1.0"), "1.0"),
    get_case(
        "var-it-ims",
        "/var/doc.var",
        "inline body, If-Modified-Since",
        [("Accept-Language", "it"), ("If-Modified-Since", "Sat, 01 Jan 2050 00:00:00 GMT")],
    ),
]

"""mod_negotiation beyond what the golden suites replay (tests/golden/suites/negotiation*.py
hold the answers to Apache's): the header and type-map readers on their own, hostile
input in bounded work, CacheNegotiatedDocs per server, the memo, and type maps that
point outside their directory."""

from __future__ import annotations

import pytest
from adapters.conftest import Face, Site

from apachemw.core.request import Incoming
from apachemw.engine import build_engine
from apachemw.modules.mod_negotiation.accept import atoq, header_line, list_items
from apachemw.modules.mod_negotiation.typemap import MAX_STRING_LEN, read_type_map

LANGS = """
AddLanguage en .en
AddLanguage fr .fr
AddHandler type-map .var
LanguagePriority en fr
"""


@pytest.mark.parametrize(
    ("text", "quality"),
    [
        ("", 1.0),
        ("abc", 1.0),  # not starting with 0 or "." : 1 (security.md N02)
        ("1.5", 1.0),
        ("-1", 1.0),
        ("0", 0.0),
        ("0.5", 0.5),
        (".5", 0.5),
        ("  0.25", 0.25),
        ("0.1239", 0.123),  # three decimals at most
        ("0.", 0.0),
        ("0.x", 0.0),
        ("00.5", 0.0),
    ],
)
def test_quality_values_read_as_mod_negotiation_reads_them(text: str, quality: float) -> None:
    assert atoq(text) == pytest.approx(quality)


def test_header_entries_and_parameters() -> None:
    entries = header_line('Text/HTML; Level = 3 ;q=0.5;charset="UTF-8", text/plain text/x; x')
    assert entries is not None
    assert [(e.name, e.level, e.charset) for e in entries] == [
        ("text/html", 3.0, "utf-8"),
        ("text/plain", 0.0, ""),
        ("text/x", 0.0, ""),
    ]
    assert entries[0].quality == pytest.approx(0.5)
    assert header_line(None) is None
    assert header_line("") == []


@pytest.mark.parametrize("junk", [";" * 8000, "," * 8000, '"' * 8000, "=" * 8000, "q=;" * 2500])
def test_pathological_headers_give_some_list(junk: str) -> None:
    # Every character is consumed once: the reader ends, whatever it is given.
    entries = header_line(junk)
    assert entries is not None
    assert len(entries) <= len(junk)


def test_negotiate_header_items() -> None:
    assert list_items(' Trans ,  VList,,"A, b" ') == ["trans", "vlist", '"A, b"']


def _map(text: str) -> bytes:
    return text.encode("latin-1")


def test_type_map_records_comments_and_continuations() -> None:
    data = _map(
        "URI: self\n\n"
        "URI: a.en.html\n# a comment between headers\nContent-Type: text/html;\n"
        "  qs=0.5\nContent-Language: en,\n fr\nDescription: two\n lines\n\n"
        "URI: b\nContent-Type: text/plain (a comment)\n"
    )
    result = read_type_map(data, "/x/req", "map.var")
    assert result.status == 0
    assert [v.file_name for v in result.variants] == ["a.en.html", "b"]
    first, second = result.variants
    assert first.mime_type == "text/html"
    assert first.source_quality == pytest.approx(0.5)
    assert first.content_languages == ["en", "fr"]
    assert first.description == "two lines"
    assert second.mime_type == "text/plain"


def test_type_map_inline_body() -> None:
    head = "URI: x\nContent-Type: text/plain\nBody:--end--\n"
    data = _map(head + "hello\n--end-- trailing\n\nURI: y\nContent-Type: text/html\n")
    result = read_type_map(data, "/x/req", "map.var")
    body, after = result.variants
    assert (body.file_name, body.body, body.bytes) == ("map.var", len(head), len("hello\n"))
    assert data[body.body : body.body + body.bytes] == b"hello\n"
    assert after.file_name == "y"


@pytest.mark.parametrize(
    ("text", "status", "message"),
    [
        ("URI: a\nContent-Type text/html\n", 500, "AH00681: Syntax error in type map, no ':'"),
        ("URI: a\nContent-Type:   \n", 500, "AH00682: Syntax error in type map --- no header"),
        ("URI: a\nContent-Length: 1x\nContent-Type: a/b\n", 0, "AH00684: Parse error in type"),
        ("URI: a\nContent-Type: a/b\nBody:--e--\nno end\n", 0, "AH00685: Syntax error in type"),
    ],
)
def test_broken_type_maps(text: str, status: int, message: str) -> None:
    result = read_type_map(_map(text), "/x/req", "m.var")
    assert result.status == status
    assert result.errors and result.errors[0].startswith(message)
    assert result.variants == []  # the record being read when it broke is dropped


def test_overlong_type_map_line_splits_at_max_string_len() -> None:
    long_uri = "u" * (MAX_STRING_LEN + 100)
    result = read_type_map(_map(f"URI: {long_uri}\nContent-Type: a/b\n"), "/x", "m.var")
    # The line is read 8191 bytes at a time; its rest reads as a header without ":".
    assert result.status == 500
    assert "no ':'" in result.errors[0]


def _write_variants(site: Site) -> None:
    site.write("mv/page.html.en", "english\n")
    site.write("mv/page.html.fr", "francais\n")


def test_negotiated_answers_are_not_memoised(client: Face, site: Site) -> None:
    _write_variants(site)
    conf = site.conf(
        LANGS + f"<Directory {site.docroot}/mv>\n    Options +MultiViews\n</Directory>"
    )
    c = client.wrap(text=conf)
    for _ in range(2):
        fr = c.get("/mv/page.html", headers={"Accept-Language": "fr"})
        en = c.get("/mv/page.html", headers={"Accept-Language": "en"})
        assert (fr.status, fr.body) == (200, b"francais\n")
        assert (en.status, en.body) == (200, b"english\n")
        assert fr.header("Vary") == "negotiate,accept-language"


def test_hostile_accept_language_gets_406(client: Face, site: Site) -> None:
    _write_variants(site)
    conf = site.conf(
        LANGS + f"<Directory {site.docroot}/mv>\n    Options +MultiViews\n</Directory>"
    )
    c = client.wrap(text=conf)
    junk = ";q=," * 2000  # just under LimitRequestFieldSize
    r = c.get("/mv/page.html", headers={"Accept-Language": junk})
    assert r.status == 406
    assert b"Available variants:" in r.body
    assert any("AH00690: no acceptable variant" in line for line in site.log_lines("error"))


@pytest.mark.parametrize("uri", ["../../../../../../etc/passwd", "/etc/passwd"])
def test_type_map_cannot_reach_outside_the_document_root(
    client: Face, site: Site, uri: str
) -> None:
    site.write("maps/m.var", f"URI: {uri}\nContent-Type: text/plain\n")
    c = client.wrap(text=site.conf(LANGS))
    r = c.get("/maps/m.var")
    # The answers themselves are Apache's (golden negotiation var-escape-*); here: never
    # the file.
    assert r.status in (400, 404)
    assert b"root:" not in r.body


def _engine(site: Site, extra: str) -> object:
    site.write("m/page.html.en", "english\n")
    site.write("m/page.html.fr", "francais\n")
    site.write("m/m.var", "URI: page.html.en\nContent-Type: text/html\nContent-Language: en\n")
    return build_engine(text=site.conf(LANGS + extra))


def _expires_for_http10(engine: object, host: str = "localhost") -> str | None:
    incoming = Incoming(
        method="GET", target=b"/m/m.var", protocol="HTTP/1.0", headers=[("host", host)]
    )
    outcome = engine.handle(incoming)  # type: ignore[attr-defined]
    assert outcome.status == 200
    return next((v for k, v in outcome.headers if k.lower() == "expires"), None)


def test_http10_gets_an_expired_type_map_answer_unless_cache_negotiated_docs(
    site: Site,
) -> None:
    assert _expires_for_http10(_engine(site, "")) is not None
    assert _expires_for_http10(_engine(site, "CacheNegotiatedDocs On\n")) is None


def _vhosts(main: str, first: str, second: str) -> str:
    return (
        f"{main}\n<VirtualHost *:80>\n    ServerName localhost\n    {first}\n</VirtualHost>\n"
        f"<VirtualHost *:80>\n    ServerName other.test\n    {second}\n</VirtualHost>\n"
    )


def test_cache_negotiated_docs_in_virtual_hosts(site: Site) -> None:
    # A virtual host inherits the main server's On, and its own Off cannot undo it
    # (Apache stores nothing for Off).
    engine = _engine(site, _vhosts("CacheNegotiatedDocs On", "", "CacheNegotiatedDocs Off"))
    assert _expires_for_http10(engine, "localhost") is None
    assert _expires_for_http10(engine, "other.test") is None
    engine = _engine(site, _vhosts("", "CacheNegotiatedDocs On", ""))
    assert _expires_for_http10(engine, "localhost") is None
    assert _expires_for_http10(engine, "other.test") is not None


def test_type_map_read_off_the_event_loop_logs_once(client: Face, site: Site) -> None:
    # On ASGI the first request must read the map, so it is decided again in a thread:
    # the error-log lines of the first attempt (here mod_rewrite's trace, written before
    # the map is reached) are not written twice.
    site.write("m/page.html.en", "english\n")
    site.write("m/m.var", "URI: page.html.en\nContent-Type: text/html\nContent-Language: en\n")
    trace = "LogLevel warn rewrite:trace1\nRewriteEngine On\nRewriteRule ^/never$ /x\n"
    c = client.wrap(text=site.conf(LANGS + trace))
    counts = []
    for _ in range(2):
        before = len(site.log_lines("error"))
        assert c.get("/m/m.var").body == b"english\n"
        new = site.log_lines("error")[before:]
        counts.append(sum("rewrite:trace1" in line for line in new))
    assert counts[0] == counts[1] > 0

"""Request-target parsing; expectations checked against a live apache2 2.4.71.

Statuses were observed by sending each raw target to apache2 2.4.71 (one vhost per
AllowEncodedSlashes/MergeSlashes setting) and r->uri/r->args read back through
``Header always set X-Uri "expr=%{REQUEST_URI}"``; log notes come from its error log.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apachemw.core.uri import (
    BadRequestTarget,
    Target,
    normalize_path,
    parse_target,
    unescape_path,
)
from apachemw.errors import ApacheMWError


def status_of(raw: bytes, method: str = "GET", **kw: object) -> int:
    try:
        parse_target(raw, method, **kw)  # type: ignore[arg-type]
    except BadRequestTarget as exc:
        return exc.status
    return 200


@pytest.mark.parametrize(
    ("raw", "uri", "args"),
    [
        (b"/", "/", None),
        (b"/sub/../index.html", "/index.html", None),
        (b"/a/%2e%2e/sub/./x?q=1", "/sub/x", "q=1"),
        (b"//sub//index.html", "/sub/index.html", None),
        (b"///a", "/a", None),
        (b"/./index.html", "/index.html", None),
        (b"/sub/%2e/index.html", "/sub/index.html", None),
        (b"/%69ndex.html", "/index.html", None),
        (b"/%7euser/%41%42", "/~user/AB", None),
        (b"/sub/%252e%252e/index.html", "/sub/%2e%2e/index.html", None),
        (b"/sub/..%5c..%5cx", "/sub/..\\..\\x", None),
        (b"/sub\\..\\index.html", "/sub\\..\\index.html", None),
        (b"/index.html%20", "/index.html ", None),
        (b"/index.html;jsessionid=1", "/index.html;jsessionid=1", None),
        (b"/x%3f", "/x?", None),
        (b"/x%23y", "/x#y", None),
        (b"/x%25", "/x%", None),
        (b"/x%0ay", "/x\ny", None),
        (b"/a/..", "/", None),
        (b"/a/.", "/a/", None),
        (b"/.", "/", None),
        (b"/a/...", "/a/...", None),
        (b"/a/..b/", "/a/..b/", None),
        (b"/a/%2e", "/a/", None),
        (b"/a/%2e./b", "/b", None),
        (b"/a/.%2e./b", "/a/.../b", None),
        (b"/a//../b", "/b", None),
        (b"/a//b//../c", "/a/c", None),
        (b"/%41%2e%2e/b", "/A../b", None),
        (b"/a?", "/a", ""),
        (b"/?", "/", ""),
        (b"/a?b=%zz&c", "/a", "b=%zz&c"),
        (b"?x", "/", "x"),
        (b"/caf\xc3\xa9.html", "/caf\u00e9.html", None),
        (b"/\xff\xfe", "/\udcff\udcfe", None),
        (b"/%ff%fe", "/\udcff\udcfe", None),
        (b"/sub/%c0%ae%c0%ae/index.html", "/sub/\udcc0\udcae\udcc0\udcae/index.html", None),
    ],
)
def test_origin_form(raw: bytes, uri: str, args: str | None) -> None:
    target = parse_target(raw, "GET")
    assert (target.uri, target.args) == (uri, args)
    assert target.unparsed == raw.decode("latin-1")
    assert target.hostname is None


def test_uri_gives_back_the_bytes() -> None:
    import os

    assert os.fsencode(parse_target(b"/\xff%fe", "GET").uri) == b"/\xff\xfe"
    assert parse_target(b"/a%2fb%41", "GET", allow_encoded_slashes="nodecode").path_raw == (
        "/a%2fbA"
    )


@pytest.mark.parametrize(
    ("raw", "uri", "args", "host"),
    [
        (b"http://localhost/sub/../index.html", "/index.html", None, "localhost"),
        (b"http://evil.example/index.html", "/index.html", None, "evil.example"),
        (b"HTTP://evil.example:80/index.html", "/index.html", None, "evil.example"),
        (b"http://evil.example", "/", None, "evil.example"),
        (b"http://evil.example?x=1", "/", "x=1", "evil.example"),
        (b"http://h:/x", "/x", None, "h"),
        (b"http://h:+80/x", "/x", None, "h"),
        (b"http://[::1]:80/x", "/x", None, "::1"),
        (b"http://[::1]/x", "/x", None, "::1"),
        # Another scheme is accepted (http and https only) but gives no hostname.
        (b"https://evil.example/x", "/x", None, None),
        (b"http:/x", "/x", None, None),
    ],
)
def test_absolute_form(raw: bytes, uri: str, args: str | None, host: str | None) -> None:
    target = parse_target(raw, "GET")
    assert (target.uri, target.args, target.hostname) == (uri, args, host)


def test_absolute_form_with_https_server() -> None:
    assert parse_target(b"https://h/x", "GET", scheme="https").hostname == "h"


@pytest.mark.parametrize(
    ("raw", "note"),
    [
        (b"/../outside", "AH10244: invalid URI path (/../outside)"),
        (b"/sub/../../outside", "AH10244: invalid URI path (/sub/../../outside)"),
        (b"/%2e%2e/x", "AH10244: invalid URI path (/%2e%2e/x)"),
        (b"/sub/.%2e/.%2e/x", "AH10244: invalid URI path (/sub/.%2e/.%2e/x)"),
        (b"/sub/%2E%2e/../../x", "AH10244: invalid URI path (/sub/%2E%2e/../../x)"),
        (b"/icons/.%%32%65/x", "AH10244: invalid URI path (/icons/.%%32%65/x)"),
        (b"/..", "AH10244: invalid URI path (/..)"),
        (b"/.%2e", "AH10244: invalid URI path (/.%2e)"),
        (b"/%2e.", "AH10244: invalid URI path (/%2e.)"),
        (b"/%zz", "AH10244: invalid URI path (/%zz)"),
        (b"/index.html%", "AH10244: invalid URI path (/index.html%)"),
        (b"/index.html%2", "AH10244: invalid URI path (/index.html%2)"),
        (b"/%u002e%u002e/index.html", "AH10244: invalid URI path (/%u002e%u002e/index.html)"),
        (b"/\xff/../..", "AH10244: invalid URI path (/\\xff/../..)"),
        (b"/index.html#frag", "AH02421: HTTP Request Line; URI must not contain a fragment"),
        (b"/index.html?a#frag", "AH02421: HTTP Request Line; URI must not contain a fragment"),
        (b"#x", "AH02421: HTTP Request Line; URI must not contain a fragment"),
        (
            b"sub/../index.html",
            "AH03450: HTTP Request Line; Unable to parse URI: 'sub/../index.html'",
        ),
        (
            b"@localhost/index.html",
            "AH03450: HTTP Request Line; Unable to parse URI: '@localhost/index.html'",
        ),
        (b"*", "AH03450: HTTP Request Line; Unable to parse URI: '*'"),
        (b"http:x", "AH03450: HTTP Request Line; Unable to parse URI: 'x'"),
        (b"a:b/c", "AH03450: HTTP Request Line; Unable to parse URI: 'b/c'"),
        (b"http://h:abc/x", "AH03450: HTTP Request Line; Unable to parse URI: 'http'"),
        (b"http://[::1/x", "AH03450: HTTP Request Line; Unable to parse URI: 'http'"),
        (b"http://u@h/x", "AH02422: HTTP Request Line; URI must not contain a username/password"),
        (b"http://u:p@h/x", "AH02422: HTTP Request Line; URI must not contain a username/password"),
        (b"ftp://h/x", ""),
        (b"/\x01", "AH03454: HTTP Request Line; URI incorrectly encoded: '/\\x01'"),
        (b"/\x7f", "AH03454: HTTP Request Line; URI incorrectly encoded: '/\\x7f'"),
        (b"/a\tb", "AH03454: HTTP Request Line; URI incorrectly encoded: '/a\\x09b'"),
        (
            b"/index.html\x00",
            "AH03454: HTTP Request Line; URI incorrectly encoded: '/index.html\\x00'",
        ),
        (b"", "AH03446: HTTP Request Line; Missing URI"),
    ],
)
def test_400(raw: bytes, note: str) -> None:
    with pytest.raises(BadRequestTarget) as info:
        parse_target(raw, "GET")
    assert (info.value.status, info.value.note) == (400, note)
    assert isinstance(info.value, ApacheMWError)


@pytest.mark.parametrize(
    "raw", [b"/sub%2findex.html", b"/sub%2Findex.html", b"/sub/..%2f..%2fx", b"/%2F"]
)
def test_encoded_slash_off_is_404(raw: bytes) -> None:
    with pytest.raises(BadRequestTarget) as info:
        parse_target(raw, "GET")
    assert info.value.status == 404
    assert info.value.note == (
        f"AH00026: found %2f (encoded '/') in URI path ({raw.decode()}), returning 404"
    )


def test_nul_is_404_and_logged_as_2f_only_when_off() -> None:
    # Apache logs AH00026 for %00 too while AllowEncodedSlashes is Off.
    with pytest.raises(BadRequestTarget) as info:
        parse_target(b"/index.html%00.txt", "GET")
    assert info.value.status == 404
    assert info.value.note.startswith("AH00026: found %2f")
    with pytest.raises(BadRequestTarget) as info:
        parse_target(b"/x%00", "GET", allow_encoded_slashes="on")
    assert (info.value.status, info.value.note) == (404, "")


@pytest.mark.parametrize(
    ("raw", "on", "nodecode"),
    [
        (b"/sub%2findex.html", "/sub/index.html", "/sub%2findex.html"),
        (b"/%2F", "/", "/%2F"),
        (b"/.%2f../x", "/x", "/.%2f../x"),
        (b"/a/.%2f/b", "/a/b", "/a/.%2f/b"),
        (b"/a%2f..%2f..%2fb", "/b", "/a%2f..%2f..%2fb"),
        (b"/sub/..%2f..%2fx", "/x", "/sub/..%2f..%2fx"),
    ],
)
def test_allow_encoded_slashes(raw: bytes, on: str, nodecode: str) -> None:
    assert parse_target(raw, "GET", allow_encoded_slashes="On").uri == on
    assert parse_target(raw, "GET", allow_encoded_slashes="nodecode").uri == nodecode


def test_merge_slashes_off() -> None:
    assert parse_target(b"/a//b", "GET", merge_slashes=False).uri == "/a//b"
    assert parse_target(b"/a//../b", "GET", merge_slashes=False).uri == "/a/b"
    # The leading "//" is always folded by ap_parse_uri.
    assert parse_target(b"//sub//x", "GET", merge_slashes=False).uri == "/sub//x"


def test_options_star_and_connect() -> None:
    star = parse_target(b"*", "OPTIONS")
    assert star == Target("*", "*", None, "*", None)
    assert parse_target(b"http://h", "OPTIONS").uri == "*"
    assert status_of(b"*", "GET") == 400
    assert parse_target(b"example.com:443", "CONNECT").hostname == "example.com"
    assert parse_target(b"[::1]:443", "CONNECT").uri == "/"
    for bad in (b"/index.html", b"example.com", b"example.com:x", b"[::1]x"):
        assert status_of(bad, "CONNECT") == 400


def test_bad_mode() -> None:
    with pytest.raises(ValueError, match="allow_encoded_slashes"):
        parse_target(b"/", "GET", allow_encoded_slashes="maybe")


def test_long_log_excerpt_is_cut_like_apache() -> None:
    with pytest.raises(BadRequestTarget) as info:
        parse_target(b"x" * 100, "GET")
    assert info.value.note.endswith("'" + "x" * 80 + "'")


def test_helpers() -> None:
    assert normalize_path(b"/a/./b/../c", merge_slashes=True, decode_unreserved=False) == (
        b"/a/c",
        True,
    )
    assert normalize_path(b"/../a", merge_slashes=True, decode_unreserved=False) == (
        b"/a",
        False,
    )
    assert normalize_path(
        b"/../a", merge_slashes=True, decode_unreserved=False, not_above_root=False
    ) == (b"/a", True)
    assert normalize_path(b"rel", merge_slashes=True, decode_unreserved=False)[1] is False
    assert unescape_path(b"/a%2fb", forbid_slashes=False, keep_slashes=True) == b"/a%2fb"
    assert unescape_path(b"/a%41", forbid_slashes=False, keep_slashes=False) == b"/a%41"
    assert unescape_path(b"/%zz%00", forbid_slashes=False, keep_slashes=False) == 400


_BYTES = st.sampled_from(
    [
        b"/",
        b".",
        b"..",
        b"%2e",
        b"%2E",
        b"%2f",
        b"%25",
        b"%",
        b"a",
        b"?",
        b"#",
        b"\\",
        b"%00",
        b"%41",
        b"\xff",
        b"\x01",
        b":",
        b"@",
        b"*",
        b"//",
        b"http://h",
    ]
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(_BYTES, max_size=14).map(b"".join),
    st.sampled_from(["off", "on", "nodecode"]),
    st.booleans(),
    st.sampled_from(["GET", "OPTIONS", "CONNECT"]),
)
def test_never_escapes_root(raw: bytes, mode: str, merge: bool, method: str) -> None:
    try:
        target = parse_target(raw, method, allow_encoded_slashes=mode, merge_slashes=merge)
    except BadRequestTarget as exc:
        assert exc.status in (400, 404)
        return
    assert target.uri == "*" or target.uri.startswith("/")
    assert ".." not in target.uri.split("/")
    assert "." not in target.uri.split("/")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=40), st.sampled_from(["off", "on", "nodecode"]))
def test_arbitrary_bytes_only_raise_bad_request(raw: bytes, mode: str) -> None:
    try:
        target = parse_target(b"/" + raw, "GET", allow_encoded_slashes=mode)
    except BadRequestTarget:
        return
    assert ".." not in target.uri.split("/")

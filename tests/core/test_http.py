"""Validators, conditionals, ranges, dates; range layouts captured from apache2 2.4.71."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apachemw.core.http import (
    RangePlan,
    allow_header,
    find_etag,
    http_date,
    if_range_allows,
    make_boundary,
    make_etag,
    meets_conditions,
    multipart_parts,
    parse_http_date,
    plan_ranges,
)

T = 784111777  # Sun, 06 Nov 1994 08:49:37 GMT
DATE = "Sun, 06 Nov 1994 08:49:37 GMT"
LATER = T + 3600  # request time: well after the mtime (strong validators)


def test_http_date() -> None:
    assert http_date(T) == DATE
    assert http_date(T + 0.9) == DATE
    assert http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (DATE, T),
        ("Sunday, 06-Nov-94 08:49:37 GMT", T),
        ("Sun Nov  6 08:49:37 1994", T),
        ("Sun, 6 Nov 1994 08:49:37 GMT", T),
        ("  Xyz, 06 Nov 1994 08:49:37 GMT", T),  # the weekday is never checked
        ("Sun, 06 Nov 1994 08:49:37 PST", T),  # nor the zone
        ("Sun, 06 Nov 1994 08:49:60 GMT", T + 23),
        ("Mon, 01-Jan-69 00:00:00 GMT", 3124224000),  # two-digit years < 70 are 20xx
        ("Thu, 29 Feb 2024 00:00:00 GMT", 1709164800),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
        ("Sun, 06 Nov 1994 08:49:37", None),  # a space must follow the time
        ("Sun, 06 nov 1994 08:49:37 GMT", None),
        ("Sun, 31 Nov 1994 08:49:37 GMT", None),
        ("Thu, 29 Feb 2100 00:00:00 GMT", None),
        ("Sun, 06 Nov 1994 24:00:00 GMT", None),
        ("Sun, 06 Nov 1994 08:49:62 GMT", None),
        ("Sun, 00 Nov 1994 08:49:37 GMT", None),
        ("Wed, 31 Dec 1969 23:59:59 GMT", None),
        ("Sun, 06 Nov 1894 08:49:37 GMT", None),
        ("garbage", None),
        ("", None),
        ("Sun, 06 Nov 1994", None),
    ],
)
def test_parse_http_date(value: str, expected: int | None) -> None:
    assert parse_http_date(value) == expected


ALL = frozenset({"inode", "mtime", "size"})


def test_make_etag() -> None:
    mtime_ns = 1_700_000_000_123_456_789
    # Captured shape: ETag: "1f40-660d1ed38ca07" for an 8000-byte file (size-mtime µs).
    assert make_etag(8000, mtime_ns, 77, 1_800_000_000, frozenset({"size", "mtime"})) == (
        '"1f40-60a2418202240"'
    )
    assert make_etag(8000, mtime_ns, 77, 1_800_000_000, ALL) == '"4d-1f40-60a2418202240"'
    assert make_etag(0, 0, 0, 1_800_000_000, frozenset({"inode"})) == '"0"'
    assert make_etag(8000, mtime_ns, 77, 1_800_000_000, frozenset()) is None
    # Weak while the request is less than one second after the mtime (or before it).
    request = mtime_ns / 1e9 + 0.5
    assert make_etag(1, mtime_ns, 1, request, frozenset({"size"})) == 'W/"1"'
    assert make_etag(1, mtime_ns, 1, mtime_ns / 1e9 - 5, frozenset({"size"})) == 'W/"1"'
    assert make_etag(1, mtime_ns, 1, mtime_ns / 1e9 + 1.0, frozenset({"size"})) == '"1"'


@pytest.mark.parametrize(
    ("line", "etag", "weak", "found"),
    [
        ('"abc"', '"abc"', False, True),
        ('"x", "abc"', '"abc"', False, True),
        ('"x" ,  "abc" ,', '"abc"', False, True),
        ('"ABC"', '"abc"', False, False),  # quoted text compares exactly
        ('"abcd"', '"abc"', False, False),
        ('"ab"', '"abc"', False, False),
        ('W/"abc"', '"abc"', False, False),
        ('W/"x", "abc"', '"abc"', False, False),  # strong: stops at the first weak item
        ('"abc"', 'W/"abc"', False, False),
        ('W/"abc"', '"abc"', True, True),
        ('"abc"', 'W/"abc"', True, True),
        ('W/"x", W/"abc"', 'W/"abc"', True, True),
        ("abc", '"abc"', True, False),
        ("", '"abc"', True, False),
        ('"a,b"', '"a,b"', False, True),  # commas inside quotes do not split
        ('"a\\"b"', '"a\\"b"', False, True),
    ],
)
def test_find_etag(line: str, etag: str, weak: bool, found: bool) -> None:
    assert find_etag(line, etag, weak=weak) is found


ETAG = '"1f40-5d8b"'


def cond(method: str = "GET", etag: str | None = ETAG, **headers: str) -> int | None:
    hdrs = {k.replace("_", "-"): v for k, v in headers.items()}
    return meets_conditions(method, hdrs, etag=etag, mtime=T, request_time=LATER)


def test_no_conditions() -> None:
    assert cond() is None
    assert (
        meets_conditions(
            "GET", {"if-match": '"x"'}, etag=ETAG, mtime=T, request_time=LATER, status=404
        )
        is None
    )


def test_if_match() -> None:
    assert cond(if_match='"x"') == 412  # captured: 412 with If-Match "x"
    assert cond(if_match=ETAG) is None
    assert cond(if_match="*") is None
    assert cond(if_match="*", etag=None) is None
    assert cond(if_match=ETAG, etag=None) == 412
    assert cond(if_match="W/" + ETAG) == 412


def test_if_unmodified_since() -> None:
    assert cond(if_unmodified_since=http_date(T - 1)) == 412
    assert cond(if_unmodified_since=DATE) is None
    assert cond(if_unmodified_since="junk") is None  # an invalid date is ignored
    # A passing IUS forbids the 304 (AND semantics).
    assert cond(if_unmodified_since=DATE, if_none_match=ETAG) is None
    # Weak (mtime within 60 s of the request) with Range: no 412.
    recent = {"if-unmodified-since": http_date(T - 1), "range": "bytes=0-1"}
    assert meets_conditions("GET", recent, etag=ETAG, mtime=T, request_time=T + 10) is None
    recent.pop("range")
    assert meets_conditions("GET", recent, etag=ETAG, mtime=T, request_time=T + 10) == 412


def test_if_none_match() -> None:
    assert cond(if_none_match=ETAG) == 304
    assert cond("HEAD", if_none_match=ETAG) == 304
    assert cond(if_none_match="W/" + ETAG) == 304  # weak comparison for GET
    assert cond(if_none_match='"x", ' + ETAG) == 304
    assert cond(if_none_match='"x"') is None
    assert cond(if_none_match="*") == 304
    assert cond(if_none_match="*", etag=None) == 304
    assert cond(if_none_match=ETAG, etag=None) is None
    assert cond("PUT", if_none_match=ETAG) == 412
    assert cond("POST", if_none_match="*") == 412
    assert cond("POST", if_none_match="W/" + ETAG) is None  # strong for other methods
    # With Range the comparison is strong.
    assert cond(if_none_match="W/" + ETAG, range="bytes=0-1") is None
    assert cond(if_none_match=ETAG, range="bytes=0-1") == 304


def test_if_modified_since() -> None:
    assert cond(if_modified_since=DATE) == 304
    assert cond(if_modified_since=http_date(T + 10)) == 304
    assert cond(if_modified_since=http_date(T - 1)) is None
    assert cond(if_modified_since=http_date(LATER + 1)) is None  # in the future: invalid
    assert cond(if_modified_since="junk") is None
    assert cond("POST", if_modified_since=DATE) is None
    # Weak: within 60 s of the mtime a Range request gets no 304.
    hdrs = {"if-modified-since": DATE}
    assert meets_conditions("GET", hdrs, etag=ETAG, mtime=T, request_time=T + 30) == 304
    hdrs["range"] = "bytes=0-1"
    assert meets_conditions("GET", hdrs, etag=ETAG, mtime=T, request_time=T + 30) is None


def test_and_semantics() -> None:
    # INM matches but IMS says modified: 200 (Apache, unlike RFC 9110).
    assert cond(if_none_match=ETAG, if_modified_since=http_date(T - 1)) is None
    # INM fails while IMS passes: 200.
    assert cond(if_none_match='"x"', if_modified_since=DATE) is None
    assert cond(if_none_match=ETAG, if_modified_since=DATE) == 304
    assert cond(if_none_match=ETAG, if_modified_since="junk") is None


def test_if_range_disables_304() -> None:
    assert cond(if_none_match=ETAG, range="bytes=0-1", if_range=ETAG) is None
    assert cond(if_none_match=ETAG, range="bytes=0-1", if_range='"other"') is None
    assert cond(if_none_match=ETAG, if_range='"other"') == 304  # no Range: ignored


def test_if_range_allows() -> None:
    assert if_range_allows({}, etag=ETAG, mtime=T)
    assert if_range_allows({"if-range": '"x"'}, etag=ETAG, mtime=T)  # no Range header
    both = {"range": "bytes=0-1"}
    assert if_range_allows({**both, "if-range": ETAG}, etag=ETAG, mtime=T)
    assert not if_range_allows({**both, "if-range": '"nope"'}, etag=ETAG, mtime=T)
    assert not if_range_allows({**both, "if-range": "W/" + ETAG}, etag=ETAG, mtime=T)
    assert not if_range_allows({**both, "if-range": ETAG}, etag=None, mtime=T)
    dated = {**both, "if-range": DATE}
    assert if_range_allows(dated, etag=ETAG, mtime=T, request_time=LATER)
    assert not if_range_allows(dated, etag=ETAG, mtime=T, request_time=T + 59)
    assert not if_range_allows(dated, etag=ETAG, mtime=T - 1, request_time=LATER)
    assert if_range_allows(dated, etag=ETAG, mtime=T)  # now is long after 1994


# Observed on apache2 2.4.71 with an 8000-byte file (security.md RG rows and new probes).
@pytest.mark.parametrize(
    ("header", "plan"),
    [
        (None, RangePlan(200)),
        ("bytes=0-9", RangePlan(206, ((0, 9),))),
        ("BYTES=0-1", RangePlan(206, ((0, 1),))),
        ("bytes=0-1,5-6", RangePlan(206, ((0, 1), (5, 6)))),
        ("bytes=5-6,0-1", RangePlan(206, ((5, 6), (0, 1)))),
        ("bytes=0-1,2-3", RangePlan(206, ((0, 3),))),
        ("bytes=0-1,,5-6", RangePlan(206, ((0, 1), (5, 6)))),
        ("bytes=0-1,", RangePlan(206, ((0, 1),))),
        ("bytes=,0-1", RangePlan(200)),
        ("bytes=,", RangePlan(200)),
        ("bytes=", RangePlan(200)),
        ("bytes=0-1, 5-6", RangePlan(200)),
        ("bytes =0-1", RangePlan(200)),
        ("items=0-9", RangePlan(200)),
        ("bytes=foo", RangePlan(200)),
        ("bytes=1-4,x", RangePlan(200)),
        ("bytes=+1-2", RangePlan(200)),
        ("bytes=9-0", RangePlan(200)),
        ("bytes=-0", RangePlan(200)),
        ("bytes=9000-9001,-0", RangePlan(200)),
        ("bytes=100000-110000", RangePlan(416)),
        ("bytes=8000-", RangePlan(416)),
        ("bytes=100000-110000,0-3", RangePlan(206, ((0, 3),))),
        ("bytes=0-18446744073709551615", RangePlan(200)),
        ("bytes=0-9223372036854775808", RangePlan(200)),
        ("bytes=0-9223372036854775807", RangePlan(206, ((0, 7999),))),
        ("bytes=0-", RangePlan(206, ((0, 7999),))),
        ("bytes=7999-", RangePlan(206, ((7999, 7999),))),
        ("bytes=-8001", RangePlan(206, ((0, 7999),))),
        ("bytes=-10", RangePlan(206, ((7990, 7999),))),
        ("bytes=0-7999,0-7999", RangePlan(206, ((0, 7999),))),
        ("bytes=0-5000,6000-7999,0-5000", RangePlan(200)),  # sum exceeds the file
        ("bytes=0-," + ",".join(f"5-{i}" for i in range(1300)), RangePlan(206, ((0, 7999),))),
        ("bytes=" + ",".join(f"0-{i}" for i in range(300)), RangePlan(200)),
        ("bytes=" + ",".join(f"{i * 20}-{i * 20 + 5}" for i in range(250)), RangePlan(200)),
        ("bytes=" + ",".join(f"0-{i}" for i in range(30)), RangePlan(200)),
    ],
)
def test_plan_ranges(header: str | None, plan: RangePlan) -> None:
    assert plan_ranges(header, 8000) == plan


def test_plan_ranges_limits() -> None:
    ranges = "bytes=" + ",".join(f"{i * 20}-{i * 20 + 5}" for i in range(250))
    assert plan_ranges(ranges, 8000, max_ranges=0).status == 206  # unlimited
    assert plan_ranges(ranges, 8000, max_ranges=250).status == 206
    assert plan_ranges(ranges, 8000, max_ranges=249).status == 200
    assert plan_ranges("bytes=0-1", 8000, max_ranges=-1).status == 200  # none
    assert plan_ranges("bytes=9000-", 8000, max_ranges=-1).status == 416  # as Apache
    overlaps = "bytes=" + ",".join(f"0-{i}" for i in range(30))
    assert plan_ranges(overlaps, 8000, max_overlaps=0).ranges == ((0, 29),)
    assert plan_ranges(overlaps, 8000, max_overlaps=29).status == 206
    assert plan_ranges(overlaps, 8000, max_overlaps=28).status == 200
    reversals = "bytes=" + ",".join(f"{100 - i}-100" for i in range(25))
    assert plan_ranges(reversals, 8000).status == 200
    assert plan_ranges(reversals, 8000, max_reversals=24, max_overlaps=0).status == 206
    assert plan_ranges(reversals, 8000, max_reversals=-1, max_overlaps=0).status == 200
    assert plan_ranges("bytes=0-1", 0) == RangePlan(200)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 120), st.integers(0, 120))
        | st.integers(1, 130).map(lambda n: (-n, -1)),
        min_size=1,
        max_size=30,
    ),
    st.integers(1, 100),
)
def test_ranges_stay_inside(specs: list[tuple[int, int]], size: int) -> None:
    header = "bytes=" + ",".join(f"-{-a}" if b == -1 else f"{a}-{b}" for a, b in specs)
    plan = plan_ranges(header, size, max_ranges=0, max_overlaps=0, max_reversals=0)
    assert plan.status in (200, 206, 416)
    assert (plan.status == 206) == bool(plan.ranges)
    for start, end in plan.ranges:
        assert 0 <= start <= end < size
    assert sum(end - start + 1 for start, end in plan.ranges) <= size


def test_ten_thousand_ranges_are_fast() -> None:
    header = "bytes=" + ",".join(f"{i * 3}-{i * 3}" for i in range(10_000))
    started = time.perf_counter()
    plan = plan_ranges(header, 100_000, max_ranges=0, max_overlaps=0, max_reversals=0)
    assert time.perf_counter() - started < 1.0
    assert len(plan.ranges) == 10_000
    assert plan_ranges(header, 100_000).status == 200


def test_multipart_layout_matches_apache() -> None:
    # Captured: GET /ranges.txt with "Range: bytes=0-1,5-6", Content-Length: 184.
    parts, length = multipart_parts([(0, 1), (5, 6)], 8000, "text/plain", "2955b9ddb4317a")
    body = b"".join(p if isinstance(p, bytes) else b"ab" if p == (0, 1) else b"fg" for p in parts)
    assert body == (
        b"\r\n--2955b9ddb4317a\r\nContent-type: text/plain\r\nContent-range: bytes 0-1/8000"
        b"\r\n\r\nab\r\n--2955b9ddb4317a\r\nContent-type: text/plain\r\nContent-range: bytes "
        b"5-6/8000\r\n\r\nfg\r\n--2955b9ddb4317a--\r\n"
    )
    assert length == len(body) == 184
    untyped, n = multipart_parts([(0, 0)], 10, None, "b")
    assert untyped[0] == b"\r\n--b\r\nContent-range: bytes 0-0/10\r\n\r\n"
    assert n == len(untyped[0]) + 1 + len(b"\r\n--b--\r\n")


def test_boundary_shape() -> None:
    for _ in range(50):
        b = make_boundary()
        assert 1 <= len(b) <= 16
        assert b == format(int(b, 16), "x")


def test_allow_header() -> None:
    # Captured: "Allow: GET,POST,OPTIONS,HEAD,TRACE" on a static file.
    assert (
        allow_header(["GET", "POST", "OPTIONS", "HEAD", "TRACE"]) == "GET,POST,OPTIONS,HEAD,TRACE"
    )
    assert allow_header(["GET", "GET", "HEAD"]) == "GET,HEAD"
    assert allow_header([]) == ""

"""The plain-target fast path must answer exactly what the general parser answers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from apachemw.core import uri

segment = st.from_regex(rb"[A-Za-z0-9_~\-][A-Za-z0-9_~.\-]{0,12}", fullmatch=True)
query = st.from_regex(rb"[\x21-\x7e]{0,20}", fullmatch=True)


@settings(max_examples=400, deadline=None)
@given(st.lists(segment, max_size=5), st.booleans(), st.one_of(st.none(), query))
def test_fast_path_agrees_with_general_parser(
    parts: list[bytes], slash: bool, q: bytes | None
) -> None:
    raw = b"/" + b"/".join(parts) + (b"/" if slash and parts else b"")
    if q is not None:
        raw += b"?" + q
    fast = uri._plain_target(raw, "GET")
    try:
        slow = uri._parse_general(raw, "GET", True, "off", "http")
    except uri.BadRequestTarget:
        assert fast is None
        return
    if fast is not None:
        assert fast == slow


def test_long_segments_that_end_badly_fall_through_at_once() -> None:
    # An earlier fast-path pattern let "/?" split a run of letters any number of ways, so
    # "/aaaa...!" backtracked exponentially and hung the worker before any module ran.
    # With 5000 letters that pattern would never finish; this one answers like the
    # general parser.
    for raw in (
        b"/" + b"a" * 5000 + b"!",
        b"/" + b"a/" * 2500 + b"a!",
        b"/" + b"ab" * 2500 + b"%41",
    ):
        assert uri._plain_target(raw, "GET") is None
        assert uri.parse_target(raw, "GET") == uri._parse_general(raw, "GET", True, "off", "http")

"""The literal-prefix prefilter never changes whether a rule matches."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from apachemw.core.regex import compile_pattern
from apachemw.modules.mod_rewrite.config import literal_prefix

pieces = st.sampled_from(
    [
        "/",
        "a",
        "b",
        "x",
        ".",
        "\\.",
        "-",
        "_",
        "*",
        "+",
        "?",
        "(a|b)",
        "[ab]",
        "{2}",
        "$",
        ".*",
        "(.*)",
        "\\d",
        "c?",
        "|",
    ]
)
paths = st.from_regex(r"/[abx._\-/0-9c]{0,12}", fullmatch=True)


@settings(max_examples=600, deadline=None)
@given(st.lists(pieces, min_size=1, max_size=6), st.lists(paths, min_size=1, max_size=8))
def test_prefix_only_skips_rules_that_cannot_match(parts: list[str], uris: list[str]) -> None:
    pattern = "^" + "".join(parts)
    try:
        regex = compile_pattern(pattern)
    except re.error:  # an invalid generated pattern is simply skipped
        return
    prefix = literal_prefix(pattern, nocase=False)
    for uri in uris:
        if prefix is not None and not uri.startswith(prefix):
            assert regex.search(uri) is None, (pattern, prefix, uri)


def test_prefixes() -> None:
    assert literal_prefix("^/blog/(.*)$", False) == "/blog/"
    assert literal_prefix("^/static/x?", False) == "/static/"
    assert literal_prefix("^/a|^/b", False) is None
    assert literal_prefix("^/A", True) is None
    assert literal_prefix("/blog", False) is None
    assert literal_prefix("^.*", False) is None

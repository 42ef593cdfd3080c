"""apachemw.core.regex: patterns mean what Apache's PCRE2 means.

The expectations in ``PCRE_CASES`` were produced by ``pcre2test`` 10.42 (the
library Debian's apache2 2.4.71 links) with Apache's compile options
``dotall,dollar_endonly,dupnames``; ``REJECTED`` and ``ACCEPTED`` were checked
with ``apache2 -t`` on a config holding ``RewriteRule "<pattern>" /x`` (each
rejected one answered "RewriteRule: cannot compile regular expression").

Run this file directly (``python tests/core/test_regex.py``) for the engine
measurement quoted in ``apachemw/core/regex.py``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apachemw.core import regex as apache_regex
from apachemw.core.regex import (
    Pattern,
    add_timeout_hook,
    compile_pattern,
    from_byte_text,
    remove_timeout_hook,
    set_match_timeout,
    timeout_count,
    translate,
    whole_characters,
)

# (pattern, subject, expected (group 0, group 1, ...) or None), from pcre2test.
PCRE_CASES: list[tuple[str, str, tuple[str | None, ...] | None]] = [
    ("\\.bak$", "nl.bak\n", None),
    ("\\.bak$", "nl.bak", (".bak",)),
    ("^(.+)/$", "a\nb/", ("a\nb/", "a\nb")),
    ("^(.+)/$", "a/\n", None),
    ("a.c", "a\nc", ("a\nc",)),
    ("(?m)^b$", "a\nb\nc", ("b",)),
    ("(?m)^b$", "a\nb\n", ("b",)),
    ("(?m)^b$", "b\n", ("b",)),
    ("(?m)^", "\n", ("",)),
    ("(?m)^", "a\n", ("",)),
    ("(?m)^$", "a\n\nb", ("",)),
    ("(?m)^$", "a\n", None),
    ("(?m)$", "a\n", ("",)),
    ("(?-s)a.c", "a\nc", None),
    ("(?-s)a.c", "abc", ("abc",)),
    ("(?s-s:a.c)", "a\nc", None),
    ("a\\Z", "a\n", ("a",)),
    ("a\\Z", "a", ("a",)),
    ("a\\Z", "a\n\n", None),
    ("a\\z", "a\n", None),
    ("a\\z", "a", ("a",)),
    ("\\Aab", "xab", None),
    ("\\Aab", "ab", ("ab",)),
    ("a(?i)b|c", "aB", ("aB",)),
    ("a(?i)b|c", "AB", None),
    ("a(?i)b|c", "C", ("C",)),
    ("a(?i)b|c", "c", ("c",)),
    ("(a(?i)b|c)d", "aBd", ("aBd", "aB")),
    ("(a(?i)b|c)d", "Cd", ("Cd", "C")),
    ("(a(?i)b|c)d", "cD", None),
    ("(?i:a)b", "Ab", ("Ab",)),
    ("(?i:a)b", "AB", None),
    ("x(?i)(a|b)c", "xAC", ("xAC", "A")),
    ("x(?i)(a|b)c", "XAC", None),
    ("(?i)a(?-i)b", "Ab", ("Ab",)),
    ("(?i)a(?-i)b", "AB", None),
    ("\\h+", "a \t\xa0b", (" \t\xa0",)),
    ("\\H+", "ab", ("ab",)),
    ("\\v", "\x0b", ("\x0b",)),
    ("\\v", "\x85", ("\x85",)),
    ("\\v", "\x0c", ("\x0c",)),
    ("\\V+", "\nab\n", ("ab",)),
    ("\\R", "\r\n", ("\r\n",)),
    ("\\R", "\x85", ("\x85",)),
    ("a\\Rb", "a\r\nb", ("a\r\nb",)),
    ("a\\Rb", "a\nb", ("a\nb",)),
    ("a\\Rb", "a\r\rb", None),
    ("\\N+", "ab\ncd", ("ab",)),
    ("[[:alpha:]]+", "12abC3", ("abC",)),
    ("[[:^digit:]]+", "12ab3", ("ab",)),
    ("[[:space:]]+", "a \x0b\tb", (" \x0b\t",)),
    ("[[:punct:]]+", "ab!@#[]c", ("!@#[]",)),
    ("[[:word:]]+", "-a_1-", ("a_1",)),
    ("[[:xdigit:][:space:]]+", " fg", (" f",)),
    ("[a[:digit:]]+", "xa1b", ("a1",)),
    ("[\\d-]+", "x1-2y", ("1-2",)),
    ("[^[:alpha:]\\d]+", "ab-+1", ("-+",)),
    ("[\\h]+", "x \xa0y", (" \xa0",)),
    ("[\\H]+", "ab", ("ab",)),
    ("[^\\H]+", "a \tb", (" \t",)),
    ("[a\\V]", "\n", None),
    ("[a\\V]", "b", ("b",)),
    ("[a\\V]", "a", ("a",)),
    ("[^\\V]", "a", None),
    ("[^\\V]", "\n", ("\n",)),
    ("\\Q.*+\\E+", ".*++", (".*++",)),
    ("\\Q.*+\\E+", ".*", None),
    ("\\Qab", "ab", ("ab",)),
    ("[\\Q]^\\E]+", "]^]", ("]^]",)),
    ("\\x41\\x{42}\\101\\o{103}", "ABAC", ("ABAC",)),
    ("\\e\\cA\\c[", "\x1b\x01\x1b", ("\x1b\x01\x1b",)),
    ("(a)\\1", "aa", ("aa", "a")),
    ("(a)\\g1\\g{1}\\g{-1}", "aaaa", ("aaaa", "a")),
    ("(a)(b)\\g-2", "aba", ("aba", "a", "b")),
    ("(?<n>a)\\k<n>\\k'n'\\k{n}(?P=n)", "aaaaa", ("aaaaa", "a")),
    ("(?<n>a)|(?<n>b)\\k<n>", "bb", ("bb", None, "b")),
    ("(?<n>a)|(?<n>b)\\k<n>", "a", ("a", "a")),
    ("(?:(?<n>a)|(?<n>b))\\k<n>", "bb", ("bb", None, "b")),
    ("(?:(?<n>a)|(?<n>b))\\k<n>", "aa", ("aa", "a")),
    ("(?:(?<n>a)|(?<n>b))\\k<n>", "ab", None),
    ("(?|(a)|(b))(c)", "bc", ("bc", "b", "c")),
    ("(?|(?<x>a)|(?<x>b))\\k<x>", "bb", ("bb", "b")),
    ("(a)?(?(1)b|c)", "ab", ("ab", "a")),
    ("(a)?(?(1)b|c)", "c", ("c",)),
    ("(?<n>x)?(?(<n>)y|z)", "xy", ("xy", "x")),
    ("(?<n>x)?(?(<n>)y|z)", "z", ("z",)),
    ("(?(?=\\d)\\d\\d|[a-z])", "12", ("12",)),
    ("(?(?=\\d)\\d\\d|[a-z])", "a", ("a",)),
    ("(?>a+)b", "aaab", ("aaab",)),
    ("(?>a+)b", "aaa", None),
    ("a++b", "aab", ("aab",)),
    ("a++a", "aaa", None),
    ("a?+a", "a", None),
    ("a{2,3}+a", "aaaa", ("aaaa",)),
    ("(?U)a+", "aaa", ("a",)),
    ("(?U)a+?", "aaa", ("aaa",)),
    ("(?n)(a)(?<x>b)", "ab", ("ab", "b")),
    ("(?x) a b # comment", "ab", ("ab",)),
    ("(?x) [ ] a", " a", (" a",)),
    ("(?x) a \\  b", "a b", ("a b",)),
    ("(?x)a#x\\nb", "ab", ("a",)),
    ("a{,3}", "a{,3}", ("a{,3}",)),
    ("a{,3}", "aaa", None),
    ("a{ 1}", "a{ 1}", ("a{ 1}",)),
    ("a{1,}", "aaa", ("aaa",)),
    ("a{1", "a{1", ("a{1",)),
    ("a{2}", "aa", ("aa",)),
    ("x{}", "x{}", ("x{}",)),
    ("(a)\\10", "a\x08", ("a\x08", "a")),
    ("(a)\\12", "a\n", ("a\n", "a")),
    ("\\18", "\x018", ("\x018",)),
    ("\\0", "\x00", ("\x00",)),
    ("\\012", "\n", ("\n",)),
    ("[\\1]", "\x01", ("\x01",)),
    ("[\\18]", "8", ("8",)),
    ("\\w+", "aé_b", ("a",)),
    ("\\s", "\xa0", None),
    ("(?i)é", "É", None),
    ("(?i)[a-c]+", "ABC", ("ABC",)),
    ("(?i)[^a]", "A", None),
    ("(?i)[^a]", "b", ("b",)),
    ("\\babc\\b", "x abc y", ("abc",)),
    ("[\\b]", "\x08", ("\x08",)),
    ("(?<=a|bc)x", "bcx", ("x",)),
    ("(?<=a|bc)x", "ax", ("x",)),
    ("(?<=a|bc)x", "cx", None),
    ("(?<!a|bc)x", "bcx", None),
    ("(?<!a|bc)x", "dx", ("x",)),
    ("(?<=\\d{3})x", "123x", ("x",)),
    ("(?=a)*b", "b", ("b",)),
    ("\\Ka", "a", ("a",)),
    ("a\\Kb", "ab", ("b",)),
    ("(*FAIL)|a", "a", ("a",)),
    ("(*LIMIT_MATCH=1000)a", "a", ("a",)),
    ("(*pla:a)a", "a", ("a",)),
    ("(*atomic:a+)b", "ab", ("ab",)),
    ("(?C1)a", "a", ("a",)),
    ("[[:<:]]ab", "xab", None),
    ("[[:<:]]ab", "ab", ("ab",)),
    ("ab[[:>:]]", "abc", None),
    ("ab[[:>:]]", "ab", ("ab",)),
    ("(a)(?1)", "ab", None),
    ("(a)(?1)", "aa", ("aa", "a")),
    ("(a|b)(?-1)", "ab", ("ab", "a")),
    ("(?+1)(a|b)", "ab", ("ab", "b")),
    ("(?&w)(?<w>\\w)", "ab", ("ab", "b")),
    ("\\g<1>(a|b)", "ba", ("ba", "a")),
    ("(?(DEFINE)(?<d>\\d))(?&d)+", "a12", ("12",)),
    ("(?P<n>a)(?P<n>b)", "ab", ("ab", "a", "b")),
]


def _groups(found: re.Match[str] | None) -> tuple[str | None, ...] | None:
    if found is None:
        return None
    values: tuple[str | None, ...] = (found.group(0), *found.groups())
    while len(values) > 1 and values[-1] is None:  # pcre2test omits trailing unset groups
        values = values[:-1]
    return values


@pytest.mark.parametrize(("pattern", "subject", "expected"), PCRE_CASES)
def test_matches_like_pcre2(pattern: str, subject: str, expected: tuple[str, ...] | None) -> None:
    # pcre2test's patterns and subjects are bytes (written here one latin-1 character
    # each); apachemw's text is UTF-8 decoded with surrogateescape.
    found = compile_pattern(from_byte_text(pattern)).search(from_byte_text(subject))
    want = None if expected is None else tuple(_bytes_as_text(g) for g in expected)
    assert _groups(found) == want


def _bytes_as_text(group: str | None) -> str | None:
    return None if group is None else from_byte_text(group)


@pytest.mark.parametrize(
    ("pattern", "subject", "expected"),
    [
        # X09: <FilesMatch "\.bak$"> does not apply to "nl.bak\n" (DOLLAR_ENDONLY).
        (r"\.bak$", "nl.bak\n", False),
        (r"[$]", "$", True),
        (r"\$", "a$", True),
        (r"[^$]$", "a", True),
        # X10: '.' crosses a newline (DOTALL).
        (r"(.+)/$", "a\nb/", True),
    ],
)
def test_apache_default_flags(pattern: str, subject: str, expected: bool) -> None:
    assert (compile_pattern(pattern).search(subject) is not None) is expected


def test_icase_argument_is_nocase() -> None:
    assert compile_pattern("^/ABC", icase=True).search("/abc") is not None
    assert compile_pattern("^/ABC").search("/abc") is None
    assert compile_pattern("(?-i)^/ABC", icase=True).search("/abc") is None
    # No UTF in Apache: case folding is ASCII only.
    assert (
        compile_pattern("\u00e9".encode().decode("unicode_escape"), icase=True).search(
            "\u00c9".encode().decode("unicode_escape")
        )
        is None
    )


@pytest.mark.parametrize(
    ("pcre", "python"),
    [
        ("a$", "a\\Z"),
        ("[$]", "[\\x24]"),
        ("\\$", "\\x24"),
        ("a\\z", "a\\Z"),
        ("a\\Z", "a(?=\\n?\\Z)"),
        ("(?<n>a)", "(?P<n>a)"),
        ("(?'n'a)", "(?P<n>a)"),
        ("(a)\\g{1}", "(a)(?:\\g<1>)"),
        ("(a)\\g{-1}", "(a)(?:\\g<1>)"),
        ("\\Q.*\\E", "\\x2e\\x2a"),
        ("[[:digit:]]", "[0-9]"),
        ("a(?i)b|c", "a(?i:b)|(?i:c)"),
        ("a{,3}", "a\\x7b\\x2c3\\x7d"),
        ("(?-s).", "[^\\n]"),
        ("a++", "a++"),
        ("(?>a)", "(?>a)"),
    ],
)
def test_translation(pcre: str, python: str) -> None:
    assert translate(pcre) == python


# PCRE2 (and so apache2 -t) refuses these; Python's re or regex accepts several.
REJECTED = [
    "a{111111111111111111}",  # X02: re raises OverflowError
    "a{65536}",
    "a|*",
    "a**",
    "^*",
    "(?i)*",
    "[z-a]",
    "[a-\\d]",
    "[\\d-z]",
    "\\u0041",
    "\\N{LATIN SMALL LETTER A}",
    "\\L",
    "\\i",
    "\\c",
    "\\400",
    "\\x{100}",
    "(?a)x",
    "(?L)x",
    "(?<=a+)x",  # the regex package allows variable-length lookbehind
    "(?<=a(b|cd))x",
    "(?<=\\Ka)",
    "(a)\\2",
    "\\8",
    "\\g{-2}(a)",
    "(?<1n>a)",
    "(?<averyveryveryverylongnamethatexceedsthirtytwochars>a)",
    "[[.a.]]",
    "[[=a=]]",
    "[[:nope:]]",
    "[\\R]",
    "[\\N]",
    "(",
    ")",
    "[a",
    "\\",
    "(?(1)a|b|c)(x)",
    "(" * 251 + "a" + ")" * 251,
]

ACCEPTED = [
    "a{65535}",
    "a{,3}",
    "(?<=a|bc)x",
    "(?P<n>a)(?P<n>b)",
    "(?C1)a",
    "(*UTF)a",
    "(*LIMIT_MATCH=1000)a",
    "(a\\1)",
    "(" * 250 + "a" + ")" * 250,
    "(" * 22 + "a" + ")" * 22,  # X03
]


@pytest.mark.parametrize("pattern", REJECTED, ids=lambda p: p[:30])
def test_rejected_like_pcre2(pattern: str) -> None:
    with pytest.raises(re.error):
        compile_pattern(pattern)


@pytest.mark.parametrize("pattern", ACCEPTED, ids=lambda p: p[:30])
def test_accepted_like_pcre2(pattern: str) -> None:
    compile_pattern(pattern)


APACHE2 = shutil.which("apache2", path="/usr/sbin:/usr/bin")


@pytest.mark.skipif(APACHE2 is None, reason="apache2 is not installed")
@pytest.mark.parametrize("pattern", ["a{65536}", "(?<=a+)x", "a{,3}", "(?<=a|bc)x"])
def test_live_apache2_agrees(pattern: str, tmp_path: Path) -> None:
    conf = tmp_path / "t.conf"
    conf.write_text(
        f"ServerRoot {tmp_path}\n"
        "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n"
        "LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so\n"
        f"Mutex file:{tmp_path} default\nPidFile {tmp_path}/pid\nErrorLog {tmp_path}/err\n"
        "Listen 127.0.0.1:18099\n"
        f'RewriteRule "{pattern}" /x\n'
    )
    assert APACHE2 is not None
    done = subprocess.run([APACHE2, "-t", "-f", str(conf)], capture_output=True, text=True)
    try:
        compile_pattern(pattern)
        ours = True
    except re.error:
        ours = False
    assert (done.returncode == 0) is ours, done.stderr


@pytest.fixture
def short_budget() -> Iterator[None]:
    saved = apache_regex.match_timeout()
    set_match_timeout(0.05)
    yield
    set_match_timeout(saved)


def test_catastrophic_pattern_is_bounded_and_counts_as_no_match(short_budget: None) -> None:
    # X01 and friends: PCRE2's match limit makes ap_regexec fail, which callers
    # read as "no match"; here the time budget does the same and says so.
    seen: list[tuple[str, int]] = []

    def hook(pattern: Pattern, subject: str) -> None:
        seen.append((pattern.pattern, len(subject)))

    add_timeout_hook(hook)
    try:
        before = timeout_count()
        started = time.monotonic()
        slow = compile_pattern("^(a|aa)+$")
        assert slow.search("a" * 60 + "!") is None
        assert compile_pattern("a.*c.*b").search("ac" * 4095) is None
        assert time.monotonic() - started < 2
    finally:
        remove_timeout_hook(hook)
    assert timeout_count() - before == 2
    assert slow.timeouts >= 1  # type: ignore[attr-defined]
    assert seen == [("^(a|aa)+$", 61), ("a.*c.*b", 8190)]


def test_nested_quantifier_x01_is_quick() -> None:
    started = time.monotonic()
    assert compile_pattern("^(a+)+$").search("a" * 28 + "!") is None
    assert time.monotonic() - started < 2


def test_match_object_shape() -> None:
    pattern = compile_pattern("^/(?<year>\\d+)/([a-z-]+)?(x)?$")
    assert isinstance(pattern, Pattern)
    assert pattern.pattern == "^/(?<year>\\d+)/([a-z-]+)?(x)?$"
    assert pattern.groups == 3
    assert pattern.groupindex == {"year": 1}
    found = pattern.search("/2024/post-title")
    assert found is not None
    assert found.group(0) == "/2024/post-title"
    assert found.group(1, 2) == ("2024", "post-title")
    assert found.groups() == ("2024", "post-title", None)
    assert found.span(2) == (6, 16)
    assert (found.start(1), found.end(1)) == (1, 5)
    assert found.span(3) == (-1, -1)
    assert found.re.groups == 3
    assert found.expand(r"\2/\1") == "post-title/2024"
    assert pattern.match("x/2024/") is None
    assert pattern.fullmatch("/1/") is not None
    assert [m.group(0) for m in compile_pattern("a.").finditer("a1a2a")] == ["a1", "a2"]


def test_compiled_once_per_pattern() -> None:
    assert compile_pattern("^/cached$") is compile_pattern("^/cached$")
    assert compile_pattern("^/cached$") is not compile_pattern("^/cached$", True)


# ----------------------------------------------------------------- property

_ATOMS = st.sampled_from(["a", "b", "/", "\\.", ".", "[ab]", "[^a]", "\\d", "\\w", "\\s", "-"])


@st.composite
def _simple(draw: st.DrawFn, depth: int = 0) -> tuple[str, str]:
    """(PCRE pattern, the same in Python re, with $ written as \\Z) without PCRE-only syntax."""
    parts: list[tuple[str, str]] = []
    for _ in range(draw(st.integers(1, 4))):
        if depth < 2 and draw(st.booleans()) and draw(st.booleans()):
            inner = draw(_alternation(depth + 1))
            atom = (f"({inner[0]})", f"({inner[1]})")
            # A group repeated without bound around inner repetition ((a*)*) makes
            # Python's re (the reference here) backtrack for minutes: groups take only
            # bounded quantifiers.
            quant = draw(st.sampled_from(["", "", "?", "{1,2}", "{2}"]))
        else:
            text = draw(_ATOMS)
            atom = (text, text)
            quant = draw(st.sampled_from(["", "", "*", "+", "?", "{1,2}", "*?", "+?", "{2}"]))
        parts.append((atom[0] + quant, atom[1] + quant))
    if draw(st.booleans()) and depth == 0:
        parts.insert(0, ("^", "^"))
    if draw(st.booleans()) and depth == 0:
        parts.append(("$", "\\Z"))
    return "".join(p[0] for p in parts), "".join(p[1] for p in parts)


@st.composite
def _alternation(draw: st.DrawFn, depth: int = 0) -> tuple[str, str]:
    branches = [draw(_simple(depth)) for _ in range(draw(st.integers(1, 3)))]
    return "|".join(b[0] for b in branches), "|".join(b[1] for b in branches)


@settings(max_examples=300, deadline=None)
@given(_alternation(), st.text(alphabet="ab/.1 -\n", max_size=12), st.booleans())
def test_agrees_with_re_on_common_syntax(pair: tuple[str, str], subject: str, icase: bool) -> None:
    pcre, python = pair
    flags = re.DOTALL | re.ASCII | (re.IGNORECASE if icase else 0)
    expected = re.compile(python, flags).search(subject)
    found = compile_pattern(pcre, icase).search(subject)
    assert (found is None) == (expected is None)
    if found is not None and expected is not None:
        assert found.group(0) == expected.group(0)
        assert found.groups() == expected.groups()
        assert found.span() == expected.span()


# ------------------------------------------------------------ measurement


def _measure() -> None:  # pragma: no cover - run by hand
    """Figures for the engine choice quoted in apachemw/core/regex.py."""
    import timeit

    import regex

    patterns = [rf"^/blog/(\d+)/([a-z-]+){i}$" for i in range(100)]
    patterns += [rf"\.(php|cgi|pl){i}$" for i in range(100)]
    path = "/static/css/site.min.css"
    for name, module in (("re", re), ("regex", regex)):
        module.purge()
        started = time.perf_counter()
        compiled = [module.compile(p, module.S) for p in patterns]
        print(f"{name}: compile 200 patterns {1e3 * (time.perf_counter() - started):.1f} ms")
        for kwargs in ({}, {"timeout": 0.25}) if module is regex else ({},):
            runs = 200
            took = timeit.timeit(
                lambda: [c.search(path, **kwargs) for c in compiled],  # noqa: B023
                number=runs,
            )
            print(f"{name} {kwargs}: {1e9 * took / runs / len(compiled):.0f} ns per search")
    for n in (20, 22, 24):
        started = time.perf_counter()
        re.search(r"^(a+)+$", "a" * n + "!")
        print(f"re ^(a+)+$ a*{n}+!: {time.perf_counter() - started:.2f} s")
    for n in (28, 5000):
        started = time.perf_counter()
        regex.search(r"^(a+)+$", "a" * n + "!", timeout=1.0)
        print(f"regex ^(a+)+$ a*{n}+!: {time.perf_counter() - started:.4f} s")
    started = time.perf_counter()
    print(compile_pattern("a.*c.*b").search("ac" * 4095), "after", time.perf_counter() - started)


if __name__ == "__main__":  # pragma: no cover
    _measure()


def test_a_rule_that_runs_out_of_time_is_logged_and_does_not_match(
    short_budget: None, tmp_path: Path
) -> None:
    from apachemw.core.request import Incoming
    from apachemw.engine import build_engine

    root = tmp_path / "htdocs"
    root.mkdir()
    conf = tmp_path / "httpd.conf"
    conf.write_text(
        "LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so\n"
        "LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n"
        f"DocumentRoot {root}\n<Directory {root}>\n    Require all granted\n</Directory>\n"
        "RewriteEngine On\nRewriteRule ^/(a|aa)+$ /matched [R,L]\n"
    )
    engine = build_engine(config=str(conf))
    lines: list[str] = []
    engine.site.error_log = lines.append
    target = "/" + "a" * 60 + "!"
    outcome = engine.handle(
        Incoming(method="GET", target=target.encode(), headers=[("host", "localhost")])
    )
    assert outcome.status == 404  # not the rule's redirect: a timeout is "no match"
    timeouts = [line for line in lines if "ran out of its 0.05 s budget" in line]
    assert len(timeouts) == 1
    assert "[core:error]" in timeouts[0] and "[client 127.0.0.1:" in timeouts[0]
    assert "regex '^/(a|aa)+$'" in timeouts[0] and target in timeouts[0]


def test_non_ascii_text_is_matched_as_its_utf8_bytes() -> None:
    # PCRE2 without UTF: "é" is two bytes, so "." is half of it.
    assert compile_pattern("^/.{2}$").search("/é") is not None
    assert compile_pattern("^/.$").search("/é") is None
    assert compile_pattern(r"^/\xc3\xa9$").search("/é") is not None
    assert compile_pattern("^/é$").search("/é") is not None
    assert compile_pattern("^/[é]$").search("/\udcc3") is not None  # a class of two bytes
    # (*UTF) at the start asks PCRE2 for characters.
    assert compile_pattern("(*UTF)^/.$").search("/é") is not None


def test_captures_of_part_of_a_character_keep_its_bytes() -> None:
    found = compile_pattern("^/(.)(.*)$").search("/éa")
    assert found is not None
    assert found.groups() == ("\udcc3", "\udca9a")
    assert whole_characters(found.group(1) + found.group(2)) == "éa"
    assert [m.group() for m in compile_pattern(".").finditer("aé")] == ["a", "\udcc3", "\udca9"]


def test_positions_given_in_characters() -> None:
    found = compile_pattern("b").search("éab", 2)
    assert found is not None and found.group() == "b"
    assert compile_pattern("a").search("éab", 2) is None

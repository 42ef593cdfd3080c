"""Compiling configuration regexes so they mean what Apache's PCRE means.

Apache compiles every section and directive pattern with PCRE2 (10.42 on Debian)
through ``ap_regcomp`` (server/util_pcre.c), adding ``AP_REG_DOTALL`` and
``AP_REG_DOLLAR_ENDONLY`` by default and ``PCRE2_DUPNAMES`` always; it never asks
for UTF, so ``\\w``, ``\\d`` and case folding are ASCII. This module parses the
PCRE2 syntax itself and writes an equivalent pattern for the ``regex`` package:

* ``.`` matches a newline; ``$`` only matches at the very end (``\\Z`` here);
  under ``(?m)`` they keep their multi-line PCRE meaning.
* PCRE-only spellings are rewritten: ``\\z``, ``\\Z``, ``\\h``, ``\\v`` (a class
  in PCRE, a single character in Python), ``\\R``, ``\\N``, ``\\e``, ``\\cX``,
  ``\\x{hh}``, ``\\o{ooo}``, ``\\Q...\\E``, ``(?<name>``, ``(?'name'``, ``\\g{n}``,
  ``\\g{-n}``, ``\\k<name>``, POSIX classes, inline ``(?i)`` that also reaches
  later alternatives, ``(?U)`` and ``(?n)``.
* PCRE2 runs without UTF, so it matches *bytes*: ``.`` is one byte of a two-byte
  ``é``, ``\\xc3\\xa9`` spells it, and ``[é]`` is a class of two bytes. Patterns and
  subjects that are not pure ASCII are therefore matched as their UTF-8 bytes (each
  byte one latin-1 character) and captures turned back into text; pure ASCII, the
  common case, is matched as it is. ``(*UTF)`` at the start keeps character matching.
* What PCRE2 refuses is refused here with ``re.error`` (callers turn that into
  Apache's message): ``a{,3}`` is a literal in PCRE2 10.42, ``a{65536}`` is too
  big, ``\\u``/``\\U``/``\\L``/``\\N{name}`` and unknown letter escapes, ``(?a)``,
  variable-length lookbehind, references to missing groups, nesting beyond 250.

Engine, chosen by measurement (``python tests/core/test_regex.py``; CPython 3.11,
regex 2026.11.15, 200 typical rewrite patterns against a non-matching path):

======================================  ==========  ===========================
                                        ``re``      ``regex``
======================================  ==========  ===========================
compile 200 patterns (once, cached)     6 ms        20 ms (35 ms with translate)
search, no time limit                   146 ns      320 ns
search with ``timeout=``                impossible  1.9 us (this wrapper: 1.9 us)
``^(a+)+$`` on ``a`` x 24 + ``!``       0.43 s      0.4 ms (x 5000: 0.12 s)
``a.*c.*b`` on ``ac`` x 4095            (hangs)     53 s unbounded; 0.25 s capped
======================================  ==========  ===========================

``re`` cannot be interrupted from a worker thread (only by a signal, in the
main thread), and a static "safe pattern" check cannot be both sound and
permissive (``a.*c.*b`` is plain yet takes 53 s on an 8 KiB path), so every
match runs under a time budget: 1.9 us a search, 0.38 ms a request for 200
non-matching rules, against 0.03 ms with unbounded ``re``. Possessive
quantifiers, atomic groups, branch reset, recursion and duplicate names come
natively with ``regex`` on every Python we support (``re`` has the first two
only from 3.11).

A match that exceeds the budget is treated as *not matching*, as Apache does
when PCRE2 reports ``PCRE2_ERROR_MATCHLIMIT``: ``ap_regexec`` returns
``AP_REG_ESPACE`` and every caller (mod_rewrite, ``<LocationMatch>``,
``RedirectMatch``) only tests for zero. Each such event bumps
``Pattern.timeouts`` and :func:`timeout_count` and calls the hooks registered
with :func:`add_timeout_hook`, so callers can log it.
"""

from __future__ import annotations

import functools
import re
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import regex

if TYPE_CHECKING:
    TimeoutHook = Callable[["Pattern", str], None]
    _Method = Callable[..., "regex.Match[str] | None"]

__all__ = [
    "DEFAULT_MATCH_TIMEOUT",
    "Pattern",
    "add_timeout_hook",
    "as_byte_text",
    "compile_pattern",
    "from_byte_text",
    "match_timeout",
    "remove_timeout_hook",
    "set_match_timeout",
    "timeout_count",
    "translate",
    "whole_characters",
]

#: Seconds one search may take. Apache's PCRE2 match limit (10 000 000 steps)
#: gave up on ``^(a+)+$`` against ``a`` x 28 + ``!`` after 0.24 s [obs, X01].
DEFAULT_MATCH_TIMEOUT = 0.25

_MAX_REPEAT = 65535  # PCRE2: "number too big in {} quantifier"
_MAX_NEST = 250  # PCRE2 10.42 default parentheses nest limit
_MAX_NAME = 32  # PCRE2: "subpattern name is too long (maximum 32 code units)"
_FLAGS = regex.DOTALL | regex.ASCII | regex.VERSION0

# Leading start-of-pattern verbs; (*UTF) among them turns PCRE2's UTF mode on.
_UTF_START = re.compile(r"(?:\(\*[A-Z_0-9=]+\))*?\(\*UTF8?\)")

_state = threading.Lock()
_budget = [DEFAULT_MATCH_TIMEOUT]
_timeouts = [0]
_hooks: list[TimeoutHook] = []


def set_match_timeout(seconds: float) -> None:
    """Set the time budget of one search (seconds, > 0)."""
    if not seconds > 0:
        raise ValueError("match timeout must be positive")
    _budget[0] = seconds


def match_timeout() -> float:
    return _budget[0]


def timeout_count() -> int:
    """How many searches, all patterns together, ran out of time."""
    return _timeouts[0]


def add_timeout_hook(hook: TimeoutHook) -> None:
    """Call ``hook(pattern, subject)`` whenever a search runs out of time."""
    _hooks.append(hook)


def remove_timeout_hook(hook: TimeoutHook) -> None:
    _hooks.remove(hook)


def as_byte_text(text: str) -> str:
    """``text``'s UTF-8 bytes, one latin-1 character each: what PCRE without UTF sees."""
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


def from_byte_text(text: str) -> str:
    """Undo :func:`as_byte_text`; a byte cut off from its character stays a lone byte."""
    return text.encode("latin-1").decode("utf-8", "surrogateescape")


def whole_characters(text: str) -> str:
    """Join bytes that captures split (lone ``surrogateescape`` halves) back into the
    characters they spell, so equal bytes are always the same text."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")


class _ByteMatch:
    """A match found in the byte text of a subject, giving its groups back as text.

    Offsets (``start``, ``end``, ``span``) count bytes; a capture can end inside a
    character, so callers that need the captured text use ``group``.
    """

    __slots__ = ("_m", "re")

    def __init__(self, found: regex.Match[str], pattern: Pattern) -> None:
        self._m = found
        self.re = pattern

    @property
    def string(self) -> str:
        return from_byte_text(self._m.string)

    @property
    def lastindex(self) -> int | None:
        return self._m.lastindex

    def group(self, *which: int | str) -> Any:
        found = self._m.group(*which)
        if isinstance(found, tuple):
            return tuple(None if g is None else from_byte_text(g) for g in found)
        return None if found is None else from_byte_text(found)

    def __getitem__(self, which: int | str) -> str | None:
        return cast("str | None", self.group(which))

    def groups(self, default: str | None = None) -> tuple[str | None, ...]:
        return tuple(default if g is None else from_byte_text(g) for g in self._m.groups())

    def groupdict(self, default: str | None = None) -> dict[str, str | None]:
        return {
            k: default if g is None else from_byte_text(g) for k, g in self._m.groupdict().items()
        }

    def start(self, which: int | str = 0) -> int:
        return self._m.start(which)

    def end(self, which: int | str = 0) -> int:
        return self._m.end(which)

    def span(self, which: int | str = 0) -> tuple[int, int]:
        return self._m.span(which)


class Pattern:
    """A compiled Apache regex: the ``re.Pattern`` methods callers use, time-bounded.

    ``pattern`` is the source as written in the configuration; ``translated`` is
    what the ``regex`` package compiled. Match objects are ``regex.Match``, which
    has ``re.Match``'s shape (``group``, ``groups``, ``start``, ``end``, ``span``,
    ``expand``, ``re.groups``).
    """

    __slots__ = (
        "_bytewise",
        "_rx",
        "flags",
        "groupindex",
        "groups",
        "pattern",
        "timeouts",
        "translated",
    )

    def __init__(
        self, source: str, translated: str, compiled: regex.Pattern[str], bytewise: bool = True
    ) -> None:
        self.pattern = source
        self.translated = translated
        self._rx = compiled
        self._bytewise = bytewise
        self.flags = compiled.flags
        self.groups = compiled.groups
        self.groupindex = compiled.groupindex
        self.timeouts = 0

    def __repr__(self) -> str:
        return f"apachemw.core.regex.Pattern({self.pattern!r})"

    def search(
        self, string: str, pos: int = 0, endpos: int | None = None
    ) -> regex.Match[str] | None:
        return self._run(self._rx.search, string, pos, endpos)

    def match(
        self, string: str, pos: int = 0, endpos: int | None = None
    ) -> regex.Match[str] | None:
        return self._run(self._rx.match, string, pos, endpos)

    def fullmatch(
        self, string: str, pos: int = 0, endpos: int | None = None
    ) -> regex.Match[str] | None:
        return self._run(self._rx.fullmatch, string, pos, endpos)

    def finditer(self, string: str) -> Iterator[regex.Match[str]]:
        subject = string
        if self._bytewise and not string.isascii():
            subject = as_byte_text(string)
        pos = 0
        while pos <= len(subject):
            found = self._attempt(self._rx.search, string, subject, pos, None)
            if found is None:
                return
            if subject is not string:
                found = cast("regex.Match[str]", _ByteMatch(found, self))
            yield found
            pos = found.end() + (found.end() == found.start())  # byte offsets

    def _run(
        self, method: _Method, string: str, pos: int, endpos: int | None
    ) -> regex.Match[str] | None:
        if not self._bytewise or string.isascii():
            return self._attempt(method, string, string, pos, endpos)
        # Positions given in characters become byte offsets of the same spot.
        subject = as_byte_text(string)
        bpos = len(as_byte_text(string[:pos])) if pos else 0
        bend = None if endpos is None else len(as_byte_text(string[:endpos]))
        found = self._attempt(method, string, subject, bpos, bend)
        return None if found is None else cast("regex.Match[str]", _ByteMatch(found, self))

    def _attempt(
        self, method: _Method, string: str, subject: str, pos: int, endpos: int | None
    ) -> regex.Match[str] | None:
        try:
            return method(subject, pos, endpos, timeout=_budget[0])
        except TimeoutError:
            self._timed_out(string)
            return None

    def _timed_out(self, string: str) -> None:
        # PCRE2_ERROR_MATCHLIMIT -> AP_REG_ESPACE -> "did not match" for every caller.
        with _state:
            self.timeouts += 1
            _timeouts[0] += 1
        for hook in list(_hooks):
            hook(self, string)


@functools.lru_cache(maxsize=4096)
def compile_pattern(source: str, icase: bool = False) -> re.Pattern[str]:
    """Compile once per distinct pattern; raises ``re.error`` where PCRE2 refuses it.

    Typed as ``re.Pattern[str]`` because that is the interface the object offers
    (``search``, ``match``, ``fullmatch``, ``finditer``, ``pattern``, ``groups``,
    ``groupindex``, ``flags``); at run time it is a :class:`Pattern`.
    """
    bytewise = not _UTF_START.match(source)
    translated = translate(as_byte_text(source) if bytewise else source, icase)
    flags = _FLAGS | (regex.IGNORECASE if icase else 0)
    try:
        compiled = regex.compile(translated, flags)
    except (regex.error, OverflowError, RecursionError, ValueError) as exc:
        raise re.error(f"cannot compile regular expression: {exc}", source) from None
    return cast("re.Pattern[str]", Pattern(source, translated, compiled, bytewise))


def translate(source: str, icase: bool = False) -> str:
    """The ``regex`` (VERSION0, DOTALL, ASCII) spelling of PCRE2 pattern ``source``."""
    try:
        return _Parser(source, icase).parse()
    except RecursionError:
        pass
    # PCRE2 accepts 250 nested groups, six parser frames each: give this rare,
    # config-time parse the room it needs, then put the limit back.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(limit + 8 * _MAX_NEST)
    try:
        return _Parser(source, icase).parse()
    except RecursionError:
        raise re.error("parentheses are too deeply nested", source) from None
    finally:
        sys.setrecursionlimit(limit)


# --------------------------------------------------------------------------- parser

_Width = tuple[int, "int | None"]  # (min, max); max None = unbounded
_ANY: _Width = (0, None)

_POSIX = {
    "alpha": r"a-zA-Z",
    "digit": r"0-9",
    "alnum": r"a-zA-Z0-9",
    "upper": r"A-Z",
    "lower": r"a-z",
    "space": r"\t\n\x0b\f\r\x20",
    "blank": r"\t\x20",
    "punct": r"\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e",
    "print": r"\x20-\x7e",
    "graph": r"\x21-\x7e",
    "cntrl": r"\x00-\x1f\x7f",
    "xdigit": r"0-9A-Fa-f",
    "word": r"\w",
    "ascii": r"\x00-\x7f",
}
_HSPACE = r"\t\x20\xa0"  # PCRE2 \h without UTF
_VSPACE = r"\n\x0b\f\r\x85"  # PCRE2 \v without UTF
_SIMPLE_ESCAPES = {"a": 7, "e": 27, "f": 12, "n": 10, "r": 13, "t": 9}
_TYPE_ESCAPES = frozenset("dDwWsS")
_NO_SUPPORT = frozenset("FLlUu")  # PCRE2 error 137
_VERBS = {"FAIL": "(*FAIL)", "F": "(*FAIL)", "PRUNE": "(*PRUNE)", "SKIP": "(*SKIP)"}
_NOOP_VERBS = ("LIMIT_MATCH=", "LIMIT_DEPTH=", "LIMIT_HEAP=", "LIMIT_RECURSION=")
_NOOP_VERBS_EXACT = frozenset(
    {"UTF", "UTF8", "NO_AUTO_POSSESS", "NO_START_OPT", "NO_DOTSTAR_ANCHOR", "NO_JIT"}
)
_ALPHA_ASSERT = {
    "pla": "(?=",
    "positive_lookahead": "(?=",
    "nla": "(?!",
    "negative_lookahead": "(?!",
    "plb": "(?<=",
    "positive_lookbehind": "(?<=",
    "nlb": "(?<!",
    "negative_lookbehind": "(?<!",
    "atomic": "(?>",
}
_NAME = re.compile(r"[A-Za-z_]\w*", re.ASCII)


@dataclass
class _Flags:
    """PCRE options that change meaning mid-pattern (scoped like PCRE's)."""

    i: bool = False
    m: bool = False
    s: bool = True  # AP_REG_DOTALL
    x: bool = False
    xx: bool = False
    n: bool = False
    u: bool = False  # (?U): swap greedy and lazy

    def copy(self) -> _Flags:
        return _Flags(self.i, self.m, self.s, self.x, self.xx, self.n, self.u)


@dataclass
class _Item:
    text: str
    width: _Width
    repeatable: bool = True


@dataclass
class _Class:
    """A character class: members in Python class syntax, plus negated sets."""

    negated: bool = False
    members: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)  # each is the body of a [^...]

    def render(self) -> str:
        body = "".join(self.members)
        if not self.excluded:
            return f"[^{body}]" if self.negated else f"[{body}]"
        parts = ([f"[{body}]"] if body else []) + [f"[^{e}]" for e in self.excluded]
        union = "|".join(parts)
        return f"(?:(?!{union})[\\s\\S])" if self.negated else f"(?:{union})"


def _char(cp: int) -> str:
    """One literal character, safe anywhere (in or out of a class, any flags)."""
    ch = chr(cp)
    if ch.isascii() and (ch.isalnum() or ch == "_"):
        return ch
    if cp < 0x100:
        return f"\\x{cp:02x}"
    return f"\\u{cp:04x}" if cp < 0x10000 else f"\\U{cp:08x}"


class _Parser:
    def __init__(self, source: str, icase: bool) -> None:
        self.src = source
        self.pos = 0
        self.base = _Flags(i=icase)
        self.groups = 0
        self.names: dict[str, list[int]] = {}
        self.numbered_refs: list[tuple[int, int]] = []  # (group, offset)
        self.named_refs: list[tuple[str, int]] = []
        self.depth = 0
        self.branch_total = 0

    # ---- helpers
    def error(self, message: str, offset: int | None = None) -> re.error:
        return re.error(message, self.src, self.pos if offset is None else offset)

    def peek(self, n: int = 0) -> str:
        i = self.pos + n
        return self.src[i] if i < len(self.src) else ""

    def startswith(self, text: str) -> bool:
        return self.src.startswith(text, self.pos)

    def skip_extended(self, flags: _Flags) -> None:
        """(?x): whitespace and ``#`` comments between items are ignored."""
        while flags.x and self.pos < len(self.src):
            ch = self.src[self.pos]
            if ch in " \t\n\r\f\x0b":
                self.pos += 1
            elif ch == "#":
                end = self.src.find("\n", self.pos)
                self.pos = len(self.src) if end < 0 else end + 1
            else:
                return

    # ---- structure
    def parse(self) -> str:
        text, _ = self.alternation(self.base.copy(), (0,))
        if self.pos < len(self.src):
            raise self.error("unmatched closing parenthesis")
        self.check_refs()
        return text

    def check_refs(self) -> None:
        for number, offset in self.numbered_refs:
            if number > self.groups or number < 0:
                raise self.error("reference to non-existent subpattern", offset)
        for name, offset in self.named_refs:
            if name not in self.names:
                raise self.error("reference to non-existent subpattern", offset)

    def alternation(self, flags: _Flags, reset: tuple[int, ...]) -> tuple[str, list[_Width]]:
        """Branches up to ``)`` or the end; an inline ``(?i)`` carries into later ones."""
        start_i = flags.i
        branches: list[str] = []
        widths: list[_Width] = []
        first_group, high = self.groups, self.groups
        while True:
            if reset[0]:
                self.groups = first_group
            branch_i = flags.i
            text, width = self.branch(flags)
            if branch_i != start_i:
                text = ("(?i:" if flags.i else "(?-i:") + text + ")"
            high = max(high, self.groups)
            branches.append(text)
            widths.append(width)
            if self.peek() != "|":
                break
            self.pos += 1
        self.groups = high
        self.branch_total = len(branches)
        return "|".join(branches), widths

    def branch(self, flags: _Flags) -> tuple[str, _Width]:
        items: list[_Item] = []
        quantified = False
        while True:
            self.skip_extended(flags)
            ch = self.peek()
            if ch in ("", "|", ")"):
                break
            if ch in "*+?" or (ch == "{" and self.quantifier_ahead()):
                if not items or quantified or not items[-1].repeatable:
                    raise self.error("quantifier does not follow a repeatable item")
                items[-1] = self.quantify(items[-1], flags)
                quantified = True
                continue
            if self.startswith("\\Q"):
                items.extend(self.quoted())
                quantified = False
                continue
            was_i = flags.i
            item = self.atom(flags)
            if item is not None:
                items.append(item)
                quantified = False
            elif flags.i != was_i:
                # (?i) reaches the end of the group: wrap the rest of this branch.
                opener = "(?i:" if flags.i else "(?-i:"
                rest, width = self.branch(flags)
                items.append(_Item(opener + rest + ")", width, False))
                break
        lo, hi = 0, cast("int | None", 0)
        for item in items:
            lo, hi = lo + item.width[0], _add(hi, item.width[1])
        return "".join(item.text for item in items), (lo, hi)

    # ---- quantifiers
    def quantifier_ahead(self) -> bool:
        return _BRACE.match(self.src, self.pos) is not None

    def quantify(self, item: _Item, flags: _Flags) -> _Item:
        ch = self.peek()
        if ch == "{":
            found = _BRACE.match(self.src, self.pos)
            assert found is not None
            low = int(found.group(1))
            high = (
                low if found.group(2) is None else (int(found.group(3)) if found.group(3) else None)
            )
            if low > _MAX_REPEAT or (high is not None and high > _MAX_REPEAT):
                raise self.error("number too big in {} quantifier")
            if high is not None and high < low:
                raise self.error("numbers out of order in {} quantifier")
            self.pos = found.end()
            spelled = found.group(0)
        else:
            self.pos += 1
            low, high = {"*": (0, None), "+": (1, None), "?": (0, 1)}[ch]
            spelled = ch
        mode = self.peek()
        if mode in ("+", "?"):
            self.pos += 1
        lazy = mode == "?"
        if flags.u and mode != "+":
            lazy = not lazy
        spelled += "+" if mode == "+" else ("?" if lazy else "")
        # Lookarounds, calls and conditionals are wrapped so the quantifier has an atom.
        text = f"(?:{item.text})" if item.text.startswith("(?") else item.text
        width = (item.width[0] * low, _mul(item.width[1], high))
        return _Item(text + spelled, width)

    # ---- atoms
    def atom(self, flags: _Flags) -> _Item | None:
        ch = self.src[self.pos]
        if ch == "(":
            return self.group(flags)
        if ch == "[":
            return self.char_class(flags)
        if ch == "\\":
            return self.escape(flags)
        self.pos += 1
        if ch == ".":
            return _Item("." if flags.s else "[^\\n]", (1, 1))
        if ch == "^":
            return _Item("(?:^|(?<=\\n)(?!\\Z))" if flags.m else "^", (0, 0), False)
        if ch == "$":
            # AP_REG_DOLLAR_ENDONLY: only the very end, never before a final newline.
            return _Item("(?=\\n|\\Z)" if flags.m else "\\Z", (0, 0), False)
        return _Item(_char(ord(ch)), (1, 1))

    def group(self, flags: _Flags) -> _Item | None:
        start = self.pos
        self.pos += 1
        if self.peek() == "*":
            return self.verb(flags, start)
        if self.peek() != "?":
            if flags.n:
                return self.body(flags, "(?:", start)
            return self.capture(flags, None, start)
        self.pos += 1
        ch = self.peek()
        if ch == "#":
            end = self.src.find(")", self.pos)
            if end < 0:
                raise self.error("missing ) after (?# comment")
            self.pos = end + 1
            return None
        simple = {":": "(?:", ">": "(?>", "=": "(?=", "!": "(?!", "|": "(?|"}
        if ch in simple:
            self.pos += 1
            return self.body(flags, simple[ch], start)
        if self.startswith("<=") or self.startswith("<!"):
            self.pos += 2
            return self.body(flags, "(?<" + self.src[self.pos - 1], start)
        if ch in "<'" or self.startswith("P<"):
            self.pos += 2 if ch == "P" else 1
            return self.capture(flags, self.name(">" if ch != "'" else "'"), start)
        if self.startswith("P="):
            self.pos += 2
            return self.named_backref(self.name(")"), start)
        if self.startswith("P>") or ch == "&":
            self.pos += 2 if ch == "P" else 1
            name = self.name(")")
            self.named_refs.append((name, start))
            return _Item(f"(?&{name})", _ANY)
        if ch == "(":
            return self.conditional(flags, start)
        if ch == "C":
            return self.callout()
        if ch == "R" or ch.isdigit() or (ch in "+-" and self.peek(1).isdigit()):
            return self.recursion(start)
        return self.options(flags)

    def body(self, flags: _Flags, opener: str, start: int) -> _Item:
        self.depth += 1
        if self.depth > _MAX_NEST:
            raise self.error("parentheses are too deeply nested")
        reset = (1,) if opener == "(?|" else (0,)
        text, widths = self.alternation(flags.copy(), reset)
        self.depth -= 1
        if self.peek() != ")":
            raise self.error("missing closing parenthesis", len(self.src))
        self.pos += 1
        if opener.startswith("(?<") and opener[3] in "=!":
            if any(lo != hi for lo, hi in widths):
                raise self.error("lookbehind assertion is not fixed length", start)
            if "\\K" in text:
                raise self.error("\\K is not allowed in lookarounds", start)
        if opener[2:3] in ("=", "!", "<"):
            return _Item(opener + text + ")", (0, 0))
        lo = min(w[0] for w in widths)
        highs = [w[1] for w in widths]
        hi = None if None in highs else max(h for h in highs if h is not None)
        return _Item(opener + text + ")", (lo, hi))

    def capture(self, flags: _Flags, name: str | None, start: int) -> _Item:
        self.groups += 1
        number = self.groups
        opener = "("
        if name is not None:
            # PCRE2_DUPNAMES: a repeated name is a new group; the regex package would
            # merge same-named groups into one number, so only the first keeps the name.
            if name not in self.names:
                opener = f"(?P<{name}>"
            self.names.setdefault(name, []).append(number)
        return self.body(flags, opener, start)

    def name(self, terminator: str) -> str:
        found = _NAME.match(self.src, self.pos)
        if found is None:
            if self.peek().isdigit():
                raise self.error("subpattern name must start with a non-digit")
            raise self.error("subpattern name expected")
        if len(found.group(0)) > _MAX_NAME:
            raise self.error("subpattern name is too long (maximum 32 code units)")
        self.pos = found.end()
        if self.peek() != terminator:
            raise self.error("syntax error in subpattern name (missing terminator?)")
        self.pos += 1
        return found.group(0)

    def named_backref(self, name: str, start: int) -> _Item:
        self.named_refs.append((name, start))
        numbers = self.names.get(name)
        if numbers is None or len(numbers) == 1:
            return _Item(f"(?P={name})", _ANY)
        return self.dup_backref(numbers)

    def dup_backref(self, numbers: list[int]) -> _Item:
        # PCRE2 matches the first group of that name that is set.
        text = "(?!)"
        for number in reversed(numbers):
            text = f"(?({number})(?:\\g<{number}>)|{text})"
        return _Item(f"(?:{text})", _ANY)

    def backref(self, number: int, start: int) -> _Item:
        self.numbered_refs.append((number, start))
        return _Item(f"(?:\\g<{number}>)", _ANY)

    def recursion(self, start: int) -> _Item:
        found = re.compile(r"(R|[+-]?\d+)\)").match(self.src, self.pos)
        if found is None:
            raise self.error("(?R (recursive pattern call) must be followed by )")
        self.pos = found.end()
        spelled = found.group(1)
        number = 0 if spelled == "R" else self.relative(spelled)
        self.numbered_refs.append((number, start))
        return _Item(f"(?{number})" if number else "(?R)", _ANY)

    def relative(self, spelled: str) -> int:
        if spelled[0] == "-":
            number = self.groups + 1 - int(spelled[1:])
            if number <= 0:
                raise self.error("reference to non-existent subpattern")
            return number
        if spelled[0] == "+":
            return self.groups + int(spelled[1:])
        return int(spelled)

    def conditional(self, flags: _Flags, start: int) -> _Item:
        self.pos += 1
        if self.startswith("?=") or self.startswith("?!") or self.startswith("?<"):
            self.pos -= 1
            condition = self.group(flags)
            assert condition is not None
            cond_text = condition.text[1:]
        else:
            found = re.compile(r"([+-]?\d+|<(\w+)>|'(\w+)'|(\w+))\)", re.ASCII).match(
                self.src, self.pos
            )
            if found is None:
                raise self.error("malformed number or name after (?(")
            self.pos = found.end()
            name = found.group(2) or found.group(3) or found.group(4)
            if name == "DEFINE":
                cond_text = "(DEFINE)"
            elif name is not None and (name == "R" or name.startswith("R")):
                raise re.error("recursion conditions (?(R...) are not supported", self.src, start)
            elif name is not None:
                self.named_refs.append((name, start))
                cond_text = f"({name})"
            else:
                number = self.relative(found.group(1))
                self.numbered_refs.append((number, start))
                cond_text = f"({number})"
        item = self.body(flags, "(?:", start)
        if self.branch_total > 2:
            raise self.error("conditional subpattern contains more than two branches", start)
        return _Item("(?(" + cond_text.lstrip("(") + item.text[3:], (0, item.width[1]))

    def callout(self) -> _Item | None:
        # Apache installs no callout function, so PCRE2 skips callouts.
        found = re.compile(r"C\d*\)").match(self.src, self.pos)
        if found is None:
            raise self.error("string callouts are not supported")
        self.pos = found.end()
        return None

    def verb(self, flags: _Flags, start: int) -> _Item | None:
        end = self.src.find(")", self.pos)
        if end < 0:
            raise self.error("missing closing parenthesis")
        word = self.src[self.pos + 1 : end]
        head, colon, _ = word.partition(":")
        if colon and head in _ALPHA_ASSERT:
            self.pos += 1 + len(head) + 1
            return self.body(flags, _ALPHA_ASSERT[head], start)
        self.pos = end + 1
        if word in _VERBS:
            return _Item(_VERBS[word], (0, 0), False)
        if word in _NOOP_VERBS_EXACT or word.startswith(_NOOP_VERBS):
            return None  # only limits or optimisations; our time budget applies
        raise re.error(f"unsupported PCRE2 verb (*{word})", self.src, start)

    def options(self, flags: _Flags) -> _Item | None:
        """``(?imnsxU-imnsx)`` for the rest of the group, or ``(?i:...)``."""
        found = re.compile(r"(\^)?([imnsxUJ]*)(?:-([imnsxUJ]*))?([:)])").match(self.src, self.pos)
        if found is None:
            raise self.error("unrecognized character after (? or (?-")
        self.pos = found.end()
        target = flags if found.group(4) == ")" else flags.copy()
        if found.group(1):
            target.i = target.m = target.n = target.s = target.x = target.xx = False
        _set_options(target, found.group(2), True)
        _set_options(target, found.group(3) or "", False)
        if found.group(4) == ")":
            return None
        item = self.body(target, "(?:", self.pos)
        if target.i != flags.i:
            item.text = ("(?i:" if target.i else "(?-i:") + item.text[3:]
        return item

    # ---- escapes outside a class
    def escape(self, flags: _Flags) -> _Item | None:
        start = self.pos
        self.pos += 1
        ch = self.peek()
        if ch == "":
            raise self.error("\\ at end of pattern")
        self.pos += 1
        if ch == "E":
            return None
        anchors = {"b": "\\b", "B": "\\B", "A": "\\A", "z": "\\Z", "G": "\\G", "K": "\\K"}
        if ch in anchors:
            return _Item(anchors[ch], (0, 0), False)
        if ch == "Z":
            return _Item("(?=\\n?\\Z)", (0, 0), False)
        if ch in "123456789":
            return self.digit_escape(start)
        if ch in "gk":
            return self.reference_escape(ch, start)
        shorthand = {
            "h": f"[{_HSPACE}]",
            "H": f"[^{_HSPACE}]",
            "v": f"[{_VSPACE}]",
            "V": f"[^{_VSPACE}]",
            "N": "[^\\n]",
            "C": ".",
        }
        if ch == "N" and self.peek() == "{" and not self.quantifier_ahead():
            raise self.error("PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u")
        if ch in shorthand:
            return _Item(shorthand[ch], (1, 1))
        if ch == "R":
            return _Item("(?>\\r\\n|[\\n\\x0b\\f\\r\\x85])", (1, 2))
        if ch == "X":
            return _Item("\\X", (1, None))
        if ch in _TYPE_ESCAPES:
            return _Item("\\" + ch, (1, 1))
        if ch in "pP":
            return _Item(self.property(ch), (1, 1))
        return _Item(_char(self.char_escape(ch, in_class=False)), (1, 1))

    def quoted(self) -> list[_Item]:
        """``\\Q...\\E``: literals; a quantifier after it takes the last one only."""
        self.pos += 2
        end = self.src.find("\\E", self.pos)
        end = len(self.src) if end < 0 else end
        text = self.src[self.pos : end]
        self.pos = min(end + 2, len(self.src))
        return [_Item(_char(ord(c)), (1, 1)) for c in text]

    def digit_escape(self, start: int) -> _Item:
        digits = re.compile(r"\d+").match(self.src, self.pos - 1)
        assert digits is not None
        number = int(digits.group(0))
        first = digits.group(0)[0]
        if number < 10 or first in "89" or number <= self.groups:
            self.pos = digits.end()
            return self.backref(number, start)
        self.pos -= 1  # octal: up to three octal digits
        return _Item(_char(self.octal()), (1, 1))

    def octal(self) -> int:
        found = re.compile(r"[0-7]{1,3}").match(self.src, self.pos)
        assert found is not None
        self.pos = found.end()
        value = int(found.group(0), 8)
        if value > 0xFF:
            raise self.error("octal value is greater than \\377 in 8-bit non-UTF-8 mode")
        return value

    def reference_escape(self, kind: str, start: int) -> _Item:
        if kind == "g" and self.peek() in "<'":
            # \g<n> / \g'name' is a subroutine call in PCRE2, not a back reference.
            close = ">" if self.peek() == "<" else "'"
            found = re.compile(r"[<']([+-]?\d+|\w+)" + close, re.ASCII).match(self.src, self.pos)
            if found is None:
                raise self.error("\\g is not followed by a number or name")
            self.pos = found.end()
            target = found.group(1)
            if _NAME.fullmatch(target):
                self.named_refs.append((target, start))
                return _Item(f"(?&{target})", _ANY)
            number = self.relative(target)
            self.numbered_refs.append((number, start))
            return _Item(f"(?{number})" if number else "(?R)", _ANY)
        pattern = r"\{([+-]?\d+|\w+)\}|([+-]?\d+)" if kind == "g" else r"<(\w+)>|'(\w+)'|\{(\w+)\}"
        found = re.compile(pattern, re.ASCII).match(self.src, self.pos)
        if found is None:
            raise self.error(
                f"\\{kind} is not followed by a braced, angle-bracketed, or quoted name"
            )
        self.pos = found.end()
        target = next(g for g in found.groups() if g is not None)
        if re.fullmatch(r"[+-]?\d+", target):
            number = self.relative(target)
            if number == 0:
                raise self.error("a relative value of zero is not allowed")
            return self.backref(number, start)
        if target[0].isdigit():
            raise self.error("subpattern name must start with a non-digit")
        return self.named_backref(target, start)

    def property(self, kind: str) -> str:
        found = re.compile(r"\{\^?\w+\}|\w").match(self.src, self.pos)
        if found is None:
            raise self.error("malformed \\P or \\p sequence")
        self.pos = found.end()
        return "\\" + kind + found.group(0)

    def char_escape(self, ch: str, in_class: bool) -> int:
        """The code point of a single-character escape (``ch`` already consumed)."""
        if ch in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[ch]
        if ch == "0" or (in_class and ch in "01234567"):
            self.pos -= 1
            return self.octal()
        if ch == "x":
            return self.hex_escape()
        if ch == "o":
            found = re.compile(r"\{([0-7]+)\}").match(self.src, self.pos)
            if found is None:
                raise self.error("missing opening brace after \\o")
            self.pos = found.end()
            return self.checked(int(found.group(1), 8))
        if ch == "c":
            target = self.peek()
            if not target:
                raise self.error("\\c at end of pattern")
            if not " " <= target <= "~":
                raise self.error("\\c must be followed by a printable ASCII character")
            self.pos += 1
            return ord(target.upper()) ^ 0x40
        if ch in _NO_SUPPORT or ch == "N":
            raise self.error("PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u")
        if ch.isascii() and ch.isalnum():
            raise self.error("unrecognized character follows \\")
        return ord(ch)

    def hex_escape(self) -> int:
        if self.peek() == "{":
            found = re.compile(r"\{([0-9A-Fa-f]+)\}").match(self.src, self.pos)
            if found is None:
                raise self.error("\\x{ is not followed by hexadecimal digits and }")
            self.pos = found.end()
            return self.checked(int(found.group(1), 16))
        found = re.compile(r"[0-9A-Fa-f]{0,2}").match(self.src, self.pos)
        assert found is not None
        self.pos = found.end()
        return int(found.group(0) or "0", 16)

    def checked(self, value: int) -> int:
        if value > 0xFF:
            raise self.error("character code point value in \\x{} or \\o{} is too large")
        return value

    # ---- character classes
    def char_class(self, flags: _Flags) -> _Item:
        for word, text in (("[[:<:]]", "\\b(?=\\w)"), ("[[:>:]]", "\\b(?<=\\w)")):
            if self.startswith(word):
                self.pos += len(word)
                return _Item(text, (0, 0), False)
        start = self.pos
        self.pos += 1
        cls = _Class()
        if self.peek() == "^":
            cls.negated = True
            self.pos += 1
        first = True
        while True:
            if flags.xx:
                while self.peek() in (" ", "\t"):
                    self.pos += 1
            ch = self.peek()
            if ch == "":
                raise self.error("missing terminating ] for character class", start)
            if ch == "]" and not first:
                self.pos += 1
                break
            first = False
            self.class_member(cls)
        return _Item(cls.render(), (1, 1))

    def class_member(self, cls: _Class) -> None:
        if self.peek() == "[" and self.peek(1) in ":.=" and self.posix(cls):
            return
        low = self.class_atom(cls)
        if low is None:
            return
        if self.peek() == "-" and self.peek(1) not in ("]", ""):
            save = self.pos
            self.pos += 1
            if self.peek() == "[" and self.peek(1) == ":":
                self.pos = save  # a '-' before a POSIX class is a literal
                cls.members.append(_char(low))
                return
            high = self.class_atom(cls, as_range_end=True)
            if high is None:
                raise self.error("invalid range in character class")
            if high < low:
                raise self.error("range out of order in character class")
            cls.members.append(f"{_char(low)}-{_char(high)}")
            return
        cls.members.append(_char(low))

    def class_atom(self, cls: _Class, as_range_end: bool = False) -> int | None:
        """A literal's code point, or None after adding a set (``\\d``, ``\\h``...)."""
        ch = self.src[self.pos]
        if ch != "\\":
            self.pos += 1
            return ord(ch)
        self.pos += 1
        esc = self.peek()
        if esc == "":
            raise self.error("\\ at end of pattern")
        self.pos += 1
        if esc == "Q":
            return self.class_quoted(cls)
        if esc == "E":
            return None if not as_range_end else self.class_atom(cls, as_range_end)
        sets = {"d": "\\d", "D": "\\D", "w": "\\w", "W": "\\W", "s": "\\s", "S": "\\S"}
        if esc in sets or esc in "hvHVpP":
            if as_range_end or (self.peek() == "-" and self.peek(1) not in ("]", "")):
                raise self.error("invalid range in character class")
            self.add_set(cls, esc)
            return None
        if esc == "b":
            return 8
        if esc == "N":
            raise self.error("\\N is not supported in a class")
        if esc in "BRXAzZGKgk" or (esc.isascii() and esc.isalpha() and esc not in "aefnrtxoc"):
            if esc in _NO_SUPPORT:
                raise self.error("PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u")
            raise self.error("escape sequence is invalid in character class")
        if esc in "89":
            return ord(esc)
        return self.char_escape(esc, in_class=True)

    def add_set(self, cls: _Class, esc: str) -> None:
        if esc in "pP":
            cls.members.append(self.property(esc))
        elif esc in "hv":
            cls.members.append(_HSPACE if esc == "h" else _VSPACE)
        elif esc in "HV":
            cls.excluded.append(_HSPACE if esc == "H" else _VSPACE)
        else:
            cls.members.append("\\" + esc)

    def class_quoted(self, cls: _Class) -> int | None:
        end = self.src.find("\\E", self.pos)
        end = len(self.src) if end < 0 else end
        text = self.src[self.pos : end]
        self.pos = min(end + 2, len(self.src))
        if not text:
            return None
        cls.members.extend(_char(ord(c)) for c in text[:-1])
        return ord(text[-1])

    def posix(self, cls: _Class) -> bool:
        found = re.compile(r"\[([:.=])(\^?)([A-Za-z]*)\1\]").match(self.src, self.pos)
        if found is None:
            return False
        if found.group(1) != ":":
            raise self.error("POSIX collating elements are not supported")
        body = _POSIX.get(found.group(3))
        if body is None:
            raise self.error("unknown POSIX class name")
        self.pos = found.end()
        (cls.excluded if found.group(2) else cls.members).append(body)
        return True


_BRACE = re.compile(r"\{(\d+)(,(\d*))?\}")


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


def _mul(a: int | None, b: int | None) -> int | None:
    if a == 0 or b == 0:
        return 0
    return None if a is None or b is None else a * b


def _set_options(flags: _Flags, letters: str, on: bool) -> None:
    for letter in set(letters):
        if letter == "U":
            flags.u = on
        elif letter != "J":  # PCRE2_DUPNAMES is always on in Apache
            setattr(flags, letter, on)
    # (?xx) also ignores spaces in classes; (?-x) turns both off.
    flags.xx = (on and "xx" in letters) or (flags.xx and flags.x)

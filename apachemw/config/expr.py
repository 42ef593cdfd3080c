"""Apache's expression language (ap_expr, httpd 2.4 ``server/util_expr_*``): parse once,
evaluate per request.

Used by ``<If>``, ``RewriteCond expr``, ``Require expr`` (boolean expressions) and by
``Header ... expr=`` or ``ErrorDocument`` (string expressions)::

    expr = parse_expr("%{HTTP:X-V} =~ /^(a+)b$/")      # ExprError as `apache2 -t` words it
    result = expr.execute(ctx)                            # one request
    result.value      # the boolean
    result.backrefs   # ("aab", "aa", "", ...) -- $0..$9, for RewriteCond's %N
    result.vary       # ("X-V",) -- the names Apache merges into Vary
    expr.evaluate(ctx)          # just the boolean
    parse_expr("v=%{REQUEST_URI}", string=True).evaluate_string(ctx)

:class:`Expr` is immutable and shared between requests; everything a request changes
lives in the :class:`ExprResult`. ``backrefs`` follows ``ap_expr_exec_re``: the captures
of the last ``=~``/``!~`` *with capturing groups* that ran (a regex without groups leaves
them alone, a failed match clears them to ``()``); ``()`` also when no such regex ran.
``$N`` inside the expression reads the same captures while it is evaluated.

``vary`` is what ``ap_expr_exec`` would add to the response's Vary: every request header
read through ``req``/``http``/``%{HTTP:...}``/``%{HTTP_*}`` except Host, never for
``req_novary``, never for string expressions, and nothing when evaluation failed. The
caller merges it unless the directive asked for no Vary (RewriteCond ``[NV]``).

An evaluation error (recursion limit, ``file()`` on a missing file) makes ``value`` false
and sets ``error`` to Apache's text; Apache logs "Evaluation of expression ... failed".

The parser is an LALR(1) automaton built here from the grammar of
``util_expr_parse.y``, with bison's conflict resolution, default reductions and verbose
messages, so a syntax error reads exactly as Apache reports it ("syntax error,
unexpected T_DIGIT, expecting ..."). Unknown variables and functions are refused at
parse time, as Apache's ``expr_lookup`` hook does.

What the context supplies (:class:`ExprContext`): request variables, request headers,
the request environment and notes, and the file tests (which may need a subrequest).
``resp()`` reads response headers from an optional ``response_header(name)`` method.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import ipaddress
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from apachemw.core.ctype import ascii_lower, ascii_upper
from apachemw.core.regex import compile_pattern

__all__ = [
    "Expr",
    "ExprContext",
    "ExprError",
    "ExprResult",
    "parse_expr",
]


class ExprError(Exception):
    """An expression Apache refuses at config time; the message is ap_expr's."""


class ExprContext(Protocol):
    """What an expression reads from the request (the caller implements it)."""

    def variable(self, name: str) -> str:
        """%{NAME} for the request and connection variables, by canonical upper-case name
        (REQUEST_URI, QUERY_STRING, REMOTE_ADDR, HTTPS, SERVER_SOFTWARE, ...); "" if unknown.
        """

    def header(self, name: str) -> str | None:
        """A request header (req, http, req_novary, %{HTTP:...}); Vary is in ExprResult."""

    def env(self, name: str) -> str | None:
        """The request environment (subprocess_env): reqenv(), and env() after notes."""

    def file_exists(self, path: str, test: str) -> bool:
        """The file tests: test is one of d e f s L h x (stat) or F U A (subrequest)."""

    def note(self, name: str) -> str | None:
        """A request note (note(), and env() first looks here)."""


@dataclass(frozen=True)
class ExprResult:
    """One evaluation of a boolean expression."""

    value: bool
    backrefs: tuple[str, ...] = ()
    vary: tuple[str, ...] = ()
    error: str | None = None


# --- tokens and grammar (util_expr_parse.y, symbols in bison's numbering) ----------------

# bison 2.5 numbers the terminals in this order and lists "expecting" tokens in it.
_TERMINALS = [
    "$end",
    "error",
    "$undefined",
    "T_TRUE",
    "T_FALSE",
    "T_EXPR_BOOL",
    "T_EXPR_STRING",
    "T_ERROR",
    "T_DIGIT",
    "T_ID",
    "T_STRING",
    "T_REGEX",
    "T_REGEX_I",
    "T_REGEX_BACKREF",
    "T_OP_UNARY",
    "T_OP_BINARY",
    "T_STR_BEGIN",
    "T_STR_END",
    "T_VAR_BEGIN",
    "T_VAR_END",
    "T_OP_EQ",
    "T_OP_NE",
    "T_OP_LT",
    "T_OP_LE",
    "T_OP_GT",
    "T_OP_GE",
    "T_OP_REG",
    "T_OP_NRE",
    "T_OP_IN",
    "T_OP_STR_EQ",
    "T_OP_STR_NE",
    "T_OP_STR_LT",
    "T_OP_STR_LE",
    "T_OP_STR_GT",
    "T_OP_STR_GE",
    "T_OP_CONCAT",
    "T_OP_OR",
    "T_OP_AND",
    "T_OP_NOT",
    "'('",
    "')'",
    "'{'",
    "'}'",
    "','",
    "':'",
]
_TERMINAL_INDEX = {name: i for i, name in enumerate(_TERMINALS)}

# %right T_OP_OR / T_OP_AND / T_OP_NOT / T_OP_CONCAT, lowest first.
_PRECEDENCE = {"T_OP_OR": 1, "T_OP_AND": 2, "T_OP_NOT": 3, "T_OP_CONCAT": 4}

_COMPARISONS = [
    "EQ",
    "NE",
    "LT",
    "LE",
    "GT",
    "GE",
    "STR_EQ",
    "STR_NE",
    "STR_LT",
    "STR_LE",
    "STR_GT",
    "STR_GE",
]

# (left-hand side, right-hand side, semantic action) in the order of the .y file: bison
# breaks reduce/reduce ties and default-reduction ties by this order.
_GRAMMAR: list[tuple[str, tuple[str, ...], str]] = [
    ("root", ("T_EXPR_BOOL", "expr"), "second"),
    ("root", ("T_EXPR_STRING", "string"), "second"),
    ("root", ("T_ERROR",), "abort"),
    ("expr", ("T_TRUE",), "true"),
    ("expr", ("T_FALSE",), "false"),
    ("expr", ("T_OP_NOT", "expr"), "not"),
    ("expr", ("expr", "T_OP_OR", "expr"), "or"),
    ("expr", ("expr", "T_OP_AND", "expr"), "and"),
    ("expr", ("comparison",), "first"),
    ("expr", ("T_OP_UNARY", "word"), "unary"),
    ("expr", ("word", "T_OP_BINARY", "word"), "binary"),
    ("expr", ("'('", "expr", "')'"), "second"),
    ("expr", ("T_ERROR",), "abort"),
    *[("comparison", ("word", f"T_OP_{op}", "word"), "compare") for op in _COMPARISONS],
    ("comparison", ("word", "T_OP_IN", "wordlist"), "in"),
    ("comparison", ("word", "T_OP_REG", "regex"), "reg"),
    ("comparison", ("word", "T_OP_NRE", "regex"), "nre"),
    ("wordlist", ("lstfunccall",), "first"),
    ("wordlist", ("'{'", "words", "'}'"), "second"),
    ("words", ("word",), "list1"),
    ("words", ("words", "','", "word"), "listn"),
    ("string", ("string", "strpart"), "concat2"),
    ("string", ("strpart",), "first"),
    ("string", ("T_ERROR",), "abort"),
    ("strpart", ("T_STRING",), "string"),
    ("strpart", ("var",), "first"),
    ("strpart", ("backref",), "first"),
    ("var", ("T_VAR_BEGIN", "T_ID", "T_VAR_END"), "var"),
    ("var", ("T_VAR_BEGIN", "T_ID", "':'", "string", "T_VAR_END"), "varfunc"),
    ("word", ("T_DIGIT",), "digit"),
    ("word", ("word", "T_OP_CONCAT", "word"), "concat3"),
    ("word", ("var",), "first"),
    ("word", ("backref",), "first"),
    ("word", ("strfunccall",), "first"),
    ("word", ("T_STR_BEGIN", "string", "T_STR_END"), "second"),
    ("word", ("T_STR_BEGIN", "T_STR_END"), "empty"),
    ("regex", ("T_REGEX",), "regex"),
    ("regex", ("T_REGEX_I",), "regex_i"),
    ("backref", ("T_REGEX_BACKREF",), "backref"),
    ("lstfunccall", ("T_ID", "'('", "word", "')'"), "listfunc"),
    ("strfunccall", ("T_ID", "'('", "word", "')'"), "strfunc"),
]

# An action is ("s", state), ("r", rule) or ("a", 0) for accept.
_Action = tuple[str, int]


@dataclass(frozen=True)
class _Tables:
    rules: list[tuple[str, tuple[str, ...], str]]
    explicit: list[dict[str, _Action]]  # what bison stores in yytable for each state
    default: list[int | None]  # the default reduction, if any
    goto: list[dict[str, int]]


def _first_sets(rules: list[tuple[str, tuple[str, ...], str]]) -> dict[str, set[str]]:
    # No rule is empty, so FIRST of a sentence is FIRST of its first symbol.
    first: dict[str, set[str]] = {lhs: set() for lhs, _, _ in rules}
    changed = True
    while changed:
        changed = False
        for lhs, rhs, _ in rules:
            head = rhs[0]
            add = first.get(head, {head})
            if not add <= first[lhs]:
                first[lhs] |= add
                changed = True
    return first


class _Builder:
    """LALR(1) by lookahead propagation (the Dragon book's kernel algorithm)."""

    def __init__(self) -> None:
        self.rules = [("$accept", ("root", "$end"), "accept"), *_GRAMMAR]
        self.by_lhs: dict[str, list[int]] = {}
        for i, (lhs, _, _) in enumerate(self.rules):
            self.by_lhs.setdefault(lhs, []).append(i)
        self.first = _first_sets(self.rules)
        self.states: list[frozenset[tuple[int, int]]] = []
        self.goto: list[dict[str, int]] = []

    def closure0(self, kernel: frozenset[tuple[int, int]]) -> set[tuple[int, int]]:
        items = set(kernel)
        todo = list(kernel)
        while todo:
            rule, dot = todo.pop()
            rhs = self.rules[rule][1]
            if dot < len(rhs) and rhs[dot] in self.by_lhs:
                for r in self.by_lhs[rhs[dot]]:
                    if (r, 0) not in items:
                        items.add((r, 0))
                        todo.append((r, 0))
        return items

    def lr0(self) -> None:
        index = {frozenset({(0, 0)}): 0}
        self.states = [frozenset({(0, 0)})]
        i = 0
        while i < len(self.states):
            moves: dict[str, set[tuple[int, int]]] = {}
            for rule, dot in sorted(self.closure0(self.states[i])):
                rhs = self.rules[rule][1]
                if dot < len(rhs) and rhs[dot] != "$end":
                    moves.setdefault(rhs[dot], set()).add((rule, dot + 1))
            edges: dict[str, int] = {}
            for symbol, kernel_set in moves.items():
                kernel = frozenset(kernel_set)
                if kernel not in index:
                    index[kernel] = len(self.states)
                    self.states.append(kernel)
                edges[symbol] = index[kernel]
            self.goto.append(edges)
            i += 1

    def closure1(self, item: tuple[int, int], look: str) -> set[tuple[int, int, str]]:
        items = {(item[0], item[1], look)}
        todo = list(items)
        while todo:
            rule, dot, la = todo.pop()
            rhs = self.rules[rule][1]
            if dot < len(rhs) and rhs[dot] in self.by_lhs:
                rest = rhs[dot + 1 :]
                looks = {la} if not rest else self.first.get(rest[0], {rest[0]})
                for r in self.by_lhs[rhs[dot]]:
                    for b in looks:
                        if (r, 0, b) not in items:
                            items.add((r, 0, b))
                            todo.append((r, 0, b))
        return items

    def lookaheads(self) -> dict[tuple[int, tuple[int, int]], set[str]]:
        looks: dict[tuple[int, tuple[int, int]], set[str]] = {
            (s, item): set() for s, kernel in enumerate(self.states) for item in kernel
        }
        links: dict[tuple[int, tuple[int, int]], list[tuple[int, tuple[int, int]]]] = {}
        for s, kernel in enumerate(self.states):
            for item in kernel:
                for rule, dot, la in self.closure1(item, "#"):
                    rhs = self.rules[rule][1]
                    if dot >= len(rhs) or rhs[dot] == "$end":
                        continue
                    target = (self.goto[s][rhs[dot]], (rule, dot + 1))
                    if la == "#":
                        links.setdefault((s, item), []).append(target)
                    else:
                        looks[target].add(la)
        changed = True
        while changed:
            changed = False
            for source, targets in links.items():
                for target in targets:
                    if not looks[source] <= looks[target]:
                        looks[target] |= looks[source]
                        changed = True
        return looks

    def complete_looks(
        self, s: int, looks: dict[tuple[int, tuple[int, int]], set[str]]
    ) -> dict[int, set[str]]:
        """Reductions of state s with their lookaheads (closure items included)."""
        reductions: dict[int, set[str]] = {}
        for item in self.states[s]:
            for rule, dot, la in self.closure1(item, "#"):
                if dot == len(self.rules[rule][1]):
                    real = looks[(s, item)] if la == "#" else {la}
                    reductions.setdefault(rule, set()).update(real)
        return reductions

    def rule_prec(self, rule: int) -> int:
        terminals = [s for s in self.rules[rule][1] if s in _TERMINAL_INDEX]
        return _PRECEDENCE.get(terminals[-1], 0) if terminals else 0

    def row(self, s: int, looks: dict[tuple[int, tuple[int, int]], set[str]]) -> dict[str, _Action]:
        actions: dict[str, _Action] = {}
        for symbol, target in self.goto[s].items():
            if symbol in _TERMINAL_INDEX:
                actions[symbol] = ("s", target)
        if any(rule == 0 and dot == 1 for rule, dot in self.states[s]):
            actions["$end"] = ("a", 0)
        for rule, tokens in sorted(self.complete_looks(s, looks).items()):
            for token in tokens:
                actions[token] = self.resolve(actions.get(token), token, rule)
        return actions

    def resolve(self, old: _Action | None, token: str, rule: int) -> _Action:
        if old is None:
            return ("r", rule)
        if old[0] == "r":  # reduce/reduce: the earlier rule
            return old if old[1] < rule else ("r", rule)
        tok, rp = _PRECEDENCE.get(token, 0), self.rule_prec(rule)
        if tok and rp and rp > tok:
            return ("r", rule)
        return old  # higher token precedence, right associativity, or no precedence

    def build(self) -> _Tables:
        self.lr0()
        looks = self.lookaheads()
        explicit: list[dict[str, _Action]] = []
        default: list[int | None] = []
        for s in range(len(self.states)):
            row = self.row(s, looks)
            counts: dict[int, int] = {}
            for act, arg in row.values():
                if act == "r":
                    counts[arg] = counts.get(arg, 0) + 1
            # bison: the most frequent reduction becomes the default (first on ties)
            best = max(sorted(counts), key=lambda r: counts[r]) if counts else None
            default.append(best)
            explicit.append({t: a for t, a in row.items() if a != ("r", best)})
        return _Tables(self.rules, explicit, default, self.goto)


@functools.cache
def _tables() -> _Tables:
    return _Builder().build()


# --- the scanner (util_expr_scan.l): flex rules, longest match, first rule on ties -------

_MAX_STRING_LEN = 8192  # MAX_STRING_LEN: scan_buf and regex_buf
_Token = tuple[str, str | int | None]
_Rule = tuple["re.Pattern[str]", str]


def _rules(*pairs: tuple[str, str]) -> list[_Rule]:
    return [(re.compile(pattern), action) for pattern, action in pairs]


_OPERATORS = {
    "=": "T_OP_STR_EQ", "==": "T_OP_STR_EQ", "!=": "T_OP_STR_NE", "<": "T_OP_STR_LT",
    "<=": "T_OP_STR_LE", ">": "T_OP_STR_GT", ">=": "T_OP_STR_GE", "=~": "T_OP_REG",
    "!~": "T_OP_NRE", "and": "T_OP_AND", "&&": "T_OP_AND", "or": "T_OP_OR",
    "||": "T_OP_OR", "not": "T_OP_NOT", "!": "T_OP_NOT", ".": "T_OP_CONCAT",
    "-in": "T_OP_IN", "-eq": "T_OP_EQ", "-ne": "T_OP_NE", "-ge": "T_OP_GE",
    "-le": "T_OP_LE", "-gt": "T_OP_GT", "-lt": "T_OP_LT",
    # ssl_expr compatibility spellings
    "lt": "T_OP_LT", "le": "T_OP_LE", "gt": "T_OP_GT", "ge": "T_OP_GE", "ne": "T_OP_NE",
    "eq": "T_OP_EQ", "in": "T_OP_IN", "true": "T_TRUE", "false": "T_FALSE",
}  # fmt: skip

_INITIAL = _rules(
    (r"[ \t\n]+", "space"),
    (r"[\"']", "str_begin"),
    (r"%\{", "var_begin"),
    (r"\$[0-9]", "backref"),
    (r"m[/#$%^,;:_?|\-!.'\"]", "regex_m"),
    (r"/", "regex"),
    ("|".join(re.escape(op) for op in sorted(_OPERATORS, key=len, reverse=True)), "op"),
    (r"-[a-zA-Z_]", "unary"),
    (r"-[a-zA-Z_][a-zA-Z_0-9]+", "binary"),
    (r"-?[0-9]+", "digit"),
    (r"[a-zA-Z][a-zA-Z0-9_]*", "id"),
    (r"[(){},:]", "char"),
    (r"(?s:.)", "bad"),
)
_ESCAPES = (
    (r"\n", "unterminated"),
    (r"\\[0-7]{1,3}", "octal"),
    (r"\\[0-9]+", "bad_escape"),
    (r"\\[nrtbf]", "letter_escape"),
    (r"\\(?s:.)", "escape"),
    (r"\$[0-9]", "backref"),
    (r"[^\\\n\"'%}$]+", "text"),
    (r"%\{", "var_begin"),
)
_STR = _rules((r"[\"']", "quote"), *_ESCAPES, (r"[%}$]", "char"))
_VARARG = _rules(*_ESCAPES, (r"[%$]", "char"), (r"\}", "end"))
_VAR = _rules(
    (r"[a-zA-Z][a-zA-Z0-9_]*", "id"), (r"\}", "end"), (r":", "colon"),
    (r"\n", "unterminated"), (r"(?s:.)", "invalid"),
)  # fmt: skip
_LETTER_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


class _Scanner:
    """Pull tokens one at a time, so errors surface when bison would ask for them."""

    def __init__(self, text: str, string: bool, parse: _ParseState) -> None:
        self.text = text
        self.pos = 0
        self.mode = "start_str" if string else "start_bool"
        self.stack: list[str] = []
        self.buf: list[str] = []
        self.delim = "\0"  # scan_del starts as NUL: string expressions keep their quotes
        self.regex_delim = ""
        self.parse = parse

    def error(self, message: str) -> _Token:
        self.parse.error2 = message  # PERROR
        return ("T_ERROR", message)

    def append(self, chars: str) -> _Token | None:
        self.buf.append(chars)
        if sum(map(len, self.buf)) >= _MAX_STRING_LEN:
            return self.error("String too long")
        return None

    def flush(self) -> _Token:
        text = "".join(self.buf)
        self.buf = []
        return ("T_STRING", text.split("\0", 1)[0])  # apr_pstrdup stops at a NUL

    def longest(self, rules: list[_Rule]) -> tuple[str, str]:
        best_len, best = -1, ("", "")
        for pattern, action in rules:
            m = pattern.match(self.text, self.pos)
            if m and len(m.group()) > best_len:
                best_len, best = len(m.group()), (action, m.group())
        if best_len < 0:
            raise ExprError("flex scanner jammed")  # %option nodefault: flex gives up
        self.pos += best_len
        return best

    def next(self) -> _Token:
        while True:
            token = getattr(self, "_" + self.mode)()
            if token is not None:
                return token  # type: ignore[no-any-return]

    def _start_bool(self) -> _Token:
        self.mode = "initial"
        return ("T_EXPR_BOOL", None)

    def _start_str(self) -> _Token:
        self.mode = "str"
        return ("T_EXPR_STRING", None)

    def _initial(self) -> _Token | None:
        if self.pos >= len(self.text):
            return ("$end", None)
        action, text = self.longest(_INITIAL)
        if action == "space":
            return None
        if action == "str_begin":
            self.buf, self.delim, self.mode = [], text, "str"
            return ("T_STR_BEGIN", None)
        if action == "var_begin":
            self.stack.append(self.mode)
            self.mode = "var"
            return ("T_VAR_BEGIN", None)
        if action in ("regex", "regex_m"):
            self.regex_delim, self.buf, self.mode = text[-1], [], "regex"
            return None
        return self.initial_token(action, text)

    def initial_token(self, action: str, text: str) -> _Token:
        if action == "backref":
            return ("T_REGEX_BACKREF", int(text[1]))
        if action == "op":
            return (_OPERATORS[text], _OPERATORS[text])
        if action in ("unary", "binary"):
            return ("T_OP_UNARY" if action == "unary" else "T_OP_BINARY", text[1:])
        if action == "digit":
            return ("T_DIGIT", text)
        if action == "id":
            return ("T_ID", text)
        if action == "char":
            return (f"'{text}'", None)
        return self.error(f"Parse error near '{text}'")

    def _str(self) -> _Token | None:
        if self.pos >= len(self.text):
            if not self.parse.string:
                return self.error("Unterminated string or variable")
            self.mode = "initial"
            return self.flush()
        action, text = self.longest(_STR)
        if action == "quote":
            if text != self.delim:
                return self.append(text)
            if not self.buf:
                self.mode = "initial"
                return ("T_STR_END", None)
            self.pos -= 1  # yyless(0): the delimiter is scanned again
            return self.flush()
        if action == "char":
            return self.append(text)
        return self.in_string(action, text)

    def in_string(self, action: str, text: str) -> _Token | None:
        """The rules <str> and <vararg> share."""
        if action == "unterminated":
            return self.error("Unterminated string or variable")
        if action == "octal":
            value = int(text[1:], 8)
            if value > 0xFF:
                return self.error("Escape sequence out of bound")
            return self.append(chr(value) if value < 0x80 else chr(0xDC00 + value))
        if action == "bad_escape":
            return self.error("Bad escape sequence")
        if action == "letter_escape":
            return self.append(_LETTER_ESCAPES[text[1]])
        if action in ("escape", "text"):
            return self.append(text[1:] if action == "escape" else text)
        if self.buf:  # backref or %{: return the text so far, scan this again
            self.pos -= len(text)
            return self.flush()
        if action == "backref":
            return ("T_REGEX_BACKREF", int(text[1]))
        self.stack.append(self.mode)
        self.mode = "var"
        return ("T_VAR_BEGIN", None)

    def _var(self) -> _Token:
        if self.pos >= len(self.text):
            return self.error("Unterminated string or variable")
        action, text = self.longest(_VAR)
        if action == "id":
            return ("T_ID", text)
        if action == "end":
            self.mode = self.stack.pop()
            return ("T_VAR_END", None)
        if action == "colon":
            self.mode = "vararg"
            return ("':'", None)
        if action == "unterminated":
            return self.error("Unterminated string or variable")
        return self.error(f"Invalid character in variable name '{text}'")

    def _vararg(self) -> _Token | None:
        if self.pos >= len(self.text):
            return self.error("Unterminated string or variable")
        action, text = self.longest(_VARARG)
        if action == "char":
            return self.append(text)
        if action == "end":
            if self.buf:
                self.pos -= 1
                return self.flush()
            self.mode = self.stack.pop()
            return ("T_VAR_END", None)
        return self.in_string(action, text)

    def _regex(self) -> _Token | None:
        if self.pos >= len(self.text):
            return ("$end", None)  # no <<EOF>> rule here: flex's yyterminate()
        char = self.text[self.pos]
        self.pos += 1
        if char == self.regex_delim:
            self.mode = "regex_flags"
            return None
        self.buf.append(char)
        if len(self.buf) >= _MAX_STRING_LEN:
            return self.error("Regexp too long")
        return None

    def _regex_flags(self) -> _Token:
        self.mode = "initial"
        pattern, self.buf = "".join(self.buf), []
        if self.text[self.pos : self.pos + 1] == "i":
            self.pos += 1
            return ("T_REGEX_I", pattern)
        return ("T_REGEX", pattern)


# --- the tree ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Str:
    value: str
    digit: bool = False  # op_Digit: not a "constant argument" for -R / -ipmatch


@dataclass(frozen=True)
class _Concat:
    left: _Word
    right: _Word


@dataclass(frozen=True)
class _Var:
    name: str  # canonical spelling
    kind: str  # "request" (the context answers), "header", "time", "api"


@dataclass(frozen=True)
class _Call:
    name: str
    arg: _Word


@dataclass(frozen=True)
class _Backref:
    n: int


_Word = _Str | _Concat | _Var | _Call | _Backref


@dataclass(frozen=True)
class _Const:
    value: bool


@dataclass(frozen=True)
class _Not:
    expr: _Bool


@dataclass(frozen=True)
class _Or:
    left: _Bool
    right: _Bool


@dataclass(frozen=True)
class _And:
    left: _Bool
    right: _Bool


@dataclass(frozen=True)
class _Unary:
    op: str
    arg: _Word
    subnet: _Subnet | None = None


@dataclass(frozen=True)
class _Binary:
    op: str
    left: _Word
    right: _Word
    subnet: _Subnet | None = None


@dataclass(frozen=True)
class _Compare:
    op: str
    left: _Word
    right: _Word


@dataclass(frozen=True)
class _In:
    needle: _Word
    items: tuple[_Word, ...]


@dataclass(frozen=True)
class _Match:
    word: _Word
    pattern: re.Pattern[str]
    negate: bool


_Bool = _Const | _Not | _Or | _And | _Unary | _Binary | _Compare | _In | _Match


# --- what core_expr_lookup knows (util_expr_eval.c) -------------------------------------

_REQUEST_VARS = (
    "REQUEST_METHOD",
    "REQUEST_SCHEME",
    "REQUEST_URI",
    "REQUEST_FILENAME",
    "REMOTE_HOST",
    "REMOTE_IDENT",
    "REMOTE_USER",
    "SERVER_ADMIN",
    "SERVER_NAME",
    "SERVER_PORT",
    "SERVER_PROTOCOL",
    "SCRIPT_FILENAME",
    "PATH_INFO",
    "QUERY_STRING",
    "IS_SUBREQ",
    "DOCUMENT_ROOT",
    "AUTH_TYPE",
    "THE_REQUEST",
    "CONTENT_TYPE",
    "HANDLER",
    "REQUEST_LOG_ID",
    "SCRIPT_USER",
    "SCRIPT_GROUP",
    "DOCUMENT_URI",
    "LAST_MODIFIED",
    "CONTEXT_PREFIX",
    "CONTEXT_DOCUMENT_ROOT",
    "REQUEST_STATUS",
    "REMOTE_ADDR",
    "REMOTE_PORT",
    "HTTPS",
    "IPV6",
    "CONN_LOG_ID",
    "CONN_REMOTE_ADDR",
    "HTTP2",
    "SERVER_SOFTWARE",
)
_HEADER_VARS = {
    "HTTP_USER_AGENT": "User-Agent", "HTTP_PROXY_CONNECTION": "Proxy-Connection",
    "HTTP_REFERER": "Referer", "HTTP_COOKIE": "Cookie", "HTTP_FORWARDED": "Forwarded",
    "HTTP_HOST": "Host", "HTTP_ACCEPT": "Accept",
}  # fmt: skip
_TIME_VARS = (
    "TIME_YEAR",
    "TIME_MON",
    "TIME_DAY",
    "TIME_HOUR",
    "TIME_MIN",
    "TIME_SEC",
    "TIME_WDAY",
    "TIME",
)
_API_VERSION = "20120211"  # MODULE_MAGIC_NUMBER_MAJOR of httpd 2.4

_VARIABLES: dict[str, _Var] = {
    **{n.lower(): _Var(n, "time") for n in _TIME_VARS},
    "api_version": _Var("API_VERSION", "api"),
    **{n.lower(): _Var(n, "header") for n in _HEADER_VARS},
    **{n.lower(): _Var(n, "request") for n in _REQUEST_VARS},
}
_FUNCTIONS = (
    "osenv",
    "env",
    "resp",
    "req",
    "http",
    "note",
    "reqenv",
    "req_novary",
    "tolower",
    "toupper",
    "escape",
    "unescape",
    "file",
    "filesize",
    "base64",
    "unbase64",
    "sha1",
    "md5",
    "ldap",
)
_UNARY = ("n", "z", "R", "T", "d", "e", "f", "s", "L", "h", "x", "F", "U", "A")
_BINARY = ("ipmatch", "fnmatch", "strmatch", "strcmatch")
# Refused where the expression is "restricted" (AP_EXPR_FLAG_RESTRICTED).
_RESTRICTED = frozenset({"file", "filesize", "d", "e", "f", "s", "L", "h", "x"})


# --- the parser --------------------------------------------------------------------------


@dataclass
class _ParseState:
    string: bool
    restricted: bool
    error: str | None = None  # bison's message (ctx.error)
    error2: str | None = None  # the scanner's or a lookup's (ctx.error2)


class _Abort(Exception):
    """YYABORT / YYERROR: stop parsing; the state holds the messages."""


def _message(state: _ParseState) -> str | None:
    if state.error and state.error2:
        return f"{state.error}: {state.error2}"
    return state.error or state.error2


def _parse(source: str, state: _ParseState) -> object:
    tables = _tables()
    scanner = _Scanner(source, state.string, state)
    states: list[int] = [0]
    values: list[object] = [None]
    lookahead: _Token | None = None
    while True:
        s = states[-1]
        default = tables.default[s]
        action: _Action | None = None
        if tables.explicit[s]:  # else yypact_value_is_default: bison reads no token
            if lookahead is None:
                lookahead = scanner.next()
            action = tables.explicit[s].get(lookahead[0])
        if action is None and default is not None:
            action = ("r", default)
        if action is None:
            assert lookahead is not None
            state.error = _syntax_error(tables.explicit[s], lookahead[0])
            raise _Abort
        kind, arg = action
        if kind == "a":
            return values[-1]
        if kind == "s":
            assert lookahead is not None
            states.append(arg)
            values.append(lookahead[1])
            lookahead = None
            continue
        lhs, rhs, semantic = tables.rules[arg]
        args = values[len(values) - len(rhs) :]
        del states[len(states) - len(rhs) :], values[len(values) - len(rhs) :]
        values.append(_ACTIONS[semantic](state, args))
        states.append(tables.goto[states[-1]][lhs])


def _syntax_error(row: dict[str, _Action], token: str) -> str:
    expected = sorted((t for t in row if t != "error"), key=_TERMINAL_INDEX.__getitem__)
    message = f"syntax error, unexpected {token}"
    if len(expected) < 5:  # YYERROR_VERBOSE_ARGS_MAXIMUM counts the unexpected one too
        message += "".join(
            (", expecting " if i == 0 else " or ") + t for i, t in enumerate(expected)
        )
    return message


def _abort(state: _ParseState, args: list[object]) -> object:
    raise _Abort


def _lookup_var(state: _ParseState, name: str) -> _Var | None:
    var = _VARIABLES.get(name.lower())
    if var is None:
        state.error2 = f"Variable '{name}' does not exist"
    return var


def _lookup(state: _ParseState, kind: str, name: str, known: Sequence[str]) -> str | None:
    """The provider's own spelling of name, or None with Apache's message in error2."""
    fold = kind != "Unary operator"  # unary operators are case-sensitive (-f is not -F)
    for candidate in known:
        if candidate == name or (fold and candidate.lower() == name.lower()):
            if state.restricted and candidate in _RESTRICTED:
                prefix = "" if kind == "Function" else "-"
                state.error2 = f"{prefix}{candidate} not available in restricted context"
                return None
            return candidate
    prefix = "-" if kind.endswith("operator") else ""
    state.error2 = f"{kind} '{prefix}{name}' does not exist"
    return None


def _subnet_arg(state: _ParseState, name: str, arg: object) -> _Subnet | None:
    if not isinstance(arg, _Str) or arg.digit:
        state.error2 = f"-{name} requires subnet/netmask as constant argument"
        return None
    subnet = _parse_subnet(arg.value)
    if subnet is None:
        state.error2 = "parsing of subnet/netmask failed"
    return subnet


def _unary(state: _ParseState, args: list[object]) -> object:
    name, arg = str(args[0]), args[1]
    op = _lookup(state, "Unary operator", name, _UNARY)
    if op is None:
        return None
    subnet = _subnet_arg(state, name, arg) if op == "R" else None
    if op == "R" and subnet is None:
        return None
    return _Unary(op, arg, subnet)  # type: ignore[arg-type]


def _binary(state: _ParseState, args: list[object]) -> object:
    name = str(args[1])
    op = _lookup(state, "Binary operator", name, _BINARY)
    if op is None:
        return None
    subnet = _subnet_arg(state, name, args[2]) if op == "ipmatch" else None
    if op == "ipmatch" and subnet is None:
        return None
    return _Binary(op, args[0], args[2], subnet)  # type: ignore[arg-type]


def _strfunc(state: _ParseState, name: object, arg: object) -> object:
    func = _lookup(state, "Function", str(name), _FUNCTIONS)
    return None if func is None else _Call(func, arg)  # type: ignore[arg-type]


def _listfunc(state: _ParseState, args: list[object]) -> object:
    # httpd 2.4 core registers no list function (mod_ssl's PeerExtList aside).
    _lookup(state, "List-returning function", str(args[0]), ())
    return None


def _regex(state: _ParseState, pattern: object, icase: bool) -> object:
    try:
        return compile_pattern(str(pattern), icase)
    except re.error:
        state.error = "Failed to compile regular expression"
        raise _Abort from None


def _compare(state: _ParseState, args: list[object]) -> object:
    return _Compare(str(args[1]), args[0], args[2])  # type: ignore[arg-type]


def _match(args: list[object], negate: bool) -> object:
    if args[2] is None:
        return None
    return _Match(args[0], args[2], negate)  # type: ignore[arg-type]


def _list_n(state: _ParseState, args: list[object]) -> object:
    return (*args[0], args[2])  # type: ignore[misc]


_ACTIONS: dict[str, Callable[[_ParseState, list[object]], object]] = {
    "accept": lambda st, a: a[0],
    "first": lambda st, a: a[0],
    "second": lambda st, a: a[1],
    "abort": _abort,
    "true": lambda st, a: _Const(True),
    "false": lambda st, a: _Const(False),
    "not": lambda st, a: _Not(a[1]),  # type: ignore[arg-type]
    "or": lambda st, a: _Or(a[0], a[2]),  # type: ignore[arg-type]
    "and": lambda st, a: _And(a[0], a[2]),  # type: ignore[arg-type]
    "unary": _unary,
    "binary": _binary,
    "compare": _compare,
    "in": lambda st, a: None if a[2] is None else _In(a[0], a[2]),  # type: ignore[arg-type]
    "reg": lambda st, a: _match(a, False),
    "nre": lambda st, a: _match(a, True),
    "list1": lambda st, a: (a[0],),
    "listn": _list_n,
    "concat2": lambda st, a: _Concat(a[0], a[1]),  # type: ignore[arg-type]
    "concat3": lambda st, a: _Concat(a[0], a[2]),  # type: ignore[arg-type]
    "string": lambda st, a: _Str(str(a[0])),
    "var": lambda st, a: _lookup_var(st, str(a[1])),
    "varfunc": lambda st, a: _strfunc(st, a[1], a[3]),
    "digit": lambda st, a: _Str(str(a[0]), digit=True),
    "empty": lambda st, a: _Str(""),
    "regex": lambda st, a: _regex(st, a[0], False),
    "regex_i": lambda st, a: _regex(st, a[0], True),
    "backref": lambda st, a: _Backref(int(a[0])),  # type: ignore[call-overload]
    "listfunc": _listfunc,
    "strfunc": lambda st, a: _strfunc(st, a[0], a[2]),
}


# --- evaluation (ap_expr_eval, ap_expr_eval_word) --------------------------------------

_MAX_RECURSION = 20  # AP_EXPR_MAX_RECURSION
_MAX_FILE_SIZE = 10 * 1024 * 1024
_UNSET = object()


class _Eval:
    """One evaluation: the request, the depth budget, the captures and Vary."""

    def __init__(self, ctx: ExprContext, vary: bool) -> None:
        self.ctx = ctx
        self.level = 0
        self.error: str | None = None
        self.source: str | None = None  # *re_source: the word the last regex matched
        self.groups: tuple[str, ...] = ()
        self.vary: list[str] | None = [] if vary else None

    def enter(self) -> bool:
        if self.error is None and self.level < _MAX_RECURSION:
            self.level += 1
            return True
        if self.error is None:
            self.error = "Recursion limit reached"
        return False

    def add_vary(self, name: str) -> None:
        # rfc7231 7.1.4: Apache never adds Host to Vary
        if self.vary is not None and name.lower() != "host":
            self.vary.append(name)

    def word(self, node: _Word) -> str:
        if not self.enter():
            return ""
        result = self.word_value(node)
        self.level -= 1
        return result

    def word_value(self, node: _Word) -> str:
        if isinstance(node, _Str):
            return node.value
        if isinstance(node, _Concat):
            return "".join(self.word(part) for part in _flatten(node))
        if isinstance(node, _Var):
            return self.var(node)
        if isinstance(node, _Call):
            return _call(self, node.name, self.word(node.arg))
        if node.n >= len(self.groups) or not self.source:
            return ""
        return self.groups[node.n]

    def var(self, var: _Var) -> str:
        if var.kind == "header":
            header = _HEADER_VARS[var.name]
            self.add_vary(header)
            return self.ctx.header(header) or ""
        if var.kind == "time":
            return _time_var(var.name)
        if var.kind == "api":
            return _API_VERSION
        return self.ctx.variable(var.name) or ""

    def test(self, node: _Bool) -> bool:
        if not self.enter():
            return False
        result = False
        while True:
            if isinstance(node, _Not):
                result, node = not result, node.expr
                continue
            if isinstance(node, (_Or, _And)):
                # a chain a || b || c is one loop in Apache, not a recursion per operand
                want = isinstance(node, _Or)
                while isinstance(node, _Or if want else _And):
                    if self.test(node.left) == want:
                        self.level -= 1
                        return result ^ want
                    node = node.right
                continue
            result ^= self.leaf(node)
            break
        self.level -= 1
        return result

    def leaf(self, node: _Bool) -> bool:
        if isinstance(node, _Const):
            return node.value
        if isinstance(node, _Unary):
            return _unary_op(self, node, self.word(node.arg))
        if isinstance(node, _Binary):
            return _binary_op(node, self.word(node.left), self.word(node.right))
        if isinstance(node, _Compare):
            return _compare_op(node.op, self.word(node.left), self.word(node.right))
        if isinstance(node, _In):
            needle = self.word(node.needle)
            return any(self.word(item) == needle for item in node.items)
        assert isinstance(node, _Match)
        return self.match(node)

    def match(self, node: _Match) -> bool:
        word = self.word(node.word)
        if node.pattern.groups > 0:
            # $0..$9 are only replaced by a regex that captures (ap_expr_eval_comp)
            m = node.pattern.search(word)
            self.source = word if m else None
            if m:
                self.groups = tuple(m.group(i) or "" for i in range(min(10, m.re.groups + 1)))
            found = m is not None
        else:
            found = node.pattern.search(word) is not None
        return found != node.negate


def _flatten(node: _Concat) -> list[_Word]:
    parts: list[_Word] = []
    todo: list[_Word] = [node]
    while todo:
        item = todo.pop()
        if isinstance(item, _Concat):
            todo += [item.right, item.left]
        else:
            parts.append(item)
    return parts


def _time_var(name: str) -> str:
    now = time.localtime()
    if name == "TIME":
        return time.strftime("%Y%m%d%H%M%S", now)
    if name == "TIME_WDAY":
        return str((now.tm_wday + 1) % 7)  # Sunday is 0, as struct tm has it
    field_ = {"YEAR": "%Y", "MON": "%m", "DAY": "%d", "HOUR": "%H", "MIN": "%M", "SEC": "%S"}
    return time.strftime(field_[name[5:]], now)


def _atoi64(text: str) -> int:
    """apr_atoi64: strtoll base 10, saturating."""
    m = re.match(r"[ \t\n\v\f\r]*([+-]?[0-9]+)", text)
    if not m:
        return 0
    return max(-(2**63), min(2**63 - 1, int(m.group(1))))


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _text(data: bytes) -> str:
    return data.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


def _compare_op(op: str, left: str, right: str) -> bool:
    if op in ("T_OP_EQ", "T_OP_NE", "T_OP_LT", "T_OP_LE", "T_OP_GT", "T_OP_GE"):
        a, b = _atoi64(left), _atoi64(right)
    else:
        a, b = _bytes(left), _bytes(right)  # type: ignore[assignment]  # strcmp
    kind = op.rsplit("_", 1)[1]
    return {
        "EQ": a == b, "NE": a != b, "LT": a < b, "LE": a <= b, "GT": a > b, "GE": a >= b,
    }[kind]  # fmt: skip


def _unary_op(ev: _Eval, node: _Unary, arg: str) -> bool:
    op = node.op
    if op in ("n", "z"):
        return (arg == "") == (op == "z")
    if op == "T":
        return _true_ish(arg)
    if op == "R":
        assert node.subnet is not None
        return _in_subnet(ev.ctx.variable("REMOTE_ADDR"), node.subnet)
    return ev.ctx.file_exists(arg, op)


def _true_ish(arg: str) -> bool:
    """-T: false for "", "0", and (any case) "off", "no", "false"."""
    return arg not in ("", "0") and arg.lower() not in ("off", "no", "false")


def _binary_op(node: _Binary, left: str, right: str) -> bool:
    if node.op == "ipmatch":
        assert node.subnet is not None
        return _in_subnet(left, node.subnet)
    return _fnmatch(right, left, pathname=node.op == "fnmatch", icase=node.op == "strcmatch")


# --- string functions ----------------------------------------------------------------


def _call(ev: _Eval, name: str, arg: str) -> str:
    ctx = ev.ctx
    if name in ("req", "http"):
        ev.add_vary(arg)
        return ctx.header(arg) or ""
    if name == "req_novary":
        return ctx.header(arg) or ""
    if name == "resp":
        lookup = getattr(ctx, "response_header", None)
        return (lookup(arg) if lookup else None) or ""
    if name == "note":
        return ctx.note(arg) or ""
    if name == "reqenv":
        return ctx.env(arg) or ""
    if name == "env":  # notes, then the request environment, then the process's
        return ctx.note(arg) or ctx.env(arg) or os.environ.get(arg, "")
    if name == "osenv":
        return os.environ.get(arg, "")
    if name in ("file", "filesize"):
        return _read_file(ev, arg) if name == "file" else _file_size(arg)
    return _PURE_FUNCTIONS[name](arg)


def _read_file(ev: _Eval, path: str) -> str:
    try:
        with open(_bytes(path), "rb") as f:
            if os.fstat(f.fileno()).st_size > _MAX_FILE_SIZE:
                ev.error = ev.error or f"File {path} too large"
                return ""
            return _text(f.read())
    except OSError:
        ev.error = ev.error or f"Cannot open file {path}"
        return ""


def _file_size(path: str) -> str:
    try:
        st = os.stat(_bytes(path))
    except OSError:
        return "0"
    regular = (st.st_mode & 0o170000) == 0o100000
    return str(st.st_size) if regular and st.st_size > 0 else "0"


_PATH_SAFE = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789$-_.+!*'(),:;@&=/~"
)
# APR_ESCAPE_LDAP_ALL (DN and filter); "=" and "#" pass, as apache2 2.4.71 showed
_LDAP_SPECIAL = frozenset(b'\\,+"<>;*()\0')
_B64_CHARS = re.compile(rb"[A-Za-z0-9+/]*")
_HEX = "0123456789abcdefABCDEF"


def _escape(arg: str) -> str:
    """ap_escape_uri (T_OS_ESCAPE_PATH), lower-case hex."""
    return "".join(chr(b) if b in _PATH_SAFE else f"%{b:02x}" for b in _bytes(arg))


def _unescape(arg: str) -> str:
    """ap_unescape_url_keep2f(arg, 0): %2F stays, %00 or a bad escape gives ""."""
    data, out, i = _bytes(arg), bytearray(), 0
    while i < len(data):
        if data[i] != 0x25:
            out.append(data[i])
            i += 1
            continue
        digits = data[i + 1 : i + 3].decode("latin-1")
        if len(digits) < 2 or digits[0] not in _HEX or digits[1] not in _HEX:
            return ""
        value = int(digits, 16)
        if value == 0:
            return ""
        out += data[i : i + 3] if value == 0x2F else bytes([value])
        i += 3
    return _text(bytes(out))


def _unbase64(arg: str) -> str:
    """apr_base64_decode: the leading run of base64 characters; a lone last one is lost."""
    run = _B64_CHARS.match(_bytes(arg))
    chars = run.group() if run else b""
    chars = chars[: len(chars) - (len(chars) % 4 == 1)]
    return _text(base64.b64decode(chars + b"=" * (-len(chars) % 4)))


def _ldap(arg: str) -> str:
    return "".join(f"\\{b:02x}" if b in _LDAP_SPECIAL else chr(b) for b in _bytes(arg))


_PURE_FUNCTIONS: dict[str, Callable[[str], str]] = {
    "tolower": ascii_lower,
    "toupper": ascii_upper,
    "escape": _escape,
    "unescape": _unescape,
    "base64": lambda s: base64.b64encode(_bytes(s)).decode("ascii"),
    "unbase64": _unbase64,
    "md5": lambda s: hashlib.md5(_bytes(s)).hexdigest(),
    "sha1": lambda s: hashlib.sha1(_bytes(s)).hexdigest(),
    "ldap": _ldap,
}


# --- -ipmatch / -R (apr_ipsubnet_create, apr_ipsubnet_test) ------------------------------


@dataclass(frozen=True)
class _Subnet:
    """apr_ipsubnet_t: any mask, contiguous or not (apr only ANDs with it)."""

    version: int
    network: int
    mask: int

    def __contains__(self, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return ip.version == self.version and int(ip) & self.mask == self.network


def _parse_subnet(text: str) -> _Subnet | None:
    address, slash, mask = text.partition("/")
    try:
        if ":" in address:
            if slash and not (mask.isdigit() and 1 <= int(mask) <= 128):
                return None
            bits = int(mask) if slash else 128
            return _subnet(
                6, int(ipaddress.IPv6Address(address)), (2**128 - 1) ^ (2 ** (128 - bits) - 1)
            )
        return _parse_v4_subnet(address, mask if slash else None)
    except ValueError:
        return None


def _subnet(version: int, network: int, mask: int) -> _Subnet:
    return _Subnet(version, network & mask, mask)


def _parse_v4_subnet(address: str, mask: str | None) -> _Subnet | None:
    octets = address.split(".")
    if not 1 <= len(octets) <= 4 or not all(o.isdigit() and int(o) < 256 for o in octets):
        return None
    network = int(ipaddress.IPv4Address(".".join(octets + ["0"] * (4 - len(octets)))))
    if mask is None:  # "10.1" means 10.1.0.0/16
        bits = 8 * len(octets)
    elif mask.isdigit() and 1 <= int(mask) <= 32:
        bits = int(mask)
    elif "." in mask:
        return _subnet(4, network, int(ipaddress.IPv4Address(mask)))
    else:
        return None
    return _subnet(4, network, (2**32 - 1) ^ (2 ** (32 - bits) - 1))


def _in_subnet(address: str, subnet: _Subnet) -> bool:
    """Only literal addresses: Apache would also resolve a host name here."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped and subnet.version == 4:
        return ip.ipv4_mapped in subnet
    return ip in subnet


# --- -strmatch / -strcmatch / -fnmatch (apr_fnmatch) -------------------------------------

_GlobItem = str | tuple[bool, str]  # "*", "?", a literal "=c", or a class


def _glob_items(pattern: str) -> list[_GlobItem]:
    items: list[_GlobItem] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c in "*?":
            items.append(c)
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            items.append("=" + pattern[i])
        elif c == "[" and (end := _class_end(pattern, i)) > 0:
            negate = pattern[i + 1] in "!^"
            items.append((negate, pattern[i + 1 + negate : end]))
            i = end
        else:
            items.append("=" + c)
        i += 1
    return items


def _class_end(pattern: str, start: int) -> int:
    i = start + 1
    if pattern[i : i + 1] in ("!", "^"):
        i += 1
    if pattern[i : i + 1] == "]":
        i += 1
    end = pattern.find("]", i)
    return end


def _class_has(body: str, c: str, icase: bool) -> bool:
    i = 0
    while i < len(body):
        lo = body[i]
        if i + 2 < len(body) and body[i + 1] == "-":
            hi = body[i + 2]
            if lo <= c <= hi or (icase and lo <= c.swapcase() <= hi):
                return True
            i += 3
            continue
        if c == lo or (icase and c.lower() == lo.lower()):
            return True
        i += 1
    return False


def _one(item: _GlobItem, c: str, icase: bool) -> bool:
    if item == "?":
        return True
    if isinstance(item, str):
        return item[1] == c or (icase and item[1].lower() == c.lower())
    negate, body = item
    return _class_has(body, c, icase) != negate


def _glob(items: list[_GlobItem], text: str, icase: bool) -> bool:
    """Greedy matching with one backtrack point per star: O(len(items) * len(text))."""
    i = j = 0
    star, mark = -1, 0
    while j < len(text):
        if i < len(items) and items[i] == "*":
            star, mark = i, j
            i += 1
        elif i < len(items) and _one(items[i], text[j], icase):
            i += 1
            j += 1
        elif star >= 0:
            i, mark = star + 1, mark + 1
            j = mark
        else:
            return False
    return all(item == "*" for item in items[i:])


def _fnmatch(pattern: str, text: str, *, pathname: bool, icase: bool) -> bool:
    if not pathname:
        return _glob(_glob_items(pattern), text, icase)
    # APR_FNM_PATHNAME: wildcards stay within one path segment
    parts, segments = pattern.split("/"), text.split("/")
    return len(parts) == len(segments) and all(
        _glob(_glob_items(p), s, icase) for p, s in zip(parts, segments, strict=True)
    )


# --- the public face -------------------------------------------------------------------


@dataclass(frozen=True)
class Expr:
    """A parsed expression; immutable, shared by every request."""

    source: str
    string: bool = False
    _root: object = field(default=None, repr=False, compare=False)

    def execute(self, ctx: ExprContext) -> ExprResult:
        """Evaluate a boolean expression (ap_expr_exec_re) with its captures and Vary."""
        if self.string:
            raise TypeError("execute() needs a boolean expression; use evaluate_string()")
        ev = _Eval(ctx, vary=True)
        value = ev.test(self._root)  # type: ignore[arg-type]
        if ev.error is not None:
            return ExprResult(False, error=ev.error)
        backrefs = ev.groups if ev.source is not None else ()
        return ExprResult(value, backrefs, tuple(ev.vary or ()))

    def evaluate(self, ctx: ExprContext) -> bool:
        """The boolean (false when evaluation fails, as every Apache caller treats it)."""
        return self.execute(ctx).value

    def evaluate_string(self, ctx: ExprContext) -> str:
        """Evaluate a string expression (ap_expr_str_exec); "" when evaluation fails."""
        if not self.string:
            raise TypeError("evaluate_string() needs parse_expr(..., string=True)")
        ev = _Eval(ctx, vary=False)
        result = ev.word(self._root)  # type: ignore[arg-type]
        return "" if ev.error is not None else result


def parse_expr(source: str, *, string: bool = False, restricted: bool = False) -> Expr:
    """Parse as ap_expr_parse_cmd does; ExprError carries Apache's message.

    ``string`` parses a string expression (AP_EXPR_FLAG_STRING_RESULT: text with
    %{...} and $N); ``restricted`` refuses file access (AP_EXPR_FLAG_RESTRICTED).
    """
    state = _ParseState(string, restricted)
    try:
        root = _parse(source, state)
    except _Abort:
        root = None
    message = _message(state)
    if message is not None:
        raise ExprError(message)
    if root is None:  # YYABORT without a message: ap_expr_parse's fallback
        raise ExprError("syntax error")
    return Expr(source, string, root)

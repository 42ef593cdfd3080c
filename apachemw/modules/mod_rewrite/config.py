"""mod_rewrite's configuration: RewriteEngine/Options/Base/Cond/Rule/Map as data.

Parsing follows modules/mappers/mod_rewrite.c: ``parseargline`` splits the
arguments (quotes, backslash-escaped spaces), ``cmd_parseflagfield`` the
``[flags]``, and every pattern is compiled once here, never per request.
A RewriteCond attaches to the next RewriteRule of the same context.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from apachemw.config.directives import Cmd, DirectiveError
from apachemw.core.http import atoi
from apachemw.core.regex import compile_pattern

__all__ = [
    "MAX_ROUNDS",
    "Cond",
    "RewriteDir",
    "RewriteServer",
    "Rule",
    "merge_dir",
    "merge_server",
]

MAX_ROUNDS = 32000  # REWRITE_MAX_ROUNDS in the code (the manual says 10,000)

# Option bits (OPTION_* in mod_rewrite.c).
INHERIT, INHERIT_BEFORE, INHERIT_DOWN, INHERIT_DOWN_BEFORE = 1 << 1, 1 << 2, 1 << 3, 1 << 4
IGNORE_INHERIT, NOSLASH, ANYURI, MERGEBASE = 1 << 5, 1 << 6, 1 << 7, 1 << 8
IGNORE_CONTEXT_INFO, LEGACY_PREFIX_DOCROOT, UNSAFE_PREFIX_STAT = 1 << 9, 1 << 10, 1 << 11
# RULEFLAG_UNSAFE_PREFIX_STAT's value, which trace3 prints ("STATOK 4194304").
UNSAFE_PREFIX_STAT_FLAG = 1 << 22

_OPTIONS = {
    "inherit": INHERIT,
    "inheritbefore": INHERIT_BEFORE,
    "inheritdown": INHERIT_DOWN,
    "inheritdownbefore": INHERIT_DOWN_BEFORE,
    "ignoreinherit": IGNORE_INHERIT,
    "allownoslash": NOSLASH,
    "allowanyuri": ANYURI,
    "mergebase": MERGEBASE,
    "ignorecontextinfo": IGNORE_CONTEXT_INFO,
    "legacyprefixdocroot": LEGACY_PREFIX_DOCROOT,
    "unsafeprefixstat": UNSAFE_PREFIX_STAT,
}


@dataclass
class Cond:
    """One RewriteCond: the test string, the pattern kind, and flags."""

    input: str
    pattern: str
    ptype: str  # "regex" | "expr" | "-f" ... | "<" ">" "=" "<=" ">=" | "-eq" "-lt" ...
    regex: re.Pattern[str] | None = None
    negate: bool = False
    nocase: bool = False
    ornext: bool = False
    novary: bool = False
    source: str = ""
    expr: Any = None  # apachemw.config.expr.Expr for "expr" conditions


@dataclass
class Rule:
    """One RewriteRule with its conditions and flags (RULEFLAG_* as fields)."""

    pattern: str
    regex: re.Pattern[str]
    output: str
    conds: list[Cond]
    negate: bool = False
    nosub: bool = False
    status_flag: bool = False  # RULEFLAG_STATUS: F, G, R=non-3xx
    status: int = 302
    redirect: bool = False
    last: bool = False
    end: bool = False
    chain: bool = False
    next_round: bool = False
    max_rounds: int = MAX_ROUNDS
    nocase: bool = False
    noescape: bool = False
    passthrough: bool = False
    nosubreq: bool = False
    qsappend: bool = False
    qsdiscard: bool = False
    qslast: bool = False
    qsnone: bool = False
    escape_backref: bool = False
    escape_noplus: bool = False
    escape_ctls: bool = False
    escapes: str | None = None
    noescapes: str | None = None
    discard_path_info: bool = False
    unsafe_allow_3f: bool = False
    unsafe_prefix_stat: bool = False
    unc: bool = False
    skip: int = 0
    env: list[str] = field(default_factory=list)
    cookies: list[str] = field(default_factory=list)
    forced_type: str | None = None
    forced_handler: str | None = None
    source: str = ""
    # A literal every match must start with (from "^/literal..."), so a rule
    # that cannot match is skipped without running its regex (see engine).
    prefix: str | None = None


_META = frozenset("\\^$.|?*+()[]{}")


def literal_prefix(pattern: str, nocase: bool) -> str | None:
    """The literal text a ``^``-anchored pattern must begin with, if any.

    Stops at the first metacharacter; a quantifier applies to the character
    before it, so that character is dropped too. Case-insensitive patterns and
    top-level alternation get no prefix (they could match without it).
    """
    if nocase or not pattern.startswith("^") or "|" in pattern:
        return None
    out: list[str] = []
    for char in pattern[1:]:
        if char in _META:
            if char in "?*{" and out:
                out.pop()
            break
        out.append(char)
    return "".join(out) or None


@dataclass
class RewriteServer:
    state: bool = False
    state_set: bool = False
    options: int = 0
    options_set: bool = False
    maps: dict[str, Any] = field(default_factory=dict)
    conds: list[Cond] = field(default_factory=list)  # pending, for the next rule
    rules: list[Rule] = field(default_factory=list)
    server: Any = None


@dataclass
class RewriteDir:
    state: bool = False
    state_set: bool = False
    options: int = 0
    options_set: bool = False
    base: str | None = None
    base_set: bool = False
    directory: str | None = None
    conds: list[Cond] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)


def _inherit(options: int, base_options: int) -> str:
    if options & INHERIT or (base_options & INHERIT_DOWN and not options & IGNORE_INHERIT):
        return "after"
    if options & INHERIT_BEFORE or (
        base_options & INHERIT_DOWN_BEFORE and not options & IGNORE_INHERIT
    ):
        return "before"
    return "none"


def merge_server(base: RewriteServer, add: RewriteServer) -> RewriteServer:
    """config_server_merge: a vhost's rules alone, unless Inherit* says otherwise."""
    out = RewriteServer(
        state=add.state if add.state_set else base.state,
        state_set=add.state_set or base.state_set,
        options=add.options if add.options_set else base.options,
        options_set=add.options_set or base.options_set,
        server=add.server,
    )
    how = _inherit(out.options, base.options)
    if how == "after":
        out.maps = {**base.maps, **add.maps}
        out.rules = add.rules + base.rules
    elif how == "before":
        out.maps = {**add.maps, **base.maps}
        out.rules = base.rules + add.rules
    else:
        out.maps, out.rules = add.maps, add.rules
    return out


def merge_dir(base: RewriteDir, add: RewriteDir) -> RewriteDir:
    """config_perdir_merge: as for servers, plus RewriteBase (MergeBase)."""
    out = RewriteDir(
        state=add.state if add.state_set else base.state,
        state_set=add.state_set or base.state_set,
        options=add.options if add.options_set else base.options,
        options_set=add.options_set or base.options_set,
        directory=add.directory,
    )
    if out.options & MERGEBASE:
        out.base = add.base if add.base_set else base.base
        out.base_set = add.base_set or base.base_set
    else:
        out.base = add.base
    how = _inherit(out.options, base.options)
    if how == "after":
        out.rules = add.rules + base.rules
    elif how == "before":
        out.rules = base.rules + add.rules
    else:
        out.rules = add.rules
    return out


# ---------------------------------------------------------------- argument parsing


def parse_arg_line(text: str) -> tuple[str, str, str | None, bool] | None:
    """parseargline: up to three words; quotes group, ``\\ `` escapes a space.

    Returns (a1, a2, a3, a2 ends in '?') or None when there is no second word.
    """
    words: list[str] = []
    ends_q = False
    pos = 0
    while len(words) < 3:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        quote = text[pos] if text[pos] in "\"'" else ""
        if quote:
            pos += 1
        start = pos
        while pos < len(text):
            char = text[pos]
            if (char.isspace() and not quote) or (quote and char == quote):
                break
            if char == "\\" and pos + 1 < len(text) and text[pos + 1].isspace():
                pos += 2
                continue
            pos += 1
        word = text[start:pos]
        if len(words) == 1:
            ends_q = word.endswith("?")
        words.append(word)
        if pos < len(text) and quote and text[pos] == quote:
            pos += 1
    if len(words) < 2:
        return None
    return words[0], words[1], words[2] if len(words) > 2 else None, ends_q


def parse_flags(text: str) -> list[tuple[str, str]]:
    """cmd_parseflagfield: "[a,b=c]" -> [("a", ""), ("b", "c")]."""
    if not (text.startswith("[") and text.endswith("]")):
        raise DirectiveError("bad flag delimiters")
    out: list[tuple[str, str]] = []
    for item in text[1:-1].split(","):
        item = item.strip()
        if not item:
            continue
        key, _, value = item.partition("=")
        out.append((key, value))
    return out


# ---------------------------------------------------------------- directives


def _dir(cmd: Cmd) -> RewriteDir:
    """This section's config; its directory is the section's path with a "/"
    (config_perdir_create), which per-directory rules strip from the filename."""
    dconf: RewriteDir = cmd.dir()
    if cmd.path is not None and dconf.directory is None:
        dconf.directory = cmd.path if cmd.path.endswith("/") else cmd.path + "/"
    return dconf


def _conf(cmd: Cmd) -> RewriteServer | RewriteDir:
    if cmd.path is None:
        sconf: RewriteServer = cmd.srv()
        return sconf
    return _dir(cmd)


def engine(cmd: Cmd, args: Sequence[str]) -> None:
    on = args[0].lower() == "on"
    dconf = _dir(cmd)
    if cmd.path is None:
        sconf: RewriteServer = cmd.srv()
        sconf.state, sconf.state_set = on, True
    dconf.state, dconf.state_set = on, True


def options(cmd: Cmd, args: Sequence[str]) -> None:
    bits = 0
    for word in cmd.node.args:
        lowered = word.lower()
        if lowered.startswith("maxredirects="):
            cmd.warn(
                "AH00664: RewriteOptions: MaxRedirects option has been removed in favor of "
                "the global LimitInternalRecursion directive and will be ignored."
            )
            continue
        if lowered not in _OPTIONS:
            raise DirectiveError(f"RewriteOptions: unknown option '{word}'")
        bits |= _OPTIONS[lowered]
    dconf = _dir(cmd)
    if cmd.path is None:
        sconf: RewriteServer = cmd.srv()
        sconf.options |= bits
        sconf.options_set = True
    dconf.options |= bits
    dconf.options_set = True


def base(cmd: Cmd, args: Sequence[str]) -> None:
    if cmd.path is None:
        raise DirectiveError("RewriteBase: only valid in per-directory config files")
    value = args[0]
    if not value:
        raise DirectiveError("RewriteBase: empty URL not allowed")
    if not value.startswith("/"):
        raise DirectiveError("RewriteBase: argument is not a valid URL")
    dconf = _dir(cmd)
    dconf.base, dconf.base_set = value, True


def _compile(pattern: str, nocase: bool, what: str) -> re.Pattern[str]:
    try:
        return compile_pattern(pattern, nocase)
    except (re.error, OverflowError, RecursionError, ValueError):
        raise DirectiveError(f"{what}: cannot compile regular expression '{pattern}'") from None


_FILE_TESTS = {"f", "s", "d", "x", "h", "L", "l", "U", "F"}
_INT_TESTS = {"lt": "-lt", "le": "-le", "gt": "-gt", "ge": "-ge", "eq": "-eq", "ne": "-ne"}


def _cond_type(pattern: str, is_expr: bool) -> tuple[str, str, bool]:
    """(ptype, pattern after its operator, extra negation for -ne)."""
    if is_expr:
        return "expr", pattern, False
    if len(pattern) >= 2 and pattern[0] == "-":
        if len(pattern) == 2 and pattern[1] in _FILE_TESTS:
            return "-" + pattern[1], pattern, False
        if len(pattern) > 3 and pattern[1:3] in _INT_TESTS:
            kind = _INT_TESTS[pattern[1:3]]
            if kind == "-ne":
                return "-eq", pattern[3:], True
            return kind, pattern[3:], False
    if len(pattern) >= 2:
        for op in (">=", "<=", ">", "<"):
            if pattern.startswith(op):
                return op, pattern[len(op) :], False
        if pattern[0] == "=":
            rest = pattern[1:]
            return "=", "" if rest == '""' else rest, False
    return "regex", pattern, False


def cond(cmd: Cmd, args: Sequence[str]) -> None:
    raw = args[0]
    parsed = parse_arg_line(raw)
    if parsed is None:
        raise DirectiveError(f"RewriteCond: bad argument line '{raw}'")
    test, pattern, flag_text, _ = parsed
    entry = Cond(input=test, pattern=pattern, ptype="regex", source=f"{cmd.where()}")
    if flag_text is not None:
        try:
            _cond_flags(entry, parse_flags(flag_text))
        except DirectiveError as exc:
            raise DirectiveError(f"RewriteCond: {exc}") from None
    if pattern.startswith("!"):
        entry.negate, pattern = True, pattern[1:]
    ptype, pattern, flip = _cond_type(pattern, test.lower() == "expr")
    entry.ptype, entry.pattern = ptype, pattern
    entry.negate ^= flip
    if ptype == "expr":
        from apachemw.config.expr import ExprError, parse_expr

        try:
            entry.expr = parse_expr(pattern)
        except ExprError as exc:
            raise DirectiveError(
                f'RewriteCond: cannot compile expression "{pattern}": {exc}'
            ) from None
    if ptype not in ("regex", "<", ">", "=", "<=", ">=") and entry.nocase:
        cmd.warn(
            f"AH00665: RewriteCond: NoCase option for non-regex pattern '{pattern}' is not "
            f"supported and will be ignored. ({cmd.node.file}:{cmd.node.line})"
        )
        entry.nocase = False
    if ptype == "regex":
        entry.regex = _compile(pattern, entry.nocase, "RewriteCond")
    _conf(cmd).conds.append(entry)


def _cond_flags(entry: Cond, flags: list[tuple[str, str]]) -> None:
    for key, _ in flags:
        lowered = key.lower()
        if lowered in ("nocase", "nc"):
            entry.nocase = True
        elif lowered in ("ornext", "or"):
            entry.ornext = True
        elif lowered in ("novary", "nv"):
            entry.novary = True
        else:
            raise DirectiveError(f"unknown flag '{key}'")


def rule(cmd: Cmd, args: Sequence[str]) -> None:
    raw = args[0]
    parsed = parse_arg_line(raw)
    if parsed is None:
        raise DirectiveError(f"RewriteRule: bad argument line '{raw}'")
    pattern, output, flag_text, ends_q = parsed
    conf = _conf(cmd)
    entry = Rule(
        pattern=pattern, regex=re.compile(""), output=output, conds=conf.conds, source=cmd.where()
    )
    if flag_text is not None:
        try:
            for key, value in parse_flags(flag_text):
                _rule_flag(entry, key, value)
        except DirectiveError as exc:
            raise DirectiveError(f"RewriteRule: {exc}") from None
    if pattern.startswith("!"):
        entry.negate, pattern = True, pattern[1:]
    entry.regex = _compile(pattern, entry.nocase, "RewriteRule")
    entry.pattern = pattern
    entry.prefix = literal_prefix(pattern, entry.nocase)
    if output == "-":
        entry.nosub = True
    if ends_q:
        # A literal "?" ending the substitution only says "no query": drop it.
        entry.output = output = output[:-1]
        if entry.qsappend:
            entry.qslast = True
        else:
            entry.qsnone = True
    elif entry.qsdiscard and "?" not in output:
        entry.qsnone = True
    if (entry.forced_handler or "").lower() == "apachemw-app":
        # [H=apachemw-app] routes requests to the app as SetHandler does, so the
        # implicit fallback (what maps to no file goes to the app) is off.
        cmd.ctx.site.app_named = True
    conf.rules.append(entry)
    conf.conds = []


def _status_word(value: str) -> int:
    words = {"permanent": 301, "temp": 302, "seeother": 303}
    if value.lower() in words:
        return words[value.lower()]
    match = re.match(r"\d+", value)
    return int(match.group(0)) if match else 0


_KNOWN_STATUS: frozenset[int] | None = None


def _known_statuses() -> frozenset[int]:
    global _KNOWN_STATUS
    if _KNOWN_STATUS is None:
        from apachemw.core.canned import REASONS

        _KNOWN_STATUS = frozenset(REASONS)
    return _KNOWN_STATUS


def _redirect_flag(entry: Rule, value: str) -> None:
    entry.redirect = True
    if not value:
        return
    status = _status_word(value)
    if value[:1].isdigit():
        if status != 500 and status not in _known_statuses():
            raise DirectiveError(f"invalid HTTP response code '{value}' for flag 'R'")
        if not 300 <= status < 400:
            entry.status_flag = entry.nosub = True
    entry.status = status


def _rule_flag(entry: Rule, key: str, value: str) -> None:
    """cmd_rewriterule_setflag, case for case."""
    first, rest = key[:1].lower(), key[1:].lower()
    if first == "b":
        if rest in ("", "ackrefescaping"):
            entry.escape_backref = True
            entry.escapes = value or entry.escapes
        elif rest == "ne":
            if not value:
                raise DirectiveError("flag 'BNE' wants a list of characters (i.e. [BNE=...])")
            entry.noescapes = value
        elif rest in ("np", "ackrefernoplus"):
            entry.escape_noplus = True
        elif rest == "ctls":
            entry.escape_ctls = entry.escape_backref = True
        else:
            raise DirectiveError(f"unknown flag '{key}'")
    elif first == "c":
        if rest in ("", "hain"):
            entry.chain = True
        elif rest in ("o", "ookie"):
            entry.cookies.append(value)
        else:
            raise DirectiveError(f"unknown flag '{key}'")
    elif first == "d":
        if rest in ("", "pi", "iscardpath"):
            entry.discard_path_info = True
    elif first == "e":
        if rest in ("", "nv"):
            entry.env.append(value)
        elif rest == "nd":
            entry.end = True
        else:
            raise DirectiveError(f"unknown flag '{key}'")
    elif first in ("f", "g") and rest in ("", "orbidden" if first == "f" else "one"):
        entry.status_flag = entry.nosub = True
        entry.status = 403 if first == "f" else 410
    elif first == "h" and rest in ("", "andler"):
        entry.forced_handler = value
    elif first == "l" and rest in ("", "ast"):
        entry.last = True
    elif first == "n":
        _n_flag(entry, key, rest, value)
    elif first == "p":
        if rest in ("", "roxy"):
            raise DirectiveError("flag 'P' (proxy) is not supported: apachemw has no mod_proxy")
        if rest in ("t", "assthrough"):
            entry.passthrough = True
        else:
            raise DirectiveError(f"unknown flag '{key}'")
    elif first == "q" and rest in ("sa", "sappend", "sd", "sdiscard", "sl", "slast"):
        if rest in ("sa", "sappend"):
            entry.qsappend = True
        elif rest in ("sd", "sdiscard"):
            entry.qsdiscard = True
        else:
            entry.qslast = True
    elif first == "r" and rest in ("", "edirect"):
        _redirect_flag(entry, value)
    elif first == "s" and rest in ("", "kip"):
        entry.skip = atoi(value)
    elif first == "t" and rest in ("", "ype"):
        entry.forced_type = value
    elif first == "u" and rest in ("nsafeprefixstat", "nsafeallow3f", "nc"):
        if rest == "nsafeprefixstat":
            entry.unsafe_prefix_stat = True
        elif rest == "nsafeallow3f":
            entry.unsafe_allow_3f = True
        else:
            entry.unc = True
    else:
        raise DirectiveError(f"unknown flag '{key}'")


def _n_flag(entry: Rule, key: str, rest: str, value: str) -> None:
    if rest in ("e", "oescape"):
        entry.noescape = True
    elif rest in ("", "ext"):
        entry.next_round = True
        if value:
            entry.max_rounds = atoi(value)
    elif rest in ("s", "osubreq"):
        entry.nosubreq = True
    elif rest in ("c", "ocase"):
        entry.nocase = True
    else:
        raise DirectiveError(f"unknown flag '{key}'")


def rewrite_map(cmd: Cmd, args: Sequence[str]) -> None:
    from apachemw.modules.mod_rewrite.maps import MapError, parse_map

    name, spec = args[0], args[1]
    try:
        parsed = parse_map(name, spec, cmd.ctx.site.server_root)
    except MapError as exc:
        raise DirectiveError(str(exc)) from None
    sconf: RewriteServer = cmd.srv()
    sconf.maps[name] = parsed

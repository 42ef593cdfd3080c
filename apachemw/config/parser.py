"""Apache httpd configuration syntax to a tree that knows no module.

This is ``ap_build_config`` (httpd ``server/config.c``): lines are read the way
``ap_varbuf_cfg_getline`` reads them, ``${VAR}`` is resolved on the whole line before
it is split into words (as ``ap_resolve_env`` does in 2.4), and the few directives
Apache runs while reading (``EXEC_ON_READ``: Include, Define, the ``<If...>``
conditionals, ServerRoot, LoadModule) are acted on here. Everything else becomes a
plain :class:`Node` for the directive walker, with the file and line it came from.

The reader is iterative (an explicit stack of frames) so that deep nesting and long
Include chains end in a :class:`~apachemw.errors.ConfigError`, never a RecursionError.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from apachemw.core.fsinfo import exists
from apachemw.errors import ConfigError

__all__ = [
    "READ_TIME_DIRECTIVES",
    "Node",
    "ParseEnv",
    "getword",
    "include_files",
    "logical_lines",
    "parse_file",
    "parse_text",
    "source_digest",
    "words_of",
]

# apr_isspace: the C locale's whitespace, not Python's (which adds \x1c-\x1f, \x85 ...).
_SPACE = " \t\n\v\f\r"
_WS_RE = re.compile(r"[ \t\n\v\f\r]*")
_BARE_RE = re.compile(r"[^ \t\n\v\f\r]*")
_QUOTED_RE = {
    '"': re.compile(r'"((?:\\["\\]|[^"])*)"?'),
    "'": re.compile(r"'((?:\\['\\]|[^'])*)'?"),
}
_UNESCAPE_RE = {
    '"': re.compile(r'\\(["\\])'),
    "'": re.compile(r"\\(['\\])"),
    "": re.compile(r"\\(\\)"),
}
_WILDCARD_RE = re.compile(r"[*?]|\[.*\]")

# Apache's limits: VARBUF_MAX_LEN for server config, HUGE_STRING_LEN for .htaccess
# (server/config.c), AP_MAX_INCLUDE_DEPTH (core.c), AP_MAX_FNMATCH_DIR_DEPTH (util.c).
_MAX_LINE = 16 * 1024 * 1024
_MAX_LINE_HTACCESS = 8192
_MAX_INCLUDE_DEPTH = 128
_MAX_DIR_DEPTH = 128

_CONDITIONALS = {
    n.lower(): n
    for n in ("<IfModule", "<IfDefine", "<IfFile", "<IfDirective", "<IfSection", "<IfVersion")
}
# Directives Apache executes while reading; .htaccess leaves them to the walker, which
# rejects them as "not allowed here".
_EXEC_ON_READ = {
    n.lower(): n
    for n in ("Include", "IncludeOptional", "Define", "UnDefine", "ServerRoot", "LoadModule")
}
# What this reader acts on itself, for whoever lists directives (docs/gen_directives.py).
READ_TIME_DIRECTIVES = frozenset({*_CONDITIONALS.values(), *_EXEC_ON_READ.values()})
# The help strings Apache appends to arity errors (its command_rec tables).
_HELP = {
    "Include": "Name(s) of the config file(s) to be included; fails if the wildcard does "
    "not match at least one file",
    "IncludeOptional": "Name or pattern of the config file(s) to be included; ignored if "
    "the file does not exist or the pattern does not match any files",
    "Define": "Define a variable, optionally to a value.  Same as passing -D to the command line.",
    "UnDefine": "Undefine the existence of a variable. Undo a Define.",
    "ServerRoot": "Common directory of server-related files (logs, confs, etc.)",
    "LoadModule": "a module name and the name of a shared object file to load it from",
    "<IfVersion": "a comparison operator, a version (and a delimiter)",
}
_BAD_VERSION = (
    "Version appears to be invalid. It must have the format major[.minor[.patch]] "
    "where major, minor and patch are numbers."
)


def _never(name: str) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class Node:
    """One directive, or one section with its children, where it was written."""

    name: str
    args: tuple[str, ...]
    raw_args: str
    file: str
    line: int
    children: tuple[Node, ...] | None = None

    @property
    def is_section(self) -> bool:
        return self.children is not None

    @property
    def lname(self) -> str:
        return self.name.lower()


@dataclass
class ParseEnv:
    """What the reader needs from the server, and what reading changes in it."""

    server_root: str = "/etc/apache2"
    defines: dict[str, str | None] = field(default_factory=dict)
    loaded_modules: set[str] = field(default_factory=set)
    # LoadModule lines in the order they were read (apachemw configtest -M).
    load_order: list[str] = field(default_factory=list)
    version: tuple[int, int, int] = (2, 4, 71)
    module_files: dict[str, str] = field(default_factory=dict)
    is_known_directive: Callable[[str], bool] = _never
    is_known_section: Callable[[str], bool] = _never
    warnings: list[str] = field(default_factory=list)
    # What the configuration was read from, for reloading it when that changes: every
    # file read, with a digest of the bytes read (modules add theirs, e.g. TypesConfig),
    # and every Include's pattern (root-relative) with its "optional" flag, whose list
    # of files may change too.
    sources: dict[str, str | None] = field(default_factory=dict)
    includes: list[tuple[str, bool]] = field(default_factory=list)

    def add_source(self, path: str, data: bytes | None) -> None:
        """Note a file the configuration read (``data`` None: it could not be read)."""
        self.sources[path] = source_digest(data)


def source_digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.blake2b(data, digest_size=16).hexdigest()


# --- words ----------------------------------------------------------------------------


def _getword(s: str, pos: int = 0) -> tuple[str, int]:
    """One word as ap_getword_conf takes it; returns it and where the next one starts."""
    pos = _ws_end(s, pos)
    if pos >= len(s):
        return "", pos
    quote = s[pos] if s[pos] in _QUOTED_RE else ""
    if quote:
        m = _QUOTED_RE[quote].match(s, pos)
        assert m is not None  # the pattern matches any text starting with the quote
        body = m.group(1)
    else:
        m = _BARE_RE.match(s, pos)
        assert m is not None
        body = m.group(0)
    # Outside quotes only "\\" is an escape, so RewriteRule's "\." reaches the module.
    return _UNESCAPE_RE[quote].sub(r"\1", body), _ws_end(s, m.end())


def getword(s: str, pos: int = 0) -> tuple[str, int]:
    """ap_getword_conf: the word at ``pos`` and where the next one starts."""
    return _getword(s, pos)


def words_of(s: str) -> tuple[str, ...]:
    """Every word of ``s``, as repeated ap_getword_conf calls take them."""
    return _words(s)


def _ws_end(s: str, pos: int) -> int:
    m = _WS_RE.match(s, pos)
    assert m is not None
    return m.end()


def _words(s: str) -> tuple[str, ...]:
    out: list[str] = []
    pos = _ws_end(s, 0)
    while pos < len(s):
        word, pos = _getword(s, pos)
        out.append(word)
    return tuple(out)


def _ieq(a: str, b: str) -> bool:
    """ap_cstr_casecmp: ASCII-only case folding."""
    return (
        a.encode("utf-8", "surrogateescape").lower() == b.encode("utf-8", "surrogateescape").lower()
    )


# --- lines ----------------------------------------------------------------------------


class _Reader:
    """Logical lines of one file, as ap_varbuf_cfg_getline returns them."""

    def __init__(self, text: str, file: str, max_len: int) -> None:
        self.file = file
        self._lines = text.split("\n")
        # The piece after a final newline is not a line.
        self._has_last = self._lines[-1] != ""
        self._pos = 0
        self._max_len = max_len
        self.line = 0  # physical line last read

    def next(self) -> tuple[str, int] | None:
        """The next trimmed logical line and its first physical line, or None at EOF."""
        parts: list[str] = []
        size = 0
        start = self.line + 1
        while self._pos < len(self._lines):
            raw = self._lines[self._pos]
            has_lf = self._pos < len(self._lines) - 1
            if not has_lf and not self._has_last:
                break
            self._pos += 1
            self.line += 1
            if "\0" in raw:
                # C strings end at NUL: the rest of the line, newline included, is lost.
                raw, has_lf = raw[: raw.index("\0")], False
            cont = False
            if has_lf:
                # Only backslash, optional CR, LF continues a line; the three go away.
                body = raw[:-1] if raw.endswith("\r") else raw
                if body.endswith("\\"):
                    raw, cont = body[:-1], True
            parts.append(raw)
            size += len(raw)
            if size >= self._max_len - 1:
                raise ConfigError(
                    f"Error reading {self.file} at line {self.line}: Line too long",
                    self.file,
                    self.line,
                )
            if not cont:
                break
        if not parts:
            return None
        return "".join(parts).strip(_SPACE), start


# --- the frames of the iterative reader -------------------------------------------------


@dataclass
class _Open:
    """A section whose closing tag has not been seen yet."""

    name: str
    raw: str
    file: str
    line: int
    children: list[Node] = field(default_factory=list)

    def close(self) -> Node:
        return Node(
            self.name, _words(self.raw), self.raw, self.file, self.line, tuple(self.children)
        )


@dataclass
class _Block:
    """A file being read, or the body of a true conditional (ap_build_cont_config)."""

    reader: _Reader
    target: list[Node]
    terminator: str | None = None  # "IfModule>" for a conditional body
    stack: list[_Open] = field(default_factory=list)

    def add(self, node: Node) -> None:
        (self.stack[-1].children if self.stack else self.target).append(node)

    def container(self) -> list[Node]:
        return self.stack[-1].children if self.stack else self.target


@dataclass
class _Include:
    """The files one Include directive still has to read, in Apache's order."""

    paths: Iterator[str]
    target: list[Node]
    file: str
    line: int
    name: str


_Frame = _Block | _Include


class _IncludeError(Exception):
    """A failure while listing Include's files, located later at the directive."""


# --- Include's file list (ap_process_fnmatch_configs) -----------------------------------


def _strerror(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _include_paths(pattern: str, optional: bool) -> Iterator[str]:
    if not _WILDCARD_RE.search(pattern):
        yield from _nofnmatch(pattern, optional, 0)
        return
    if not os.path.isabs(pattern):
        raise _IncludeError(f"Include must have an absolute path, {pattern}")
    parts = [p for p in pattern.split("/") if p]
    yield from _fnmatch(os.sep, parts, optional)


def _nofnmatch(path: str, optional: bool, depth: int) -> Iterator[str]:
    """A named path: a directory brings in everything below it, dot files too."""
    if os.path.isdir(path):
        if depth + 1 > _MAX_DIR_DEPTH:
            raise _IncludeError(
                f"Include/IncludeOptional: Directory '{path}' exceeds the maximum include "
                f"directory nesting level of {_MAX_DIR_DEPTH}. You have probably a "
                "recursion somewhere."
            )
        for name in _listdir(path):
            yield from _nofnmatch(os.path.join(path, name), optional, depth + 1)
        return
    if optional and not os.path.exists(path):
        return
    yield path


def _listdir(path: str) -> list[str]:
    try:
        # strcmp order, as fname_alphasort sorts.
        return sorted(os.listdir(path))
    except OSError as exc:
        raise _IncludeError(
            f"Include/IncludeOptional: Could not open directory {path}: {_strerror(exc)}"
        ) from None


def _fnmatch(path: str, parts: list[str], optional: bool) -> Iterator[str]:
    head, rest = parts[0], parts[1:]
    if not _WILDCARD_RE.search(head):
        full = os.path.join(path, head)
        yield from _fnmatch(full, rest, optional) if rest else _nofnmatch(full, optional, 0)
        return
    try:
        names = sorted(os.listdir(path))
    except FileNotFoundError:
        if optional:
            return
        raise _IncludeError(
            f"Include/IncludeOptional: Could not open directory {path}: No such file or directory"
        ) from None
    except OSError as exc:
        raise _IncludeError(
            f"Include/IncludeOptional: Could not open directory {path}: {_strerror(exc)}"
        ) from None
    matches = [n for n in names if _name_matches(head, n)]
    if rest:
        # Inside the path only real directories count; APR reads the type without
        # following symlinks.
        matches = [n for n in matches if _is_real_dir(os.path.join(path, n))]
    if not matches and not optional:
        raise _IncludeError(
            f"Include/IncludeOptional: No matches for the wildcard '{head}' in '{path}', failing"
        )
    for name in matches:
        full = os.path.join(path, name)
        yield from _fnmatch(full, rest, optional) if rest else _nofnmatch(full, optional, 0)


def _name_matches(pattern: str, name: str) -> bool:
    # APR_FNM_PERIOD: a leading dot is matched only by a leading dot.
    if name.startswith(".") and not pattern.startswith("."):
        return False
    return fnmatch.fnmatchcase(name, pattern)


def _is_real_dir(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _read_config(path: str, env: ParseEnv) -> str:
    """The text of a config file; ap_pcfg_openfile's refusals become ConfigError."""
    env.add_source(path, None)
    try:
        # Check the type before opening: open() would block on a FIFO.
        if not stat.S_ISREG(os.stat(path).st_mode) and path != "/dev/null":
            raise ConfigError(f"Could not open configuration file {path}: Bad file descriptor")
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise ConfigError(f"Could not open configuration file {path}: {_strerror(exc)}") from None
    except ValueError:  # a NUL in the path
        raise ConfigError(
            f"Could not open configuration file {path}: No such file or directory"
        ) from None
    env.add_source(path, data)
    # Config bytes are not always UTF-8; keep every byte round-trippable.
    return data.decode("utf-8", "surrogateescape")


# --- <IfVersion> (mod_version) ----------------------------------------------------------


def _compare_version(text: str, current: tuple[int, int, int]) -> int:
    """-1, 0 or 1 for current against text, parsed as mod_version's compare_version."""
    if not text or not ("0" <= text[0] <= "9"):
        raise ValueError(_BAD_VERSION)
    nums: list[int] = []
    start = pos = 0
    while pos <= len(text) and len(nums) < 3:
        ch = text[pos] if pos < len(text) else ""
        if ch in (".", ""):
            digits = text[start:pos]
            nums.append(int(digits) if digits else 0)
            pos += 1
            start = pos
        elif "0" <= ch <= "9":
            pos += 1
        else:
            break
    if pos < len(text):
        raise ValueError(_BAD_VERSION)
    wanted = tuple([*nums, 0, 0, 0][:3])
    return (current > wanted) - (current < wanted)


def _match_version(pattern: str, current: tuple[int, int, int]) -> bool:
    try:
        rx = re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        raise ValueError("Unable to compile regular expression") from None
    return rx.search(".".join(map(str, current))) is not None


def _ifversion_args(rest: str) -> tuple[str, str, str | None]:
    """TAKE123 splitting, then mod_version's shuffling of one or two arguments."""
    a1, pos = _getword(rest)
    a2: str | None = None
    a3: str | None = None
    if pos < len(rest):
        a2, pos = _getword(rest, pos)
    if pos < len(rest):
        a3, pos = _getword(rest, pos)
    if not a1 or pos < len(rest):
        raise ValueError(f"<IfVersion takes one, two or three arguments, {_HELP['<IfVersion']}")
    if a2 is None:
        a1, a2 = "=", a1
    if a3 is None and a2 == ">":
        a1, a2, a3 = "=", a1, ">"
    return a1, a2, a3


def _ifversion(rest: str, current: tuple[int, int, int]) -> bool:
    op, version, closer = _ifversion_args(rest)
    if not version or (closer != ">" and not version.endswith(">")):
        raise ValueError("<IfVersion> directive missing closing '>'")
    if closer != ">":
        version = version[:-1]
    reverse = op.startswith("!")
    body = op[1:] if reverse and len(op) > 1 else op
    kind, tail = body[0], body[1:]
    if not (tail == "" or (tail == "=" and kind != "~")) or kind not in "=~<>":
        raise ValueError(f"unrecognized operator '{op}'")
    return _version_test(kind, bool(tail), version, current) != reverse


def _version_test(kind: str, or_equal: bool, version: str, current: tuple[int, int, int]) -> bool:
    if kind == "=" and version.startswith("/"):
        inner = version[1:]
        if not inner or not inner.endswith("/"):
            raise ValueError("Missing delimiting / of regular expression.")
        return _match_version(inner[:-1], current)
    if kind == "~":
        return _match_version(version, current)
    cmp = _compare_version(version, current)
    if kind == "=":
        return cmp == 0
    sign = -1 if kind == "<" else 1
    return cmp == sign or (or_equal and cmp == 0)


# --- the reader -------------------------------------------------------------------------


class _Parser:
    def __init__(self, env: ParseEnv, htaccess: bool) -> None:
        self.env = env
        self.htaccess = htaccess
        self.max_len = _MAX_LINE_HTACCESS if htaccess else _MAX_LINE
        self.frames: list[_Frame] = []
        # Section handlers find a missing '>' only when the tree is walked, after
        # every file was read; keep the first such error until then.
        self.deferred: ConfigError | None = None

    def run(self, text: str, file: str) -> tuple[Node, ...]:
        out: list[Node] = []
        self.frames.append(_Block(_Reader(text, file, self.max_len), out))
        while self.frames:
            self._step()
        if self.deferred is not None:
            raise self.deferred
        return tuple(out)

    def _step(self) -> None:
        frame = self.frames[-1]
        if isinstance(frame, _Include):
            self._next_include_file(frame)
            return
        got = frame.reader.next()
        if got is None:
            self._end_block(frame)
            return
        text, line = got
        if (
            frame.terminator is not None
            and not frame.stack
            and text.startswith("</")
            and _ieq(text[2:], frame.terminator)
        ):
            self.frames.pop()
            return
        self._line(frame, text, line)

    def _end_block(self, frame: _Block) -> None:
        self.frames.pop()
        if frame.terminator is not None:
            # A true conditional ending with its file is accepted as it is (apache2 -t
            # says Syntax OK), open sections and all.
            while frame.stack:
                self._close_top(frame)
            return
        if frame.stack:
            self._not_closed(frame)

    def _not_closed(self, frame: _Block) -> None:
        # apache2 -t: "/x.conf:9: <Directory> was not closed." innermost first,
        # reported at the outermost one.
        msgs = [f"{o.file}:{o.line}: <{o.name}> was not closed." for o in reversed(frame.stack)]
        outer = frame.stack[0]
        raise ConfigError("\n".join(msgs), outer.file, outer.line, "<" + outer.name)

    def _close_top(self, frame: _Block) -> None:
        node = frame.stack.pop().close()
        frame.add(node)

    # One logical line: ap_build_config_sub.

    def _line(self, frame: _Block, text: str, line: int) -> None:
        if not text or text.startswith("#"):
            return
        expanded = self._resolve(text)
        name, pos = _getword(expanded)
        rest = expanded[pos:]
        if not name:
            return
        if name[1:2] != "/":
            name = name[:-1] if name.endswith(">") else name
            if name.startswith("<") and not rest:
                rest = ">"
        where = (frame.reader.file, line)
        lname = name.lower()
        if lname in _CONDITIONALS:
            self._conditional(frame, _CONDITIONALS[lname], rest, where)
        elif lname in _EXEC_ON_READ and not self.htaccess:
            self._exec_on_read(frame, _EXEC_ON_READ[lname], name, rest, where)
        elif name.startswith("</"):
            self._close_tag(frame, name, where)
        elif name.startswith("<"):
            self._open_tag(frame, name[1:], rest, where)
        else:
            frame.add(Node(name, _words(rest), rest, where[0], where[1]))

    def _open_tag(self, frame: _Block, name: str, rest: str, where: tuple[str, int]) -> None:
        # Every section handler cuts its arguments at the last '>' (ap_strrchr_c).
        end = rest.rfind(">")
        if end < 0:
            if self.deferred is None:
                self.deferred = ConfigError(
                    f"<{name}> directive missing closing '>'", *where, "<" + name
                )
            raw = rest
        else:
            raw = rest[:end].strip(_SPACE)
        frame.stack.append(_Open(name, raw, *where))

    def _close_tag(self, frame: _Block, name: str, where: tuple[str, int]) -> None:
        if not frame.stack:
            # apache2 -t: "</Directory> without matching <Directory> section"
            raise ConfigError(f"{name} without matching <{name[2:]} section", *where, name)
        if not name.endswith(">"):
            raise ConfigError(f"{name}> directive missing closing '>'", *where, name)
        tag, opened = name[2:-1], frame.stack[-1].name
        if not _ieq(tag, opened):
            # apache2 -t: "Expected </Directory> but saw </Files>"
            raise ConfigError(f"Expected </{opened}> but saw </{tag}>", *where, name)
        self._close_top(frame)

    # ${VAR}: ap_resolve_env, Define first, then the process environment.

    def _resolve(self, text: str) -> str:
        if "$" not in text:
            return text
        out: list[str] = []
        pos = 0
        while True:
            start = text.find("${", pos)
            end = text.find("}", start + 2) if start >= 0 else -1
            if end < 0:
                out.append(text[pos:])
                return "".join(out)
            out.append(text[pos:start])
            out.append(self._variable(text[start + 2 : end]))
            pos = end + 1

    def _variable(self, name: str) -> str:
        value = self.env.defines.get(name)
        if value is None:
            value = os.environ.get(name)
        if value is not None:
            return value
        # Names with ':' are left alone silently: they are for mod_rewrite's maps.
        if ":" not in name:
            self.env.warnings.append(f"AH00111: Config variable ${{{name}}} is not defined")
        return "${" + name + "}"

    # <IfModule> and friends: start_cond_section (core.c), <IfVersion> (mod_version).

    def _conditional(self, frame: _Block, name: str, rest: str, where: tuple[str, int]) -> None:
        try:
            truth = self._condition(name, rest)
        except ValueError as exc:
            raise ConfigError(str(exc), *where, name) from None
        if truth:
            self.frames.append(_Block(frame.reader, frame.container(), name[1:] + ">"))
        else:
            self._soak(frame.reader, name, where)

    def _condition(self, name: str, rest: str) -> bool:
        if name == "<IfVersion":
            return _ifversion(rest, self.env.version)
        end = rest.rfind(">")
        if end < 0:
            raise ValueError(f"{name}> directive missing closing '>'")
        arg = rest[:end]
        negate = arg.startswith("!")
        word, _ = _getword(arg[1:] if negate else arg)
        if not word:
            raise ValueError(f"{name}> directive requires additional arguments")
        return self._test(name, word) != negate

    def _test(self, name: str, word: str) -> bool:
        if name == "<IfModule":
            return self._module_loaded(word)
        if name == "<IfDefine":
            return word in self.env.defines
        if name == "<IfFile":
            return exists(self._root_relative(word))
        if name == "<IfDirective":
            return self.env.is_known_directive(word)
        return self.env.is_known_section(word)

    def _module_loaded(self, word: str) -> bool:
        # Apache's find_module accepts a module's source file name or its identifier.
        if word in self.env.loaded_modules:
            return True
        ident = self.env.module_files.get(word)
        if ident is None and word.startswith("mod_") and word.endswith(".c"):
            ident = word[4:-2] + "_module"
        return ident is not None and ident in self.env.loaded_modules

    def _root_relative(self, path: str) -> str:
        return path if os.path.isabs(path) else os.path.join(self.env.server_root, path)

    def _soak(self, reader: _Reader, name: str, where: tuple[str, int]) -> None:
        """Skip a false conditional: ap_soak_end_container, without ${} or comments."""
        open_names = [name]
        while open_names:
            got = reader.next()
            if got is None:
                msg = f"Expected </{open_names[-1][1:]}> before end of configuration"
                raise ConfigError(msg, *where, name)
            word, pos = _getword(got[0])
            if not word.startswith("<"):
                continue
            if word[1:2] == "/":
                seen = word[:-1]
                if not _ieq(seen[2:], open_names[-1][1:]):
                    # apache2 -t: "Expected </Directory> but saw </IfModule>"
                    msg = f"Expected </{open_names[-1][1:]}> but saw {seen}>"
                    raise ConfigError(msg, *where, name)
                open_names.pop()
            else:
                bare = pos >= len(got[0])
                open_names.append(word[:-1] if bare and word.endswith(">") else word)

    # Include, Define, UnDefine, ServerRoot, LoadModule.

    def _exec_on_read(
        self, frame: _Block, canon: str, name: str, rest: str, where: tuple[str, int]
    ) -> None:
        words = _words(rest)
        self._check_arity(canon, words, where)
        if canon in ("Include", "IncludeOptional"):
            self._start_include(frame, canon, words[0], where)
            return
        if canon in ("Define", "UnDefine") and ":" in words[0]:
            raise ConfigError("Variable name must not contain ':'", *where, name)
        if canon == "Define":
            self._define(words)
        elif canon == "UnDefine":
            self.env.defines.pop(words[0], None)
        elif canon == "ServerRoot":
            self._server_root(words[0], where, name)
        else:
            self._load_module(words[0])
        frame.add(Node(name, words, rest, *where))

    def _check_arity(self, canon: str, words: tuple[str, ...], where: tuple[str, int]) -> None:
        # invoke_cmd's TAKE1 / TAKE12 / TAKE2 checks; an empty first word counts as none.
        if canon == "Define":
            ok, takes = 1 <= len(words) <= 2 and bool(words[0]), "takes 1-2 arguments"
        elif canon == "LoadModule":
            ok = len(words) == 2 and bool(words[0]) and bool(words[1])
            takes = "takes two arguments"
        else:
            ok, takes = len(words) == 1 and bool(words[0]), "takes one argument"
        if not ok:
            raise ConfigError(f"{canon} {takes}, {_HELP[canon]}", *where, canon)

    def _define(self, words: tuple[str, ...]) -> None:
        # Define without a value marks the name and keeps any value it already had.
        if len(words) == 2:
            self.env.defines[words[0]] = words[1]
        else:
            self.env.defines.setdefault(words[0], None)

    def _server_root(self, path: str, where: tuple[str, int], name: str) -> None:
        full = os.path.abspath(path) if "\0" not in path else ""
        if not full or not os.path.isdir(full):
            raise ConfigError("ServerRoot must be a valid directory", *where, name)
        self.env.server_root = full

    def _load_module(self, ident: str) -> None:
        if ident in self.env.loaded_modules:
            self.env.warnings.append(f"AH01574: module {ident} is already loaded, skipping")
        else:
            self.env.load_order.append(ident)
        self.env.loaded_modules.add(ident)

    def _start_include(self, frame: _Block, canon: str, arg: str, where: tuple[str, int]) -> None:
        depth = sum(isinstance(f, _Include) for f in self.frames)
        if depth + 1 > _MAX_INCLUDE_DEPTH:
            msg = (
                f"Exceeded maximum include depth of {_MAX_INCLUDE_DEPTH}, "
                "There appears to be a recursion."
            )
            raise ConfigError(msg, *where, canon)
        pattern, optional = self._root_relative(arg), canon == "IncludeOptional"
        self.env.includes.append((pattern, optional))
        paths = _include_paths(pattern, optional)
        self.frames.append(_Include(paths, frame.container(), where[0], where[1], canon))

    def _next_include_file(self, inc: _Include) -> None:
        try:
            path = next(inc.paths, None)
        except _IncludeError as exc:
            raise ConfigError(str(exc), inc.file, inc.line, inc.name) from None
        if path is None:
            self.frames.pop()
            return
        try:
            text = _read_config(path, self.env)
        except ConfigError as exc:
            raise ConfigError(exc.message, inc.file, inc.line, inc.name) from None
        self.frames.append(_Block(_Reader(text, path, self.max_len), inc.target))


def parse_text(text: str, file: str, env: ParseEnv, *, htaccess: bool = False) -> tuple[Node, ...]:
    """Parse configuration text; ``file`` names it in nodes and errors.

    With ``htaccess`` the server-only directives (Include, Define, ServerRoot,
    LoadModule ...) are kept as plain nodes for the walker to refuse; the ``<If...>``
    conditionals are still evaluated.
    """
    return _Parser(env, htaccess).run(text, file)


def logical_lines(text: str, file: str = "<text>") -> Iterator[tuple[str, int]]:
    """The trimmed logical lines of ``text`` (continuations joined) and where each
    starts, as the reader sees them before acting on any."""
    reader = _Reader(text, file, _MAX_LINE)
    while (got := reader.next()) is not None:
        yield got


def parse_file(path: str, env: ParseEnv) -> tuple[Node, ...]:
    """Parse a server configuration file and everything it includes."""
    return parse_text(_read_config(path, env), path, env)


def include_files(pattern: str, optional: bool) -> list[str]:
    """The files an Include of ``pattern`` (already root-relative) reads now, in order;
    raises ConfigError where the Include itself would fail."""
    try:
        return list(_include_paths(pattern, optional))
    except _IncludeError as exc:
        raise ConfigError(str(exc)) from None

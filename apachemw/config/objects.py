"""Apache configuration as Python objects: the same tree whether written as text or built
in code, printable back as Apache text.

A :class:`Directive` is a name and its words; a :class:`Section` adds a body. Both
remember where they were made (the caller's file and line), so a configuration built in
Python that Apache would refuse is refused with Apache's message, naming the Python
line instead of a config file line (:func:`check`). :func:`parse` reads Apache text
into objects without acting on anything (``<IfModule>`` stays a section, ``Include`` a
directive); :func:`render` prints objects as Apache text that reads back the same.

Typed builders with keyword arguments cover the directives people write most
(``RewriteRule``, ``Require``, ``Directory``...); :func:`directive` and :func:`section`
build any other.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from apachemw.config.parser import getword, logical_lines
from apachemw.errors import ConfigError

__all__ = [
    "Alias",
    "AuthBasic",
    "Directive",
    "Directory",
    "Else",
    "ElseIf",
    "Files",
    "FilesMatch",
    "Header",
    "If",
    "IfModule",
    "Location",
    "LocationMatch",
    "Node",
    "Redirect",
    "RedirectMatch",
    "Require",
    "RequireAll",
    "RequireAny",
    "RequireNone",
    "RewriteCond",
    "RewriteEngine",
    "RewriteRule",
    "Section",
    "SetEnv",
    "VirtualHost",
    "check",
    "directive",
    "parse",
    "render",
    "section",
]

_SPACE = " \t\n\v\f\r"


def _call_site() -> str:
    """The first frame outside apachemw: where a user built this object."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for frame in inspect.stack()[2:]:
        path = os.path.abspath(frame.filename)
        if not path.startswith(here + os.sep):
            return f"{frame.filename}:{frame.lineno}"
    return "<apachemw>"


@dataclass(frozen=True)
class Directive:
    """One configuration line: a name and its words."""

    name: str
    args: tuple[str, ...] = ()
    where: str = field(default="", compare=False)

    def to_apache(self, indent: int = 0) -> str:
        return render([self], indent)


@dataclass(frozen=True)
class Section:
    """A ``<Name args> ... </Name>`` block."""

    name: str
    args: tuple[str, ...] = ()
    body: tuple[Node, ...] = ()
    where: str = field(default="", compare=False)

    def to_apache(self, indent: int = 0) -> str:
        return render([self], indent)


Node = Directive | Section


# ------------------------------------------------------------------ building


def directive(name: str, *args: str, where: str | None = None) -> Directive:
    """Any directive: ``directive("Options", "-Indexes", "+FollowSymLinks")``."""
    return Directive(name, tuple(str(a) for a in args), where or _call_site())


def section(name: str, *args: str, body: Iterable[Node] = (), where: str | None = None) -> Section:
    """Any section: ``section("IfModule", "mod_rewrite.c", body=[...])``."""
    return Section(name, tuple(str(a) for a in args), tuple(body), where or _call_site())


def _flags(flags: str | Sequence[str]) -> tuple[str, ...]:
    if isinstance(flags, str):
        return (flags,) if flags else ()
    return (f"[{','.join(flags)}]",) if flags else ()


def RewriteEngine(on: bool = True) -> Directive:
    """``RewriteEngine On|Off``."""
    return Directive("RewriteEngine", ("On" if on else "Off",), _call_site())


def RewriteRule(pattern: str, substitution: str, flags: str | Sequence[str] = ()) -> Directive:
    """``RewriteRule pattern substitution [flags]``; ``flags`` as ``["R=301", "L"]`` or
    already bracketed text."""
    return Directive("RewriteRule", (pattern, substitution, *_flags(flags)), _call_site())


def RewriteCond(test: str, pattern: str, flags: str | Sequence[str] = ()) -> Directive:
    """``RewriteCond TestString CondPattern [flags]``."""
    return Directive("RewriteCond", (test, pattern, *_flags(flags)), _call_site())


def Alias(url: str, path: str) -> Directive:
    """``Alias URL-path file-path``."""
    return Directive("Alias", (url, path), _call_site())


def Redirect(url: str, target: str | None = None, status: str | int | None = None) -> Directive:
    """``Redirect [status] URL-path URL``."""
    words = ([str(status)] if status is not None else []) + [url]
    return Directive("Redirect", (*words, *([target] if target else [])), _call_site())


def RedirectMatch(
    pattern: str, target: str | None = None, status: str | int | None = None
) -> Directive:
    """``RedirectMatch [status] regex URL``."""
    words = ([str(status)] if status is not None else []) + [pattern]
    return Directive("RedirectMatch", (*words, *([target] if target else [])), _call_site())


def Require(*words: str, negate: bool = False) -> Directive:
    """``Require [not] entity-type args...``: ``Require("ip", "10.0.0.0/8")``."""
    return Directive("Require", (*(["not"] if negate else []), *words), _call_site())


def _container(name: str, args: tuple[str, ...], body: Iterable[Node]) -> Section:
    return Section(name, args, tuple(body), _call_site())


def RequireAll(*body: Node) -> Section:
    """``<RequireAll>``: ``RequireAll(Require("ip", "10.0.0.0/8"), Require("valid-user"))``."""
    return _container("RequireAll", (), body)


def RequireAny(*body: Node) -> Section:
    """``<RequireAny>``: ``RequireAny(Require("ip", "10.0.0.0/8"), Require("valid-user"))``."""
    return _container("RequireAny", (), body)


def RequireNone(*body: Node) -> Section:
    """``<RequireNone>``: ``RequireNone(Require("ip", "10.9.0.0/16"))``."""
    return _container("RequireNone", (), body)


def Directory(path: str, *body: Node) -> Section:
    """``<Directory>``: ``Directory("/srv/www", Require("all", "granted"))``."""
    return _container("Directory", (path,), body)


def Location(path: str, *body: Node) -> Section:
    """``<Location>``: ``Location("/admin", Require("ip", "10.0.0.0/8"))``."""
    return _container("Location", (path,), body)


def LocationMatch(pattern: str, *body: Node) -> Section:
    """``<LocationMatch>``: ``LocationMatch("^/api/v[12]/", Header("set", "X-API", "1"))``."""
    return _container("LocationMatch", (pattern,), body)


def Files(name: str, *body: Node) -> Section:
    """``<Files>``: ``Files("secret.txt", Require("all", "denied"))``."""
    return _container("Files", (name,), body)


def FilesMatch(pattern: str, *body: Node) -> Section:
    """``<FilesMatch>``: ``FilesMatch(r"\\.(bak|swp)$", Require("all", "denied"))``."""
    return _container("FilesMatch", (pattern,), body)


def If(expression: str, *body: Node) -> Section:
    """``<If>``: ``If("%{HTTPS} == 'off'", Redirect("/", "https://example.com/"))``."""
    return _container("If", (expression,), body)


def ElseIf(expression: str, *body: Node) -> Section:
    """``<ElseIf>``, after an ``If`` at the same level."""
    return _container("ElseIf", (expression,), body)


def Else(*body: Node) -> Section:
    """``<Else>``, after an ``If`` (or ``ElseIf``) at the same level."""
    return _container("Else", (), body)


def IfModule(module: str, *body: Node) -> Section:
    """``<IfModule>``: ``IfModule("mod_rewrite.c", RewriteEngine())``."""
    return _container("IfModule", (module,), body)


def VirtualHost(*addresses: str, body: Iterable[Node] = ()) -> Section:
    """``<VirtualHost>``: ``VirtualHost("*:80", body=[directive("ServerName", "x.test")])``."""
    return _container("VirtualHost", addresses, body)


def Header(
    action: str,
    name: str,
    value: str | None = None,
    *,
    always: bool = False,
    condition: str | None = None,
) -> Directive:
    """``Header [always] action header [value] [condition]``."""
    words = (["always"] if always else []) + [action, name]
    words += [value] if value is not None else []
    words += [condition] if condition else []
    return Directive("Header", tuple(words), _call_site())


def SetEnv(name: str, value: str | None = None) -> Directive:
    """``SetEnv``: ``SetEnv("APP_MODE", "production")``."""
    return Directive("SetEnv", (name, *([value] if value is not None else [])), _call_site())


def AuthBasic(realm: str, user_file: str, *requires: Node) -> list[Node]:
    """The usual Basic authentication block: AuthType, AuthName, AuthUserFile and the
    Require lines (``Require valid-user`` when none is given)."""
    where = _call_site()
    rules = list(requires) or [Directive("Require", ("valid-user",), where)]
    return [
        Directive("AuthType", ("Basic",), where),
        Directive("AuthName", (realm,), where),
        Directive("AuthUserFile", (user_file,), where),
        *rules,
    ]


# ------------------------------------------------------------------ text


def quote(word: str) -> str:
    """A word as it must be written to read back the same (ap_getword_conf)."""
    if word and not any(c in _SPACE or c in "\"'\\" for c in word) and word[0] != "#":
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(nodes: Iterable[Node], indent: int = 0) -> str:
    """Apache text for ``nodes`` (four spaces a level)."""
    lines: list[str] = []
    _render_into(lines, nodes, indent)
    return "".join(line + "\n" for line in lines)


def _render_into(lines: list[str], nodes: Iterable[Node], indent: int) -> None:
    pad = " " * (4 * indent)
    for node in nodes:
        words = " ".join(quote(a) for a in node.args)
        if isinstance(node, Section):
            lines.append(f"{pad}<{node.name}{' ' + words if words else ''}>")
            _render_into(lines, node.body, indent + 1)
            lines.append(f"{pad}</{node.name}>")
        else:
            lines.append(f"{pad}{node.name}{' ' + words if words else ''}")


def _words(text: str) -> tuple[str, ...]:
    out: list[str] = []
    pos = 0
    while pos < len(text):
        word, pos = getword(text, pos)
        if not word and pos >= len(text):
            break
        out.append(word)
    return tuple(out)


def parse(text: str, file: str = "<text>") -> list[Node]:
    """Apache text as objects, nothing acted on; a section left open or closed twice is
    a ConfigError naming the line."""
    root: list[Node] = []
    stack: list[tuple[str, tuple[str, ...], list[Node], str]] = []
    for line, number in logical_lines(text, file):
        if not line or line.startswith("#"):
            continue
        where = f"{file}:{number}"
        body = stack[-1][2] if stack else root
        if line.startswith("</"):
            name = line[2:].rstrip(">").strip(_SPACE)
            if not stack or stack[-1][0].lower() != name.lower():
                raise ConfigError(f"</{name}> without matching <{name}> section", file, number)
            opened, args, children, made = stack.pop()
            (stack[-1][2] if stack else root).append(Section(opened, args, tuple(children), made))
        elif line.startswith("<"):
            end = line.rfind(">")
            if end < 0:
                raise ConfigError(f"{line.split()[0]}> directive missing closing '>'", file, number)
            head = line[1:end]
            name, pos = getword(head)
            stack.append((name, _words(head[pos:]), [], where))
        else:
            name, pos = getword(line)
            body.append(Directive(name, _words(line[pos:]), where))
    if stack:
        name, _, _, made = stack[-1]
        raise ConfigError(f"<{name}> was not closed.", file, int(made.rsplit(":", 1)[1]))
    return root


# ------------------------------------------------------------------ checking


def check(nodes: Sequence[Node], *, prelude: str = "") -> None:
    """Refuse what Apache would refuse, as a config file would be refused, but naming
    where each object was made. ``prelude`` is text the objects follow (a server
    context they rely on, such as a DocumentRoot)."""
    from apachemw.config.site import load_site

    text, origins = _numbered(nodes, prelude)
    try:
        load_site(text=text, all_modules=True)
    except ConfigError as exc:
        where = origins.get(exc.line, "")
        if not where:
            raise
        file, _, line = where.rpartition(":")
        raise ConfigError(exc.message, file, int(line or 0), exc.directive) from None


def _numbered(nodes: Sequence[Node], prelude: str) -> tuple[str, dict[int, str]]:
    """The text and, per line of it, where the object on that line was made."""
    lines = prelude.splitlines()
    origins: dict[int, str] = {}

    def walk(items: Iterable[Node], indent: int) -> None:
        for node in items:
            origins[len(lines) + 1] = node.where
            rendered = render([node], indent).splitlines()
            if isinstance(node, Section):
                lines.append(rendered[0])
                walk(node.body, indent + 1)
                origins[len(lines) + 1] = node.where
                lines.append(rendered[-1])
            else:
                lines.extend(rendered)

    walk(nodes, 0)
    return "\n".join(lines) + "\n", origins

"""Small builders for directive rows, so module tables read like Apache's.

``accepted`` rows are process-level directives (Listen, PidFile, MPM tuning, ...)
that only matter to a real httpd process: apachemw reads them, checks them like
any directive, and leaves their effect to uvicorn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from apachemw.config.directives import Args, Cmd, Directive

__all__ = ["accepted", "is_accepted", "row"]


def row(
    name: str,
    args: Args,
    where: int,
    help_text: str,
    apply: Callable[[Cmd, Sequence[str]], None],
) -> Directive:
    return Directive(name=name, args=args, where=where, apply=apply, help=help_text)


def _ignore(cmd: Cmd, args: Sequence[str]) -> None:
    """A directive whose effect belongs to the server process, not to requests."""


def accepted(name: str, args: Args, where: int, help_text: str) -> Directive:
    return Directive(name=name, args=args, where=where, apply=_ignore, help=help_text)


def is_accepted(directive: Directive) -> bool:
    """Whether ``directive`` is an ``accepted`` row: read and checked, with no effect here."""
    return directive.apply is _ignore

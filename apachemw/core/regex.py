"""Compiling configuration regexes so they mean what Apache's PCRE means.

Apache compiles section and directive patterns with ``AP_REG_DOTALL`` and
``AP_REG_DOLLAR_ENDONLY`` by default (server/util_pcre.c, ``default_cflags``):
``.`` matches a newline and ``$`` only matches at the very end. Python's ``re``
lets ``$`` match before a final newline, so an unescaped ``$`` outside a
character class is rewritten to ``\\Z``.
"""

from __future__ import annotations

import functools
import re

__all__ = ["compile_pattern"]


def _dollar_end_only(source: str) -> str:
    out: list[str] = []
    in_class = False
    escaped = False
    for char in source:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            out.append(char)
            escaped = True
        elif in_class:
            out.append(char)
            in_class = char != "]"
        elif char == "[":
            out.append(char)
            in_class = True
        elif char == "$":
            out.append(r"\Z")
        else:
            out.append(char)
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def compile_pattern(source: str, icase: bool = False) -> re.Pattern[str]:
    """Compile once per distinct pattern; raises ``re.error`` on a bad pattern."""
    flags = re.DOTALL | (re.IGNORECASE if icase else 0)
    return re.compile(_dollar_end_only(source), flags)

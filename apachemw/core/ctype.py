"""Case folding as Apache's C locale does it: ap_str_tolower/ap_str_toupper and
apr_tolower change only the ASCII letters A-Z/a-z, where ``str.lower``/``str.upper``
would also fold other letters (``"İ".lower()`` is two characters)."""

from __future__ import annotations

import string

__all__ = ["ascii_lower", "ascii_upper"]

_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)


def ascii_lower(text: str) -> str:
    """``text`` with A-Z lowered and every other character kept."""
    return text.translate(_LOWER)


def ascii_upper(text: str) -> str:
    """``text`` with a-z raised and every other character kept."""
    return text.translate(_UPPER)

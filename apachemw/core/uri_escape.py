"""Apache's escaping helpers (server/util.c): ap_escape_uri and ap_escape_html."""

from __future__ import annotations

__all__ = ["escape_html", "escape_log_bytes", "escape_path_segment", "escape_uri", "is_url"]

# T_OS_ESCAPE_PATH in server/gen_test_char.c: everything but these is %-escaped,
# with lower-case hex as Apache's c2x writes it.
_PATH_SAFE = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789$-_.+!*'(),:;@&=/~"
)
_ESCAPES = {b: chr(b) if b in _PATH_SAFE else f"%{b:02x}" for b in range(256)}


def escape_uri(path: str) -> str:
    """ap_escape_uri: %-escape a decoded path (str from UTF-8 surrogateescape)."""
    raw = path.encode("utf-8", "surrogateescape")
    return "".join(_ESCAPES[b] for b in raw)


# T_ESCAPE_PATH_SEGMENT: the same set without "/" and ";", for one name in a path.
_SEGMENT_ESCAPES = {b: f"%{b:02x}" if b in (0x2F, 0x3B) else text for b, text in _ESCAPES.items()}


def escape_path_segment(name: str) -> str:
    """ap_escape_path_segment: %-escape one path segment (a file name)."""
    return "".join(_SEGMENT_ESCAPES[b] for b in name.encode("utf-8", "surrogateescape"))


def escape_html(text: str) -> str:
    """ap_escape_html: only & < > and " are escaped (not ')."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def is_url(text: str) -> bool:
    """ap_is_url: one or more of [A-Za-z0-9+.-] and then ':' (so "javascript:x" is one)."""
    colon = text.find(":")
    if colon <= 0:
        return False
    return all(c.isascii() and (c.isalnum() or c in "+-.") for c in text[:colon])


def escape_log_bytes(text: str, escapes: dict[int, str]) -> str:
    """ap_escape_logitem and ap_escape_errorlog_item: over the bytes of ``text``, the
    given escapes, then ``\\xhh`` for control bytes and bytes above 0x7e."""
    out: list[str] = []
    for byte in text.encode("utf-8", "surrogateescape"):
        if byte in escapes:
            out.append(escapes[byte])
        elif byte < 0x20 or byte >= 0x7F:
            out.append(f"\\x{byte:02x}")
        else:
            out.append(chr(byte))
    return "".join(out)

"""Request-target parsing and normalisation, as Apache httpd 2.4.71 does it.

Three Apache steps are reproduced, in Apache's order:

1. the request line check and ``apr_uri_parse`` (server/protocol.c ``ap_parse_request_line``,
   ``ap_parse_uri``): raw control bytes, relative targets, fragments and userinfo are refused
   with 400;
2. ``ap_normalize_path`` with ``AP_NORMALIZE_DECODE_UNRESERVED`` (server/request.c step 0):
   unreserved ``%xx`` are decoded *before* dot-segments are removed, so ``/%2e%2e/`` is a
   ``..``; climbing above ``/`` is a 400 (AH10244);
3. ``ap_unescape_url_ex`` (server/util.c): the rest is decoded; ``%00`` and, with
   ``AllowEncodedSlashes Off``, ``%2f`` give 404 (AH00026).

The functions are pure: bytes in, a :class:`Target` or a :class:`BadRequestTarget` out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from apachemw.errors import ApacheMWError

__all__ = ["BadRequestTarget", "Target", "normalize_path", "parse_target", "unescape_path"]

# RFC 3986 unreserved characters, the set ap_normalize_path decodes (T_URI_UNRESERVED).
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_HEX_BYTES = frozenset(bytes([c]) for c in _HEX)
_SLASH = 0x2F
_DOT = 0x2E
_PERCENT = 0x25
# apr_uri_parse: a scheme is a letter followed by letters, digits, "+", "-" or ".".
_SCHEME_RE = re.compile(rb"[A-Za-z][A-Za-z0-9+.\-]*:")
# strtol() as apr_uri_parse uses it on the port: optional sign, then at least one digit.
_PORT_RE = re.compile(rb"[+-]?[0-9]+")
_ENCODED_SLASH_MODES = ("off", "on", "nodecode")


class BadRequestTarget(ApacheMWError):
    """A request-target Apache refuses before any module sees it.

    ``status`` is Apache's answer (400 or 404); ``note`` the error-log line Apache writes,
    with its AH number, or ``""`` where Apache logs nothing at level info or above.
    """

    def __init__(self, status: int, note: str, uri: str | None = None) -> None:
        super().__init__(f"{status}: {note}" if note else str(status))
        self.status = status
        self.note = note
        # r->uri when the refusal came after the target was split (the access log's %U).
        self.uri = uri


@dataclass(frozen=True, slots=True)
class Target:
    """The parts of ``request_rec`` Apache derives from the request-target.

    ``uri`` is ``r->uri`` decoded from bytes as UTF-8 with ``surrogateescape`` (so
    ``os.fsencode(uri)`` gives back Apache's bytes); ``path_raw`` is the normalised path
    before ``%``-decoding, decoded the same way; ``args`` the raw query (``None`` without a
    ``?``); ``unparsed`` the target as received, as latin-1; ``hostname`` the host of an
    absolute-form target whose scheme is the server's own.
    """

    uri: str
    path_raw: str
    args: str | None
    unparsed: str
    hostname: str | None


@dataclass(slots=True)
class _Parsed:
    """What apr_uri_parse fills in that Apache looks at afterwards."""

    scheme: bytes | None = None
    hostname: bytes | None = None
    userinfo: bool = False
    path: bytes | None = None
    query: bytes | None = None
    fragment: bytes | None = None


def _log_excerpt(value: bytes) -> str:
    # Apache logs request-line parts with "%.*s" cut at the first ':' or 80 bytes
    # (protocol.c field_name_len).
    colon = value.find(b":")
    cut = colon if 0 <= colon <= 80 else 80
    return _escape_log(value[:cut])


def _escape_log(value: bytes) -> str:
    # The error log shows control and non-ASCII bytes as \xhh.
    return "".join(chr(b) if 0x20 <= b < 0x7F else f"\\x{b:02x}" for b in value)


def _bad_uri(uri: bytes) -> BadRequestTarget:
    return BadRequestTarget(
        400, f"AH03450: HTTP Request Line; Unable to parse URI: '{_log_excerpt(uri)}'"
    )


def _check_characters(raw: bytes) -> None:
    """Refuse what ap_parse_request_line refuses before parsing the target."""
    if not raw:
        raise BadRequestTarget(400, "AH03446: HTTP Request Line; Missing URI")
    # Only VCHAR and obs-text may appear (ap_scan_vchar_obstext): raw bytes >= 0x80 are
    # accepted, controls, DEL and whitespace are not.
    if any(b < 0x21 or b == 0x7F for b in raw):
        raise BadRequestTarget(
            400, f"AH03454: HTTP Request Line; URI incorrectly encoded: '{_log_excerpt(raw)}'"
        )


def _split_path(rest: bytes, parsed: _Parsed) -> None:
    """The path/query/fragment tail of apr_uri_parse."""
    end = len(rest)
    for i, byte in enumerate(rest):
        if byte in (0x3F, 0x23):  # '?' or '#'
            end = i
            break
    if end:
        parsed.path = rest[:end]
    if end == len(rest):
        return
    if rest[end] == 0x23:
        parsed.fragment = rest[end + 1 :]
        return
    query, hash_, fragment = rest[end + 1 :].partition(b"#")
    parsed.query = query
    if hash_:
        parsed.fragment = fragment


def _parse_host(hostinfo: bytes, parsed: _Parsed) -> bool:
    """Host and port of an authority, as apr_uri_parse splits them; False if malformed."""
    _, at, hostport = hostinfo.rpartition(b"@")
    parsed.userinfo = bool(at)
    if hostport.startswith(b"["):
        close = hostport.find(b"]")
        if close < 0:
            return False
        if hostport[close + 1 : close + 2] != b":":
            # apr strips one byte at each end when no port follows the "]".
            parsed.hostname = hostport[1:-1]
            return True
        parsed.hostname = hostport[1:close]
        port = hostport[close + 2 :]
    else:
        host, _, port = hostport.partition(b":")
        parsed.hostname = host
    return not port or _PORT_RE.fullmatch(port) is not None


def _apr_uri_parse(uri: bytes) -> _Parsed | None:
    """apr_uri_parse for a request-target (leading "//" already folded)."""
    parsed = _Parsed()
    if uri.startswith(b"/"):
        _split_path(uri, parsed)
        return parsed
    scheme = _SCHEME_RE.match(uri)
    rest = uri
    if scheme is not None:
        parsed.scheme = scheme.group()[:-1]
        rest = uri[scheme.end() :]
    if not rest.startswith(b"//"):
        # RFC 3986 3.3: without a scheme the first segment may not hold a ':'.
        if scheme is None and b":" in uri.partition(b"/")[0]:
            return None
        _split_path(rest, parsed)
        return parsed
    rest = rest[2:]
    end = len(rest)
    for i, byte in enumerate(rest):
        if byte in (0x2F, 0x3F, 0x23):
            end = i
            break
    if not _parse_host(rest[:end], parsed):
        return None
    _split_path(rest[end:], parsed)
    return parsed


def _parse_connect(uri: bytes) -> _Parsed | None:
    """apr_uri_parse_hostinfo: CONNECT targets are "host:port", nothing else."""
    parsed = _Parsed()
    if uri.startswith(b"["):
        close = uri.find(b"]")
        if close < 0 or uri[close + 1 : close + 2] != b":":
            return None
        parsed.hostname, port = uri[1:close], uri[close + 2 :]
    else:
        host, colon, port = uri.partition(b":")
        if not colon:
            return None
        parsed.hostname = host
    return parsed if _PORT_RE.fullmatch(port) else None


def _parse_request_uri(raw: bytes, method: str) -> _Parsed:
    """ap_parse_uri plus the request-line checks made right after it."""
    uri = raw
    # ap_parse_uri: a leading "//" is a path, not an authority (PR 31875).
    while uri.startswith(b"//"):
        uri = uri[1:]
    parsed = _parse_connect(uri) if method == "CONNECT" else _apr_uri_parse(uri)
    if parsed is None:
        raise _bad_uri(uri)
    path = parsed.path
    # RFC 7230 5.3: origin-form must start with "/"; "*" only for OPTIONS.
    if (
        path is not None
        and not path.startswith(b"/")
        and not (method == "OPTIONS" and path == b"*")
    ):
        raise _bad_uri(path)
    # HttpProtocolOptions Strict (the default).
    split = None if path is None else path.decode("latin-1")
    if parsed.fragment is not None:
        raise BadRequestTarget(
            400, "AH02421: HTTP Request Line; URI must not contain a fragment", split
        )
    if parsed.userinfo:
        raise BadRequestTarget(
            400, "AH02422: HTTP Request Line; URI must not contain a username/password", split
        )
    # ap_post_read_request: only http and https absolute targets (no forward proxy here);
    # Apache answers 400 without logging anything.
    if parsed.scheme is not None and parsed.scheme.lower() not in (b"http", b"https"):
        raise BadRequestTarget(400, "")
    return parsed


def _decode_unreserved_at(buf: bytearray, i: int) -> tuple[int, bool]:
    """At a '%' in ap_normalize_path: decode it in place if it names an unreserved char.

    Returns the read position to go on from (the decoded byte is then handled as if it had
    been there all along, as Apache does) and whether the escape was well formed.
    """
    pair = buf[i + 1 : i + 3]
    if len(pair) < 2 or pair[0] not in _HEX or pair[1] not in _HEX:
        return i, False
    char = int(pair, 16)
    if char in _UNRESERVED:
        buf[i + 2] = char
        return i + 2, True
    return i, True


def _is_dot_dot(buf: bytearray, i: int, decode: bool) -> int:
    """If buf[i] (a '.') starts a ".." segment, the index of its last byte, else -1.

    With decoding on, the second dot may still be "%2e": the first one was decoded by the
    caller, the second one not yet (ap_normalize_path looks ahead for it).
    """
    n = i + 1
    if n < len(buf) and buf[n] == _DOT:
        end = n
    elif decode and buf[n : n + 3].lower() == b"%2e":
        end = n + 2
    else:
        return -1
    return end if end + 1 >= len(buf) or buf[end + 1] == _SLASH else -1


def normalize_path(
    path: bytes, *, merge_slashes: bool, decode_unreserved: bool, not_above_root: bool = True
) -> tuple[bytes, bool]:
    """ap_normalize_path: drop "." segments, resolve "..", merge "//", decode unreserved.

    Returns the new path and whether it was valid (a bad escape, or ".." above the root
    when ``not_above_root``). Apache keeps normalising after an error, and so do we, so the
    path is meaningful even when the flag is False.
    """
    if path == b"*":
        return path, True
    if not path.startswith(b"/"):
        return path, False
    buf = bytearray(path)
    out = bytearray(b"/")
    ok = True
    i = 1
    while i < len(buf):
        if decode_unreserved and buf[i] == _PERCENT:
            i, good = _decode_unreserved_at(buf, i)
            ok = ok and good
        if out[-1:] == b"/":
            step = _segment_start(buf, i, out, merge_slashes, decode_unreserved)
            if step is not None:
                i, climbed_ok = step
                ok = ok and (climbed_ok or not not_above_root)
                continue
        out.append(buf[i])
        i += 1
    return bytes(out), ok


def _segment_start(
    buf: bytearray, i: int, out: bytearray, merge_slashes: bool, decode: bool
) -> tuple[int, bool] | None:
    """Handle a byte that starts a segment; None when it is an ordinary byte.

    Returns the next read position and False when a ".." tried to climb above "/".
    """
    if merge_slashes and buf[i] == _SLASH:
        while i < len(buf) and buf[i] == _SLASH:
            i += 1
        return i, True
    if buf[i] != _DOT:
        return None
    if i + 1 >= len(buf) or buf[i + 1] == _SLASH:
        return i + 2, True
    end = _is_dot_dot(buf, i, decode)
    if end < 0:
        return None
    if len(out) > 1:
        # Drop the previous segment and its trailing slash, keep the slash before it.
        del out[-1]
        while len(out) > 1 and out[-1] != _SLASH:
            del out[-1]
        climbed = True
    else:
        climbed = False
    return end + 2, climbed


def unescape_path(path: bytes, *, forbid_slashes: bool, keep_slashes: bool) -> bytes | int:
    """ap_unescape_url_ex with AP_UNESCAPE_URL_KEEP_UNRESERVED: the decoded bytes, or the
    error status (400 for a bad escape, 404 for %00 or a forbidden %2f).

    Like Apache, all the string is scanned; a bad escape wins over a forbidden byte.
    """
    out = bytearray()
    bad_escape = bad_path = False
    i = 0
    while i < len(path):
        byte = path[i]
        if byte != _PERCENT:
            out.append(byte)
            i += 1
            continue
        if path[i + 1 : i + 2] not in _HEX_BYTES or path[i + 2 : i + 3] not in _HEX_BYTES:
            bad_escape = True
            out.append(byte)
            i += 1
            continue
        char = int(path[i + 1 : i + 3], 16)
        if char == 0 or (forbid_slashes and char == _SLASH):
            bad_path = True
            out.append(char)
        elif char in _UNRESERVED or (keep_slashes and char == _SLASH):
            out += path[i : i + 3]
        else:
            out.append(char)
        i += 3
    if bad_escape:
        return 400
    return 404 if bad_path else bytes(out)


def _decode(value: bytes) -> str:
    return value.decode("utf-8", "surrogateescape")


def _normalise(
    path: bytes, raw: bytes, merge_slashes: bool, encoded_slashes: str
) -> tuple[bytes, bytes]:
    """Steps 0 and 3 of ap_process_request_internal: (normalised, decoded) path."""
    normal, ok = normalize_path(path, merge_slashes=merge_slashes, decode_unreserved=True)
    if not ok:
        raise BadRequestTarget(400, f"AH10244: invalid URI path ({_escape_log(raw)})")
    decoded = unescape_path(
        normal,
        forbid_slashes=encoded_slashes == "off",
        keep_slashes=encoded_slashes == "nodecode",
    )
    if decoded == 404:
        # Apache logs AH00026 for every 404 here while AllowEncodedSlashes is Off, even
        # when the culprit was %00 and not %2f.
        note = ""
        if encoded_slashes == "off":
            note = (
                f"AH00026: found %2f (encoded '/') in URI path ({_escape_log(raw)}), returning 404"
            )
        raise BadRequestTarget(404, note)
    if isinstance(decoded, int):
        raise BadRequestTarget(decoded, "")
    if encoded_slashes == "on":
        # Decoded slashes can make new "//", "/./" or "/../": Apache normalises again,
        # without decoding and ignoring the verdict (request.c after ap_unescape_url_ex).
        decoded, _ = normalize_path(decoded, merge_slashes=merge_slashes, decode_unreserved=False)
    return normal, decoded


# A target made only of these, starting with "/", with no "//", "/." or "%":
# normalising and decoding leave it unchanged, so the common case skips both.
# Each segment must be followed by "/" before the next begins, so a run of letters can
# be split only one way: the match is linear (an optional "/" between repeated segments
# backtracks exponentially on "/aaaa...!" and hangs the worker).
_SEGMENT = rb"[A-Za-z0-9_~\-][A-Za-z0-9_~.\-]*"
_PLAIN = re.compile(rb"/(?:" + _SEGMENT + rb"(?:/" + _SEGMENT + rb")*/?)?(?:\?[\x21-\x7e]*)?\Z")


def _plain_target(raw: bytes, method: str) -> Target | None:
    if method == "CONNECT" or _PLAIN.match(raw) is None or b"#" in raw:
        return None
    path, sep, query = raw.partition(b"?")
    text = path.decode("ascii")
    unparsed = raw.decode("latin-1")
    return Target(text, text, query.decode("latin-1") if sep else None, unparsed, None)


def parse_target(
    raw: bytes,
    method: str,
    *,
    merge_slashes: bool = True,
    allow_encoded_slashes: str = "off",
    scheme: str = "http",
) -> Target:
    """Parse and normalise a request-target as Apache 2.4.71 does.

    ``allow_encoded_slashes`` is the AllowEncodedSlashes value ("off", "on", "nodecode");
    ``scheme`` is the server's own scheme: only an absolute-form target with that scheme
    sets ``hostname`` (ap_parse_uri compares it with ap_http_scheme).
    Raises :class:`BadRequestTarget` for everything Apache refuses here.
    """
    mode = allow_encoded_slashes.lower()
    if mode not in _ENCODED_SLASH_MODES:
        raise ValueError(f"allow_encoded_slashes must be one of {_ENCODED_SLASH_MODES}")
    plain = _plain_target(raw, method)
    if plain is not None:
        return plain
    return _parse_general(raw, method, merge_slashes, mode, scheme)


def _parse_general(raw: bytes, method: str, merge_slashes: bool, mode: str, scheme: str) -> Target:
    """Every target the plain fast path does not take."""
    _check_characters(raw)
    unparsed = raw.decode("latin-1")
    parsed = _parse_request_uri(raw, method)
    hostname = None
    if parsed.hostname is not None and (
        method == "CONNECT" or (parsed.scheme or b"").lower() == scheme.lower().encode()
    ):
        hostname = parsed.hostname.decode("latin-1")
    args = None if parsed.query is None else parsed.query.decode("latin-1")
    if parsed.path is None:
        # No path in the target ("http://host", "?x"): Apache serves "/" ("*" for OPTIONS).
        default = "*" if method == "OPTIONS" else "/"
        return Target(default, default, args, unparsed, hostname)
    normal, decoded = _normalise(parsed.path, raw, merge_slashes, mode)
    return Target(_decode(decoded), _decode(normal), args, unparsed, hostname)

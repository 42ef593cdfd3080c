"""Compare one recorded Apache answer with another answer (live re-recording or apachemw).

A result is a dict shaped like a stored case: `status`, `headers` ([[name, value], ...]),
`body_b64` (or raw `body` bytes), `log` (the access-log line) and optionally `error_log`
(list of lines) and `root` (the real directory that stands for `{root}`).

Compared: the status code (not the reason phrase: ASGI cannot carry one), every header
except the per-connection or product-identity ones, the body byte for byte, the access-log
line with only its `[%t]` field masked, and, when the actual result carries them, the
error-log lines with time, pid/tid and client port masked. A case recorded with
``volatile_body`` (server-status) has its body, Content-Length and logged size left
out. Access-log items a suite
marks as volatile (``{~...~}``) are compared by shape only.
"""

from __future__ import annotations

import base64
import re
from typing import Any

__all__ = ["IGNORED_HEADERS", "ROOT_TOKEN", "differences", "mask_error_line", "mask_log_time"]

ROOT_TOKEN = "{root}"

# Date: per request; Server: product identity; Connection/Keep-Alive/Transfer-Encoding:
# per-connection framing (a WSGI app may not even send hop-by-hop headers; PEP 3333).
IGNORED_HEADERS = frozenset({"date", "server", "connection", "keep-alive", "transfer-encoding"})

BOUNDARY_TOKEN = "{boundary}"
_BOUNDARY = re.compile(r'boundary="?([^";,\s]+)"?', re.IGNORECASE)
_LOG_TIME = re.compile(r" \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] ")
# Access-log items that change with every request (times, durations, process and thread
# ids, the client's and the listener's ports): a suite's LogFormat writes each between
# "{~" and "~}" (log_config), and only its shape is compared: every run of letters and
# digits (with the base64 of log ids, + and /) stands for any such run; the punctuation
# between them must match.
_LOG_VOLATILE = re.compile(r"\{~(.*?)~\}")
_ALNUM = re.compile(r"[0-9A-Za-z+/]+")
_LOG_BYTES = re.compile(r'" (\d{3}) (\d+) "')
_ERR_TIME = re.compile(r"^\[[^\]]*\d{4}\] ")
_ERR_PID = re.compile(r"\[pid \d+(?::tid \d+)?\]")
_ERR_CLIENT = re.compile(r"\[(client|remote) ([0-9a-fA-F.:]+):\d+\]")


def mask_log_time(line: str) -> str:
    line = _LOG_VOLATILE.sub(lambda m: "{~" + _ALNUM.sub("w", m[1]) + "~}", line)
    return _LOG_TIME.sub(" [*] ", line, count=1)


def mask_error_line(line: str) -> str:
    line = _ERR_TIME.sub("[*] ", line, count=1)
    line = _ERR_PID.sub("[pid *]", line, count=1)
    return _ERR_CLIENT.sub(r"[\1 \2:*]", line, count=1)


def _body(result: dict[str, Any]) -> bytes:
    if "body" in result:
        body: bytes = result["body"]
        return body
    return base64.b64decode(result.get("body_b64", ""))


def _unroot(text: str, result: dict[str, Any]) -> str:
    root = result.get("root")
    return text.replace(root, ROOT_TOKEN) if root else text


def _headers(result: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in result["headers"]:
        if name.lower() not in IGNORED_HEADERS:
            out.setdefault(name.lower(), []).append(_unroot(value, result))
    return out


def _boundary(headers: dict[str, list[str]]) -> str | None:
    for ctype in headers.get("content-type", []):
        if ctype.lower().startswith("multipart/byteranges"):
            m = _BOUNDARY.search(ctype)
            if m:
                return m.group(1)
    return None


def _normalised(result: dict[str, Any]) -> tuple[dict[str, list[str]], bytes, str]:
    headers = _headers(result)
    body = _body(result)
    log = mask_log_time(_unroot(result.get("log", ""), result))
    root = result.get("root")
    if root:
        body = body.replace(root.encode(), ROOT_TOKEN.encode())
    count = body.count(ROOT_TOKEN.encode())
    if count:
        # A body naming the document root (a leaked filesystem path): the real
        # root differs in length between the recording and the replay, so the
        # Content-Length and the logged %b of a whole body are normalised to the
        # body with the {root} placeholder, like the boundary below.
        lengths = headers.get("content-length", [])
        if lengths and (int(lengths[0]) - len(body)) % count == 0:
            full = lengths[0]
            headers["content-length"] = [str(len(body))]
            log = _LOG_BYTES.sub(
                lambda m: f'" {m[1]} {len(body) if m[2] == full else m[2]} "', log, count=1
            )
    boundary = _boundary(headers)
    if boundary:
        # Apache's boundary is hex without leading zeros, so its length (and with it
        # Content-Length and the logged %b) varies per response: normalise all three.
        delta = (len(BOUNDARY_TOKEN) - len(boundary)) * body.count(boundary.encode())
        headers["content-type"] = [
            v.replace(boundary, BOUNDARY_TOKEN) for v in headers["content-type"]
        ]
        body = body.replace(boundary.encode(), BOUNDARY_TOKEN.encode())
        for i, length in enumerate(headers.get("content-length", [])):
            headers["content-length"][i] = str(int(length) + delta)
        log = _LOG_BYTES.sub(lambda m: f'" {m[1]} {int(m[2]) + delta} "', log, count=1)
    if "allow" in headers:
        # Apache builds Allow from a hash table: the order means nothing.
        methods = {m.strip() for v in headers["allow"] for m in v.split(",") if m.strip()}
        headers["allow"] = [", ".join(sorted(methods))]
    return headers, body, log


def _header_differences(exp: dict[str, list[str]], act: dict[str, list[str]]) -> list[str]:
    diffs = []
    for name in sorted(exp.keys() | act.keys()):
        if name not in act:
            diffs.append(f"header {name}: missing (expected {exp[name]!r})")
        elif name not in exp:
            diffs.append(f"header {name}: not sent by Apache (got {act[name]!r})")
        elif exp[name] != act[name]:
            diffs.append(f"header {name}: expected {exp[name]!r}, got {act[name]!r}")
    return diffs


def _body_difference(exp: bytes, act: bytes) -> list[str]:
    if exp == act:
        return []
    at = next(
        (i for i, (a, b) in enumerate(zip(exp, act, strict=False)) if a != b),
        min(len(exp), len(act)),
    )
    return [
        f"body: {len(exp)} bytes expected, {len(act)} got, first difference at {at}: "
        f"expected {exp[at : at + 60]!r}, got {act[at : at + 60]!r}"
    ]


def _log_differences(
    expected: dict[str, Any], actual: dict[str, Any], exp_log: str, act_log: str
) -> list[str]:
    diffs = []
    if exp_log != act_log:
        diffs.append(f"access log: expected {exp_log!r}, got {act_log!r}")
    if "error_log" in actual:
        exp_err = [mask_error_line(_unroot(x, expected)) for x in expected.get("error_log", [])]
        act_err = [mask_error_line(_unroot(x, actual)) for x in actual["error_log"]]
        if exp_err != act_err:
            diffs.append(f"error log: expected {exp_err!r}, got {act_err!r}")
    return diffs


def _offset(value: str, reference: float) -> int | None:
    from email.utils import parsedate_to_datetime

    try:
        return int(parsedate_to_datetime(value).timestamp() - reference)
    except (TypeError, ValueError):
        return None


def _relative_expires(
    expected: dict[str, Any],
    exp_headers: dict[str, list[str]],
    actual: dict[str, Any],
    act_headers: dict[str, list[str]],
) -> None:
    """Expires is a date counted from the request (mod_expires): compare how far after
    the response's Date it lies — Apache's Date for the recording, the replay's clock
    (or its Date) for ours — allowing the second that may tick in between."""
    if "expires" not in exp_headers or "expires" not in act_headers:
        return
    exp_date = next((v for n, v in expected["headers"] if n.lower() == "date"), None)
    act_date = next((v for n, v in actual["headers"] if n.lower() == "date"), None)
    exp_ref = _offset(exp_date, 0) if exp_date else None
    act_ref = _offset(act_date, 0) if act_date else actual.get("sent_at")
    if exp_ref is None or act_ref is None:
        return
    exp_off = [_offset(v, exp_ref) for v in exp_headers["expires"]]
    act_off = [_offset(v, float(act_ref)) for v in act_headers["expires"]]
    if len(exp_off) == len(act_off) and all(
        e is not None and a is not None and abs(e - a) <= 2
        for e, a in zip(exp_off, act_off, strict=False)
    ):
        exp_headers["expires"] = act_headers["expires"] = [f"Date+{e}s" for e in exp_off]


def _mask_volatile(headers: dict[str, list[str]], log: str) -> tuple[bytes, str]:
    """A case whose body changes with every answer (``volatile_body``): neither the body
    nor its size is compared — not even whether a Content-Length was sent, since Apache
    sends a large page (over its 8000-byte write buffer) chunked instead."""
    headers.pop("content-length", None)
    return b"", _LOG_BYTES.sub(lambda m: f'" {m[1]} * "', log, count=1)


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Every way `actual` differs from the recorded `expected`; empty when they agree."""
    diffs = []
    if expected["status"] != actual["status"]:
        diffs.append(f"status: expected {expected['status']}, got {actual['status']}")
    exp_headers, exp_body, exp_log = _normalised(expected)
    act_headers, act_body, act_log = _normalised(actual)
    _relative_expires(expected, exp_headers, actual, act_headers)
    if expected.get("volatile_body"):
        exp_body, exp_log = _mask_volatile(exp_headers, exp_log)
        act_body, act_log = _mask_volatile(act_headers, act_log)
    diffs += _header_differences(exp_headers, act_headers)
    diffs += _body_difference(exp_body, act_body)
    diffs += _log_differences(expected, actual, exp_log, act_log)
    return diffs

"""Validators, conditional requests, byte ranges, dates and Allow, as Apache 2.4.71 does them.

Sources reproduced (behaviour, not code): modules/http/http_etag.c (ETag),
modules/http/http_protocol.c (ap_meets_conditions and the ap_condition_* helpers, make_allow),
server/util.c (find_list_item, the ETag list matcher), apr_date_parse_http (dates) and
modules/http/byterange_filter.c (Range). Everything here is pure.
"""

from __future__ import annotations

import calendar
import re
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "DAY_NAMES",
    "DAY_NAMES_LONG",
    "MONTH_NAMES",
    "MONTH_NAMES_LONG",
    "RangePlan",
    "allow_header",
    "find_etag",
    "http_date",
    "if_range_allows",
    "invalid_header",
    "make_boundary",
    "make_etag",
    "make_mtime_etag",
    "meets_conditions",
    "multipart_parts",
    "parse_http_date",
    "parse_strict_length",
    "plan_ranges",
]

# The C locale's names (apr_day_snames, apr_month_snames), in struct_time's order:
# tm_wday 0 is Monday, tm_mon 1 is January.
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_NAMES_LONG = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES_LONG = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_C_SPACE = " \t\n\v\f\r"


def http_date(ts: float) -> str:
    """IMF-fixdate in GMT, the form Apache writes in Date and Last-Modified."""
    t = time.gmtime(int(ts // 1))
    return (
        f"{DAY_NAMES[t.tm_wday]}, {t.tm_mday:02d} {MONTH_NAMES[t.tm_mon - 1]} {t.tm_year:04d} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT"
    )


# apr_date_parse_http's masks: '#' digit, '@' upper-case letter, '$' lower-case letter,
# '~' space or digit; the trailing '*' of each mask lets anything follow (the zone is not
# even read).
_RFC1123 = re.compile(r"(\d\d) ([A-Z][a-z][a-z]) (\d\d)(\d\d) (\d\d):(\d\d):(\d\d) ")
_RFC850 = re.compile(r"(\d\d)-([A-Z][a-z][a-z])-()(\d\d) (\d\d):(\d\d):(\d\d) ")
_ASCTIME = re.compile(r"([A-Z][a-z][a-z]) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d\d)(\d\d)")
_RFC1123_1 = re.compile(r"(\d) ([A-Z][a-z][a-z]) (\d\d)(\d\d) (\d\d):(\d\d):(\d\d) ")


def _date_fields(date: str) -> tuple[int, str, int, int, int, int] | None:
    """(mday, month name, year, hour, minute, second) from the text after the weekday."""
    for mask in (_RFC1123, _RFC850):
        m = mask.match(date)
        if m:
            mday, mon, cent, yy, hh, mi, ss = m.groups()
            if mask is _RFC850:
                year = 1900 + int(yy) + (100 if int(yy) < 70 else 0)
            else:
                year = int(cent + yy)
            return int(mday), mon, year, int(hh), int(mi), int(ss)
    m = _ASCTIME.match(date)
    if m:
        mon, mday, hh, mi, ss, cent, yy = m.groups()
        return int(mday.strip() or 0), mon, int(cent + yy), int(hh), int(mi), int(ss)
    m = _RFC1123_1.match(date)
    if m:
        mday, mon, cent, yy, hh, mi, ss = m.groups()
        return int(mday), mon, int(cent + yy), int(hh), int(mi), int(ss)
    return None


def _valid_day(mday: int, month: int, year: int) -> bool:
    if not 0 < mday <= 31 or (mday == 31 and month in (4, 6, 9, 11)):
        return False
    return month != 2 or mday <= (29 if calendar.isleap(year) else 28)


def parse_http_date(value: str) -> int | None:
    """apr_date_parse_http: seconds since the epoch, or None where APR says APR_DATE_BAD.

    Accepts RFC 1123 (also with a one-digit day), RFC 850 and asctime forms. Like APR it
    skips everything up to the first space (the weekday is never checked), ignores what
    follows the time (the zone), allows seconds up to 61 and refuses years before 1970
    (and before 1900 for four-digit years).
    """
    date = value.lstrip(_C_SPACE)
    space = date.find(" ")
    if not date or space < 0:
        return None
    fields = _date_fields(date[space + 1 :])
    if fields is None:
        return None
    mday, mon, year, hour, minute, second = fields
    if year < 1900 or hour > 23 or minute > 59 or second > 61 or mon not in MONTH_NAMES:
        return None
    month = MONTH_NAMES.index(mon) + 1
    if not _valid_day(mday, month, year):
        return None
    seconds = calendar.timegm((year, month, mday, 0, 0, 0)) + hour * 3600 + minute * 60 + second
    return seconds if seconds >= 0 else None


def make_etag(
    size: int,
    mtime_ns: int,
    inode: int,
    request_time: float,
    components: frozenset[str],
    vlist: str | None = None,
) -> str | None:
    """The ETag Apache's default handler sends for a file (http_etag.c), None for FileETag None.

    Parts in Apache's order (inode, size, mtime in microseconds), lower-case hex without
    leading zeros, joined with "-". Weak ("W/") when the request started less than one
    second after the file's mtime (or before it): the file could still change within that
    second. ``vlist`` is a negotiated response's variant list validator (itself an ETag):
    it is joined on after ";", and a weak one makes the whole tag weak.
    """
    parts = [
        value
        for name, value in (("inode", inode), ("size", size), ("mtime", mtime_ns // 1000))
        if name in components
    ]
    if not parts:
        return None
    weak = int(request_time * 1_000_000) - mtime_ns // 1000 < 1_000_000
    body = "-".join(format(value, "x") for value in parts)
    if vlist:
        vlv_weak, suffix = _vlist_suffix(vlist)
        return f'{"W/" if weak or vlv_weak else ""}"{body};{suffix}'
    return f'{"W/" if weak else ""}"{body}"'


def _vlist_suffix(vlist: str) -> tuple[bool, str]:
    """What http_etag.c appends for a variant list validator: the tag without its
    opening quote and, through an off-by-one in its copy (apr_cpystrn is given the
    length, not the length plus one), without its closing quote either. Apache sends
    such an unterminated tag (recorded: ``"24-60e78729e93c0;60e3e7d4b7980``)."""
    weak = vlist.startswith("W")
    inner = vlist[3:] if weak else vlist[1:]
    return weak, inner[:-1]


def make_mtime_etag(mtime_ns: int, request_time: float, vlist: str | None = None) -> str:
    """The ETag http_etag.c makes for something that is not a file (a MultiViews
    resource's own, missing, name): the mtime alone, weak within a second of it, and
    any variant list validator the request already carries joined on."""
    weak = int(request_time * 1_000_000) - mtime_ns // 1000 < 1_000_000
    if vlist:
        vlv_weak, suffix = _vlist_suffix(vlist)
        return f'{"W/" if weak or vlv_weak else ""}"{mtime_ns // 1000:x};{suffix}'
    return f'{"W/" if weak else ""}"{mtime_ns // 1000:x}"'


@dataclass(slots=True)
class _ListScan:
    """find_list_item's state; Apache does not reset it between list items."""

    line: str
    ptr: int = 0
    in_qpair: bool = False
    in_qstr: bool = False
    in_com: int = 0
    addspace: int = 0


def _skip_prefix(text: str, at: int, weak: bool) -> int | None:
    """Position of the opening quote of a tag at ``at`` (after "W/" when weak), or None."""
    if weak and text.startswith('W/"', at):
        return at + 2
    return at if text.startswith('"', at) else None


def _scan_char(scan: _ListScan, tok: str, pos: int, good: bool) -> tuple[int, bool]:
    """One byte of find_list_item: lower-case compare outside quotes, spaces folded."""
    c = scan.line[scan.ptr]

    def eat(expected: str) -> bool:
        nonlocal pos
        ok = tok[pos : pos + 1] == expected
        pos += 1
        return ok

    def eat_folded() -> bool:
        nonlocal pos
        ok = tok[pos : pos + 1].lower() == c.lower()
        pos += 1
        return ok

    if scan.in_qpair:
        scan.in_qpair = False
        return (pos + 1, tok[pos : pos + 1] == c) if good else (pos, good)
    if c in '\\"(':
        if c == "\\":
            scan.in_qpair = True
        elif c == '"' and not scan.in_com:
            scan.in_qstr = not scan.in_qstr
        elif c == "(" and not scan.in_qstr:
            scan.in_com += 1
        if scan.addspace == 1:
            good = good and eat(" ")
        good = good and eat(c)
        scan.addspace = 0
    elif c == ")":
        scan.in_com = max(scan.in_com - 1, 0)
        good = good and eat(c)
        scan.addspace = 0
    elif c in " \t":
        if scan.addspace or not good:
            return pos, good
        if scan.in_com or scan.in_qstr:
            good = eat(c)
        else:
            scan.addspace = 1
    elif c in "=/;":
        if not (scan.in_com or scan.in_qstr):
            scan.addspace = -1
        good = good and eat(c)
    elif good:
        if scan.addspace == 1:
            good = eat(" ")
        # Case is folded outside quoted strings and comments only.
        good = good and (eat(c) if scan.in_com or scan.in_qstr else eat_folded())
        scan.addspace = 0
    return pos, good


def find_etag(line: str, etag: str, *, weak: bool) -> bool:
    """ap_find_etag_weak/ap_find_etag_strong: is ``etag`` in the If-(None-)Match list?

    Strong comparison refuses weak tags on either side and stops at the first list item
    that is not a quoted tag; weak comparison drops "W/" on both sides.
    """
    start = _skip_prefix(etag, 0, weak)
    if start is None:
        return False
    tok = etag[start:]
    scan = _ListScan(line)
    good = False
    while scan.ptr < len(line) and not good:
        while scan.ptr < len(line) and (line[scan.ptr] == "," or line[scan.ptr] in _C_SPACE):
            scan.ptr += 1
        at = _skip_prefix(line, scan.ptr, weak)
        if at is None or at >= len(line):
            break
        scan.ptr, good, pos = at, True, 0
        while scan.ptr < len(line) and (
            scan.in_qpair or scan.in_qstr or scan.in_com or line[scan.ptr] != ","
        ):
            pos, good = _scan_char(scan, tok, pos, good)
            scan.ptr += 1
        good = good and pos >= len(tok)
    return good


# ap_condition_e
_NONE, _NOMATCH, _WEAK, _STRONG = 0, 1, 2, 3


def _time_condition(holds: bool, mtime: int, reqtime: int, has_range: bool) -> int:
    # A date validator within 60 s of the mtime is weak, and weak matches are refused
    # when a Range header is present (http_protocol.c).
    if not holds:
        return _NOMATCH
    if reqtime < mtime + 60:
        return _NOMATCH if has_range else _WEAK
    return _STRONG


def _date(headers: Mapping[str, str], name: str) -> int:
    # Apache works on apr_time_sec(apr_date_parse_http(x)), where a bad date is 0.
    return parse_http_date(headers[name]) or 0


def _if_match(headers: Mapping[str, str], etag: str | None) -> int:
    value = headers.get("if-match")
    if value is None:
        return _NONE
    if value.startswith("*") or (etag is not None and find_etag(value, etag, weak=False)):
        return _STRONG
    return _NOMATCH


def _if_unmodified_since(headers: Mapping[str, str], mtime: int, reqtime: int) -> int:
    if "if-unmodified-since" not in headers:
        return _NONE
    ius = _date(headers, "if-unmodified-since")
    # STRONG/WEAK here mean "was modified since", i.e. the precondition failed.
    modified = ius != 0 and mtime > ius
    return _time_condition(modified, mtime, reqtime, "range" in headers)


def _if_none_match(headers: Mapping[str, str], etag: str | None, is_get: bool) -> int:
    value = headers.get("if-none-match")
    if value is None:
        return _NONE
    if value.startswith("*"):
        return _STRONG
    if etag is None:
        return _NOMATCH
    if is_get and "range" not in headers:
        return _WEAK if find_etag(value, etag, weak=True) else _NOMATCH
    return _STRONG if find_etag(value, etag, weak=False) else _NOMATCH


def _if_modified_since(headers: Mapping[str, str], mtime: int, reqtime: int) -> int:
    if "if-modified-since" not in headers:
        return _NONE
    ims = _date(headers, "if-modified-since")
    # A date later than the request time is invalid (and so is a bad date: it is 0).
    unchanged = mtime <= ims <= reqtime
    return _time_condition(unchanged, mtime, reqtime, "range" in headers)


def _if_range(headers: Mapping[str, str], etag: str | None, mtime: int, reqtime: int) -> int:
    value = headers.get("if-range")
    if value is None or "range" not in headers:
        return _NONE
    if value.startswith('"'):
        return _STRONG if etag is not None and value == etag else _NOMATCH
    # A date If-Range must be exact and strong: weak (recent) mtimes never match.
    same = _date(headers, "if-range") == mtime
    return _time_condition(same, mtime, reqtime, True)


def meets_conditions(
    method: str,
    headers: Mapping[str, str],
    *,
    etag: str | None,
    mtime: int,
    request_time: float,
    status: int = 200,
) -> int | None:
    """ap_meets_conditions: 412, 304, or None to go on. ``headers`` keys are lower-case.

    ``mtime`` is the Last-Modified time in seconds. Apache's order and its AND semantics:
    If-Match (412), If-Unmodified-Since (412), If-None-Match (304 for GET/HEAD, 412
    otherwise), If-Modified-Since; a 304 needs every INM/IMS/IUS present to agree, and a
    valid If-Range with a Range header turns the 304 off.
    """
    if not 200 <= status < 300:
        return None
    reqtime = int(request_time // 1)
    is_get = method in ("GET", "HEAD")  # HEAD shares GET's method number
    if _if_match(headers, etag) == _NOMATCH:
        return 412
    not_modified: bool | None = None
    cond = _if_unmodified_since(headers, mtime, reqtime)
    if cond == _NOMATCH:
        not_modified = False
    elif cond >= _WEAK:
        return 412
    cond = _if_none_match(headers, etag, is_get)
    if cond == _NOMATCH:
        not_modified = False
    elif cond >= _WEAK:
        if not is_get:
            return 412
        not_modified = not_modified is not False
    cond = _if_modified_since(headers, mtime, reqtime)
    if cond == _NOMATCH:
        not_modified = False
    elif cond >= _WEAK and is_get:
        not_modified = not_modified is not False
    if _if_range(headers, etag, mtime, reqtime) > _NONE:
        return None
    return 304 if not_modified else None


def if_range_allows(
    headers: Mapping[str, str],
    *,
    etag: str | None,
    mtime: int,
    request_time: float | None = None,
) -> bool:
    """Whether the byterange filter may honour Range (ap_condition_if_range is not NOMATCH).

    A date If-Range also needs the request time (a date within 60 s of the mtime is weak
    and never matches); ``None`` means the current time.
    """
    now = time.time() if request_time is None else request_time
    return _if_range(headers, etag, mtime, int(now // 1)) != _NOMATCH


@dataclass(frozen=True, slots=True)
class RangePlan:
    """What the byterange filter does: 200 (whole body), 206 with ranges, or 416."""

    status: int
    ranges: tuple[tuple[int, int], ...] = ()


_WHOLE = RangePlan(200)
_DIGITS = re.compile(r"[0-9]+")
_ZERO_DASH = (0, -1)  # "0-": Apache drops the other ranges and serves everything
_OFF_T_MAX = 2**63 - 1  # apr_off_t: a larger number fails ap_parse_strict_length


def parse_strict_length(text: str) -> int | None:
    """ap_parse_strict_length: digits only, no sign or space, no overflow."""
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= _OFF_T_MAX else None


def _parse_spec(spec: str, size: int) -> tuple[int, int] | None:
    """One byte-range-spec as (start, end) before clamping; None if invalid (whole header
    ignored); "0-" gives the _ZERO_DASH marker."""
    first, dash, last = spec.partition("-")
    if not dash:
        return None
    if not first:
        count = parse_strict_length(last)
        if count is None or count < 1:
            return None
        return size - count, size - 1
    start = parse_strict_length(first)
    if start is None:
        return None
    if not last:
        return _ZERO_DASH if start == 0 else (start, size - 1)
    end = parse_strict_length(last)
    if end is None or start > end:
        return None
    return start, end


@dataclass(slots=True)
class _Merger:
    """ap_set_byterange's running merge of consecutive ranges."""

    merged: list[tuple[int, int]]
    start: int = 0
    end: int = 0
    open: bool = False
    overlaps: int = 0
    reversals: int = 0

    def add(self, start: int, end: int) -> None:
        if not self.open:
            self.start, self.end, self.open = start, end, True
            return
        # Only the current set absorbs: inside it, just before it (a "reversal"), or
        # overlapping/adjacent after it. Anything else closes the set.
        joined = self.start <= start and end <= self.end
        if start < self.start and end >= self.start - 1:
            self.start, joined = start, True
            self.reversals += 1
        if end >= self.end and start <= self.end + 1:
            self.end, joined = end, True
        if joined:
            self.overlaps += 1
            return
        self.merged.append((self.start, self.end))
        self.start, self.end = start, end


def _within_limit(value: int, limit: int) -> bool:
    # Our ints: -1 is "none" (no ranges at all), 0 is "unlimited".
    if limit == 0:
        return True
    return value <= max(limit, 0)


def plan_ranges(
    range_header: str | None,
    size: int,
    *,
    max_ranges: int = 200,
    max_overlaps: int = 20,
    max_reversals: int = 20,
) -> RangePlan:
    """Apache's byterange filter decision for a ``size``-byte 200 response.

    Limits: a positive number is the limit, 0 means "unlimited" and -1 "none" (MaxRanges
    none: never 206; an all-unsatisfiable header still gets its 416, as in Apache).
    Linear in the header's length.
    """
    if range_header is None or size <= 0 or range_header[:6].lower() != "bytes=":
        return _WHOLE
    merger = _Merger([])
    unsatisfiable = False
    for spec in _range_specs(range_header[6:]):
        parsed = _parse_spec(spec, size)
        if parsed is None:
            return _WHOLE
        if parsed is _ZERO_DASH:
            # "0-" anywhere: Apache forgets every other range and sends everything.
            merger = _Merger([], 0, size - 1, True)
            break
        start, end = max(parsed[0], 0), min(parsed[1], size - 1)
        if start >= size:
            unsatisfiable = True
            continue
        merger.add(start, end)
    if merger.open:
        merger.merged.append((merger.start, merger.end))
    elif unsatisfiable and not merger.merged:
        return RangePlan(416)
    return _apply_limits(merger, size, max_ranges, max_overlaps, max_reversals)


def _range_specs(specs: str) -> Iterable[str]:
    # ap_getword: runs of commas separate items; an empty item (leading comma, end of
    # string) ends the list without error. No whitespace is stripped.
    for item in re.split(",+", specs):
        if not item:
            return
        yield item


def _apply_limits(
    merger: _Merger, size: int, max_ranges: int, max_overlaps: int, max_reversals: int
) -> RangePlan:
    ranges = merger.merged
    # Overlapping sets that were not merged could send more than the file: ignored.
    if not ranges or sum(end - start + 1 for start, end in ranges) > size:
        return _WHOLE
    if not (
        _within_limit(len(ranges), max_ranges)
        and _within_limit(merger.overlaps, max_overlaps)
        and _within_limit(merger.reversals, max_reversals)
    ):
        return _WHOLE
    return RangePlan(206, tuple(ranges))


def make_boundary() -> str:
    """A multipart boundary shaped like Apache's: a random 64-bit number in lower-case hex,
    without leading zeros (http_core.c picks one per server start)."""
    return format(secrets.randbits(64), "x")


def multipart_parts(
    ranges: Sequence[tuple[int, int]], size: int, content_type: str | None, boundary: str
) -> tuple[list[bytes | tuple[int, int]], int]:
    """The multipart/byteranges body exactly as Apache lays it out, and its length.

    Literal parts are bytes; ``(start, end)`` tuples are inclusive slices of the file.
    Apache writes the part headers as "Content-type" and "Content-range" (lower-case
    second words), leads with a CRLF before the first boundary and ends with
    "CRLF--boundary--CRLF". The part Content-type line is left out when there is no type.
    """
    head = f"\r\n--{boundary}\r\n"
    if content_type is not None:
        head += f"Content-type: {content_type}\r\n"
    head += "Content-range: bytes "
    parts: list[bytes | tuple[int, int]] = []
    total = 0
    for start, end in ranges:
        literal = f"{head}{start}-{end}/{size}\r\n\r\n".encode("latin-1")
        parts += [literal, (start, end)]
        total += len(literal) + end - start + 1
    tail = f"\r\n--{boundary}--\r\n".encode("latin-1")
    parts.append(tail)
    return parts, total + len(tail)


def allow_header(methods: Iterable[str]) -> str:
    """The Allow value as make_allow() writes it: comma-joined without spaces, in the
    order given, duplicates dropped. (Apache's own order is its method hash's; for a static
    file 2.4.71 sends "GET,POST,OPTIONS,HEAD,TRACE".)"""
    return ",".join(dict.fromkeys(methods))


def invalid_header(headers: Iterable[tuple[str, str]]) -> str | None:
    """AH02430: a response header carrying CR, LF or NUL is refused with a 500
    (Apache's http header filter checks every header a handler or module set)."""
    for name, value in headers:
        if "\r" in value or "\n" in value or "\0" in value or any(c in name for c in "\r\n\0"):
            # The error log escapes the CR and LF (site.escape_errorlog_item).
            return (
                f"AH02430: Response header '{name}' value of '{value}' contains invalid "
                "characters, aborting request"
            )
    return None


def canonical_name(name: str) -> str:
    """A header name as clients spell it ("x-forwarded-for" -> "X-Forwarded-For"): servers
    hand names over lower-cased, Apache sees them as sent."""
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


_ATOI = re.compile(r"\s*[+-]?\d+")


def atoi(text: str) -> int:
    """C's atoi: leading blanks, a sign and digits; anything else stops it (0 if none)."""
    match = _ATOI.match(text)
    return int(match.group(0)) if match else 0

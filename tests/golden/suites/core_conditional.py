"""Conditional requests (ap_meets_conditions) and FileETag forms; 304 and 412."""

from __future__ import annotations

from ..harness import Case, etag, header, http_date, request, set_mtimes

NAME = "core_conditional"

A = "htdocs/a.html"
A_SIZE = len(b"<p>conditional page</p>\n")
TAG = etag(A, A_SIZE)
WEAK = "W/" + TAG
OTHER = '"1-2"'
LM = http_date(A)


def conf(root: str, port: int) -> str:
    return (
        header(root, port)
        + f"""
DocumentRoot {root}/htdocs
<Directory {root}/htdocs>
    Require all granted
</Directory>
<Directory {root}/htdocs/etag-none>
    FileETag None
</Directory>
<Directory {root}/htdocs/etag-mtime>
    FileETag MTime
</Directory>
<Directory {root}/htdocs/etag-size>
    FileETag Size
</Directory>
<Directory {root}/htdocs/etag-minus-size>
    FileETag -Size
</Directory>
<Directory {root}/htdocs/etag-plus>
    FileETag MTime
</Directory>
<Files "f.txt">
    FileETag +Size
</Files>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs",))


def _c(name: str, headers: list[tuple[str, str]], note: str, method: str = "GET") -> Case:
    body = b"x=1" if method in ("POST", "PUT") else b""
    return Case(name, request(method, "/a.html", headers, body), note)


CASES = [
    _c("plain", [], "baseline: ETag, Last-Modified, Accept-Ranges"),
    _c("inm-match", [("If-None-Match", TAG)], "INM match: 304"),
    _c("inm-nomatch", [("If-None-Match", OTHER)], "INM mismatch: 200"),
    _c("inm-star", [("If-None-Match", "*")], "INM * on an existing file: 304"),
    _c("inm-list", [("If-None-Match", f"{OTHER}, {TAG}")], "INM list containing the tag"),
    _c("inm-list-nomatch", [("If-None-Match", f'{OTHER}, "3-4"')], "INM list without it"),
    _c("inm-weak", [("If-None-Match", WEAK)], "INM weak compare on GET: 304"),
    _c("inm-unquoted", [("If-None-Match", TAG.strip('"'))], "INM unquoted tag"),
    _c("inm-head", [("If-None-Match", TAG)], "INM on HEAD: 304", "HEAD"),
    _c("inm-post", [("If-None-Match", TAG)], "INM match on POST: 412", "POST"),
    _c("inm-put", [("If-None-Match", "*")], "INM * on PUT", "PUT"),
    _c("ims-equal", [("If-Modified-Since", LM)], "IMS equal to mtime: 304"),
    _c("ims-older", [("If-Modified-Since", http_date(A, -3600))], "IMS before mtime: 200"),
    _c("ims-newer", [("If-Modified-Since", http_date(A, 3600))], "IMS after mtime, past: 304"),
    _c(
        "ims-future",
        [("If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT")],
        "IMS in the future is invalid: 200",
    ),
    _c("ims-garbage", [("If-Modified-Since", "yesterday")], "unparsable IMS ignored: 200"),
    _c("ims-rfc850", [("If-Modified-Since", "Tuesday, 01-Jan-30 00:00:00 GMT")], "RFC 850 date"),
    _c("ims-asctime", [("If-Modified-Since", "Mon Jan  1 00:00:00 2029")], "asctime date"),
    _c("ims-head", [("If-Modified-Since", LM)], "IMS on HEAD: 304", "HEAD"),
    _c("ims-post", [("If-Modified-Since", LM)], "IMS on POST", "POST"),
    _c(
        "inm-match-ims-older",
        [("If-None-Match", TAG), ("If-Modified-Since", http_date(A, -3600))],
        "AND semantics: INM says not modified, IMS says modified: 200",
    ),
    _c(
        "inm-nomatch-ims-equal",
        [("If-None-Match", OTHER), ("If-Modified-Since", LM)],
        "AND semantics: INM mismatch blocks the 304",
    ),
    _c(
        "inm-match-ims-equal",
        [("If-None-Match", TAG), ("If-Modified-Since", LM)],
        "both say not modified: 304",
    ),
    _c("im-match", [("If-Match", TAG)], "If-Match strong match: 200"),
    _c("im-nomatch", [("If-Match", OTHER)], "If-Match mismatch: 412"),
    _c("im-star", [("If-Match", "*")], "If-Match *: 200"),
    _c("im-weak", [("If-Match", WEAK)], "If-Match uses strong comparison: 412"),
    _c("im-list", [("If-Match", f"{OTHER}, {TAG}")], "If-Match list"),
    _c("im-nomatch-put", [("If-Match", OTHER)], "If-Match mismatch on PUT", "PUT"),
    _c("ius-older", [("If-Unmodified-Since", http_date(A, -3600))], "IUS before mtime: 412"),
    _c("ius-equal", [("If-Unmodified-Since", LM)], "IUS equal: 200"),
    _c("ius-newer", [("If-Unmodified-Since", http_date(A, 3600))], "IUS after mtime: 200"),
    _c("ius-garbage", [("If-Unmodified-Since", "garbage")], "unparsable IUS ignored"),
    _c(
        "im-nomatch-inm-match",
        [("If-Match", OTHER), ("If-None-Match", TAG)],
        "If-Match is evaluated first: 412",
    ),
    _c("ir-etag-match", [("Range", "bytes=0-3"), ("If-Range", TAG)], "If-Range ETag match: 206"),
    _c(
        "ir-etag-nomatch",
        [("Range", "bytes=0-3"), ("If-Range", OTHER)],
        "RG16 If-Range mismatch: 200",
    ),
    _c("ir-etag-weak", [("Range", "bytes=0-3"), ("If-Range", WEAK)], "If-Range weak tag: 200"),
    _c("ir-date-match", [("Range", "bytes=0-3"), ("If-Range", LM)], "If-Range exact date: 206"),
    _c(
        "ir-date-nomatch",
        [("Range", "bytes=0-3"), ("If-Range", http_date(A, 3600))],
        "RG16 If-Range date not exactly the mtime: 200",
    ),
    _c("ir-without-range", [("If-Range", TAG)], "If-Range alone does nothing"),
    _c(
        "ir-inm-range",
        [("Range", "bytes=0-3"), ("If-Range", TAG), ("If-None-Match", TAG)],
        "INM match with a Range and If-Range",
    ),
    _c(
        "range-ims-equal",
        [("Range", "bytes=0-3"), ("If-Modified-Since", LM)],
        "Range together with a satisfied IMS",
    ),
    Case(
        "missing-inm-star", request("GET", "/none.html", [("If-None-Match", "*")]), "INM * on a 404"
    ),
    Case(
        "missing-im-star", request("GET", "/none.html", [("If-Match", "*")]), "If-Match * on a 404"
    ),
]

for _d in ("etag-none", "etag-mtime", "etag-size", "etag-minus-size", "etag-plus"):
    _rel = f"htdocs/{_d}/f.txt"
    _size = len(f"file in {_d}\n")
    CASES += [
        Case(f"{_d}-get", request("GET", f"/{_d}/f.txt"), f"FileETag in <Directory {_d}>"),
        Case(
            f"{_d}-inm-default-tag",
            request("GET", f"/{_d}/f.txt", [("If-None-Match", etag(_rel, _size))]),
            "INM with the MTime Size tag under another FileETag",
        ),
        Case(
            f"{_d}-ims",
            request("GET", f"/{_d}/f.txt", [("If-Modified-Since", http_date(_rel))]),
            "IMS still works whatever FileETag says",
        ),
    ]

"""Byte ranges on an 8000-byte file: security.md §3 RG rows, MaxRanges variants."""

from __future__ import annotations

from pathlib import Path

from ..harness import Case, header, request, set_mtimes

NAME = "core_ranges"
DIRS = ("", "max2/", "maxnone/", "maxunl/", "overlaps0/")


def conf(root: str, port: int) -> str:
    return (
        header(root, port)
        + f"""
DocumentRoot {root}/htdocs
<Directory {root}/htdocs>
    Require all granted
</Directory>
<Directory {root}/htdocs/max2>
    MaxRanges 2
</Directory>
<Directory {root}/htdocs/maxnone>
    MaxRanges none
</Directory>
<Directory {root}/htdocs/maxunl>
    MaxRanges unlimited
</Directory>
<Directory {root}/htdocs/overlaps0>
    MaxRangeOverlaps 1
    MaxRangeReversals 1
</Directory>
"""
    )


def _content() -> bytes:
    # 8000 bytes: 100 lines of 80, each line says where it starts.
    return b"".join(f"{i * 80:06d}".encode() + b"." * 73 + b"\n" for i in range(100))


def prepare(root: str) -> None:
    data = _content()
    assert len(data) == 8000
    for d in DIRS:
        (Path(root) / "htdocs" / d / "ranges.txt").write_bytes(data)
    set_mtimes(root, ("htdocs",))


def _r(name: str, rng: str, note: str, path: str = "/ranges.txt", method: str = "GET") -> Case:
    return Case(name, request(method, path, [("Range", rng)]), note)


CASES = [
    _r("RG01", "bytes=0-9", "RG01 single range: 206"),
    _r("RG02", "bytes=0-1,5-6", "RG02 two ranges: multipart/byteranges"),
    _r("RG03", "bytes=9-0", "RG03 reversed: ignored, 200"),
    _r("RG04", "bytes=100000-110000", "RG04 unsatisfiable: 416"),
    _r("RG05", "bytes=100000-110000,0-3", "RG05 unsatisfiable part ignored"),
    _r("RG06", "bytes=0-18446744073709551615", "RG06 overflow: invalid, 200"),
    _r("RG07", "bytes=-0", "RG07 empty suffix: 200"),
    _r("RG08", "bytes=0-", "RG08 open range"),
    _r("RG09-items", "items=0-9", "RG09 unknown unit"),
    _r("RG09-foo", "bytes=foo", "RG09 garbage"),
    _r("RG09-partial-garbage", "bytes=1-4,x", "RG09 one bad part spoils all"),
    _r("RG09-comma", "bytes=,", "RG09 empty list"),
    _r("RG10", "bytes=" + ",".join(f"0-{i}" for i in range(300)), "RG10 300 overlapping"),
    _r(
        "RG11",
        "bytes=" + ",".join(f"{i * 20}-{i * 20 + 5}" for i in range(250)),
        "RG11 250 > MaxRanges",
    ),
    _r("RG12", "bytes=" + ",".join(f"{i}-{i + 100}" for i in range(30)), "RG12 30 overlaps > 20"),
    _r("RG13", "bytes=0-7999,0-7999", "RG13 duplicates merge into one range"),
    _r("RG14", "bytes=0-9", "RG14 range on a 404", path="/missing.txt"),
    _r(
        "RG15",
        "bytes=0-," + ",".join(f"5-{i}" for i in range(1300)),
        "RG15 Apache Killer: a leading 0- discards the rest",
    ),
    _r(
        "RG15-head",
        "bytes=0-," + ",".join(f"5-{i}" for i in range(1300)),
        "RG15 on HEAD",
        method="HEAD",
    ),
    _r("suffix", "bytes=-10", "suffix range"),
    _r("suffix-too-long", "bytes=-9000", "suffix longer than the file"),
    _r("end-beyond", "bytes=7990-9000", "last-byte beyond the end is clamped"),
    _r("last-byte", "bytes=7999-7999", "only the last byte"),
    _r("first-past-end", "bytes=8000-", "first byte == length: 416"),
    _r("spaces", "bytes= 0-3", "space after ="),
    _r("spaces-inside", "bytes=0 - 3", "spaces inside a range spec"),
    _r("uppercase-unit", "Bytes=0-3", "unit is case-insensitive?"),
    _r("three-ranges", "bytes=0-0,10-10,20-20", "three disjoint single bytes"),
    _r("adjacent", "bytes=0-9,10-19", "adjacent ranges coalesce"),
    _r("overlap-2", "bytes=0-9,5-14", "two overlapping ranges"),
    _r("reversed-order", "bytes=20-29,0-9", "ranges out of order"),
    _r("multi-suffix", "bytes=0-4,-5", "range plus suffix"),
    _r("head-single", "bytes=0-9", "Range on HEAD", method="HEAD"),
    _r("post-range", "bytes=0-9", "Range on POST to a static file", method="POST"),
    _r("dir-range", "bytes=0-9", "Range on a directory 404", path="/max2/"),
    _r("max2-two", "bytes=0-1,5-6", "MaxRanges 2 with 2 ranges", path="/max2/ranges.txt"),
    _r("max2-three", "bytes=0-1,5-6,9-10", "MaxRanges 2 with 3 ranges", path="/max2/ranges.txt"),
    _r("max2-single", "bytes=0-9", "MaxRanges 2 with 1 range", path="/max2/ranges.txt"),
    _r("maxnone-single", "bytes=0-9", "MaxRanges none ignores Range", path="/maxnone/ranges.txt"),
    _r("maxnone-multi", "bytes=0-1,5-6", "MaxRanges none, two ranges", path="/maxnone/ranges.txt"),
    _r(
        "maxunl-250",
        "bytes=" + ",".join(f"{i * 20}-{i * 20 + 5}" for i in range(250)),
        "MaxRanges unlimited with 250 ranges",
        path="/maxunl/ranges.txt",
    ),
    _r(
        "overlaps0-overlap",
        "bytes=0-9,5-14",
        "MaxRangeOverlaps 1 with one overlap",
        path="/overlaps0/ranges.txt",
    ),
    _r(
        "overlaps0-reversal",
        "bytes=20-29,0-9",
        "MaxRangeReversals 1 with one reversal",
        path="/overlaps0/ranges.txt",
    ),
    _r(
        "overlaps1-two-overlaps",
        "bytes=0-9,5-14,10-19",
        "MaxRangeOverlaps 1 with two overlaps",
        path="/overlaps0/ranges.txt",
    ),
    _r(
        "overlaps1-two-reversals",
        "bytes=40-49,20-29,0-9",
        "MaxRangeReversals 1 with two reversals",
        path="/overlaps0/ranges.txt",
    ),
    Case("no-range", request("GET", "/ranges.txt"), "baseline: Accept-Ranges: bytes"),
]

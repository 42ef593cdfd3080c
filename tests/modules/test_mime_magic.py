"""mod_mime_magic: the magic-file parser and matcher (held to what Apache's C does on a
64-bit build; the golden suite mime_magic holds the whole module to a live apache2),
the uncompressors, the result-string parsing, and requests over both faces."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from apachemw.config.htaccess import NeedsBlockingIO
from apachemw.config.site import MAGIC_FILE, load_site
from apachemw.modules import magic_rules as mr
from apachemw.modules import mod_mime_magic as mm

from .conftest import client, site

__all__ = ["client", "site"]


def _parse(text: bytes) -> tuple[mr.MagicFile, list[str]]:
    logged: list[str] = []
    return mr.parse_magic("m", text, logged.append), logged


def _one(line: bytes) -> mr.Rule:
    magic, logged = _parse(line + b"\n")
    assert logged == []
    (rule,) = magic.rules
    return rule


def _match(rules: bytes, data: bytes) -> tuple[list[bytes], list[str]]:
    magic, _ = _parse(rules)
    out: list[bytes] = []
    logged: list[str] = []
    mr.match(data + b"\0", magic.rules, out, logged.append)
    return out, logged


# -- parsing ----------------------------------------------------------------------------


def test_numbers_read_as_strtol_base_zero() -> None:
    assert _one(b"0x10 byte 010 a/b").offset == 16
    assert _one(b"0x10 byte 010 a/b").value == 8  # octal
    assert _one(b"16 byte 0x7f a/b").value == 0x7F
    assert mr.strtol(b"  -12z", 0) == (-12, 5)
    assert mr.strtol(b"0x", 0) == (0, 1)  # "0", then an "x" that is not a number
    assert mr.strtol(b"zz", 0) == (0, 0)
    assert mr.strtol(b"99999999999999999999", 0)[0] == (1 << 63) - 1


def test_values_and_masks_sign_extend_to_the_type() -> None:
    rule = _one(b"0 beshort&0xfff0 0xfff0 audio/mpeg")
    assert rule.mask == rule.value == (-16) & mr.MASK64
    assert _one(b"0 byte 0xff a/b").value == mr.MASK64  # (char) 0xff is -1
    assert _one(b"0 ubyte 0xff a/b").value == 0xFF
    assert _one(b"0 belong 0x89abcdef a/b").value == 0x89ABCDEF  # longs are not narrowed


def test_relations_levels_and_descriptions() -> None:
    magic, _ = _parse(b"0 string ABC\n>3 byte &0x80 a/b\n>>4 leshort !0 \\bc d\n>4 byte x e/f\n")
    top, cont, deeper, anything = magic.rules
    assert (top.level, cont.level, deeper.level) == (0, 1, 2)
    assert (cont.reln, cont.value, cont.desc) == ("&", (-128) & mr.MASK64, b"a/b")
    assert (deeper.reln, deeper.nospace, deeper.desc) == ("!", True, b"c d")
    assert (anything.reln, anything.desc) == ("x", b"e/f")
    long_desc = _one(b"0 string A " + b"t/" + b"x" * 80)
    assert len(long_desc.desc) == mr.MAXDESC - 1


def test_string_escapes() -> None:
    rule = _one(b"0 string \\x41\\101\\t\\ \\q\\0\\x89ABC a/b")
    # \x takes up to three hex digits: \x89A is 0x89a, kept as a char (0x9a)
    assert rule.string == b"AA\t q\0\x9aBC"
    assert _one(b"0 string \\xZ a/b").string == b"xZ"  # \x without digits is "x"
    assert _one(b"0 string !abc a/b").string == b"!abc"  # no "!" relation for strings
    assert _one(b"0 string =<ar> a/b").string == b"<ar>"
    assert _one(b"0 string/cB \\<!DOCTYPE\\ html text/html").string == b"/cB"


def test_bad_lines_are_logged_and_kept_like_apache() -> None:
    text = (
        b"# comment\n\n   \n"
        b"abc string x a/b\n"  # no offset: AH01521, then the type "abc..." is unknown
        b">(4.q+2 string x a/b\n"  # AH01522 and AH01523
        b"0 string " + b"y" * 70 + b" a/b\n"  # AH01526
        b"0 quad 1 x/y\n"
    )
    magic, logged = _parse(text)
    assert [line.split(":")[0] for line in logged] == [
        "AH01521",
        "AH01524",
        "AH01522",
        "AH01523",
        "AH01526",
        "AH01524",
    ]
    assert logged[0] == "AH01521: mod_mime_magic: offset abc string x a/b invalid"
    assert logged[-1] == "AH01524: mod_mime_magic: type quad 1 x/y invalid"
    assert magic.errors == 2  # only unknown types count
    assert [r.lineno for r in magic.rules] == [4, 5, 6, 7]
    assert magic.rules[0].type == 0 and magic.rules[3].type == 0
    assert magic.rules[2].string == b"y" * 63  # the 64th byte is eaten, the rest is text
    assert magic.rules[2].desc.startswith(b"yyyyy")


def test_long_lines_are_cut_as_apr_file_gets_does() -> None:
    lines = list(mr.split_lines(b"a" * 9000 + b"\nb\n"))
    assert [(n, len(text)) for n, text in lines] == [(1, 8191), (2, 810), (3, 2)]


# -- matching ---------------------------------------------------------------------------


def test_a_rule_needs_64_bytes_from_its_offset() -> None:
    rules = b"0 string AB a/b\n"
    assert _match(rules, b"AB" + b"." * 61)[0] == [b"a/b"]  # 63 bytes and Apache's NUL
    assert _match(rules, b"AB" + b"." * 60)[0] == []
    assert _match(b"10 string AB a/b\n", b"." * 10 + b"AB" + b"." * 61)[0] == [b"a/b"]
    assert _match(b"10 string AB a/b\n", b"." * 10 + b"AB" + b"." * 60)[0] == []


def test_byte_orders_native_longs_and_high_bits() -> None:
    pad = b"." * 80
    rules = (
        b"0 lelong 0x04030201 le/32\n0 belong 0x01020304 be/32\n"
        b"0 leshort 0x0201 le/16\n0 long 0x0807060504030201 native/64\n"
    )
    data = bytes(range(1, 9)) + pad
    magic, _ = _parse(rules)
    for rule, want in zip(magic.rules, (b"le/32", b"be/32", b"le/16", b"native/64"), strict=True):
        out: list[bytes] = []
        assert mr.match(data + b"\0", (rule,), out, lambda m: None), want
        assert out == [want]
    high = b"\x89\xab\xcd\xef" + pad
    assert _match(b"0 belong 0x89abcdef a/b\n", high)[0] == []  # sign-extended data
    assert _match(b"0 belong -1985229329 a/b\n", high)[0] == [b"a/b"]


def test_continuations_print_with_separators() -> None:
    rules = b"0 string CONT\n>4 byte 1 a/b\n>>5 byte 2 \\b-c\n>>5 byte 3 no/no\n>4 byte 1 enc\n"
    out = _match(rules, b"CONT\x01\x02" + b"." * 70)[0]
    assert out == [b"", b"a/b", b"-c", b" ", b"enc"]  # the top line prints its empty text
    # a failing top-level line skips its continuations; the next top-level line runs
    rules2 = b"0 string NOPE\n>0 byte x no/no\n0 string CO yes/yes\n"
    assert _match(rules2, b"CONT" + b"." * 70)[0] == [b"yes/yes"]
    # after a deeper line failed, a shallower one is tried again
    rules3 = b"0 string CO\n>2 byte 0 no/no\n>>3 byte 0 no/no\n>2 string N yes/yes\n"
    assert _match(rules3, b"CONT" + b"." * 70)[0] == [b"", b"yes/yes"]


def test_strings_newlines_relations_and_boink() -> None:
    data = b"NL\nLINE" + b"." * 70
    assert _match(b"0 string NL\\nLINE a/b\n", data)[0] == []
    assert _match(b"0 string NL a/b\n", data)[0] == [b"a/b"]
    assert _match(b"0 string >ZZZZ a/b\n", b"zzzz" + b"." * 70)[0] == [b"a/b"]
    assert _match(b"0 string <ZZZZ a/b\n", b"zzzz" + b"." * 70)[0] == []
    assert _match(b"0 string &QQ a/b\n", b"zzzz" + b"." * 70)[0] == [b"a/b"]
    assert _match(b"0 string ^zz a/b\n", b"zzzz" + b"." * 70)[0] == []
    out, logged = _match(b"0 byte 0x78 a/b\n", b"\x01" * 70)
    assert out == [b"a/b"] and logged == ["AH01539: mod_mime_magic: BOINK"]
    out, logged = _match(b"0 quad 1 a/b\n0 string Q c/d\n", b"Q" * 70)
    assert out == [b"c/d"]
    assert logged == ["AH01538: mod_mime_magic: invalid type 0 in mconvert()."]


def test_indirect_offsets() -> None:
    data = b"IND\x0a\x06\x00FOUND" + b"." * 80
    assert _match(b"0 string IND\n>(4.b+0) string FOUND a/b\n", data)[0] == [b"", b"a/b"]
    assert _match(b"0 string IND\n>(4.s) string FOUND a/b\n", data)[0] == [b"", b"a/b"]
    # for a string rule the byte read as the offset is a newline, read as a NUL
    assert _match(b"0 string IND\n>(3.b+6) string FOUND a/b\n", data)[0] == [b"", b"a/b"]


def test_descriptions_are_printf_formats() -> None:
    assert _match(b"0 string TYPE:\n>5 string x text/%s\n", b"TYPE:html\n" + b"." * 70)[0] == [
        b"",
        b"text/html",
    ]
    assert mr.printf(b"v%d %x%%", 0xFF) == b"v255 %"  # one value: the second prints nothing
    assert mr.printf(b"%5.2s|", b"abc") == b"   ab|"
    assert mr.printf(b"%d", mr.MASK64) == b"-1"
    assert mr.printf(b"%lu", mr.MASK64) == str(mr.MASK64).encode()
    assert mr.printf(b"%s", 5) == b""


# -- the result string list -------------------------------------------------------------


class _R:
    content_type: str | None = None
    content_encoding: str | None = None


def _result(parts: list[bytes]) -> tuple[int, str | None, str | None]:
    r = _R()
    status = mm._to_request(r, [*parts, b"\n"])  # type: ignore[arg-type]
    return status, r.content_type, r.content_encoding


def test_type_and_encoding_words() -> None:
    assert _result([b"Image/PNG"]) == (0, "image/png", None)
    assert _result([b"text/plain", b" (with escape sequences)"]) == (0, "text/plain ", "(with ")
    assert _result([b"a/b\tenc"]) == (0, "a/b\t", "enc")
    assert _result([b"Text/HTML; Charset=X"]) == (0, "text/html; ", "charset=x")
    assert _result([b"no type here"])[0] == mm.DECLINED
    assert _result([b""])[0] == mm.DECLINED


def test_a_type_filling_eight_bytes_reads_on_into_the_encoding() -> None:
    # 23 characters, copied with the space after them: 24 bytes, NUL past the end
    parts = [b"", b"application/x-both-bits", b" ", b"application/x-no-0x40", b" ", b"x/y"]
    status, ctype, encoding = _result(parts)
    assert status == 0
    assert encoding == "application/x-no-0x40 "
    assert ctype == "application/x-both-bits application/x-no-0x40 "


# -- uncompressing ----------------------------------------------------------------------


def test_gunzip_reads_at_most_howmany_bytes_and_members() -> None:
    text = b"The quick brown fox. " * 400
    data, complaint = mm._gunzip(io.BytesIO(gzip.compress(text, mtime=0)))
    assert data == text[: mm.HOWMANY] and complaint is None
    two = gzip.compress(b"one ", mtime=0) + gzip.compress(b"two", mtime=0)
    assert mm._gunzip(io.BytesIO(two)) == (b"one two", None)
    assert mm._gunzip(io.BytesIO(b"\x1f\x8b\x08\x00")) == (b"", "unexpected end of file")
    bad = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff"
    assert mm._gunzip(io.BytesIO(bad)) == (b"", "invalid compressed data--format violated")


def _compress_lzw(data: bytes, max_bits: int = 16) -> bytes:
    """compress(1) output with growing code widths (the decoder's rule: code i is read
    with the width the decoder's table size asks for), checked against gzip -dc."""
    table = {bytes([i]): i for i in range(256)}
    codes: list[int] = []
    word = b""
    for byte in data:
        nxt = word + bytes([byte])
        if nxt in table:
            word = nxt
            continue
        codes.append(table[word])
        if len(table) + 1 < (1 << max_bits):
            table[nxt] = len(table) + 1  # 256 is the clear code
        word = bytes([byte])
    codes.append(table[word])
    bits, width, since = 0, 9, 0
    total = 0
    for i, code in enumerate(codes):
        if i and min(256 + i, 1 << max_bits) >= (1 << width) and width < max_bits:
            total += (-since) % 8 * width  # the group of 8 codes is padded
            width, since = width + 1, 0
        bits |= code << total
        total += width
        since += 1
    return b"\x1f\x9d" + bytes([0x80 | max_bits]) + bits.to_bytes((total + 7) // 8, "little")


@pytest.mark.skipif(shutil.which("gzip") is None, reason="gzip is not installed")
def test_unlzw_matches_gzip_across_code_widths(tmp_path: Path) -> None:
    text = bytes((i * 7919 + i // 3) % 251 for i in range(6000))
    packed = _compress_lzw(text)
    path = tmp_path / "t.Z"
    path.write_bytes(packed)
    oracle = subprocess.run(["gzip", "-dc", str(path)], capture_output=True, check=True).stdout
    assert oracle == text
    assert mm._unlzw(packed) == text[: mm.HOWMANY]
    assert mm._unlzw(b"\x1f\x9d\x10") == b""


# -- config load and requests -----------------------------------------------------------


def test_the_shipped_magic_file_parses_cleanly() -> None:
    magic = mm.load_magic(MAGIC_FILE, lambda message, error: pytest.fail(message))
    assert magic is not None and magic.errors == 0
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 70
    out: list[bytes] = []
    assert mr.match(png + b"\0", magic.rules, out, lambda m: None)
    assert out == [b"image/png"]


def test_a_missing_magic_file_is_logged_and_disables_the_module(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    conf = tmp_path / "httpd.conf"
    conf.write_text(
        f"ServerName localhost\nErrorLog {tmp_path}/error.log\n"
        f"LoadModule mime_magic_module x\nMimeMagicFile {tmp_path}/none\n"
        "<VirtualHost *:80>\nServerName v\n</VirtualHost>\n"
    )
    loaded = load_site(str(conf))
    assert loaded.main.get("mod_mime_magic").magic is None
    assert loaded.vhosts[0].get("mod_mime_magic").magic is None
    text = caplog.text
    assert "(2)No such file or directory: AH01515: mod_mime_magic: can't read magic file" in text


def test_samples_are_read_off_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 5000)
    st = os.stat(path)
    key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
    cache = mm.Samples(size=1)
    with pytest.raises(NeedsBlockingIO):
        cache.get(key, may_read=False)
    assert cache.get(key, may_read=True).head == b"x" * mm.HOWMANY
    assert cache.get(key, may_read=False).head == b"x" * mm.HOWMANY  # kept


def test_files_without_a_type_are_typed_on_both_faces(client, site) -> None:  # type: ignore[no-untyped-def]
    site.write("picture", b"\x89PNG\r\n\x1a\n" + b"\x00" * 80)
    site.write("notes", b"the notes\n")
    site.write("page.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 80)
    site.write("packed", gzip.compress(b"<html><body>" + b"x" * 100 + b"</body></html>", mtime=0))
    app = client.wrap(text=site.conf("MimeMagicFile ${APACHEMW_MAGIC}"))

    def headers(path: str) -> dict[str, str]:
        # (no gzip in Accept-Encoding: mod_negotiation would respell x-gzip as gzip)
        answer = app.get(path, headers={"Accept-Encoding": "identity"})
        return {k.lower(): v for k, v in answer.headers}

    assert headers("/picture").get("content-type") == "image/png"
    assert headers("/notes").get("content-type") == "text/plain"
    assert headers("/page.txt").get("content-type") == "text/plain"
    packed = headers("/packed")
    assert packed.get("content-encoding") == "x-gzip"
    assert packed.get("content-type") == "text/html"
    assert headers("/picture").get("content-type") == "image/png"  # the kept sample

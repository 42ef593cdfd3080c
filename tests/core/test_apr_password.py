"""apr_password_validate as Linux Apache runs it: htpasswd's formats, libxcrypt's
crypt() formats, and the malformed hashes that must simply not match.

The known-answer hashes were written once by htpasswd 2.4 (apache2-utils) or, for
the formats htpasswd does not write, by libxcrypt 4.4.33's crypt(); the live tests
call htpasswd itself, and ``htpasswd -v`` (the same libaprutil function that
mod_authn_file calls) as the oracle for tricky stored values.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import pytest

from apachemw.core import apr_password
from apachemw.core.apr_password import scheme, validate

UTF8 = "pässwörd".encode()
LONG80 = b"0123456789" * 8

# (password, stored) pairs written by `htpasswd -nb [flags] u password`.
HTPASSWD_VECTORS = [
    # -m: Apache MD5
    (b"", "$apr1$uAyPpgCv$cA0sSqs4UDPrMAxV6gPuH0"),
    (b"pass", "$apr1$qeerihNI$OSg.ByZ8fpGUtf68UEQNo/"),
    (UTF8, "$apr1$oT4zArJd$B0W57RqRJ5zfDf1fBTybo."),
    (LONG80, "$apr1$JXxq7rQL$7D4AcF2S5Dw.iVnRtd2dW."),
    # -B -C 4: bcrypt
    (b"", "$2y$04$It5nbnzUt7zTFSFjcJeuiehp8vEzVAbGqrziFKvsnZPLLgZO6WRhi"),
    (b"pass", "$2y$04$9X1DNbNwK3k5odNRjRYdYOAsE2hkfjPokj56DsW4F211gssK1I16e"),
    (UTF8, "$2y$04$G4tErFaG3pWJvHCQSXtAUekQUs12d4Jy1abXuCJHJg1dH0rFNB906"),
    (LONG80, "$2y$04$cU2HHA.5kxOKivgUL4gi6umSNCiKghj6KruSW2/erjIAC44kB/duC"),
    # -s: SHA-1
    (b"", "{SHA}2jmj7l5rSw0yVb/vlWAYkK/YBwk="),
    (b"pass", "{SHA}nU4eI71bcnBGqeO0t9tXvY1u5oQ="),
    (UTF8, "{SHA}9Rfd8dMqES/xrVXGbRsSyzjn6Pc="),
    # -d: traditional DES crypt
    (b"", "9oQDEUQ69Txrg"),
    (b"pass", "0Gw7271njS2ls"),
    (UTF8, "FfMqKosrhGa1."),
    (b"longpassword123", "KEHW0nP5l/SJ2"),
    (LONG80, "J70KEbaYH75VE"),
    # -2 / -5: SHA-256 / SHA-512 crypt, default rounds and -r 1000
    (b"", "$5$cn5kUmyDZhrYpUsW$QNw80ikKXkng.D4eVPD7wTrUKG3L/Eia.TeqGl6IrXC"),
    (b"pass", "$5$/06f7T3.BWczepZf$3iM0Bx..RqNcyGM9ZwF4FqxThYZFy65VpuYJucWFOl2"),
    (UTF8, "$5$K0pOn7D6V0mvnfk4$PCVSAYBMboGIVaDkpNS/zFmlp4m1Uigbbj/0uOJmBA6"),
    (LONG80, "$5$Mtb1NE0Ozft7fQ35$DrjEChHvjD.BpJ9jnbiKLdNukSBbAm3boJjDVo27S4/"),
    (b"pass", "$5$rounds=1000$yYomi0ymo/lz5xqJ$3sDkFcvJptXM/jqM6uwHTxXkkFVHcKlVjCQ5Dl0UYPA"),
    (
        b"",
        "$6$Q.tMegtjgOvtgzhO$KvmJcwOUFsTml.A.vZzSG6EHa93GQDMZ1oGRjIo4AntYTU.quBuCVFn5vnDRnvTjU"
        "DqBKtlz/H702mC9F7HgU1",
    ),
    (
        b"pass",
        "$6$qzsAAm.MVQXVuPuL$x61uL9bKhiq0uf5FxRNzKXMCE73ol29zVXytJ3/lcHXoouwXvEuZkdqrPelal7REy"
        "BB3eLxQo/J10P3ZbVRFy0",
    ),
    (
        UTF8,
        "$6$lJk56.hzRShvZX5X$k8QBJ420pB8bG.Csx0TbvTFT0J9X.xvGjXcF5zrKN0e.fmdRl.Wco/x3sRKJVvtQF"
        "yV97z6busRPGd9FdYKdy/",
    ),
    (
        LONG80,
        "$6$rounds=1000$RHqC5w3eI6.s1k6e$qYCVhHtKsTLlvIk9DC5UXcCyxCz1NykLAPFKQa45QiQopmoEVyUtq"
        "7WrW.lUqHvfzoMUGcFYP7I9sWDMrGgNc1",
    ),
]

# Formats htpasswd does not write but Linux Apache accepts through libxcrypt's crypt().
CRYPT_VECTORS = [
    (b"pass", "$1$abc$iUbCWW89D2V9MXDEFGV8x0"),
    (UTF8, "$1$saltsalt$VReRfkQ8Hs1aayf/oxMkG/"),
    (b"passwordpassword1", "abJnggxhB/yWI8NTHMQt1CewehoRz0Mub4g"),  # bigcrypt
    (b"bigcrypt passphrase", "XyzOP5C65w1yoUsGAHkGXK8AjAf4rcTeNT2"),
    (b"\xa3", "$2b$04$abcdefghijklmnopqrstuurz1efvzeJjL4mQ813hrZNg3p1.ivOii"),
    # Ulrich Drepper's SHA-crypt specification, including a salt cut to 16 bytes.
    (b"Hello world!", "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"),
    (
        b"Hello world!",
        "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEd"
        "FCoEOfaS35inz1",
    ),
    (
        b"Hello world!",
        "$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA",
    ),
]

VECTORS = HTPASSWD_VECTORS + CRYPT_VECTORS


@pytest.mark.parametrize(("password", "stored"), VECTORS)
def test_known_answer_matches(password: bytes, stored: str) -> None:
    assert validate(password, stored)


@pytest.mark.parametrize(("password", "stored"), VECTORS)
def test_known_answer_rejects_wrong_passwords(password: bytes, stored: str) -> None:
    # DES ignores what follows the first 8 bytes, bcrypt what follows 72.
    significant = {"des-crypt": 8, "bcrypt": 72}.get(scheme(stored), len(password))
    counted = password[:significant]
    assert not validate(b"!" + password, stored)
    assert not validate(b"wrong", stored)
    if counted:
        assert not validate(counted[:-1], stored)
        assert not validate(counted[:-1] + bytes([counted[-1] ^ 1]), stored)
    if len(password) < significant:
        assert not validate(password + b"!", stored)


def test_des_uses_only_the_first_eight_bytes() -> None:
    assert validate(b"longpass", "KEHW0nP5l/SJ2")
    assert validate(b"longpassANYTHING", "KEHW0nP5l/SJ2")
    assert not validate(b"longpas", "KEHW0nP5l/SJ2")
    assert not validate(b"longpasX", "KEHW0nP5l/SJ2")
    assert validate(b"01234567", "J70KEbaYH75VE")


def test_des_loses_each_bytes_top_bit() -> None:
    # crypt(3) shifts each byte left one bit into the DES key.
    assert validate(b"\xf0\xe1\xf3\xf3", "0Gw7271njS2ls")  # "pass" with bit 7 set


def test_bigcrypt_uses_the_whole_password() -> None:
    assert not validate(b"passwordpassword2", "abJnggxhB/yWI8NTHMQt1CewehoRz0Mub4g")
    assert not validate(b"passwordpassword", "abJnggxhB/yWI8NTHMQt1CewehoRz0Mub4g")


def test_bcrypt_uses_only_the_first_72_bytes() -> None:
    stored = "$2y$04$cU2HHA.5kxOKivgUL4gi6umSNCiKghj6KruSW2/erjIAC44kB/duC"
    assert validate(LONG80[:72], stored)
    assert validate(LONG80[:72] + b"different tail", stored)
    assert not validate(LONG80[:71], stored)


def test_bcrypt_prefixes_share_the_standard_algorithm() -> None:
    tail = "$04$9X1DNbNwK3k5odNRjRYdYOAsE2hkfjPokj56DsW4F211gssK1I16e"
    for prefix in ("$2a", "$2b", "$2x", "$2y"):
        assert validate(b"pass", prefix + tail)
        assert not validate(b"pas", prefix + tail)


def test_bcrypt_variants_that_bcrypt_cannot_compute_are_refused() -> None:
    # crypt_blowfish's $2x$ keeps the sign-extension bug: for this password Apache
    # accepts the libxcrypt-made hash, which standard bcrypt cannot reproduce.
    assert not validate(b"\xa3", "$2x$04$abcdefghijklmnopqrstuuMOaOTHB4gEm.rriBjXNwBNh.Oc4mKGG")
    # crypt_blowfish's $2a$ safety measure for some 0xFF passwords, likewise.
    assert not validate(
        b"\xff\xff\xff", "$2a$04$abcdefghijklmnopqrstuuo7KieJsG.qqFHPznD9IKYlIok1JYQ2W"
    )
    # ... and standard bcrypt's hash of it, which Apache refuses too.
    assert not validate(
        b"\xff\xff\xff", "$2a$04$abcdefghijklmnopqrstuuRYRX5VC4nthKo7h6U37SxyZazTR0WNK"
    )
    assert validate(b"\xff\xff\xff", "$2y$04$abcdefghijklmnopqrstuuRYRX5VC4nthKo7h6U37SxyZazTR0WNK")


def test_apr_cost_limit_is_17() -> None:
    # apr-util's bundled crypt_blowfish refuses cost 18 and up without hashing.
    stored = "$2y$18$9X1DNbNwK3k5odNRjRYdYOAsE2hkfjPokj56DsW4F211gssK1I16e"
    assert not validate(b"pass", stored)


def test_password_is_a_c_string() -> None:
    assert validate(b"pass\0whatever", "{SHA}nU4eI71bcnBGqeO0t9tXvY1u5oQ=")
    assert validate(b"pass\0", "$apr1$qeerihNI$OSg.ByZ8fpGUtf68UEQNo/")


def test_crypt_refuses_passphrases_of_512_bytes_or_more() -> None:
    long_password = b"a" * 600
    computed = apr_password._md5_crypt(long_password, b"abc", b"$1$").decode()
    assert not validate(long_password, computed)  # libxcrypt: ERANGE
    apr1 = apr_password._md5_crypt(long_password, b"abc", b"$apr1$").decode()
    assert validate(long_password, apr1)  # apr's own MD5 has no limit


def test_des_block_cipher_fips_vector() -> None:
    key = bytes.fromhex("133457799BBCDFF1")
    assert apr_password._des_encipher(key, 0x0123456789ABCDEF) == 0x85E813540F0AB405


def test_crypt_formats_htpasswd_never_writes_are_not_computed() -> None:
    # libxcrypt's BSDi extended DES hash of "pass": Linux Apache accepts it; here it
    # is refused like an invalid hash (as yescrypt, scrypt, SunMD5, NT, $sha1 are).
    assert not validate(b"pass", "_J9..abcdQ3b4oq3tGVk")
    assert scheme("_J9..abcdQ3b4oq3tGVk") == "unknown"


def test_plaintext_entries_never_match_on_linux() -> None:
    for password in (b"pass", b"ab", b"x", b"abcdefghijklm", b"p\xc3\xa4ss"):
        assert not validate(password, password.decode())


MALFORMED = [
    "",
    "$apr1$",
    "$apr1$$",
    "$apr1$abcdefgh",
    "$2y$",
    "$2y$garbage",
    "$2y$04$short",
    "$2y$4$9X1DNbNwK3k5odNRjRYdYOAsE2hkfjPokj56DsW4F211gssK1I16e",
    "$2y$03$9X1DNbNwK3k5odNRjRYdYOAsE2hkfjPokj56DsW4F211gssK1I16e",
    "$2y$04$9X1DNbNwK3k5odNRjRYdYOAsE2hkfjPokj56DsW4F211gssK1I16",
    "$2y$04$9X1DNbNwK3k5odNRjRYdYOAsE2hkfjPokj56DsW4F211gssK1I16ex",
    "$2y$04$9X1DNbNwK3k5odNRjRYdYPAsE2hkfjPokj56DsW4F211gssK1I16e",  # unused salt bits set
    "$2y$04$!X1DNbNwK3k5odNRjRYdYOAsE2hkfjPokj56DsW4F211gssK1I16e",
    "$2z$04$9X1DNbNwK3k5odNRjRYdYOAsE2hkfjPokj56DsW4F211gssK1I16e",
    "{SHA}",
    "{SHA}!!!not base64!!!",
    "{SHA}nU4eI71bcnBGqeO0t9tXvY1u5oQ",
    "{sha}nU4eI71bcnBGqeO0t9tXvY1u5oQ=",
    "$5$",
    "$6$$",
    "$6$rounds=abc$qzsAAm.MVQXVuPuL$x61uL9bKhiq0uf5FxRNzKXMCE73ol29zVXytJ3",
    "$6$rounds=999$qzsAAm.MVQXVuPuL$x61uL9bKhiq0uf5FxRNzKXMCE73ol29zVXytJ3",
    "$6$rounds=01000$APD5br4bvdVNPqg2$dVcZlI82A/WPc8Exc4ye6ukGUeha3NBVlPqRXjJsp1gZupZucMF",
    "$6$rounds=1000000000$x$y",
    "$5$rounds=" + "9" * 5000 + "$salt$",
    "$5$rounds=1000",
    "$1$",
    "$1$abc",
    "$1$a:c$iUbCWW89D2V9MXDEFGV8x0",
    "$1$abc$iUbCWW89D2V9MXDEFGV8x0 ",
    " $1$abc$iUbCWW89D2V9MXDEFGV8x0",
    "0Gw7271njS2l",
    "0Gw7271njS2lsx",
    "!!w7271njS2ls",
    "*0",
    "*1",
    "$",
    "$x$",
    "$y$j9T$abc$def",
    "_J9..abcd",
    "\udcff\ud800",  # not encodable
    "pass\0word",
]


@pytest.mark.parametrize("stored", MALFORMED)
def test_malformed_hashes_do_not_match(stored: str) -> None:
    for password in (b"", b"pass", b"Hello world!", stored.encode("utf-8", "replace")):
        assert validate(password, stored) is False
    assert scheme(stored) in {
        "bcrypt",
        "apr1",
        "sha1",
        "md5-crypt",
        "sha256-crypt",
        "sha512-crypt",
        "des-crypt",
        "bigcrypt",
        "plaintext",
        "unknown",
    }


@pytest.mark.parametrize(
    ("stored", "name"),
    [
        ("$apr1$qeerihNI$OSg.ByZ8fpGUtf68UEQNo/", "apr1"),
        ("$2y$04$9X1DNbNwK3k5odNRjRYdYOAsE2hkfjPokj56DsW4F211gssK1I16e", "bcrypt"),
        ("$2a$04$9X1DNbNwK3k5odNRjRYdYOAsE2hkfjPokj56DsW4F211gssK1I16e", "bcrypt"),
        ("$2b$04$9X1DNbNwK3k5odNRjRYdYOAsE2hkfjPokj56DsW4F211gssK1I16e", "bcrypt"),
        ("{SHA}nU4eI71bcnBGqeO0t9tXvY1u5oQ=", "sha1"),
        ("$1$abc$iUbCWW89D2V9MXDEFGV8x0", "md5-crypt"),
        ("$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", "sha256-crypt"),
        ("$6$rounds=1000$x$y", "sha512-crypt"),
        ("0Gw7271njS2ls", "des-crypt"),
        ("abJnggxhB/yWI8NTHMQt1CewehoRz0Mub4g", "bigcrypt"),
        ("pass", "plaintext"),
        ("p\u00e4ss word", "plaintext"),
        ("", "unknown"),
        ("$y$j9T$abc$def", "unknown"),
        ("_J9..abcdQ3b4oq3tGVk", "unknown"),
        ("$foo$bar", "unknown"),
    ],
)
def test_scheme_names(stored: str, name: str) -> None:
    assert scheme(stored) == name


def test_public_names() -> None:
    assert sorted(apr_password.__all__) == ["scheme", "validate"]


# --- against the real htpasswd -------------------------------------------------------

HTPASSWD = shutil.which("htpasswd")
needs_htpasswd = pytest.mark.skipif(HTPASSWD is None, reason="htpasswd (apache2-utils) missing")

LIVE_PASSWORDS = [b"", b"pass", UTF8, b"longpassword123", LONG80, "€ and ü".encode()]
LIVE_FLAGS = [
    ["-m"],
    ["-B", "-C", "4"],
    ["-s"],
    ["-d"],
    ["-2"],
    ["-5"],
    ["-2", "-r", "1000"],
    ["-5", "-r", "2000"],
]


def _htpasswd_hash(flags: list[str], password: bytes) -> str:
    assert HTPASSWD is not None
    result = subprocess.run(
        [HTPASSWD, "-nb", *flags, "user", password], capture_output=True, check=True
    )
    line = result.stdout.decode("utf-8", "surrogateescape").strip()
    return line.split(":", 1)[1]


def _htpasswd_verifies(password: bytes, stored: str) -> bool | None:
    """``htpasswd -v``: apr_password_validate itself. None where htpasswd refuses to ask
    (an empty hash)."""
    assert HTPASSWD is not None
    with tempfile.NamedTemporaryFile("wb", suffix=".htpasswd", delete=False) as handle:
        handle.write(b"user:" + stored.encode("utf-8", "surrogateescape") + b"\n")
    try:
        result = subprocess.run(
            [HTPASSWD, "-vb", handle.name, "user", password], capture_output=True
        )
    finally:
        os.unlink(handle.name)
    if b"Empty hash" in result.stderr:
        return None
    # 0: verified; 3: mismatch; 9 "Could not verify": apr returned an error status,
    # which mod_authn_file also treats as a mismatch.
    assert result.returncode in (0, 3, 9), result.stderr
    return result.returncode == 0


@needs_htpasswd
@pytest.mark.parametrize("flags", LIVE_FLAGS, ids=" ".join)
@pytest.mark.parametrize("password", LIVE_PASSWORDS)
def test_live_htpasswd_hashes(flags: list[str], password: bytes) -> None:
    stored = _htpasswd_hash(flags, password)
    assert validate(password, stored)
    assert not validate(b"x" + password, stored)
    if flags == ["-d"]:
        assert validate(password[:8], stored)
        assert validate(password + b"x", stored) == (len(password) >= 8)
    else:
        assert not validate(password + b"x", stored) or len(password) >= 72
    if flags[0] == "-B":
        assert validate(password[:72] + b"tail", stored) == (len(password) >= 72)


@needs_htpasswd
@pytest.mark.parametrize("password", [b"pass", b"ab", b"abcdefghijklm"])
def test_live_plaintext_entry_is_refused_like_htpasswd_v(password: bytes) -> None:
    stored = _htpasswd_hash(["-p"], password)
    assert stored == password.decode()
    assert _htpasswd_verifies(password, stored) is False
    assert not validate(password, stored)


def _fits_an_htpasswd_line(stored: str) -> bool:
    try:
        stored.encode()
    except UnicodeEncodeError:
        return False
    return 0 < len(stored) < 200 and "\0" not in stored


ORACLE_CASES = [
    *[(password, stored) for password, stored in CRYPT_VECTORS],
    (b"pass", "$5$rounds=5000$/06f7T3.BWczepZf$3iM0Bx..RqNcyGM9ZwF4FqxThYZFy65VpuYJucWFOl2"),
    (b"pass", "$5$/06f7T3.BWczepZf$3iM0Bx..RqNcyGM9ZwF4FqxThYZFy65VpuYJucWFOl2"),
    (b"pass", "$2a$04$9X1DNbNwK3k5odNRjRYdYOAsE2hkfjPokj56DsW4F211gssK1I16e"),
    (b"pass", "$2x$04$9X1DNbNwK3k5odNRjRYdYOAsE2hkfjPokj56DsW4F211gssK1I16e"),
    (b"\xa3", "$2y$04$abcdefghijklmnopqrstuurz1efvzeJjL4mQ813hrZNg3p1.ivOii"),
    (b"\xff\xff\xff", "$2a$04$abcdefghijklmnopqrstuuRYRX5VC4nthKo7h6U37SxyZazTR0WNK"),
    (b"passwordpassword", "abJnggxhB/yWI8NTHMQt1CewehoRz0Mub4g"),
    (b"pass", "pass"),
    (b"ab", "ab"),
    (b"", "*0"),
    *[(b"pass", stored) for stored in MALFORMED if _fits_an_htpasswd_line(stored)],
]


@needs_htpasswd
@pytest.mark.parametrize(("password", "stored"), ORACLE_CASES)
def test_agrees_with_htpasswd_verify(password: bytes, stored: str) -> None:
    expected = _htpasswd_verifies(password, stored)
    if expected is None:
        pytest.skip("htpasswd does not verify an empty hash")
    assert validate(password, stored) is expected

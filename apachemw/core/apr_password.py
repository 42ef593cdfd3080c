"""apr_password_validate(): checking a password against an htpasswd entry.

mod_authn_file hands the password from the request and the hash stored after
``user:`` to apr-util's ``apr_password_validate``, which picks the algorithm from
the hash's prefix (apr-util 1.6, crypto/apr_passwd.c):

* ``$2a$`` / ``$2y$`` -> apr's bundled crypt_blowfish (bcrypt);
* ``$apr1$``          -> apr's own MD5 variant of md5-crypt;
* ``{SHA}``           -> base64 of the SHA-1 digest, no salt;
* anything else       -> the system's ``crypt_r()``; only where there is no crypt
  at all (Windows, NetWare, BeOS, Android) is it compared as plain text.

On Linux that system crypt is libxcrypt (Debian 12: 4.4.33), which by the hash's
prefix runs ``$1$`` md5-crypt, ``$5$`` / ``$6$`` SHA-crypt, ``$2b$`` / ``$2x$``
bcrypt, or, for a hash that starts with two characters of ``./0-9A-Za-z``, the
traditional DES crypt (13 characters) or its bigcrypt extension (longer hashes).
Whatever the algorithm, apr then compares the whole string it computed with the
whole stored string, so a stored hash with anything extra or missing never
matches. This module reproduces that on Linux, in pure Python except bcrypt.

A clear-text entry (``htpasswd -p``) therefore does not match on Linux: it goes to
crypt(), which either refuses it as a setting or, when it starts with two salt
characters, returns the DES (or bigcrypt) hash of the password salted with them,
which is not the entry. ``htpasswd -v`` (the same libaprutil call) rejects it, and a
live Apache 2.4.71 with mod_authn_file answers 401 to the right clear-text password.
This module does not offer the no-crypt platforms' plain comparison.

Not reproduced (``validate`` answers False, as if the hash were invalid): the other
crypt(5) formats libxcrypt would accept -- yescrypt ``$y$``, ``$gy$``, scrypt
``$7$``, ``$sha1``, SunMD5 ``$md5``, NT ``$3$``, BSDi ``_`` -- which htpasswd
never writes; and two bcrypt variants for some passwords with bytes >= 0x80 (see
``_apr_blowfish`` and ``_xcrypt_blowfish``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable

import bcrypt

__all__ = ["scheme", "validate"]

# hashlib.sha256 or hashlib.sha512 (a hashlib constructor called on initial data).
_NewHash = Callable[[bytes], "hashlib._Hash"]

# The crypt(3) base-64 alphabet (md5-crypt, SHA-crypt, DES); bcrypt has its own order.
_ITOA64 = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ATOI64 = {c: i for i, c in enumerate(_ITOA64)}

# libxcrypt refuses passphrases of 512 bytes or more (CRYPT_MAX_PASSPHRASE_SIZE).
_CRYPT_MAX_PASSPHRASE = 512

# Prefixes libxcrypt recognises that this module does not compute.
_UNSUPPORTED_CRYPT_PREFIXES = (b"$y$", b"$gy$", b"$7$", b"$sha1", b"$md5", b"$3$", b"_")


def validate(password: bytes, stored: str) -> bool:
    """True if ``password`` matches the htpasswd hash ``stored``, as Linux Apache decides.

    Never raises for a malformed or unknown hash: that is simply no match.
    """
    stored_bytes = _stored_as_c_string(stored)
    if stored_bytes is None:
        return False
    computed = _apr_compute(_as_c_string(password), stored_bytes)
    if computed is None:
        return False
    return hmac.compare_digest(computed, stored_bytes)


def scheme(stored: str) -> str:
    """Short name of the code path apr_password_validate takes for ``stored``.

    One of "bcrypt", "apr1", "sha1", "md5-crypt", "sha256-crypt", "sha512-crypt",
    "des-crypt", "bigcrypt", "plaintext" (no scheme recognised: the clear-text entry
    htpasswd -p writes, which Linux Apache never accepts) or "unknown" (empty, or a
    crypt(5) format this module does not compute). Names the format from its prefix
    and shape; it does not check that the hash is well formed.
    """
    raw = _stored_as_c_string(stored) or b""
    for prefix, name in _SCHEME_PREFIXES:
        if raw.startswith(prefix):
            return name
    if _looks_like_des_family(raw):
        return "des-crypt" if len(raw) == 13 else "bigcrypt"
    if not raw or raw.startswith(b"$") or raw.startswith(_UNSUPPORTED_CRYPT_PREFIXES):
        return "unknown"
    return "plaintext"


_SCHEME_PREFIXES = (
    (b"$2a$", "bcrypt"),
    (b"$2y$", "bcrypt"),
    (b"$2b$", "bcrypt"),
    (b"$2x$", "bcrypt"),
    (b"$apr1$", "apr1"),
    (b"{SHA}", "sha1"),
    (b"$1$", "md5-crypt"),
    (b"$5$", "sha256-crypt"),
    (b"$6$", "sha512-crypt"),
)


def _looks_like_des_family(raw: bytes) -> bool:
    """Two salt characters, then 1 to 16 blocks of 11 characters, all from ``./0-9A-Za-z``."""
    whole_blocks = len(raw) >= 13 and (len(raw) - 2) % 11 == 0 and len(raw) <= 2 + 16 * 11
    return whole_blocks and all(c in _ATOI64 for c in raw)


# --- C strings ---------------------------------------------------------------------


def _as_c_string(data: bytes) -> bytes:
    """apr and crypt take NUL-terminated strings: nothing after a NUL byte counts."""
    end = data.find(b"\0")
    return data if end < 0 else data[:end]


def _stored_as_c_string(stored: str) -> bytes | None:
    """The stored hash as the bytes of the htpasswd line (UTF-8, or surrogate-escaped)."""
    try:
        return _as_c_string(stored.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:
        return None


# --- dispatch ----------------------------------------------------------------------


def _apr_compute(password: bytes, stored: bytes) -> bytes | None:
    """What apr_password_validate computes to compare with ``stored``; None: an error."""
    if stored[:4] in (b"$2a$", b"$2y$"):
        return _apr_blowfish(password, stored)
    if stored.startswith(b"$apr1$"):
        return _md5_crypt(password, _apr1_salt(stored), b"$apr1$")
    if stored.startswith(b"{SHA}"):
        return b"{SHA}" + base64.b64encode(hashlib.sha1(password).digest())
    return _system_crypt(password, stored)


def _apr1_salt(stored: bytes) -> bytes:
    """apr_md5_encode: the salt after ``$apr1$`` ends at '$' or after 8 bytes."""
    return stored[6:].split(b"$", 1)[0][:8]


def _system_crypt(password: bytes, setting: bytes) -> bytes | None:
    """libxcrypt's crypt_r(); None where it returns its failure token ("*0"/"*1").

    The failure token never equals the stored hash, so apr's strcmp then mismatches.
    """
    if len(password) >= _CRYPT_MAX_PASSPHRASE or _has_bad_setting_chars(setting):
        return None
    for prefix, method in _CRYPT_METHODS:
        if setting.startswith(prefix):
            return method(password, setting)
    if setting.startswith(_UNSUPPORTED_CRYPT_PREFIXES):
        return None
    return _bigcrypt(password, setting)


def _has_bad_setting_chars(setting: bytes) -> bool:
    """libxcrypt refuses settings with whitespace, non-ASCII, controls or ``!*:;\\``
    (crypt(5): those mark locked or special entries in passwd/shadow files)."""
    return any(c <= 0x20 or c >= 0x7F or c in b"!*:;\\" for c in setting)


# --- bcrypt ------------------------------------------------------------------------

_BCRYPT_SETTING = re.compile(rb"\$2[abxy]\$([0-9]{2})\$[./A-Za-z0-9]{22}")
# apr-util 1.6's bundled crypt_blowfish accepts cost 04..17; libxcrypt 04..31.
_APR_BLOWFISH_MAX_COST = 17
_XCRYPT_BLOWFISH_MAX_COST = 31
# crypt_blowfish reads 18 32-bit words of key, cycling over the password and its NUL.
_BLOWFISH_KEY_BYTES = 72


def _apr_blowfish(password: bytes, stored: bytes) -> bytes | None:
    """apr's crypt_blowfish for ``$2a$`` / ``$2y$``.

    For ``$2a$`` crypt_blowfish deviates from standard bcrypt on purpose when the
    buggy ``$2x$`` key would have been identical to the correct one although a byte
    was sign-extended (only possible with 0xFF bytes): it flips one bit of the
    initial state so that such hashes cannot collide with buggy ones. The bcrypt
    package cannot compute that variant, so those passwords are refused (Apache
    accepts them against a hash it made itself, refuses them against a hash made by
    standard bcrypt).
    """
    if stored[2:3] == b"a":
        key_differs, sign_extended = _blowfish_sign_extension(password)
        if sign_extended and not key_differs:
            return None
    return _bcrypt(password, stored, _APR_BLOWFISH_MAX_COST)


def _xcrypt_blowfish(password: bytes, stored: bytes) -> bytes | None:
    """libxcrypt's bcrypt for ``$2b$`` / ``$2x$`` (apr handles ``$2a$``/``$2y$`` itself).

    ``$2x$`` keeps the old sign-extension bug on purpose; where its key differs from
    the correct one the bcrypt package cannot compute it and the password is refused
    (Apache would accept it against a ``$2x$`` hash made by crypt_blowfish).
    """
    if stored[2:3] == b"x" and _blowfish_sign_extension(password)[0]:
        return None
    return _bcrypt(password, stored, _XCRYPT_BLOWFISH_MAX_COST)


def _bcrypt(password: bytes, stored: bytes, max_cost: int) -> bytes | None:
    setting = _BCRYPT_SETTING.match(stored)
    if setting is None or not 4 <= int(setting.group(1)) <= max_cost:
        return None
    # Standard bcrypt on the 29-character setting, under the standard "$2b$" name;
    # the output then carries the stored prefix, as crypt_blowfish's does.
    standard_setting = b"$2b$" + setting.group(0)[4:]
    try:
        # The bcrypt package refuses over 72 bytes; crypt_blowfish ignores the rest.
        digest = bcrypt.hashpw(password[:_BLOWFISH_KEY_BYTES], standard_setting)
    except ValueError:  # e.g. a salt whose last character has unused bits set
        return None
    return stored[:4] + digest[4:]


def _blowfish_sign_extension(password: bytes) -> tuple[bool, bool]:
    """How crypt_blowfish's old sign-extension bug would treat ``password``.

    The key is 18 big-endian 32-bit words read cyclically from the password and its
    terminating NUL. The bug OR-ed each byte into its word as a signed char, so a
    byte >= 0x80 set all the bits above it. Returns (the buggy key differs from the
    correct one, some byte after the first of its word was sign-extended).
    """
    stream = (password + b"\0") * (_BLOWFISH_KEY_BYTES // (len(password) + 1) + 1)
    differs = sign_extended = False
    for start in range(0, _BLOWFISH_KEY_BYTES, 4):
        correct = buggy = 0
        for offset, byte in enumerate(stream[start : start + 4]):
            correct = (correct << 8) | byte
            buggy = ((buggy << 8) | (byte | 0xFFFFFF00 if byte & 0x80 else byte)) & 0xFFFFFFFF
            sign_extended = sign_extended or (offset > 0 and byte >= 0x80)
        differs = differs or correct != buggy
    return differs, sign_extended


# --- md5-crypt ($1$ and $apr1$) --------------------------------------------------------

# Output byte order of md5-crypt's final digest, three bytes per four characters.
_MD5_CRYPT_GROUPS = ((0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5))


def _md5_crypt(password: bytes, salt: bytes, magic: bytes) -> bytes:
    """Poul-Henning Kamp's md5-crypt; apr1 differs only by its magic string."""
    alternate = hashlib.md5(password + salt + password).digest()
    context = hashlib.md5(password + magic + salt)
    context.update(_repeat_to_length(alternate, len(password)))
    # The original walks the length's bits and adds a NUL byte for each 1 bit and
    # the password's first byte for each 0 bit.
    length = len(password)
    while length:
        context.update(b"\0" if length & 1 else password[:1])
        length >>= 1
    digest = context.digest()
    for i in range(1000):
        context = hashlib.md5(password if i & 1 else digest)
        if i % 3:
            context.update(salt)
        if i % 7:
            context.update(password)
        context.update(digest if i & 1 else password)
        digest = context.digest()
    encoded = b"".join(_b64_from_bytes(digest, group) for group in _MD5_CRYPT_GROUPS)
    return magic + salt + b"$" + encoded + _b64_from_int(digest[11], 2)


def _xcrypt_md5(password: bytes, setting: bytes) -> bytes:
    """libxcrypt's ``$1$``: the salt runs to the next '$', at most 8 bytes used."""
    return _md5_crypt(password, setting[3:].split(b"$", 1)[0][:8], b"$1$")


# --- SHA-crypt ($5$ and $6$), Ulrich Drepper's specification ---------------------------

_SHA_ROUNDS_DEFAULT = 5000
_SHA_ROUNDS_MIN = 1000
_SHA_ROUNDS_MAX = 999_999_999
_SHA_SALT_MAX = 16
_ROUNDS_PREFIX = b"rounds="

# Which digest bytes make up each group of four output characters.
_SHA256_GROUPS = (
    (0, 10, 20), (21, 1, 11), (12, 22, 2), (3, 13, 23), (24, 4, 14),
    (15, 25, 5), (6, 16, 26), (27, 7, 17), (18, 28, 8), (9, 19, 29),
)  # fmt: skip
_SHA512_GROUPS = (
    (0, 21, 42), (22, 43, 1), (44, 2, 23), (3, 24, 45), (25, 46, 4),
    (47, 5, 26), (6, 27, 48), (28, 49, 7), (50, 8, 29), (9, 30, 51),
    (31, 52, 10), (53, 11, 32), (12, 33, 54), (34, 55, 13), (56, 14, 35),
    (15, 36, 57), (37, 58, 16), (59, 17, 38), (18, 39, 60), (40, 61, 19),
    (62, 20, 41),
)  # fmt: skip


def _xcrypt_sha256(password: bytes, setting: bytes) -> bytes | None:
    def tail(digest: bytes) -> bytes:
        return _b64_from_int((digest[31] << 8) | digest[30], 3)

    return _sha_crypt(password, setting, b"$5$", hashlib.sha256, _SHA256_GROUPS, tail)


def _xcrypt_sha512(password: bytes, setting: bytes) -> bytes | None:
    def tail(digest: bytes) -> bytes:
        return _b64_from_int(digest[63], 2)

    return _sha_crypt(password, setting, b"$6$", hashlib.sha512, _SHA512_GROUPS, tail)


def _sha_crypt(
    password: bytes,
    setting: bytes,
    magic: bytes,
    new_hash: _NewHash,
    groups: tuple[tuple[int, int, int], ...],
    tail: Callable[[bytes], bytes],
) -> bytes | None:
    parsed = _sha_crypt_setting(setting[len(magic) :])
    if parsed is None:
        return None
    rounds, salt, rounds_given = parsed
    digest = _sha_crypt_digest(password, salt, rounds, new_hash)
    encoded = b"".join(_b64_from_bytes(digest, group) for group in groups) + tail(digest)
    rounds_field = b"%s%d$" % (_ROUNDS_PREFIX, rounds) if rounds_given else b""
    return magic + rounds_field + salt + b"$" + encoded


def _sha_crypt_setting(rest: bytes) -> tuple[int, bytes, bool] | None:
    """Rounds, salt and whether rounds were given, from what follows ``$5$``/``$6$``.

    Unlike glibc, which clamps, libxcrypt refuses rounds out of [1000, 999999999],
    with a leading zero, or not followed by '$'. The salt runs to the next '$';
    only its first 16 bytes are used (and echoed in the output).
    """
    rounds, rounds_given = _SHA_ROUNDS_DEFAULT, False
    if rest.startswith(_ROUNDS_PREFIX):
        digits = re.match(rb"[1-9][0-9]{0,9}", rest[len(_ROUNDS_PREFIX) :])
        if digits is None:
            return None
        end = len(_ROUNDS_PREFIX) + digits.end()
        rounds = int(digits.group(0))
        if rest[end : end + 1] != b"$" or not _SHA_ROUNDS_MIN <= rounds <= _SHA_ROUNDS_MAX:
            return None
        rest, rounds_given = rest[end + 1 :], True
    return rounds, rest.split(b"$", 1)[0][:_SHA_SALT_MAX], rounds_given


def _sha_crypt_digest(password: bytes, salt: bytes, rounds: int, new_hash: _NewHash) -> bytes:
    alternate = new_hash(password + salt + password).digest()
    context = new_hash(password + salt + _repeat_to_length(alternate, len(password)))
    length = len(password)
    while length:
        context.update(alternate if length & 1 else password)
        length >>= 1
    digest = context.digest()
    p_bytes = _repeat_to_length(new_hash(password * len(password)).digest(), len(password))
    s_bytes = _repeat_to_length(new_hash(salt * (16 + digest[0])).digest(), len(salt))
    return _sha_crypt_rounds(digest, p_bytes, s_bytes, rounds, new_hash)


def _sha_crypt_rounds(
    digest: bytes,
    p_bytes: bytes,
    s_bytes: bytes,
    rounds: int,
    new_hash: _NewHash,
) -> bytes:
    """The stretching loop. Round i hashes, in order: P or the previous digest (odd
    or even i), S unless 3 divides i, P unless 7 divides i, then the previous
    digest or P. The inputs repeat every 42 rounds, so the constant parts are
    joined once: odd rounds hash ``prefix + digest``, even ones ``digest + suffix``."""
    odd_prefix = [
        new_hash(p_bytes + (s_bytes if i % 3 else b"") + (p_bytes if i % 7 else b""))
        for i in range(42)
    ]
    even_suffix = [
        (s_bytes if i % 3 else b"") + (p_bytes if i % 7 else b"") + p_bytes for i in range(42)
    ]
    cycle = 0
    for i in range(rounds):
        if i & 1:
            context = odd_prefix[cycle].copy()
            context.update(digest)
            digest = context.digest()
        else:
            digest = new_hash(digest + even_suffix[cycle]).digest()
        cycle = 0 if cycle == 41 else cycle + 1
    return digest


# --- traditional DES crypt and bigcrypt ------------------------------------------------


def _bigcrypt(password: bytes, setting: bytes) -> bytes | None:
    """libxcrypt's entry for settings starting with two salt characters.

    With a setting of at most 13 characters and a password over 8 bytes it is the
    traditional crypt (only 8 bytes count). Otherwise it is bigcrypt: each 8-byte
    block of the password (16 at most) is DES-crypted, salted by the previous
    block's first two output characters; a password of 8 bytes or fewer thus gives
    the traditional 13-character hash either way.
    """
    if len(setting) < 2 or setting[0] not in _ATOI64 or setting[1] not in _ATOI64:
        return None
    if len(password) > 8 and len(setting) <= 13:
        return _des_crypt(password, setting[:2])
    salt, blocks = setting[:2], []
    for start in range(0, max(len(password), 1), 8)[:16]:
        block = _des_crypt(password[start : start + 8], salt)[2:]
        blocks.append(block)
        salt = block[:2]
    return setting[:2] + b"".join(blocks)


def _des_crypt(password: bytes, salt: bytes) -> bytes:
    """Traditional crypt(3): DES applied 25 times to a zero block, keyed by the
    password's first 8 bytes each shifted left one bit (so the top bit is lost),
    with the 12 salt bits each swapping a pair of the expansion's output bits."""
    key = bytes((c << 1) & 0xFF for c in password[:8]).ljust(8, b"\0")
    salt_bits = _ATOI64[salt[0]] | (_ATOI64[salt[1]] << 6)
    block = _des_encipher(key, 0, salt_bits, iterations=25)
    # 64 bits padded to 66 and written as 11 characters, most significant first.
    padded = block << 2
    return salt + bytes(_ITOA64[(padded >> shift) & 0x3F] for shift in range(60, -1, -6))


# DES tables of FIPS 46-3: bit positions count from 1 at the most significant bit.
_IP = (
    58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4,
    62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
    57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3,
    61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
)  # fmt: skip
_PC1 = (
    57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18,
    10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
    63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22,
    14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
)  # fmt: skip
_PC2 = (
    14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10,
    23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
    41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48,
    44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
)  # fmt: skip
_KEY_SHIFTS = (1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1)
_E = (
    32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9,
    8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17,
    16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25,
    24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1,
)  # fmt: skip
_P = (
    16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10,
    2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25,
)  # fmt: skip
# S-boxes S1..S8, each as four rows of 16.
_SBOXES = (
    (14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7,
     0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
     4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0,
     15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13),
    (15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10,
     3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
     0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15,
     13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9),
    (10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8,
     13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
     13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7,
     1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12),
    (7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15,
     13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
     10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4,
     3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14),
    (2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9,
     14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
     4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14,
     11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3),
    (12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11,
     10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
     9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6,
     4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13),
    (4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1,
     13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
     1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2,
     6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12),
    (13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7,
     1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
     7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8,
     2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11),
)  # fmt: skip


def _permute(value: int, width: int, table: tuple[int, ...]) -> int:
    """Output bit i (from the top) is input bit table[i] of a ``width``-bit value."""
    out = 0
    for position in table:
        out = (out << 1) | ((value >> (width - position)) & 1)
    return out


def _inverse(table: tuple[int, ...]) -> tuple[int, ...]:
    inverse = [0] * len(table)
    for out_position, in_position in enumerate(table, start=1):
        inverse[in_position - 1] = out_position
    return tuple(inverse)


_FP = _inverse(_IP)


def _expansion_by_byte() -> tuple[tuple[int, ...], ...]:
    """E(R) as the OR of four lookups, one per byte of R (E is linear in R's bits)."""
    return tuple(
        tuple(_permute(value << (24 - 8 * byte), 32, _E) for value in range(256))
        for byte in range(4)
    )


def _sbox_then_p() -> tuple[tuple[int, ...], ...]:
    """For each S-box and 6-bit input, its 4 output bits already passed through P.

    The input's outer bits select the row and its middle four the column."""
    tables = []
    for box, sbox in enumerate(_SBOXES):
        row_of = [((six >> 4) & 2) | (six & 1) for six in range(64)]
        tables.append(
            tuple(
                _permute(sbox[16 * row_of[six] + ((six >> 1) & 0xF)] << (28 - 4 * box), 32, _P)
                for six in range(64)
            )
        )
    return tuple(tables)


_E_BY_BYTE = _expansion_by_byte()
_SP = _sbox_then_p()


def _des_subkeys(key: bytes) -> list[int]:
    """The 16 round keys: PC-1, then both 28-bit halves rotated left, then PC-2."""
    selected = _permute(int.from_bytes(key, "big"), 64, _PC1)
    c, d = selected >> 28, selected & 0xFFFFFFF
    subkeys = []
    for shift in _KEY_SHIFTS:
        c = ((c << shift) | (c >> (28 - shift))) & 0xFFFFFFF
        d = ((d << shift) | (d >> (28 - shift))) & 0xFFFFFFF
        subkeys.append(_permute((c << 28) | d, 56, _PC2))
    return subkeys


def _salt_swap_mask(salt_bits: int) -> int:
    """Salt bit k (least significant first) swaps expansion outputs k and k + 24
    (counted from the top); the mask marks those bits in the lower 24-bit half."""
    return sum(1 << (23 - k) for k in range(12) if salt_bits >> k & 1)


def _des_encipher(key: bytes, block: int, salt_bits: int = 0, iterations: int = 1) -> int:
    """DES (salted as crypt(3) does when salt_bits is set), applied ``iterations`` times.

    Between iterations the final permutation and the next initial one cancel, so
    only the halves' order changes."""
    subkeys = _des_subkeys(key)
    swap = _salt_swap_mask(salt_bits)
    halves = _permute(block, 64, _IP)
    left, right = halves >> 32, halves & 0xFFFFFFFF
    for _ in range(iterations):
        left, right = _des_sixteen_rounds(left, right, subkeys, swap)
    return _permute((left << 32) | right, 64, _FP)


def _des_sixteen_rounds(left: int, right: int, subkeys: list[int], swap: int) -> tuple[int, int]:
    """The Feistel rounds; returns the pre-output halves (R16, L16)."""
    e0, e1, e2, e3 = _E_BY_BYTE
    s0, s1, s2, s3, s4, s5, s6, s7 = _SP
    for subkey in subkeys:
        e = e0[right >> 24] | e1[(right >> 16) & 0xFF] | e2[(right >> 8) & 0xFF] | e3[right & 0xFF]
        crossed = ((e >> 24) ^ e) & swap
        e ^= crossed ^ (crossed << 24) ^ subkey
        left, right = (
            right,
            left
            ^ s0[e >> 42]
            ^ s1[(e >> 36) & 0x3F]
            ^ s2[(e >> 30) & 0x3F]
            ^ s3[(e >> 24) & 0x3F]
            ^ s4[(e >> 18) & 0x3F]
            ^ s5[(e >> 12) & 0x3F]
            ^ s6[(e >> 6) & 0x3F]
            ^ s7[e & 0x3F],
        )
    return right, left


# --- shared helpers ----------------------------------------------------------------


def _repeat_to_length(block: bytes, length: int) -> bytes:
    return (block * (length // len(block) + 1))[:length]


def _b64_from_int(value: int, count: int) -> bytes:
    """crypt's to64: ``count`` characters, least significant 6 bits first."""
    return bytes(_ITOA64[(value >> (6 * i)) & 0x3F] for i in range(count))


def _b64_from_bytes(digest: bytes, group: tuple[int, int, int]) -> bytes:
    first, second, third = group
    return _b64_from_int((digest[first] << 16) | (digest[second] << 8) | digest[third], 4)


_CRYPT_METHODS: tuple[tuple[bytes, Callable[[bytes, bytes], bytes | None]], ...] = (
    (b"$2b$", _xcrypt_blowfish),
    (b"$2x$", _xcrypt_blowfish),
    (b"$6$", _xcrypt_sha512),
    (b"$5$", _xcrypt_sha256),
    (b"$1$", _xcrypt_md5),
)

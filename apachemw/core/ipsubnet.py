"""IP subnets as APR 1.7 parses and tests them (network_io/unix/sockaddr.c).

``parse_subnet`` is ``apr_ipsubnet_create()`` and ``Subnet.contains`` is
``apr_ipsubnet_test()``, which is what Apache 2.4 uses for ``Require ip``
(mod_authz_host ``ip_parse_config``) and ``Allow from`` / ``Deny from``
(mod_access_compat ``allow_cmd``). ``parse_require_ip`` and ``parse_allow_from``
add those two directives' own handling and config-time messages on top.

APR parses addresses with its own copy of BIND's ``inet_pton``, not the C library's,
and it is laxer than Python's ``ipaddress``: leading zeros in IPv4 octets are decimal
and allowed, IPv6 groups may carry any number of leading zeros, a trailing ``:`` is
ignored and a ``::`` that stands for no group at all is accepted. So the parsing of
configured subnets is done by hand here; ``ipaddress`` is only used for the client
address, which a server reports in canonical form.
"""

from __future__ import annotations

import enum
import ipaddress
import re
from dataclasses import dataclass

__all__ = [
    "ALLOW_FROM_REQUIRED",
    "ALLOW_IP_EXPECTED",
    "ALLOW_NO_COMMENTS",
    "BAD_IP_MESSAGE",
    "BAD_MASK_MESSAGE",
    "EINVAL_MESSAGE",
    "REQUIRE_IP_INVALID",
    "REQUIRE_IP_INVALID_BECAUSE",
    "REQUIRE_IP_NO_ARGUMENT",
    "Subnet",
    "SubnetError",
    "SubnetStatus",
    "looks_like_ip",
    "parse_allow_from",
    "parse_require_ip",
    "parse_subnet",
]

# apr_strerror() for the two APR codes (misc/unix/errorcodes.c); Apache prints them with %pm.
BAD_IP_MESSAGE = "The specified IP address is invalid."
BAD_MASK_MESSAGE = "The specified network mask is invalid."
# APR_EINVAL is the errno EINVAL, so apr_strerror gives strerror(EINVAL). Apache never
# prints it: both callers turn EINVAL into a message (or a host name) of their own.
EINVAL_MESSAGE = "Invalid argument"

# mod_authz_host.c ip_parse_config(); {word} is the whole word, mask included.
REQUIRE_IP_NO_ARGUMENT = "'require ip' requires an argument"
REQUIRE_IP_INVALID = "ip address '{word}' appears to be invalid"
REQUIRE_IP_INVALID_BECAUSE = "ip address '{word}' appears to be invalid: {reason}"

# mod_access_compat.c allow_cmd(); other errors there are the bare apr_strerror text.
ALLOW_IP_EXPECTED = "An IP address was expected"
ALLOW_NO_COMMENTS = "No comments are allowed here"
ALLOW_FROM_REQUIRED = "allow and deny must be followed by 'from'"

_IPV4_BITS = 32
_IPV6_BITS = 128
_IPV4_ALL = (1 << _IPV4_BITS) - 1
_IPV6_ALL = (1 << _IPV6_BITS) - 1
# ::ffff:0:0/96, IN6_IS_ADDR_V4MAPPED.
_V4MAPPED_PREFIX = 0xFFFF << 32
_V4MAPPED_MASK = _IPV6_ALL ^ _IPV4_ALL

# parse_network copies the text into a char[sizeof "255.255.255.255"] or refuses it.
_NETWORK_BUFFER = len("255.255.255.255") + 1
_DIGITS = frozenset("0123456789")
_HEX = frozenset("0123456789abcdefABCDEF")
# What strtol(mask, &end, 10) reads to the end with a value > 0: C isspace, an optional
# '+', ASCII digits (a '-' can only give a value <= 0, which APR refuses anyway).
_NUMBITS = re.compile(r"[ \t\n\v\f\r]*\+?([0-9]+)")


class SubnetStatus(enum.Enum):
    """The APR status apr_ipsubnet_create() would return."""

    EINVAL = "APR_EINVAL"  # does not look like an IP address at all (maybe a host name)
    EBADIP = "APR_EBADIP"  # looks like one, but the address part is invalid
    EBADMASK = "APR_EBADMASK"  # the address is fine, the mask or bit count is not


_STATUS_MESSAGES = {
    SubnetStatus.EINVAL: EINVAL_MESSAGE,
    SubnetStatus.EBADIP: BAD_IP_MESSAGE,
    SubnetStatus.EBADMASK: BAD_MASK_MESSAGE,
}


class SubnetError(ValueError):
    """A subnet APR (or the directive using it) refuses; `status` says which way."""

    def __init__(self, message: str, status: SubnetStatus) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _fail(status: SubnetStatus) -> SubnetError:
    return SubnetError(_STATUS_MESSAGES[status], status)


@dataclass(frozen=True, slots=True)
class Subnet:
    """A parsed subnet: `network` already has the bits outside `mask` cleared (fix_subnet).

    `family` is 4 or 6. An IPv4 `mask` need not be contiguous: APR takes any dotted quad.
    """

    family: int
    network: int
    mask: int

    def contains(self, address: str) -> bool:
        """apr_ipsubnet_test() for a client address as a server reports it.

        An IPv4-mapped IPv6 client (``::ffff:10.1.2.3``) is tested as its IPv4 address
        against IPv4 subnets and never matches an IPv6 subnet, even ``::/1``; IPv4-compatible
        (``::10.1.2.3``) is plain IPv6. A zone (``%eth0``) is ignored, as APR compares only
        the address. Anything that is not an IP address contains nothing (so it is denied).
        """
        client = _client_address(address)
        if client is None:
            return False
        if isinstance(client, ipaddress.IPv4Address):
            return self.family == 4 and (int(client) & self.mask) == self.network
        mapped = client.ipv4_mapped
        if mapped is not None:
            return self.family == 4 and (int(mapped) & self.mask) == self.network
        return self.family == 6 and (int(client) & self.mask) == self.network

    @property
    def prefixlen(self) -> int | None:
        """The CIDR prefix length, or None for a mask with holes (``255.0.255.0``)."""
        width = _IPV4_BITS if self.family == 4 else _IPV6_BITS
        ones = bin(self.mask).count("1")
        contiguous = self.mask == ((1 << ones) - 1) << (width - ones)
        return ones if contiguous else None

    def __str__(self) -> str:
        if self.family == 4:
            net = str(ipaddress.IPv4Address(self.network))
            mask = str(ipaddress.IPv4Address(self.mask))
        else:
            net = str(ipaddress.IPv6Address(self.network))
            mask = ""
        bits = self.prefixlen
        return f"{net}/{bits if bits is not None else mask}"


def _client_address(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = address.partition("%")[0] if ":" in address else address
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _is_digits(text: str) -> bool:
    return bool(text) and all(c in _DIGITS for c in text)


def _inet_pton4(text: str) -> int | None:
    """APR's inet_pton4: exactly four dot-separated decimal octets, leading zeros allowed."""
    parts = text.split(".")
    if len(parts) != 4 or not all(_is_digits(p) for p in parts):
        return None
    value = 0
    for part in parts:
        octet = int(part)
        if octet > 255:
            return None
        value = value << 8 | octet
    return value


def _inet_pton6(text: str) -> int | None:
    """APR's inet_pton6, which is laxer than RFC 4291 text (see the module docstring).

    A group is any run of hex digits worth at most 0xffff; ':' closes a group, or opens
    the one '::' gap when no digits precede it; a dotted quad may end the address.
    """
    if text.startswith(":") and not text.startswith("::"):
        return None
    body = text[1:] if text.startswith("::") else text
    groups: list[int] = []
    gap: int | None = None
    value, digits, token = 0, False, 0
    for index, char in enumerate(body):
        if char in _HEX:
            value = value << 4 | int(char, 16)
            if value > 0xFFFF:
                return None
            digits = True
        elif char == ":":
            token = index + 1
            if digits:
                if len(groups) >= 8:
                    return None
                groups.append(value)
                value, digits = 0, False
            elif gap is None:
                gap = len(groups)
            else:
                return None
        elif char == "." and len(groups) <= 6:
            quad = _inet_pton4(body[token:])
            if quad is None:
                return None
            groups += [quad >> 16, quad & 0xFFFF]
            digits = False
            break
        else:
            return None
    if digits:
        if len(groups) >= 8:
            return None
        groups.append(value)
    if gap is not None:
        groups[gap:gap] = [0] * (8 - len(groups))
    if len(groups) != 8:
        return None
    result = 0
    for group in groups:
        result = result << 16 | group
    return result


def _parse_network(text: str) -> Subnet:
    """APR's parse_network: the legacy ``a``, ``a.b``, ``a.b.c`` (and ``a.b.c.d``) forms.

    One trailing dot is allowed; each octet is read by atoi(), so on Linux a number like
    4294967306 wraps (to 10) and is accepted; the whole text must fit "255.255.255.255".
    """
    if len(text) >= _NETWORK_BUFFER:
        raise _fail(SubnetStatus.EBADIP)
    parts = (text[:-1] if text.endswith(".") else text).split(".")
    if len(parts) > 4 or not all(_is_digits(p) for p in parts):
        raise _fail(SubnetStatus.EBADIP)
    network = mask = 0
    for shift, part in zip((24, 16, 8, 0), parts, strict=False):
        # atoi is (int)strtol: a 64-bit value truncated to a signed 32-bit int.
        octet = int(part) % (1 << 32)
        if octet > 255:
            raise _fail(SubnetStatus.EBADIP)
        network |= octet << shift
        mask |= 0xFF << shift
    return Subnet(4, network, mask)


def _parse_address(text: str, network_allowed: bool) -> Subnet:
    """APR's parse_ip: IPv6, else IPv4, else (without a mask only) the legacy network form."""
    six = _inet_pton6(text)
    if six is not None:
        # APR refuses ::ffff:a.b.c.d, as apr_ipsubnet_test never tests IPv4 clients
        # against IPv6 subnets; one writes a.b.c.d instead.
        if six & _V4MAPPED_MASK == _V4MAPPED_PREFIX:
            raise _fail(SubnetStatus.EBADIP)
        return Subnet(6, six, _IPV6_ALL)
    four = _inet_pton4(text)
    if four is not None:
        return Subnet(4, four, _IPV4_ALL)
    if network_allowed:
        return _parse_network(text)
    raise _fail(SubnetStatus.EBADIP)


def _parse_mask(mask: str, family: int) -> int:
    """A bit count from 1 to 32 (128 for IPv6) as strtol reads it, or an IPv4 dotted quad."""
    width = _IPV4_BITS if family == 4 else _IPV6_BITS
    numbits = _NUMBITS.fullmatch(mask)
    # APR refuses /0; a dotted 0.0.0.0 is the only way to match every IPv4 client.
    if numbits is not None and 0 < int(numbits.group(1)) <= width:
        bits = int(numbits.group(1))
        return ((1 << bits) - 1) << (width - bits)
    dotted = _inet_pton4(mask)
    if dotted is not None and family == 4:
        return dotted
    raise _fail(SubnetStatus.EBADMASK)


def _apr_looks_like_ip(address: str) -> bool:
    # Any ':' means "meant as IPv6"; otherwise only digits and dots, and not empty.
    if not address:
        return False
    return ":" in address or all(c in _DIGITS or c == "." for c in address)


def looks_like_ip(text: str) -> bool:
    """APR's looks_like_ip on the address part (before the first '/') of `text`.

    False means apr_ipsubnet_create would say APR_EINVAL: not meant as an IP at all.
    Note that for ``Allow from`` a word with a '/' is never a host name; when this is
    False for it, Apache says "An IP address was expected" (see parse_allow_from).
    """
    return _apr_looks_like_ip(text.partition("/")[0])


def parse_subnet(text: str, mask: str | None = None) -> Subnet:
    """apr_ipsubnet_create(): raise SubnetError with APR's status and apr_strerror text.

    With `mask` None, `text` is split at its first '/' as both Apache callers do; a
    `text` without '/' may then use the legacy partial form (``10.1`` is 10.1.0.0/16).
    With a `mask` (even ``""``), `text` is the address alone and must be complete.
    Bits of the address outside the mask are cleared, not refused (``10.1.2.3/16``).
    """
    if mask is None and "/" in text:
        text, _, mask = text.partition("/")
    if not _apr_looks_like_ip(text):
        raise _fail(SubnetStatus.EINVAL)
    subnet = _parse_address(text, network_allowed=mask is None)
    if mask is None:
        return subnet
    bits = _parse_mask(mask, subnet.family)
    return Subnet(subnet.family, subnet.network & bits, bits)


def parse_require_ip(word: str) -> Subnet:
    """One argument of ``Require ip``, with mod_authz_host's config error on failure.

    Host names are errors here (2.4 has ``Require host`` for them). ip_parse_config stops
    at the first empty word (``""``); when there is none before it, Apache says
    REQUIRE_IP_NO_ARGUMENT, which is the caller's business, as is splitting the line.
    """
    try:
        return parse_subnet(word)
    except SubnetError as error:
        if error.status is SubnetStatus.EINVAL:
            message = REQUIRE_IP_INVALID.format(word=word)
        else:
            message = REQUIRE_IP_INVALID_BECAUSE.format(word=word, reason=error.message)
        raise SubnetError(message, error.status) from None


def parse_allow_from(word: str) -> Subnet | None:
    """One argument of ``Allow from`` / ``Deny from``: a Subnet, or None for a host name.

    The caller handles ``env=``, ``env=!`` and ``all`` first, as allow_cmd does. A word
    with '/' must be an IP subnet; one without is a host name when APR says EINVAL,
    unless it has a '#'. Other APR failures are config errors with the bare APR text.
    """
    try:
        return parse_subnet(word)
    except SubnetError as error:
        if error.status is not SubnetStatus.EINVAL:
            raise
        if "/" in word:
            raise SubnetError(ALLOW_IP_EXPECTED, error.status) from None
        if "#" in word:
            raise SubnetError(ALLOW_NO_COMMENTS, error.status) from None
        return None

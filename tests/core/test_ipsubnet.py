"""apachemw.core.ipsubnet: subnets as APR's apr_ipsubnet_create()/apr_ipsubnet_test() see them.

Every verdict in ``OBSERVED`` was observed with apache2 2.4.71 -t (Debian, APR 1.7.2) on a
config holding ``Require ip "<word>"`` (mod_authz_host) and, separately,
``Allow from "<word>"`` (mod_access_compat) inside a <Directory>; the messages are what
it printed after "AH00526: Syntax error on line N of ...". ``test_live_apache2_agrees``
repeats those runs when apache2 is installed. ``LIVE_MATCHES`` was observed with a running
apache2 2.4.71 (200 or 403) for clients 127.0.0.1, ::1 and 127.0.0.1 arriving on a
``Listen [::]`` socket, i.e. as the IPv4-mapped ::ffff:127.0.0.1.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apachemw.core.ipsubnet import (
    ALLOW_IP_EXPECTED,
    ALLOW_NO_COMMENTS,
    BAD_IP_MESSAGE,
    BAD_MASK_MESSAGE,
    REQUIRE_IP_INVALID,
    REQUIRE_IP_INVALID_BECAUSE,
    Subnet,
    SubnetError,
    SubnetStatus,
    looks_like_ip,
    parse_allow_from,
    parse_require_ip,
    parse_subnet,
)

# Verdicts; the messages each means for the two directives are in _REQUIRE / _ALLOW.
OK = "accepted as an IP subnet"
HOST = "not an IP: Require ip refuses it, Allow from takes it as a host name"
NOT_IP = "not an IP but has a '/': refused by both"
COMMENT = "not an IP and has a '#': refused by both"
BAD_IP = "APR_EBADIP"
BAD_MASK = "APR_EBADMASK"

# Observed with apache2 2.4.71 -t (see the module docstring); quoted in the config, so
# the whitespace in some words reached APR.
OBSERVED: list[tuple[str, str]] = [
    ("10.1.2.3", OK),
    ("10", OK),
    ("10.1", OK),
    ("10.1.2", OK),
    ("10.", OK),
    ("10.1.", OK),
    ("10.1.2.", OK),
    ("10.1.2.3.", OK),
    ("10..1", BAD_IP),
    (".10", BAD_IP),
    ("10.1.2.3.4", BAD_IP),
    ("10.1.2.3.4.", BAD_IP),
    ("256.1.1.1", BAD_IP),
    ("256", BAD_IP),
    ("10.256", BAD_IP),
    ("010.001.002.003", OK),
    ("010", OK),
    ("0010.1", OK),
    ("4294967296", OK),
    ("4294967306", OK),
    ("4294967552", BAD_IP),
    ("999999999999999", BAD_IP),
    ("255.255.255.255.", BAD_IP),
    ("1.2.3", OK),
    ("1.2.3.400", BAD_IP),
    ("10.1.0.0/16", OK),
    ("10.1.2.3/16", OK),
    ("10.1/16", BAD_IP),
    ("10/8", BAD_IP),
    ("10./8", BAD_IP),
    ("10.1.2.3/0", BAD_MASK),
    ("10.1.2.3/32", OK),
    ("10.1.2.3/33", BAD_MASK),
    ("10.1.2.3/", BAD_MASK),
    ("10.1.2.3/+16", OK),
    ("10.1.2.3/016", OK),
    ("10.1.2.3/-1", BAD_MASK),
    ("10.1.2.3/16x", BAD_MASK),
    ("10.1.2.3/8/8", BAD_MASK),
    ("10.1.0.0/255.255.0.0", OK),
    ("10.1.0.0/255.0.255.0", OK),
    ("10.1.0.0/0.0.0.0", OK),
    ("10.1.0.0/255.255.0", BAD_MASK),
    ("10.1.0.0/010.0.0.0", OK),
    ("10.1.0.0/::ffff:0", BAD_MASK),
    ("2001:db8::/32", OK),
    ("2001:db8::1", OK),
    ("2001:db8::1/128", OK),
    ("2001:db8::1/129", BAD_MASK),
    ("2001:db8::/0", BAD_MASK),
    ("2001:db8::/255.255.0.0", BAD_MASK),
    ("::ffff:10.1.2.3", BAD_IP),
    ("::ffff:10.0.0.0/104", BAD_IP),
    ("::10.1.2.3", OK),
    ("::1", OK),
    ("::", OK),
    ("::/1", OK),
    ("fe80::1%eth0", BAD_IP),
    ("fe80::1%1", BAD_IP),
    ("[::1]", BAD_IP),
    ("1::2:", OK),
    ("1:2:3:4:5:6:7:8:", OK),
    ("1:2:3:4::5:6:7:8", OK),
    ("00001::", OK),
    ("0000000000000001::", OK),
    ("fffff::", BAD_IP),
    ("::1.2.3", BAD_IP),
    ("::01.02.03.04", OK),
    ("::a.2.3.4", BAD_IP),
    (":::", BAD_IP),
    (":", BAD_IP),
    ("1:2:3:4:5:6:7:8:9", BAD_IP),
    ("1:2:3:4:5:6:1.2.3.4", OK),
    ("2001:DB8::/32", OK),
    ("example.com", HOST),
    ("localhost", HOST),
    ("foo:bar", BAD_IP),
    ("10.0.0.0/8#x", BAD_MASK),
    ("10.0.0.1#c", COMMENT),
    ("#", COMMENT),
    ("1e3", HOST),
    ("0x0a.1.2.3", HOST),
    ("10.1.2.3/ 16", OK),
    ("10.1.2.3/ +16", OK),
    ("10.1.2.3/16 ", BAD_MASK),
    (" 10.1.2.3", HOST),
    ("10.1.2.3 ", HOST),
    ("10.1.2.3/\t16", OK),
    ("/16", NOT_IP),
    ("example.com/16", NOT_IP),
    ("10.1.2.3/0x10", BAD_MASK),
    ("10.1.2.3/99999999999999999999", BAD_MASK),
    ("10.1.2.3/4294967312", BAD_MASK),
    ("::/128", OK),
    ("::1/64", OK),
    ("::/129", BAD_MASK),
    ("1.2.3.4/16.0", BAD_MASK),
    ("0.0.0.0", OK),
    ("0", OK),
    ("0/0.0.0.0", BAD_IP),
    ("::1:2:3:4:5:6:7:8", OK),
    ("1:2:3:4:5:6:7:8::", OK),
    ("1:2:3:4:5:6:7:1.2.3.4", BAD_IP),
    ("1:2:3:4:5:1.2.3.4", BAD_IP),
    ("1:2:3:4:5:6:7::1.2.3.4", BAD_IP),
    ("1.2.3.4::", BAD_IP),
]

_REQUIRE = {
    HOST: "ip address '{}' appears to be invalid",
    NOT_IP: "ip address '{}' appears to be invalid",
    COMMENT: "ip address '{}' appears to be invalid",
    BAD_IP: "ip address '{}' appears to be invalid: The specified IP address is invalid.",
    BAD_MASK: "ip address '{}' appears to be invalid: The specified network mask is invalid.",
}
_ALLOW = {
    NOT_IP: "An IP address was expected",
    COMMENT: "No comments are allowed here",
    BAD_IP: "The specified IP address is invalid.",
    BAD_MASK: "The specified network mask is invalid.",
}


def _require_message(word: str, verdict: str) -> str | None:
    return None if verdict == OK else _REQUIRE[verdict].format(word)


def _allow_message(verdict: str) -> str | None:
    return _ALLOW.get(verdict)


def _ids(row: tuple[str, str]) -> str:
    return repr(row[0])


@pytest.mark.parametrize(("word", "verdict"), OBSERVED, ids=[_ids(r) for r in OBSERVED])
def test_require_ip_like_apache(word: str, verdict: str) -> None:
    expected = _require_message(word, verdict)
    if expected is None:
        assert isinstance(parse_require_ip(word), Subnet)
        return
    with pytest.raises(SubnetError) as caught:
        parse_require_ip(word)
    assert str(caught.value) == expected
    assert caught.value.message == expected


@pytest.mark.parametrize(("word", "verdict"), OBSERVED, ids=[_ids(r) for r in OBSERVED])
def test_allow_from_like_apache(word: str, verdict: str) -> None:
    expected = _allow_message(verdict)
    if expected is None:
        result = parse_allow_from(word)
        assert (result is None) is (verdict == HOST)
        return
    with pytest.raises(SubnetError) as caught:
        parse_allow_from(word)
    assert str(caught.value) == expected


@pytest.mark.parametrize(("word", "verdict"), OBSERVED, ids=[_ids(r) for r in OBSERVED])
def test_status_and_looks_like_ip(word: str, verdict: str) -> None:
    # The APR layer: EINVAL exactly for the words Apache did not read as meant-to-be IPs.
    status = {
        HOST: SubnetStatus.EINVAL,
        NOT_IP: SubnetStatus.EINVAL,
        COMMENT: SubnetStatus.EINVAL,
        BAD_IP: SubnetStatus.EBADIP,
        BAD_MASK: SubnetStatus.EBADMASK,
    }.get(verdict)
    assert looks_like_ip(word) is (status is not SubnetStatus.EINVAL)
    if status is None:
        parse_subnet(word)
        return
    with pytest.raises(SubnetError) as caught:
        parse_subnet(word)
    assert caught.value.status is status


# What the accepted words mean (APR's parse_network, fix_subnet, mask forms).
SHAPES: list[tuple[str, str]] = [
    ("10.1.2.3", "10.1.2.3/32"),
    ("10", "10.0.0.0/8"),
    ("10.1", "10.1.0.0/16"),
    ("10.1.2", "10.1.2.0/24"),
    ("10.", "10.0.0.0/8"),  # one trailing dot is allowed by parse_network
    ("10.1.", "10.1.0.0/16"),
    ("10.1.2.", "10.1.2.0/24"),
    ("10.1.2.3.", "10.1.2.3/32"),
    ("010.001.002.003", "10.1.2.3/32"),  # leading zeros are decimal, not octal
    ("010", "10.0.0.0/8"),
    ("0010.1", "10.1.0.0/16"),
    ("4294967296", "0.0.0.0/8"),  # atoi() wraps at 2**32
    ("4294967306", "10.0.0.0/8"),
    ("0", "0.0.0.0/8"),
    ("0.0.0.0", "0.0.0.0/32"),
    ("10.1.0.0/16", "10.1.0.0/16"),
    ("10.1.2.3/16", "10.1.0.0/16"),  # host bits are cleared, not refused
    ("10.1.2.3/32", "10.1.2.3/32"),
    ("10.1.2.3/+16", "10.1.0.0/16"),  # strtol: sign, leading zeros, leading blanks
    ("10.1.2.3/016", "10.1.0.0/16"),
    ("10.1.2.3/ 16", "10.1.0.0/16"),
    ("10.1.2.3/\t16", "10.1.0.0/16"),
    ("10.1.0.0/255.255.0.0", "10.1.0.0/16"),
    ("10.1.0.0/255.0.255.0", "10.0.0.0/255.0.255.0"),  # holes are fine
    ("10.1.0.0/0.0.0.0", "0.0.0.0/0"),
    ("10.1.0.0/010.0.0.0", "10.0.0.0/10.0.0.0"),
    ("2001:db8::/32", "2001:db8::/32"),
    ("2001:DB8::/32", "2001:db8::/32"),
    ("2001:db8::1", "2001:db8::1/128"),
    ("::1/64", "::/64"),
    ("::/1", "::/1"),
    ("::", "::/128"),
    ("::10.1.2.3", "::a01:203/128"),  # IPv4-compatible is IPv6 to APR
    ("::01.02.03.04", "::102:304/128"),
    ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304/128"),
    ("1::2:", "1::2/128"),  # APR's inet_pton6 ignores a trailing ':'
    ("1:2:3:4:5:6:7:8:", "1:2:3:4:5:6:7:8/128"),
    ("1:2:3:4::5:6:7:8", "1:2:3:4:5:6:7:8/128"),  # a '::' standing for nothing
    ("00001::", "1::/128"),  # any number of leading zeros in a group
    ("0000000000000001::", "1::/128"),
    ("::1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8/128"),
    ("1:2:3:4:5:6:7:8::", "1:2:3:4:5:6:7:8/128"),
]


@pytest.mark.parametrize(("word", "shape"), SHAPES, ids=[_ids(r) for r in SHAPES])
def test_accepted_shapes(word: str, shape: str) -> None:
    assert str(parse_subnet(word)) == shape


@pytest.mark.parametrize(
    ("text", "mask", "expected"),
    [
        ("10.1.2.3", "16", "10.1.0.0/16"),
        ("10.1.2.3", "255.255.0.0", "10.1.0.0/16"),
        ("2001:db8::1", "32", "2001:db8::/32"),
    ],
)
def test_separate_mask_argument(text: str, mask: str, expected: str) -> None:
    assert str(parse_subnet(text, mask)) == expected


@pytest.mark.parametrize(
    ("text", "mask", "status"),
    [
        ("10.1", "16", SubnetStatus.EBADIP),  # the partial form only goes without a mask
        ("10", "", SubnetStatus.EBADIP),
        ("10.1.2.3", "", SubnetStatus.EBADMASK),
        ("10.1.2.3", "0", SubnetStatus.EBADMASK),
        ("2001:db8::", "255.255.0.0", SubnetStatus.EBADMASK),
        ("10.0.0.0/8", "8", SubnetStatus.EINVAL),  # with a mask given, no '/' splitting
        ("", None, SubnetStatus.EINVAL),
        ("", "8", SubnetStatus.EINVAL),
    ],
)
def test_separate_mask_refused(text: str, mask: str | None, status: SubnetStatus) -> None:
    with pytest.raises(SubnetError) as caught:
        parse_subnet(text, mask)
    assert caught.value.status is status


def test_error_type_and_apr_messages() -> None:
    assert issubclass(SubnetError, ValueError)
    with pytest.raises(ValueError, match=r"^The specified IP address is invalid\.$"):
        parse_subnet("256")
    with pytest.raises(ValueError, match=r"^The specified network mask is invalid\.$"):
        parse_subnet("10.0.0.0/33")
    assert BAD_IP_MESSAGE == "The specified IP address is invalid."
    assert BAD_MASK_MESSAGE == "The specified network mask is invalid."
    assert ALLOW_IP_EXPECTED == "An IP address was expected"
    assert ALLOW_NO_COMMENTS == "No comments are allowed here"
    assert REQUIRE_IP_INVALID.format(word="x") == "ip address 'x' appears to be invalid"
    assert (
        REQUIRE_IP_INVALID_BECAUSE.format(word="x", reason="y")
        == "ip address 'x' appears to be invalid: y"
    )


def test_subnet_is_frozen_value() -> None:
    subnet = parse_subnet("10.1")
    assert subnet == parse_subnet("10.1.0.0/255.255.0.0") == Subnet(4, 0x0A010000, 0xFFFF0000)
    assert subnet.prefixlen == 16
    assert parse_subnet("10.0.0.0/255.0.255.0").prefixlen is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        subnet.mask = 0  # type: ignore[misc]


@given(st.ip_addresses(v=6))
def test_every_canonical_ipv6_address_parses_as_itself(address: ipaddress.IPv6Address) -> None:
    # APR is laxer than ipaddress, never stricter: canonical and exploded forms both parse.
    if address.ipv4_mapped is not None:
        with pytest.raises(SubnetError, match="IP address is invalid"):
            parse_subnet(str(address))
        return
    for text in (str(address), address.exploded):
        assert parse_subnet(text) == Subnet(6, int(address), (1 << 128) - 1)


@given(st.ip_addresses(v=4))
def test_every_ipv4_address_parses_as_itself(address: ipaddress.IPv4Address) -> None:
    assert parse_subnet(str(address)) == Subnet(4, int(address), 0xFFFFFFFF)
    assert parse_subnet(str(address)).contains(f"::ffff:{address}")


CONTAINS: list[tuple[str, str, bool]] = [
    ("10.1.0.0/16", "10.1.255.255", True),
    ("10.1.0.0/16", "10.2.0.1", False),
    ("10.1.0.0/16", "::ffff:10.1.2.3", True),  # IPv4-mapped client, IPv4 subnet
    ("10.1.0.0/16", "::ffff:a01:203", True),
    ("10.1.0.0/16", "::ffff:10.2.0.1", False),
    ("10.1.0.0/16", "::10.1.2.3", False),  # IPv4-compatible is IPv6
    ("10.1.0.0/16", "2001:db8::1", False),
    ("10.1", "10.1.9.9", True),
    ("10.1", "10.10.9.9", False),
    ("10", "10.200.0.1", True),
    ("10.1.2.", "10.1.2.77", True),
    ("10.1.2.3.", "10.1.2.3", True),
    ("10.1.2.3.", "10.1.2.4", False),
    ("4294967306", "10.200.0.1", True),
    ("010.001.002.003", "10.1.2.3", True),
    ("10.1.2.3/16", "10.1.0.1", True),
    ("10.1.0.0/255.0.255.0", "10.9.0.7", True),
    ("10.1.0.0/255.0.255.0", "10.9.1.7", False),
    ("10.1.0.0/0.0.0.0", "192.0.2.1", True),
    ("10.1.0.0/0.0.0.0", "::ffff:192.0.2.1", True),
    ("10.1.0.0/0.0.0.0", "2001:db8::1", False),
    ("10.1.0.0/0.0.0.0", "::1", False),
    ("2001:db8::/32", "2001:db8:0:1::5", True),
    ("2001:db8::/32", "2001:DB8::5", True),
    ("2001:db8::/32", "2001:db9::1", False),
    ("2001:db8::/32", "10.1.2.3", False),
    ("::/1", "::ffff:10.1.2.3", False),  # an IPv4-mapped client never meets IPv6 subnets
    ("::/1", "::1", True),
    ("::/1", "8000::1", False),
    ("fe80::/10", "fe80::1%eth0", True),  # the zone is not compared
    ("fe80::1", "fe80::1%2", True),
    ("1:2:3:4::5:6:7:8", "1:2:3:4:5:6:7:8", True),
    ("::10.1.2.3", "::a01:203", True),
    ("::10.1.2.3", "10.1.2.3", False),
    # Not client addresses at all: nothing matches.
    ("10.1.0.0/0.0.0.0", "", False),
    ("10.1.0.0/0.0.0.0", "localhost", False),
    ("10.1.0.0/0.0.0.0", "10.1.2", False),
    ("::/1", "[::1]", False),
    ("::/1", "unix:/run/sock", False),
]


@pytest.mark.parametrize(("word", "client", "expected"), CONTAINS)
def test_contains(word: str, client: str, expected: bool) -> None:
    assert parse_subnet(word).contains(client) is expected


# Observed with a running apache2 2.4.71: (Require ip word, 127.0.0.1, ::ffff:127.0.0.1, ::1).
LIVE_MATCHES: list[tuple[str, bool, bool, bool]] = [
    ("127.0.0.0/8", True, True, False),
    ("::/1", False, False, True),
    ("1.2.3.4/0.0.0.0", True, True, False),
    ("::1", False, False, True),
    ("::127.0.0.1", False, False, False),
    ("4294967423", True, True, False),
    ("127.9.9.1/255.0.0.255", True, True, False),
]


@pytest.mark.parametrize(("word", "v4", "mapped", "v6"), LIVE_MATCHES)
def test_contains_like_live_apache(word: str, v4: bool, mapped: bool, v6: bool) -> None:
    subnet = parse_require_ip(word)
    assert subnet.contains("127.0.0.1") is v4
    assert subnet.contains("::ffff:127.0.0.1") is mapped
    assert subnet.contains("::1") is v6


APACHE2 = shutil.which("apache2", path="/usr/sbin:/usr/bin")
_MODULES = ("mpm_event", "authz_core", "authz_host", "access_compat")


def _apache2_says(tmp_path: Path, directive: str) -> str | None:
    """apache2 -t's message for `directive` inside a <Directory>, None if accepted."""
    loads = "".join(
        f"LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so\n" for m in _MODULES
    )
    conf = tmp_path / "t.conf"
    conf.write_text(
        f"ServerRoot {tmp_path}\nPidFile {tmp_path}/pid\nErrorLog {tmp_path}/err\n"
        f"Listen 127.0.0.1:18099\n{loads}<Directory {tmp_path}>\n{directive}\n</Directory>\n"
    )
    assert APACHE2 is not None
    done = subprocess.run([APACHE2, "-t", "-f", str(conf)], capture_output=True, text=True)
    if done.returncode == 0:
        return None
    lines = done.stderr.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("AH00526:"))
    return lines[at + 1]


@pytest.mark.skipif(APACHE2 is None, reason="apache2 is not installed")
@pytest.mark.parametrize(("word", "verdict"), OBSERVED, ids=[_ids(r) for r in OBSERVED])
def test_live_apache2_agrees(word: str, verdict: str, tmp_path: Path) -> None:
    assert _apache2_says(tmp_path, f'Require ip "{word}"') == _require_message(word, verdict)
    assert _apache2_says(tmp_path, f'Allow from "{word}"') == _allow_message(verdict)

"""core.dns: client names looked up in bounded time, never on the event loop."""

from __future__ import annotations

import time

import pytest

from apachemw.config.htaccess import NeedsBlockingIO
from apachemw.core import dns


def test_event_loop_never_waits_for_a_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dns, "_answers", type(dns._answers)())
    with pytest.raises(NeedsBlockingIO):
        dns.double_reverse("192.0.2.44", may_block=False)


def test_a_slow_resolver_costs_at_most_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dns, "_answers", type(dns._answers)())
    monkeypatch.setattr(dns, "LOOKUP_TIMEOUT", 0.2)

    def slow(address: str) -> str:
        time.sleep(2)
        return "late.example"

    monkeypatch.setattr(dns, "_reverse", slow)
    started = time.monotonic()
    assert dns.double_reverse("192.0.2.45") is None
    assert time.monotonic() - started < 1.0
    # The answer (none) is remembered: the next request does not wait again.
    started = time.monotonic()
    assert dns.double_reverse("192.0.2.45", may_block=False) is None
    assert time.monotonic() - started < 0.05


def test_double_reverse_needs_the_name_to_resolve_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dns, "_answers", type(dns._answers)())
    monkeypatch.setattr(dns.socket, "gethostbyaddr", lambda a: ("liar.example", [], [a]))
    monkeypatch.setattr(dns, "_resolve", lambda name: frozenset({"198.51.100.1"}))
    assert dns.double_reverse("192.0.2.46") is None
    monkeypatch.setattr(dns, "_resolve", lambda name: frozenset({"192.0.2.47"}))
    assert dns.double_reverse("192.0.2.47") == "liar.example"

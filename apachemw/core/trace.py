"""Recording what the phases did to one request, for ``apachemw explain``.

A ``Trace`` rides on the ``Incoming`` request; when it is absent (always, when
serving) every recording call is a single ``is None`` test. Events carry the
depth of the request that produced them (internal redirects and subrequests
nest) so the renderer can show each pass inside the one that caused it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Trace", "record"]


@dataclass
class Trace:
    events: list[dict[str, Any]] = field(default_factory=list)


def _depth(r: Any) -> tuple[int, str]:
    depth, kind, cursor = 0, "request", r
    while cursor.prev is not None or cursor.main is not None:
        if cursor.prev is not None:
            kind = "internal redirect" if depth == 0 else kind
            cursor = cursor.prev
        else:
            kind = "subrequest" if depth == 0 else kind
            cursor = cursor.main
        depth += 1
    return depth, kind


def record(r: Any, event: str, **data: Any) -> None:
    """Add an event for request ``r`` if its request is being traced."""
    trace: Trace | None = r.incoming.trace
    if trace is None:
        return
    depth, kind = _depth(r)
    trace.events.append({"depth": depth, "pass": kind, "uri": r.uri, "event": event, **data})

"""``apachemw explain``: what Apache's phases do to one request, step by step.

``explain(config, "GET", "/old/x")`` runs the request through a fresh engine
(cold caches, so every section and rule is really evaluated) with a trace, and
returns the events, each internal redirect and subrequest nested in the pass
that caused it, plus the final status and headers. ``render`` prints it for a
person; ``json.dumps`` of the result is the machine form (``--json``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from typing import Any

from apachemw.core.request import Incoming, Outcome
from apachemw.core.trace import Trace
from apachemw.engine import build_engine

__all__ = ["explain", "render", "summarize"]


def explain(
    config: str | os.PathLike[str] | None = None,
    method: str = "GET",
    url: str = "/",
    headers: Iterable[tuple[str, str]] = (),
    *,
    text: str | None = None,
    defines: Iterable[str] = (),
    with_app: bool = False,
) -> dict[str, Any]:
    """Trace one request; ``url`` is the request-target as a client sends it.

    ``with_app`` traces it as the middleware wrapping an app would see it (what the
    configuration hands to ``apachemw-app`` goes to the app), rather than as
    ``apachemw serve`` without ``--app``.
    """
    engine = build_engine(config=config, text=text, defines=defines, has_app=with_app)
    trace = Trace()
    names = [(k.lower(), v) for k, v in headers]
    if not any(k == "host" for k, _ in names):
        names.insert(0, ("host", "localhost"))
    incoming = Incoming(
        method=method.upper(),
        target=url.encode("utf-8", "surrogateescape"),
        headers=names,
        request_time=time.time(),
        trace=trace,
    )
    outcome = engine.handle(incoming)
    if incoming.slot is not None:  # a dry run: nothing was served, nothing to count
        engine.scoreboard.abandon(incoming.slot)
        incoming.slot = None
    return summarize(incoming, url, outcome)


def summarize(incoming: Incoming, url: str, outcome: Outcome) -> dict[str, Any]:
    """The result of a traced request (``incoming.trace`` set), as ``explain`` returns it;
    ``url`` is shown as the request's target. apachemw.testing builds its traces with it."""
    events: list[dict[str, Any]] = incoming.trace.events if incoming.trace is not None else []
    loops = [e for e in events if e["event"] == "loop"]
    cycle = (
        sorted({e["at"] for e in events if e["event"] == "rewrite rule" and e.get("matched")})
        if loops
        else []
    )
    result: dict[str, Any] = {
        "request": {"method": incoming.method, "url": url, "headers": incoming.headers},
        "events": events,
        "status": outcome.status if outcome.app is None else "handed to the app",
        "headers": outcome.headers,
    }
    if outcome.app is not None:
        result["app"] = {
            "path": outcome.app.path,
            "query": outcome.app.query,
            "env": outcome.app.env,
        }
    if outcome.file is not None:
        result["file"] = outcome.file.path
    if loops:
        result["loop"] = {"limit": "LimitInternalRecursion", "rules": cycle}
    return result


_STATUS = {0: "OK", -1: "DECLINED", -2: "DONE"}


def _value(key: str, value: Any) -> Any:
    return _STATUS.get(value, value) if key == "status" and isinstance(value, int) else value


def _describe(event: dict[str, Any]) -> str:
    kind = event["event"]
    if kind == "request":
        return (
            f"{event['method']} {event['uri']}"
            f"{'?' + event['args'] if event.get('args') is not None else ''}"
            f"  host={event['host']}  server={event['server']}"
        )
    if kind == "section":
        return f"section {event['kind']} {event['pattern']!r} ({event['at']})"
    if kind == "rewrite rule":
        verdict = "matched" if event["matched"] else "no match"
        neg = "!" if event["negate"] else ""
        return (
            f"RewriteRule {neg}{event['pattern']!r} on {event['input']!r}: {verdict}"
            f"  ({event['at']})"
        )
    if kind == "rewrite cond":
        verdict = "true" if event["result"] else "false"
        neg = "!" if event["negate"] else ""
        return f"  RewriteCond {event['input']!r} {neg}{event['pattern']!r}: {verdict}"
    if kind == "rewrite substitution":
        flags = ",".join(event["flags"])
        return f"  -> {event['result']!r}" + (f" [{flags}]" if flags else "")
    if kind == "internal redirect":
        return f"internal redirect to {event['to']}"
    if kind == "loop":
        return "LimitInternalRecursion exceeded: 500"
    fields = {k: v for k, v in event.items() if k not in ("depth", "pass", "uri", "event")}
    shown = "  ".join(f"{k}={_value(k, v)}" for k, v in fields.items() if v not in (None, ""))
    return f"{kind}: {shown}"


def render(result: dict[str, Any]) -> str:
    """The trace for a person: one line per event, nested passes indented."""
    lines = []
    current = None
    for event in result["events"]:
        indent = "    " * event["depth"]
        marker = (event["depth"], event["pass"])
        if marker != current and event["depth"]:
            lines.append(f"{indent}== {event['pass']} for {event['uri']} ==")
        current = marker
        lines.append(indent + _describe(event))
    lines.append(f"=> status {result['status']}")
    for name, value in result["headers"]:
        lines.append(f"   {name}: {value}")
    if "file" in result:
        lines.append(f"   file: {result['file']}")
    if "app" in result:
        app = result["app"]
        query = f"?{app['query']}" if app["query"] else ""
        lines.append(f"   app: {app['path']}{query}")
        lines.extend(f"   app env: {name}={value}" for name, value in app["env"].items())
    if "loop" in result:
        rules = ", ".join(result["loop"]["rules"]) or "(none recorded)"
        lines.append(f"   loop: rules in the cycle: {rules}")
    return "\n".join(lines)

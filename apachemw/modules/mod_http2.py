"""mod_http2's configuration surface, and its 103 Early Hints (modules/http2/h2_c2.c).

apachemw speaks no HTTP/2 itself: the ASGI server does. What mod_http2 decides per
request is kept: on an HTTP/2 request whose configuration lists ``H2PushResource``
entries or ``H2EarlyHint`` headers, the fixups add them to the response's headers
(as ``Link: <uri>; rel=preload``) and announce them in a 103 interim response first,
which reaches the client only with ``H2EarlyHints on``. apachemw sends that 103
through the ASGI ``http.response.early_hint`` extension when the server offers it
(only ``Link`` values travel that way) and drops it cleanly otherwise; an app's own
early hints are passed on under the same rule. Over HTTP/1.x Apache sends none, and
neither does apachemw. The other H2* directives are accepted and have no effect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from apachemw.config.directives import (
    OR_AUTHCFG,
    OR_FILEINFO,
    RSRC_CONF,
    Args,
    Cmd,
    DirectiveError,
    Module,
)
from apachemw.config.rows import accepted, row
from apachemw.core.request import DECLINED, Request

__all__ = ["MODULE", "early_hint_links", "early_hints_on"]

Push = tuple[str, bool]  # (uri reference, critical)
Header = tuple[str, str]


@dataclass
class H2Conf:
    """h2_config / h2_dir_config, the parts apachemw uses."""

    push_list: list[Push] | None = None
    early_headers: list[Header] | None = None
    early_hints: bool | None = None


def merge(base: H2Conf, add: H2Conf) -> H2Conf:
    """h2_config_merge(_dir): push lists append, early headers overlay, flags override."""
    pushes = (
        [*base.push_list, *add.push_list]
        if base.push_list and add.push_list
        else add.push_list or base.push_list
    )
    headers = (
        [*add.early_headers, *base.early_headers]
        if base.early_headers and add.early_headers
        else add.early_headers or base.early_headers
    )
    hints = add.early_hints if add.early_hints is not None else base.early_hints
    return H2Conf(pushes, headers, hints)


def _target(cmd: Cmd) -> H2Conf:
    """Per-directory inside a section, else the server's (as mod_http2 files them)."""
    conf: H2Conf = cmd.dir() if cmd.path is not None else cmd.srv()
    return conf


def _push_resource(cmd: Cmd, args: Sequence[str]) -> None:
    """H2PushResource [add] uri [critical]."""
    words = list(args)
    if words[0].lower() == "add":
        words = words[1:]
    elif len(words) == 3:
        raise DirectiveError("too many parameter")
    if not words:
        raise DirectiveError("unknown last parameter")
    uri, last = words[0], words[1] if len(words) > 1 else None
    if last is not None and last.lower() != "critical":
        raise DirectiveError("unknown last parameter")
    conf = _target(cmd)
    conf.push_list = [*(conf.push_list or ()), (uri, last is not None)]


_FIELD_CONTENT = (
    frozenset(chr(c) for c in range(0x20, 0x7F)) | {"\t"} | {chr(c) for c in range(0x80, 0x100)}
)


def _early_hint(cmd: Cmd, args: Sequence[str]) -> None:
    """H2EarlyHint name value: a header for the 103 response."""
    name, value = args[0], args[1]
    if not name:
        raise DirectiveError("Early Hint header name must not be empty")
    value = value.lstrip(" \t\n\v\f\r")
    if not value:
        raise DirectiveError("Early Hint header value must not be empty/only space")
    if any(c not in _FIELD_CONTENT for c in value):
        raise DirectiveError("Early Hint header value contains invalid characters")
    conf = _target(cmd)
    conf.early_headers = [*(conf.early_headers or ()), (name, value)]


def _set_early_hints(cmd: Cmd, args: Sequence[str]) -> None:
    value = args[0].lower()
    if value not in ("on", "off"):
        raise DirectiveError("value must be On or Off")
    conf: H2Conf = cmd.srv()
    conf.early_hints = value == "on"


def _is_http2(r: Request) -> bool:
    return r.protocol.startswith(("HTTP/2", "HTTP/3"))


def early_hints_on(r: Request) -> bool:
    """Whether a 103 may reach the client (H2EarlyHints, off by default)."""
    conf: H2Conf = r.server.get("mod_http2")
    return bool(conf.early_hints)


def early_hint_links(r: Request) -> list[str]:
    """The Link values of the 103 this request announced (none outside HTTP/2)."""
    links: list[str] = r.initial.notes.get("early-hint-links", [])
    return links


def check_early_hints(r: Request) -> int:
    """fixups: announce H2PushResource entries (and H2EarlyHint headers) of an HTTP/2
    request; they also stay on the final response's headers, as in Apache. Over HTTP/2
    a 103 (this one, or the app's) reaches the client only with H2EarlyHints on."""
    if not _is_http2(r) or r.main is not None or r.prev is not None:
        return DECLINED
    r.notes["interim-allowed"] = early_hints_on(r)
    dconf: H2Conf | None = r.per_dir.get("mod_http2")
    sconf: H2Conf = r.server.get("mod_http2")
    pushes = (dconf.push_list if dconf else None) or sconf.push_list
    headers = (dconf.early_headers if dconf else None) or sconf.early_headers
    if not pushes and not headers:
        return DECLINED
    r.eventful = True
    for uri, critical in pushes or ():
        r.headers_out.add("Link", f"<{uri}>; rel=preload" + ("; critical" if critical else ""))
    for name, value in headers or ():
        r.headers_out.add(name, value)
    # The interim response carries the response headers as they stand (only their
    # Link values can travel through ASGI's early-hint message).
    links = [v for k, v in r.headers_out.items if k.lower() == "link"]
    if r.notes["interim-allowed"]:
        r.notes["early-hint-links"] = links
    return DECLINED


S = RSRC_CONF
_RUNTIME = (  # accepted: the ASGI server runs HTTP/2, not apachemw
    ("H2MaxSessionStreams", "maximum number of open streams per session"),
    ("H2WindowSize", "window size on client DATA"),
    ("H2MinWorkers", "minimum number of worker threads per child"),
    ("H2MaxWorkers", "maximum number of worker threads per child"),
    ("H2MaxWorkerIdleSeconds", "maximum number of idle seconds before a worker shuts down"),
    ("H2StreamMaxMemSize", "maximum number of bytes buffered in memory for a stream"),
    ("H2SerializeHeaders", "disabled, this directive has no longer an effect."),
    ("H2ModernTLSOnly", "off to not impose RFC 7540 restrictions on TLS"),
    ("H2Direct", "on to enable direct HTTP/2 mode"),
    ("H2SessionExtraFiles", "number of extra file a session might keep open (obsolete)"),
    ("H2TLSWarmUpSize", "number of bytes on TLS connection before doing max writes"),
    ("H2TLSCoolDownSecs", "seconds of idle time on TLS before shrinking writes"),
    ("H2PushDiarySize", "size of push diary"),
    ("H2Padding", "set payload padding"),
    ("H2OutputBuffering", "set stream output buffer on/off"),
    ("H2StreamTimeout", "set stream timeout"),
    ("H2MaxDataFrameLen", "maximum number of bytes in a single HTTP/2 DATA frame"),
    ("H2MaxHeaderBlockLen", "maximum number of bytes in a response header block"),
    ("H2MaxStreamErrors", "maximum number of flow control errors tolerated"),
    ("H2WebSockets", "off to disable WebSockets over HTTP/2"),
)

MODULE = Module(
    name="mod_http2",
    ident="http2_module",
    directives=(
        *(accepted(name, Args.TAKE1, S, help_text) for name, help_text in _RUNTIME),
        accepted("H2Upgrade", Args.TAKE1, S | OR_AUTHCFG, "on to allow HTTP/1 Upgrades to h2/h2c"),
        accepted("H2Push", Args.TAKE1, S | OR_AUTHCFG, "off to disable HTTP/2 server push"),
        accepted(
            "H2PushPriority",
            Args.TAKE23,
            S,
            "define priority of PUSHed resources per content type",
        ),
        accepted("H2CopyFiles", Args.TAKE1, OR_FILEINFO, "on to perform copy of file data"),
        row(
            "H2PushResource",
            Args.TAKE123,
            OR_FILEINFO | OR_AUTHCFG,
            "add a resource to be pushed in this location/on this server.",
            _push_resource,
        ),
        row(
            "H2EarlyHints",
            Args.TAKE1,
            S,
            "on to enable interim status 103 responses",
            _set_early_hints,
        ),
        row(
            "H2EarlyHint",
            Args.TAKE2,
            OR_FILEINFO | OR_AUTHCFG,
            "add a a 'Link:' header for a 103 Early Hints response.",
            _early_hint,
        ),
        accepted(
            "H2ProxyRequests",
            Args.TAKE1,
            OR_FILEINFO,
            "Enables forward proxy requests via HTTP/2",
        ),
    ),
    create_dir=H2Conf,
    merge_dir=merge,
    create_server=H2Conf,
    merge_server=merge,
    hooks={"fixups": (35, check_early_hints)},
)

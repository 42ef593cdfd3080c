"""mod_expires: ExpiresActive, ExpiresDefault and ExpiresByType (both syntaxes).

Applied as Apache's MOD_EXPIRES output filter is, to the final response — Apache's own
or the wrapped app's — unless it is an error or already carries an Expires header: the
``Expires`` date and a ``max-age`` merged into Cache-Control, counted from the request
(``A``/``access``/``now``) or from the file's modification time (``M``/``modification``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from apachemw.config.directives import OR_INDEXES, Args, Cmd, DirectiveError, Module
from apachemw.config.parser import getword
from apachemw.config.rows import row
from apachemw.core import http
from apachemw.core.http import atoi
from apachemw.core.request import Request

__all__ = ["MODULE", "ExpiresDir", "parse_code"]

_UNITS = (
    ("years", 1, 60 * 60 * 24 * 365),
    ("months", 2, 60 * 60 * 24 * 30),
    ("weeks", 1, 60 * 60 * 24 * 7),
    ("days", 1, 60 * 60 * 24),
    ("hours", 1, 60 * 60),
    ("minutes", 2, 60),
    ("seconds", 1, 1),
)


@dataclass
class ExpiresDir:
    active: bool | None = None
    default: str | None = None
    by_type: dict[str, str] = field(default_factory=dict)
    wildcards: bool = False


def parse_code(code: str) -> str:
    """check_code: "A3600"/"M3600", or "<base> [plus] {<num> <type>}*" -> "A<secs>"."""
    if code[:1] in ("A", "M"):
        return code
    word, pos = getword(code)
    lowered = word.lower()
    if _starts(lowered, "now", 1) or _starts(lowered, "access", 1):
        base = "A"
    elif _starts(lowered, "modification", 1):
        base = "M"
    else:
        raise DirectiveError(f"bad expires code, unrecognised <base> '{word}'")
    word, pos = getword(code, pos)
    if _starts(word.lower(), "plus", 1):
        word, pos = getword(code, pos)
    total = 0
    while word:
        if not word[0].isdigit():
            raise DirectiveError(f"bad expires code, numeric value expected <num> '{word}'")
        number = atoi(word)
        word, pos = getword(code, pos)
        if not word:
            raise DirectiveError("bad expires code, missing <type>")
        factor = next((f for name, n, f in _UNITS if _starts(word.lower(), name, n)), None)
        if factor is None:
            raise DirectiveError(f"bad expires code, unrecognised <type>'{word}'")
        total += factor * number
        word, pos = getword(code, pos)
    return f"{base}{total}"


def _starts(word: str, name: str, length: int) -> bool:
    """strncasecmp(word, name, length) == 0 with word already lower-cased."""
    return word[:length] == name[:length]


def _active(cmd: Cmd, args: Sequence[str]) -> None:
    conf: ExpiresDir = cmd.dir()
    conf.active = args[0].lower() == "on"


def _by_type(cmd: Cmd, args: Sequence[str]) -> None:
    conf: ExpiresDir = cmd.dir()
    mime, code = args
    slash = mime.rfind("/")
    if slash < 0:
        raise DirectiveError("Invalid mimetype: should contain a slash")
    if mime[slash + 1 :] == "*":
        conf.wildcards = True
    try:
        conf.by_type[mime] = parse_code(code)
    except DirectiveError as exc:
        raise DirectiveError(f"'ExpiresByType {mime} {code}': {exc}") from None


def _default(cmd: Cmd, args: Sequence[str]) -> None:
    conf: ExpiresDir = cmd.dir()
    try:
        conf.default = parse_code(args[0])
    except DirectiveError as exc:
        raise DirectiveError(f"'ExpiresDefault {args[0]}': {exc}") from None


def merge_dir(base: ExpiresDir, add: ExpiresDir) -> ExpiresDir:
    return ExpiresDir(
        base.active if add.active is None else add.active,
        add.default if add.default is not None else base.default,
        {**base.by_type, **add.by_type},
        add.wildcards,
    )


def _code_for(conf: ExpiresDir, content_type: str | None) -> str | None:
    ctype = (content_type or "").split(";")[0].strip()
    code = conf.by_type.get(ctype)
    if code is not None:
        return code
    if conf.wildcards and content_type and "/" in content_type:
        major = content_type[: content_type.index("/") + 1]
        wild = conf.by_type.get(major + "*")
        if wild is not None:
            return wild
    return conf.default


Headers = list[tuple[str, str]]


def expires_filter(
    r: Request, status: int, out: Headers, err: Headers, error_path: bool
) -> tuple[Headers, Headers]:
    """expires_insert_filter + expires_filter: headers_out (or err_headers_out when
    Expires is already there, in which case nothing changes)."""
    conf: ExpiresDir | None = r.per_dir.get("mod_expires") if r.per_dir else None
    if conf is None or not conf.active or (not conf.by_type and conf.default is None):
        return out, err
    if status >= 400 or r.main is not None:
        return out, err
    if any(name.lower() == "expires" for name, _ in (*err, *out)):
        return out, err
    ctype = next((v for n, v in (*out, *err) if n.lower() == "content-type"), r.content_type)
    code = _code_for(conf, ctype)
    if code is None:
        return out, err
    return _with_expiry(r, code, out), err


def _with_expiry(r: Request, code: str, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    now = int(r.request_time or time.time())
    if code[0] == "M":
        if r.finfo is None:
            return headers  # no file, no modification time: nothing to do (no log line)
        base = int(r.finfo.st_mtime)
    else:
        base = now
    expires = max(base + atoi(code[1:]), now)
    r.eventful = True  # counted from this request: never memoised (core.memo)
    out = list(headers)
    age = f"max-age={expires - now}"
    for index, (name, value) in enumerate(out):
        if name.lower() == "cache-control":
            out[index] = (name, f"{value}, {age}")
            break
    else:
        out.append(("Cache-Control", age))
    out.append(("Expires", http.http_date(expires)))
    return out


MODULE = Module(
    name="mod_expires",
    ident="expires_module",
    directives=(
        row("ExpiresActive", Args.FLAG, OR_INDEXES, "Limited to 'on' or 'off'", _active),
        row(
            "ExpiresByType",
            Args.TAKE2,
            OR_INDEXES,
            "a MIME type followed by an expiry date code",
            _by_type,
        ),
        row("ExpiresDefault", Args.TAKE1, OR_INDEXES, "an expiry date code", _default),
    ),
    create_dir=ExpiresDir,
    merge_dir=merge_dir,
    hooks={"insert_filter": (10, expires_filter)},
)

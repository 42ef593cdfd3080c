"""mod_apachemw: apachemw's own directives, for behaviour Apache httpd does not have.

Apache has no module called ``apachemw_module``, so these directives belong inside
``<IfModule apachemw_module>`` (or ``<IfModule mod_apachemw.c>``): real Apache skips
the block and accepts the file, apachemw (which always loads this module) reads it.

``IndexTheme Apache|Modern`` picks the look of mod_autoindex listings: ``Apache`` (the
default) is Apache's own output byte for byte; ``Modern`` is a responsive HTML5 page.
``IndexFormats HTML [JSON]`` says which formats a listing is offered in; with JSON,
a client whose Accept header prefers ``application/json`` to ``text/html`` gets the
listing as JSON, and every listing answer carries ``Vary: Accept``.

Both are per-directory, allowed wherever IndexOptions is (``AllowOverride Indexes``
in .htaccess), and inherited by subdirectories until set again. The rendering lives
with mod_autoindex, whose handler reads these settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from apachemw.config.directives import OR_INDEXES, Args, Cmd, DirectiveError, Module
from apachemw.config.rows import row
from apachemw.core.request import Request

__all__ = [
    "FORMAT_HTML",
    "FORMAT_JSON",
    "MODULE",
    "THEME_APACHE",
    "THEME_MODERN",
    "ApachemwDir",
    "ListingChoice",
    "listing_choice",
    "prefers_json",
]

THEME_APACHE, THEME_MODERN = "apache", "modern"
FORMAT_HTML, FORMAT_JSON = "html", "json"
_THEMES = (THEME_APACHE, THEME_MODERN)
_FORMATS = (FORMAT_HTML, FORMAT_JSON)
JSON_TYPE, HTML_TYPE = "application/json", "text/html"


@dataclass
class ApachemwDir:
    """Per-directory settings; ``None`` means "not set here" so merging can inherit."""

    index_theme: str | None = None
    index_formats: frozenset[str] | None = None


def merge_dir(base: ApachemwDir, add: ApachemwDir) -> ApachemwDir:
    return ApachemwDir(
        index_theme=add.index_theme if add.index_theme is not None else base.index_theme,
        index_formats=add.index_formats if add.index_formats is not None else base.index_formats,
    )


def _index_theme(cmd: Cmd, args: Sequence[str]) -> None:
    theme = args[0].lower()
    if theme not in _THEMES:
        raise DirectiveError(f"IndexTheme must be 'Apache' or 'Modern', not '{args[0]}'")
    conf: ApachemwDir = cmd.dir()
    conf.index_theme = theme


def _index_formats(cmd: Cmd, args: Sequence[str]) -> None:
    formats = {word.lower() for word in args}
    unknown = [word for word in args if word.lower() not in _FORMATS]
    if unknown:
        raise DirectiveError(f"IndexFormats takes 'HTML' and 'JSON', not '{unknown[0]}'")
    if FORMAT_HTML not in formats:
        # Browsers must still get a listing; JSON is only ever an alternative to it.
        raise DirectiveError("IndexFormats must include 'HTML' (JSON is offered beside it)")
    conf: ApachemwDir = cmd.dir()
    conf.index_formats = frozenset(formats)


# ------------------------------------------------------------------ what a listing uses


@dataclass(frozen=True)
class ListingChoice:
    """How mod_autoindex should answer this request."""

    theme: str = THEME_APACHE
    json_offered: bool = False
    json_chosen: bool = False


def listing_choice(r: Request) -> ListingChoice:
    """The theme and format for a listing of ``r``, from config and its Accept header."""
    conf: ApachemwDir | None = r.per_dir.get("mod_apachemw")
    if conf is None:
        return ListingChoice()
    offered = conf.index_formats is not None and FORMAT_JSON in conf.index_formats
    chosen = offered and prefers_json(r.headers_in.get("accept"))
    return ListingChoice(conf.index_theme or THEME_APACHE, offered, chosen)


def prefers_json(accept: str | None) -> bool:
    """Whether ``accept`` ranks application/json strictly above text/html.

    Each type takes the q-value of its most specific matching range (RFC 9110
    12.5.1); a tie, no Accept header, or an unparsable one keeps HTML, the answer
    every client got before JSON was offered.
    """
    if not accept:
        return False
    ranges = _accept_ranges(accept)
    return _quality(ranges, JSON_TYPE) > _quality(ranges, HTML_TYPE)


def _accept_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        if "/" not in media:
            continue
        ranges.append((media.lower(), _q_param(params)))
    return ranges


def _q_param(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return 0.0
            return min(max(q, 0.0), 1.0)
    return 1.0


def _quality(ranges: list[tuple[str, float]], media_type: str) -> float:
    """The q of the most specific range matching ``media_type`` (0 when none does)."""
    specificity = {media_type: 2, media_type.split("/")[0] + "/*": 1, "*/*": 0}
    best_rank, best_q = -1, 0.0
    for media, q in ranges:
        rank = specificity.get(media, -1)
        if rank > best_rank:
            best_rank, best_q = rank, q
    return best_q


MODULE = Module(
    name="mod_apachemw",
    ident="apachemw_module",
    directives=(
        row(
            "IndexTheme",
            Args.TAKE1,
            OR_INDEXES,
            "Apache (the listing Apache writes) or Modern (a responsive HTML5 listing)",
            _index_theme,
        ),
        row(
            "IndexFormats",
            Args.ITERATE,
            OR_INDEXES,
            "HTML, optionally JSON (chosen when Accept prefers application/json)",
            _index_formats,
        ),
    ),
    create_dir=ApachemwDir,
    merge_dir=merge_dir,
)

"""Apache's server-driven variant selection (and RVSA/1.0 for transparent clients).

Each variant gets a quality per dimension from the Accept* headers, with Apache's
fiddles (wildcards without q count 0.01 and 0.02, a language range's prefix 0.001, a
variant without a language 0.0001 when others have one, an unlisted identity
encoding 0.0001), then ``is_better`` compares them in Apache's order: type q times
source q, language q, LanguagePriority, HTML level, charset, encoding, size. The
per-variant fields are updated in place and never reset, as in Apache (a second pass
for prefer-language sees the first pass's match specificity).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from typing import Any

from apachemw.core.regex import as_byte_text
from apachemw.core.uri_escape import escape_html, escape_path_segment

from .accept import INCLUDES_MAGIC_TYPE, INCLUDES_MAGIC_TYPE3, AcceptRec, f32

__all__ = [
    "FLP_FALLBACK",
    "FLP_NONE",
    "FLP_PREFER",
    "FLP_UNDEF",
    "Negotiation",
    "Variant",
    "best_match",
    "neg_headers",
    "variant_list",
]

# ForceLanguagePriority flags; unset behaves as Prefer.
FLP_UNDEF = 0
FLP_NONE = 1
FLP_PREFER = 2
FLP_FALLBACK = 4

CGI_MAGIC_TYPE = "application/x-httpd-cgi"
ALG_CHOICE = 1
ALG_LIST = 2
DISCARD_ALL_ENCODINGS = 1  # no-gzip
DISCARD_ALL_BUT_HTML = 2  # gzip-only-text/html

_FIDDLE_STAR = f32(0.01)
_FIDDLE_TYPE_STAR = f32(0.02)
_FIDDLE_PREFIX = f32(0.001)
_NO_LANGUAGE = f32(0.0001)
_FALLBACK = f32(0.0001)
_UNLISTED_IDENTITY = f32(0.0001)


@dataclass(slots=True, eq=False)
class Variant:
    """var_rec: one candidate and what negotiation learns about it."""

    file_name: str = ""
    sub_req: Any = None
    mime_type: str = ""
    body: int = 0  # a type map's inline Body: its offset in the map file
    content_encoding: str | None = None
    content_languages: list[str] | None = None
    content_charset: str = ""
    description: str = ""
    lang_quality: float = 1.0
    encoding_quality: float = 1.0
    charset_quality: float = 1.0
    mime_type_quality: float = 1.0
    source_quality: float = 0.0
    level: float = 0.0
    bytes: int = -1
    lang_index: int = -1
    is_pseudo_html: bool = False
    level_matched: float = 0.0
    mime_stars: int = 0
    definite: bool = True

    def set_mime_fields(self, rec: AcceptRec) -> None:
        """The type, qs, level and charset read out of a content type."""
        self.mime_type = rec.name
        self.source_quality = rec.quality
        self.level = rec.level
        self.content_charset = rec.charset
        self.is_pseudo_html = rec.name in ("text/html", INCLUDES_MAGIC_TYPE, INCLUDES_MAGIC_TYPE3)

    @property
    def language_list(self) -> str | None:
        """The languages as Apache prints them, joined by ","; None without any."""
        return ",".join(self.content_languages) if self.content_languages else None


@dataclass(eq=False)
class Negotiation:
    """negotiation_state: the parsed headers, the variants, and what is allowed."""

    dir_name: str
    priority: list[str] | None
    force: int
    accepts: list[AcceptRec] | None
    accept_encodings: list[AcceptRec] | None
    accept_charsets: list[AcceptRec] | None
    accept_langs: list[AcceptRec] | None
    env: dict[str, str]
    accept_q: bool = False
    default_lang_quality: float = 1.0
    variants: list[Variant] = field(default_factory=list)
    count_multiviews_variants: int = 0
    is_transparent: bool = False
    dont_fiddle_headers: bool = False
    ua_supports_trans: bool = False
    send_alternates: bool = False
    may_choose: bool = True
    use_rvsa: bool = False


# ------------------------------------------------------------------ types


def _mime_match(accept: AcceptRec, variant: Variant) -> bool:
    """Does the Accept entry cover the variant's type? Records how specific the
    match was (1 for */*, 2 for type/*, 3 exact) and, exactly, its level."""
    name, avail = accept.name, variant.mime_type
    if name in ("*", "*/*"):
        variant.mime_stars = max(variant.mime_stars, 1)
        return True
    if len(name) > 2 and name.endswith("/*") and avail.startswith(name[:-1]):
        variant.mime_stars = max(variant.mime_stars, 2)
        return True
    exact = name == avail or (
        name == "text/html" and avail in (INCLUDES_MAGIC_TYPE, INCLUDES_MAGIC_TYPE3)
    )
    if exact and accept.level >= variant.level:
        variant.level_matched = variant.level
        variant.mime_stars = 3
        return True
    return False


def _set_accept_quality(neg: Negotiation, variant: Variant) -> None:
    """The q of the most specific Accept entry matching the variant's type (the
    first one, among equally specific entries)."""
    q = 0.0
    q_definite = True
    for accept in neg.accepts or ():
        before = variant.mime_stars
        if not _mime_match(accept, variant) or before == variant.mime_stars:
            continue
        fiddle = not neg.dont_fiddle_headers and not neg.accept_q
        if fiddle and variant.mime_stars == 1:
            q = _FIDDLE_STAR
        elif fiddle and variant.mime_stars == 2:
            q = _FIDDLE_TYPE_STAR
        else:
            q = accept.quality
        q_definite = variant.mime_stars == 3
    variant.mime_type_quality = q
    variant.definite = variant.definite and q_definite


def _level_cmp(var1: Variant, var2: Variant) -> int:
    """Between two variants of one type (or both HTML-ish): the highest level the
    client asked for by name, else the lowest level."""
    if var1.is_pseudo_html and not var2.is_pseudo_html:
        return 0
    if not var1.is_pseudo_html and var1.mime_type != var2.mime_type:
        return 0
    if var1.level_matched != var2.level_matched:
        return 1 if var1.level_matched > var2.level_matched else -1
    if var1.level != var2.level:
        return 1 if var1.level < var2.level else -1
    return 0


# ------------------------------------------------------------------ languages


def _set_default_lang_quality(neg: Negotiation) -> None:
    if not neg.dont_fiddle_headers and any(v.content_languages for v in neg.variants):
        neg.default_lang_quality = _NO_LANGUAGE
    else:
        neg.default_lang_quality = 1.0


def _find_lang_index(priority: list[str] | None, lang: str) -> int:
    """The first LanguagePriority entry the tag starts with (case-insensitively)."""
    for index, entry in enumerate(priority or ()):
        if lang[: len(entry)].lower() == entry.lower():
            return index
    return -1


def _best_language(neg: Negotiation, variant: Variant) -> None:
    """The q of the longest Accept-Language range matching any of the variant's tags
    (a range matches a tag exactly or up to a "-"); "*" for unmatched tags."""
    accepts = neg.accept_langs or []
    best: AcceptRec | None = None
    star = next((a for a in accepts if a.name == "*"), None)
    fiddle_q = 0.0
    any_match_on_star = False
    for lang in variant.content_languages or ():
        best_this_tag: AcceptRec | None = None
        longest = 0
        for accept in accepts:
            if accept.name == "*":
                continue
            size = len(accept.name)
            covers = lang.startswith(accept.name) and lang[size : size + 1] in ("", "-")
            if covers and size > longest:
                longest, best_this_tag = size, accept
            if best_this_tag is None and not neg.dont_fiddle_headers:
                # A range with a subtag ("en-US") still finds its primary language,
                # far below anything named.
                dash = accept.name.find("-")
                if dash >= 0 and lang.startswith(accept.name[:dash]):
                    fiddle_q = _FIDDLE_PREFIX
        if best is None or (best_this_tag is not None and best_this_tag.quality > best.quality):
            best = best_this_tag
        if best_this_tag is None and star is not None:
            any_match_on_star = True
    if any_match_on_star and star is not None and (best is None or star.quality > best.quality):
        best = star
        variant.definite = False
    variant.lang_quality = best.quality if best is not None else fiddle_q


def _set_language_quality(neg: Negotiation, variant: Variant) -> None:
    force = neg.force or FLP_PREFER
    if not variant.content_languages:
        if not neg.dont_fiddle_headers:
            variant.lang_quality = neg.default_lang_quality
        return
    if neg.accept_langs is None:
        variant.definite = False  # no Accept-Language: the choice is not definite
    else:
        _best_language(neg, variant)
    prefer = bool(force & FLP_PREFER) and variant.lang_index < 0
    fallback = bool(force & FLP_FALLBACK) and not variant.lang_quality
    if not (prefer or fallback):
        return
    indexes = [_find_lang_index(neg.priority, lang) for lang in variant.content_languages]
    found = [i for i in indexes if i >= 0]
    if not found:
        return
    if variant.lang_quality:
        if force & FLP_PREFER:
            variant.lang_index = min(found)
    elif force & FLP_FALLBACK:
        variant.lang_index = min(found)
        variant.lang_quality = _FALLBACK
        variant.definite = False


# ------------------------------------------------------------------ charsets, encodings


def _set_charset_quality(neg: Negotiation, variant: Variant) -> None:
    charset = variant.content_charset
    if neg.accept_charsets is None:
        if charset:
            variant.definite = False
        return
    if not charset:
        textual = variant.mime_type.startswith("text/") or variant.mime_type in (
            INCLUDES_MAGIC_TYPE,
            INCLUDES_MAGIC_TYPE3,
        )
        if not textual or neg.dont_fiddle_headers:
            return
        charset = "iso-8859-1"  # HTTP's default for text types
    star: AcceptRec | None = None
    for accept in neg.accept_charsets:
        if accept.name == charset:
            variant.charset_quality = accept.quality
            return
        if accept.name == "*":
            star = accept
    if star is not None:
        variant.charset_quality = star.quality
        variant.definite = False
        return
    variant.charset_quality = 1.0 if charset == "iso-8859-1" else 0.0


def is_identity_encoding(encoding: str | None) -> bool:
    return not encoding or encoding in ("7bit", "8bit", "binary")


def _set_encoding_quality(neg: Negotiation, variant: Variant) -> None:
    encoding = variant.content_encoding
    if neg.accept_encodings is None:
        # No header: anything goes, but unencoded is preferred.
        variant.encoding_quality = 1.0 if is_identity_encoding(encoding) else 0.5
        return
    if_not_found = 0.0
    if is_identity_encoding(encoding):
        encoding, if_not_found = "identity", _UNLISTED_IDENTITY
    assert encoding is not None
    encoding = encoding.removeprefix("x-")
    star: AcceptRec | None = None
    for accept in neg.accept_encodings:
        name = accept.name.removeprefix("x-")
        if name == encoding:
            variant.encoding_quality = accept.quality
            return
        if name == "*":
            star = accept
    variant.encoding_quality = star.quality if star is not None else if_not_found


# ------------------------------------------------------------------ comparison


def _is_better_rvsa(variant: Variant, best: Variant | None, bestq: float) -> float | None:
    """RVSA/1.0: the product of all qualities (encoding only excludes); the new best
    q, or None when the variant does not beat ``best``."""
    if variant.encoding_quality == 0.0:
        return None
    q = f32(
        f32(f32(variant.mime_type_quality * variant.source_quality) * variant.charset_quality)
        * variant.lang_quality
    )
    if q <= 0.0:
        return None
    if q > bestq:
        return q
    if q == bestq and best is not None and variant.encoding_quality > best.encoding_quality:
        return q
    return None


def _acceptable(variant: Variant) -> bool:
    return 0.0 not in (
        variant.encoding_quality,
        variant.lang_quality,
        variant.source_quality,
        variant.charset_quality,
        variant.mime_type_quality,
    )


def _is_better(
    neg: Negotiation, variant: Variant, best: Variant | None, bestq: float
) -> float | None:
    """Apache's own order: type q x qs, language q, LanguagePriority, level, charset
    (a declared non-latin1 charset beats latin1), encoding, then the smaller file."""
    if not _acceptable(variant):
        return None
    q = f32(variant.mime_type_quality * variant.source_quality)
    if q == 0.0 or q < bestq:
        return None
    if q > bestq or best is None:
        return q
    verdict = _tie_break(neg, variant, best)
    return q if verdict else None


def _tie_break(neg: Negotiation, variant: Variant, best: Variant) -> bool:
    if variant.lang_quality != best.lang_quality:
        return variant.lang_quality > best.lang_quality
    if best.lang_index != -1 and (variant.lang_index == -1 or variant.lang_index > best.lang_index):
        return False
    if variant.lang_index != -1 and (best.lang_index == -1 or variant.lang_index < best.lang_index):
        return True
    level = _level_cmp(variant, best)
    if level:
        return level > 0
    if variant.charset_quality < best.charset_quality:
        return False
    if variant.charset_quality > best.charset_quality or (
        variant.content_charset not in ("", "iso-8859-1")
        and best.content_charset in ("", "iso-8859-1")
    ):
        return True
    if variant.encoding_quality != best.encoding_quality:
        return variant.encoding_quality > best.encoding_quality
    return content_length(neg, variant) < content_length(neg, best)


def content_length(neg: Negotiation, variant: Variant) -> int:
    """The variant's size: the type map's Content-Length, the subrequest's stat, or a
    stat of the file now (remembered); -1 when unknown."""
    if variant.bytes < 0:
        info = variant.sub_req.finfo if variant.sub_req is not None else None
        if info is not None:
            variant.bytes = info.st_size
        else:
            with contextlib.suppress(OSError, ValueError):
                variant.bytes = os.stat(os.path.join(neg.dir_name, variant.file_name)).st_size
    return variant.bytes


# ------------------------------------------------------------------ the choice


def _discard_by_env(variant: Variant, discard: int) -> bool:
    encoding = variant.content_encoding
    if is_identity_encoding(encoding) or encoding == "identity":
        return False
    return discard == DISCARD_ALL_ENCODINGS or (
        discard == DISCARD_ALL_BUT_HTML and not variant.mime_type.startswith("text/html")
    )


def _discard_mode(env: dict[str, str]) -> int:
    if "no-gzip" in env:
        return DISCARD_ALL_ENCODINGS
    if env.get("gzip-only-text/html") == "1":
        return DISCARD_ALL_BUT_HTML
    return 0


def best_match(neg: Negotiation) -> tuple[int, Variant | None]:
    """Rate every variant, choose one; (ALG_CHOICE, best) or (ALG_LIST, best-or-None).
    With prefer-language set, only its variants compete first, then all of them."""
    preferred = neg.env.get("prefer-language")
    discard = _discard_mode(neg.env)
    _set_default_lang_quality(neg)
    while True:
        best, bestq = _one_pass(neg, preferred, discard)
        if neg.use_rvsa:
            result = ALG_CHOICE if best is not None and best.definite and bestq > 0 else ALG_LIST
        else:
            result = ALG_CHOICE if bestq > 0 else ALG_LIST
        if preferred is not None and (best is None or result != ALG_CHOICE):
            preferred = None
            continue
        return result, best


def _one_pass(
    neg: Negotiation, preferred: str | None, discard: int
) -> tuple[Variant | None, float]:
    best: Variant | None = None
    bestq = 0.0
    for variant in neg.variants:
        if discard and _discard_by_env(variant, discard):
            continue
        if preferred is not None and preferred not in (variant.content_languages or ()):
            continue
        _set_accept_quality(neg, variant)
        if preferred is not None:
            variant.lang_quality = 1.0
            variant.definite = True
        else:
            _set_language_quality(neg, variant)
        _set_encoding_quality(neg, variant)
        _set_charset_quality(neg, variant)
        if not neg.may_choose:
            continue
        if neg.use_rvsa:
            better = _is_better_rvsa(variant, best, bestq)
        else:
            better = _is_better(neg, variant, best, bestq)
        if better is not None:
            best, bestq = variant, better
    return best, bestq


# ------------------------------------------------------------------ what is sent


def neg_headers(neg: Negotiation, alg_result: int) -> list[tuple[str, str]]:
    """Alternates (when asked for), Vary for the dimensions in which the variants
    differ (and negotiate, if transparent), and TCN: to merge into err_headers_out."""
    first = neg.variants[0] if neg.variants else None
    vary = {"accept": False, "accept-language": False, "accept-charset": False}
    vary["accept-encoding"] = False
    for variant in neg.variants[1:]:
        assert first is not None
        vary["accept"] |= first.mime_type != variant.mime_type
        vary["accept-charset"] |= first.content_charset != variant.content_charset
        vary["accept-language"] |= (first.language_list or "") != (variant.language_list or "")
        vary["accept-encoding"] |= (first.content_encoding or "") != (
            variant.content_encoding or ""
        )
    headers: list[tuple[str, str]] = []
    if neg.send_alternates and neg.variants:
        headers.append(("Alternates", ", ".join(_alternate(neg, v) for v in neg.variants)))
    tokens = (["negotiate"] if neg.is_transparent else []) + [k for k, on in vary.items() if on]
    if tokens:
        headers.append(("Vary", ", ".join(tokens)))
    if neg.is_transparent:
        headers.append(("TCN", "list" if alg_result == ALG_LIST else "choice"))
    return headers


def _alternate(neg: Negotiation, variant: Variant) -> str:
    """One Alternates entry (RFC 2295): {"name" qs {type ..} {charset ..} {language ..}
    {encoding ..} {length ..}}."""
    parts = [f'{{"{escape_path_segment(variant.file_name)}" {_source_q(variant.source_quality)}']
    if variant.mime_type:
        parts.append(f" {{type {variant.mime_type}}}")
    if variant.content_charset:
        parts.append(f" {{charset {variant.content_charset}}}")
    if variant.language_list is not None:
        parts.append(f" {{language {variant.language_list}}}")
    if variant.content_encoding:
        parts.append(f" {{encoding {variant.content_encoding}}}")
    # A variant with a handler is a script: its file's size says nothing.
    if not (variant.sub_req is not None and variant.sub_req.handler):
        length = content_length(neg, variant)
        if length >= 0:
            parts.append(f" {{length {length}}}")
    return "".join(parts) + "}"


def _source_q(quality: float) -> str:
    """ "%1.3f" with trailing zeros dropped the way mod_negotiation drops them."""
    text = f"{quality:1.3f}"[:5]
    if text[4:5] == "0":
        text = text[:4]
        if text[3:4] == "0":
            text = text[:3]
            if text[2:3] == "0":
                text = text[:1]
    return text


def variant_list(neg: Negotiation) -> str:
    """The HTML list of variants a 406 or 300 page shows. Names are escaped (CVE-2012-
    2687); a type map's Description is the administrator's HTML and is not."""
    items = ["Available variants:\n<ul>\n"]
    for variant in neg.variants:
        name = variant.file_name
        line = [
            # The page goes out as bytes: the name's own bytes, escaped.
            f'<li><a href="{escape_path_segment(name)}">{escape_html(as_byte_text(name))}</a> ',
            variant.description,
        ]
        if variant.mime_type:
            line.append(f", type {variant.mime_type}")
        if variant.language_list is not None:
            line.append(f", language {variant.language_list}")
        if variant.content_charset:
            line.append(f", charset {variant.content_charset}")
        if variant.content_encoding is not None:
            line.append(f", encoding {variant.content_encoding}")
        items.append("".join(line) + "</li>\n")
    items.append("</ul>\n")
    return "".join(items)

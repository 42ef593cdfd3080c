"""mod_autoindex: directory listings (Options Indexes), byte for byte as Apache writes them.

Plain (``<ul>``), FancyIndexing (``<pre>``) and HTMLTable output with every IndexOptions
keyword, the ``C``/``O``/``F``/``V``/``P`` query arguments parsed as index_directory
parses them, AddIcon*/AddAlt*/AddDescription/DefaultIcon, IndexIgnore (and its Reset),
IndexOrderDefault, HeaderName/ReadmeName, IndexStyleSheet/IndexHeadInsert. Each entry
is looked up as a subrequest, as ap_sub_req_lookup_dirent does, so entries the client
may not access are hidden (or shown with ShowForbidden). Scrapers parse this HTML: the
output keeps Apache's spacing, entity escaping and column truncation.

apachemw's own IndexTheme Modern and IndexFormats JSON (modules/mod_apachemw.py) are
decided here too, in the handler, and rendered by autoindex_modern.py and
autoindex_json.py from the same entries; with neither set, nothing here changes.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cmp_to_key
from typing import Any

from apachemw.config.directives import OR_ALL, OR_INDEXES, Args, Cmd, DirectiveError, Module
from apachemw.config.rows import row
from apachemw.core import http
from apachemw.core.canned import server_signature
from apachemw.core.ctype import ascii_lower, ascii_upper
from apachemw.core.http import atoi
from apachemw.core.regex import as_byte_text, from_byte_text
from apachemw.core.request import DECLINED, DONE, Outcome, Request
from apachemw.core.uri_escape import escape_html, escape_uri
from apachemw.modules.core import OPT_INDEXES
from apachemw.modules.mod_apachemw import JSON_TYPE, THEME_MODERN, ListingChoice, listing_choice
from apachemw.modules.mod_mime import DIR_MAGIC_TYPE

__all__ = [
    "MODULE",
    "AutoindexDir",
    "Entry",
    "Query",
    "entry_date",
    "entry_href",
    "find_desc",
    "list_entries",
    "listing_title",
    "side_file",
    "signature",
    "strfsize",
    "strnatcmp",
]

NO_OPTIONS, ICONS_ARE_LINKS, SCAN_HTML_TITLES = 1 << 0, 1 << 1, 1 << 2
SUPPRESS_ICON, SUPPRESS_LAST_MOD, SUPPRESS_SIZE = 1 << 3, 1 << 4, 1 << 5
SUPPRESS_DESC, SUPPRESS_PREAMBLE, SUPPRESS_COLSORT = 1 << 6, 1 << 7, 1 << 8
SUPPRESS_RULES, FOLDERS_FIRST, VERSION_SORT = 1 << 9, 1 << 10, 1 << 11
TRACK_MODIFIED, FANCY_INDEXING, TABLE_INDEXING = 1 << 12, 1 << 13, 1 << 14
IGNORE_CLIENT, IGNORE_CASE, EMIT_XHTML = 1 << 15, 1 << 16, 1 << 17
SHOW_FORBIDDEN, ADDALTCLASS, OPTION_UNSET = 1 << 18, 1 << 19, 1 << 20

_KEYWORDS = {
    "fancyindexing": FANCY_INDEXING,
    "foldersfirst": FOLDERS_FIRST,
    "htmltable": TABLE_INDEXING,
    "iconsarelinks": ICONS_ARE_LINKS,
    "ignorecase": IGNORE_CASE,
    "ignoreclient": IGNORE_CLIENT,
    "scanhtmltitles": SCAN_HTML_TITLES,
    "suppresscolumnsorting": SUPPRESS_COLSORT,
    "suppressdescription": SUPPRESS_DESC,
    "suppresshtmlpreamble": SUPPRESS_PREAMBLE,
    "suppressicon": SUPPRESS_ICON,
    "suppresslastmodified": SUPPRESS_LAST_MOD,
    "suppresssize": SUPPRESS_SIZE,
    "suppressrules": SUPPRESS_RULES,
    "trackmodified": TRACK_MODIFIED,
    "versionsort": VERSION_SORT,
    "xhtml": EMIT_XHTML,
    "showforbidden": SHOW_FORBIDDEN,
    "addaltclass": ADDALTCLASS,
}
K_NOADJUST, K_ADJUST, K_UNSET = 0, 1, 2
DEFAULT_ICON_WIDTH, DEFAULT_ICON_HEIGHT = 20, 22
DEFAULT_NAME_WIDTH = DEFAULT_DESC_WIDTH = 23
BY_PATH, BY_TYPE, BY_ENCODING = "path", "type", "encoding"
DOCTYPE_HTML_4_01 = (
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n'
)
DOCTYPE_XHTML_1_0T = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n'
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
)


@dataclass(frozen=True)
class Item:
    """push_item: an icon, alt text or IndexIgnore pattern and where it applies."""

    kind: str
    apply_to: str
    apply_path: str
    data: str


@dataclass(frozen=True)
class Description:
    pattern: str
    text: str
    full_path: bool
    wildcards: bool


@dataclass
class AutoindexDir:
    default_icon: str | None = None
    style_sheet: str | None = None
    head_insert: str | None = None
    header: str | None = None
    readme: str | None = None
    opts: int = OPTION_UNSET
    incremented: int = 0
    decremented: int = 0
    name_width: int = DEFAULT_NAME_WIDTH
    name_adjust: int = K_UNSET
    desc_width: int = DEFAULT_DESC_WIDTH
    desc_adjust: int = K_UNSET
    icon_width: int = 0
    icon_height: int = 0
    default_key: str = ""
    default_direction: str = ""
    icons: list[Item] = field(default_factory=list)
    alts: list[Item] = field(default_factory=list)
    descriptions: list[Description] = field(default_factory=list)
    ignores: list[Item] = field(default_factory=list)
    ignore_noinherit: bool = False
    ctype: str | None = None
    charset: str | None = None
    datetime_format: str | None = None


# ------------------------------------------------------------------ directives


def _path(cmd: Cmd) -> str:
    path: str | None = cmd.ctx.path
    return path or ""


def _push(items: list[Item], kind: str, to: str, cmd: Cmd, data: str) -> None:
    if kind == BY_PATH and not _is_matchexp(to):
        to = "*" + to
    items.append(Item(kind, to, _path(cmd) + "*", data))


def _is_matchexp(text: str) -> bool:
    return "*" in text or "?" in text


def _target(kind: str, to: str) -> str:
    if kind == BY_PATH and to == "**DIRECTORY**":
        return "^^DIRECTORY^^"
    return to.lower() if kind == BY_ENCODING else to


def _adder(kind: str, icon: bool) -> Any:
    def add(cmd: Cmd, args: Sequence[str]) -> None:
        conf: AutoindexDir = cmd.dir()
        first, targets = args[0], args[1:]
        for to in targets:
            to = _target(kind, to)
            data = first
            if icon and first.startswith("("):
                close = first.find(")")
                if close < 0:
                    raise DirectiveError("missing closing paren")
                # "(ALT,/icon.gif)": the text before the comma is an AddAlt.
                alt, _, data = first[:close].partition(",")
                _push(conf.alts, kind, to, cmd, alt[1:])
            _push(conf.icons if icon else conf.alts, kind, to, cmd, data)

    return add


def _add_description(cmd: Cmd, args: Sequence[str]) -> None:
    conf: AutoindexDir = cmd.dir()
    text = args[0]
    for to in args[1:]:
        full = "/" in to
        wild = full or bool(re.search(r"[*?\[]", to))
        pattern = (("*/" if full else "*") + to + "*") if wild else to
        conf.descriptions.append(Description(pattern, text, full, wild))


def _add_ignore(cmd: Cmd, args: Sequence[str]) -> None:
    conf: AutoindexDir = cmd.dir()
    for pattern in args:
        conf.ignores.append(Item("", pattern, _path(cmd) + "*", ""))


def _width(word: str, name: str, minimum: int) -> tuple[int, int]:
    """NameWidth=n / DescriptionWidth=n: (width, adjust)."""
    if word[len(name) + 1 :].startswith("*"):
        return 0, K_ADJUST
    width = atoi(word[len(name) + 1 :])
    if width and width < minimum:
        label = "NameWidth" if name == "namewidth" else "DescriptionWidth"
        raise DirectiveError(f"{label} value must be greater than {minimum}")
    return width, K_NOADJUST


def _index_options(cmd: Cmd, args: Sequence[str]) -> None:
    """add_opts: keywords, +/- increments, and the valued options."""
    conf: AutoindexDir = cmd.dir()
    opts, added, removed = conf.opts, conf.incremented, conf.decremented
    for raw in args:
        action = raw[0] if raw[:1] in ("+", "-") else ""
        word = raw[1:] if action else raw
        lword = word.lower()
        option = _KEYWORDS.get(lword, 0)
        if not option and not _valued_option(conf, action, word, lword):
            if lword != "none":
                raise DirectiveError("Invalid directory indexing option")
            if action:
                raise DirectiveError("Cannot combine '+' or '-' with 'None' keyword")
            opts, added, removed = NO_OPTIONS, 0, 0
        if not action:
            opts |= option
            added = removed = 0
        elif action == "+":
            added, removed = added | option, removed & ~option
        else:
            removed, added = removed | option, added & ~option
    if opts & NO_OPTIONS and opts & ~NO_OPTIONS:
        raise DirectiveError("Cannot combine other IndexOptions keywords with 'None'")
    conf.opts, conf.incremented, conf.decremented = opts, added, removed


def _valued_option(conf: AutoindexDir, action: str, word: str, lword: str) -> bool:
    """IconWidth/IconHeight/NameWidth/DescriptionWidth/Type/Charset/UseOldDateFormat."""
    if lword in ("iconwidth", "iconheight"):
        value = 0 if action == "-" else (DEFAULT_ICON_WIDTH if lword == "iconwidth" else 22)
        setattr(conf, "icon_width" if lword == "iconwidth" else "icon_height", value)
        return True
    for name, attr in (("iconwidth=", "icon_width"), ("iconheight=", "icon_height")):
        if lword.startswith(name):
            if action == "-":
                label = "IconWidth" if attr == "icon_width" else "IconHeight"
                raise DirectiveError(f"Cannot combine '-' with {label}=n")
            setattr(conf, attr, atoi(word[len(name) :]))
            return True
    if lword in ("namewidth", "descriptionwidth"):
        label = "NameWidth" if lword == "namewidth" else "DescriptionWidth"
        if action != "-":
            raise DirectiveError(f"{label} with no value may only appear as '-{label}'")
        _set_width(conf, lword, DEFAULT_NAME_WIDTH, K_NOADJUST)
        return True
    for name, minimum in (("namewidth", 5), ("descriptionwidth", 12)):
        if lword.startswith(name + "="):
            if action == "-":
                label = "NameWidth" if name == "namewidth" else "DescriptionWidth"
                raise DirectiveError(f"Cannot combine '-' with {label}=n")
            width, adjust = _width(lword, name, minimum)
            _set_width(conf, name, width, adjust)
            return True
    return _string_option(conf, word, lword)


def _set_width(conf: AutoindexDir, name: str, width: int, adjust: int) -> None:
    if name == "namewidth":
        if adjust != K_ADJUST:
            conf.name_width = width
        conf.name_adjust = adjust
    else:
        if adjust != K_ADJUST:
            conf.desc_width = width
        conf.desc_adjust = adjust


def _string_option(conf: AutoindexDir, word: str, lword: str) -> bool:
    if lword.startswith("type="):
        conf.ctype = word[5:]
    elif lword.startswith("charset="):
        conf.charset = word[8:]
    elif lword == "useolddateformat":
        conf.datetime_format = "%d-%b-%Y %H:%M"
    else:
        return False
    return True


def _order_default(cmd: Cmd, args: Sequence[str]) -> None:
    conf: AutoindexDir = cmd.dir()
    direction = {"ascending": "A", "descending": "D"}.get(args[0].lower())
    if direction is None:
        raise DirectiveError("First keyword must be 'Ascending' or 'Descending'")
    key = {"name": "N", "date": "M", "size": "S", "description": "D"}.get(args[1].lower())
    if key is None:
        raise DirectiveError("Second keyword must be 'Name', 'Date', 'Size', or 'Description'")
    conf.default_direction, conf.default_key = direction, key


def _string(name: str) -> Any:
    def apply(cmd: Cmd, args: Sequence[str]) -> None:
        setattr(cmd.dir(), name, args[0])

    return apply


def _ignore_reset(cmd: Cmd, args: Sequence[str]) -> None:
    conf: AutoindexDir = cmd.dir()
    conf.ignore_noinherit = args[0].lower() == "on"


def _fancy_deprecated(cmd: Cmd, args: Sequence[str]) -> None:
    raise DirectiveError(
        "The FancyIndexing directive is no longer supported. Use IndexOptions FancyIndexing."
    )


def merge_dir(base: AutoindexDir, add: AutoindexDir) -> AutoindexDir:
    """merge_autoindex_configs."""
    new = AutoindexDir(
        default_icon=add.default_icon or base.default_icon,
        style_sheet=add.style_sheet or base.style_sheet,
        head_insert=add.head_insert or base.head_insert,
        header=add.header or base.header,
        readme=add.readme or base.readme,
        icon_height=add.icon_height or base.icon_height,
        icon_width=add.icon_width or base.icon_width,
        ctype=add.ctype or base.ctype,
        charset=add.charset or base.charset,
        datetime_format=add.datetime_format or base.datetime_format,
        alts=add.alts + base.alts,
        descriptions=add.descriptions + base.descriptions,
        icons=add.icons + base.icons,
        ignores=add.ignores if add.ignore_noinherit else add.ignores + base.ignores,
        default_key=add.default_key or base.default_key,
        default_direction=add.default_direction or base.default_direction,
    )
    _merge_opts(new, base, add)
    source = base if add.name_adjust == K_UNSET else add
    new.name_width, new.name_adjust = source.name_width, source.name_adjust
    source = base if add.desc_adjust == K_UNSET else add
    new.desc_width, new.desc_adjust = source.desc_width, source.desc_adjust
    return new


def _merge_opts(new: AutoindexDir, base: AutoindexDir, add: AutoindexDir) -> None:
    if add.opts == NO_OPTIONS:
        new.opts, new.incremented, new.decremented = NO_OPTIONS, 0, 0
        return
    if add.opts == OPTION_UNSET:
        new.incremented = (base.incremented | add.incremented) & ~add.decremented
        new.decremented = base.decremented | add.decremented
        new.opts = base.opts & ~NO_OPTIONS
    else:
        new.opts = add.opts
    new.opts |= new.incremented
    new.opts &= ~new.decremented


# ------------------------------------------------------------------ matching


def _wild(pattern: str, text: str, icase: bool = False) -> bool:
    """ap_strcmp_match: ``*`` (any run, '/' included) and ``?`` only."""
    return _wild_regex(pattern, icase).fullmatch(text) is not None


@functools.lru_cache(maxsize=1024)
def _wild_regex(pattern: str, icase: bool) -> re.Pattern[str]:
    """Translated once per pattern, not once per directory entry."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, re.S | (re.I if icase else 0))


def find_item(
    content_type: str | None, encoding: str | None, path: str, items: list[Item], path_only: bool
) -> str | None:
    for item in items:
        if not (path.startswith("^") or _wild(item.apply_path, path)):
            continue
        if not item.apply_to:
            return item.data
        if item.kind == BY_PATH or path.startswith("^"):
            if _wild(item.apply_to, path):
                return item.data
        elif not path_only:
            if encoding is None:
                if (
                    item.kind == BY_TYPE
                    and content_type
                    and _wild(item.apply_to, content_type, True)
                ):
                    return item.data
            elif item.kind == BY_ENCODING and _wild(item.apply_to, encoding, True):
                return item.data
    return None


def find_desc(conf: AutoindexDir, filename: str) -> str | None:
    import fnmatch

    only = filename.rsplit("/", 1)[-1]
    for desc in conf.descriptions:
        subject = filename if desc.full_path else only
        if desc.wildcards:
            if fnmatch.fnmatchcase(subject, desc.pattern):
                return desc.text
        elif desc.pattern in subject:
            return desc.text
    return None


def _ignored(conf: AutoindexDir, path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    for item in conf.ignores:
        pattern = item.apply_to.rsplit("/", 1)[-1]
        if _wild(item.apply_path, path) and _wild(pattern, name):
            return True
    return False


# ------------------------------------------------------------------ helpers


def strfsize(size: int) -> str:
    """apr_strfsize: four characters, K/M/G/... with one decimal below 10."""
    if size < 0:
        return "  - "
    if size < 973:
        return f"{size:3d} "
    units = "KMGTPE"
    unit = 0
    while True:
        remain = size & 1023
        size >>= 10
        if size >= 973:
            unit += 1
            continue
        if size < 9 or (size == 9 and remain < 973):
            remain = ((remain * 5) + 256) // 512
            if remain >= 10:
                size, remain = size + 1, 0
            return f"{size}.{remain}{units[unit]}"
        if remain >= 512:
            size += 1
        return f"{size:3d}{units[unit]}"


def strnatcmp(a: str, b: str, icase: bool = False) -> int:
    """apr_strnatcmp / apr_strnatcasecmp: digit runs compared as numbers."""
    ai = bi = 0
    while True:
        while ai < len(a) and a[ai] in _C_SPACE:
            ai += 1
        while bi < len(b) and b[bi] in _C_SPACE:
            bi += 1
        ca = a[ai] if ai < len(a) else ""
        cb = b[bi] if bi < len(b) else ""
        if _digit(a, ai) and _digit(b, bi):
            fractional = ca == "0" or cb == "0"
            result = _compare_left(a, ai, b, bi) if fractional else _compare_right(a, ai, b, bi)
            if result:
                return result
        if not ca and not cb:
            return 0
        if icase:
            ca, cb = ascii_upper(ca), ascii_upper(cb)
        if ca < cb:
            return -1
        if ca > cb:
            return 1
        ai += 1
        bi += 1


_C_SPACE = frozenset(" \t\n\v\f\r")  # isspace() in the C locale


def _digit(text: str, i: int) -> bool:
    return i < len(text) and "0" <= text[i] <= "9"


def _compare_right(a: str, ai: int, b: str, bi: int) -> int:
    bias = 0
    while True:
        da, db = _digit(a, ai), _digit(b, bi)
        if not da and not db:
            return bias
        if not da:
            return -1
        if not db:
            return 1
        if a[ai] < b[bi] and not bias:
            bias = -1
        elif a[ai] > b[bi] and not bias:
            bias = 1
        ai += 1
        bi += 1


def _compare_left(a: str, ai: int, b: str, bi: int) -> int:
    while True:
        da, db = _digit(a, ai), _digit(b, bi)
        if not da and not db:
            return 0
        if not da:
            return -1
        if not db:
            return 1
        if a[ai] != b[bi]:
            return -1 if a[ai] < b[bi] else 1
        ai += 1
        bi += 1


# ------------------------------------------------------------------ the listing


@dataclass
class Entry:
    name: str
    size: int = -1
    mtime: float = -1
    icon: str | None = None
    alt: str | None = None
    desc: str | None = None
    isdir: bool = False  # a directory sorted first (FoldersFirst), as Apache's isdir
    # What the subrequest found, for the modern theme and JSON (mod_apachemw):
    # the Apache listing reads only the fields above.
    path: str = ""
    info: os.stat_result | None = None
    content_type: str | None = None
    desc_from_file: bool = False  # a ScanHTMLTitles <title>: file content, not config


@dataclass
class Query:
    key: str
    direction: str
    opts: int
    pattern: str | None = None
    colargs: str = ""


def _parse_query(args: str | None, key: str, direction: str, opts: int) -> Query:
    """index_directory's reading of C=, O=, F=, V= and P= (anything else stops it)."""
    q = Query(key, direction, opts)
    if opts & IGNORE_CLIENT:
        q.opts |= SUPPRESS_COLSORT
        return q
    fval = vval = ppre = epattern = ""
    rest = args or ""
    while rest:
        head, tail = rest[:3], rest[3:4]
        short = tail in ("&", ";", "")
        if head[:2] == "C=" and len(head) == 3 and head[2] in "NMSD" and short:
            q.key = head[2]
        elif head[:2] == "O=" and len(head) == 3 and head[2] in "AD" and short:
            q.direction = head[2]
        elif head[:2] == "F=" and len(head) == 3 and head[2] in "012" and short:
            q.opts = _format_opts(q.opts, head[2])
            fval = ";F=" + head[2]
        elif head[:2] == "V=" and len(head) == 3 and head[2] in "01" and short:
            q.opts = q.opts | VERSION_SORT if head[2] == "1" else q.opts & ~VERSION_SORT
            vval = ";V=" + head[2]
        elif head[:2] == "P=":
            end = re.search(r"[&;]", rest[2:])
            raw = rest[2:] if end is None else rest[2 : 2 + end.start()]
            q.pattern, ppre, epattern = _pattern(raw, ppre, epattern)
            rest = "" if end is None else rest[2 + end.end() :]
            continue
        else:
            break
        rest = rest[4:] if tail else ""
    q.colargs = fval + vval + ppre + epattern
    return q


def _format_opts(opts: int, which: str) -> int:
    if which == "0":
        return opts & ~(FANCY_INDEXING | TABLE_INDEXING)
    if which == "1":
        return (opts | FANCY_INDEXING) & ~TABLE_INDEXING
    return opts | FANCY_INDEXING | TABLE_INDEXING


def _pattern(raw: str, ppre: str, epattern: str) -> tuple[str | None, str, str]:
    from urllib.parse import unquote_to_bytes

    if not raw:
        return None, ppre, epattern
    if re.search(r"%(?![0-9A-Fa-f]{2})", raw):
        return None, ppre, epattern  # ap_unescape_url refuses a bad escape
    data = unquote_to_bytes(raw)
    if b"\0" in data or b"/" in data:
        return None, ppre, epattern
    text = data.decode("utf-8", "surrogateescape")
    return text, ";P=", escape_uri(text)


def _fnmatch_period(pattern: str, name: str) -> bool:
    """apr_fnmatch(APR_FNM_NOESCAPE | APR_FNM_PERIOD): a leading dot must be matched."""
    import fnmatch

    if name.startswith(".") and not pattern.startswith("."):
        return False
    return fnmatch.fnmatchcase(name, pattern)  # a backslash is literal here as in APR


def _parent_entry(r: Request, conf: AutoindexDir, opts: int) -> Entry | None:
    """make_parent_entry: "Parent Directory", unless this is the top."""
    uri = r.uri if r.uri.endswith("/") else r.uri + "/"
    parts = [p for p in uri.split("/") if p]
    if not parts:
        return None
    parent = "/" + "/".join(parts[:-1]) + ("/" if parts[:-1] else "")
    test = (r.filename or "").rstrip("/") + "/.."
    if _ignored(conf, test):
        return None
    entry = Entry(parent)
    if opts & FANCY_INDEXING:
        entry.icon = find_item(None, None, test, conf.icons, True) or find_item(
            None, None, "^^DIRECTORY^^", conf.icons, True
        )
        entry.alt = (
            find_item(None, None, test, conf.alts, True)
            or find_item(None, None, "^^DIRECTORY^^", conf.alts, True)
            or "PARENTDIR"
        )
        entry.desc = find_desc(conf, test)
    return entry


def _entry(
    r: Request, conf: AutoindexDir, opts: int, name: str, q: Query, describe: bool = False
) -> Entry | None:
    """make_autoindex_entry: the entry, if the client could reach it.

    ``describe``: fill in size, date, icon and description even for a plain listing
    (the modern theme shows and sorts by them whatever IndexOptions says).
    """
    from apachemw.core.pipeline import lookup_dirent

    if name in (".", ".."):
        return None
    if q.pattern is not None and not _fnmatch_period(q.pattern, name):
        return None
    directory = r.filename or ""
    if _ignored(conf, directory + name):
        return None
    rr = lookup_dirent(r, name)
    info = rr.finfo
    shown = opts & SHOW_FORBIDDEN and rr.status in (401, 403)
    is_file = info is not None and (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode))
    if not is_file or not (rr.status < 400 or shown):
        return None
    assert info is not None
    isdir = stat.S_ISDIR(info.st_mode)
    entry = Entry(name + "/" if isdir else name)
    entry.path, entry.info, entry.content_type = rr.filename or "", info, rr.content_type
    if describe or opts & (FANCY_INDEXING | TABLE_INDEXING):
        _describe(entry, rr, conf, opts, info, isdir)
    if q.key == "M" and entry.mtime < 0:
        entry.mtime = 0
    return entry


def _describe(
    entry: Entry, rr: Request, conf: AutoindexDir, opts: int, info: os.stat_result, isdir: bool
) -> None:
    entry.mtime = info.st_mtime
    filename = rr.filename or ""
    ctype = (rr.content_type or "").split(";")[0].strip() or None
    if isdir:
        entry.isdir = bool(opts & FOLDERS_FIRST)
        filename = filename.rstrip("/")
        entry.icon = find_item(ctype, rr.content_encoding, filename, conf.icons, True) or (
            find_item(None, None, "^^DIRECTORY^^", conf.icons, True)
        )
        entry.alt = (
            find_item(ctype, rr.content_encoding, filename, conf.alts, True)
            or find_item(None, None, "^^DIRECTORY^^", conf.alts, True)
            or "DIR"
        )
    else:
        entry.icon = find_item(ctype, rr.content_encoding, filename, conf.icons, False)
        entry.alt = find_item(ctype, rr.content_encoding, filename, conf.alts, False)
        entry.size = info.st_size
    entry.desc = find_desc(conf, filename)
    if entry.desc is None and opts & SCAN_HTML_TITLES and ctype == "text/html":
        entry.desc = _html_title(filename)
        entry.desc_from_file = entry.desc is not None


def _html_title(path: str) -> str | None:
    """find_title: the first 8 KB's <title>, newlines turned into spaces."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8192).decode("latin-1")
    except OSError:
        return None
    start = head.lower().find("<title>")
    if start < 0:
        return None
    start += len("<title>")
    end = head.lower().find("<", start)
    text = head[start : end if end >= 0 else len(head)]
    return text.replace("\n", " ").replace("\r", " ").strip() or None


def _sort_key(q: Query, opts: int) -> Any:
    version, icase = bool(opts & VERSION_SORT), bool(opts & IGNORE_CASE)

    def compare(e1: Entry, e2: Entry) -> int:
        if e1.name.startswith("/"):
            return -1
        if e2.name.startswith("/"):
            return 1
        if e1.isdir != e2.isdir:
            return -1 if e1.isdir else 1
        c1, c2 = (e1, e2) if q.direction == "A" else (e2, e1)
        if q.key == "M" and c1.mtime != c2.mtime:
            return 1 if c1.mtime > c2.mtime else -1
        if q.key == "S" and c1.size != c2.size:
            return 1 if c1.size > c2.size else -1
        if q.key == "D":
            d1, d2 = as_byte_text(c1.desc or ""), as_byte_text(c2.desc or "")
            result = strnatcmp(d1, d2) if version else _cmp(d1, d2)
            if result:
                return result
        return _name_order(as_byte_text(c1.name), as_byte_text(c2.name), version, icase)

    return cmp_to_key(compare)


def _cmp(a: str, b: str) -> int:
    return (a > b) - (a < b)


def _name_order(a: str, b: str, version: bool, icase: bool) -> int:
    result = 0
    if version:
        if icase:
            result = strnatcmp(a, b, icase=True)
        if not result:
            result = strnatcmp(a, b)
    if not result and icase:
        result = _cmp(ascii_lower(a), ascii_lower(b))
    return result or _cmp(a, b)


def _img(conf: AutoindexDir, opts: int, src: str, alt: str) -> str:
    out = f'<img src="{escape_html(src)}" alt="{alt}"'
    if conf.icon_width:
        out += f' width="{conf.icon_width}"'
    if conf.icon_height:
        out += f' height="{conf.icon_height}"'
    return out + (" /" if opts & EMIT_XHTML else "") + ">"


def _link(anchor: str, column: str, q: Query, nosort: bool) -> str:
    """emit_link: a column heading that sorts (or reverses the current sort)."""
    if nosort:
        return anchor
    order = "D" if q.key == column and q.direction == "A" else "A"
    return f'<a href="?C={column};O={order}{q.colargs}">{anchor}</a>'


def _widths(conf: AutoindexDir, entries: list[Entry], opts: int) -> tuple[int, int]:
    name_width, desc_width = conf.name_width, conf.desc_width
    if opts & (FANCY_INDEXING | TABLE_INDEXING) == FANCY_INDEXING:
        if conf.name_adjust == K_ADJUST:
            name_width = max([name_width, *(len(as_byte_text(e.name)) for e in entries)])
        if conf.desc_adjust == K_ADJUST:
            desc_width = max([desc_width, *(len(as_byte_text(e.desc)) for e in entries if e.desc)])
    return name_width, desc_width


def _terminate(conf: AutoindexDir, desc: str, opts: int, width: int) -> str:
    """terminate_description: cut to the width, tags and entities counting as one."""
    maxsize = width
    if conf.desc_adjust == K_UNSET:
        maxsize += (6 if opts & SUPPRESS_ICON else 0) + (19 if opts & SUPPRESS_LAST_MOD else 0)
        maxsize += 7 if opts & SUPPRESS_SIZE else 0
    x = 0
    while x < len(desc) and (maxsize > 0 or desc[x] == "<"):
        if desc[x] == "<":
            close = desc.find(">", x)
            if close < 0:
                maxsize, x = 0, len(desc)
                break
            x = close
        elif desc[x] == "&":
            maxsize -= 1
            semi = desc.find(";", x)
            if semi < 0:
                maxsize, x = 0, len(desc)
                break
            x = semi
        else:
            maxsize -= 1
        x += 1
    if not maxsize and x < len(desc):
        return desc[: x - 1] + ">"
    return desc


def _cut_name(name: str, width: int) -> tuple[str, int]:
    data = as_byte_text(name)
    if len(data) > width:
        cut = data[: width - 3] + "..>"
        return from_byte_text(cut), width
    return name, len(data)


def entry_date(conf: AutoindexDir, mtime: float) -> str:
    return time.strftime(conf.datetime_format or "%Y-%m-%d %H:%M", time.localtime(mtime))


def _output(r: Request, conf: AutoindexDir, entries: list[Entry], q: Query) -> list[str]:
    """output_directories."""
    opts = q.opts
    name_width, desc_width = _widths(conf, entries, opts)
    pad = " " * name_width
    if opts & TABLE_INDEXING:
        out, breakrow = _table_head(conf, q, opts)
        for x, entry in enumerate(entries):
            out.append(_table_row(r, conf, entry, x, opts, name_width, desc_width))
        out.append(breakrow + "</table>\n")
        return out
    if opts & FANCY_INDEXING:
        out = [_fancy_head(conf, q, opts, pad)]
        for x, entry in enumerate(entries):
            out.append(_fancy_row(conf, entry, x, opts, name_width, desc_width))
        rule = "<hr" + (" /" if opts & EMIT_XHTML else "") + ">"
        out.append(("" if opts & SUPPRESS_RULES else rule) + "</pre>\n")
        return out
    out = ["<ul>"]
    for x, entry in enumerate(entries):
        shown = "Parent Directory" if x == 0 and entry.name.startswith("/") else entry.name
        out.append(f'<li><a href="{_anchor(entry.name)}"> {escape_html(shown)}</a></li>\n')
    out.append("</ul>\n")
    return out


def entry_href(name: str) -> str:
    """ap_os_escape_path(name, 0): "./" before a colon, so it is not read as a scheme."""
    colon, slash = name.find(":"), name.find("/")
    prefix = "./" if colon >= 0 and (slash < 0 or colon < slash) else ""
    return prefix + escape_uri(name)


def _anchor(name: str) -> str:
    """An entry's href as the listing writes it: entry_href, then ap_escape_html."""
    return escape_html(entry_href(name))


def _table_head(conf: AutoindexDir, q: Query, opts: int) -> tuple[list[str], str]:
    styled = conf.style_sheet is not None
    nosort = bool(opts & SUPPRESS_COLSORT)
    out = [
        '  <table id="indexlist">\n   <tr class="indexhead">' if styled else "  <table>\n   <tr>"
    ]
    cols = 1
    if not opts & SUPPRESS_ICON:
        out.append('<th class="indexcolicon">' if styled else '<th valign="top">')
        blank = find_item(None, None, "^^BLANKICON^^", conf.icons, True)
        out.append(_img(conf, opts, blank, "[ICO]") + "</th>" if blank else "&nbsp;</th>")
        cols += 1
    out.append('<th class="indexcolname">' if styled else "<th>")
    out.append(_link("Name", "N", q, nosort))
    for flag, label, column, css in (
        (SUPPRESS_LAST_MOD, "Last modified", "M", "indexcollastmod"),
        (SUPPRESS_SIZE, "Size", "S", "indexcolsize"),
        (SUPPRESS_DESC, "Description", "D", "indexcoldesc"),
    ):
        if not opts & flag:
            out.append(f'</th><th class="{css}">' if styled else "</th><th>")
            out.append(_link(label, column, q, nosort))
            cols += 1
    breakrow = ""
    if not opts & SUPPRESS_RULES:
        css = ' class="indexbreakrow"' if styled else ""
        hr = "<hr" + (" /" if opts & EMIT_XHTML else "") + ">"
        breakrow = f'   <tr{css}><th colspan="{cols}">{hr}</th></tr>\n'
    out.append("</th></tr>\n" + breakrow)
    return out, breakrow


def _icon_cell(conf: AutoindexDir, entry: Entry, opts: int, empty: str) -> str:
    src = entry.icon or conf.default_icon
    if not src:
        return empty
    return _img(conf, opts, src, f"[{entry.alt if entry.alt else '   '}]")


def _table_row(
    r: Request,
    conf: AutoindexDir,
    entry: Entry,
    x: int,
    opts: int,
    name_width: int,
    desc_width: int,
) -> str:
    styled = conf.style_sheet is not None
    anchor = _anchor(entry.name)
    shown = "Parent Directory" if x == 0 and entry.name.startswith("/") else entry.name
    if styled:
        parity = "odd" if x & 1 else "even"
        if entry.alt and opts & ADDALTCLASS:
            parity += "-" + ascii_lower(entry.alt)
        out = f'   <tr class="{parity}">'
    else:
        out = "<tr>"
    if not opts & SUPPRESS_ICON:
        out += '<td class="indexcolicon">' if styled else '<td valign="top">'
        link = opts & ICONS_ARE_LINKS
        out += (f'<a href="{anchor}">' if link else "") + _icon_cell(conf, entry, opts, "&nbsp;")
        out += "</a></td>" if link else "</td>"
    cell = '<td class="indexcolname">' if styled else "<td>"
    if conf.name_adjust == K_ADJUST:
        out += f'{cell}<a href="{anchor}">{escape_html(shown)}</a>'
    else:
        cut, width = _cut_name(shown, name_width)
        out += f'{cell}<a href="{anchor}">{escape_html(cut)}</a>' + " " * (name_width - width)
    if not opts & SUPPRESS_LAST_MOD:
        if entry.mtime != -1:
            css = ' class="indexcollastmod">' if styled else ' align="right">'
            out += f"</td><td{css}{entry_date(conf, entry.mtime)}  "
        else:
            out += '</td><td class="indexcollastmod">&nbsp;' if styled else "</td><td>&nbsp;"
    if not opts & SUPPRESS_SIZE:
        css = ' class="indexcolsize">' if styled else ' align="right">'
        out += f"</td><td{css}{strfsize(entry.size)}"
    if not opts & SUPPRESS_DESC:
        css = ' class="indexcoldesc">' if styled else ">"
        if entry.desc:
            text = (
                entry.desc
                if conf.desc_adjust == K_ADJUST
                else _terminate(conf, entry.desc, opts, desc_width)
            )
            out += f"</td><td{css}{text}"
        else:
            out += f"</td><td{css}&nbsp;"
    return out + "</td></tr>\n"


def _fancy_head(conf: AutoindexDir, q: Query, opts: int, pad: str) -> str:
    nosort = bool(opts & SUPPRESS_COLSORT)
    out = "<pre>"
    if not opts & SUPPRESS_ICON:
        blank = find_item(None, None, "^^BLANKICON^^", conf.icons, True)
        out += _img(conf, opts, blank, "Icon ") + " " if blank else "      "
    out += _link("Name", "N", q, nosort) + pad[4:] + " "
    if not opts & SUPPRESS_LAST_MOD:
        out += _link("Last modified", "M", q, nosort) + "      "
    if not opts & SUPPRESS_SIZE:
        out += _link("Size", "S", q, nosort) + "  "
    if not opts & SUPPRESS_DESC:
        out += _link("Description", "D", q, nosort)
    if not opts & SUPPRESS_RULES:
        out += "<hr" + (" /" if opts & EMIT_XHTML else "") + ">"
    else:
        out += "\n"
    return out


def _fancy_row(
    conf: AutoindexDir, entry: Entry, x: int, opts: int, name_width: int, desc_width: int
) -> str:
    anchor = _anchor(entry.name)
    shown = "Parent Directory" if x == 0 and entry.name.startswith("/") else entry.name
    out = ""
    if not opts & SUPPRESS_ICON:
        link = opts & ICONS_ARE_LINKS
        out += (f'<a href="{anchor}">' if link else "") + _icon_cell(conf, entry, opts, "     ")
        out += "</a> " if link else " "
    cut, width = _cut_name(shown, name_width)
    out += f'<a href="{anchor}">{escape_html(cut)}</a>' + " " * (name_width - width) + " "
    if not opts & SUPPRESS_LAST_MOD:
        out += entry_date(conf, entry.mtime) + "  " if entry.mtime != -1 else " " * 19
    if not opts & SUPPRESS_SIZE:
        out += strfsize(entry.size) + "  "
    if not opts & SUPPRESS_DESC and entry.desc:
        out += _terminate(conf, entry.desc, opts, desc_width)
    return out + "\n"


# ------------------------------------------------------------------ the page


def _preamble(conf: AutoindexDir, opts: int, title: str) -> str:
    if opts & EMIT_XHTML:
        out = DOCTYPE_XHTML_1_0T + '<html xmlns="http://www.w3.org/1999/xhtml">\n'
        out += f" <head>\n  <title>Index of {title}</title>\n"
    else:
        out = DOCTYPE_HTML_4_01 + f"<html>\n <head>\n  <title>Index of {title}</title>\n"
    if conf.style_sheet is not None:
        end = " />\n" if opts & EMIT_XHTML else ">\n"
        out += f'  <link rel="stylesheet" href="{conf.style_sheet}" type="text/css"{end}'
    if conf.head_insert is not None:
        out += conf.head_insert
    return out + " </head>\n <body>\n"


def _emit_plain(path: str) -> str | None:
    """do_emit_plain: a text file inside <pre>, with < > & escaped."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    text = data.decode("utf-8", "surrogateescape")
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<pre>\n{escaped}</pre>\n"


def side_file(r: Request, name: str | None) -> tuple[str, str] | None:
    """HeaderName/ReadmeName as a subrequest: ("html"|"text", contents) or None."""
    from apachemw.core.pipeline import lookup_uri

    if name is None:
        return None
    rr = lookup_uri(r, name)
    info = rr.finfo
    if rr.status != 200 or rr.filename is None or info is None or not stat.S_ISREG(info.st_mode):
        return None
    ctype = (rr.content_type or "").split(";")[0].strip().lower()
    if ctype in ("text/html", "application/xhtml+xml"):
        try:
            with open(rr.filename, "rb") as handle:
                return "html", handle.read().decode("utf-8", "surrogateescape")
        except OSError:
            return None
    if ctype.startswith("text/"):
        plain = _emit_plain(rr.filename)
        return None if plain is None else ("text", plain)
    return None


def _head(r: Request, conf: AutoindexDir, opts: int, title: str) -> tuple[str, bool]:
    """emit_head: the preamble, the header file, and the <h1> unless the file replaced it."""
    header = conf.header
    if header is not None and r.args:
        header = f"{header}?{r.args}"
    found = side_file(r, header)
    h1 = (
        f'  <h1 id="indextitle">Index of {title}</h1>\n'
        if conf.style_sheet is not None
        else f"<h1>Index of {title}</h1>\n"
    )
    if found is None:
        return _preamble(conf, opts, title) + h1, False
    kind, text = found
    if kind == "html":
        # Run as a subrequest, whose output is flushed: the page goes out chunked.
        return ("" if opts & SUPPRESS_PREAMBLE else _preamble(conf, opts, title)) + text, True
    return _preamble(conf, opts, title) + text, False


def _tail(r: Request, conf: AutoindexDir, opts: int) -> tuple[str, bool]:
    """emit_tail: the readme file, or the server signature; then the postamble."""
    found = side_file(r, conf.readme)
    out, post, streamed = "", True, False
    if found is not None:
        streamed = found[0] == "html"
        out = found[1]
        post = not (found[0] == "html" and opts & SUPPRESS_PREAMBLE)
    else:
        out = signature(r)
    return out + ("</body></html>\n" if post else ""), streamed


def signature(r: Request) -> str:
    """ap_psignature("", r): the ServerSignature line, without a rule before it."""
    from apachemw.core.pipeline import server_banner, server_name, server_port

    mode = r.per_dir["core"].server_signature or "off"
    core = r.server.get("core")
    text = server_signature(
        mode,
        version=server_banner(r),
        server_name=server_name(r),
        port=server_port(r),
        admin=core.server_admin or "[no address given]",
    )
    return text.removeprefix("<hr>\n")


def listing_title(r: Request) -> str:
    title = escape_html(r.uri)
    while len(title) > 1 and title.endswith("/"):
        title = title[:-1]
    return title


def index_directory(r: Request, conf: AutoindexDir) -> int:
    directory = r.filename or ""
    try:
        names = os.listdir(directory)
    except OSError as exc:
        r.site.log_error(
            r, "error", "autoindex", f"AH01275: Can't open directory for index: {directory}", exc
        )
        return 403
    opts = conf.opts & ~OPTION_UNSET if conf.opts != OPTION_UNSET else 0
    choice = listing_choice(r)
    r.content_type = _listing_type(conf, choice)
    headers: list[tuple[str, str]] = []
    if opts & TRACK_MODIFIED and r.finfo is not None:
        headers += _tracked(r, choice.json_chosen)
    if choice.json_offered:
        # The answer now depends on Accept: caches must key on it, and the static
        # memo (core.memo) must never hand one client's format to another.
        headers.append(("Vary", "Accept"))
        r.eventful = True
    if r.method == "HEAD":
        r.outcome = Outcome(200, [*headers, ("Content-Type", r.content_type)], head_only=True)
        return DONE
    q = _parse_query(r.args, conf.default_key or "N", conf.default_direction or "A", opts)
    body, streamed = _listing_body(r, conf, q, names, choice)
    if not streamed:
        headers.append(("Content-Length", str(len(body))))
    headers.append(("Content-Type", r.content_type))
    r.outcome = Outcome(200, headers, body=body)
    return DONE


def _listing_type(conf: AutoindexDir, choice: ListingChoice) -> str:
    if choice.json_chosen:
        return JSON_TYPE
    ctype = conf.ctype or "text/html"
    # Apache's listing defaults to ISO-8859-1; the modern theme is new, so UTF-8.
    default = "UTF-8" if choice.theme == THEME_MODERN else "ISO-8859-1"
    charset = conf.charset if conf.charset is not None else default
    return f"{ctype};charset={charset}" if charset else ctype


def _listing_body(
    r: Request, conf: AutoindexDir, q: Query, names: list[str], choice: ListingChoice
) -> tuple[bytes, bool]:
    """The page (or JSON) and whether Apache would stream it (no Content-Length)."""
    from apachemw.modules import autoindex_json, autoindex_modern

    if choice.json_chosen:
        entries = list_entries(r, conf, q, names, describe=choice.theme == THEME_MODERN)
        return autoindex_json.render(r, conf, entries, q), False
    if choice.theme == THEME_MODERN:
        return autoindex_modern.render(r, conf, q, names), False
    head, streamed = _head(r, conf, q.opts, listing_title(r))
    entries = list_entries(r, conf, q, names)
    tail, streamed_tail = _tail(r, conf, q.opts)
    body = "".join([head, *_output(r, conf, entries, q), tail]).encode("utf-8", "surrogateescape")
    return body, streamed or streamed_tail


def _tracked(r: Request, json_chosen: bool = False) -> list[tuple[str, str]]:
    assert r.finfo is not None
    info = r.finfo
    mtime = int(info.st_mtime)
    out = [("Last-Modified", http.http_date(min(mtime, int(r.request_time))))]
    components = r.per_dir["core"].etag_components()
    etag = http.make_etag(info.st_size, info.st_mtime_ns, info.st_ino, r.request_time, components)
    if etag:
        # Two representations of one directory must not share a validator.
        out.append(("ETag", etag[:-1] + '-json"' if json_chosen else etag))
    return out


def list_entries(
    r: Request, conf: AutoindexDir, q: Query, names: list[str], describe: bool = False
) -> list[Entry]:
    """The listing's entries, sorted as the page shows them (the parent first)."""
    entries: list[Entry] = []
    parent = _parent_entry(r, conf, q.opts)
    if parent is not None:
        entries.append(parent)
    for name in names:
        entry = _entry(r, conf, q.opts, name, q, describe)
        if entry is not None:
            entries.append(entry)
    entries.sort(key=_sort_key(q, q.opts))
    return entries


def handle_autoindex(r: Request) -> int:
    """handle_autoindex: a directory with Options Indexes gets its listing."""
    if r.handler not in (DIR_MAGIC_TYPE, None, "default-handler"):
        return DECLINED
    if r.finfo is None or not stat.S_ISDIR(r.finfo.st_mode):
        return DECLINED
    if r.method != "GET" and r.method != "HEAD":
        return DECLINED
    conf: AutoindexDir = r.per_dir["mod_autoindex"]
    core = r.per_dir["core"]
    if core.opts & OPT_INDEXES:
        if r.filename is not None and not r.filename.endswith("/"):
            r.filename += "/"
        return index_directory(r, conf)
    names = r.notes.get("dir-index-names") or "none"
    r.site.log_error(
        r,
        "error",
        "autoindex",
        f"AH01276: Cannot serve directory {r.filename}: No matching DirectoryIndex ({names}) "
        "found, and server-generated directory index forbidden by Options directive",
    )
    return 403


IDX = OR_INDEXES

MODULE = Module(
    name="mod_autoindex",
    ident="autoindex_module",
    directives=(
        row(
            "AddIcon",
            Args.ITERATE2,
            IDX,
            "an icon URL followed by one or more filenames",
            _adder(BY_PATH, True),
        ),
        row(
            "AddIconByType",
            Args.ITERATE2,
            IDX,
            "an icon URL followed by one or more MIME types",
            _adder(BY_TYPE, True),
        ),
        row(
            "AddIconByEncoding",
            Args.ITERATE2,
            IDX,
            "an icon URL followed by one or more content encodings",
            _adder(BY_ENCODING, True),
        ),
        row(
            "AddAlt",
            Args.ITERATE2,
            IDX,
            "alternate descriptive text followed by one or more filenames",
            _adder(BY_PATH, False),
        ),
        row(
            "AddAltByType",
            Args.ITERATE2,
            IDX,
            "alternate descriptive text followed by one or more MIME types",
            _adder(BY_TYPE, False),
        ),
        row(
            "AddAltByEncoding",
            Args.ITERATE2,
            IDX,
            "alternate descriptive text followed by one or more content encodings",
            _adder(BY_ENCODING, False),
        ),
        row(
            "IndexOptions", Args.TAKE_ARGV, IDX, "one or more index options [+|-][]", _index_options
        ),
        row(
            "IndexOrderDefault",
            Args.TAKE2,
            IDX,
            "{Ascending,Descending} {Name,Size,Description,Date}",
            _order_default,
        ),
        row("IndexIgnore", Args.ITERATE, IDX, "one or more file extensions", _add_ignore),
        row(
            "IndexIgnoreReset",
            Args.FLAG,
            IDX,
            "Reset the inherited list of IndexIgnore filenames",
            _ignore_reset,
        ),
        row(
            "AddDescription",
            Args.ITERATE2,
            IDX,
            "Descriptive text followed by one or more filenames",
            _add_description,
        ),
        row("HeaderName", Args.TAKE1, IDX, "a filename", _string("header")),
        row("ReadmeName", Args.TAKE1, IDX, "a filename", _string("readme")),
        row(
            "FancyIndexing",
            Args.RAW_ARGS,
            OR_ALL,
            "The FancyIndexing directive is no longer supported. Use IndexOptions FancyIndexing.",
            _fancy_deprecated,
        ),
        row("DefaultIcon", Args.TAKE1, IDX, "an icon URL", _string("default_icon")),
        row("IndexStyleSheet", Args.TAKE1, IDX, "URL to style sheet", _string("style_sheet")),
        row(
            "IndexHeadInsert",
            Args.TAKE1,
            IDX,
            "String to insert in HTML HEAD section",
            _string("head_insert"),
        ),
    ),
    create_dir=AutoindexDir,
    merge_dir=merge_dir,
    hooks={"handler": (20, handle_autoindex)},
)

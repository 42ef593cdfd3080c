"""The modern listing theme (IndexTheme Modern): a responsive HTML5 page.

Not an Apache feature (see modules/mod_apachemw.py). What it keeps from Apache's
listing: the entries and their order (IndexIgnore, hidden and ShowForbidden entries,
FoldersFirst, VersionSort, IgnoreCase), the column links with Apache's own ``C=``/``O=``
query arguments (so bookmarked sort links keep working), HeaderName and ReadmeName,
AddDescription, IndexStyleSheet, IndexHeadInsert, the Suppress* column options and
the entry links, escaped exactly as the Apache listing escapes them. What it adds:
inline CSS that follows ``prefers-color-scheme``, inline SVG icons by file type,
sizes in KiB/MiB, breadcrumbs. No script: the page works under a strict CSP
(style-src 'unsafe-inline' aside).
"""

from __future__ import annotations

import re
import stat

from apachemw.core.request import Request
from apachemw.core.uri_escape import escape_html
from apachemw.modules.autoindex_json import iso_utc
from apachemw.modules.mod_autoindex import (
    SUPPRESS_COLSORT,
    SUPPRESS_DESC,
    SUPPRESS_LAST_MOD,
    SUPPRESS_SIZE,
    AutoindexDir,
    Entry,
    Query,
    entry_date,
    entry_href,
    find_desc,
    list_entries,
    listing_title,
    side_file,
    signature,
)

__all__ = ["human_size", "icon_kind", "render"]

# (query letter, heading, css class, the IndexOptions flag that hides it)
_Column = tuple[str, str, str, int]
_COLUMNS: tuple[_Column, ...] = (
    ("M", "Last modified", "col-date", SUPPRESS_LAST_MOD),
    ("S", "Size", "col-size", SUPPRESS_SIZE),
    ("D", "Description", "col-desc", SUPPRESS_DESC),
)
# Extensions that name an archive or source code whatever type mod_mime gives them.
_ARCHIVE = re.compile(r"\.(zip|gz|tgz|bz2|xz|zst|7z|rar|tar|z|lz|lzma|deb|rpm|jar|whl)$", re.I)
_CODE = re.compile(
    r"\.(py|js|mjs|ts|c|h|cc|cpp|hpp|rs|go|java|kt|rb|pl|php|sh|bash|css|json|xml|yml|yaml"
    r"|toml|ini|conf|sql|lua|swift)$",
    re.I,
)


def render(r: Request, conf: AutoindexDir, q: Query, names: list[str]) -> bytes:
    """The whole page; HeaderName and ReadmeName are read as Apache reads them."""
    header_name = conf.header
    if header_name is not None and r.args:
        header_name = f"{header_name}?{r.args}"  # emit_head passes the query on too
    header = side_file(r, header_name)
    entries = list_entries(r, conf, q, names, describe=True)
    readme = side_file(r, conf.readme)
    title = listing_title(r)
    # The same charset the Content-Type names (IndexOptions Charset=, else UTF-8).
    charset = conf.charset if conf.charset is not None else "UTF-8"
    parts = [
        _head(conf, title, charset),
        _breadcrumbs(r.uri),
        _section("listing-header", header),
        _table(conf, q, entries),
        _section("listing-readme", readme),
        _footer(r, readme is None),
        "</main>\n</body>\n</html>\n",
    ]
    return "".join(parts).encode("utf-8", "surrogateescape")


# ------------------------------------------------------------------ page parts


def _head(conf: AutoindexDir, title: str, charset: str) -> str:
    meta = f'<meta charset="{escape_html(charset)}">\n' if charset else ""
    out = (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n{meta}'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"<title>Index of {title}</title>\n<style>{_CSS}</style>\n"
    )
    if conf.style_sheet is not None:
        out += f'<link rel="stylesheet" href="{escape_html(conf.style_sheet)}">\n'
    if conf.head_insert is not None:
        out += conf.head_insert + "\n"  # the administrator's HTML, as Apache inserts it
    return out + f"</head>\n<body>\n{_SPRITE}<main>\n<h1>Index of {title}</h1>\n"


def _breadcrumbs(uri: str) -> str:
    """The path, each directory in it a link; relative, so a mount prefix survives."""
    parts = [part for part in uri.split("/") if part]
    depth = len(parts) if uri.endswith("/") else len(parts) - 1
    out = [f'<a href="{"../" * depth or "./"}">/</a>']
    for i, part in enumerate(parts):
        label = escape_html(part)
        if i == len(parts) - 1:
            out.append(f'<span aria-current="page">{label}</span>')
        else:
            up = depth - i - 1
            out.append(f'<a href="{"../" * up or "./"}">{label}</a>')
        out.append('<span class="sep">/</span>' if i < len(parts) - 1 else "")
    return f'<nav class="crumbs" aria-label="Breadcrumb">{"".join(out)}</nav>\n'


def _section(css: str, found: tuple[str, str] | None) -> str:
    """HeaderName/ReadmeName contents: HTML as the file has it, text already in <pre>."""
    if found is None:
        return ""
    return f'<section class="{css}">\n{found[1]}</section>\n'


def _footer(r: Request, with_signature: bool) -> str:
    # As Apache's emit_tail: the server signature only when there is no readme.
    line = signature(r) if with_signature else ""
    return f"<footer>{line}</footer>\n" if line else ""


# ------------------------------------------------------------------ the table


def _table(conf: AutoindexDir, q: Query, entries: list[Entry]) -> str:
    opts = q.opts
    shown = [column for column in _COLUMNS if not opts & column[3]]
    out = ['<table class="listing">\n<thead><tr>', _heading("N", "Name", "col-name", q)]
    out += [_heading(letter, label, css, q) for letter, label, css, _ in shown]
    out.append("</tr></thead>\n<tbody>\n")
    for x, entry in enumerate(entries):
        out.append(_row(conf, entry, x == 0 and entry.name.startswith("/"), shown))
    out.append("</tbody>\n</table>\n")
    return "".join(out)


def _heading(letter: str, label: str, css: str, q: Query) -> str:
    """A column heading: Apache's emit_link (the current column reverses its order)."""
    current = q.key == letter
    sort = ""
    if current:
        sort = ' aria-sort="ascending"' if q.direction == "A" else ' aria-sort="descending"'
    if q.opts & SUPPRESS_COLSORT:
        return f'<th class="{css}"{sort}>{label}</th>'
    order = "D" if current and q.direction == "A" else "A"
    href = escape_html(f"?C={letter};O={order}{q.colargs}")
    arrow = ""
    if current:
        arrow = '<span class="arrow">' + ("&#9650;" if q.direction == "A" else "&#9660;")
        arrow += "</span>"
    return f'<th class="{css}"{sort}><a href="{href}">{label}{arrow}</a></th>'


def _row(conf: AutoindexDir, entry: Entry, is_parent: bool, shown: list[_Column]) -> str:
    href = escape_html(entry_href(entry.name))
    kind = "parent" if is_parent else icon_kind(entry)
    label = "Parent Directory" if is_parent else escape_html(entry.name)
    css = "dir" if kind in ("parent", "folder") else "file"
    out = f'<tr class="{css}"><td class="col-name"><a href="{href}">'
    out += f'<svg class="icon icon-{kind}" aria-hidden="true"><use href="#i-{kind}"/></svg>'
    out += f"<span>{label}</span></a></td>"
    cells = {"M": _date_cell, "S": _size_cell, "D": _desc_cell}
    for letter, *_ in shown:
        out += cells[letter](conf, entry, is_parent)
    return out + "</tr>\n"


def _date_cell(conf: AutoindexDir, entry: Entry, is_parent: bool) -> str:
    if is_parent or entry.info is None:
        return '<td class="col-date"></td>'
    mtime = entry.info.st_mtime
    when = f'<time datetime="{iso_utc(mtime)}">{escape_html(entry_date(conf, mtime))}</time>'
    return f'<td class="col-date">{when}</td>'


def _size_cell(conf: AutoindexDir, entry: Entry, is_parent: bool) -> str:
    info = entry.info
    if is_parent or info is None or stat.S_ISDIR(info.st_mode):
        return '<td class="col-size"><span class="none">&mdash;</span></td>'
    size = info.st_size
    return f'<td class="col-size" data-bytes="{size}" title="{size} bytes">{human_size(size)}</td>'


def _desc_cell(conf: AutoindexDir, entry: Entry, is_parent: bool) -> str:
    desc = entry.desc
    if desc is None and not is_parent:
        desc = find_desc(conf, entry.path.rstrip("/"))
    if desc is None:
        return '<td class="col-desc"></td>'
    # AddDescription text is the administrator's HTML (Apache inserts it as is); a
    # ScanHTMLTitles title comes from a file anyone may have written: escaped.
    return f'<td class="col-desc">{escape_html(desc) if entry.desc_from_file else desc}</td>'


def human_size(size: int) -> str:
    """Bytes as people read them: "512 B", "4.9 KiB", "12 MiB" (binary units)."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB", "TiB", "PiB"):
        value /= 1024
        if value < 1024 or unit == "PiB":
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    raise AssertionError("unreachable")  # the loop returns at PiB


def icon_kind(entry: Entry) -> str:
    """Which inline icon an entry gets, from its type and name."""
    info = entry.info
    if info is not None and stat.S_ISDIR(info.st_mode):
        return "folder"
    ctype = (entry.content_type or "").split(";")[0].strip().lower()
    major = ctype.split("/")[0]
    if _ARCHIVE.search(entry.name) or ctype in ("application/zip", "application/gzip"):
        return "archive"
    if major in ("image", "audio", "video"):
        return major
    if _CODE.search(entry.name):
        return "code"
    if major == "text":
        return "text"
    return "file"


# ------------------------------------------------------------------ static text

# One <symbol> per icon kind, drawn on a 24x24 grid with strokes in currentColor.
_SPRITE = (
    '<svg xmlns="http://www.w3.org/2000/svg" style="display:none">'
    '<symbol id="i-parent" viewBox="0 0 24 24"><path d="M12 19V5M5 12l7-7 7 7"/></symbol>'
    '<symbol id="i-folder" viewBox="0 0 24 24">'
    '<path d="M3 6.5A1.5 1.5 0 0 1 4.5 5H9l2 2.5h8.5A1.5 1.5 0 0 1 21 9v9.5a1.5 1.5 0 0 1'
    '-1.5 1.5h-15A1.5 1.5 0 0 1 3 18.5z"/></symbol>'
    '<symbol id="i-file" viewBox="0 0 24 24">'
    '<path d="M6 3h8l5 5v13H6z"/><path d="M14 3v5h5"/></symbol>'
    '<symbol id="i-text" viewBox="0 0 24 24">'
    '<path d="M6 3h8l5 5v13H6z"/><path d="M14 3v5h5M9 12h7M9 15.5h7M9 19h4"/></symbol>'
    '<symbol id="i-code" viewBox="0 0 24 24">'
    '<path d="M6 3h8l5 5v13H6z"/><path d="M14 3v5h5M10.5 12 8.5 14.5l2 2.5M14.5 12l2 '
    '2.5-2 2.5"/></symbol>'
    '<symbol id="i-image" viewBox="0 0 24 24">'
    '<rect x="3" y="4" width="18" height="16" rx="1.5"/><circle cx="8.5" cy="9.5" r="1.5"/>'
    '<path d="m21 16-5-5-9 9"/></symbol>'
    '<symbol id="i-audio" viewBox="0 0 24 24">'
    '<path d="M9 18V5l11-2v13"/><circle cx="6.5" cy="18" r="2.5"/>'
    '<circle cx="17.5" cy="16" r="2.5"/></symbol>'
    '<symbol id="i-video" viewBox="0 0 24 24">'
    '<rect x="3" y="6" width="13" height="12" rx="1.5"/><path d="m16 10 5-3v10l-5-3"/>'
    "</symbol>"
    '<symbol id="i-archive" viewBox="0 0 24 24">'
    '<rect x="3" y="4" width="18" height="5" rx="1"/><path d="M5 9v11h14V9M10 13h4"/>'
    "</symbol></svg>\n"
)

_CSS = """
:root{--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--hover:#f6f8fa;
--link:#0969da;--dir:#54aeff;--accent:#0969da;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;
--line:#30363d;--hover:#151b23;--link:#4493f8;--dir:#4493f8;--accent:#4493f8}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);line-height:1.5}
main{max-width:70rem;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.35rem;font-weight:600;margin:0 0 .25rem;overflow-wrap:anywhere}
a{color:var(--link);text-decoration:none}
a:hover{text-decoration:underline}
.crumbs{color:var(--muted);margin-bottom:1rem;overflow-wrap:anywhere}
.crumbs .sep{margin:0 .2rem;color:var(--muted)}
.crumbs [aria-current]{color:var(--fg);font-weight:600}
table.listing{width:100%;border-collapse:collapse;border:1px solid var(--line);
border-radius:6px;overflow:hidden}
.listing th,.listing td{padding:.45rem .75rem;text-align:left;vertical-align:top}
.listing thead th{font-weight:600;font-size:.85rem;color:var(--muted);
background:var(--hover);border-bottom:1px solid var(--line);white-space:nowrap}
.listing thead a{color:inherit}
.listing .arrow{margin-left:.3rem;font-size:.7em}
.listing tbody tr+tr td{border-top:1px solid var(--line)}
.listing tbody tr:hover td{background:var(--hover)}
.col-name{width:100%}
.col-name a{display:inline-flex;gap:.5rem;align-items:flex-start;overflow-wrap:anywhere}
.col-date,.col-size{white-space:nowrap;color:var(--muted);font-variant-numeric:tabular-nums}
.col-size{text-align:right!important}
.col-desc{color:var(--muted);min-width:12rem}
.none{opacity:.5}
.icon{width:1.2rem;height:1.2rem;flex:none;margin-top:.1rem;fill:none;stroke:currentColor;
stroke-width:1.6;stroke-linecap:round;stroke-linejoin:round;color:var(--muted)}
.icon-folder,.icon-parent{color:var(--dir)}
.icon-folder{fill:var(--dir);fill-opacity:.25}
.listing-header,.listing-readme{margin:1rem 0}
.listing-header pre,.listing-readme pre{padding:1rem;border:1px solid var(--line);
border-radius:6px;background:var(--hover);overflow:auto;white-space:pre-wrap}
footer{margin-top:1.5rem;color:var(--muted);font-size:.85rem}
@media (max-width:40rem){.col-desc{display:none}main{padding:1rem .5rem}}
@media (max-width:28rem){.col-date{display:none}}
"""

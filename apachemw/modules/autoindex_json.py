"""A directory listing as JSON, for clients whose Accept prefers it (IndexFormats HTML JSON).

Not an Apache feature (see modules/mod_apachemw.py). The entries are the HTML
listing's, in its order: the same IndexIgnore, the same subrequests (entries the
client may not reach are absent, unless ShowForbidden shows them), FoldersFirst and
the ``C``/``O``/``V``/``P`` query arguments. The parent directory is given apart, as
``parent``, not as an entry.

    {"path": "/files/", "parent": "/", "sort": {"column": "N", "order": "A"},
     "entries": [{"name": "a b.txt", "href": "a%20b.txt", "type": "file", "size": 5,
                  "mtime": "2024-01-02T03:04:05Z", "mtime_epoch": 1704164645,
                  "content_type": "text/plain", "description": null}, ...]}
"""

from __future__ import annotations

import json
import stat
from datetime import datetime, timezone
from typing import Any

from apachemw.core.request import Request
from apachemw.modules.mod_autoindex import AutoindexDir, Entry, Query, entry_href, find_desc

__all__ = ["iso_utc", "render"]


def render(r: Request, conf: AutoindexDir, entries: list[Entry], q: Query) -> bytes:
    """The listing document, as ASCII JSON that is also inert inside HTML."""
    parent = entries[0] if entries and entries[0].name.startswith("/") else None
    document = {
        "path": _text(r.uri),
        "parent": entry_href(parent.name) if parent is not None else None,
        "sort": {"column": q.key, "order": q.direction},
        "entries": [_item(conf, entry) for entry in entries if entry is not parent],
    }
    text = json.dumps(document, ensure_ascii=True, indent=1)
    # Escaped as \u003c and friends (the same JSON value): a file named "</script>"
    # stays harmless even if someone pastes this into a page.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (text + "\n").encode("ascii")


def _item(conf: AutoindexDir, entry: Entry) -> dict[str, Any]:
    info = entry.info
    assert info is not None  # only the parent entry has no stat, and it is not listed
    is_dir = stat.S_ISDIR(info.st_mode)
    description = entry.desc if entry.desc is not None else find_desc(conf, entry.path.rstrip("/"))
    return {
        "name": _text(entry.name.removesuffix("/")),
        "href": entry_href(entry.name),
        "type": "directory" if is_dir else "file",
        "size": None if is_dir else info.st_size,
        "mtime": iso_utc(info.st_mtime),
        "mtime_epoch": int(info.st_mtime),
        "content_type": None if is_dir else entry.content_type,
        "description": description,
    }


def iso_utc(mtime: float) -> str:
    """ISO 8601 in UTC, to the second (a listing's dates are no finer)."""
    return datetime.fromtimestamp(int(mtime), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(name: str) -> str:
    """A name for JSON: bytes that are not UTF-8 (kept as surrogates) become U+FFFD.

    ``href`` keeps the exact bytes, percent-escaped, so the link still works.
    """
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")

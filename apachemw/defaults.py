"""The configuration apachemw uses when it is given a directory, not a file.

It follows Debian's apache2.conf and its default site: the filesystem root is
denied, the document root is granted with ``Options Indexes FollowSymLinks``
and ``AllowOverride None``, ``.ht*`` files are denied, and types come from
``/etc/mime.types`` (Python's own table where that file is missing).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from apachemw.config.objects import quote

__all__ = ["default_config"]

DEBIAN_INDEX = "index.html index.cgi index.pl index.php index.xhtml index.htm"


def default_config(
    document_root: str,
    *,
    allow_override: str = "None",
    access_log: str | None = None,
    index_theme: str | None = None,
    index_formats: Sequence[str] = (),
) -> str:
    """Apache config text for serving ``document_root`` with Debian's defaults.

    ``index_theme`` ("apache" or "modern") and ``index_formats`` (("html", "json") to
    offer JSON listings by Accept) set mod_apachemw's IndexTheme and IndexFormats for
    the document root; left unset, the listings are Apache's own.
    """
    root = quote(os.path.abspath(document_root))
    types = "TypesConfig /etc/mime.types\n" if os.path.exists("/etc/mime.types") else ""
    log = ""
    if access_log is not None:
        log = (
            'LogFormat "%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\"" '
            f"combined\nCustomLog {quote(access_log)} combined\n"
        )
    listing = _listing_options(index_theme, index_formats)
    return f"""\
AccessFileName .htaccess
{types}DocumentRoot {root}
<Directory />
    Options FollowSymLinks
    AllowOverride None
    Require all denied
</Directory>
<Directory {root}>
    Options Indexes FollowSymLinks
    AllowOverride {allow_override}
    Require all granted
{listing}</Directory>
<FilesMatch "^\\.ht">
    Require all denied
</FilesMatch>
DirectoryIndex {DEBIAN_INDEX}
{log}"""


def _listing_options(theme: str | None, formats: Sequence[str]) -> str:
    """apachemw-only listing directives, in the <IfModule> block Apache would skip."""
    lines = []
    if theme:
        lines.append(f"IndexTheme {theme}")
    if formats:
        lines.append(f"IndexFormats {' '.join(formats)}")
    if not lines:
        return ""
    body = "".join(f"        {line}\n" for line in lines)
    return f"    <IfModule apachemw_module>\n{body}    </IfModule>\n"

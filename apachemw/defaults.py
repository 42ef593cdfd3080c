"""The configuration apachemw uses when it is given a directory, not a file.

It follows Debian's apache2.conf and its default site: the filesystem root is
denied, the document root is granted with ``Options Indexes FollowSymLinks``
and ``AllowOverride None``, ``.ht*`` files are denied, and types come from
``/etc/mime.types`` (Python's own table where that file is missing).
"""

from __future__ import annotations

import os

__all__ = ["default_config"]

DEBIAN_INDEX = "index.html index.cgi index.pl index.php index.xhtml index.htm"


def _quote(path: str) -> str:
    return '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'


def default_config(
    document_root: str,
    *,
    allow_override: str = "None",
    access_log: str | None = None,
) -> str:
    """Apache config text for serving ``document_root`` with Debian's defaults."""
    root = _quote(os.path.abspath(document_root))
    types = "TypesConfig /etc/mime.types\n" if os.path.exists("/etc/mime.types") else ""
    log = ""
    if access_log is not None:
        log = (
            'LogFormat "%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\"" '
            f"combined\nCustomLog {_quote(access_log)} combined\n"
        )
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
</Directory>
<FilesMatch "^\\.ht">
    Require all denied
</FilesMatch>
DirectoryIndex {DEBIAN_INDEX}
{log}"""

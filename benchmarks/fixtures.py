"""The document root and the configurations every benchmark serves.

One temp directory holds the files (fixed content, so runs are comparable), the
nested ``.htaccess`` tree and its twin without ``.htaccess``, and the config
files for apachemw and for Apache itself. Both read the same ``<Directory>``
sections, so ``ht/`` has AllowOverride All and everything else AllowOverride None.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["HTACCESS_NOTE", "Docroot", "apache_conf", "apachemw_conf", "make_docroot"]

MODULES = "/usr/lib/apache2/modules"
SIZES = {"file2k.html": 2 * 1024, "file100k.bin": 100 * 1024, "file1m.bin": 1024 * 1024}
HTACCESS_NOTE = (
    "the .htaccess files use mod_mime/mod_dir/core/authz_core directives only; "
    "no RewriteRule in them, so the Apache anchor's rewrite-heavy 0.22 is not "
    "comparable"
)

# ~20 realistic lines per level; each level differs a little, as real sites do.
HTACCESS = """\
# {level}: per-directory settings a CMS or static site ships
Options -Indexes -MultiViews +FollowSymLinks
DirectoryIndex index.html index.htm default.html
DirectorySlash On
ErrorDocument 404 /errors/404.html
ErrorDocument 403 "Access to {level} is forbidden"
ErrorDocument 500 /errors/500.html
FileETag MTime Size
AddDefaultCharset utf-8
AddCharset utf-8 .html .css .js .md .txt
AddType text/markdown .md .markdown
AddType application/manifest+json .webmanifest
AddType image/svg+xml .svg .svgz
AddType font/woff2 .woff2
AddEncoding gzip .gz .tgz
AddLanguage en .en
AddLanguage fr .fr
DefaultLanguage {lang}
AcceptPathInfo Off
<Files "*.bak">
    Require all denied
</Files>
<FilesMatch "\\.(ini|log|sh|{level})$">
    Require all denied
</FilesMatch>
"""


@dataclass
class Docroot:
    base: Path  # temp dir: docroot, configs, logs
    root: Path  # the DocumentRoot

    @property
    def apachemw_conf(self) -> Path:
        return self.base / "apachemw.conf"

    @property
    def apachemw_rules_conf(self) -> Path:
        """The same site with 200 server-context RewriteRules, none matching."""
        return self.base / "apachemw-rules.conf"

    def cleanup(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)


def _content(size: int) -> bytes:
    # Fixed, not compressible to nothing, identical on every run.
    line = b"apachemw benchmark payload 0123456789 abcdefghijklmnopqrstuvwxyz\n"
    return (line * (size // len(line) + 1))[:size]


def make_docroot(base: str | None = None, *, big: int = 0) -> Docroot:
    """Files of 2 KB, 100 KB, 1 MB; ``ht/a/b/c`` with .htaccess; ``noht/a/b/c`` without.

    ``big`` > 0 also creates a sparse ``big.bin`` of that many bytes (``truncate -s``).
    """
    tmp = Path(base or tempfile.mkdtemp(prefix="apachemw-bench-"))
    tmp.chmod(0o755)  # Apache's children run as www-data
    root = tmp / "docroot"
    root.mkdir()
    for name, size in SIZES.items():
        (root / name).write_bytes(_content(size))
    for tree, with_ht in (("ht", True), ("noht", False)):
        leaf = root / tree / "a" / "b" / "c"
        leaf.mkdir(parents=True)
        (leaf / "file2k.html").write_bytes(_content(SIZES["file2k.html"]))
        for level, lang in (("a", "en"), ("a/b", "fr"), ("a/b/c", "en")):
            if with_ht:
                text = HTACCESS.format(level=level.replace("/", ""), lang=lang)
                (root / tree / level / ".htaccess").write_text(text)
    (root / "mv").mkdir()
    for lang in ("en", "fr", "de"):
        (root / "mv" / f"page.html.{lang}").write_bytes(_content(SIZES["file2k.html"]))
    if big:
        with open(root / "big.bin", "wb") as f:
            f.truncate(big)
    doc = Docroot(tmp, root)
    doc.apachemw_conf.write_text(apachemw_conf(doc))
    doc.apachemw_rules_conf.write_text(apachemw_conf(doc) + rewrite_rules())
    return doc


RULES = 200


def rewrite_rules() -> str:
    """200 realistic server-context rules that never match the benchmark's files."""
    lines = [f"LoadModule rewrite_module {MODULES}/mod_rewrite.so", "RewriteEngine On"]
    for i in range(RULES):
        lines.append(f"RewriteRule ^/section{i}/(.*)\\.html$ /s{i}.php?p=$1 [L,QSA]")
    return "\n".join(lines) + "\n"


def _common(doc: Docroot) -> str:
    return f"""\
LoadModule mime_module {MODULES}/mod_mime.so
LoadModule dir_module {MODULES}/mod_dir.so
LoadModule alias_module {MODULES}/mod_alias.so
LoadModule authz_core_module {MODULES}/mod_authz_core.so
LoadModule negotiation_module {MODULES}/mod_negotiation.so
ServerName localhost
ErrorLog "{doc.base}/error.log"
LogLevel warn
TypesConfig /etc/mime.types
DocumentRoot "{doc.root}"
DirectoryIndex index.html
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "{doc.root}">
    AllowOverride None
    Require all granted
</Directory>
<Directory "{doc.root}/mv">
    Options +MultiViews
    AddLanguage en .en
    AddLanguage fr .fr
    AddLanguage de .de
    LanguagePriority fr en de
</Directory>
<Directory "{doc.root}/ht">
    AllowOverride All
</Directory>
"""


def apachemw_conf(doc: Docroot) -> str:
    return _common(doc)


def apache_conf(doc: Docroot, port: int) -> str:
    """Apache 2.4, event MPM, one child process, no access log."""
    return f"""\
ServerRoot "{doc.base}"
LoadModule mpm_event_module {MODULES}/mod_mpm_event.so
User www-data
Group www-data
Listen 127.0.0.1:{port}
PidFile "{doc.base}/apache2.pid"
DefaultRuntimeDir "{doc.base}"
StartServers 1
ServerLimit 1
MinSpareThreads 32
MaxSpareThreads 64
ThreadsPerChild 64
MaxRequestWorkers 64
KeepAlive On
MaxKeepAliveRequests 0
{_common(doc)}"""

"""AllowOverride categories and .htaccess parsing: errors give 500 (with the error-log
line), Nonfatal, AllowOverrideList, nested merging, <Files> in .htaccess, .ht* denial
(D01-D04), AccessFileName."""

from __future__ import annotations

from ..harness import Case, header, request, set_mtimes

NAME = "core_htaccess"


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    return (
        header(root, port, ("dir", "auth_basic", "authn_core", "authn_file", "authz_user"))
        + f"""
DocumentRoot {h}
<Directory {h}>
    Require all granted
</Directory>
<FilesMatch "^\\.ht">
    Require all denied
</FilesMatch>
<Directory {h}/none>
    AllowOverride None
</Directory>
<Directory {h}/all>
    AllowOverride All
</Directory>
<Directory {h}/fileinfo>
    AllowOverride FileInfo
</Directory>
<Directory {h}/authconfig>
    AllowOverride AuthConfig
</Directory>
<Directory {h}/optidx>
    AllowOverride Options=Indexes
</Directory>
<Directory {h}/limitopts>
    AllowOverride Options=Indexes,MultiViews
</Directory>
<Directory {h}/nonfatal>
    AllowOverride FileInfo Nonfatal=All
</Directory>
<Directory {h}/list>
    AllowOverride None
    AllowOverrideList AddType
</Directory>
<Directory {h}/syntax>
    AllowOverride All
</Directory>
<Directory {h}/files>
    AllowOverride All
</Directory>
<Directory {h}/denyht>
    AllowOverride All
</Directory>
<Directory {h}/require>
    AllowOverride AuthConfig
</Directory>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs",))


def _g(name: str, target: str, note: str) -> Case:
    return Case(name, request("GET", target), note)


CASES = [
    _g("none-junk-ignored", "/none/a.txt", "X06 AllowOverride None: junk .htaccess never read"),
    _g("all-addtype", "/all/a.txt", "AllowOverride All: AddType applies"),
    _g("all-index", "/all/", "DirectoryIndex from .htaccess"),
    _g("nested-addtype", "/all/nested/a.txt", "nested .htaccess overrides AddType"),
    _g("nested-index", "/all/nested/", "nested .htaccess replaces DirectoryIndex"),
    _g("fileinfo-options", "/fileinfo/a.txt", "Options under FileInfo only: 500"),
    _g("authconfig", "/authconfig/a.txt", "AuthConfig: Basic auth from .htaccess: 401"),
    _g("optidx-forbidden-option", "/optidx/a.txt", "Options=Indexes forbids FollowSymLinks: 500"),
    _g("limitopts-allowed", "/limitopts/a.txt", "Options=Indexes,MultiViews allows +Indexes"),
    _g("nonfatal", "/nonfatal/a.txt", "Nonfatal=All: unknown and forbidden lines skipped"),
    _g("list", "/list/a.txt", "AllowOverrideList AddType: ForceType not listed: 500"),
    _g("syntax", "/syntax/a.txt", "unterminated <Files in .htaccess: 500"),
    _g("files-plain", "/files/a.txt", "<Files> in .htaccess: other file"),
    _g("files-forcetype", "/files/b.txt", "<Files> in .htaccess sets ForceType"),
    _g("files-denied", "/files/c.txt", "<Files> in .htaccess denies"),
    _g("D01", "/all/.htaccess", "D01 .htaccess denied by FilesMatch ^\\.ht"),
    _g("D02", "/denyht/.htpasswd", "D02 .htpasswd denied"),
    _g("D03-dot", "/denyht/%2ehtpasswd", "D03 encoded dot"),
    _g("D03-letter", "/denyht/.ht%70asswd", "D03 encoded letter"),
    _g("D04-slash", "/denyht/.htpasswd/", "D04 trailing slash"),
    _g("D04-dot", "/denyht/.htpasswd.", "D04 trailing dot, file missing"),
    _g("D05-case", "/denyht/.HTPASSWD", "D05 other case is not covered: 404"),
    _g("D10-config", "/.config", "D10 an access file under another name is served"),
    _g("require-denied", "/require/a.txt", "Require all denied in .htaccess"),
    _g("require-denied-dir", "/require/", "Require all denied in .htaccess, directory"),
]

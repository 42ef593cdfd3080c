"""Symlinks (S01-S05) and mod_mime: AddType, RemoveType, ForceType, AddCharset,
AddLanguage, DefaultLanguage, AddEncoding, AddDefaultCharset, multi-extension names."""

from __future__ import annotations

import os

from ..harness import Case, header, request, set_mtimes

NAME = "core_files"


def conf(root: str, port: int) -> str:
    return (
        header(root, port)
        + f"""
DocumentRoot {root}/htdocs
<Directory {root}/htdocs>
    Options FollowSymLinks
    Require all granted
</Directory>
<Directory {root}/outside>
    Require all granted
</Directory>
<Directory {root}/htdocs/nolinks>
    Options -FollowSymLinks -SymLinksIfOwnerMatch
</Directory>
<Directory {root}/htdocs/owner>
    Options -FollowSymLinks +SymLinksIfOwnerMatch
</Directory>
<Directory {root}/htdocs/mime>
    AddType text/x-foo .foo
    AddLanguage fr .fr
    AddLanguage en .en
    AddCharset UTF-8 .utf8
</Directory>
<Directory {root}/htdocs/mime2>
    AddEncoding x-gzip .gz
    AddLanguage en-GB .en
    AddType application/x-noext-not-used .none
    DefaultLanguage de
</Directory>
<Directory {root}/htdocs/force>
    ForceType text/X-Forced
</Directory>
<Directory {root}/htdocs/charset>
    AddDefaultCharset On
</Directory>
<Files "b.txt">
    AddDefaultCharset utf-8
</Files>
<Directory {root}/htdocs/lang>
    DefaultLanguage fr
    AddLanguage en .en
</Directory>
<Directory {root}/htdocs/rmtype>
    RemoveType .txt
    SetHandler default-handler
</Directory>
"""
    )


def prepare(root: str) -> None:
    htdocs = os.path.join(root, "htdocs")
    outside = os.path.join(root, "outside")
    os.symlink(os.path.join(outside, "secret.txt"), os.path.join(htdocs, "escape-follow.txt"))
    os.symlink(os.path.join(outside, "secret.txt"), os.path.join(htdocs, "nolinks", "escape.txt"))
    os.symlink(os.path.join(outside, "secret.txt"), os.path.join(htdocs, "owner", "same.txt"))
    os.symlink("index.html", os.path.join(htdocs, "relative-link.html"))
    os.symlink("loop-b", os.path.join(htdocs, "loop-a"))
    os.symlink("loop-a", os.path.join(htdocs, "loop-b"))
    os.symlink(os.path.join(outside, "dir"), os.path.join(htdocs, "linkdir"))
    os.symlink(os.path.join(outside, "dir"), os.path.join(htdocs, "nolinks", "linkdir"))
    os.symlink("does-not-exist", os.path.join(htdocs, "dangling"))
    set_mtimes(root, ("htdocs", "outside"))


def _g(name: str, target: str, note: str, headers: list[tuple[str, str]] | None = None) -> Case:
    return Case(name, request("GET", target, headers or []), note)


MIME_FILES = (
    "noext",
    "x.html.en",
    "a.tar.gz",
    "UPPER.HTML",
    "a.html.txt",
    "bad..html",
    "file.foo",
    "x.txt.utf8",
    "x.fr.html",
    "x.html.fr",
    "page.HtMl",
    ".hidden.txt",
    "data.json",
    "x.unknownext",
    "archive.gz",
)

CASES = [
    _g("S01", "/escape-follow.txt", "S01 FollowSymLinks follows a link out of the root"),
    _g("S02", "/nolinks/escape.txt", "S02 -FollowSymLinks: 403 AH00037"),
    _g("S03-same-owner", "/owner/same.txt", "S03 SymLinksIfOwnerMatch, same owner: 200"),
    _g("S04", "/loop-a", "S04 symlink loop: 403"),
    _g("S05-linkdir", "/linkdir/x.txt", "S05 symlinked directory, FollowSymLinks"),
    _g("S05-linkdir-nolinks", "/nolinks/linkdir/x.txt", "S05 symlinked directory without it"),
    _g("link-relative", "/relative-link.html", "relative symlink inside the root"),
    _g("link-dangling", "/dangling", "dangling symlink"),
    *[_g(f"mime-{f}", f"/mime/{f}", "mod_mime extension mapping") for f in MIME_FILES],
    *[
        _g(f"mime2-{f}", f"/mime2/{f}", "AddEncoding, AddLanguage en-GB, DefaultLanguage")
        for f in ("x.html.en", "a.tar.gz", "noext", "file.foo")
    ],
    _g("force-html", "/force/a.html", "ForceType is lower-cased and beats mod_mime"),
    _g("force-txt", "/force/b.txt", "ForceType on another extension"),
    _g("force-missing", "/force/none.txt", "ForceType on a 404 (error page type)"),
    _g("charset-html", "/charset/a.html", "AddDefaultCharset On adds iso-8859-1"),
    _g("charset-txt-files", "/charset/b.txt", "AddDefaultCharset utf-8 from <Files>"),
    _g("charset-json", "/charset/c.json", "AddDefaultCharset only for text/plain and text/html"),
    _g("lang-default", "/lang/a.html", "DefaultLanguage fr"),
    _g("lang-ext", "/lang/b.html.en", "AddLanguage beats DefaultLanguage"),
    _g("rmtype-txt", "/rmtype/a.txt", "RemoveType .txt: no Content-Type"),
    _g("rmtype-html", "/rmtype/b.html", "SetHandler default-handler"),
    Case("head-mime", request("HEAD", "/mime/x.html.en"), "HEAD keeps type and language"),
]

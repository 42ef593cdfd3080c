"""mod_autoindex: plain, FancyIndexing and HTMLTable listings; IndexOptions keywords and
widths; the C/O/F/V/P query arguments; icons, alt texts and descriptions (Debian's
autoindex.conf); IndexIgnore; HeaderName/ReadmeName; IndexStyleSheet; entries the client
may not reach hidden (ShowForbidden); Options -Indexes (AH01276)."""

from __future__ import annotations

import os

from ..harness import Case, header, request, set_mtimes

NAME = "autoindex"

DEBIAN_ICONS = """
AddIconByEncoding (CMP,/icons/compressed.gif) x-compress x-gzip x-bzip2
AddIconByType (TXT,/icons/text.gif) text/*
AddIconByType (IMG,/icons/image2.gif) image/*
AddIcon /icons/binary.gif .bin .exe
AddIcon /icons/compressed.gif .Z .z .tgz .gz .zip
AddIcon /icons/layout.gif .html .shtml .htm .pdf
AddIcon /icons/text.gif .txt
AddIcon /icons/p.gif .pl .py
AddIcon /icons/back.gif ..
AddIcon /icons/hand.right.gif README
AddIcon /icons/folder.gif ^^DIRECTORY^^
AddIcon /icons/blank.gif ^^BLANKICON^^
DefaultIcon /icons/unknown.gif
IndexIgnore .??* *~ *# RCS CVS *,v *,t
"""

DIRS = {
    "plain": "",
    "fancy": "IndexOptions FancyIndexing",
    "table": "IndexOptions FancyIndexing VersionSort HTMLTable NameWidth=* "
    "DescriptionWidth=* Charset=UTF-8",
    "xhtml": "IndexOptions FancyIndexing XHTML IconHeight IconWidth",
    "narrow": "IndexOptions FancyIndexing NameWidth=10 SuppressLastModified",
    "suppress": "IndexOptions FancyIndexing SuppressSize SuppressDescription SuppressRules "
    "SuppressColumnSorting SuppressIcon",
    "folders": "IndexOptions FancyIndexing FoldersFirst IgnoreCase VersionSort",
    "ordered": "IndexOptions FancyIndexing\n    IndexOrderDefault Descending Size",
    "described": 'IndexOptions FancyIndexing\n    AddDescription "A text file" *.txt\n'
    '    AddDescription "<b>bold</b> &amp; a very long description that gets cut" long.html',
    "headers": "IndexOptions FancyIndexing\n    HeaderName HEADER.html\n    ReadmeName README.txt",
    "styled": "IndexOptions FancyIndexing HTMLTable AddAltClass\n"
    '    IndexStyleSheet /css/listing.css\n    IndexHeadInsert "<meta name=x>"',
    "client": "IndexOptions FancyIndexing IgnoreClient TrackModified",
    "forbidden": "IndexOptions FancyIndexing ShowForbidden",
    "hidden": "IndexOptions FancyIndexing",
    "ignored": "IndexOptions FancyIndexing\n    IndexIgnore *.log secret*",
    "noindexes": "Options -Indexes",
}

FILES = {
    "empty.txt": 0,
    "small.txt": 100,
    "edge.txt": 972,
    "edge2.txt": 973,
    "five.bin": 5000,
    "ten.html": 10240,
    "big.gz": 2_600_000,
    "long-name-of-a-file-beyond-the-width.txt": 10,
    "file2.py": 20,
    "file10.py": 30,
    "File1.py": 40,
    "a b&c<d>.txt": 5,
    "x:y.txt": 6,
    "README": 7,
    "notes.log": 8,
    "secret.txt": 9,
    ".hidden": 1,
    "backup~": 1,
}


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    sections = "".join(
        f"<Directory {h}/{name}>\n    Options Indexes\n    {body}\n</Directory>\n"
        for name, body in DIRS.items()
    )
    return (
        header(root, port, ("autoindex", "dir"))
        + f"""
DocumentRoot {h}
<Directory {h}>
    Require all granted
</Directory>
{DEBIAN_ICONS}
{sections}
<Directory {h}/forbidden/closed>
    Require all denied
</Directory>
<Directory {h}/hidden/closed>
    Require all denied
</Directory>
"""
    )


def prepare(root: str) -> None:
    h = os.path.join(root, "htdocs")
    for name in DIRS:
        base = os.path.join(h, name)
        os.makedirs(os.path.join(base, "sub"), exist_ok=True)
        os.makedirs(os.path.join(base, "closed"), exist_ok=True)
        for fname, size in FILES.items():
            with open(os.path.join(base, fname), "wb") as fh:
                fh.write(b"x" * size)
    headers = os.path.join(h, "headers")
    with open(os.path.join(headers, "HEADER.html"), "w") as fh:
        fh.write("<h2>Custom header</h2>\n")
    with open(os.path.join(headers, "README.txt"), "w") as fh:
        fh.write("Read <me> & enjoy\n")
    set_mtimes(root, ("htdocs",))


def _g(name: str, target: str, note: str, method: str = "GET") -> Case:
    return Case(name, request(method, target), note)


CASES = [
    *(_g(name, f"/{name}/", f"IndexOptions: {name}") for name in DIRS),
    _g("fancy-sort-size", "/fancy/?C=S;O=D", "C=S;O=D"),
    _g("fancy-sort-date", "/fancy/?C=M;O=A", "C=M"),
    _g("fancy-sort-desc", "/fancy/?C=D;O=D", "C=D"),
    _g("fancy-ampersand", "/fancy/?C=N&O=D", "& separates too"),
    _g("fancy-format-plain", "/fancy/?F=0", "F=0: plain list"),
    _g("fancy-format-table", "/fancy/?F=2", "F=2: table, colargs kept"),
    _g("fancy-version", "/fancy/?V=1", "V=1"),
    _g("fancy-pattern", "/fancy/?P=*.py", "P= wildcard"),
    _g("fancy-pattern-escaped", "/fancy/?P=file%2A", "P= with an escape"),
    _g("fancy-pattern-all", "/fancy/?C=S;O=A;F=2;V=1;P=*.txt", "every argument"),
    _g("fancy-bad-query", "/fancy/?C=X;O=D", "a bad argument stops the parse"),
    _g("client-ignores-query", "/client/?C=S;O=D", "IgnoreClient"),
    _g("table-head", "/table/", "HEAD of a listing", method="HEAD"),
    _g("noslash", "/fancy", "mod_dir's redirect first"),
    _g("sub", "/fancy/sub/", "an empty subdirectory"),
]

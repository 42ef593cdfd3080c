"""mod_dir: DirectoryIndex, DirectorySlash, FallbackResource, DirectoryIndexRedirect;
a directory with no index and no mod_autoindex."""

from __future__ import annotations

from ..harness import Case, header, request, set_mtimes

NAME = "core_dir"


def conf(root: str, port: int) -> str:
    return (
        header(root, port, ("dir",))
        + f"""
DocumentRoot {root}/htdocs
<Directory {root}/htdocs>
    Require all granted
</Directory>
DirectoryIndex index.html index.htm default.txt
<Directory {root}/htdocs/d4>
    DirectoryIndex disabled
</Directory>
<Directory {root}/htdocs/d5>
    DirectorySlash Off
</Directory>
<Directory {root}/htdocs/d6>
    FallbackResource /fallback.html
</Directory>
<Directory {root}/htdocs/d7>
    DirectoryIndexRedirect On
</Directory>
<Directory {root}/htdocs/d8>
    DirectoryIndex missing.html /global-index.html home.html
</Directory>
<Directory {root}/htdocs/d9>
    DirectoryIndex none.html
    DirectoryIndex index.html
</Directory>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs",))


def _g(name: str, target: str, note: str, **kw: object) -> Case:
    return Case(name, request("GET", target, **kw), note)  # type: ignore[arg-type]


CASES = [
    _g("root", "/", "DirectoryIndex on /"),
    _g("d1", "/d1/", "second name index.htm is used"),
    _g("d2", "/d2/", "first existing name wins (index.htm before default.txt)"),
    _g("d3-noindex", "/d3/", "no index, no mod_autoindex"),
    _g("d4-disabled", "/d4/", "DirectoryIndex disabled"),
    _g("d4-file", "/d4/index.html", "the file itself still served"),
    _g("d1-noslash", "/d1", "DirectorySlash: 301 to /d1/"),
    _g("d1-noslash-query", "/d1?a=1&b=2", "301 keeps the query string"),
    _g("d1-noslash-host-port", "/d1", "Location uses the Host port", host="localhost:8080"),
    _g("d1-noslash-evil-host", "/d1", "R06 Host reflected into Location", host="evil.example"),
    _g("d1-noslash-encoded", "/%64%31", "301 Location from the decoded path"),
    _g("d5-noslash", "/d5", "DirectorySlash Off: no redirect"),
    _g("d5-slash", "/d5/", "DirectorySlash Off with slash: index"),
    _g("d6-fallback", "/d6/missing.txt", "FallbackResource for a missing file"),
    _g("d6-fallback-deep", "/d6/a/b/c", "FallbackResource for a missing deep path"),
    _g("d6-existing", "/d6/file.txt", "existing file not affected"),
    _g("d6-dir", "/d6/", "FallbackResource does not apply to a directory"),
    _g("d6-fallback-query", "/d6/missing?x=1", "FallbackResource with a query"),
    _g("d7-redirect", "/d7/", "DirectoryIndexRedirect On: 302 to the index"),
    _g("d7-redirect-query", "/d7/?q=1", "DirectoryIndexRedirect keeps the query"),
    _g("d8-absolute", "/d8/", "absolute DirectoryIndex entry wins over a later name"),
    _g("d9-appended", "/d9/inner/", "two DirectoryIndex lines in one section append"),
    _g("d9-noslash", "/d9/inner", "subdir without slash"),
    _g("index-query", "/?x=1", "index with a query"),
    _g("double-slash-dir", "//d1//", "merged slashes before mod_dir"),
    _g("missing-dir", "/nodir/", "missing directory"),
    Case("post-dir", request("POST", "/d1/", body=b"a=1"), "POST to a directory index"),
    Case("head-noslash", request("HEAD", "/d2"), "HEAD directory without slash"),
    Case("options-dir", request("OPTIONS", "/d1/"), "OPTIONS on a directory"),
]

"""Section merge order shown through ForceType (Directory -> DirectoryMatch -> Files ->
FilesMatch -> Location -> LocationMatch), regex and wildcard <Directory>, and name-based
<VirtualHost> selection by Host."""

from __future__ import annotations

from ..harness import Case, header, request, set_mtimes

NAME = "core_sections"


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    return (
        header(root, port)
        + f"""
<Directory {h}>
    Require all granted
</Directory>
<Directory {root}/htdocs2>
    Require all granted
</Directory>
<Directory {h}/sec>
    ForceType text/x-directory
</Directory>
<DirectoryMatch "^{h}/sec/deep">
    ForceType text/x-directorymatch
</DirectoryMatch>
<Directory ~ "^{h}/sec/other$">
    ForceType text/x-directory-regex
</Directory>
<Directory {h}/sec/*/y>
    ForceType text/x-directory-wildcard
</Directory>
<Files "b.txt">
    ForceType text/x-files
</Files>
<FilesMatch "\\.dat$">
    ForceType text/x-filesmatch
</FilesMatch>
<Location "/sec/loc.txt">
    ForceType text/x-location
</Location>
<LocationMatch "^/sec/loc">
    ForceType text/x-locationmatch
</LocationMatch>
<Location "/sec/b.txt">
    Require all denied
</Location>
<VirtualHost *:*>
    ServerName localhost
    DocumentRoot {h}
</VirtualHost>
<VirtualHost *:*>
    ServerName other.example
    ServerAlias alias.example *.wild.example
    DocumentRoot {root}/htdocs2
</VirtualHost>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs", "htdocs2"))


def _g(name: str, target: str, note: str, host: str | None = "localhost") -> Case:
    return Case(name, request("GET", target, host=host), note)


CASES = [
    _g("dir", "/sec/a.txt", "plain <Directory>"),
    _g("files-vs-location-deny", "/sec/b.txt", "<Location> Require denied beats <Files>"),
    _g("filesmatch", "/sec/c.dat", "<FilesMatch> over <Directory>"),
    _g("location-vs-match", "/sec/loc.txt", "<LocationMatch> merges after <Location>"),
    _g("location-double-slash", "//sec//loc.txt", "<Location> after MergeSlashes"),
    _g("directorymatch", "/sec/deep/y/f.txt", "<DirectoryMatch> after wildcard <Directory>"),
    _g("directory-regex-dir", "/sec/other/y/f.txt", "<Directory ~> vs wildcard"),
    _g("vhost-default", "/index.html", "first vhost"),
    _g("vhost-other", "/index.html", "second vhost by Host", host="other.example"),
    _g("vhost-alias", "/index.html", "ServerAlias", host="alias.example"),
    _g("vhost-wild", "/index.html", "ServerAlias wildcard", host="x.wild.example"),
    _g("vhost-case", "/index.html", "Host is case-insensitive", host="OTHER.Example"),
    _g("vhost-port", "/index.html", "Host with a port", host="other.example:8080"),
    _g("vhost-trailing-dot", "/index.html", "Host with a trailing dot", host="other.example."),
    _g("vhost-unknown", "/index.html", "unknown Host: first vhost", host="unknown.example"),
    _g("vhost-absolute-uri", "http://other.example/index.html", "T23 host from absolute URI wins"),
    _g("R09-space", "/index.html", "R09 Host with a space: 400", host="a b"),
    _g("R09-backslash", "/index.html", "R09 Host with a backslash", host="abc\\foo"),
    _g("R09-path", "/index.html", "R09 Host with a path", host="evil.example/x"),
    _g("R09-port-junk", "/index.html", "R09 Host with a bad port", host="localhost:80x"),
    _g(
        "vhost-http10-nohost",
        "/index.html",
        "HTTP/1.0 without Host goes to the first vhost",
        host=None,
    ),
]
CASES[-1] = Case(
    "vhost-http10-nohost",
    request("GET", "/index.html", host=None, version="HTTP/1.0"),
    "HTTP/1.0 without Host goes to the first vhost",
)

"""mod_rewrite across virtual hosts: server rules are not inherited by a vhost unless
RewriteOptions Inherit/InheritBefore, and the R04/R05 trailing-slash redirect under
MergeSlashes Off (no `//host` or `/\\host` Location)."""

from __future__ import annotations

from ..harness import Case, header, request, set_mtimes

NAME = "rewrite_vhost"


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    vhost = f"127.0.0.1:{port}"
    return (
        header(root, port, ("dir", "rewrite"))
        + f"""
DocumentRoot {h}
DirectoryIndex index.html
<Directory {h}>
    Require all granted
</Directory>
RewriteEngine On
RewriteRule ^/main$ /a.txt [L]
RewriteRule ^/both$ /a.txt [L]

<VirtualHost {vhost}>
    ServerName localhost
    DocumentRoot {h}
    MergeSlashes Off
    RewriteEngine On
    RewriteRule "^(.+)/$" "$1" [R=301]
</VirtualHost>
<VirtualHost {vhost}>
    ServerName inherit.test
    DocumentRoot {h}
    RewriteEngine On
    RewriteOptions Inherit
    RewriteRule ^/own$ /b.txt [L]
    RewriteRule ^/both$ /b.txt [L]
</VirtualHost>
<VirtualHost {vhost}>
    ServerName before.test
    DocumentRoot {h}
    RewriteEngine On
    RewriteOptions InheritBefore
    RewriteRule ^/own$ /b.txt [L]
    RewriteRule ^/both$ /b.txt [L]
</VirtualHost>
<VirtualHost {vhost}>
    ServerName plain.test
    DocumentRoot {h}
    RewriteEngine On
    RewriteRule ^/own$ /b.txt [L]
    RewriteRule ^/both$ /b.txt [L]
</VirtualHost>
<VirtualHost {vhost}>
    ServerName noengine.test
    DocumentRoot {h}
</VirtualHost>
<VirtualHost {vhost}>
    ServerName inherit-off.test
    DocumentRoot {h}
    RewriteOptions Inherit
</VirtualHost>
<VirtualHost {vhost}>
    ServerName merged.test
    DocumentRoot {h}
    RewriteEngine On
    RewriteRule "^(.+)/$" "$1" [R=301]
</VirtualHost>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs",))


def _g(name: str, target: str, note: str, host: str = "localhost") -> Case:
    return Case(name, request("GET", target, host=host), note)


CASES = [
    _g("R04", "//evil.example/", "R04 MergeSlashes Off: //host in $1"),
    _g("R04-triple", "///evil.example/", "R04 with three slashes"),
    _g("R05-backslash", "/\\evil.example/", "R05 raw backslash"),
    _g("R05-encoded", "/%5cevil.example/", "R05 encoded backslash"),
    _g("R05-encoded-upper", "/%5Cevil.example/", "R05 encoded backslash, upper-case hex"),
    _g("slash-plain", "/sub/", "existing directory: redirected away from its slash"),
    _g("slash-file", "/a.txt/", "file with a slash"),
    _g("slash-query", "/x/?a=1", "query kept"),
    _g("default-main-rule", "/main", "default vhost has its own rules only: 404"),
    _g("merged-R04", "//evil.example/", "MergeSlashes On vhost", host="merged.test"),
    _g("inherit-main", "/main", "Inherit: server rule applies", host="inherit.test"),
    _g("inherit-own", "/own", "Inherit: own rule", host="inherit.test"),
    _g("inherit-both", "/both", "Inherit: own rules first", host="inherit.test"),
    _g("before-both", "/both", "InheritBefore: server rules first", host="before.test"),
    _g("before-main", "/main", "InheritBefore: server rule", host="before.test"),
    _g("plain-main", "/main", "no Inherit: server rules ignored", host="plain.test"),
    _g("plain-both", "/both", "no Inherit: own rule", host="plain.test"),
    _g("noengine-main", "/main", "vhost without mod_rewrite directives", host="noengine.test"),
    _g("inherit-off-main", "/main", "Inherit without RewriteEngine On", host="inherit-off.test"),
]

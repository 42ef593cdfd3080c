"""mod_userdir: /~user mapped through UserDir entries in order (a "*" path, an absolute
directory, a home-relative name; the first existing one, or the last one anyway),
redirect forms, "disabled" and "enabled" lists (which a virtual host does not inherit),
and the mapped directory's .htaccess, access control, DirectorySlash and listings."""

from __future__ import annotations

from ..harness import Case, header, request, set_mtimes, with_log_format

NAME = "userdir"

LOG = 'LogFormat "%v \\"%r\\" %>s %b %f" combined'


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    base = with_log_format(header(root, port, ("userdir", "dir", "alias", "autoindex")), LOG)
    return (
        base
        + f"""
DocumentRoot {h}
UserDir {root}/users/*/public_html {root}/homes public_html
UserDir disabled bob
<Directory {h}>
    Require all granted
</Directory>
<Directory {root}/users>
    Require all granted
    AllowOverride All
    Options Indexes
</Directory>
<Directory {root}/homes>
    Require all granted
</Directory>
<VirtualHost 127.0.0.1:{port}>
    ServerName localhost
    UserDir disabled bob
</VirtualHost>
<VirtualHost 127.0.0.1:{port}>
    ServerName inherit.test
</VirtualHost>
<VirtualHost 127.0.0.1:{port}>
    ServerName redirect.test
    UserDir http://people.example.com/*/site
</VirtualHost>
<VirtualHost 127.0.0.1:{port}>
    ServerName redirect2.test
    UserDir http://people.example.com/~*
</VirtualHost>
<VirtualHost 127.0.0.1:{port}>
    ServerName global.test
    UserDir disabled
    UserDir enabled carol
</VirtualHost>
<VirtualHost 127.0.0.1:{port}>
    ServerName abs.test
    UserDir {root}/homes
</VirtualHost>
"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs", "users", "homes"))


def _get(name: str, target: str, host: str = "localhost", note: str = "") -> Case:
    return Case(name, request("GET", target, [], host=host), note or target)


CASES: list[Case] = [
    _get("alice", "/~alice/", note="the * entry"),
    _get("alice-file", "/~alice/sub/file.txt"),
    _get("alice-no-slash", "/~alice", note="DirectorySlash in the user's directory"),
    _get("alice-listing", "/~alice/sub/", note="Options Indexes there"),
    _get("alice-htaccess-redirect", "/~alice/old", note="the user's .htaccess"),
    _get("alice-missing", "/~alice/nope.html"),
    _get("bob-disabled", "/~bob/", note="UserDir disabled bob"),
    _get("carol-second-entry", "/~carol/", note="the absolute entry"),
    _get("dave-denied", "/~dave/", note=".htaccess Require all denied"),
    _get("home-relative", "/~www-data/", note="the last entry, taken anyway"),
    _get("no-such-user", "/~nosuchuser-apachemw/", note="no home: DECLINED"),
    _get("empty-user", "/~/", note="no user name"),
    _get("dot-user", "/~./x", note="'.' is not a user"),
    _get("dotdot-user", "/~../x", note="'..' is not a user"),
    _get("tilde-inside", "/a/~alice/", note="only a leading /~"),
    _get("encoded-tilde", "/%7Ealice/", note="%7E decodes to ~"),
    _get("inherit-bob", "/~bob/", "inherit.test", "lists are not inherited"),
    _get("inherit-alice", "/~alice/", "inherit.test", "the entries are"),
    _get("redirect-star-path", "/~alice/page?x=1", "redirect.test", "URL with * and a path"),
    _get("redirect-star-end", "/~alice/page", "redirect2.test", "URL ending in *"),
    _get("redirect-no-rest", "/~alice", "redirect2.test", "no path after the user"),
    _get("global-disabled", "/~alice/", "global.test", "UserDir disabled"),
    _get("global-enabled", "/~carol/", "global.test", "UserDir enabled carol"),
    _get("abs-entry", "/~carol/", "abs.test", "an absolute directory"),
    _get("abs-entry-missing", "/~alice/", "abs.test", "the last entry, taken anyway"),
]

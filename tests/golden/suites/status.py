"""mod_status and mod_info: the server-status and server-info handlers as Apache answers
them on the wire — access control on their locations, Content-Type of the page and of
``?auto``, the ``Refresh`` header of ``?refresh=N``, HEAD, methods other than GET, the
handler on a sub-path. Their bodies carry changing figures (times, counters, the
process's modules): those cases are recorded with ``volatile_body`` and compared on
status and headers only; the pages' layout is held to a live apache2 by
tests/modules/test_status_info.py."""

from __future__ import annotations

import os

from ..harness import Case, get_case, header, open_docroot, request, set_mtimes

NAME = "status"


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    return (
        header(root, port, ("status", "info", "authz_host", "alias"))
        + open_docroot(h)
        + f"""
ExtendedStatus On
<Location /server-status>
    SetHandler server-status
    Require ip 127.0.0.1
</Location>
<Location /server-info>
    SetHandler server-info
    Require ip 127.0.0.1
</Location>
<Location /denied-status>
    SetHandler server-status
    Require ip 10.9.8.7
</Location>
<Directory {h}/typed>
    AddType application/x-httpd-status .st
</Directory>
<Location /denied-info>
    SetHandler server-info
    Require all denied
</Location>
"""
    )


def prepare(root: str) -> None:
    typed = os.path.join(root, "htdocs", "typed")
    os.makedirs(typed, exist_ok=True)
    with open(os.path.join(typed, "page.st"), "w") as f:
        f.write("not shown: the status handler answers for this type\n")
    set_mtimes(root, ("htdocs",))


def _volatile(name: str, target: str, note: str, method: str = "GET") -> Case:
    return Case(name, request(method, target), note, volatile_body=True)


CASES = [
    get_case("denied-status", "/denied-status", "Require ip of another client: 403"),
    get_case("denied-status-auto", "/denied-status?auto", "?auto changes nothing before access"),
    get_case("denied-status-head", "/denied-status", "HEAD refused too", method="HEAD"),
    get_case("denied-info", "/denied-info", "Require all denied: 403"),
    get_case("denied-info-config", "/denied-info?config", "403 whatever the argument"),
    get_case("denied-sub", "/denied-status/deeper/x", "the handler's location covers sub-paths"),
    get_case("post-status", "/server-status", "POST: the handler declines", method="POST"),
    get_case("post-info", "/server-info", "POST: the handler declines", method="POST"),
    get_case("put-status", "/server-status", "PUT", method="PUT"),
    get_case("options-status", "/server-status", "OPTIONS", method="OPTIONS"),
    _volatile("status", "/server-status", "the HTML page"),
    _volatile("status-auto", "/server-status?auto", "text/plain"),
    _volatile("status-refresh", "/server-status?refresh=5", "Refresh: 5"),
    _volatile("status-refresh-zero", "/server-status?refresh=0", "below 1: Refresh: 10"),
    _volatile("status-refresh-bare", "/server-status?refresh", "no value: Refresh: 10"),
    _volatile("status-refresh-junk", "/server-status?refresh=x7", "atol of junk: 10"),
    _volatile("status-refresh-auto", "/server-status?auto&refresh=3", "both"),
    _volatile(
        "status-refresh-huge", "/server-status?refresh=99999999999999999999", "atol saturates"
    ),
    _volatile("status-refresh-negative", "/server-status?refresh=-4", "below 1: 10"),
    _volatile("status-by-type", "/typed/page.st", "the magic type application/x-httpd-status"),
    _volatile("status-by-type-missing", "/typed/none.st", "no such file: mod_mime types the name"),
    _volatile("status-anywhere", "/server-status?xautoy", "a substring match"),
    _volatile("status-notable", "/server-status?notable", "no table"),
    _volatile("status-head", "/server-status", "HEAD", method="HEAD"),
    _volatile("status-head-auto", "/server-status?auto", "HEAD ?auto", method="HEAD"),
    _volatile("status-sub", "/server-status/sub/path", "handler on a sub-path"),
    _volatile("info", "/server-info", "the whole page"),
    _volatile("info-list", "/server-info?list", "module list"),
    _volatile("info-config", "/server-info?config", "configuration"),
    _volatile("info-server", "/server-info?server", "server settings"),
    _volatile("info-hooks", "/server-info?hooks", "hooks"),
    _volatile("info-module", "/server-info?mod_alias.c", "one module"),
    _volatile("info-nomodule", "/server-info?nope.c", "no such module"),
    _volatile("info-head", "/server-info", "HEAD", method="HEAD"),
]

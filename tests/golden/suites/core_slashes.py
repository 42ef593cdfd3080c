"""AllowEncodedSlashes Off/On/NoDecode and MergeSlashes Off, one vhost each (T09)."""

from __future__ import annotations

from ..harness import Case, header, request, set_mtimes

NAME = "core_slashes"


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    vhosts = "".join(
        f"""
<VirtualHost *:*>
    ServerName {name}
    DocumentRoot {h}
    {directive}
    <Location "/sub/index.html">
        ForceType text/x-location-matched
    </Location>
</VirtualHost>
"""
        for name, directive in (
            ("localhost", "AllowEncodedSlashes Off"),
            ("on.example", "AllowEncodedSlashes On"),
            ("nodecode.example", "AllowEncodedSlashes NoDecode"),
            ("nomerge.example", "MergeSlashes Off"),
        )
    )
    return (
        header(root, port)
        + f"""
<Directory {h}>
    Require all granted
</Directory>
{vhosts}"""
    )


def prepare(root: str) -> None:
    set_mtimes(root, ("htdocs",))


TARGETS = {
    "enc-slash": "/sub%2findex.html",
    "enc-slash-upper": "/sub%2Findex.html",
    "double-slash": "//sub//index.html",
    "plain": "/sub/index.html",
    "enc-slash-dotdot": "/sub/..%2fsub/index.html",
}
HOSTS = ("localhost", "on.example", "nodecode.example", "nomerge.example")

CASES = [
    Case(f"{host.split('.')[0]}-{label}", request("GET", target, host=host), f"T09 {host}")
    for host in HOSTS
    for label, target in TARGETS.items()
]

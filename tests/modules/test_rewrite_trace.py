"""LogLevel rewrite:traceN: mod_rewrite's trace lines, compared with a live apache2's.

One site (server-context rules, a per-directory front controller, a RewriteBase
directory, maps of three kinds, env, cookies, lookaheads, [B], [END]) runs under
apache2 and under apachemw with ``LogLevel warn rewrite:trace8``; for every request the
text after each line's request prefix (``[host/sid#...][rid#.../initial...]``) must be
the same, line for line, levels included.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from apachemw.testing import ApacheTester
from tests.golden.harness import header
from tests.golden.record import APACHE, free_port, running_apache, send

# [rewrite:trace3] [pid ...] mod_rewrite.c(4407): [client ...] ... [h/sid#..][rid#../initial] text
_TRACE = re.compile(r"\[rewrite:(trace\d)\].*?\[rid#[0-9a-f]+/([a-z]+(?:/redir#\d+)?)\] (.*)$")

TARGETS = [
    "/missing",
    "/index.php",
    "/a/b?q=1",
    "/old/a",
    "/go",
    "/rel",
    "/pt",
    "/map/abc",
    "/map/zzz",
    "/env",
    "/cookie",
    "/cookie2",
    "/lau",
    "/laf",
    "/look",
    "/b/a%20b&c",
    "/end",
    "/fs",
    "/sub/x",
    "/sub/same",
]


def _site(root: str, port: int) -> str:
    for sub in ("htdocs", "htdocs/sub", "logs", "run"):
        os.mkdir(os.path.join(root, sub))
        os.chmod(os.path.join(root, sub), 0o777)
    for name, text in {
        "htdocs/index.php": "front\n",
        "htdocs/sub/y.php": "y\n",
        "words.txt": "abc word-for-abc\n",
        "pick.txt": "abc only\n",
    }.items():
        Path(root, name).write_text(text)
        os.chmod(os.path.join(root, name), 0o644)
    conf = os.path.join(root, "httpd.conf")
    Path(conf).write_text(
        header(root, port, ("rewrite",)).replace("LogLevel warn", "LogLevel warn rewrite:trace8")
        + f"""
DocumentRoot {root}/htdocs
<Directory {root}/htdocs>
    Require all granted
    RewriteEngine On
    RewriteCond %{{REQUEST_FILENAME}} !-f
    RewriteRule ^ index.php [L]
</Directory>
<Directory {root}/htdocs/sub>
    RewriteEngine On
    RewriteBase /sub/
    RewriteRule ^x$ y.php [L]
    RewriteRule ^same$ same [L]
</Directory>
RewriteEngine On
RewriteMap words txt:{root}/words.txt
RewriteMap pick rnd:{root}/pick.txt
RewriteMap up int:toupper
RewriteRule ^/old/(.*)$ /new/$1 [L]
RewriteRule ^/go$ http://example.com/x?a=%7e [R=301,L]
RewriteRule ^/rel$ /elsewhere [R,L]
RewriteRule ^/pt$ /index.php [PT]
RewriteRule ^/map/(.*)$ /index.php?w=${{words:$1|none}}&u=${{up:$1}}&p=${{pick:$1}} [L]
RewriteRule ^/env$ /index.php [E=FOO:bar,E=!BAZ,L]
RewriteRule ^/cookie$ /index.php [CO=n:v:localhost:0:/p:secure:true:Lax,L]
RewriteRule ^/cookie2$ /index.php [CO=n:1:localhost,CO=n:2:localhost,L]
RewriteCond %{{REQUEST_URI}} -U
RewriteRule ^/lau$ /index.php [L]
RewriteCond {root}/htdocs/index.php -F
RewriteRule ^/laf$ /index.php [L]
RewriteCond %{{LA-U:REQUEST_FILENAME}} ^(.*)$
RewriteRule ^/look$ /index.php [L]
RewriteRule ^/b/(.*)$ /index.php?q=$1 [B,L]
RewriteRule ^/end$ /index.php [END]
RewriteRule ^/fs$ {root}/htdocs/index.php [L]
"""
    )
    return conf


def _traces(lines: list[str]) -> list[tuple[str, str, str]]:
    found = (_TRACE.search(line) for line in lines)
    return [(m.group(1), m.group(2), m.group(3)) for m in found if m is not None]


def _settled(log: Path) -> list[str]:
    """The error log once it has stopped growing (the response can reach us before
    apache2 has written the request's last lines)."""
    lines = log.read_text().splitlines()
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        time.sleep(0.05)
        again = log.read_text().splitlines()
        if again == lines:
            break
        lines = again
    return lines


@pytest.fixture(scope="module")
def recorded() -> Iterator[tuple[str, dict[str, list[tuple[str, str, str]]]]]:
    """apache2's trace lines for every target, from one run of the server."""
    if not os.path.exists(APACHE):
        pytest.skip("apache2 is the oracle; .ci/run installs it")
    root = tempfile.mkdtemp(prefix="apachemw-trace-")
    os.chmod(root, 0o755)  # apache2's children run as www-data
    port = free_port()
    conf = _site(root, port)
    log = Path(root) / "logs" / "error.log"
    theirs: dict[str, list[tuple[str, str, str]]] = {}
    try:
        with running_apache(root, conf, port):
            for target in TARGETS:
                start = len(log.read_text().splitlines())
                request = f"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                send(request.encode(), port)
                theirs[target] = _traces(_settled(log)[start:])
        yield conf, theirs
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("target", TARGETS)
def test_trace_lines_match_apache(
    recorded: tuple[str, dict[str, list[tuple[str, str, str]]]], target: str
) -> None:
    conf, theirs = recorded
    ours = ApacheTester(conf).get(target)
    assert theirs[target], "apache2 wrote no trace lines"
    assert _traces(ours.error_log) == theirs[target]


def test_every_trace_level_is_exercised(
    recorded: tuple[str, dict[str, list[tuple[str, str, str]]]],
) -> None:
    """The site reaches the lines of every level mod_rewrite writes (1-6 and 8)."""
    _, theirs = recorded
    levels = {level for lines in theirs.values() for level, _, _ in lines}
    assert levels == {f"trace{n}" for n in (1, 2, 3, 4, 5, 6, 8)}

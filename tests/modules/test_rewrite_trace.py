"""LogLevel rewrite:traceN: mod_rewrite's trace lines, compared with a live apache2's.

A per-directory front controller under a few server-context rules runs under apache2
and under apachemw with ``LogLevel warn rewrite:trace4``; the text after each line's request prefix
(``[host/sid#...][rid#.../initial...]``) must be the same, line for line.
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

from apachemw.core.request import Incoming
from apachemw.engine import build_engine
from tests.golden.harness import header
from tests.golden.record import APACHE, free_port, running_apache, send

# [rewrite:trace3] [pid ...] mod_rewrite.c(4407): [client ...] ... [h/sid#..][rid#../initial] text
_TRACE = re.compile(r"\[rewrite:(trace\d)\].*?\[rid#[0-9a-f]+/([a-z]+(?:/redir#\d+)?)\] (.*)$")


@pytest.fixture
def site() -> Iterator[tuple[str, int]]:
    root = tempfile.mkdtemp(prefix="apachemw-trace-")
    os.chmod(root, 0o755)  # apache2's children run as www-data
    for sub in ("htdocs", "logs", "run"):
        os.mkdir(os.path.join(root, sub))
        os.chmod(os.path.join(root, sub), 0o777)
    Path(root, "htdocs", "index.php").write_text("front\n")
    os.chmod(os.path.join(root, "htdocs", "index.php"), 0o644)
    port = free_port()
    conf = os.path.join(root, "httpd.conf")
    Path(conf).write_text(
        header(root, port, ("rewrite",)).replace("LogLevel warn", "LogLevel warn rewrite:trace4")
        + f"""
DocumentRoot {root}/htdocs
<Directory {root}/htdocs>
    Require all granted
    RewriteEngine On
    RewriteCond %{{REQUEST_FILENAME}} !-f
    RewriteRule ^ index.php [L]
</Directory>
RewriteEngine On
RewriteRule ^/old/(.*)$ /new/$1 [L]
RewriteRule ^/go$ http://example.com/x?a=%7e [R=301,L]
RewriteRule ^/rel$ /elsewhere [R,L]
RewriteRule ^/pt$ /index.php [PT]
"""
    )
    yield conf, port
    shutil.rmtree(root, ignore_errors=True)


def _traces(lines: list[str]) -> list[tuple[str, str, str]]:
    found = (_TRACE.search(line) for line in lines)
    return [(m.group(1), m.group(2), m.group(3)) for m in found if m is not None]


@pytest.mark.skipif(not os.path.exists(APACHE), reason="apache2 is the oracle; .ci/run installs it")
@pytest.mark.parametrize(
    "target", ["/missing", "/index.php", "/a/b?q=1", "/old/a", "/go", "/rel", "/pt"]
)
def test_trace_lines_match_apache(site: tuple[str, int], target: str) -> None:
    conf, port = site
    log = Path(conf).parent / "logs" / "error.log"
    with running_apache(str(Path(conf).parent), conf, port):
        start = len(log.read_text().splitlines())
        send(
            f"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode(), port
        )
        time.sleep(0.3)  # the error log is written after the response
        theirs = _traces(log.read_text().splitlines()[start:])
    engine = build_engine(config=conf)
    ours_lines: list[str] = []
    engine.site.error_log = ours_lines.append
    engine.handle(Incoming(method="GET", target=target.encode(), headers=[("host", "localhost")]))
    assert theirs, "apache2 wrote no trace lines"
    assert _traces(ours_lines) == theirs

"""A static answer replayed from the memo (core.memo) is logged as the full pipeline
would log it: the replayed request carries what the log phase reads."""

from __future__ import annotations

import os

from .conftest import Face, Site

OLD = 1_600_000_000  # outside Apache's weak-ETag second: the answer is memoised


def test_a_replayed_answer_keeps_its_directory_loglevel(client: Face, site: Site) -> None:
    # The log phase writes error-log lines at the request's own LogLevel (r->log): a
    # failing CustomLog condition is silenced by "LogLevel crit" in the <Directory>.
    path = site.write("a.txt", "one")
    os.utime(path, (OLD, OLD))
    extra = f"""
CustomLog {site.tmp}/cond.log combined "expr=file('{site.tmp}/missing') == 'x'"
<Directory {site.docroot}>
    LogLevel crit
</Directory>
"""
    c = client.wrap(text=site.conf(extra))
    for _ in range(3):
        assert c.get("/a.txt").status == 200
    assert site.log_lines("error") == []


def test_a_replayed_answer_is_logged_with_its_own_mount(client: Face, site: Site) -> None:
    # The same middleware reached under two prefixes (a proxy's X-Forwarded-Prefix, two
    # mounts): the URLs built for the request (mod_rewrite's SCRIPT_URI) keep each one.
    path = site.write("a.txt", "one")
    os.utime(path, (OLD, OLD))
    extra = f"""
RewriteEngine On
LogFormat "%{{SCRIPT_URI}}e" uri
CustomLog {site.tmp}/uri.log uri
"""
    c = client.wrap(text=site.conf(extra))
    for prefix in ("/one", "/one", "/two"):
        assert c.get(f"{prefix}/a.txt", prefix=prefix).status == 200
    lines = (site.tmp / "uri.log").read_text().splitlines()
    assert lines == [f"http://localhost{p}/a.txt" for p in ("/one", "/one", "/two")]

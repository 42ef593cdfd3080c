"""mod_log_config and ErrorLog where the golden cases cannot look: piped loggers,
BufferedLogs, a rotated file, GlobalLog with virtual hosts, the standard streams, the
Python ``apachemw.error`` logger, syslog, and the C-locale time formats. Requests go
through both faces (the ``client`` fixture of tests/adapters)."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from adapters.conftest import Face, Site, client, site

from apachemw.config.site import load_site
from apachemw.core import errorlog, logfiles
from apachemw.errors import ConfigError
from apachemw.modules.mod_log_config.format import strftime_c

__all__ = ["client", "site"]  # the fixtures, re-exported for this directory


@pytest.fixture(autouse=True)
def _close_logs() -> Iterator[None]:
    """Every test starts without open logs and leaves none (pipes get EOF)."""
    logfiles.close_all()
    yield
    logfiles.close_all()


def _wait_for(path: Path, count: int, timeout: float = 5.0) -> list[str]:
    """The lines a piped logger has written so far, once there are ``count``."""
    deadline = time.monotonic() + timeout
    lines: list[str] = []
    while time.monotonic() < deadline:
        lines = path.read_text().splitlines() if path.exists() else []
        if len(lines) >= count:
            return lines
        time.sleep(0.02)
    return lines


def _conf(site: Site, logs: str) -> str:
    """The site's config with its CustomLog replaced by ``logs``."""
    return site.conf().replace(f"CustomLog {site.access_log} combined", logs)


# ------------------------------------------------------------------ piped logs


@pytest.mark.parametrize("form", ["|$", "||", "|"])
def test_piped_log_gets_every_line(client: Face, site: Site, form: str) -> None:
    out = site.tmp / "piped.log"
    program = f"cat >> {out}" if form == "|$" else f"/bin/sh -c 'cat >> {out}'"
    site.write("a.txt", "hi\n")
    c = client.wrap(text=_conf(site, f'CustomLog "{form}{program}" "%>s %U"'))
    for path in ("/a.txt", "/missing", "/a.txt"):
        c.get(path)
    assert _wait_for(out, 3) == ["200 /a.txt", "404 /missing", "200 /a.txt"]


def test_piped_log_restarts_when_its_program_dies(client: Face, site: Site) -> None:
    out = site.tmp / "piped.log"
    site.write("a.txt", "hi\n")
    c = client.wrap(text=_conf(site, f'CustomLog "|$cat >> {out}" "%>s %U"'))
    c.get("/a.txt")
    assert _wait_for(out, 1) == ["200 /a.txt"]
    (pipe,) = [w for w in logfiles._OPEN.values() if isinstance(w, logfiles.PipeLog)]
    first = pipe._proc
    assert first is not None
    first.kill()
    first.wait()
    c.get("/a.txt?again")
    assert _wait_for(out, 2) == ["200 /a.txt", "200 /a.txt"]
    assert pipe._proc is not None and pipe._proc.pid != first.pid
    assert any("AH00106: piped log program" in line for line in site.log_lines("error"))


def test_piped_program_gets_eof_at_close(site: Site) -> None:
    out = site.tmp / "wc.out"
    pipe = logfiles.open_log(f"|$wc -l > {out}", str(site.tmp))
    for n in range(5):
        pipe.write(f"line {n}\n".encode())
    logfiles.close_all()  # what atexit does: stdin closed, the program finishes
    assert out.read_text().strip() == "5"


# ------------------------------------------------------------------ BufferedLogs


def test_buffered_logs_hold_lines_until_flushed(client: Face, site: Site) -> None:
    site.write("a.txt", "hi\n")
    c = client.wrap(text=_conf(site, f'BufferedLogs On\nCustomLog {site.access_log} "%>s %U"'))
    for _ in range(3):
        c.get("/a.txt")
    assert site.log_lines() == []
    logfiles.flush_all()
    assert site.log_lines() == ["200 /a.txt"] * 3


def test_buffered_logs_write_whole_lines_only(client: Face, site: Site) -> None:
    site.write("a.txt", "hi\n")
    fmt = '"%>s %U %{User-Agent}i"'
    c = client.wrap(text=_conf(site, f"BufferedLogs On\nCustomLog {site.access_log} {fmt}"))
    agents = [f"agent-{n}-" + "x" * (n * 7 % 300) for n in range(120)]
    for sent, agent in enumerate(agents, 1):
        c.get("/a.txt", headers={"User-Agent": agent})
        data = site.access_log.read_bytes() if site.access_log.exists() else b""
        assert data == b"" or data.endswith(b"\n")  # never half a line on disk
        assert len(data) <= sent * 400
    agents.append("y" * (logfiles.PIPE_BUF + 10))  # longer than the buffer: written alone
    c.get("/a.txt", headers={"User-Agent": agents[-1]})
    logfiles.flush_all()
    assert site.log_lines() == [f"200 /a.txt {agent}" for agent in agents]


def test_buffered_log_writes_at_most_pipe_buf_per_write() -> None:
    writes: list[bytes] = []

    class Recorder(logfiles.LogWriter):
        def write(self, data: bytes) -> None:
            writes.append(data)

    buffered = logfiles.BufferedLog(Recorder())
    lines = [f"{n:04d}".encode() * (1 + n % 50) + b"\n" for n in range(400)]
    for line in lines:
        buffered.write(line)
    buffered.flush()
    assert b"".join(writes) == b"".join(lines)
    assert all(len(w) <= logfiles.PIPE_BUF and w.endswith(b"\n") for w in writes)
    assert len(writes) < len(lines) // 10  # gathered, not one write per line


# ------------------------------------------------------------------ rotation


@pytest.mark.parametrize("how", ["rename", "unlink"])
def test_rotated_log_is_reopened(
    client: Face, site: Site, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    monkeypatch.setattr(logfiles, "REOPEN_CHECK", 0.0)
    site.write("a.txt", "hi\n")
    c = client.wrap(text=_conf(site, f'CustomLog {site.access_log} "%>s %U%q"'))
    c.get("/a.txt?before")
    rotated = site.tmp / "access.log.1"
    if how == "rename":
        site.access_log.rename(rotated)
    else:
        site.access_log.unlink()
    c.get("/a.txt?after")
    assert site.log_lines() == ["200 /a.txt?after"]
    if how == "rename":
        assert rotated.read_text().splitlines() == ["200 /a.txt?before"]


def test_rotation_is_checked_at_most_once_per_interval(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    stats: list[str] = []
    real_stat = os.stat

    def counting_stat(path: Any, *args: Any, **kw: Any) -> os.stat_result:
        stats.append(str(path))
        return real_stat(path, *args, **kw)

    writer = logfiles.open_log(str(site.access_log), str(site.tmp))
    writer.write(b"first\n")
    monkeypatch.setattr(os, "stat", counting_stat)
    for _ in range(1000):
        writer.write(b"x\n")
    assert stats.count(str(site.access_log)) <= 1


# ------------------------------------------------------------------ GlobalLog, vhosts


def test_globallog_reaches_virtual_hosts_with_their_own_logs(client: Face, site: Site) -> None:
    main, glob, own = (site.tmp / f"{n}.log" for n in ("main", "global", "own"))
    site.write("a.txt", "hi\n")
    conf = _conf(
        site,
        f'CustomLog {main} "main %v %U"\nGlobalLog {glob} "global %v %U"\n'
        "<VirtualHost *>\n    ServerName localhost\n</VirtualHost>\n"
        f'<VirtualHost *>\n    ServerName own.example\n    CustomLog {own} "own %v %U"\n'
        "</VirtualHost>\n",
    )
    c = client.wrap(text=conf)
    c.get("/a.txt", headers={"Host": "localhost"})
    c.get("/a.txt?x", headers={"Host": "own.example"})
    assert main.read_text().splitlines() == ["main localhost /a.txt"]
    assert own.read_text().splitlines() == ["own own.example /a.txt"]
    assert glob.read_text().splitlines() == ["global localhost /a.txt", "global own.example /a.txt"]


def test_transferlog_uses_the_serving_hosts_default_format(client: Face, site: Site) -> None:
    site.write("a.txt", "hi\n")
    conf = _conf(
        site,
        f'LogFormat "main-format %U"\nTransferLog {site.access_log}\n'
        "<VirtualHost *>\n    ServerName localhost\n</VirtualHost>\n"
        '<VirtualHost *>\n    ServerName other.example\n    LogFormat "other-format %U"\n'
        "</VirtualHost>\n",
    )
    c = client.wrap(text=conf)
    c.get("/a.txt", headers={"Host": "localhost"})
    c.get("/a.txt", headers={"Host": "other.example"})
    assert site.log_lines() == ["main-format /a.txt", "other-format /a.txt"]


# ------------------------------------------------------------------ stdout, expr errors


def test_customlog_to_stdout(client: Face, site: Site, capfd: pytest.CaptureFixture[str]) -> None:
    site.write("a.txt", "hi\n")
    c = client.wrap(text=_conf(site, 'CustomLog /dev/stdout "stdout %>s %U"'))
    c.get("/a.txt")
    assert "stdout 200 /a.txt\n" in capfd.readouterr().out


def test_expr_condition_that_fails_logs_ah00644(client: Face, site: Site) -> None:
    site.write("a.txt", "hi\n")
    cond = "\"expr=%{REQUEST_URI} =~ /a/ && file('/nonexistent/dir/f') == 'x'\""
    c = client.wrap(text=_conf(site, f'CustomLog {site.access_log} "%U" {cond}'))
    c.get("/a.txt")
    assert site.log_lines() == []
    errors = site.log_lines("error")
    assert any("AH00644: Error evaluating log condition" in line for line in errors), errors


# ------------------------------------------------------------------ ErrorLog


def test_error_lines_reach_python_logging_and_the_file(client: Face, site: Site) -> None:
    site.write("deny/a.txt", "no\n")
    records: list[logging.LogRecord] = []

    class ListHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = ListHandler()
    logger = logging.getLogger("apachemw.error")
    logger.addHandler(handler)
    try:
        conf = site.conf(f"<Directory {site.docroot}/deny>\n    Require all denied\n</Directory>")
        c = client.wrap(text=conf)
        assert c.get("/deny/a.txt").status == 403
    finally:
        logger.removeHandler(handler)
    written = site.log_lines("error")
    assert [r.getMessage() for r in records] == written
    (record,) = records
    assert "AH01630: client denied by server configuration" in record.getMessage()
    assert (record.levelno, record.apache_level, record.apache_module) == (  # type: ignore[attr-defined]
        logging.ERROR,
        "error",
        "authz_core",
    )


def test_errorlog_to_a_pipe(client: Face, site: Site) -> None:
    out = site.tmp / "piped-error.log"
    site.write("deny/a.txt", "no\n")
    conf = site.conf(f"<Directory {site.docroot}/deny>\n    Require all denied\n</Directory>")
    conf = conf.replace(f"ErrorLog {site.error_log}", f'ErrorLog "|$cat >> {out}"')
    c = client.wrap(text=conf)
    c.get("/deny/a.txt")
    (line,) = _wait_for(out, 1)
    assert "[authz_core:error]" in line and "AH01630" in line


def test_errorlog_to_syslog_drops_the_timestamp(monkeypatch: pytest.MonkeyPatch) -> None:
    import syslog

    sent: list[tuple[int, str]] = []
    opened: list[tuple[str, int]] = []
    monkeypatch.setattr(syslog, "openlog", lambda ident, opt, fac: opened.append((ident, fac)))
    monkeypatch.setattr(syslog, "syslog", lambda prio, msg: sent.append((prio, msg)))
    sink = errorlog.open_error_log("syslog:daemon:myapp", "/")
    line = "[Sun Nov 22 03:15:47.715203 2026] [core:warn] [pid 1:tid 2] AH00000: hello"
    sink(line)
    assert opened == [("myapp", syslog.LOG_DAEMON)]
    assert sent == [(syslog.LOG_WARNING, "[core:warn] [pid 1:tid 2] AH00000: hello")]


def test_vhost_with_its_own_errorlog(client: Face, site: Site) -> None:
    own = site.tmp / "own-error.log"
    site.write("deny/a.txt", "no\n")
    conf = site.conf(
        f"<Directory {site.docroot}/deny>\n    Require all denied\n</Directory>\n"
        "<VirtualHost *>\n    ServerName localhost\n</VirtualHost>\n"
        f"<VirtualHost *>\n    ServerName own.example\n    ErrorLog {own}\n</VirtualHost>\n"
    )
    c = client.wrap(text=conf)
    c.get("/deny/a.txt", headers={"Host": "localhost"})
    c.get("/deny/a.txt?own", headers={"Host": "own.example"})
    assert len(site.log_lines("error")) == 1
    assert len(own.read_text().splitlines()) == 1


def test_per_directory_loglevel_applies_per_request(client: Face, site: Site) -> None:
    for d in ("quiet", "loud"):
        site.write(f"{d}/a.txt", "x\n")
    conf = site.conf(
        f"<Directory {site.docroot}/quiet>\n    Require all denied\n    LogLevel crit\n"
        f"</Directory>\n<Directory {site.docroot}/loud>\n    Require all denied\n"
        "    LogLevel authz_core:info\n</Directory>\nLogLevel authz_core:crit\n"
    )
    c = client.wrap(text=conf)
    assert c.get("/quiet/a.txt").status == 403
    assert site.log_lines("error") == []
    assert c.get("/loud/a.txt").status == 403
    (line,) = site.log_lines("error")
    assert "AH01630" in line


# ------------------------------------------------------------------ config checks


APACHE2 = shutil.which("apache2") or (
    "/usr/sbin/apache2" if os.path.exists("/usr/sbin/apache2") else None
)


@pytest.mark.skipif(APACHE2 is None, reason="apache2 is not installed")
def test_missing_log_directory_refused_like_apache(tmp_path: Path) -> None:
    conf = tmp_path / "httpd.conf"
    conf.write_text(
        f"ServerRoot {tmp_path}\nServerName localhost\nPidFile {tmp_path}/pid\n"
        f"ErrorLog {tmp_path}/error.log\n"
        "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n"
        'CustomLog nowhere/access.log "%h"\n'
    )
    assert APACHE2 is not None
    done = subprocess.run([APACHE2, "-t", "-f", str(conf)], capture_output=True, text=True)
    (apache_line,) = [line for line in done.stderr.splitlines() if "AH02297" in line]
    with pytest.raises(ConfigError) as caught:
        load_site(str(conf))
    assert caught.value.message == apache_line


# ------------------------------------------------------------------ time formats


def test_strftime_c_matches_the_c_library_in_the_c_locale() -> None:
    stamp = time.localtime(1_700_000_000)
    fmt = "%a %A %b %B %h %p %P %c %x %X %r %d %H %M %S %j %U %w %y %Y %Z %z %% %+ %Q"
    assert strftime_c(fmt, stamp) == time.strftime(fmt, stamp)


def test_names_never_come_from_the_c_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """A localised strftime (simulated: whatever the C library would name, it names in
    German) must not reach the log: the names are Apache's C-locale ones."""
    real = time.strftime
    german = {"%a": "So", "%A": "Sonntag", "%b": "Nov.", "%B": "November", "%p": ""}

    def localised(fmt: str, stamp: Any = None) -> str:
        for conversion, name in german.items():
            fmt = fmt.replace(conversion, name)
        return real(fmt, stamp)

    stamp = time.localtime(1_700_000_000)
    expected = real("%a %A %b %B %p", stamp)
    monkeypatch.setattr(time, "strftime", localised)
    assert strftime_c("%a %A %b %B %p", stamp) == expected


def test_time_items_ignore_the_process_locale() -> None:
    import locale

    english = strftime_c("%a %A %b %B %c %p", time.localtime(1_700_000_000))
    for name in ("de_DE.UTF-8", "fr_FR.UTF-8", "es_ES.UTF-8", "de_DE", "fr_FR"):
        try:
            old = locale.setlocale(locale.LC_TIME, name)
        except locale.Error:
            continue
        try:
            native = time.strftime("%A %B", time.localtime(1_700_000_000))
            assert strftime_c("%a %A %b %B %c %p", time.localtime(1_700_000_000)) == english
            assert native not in english
        finally:
            locale.setlocale(locale.LC_TIME, old)
        return
    pytest.skip("no non-English locale installed")


# ------------------------------------------------------------------ GoAccess


GOACCESS = shutil.which("goaccess")


@pytest.mark.skipif(GOACCESS is None, reason="goaccess is not installed (CI installs it)")
def test_goaccess_parses_the_combined_format(client: Face, site: Site, tmp_path: Path) -> None:
    site.write("a.txt", "hello\n")
    c = client.wrap(text=site.conf())
    requests = [
        ("/a.txt", {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"}),
        ("/missing", {"Referer": 'http://example.com/page?q="quoted"'}),
        ("/a.txt?x=1", {"User-Agent": 'odd "agent" \\ with escapes'}),
        ("/", {}),
    ]
    for path, headers in requests:
        c.get(path, headers=headers)
    assert GOACCESS is not None
    report = tmp_path / "report.json"
    subprocess.run(
        [GOACCESS, str(site.access_log), "--log-format=COMBINED", "-o", str(report)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    general = json.loads(report.read_text())["general"]
    assert (general["total_requests"], general["valid_requests"]) == (len(requests), len(requests))
    assert general["failed_requests"] == 0


@pytest.mark.parametrize("zone", ["America/St_Johns", "Asia/Kolkata", "UTC"])
def test_clf_time_offset_is_the_local_zones(monkeypatch: pytest.MonkeyPatch, zone: str) -> None:
    """%t: the local time of arrival, English month, and the zone's offset as +hhmm."""
    from apachemw.modules.mod_log_config.format import clf_time

    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        when = 1_700_000_000.75
        stamp = time.localtime(when)
        expected = strftime_c("[%d/%b/%Y:%H:%M:%S %z]", stamp)
        assert clf_time(when) == expected
    finally:
        monkeypatch.undo()
        time.tzset()

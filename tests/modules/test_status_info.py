"""mod_status and mod_info over both faces, the scoreboard under threads and tasks, and
the pages' layout held to a live apache2 (keys and structure, not the changing values).

The golden suite ``status`` holds status codes and headers (403s, Content-Type, Refresh,
HEAD, other methods) to recordings; here the bodies are read.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from adapters.conftest import Face, Site, asgi_scope, client, site

from apachemw.asgi import Apache as ASGIApache
from apachemw.core.request import Incoming
from apachemw.core.scoreboard import Scoreboard
from apachemw.modules import mod_status

__all__ = ["client", "site"]  # the fixtures, re-exported for this directory

STATUS_CONF = """
<Location /server-status>
    SetHandler server-status
    Require ip 127.0.0.1
</Location>
<Location /server-info>
    SetHandler server-info
    Require ip 127.0.0.1
</Location>
<Location /private-status>
    SetHandler server-status
    Require ip 10.1.2.3
</Location>
"""


def _auto(text: str) -> dict[str, str]:
    """The ``Key: value`` lines of ?auto (the first line is the server name)."""
    lines = text.splitlines()
    return dict(
        line.split(": ", 1) if ": " in line else (line.rstrip(":"), "") for line in lines[1:]
    )


def _keys(text: str) -> list[str]:
    return [line.split(":", 1)[0] for line in text.splitlines()[1:]]


# ------------------------------------------------------------------ both faces


def test_auto_counts_requests_and_bytes(client: Face, site: Site) -> None:
    site.write("a.txt", "x" * 3000)
    app = client.wrap(text=site.conf(STATUS_CONF))
    for _ in range(3):
        assert app.get("/a.txt").status == 200
    r = app.get("/server-status?auto")
    assert r.status == 200
    assert r.header("content-type") == "text/plain; charset=ISO-8859-1"
    fields = _auto(r.text)
    assert r.text.splitlines()[0] == "localhost"
    assert fields["Total Accesses"] == "3"
    assert fields["Total kBytes"] == str(9000 // 1024)
    assert fields["BusyWorkers"] == "1"  # this request
    assert fields["Scoreboard"] == "W"  # one request at a time: one slot, reused
    assert fields["ServerVersion"].startswith("Apache/2.4")
    assert int(fields["ServerUptimeSeconds"]) >= 0


def test_status_page_is_never_memoised(client: Face, site: Site) -> None:
    app = client.wrap(text=site.conf(STATUS_CONF))
    first = _auto(app.get("/server-status?auto").text)["Total Accesses"]
    second = _auto(app.get("/server-status?auto").text)["Total Accesses"]
    assert (int(first), int(second)) == (0, 1)


def test_html_page_and_worker_table(client: Face, site: Site) -> None:
    site.write("a.txt", "hello")
    app = client.wrap(text=site.conf(STATUS_CONF))
    app.get("/a.txt?q=1")
    r = app.get("/server-status")
    assert r.status == 200
    assert r.header("content-type") == "text/html; charset=ISO-8859-1"
    assert r.header("content-length") == str(len(r.body))
    text = r.text
    assert "<title>Apache Status</title>" in text
    assert re.search(r"<h1>Apache Server Status for localhost \(via [^)]+\)</h1>", text)
    assert "<dt>Total accesses: 1 - Total Traffic: 0 kB - Total Duration: " in text
    assert "<pre>W</pre>" in text
    # The worker table's row for this slot shows the request in flight, this one.
    assert "<td nowrap>GET /server-status HTTP/1.1</td></tr>" in text
    assert re.search(r"<td nowrap>localhost:\d+</td>", text)


def test_refresh_and_notable(client: Face, site: Site) -> None:
    app = client.wrap(text=site.conf(STATUS_CONF))
    assert app.get("/server-status?refresh=7").header("refresh") == "7"
    assert app.get("/server-status?refresh=0").header("refresh") == "10"
    assert app.get("/server-status?refresh").header("refresh") == "10"
    assert app.get("/server-status").header("refresh") is None
    notable = app.get("/server-status?notable").text
    assert "<hr /><h2>Server Details</h2>" in notable
    assert "<table border=" not in notable
    assert re.search(r"<b>Server 0-0</b> \(\d+\): 1\|\d+\|\d+ \[<b>Write</b>\]", notable)
    auto = app.get("/server-status?auto&refresh=3")
    assert auto.header("refresh") == "3"
    assert (
        auto.header(
            "content-type",
        )
        == "text/plain; charset=ISO-8859-1"
    )


def test_head_and_other_methods(client: Face, site: Site) -> None:
    app = client.wrap(text=site.conf(STATUS_CONF))
    head = app.head("/server-status?auto")
    assert (head.status, head.body) == (200, b"")
    assert head.header("content-type") == "text/plain; charset=ISO-8859-1"
    # Not GET: the handler declines and the default handler answers (no such file).
    assert app.request("POST", "/server-status").status == 404
    assert app.request("POST", "/server-info").status == 404


def test_access_control_applies(client: Face, site: Site) -> None:
    app = client.wrap(text=site.conf(STATUS_CONF))
    assert app.get("/private-status").status == 403
    assert app.get("/private-status?auto").status == 403
    assert app.get("/server-status/below").status == 200  # the location covers sub-paths


def test_extended_status_off(client: Face, site: Site) -> None:
    app = client.wrap(text=site.conf("ExtendedStatus Off\n" + STATUS_CONF))
    auto = app.get("/server-status?auto").text
    assert "Total Accesses" not in auto
    assert "BusyWorkers: 1" in auto
    html = app.get("/server-status").text
    assert "<code>ExtendedStatus On</code> directive." in html
    assert re.search(r"PID Key: <br />\n<pre>\n   \d+ in state: W ,\n</pre>", html)
    assert "<table border=" not in html


def test_see_request_tail(client: Face, site: Site) -> None:
    long_path = "/server-status/" + "a" * 80
    head = client.wrap(text=site.conf(STATUS_CONF)).get(long_path).text
    assert f"<td nowrap>GET {long_path}"[:72] in head
    tail = client.wrap(text=site.conf("SeeRequestTail On\n" + STATUS_CONF)).get(long_path).text
    assert "<td nowrap>" + ("a" * 54) + " HTTP/1.1</td>" in tail


def test_info_pages(client: Face, site: Site) -> None:
    extra = STATUS_CONF + "AddModuleInfo mod_alias.c '<b>see the manual</b>'\nAlias /x /tmp\n"
    app = client.wrap(text=site.conf(extra))
    config = app.get("/server-info?config").text
    assert "<dd><tt><strong>In file: &lt;string&gt;</strong></tt></dd>" in config
    assert "<dd><tt>&nbsp;&nbsp;&nbsp;1:&nbsp;ServerName <i>localhost</i></tt></dd>" in config
    assert "&lt;Location /server-status&gt;</tt></dd>" in config
    assert "&nbsp;&nbsp;&nbsp;SetHandler <i>server-status</i></tt></dd>" in config
    alias = app.get("/server-info?MOD_ALIAS.C").text
    assert '<a href="?mod_alias.c">mod_alias.c</a>' in alias
    assert "<dd><tt>Alias - <i>a fakename and a realname, or a realname in a Location</i>" in alias
    assert "Alias <i>/x /tmp</i></tt></dd>" in alias
    assert "<dd><b>see the manual</b></dd>" in alias
    assert "mod_rewrite.c" not in alias  # one module only
    listing = app.get("/server-info?list").text
    assert "<dd>mod_status.c</dd><dd>mod_unixd.c</dd>" in listing
    hooks = app.get("/server-info?hooks").text
    assert '&nbsp;&nbsp; 10 <a href="?mod_status.c">mod_status.c</a> <br/>' in hooks
    whole = app.get("/server-info")
    assert whole.status == 200
    assert whole.header("content-length") is None  # a large page goes out unsized
    assert '<h2><a name="providers">Providers</a></h2>' in whole.text
    assert app.get("/server-info?nope.c").text.endswith(
        '<h1 style="text-align: center">Apache Server Information</h1>\n</body></html>\n'
    )


# ------------------------------------------------------------------ the scoreboard


def test_scoreboard_slots_follow_concurrency() -> None:
    board = Scoreboard()
    first = board.start(Incoming("GET", b"/a", request_time=time.time()))
    second = board.start(Incoming("GET", b"/b", request_time=time.time()))
    assert [s.status for s in board.snapshot()] == ["W", "W"]
    board.done(first, None, 10, time.time())
    assert [s.status for s in board.snapshot()] == ["_", "W"]
    third = board.start(Incoming("GET", b"/c", request_time=time.time()))
    assert third is first  # a freed slot is reused before a new one is opened
    for slot in (second, third):
        board.done(slot, None, 5, time.time())
    slots = board.snapshot()
    assert [(s.access_count, s.bytes_served) for s in slots] == [(2, 15), (1, 5)]


def test_scoreboard_under_threads() -> None:
    board = Scoreboard()
    threads, rounds = 8, 2000
    barrier = threading.Barrier(threads)

    def work() -> None:
        barrier.wait()
        for _ in range(rounds):
            slot = board.start(Incoming("GET", b"/", request_time=time.time()))
            board.done(slot, None, 1, time.time())

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    slots = board.snapshot()
    assert len(slots) <= threads
    assert sum(s.access_count for s in slots) == threads * rounds
    assert sum(s.bytes_served for s in slots) == threads * rounds
    assert all(s.status == "_" for s in slots)


def test_scoreboard_cost_per_request() -> None:
    """Taking and freeing a slot is what every request pays: a few microseconds."""
    board = Scoreboard()
    incoming = Incoming("GET", b"/", request_time=time.time())
    count = 20_000
    started = time.perf_counter()
    for _ in range(count):
        board.done(board.start(incoming), None, 100, 0.0)
    per_request = (time.perf_counter() - started) / count
    assert per_request < 50e-6, f"{per_request * 1e6:.1f} µs per request"


def test_busy_slots_under_asgi_concurrency(site: Site) -> None:
    """Two requests in flight on one event loop: two slots busy while the app waits."""
    release = asyncio.Event()
    entered = asyncio.Event()
    slow_row: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        entered.set()
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})

    conf = site.conf(STATUS_CONF + "<Location /slow>\nSetHandler apachemw-app\n</Location>\n")
    middleware = ASGIApache(app, text=conf)

    async def call(target: bytes) -> bytes:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await middleware(asgi_scope("GET", target), receive, send)
        return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")

    async def scenario() -> tuple[bytes, bytes]:
        slow = asyncio.ensure_future(call(b"/slow"))
        await entered.wait()
        during = await call(b"/server-status?auto")
        slow_row.append((await call(b"/server-status")).decode())
        release.set()
        await slow
        after = await call(b"/server-status?auto")
        return during, after

    during, after = asyncio.run(scenario())
    assert _auto(during.decode())["Scoreboard"] == "WW"
    # The other request in flight, in the worker table, with its virtual host.
    assert "<td nowrap>localhost:80</td><td nowrap>GET /slow HTTP/1.1</td>" in slow_row[0]
    assert _auto(during.decode())["BusyWorkers"] == "2"
    fields = _auto(after.decode())
    assert (fields["BusyWorkers"], fields["IdleWorkers"]) == ("1", "1")
    assert fields["Total Accesses"] == "3"  # /slow and the two status requests


def test_explain_leaves_no_busy_slot(site: Site) -> None:
    from apachemw.explain import explain

    seen: list[Any] = []
    original = Scoreboard.abandon

    def abandon(self: Scoreboard, slot: Any) -> None:
        original(self, slot)
        seen.append([s.status for s in self.snapshot()])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Scoreboard, "abandon", abandon)
        result = explain(method="GET", url="/server-status", text=site.conf(STATUS_CONF))
    assert result["status"] == 200
    assert seen == [["_"]]  # the dry run's slot was freed, uncounted


# ------------------------------------------------------------------ held to apache2

LIVE = pytest.mark.skipif(not Path("/usr/sbin/apache2").exists(), reason="apache2 is not installed")
_CONDITIONAL = {"CPULoad", "ReqPerSec", "BytesPerSec", "BytesPerReq", "DurationPerReq"}


@pytest.fixture(scope="module")
def apache_pages() -> dict[str, Any]:
    """The status suite's configuration served by apache2: its pages, as recorded."""
    if not Path("/usr/sbin/apache2").exists():
        pytest.skip("apache2 is not installed")
    from golden import record
    from golden.harness import build_site, request
    from golden.suites import status

    root = tempfile.mkdtemp(prefix="status-live-")
    Path(root).chmod(0o755)
    port = record.free_port()
    conf = build_site(status, root, port)
    pages: dict[str, Any] = {"conf": conf, "root": root}
    with record.running_apache(root, conf, port):
        record.send(request("GET", "/typed/page.st"), port)  # a finished request
        for target in PAGES:
            answer = record.parse_response(record.send(request("GET", target), port))
            pages[target] = answer[3].decode("latin-1")
    return pages


PAGES = (
    "/server-status?auto",
    "/server-status",
    "/server-status?notable",
    "/server-info",
    "/server-info?config",
    "/server-info?server",
    "/server-info?hooks",
    "/server-info?list",
    "/server-info?mod_authz_core.c",
    "/server-info?core.c",
    "/server-info?providers",
)


def _ours(client: Face, pages: dict[str, Any], target: str) -> str:
    app = client.wrap(config=pages["conf"])
    app.get("/typed/page.st")
    return app.get(target).text


@LIVE
def test_auto_keys_match_apache(client: Face, apache_pages: dict[str, Any]) -> None:
    ours = _ours(client, apache_pages, "/server-status?auto")
    theirs = apache_pages["/server-status?auto"]
    assert ours.splitlines()[0] == theirs.splitlines()[0]
    strip = [k for k in _keys(theirs) if k not in _CONDITIONAL]
    assert [k for k in _keys(ours) if k not in _CONDITIONAL] == strip
    fields = _auto(ours)
    # The conditional keys come and go by the same rules as Apache's.
    assert ("ReqPerSec" in fields) == (int(fields["Uptime"]) > 0)
    assert ("BytesPerReq" in fields) == (int(fields["Total Accesses"]) > 0)
    assert re.fullmatch(r"[_WL]+", fields["Scoreboard"])


def _skeleton(page: str) -> list[str]:
    """The page's layout: its tags and fixed labels, values masked, repeated rows and
    blank lines collapsed, the scoreboard's characters and the Key's text dropped."""
    page = re.sub(r"<pre>[^<]*</pre>", "<pre></pre>", page)
    page = re.sub(r"\(via [^)]+\)", "(via)", page)  # the test client's local address
    page = re.sub(r"<td( nowrap)?>[^<]*</td>", r"<td\1></td>", page)
    page = re.sub(r"(<dt>[A-Za-z .]+?:)[^<]*", r"\1", page)
    page = re.sub(r"<b>[^<]*</b>", "<b></b>", page)
    # The rates line (its parts depend on the uptime and the count) is one value.
    # An empty one (no uptime, nothing counted yet: apache2 counts a request once its
    # worker has logged it, which may come after the next request is answered) too.
    page = re.sub(r"<dt>([0-9][^<]*(/second|/request)[^<]*)?</dt>", "<dt>rates</dt>", page)
    page = re.sub(r"\d+", "N", page)
    out: list[str] = []
    for line in page.split("\n"):
        if line and (not out or out[-1] != line):
            out.append(line)
    return out


def _status_skeleton(page: str) -> list[str]:
    lines = _skeleton(page)
    # The worker rows (one per used slot) and their closing halves vary in number.
    return [ln for i, ln in enumerate(lines) if not _is_worker_row(lines, i)]


def _is_worker_row(lines: list[str], i: int) -> bool:
    line = lines[i]
    # A row's closing half has more or fewer empty cells by the slot's state (live
    # Apache's slots depend on timing): any such half is a worker row.
    return line.startswith("<tr><td><b></b></td>") or (
        line.startswith("</td><td></td>") and line.endswith("</tr>")
    )


@LIVE
@pytest.mark.parametrize("target", ["/server-status", "/server-status?notable"])
def test_status_layout_matches_apache(
    client: Face, apache_pages: dict[str, Any], target: str
) -> None:
    ours = _ours(client, apache_pages, target)
    theirs = apache_pages[target]
    if target.endswith("notable"):
        cut = "<hr /><h2>Server Details</h2>"
        ours, theirs = ours.split(cut)[0], theirs.split(cut)[0]
        assert _skeleton(ours) == _skeleton(theirs)
        return
    assert _status_skeleton(ours) == _status_skeleton(theirs)


def _labels(page: str) -> list[str]:
    """Headings and labels: <h2> anchors and every <strong>...</strong> text."""
    return re.findall(r'<h2><a name="[^"]+">[^<]+</a></h2>|<strong>[^<]+</strong>', page)


@LIVE
@pytest.mark.parametrize("target", ["/server-info?server", "/server-info?hooks"])
def test_info_labels_match_apache(client: Face, apache_pages: dict[str, Any], target: str) -> None:
    ours = _ours(client, apache_pages, target)
    assert _labels(ours) == _labels(apache_pages[target])


@LIVE
def test_info_sections_match_apache(client: Face, apache_pages: dict[str, Any]) -> None:
    ours = _ours(client, apache_pages, "/server-info")
    theirs = apache_pages["/server-info"]
    heads = re.compile(r'<h2><a name="[^"]+">[^<]+</a></h2>')
    assert heads.findall(ours) == heads.findall(theirs)
    before = theirs.split('<h2><a name="modules">')[0]
    assert ours.split('<h2><a name="modules">')[0] == before  # preamble, subpages, sections


@LIVE
def test_info_config_matches_apache(client: Face, apache_pages: dict[str, Any]) -> None:
    """The configuration listing, file:line and nesting, is Apache's to the byte."""
    ours = _ours(client, apache_pages, "/server-info?config")
    assert ours == apache_pages["/server-info?config"]


@LIVE
@pytest.mark.parametrize("module", ["mod_authz_core.c", "core.c"])
def test_module_configuration_matches_apache(
    client: Face, apache_pages: dict[str, Any], module: str
) -> None:
    """A module's "Current Configuration" lines are Apache's, and its page's layout."""
    target = f"/server-info?{module}"
    ours = _ours(client, apache_pages, target)
    theirs = apache_pages[target]
    cut = "<dt><strong>Current Configuration:</strong></dt>\n"
    assert ours.split(cut)[1] == theirs.split(cut)[1]
    assert _labels(ours) == _labels(theirs)


@LIVE
@pytest.mark.parametrize("target", ["/server-info?list", "/server-info?providers"])
def test_info_lists_have_apaches_form(
    client: Face, apache_pages: dict[str, Any], target: str
) -> None:
    ours = _ours(client, apache_pages, target)
    theirs = apache_pages[target]
    item = re.compile(r"<dd>[a-z_]+\.c</dd>|<tt>&nbsp;&nbsp;[a-z-]+</tt><br/>")
    assert set(item.findall(ours)) & set(item.findall(theirs))
    assert item.sub("", ours).replace("\n", "") == _without_groups(item.sub("", theirs))


def _without_groups(page: str) -> str:
    """Apache's provider groups apachemw does not have (watchdog) left out."""
    page = re.sub(r"<dt><strong>watchdog</strong>.*?</dt>\n", "", page, flags=re.S)
    return page.replace("\n", "")


def test_format_helpers() -> None:
    assert mod_status.show_time(0) == ""
    assert mod_status.show_time(90061) == " 1 day 1 hour 1 minute 1 second"
    assert mod_status.show_time(2 * 86400 + 7200 + 5) == " 2 days 2 hours 5 seconds"
    assert mod_status.format_byte_out(5119) == "5119 B"
    assert mod_status.format_byte_out(5120) == "5.0 kB"
    assert mod_status.format_kbyte_out(1023) == "1023 kB"
    assert mod_status.format_kbyte_out(1536) == "1.5 MB"
    opts = mod_status.parse_options("norefresh=-3&xautoy")
    assert (opts.refresh, opts.auto, opts.notable) == (10, True, False)
    assert mod_status.parse_options("refresh=99999999999999999999").refresh == 2**63 - 1


def test_app_that_raises_frees_its_slot(client: Face, site: Site) -> None:
    """A wrapped app that raises gets no log line; its slot must not stay busy."""

    def wsgi_app(environ: dict[str, Any], start_response: Any) -> Any:
        raise RuntimeError("boom")

    async def asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        raise RuntimeError("boom")

    conf = site.conf(STATUS_CONF + "<Location /app>\nSetHandler apachemw-app\n</Location>\n")
    app = client.wrap(wsgi_app if client.name == "wsgi" else asgi_app, text=conf)
    with pytest.raises(RuntimeError):
        app.get("/app")
    fields = _auto(app.get("/server-status?auto").text)
    assert (fields["BusyWorkers"], fields["Scoreboard"]) == ("1", "W")

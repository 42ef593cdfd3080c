"""Deployment: several workers, gunicorn, configuration reload, proxy headers, systemd and
logrotate recipes (docs/deployment.md).

The server tests start real processes on free ports, each in a session of its own: they are
stopped with SIGTERM (as systemd and docker stop them) and the test fails if the server does
not exit in time or leaves any process of its group behind.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from adapters.conftest import Face, client
from liveserver import free_port, wait_listening

from apachemw.asgi import Apache
from apachemw.cli import main
from apachemw.errors import ApacheMWError
from apachemw.reload import ConfigReloader
from apachemw.server import ENV_VARS, Settings

__all__ = ["client"]

ROOT = Path(__file__).resolve().parent.parent
MODULES = "/usr/lib/apache2/modules"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("APACHEMW_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("FORWARDED_ALLOW_IPS", None)
    env.update(extra)
    return env


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, as a service manager sends it; then nothing of the group may remain."""
    pgid = proc.pid  # start_new_session: the server leads its own process group
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(pgid, signal.SIGKILL)
        proc.wait()
        pytest.fail("the server did not exit within 20 s of SIGTERM")
    deadline = time.monotonic() + 10
    while _group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _group_alive(pgid):
        os.killpg(pgid, signal.SIGKILL)
        pytest.fail("a worker process outlived the server")


@contextmanager
def running(argv: list[str], port: int, tmp_path: Path, **env: str) -> Iterator[str]:
    """The server ``argv`` listening on ``port``; its output goes to server.out."""
    log = tmp_path / "server.out"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            argv,
            cwd=tmp_path,
            env=_env(**env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_listening(proc, port, timeout=30, log=log)
        yield f"http://127.0.0.1:{port}"
    finally:
        if proc.poll() is None:
            _stop(proc)
        elif _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def web() -> Iterator[httpx.Client]:
    """A client opening a new connection for every request, so that every worker of a
    server gets some."""
    limits = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(limits=limits, timeout=20) as client:
        yield client


def _serve(port: int, *args: str) -> list[str]:
    return [sys.executable, "-m", "apachemw", "serve", "--port", str(port), *args]


def _gunicorn(port: int, worker: str, *args: str) -> list[str]:
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable))
    assert gunicorn is not None, "gunicorn is in the test extra"
    return [
        gunicorn,
        "-k",
        worker,
        "-b",
        f"127.0.0.1:{port}",
        "--no-control-socket",
        "--graceful-timeout",
        "5",
        *args,
        "apachemw.server:app_factory()",
    ]


# --------------------------------------------------------------------------- the site

SITE = """\
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule authz_host_module {modules}/mod_authz_host.so
LoadModule alias_module {modules}/mod_alias.so
LoadModule headers_module {modules}/mod_headers.so
LoadModule dir_module {modules}/mod_dir.so
ServerName localhost
ErrorLog {tmp}/error.log
LogLevel warn
# The worker's pid, the client address, the status, the path and the query: a long query
# makes long lines, which must still come out whole with several workers appending.
LogFormat "%P %a %>s %U%q" deploy
CustomLog {tmp}/access.log deploy
DocumentRoot {tmp}/htdocs
<Directory {tmp}/htdocs>
    Require all granted
</Directory>
<Location /internal>
    Require ip 203.0.113.7
</Location>
Redirect /old /new-a
Header always set X-Version a
Include {tmp}/conf.d/*.conf
{extra}
"""


def _site(tmp_path: Path, extra: str = "") -> Path:
    (tmp_path / "htdocs" / "internal").mkdir(parents=True, exist_ok=True)
    (tmp_path / "htdocs" / "index.html").write_text("home\n")
    (tmp_path / "htdocs" / "internal" / "index.html").write_text("internal\n")
    (tmp_path / "conf.d").mkdir(exist_ok=True)
    (tmp_path / "conf.d" / "base.conf").write_text("DirectoryIndex index.html\n")
    conf = tmp_path / "httpd.conf"
    conf.write_text(SITE.format(modules=MODULES, tmp=tmp_path, extra=extra))
    return conf


LINE = re.compile(r"(\d+) (\S+) (\d{3}) (/\S*)")


def _access_lines(tmp_path: Path) -> list[re.Match[str]]:
    """The access log's lines, each of which must be whole (the file is opened on the
    first line a worker logs: none yet is no line)."""
    path = tmp_path / "access.log"
    text = path.read_text() if path.exists() else ""
    assert text == "" or text.endswith("\n")
    lines = text.splitlines()
    matches = [LINE.fullmatch(line) for line in lines]
    broken = [line[:120] for line, m in zip(lines, matches, strict=True) if m is None]
    assert broken == [], "access-log lines split or run together"
    return [m for m in matches if m is not None]


def _hammer(base: str, requests: int, tag: str, threads: int = 8) -> list[int]:
    """Concurrent GETs with long query strings (ending ``tag=TAG&n=N``), each on a new
    connection, so the kernel hands them to different workers; returns the statuses."""
    statuses: list[int] = []
    lock = threading.Lock()
    query = "q=" + "x" * 3000
    host, port = base.removeprefix("http://").split(":")

    def worker(first: int) -> None:
        for n in range(first, requests, threads):
            # A bare connection per request: cheaper than an httpx client each time.
            conn = http.client.HTTPConnection(host, int(port), timeout=20)
            try:
                conn.request("GET", f"/?{query}&tag={tag}&n={n}")
                response = conn.getresponse()
                response.read()
            finally:
                conn.close()
            with lock:
                statuses.append(response.status)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=120)
    return statuses


def _tagged(tmp_path: Path, tag: str) -> list[re.Match[str]]:
    return [m for m in _access_lines(tmp_path) if f"&tag={tag}&" in m[4]]


def _warm_up(tmp_path: Path, base: str) -> None:
    """Until a second worker answers: the socket listens before every worker has booted,
    and the first one up takes every connection meanwhile."""

    def two_answered() -> bool:
        _hammer(base, 16, "warm")
        return len({m[1] for m in _tagged(tmp_path, "warm")}) >= 2

    _wait_for(two_answered, "a second worker to answer", timeout=30)


def _check_workers_and_lines(tmp_path: Path, base: str, requests: int = 300) -> None:
    """Both workers answer, and append whole lines to the one access log."""
    _warm_up(tmp_path, base)
    statuses = _hammer(base, requests, "load")
    assert statuses == [200] * requests
    # The log phase runs after the body is sent: give the last lines a moment.
    _wait_for(lambda: len(_tagged(tmp_path, "load")) >= requests, "every line", timeout=10)
    lines = _tagged(tmp_path, "load")
    assert all(m[3] == "200" and len(m[4]) > 3000 for m in lines)
    assert sorted(int(m[4].rpartition("n=")[2]) for m in lines) == list(range(requests))
    pids = {m[1] for m in lines}
    assert len(pids) >= 2, f"only worker {pids} answered {requests} concurrent requests"


# --------------------------------------------------------------------------- workers


def test_serve_with_two_workers(tmp_path: Path, web: httpx.Client) -> None:
    conf = _site(tmp_path)
    port = free_port()
    with running(_serve(port, "-f", str(conf), "--workers", "2"), port, tmp_path) as base:
        _check_workers_and_lines(tmp_path, base)
        assert web.get(f"{base}/old").headers["location"] == f"{base}/new-a"


@pytest.mark.parametrize(
    "worker", ["apachemw.gunicorn_worker.UvicornWorker", "uvicorn_worker.UvicornWorker"]
)
def test_gunicorn_with_two_uvicorn_workers(tmp_path: Path, worker: str, web: httpx.Client) -> None:
    conf = _site(tmp_path)
    port = free_port()
    argv = _gunicorn(port, worker, "-w", "2")
    with running(argv, port, tmp_path, APACHEMW_CONFIG=str(conf)) as base:
        _check_workers_and_lines(tmp_path, base)
        assert web.get(f"{base}/old").headers["x-version"] == "a"


COMBINED = re.compile(
    r'127\.0\.0\.1 - - \[[^]]+\] "GET (\S+) HTTP/1\.1" (\d{3}) (\d+|-) "-" "[^"]*"'
)


def test_static_site_example_under_uvicorn_workers(tmp_path: Path, web: httpx.Client) -> None:
    """The example as uvicorn itself runs it: the factory and APACHEMW_CONFIG, two
    workers writing the combined log to one standard output."""
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "--factory", "apachemw.server:app_factory"]
    argv += ["--port", str(port), "--workers", "2", "--no-proxy-headers", "--no-access-log"]
    conf = ROOT / "examples" / "static_site" / "httpd.conf"
    with running(argv, port, tmp_path, APACHEMW_CONFIG=str(conf)) as base:
        assert web.get(f"{base}/about").headers["location"] == f"{base}/about/"
        assert "This site's own 404 page" in web.get(f"{base}/nothing-here").text
        assert _hammer(base, 200, "load") == [200] * 200

        def logged() -> list[str]:
            out = (tmp_path / "server.out").read_text()
            return [line for line in out.splitlines() if "&tag=load&" in line]

        _wait_for(lambda: len(logged()) == 200, "200 combined lines on stdout", timeout=10)
        assert all(COMBINED.fullmatch(line) for line in logged())


def test_gunicorn_with_a_wsgi_app_and_defines(tmp_path: Path, web: httpx.Client) -> None:
    """APACHEMW_APP (a WSGI app, run through a2wsgi) and APACHEMW_DEFINES reach every
    worker."""
    extra = "<IfDefine STAGING>\n    Header set X-Stage staging\n</IfDefine>\n"
    extra += "<Location /app>\n    SetHandler apachemw-app\n</Location>\n"
    conf = _site(tmp_path, extra)
    (tmp_path / "wsgiapp.py").write_text(
        "import os\n"
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [f\"{os.getpid()} {environ['PATH_INFO']}\".encode()]\n"
    )
    port = free_port()
    env = {"APACHEMW_CONFIG": str(conf), "APACHEMW_APP": "wsgiapp:app"}
    env["APACHEMW_DEFINES"] = "STAGING, OTHER"
    argv = _gunicorn(port, "apachemw.gunicorn_worker.UvicornWorker", "-w", "2")
    with running(argv, port, tmp_path, **env) as base:
        for _ in range(10):
            r = web.get(f"{base}/app/hello")
            assert (r.status_code, r.headers["x-stage"]) == (200, "staging")
            pid, path = r.text.split()
            assert pid.isdigit() and path == "/app/hello"
        assert web.get(f"{base}/").text == "home\n"


def test_factory_without_a_configuration_says_what_to_set(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from apachemw.server import app_factory; app_factory()"],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "set APACHEMW_CONFIG to an Apache configuration file" in result.stderr


def test_settings_round_trip_through_the_environment() -> None:
    settings = Settings(
        config="/etc/apachemw/httpd.conf", defines=("A", "B=1"), app="m:app", reload=True
    )
    assert Settings.from_env(settings.to_env()) == settings
    by_hand = {"APACHEMW_DIRECTORY": "/srv/www", "APACHEMW_DEFINES": " A,B  C "}
    assert Settings.from_env(by_hand) == Settings(directory="/srv/www", defines=("A", "B", "C"))
    with pytest.raises(ApacheMWError, match="set APACHEMW_CONFIG"):
        Settings.from_env({})


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """Record what serve hands uvicorn instead of serving; undo its environment."""
    import apachemw.server

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(apachemw.server, "_run", calls.append)
    monkeypatch.setenv("APACHEMW_SIGNALS", "")
    for name in ENV_VARS:
        monkeypatch.setenv(name, "")
    return calls


def test_serve_hands_uvicorn_the_factory_and_no_proxy_headers(
    tmp_path: Path, uvicorn_calls: list[dict[str, object]]
) -> None:
    conf = _site(tmp_path)
    assert main(["serve", "-f", str(conf), "--workers", "3", "--reload", "-D", "X"]) == 0
    ((kwargs),) = uvicorn_calls
    assert kwargs["factory"] is True and kwargs["workers"] == 3
    assert kwargs["proxy_headers"] is False and "forwarded_allow_ips" not in kwargs
    assert "reload" not in kwargs  # uvicorn's code reload is not what --reload means here
    assert Settings.from_env(os.environ) == Settings(config=str(conf), defines=("X",), reload=True)
    main(["serve", "-f", str(conf), "--proxy-headers", "--forwarded-allow-ips", "10.0.0.1"])
    assert uvicorn_calls[1]["proxy_headers"] is True
    assert uvicorn_calls[1]["forwarded_allow_ips"] == "10.0.0.1"


def test_serve_refuses_forwarded_ips_without_proxy_headers(
    tmp_path: Path, uvicorn_calls: list[dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    conf = _site(tmp_path)
    assert main(["serve", "-f", str(conf), "--forwarded-allow-ips", "*"]) == 1
    assert "--forwarded-allow-ips needs --proxy-headers" in capsys.readouterr().err
    assert uvicorn_calls == []


DOCS = ROOT / "docs" / "deployment.md"


def _documented_commands() -> list[str]:
    """The server commands of docs/deployment.md's sh blocks, continuation lines joined
    (those that name a placeholder app, ``mysite``, left out)."""
    blocks = re.findall(r"```sh\n(.*?)```", DOCS.read_text(), re.DOTALL)
    lines = "\n".join(blocks).replace("\\\n", " ").splitlines()
    servers = ("apachemw serve", "uvicorn ", "gunicorn ")
    return [
        " ".join(line.split())
        for line in lines
        if any(word in line for word in servers) and "mysite" not in line
    ]


def _runnable(command: str, conf: Path, port: int) -> tuple[list[str], dict[str, str]]:
    """A documented command on this machine: the test's site and port, two workers."""
    words = shlex.split(command.replace("/etc/apachemw/httpd.conf", str(conf)))
    env = {}
    while "=" in words[0]:
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    words[0] = shutil.which(words[0], path=os.path.dirname(sys.executable)) or words[0]
    swaps = {"0.0.0.0:8000": f"127.0.0.1:{port}", "0.0.0.0": "127.0.0.1", "8000": str(port)}
    words = [swaps.get(w, w) for w in words]
    for flag in ("--workers", "-w"):
        if flag in words:
            words[words.index(flag) + 1] = "2"
    if "serve" in words and "--port" not in words:
        words += ["--port", str(port)]
    if "gunicorn" in words[0]:
        words.insert(1, "--no-control-socket")
    return words, env


def test_the_documentation_shows_each_kind_of_server() -> None:
    commands = _documented_commands()
    assert any(c.startswith("apachemw serve") and "--reload" in c for c in commands)
    assert any("uvicorn --factory apachemw.server:app_factory" in c for c in commands)
    assert any("gunicorn -k apachemw.gunicorn_worker.UvicornWorker" in c for c in commands)


@pytest.mark.parametrize("command", _documented_commands())
def test_documented_command_serves(tmp_path: Path, web: httpx.Client, command: str) -> None:
    conf = _site(tmp_path)
    port = free_port()
    argv, env = _runnable(command, conf, port)
    with running(argv, port, tmp_path, **env) as base:
        response = web.get(f"{base}/")
        assert (response.status_code, response.text) == (200, "home\n")
        assert web.get(f"{base}/old").headers["location"] == f"{base}/new-a"


# --------------------------------------------------------------------------- reload


def _text(path: Path) -> str:
    """A log file's text, empty until a worker has opened it."""
    return path.read_text() if path.exists() else ""


def _wait_for(check: Callable[[], bool], what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _all_answer(
    web: httpx.Client, base: str, path: str, header: str, value: str, n: int = 30
) -> bool:
    """Every one of ``n`` requests (on new connections, so every worker) answers
    ``value`` for ``header``."""
    return all(web.get(base + path).headers.get(header) == value for _ in range(n))


def test_reload_swaps_the_config_and_keeps_the_last_good_one(
    tmp_path: Path, web: httpx.Client
) -> None:
    conf = _site(tmp_path)
    port = free_port()
    argv = _serve(port, "-f", str(conf), "--reload", "--workers", "2")
    error_log = tmp_path / "error.log"
    with running(argv, port, tmp_path) as base:
        location = f"{base}/new-b"
        assert web.get(f"{base}/old").headers["location"] == f"{base}/new-a"
        # A changed directive in the main file.
        _replace(conf, "Redirect /old /new-a", "Redirect /old /new-b")
        _wait_for(lambda: _all_answer(web, base, "/old", "location", location), "the new Redirect")
        # A broken configuration: the error is logged as configtest words it (file, line,
        # Apache's message) and the last good configuration keeps answering.
        _replace(conf, "X-Version a", "X-Version a\nNoSuchDirective on")
        line = conf.read_text().splitlines().index("NoSuchDirective on") + 1
        expected = (
            f"apachemw: configuration not reloaded, still serving the last good one: "
            f"AH00526: Syntax error on line {line} of {conf}: Invalid command "
            "'NoSuchDirective', perhaps misspelled or defined by a module not included in "
            "the server configuration"
        )
        _wait_for(lambda: _text(error_log).count(expected) >= 2, "both workers' error")
        assert re.search(
            r"\[core:alert\] \[pid \d+:tid \d+\] " + re.escape(expected), (error_log.read_text())
        )
        assert _all_answer(web, base, "/old", "location", location)
        assert _all_answer(web, base, "/old", "x-version", "a")
        # Fixed again, with a change made in an included file and a file newly matched
        # by the Include's wildcard.
        _replace(conf, "NoSuchDirective on\n", "")
        (tmp_path / "conf.d" / "more.conf").write_text("Header always set X-More c\n")
        _wait_for(lambda: _all_answer(web, base, "/old", "x-more", "c"), "a new included file")
        _replace(tmp_path / "conf.d" / "more.conf", "X-More c", "X-More d")
        _wait_for(
            lambda: _all_answer(web, base, "/old", "x-more", "d"), "the included file's change"
        )
        # Requests went on being answered throughout; every worker logged its reloads.
        reloaded = re.findall(
            r"\[pid (\d+):tid \d+\] apachemw: configuration reloaded from", (error_log.read_text())
        )
        assert len(set(reloaded)) == 2


def test_reload_in_process(tmp_path: Path, client: Face) -> None:
    """ConfigReloader on either face's middleware: a request after a change gets the new
    configuration; a configuration that fails keeps the engine that was serving; with no
    change nothing is reloaded."""
    conf = _site(tmp_path)
    face = client.wrap(None, config=conf)
    reloader = ConfigReloader(face.app, str(conf))
    first = face.app.engine
    assert reloader.check() is False
    assert face.get("/old").header("location") == "http://localhost/new-a"
    _replace(conf, "Redirect /old /new-a", "Redirect /old /new-b")
    assert reloader.check() is True
    assert face.app.engine is not first
    assert face.get("/old").header("location") == "http://localhost/new-b"
    second = face.app.engine
    _replace(conf, "Redirect /old /new-b", "Redirect /old")  # too few arguments
    assert reloader.check() is False
    assert face.app.engine is second
    assert face.get("/old").header("location") == "http://localhost/new-b"
    assert "configuration not reloaded" in (tmp_path / "error.log").read_text()
    assert reloader.check() is False  # the same broken text is not tried again
    _replace(conf, "Redirect /old\n", "Redirect /old /new-c\n")
    assert reloader.check() is True
    assert face.get("/old").header("location") == "http://localhost/new-c"


def test_reload_sees_a_broken_included_file_fixed(tmp_path: Path) -> None:
    """A load that fails in a file the good configuration never read (a new Include
    target) is retried when that file is fixed."""
    conf = _site(tmp_path)
    middleware = Apache(config=conf)
    reloader = ConfigReloader(middleware, str(conf))
    extra = tmp_path / "extra.conf"
    extra.write_text("Header set X-Extra 1\nBroken directive\n")
    _replace(conf, "Include ", f"Include {extra}\nInclude ")
    assert reloader.check() is False
    first = middleware.engine
    _bump(extra, "Header set X-Extra 1\n")
    assert reloader.check() is True
    assert middleware.engine is not first


def test_reload_watches_files_modules_read(tmp_path: Path, client: Face) -> None:
    """TypesConfig and RemoteIPTrustedProxyList are read with the configuration: a
    change to either reloads it."""
    types = tmp_path / "mime.types"
    types.write_text("text/x-one one\n")
    proxies = tmp_path / "proxies"
    proxies.write_text("192.0.2.1\n")
    extra = f"""\
LoadModule mime_module {MODULES}/mod_mime.so
LoadModule remoteip_module {MODULES}/mod_remoteip.so
TypesConfig {types}
RemoteIPHeader X-Forwarded-For
RemoteIPTrustedProxyList {proxies}
"""
    conf = _site(tmp_path, extra)
    (tmp_path / "htdocs" / "page.one").write_text("one\n")
    face = client.wrap(None, config=conf)
    reloader = ConfigReloader(face.app, str(conf))
    assert face.get("/page.one").header("content-type") == "text/x-one"
    _bump(types, "text/x-uno one\n")
    assert reloader.check() is True
    assert face.get("/page.one").header("content-type") == "text/x-uno"
    assert reloader.check() is False
    _bump(proxies, "127.0.0.1\n")
    assert reloader.check() is True


def _basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _sha_user(user: str, password: str) -> str:
    """An htpasswd -s line."""
    digest = base64.b64encode(hashlib.sha1(password.encode()).digest()).decode()
    return f"{user}:{{SHA}}{digest}\n"


def test_per_request_files_need_no_reload(tmp_path: Path, client: Face) -> None:
    """.htaccess, AuthUserFile and RewriteMap files are re-read on the request after
    they change, with no reload (so the reloader need not watch them)."""
    docroot = tmp_path / "htdocs"
    (docroot / "private").mkdir(parents=True)
    (docroot / "private" / "index.html").write_text("private\n")
    users = tmp_path / "users"
    users.write_text(_sha_user("alice", "one"))
    rmap = tmp_path / "map.txt"
    rmap.write_text("old one.html\n")
    (docroot / "one.html").write_text("one\n")
    (docroot / "two.html").write_text("two\n")
    (docroot / ".htaccess").write_text("Header set X-Dir first\n")
    text = f"""\
DocumentRoot {docroot}
DirectoryIndex index.html
RewriteEngine on
RewriteMap pages txt:{rmap}
RewriteRule ^/page/(.*) /${{pages:$1}} [PT]
<Directory {docroot}>
    AllowOverride All
    Require all granted
</Directory>
<Directory {docroot}/private>
    AuthType Basic
    AuthName private
    AuthUserFile {users}
    Require valid-user
</Directory>
"""
    face = client.wrap(None, text=text)
    assert face.get("/page/old").text == "one\n"
    assert face.get("/one.html").header("x-dir") == "first"
    assert face.get("/private/", headers=_basic("alice", "one")).status == 200
    _bump(rmap, "old two.html\n")
    _bump(docroot / ".htaccess", "Header set X-Dir second\n")
    _bump(users, _sha_user("alice", "two"))
    assert face.get("/page/old").text == "two\n"
    assert face.get("/one.html").header("x-dir") == "second"
    assert face.get("/private/", headers=_basic("alice", "one")).status == 401
    assert face.get("/private/", headers=_basic("alice", "two")).status == 200


def _bump(path: Path, text: str) -> None:
    """Rewrite a file with a later mtime (a same-second edit must still be seen)."""
    before = path.stat().st_mtime_ns
    path.write_text(text)
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


# --------------------------------------------------------------------------- proxies

REMOTEIP = f"""\
LoadModule remoteip_module {MODULES}/mod_remoteip.so
RemoteIPHeader X-Forwarded-For
RemoteIPTrustedProxy 127.0.0.1
"""
SPOOF = {"X-Forwarded-For": "203.0.113.7"}


def _last_client(tmp_path: Path) -> str:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [m for m in _access_lines(tmp_path) if m[4].startswith("/internal/")]
        if lines:
            return lines[-1][2]
        time.sleep(0.05)
    pytest.fail("no access-log line for /internal/")


def test_serve_ignores_x_forwarded_for_by_default(tmp_path: Path, web: httpx.Client) -> None:
    conf = _site(tmp_path)
    port = free_port()
    with running(_serve(port, "-f", str(conf)), port, tmp_path) as base:
        assert web.get(f"{base}/internal/", headers=SPOOF).status_code == 403
        assert _last_client(tmp_path) == "127.0.0.1"


@pytest.mark.parametrize(
    ("worker", "flags", "status", "client_ip"),
    [
        # apachemw's worker class: uvicorn's proxy headers off, even with gunicorn's
        # default --forwarded-allow-ips (127.0.0.1,::1).
        ("apachemw.gunicorn_worker.UvicornWorker", [], 403, "127.0.0.1"),
        # uvicorn-worker's own: off only when no proxy address is trusted.
        ("uvicorn_worker.UvicornWorker", ["--forwarded-allow-ips="], 403, "127.0.0.1"),
        # ... and by default it believes any local process: the spoof works.
        ("uvicorn_worker.UvicornWorker", [], 200, "203.0.113.7"),
    ],
)
def test_gunicorn_and_x_forwarded_for(
    tmp_path: Path, web: httpx.Client, worker: str, flags: list[str], status: int, client_ip: str
) -> None:
    conf = _site(tmp_path)
    port = free_port()
    argv = _gunicorn(port, worker, *flags)
    with running(argv, port, tmp_path, APACHEMW_CONFIG=str(conf)) as base:
        assert web.get(f"{base}/internal/", headers=SPOOF).status_code == status
        assert _last_client(tmp_path) == client_ip


def test_mod_remoteip_trusts_a_configured_proxy(tmp_path: Path, web: httpx.Client) -> None:
    """The Apache way: the header is believed from RemoteIPTrustedProxy only; the
    test client plays the proxy at 127.0.0.1."""
    conf = _site(tmp_path, REMOTEIP)
    port = free_port()
    with running(_serve(port, "-f", str(conf)), port, tmp_path) as base:
        response = web.get(f"{base}/internal/", headers=SPOOF)
        assert (response.status_code, response.text) == (200, "internal\n")
        assert _last_client(tmp_path) == "203.0.113.7"
        assert web.get(f"{base}/internal/").status_code == 403


def test_mod_remoteip_ignores_an_untrusted_peer(tmp_path: Path, web: httpx.Client) -> None:
    conf = _site(tmp_path, REMOTEIP.replace("127.0.0.1", "192.0.2.1"))
    port = free_port()
    with running(_serve(port, "-f", str(conf)), port, tmp_path) as base:
        assert web.get(f"{base}/internal/", headers=SPOOF).status_code == 403
        assert _last_client(tmp_path) == "127.0.0.1"


def test_serve_proxy_headers_option(tmp_path: Path, web: httpx.Client) -> None:
    """uvicorn's rewriting, when asked for: the address apachemw sees is the header's."""
    conf = _site(tmp_path)
    port = free_port()
    argv = _serve(port, "-f", str(conf), "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1")
    with running(argv, port, tmp_path) as base:
        assert web.get(f"{base}/internal/", headers=SPOOF).status_code == 200
        assert _last_client(tmp_path) == "203.0.113.7"


# --------------------------------------------------------------------------- recipes

CONTRIB = ROOT / "contrib"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_unit_verifies(tmp_path: Path) -> None:
    unit = tmp_path / "apachemw.service"
    text = (CONTRIB / "apachemw.service").read_text()
    # The unit names /usr/local/bin/apachemw; point it at the one installed here.
    apachemw = shutil.which("apachemw", path=os.path.dirname(sys.executable))
    assert apachemw is not None
    unit.write_text(text.replace("/usr/local/bin/apachemw", apachemw))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Warnings about the machine (no running systemd, no such user) are not the unit's.
    complaints = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if str(unit) in line or "apachemw.service" in line
    ]
    assert complaints == [], result.stdout + result.stderr
    assert result.returncode == 0, result.stdout + result.stderr


def test_systemd_unit_runs_apachemw_serve() -> None:
    text = (CONTRIB / "apachemw.service").read_text()
    exec_start = re.search(r"^ExecStart=(.*)$", text, re.MULTILINE)
    assert exec_start is not None
    assert exec_start[1].startswith("/usr/local/bin/apachemw serve -f /etc/apachemw/httpd.conf")
    for line in ("User=apachemw", "Restart=on-failure", "KillSignal=SIGTERM"):
        assert re.search(f"^{line}$", text, re.MULTILINE), line


def test_logrotate_snippet(tmp_path: Path, web: httpx.Client) -> None:
    """logrotate accepts the snippet (-d), and a real rotation under a running server
    needs no signal: the next lines go to a new file, the earlier ones stay rotated."""
    logrotate = shutil.which("logrotate") or shutil.which("logrotate", path="/usr/sbin")
    if logrotate is None:
        if os.environ.get("CI"):
            pytest.fail(".ci/run installs logrotate")
        pytest.skip("logrotate is not installed (.ci/run installs it)")
    text = (CONTRIB / "logrotate.d" / "apachemw").read_text()
    assert "copytruncate" not in re.sub(r"#.*", "", text)
    snippet = tmp_path / "apachemw.logrotate"
    snippet.write_text(text.replace("/var/log/apachemw", str(tmp_path)))
    state = ["-s", str(tmp_path / "logrotate.state")]
    conf = _site(tmp_path)
    port = free_port()
    with running(_serve(port, "-f", str(conf)), port, tmp_path) as base:
        assert web.get(f"{base}/?before").status_code == 200
        _wait_for(lambda: len(_access_lines(tmp_path)) == 1, "the first line")
        # -d: a dry run that parses the snippet and says what it would do.
        dry = subprocess.run(
            [logrotate, "-d", "-f", *state, str(snippet)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        output = dry.stdout + dry.stderr
        assert dry.returncode == 0, output
        assert "error:" not in output, output
        assert f"rotating log {tmp_path}/access.log" in output, output
        rotated = subprocess.run(
            [logrotate, "-f", *state, str(snippet)], capture_output=True, text=True, timeout=60
        )
        assert rotated.returncode == 0, rotated.stdout + rotated.stderr
        assert "?before" in (tmp_path / "access.log.1").read_text()
        time.sleep(1.2)  # FileLog looks at its path at most once a second
        assert web.get(f"{base}/?after").status_code == 200
        _wait_for(lambda: (tmp_path / "access.log").exists(), "a new access.log")
        _wait_for(lambda: len(_access_lines(tmp_path)) == 1, "the line after rotation")
        assert _access_lines(tmp_path)[0][4] == "/index.html?after"
        assert "?after" not in (tmp_path / "access.log.1").read_text()


# --------------------------------------------------------------------------- signals

SLOW_APP = """\
import asyncio


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    seconds = float(scope["query_string"] or b"0")
    await asyncio.sleep(seconds)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"slept"})
"""


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGUSR1])
def test_restart_signals_reload_in_place(
    tmp_path: Path, web: httpx.Client, workers: str, sig: signal.Signals
) -> None:
    """SIGHUP and SIGUSR1 (Apache's restart and graceful restart) reload the
    configuration in every worker; a bad one leaves the last good one serving."""
    conf = _site(tmp_path)
    port = free_port()
    with running(_serve(port, "-f", str(conf), "--workers", workers), port, tmp_path) as base:
        assert web.get(base + "/").headers["X-Version"] == "a"
        pids = {m.group(1) for m in _access_lines(tmp_path)}
        _replace(conf, "X-Version a", "X-Version b")
        os.kill(_server_pid(tmp_path, port), sig)
        _wait_for(lambda: _all_answer(web, base, "/", "X-Version", "b"), "the reload")
        _replace(conf, "Header always set X-Version b", "Bogusdirective on")
        os.kill(_server_pid(tmp_path, port), sig)
        _wait_for(lambda: "not reloaded" in _text(tmp_path / "error.log"), "the refusal")
        assert _all_answer(web, base, "/", "X-Version", "b")
        # Reloaded in place: the workers that answered before are the ones answering now.
        assert {m.group(1) for m in _access_lines(tmp_path)} <= pids | _worker_pids(tmp_path)


def _server_pid(tmp_path: Path, port: int) -> int:
    """The apachemw serve process for ``port`` (the leader of its own session)."""
    leaders = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in argv and str(port).encode() in argv:
            leaders.add(os.getpgid(int(entry)))
    assert len(leaders) == 1, leaders
    return leaders.pop()


def _worker_pids(tmp_path: Path) -> set[str]:
    return {m.group(1) for m in _access_lines(tmp_path)}


def _slow_site(tmp_path: Path, extra: str = "") -> list[str]:
    (tmp_path / "slowapp.py").write_text(SLOW_APP)
    conf = _site(tmp_path, extra)
    return ["-f", str(conf), "--app", "slowapp:app"]


def _slow_request(base: str, seconds: float, out: list[object]) -> threading.Thread:
    def go() -> None:
        try:
            with httpx.Client(timeout=30) as client:
                out.append(client.get(f"{base}/slow?{seconds}"))
        except httpx.HTTPError as exc:
            out.append(exc)

    thread = threading.Thread(target=go)
    thread.start()
    return thread


@pytest.mark.parametrize("sig", [signal.SIGWINCH, signal.SIGTERM])
def test_graceful_stop_finishes_requests_under_way(tmp_path: Path, sig: signal.Signals) -> None:
    port = free_port()
    argv = _serve(port, *_slow_site(tmp_path))
    log = tmp_path / "server.out"
    with open(log, "wb") as output:
        proc = subprocess.Popen(argv, cwd=tmp_path, env=_env(), stdout=output, stderr=output)
    try:
        wait_listening(proc, port, timeout=30, log=log)
        results: list[object] = []
        thread = _slow_request(f"http://127.0.0.1:{port}", 1.5, results)
        time.sleep(0.5)
        proc.send_signal(sig)
        thread.join(20)
        # uvicorn re-raises the signal it stopped on once it has stopped.
        assert proc.wait(timeout=20) in (0, -sig)
        (answer,) = results
        assert isinstance(answer, httpx.Response) and answer.text == "slept"
    finally:
        if proc.poll() is None:
            proc.kill()


def test_graceful_shutdown_timeout_bounds_the_wait(tmp_path: Path) -> None:
    port = free_port()
    mpm = f"LoadModule mpm_event_module {MODULES}/mod_mpm_event.so\nGracefulShutdownTimeout 1"
    argv = _serve(port, *_slow_site(tmp_path, mpm))
    log = tmp_path / "server.out"
    with open(log, "wb") as output:
        proc = subprocess.Popen(argv, cwd=tmp_path, env=_env(), stdout=output, stderr=output)
    try:
        wait_listening(proc, port, timeout=30, log=log)
        results: list[object] = []
        thread = _slow_request(f"http://127.0.0.1:{port}", 30, results)
        time.sleep(0.5)
        started = time.monotonic()
        proc.send_signal(signal.SIGWINCH)
        proc.wait(timeout=20)
        assert time.monotonic() - started < 10  # not the request's 30 s
        thread.join(20)
        # Cut short: never the answer the app would have given.
        assert results and not (
            isinstance(results[0], httpx.Response) and results[0].text == "slept"
        )
    finally:
        if proc.poll() is None:
            proc.kill()

"""apachemw.testing and its pytest plugin: what a request gets, asserted offline.

Each answer here is checked against what the middlewares themselves give (the
``client`` fixture runs them over WSGI and ASGI) or against the configuration's own
words; the plugin is exercised by running small user test files with ``pytester``.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from adapters.conftest import Face, Site, client, site

from apachemw.errors import ApacheMWError
from apachemw.testing import (
    ApacheTester,
    Result,
    assert_app,
    assert_file,
    assert_header,
    assert_log,
    assert_redirect,
    assert_status,
)

pytest_plugins = ["pytester"]

__all__ = ["client", "site"]

REWRITES = """\
RewriteEngine On
RewriteRule ^/old/(.*)$ /new/$1 [R=301,L]
RewriteRule ^/app/(.*)$ /index.php/$1 [PT,E=ROUTED:yes]
"""


def _wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("201 Created", [("Content-Type", "text/plain"), ("X-App", "wsgi")])
    return [b"wsgi:", environ["PATH_INFO"].encode("latin-1"), b":", body]


async def _asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    message = await receive()
    headers = [(b"content-type", b"text/plain"), (b"x-app", b"asgi")]
    await send({"type": "http.response.start", "status": 201, "headers": headers})
    body = b"asgi:" + scope["path"].encode() + b":" + message.get("body", b"")
    await send({"type": "http.response.body", "body": body})


APPS = {"wsgi": _wsgi_app, "asgi": _asgi_app}


def _tester(site: Site, extra: str = "", override: str = "None", **kwargs: Any) -> ApacheTester:
    return ApacheTester(text=site.conf(extra, override=override), **kwargs)


# ---------------------------------------------------------------- answers


def test_redirect_status_location_and_log_line_from_config_text(site: Site) -> None:
    tester = _tester(site, REWRITES)
    result = tester.get("/old/page?x=1", headers={"User-Agent": "probe"})
    assert_status(result, 301)
    assert_redirect(result, "http://localhost/new/page?x=1", status=301)
    assert result.location == "http://localhost/new/page?x=1"
    assert result.file is None and result.app is None
    # The combined format the config names, exactly as mod_log_config writes it.
    assert result.log_line is not None
    assert_log(
        result,
        re.compile(
            r'127\.0\.0\.1 - - \[[^]]+\] "GET /old/page\?x=1 HTTP/1\.1" 301 \d+ "-" "probe"'
        ),
    )
    assert result.logs == {str(site.access_log): result.log_line}
    # Kept on the result, never written to the config's log files.
    assert not site.access_log.exists()


def test_the_same_answers_as_the_middleware(site: Site, client: Face) -> None:
    site.write("docs/index.html", "<p>docs</p>")
    site.write("robots.txt", "User-agent: *\n")
    conf = site.conf(REWRITES + 'Header always set X-Frame-Options "DENY"\n')
    tester = ApacheTester(text=conf)
    served = client.wrap(text=conf)
    for url in ("/docs", "/docs/", "/robots.txt", "/old/x", "/missing"):
        result, response = tester.get(url), served.get(url)
        assert result.status == response.status, url
        assert result.body == response.body, url
        for name in ("Location", "Content-Type", "ETag", "X-Frame-Options", "Content-Length"):
            assert result.headers.get(name) == response.header(name), (url, name)


def test_config_file_with_defines_and_files_relative_to_the_document_root(
    tmp_path: Path,
) -> None:
    root = tmp_path / "htdocs"
    (root / "en").mkdir(parents=True)
    (root / "en" / "about.html").write_text("<h1>About</h1>\n")
    conf = tmp_path / "httpd.conf"
    conf.write_text(f"""\
LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
DocumentRoot {root}
<Directory {root}>
    Require all granted
</Directory>
RewriteEngine On
<IfDefine ENGLISH>
    RewriteRule ^/about$ /en/about.html [L]
</IfDefine>
""")
    english = ApacheTester(conf, defines=["ENGLISH"]).get("/about")
    assert_status(english, 200)
    assert_file(english, "en/about.html")
    assert_file(english, root / "en" / "about.html")
    assert english.body == b"<h1>About</h1>\n" and english.text == "<h1>About</h1>\n"
    assert english.document_root == str(root)
    assert_header(english, "content-type", "text/html")
    # No CustomLog: the line of the default LogFormat (mod_log_config is built into
    # Debian's apache2, so loaded without a LoadModule line).
    assert english.logs == {}
    assert_log(english, re.compile(r'127\.0\.0\.1 - - \[[^]]+\] "GET /about HTTP/1\.1" 200 15'))
    assert_status(ApacheTester(conf).get("/about"), 404)


def test_a_document_root_gets_debians_defaults(tmp_path: Path) -> None:
    (tmp_path / "guide").mkdir()
    (tmp_path / "guide" / "index.html").write_text("guide\n")
    tester = ApacheTester(document_root=tmp_path)
    assert_redirect(tester.get("/guide"), "http://localhost/guide/", status=301)
    assert_file(tester.get("/guide/"), "guide/index.html")
    # No access log configured: the line of Apache's default LogFormat (CLF); the
    # combined format by its nickname.
    result = tester.get("/guide/", headers={"Referer": "http://a/"})
    assert_log(result, re.compile(r'127\.0\.0\.1 - - \[[^]]+\] "GET /guide/ HTTP/1\.1" 200 6'))
    assert_log(
        result,
        re.compile(r'.* "GET /guide/ HTTP/1\.1" 200 6 "http://a/" "-"'),
        log_format='%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"',
    )


def test_ranges_and_head_give_the_bytes_apache_sends(site: Site) -> None:
    site.write("data.bin", bytes(range(100)))
    tester = _tester(site)
    part = tester.get("/data.bin", headers={"Range": "bytes=10-19"})
    assert_status(part, 206)
    assert part.body == bytes(range(10, 20))
    assert_header(part, "Content-Range", "bytes 10-19/100")
    head = tester.head("/data.bin")
    assert head.body == b"" and head.headers["content-length"] == "100"
    assert_log(head, re.compile(r'.*"HEAD /data\.bin HTTP/1\.1" 200 - .*'))


def test_headers_are_case_insensitive_and_repeated_fields_join(site: Site) -> None:
    site.write("a.txt", "a")
    tester = _tester(site, "Header add X-Tag one\nHeader add X-Tag two\n")
    result = tester.get("/a.txt")
    assert result.headers["x-tag"] == "one, two"
    assert result.headers.get_all("X-TAG") == ["one", "two"]
    assert "X-Tag" in result.headers and "x-missing" not in result.headers
    assert ("X-Tag", "one") in result.headers.raw
    assert len(result.headers) == len({k.lower() for k, _ in result.headers.raw})
    assert_header(result, "X-TAG", "one, two")
    # Weak: the file changed within the last second (Apache's ETag rule).
    assert_header(result, "etag", re.compile(r'W/"[0-9a-f]+-[0-9a-f]+"'))
    assert_header(result, "X-Missing", None)


def test_absolute_urls_set_scheme_host_and_port(site: Site) -> None:
    site.write("a.txt", "a")
    tester = _tester(site, "RewriteEngine On\nRewriteRule ^/go$ /a.txt [R=302]\n")
    result = tester.get("https://www.example.com:8443/go")
    assert_redirect(result, "https://www.example.com:8443/a.txt", status=302)
    assert result.url == "/go"


def test_remote_addr_reaches_access_control(site: Site) -> None:
    site.write("private/a.txt", "a")
    private = f"<Directory {site.docroot}/private>\n  Require ip 10.0.0.0/8\n</Directory>"
    tester = _tester(site, private)
    assert_status(tester.get("/private/a.txt"), 403)
    allowed = tester.get("/private/a.txt", remote_addr="10.1.2.3")
    assert_status(allowed, 200)
    assert allowed.log_line is not None and allowed.log_line.startswith("10.1.2.3 ")


def test_repeated_requests_are_traced_whole(site: Site) -> None:
    """The answer memo and the walk cache would skip the phases a trace reports."""
    site.write("sub/a.txt", "a")
    site.write("sub/.htaccess", "RewriteEngine On\nRewriteRule ^x$ a.txt\n")
    old = time.time() - 60  # old enough for the memo to keep the answer
    for name in ("sub/a.txt", "sub/.htaccess"):
        os.utime(site.docroot / name, (old, old))
    tester = _tester(site, override="All")
    first, second, third = (tester.get("/sub/x") for _ in range(3))
    assert first.trace == second.trace == third.trace
    kinds = {(e["event"], e.get("kind")) for e in third.trace}
    assert ("section", "htaccess") in kinds and ("section", "directory") in kinds
    same = [tester.get("/sub/a.txt") for _ in range(3)]
    assert same[0].trace == same[2].trace and any(e["event"] == "handler" for e in same[2].trace)


# ---------------------------------------------------------------- apps


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_an_app_is_called_through_its_adapter(site: Site, kind: str) -> None:
    site.write("index.php", "front")
    tester = _tester(site, REWRITES, app=APPS[kind])
    assert tester.adapter == kind
    result = tester.post(
        "/app/orders?id=7", headers={"Content-Type": "text/plain"}, body=b"payload"
    )
    assert_status(result, 201)
    assert result.body == f"{kind}:/index.php/orders:payload".encode()
    assert_header(result, "X-App", kind)
    assert_app(result, "/index.php/orders", query="id=7", env={"ROUTED": "yes", "NOPE": None})
    assert result.app is not None and result.app.received is not None
    received = result.app.received
    if kind == "wsgi":
        assert received["PATH_INFO"] == "/index.php/orders"
        assert received["apachemw.env"]["ROUTED"] == "yes"
    else:
        assert received["path"] == "/index.php/orders" and received["query_string"] == b"id=7"
    assert ("content-type", "text/plain") in result.app.headers
    length = len(result.body)
    assert_log(result, re.compile(rf'.*"POST /app/orders\?id=7 HTTP/1\.1" 201 {length} .*'))
    # Files still come from the document root, through the same adapter.
    assert_file(tester.get("/index.php"), "index.php")
    assert tester.get("/index.php").body == b"front"


def test_an_asgi_tester_works_inside_a_running_event_loop(site: Site) -> None:
    tester = _tester(site, REWRITES, app=_asgi_app)

    async def inside() -> Result:
        return tester.get("/app/x")

    result = asyncio.run(inside())
    assert_status(result, 201)
    assert result.body == b"asgi:/index.php/x:"


def test_has_app_without_an_app_says_where_the_request_would_go(site: Site) -> None:
    tester = _tester(site, REWRITES, has_app=True)
    result = tester.get("/app/a/b?c=d")
    assert result.status is None and result.body is None and result.log_line is None
    assert_app(result, "/index.php/a/b", query="c=d", env={"ROUTED": "yes"})
    assert "handed to the app" in repr(result)
    # Without has_app, Apache alone: nothing maps there.
    assert_status(_tester(site, REWRITES).get("/app/a/b"), 404)


def test_an_adapter_without_an_app_answers_like_the_core(site: Site) -> None:
    site.write("docs/a.txt", "a")
    # The ASGI adapter starts a request that must read a .htaccess on the loop, then
    # runs it again in a thread: the trace is the second run's alone.
    site.write("docs/.htaccess", "AddType text/x-doc .txt\n")
    conf = site.conf(REWRITES, override="All")
    core = ApacheTester(text=conf)
    for adapter in ("wsgi", "asgi"):
        through = ApacheTester(text=conf, adapter=adapter)  # type: ignore[arg-type]
        for url in ("/docs", "/docs/a.txt", "/old/q", "/nowhere"):
            a, b = core.get(url), through.get(url)
            assert (a.status, a.body, a.file) == (b.status, b.body, b.file), (adapter, url)
            assert a.trace == b.trace, (adapter, url)
            assert [(k.lower(), v) for k, v in a.headers.raw] == [
                (k.lower(), v) for k, v in b.headers.raw
            ]
            assert a.log_line is not None and b.log_line is not None
            assert a.log_line.split("]", 1)[1] == b.log_line.split("]", 1)[1]
        for tester in (core, through):
            old = tester.get("/docs/a.txt", protocol="HTTP/1.0", log_format="%r|%H|%>s")
            assert old.log_line == "GET /docs/a.txt HTTP/1.0|HTTP/1.0|200", tester.adapter


def test_tester_arguments_are_checked(site: Site) -> None:
    with pytest.raises(ApacheMWError, match="needs the app"):
        _tester(site, has_app=True, adapter="wsgi")
    with pytest.raises(ApacheMWError, match="adapter must be"):
        _tester(site, adapter="http2")  # type: ignore[arg-type]


def test_the_adapters_hold_only_the_app_and_the_engine(site: Site) -> None:
    """The tester puts its own engine into the real adapter classes (testing._attach)."""
    from apachemw.asgi import Apache as ASGIApache
    from apachemw.wsgi import Apache as WSGIApache

    for cls in (WSGIApache, ASGIApache):
        assert set(vars(cls(None, text=site.conf()))) == {"app", "engine"}


# ---------------------------------------------------------------- logs


def test_log_formats_nicknames_conditions_and_a_fixed_time(site: Site) -> None:
    site.write("a.txt", "abc")
    extra = """\
LogFormat "%>s %b %U %{X-Seen}e" mine
SetEnvIf Request_URI "^/quiet" dontlog X-Seen=quiet
CustomLog /dev/null "%U only" env=!dontlog
"""
    tester = _tester(site, extra)
    result = tester.get("/a.txt")
    # Two access logs: the config's combined one, and the conditional one.
    assert result.logs[str(site.access_log)] == result.log_line
    assert result.logs["/dev/null"] == "/a.txt only"
    assert_log(result, "200 3 /a.txt -", log_format="mine")
    assert result.format_log("%m %>s") == "GET 200"
    quiet = tester.get("/quiet")
    assert "/dev/null" not in quiet.logs
    assert quiet.format_log("mine") == f"404 {quiet.headers['content-length']} /quiet quiet"
    at = datetime(2024, 5, 17, 10, 30, 0, tzinfo=timezone.utc)
    fixed = ApacheTester(text=site.conf(extra), log_format="%{%Y-%m-%d %H:%M:%S}t|%>s")
    line = fixed.get("/a.txt", at=at).log_line
    assert line == time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at.timestamp())) + "|200"
    assert fixed.get("/a.txt", at=at.timestamp(), log_format="%U").log_line == "/a.txt"


def test_without_a_customlog_the_default_logformat_gives_the_line(site: Site) -> None:
    site.write("a.txt", "abc")
    conf = site.conf().replace(f"CustomLog {site.access_log} combined", "")
    plain = ApacheTester(text=conf).get("/a.txt")
    assert plain.logs == {}
    assert_log(plain, re.compile(r'127\.0\.0\.1 - - \[[^]]+\] "GET /a\.txt HTTP/1\.1" 200 3'))
    own = ApacheTester(text=conf + 'LogFormat "%h %>s"\n').get("/a.txt")
    assert own.log_line == "127.0.0.1 200"
    # A config whose only log skips the request: no line.
    skipped = ApacheTester(text=conf + "CustomLog /dev/null common env=nothing\n").get("/a.txt")
    assert skipped.log_line is None and skipped.logs == {}


def test_error_log_lines_stay_on_the_result(site: Site) -> None:
    site.write("broken/.htaccess", "NoSuchDirective on\n")
    site.write("broken/a.txt", "a")
    result = _tester(site, override="All").get("/broken/a.txt")
    assert_status(result, 500)
    assert any("NoSuchDirective" in line and ".htaccess" in line for line in result.error_log)
    assert "error log: " in result.explain()
    assert not site.error_log.exists() or "NoSuchDirective" not in site.error_log.read_text()


# ---------------------------------------------------------------- failures


def _message(check: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(AssertionError) as info:
        check(*args, **kwargs)
    return str(info.value)


def test_every_helper_appends_the_trace(site: Site) -> None:
    site.write("a.txt", "a")
    tester = _tester(site, REWRITES)
    moved, served = tester.get("/old/a"), tester.get("/a.txt")
    failures = {
        "expected status 200, got 301": _message(assert_status, moved, 200),
        "expected a 302 redirect": _message(assert_redirect, moved, "x", status=302),
        "expected the file": _message(assert_file, moved, "a.txt"),
        "expected the request to reach the app": _message(assert_app, served, "/a.txt"),
        "expected X-Nope: 'y', got None": _message(assert_header, served, "X-Nope", "y"),
        "expected the access-log line 'nope'": _message(assert_log, served, "nope"),
    }
    for wanted, message in failures.items():
        assert wanted in message
        assert "apachemw explain for GET " in message
    assert (
        "RewriteRule '^/old/(.*)$' on '/old/a': matched" in failures["expected status 200, got 301"]
    )
    assert "=> status 200" in failures["expected X-Nope: 'y', got None"]


def test_assert_app_lists_what_the_app_saw(site: Site) -> None:
    tester = _tester(site, REWRITES, has_app=True)
    message = _message(assert_app, tester.get("/app/z?q"), "/elsewhere", env={"ROUTED": "no"})
    assert "path '/index.php/z', expected '/elsewhere'" in message
    assert "env ROUTED='yes', expected 'no'" in message


USER_TESTS = """
import re
from apachemw.testing import assert_status

CONF = '''
RewriteEngine On
RewriteRule ^/old/(.*)$ /new/$1 [R=301,L]
'''

def test_plain_assert(apachemw_tester):
    site = apachemw_tester(text=CONF)
    assert site.get("/old/x").status == 302

def test_helper(apachemw_tester):
    assert_status(apachemw_tester(text=CONF).get("/old/y"), 302)

def test_passes(apachemw_tester):
    assert apachemw_tester(text=CONF).get("/old/z").status == 301

def test_without_the_fixture():
    assert 1 == 2
"""


@pytest.fixture
def user_run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run a user's test file with the plugin loaded by name (entry points off, so the
    run is the same whether or not this checkout's apachemw is installed)."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")

    def run(source: str) -> pytest.RunResult:
        pytester.makepyfile(test_user=source)
        return pytester.runpytest_inprocess("-p", "apachemw.pytest_plugin", "-rA")

    return run


def test_a_failing_user_test_shows_the_trace(user_run: Any) -> None:
    outcome = user_run(USER_TESTS)
    outcome.assert_outcomes(passed=1, failed=3)
    out = outcome.stdout.str()
    # A plain assert: the report gets a section with the request's trace.
    plain = out.split("test_plain_assert", 1)[1].split("test_helper", 1)[0]
    assert "apachemw explain" in plain
    assert "RewriteRule '^/old/(.*)$' on '/old/x': matched" in plain
    assert "Location: http://localhost/new/x" in plain
    # A helper: the trace is in the message, and not repeated in a section.
    helper = out.split("_ test_helper _", 1)[1].split("_ test_without_the_fixture _", 1)[0]
    assert "expected status 302, got 301" in helper
    assert helper.count("apachemw explain for GET /old/y") == 1
    # No section for a test that did not use the fixture, nor for one that passed.
    rest = out.split("_ test_without_the_fixture _", 1)[1].split("short test summary", 1)[0]
    assert "apachemw explain" not in rest
    assert "/old/z" not in out


def test_the_report_shows_the_last_requests_only(user_run: Any) -> None:
    outcome = user_run(
        "def test_many(apachemw_tester):\n"
        "    site = apachemw_tester(text='Redirect 301 /old /new')\n"
        "    for n in range(8):\n"
        "        site.get(f'/old/{n}')\n"
        "    assert False\n"
    )
    outcome.assert_outcomes(failed=1)
    out = outcome.stdout.str()
    assert "(3 earlier requests not shown)" in out
    assert "GET /old/7" in out and "GET /old/3:" in out and "GET /old/2:" not in out


def test_the_entry_point_declares_the_plugin() -> None:
    tomllib = pytest.importorskip("tomllib")
    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["pytest11"] == {"apachemw": "apachemw.pytest_plugin"}
    import apachemw.pytest_plugin as plugin

    assert callable(plugin.pytest_runtest_makereport)

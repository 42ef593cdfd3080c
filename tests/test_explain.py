"""apachemw explain: the trace of a front controller, a redirect and a loop."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from apachemw.explain import explain, render
from apachemw.testing import ApacheTester, assert_file, assert_redirect


def _site(tmp_path: Path, extra: str = "") -> Path:
    root = tmp_path / "htdocs"
    root.mkdir()
    (root / "index.php").write_text("front\n")
    conf = tmp_path / "httpd.conf"
    conf.write_text(f"""\
LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
DocumentRoot {root}
<Directory {root}>
    Require all granted
    RewriteEngine On
    RewriteCond %{{REQUEST_FILENAME}} !-f
    RewriteRule ^ index.php [L]
</Directory>
RewriteEngine On
RewriteRule ^/old/(.*)$ /new/$1 [R=301,L]
{extra}""")
    return conf


def test_front_controller_is_traced_through_the_internal_redirect(tmp_path: Path) -> None:
    conf = _site(tmp_path)
    result = explain(conf, "GET", "/missing?x=1")
    events = result["events"]
    rules = [e for e in events if e["event"] == "rewrite rule" and e["matched"]]
    assert rules[0]["input"] == "missing" and rules[0]["at"].endswith("httpd.conf:10")
    conds = [e for e in events if e["event"] == "rewrite cond"]
    assert conds[0]["result"] is True and conds[-1]["result"] is False
    redirect = next(e for e in events if e["event"] == "internal redirect")
    assert redirect["to"] == "/index.php?x=1"
    assert any(e["depth"] == 1 and e["pass"] == "internal redirect" for e in events)
    assert result["status"] == 200 and result["file"].endswith("index.php")
    # apachemw.testing sends the same request through a tester and traces it the same way.
    tested = ApacheTester(conf).get("/missing?x=1")
    assert_file(tested, "index.php")
    assert [e["event"] for e in tested.trace] == [e["event"] for e in events]
    text = render(result)
    assert "== internal redirect for /index.php ==" in text
    assert "=> status 200" in text


def test_external_redirect_and_json_cli(tmp_path: Path) -> None:
    conf = _site(tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "apachemw", "explain", "-f", str(conf), "--json", "/old/a"],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout)
    assert result["status"] == 301
    assert ["Location", "http://localhost/new/a"] in result["headers"]
    assert any(e["event"] == "rewrite substitution" for e in result["events"])
    assert_redirect(ApacheTester(conf).get("/old/a"), "http://localhost/new/a", status=301)


def test_a_loop_names_the_rules_in_the_cycle(tmp_path: Path) -> None:
    root = tmp_path / "loop"
    root.mkdir()
    conf = tmp_path / "loop.conf"
    conf.write_text(f"""\
LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
DocumentRoot {root}
<Directory {root}>
    Require all granted
    RewriteEngine On
    RewriteRule ^(.*)$ x$1 [L]
</Directory>
""")
    result = explain(conf, "GET", "/a")
    assert result["status"] == 500
    assert result["loop"]["rules"] == [f"{conf}:7"]


def test_loglevel_rewrite_trace_writes_apache_shaped_lines(tmp_path: Path) -> None:
    conf = _site(tmp_path, "LogLevel warn rewrite:trace4\n")
    result = ApacheTester(conf).get("/missing")
    assert_file(result, "index.php")
    text = "\n".join(result.error_log)
    assert "[rewrite:trace3]" in text and "applying pattern '^' to uri 'missing'" in text
    assert "RewriteCond: input='" in text and "=> matched" in text
    assert "[rewrite:trace2]" in text and "rewrite 'missing' -> '" in text
    assert "[INTERNAL REDIRECT]" in text
    assert "/initial] [perdir " in text


def test_with_app_shows_what_the_app_is_handed(tmp_path: Path) -> None:
    conf = _site(tmp_path, "<Files index.php>\n    SetHandler apachemw-app\n</Files>\n")
    alone = explain(conf, "GET", "/shop/cart?x=1")
    assert alone["status"] == 200 and alone["file"].endswith("index.php")
    result = explain(conf, "GET", "/shop/cart?x=1", with_app=True)
    assert result["status"] == "handed to the app"
    assert result["app"]["path"] == "/index.php"
    assert result["app"]["query"] == "x=1"
    assert result["app"]["env"]["REDIRECT_URL"] == "/shop/cart"
    text = render(result)
    assert "=> status handed to the app" in text
    assert "   app: /index.php?x=1" in text and "   app env: REDIRECT_URL=/shop/cart" in text


def test_with_app_flag_on_the_command_line(tmp_path: Path) -> None:
    conf = _site(tmp_path, "<Files index.php>\n    SetHandler apachemw-app\n</Files>\n")
    argv = [sys.executable, "-m", "apachemw", "explain", "-f", str(conf), "--json"]
    out = subprocess.run([*argv, "--with-app", "/shop"], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["app"]["path"] == "/index.php"

"""``apachemw configtest`` and ``apachemw serve``: what they print and how they exit.

Messages are Apache's (``apache2 -t``): ``AH00526: Syntax error on line N of FILE:``
then the directive's complaint on the next line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from apachemw.cli import main

INVALID = (
    "Invalid command 'NoSuchDirective', perhaps misspelled or defined by a module "
    "not included in the server configuration"
)


def _write(tmp_path: Path, text: str) -> Path:
    docroot = tmp_path / "htdocs"
    docroot.mkdir(exist_ok=True)
    conf = tmp_path / "httpd.conf"
    conf.write_text(text.format(docroot=docroot))
    return conf


GOOD = """\
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
ServerName localhost
Listen 127.0.0.1:8000
DocumentRoot {docroot}
<Directory {docroot}>
    Require all granted
</Directory>
"""

BAD = [
    # (configuration, line, Apache's message)
    ("ServerName localhost\n\nNoSuchDirective on\n", 3, INVALID),
    ("ServerName localhost\nDocumentRoot {docroot}\nAllowOverride All\n", 3,
     "AllowOverride not allowed here"),
    ("DocumentRoot\n", 1, "DocumentRoot takes one argument, Root directory of the document tree"),
    # Require without mod_authz_core loaded: Apache does not know the directive.
    ("<Directory />\n    Require all granted\n</Directory>\n", 2,
     INVALID.replace("NoSuchDirective", "Require")),
]  # fmt: skip


def test_configtest_good(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conf = _write(tmp_path, GOOD)
    assert main(["configtest", "-f", str(conf)]) == 0
    out, err = capsys.readouterr()
    assert out == "Syntax OK\n"
    assert err == ""


@pytest.mark.parametrize(("text", "line", "message"), BAD)
def test_configtest_bad(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, line: int, message: str
) -> None:
    conf = _write(tmp_path, text)
    assert main(["configtest", "-f", str(conf)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"AH00526: Syntax error on line {line} of {conf}:\n{message}\n"


def test_configtest_unclosed_section(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conf = _write(tmp_path, "ServerName localhost\n<Directory /tmp>\n")
    assert main(["configtest", "-f", str(conf)]) == 1
    err = capsys.readouterr().err
    assert (
        err
        == f"AH00526: Syntax error on line 2 of {conf}:\n{conf}:2: <Directory> was not closed.\n"
    )


def test_configtest_defines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conf = _write(tmp_path, "<IfDefine BROKEN>\nNoSuchDirective on\n</IfDefine>\n")
    assert main(["configtest", "-f", str(conf)]) == 0
    assert main(["configtest", "-f", str(conf), "-D", "BROKEN"]) == 1
    assert f"Syntax error on line 2 of {conf}:" in capsys.readouterr().err


def test_configtest_exit_status_from_the_command_line(tmp_path: Path) -> None:
    good, bad = _write(tmp_path, GOOD), tmp_path / "bad.conf"
    bad.write_text("NoSuchDirective on\n")
    ok = subprocess.run(
        [sys.executable, "-m", "apachemw", "configtest", "-f", str(good)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (ok.returncode, ok.stdout) == (0, "Syntax OK\n")
    refused = subprocess.run(
        [sys.executable, "-m", "apachemw", "configtest", "-f", str(bad)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert refused.returncode == 1
    assert refused.stderr == f"AH00526: Syntax error on line 1 of {bad}:\n{INVALID}\n"


@pytest.fixture
def no_uvicorn(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Fail the test if serve gets as far as starting uvicorn."""
    import apachemw.server

    calls: list[object] = []

    def refuse(options: object) -> None:
        calls.append(options)
        raise AssertionError("uvicorn was started")

    monkeypatch.setattr(apachemw.server, "_run", refuse)
    monkeypatch.setenv("APACHEMW_SIGNALS", "")
    # serve hands its settings to uvicorn's workers in the environment; undo that.
    from apachemw.server import ENV_VARS

    for name in ENV_VARS:
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return calls


@pytest.mark.parametrize(("text", "line", "message"), BAD[:2])
def test_serve_refuses_bad_config(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    no_uvicorn: list[object],
    text: str,
    line: int,
    message: str,
) -> None:
    conf = _write(tmp_path, text)
    assert main(["serve", "-f", str(conf), "--port", "1"]) == 1
    err = capsys.readouterr().err
    assert err == f"AH00526: Syntax error on line {line} of {conf}:\n{message}\n"
    assert no_uvicorn == []


def test_serve_missing_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_uvicorn: list[object]
) -> None:
    missing = tmp_path / "nope"
    assert main(["serve", str(missing)]) == 1
    assert str(missing) in capsys.readouterr().err
    assert no_uvicorn == []


def test_serve_good_config_reaches_uvicorn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_uvicorn: list[object]
) -> None:
    """The counterpart of the refusals: a good config gets as far as uvicorn, with the
    address from --host/--port over Listen."""
    conf = _write(tmp_path, GOOD)
    with pytest.raises(AssertionError, match="uvicorn was started"):
        main(["serve", "-f", str(conf), "--port", "8123"])
    (options,) = no_uvicorn
    assert isinstance(options, dict)
    assert (options["host"], options["port"]) == ("127.0.0.1", 8123)
    assert "serving on http://127.0.0.1:8123/" in capsys.readouterr().err

"""Directory-walk answers the golden suites cannot record (they need root-only
setups or would hang Apache): unreadable .htaccess, owner-checked symlinks,
FIFOs, symlink loops. Expected statuses are the ones security.md §3 observed
from apache2 (S03, S04, S07) and Apache's ap_parse_htaccess (403 "to be safe")."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from apachemw.core.pipeline import Engine
from apachemw.core.request import Incoming, Outcome
from apachemw.engine import build_engine
from apachemw.testing import ApacheTester, assert_status

# The answers are asserted with apachemw.testing (a failure prints the trace); the
# tests of what the walk cache reuses send untraced requests to a plain engine, since a
# traced request always walks again.
Tester = Callable[..., ApacheTester]


def _conf(root: Path, extra: str = "", override: str = "All") -> str:
    return f"""
DocumentRoot {root}
<Directory />
    Require all denied
</Directory>
<Directory {root}>
    Options FollowSymLinks
    AllowOverride {override}
    Require all granted
</Directory>
{extra}
"""


def _engine(root: Path, extra: str = "", override: str = "All") -> Engine:
    return build_engine(text=_conf(root, extra, override))


def _get(engine: Engine, target: str) -> Outcome:
    return engine.handle(
        Incoming(method="GET", target=target.encode(), headers=[("host", "localhost")])
    )


def test_unreadable_htaccess_is_403(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apachemw_tester: Tester
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".htaccess").write_text("AddType text/x-a .a\n")
    (tmp_path / "sub" / "f.txt").write_text("x")
    site = apachemw_tester(text=_conf(tmp_path))
    real_open = open

    def deny(path: object, *args: object, **kwargs: object) -> object:
        if str(path).endswith(".htaccess"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", deny)
    assert_status(site.get("/sub/f.txt"), 403)


def test_fifo_is_refused_without_opening_it(tmp_path: Path, apachemw_tester: Tester) -> None:
    os.mkfifo(tmp_path / "pipe")
    assert_status(apachemw_tester(text=_conf(tmp_path)).get("/pipe"), 403)


def test_symlink_loop_is_403(tmp_path: Path, apachemw_tester: Tester) -> None:
    os.symlink(tmp_path / "b", tmp_path / "a")
    os.symlink(tmp_path / "a", tmp_path / "b")
    extra = f"<Directory {tmp_path}>\n    Options SymLinksIfOwnerMatch\n</Directory>"
    assert_status(apachemw_tester(text=_conf(tmp_path, extra)).get("/a"), 403)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to chown a symlink")
def test_symlinks_if_owner_match(tmp_path: Path, apachemw_tester: Tester) -> None:
    target = tmp_path / "target.txt"
    target.write_text("data")
    os.symlink(target, tmp_path / "same")
    os.symlink(target, tmp_path / "other")
    os.lchown(tmp_path / "other", 12345, 12345)
    extra = (
        f"<Directory {tmp_path}>\n    Options -FollowSymLinks +SymLinksIfOwnerMatch\n</Directory>"
    )
    site = apachemw_tester(text=_conf(tmp_path, extra))
    assert_status(site.get("/same"), 200)
    assert_status(site.get("/other"), 403)


def test_htaccess_is_parsed_once_per_version(tmp_path: Path) -> None:
    (tmp_path / ".htaccess").write_text("AddType text/x-one .a\n")
    (tmp_path / "f.a").write_text("x")
    engine = _engine(tmp_path)
    first = _get(engine, "/f.a")
    calls: list[str] = []
    compile_file = engine.site.htaccess._compile

    def counting(*args: object) -> object:
        calls.append(str(args[0]))
        return compile_file(*args)  # type: ignore[arg-type]

    engine.site.htaccess._compile = counting  # type: ignore[method-assign]
    for _ in range(3):
        assert dict(_get(engine, "/f.a").headers)["Content-Type"] == "text/x-one"
    assert calls == []
    (tmp_path / ".htaccess").write_text("AddType text/x-two .a\n")
    os.utime(tmp_path / ".htaccess", ns=(1, 1))
    assert dict(_get(engine, "/f.a").headers)["Content-Type"] == "text/x-two"
    assert len(calls) == 1
    assert first.status == 200


def test_new_htaccess_is_seen_after_a_reused_walk(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "f.a").write_text("x")
    engine = _engine(tmp_path)
    assert _get(engine, "/sub/f.a").status == 200
    assert _get(engine, "/sub/f.a").status == 200  # served from the reused walk
    (tmp_path / "sub" / ".htaccess").write_text("Require all denied\n")
    assert _get(engine, "/sub/f.a").status == 403
    (tmp_path / "sub" / ".htaccess").unlink()
    assert _get(engine, "/sub/f.a").status == 200


def test_symlink_checks_are_never_reused(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("x")
    os.symlink(tmp_path / "real.txt", tmp_path / "link.txt")
    extra = f"<Directory {tmp_path}>\n    Options -FollowSymLinks\n</Directory>"
    engine = _engine(tmp_path, extra)
    assert _get(engine, "/link.txt").status == 403
    (tmp_path / "link.txt").unlink()
    (tmp_path / "link.txt").write_text("now a file")
    assert _get(engine, "/link.txt").status == 200


def test_an_internal_error_is_apaches_500_and_a_log_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apachemw_tester: Tester
) -> None:
    (tmp_path / "f.txt").write_text("x")
    site = apachemw_tester(text=_conf(tmp_path))

    def broken(r: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr("apachemw.modules.mod_mime.find_ct", broken)
    site.engine.site.hooks["type_checker"] = [broken]
    result = site.get("/f.txt")
    assert_status(result, 500)
    assert result.body is not None and b"Internal Server Error" in result.body
    assert any("RuntimeError: boom" in line and "\n" not in line for line in result.error_log)


def test_symlinks_are_followed_by_default(tmp_path: Path, apachemw_tester: Tester) -> None:
    # No Options anywhere: Apache's server default has FollowSymLinks (2.3.11+).
    (tmp_path / "real.txt").write_text("x")
    os.symlink(tmp_path / "real.txt", tmp_path / "link.txt")
    site = apachemw_tester(
        text=f"DocumentRoot {tmp_path}\n<Directory {tmp_path}>\nRequire all granted\n</Directory>\n"
    )
    assert_status(site.get("/link.txt"), 200)

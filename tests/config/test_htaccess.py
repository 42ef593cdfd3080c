""".htaccess at the config layer: parsed once, cached while unchanged, re-read on change,
and refused or warned about with Apache's words.

The site is the golden ``core_htaccess`` suite (its tree and httpd.conf). Apache's words
are not written here: they are the error-log lines and statuses apache2 2.4.71 gave for
the same files, recorded in ``tests/golden/recorded/core_htaccess.json`` by
``python -m tests.golden.record`` (see that module).
"""

from __future__ import annotations

import importlib
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from apachemw.config.directives import OR_ALL, OR_FILEINFO, OR_INDEXES
from apachemw.config.site import Site, load_site
from apachemw.core.pipeline import Engine
from apachemw.core.request import Incoming
from apachemw.testing import ApacheTester, assert_header, assert_status

# The golden harness lives in the `golden` package under tests/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
harness = importlib.import_module("golden.harness")

SUITE = harness.load_suites("core_htaccess")[0]
RECORDED = {
    case["name"]: case
    for case in json.loads((harness.HERE / "recorded" / "core_htaccess.json").read_text())["cases"]
}
# "[*] [core:alert] [pid *] [client 127.0.0.1:*] MESSAGE" -> (module:level, MESSAGE)
LOG_LINE = re.compile(r"^\[[^]]*\] \[([^]]+)\] \[pid [^]]*\](?: \[client [^]]*\])? (.*)$")


@dataclass
class Served:
    """A loaded site, its engine, its error log, and a count of .htaccess compiles."""

    root: str
    site: Site
    engine: Engine
    errors: list[str] = field(default_factory=list)
    compiles: list[str] = field(default_factory=list)

    def get(self, path: str) -> int:
        incoming = Incoming(method="GET", target=path.encode(), headers=[("host", "localhost")])
        return self.engine.handle(incoming).status

    def logged(self) -> list[tuple[str, str]]:
        """(module:level, message) of each error-log line, the root put back as {root}."""
        out = []
        for line in self.errors:
            found = LOG_LINE.match(line)
            assert found is not None, line
            out.append((found[1], found[2].replace(self.root, "{root}")))
        return out


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    root = str(tmp_path)
    site = load_site(harness.build_site(SUITE, root, 8080))
    state = Served(root, site, Engine(site))
    site.error_log = state.errors.append
    real = site.htaccess._compile

    def counting(path: str, *args: Any) -> Any:
        state.compiles.append(path.replace(root, "{root}"))
        return real(path, *args)

    site.htaccess._compile = counting
    yield state


def recorded(name: str) -> tuple[int, list[tuple[str, str]]]:
    case = RECORDED[name]
    lines = []
    for line in case["error_log"]:
        found = LOG_LINE.match(line)
        assert found is not None, line
        lines.append((found[1], found[2]))
    return case["status"], lines


def content_type(served: Served, path: str) -> str | None:
    incoming = Incoming(method="GET", target=path.encode(), headers=[("host", "localhost")])
    headers = dict(served.engine.handle(incoming).headers)
    return headers.get("Content-Type")


# ------------------------------------------------------------------ caching


def test_parsed_once_while_unchanged(served: Served) -> None:
    for _ in range(3):
        assert served.get("/all/a.txt") == RECORDED["all-addtype"]["status"]
    assert served.compiles == ["{root}/htdocs/all/.htaccess"]


def test_cache_hands_back_the_same_parse(served: Served) -> None:
    directory = served.root + "/htdocs/all/"
    args = ((".htaccess",), OR_ALL, 0xFF, frozenset[str]())
    first = served.site.htaccess.find(directory, *args)
    assert first is not None
    assert served.site.htaccess.find(directory, *args) is first
    assert len(served.compiles) == 1


def test_other_overrides_parse_again(served: Served) -> None:
    # The same file read under another AllowOverride may mean something else.
    directory = served.root + "/htdocs/all/"
    cache = served.site.htaccess
    a = cache.find(directory, (".htaccess",), OR_ALL, 0xFF, frozenset())
    b = cache.find(directory, (".htaccess",), OR_FILEINFO | OR_INDEXES, 0xFF, frozenset())
    assert a is not None and b is not None and a is not b
    assert len(served.compiles) == 2


def test_reread_when_size_changes(served: Served) -> None:
    ht = Path(served.root, "htdocs/all/.htaccess")
    before = content_type(served, "/all/a.txt")
    assert before == dict(RECORDED["all-addtype"]["headers"])["Content-Type"]
    ht.write_text("AddType text/x-changed-longer .txt\n")
    assert content_type(served, "/all/a.txt") == "text/x-changed-longer"
    assert served.compiles == ["{root}/htdocs/all/.htaccess"] * 2


def test_reread_when_only_permissions_change(served: Served) -> None:
    # A chmod leaves mtime, size and inode alone; Apache re-opens the file on every
    # request and answers 403 once it cannot. The ctime tells the cache to read again.
    ht = Path(served.root, "htdocs/all/.htaccess")
    served.get("/all/a.txt")
    served.get("/all/a.txt")
    assert len(served.compiles) == 1
    ht.chmod(0o600)
    served.get("/all/a.txt")
    assert len(served.compiles) == 2


def test_reread_when_only_mtime_changes(served: Served) -> None:
    ht = Path(served.root, "htdocs/all/.htaccess")
    served.get("/all/a.txt")
    text = ht.read_text()
    swapped = text.replace("text/x-all", "text/x-lla")  # same size
    assert len(swapped) == len(text)
    stamp = ht.stat().st_mtime_ns
    ht.write_text(swapped)
    os.utime(ht, ns=(stamp + 1_000_000_000, stamp + 1_000_000_000))
    assert content_type(served, "/all/a.txt") == "text/x-lla"
    assert len(served.compiles) == 2


def test_old_parse_is_dropped(served: Served) -> None:
    ht = Path(served.root, "htdocs/all/.htaccess")
    served.get("/all/a.txt")
    ht.write_text("AddType text/x-v2 .txt\n")
    served.get("/all/a.txt")
    entries = served.site.htaccess._entries
    assert [k[0] for k in entries] == [str(ht)]


def test_fixing_a_broken_file_takes_effect(served: Served) -> None:
    status, _ = recorded("syntax")
    assert served.get("/syntax/a.txt") == status
    Path(served.root, "htdocs/syntax/.htaccess").write_text("<Files a.txt>\n</Files>\n")
    assert served.get("/syntax/a.txt") == RECORDED["files-plain"]["status"]


def test_broken_file_is_cached_too(served: Served) -> None:
    served.get("/syntax/a.txt")
    served.get("/syntax/a.txt")
    assert served.compiles == ["{root}/htdocs/syntax/.htaccess"]
    assert len(served.errors) == 2  # but logged on every request, as Apache does


# ------------------------------------------------------------------ errors and warnings


@pytest.mark.parametrize(
    ("case", "path"),
    [
        ("syntax", "/syntax/a.txt"),  # error message names the file (twice, as Apache)
        ("fileinfo-options", "/fileinfo/a.txt"),  # Options under AllowOverride FileInfo
        ("optidx-forbidden-option", "/optidx/a.txt"),  # Options=Indexes, FollowSymLinks
        ("list", "/list/a.txt"),  # AllowOverrideList AddType, ForceType not listed
        ("none-junk-ignored", "/none/a.txt"),  # AllowOverride None: never read
        ("limitopts-allowed", "/limitopts/a.txt"),
    ],
)
def test_refusals_match_apache(served: Served, case: str, path: str) -> None:
    status, lines = recorded(case)
    assert (served.get(path), served.logged()) == (status, lines)


def test_nonfatal_warns_like_apache(served: Served) -> None:
    status, lines = recorded("nonfatal")
    assert (served.get("/nonfatal/a.txt"), served.logged()) == (status, lines)


def test_nonfatal_unknown_directive_warns_and_request_succeeds(served: Served) -> None:
    status, lines = recorded("nonfatal")
    assert served.get("/nonfatal/a.txt") == status
    assert lines[0] in served.logged()
    assert (
        content_type(served, "/nonfatal/a.txt")
        == dict(RECORDED["nonfatal"]["headers"])["Content-Type"]
    )


def test_nonfatal_override_only(served: Served) -> None:
    # Nonfatal=Override: a forbidden directive warns (AH02295, as apache2 did for
    # AuthType) and the rest of the file applies.
    Path(served.root, "htdocs/nonfatal/.htaccess").write_text(
        "Options -Indexes\nAddType text/x-nonfatal .txt\n"
    )
    conf = Path(served.root, "httpd.conf")
    conf.write_text(conf.read_text().replace("Nonfatal=All", "Nonfatal=Override"))
    result = ApacheTester(conf).get("/nonfatal/a.txt")
    status, recorded_lines = recorded("nonfatal")
    assert_status(result, status)
    assert_header(result, "Content-Type", "text/x-nonfatal")
    forbidden = recorded_lines[1][1].replace("AuthType", "Options")
    assert [LOG_LINE.match(line)[2] for line in result.error_log] == [forbidden]  # type: ignore[index]

"""The docs: the site builds without a warning, the directive matrix is what the tables
say, and the explain page's output is what the tool prints today."""

from __future__ import annotations

import importlib.util
import re
import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from apachemw.cli import main
from apachemw.config.directives import (
    ACCESS_CONF,
    EXEC_ON_READ,
    OR_ALL,
    OR_AUTHCFG,
    OR_FILEINFO,
    OR_LIMIT,
    RSRC_CONF,
)
from apachemw.modules.registry import all_modules

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_directives", DOCS / "gen_directives.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


# ------------------------------------------------------------------ the site


def test_mkdocs_build_is_strict_and_clean(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs", reason="the docs extra (pip install -e .[docs]) is not installed")
    site = tmp_path / "site"
    build = ["build", "--strict", "--quiet", "-f", str(ROOT / "mkdocs.yml"), "-d", str(site)]
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", *build],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "WARNING" not in output, output
    assert (site / "directives" / "index.html").is_file()


# ------------------------------------------------------------------ the directive matrix


def test_directive_matrix_is_current() -> None:
    committed = (DOCS / "directives.md").read_text()
    assert committed == gen.generate(), "docs/directives.md is stale: python docs/gen_directives.py"


def test_check_mode_fails_on_a_stale_page_and_passes_once_written(tmp_path: Path) -> None:
    page = tmp_path / "directives.md"
    page.write_text("# an old page\n")
    assert gen.main(["--check", "--output", str(page)]) == 1
    assert gen.main(["--output", str(page)]) == 0
    assert gen.main(["--check", "--output", str(page)]) == 0


def _table() -> dict[tuple[str, str], str]:
    """(module, directive) -> status, from the generator's own collection."""
    collected = gen.collect(all_modules(), gen.read_listings())
    return {
        (module, entry.name): entry.status
        for module, (_, entries) in collected.items()
        for entry in entries
    }


@pytest.mark.parametrize(
    ("module", "directive", "status"),
    [
        ("mod_alias", "Alias", gen.IMPLEMENTED),
        ("mod_rewrite", "RewriteRule", gen.IMPLEMENTED),
        ("mod_wsgi", "WSGIScriptAlias", gen.IMPLEMENTED),
        ("core", "Timeout", gen.ACCEPTED),
        ("mod_wsgi", "WSGIDaemonProcess", gen.ACCEPTED),
        ("event", "MaxRequestWorkers", gen.ACCEPTED),
        ("core", "Include", gen.READ_TIME),
        ("core", "<IfModule", gen.READ_TIME),
        ("mod_version", "<IfVersion", gen.READ_TIME),
        ("mod_so", "LoadModule", gen.READ_TIME),
        ("core", "Port", gen.MISSING),
        ("mod_alias", "ScriptAlias", gen.MISSING),
        ("mod_remoteip", "RemoteIPProxyProtocol", gen.MISSING),
        ("mod_apachemw", "IndexTheme", gen.OWN),
    ],
)
def test_status_of_a_directive(module: str, directive: str, status: str) -> None:
    assert _table()[(module, directive)] == status


def test_every_row_and_every_listed_directive_appears_once() -> None:
    rows = [(m.name, d.name) for m in all_modules() for d in m.directives]
    listed = [(gen.module_name(item.source), item.name) for item in gen.read_listings()]
    table = _table()
    assert len(table) == len(set(rows) | set(listed))
    assert set(rows) <= set(table) and set(listed) <= set(table)


def test_contexts_from_the_bits_agree_with_apache2_listing() -> None:
    listed = {(item.name.lower(), item.source): item for item in gen.read_listings()}
    compared = 0
    for module in all_modules():
        for row in module.directives:
            item = listed.get((row.name.lower(), module.source))
            if item is None:
                continue
            compared += 1
            ours = gen.contexts_from_bits(row.where)
            assert ours == gen.contexts_from_listing(item.allowed), (row.name, item.allowed)
    assert compared > 250


@pytest.mark.parametrize(
    ("where", "contexts", "override"),
    [
        (RSRC_CONF, ("server config", "virtual host"), ""),
        (RSRC_CONF | EXEC_ON_READ, ("server config", "virtual host"), ""),
        (ACCESS_CONF, ("directory",), ""),
        (RSRC_CONF | ACCESS_CONF, ("server config", "virtual host", "directory"), ""),
        (OR_AUTHCFG, ("directory", ".htaccess"), "AuthConfig"),
        (OR_AUTHCFG | OR_LIMIT, ("directory", ".htaccess"), "AuthConfig, Limit"),
        (
            OR_FILEINFO,
            ("server config", "virtual host", "directory", ".htaccess"),
            "FileInfo",
        ),
        (OR_ALL, ("server config", "virtual host", "directory", ".htaccess"), "All"),
    ],
)
def test_contexts_from_bits(where: int, contexts: tuple[str, ...], override: str) -> None:
    assert gen.contexts_from_bits(where) == (contexts, override)


def test_cell_keeps_a_table_row_whole() -> None:
    assert gen.cell("one or more index options [+|-][]") == (
        r"one or more index options \[+\|-\]\[\]"
    )
    assert gen.cell("a <Directory>\n  *b* `c`") == r"a &lt;Directory&gt; \*b\* \`c\`"


def test_every_module_has_a_table_or_says_it_has_no_directives() -> None:
    page = (DOCS / "directives.md").read_text()
    for module in all_modules():
        section = page.split(f"\n## {module.name}\n", 1)[1].split("\n## ", 1)[0]
        assert ("| Directive |" in section) == bool(module.directives), module.name


# ------------------------------------------------------------------ the explain page

_EXAMPLE_ROOT = "/srv/www"
_EXAMPLE_FILES = {"htdocs/index.html": "<h1>Home</h1>\n", "htdocs/index.php": "front\n"}
_EXAMPLE_FILES["htdocs/docs/guide.html"] = "guide\n"


def _explain_examples() -> tuple[str, list[tuple[str, str]]]:
    """The page's configuration and its (command, output) console blocks."""
    page = (DOCS / "explain.md").read_text()
    conf = re.search(r"```apache\n(.*?)```", page, re.S)
    assert conf is not None
    blocks = re.findall(r"```console\n\$ (apachemw explain [^\n]*)\n(.*?)```", page, re.S)
    assert len(blocks) == 3
    return conf.group(1), blocks


@pytest.mark.parametrize("index", range(3))
def test_explain_page_shows_what_the_tool_prints(
    index: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conf_text, blocks = _explain_examples()
    command, shown = blocks[index]
    for name, body in _EXAMPLE_FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body)
    (tmp_path / "httpd.conf").write_text(conf_text.replace(_EXAMPLE_ROOT, str(tmp_path)))
    argv = [arg.replace(_EXAMPLE_ROOT, str(tmp_path)) for arg in shlex.split(command)[1:]]
    assert main(argv) == 0
    printed = capsys.readouterr().out.replace(str(tmp_path), _EXAMPLE_ROOT)
    assert printed == shown, f"docs/explain.md is out of date for: {command}"

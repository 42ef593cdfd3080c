"""Every directive row apachemw declares, held to what ``apache2 -L`` prints.

For each row of each module in ``all_modules()`` the directive must be listed by
Debian's apache2 2.4.71 under the same module source file, with the same help text,
and the "Allowed in ..." text Apache's ``show_overrides()`` (server/config.c) would
print for our ``where`` bits must be the text ``-L`` prints.

The listings are recorded (one per MPM, since only one MPM loads at a time) with:

    python tests/config/test_tables.py --record

which, for MPM in event, worker, prefork, writes the configuration from
``listing_conf(ROOT, MPM)`` to ROOT/L.conf and runs

    apache2 -d ROOT -f ROOT/L.conf -L > tests/config/apache2-L.txt          (event)
    apache2 -d ROOT -f ROOT/L.conf -L > tests/config/apache2-L.worker.txt   (worker)
    apache2 -d ROOT -f ROOT/L.conf -L > tests/config/apache2-L.prefork.txt  (prefork)

When apache2 is installed, ``test_recording_matches_live_apache2`` reruns that command
so the recordings cannot go stale.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from apachemw.config.directives import (
    ACCESS_CONF,
    EXEC_ON_READ,
    OR_ALL,
    OR_AUTHCFG,
    OR_FILEINFO,
    OR_INDEXES,
    OR_LIMIT,
    OR_OPTIONS,
    RSRC_CONF,
    Directive,
    Module,
)
from apachemw.config.site import APACHEMW_MODULES
from apachemw.modules.registry import all_modules

HERE = Path(__file__).resolve().parent
APACHE2 = shutil.which("apache2") or (
    "/usr/sbin/apache2" if os.path.exists("/usr/sbin/apache2") else None
)
MODULE_DIR = "/usr/lib/apache2/modules"

# The modules the listing loads besides the MPM (the brief's fixed list).
LOADED = (
    "authz_core",
    "authz_host",
    "authn_core",
    "authn_file",
    "auth_basic",
    "access_compat",
    "alias",
    "rewrite",
    "mime",
    "mime_magic",
    "dir",
    "autoindex",
    "negotiation",
    "env",
    "setenvif",
    "headers",
    "expires",
    "authz_user",
    "authz_groupfile",
    "remoteip",
    "userdir",
    "http2",
    "status",
    "info",
    # Not part of the apache2 package: Debian's libapache2-mod-wsgi-py3 (.ci/run installs
    # it), the oracle for apachemw's mod_wsgi configuration surface.
    "wsgi",
)
RECORDINGS = {
    "event": HERE / "apache2-L.txt",
    "worker": HERE / "apache2-L.worker.txt",
    "prefork": HERE / "apache2-L.prefork.txt",
}
# apachemw's own module (apachemw/modules/mod_apachemw.py, used inside <IfModule
# apachemw_module>): Apache has no such module, so -L cannot list its rows. Its rows are
# exempt here, and only its: test_only_apachemw_module_is_exempt holds that.
APACHEMW_ONLY = APACHEMW_MODULES
# Our MPM modules, by Apache source file; every other module is checked in the event listing.
MPM_OF_SOURCE = {"event.c": "event", "worker.c": "worker", "prefork.c": "prefork"}


def listing_conf(root: str, mpm: str) -> str:
    """The smallest configuration apache2 accepts with every listed module loaded."""
    loads = "\n".join(
        f"LoadModule {name}_module {MODULE_DIR}/mod_{name}.so" for name in (f"mpm_{mpm}", *LOADED)
    )
    return (
        f"ServerName localhost\nPidFile {root}/httpd.pid\nMutex file:{root} default\n"
        f"ErrorLog {root}/error.log\n{loads}\n"
    )


def run_listing(mpm: str) -> str:
    assert APACHE2 is not None
    with tempfile.TemporaryDirectory() as root:
        conf = Path(root, "L.conf")
        conf.write_text(listing_conf(root, mpm))
        done = subprocess.run(
            [APACHE2, "-d", root, "-f", str(conf), "-L"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    assert done.returncode == 0, done.stderr
    return done.stdout


# ------------------------------------------------------------------ reading -L output


@dataclass(frozen=True)
class Listed:
    name: str
    source: str
    help: str | None
    allowed: str


def parse_listing(text: str) -> dict[tuple[str, str], Listed]:
    """``ap_show_directives``: "NAME (SOURCE)", optional "\\tHELP", then "\\tAllowed in"."""
    entries: dict[tuple[str, str], Listed] = {}
    blocks: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("\t"):
            blocks[-1].append(line[1:])
        else:
            blocks.append([line])
    for head, *body in blocks:
        name, _, source = head.rpartition(" (")
        start = next(i for i, line in enumerate(body) if line.startswith("Allowed in *.conf "))
        help_text = "\n".join(body[:start]) if start else None
        allowed = "\n".join(body[start:])
        entries[(name.lower(), source.rstrip(")"))] = Listed(
            name, source.rstrip(")"), help_text, allowed
        )
    return entries


# ------------------------------------------------------------------ show_overrides


def show_overrides(where: int, has_dir_config: bool) -> str:
    """What server/config.c:show_overrides prints for a req_override value.

    A re-reading of its logic: "anywhere" when the directive is allowed both at
    server level and in sections (or by a per-directory override class), a per-dir
    warning when the module keeps no per-directory config, then the .htaccess part.
    """
    if where & (OR_OPTIONS | OR_FILEINFO | OR_INDEXES) or (
        where & RSRC_CONF and where & (ACCESS_CONF | OR_AUTHCFG | OR_LIMIT)
    ):
        text = "Allowed in *.conf anywhere"
    elif where & RSRC_CONF:
        text = "Allowed in *.conf only outside <Directory>, <Files>, <Location>, or <If>"
    else:
        text = "Allowed in *.conf only inside <Directory>, <Files>, <Location>, or <If>"
    if where & (OR_ALL | ACCESS_CONF) and not has_dir_config:
        text += " [no per-dir config]"
    if where & OR_ALL:
        text += " and in .htaccess\nwhen AllowOverride"
        if where & OR_ALL == OR_ALL:
            text += " isn't None"
        else:
            classes = (
                (OR_AUTHCFG, "AuthConfig"),
                (OR_LIMIT, "Limit"),
                (OR_OPTIONS, "Options"),
                (OR_FILEINFO, "FileInfo"),
                (OR_INDEXES, "Indexes"),
            )
            text += " includes " + " or ".join(word for bit, word in classes if where & bit)
    return text


@pytest.mark.parametrize(
    ("where", "has_dir", "directive", "source"),
    [
        # req_override and create_dir_config of these command_recs, as httpd's source
        # declares them; the expected text is whatever the recorded listing says.
        (OR_LIMIT | OR_AUTHCFG, True, "<Limit", "core.c"),
        (OR_ALL, False, "<IfVersion", "mod_version.c"),
        (OR_OPTIONS, True, "Options", "core.c"),
        (OR_INDEXES, True, "IndexOptions", "mod_autoindex.c"),
        (OR_AUTHCFG, True, "AuthType", "mod_authn_core.c"),
        (OR_INDEXES, True, "DirectoryIndex", "mod_dir.c"),
        (RSRC_CONF | EXEC_ON_READ, False, "LoadModule", "mod_so.c"),
        (ACCESS_CONF, True, "AllowOverride", "core.c"),
        (RSRC_CONF | ACCESS_CONF, True, "LogLevel", "core.c"),
    ],
)
def test_show_overrides_reads_like_the_listing(
    where: int, has_dir: bool, directive: str, source: str
) -> None:
    entry = _listing("event")[(directive.lower(), source)]
    assert show_overrides(where, has_dir) == entry.allowed


# ------------------------------------------------------------------ the rows


def _apache_modules() -> list[Module]:
    """Every module apachemw implements that Apache also has."""
    return [module for module in all_modules() if module.ident not in APACHEMW_ONLY]


def _rows() -> list[tuple[Module, Directive]]:
    return [(module, row) for module in _apache_modules() for row in module.directives]


_LISTINGS: dict[str, dict[tuple[str, str], Listed]] = {}


def _listing(mpm: str) -> dict[tuple[str, str], Listed]:
    if mpm not in _LISTINGS:
        _LISTINGS[mpm] = parse_listing(RECORDINGS[mpm].read_text())
    return _LISTINGS[mpm]


def _mismatches(module: Module, row: Directive) -> list[str]:
    listing = _listing(MPM_OF_SOURCE.get(module.source, "event"))
    where = f"{row.name} ({module.source})"
    entry = listing.get((row.name.lower(), module.source))
    if entry is None:
        elsewhere = sorted(src for (name, src) in listing if name == row.name.lower())
        found = f"; -L lists it under {', '.join(elsewhere)}" if elsewhere else ""
        return [f"{where}: not in apache2 -L output{found}"]
    problems = []
    if entry.name != row.name:
        problems.append(f"{where}: -L spells it {entry.name!r}")
    if entry.help != (row.help or None):
        problems.append(f"{where}: help\n  ours:   {row.help!r}\n  apache: {entry.help!r}")
    ours = show_overrides(row.where, module.create_dir is not None)
    if entry.allowed != ours:
        problems.append(f"{where}: context\n  ours:   {ours!r}\n  apache: {entry.allowed!r}")
    return problems


@pytest.mark.parametrize(
    ("module", "row"),
    [pytest.param(m, r, id=f"{m.source}:{r.name}") for m, r in _rows()],
)
def test_row_matches_apache2_listing(module: Module, row: Directive) -> None:
    problems = _mismatches(module, row)
    assert not problems, "\n".join(problems)


def test_every_module_is_checked_against_some_listing() -> None:
    sources = {src for listing in map(_listing, RECORDINGS) for (_, src) in listing}
    # A module without directives (mod_authz_user) has no rows for -L to list.
    missing = sorted({m.source for m in _apache_modules() if m.directives} - sources)
    assert not missing, f"modules apache2 -L never lists: {missing}"


def test_only_apachemw_module_is_exempt() -> None:
    exempt = [m for m in all_modules() if m.ident in APACHEMW_ONLY]
    assert [(m.name, m.ident) for m in exempt] == [("mod_apachemw", "apachemw_module")]
    (module,) = exempt
    listed = {key for mpm in RECORDINGS for key in _listing(mpm)}
    assert module.source not in {source for _, source in listed}
    # Its directives must not shadow a directive of a module Apache does have.
    clashes = {d.name.lower() for d in module.directives} & {name for name, _ in listed}
    assert not clashes, f"apachemw-only directives that Apache also defines: {clashes}"


@pytest.mark.skipif(APACHE2 is None, reason="apache2 is not installed")
@pytest.mark.parametrize("mpm", sorted(RECORDINGS))
def test_recording_matches_live_apache2(mpm: str) -> None:
    assert run_listing(mpm) == RECORDINGS[mpm].read_text()


def _record() -> None:
    for mpm, path in RECORDINGS.items():
        path.write_text(run_listing(mpm))
        print(f"wrote {path}")


if __name__ == "__main__" and sys.argv[1:] == ["--record"]:
    _record()

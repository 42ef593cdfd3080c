"""Introspection (apachemw.introspect and the CLI): -M against apache2 -M, the
effective configuration of one request in merge order, and the faces' own view."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from apachemw import faces
from apachemw.config.site import load_site
from apachemw.introspect import effective_config, loaded_modules

APACHE2 = shutil.which("apache2") or (
    "/usr/sbin/apache2" if os.path.exists("/usr/sbin/apache2") else None
)
MODULES = "/usr/lib/apache2/modules"


def _conf(tmp: Path, loads: list[str]) -> Path:
    lines = [f"LoadModule {m}_module {MODULES}/mod_{m}.so" for m in loads]
    (tmp / "sub").mkdir()
    (tmp / "sub" / ".htaccess").write_text("Options -Indexes\nHeader set X-A 1\n")
    body = f"""\
ServerRoot {tmp}
ServerName localhost
PidFile {tmp}/httpd.pid
Mutex file:{tmp} default
ErrorLog {tmp}/error.log
DocumentRoot {tmp}
<Directory />
    Require all denied
</Directory>
<Directory {tmp}>
    Require all granted
    AllowOverride All
</Directory>
<Location /sub>
    Header set X-Loc yes
</Location>
<Files "*.txt">
    ForceType text/plain
</Files>
"""
    conf = tmp / "httpd.conf"
    conf.write_text(
        "\n".join(["LoadModule mpm_event_module " + MODULES + "/mod_mpm_event.so", *lines])
        + "\n"
        + body
    )
    return conf


LOADS = ["authz_core", "headers", "mime", "rewrite", "alias"]


@pytest.mark.skipif(APACHE2 is None, reason="apache2 is not installed")
def test_modules_listing_matches_apache(tmp_path: Path) -> None:
    conf = _conf(tmp_path, LOADS)
    assert APACHE2 is not None
    theirs = subprocess.run([APACHE2, "-M", "-f", str(conf)], capture_output=True, text=True)
    ours = subprocess.run(
        [sys.executable, "-m", "apachemw", "configtest", "-M", "-f", str(conf)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert ours.stdout == theirs.stdout
    assert loaded_modules(load_site(str(conf))) == theirs.stdout


def test_effective_config_in_merge_order(tmp_path: Path) -> None:
    conf = _conf(tmp_path, LOADS)
    text = effective_config(conf, "/sub/a.txt")
    heads = [line for line in text.splitlines() if line.startswith("# ")]
    lines = conf.read_text().splitlines()

    def at(opening: str) -> str:
        return f"{conf}:{lines.index(opening) + 1}"

    assert heads == [
        f"# directory / at {at('<Directory />')}",
        f"# directory {tmp_path}/ at {at(f'<Directory {tmp_path}>')}",
        f"# htaccess {tmp_path}/sub/ at {tmp_path}/sub/.htaccess",
        "# files *.txt at " + at('<Files "*.txt">'),
        f"# location /sub at {at('<Location /sub>')}",
    ]
    assert "Header set X-A 1\n" in text and "ForceType text/plain\n" in text


def test_effective_config_from_the_cli(tmp_path: Path) -> None:
    conf = _conf(tmp_path, LOADS)
    done = subprocess.run(
        [sys.executable, "-m", "apachemw", "explain", "--effective-config", "-f", str(conf), "/x"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == effective_config(conf, "/x")


def test_faces_show_their_configuration() -> None:
    face = faces.AccessControl(None, "Require ip 10.0.0.0/8")
    text = face.effective_config("/a")
    assert "<Location />\n    Require ip 10.0.0.0/8\n</Location>\n" in text
    assert face.vhost_map().startswith("VirtualHost configuration:\n")

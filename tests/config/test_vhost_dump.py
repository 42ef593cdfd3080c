"""``apachemw configtest -S`` against ``apache2 -S``: the virtual host map (which address
chains exist, which host is each one's default, the names and aliases of name-based
ones) and the run settings apachemw has, for several layouts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

APACHE2 = shutil.which("apache2") or (
    "/usr/sbin/apache2" if os.path.exists("/usr/sbin/apache2") else None
)
pytestmark = pytest.mark.skipif(APACHE2 is None, reason="apache2 is not installed")

LAYOUTS = {
    "mixed": """
<VirtualHost 127.0.0.1:8123>
    ServerName one.test
    ServerAlias a.test *.wild.test b.test
</VirtualHost>
<VirtualHost 127.0.0.1:8123>
    ServerName two.test
</VirtualHost>
<VirtualHost *:8123>
    ServerName star.test
</VirtualHost>
<VirtualHost 127.0.0.2:8123>
    ServerName ipbased.test
</VirtualHost>
<VirtualHost 127.0.0.1:8123>
    DocumentRoot /tmp
</VirtualHost>
""",
    "ports": """
<VirtualHost *:8123 *:8124>
    ServerName both.test
</VirtualHost>
<VirtualHost *:8124>
    ServerName only8124.test
</VirtualHost>
<VirtualHost *:*>
    ServerName anyport.test
</VirtualHost>
<VirtualHost _default_:8125>
    ServerName default8125.test
</VirtualHost>
""",
    "addresses": """
<VirtualHost 127.0.0.5 127.0.0.6:8123>
    ServerName five.test
</VirtualHost>
<VirtualHost [::1]:8123>
    ServerName six.test
</VirtualHost>
<VirtualHost [::1]:8123>
    ServerName seven.test
</VirtualHost>
<VirtualHost localhost:8126>
    ServerName named-by-dns.test
</VirtualHost>
""",
}


def _write(tmp: Path, body: str) -> Path:
    (tmp / "logs").mkdir(exist_ok=True)
    conf = tmp / "httpd.conf"
    conf.write_text(
        f"ServerRoot {tmp}\nServerName localhost\nPidFile {tmp}/httpd.pid\n"
        f"Mutex file:{tmp} default\nErrorLog {tmp}/logs/error.log\nDocumentRoot {tmp}\n"
        "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n" + body
    )
    return conf


def _relevant(output: str) -> list[str]:
    keep = ("Mutex", "PidFile", "User:", "Group:")
    return [line for line in output.splitlines() if not line.startswith(keep)]


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_dump_matches_apache(tmp_path: Path, layout: str) -> None:
    conf = _write(tmp_path, LAYOUTS[layout])
    assert APACHE2 is not None
    theirs = subprocess.run(
        [APACHE2, "-S", "-f", str(conf)], capture_output=True, text=True, check=True
    ).stdout
    ours = subprocess.run(
        [sys.executable, "-m", "apachemw", "configtest", "-S", "-f", str(conf)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert _relevant(ours) == _relevant(theirs)

"""Run an example the way its README says: the documented command as a subprocess on a
free port, or the same app loaded in-process the same way the command loads it.

The command is the README's first line starting with ``uvicorn`` or ``python -m
apachemw serve``, so the documented line is the one tested.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from liveserver import free_port, stop, wait_listening

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
_COMMAND = re.compile(r"^(?:uvicorn|python -m apachemw serve) .*$", re.MULTILINE)


def readme_command(example: str) -> list[str]:
    """The command line an example's README gives, split like a shell would."""
    text = (EXAMPLES / example / "README.md").read_text()
    match = _COMMAND.search(text)
    assert match, f"no uvicorn/apachemw serve command in examples/{example}/README.md"
    return shlex.split(match.group(0))


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def runnable(argv: list[str], port: int) -> list[str]:
    """The documented command with this interpreter and ``port`` for ``--port 8000``."""
    assert option(argv, "--port") == "8000", "the README's command should name --port 8000"
    argv = list(argv)
    argv[argv.index("--port") + 1] = str(port)
    if argv[0] == "uvicorn":
        return [sys.executable, "-m", *argv]
    assert argv[:4] == ["python", "-m", "apachemw", "serve"]
    return [sys.executable, *argv[1:]]


@contextmanager
def serving(example: str) -> Iterator[str]:
    """The example's documented command, from the repository root, on a free port;
    yields the base URL and stops the process by its pid."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        runnable(readme_command(example), port),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_listening(proc, port, timeout=20)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)
        err = proc.stderr.read() if proc.stderr is not None else ""
        if proc.stderr is not None:
            proc.stderr.close()
    # uvicorn shuts down on SIGTERM, then re-raises the signal it caught: -SIGTERM.
    assert proc.returncode in (0, -signal.SIGTERM), f"exit {proc.returncode}: {err}"
    assert "Traceback" not in err, err


def load_uvicorn_app(argv: list[str]) -> Any:
    """What ``uvicorn --app-dir DIR module:attr`` serves, imported as uvicorn does."""
    from uvicorn.importer import import_from_string

    assert argv[0] == "uvicorn"
    app_dir = str(ROOT / option(argv, "--app-dir"))
    if app_dir not in sys.path:
        sys.path.insert(0, app_dir)
    spec = next(a for a in argv[1:] if ":" in a and not a.startswith("-"))
    return import_from_string(spec)


def load_serve_app(argv: list[str]) -> Any:
    """What ``python -m apachemw serve ...`` serves (its build_app), from the repo root."""
    from apachemw import cli

    assert argv[:4] == ["python", "-m", "apachemw", "serve"]
    args = cli._parser().parse_args(argv[3:])
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        return cli.build_app(cli._settings(args))
    finally:
        os.chdir(here)

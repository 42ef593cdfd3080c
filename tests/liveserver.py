"""Servers in subprocesses for the tests that talk to them over loopback: a free port,
waiting until the server listens, and stopping it by its pid.

Each caller keeps its own command line, environment and output handling.
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

__all__ = ["free_port", "stop", "wait_listening"]


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (the kernel's choice)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_listening(
    proc: subprocess.Popen[Any],
    port: int,
    *,
    timeout: float,
    log: Path | None = None,
    name: str = "server",
) -> None:
    """Return once ``port`` accepts a connection; fail the test if the server exits
    first or does not listen within ``timeout`` seconds, showing its output: ``log``
    where it writes it, else its stderr pipe once it has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{name} exited with {proc.returncode}:{_output(proc, log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    shown = f":\n{log.read_text()}" if log is not None else ""
    pytest.fail(f"{name} did not listen on port {port} within {timeout:g} s{shown}")


def _output(proc: subprocess.Popen[Any], log: Path | None) -> str:
    if log is not None:
        return "\n" + log.read_text()
    return f" {proc.stderr.read()}" if proc.stderr is not None else ""


def stop(proc: subprocess.Popen[Any]) -> None:
    """SIGTERM, then SIGKILL if the server is still there after 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()

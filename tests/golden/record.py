"""Record the golden answers from a live apache2, or check the stored ones still match.

    python -m tests.golden.record [--suite NAME] [--check]

For each suite: build its site in a fresh /tmp directory, write its httpd.conf, check it
with `apache2 -t`, start apache2 in the foreground on a free port, send every case's raw
bytes over a plain socket, read until the server closes, then pick up the access-log line
(and any error-log lines) that request produced. Results go to recorded/<suite>.json, with
the temporary root replaced by the literal `{root}`.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from .compare import ROOT_TOKEN, differences, mask_error_line
from .harness import HERE, Case, build_site, load_suites

__all__ = ["main", "parse_response", "record_suite"]

APACHE = "/usr/sbin/apache2"
RECORDED = HERE / "recorded"
READ_TIMEOUT = 5.0
LOG_WAIT = 2.0


def apache_version() -> str:
    out = subprocess.run([APACHE, "-v"], capture_output=True, text=True, check=True).stdout
    return out.splitlines()[0].strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def config_test(conf: str) -> None:
    res = subprocess.run([APACHE, "-t", "-f", conf], capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"apache2 -t -f {conf} failed:\n{res.stdout}{res.stderr}")


@contextmanager
def running_apache(root: str, conf: str, port: int) -> Iterator[None]:
    """apache2 in the foreground (-DFOREGROUND: no detach, children as www-data)."""
    out = open(Path(root) / "logs" / "stderr.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([APACHE, "-f", conf, "-DFOREGROUND"], stdout=out, stderr=out)
    try:
        _wait_listening(proc, root, port)
        yield
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        out.close()


def _wait_listening(proc: subprocess.Popen[bytes], root: str, port: int) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            logs = Path(root) / "logs"
            detail = (logs / "stderr.log").read_text() + (logs / "error.log").read_text()
            raise SystemExit(f"apache2 exited with {proc.returncode} at startup:\n{detail}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except OSError:
            time.sleep(0.05)
            continue
        # The startup notices (AH00489, then AH00094) must not land in the first case's
        # error-log capture.
        if "AH00094" in (Path(root) / "logs" / "error.log").read_text():
            return
        time.sleep(0.05)
    raise SystemExit(f"apache2 did not listen on port {port} within 15 s")


def send(raw: bytes, port: int, address: str = "127.0.0.1") -> bytes:
    with socket.create_connection((address, port), timeout=READ_TIMEOUT) as s:
        s.sendall(raw)
        chunks = []
        while True:
            try:
                data = s.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


def dechunk(body: bytes) -> bytes:
    out, pos = bytearray(), 0
    while True:
        eol = body.index(b"\r\n", pos)
        size = int(body[pos:eol].split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += body[eol + 2 : eol + 2 + size]
        pos = eol + 2 + size + 2


def parse_response(data: bytes) -> tuple[int, str, list[list[str]], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    _version, status, reason = ([*lines[0].split(" ", 2), ""])[:3]
    headers = [[n, v.strip()] for n, _, v in (line.partition(":") for line in lines[1:])]
    if any(n.lower() == "transfer-encoding" and "chunked" in v.lower() for n, v in headers):
        body = dechunk(body)
    return int(status), reason, headers, body


class LogTail:
    """New complete lines appended to a log file since the last call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pos = path.stat().st_size

    def new_lines(self, wait: float) -> list[str]:
        deadline = time.monotonic() + wait
        while True:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                data = f.read()
            end = data.rfind(b"\n") + 1
            if end or time.monotonic() >= deadline:
                self.pos += end
                return data[:end].decode("latin-1").splitlines()
            time.sleep(0.01)


def unroot(text: str, root: str) -> str:
    return text.replace(root, ROOT_TOKEN)


def record_case(case: Case, port: int, root: str, logs: tuple[LogTail, LogTail]) -> dict[str, Any]:
    access, errors = logs
    data = send(case.raw, port, case.address)
    log = access.new_lines(LOG_WAIT)
    # The error log is written before the access log (log_transaction runs last).
    err = errors.new_lines(0.0)
    status, reason, headers, body = parse_response(data)
    body = body.replace(root.encode(), ROOT_TOKEN.encode())
    extra: dict[str, Any] = {"address": case.address} if case.address != "127.0.0.1" else {}
    if case.volatile_body:
        extra["volatile_body"] = True
    return {
        "name": case.name,
        "note": case.note,
        **extra,
        "raw": case.raw.decode("latin-1"),
        "status": status,
        "reason": reason,
        "headers": [[n, unroot(v, root)] for n, v in headers],
        "body_b64": base64.b64encode(body).decode("ascii"),
        "body_sha256": hashlib.sha256(body).hexdigest(),
        "log": unroot("\n".join(log), root),
        "error_log": [mask_error_line(unroot(x, root)) for x in err],
    }


def record_suite(suite: ModuleType, version: str) -> dict[str, Any]:
    root = tempfile.mkdtemp(prefix=f"golden-{suite.NAME}-")
    os.chmod(root, 0o755)
    try:
        port = free_port()
        conf = build_site(suite, root, port)
        config_test(conf)
        logs_dir = Path(root) / "logs"
        with running_apache(root, conf, port):
            tails = (LogTail(logs_dir / "access.log"), LogTail(logs_dir / "error.log"))
            cases = [record_case(c, port, root, tails) for c in suite.CASES]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return {
        "suite": suite.NAME,
        "apache": version,
        "replay": getattr(suite, "REPLAY", True),
        "cases": cases,
    }


def dump(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def check_suite(stored_path: Path, actual: dict[str, Any]) -> list[str]:
    if not stored_path.exists():
        return [f"{stored_path.name}: not recorded yet"]
    stored = json.loads(stored_path.read_text())
    problems = []
    names_s = [c["name"] for c in stored["cases"]]
    names_a = [c["name"] for c in actual["cases"]]
    if names_s != names_a:
        problems.append(f"case list differs: stored {names_s} vs now {names_a}")
    by_name = {c["name"]: c for c in stored["cases"]}
    for case in actual["cases"]:
        exp = by_name.get(case["name"])
        if exp is None:
            continue
        if exp["raw"] != case["raw"]:
            problems.append(f"{case['name']}: request bytes changed since recording")
        problems += [f"{case['name']}: {d}" for d in differences(exp, case)]
    return [f"{actual['suite']}: {p}" for p in problems]


def _check_unique(suites: list[ModuleType]) -> None:
    for suite in suites:
        names = [c.name for c in suite.CASES]
        dupes = {n for n in names if names.count(n) > 1}
        if dupes or not re.fullmatch(r"[a-z0-9_]+", suite.NAME):
            raise SystemExit(f"suite {suite.NAME}: bad name or duplicate cases {sorted(dupes)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", help="only this suite (its NAME)")
    parser.add_argument("--check", action="store_true", help="compare with stored JSON")
    args = parser.parse_args(argv)
    suites = load_suites(args.suite)
    _check_unique(suites)
    version = apache_version()
    problems: list[str] = []
    started = time.monotonic()
    for suite in suites:
        t0 = time.monotonic()
        result = record_suite(suite, version)
        path = RECORDED / f"{suite.NAME}.json"
        if args.check:
            problems += check_suite(path, result)
        else:
            RECORDED.mkdir(exist_ok=True)
            path.write_text(dump(result))
        took = time.monotonic() - t0
        print(f"{suite.NAME}: {len(result['cases'])} cases in {took:.1f} s", file=sys.stderr)
    print(f"total {time.monotonic() - started:.1f} s", file=sys.stderr)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

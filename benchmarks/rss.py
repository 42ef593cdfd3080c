"""Peak RSS of apachemw's server process while one client downloads a 1 GB file.

``python -m benchmarks.rss [--size-mb N] [--stall S]`` (or ``python benchmarks/rss.py``)

The file is sparse (``truncate -s 1G``), so the disk is not the limit. The client
reads and discards; part way through it stops reading for ``--stall`` seconds,
so a server that buffered instead of waiting for the socket would show it. The
server's VmRSS is sampled every 10 ms; VmHWM (the kernel's own high-water mark)
is read at the end. apachemw sends 64 KB chunks, so the peak should sit within
a few MB of the resting figure for both faces.
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

if not __package__:  # run as ``python benchmarks/rss.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.fixtures import make_docroot
from benchmarks.run import CLIENT_CPU, Server, running

__all__ = ["main", "measure_face"]

MB = 1024 * 1024


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


class Sampler(threading.Thread):
    """Keeps the largest VmRSS seen while the download runs."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.samples = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak_kb = max(self.peak_kb, status_kb(self.pid, "VmRSS"))
            self.samples += 1
            time.sleep(0.01)


@dataclass
class Figures:
    face: str
    before_kb: int
    peak_kb: int
    hwm_before_kb: int
    hwm_after_kb: int
    after_kb: int
    received: int
    seconds: float  # reading time, the stall left out


def download(port: int, path: str, stall_at: int, stall: float) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path)
    resp = conn.getresponse()
    if resp.status != 200:
        raise RuntimeError(f"GET {path}: {resp.status}")
    received = 0
    stalled = False
    while chunk := resp.read(MB):
        received += len(chunk)
        if not stalled and received >= stall_at:
            stalled = True
            time.sleep(stall)  # the server must wait for the socket, not buffer
    conn.close()
    return received


def small_get(port: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/file1m.bin")
    conn.getresponse().read()
    conn.close()


def measure_face(server: Server, size: int, stall: float) -> Figures:
    assert server.proc is not None
    pid = server.proc.pid
    small_get(server.port)  # imports and caches warm, as on a live server
    time.sleep(0.5)
    before, hwm_before = status_kb(pid, "VmRSS"), status_kb(pid, "VmHWM")
    sampler = Sampler(pid)
    sampler.start()
    t0 = time.perf_counter()
    received = download(server.port, "/big.bin", size // 4, stall)
    seconds = time.perf_counter() - t0 - stall
    sampler.done.set()
    sampler.join()
    if received != size:
        raise RuntimeError(f"{server.name}: received {received} of {size} bytes")
    time.sleep(1.0)
    return Figures(
        server.name,
        before,
        sampler.peak_kb,
        hwm_before,
        status_kb(pid, "VmHWM"),
        status_kb(pid, "VmRSS"),
        received,
        seconds,
    )


def report(f: Figures) -> None:
    def mb(kb: int) -> str:
        return f"{kb / 1024:7.1f} MB"

    print(
        f"{f.face:24} before {mb(f.before_kb)}  peak {mb(f.peak_kb)}  "
        f"after {mb(f.after_kb)}  growth {mb(f.peak_kb - f.before_kb)}  "
        f"VmHWM {mb(f.hwm_before_kb)} -> {mb(f.hwm_after_kb)}  "
        f"({f.received / MB:.0f} MB in {f.seconds:.1f} s + stall, "
        f"{f.received / MB / f.seconds:.0f} MB/s)"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.rss",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--size-mb", type=int, default=1024, help="file size (default 1024)")
    p.add_argument(
        "--stall",
        type=float,
        default=3.0,
        help="seconds the client stops reading at 1/4 of the file (default 3)",
    )
    args = p.parse_args(argv)
    size = args.size_mb * MB
    os.sched_setaffinity(0, {int(CLIENT_CPU)})
    doc = make_docroot(big=size)
    print(f"sparse file of {args.size_mb} MB; client stalls {args.stall:.0f} s at 1/4")
    failed = False
    try:
        for name, factory in (
            ("apachemw ASGI", "apachemw_asgi"),
            ("apachemw WSGI (a2wsgi)", "apachemw_wsgi"),
        ):
            with running(Server(name, "uvicorn", [], factory), doc) as server:
                figures = measure_face(server, size, args.stall)
            report(figures)
            # "Flat": the download adds less than 16 MB over the resting process.
            failed |= figures.peak_kb - figures.before_kb > 16 * 1024
    finally:
        doc.cleanup()
    print("RSS flat" if not failed else "RSS GREW during the download")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

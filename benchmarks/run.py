"""Throughput of apachemw against bare uvicorn, its Python peers, Apache and nginx.

``python -m benchmarks.run [--quick] [--duration S] [--rounds N] [--only NAME]``

Every server is started once, on 127.0.0.1 and a free port, pinned to core 0;
``wrk -t1 -c32`` runs pinned to core 1. Each round measures every target once,
in alternating order (forward, then backward), so slow drift of a shared
machine falls on all targets alike; the figure kept is the median over rounds.
Ratios are to bare uvicorn's median from the same run: quote those, not the
absolute req/s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from benchmarks.fixtures import HTACCESS_NOTE, Docroot, apache_conf, make_docroot

__all__ = ["Server", "Target", "main"]

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
SERVER_CPU = "0"
CLIENT_CPU = "1"
HT3 = "/ht/a/b/c/file2k.html"
NOHT = "/noht/a/b/c/file2k.html"


@dataclass(frozen=True)
class Target:
    label: str
    path: str
    status: int = 200


@dataclass
class Server:
    name: str
    kind: str  # "uvicorn", "apache" or "nginx"
    targets: list[Target]
    factory: str = ""
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    samples: dict[str, list[dict[str, float]]] = field(default_factory=dict)


FILES = [
    Target("2 KB", "/file2k.html"),
    Target("100 KB", "/file100k.bin"),
    Target("1 MB", "/file1m.bin"),
]
HTPAIR = [Target(".htaccess x3", HT3), Target("no .htaccess", NOHT)]
# MultiViews over three languages, chosen by LanguagePriority (wrk sends no
# Accept-Language): a directory read and one subrequest per variant.
MULTIVIEWS = Target("MultiViews 2 KB", "/mv/page.html")


def servers(with_nginx: bool) -> list[Server]:
    found = [
        Server("bare uvicorn", "uvicorn", [Target("2 KB const", "/")], "bare"),
        Server(
            "apachemw ASGI",
            "uvicorn",
            [*FILES, Target("404", "/missing.html", 404), *HTPAIR, MULTIVIEWS],
            "apachemw_asgi",
        ),
        Server("apachemw ASGI + 200 rules", "uvicorn", [FILES[0]], "apachemw_asgi_rules"),
        # 1 MB too: the two faces stream large files differently (thread hop per chunk).
        Server("apachemw WSGI (a2wsgi)", "uvicorn", [FILES[0], FILES[2]], "apachemw_wsgi"),
        Server("Starlette StaticFiles", "uvicorn", FILES, "starlette_static"),
        Server("ServeStatic ASGI", "uvicorn", FILES, "servestatic"),
        Server("WhiteNoise (a2wsgi)", "uvicorn", FILES, "whitenoise"),
        Server("Apache 2.4 event", "apache", [*FILES, *HTPAIR, MULTIVIEWS]),
    ]
    if with_nginx:
        found.append(Server("nginx", "nginx", FILES))
    return found


# -- starting and stopping servers ---------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def command(server: Server, doc: Docroot) -> list[str]:
    pin = ["taskset", "-c", SERVER_CPU]
    if server.kind == "uvicorn":
        return [
            *pin,
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            f"benchmarks.apps:{server.factory}",
            "--host",
            "127.0.0.1",
            "--port",
            str(server.port),
            "--no-access-log",
            "--log-level",
            "warning",
            "--http",
            "httptools",
            "--loop",
            "uvloop",
            "--lifespan",
            "off",
        ]
    if server.kind == "apache":
        conf = doc.base / "apache2.conf"
        conf.write_text(apache_conf(doc, server.port))
        return [*pin, "apache2", "-f", str(conf), "-DFOREGROUND"]
    conf = doc.base / "nginx.conf"
    conf.write_text(nginx_conf(doc, server.port))
    return [*pin, "nginx", "-p", str(doc.base), "-c", str(conf)]


def nginx_conf(doc: Docroot, port: int) -> str:
    """nginx with Debian's defaults that matter here (sendfile on), one worker."""
    tmp = doc.base / "nginx-tmp"
    tmp.mkdir(exist_ok=True)
    temps = "\n".join(
        f"    {k}_temp_path {tmp}/{k};"
        for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""\
daemon off;
worker_processes 1;
pid {doc.base}/nginx.pid;
error_log {doc.base}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
{temps}
    server {{
        listen 127.0.0.1:{port};
        root {doc.root};
    }}
}}
"""


@contextmanager
def running(server: Server, doc: Docroot) -> Iterator[Server]:
    """Start ``server`` in its own process group; always stop that group."""
    server.port = free_port()
    env = dict(
        os.environ,
        BENCH_DOCROOT=str(doc.root),
        BENCH_CONFIG=str(doc.apachemw_conf),
        BENCH_CONFIG_RULES=str(doc.apachemw_rules_conf),
        PYTHONPATH=str(REPO),
    )
    log = open(doc.base / f"{server.factory or server.kind}.out", "wb")  # noqa: SIM115
    server.proc = subprocess.Popen(
        command(server, doc),
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_listening(server, doc)
        yield server
    finally:
        stop(server)
        log.close()


def wait_listening(server: Server, doc: Docroot, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.proc is not None
        if server.proc.poll() is not None:
            out = (doc.base / f"{server.factory or server.kind}.out").read_text()
            raise RuntimeError(f"{server.name} exited ({server.proc.returncode}):\n{out}")
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not listen on port {server.port}")


def stop(server: Server) -> None:
    proc = server.proc
    if proc is None or proc.poll() is not None:
        return
    # Only the group this run started: apache2's and nginx's children live there too.
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# -- measuring -----------------------------------------------------------------------


def check(server: Server, target: Target) -> int:
    """One GET before measuring: the right status, and a body; returns its length."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", target.path)
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    if resp.status != target.status:
        raise RuntimeError(f"{server.name} {target.path}: {resp.status}, expected {target.status}")
    return len(body)


WRK_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_NON2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
WRK_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
WRK_COUNT = re.compile(r"(\d+) requests in")


def wrk(server: Server, target: Target, duration: int) -> dict[str, float]:
    url = f"http://127.0.0.1:{server.port}{target.path}"
    out = subprocess.run(
        ["taskset", "-c", CLIENT_CPU, "wrk", "-t1", "-c32", f"-d{duration}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = WRK_RATE.search(out)
    if rate is None:
        raise RuntimeError(f"wrk output not understood:\n{out}")
    non2xx = WRK_NON2XX.search(out)
    errors = WRK_ERRORS.search(out)
    count = WRK_COUNT.search(out)
    bad = int(non2xx.group(1)) if non2xx else 0
    return {
        "rps": float(rate.group(1)),
        "requests": float(count.group(1)) if count else 0.0,
        # A 404 target is expected to be all non-2xx; anything else is an error.
        "unexpected": float(bad if target.status < 400 else 0),
        "socket_errors": float(sum(int(g) for g in errors.groups()) if errors else 0),
    }


def measure(active: list[Server], rounds: int, duration: int, warmup: int) -> None:
    pairs = [(s, t) for s in active for t in s.targets]
    for s, t in pairs:
        check(s, t)
        if warmup:
            wrk(s, t, warmup)
    for n in range(rounds):
        order = pairs if n % 2 == 0 else pairs[::-1]
        for i, (s, t) in enumerate(order, 1):
            sample = wrk(s, t, duration)
            s.samples.setdefault(t.label, []).append(sample)
            print(
                f"  round {n + 1}/{rounds} [{i}/{len(order)}] {s.name:24} {t.label:14}"
                f" {sample['rps']:>10,.0f} req/s",
                flush=True,
            )


# -- reporting -----------------------------------------------------------------------


def median_rps(server: Server, label: str) -> float:
    return statistics.median(x["rps"] for x in server.samples[label])


def summarize(active: list[Server]) -> dict[str, object]:
    ref = median_rps(active[0], active[0].targets[0].label)
    rows = []
    for s in active:
        for t in s.targets:
            rates = [x["rps"] for x in s.samples[t.label]]
            med = statistics.median(rates)
            rows.append(
                {
                    "server": s.name,
                    "target": t.label,
                    "path": t.path,
                    "rps": med,
                    "min": min(rates),
                    "max": max(rates),
                    "rounds": rates,
                    "ratio": med / ref,
                    "unexpected": sum(x["unexpected"] for x in s.samples[t.label]),
                    "socket_errors": sum(x["socket_errors"] for x in s.samples[t.label]),
                }
            )
    htaccess = {
        s.name: median_rps(s, HTPAIR[0].label) / median_rps(s, HTPAIR[1].label)
        for s in active
        if HTPAIR[0] in s.targets
    }
    by_name = {s.name: s for s in active}
    rules = {}
    if "apachemw ASGI + 200 rules" in by_name and "apachemw ASGI" in by_name:
        rules["apachemw ASGI"] = median_rps(
            by_name["apachemw ASGI + 200 rules"], FILES[0].label
        ) / median_rps(by_name["apachemw ASGI"], FILES[0].label)
    return {
        "reference_rps": ref,
        "rows": rows,
        "htaccess_3_over_none": htaccess,
        "rules_200_over_none": rules,
    }


def print_table(summary: dict[str, object]) -> None:
    rows = summary["rows"]
    assert isinstance(rows, list)
    print(f"\n{'server':26} {'target':14} {'req/s':>10} {'min-max':>17} {'vs bare':>8}")
    print("-" * 79)
    for r in rows:
        spread = f"{r['min']:,.0f}-{r['max']:,.0f}"
        flag = "  (errors!)" if r["unexpected"] or r["socket_errors"] else ""
        print(
            f"{r['server']:26} {r['target']:14} {r['rps']:>10,.0f} {spread:>17}"
            f" {r['ratio']:>8.3f}{flag}"
        )
    print("\n.htaccess at 3 nested levels (AllowOverride All) / none (AllowOverride None):")
    ht = summary["htaccess_3_over_none"]
    assert isinstance(ht, dict)
    for name, ratio in ht.items():
        print(f"  {name:24} {ratio:.3f}")
    print(f"  note: {HTACCESS_NOTE}")
    rules = summary.get("rules_200_over_none") or {}
    assert isinstance(rules, dict)
    if rules:
        print("\n200 non-matching server-context RewriteRules / none, 2 KB file:")
        for name, ratio in rules.items():
            print(f"  {name:24} {ratio:.3f}")


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for dist in (
        "apachemw",
        "uvicorn",
        "uvloop",
        "httptools",
        "starlette",
        "servestatic",
        "whitenoise",
        "a2wsgi",
    ):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = "absent"
    for tool, args in (("apache2", ["-v"]), ("nginx", ["-v"]), ("wrk", ["-v"])):
        if shutil.which(tool):
            done = subprocess.run([tool, *args], capture_output=True, text=True)
            found[tool] = (done.stdout + done.stderr).strip().splitlines()[0]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    )
    found["git"] = commit.stdout.strip()
    return found


def write_json(args: argparse.Namespace, summary: dict[str, object], started: float) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(started))
    path = RESULTS / f"{stamp}.json"
    data = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "seconds": round(time.time() - started, 1),
        "method": {
            "duration": args.duration,
            "rounds": args.rounds,
            "warmup": args.warmup,
            "wrk": "taskset -c 1 wrk -t1 -c32",
            "server_cpu": SERVER_CPU,
            "cpus": os.cpu_count(),
        },
        "versions": versions(),
        "htaccess_note": HTACCESS_NOTE,
        **summary,
    }
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--quick", action="store_true", help="smoke run: 2 s, 1 round, no warmup")
    p.add_argument("--duration", type=int, default=5, help="seconds per wrk run (default 5)")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    p.add_argument("--warmup", type=int, default=1, help="seconds of wrk per target first")
    p.add_argument(
        "--only",
        action="append",
        default=[],
        help="measure only servers whose name contains this (repeatable); bare uvicorn always runs",
    )
    args = p.parse_args(argv)
    if args.quick:
        args.duration, args.rounds, args.warmup = 2, 1, 0
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for tool in ("wrk", "taskset", "apache2"):
        if shutil.which(tool) is None:
            sys.exit(f"benchmarks.run needs {tool} on PATH")
    started = time.time()
    chosen = servers(with_nginx=shutil.which("nginx") is not None)
    if args.only:
        chosen = [chosen[0]] + [
            s for s in chosen[1:] if any(o.lower() in s.name.lower() for o in args.only)
        ]
    doc = make_docroot()
    print(
        f"docroot {doc.root}; {args.rounds} round(s) of {args.duration} s per target; "
        f"{sum(len(s.targets) for s in chosen)} targets"
    )
    try:
        with ExitStack() as stack:
            # SIGTERM (e.g. a CI timeout) unwinds like Ctrl-C, so servers are stopped.
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
            active = [stack.enter_context(running(s, doc)) for s in chosen]
            measure(active, args.rounds, args.duration, args.warmup)
    finally:
        doc.cleanup()
    summary = summarize(active)
    print_table(summary)
    print(f"\nresults: {write_json(args, summary, started)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

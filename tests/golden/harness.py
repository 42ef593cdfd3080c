"""Shared pieces of the golden suites: the Case record, raw-request builder, config header,
site preparation (copy, fixed mtimes, permissions) and suite discovery.

Used both by the recorder (live apache2) and by the replay test (apachemw), so that the
tree and the httpd.conf the middleware reads are byte-for-byte what Apache read.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import shutil
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

__all__ = [
    "BASE_MTIME_NS",
    "HERE",
    "Case",
    "build_site",
    "etag",
    "header",
    "http_date",
    "load_suites",
    "mtime_ns",
    "request",
    "set_mtimes",
]

HERE = Path(__file__).resolve().parent
SITES = HERE / "sites"
EMPTY_DIRS = ".empty-dirs"

# 2024-01-02 03:04:05.123456 UTC; every path gets this plus a per-path offset (below).
BASE_MTIME_NS = 1_704_164_645_123_456_000

# Modules every suite gets; suites add their own on top.
BASE_MODULES = ("mpm_event", "authz_core", "mime")

Header = tuple[str | bytes, str | bytes]


@dataclass(frozen=True)
class Case:
    """One raw request and what it is about (cite security.md row ids in `note`)."""

    name: str
    raw: bytes
    note: str
    # The local address the request is sent to (IP-based virtual hosts); the suite's
    # config must Listen on it too. Any 127.x.y.z address reaches loopback.
    address: str = "127.0.0.1"
    # A body that changes with every answer (server-status figures, times): compared on
    # status and headers only; Content-Length and the logged size by shape.
    volatile_body: bool = False


def _b(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("latin-1")


def get_case(
    name: str,
    target: str,
    note: str,
    headers: list[tuple[str, str]] | None = None,
    method: str = "GET",
) -> Case:
    """One recorded request, most suites' common shape."""
    return Case(name, request(method, target, headers or []), note)


def open_docroot(h: str) -> str:
    """DocumentRoot ``h``, open to everyone: the common start of a suite's own part."""
    return f"DocumentRoot {h}\n<Directory {h}>\n    Require all granted\n</Directory>\n"


def with_log_format(conf: str, log_format: str) -> str:
    """``conf`` (from header()) with its LogFormat line replaced by ``log_format``."""
    start = conf.index("LogFormat")
    return conf[:start] + log_format + conf[conf.index("\n", start) :]


def request(
    method: str | bytes,
    target: str | bytes,
    headers: Iterable[Header] = (),
    body: bytes = b"",
    *,
    host: str | bytes | None = "localhost",
    version: str | bytes = "HTTP/1.1",
    close: bool = True,
) -> bytes:
    """Build a raw HTTP/1.x request; Host first, Connection: close last, CRLF endings.

    A Content-Length is added for a non-empty body unless the caller framed it already.
    """
    lines = [_b(method) + b" " + _b(target) + b" " + _b(version)]
    if host is not None:
        lines.append(b"Host: " + _b(host))
    names = set()
    for name, value in headers:
        names.add(_b(name).lower())
        lines.append(_b(name) + b": " + _b(value))
    if body and not names & {b"content-length", b"transfer-encoding"}:
        lines.append(b"Content-Length: " + str(len(body)).encode())
    if close:
        lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def header(root: str, port: int, modules: Sequence[str] = ()) -> str:
    """The common start of every suite's httpd.conf (see the brief's fixed list)."""
    loads = "\n".join(
        f"LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so"
        for m in dict.fromkeys((*BASE_MODULES, *modules))
    )
    return f"""\
ServerRoot {root}
DefaultRuntimeDir {root}/run
Listen 127.0.0.1:{port}
ServerName localhost
PidFile {root}/run/httpd.pid
Mutex file:{root}/run default
ErrorLog {root}/logs/error.log
LogLevel warn
User www-data
Group www-data
{loads}
TypesConfig /etc/mime.types
LogFormat "%h %l %u %t \\"%r\\" %>s %b \\"%{{Referer}}i\\" \\"%{{User-Agent}}i\\"" combined
CustomLog {root}/logs/access.log combined
<Directory />
    AllowOverride None
    Require all denied
</Directory>
"""


def _offset_ns(rel: str) -> int:
    # Stable per path (adding a file never shifts the others' ETags), whole seconds
    # so Last-Modified and ETag move together.
    return (zlib.crc32(rel.encode()) % 1_000_000) * 1_000_000_000


def set_mtimes(root: str, subdirs: Sequence[str] = ()) -> None:
    """Give every path under `root` (or only `subdirs` of it) a fixed, per-path mtime."""
    top = Path(root)
    starts = [top / s for s in subdirs] if subdirs else [top]
    paths: list[Path] = []
    for start in starts:
        if not start.exists() and not start.is_symlink():
            continue
        paths.append(start)
        for dirpath, dirnames, filenames in os.walk(start):
            paths.extend(Path(dirpath) / n for n in (*dirnames, *filenames))
    # Deepest first, so setting a child never happens after its parent was stamped.
    for path in sorted(paths, key=lambda p: len(p.parts), reverse=True):
        rel = path.relative_to(top).as_posix()
        ns = BASE_MTIME_NS + _offset_ns(rel)
        os.utime(path, ns=(ns, ns), follow_symlinks=False)


def _fix_modes(root: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() else 0o644)


def build_site(suite: ModuleType, root: str, port: int) -> str:
    """Copy the suite's committed tree into `root`, run prepare(), write httpd.conf.

    Returns the path of the written httpd.conf.
    """
    top = Path(root)
    src = SITES / suite.NAME
    if src.is_dir():
        shutil.copytree(
            src,
            top,
            symlinks=True,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(EMPTY_DIRS),
        )
        # git keeps no empty directories; the suite lists the ones it needs.
        manifest = src / EMPTY_DIRS
        if manifest.exists():
            for rel in manifest.read_text().split():
                (top / rel).mkdir(parents=True, exist_ok=True)
    for sub in ("htdocs", "logs", "run"):
        (top / sub).mkdir(parents=True, exist_ok=True)
    # Lay the tree out with open permissions first so www-data can traverse it; the
    # suite may then tighten individual modes and must stamp mtimes last.
    _fix_modes(top)
    suite.prepare(root)
    conf = top / "httpd.conf"
    conf.write_text(suite.conf(root, port))
    (top / "logs" / "access.log").touch()
    (top / "logs" / "error.log").touch()
    return str(conf)


def load_suites(only: str | None = None) -> list[ModuleType]:
    """Import every module of the `suites` package (sorted), or just the one named."""
    pkg = importlib.import_module(f"{__package__}.suites")
    mods = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
        if only is None or only == mod.NAME:
            mods.append(mod)
    if only is not None and not mods:
        raise SystemExit(f"no golden suite named {only!r}")
    return mods


def mtime_ns(rel: str) -> int:
    """The mtime set_mtimes() gives `rel` (a path relative to the suite root)."""
    return BASE_MTIME_NS + _offset_ns(rel)


def etag(rel: str, size: int) -> str:
    """Apache's default FileETag (MTime Size): "<size hex>-<mtime in µs, hex>"."""
    return f'"{size:x}-{mtime_ns(rel) // 1000:x}"'


def http_date(rel: str, delta: int = 0) -> str:
    """IMF-fixdate of `rel`'s mtime (whole seconds) shifted by `delta` seconds."""
    from email.utils import formatdate

    return formatdate(mtime_ns(rel) // 1_000_000_000 + delta, usegmt=True)

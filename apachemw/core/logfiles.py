"""Where log lines go: files, the standard streams and piped programs, as Apache opens them.

One writer per destination and process (``open_log``), shared by every CustomLog,
TransferLog, GlobalLog and ErrorLog that names it, so lines from all of them interleave
whole. Every line goes out in one ``os.write`` on an ``O_APPEND`` descriptor (Apache's
ap_default_log_writer concatenates the items for the same reason: one write is atomic
between processes); with BufferedLogs whole lines are gathered up to PIPE_BUF bytes and
written together, never a line in two writes.

A file moved away by logrotate is noticed (the path names another inode, or none) at most
once every ``REOPEN_CHECK`` seconds and reopened; Apache needs a graceful restart for this,
a Python worker has none. A piped program (``|prog``, ``||prog``, ``|$shell command``) is
started on the first line a process writes, restarted if it dies (Apache's
piped_log_maintenance, AH00106), and its stdin closed when the process exits.
"""

from __future__ import annotations

import atexit
import errno
import os
import shlex
import subprocess
import sys
import threading
import time
from collections.abc import Callable

__all__ = [
    "PIPE_BUF",
    "REOPEN_CHECK",
    "LogWriter",
    "close_all",
    "flush_all",
    "open_log",
    "resolve_path",
]

# Apache's LOG_BUFSIZE: POSIX PIPE_BUF, the size up to which a pipe write is atomic.
PIPE_BUF = 4096
# How often (seconds) a file log checks that its path still names the open file.
REOPEN_CHECK = 1.0

Notify = Callable[[str], None]


class LogWriter:
    """A destination for whole lines (bytes ending in a newline)."""

    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Write out anything buffered (BufferedLogs)."""

    def close(self) -> None:
        self.flush()


class StreamLog(LogWriter):
    """stdout or stderr (``/dev/stdout``, ``/dev/stderr``): the process's own descriptor,
    so a container's log collector sees the lines."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def write(self, data: bytes) -> None:
        _write_all(self.fd, data)


class FileLog(LogWriter):
    """A file opened for appending (Apache: APR_WRITE|APR_APPEND|APR_CREATE), reopened when
    rotation moved it away."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._fd = -1
        self._checked = 0.0

    def _open(self) -> int:
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
        self._checked = time.monotonic()
        return self._fd

    def _current(self) -> int:
        fd = self._fd
        if fd < 0:
            return self._open()
        now = time.monotonic()
        if now - self._checked < REOPEN_CHECK:
            return fd
        self._checked = now
        if not self._moved(fd):
            return fd
        os.close(fd)
        return self._open()

    def _moved(self, fd: int) -> bool:
        try:
            named = os.stat(self.path)
        except FileNotFoundError:
            return True
        held = os.fstat(fd)
        return (named.st_ino, named.st_dev) != (held.st_ino, held.st_dev)

    def write(self, data: bytes) -> None:
        # The write stays under the lock: a reopen in another thread closes the old
        # descriptor, whose number the system may hand to any file or socket next.
        with self._lock:
            _write_all(self._current(), data)

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1


class PipeLog(LogWriter):
    """A piped logger: the program's stdin gets the lines."""

    def __init__(self, spec: str, notify: Notify | None = None) -> None:
        self.spec = spec
        self.argv = _program_argv(spec)
        self.notify = notify
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def _spawn(self) -> subprocess.Popen[bytes]:
        # The logger inherits stdout/stderr (Apache gives it the server's); its stdin is
        # ours to write and to close at exit.
        self._proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, close_fds=True)
        return self._proc

    def _running(self) -> subprocess.Popen[bytes]:
        proc = self._proc
        if proc is None:
            return self._spawn()
        if proc.poll() is not None:
            self._died(proc)
            return self._spawn()
        return proc

    def _died(self, proc: subprocess.Popen[bytes]) -> None:
        if proc.stdin is not None:
            proc.stdin.close()
        if self.notify is not None:
            self.notify(f"AH00106: piped log program '{self.spec[1:]}' failed unexpectedly")

    def write(self, data: bytes) -> None:
        with self._lock:
            proc = self._running()
            assert proc.stdin is not None
            try:
                _write_all(proc.stdin.fileno(), data)
            except BrokenPipeError:
                # Died since poll(): start it again and give it this line.
                proc.wait()
                self._died(proc)
                proc = self._spawn()
                assert proc.stdin is not None
                _write_all(proc.stdin.fileno(), data)

    def close(self) -> None:
        with self._lock:
            proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()  # EOF: the logger writes out what it has and exits
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait()


class BufferedLog(LogWriter):
    """BufferedLogs On: lines gathered until the next would not fit in PIPE_BUF bytes,
    then written at once; a line of PIPE_BUF bytes or more goes out on its own."""

    def __init__(self, inner: LogWriter) -> None:
        self.inner = inner
        self._buf = bytearray()
        self._lock = threading.Lock()

    def write(self, data: bytes) -> None:
        with self._lock:
            if len(data) + len(self._buf) > PIPE_BUF:
                self._flush_locked()
            if len(data) >= PIPE_BUF:
                self.inner.write(data)
            else:
                self._buf += data

    def _flush_locked(self) -> None:
        if self._buf:
            data = bytes(self._buf)
            self._buf.clear()
            self.inner.write(data)

    def flush(self) -> None:
        with self._lock:
            self._flush_locked()

    def close(self) -> None:
        self.flush()
        self.inner.close()


def _write_all(fd: int, data: bytes) -> None:
    """One write for the whole line; a short write (a full disk, a signal) is finished
    rather than dropped, as apr_file_write_full does."""
    view = memoryview(data)
    while view:
        try:
            done = os.write(fd, view)
        except InterruptedError:
            continue
        if done <= 0:
            raise OSError(errno.EIO, "short write to log")
        view = view[done:]


def _program_argv(spec: str) -> list[str]:
    """``|prog args`` and ``||prog args`` run the program itself (APR_PROGRAM_ENV, words
    split as apr_tokenize_to_argv does); ``|$command`` runs it through the shell."""
    program = spec[1:]
    if program.startswith("|"):
        program = program[1:]
    if program.startswith("$"):
        return ["/bin/sh", "-c", program[1:]]
    return shlex.split(program)


def resolve_path(name: str, server_root: str) -> str:
    """ap_server_root_relative: a relative path is taken from ServerRoot."""
    return name if os.path.isabs(name) else os.path.join(server_root, name)


_STREAMS = {"/dev/stdout": 1, "/dev/stderr": 2}
_OPEN: dict[tuple[str, bool], LogWriter] = {}
_OPEN_LOCK = threading.Lock()


def open_log(
    name: str, server_root: str, *, buffered: bool = False, notify: Notify | None = None
) -> LogWriter:
    """The writer for a CustomLog/ErrorLog target, shared by every directive naming it."""
    target = name if name.startswith("|") else resolve_path(name, server_root)
    key = (target, buffered)
    writer = _OPEN.get(key)
    if writer is not None:
        return writer
    with _OPEN_LOCK:
        writer = _OPEN.get(key)
        if writer is None:
            writer = _make(target, notify)
            if buffered:
                writer = BufferedLog(writer)
            _OPEN[key] = writer
    return writer


def _make(target: str, notify: Notify | None) -> LogWriter:
    if target.startswith("|"):
        return PipeLog(target, notify)
    if target in _STREAMS:
        return StreamLog(_STREAMS[target])
    return FileLog(target)


def flush_all() -> None:
    """Write out every BufferedLogs buffer (Apache's flush_all_logs at child exit)."""
    for writer in list(_OPEN.values()):
        try:
            writer.flush()
        except OSError as exc:
            sys.stderr.write(f"apachemw: flushing a log failed: {exc}\n")


def close_all() -> None:
    """Flush and close every log this process opened; piped programs get EOF."""
    with _OPEN_LOCK:
        writers = list(_OPEN.values())
        _OPEN.clear()
    for writer in writers:
        try:
            writer.close()
        except OSError as exc:
            sys.stderr.write(f"apachemw: closing a log failed: {exc}\n")


atexit.register(close_all)

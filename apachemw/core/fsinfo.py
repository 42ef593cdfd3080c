"""What the filesystem says about a path, for the many places that only ask whether it
is there.

A path from a request or a configuration may hold a NUL byte (``os.stat`` raises
ValueError) or be unreachable in many ways (OSError); each counts as "not there",
as a failed ``apr_stat`` does in Apache.
"""

from __future__ import annotations

import os

__all__ = ["exists", "fsinfo_ident", "stat_or_none"]


def stat_or_none(path: str, *, follow: bool = True) -> os.stat_result | None:
    """``os.stat`` (``os.lstat`` without ``follow``), or None when it fails."""
    try:
        return os.stat(path) if follow else os.lstat(path)
    except (OSError, ValueError):
        return None


def exists(path: str) -> bool:
    """Whether ``stat_or_none`` finds ``path``."""
    return stat_or_none(path) is not None


def fsinfo_ident(info: os.stat_result | None) -> tuple[int, int, int] | None:
    """What tells one version of a file from another (mtime, size, inode), as the
    static-answer memo compares them (core.memo); None for a missing file."""
    return None if info is None else (info.st_mtime_ns, info.st_size, info.st_ino)

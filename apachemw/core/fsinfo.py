"""What the filesystem says about a path, for the many places that only ask whether it
is there.

A path from a request or a configuration may hold a NUL byte (``os.stat`` raises
ValueError) or be unreachable in many ways (OSError); each counts as "not there",
as a failed ``apr_stat`` does in Apache.
"""

from __future__ import annotations

import os

__all__ = ["Ident", "exists", "fsinfo_ident", "stat_or_none"]

# What tells one version of a file from another: (mtime_ns, size, inode, ctime_ns). The
# ctime shows a chmod, which changes whether the file can be read (Apache: 403).
Ident = tuple[int, int, int, int]


def stat_or_none(path: str, *, follow: bool = True) -> os.stat_result | None:
    """``os.stat`` (``os.lstat`` without ``follow``), or None when it fails."""
    try:
        return os.stat(path) if follow else os.lstat(path)
    except (OSError, ValueError):
        return None


def exists(path: str) -> bool:
    """Whether ``stat_or_none`` finds ``path``."""
    return stat_or_none(path) is not None


def fsinfo_ident(info: os.stat_result | None) -> Ident | None:
    """The file's Ident, as the caches and the static-answer memo compare them; None
    for a missing file."""
    if info is None:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino, info.st_ctime_ns)

"""The directory, file and location walks (server/request.c).

``directory_walk`` goes down ``r.filename`` one segment at a time from ``/``,
merging the ``<Directory>`` sections of each depth and then that directory's
``.htaccess``, checking symlinks as ``Options`` allows, and splitting off
``path_info`` where the filesystem path ends. Regex directory sections, then
``<Files>``, then ``<Location>`` are merged on top, in Apache's order.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from typing import Any

from apachemw.config.htaccess import HtaccessError
from apachemw.config.model import DirConf, Section
from apachemw.core.fsinfo import Ident, fsinfo_ident, stat_or_none
from apachemw.core.request import OK, Request
from apachemw.core.trace import record
from apachemw.modules.core import OPT_SYM_LINKS, OPT_SYM_OWNER, OPT_UNSET, CoreDir

__all__ = ["directory_walk", "file_walk", "location_walk"]


class _Opts:
    """The running Options/AllowOverride state (``core_opts_t``)."""

    __slots__ = ("add", "opts", "override", "override_list", "override_opts", "remove")

    def __init__(self, core: CoreDir) -> None:
        self.opts = core.opts
        self.add = core.opts_add
        self.remove = core.opts_remove
        self.override = core.override
        self.override_opts = core.override_opts
        self.override_list = core.override_list or frozenset()

    def merge(self, core: CoreDir | None) -> None:
        """core_opts_merge: how one more section changes the walk's options."""
        if core is None:
            return
        if core.opts & OPT_UNSET:
            self.add = (self.add & ~core.opts_remove) | core.opts_add
            self.remove = (self.remove & ~core.opts_add) | core.opts_remove
            self.opts = (self.opts & ~self.remove) | self.add
        else:
            self.opts, self.add, self.remove = core.opts, core.opts_add, core.opts_remove
        if not core.override & 32:  # OR_UNSET
            self.override = core.override
            self.override_opts = core.override_opts
        if core.override_list is not None:
            self.override_list = core.override_list


def _merge(r: Request, merged: DirConf, section: Section, applied: list[Section]) -> DirConf:
    applied.append(section)
    record(
        r,
        "section",
        kind=section.kind,
        pattern=section.pattern,
        at=f"{section.file}:{section.line}" if section.line else section.file,
    )
    result: DirConf = r.site.merge_cached(merged, tuple(applied), section)
    return result


class _Walked:
    """A finished walk, reusable while every .htaccess it looked for is unchanged."""

    __slots__ = ("checks", "filename", "path_info", "per_dir")

    def __init__(
        self,
        filename: str,
        path_info: str,
        per_dir: DirConf,
        checks: list[tuple[str, Ident | None]],
    ) -> None:
        self.filename = filename
        self.path_info = path_info
        self.per_dir = per_dir
        self.checks = checks


def _identity(path: str) -> Ident | bool | None:
    """The path's Ident (core.fsinfo), None if it does not exist, False on error."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return False
    return fsinfo_ident(st)


def directory_walk(r: Request) -> int:
    """Merge <Directory> sections and .htaccess files along ``r.filename``.

    Apache walks every request from "/". When the whole path exists and
    symlinks need no checking, the walk's result depends only on the sections
    (fixed) and on which .htaccess files exist and what they say, so it is
    kept and reused while a stat of each .htaccess candidate says the same.
    """
    if r.filename is None or not r.filename.startswith("/"):
        r.per_dir = r.server.defaults
        return OK
    full = r.filename + r.path_info
    r.finfo = stat_or_none(full)
    key = (id(r.server), full)
    # A traced request (apachemw explain, apachemw.testing) walks again, so the trace
    # names every section and .htaccess file the answer came from.
    if r.finfo is not None and r.incoming.trace is None:
        walked: _Walked | None = r.site.walk_cache.get(key)
        if walked is not None and all(_identity(p) == i for p, i in walked.checks):
            r.filename, r.path_info, r.per_dir = walked.filename, walked.path_info, walked.per_dir
            r.walk_checks = walked.checks
            return OK
    trace = _Trace(reusable=r.finfo is not None)
    status = _walk(r, full, trace)
    if status == OK and trace.reusable and r.filename is not None:
        r.site.remember_walk(key, _Walked(r.filename, r.path_info, r.per_dir, trace.checks))
        r.walk_checks = trace.checks
    return status


class _Trace:
    """What a walk looked at, and whether its result can be reused."""

    __slots__ = ("checks", "reusable")

    def __init__(self, reusable: bool) -> None:
        self.reusable = reusable
        self.checks: list[tuple[str, Ident | None]] = []


def _walk(r: Request, full: str, trace: _Trace) -> int:
    """ap_directory_walk proper; ``trace`` collects what makes it reusable."""
    server = r.server
    merged: DirConf = server.defaults
    applied: list[Section] = []
    opts = _Opts(merged["core"])
    segments = [p for p in full.split("/") if p]
    plain = server.plain_dir_sections
    filename = "/"
    depth = consumed = index = 0
    is_dir = True
    this: os.stat_result | None = None
    while True:
        test_dir = filename if filename.endswith("/") else filename + "/"
        while index < len(plain) and plain[index].components <= depth + 1:
            section = plain[index]
            index += 1
            if section.components and (
                section.components < depth + 1 or not _dir_matches(section, test_dir)
            ):
                continue
            opts.merge(section.conf.get("core"))
            merged = _merge(r, merged, section, applied)
        if is_dir and (opts.override or opts.override_list):
            if trace.reusable:
                trace.checks.extend(_candidates(r, test_dir))
            found = _htaccess(r, test_dir, opts)
            if isinstance(found, int):
                # Apache fails the walk with r->filename at the directory being read
                # (recorded: %f logs ".../ht/" for a bad .htaccess there).
                r.filename = test_dir
                return found
            if found is not None:
                if found.file in r.site.htaccess.warned:
                    trace.reusable = False  # Nonfatal warnings are logged every request
                opts.merge(found.conf.get("core"))
                merged = _merge(r, merged, found, applied)
        if consumed == len(segments):
            break
        filename = test_dir + segments[consumed]
        consumed += 1
        step = _step(r, filename, opts, consumed == len(segments))
        if isinstance(step, int):
            return step
        this = step
        if step is not _DIR_INFO:
            trace.reusable = False  # a real lstat happened: symlinks are checked per request
        if step is None or not stat.S_ISDIR(step.st_mode):
            break
        is_dir = step is not _DIR_INFO or consumed < len(segments) or _is_dir(r.finfo)
        depth += 1
    rest = segments[consumed:]
    trailing = full.endswith("/") and filename != "/"
    ended_in_dir = (this is None and r.finfo is not None) or (
        this is not None and stat.S_ISDIR(this.st_mode)
    )
    if rest or (trailing and not ended_in_dir):
        # The walk stopped at a file or a missing name: the rest is path_info.
        r.path_info = "/" + "/".join(rest) + ("/" if trailing and rest else "")
    else:
        r.path_info = ""
        if trailing:
            filename += "/"
    r.filename = filename
    if r.finfo is None:
        r.finfo = this if this is not _DIR_INFO else None
    for section in server.regex_dir_sections:
        if section.regex.search(r.filename):
            opts.merge(section.conf.get("core"))
            merged = _merge(r, merged, section, applied)
    r.per_dir = merged
    return OK


def _candidates(r: Request, directory: str) -> list[tuple[str, Ident | None]]:
    out: list[tuple[str, Ident | None]] = []
    for name in r.server.get("core").access_names or (".htaccess",):
        ident = _identity(directory + name)
        # An unreadable candidate never compares equal again: no reuse.
        out.append(
            (
                directory + name,
                ident if isinstance(ident, tuple) or ident is None else (-1, -1, -1, -1),
            )
        )
    return out


def _is_dir(info: os.stat_result | None) -> bool:
    return info is not None and stat.S_ISDIR(info.st_mode)


def _dir_matches(section: Section, test_dir: str) -> bool:
    if section.fnmatch:
        return fnmatch.fnmatchcase(test_dir, section.pattern) and _fn_pathname(
            test_dir, section.pattern
        )
    return test_dir == section.pattern


def _fn_pathname(path: str, pattern: str) -> bool:
    # APR_FNM_PATHNAME: a wildcard never matches '/', so the slash counts agree.
    return path.count("/") == pattern.count("/")


def _step(r: Request, filename: str, opts: _Opts, last: bool) -> os.stat_result | int | None:
    """lstat one more path segment as ap_directory_walk does, checking symlinks."""
    if r.finfo is not None and (opts.opts & (OPT_SYM_OWNER | OPT_SYM_LINKS)) == OPT_SYM_LINKS:
        # Apache skips the per-segment lstat when the whole path exists and
        # symlinks are followed without an owner check; mimic what it assumes.
        return _DIR_INFO
    try:
        info = os.lstat(filename)
    except FileNotFoundError:
        return None
    except PermissionError:
        r.site.log_error(
            r,
            "error",
            "core",
            f"AH00035: access to {r.uri} denied (filesystem path '{filename}') because "
            "search permissions are missing on a component of the path",
        )
        return 403
    except (OSError, ValueError) as exc:
        r.site.log_error(
            r,
            "error",
            "core",
            f"AH00036: access to {r.uri} failed (filesystem path '{filename}')",
            exc if isinstance(exc, OSError) else None,
        )
        return 403
    if stat.S_ISLNK(info.st_mode):
        target = _resolve_symlink(filename, info, opts.opts)
        if target is None:
            r.site.log_error(
                r,
                "error",
                "core",
                f"AH00037: Symbolic link not allowed or link target not accessible: {filename}",
            )
            return 403
        info = target
    if stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode):
        return info
    r.site.log_error(
        r,
        "error",
        "core",
        f"AH00038: Forbidden: {filename} doesn't point to a file or directory",
    )
    return 403


_DIR_INFO = os.stat_result((stat.S_IFDIR | 0o755, 0, 0, 0, 0, 0, 0, 0, 0, 0))


def _resolve_symlink(path: str, link: os.stat_result, opts: int) -> os.stat_result | None:
    """resolve_symlink: follow only when Options allow it (owner check optional)."""
    if not opts & (OPT_SYM_LINKS | OPT_SYM_OWNER):
        return None
    try:
        target = os.stat(path)
    except (OSError, ValueError):
        return None
    if not opts & OPT_SYM_LINKS and target.st_uid != link.st_uid:
        return None
    return target


def _htaccess(r: Request, directory: str, opts: _Opts) -> Section | int | None:
    site = r.site
    names = r.server.get("core").access_names or (".htaccess",)
    try:
        found = site.htaccess.find(
            directory,
            names,
            opts.override,
            opts.override_opts,
            opts.override_list,
            may_read=r.may_block,
        )
    except HtaccessError as exc:
        level = "crit" if exc.status == 403 else "alert"
        site.log_error(r, level, "core", exc.log)
        return exc.status
    if found is None:
        return None
    for warning in found.warnings:
        site.log_error(None, "warn", "core", warning)  # ap_log_perror: no client
    section: Section = found.section
    return section


def file_walk(r: Request) -> int:
    """Merge <Files>/<FilesMatch> sections matching the last path segment."""
    core: CoreDir = r.per_dir["core"]
    if not core.file_sections or r.filename is None:
        return OK
    test = r.filename.rsplit("/", 1)[-1]
    merged = r.per_dir
    applied: list[Section] = [_marker(r)]
    for section in core.file_sections:
        if section.regex is not None:
            if not section.regex.search(test):
                continue
        elif section.fnmatch:
            if not fnmatch.fnmatchcase(test, section.pattern) or "/" in test:
                continue
        elif test != section.pattern:
            continue
        merged = _merge(r, merged, section, applied)
    r.per_dir = merged
    return OK


def _marker(r: Request) -> Any:
    """A stand-in for "the config so far" in merge cache keys."""
    return r.site.config_marker(r.per_dir)


def location_walk(r: Request) -> int:
    """Merge <Location>/<LocationMatch> sections matching ``r.uri``."""
    sections: list[Section] = r.server.url_sections
    if not sections:
        return OK
    uri = r.uri if r.server.get("core").merge_slashes is not False else _no2slash(r.uri)
    merged = r.per_dir
    applied: list[Section] = [_marker(r)]
    for section in sections:
        if section.regex is not None:
            if not section.regex.search(r.uri):
                continue
        elif section.fnmatch:
            if not (
                fnmatch.fnmatchcase(uri, section.pattern) and _fn_pathname(uri, section.pattern)
            ):
                continue
        elif not _location_prefix(section.pattern, uri):
            continue
        merged = _merge(r, merged, section, applied)
    r.per_dir = merged
    return OK


def if_walk(r: Request) -> int:
    """ap_if_walk: merge the <If>/<ElseIf>/<Else> sections whose chain picks them, in
    order, then the <If>s nested in what was merged."""
    core: CoreDir = r.per_dir["core"]
    sections = core.if_sections
    while sections:
        r.eventful = True  # the answer depends on the expressions (core.memo)
        chosen = _chosen_if_sections(r, sections)
        if not chosen:
            return OK
        merged = r.per_dir
        applied: list[Section] = [_marker(r)]
        for section in chosen:
            merged = _merge(r, merged, section, applied)
        r.per_dir = merged
        nested = [c.conf["core"].if_sections for c in chosen if "core" in c.conf]
        sections = [s for found in nested for s in found or ()]
    return OK


def _chosen_if_sections(r: Request, sections: list[Section]) -> list[Section]:
    from apachemw.core.exprvars import execute

    chosen: list[Section] = []
    previous: bool | None = None
    for section in sections:
        if section.ifelse in ("elseif", "else") and previous:
            continue
        if section.ifelse in ("if", "elseif"):
            result = execute(r, section.condition, f"{section.file}:{section.line}")
            if result.error:
                r.site.log_error(
                    r,
                    "error",
                    "core",
                    f"AH00039: Failed to evaluate <If > condition: {result.error}",
                )
            previous = bool(result.value) and not result.error
            if not previous:
                continue
        else:
            previous = None
        chosen.append(section)
    return chosen


def _location_prefix(pattern: str, uri: str) -> bool:
    # Segment-aware: "/foo" matches "/foo", "/foo/x" but not "/foobar".
    if not uri.startswith(pattern):
        return False
    n = len(pattern)
    return not n or pattern.endswith("/") or len(uri) == n or uri[n] == "/"


def _no2slash(uri: str) -> str:
    while "//" in uri:
        uri = uri.replace("//", "/")
    return uri

"""mod_env: SetEnv, UnsetEnv and PassEnv, applied in fixups as Apache applies them.

The variables reach the wrapped app's environment and %{VAR}e. UnsetEnv removes a
variable that SetEnv/PassEnv set in an enclosing section (or before it in the same
one); it does not remove what other modules (SetEnvIf, RewriteRule [E]) set.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from apachemw.config.directives import OR_FILEINFO, Args, Cmd, Module
from apachemw.config.rows import row
from apachemw.core.request import DECLINED, OK, Request

__all__ = ["MODULE", "EnvDir"]


@dataclass
class EnvDir:
    vars: dict[str, str] = field(default_factory=dict)
    unset: list[str] = field(default_factory=list)


def merge_dir(base: EnvDir, add: EnvDir) -> EnvDir:
    """merge_env_dir_configs: the parent's variables, minus add's UnsetEnv, plus add's."""
    merged = {k: v for k, v in base.vars.items() if k not in add.unset}
    merged.update(add.vars)
    return EnvDir(merged, [])


def _warn(cmd: Cmd, message: str) -> None:
    cmd.ctx.site.log_error(None, "warn", "env", message)


def _set_env(cmd: Cmd, args: Sequence[str]) -> None:
    conf: EnvDir = cmd.dir()
    name = args[0]
    if "=" in name:
        first, _, rest = name.partition("=")
        _warn(
            cmd,
            f"AH10032: Spurious usage of '=' in an environment variable name. "
            f"'{cmd.node.name} {first} {rest}' expected instead?",
        )
    conf.vars[name] = args[1] if len(args) > 1 else ""


def _unset_env(cmd: Cmd, args: Sequence[str]) -> None:
    conf: EnvDir = cmd.dir()
    for name in args:
        conf.unset.append(name)
        conf.vars.pop(name, None)


def _pass_env(cmd: Cmd, args: Sequence[str]) -> None:
    conf: EnvDir = cmd.dir()
    for name in args:
        value = os.environ.get(name)
        if value is None:
            _warn(cmd, f"AH01506: PassEnv variable {name} was undefined")
        else:
            conf.vars[name] = value


def fixup_env(r: Request) -> int:
    conf: EnvDir | None = r.per_dir.get("mod_env")
    if conf is None or not conf.vars:
        return DECLINED
    r.subprocess_env.update(conf.vars)
    return OK


MODULE = Module(
    name="mod_env",
    ident="env_module",
    directives=(
        row(
            "PassEnv",
            Args.ITERATE,
            OR_FILEINFO,
            "a list of environment variables to pass to CGI.",
            _pass_env,
        ),
        row(
            "SetEnv",
            Args.TAKE12,
            OR_FILEINFO,
            "an environment variable name and optional value to pass to CGI.",
            _set_env,
        ),
        row(
            "UnsetEnv",
            Args.ITERATE,
            OR_FILEINFO,
            "a list of variables to remove from the CGI environment.",
            _unset_env,
        ),
    ),
    create_dir=EnvDir,
    merge_dir=merge_dir,
    hooks={"fixups": (10, fixup_env)},
)

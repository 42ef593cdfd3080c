"""mod_rewrite: the module row and its hooks (see config.py, engine.py, hooks.py)."""

from __future__ import annotations

from apachemw.config.directives import OR_FILEINFO, RSRC_CONF, Args, Module
from apachemw.config.rows import row
from apachemw.modules.mod_rewrite import config, hooks

__all__ = ["MODULE"]

FI = OR_FILEINFO

MODULE = Module(
    name="mod_rewrite",
    ident="rewrite_module",
    directives=(
        row(
            "RewriteEngine",
            Args.FLAG,
            FI,
            "On or Off to enable or disable (default) the whole rewriting engine",
            config.engine,
        ),
        row("RewriteOptions", Args.ITERATE, FI, "List of option strings to set", config.options),
        row(
            "RewriteBase", Args.TAKE1, FI, "the base URL of the per-directory context", config.base
        ),
        row(
            "RewriteCond",
            Args.RAW_ARGS,
            FI,
            "an input string and a to be applied regexp-pattern",
            config.cond,
        ),
        row(
            "RewriteRule",
            Args.RAW_ARGS,
            FI,
            "an URL-applied regexp-pattern and a substitution URL",
            config.rule,
        ),
        row(
            "RewriteMap",
            Args.TAKE23,
            RSRC_CONF,
            "a mapname and a filename and options",
            config.rewrite_map,
        ),
    ),
    create_dir=config.RewriteDir,
    merge_dir=config.merge_dir,
    create_server=config.RewriteServer,
    merge_server=config.merge_server,
    hooks={
        "translate_name": (0, hooks.hook_uri2file),
        "fixups": (0, hooks.hook_fixup),
        "handler": (10, hooks.handler_redirect),
    },
    # hook_mimetype ([T=], [H=]) runs in fixups at LAST, after mod_dir.
    more_hooks=(("fixups", 21, hooks.hook_mimetype),),
    # hook_uri2file declines when the server config is not the request server's own.
    fresh_in_vhosts=True,
)

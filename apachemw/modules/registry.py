"""Every module apachemw implements, in the order Apache would load them.

The order matters where hooks share a priority: Apache runs same-priority hooks
in module load order, and so does ``core.pipeline.build_hooks``.
"""

from __future__ import annotations

from dataclasses import replace

from apachemw.config.directives import Module
from apachemw.modules import (
    core,
    core_handler,
    mod_access_compat,
    mod_alias,
    mod_apachemw,
    mod_auth_basic,
    mod_authn_core,
    mod_authn_file,
    mod_authz_core,
    mod_authz_groupfile,
    mod_authz_host,
    mod_authz_user,
    mod_autoindex,
    mod_dir,
    mod_env,
    mod_expires,
    mod_headers,
    mod_http2,
    mod_info,
    mod_log_config,
    mod_logio,
    mod_mime,
    mod_mime_magic,
    mod_negotiation,
    mod_remoteip,
    mod_rewrite,
    mod_setenvif,
    mod_status,
    mod_userdir,
    mod_wsgi,
    process,
)

__all__ = ["all_modules"]


def _core_with_hooks() -> Module:
    hooks = dict(core_handler.HOOKS)
    return replace(core.MODULE, hooks=hooks)


def _http_core() -> Module:
    http = next(m for m in process.MODULES if m.name == "http_core")
    phase, hook = core_handler.TRACE_HOOK
    app_phase, app_hook = core_handler.APP_HOOK
    return replace(http, hooks={phase: hook, app_phase: app_hook})


def all_modules() -> list[Module]:
    others = [m for m in process.MODULES if m.name != "http_core"]
    return [
        _core_with_hooks(),
        _http_core(),
        *others,
        mod_log_config.MODULE,
        mod_setenvif.MODULE,
        mod_env.MODULE,
        mod_expires.MODULE,
        mod_headers.MODULE,
        mod_http2.MODULE,
        mod_logio.MODULE,
        mod_remoteip.MODULE,
        mod_mime.MODULE,
        mod_mime_magic.MODULE,
        mod_negotiation.MODULE,
        mod_authn_core.MODULE,
        mod_authn_file.MODULE,
        mod_authz_core.MODULE,
        mod_authz_groupfile.MODULE,
        mod_authz_host.MODULE,
        mod_authz_user.MODULE,
        mod_access_compat.MODULE,
        mod_auth_basic.MODULE,
        mod_alias.MODULE,
        mod_userdir.MODULE,
        mod_dir.MODULE,
        mod_autoindex.MODULE,
        mod_status.MODULE,
        mod_info.MODULE,
        mod_rewrite.MODULE,
        mod_wsgi.MODULE,
        # apachemw's own directives (no Apache counterpart), read last.
        mod_apachemw.MODULE,
    ]

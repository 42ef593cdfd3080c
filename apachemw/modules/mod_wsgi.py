"""mod_wsgi's configuration surface, so a site written for Apache + mod_wsgi runs
unchanged: ``WSGIScriptAlias URL-path file`` mounts the wrapped application there.

The script file is not imported: the application apachemw wraps *is* the one the
file would have created. As with mod_wsgi, the app sees the mount point as
``SCRIPT_NAME`` (ASGI ``root_path``) and the rest as ``PATH_INFO``. The daemon and
interpreter directives only configure mod_wsgi's process model, which uvicorn
replaces; they are read, checked for their argument count, and have no effect.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from apachemw.config.directives import (
    ACCESS_CONF,
    OR_AUTHCFG,
    OR_FILEINFO,
    RSRC_CONF,
    Args,
    Cmd,
    DirectiveError,
    Module,
)
from apachemw.config.rows import accepted, row
from apachemw.core.request import DECLINED, OK, Request
from apachemw.errors import ApacheMWError
from apachemw.modules.core_handler import APP_HANDLER
from apachemw.modules.mod_alias import alias_matches

if TYPE_CHECKING:
    from apachemw.config.site import Site

__all__ = ["MODULE", "load_script", "script_files"]


@dataclass
class WsgiDir:
    """mod_wsgi's per-directory settings; only WSGIPassAuthorization acts here."""

    pass_authorization: bool | None = None  # None: not set here (Off)


def merge_dir(base: WsgiDir, add: WsgiDir) -> WsgiDir:
    keep = add.pass_authorization
    return WsgiDir(base.pass_authorization if keep is None else keep)


def _pass_authorization(cmd: Cmd, args: Sequence[str]) -> None:
    value = args[0].lower()
    if value not in ("on", "off"):
        raise DirectiveError("WSGIPassAuthorization must be one of: Off | On")
    conf: WsgiDir = cmd.dir()
    conf.pass_authorization = value == "on"


@dataclass
class WsgiServer:
    mounts: list[tuple[str, str]] = field(default_factory=list)


def merge_server(base: WsgiServer, virt: WsgiServer) -> WsgiServer:
    return WsgiServer(virt.mounts + base.mounts)


def _script_alias(cmd: Cmd, args: Sequence[str]) -> None:
    if len(args) < 2:
        raise DirectiveError("WSGIScriptAlias takes at least two arguments")
    conf: WsgiServer = cmd.srv()
    url_path = args[0].rstrip("/") or "/"
    script = os.path.join(cmd.ctx.site.server_root, args[1])  # an absolute one stays
    conf.mounts.append((url_path, script))
    cmd.ctx.site.app_named = True  # the configuration routes the app itself


def translate_wsgi(r: Request) -> int:
    """Like an Alias to the script, with the handler set to the wrapped app."""
    conf: WsgiServer = r.server.get("mod_wsgi")
    for url_path, script in conf.mounts:
        length = 1 if url_path == "/" else alias_matches(r.uri, url_path)
        if not length:
            continue
        r.filename = r.canonical_filename = script
        r.handler = APP_HANDLER
        r.notes["wsgi-script-name"] = "" if url_path == "/" else r.uri[:length].rstrip("/")
        return OK
    return DECLINED


def script_files(site: Site) -> list[str]:
    """The script files WSGIScriptAlias names, main server first, each once."""
    found: list[str] = []
    for server in (site.main, *site.vhosts):
        conf = server.mods.get("mod_wsgi")
        for _, script in conf.mounts if conf is not None else ():
            if script not in found:
                found.append(script)
    return found


def load_script(path: str, callable_object: str = "application") -> Any:
    """Run a WSGI script file as mod_wsgi does and return its ``application``: the file
    is a module named ``_mod_wsgi_`` + the md5 of its path, whatever its extension."""
    name = "_mod_wsgi_" + hashlib.md5(path.encode(), usedforsecurity=False).hexdigest()
    loader = importlib.machinery.SourceFileLoader(name, path)
    spec = importlib.util.spec_from_loader(name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        loader.exec_module(module)
    except OSError as exc:
        del sys.modules[name]
        raise ApacheMWError(f"Failed to exec Python script file '{path}': {exc}") from exc
    app = getattr(module, callable_object, None)
    if app is None:
        # mod_wsgi's wording (AH01262 area), so the message is the one Apache users know.
        raise ApacheMWError(
            f"Target WSGI script '{path}' does not contain WSGI application '{callable_object}'."
        )
    return app


# What ap_add_common_vars keeps out of a handler's environment (CGIPassAuth Off);
# mod_wsgi puts Authorization back only with WSGIPassAuthorization On.
_CREDENTIALS = ("authorization", "proxy-authorization")


def _keep_handler(r: Request) -> int:
    # mod_mime and ForceType run later and could re-set the handler.
    if "wsgi-script-name" in r.notes:
        r.handler = APP_HANDLER
        conf: WsgiDir | None = r.per_dir.get("mod_wsgi") if r.per_dir else None
        passed = conf is not None and conf.pass_authorization
        hidden = _CREDENTIALS[1:] if passed else _CREDENTIALS
        r.notes["app-hidden-headers"] = hidden
    return DECLINED


S = RSRC_CONF
# (name, where, help) as `apache2 -L` lists them with Debian's mod_wsgi loaded.
_SETTINGS = (
    ("WSGIScriptAliasMatch", S, "Map location pattern to target WSGI script file."),
    ("WSGIDaemonProcess", S, "Specify details of daemon processes to start."),
    ("WSGISocketPrefix", S, "Path prefix for the daemon process sockets."),
    ("WSGISocketRotation", S, "Enable/Disable rotation of daemon process sockets."),
    ("WSGIAcceptMutex", S, "Set accept mutex type for daemon processes."),
    ("WSGILazyInitialization", S, "Enable/Disable lazy Python initialization."),
    ("WSGIVerboseDebugging", S, "Enable/Disable verbose debugging messages."),
    ("WSGIDontWriteBytecode", S, "Enable/Disable writing of byte code."),
    ("WSGIPythonWarnings", S, "Control Python warning messages."),
    ("WSGIPythonOptimize", S, "Set level of Python compiler optimisations."),
    ("WSGIPythonHome", S, "Python prefix/exec_prefix absolute path names."),
    ("WSGIPythonPath", S, "Python module search path."),
    ("WSGIPythonEggs", S, "Python eggs cache directory."),
    ("WSGIPythonHashSeed", S, "Python hash seed."),
    ("WSGIDestroyInterpreter", S, "Enable/Disable destruction of Python interpreter."),
    ("WSGIRestrictEmbedded", S, "Enable/Disable use of embedded mode."),
    ("WSGIRestrictStdin", S, "Enable/Disable restrictions on use of STDIN."),
    ("WSGIRestrictStdout", S, "Enable/Disable restrictions on use of STDOUT."),
    ("WSGIRestrictSignal", S, "Enable/Disable restrictions on use of signal()."),
    ("WSGICaseSensitivity", S, "Define whether file system is case sensitive."),
    ("WSGIRestrictProcess", S | ACCESS_CONF, "Limit selectable WSGI process groups."),
    ("WSGIProcessGroup", S | ACCESS_CONF, "Name of the WSGI process group."),
    ("WSGIApplicationGroup", S | ACCESS_CONF, "Application interpreter group."),
    ("WSGICallableObject", OR_FILEINFO, "Name of entry point in WSGI script file."),
    ("WSGIImportScript", S, "Location of WSGI import script."),
    ("WSGIDispatchScript", S | ACCESS_CONF, "Location of WSGI dispatch script."),
    ("WSGIPassApacheRequest", S | ACCESS_CONF, "Enable/Disable Apache request object."),
    ("WSGIScriptReloading", OR_FILEINFO, "Enable/Disable script reloading mechanism."),
    ("WSGIErrorOverride", OR_FILEINFO, "Enable/Disable overriding of error pages."),
    ("WSGIChunkedRequest", OR_FILEINFO, "Enable/Disable support for chunked requests."),
    ("WSGIMapHEADToGET", OR_FILEINFO, "Enable/Disable mapping of HEAD to GET."),
    ("WSGIIgnoreActivity", OR_FILEINFO, "Enable/Disable reset of inactvity timeout."),
    ("WSGITrustedProxyHeaders", OR_FILEINFO, "Specify a list of trusted proxy headers."),
    ("WSGITrustedProxies", OR_FILEINFO, "Specify a list of trusted proxies."),
    ("WSGIEnableSendfile", OR_FILEINFO, "Enable/Disable support for kernel sendfile."),
    ("WSGIAccessScript", OR_AUTHCFG, "Location of WSGI host access script file."),
    ("WSGIAuthUserScript", OR_AUTHCFG, "Location of WSGI user auth script file."),
    ("WSGIAuthGroupScript", OR_AUTHCFG, "Location of WSGI group auth script file."),
    ("WSGIGroupAuthoritative", OR_AUTHCFG, "Enable/Disable as being authoritative on groups."),
    ("WSGIHandlerScript", S | ACCESS_CONF, "Location of WSGI handler script file."),
    ("WSGIServerMetrics", S, "Enabled/Disable access to server metrics."),
    ("WSGINewRelicConfigFile", S, "New Relic monitoring agent configuration file."),
    ("WSGINewRelicEnvironment", S, "New Relic monitoring agent environment."),
)

MODULE = Module(
    name="mod_wsgi",
    ident="wsgi_module",
    directives=(
        row(
            "WSGIScriptAlias",
            Args.TAKE_ARGV,
            S,
            "Map location to target WSGI script file.",
            _script_alias,
        ),
        row(
            "WSGIPassAuthorization",
            Args.TAKE1,
            OR_FILEINFO,
            "Enable/Disable WSGI authorization.",
            _pass_authorization,
        ),
        *(accepted(name, Args.RAW_ARGS, where, help_text) for name, where, help_text in _SETTINGS),
    ),
    create_dir=WsgiDir,
    merge_dir=merge_dir,
    create_server=WsgiServer,
    merge_server=merge_server,
    hooks={"translate_name": (5, translate_wsgi)},
    more_hooks=(("fixups", 19, _keep_handler),),
)

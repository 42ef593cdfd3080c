"""The app a server's worker process runs, built from environment variables.

This is the one way settings reach workers, whoever starts them: ``apachemw serve``
sets these variables and runs uvicorn with ``apachemw.server:app_factory``; uvicorn
(``--factory``) and gunicorn (``'apachemw.server:app_factory()'``) can run the same
factory directly with the variables set by hand, by systemd or by a container.

=====================  ===============================================================
``APACHEMW_CONFIG``    an Apache configuration file
``APACHEMW_DIRECTORY`` or a directory, served with Debian's apache2 defaults
``APACHEMW_DEFINES``   names for ``<IfDefine>`` (``-D``), separated by commas or spaces;
                       ``NAME=value`` defines a variable
``APACHEMW_APP``       the wrapped application, ``module:attribute``: ASGI, or WSGI
                       (run through a2wsgi); the module is imported from the current
                       directory
``APACHEMW_RELOAD``    ``1``: reload the configuration in-process when its files change
                       (see ``apachemw.reload``)
=====================  ===============================================================
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import os
import re
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from apachemw.errors import ApacheMWError

__all__ = ["ENV_VARS", "Settings", "app_factory", "build_app"]

ENV_VARS = (
    "APACHEMW_CONFIG",
    "APACHEMW_DIRECTORY",
    "APACHEMW_DEFINES",
    "APACHEMW_APP",
    "APACHEMW_RELOAD",
)
_TRUE = frozenset({"1", "true", "yes", "on"})


@dataclass(frozen=True)
class Settings:
    """What to serve: a config file or a directory, defines, the app, reload or not."""

    config: str | None = None
    directory: str | None = None
    defines: tuple[str, ...] = ()
    app: str | None = None
    reload: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        config = environ.get("APACHEMW_CONFIG") or None
        directory = environ.get("APACHEMW_DIRECTORY") or None
        if config is None and directory is None:
            raise ApacheMWError(
                "set APACHEMW_CONFIG to an Apache configuration file "
                "(or APACHEMW_DIRECTORY to a directory to serve)"
            )
        return cls(
            config=os.path.abspath(config) if config else None,
            directory=os.path.abspath(directory) if directory else None,
            defines=tuple(re.findall(r"[^\s,]+", environ.get("APACHEMW_DEFINES", ""))),
            app=environ.get("APACHEMW_APP") or None,
            reload=environ.get("APACHEMW_RELOAD", "").strip().lower() in _TRUE,
        )

    def to_env(self) -> dict[str, str]:
        """The variables ``from_env`` reads back (every one, so none is inherited)."""
        return {
            "APACHEMW_CONFIG": self.config or "",
            "APACHEMW_DIRECTORY": self.directory or "",
            "APACHEMW_DEFINES": ",".join(self.defines),
            "APACHEMW_APP": self.app or "",
            "APACHEMW_RELOAD": "1" if self.reload else "",
        }


def load_app(spec: str) -> Any:
    """``module:attribute`` (attribute defaults to ``app``), imported from the cwd."""
    module_name, _, attr = spec.partition(":")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    target: Any = importlib.import_module(module_name)
    for part in (attr or "app").split("."):
        target = getattr(target, part)
    return target


def is_asgi(app: Any) -> bool:
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else type(app).__call__
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(app)


def build_app(settings: Settings) -> Any:
    """The ASGI app a worker serves; raises ``ConfigError`` for a configuration Apache
    refuses."""
    from apachemw.asgi import Apache as ASGIApache
    from apachemw.wsgi import Apache as WSGIApache

    kwargs: dict[str, Any] = {"defines": settings.defines}
    if settings.config:
        kwargs["config"] = settings.config
    else:
        from apachemw.defaults import default_config

        assert settings.directory is not None
        kwargs["text"] = default_config(settings.directory, access_log="/dev/stdout")
    inner = load_app(settings.app) if settings.app else None
    if inner is None and settings.config:
        inner = _wsgi_script_app(settings.config, settings.defines)
    middleware: Any
    served: Any
    if inner is None or is_asgi(inner):
        middleware = served = ASGIApache(inner, **kwargs)
    else:
        from a2wsgi import WSGIMiddleware

        middleware = WSGIApache(inner, **kwargs)
        served = WSGIMiddleware(middleware)
    if settings.reload and settings.config:
        return _Reloading(served, middleware, settings)
    return served


def _wsgi_script_app(config: str, defines: Sequence[str]) -> Any:
    """The application a WSGIScriptAlias names, loaded as mod_wsgi would (or None)."""
    from apachemw.config.site import load_site
    from apachemw.modules.mod_wsgi import load_script, script_files

    scripts = script_files(load_site(config, defines=defines))
    if len(scripts) > 1:
        listed = ", ".join(scripts)
        raise ApacheMWError(f"WSGIScriptAlias names several scripts ({listed}); pick one: --app")
    return load_script(scripts[0]) if scripts else None


class _Reloading:
    """Starts the configuration's watcher in the worker process that serves, then gets
    out of the way: requests go straight to the middleware, whose engine it swaps."""

    def __init__(self, app: Any, middleware: Any, settings: Settings) -> None:
        from apachemw.reload import ConfigReloader

        assert settings.config is not None
        self.app = app
        self.reloader = ConfigReloader(middleware, settings.config, settings.defines)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.reloader.start()  # a no-op after the first call in this process
        await self.app(scope, receive, send)


def app_factory() -> Any:
    """The ASGI app from ``APACHEMW_*`` variables: uvicorn's ``--factory`` target and
    gunicorn's ``'apachemw.server:app_factory()'``; called once per worker process."""
    settings = Settings.from_env()
    app = build_app(settings)
    if os.environ.get(_SIGNALS) and settings.config:
        _reload_on_signals(app, settings)
    return app


# ------------------------------------------------------------------ apachemw serve

# Set by apachemw serve (not under gunicorn, whose workers use these signals themselves):
# each worker reloads its configuration on SIGHUP or SIGUSR1.
_SIGNALS = "APACHEMW_SIGNALS"


def _middleware_of(app: Any) -> Any:
    """The Apache middleware inside what build_app returned (reloading, a2wsgi)."""
    while not hasattr(app, "engine"):
        inner = getattr(app, "app", None)
        if inner is None:
            return None
        app = inner
    return app


def _reload_on_signals(app: Any, settings: Settings) -> None:
    """SIGHUP and SIGUSR1 (Apache's restart and graceful restart) load the configuration
    again in this worker, in a thread, and swap it in between requests; a configuration
    that fails keeps the last good one serving (logged with file, line and message)."""
    from apachemw.reload import ConfigReloader

    middleware = _middleware_of(app)
    if middleware is None or threading.current_thread() is not threading.main_thread():
        return
    assert settings.config is not None
    reloader = ConfigReloader(middleware, settings.config, settings.defines)

    def restart(signum: int, frame: Any) -> None:
        threading.Thread(target=reloader.reload_now, name="apachemw-restart").start()

    for sig in (signal.SIGHUP, signal.SIGUSR1):
        signal.signal(sig, restart)


def graceful_timeout(settings: Settings) -> int | None:
    """GracefulShutdownTimeout as uvicorn takes it (None: wait for every request)."""
    if not settings.config:
        return None
    from apachemw.config.site import load_site

    seconds = load_site(settings.config, defines=settings.defines).graceful_shutdown_timeout
    return int(seconds) if seconds > 0 else None


def serve(settings: Settings, host: str, port: int, workers: int, **uvicorn_options: Any) -> None:
    """Run uvicorn as apachemw serve does, with Apache's signals: SIGTERM, SIGINT and
    SIGWINCH stop gracefully (requests under way finish, within GracefulShutdownTimeout);
    SIGHUP and SIGUSR1 reload the configuration in every worker without dropping one."""
    os.environ.update(settings.to_env())
    os.environ[_SIGNALS] = "1"
    options = {
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        "access_log": False,
        "log_level": "warning",
        "timeout_graceful_shutdown": graceful_timeout(settings),
        **uvicorn_options,
    }
    _run(options)


def _run(options: dict[str, Any]) -> None:
    """Serve with uvicorn (tests replace this to see what serve would run)."""
    import uvicorn

    config = uvicorn.Config("apachemw.server:app_factory", **options)
    workers = int(options["workers"])
    server = uvicorn.Server(config)
    if workers > 1:
        sock = config.bind_socket()
        _Supervisor(config, sockets=[sock]).run()
        return
    # uvicorn handles SIGINT and SIGTERM itself; SIGWINCH is Apache's graceful stop.
    signal.signal(signal.SIGWINCH, lambda signum, frame: setattr(server, "should_exit", True))
    server.run()


def _supervisor_base() -> Any:
    from uvicorn.supervisors import Multiprocess

    return Multiprocess


class _Supervisor(_supervisor_base()):  # type: ignore[misc]
    """uvicorn's process supervisor with Apache's signals: SIGWINCH stops gracefully,
    SIGHUP and SIGUSR1 make every worker reload its configuration in place (uvicorn
    would replace the workers on SIGHUP)."""

    def handle_winch(self) -> None:
        self.handle_term()

    def handle_hup(self) -> None:
        self._reload_workers()

    def handle_usr1(self) -> None:
        self._reload_workers()

    def _reload_workers(self) -> None:
        for process in self.processes:
            pid = process.pid
            if pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGUSR1)

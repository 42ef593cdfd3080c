"""``apachemw serve`` and ``apachemw configtest``.

serve                      the embedded example site (and its small app)
serve DIR                  a directory, with Debian's apache2 defaults
serve -f httpd.conf        an Apache configuration, under uvicorn

The server is uvicorn; a WSGI app given with ``--app`` runs through a2wsgi. Without
``--app``, a configuration's ``WSGIScriptAlias`` script is loaded as mod_wsgi loads it.
Settings reach the worker processes through environment variables, so
``--workers`` and ``--reload`` work with an import string.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from apachemw.errors import ApacheMWError, ConfigError

__all__ = ["build_app", "main"]

EXAMPLE = Path(__file__).resolve().parent / "example"
_ENV = "APACHEMW_SERVE"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="apachemw", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve a site under uvicorn")
    serve.add_argument("directory", nargs="?", help="serve this directory (Debian defaults)")
    serve.add_argument("-f", dest="config", help="an Apache configuration file")
    serve.add_argument(
        "-D",
        dest="defines",
        action="append",
        default=[],
        metavar="NAME",
        help="define NAME for <IfDefine> (repeatable)",
    )
    serve.add_argument("--host", help="address to bind (default: from Listen, else 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (overrides Listen)")
    serve.add_argument("--app", help="the wrapped application, module:attribute")
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--reload", action="store_true")
    test = sub.add_parser("configtest", help="check a configuration like apache2 -t")
    test.add_argument("-f", dest="config", required=True)
    test.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME")
    test.add_argument(
        "-M",
        dest="modules",
        action="store_true",
        help="list the loaded modules, as apachectl -M",
    )
    test.add_argument(
        "-S",
        dest="dump",
        action="store_true",
        help="print the virtual host map and run settings, as apachectl -S",
    )
    why = sub.add_parser("explain", help="trace what the phases do to one request")
    why.add_argument("url", help="the request-target, e.g. /old/page?x=1")
    why.add_argument("-f", dest="config", required=True)
    why.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME")
    why.add_argument("-X", dest="method", default="GET")
    why.add_argument("-H", dest="headers", action="append", default=[], metavar="'Name: value'")
    why.add_argument("--json", action="store_true")
    why.add_argument(
        "--effective-config",
        action="store_true",
        help="print the sections that apply to this request, in merge order, as Apache text",
    )
    why.add_argument(
        "--with-app", action="store_true", help="trace it as if an app were wrapped (--app)"
    )
    return parser


def _load_app(spec: str) -> Any:
    module_name, _, attr = spec.partition(":")
    sys.path.insert(0, os.getcwd())
    module = importlib.import_module(module_name)
    target: Any = module
    for part in (attr or "app").split("."):
        target = getattr(target, part)
    return target


def _is_asgi(app: Any) -> bool:
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else type(app).__call__
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(app)


def build_app(settings: dict[str, Any]) -> Any:
    """The ASGI app uvicorn serves, from the settings ``serve`` put in the env."""
    from apachemw.asgi import Apache as ASGIApache
    from apachemw.wsgi import Apache as WSGIApache

    kwargs: dict[str, Any] = {"defines": settings.get("defines", ())}
    if settings.get("config"):
        kwargs["config"] = settings["config"]
    else:
        from apachemw.defaults import default_config

        kwargs["text"] = default_config(settings["directory"], access_log="/dev/stdout")
    inner = _load_app(settings["app"]) if settings.get("app") else None
    if inner is None and settings.get("config"):
        inner = _wsgi_script_app(settings["config"], settings.get("defines", ()))
    if inner is None or _is_asgi(inner):
        return ASGIApache(inner, **kwargs)
    from a2wsgi import WSGIMiddleware

    return WSGIMiddleware(WSGIApache(inner, **kwargs))  # type: ignore[arg-type]


def _wsgi_script_app(config: str, defines: Sequence[str]) -> Any:
    """The application a WSGIScriptAlias names, loaded as mod_wsgi would (or None)."""
    from apachemw.config.site import load_site
    from apachemw.modules.mod_wsgi import load_script, script_files

    scripts = script_files(load_site(config, defines=defines))
    if len(scripts) > 1:
        listed = ", ".join(scripts)
        raise ApacheMWError(f"WSGIScriptAlias names several scripts ({listed}); pick one: --app")
    return load_script(scripts[0]) if scripts else None


def app_factory() -> Any:
    """uvicorn's ``--factory`` entry point in each worker."""
    return build_app(json.loads(os.environ[_ENV]))


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    settings: dict[str, Any] = {"defines": args.defines, "app": args.app}
    if args.config:
        settings["config"] = os.path.abspath(args.config)
    elif args.directory:
        settings["directory"] = os.path.abspath(args.directory)
    else:
        settings["config"] = str(EXAMPLE / "httpd.conf")
        settings["app"] = args.app or "apachemw.example.app:app"
    return settings


def _bind(args: argparse.Namespace, settings: dict[str, Any]) -> tuple[str, int]:
    """Where to listen: --host/--port win over the configuration's Listen."""
    host, port = "127.0.0.1", 8080
    if settings.get("config"):
        from apachemw.config.site import load_site

        site = load_site(settings["config"], defines=settings["defines"])
        if site.listen:
            host, port = site.listen[0]
    return args.host or host, args.port or port


def _configtest(args: argparse.Namespace) -> int:
    from apachemw.config.site import load_site

    try:
        site = load_site(args.config, defines=args.defines)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    for warning in site.warnings:
        print(warning, file=sys.stderr)
    if args.dump or args.modules:
        from apachemw.introspect import loaded_modules, vhost_map

        if args.dump:
            print(vhost_map(site, args.defines), end="")
        if args.modules:
            print(loaded_modules(site), end="")
        return 0
    print("Syntax OK")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _settings(args)
    if settings.get("directory") and not os.path.isdir(settings["directory"]):
        print(f"apachemw: {settings['directory']} is not a directory", file=sys.stderr)
        return 1
    try:
        host, port = _bind(args, settings)
        build_app(settings)  # refuse a bad config before starting workers
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    os.environ[_ENV] = json.dumps(settings)
    print(f"apachemw: serving on http://{host}:{port}/", file=sys.stderr)
    uvicorn.run(
        "apachemw.cli:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        reload=args.reload,
        access_log=False,
        log_level="warning",
    )
    return 0


def _explain(args: argparse.Namespace) -> int:
    from apachemw.explain import explain, render

    headers = []
    for item in args.headers:
        name, _, value = item.partition(":")
        headers.append((name.strip(), value.strip()))
    if args.effective_config:
        from apachemw.introspect import effective_config

        try:
            text = effective_config(
                args.config, args.url, method=args.method, headers=headers, defines=args.defines
            )
        except ConfigError as exc:
            print(str(exc), file=sys.stderr)
            return 1
        print(text, end="")
        return 0
    try:
        result = explain(
            args.config,
            args.method,
            args.url,
            headers,
            defines=args.defines,
            with_app=args.with_app,
        )
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2, default=str) if args.json else render(result))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "configtest":
            return _configtest(args)
        if args.command == "explain":
            return _explain(args)
        return _serve(args)
    except ApacheMWError as exc:
        print(f"apachemw: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

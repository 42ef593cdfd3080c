"""``apachemw serve`` and ``apachemw configtest``.

serve                      the embedded example site (and its small app)
serve DIR                  a directory, with Debian's apache2 defaults
serve -f httpd.conf        an Apache configuration, under uvicorn

The server is uvicorn; a WSGI app given with ``--app`` runs through a2wsgi. Without
``--app``, a configuration's ``WSGIScriptAlias`` script is loaded as mod_wsgi loads it.
Settings reach the worker processes as ``APACHEMW_*`` environment variables read by
``apachemw.server:app_factory`` (the same factory gunicorn or uvicorn can run
directly), so ``--workers`` starts that many processes each building its own app.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from apachemw.errors import ApacheMWError, ConfigError
from apachemw.server import Settings, app_factory, build_app, serve

__all__ = ["app_factory", "build_app", "main"]

EXAMPLE = Path(__file__).resolve().parent / "example"


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
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument(
        "--reload",
        action="store_true",
        help="reload the configuration in each worker when its files change; "
        "a configuration that fails to load leaves the last good one serving",
    )
    _proxy_options(serve)
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


def _proxy_options(serve: argparse.ArgumentParser) -> None:
    """uvicorn's proxy-header rewriting: off unless asked for. A client can send any
    X-Forwarded-For; only a proxy's word should move the client address (and then
    mod_remoteip's RemoteIPHeader and RemoteIPTrustedProxy are the Apache way)."""
    serve.add_argument(
        "--proxy-headers",
        action="store_true",
        help="let uvicorn take the client address and scheme from X-Forwarded-For and "
        "X-Forwarded-Proto sent by --forwarded-allow-ips (default: ignore them)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        metavar="IPS",
        help="comma-separated proxy addresses or networks (or '*') trusted with "
        "--proxy-headers (default: 127.0.0.1,::1)",
    )


def _settings(args: argparse.Namespace) -> Settings:
    defines = tuple(args.defines)
    if args.config:
        return Settings(
            config=os.path.abspath(args.config), defines=defines, app=args.app, reload=args.reload
        )
    if args.directory:
        if args.reload:
            print(
                "apachemw: --reload has no configuration file to watch when serving a "
                "directory (.htaccess files are re-read when they change anyway)",
                file=sys.stderr,
            )
        return Settings(directory=os.path.abspath(args.directory), defines=defines, app=args.app)
    example = str(EXAMPLE / "httpd.conf")
    app = args.app or "apachemw.example.app:app"
    return Settings(config=example, defines=defines, app=app, reload=args.reload)


def _bind(args: argparse.Namespace, settings: Settings) -> tuple[str, int]:
    """Where to listen: --host/--port win over the configuration's Listen."""
    host, port = "127.0.0.1", 8080
    if settings.config:
        from apachemw.config.site import load_site

        site = load_site(settings.config, defines=settings.defines)
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
    settings = _settings(args)
    problem = _refusal(args, settings)
    if problem is not None:
        print(f"apachemw: {problem}", file=sys.stderr)
        return 1
    try:
        host, port = _bind(args, settings)
        build_app(settings)  # refuse a bad config (or app) before starting workers
    except ApacheMWError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"apachemw: serving on http://{host}:{port}/", file=sys.stderr)
    serve(settings, host, port, args.workers, **_proxy_settings(args))
    return 0


def _refusal(args: argparse.Namespace, settings: Settings) -> str | None:
    """Why serve must not start, found before anything is loaded."""
    if settings.directory and not os.path.isdir(settings.directory):
        return f"{settings.directory} is not a directory"
    if args.forwarded_allow_ips and not args.proxy_headers:
        return "--forwarded-allow-ips needs --proxy-headers"
    return None


def _proxy_settings(args: argparse.Namespace) -> dict[str, Any]:
    if not args.proxy_headers:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": args.forwarded_allow_ips}


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

"""Django behind apachemw: ``wsgi.py``/``asgi.py`` helpers, ``APACHEMW_*`` settings,
system checks, the ``collectstatic`` recipe and ``manage.py runserver``.

``mysite/asgi.py`` (``wsgi.py`` alike, with ``get_wsgi_application``)::

    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")

    from apachemw.contrib.django import get_asgi_application

    application = get_asgi_application()

``mysite/settings.py``::

    INSTALLED_APPS = [
        "apachemw.contrib.django_app",  # checks, runserver; before staticfiles
        "django.contrib.staticfiles",
        ...
    ]
    MIDDLEWARE = ["apachemw.contrib.django.ApacheEnvironMiddleware", ...]
    APACHEMW_CONFIG = BASE_DIR / "httpd.conf"

The settings are the rows of :data:`SETTINGS`. Django is imported inside the
functions, so importing this module needs no configured settings.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from apachemw.config.objects import quote
from apachemw.errors import ApacheMWError

if TYPE_CHECKING:
    from django.core.checks import CheckMessage
    from django.http import HttpRequest, HttpResponseBase

    from apachemw.config.site import Site

__all__ = [
    "CHECK_IDS",
    "SETTINGS",
    "ApacheEnvironMiddleware",
    "Setting",
    "SettingsError",
    "apache_arguments",
    "check_apachemw",
    "find_problems",
    "get_asgi_application",
    "get_wsgi_application",
    "read_settings",
    "static_alias_lines",
    "wrap_asgi",
    "wrap_runserver_handler",
    "wrap_wsgi",
]


class SettingsError(ApacheMWError):
    """An ``APACHEMW_*`` setting (or STATIC_*) apachemw cannot use."""


# --- the settings table -------------------------------------------------------------


class Kind(NamedTuple):
    """What a setting accepts: a label for messages and the test itself."""

    label: str
    accepts: Callable[[object], bool]


def _is_path(value: object) -> bool:
    return isinstance(value, (str, os.PathLike))


def _is_strings(value: object) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)


BOOL = Kind("True or False", lambda value: isinstance(value, bool))
PATH = Kind("a path (str or pathlib.Path) or None", lambda v: v is None or _is_path(v))
TEXT = Kind("a str or None", lambda value: value is None or isinstance(value, str))
STRINGS = Kind("a list or tuple of str", _is_strings)


class Setting(NamedTuple):
    name: str
    kind: Kind
    default: object
    help: str


# The one place the settings are defined: read_settings, the checks and the
# README's table all come from these rows.
SETTINGS: tuple[Setting, ...] = (
    Setting(
        "APACHEMW_ENABLED",
        BOOL,
        True,
        "False hands requests straight to Django (wsgi.py, asgi.py and runserver alike).",
    ),
    Setting(
        "APACHEMW_CONFIG",
        PATH,
        None,
        "An Apache configuration file; it loads its modules with LoadModule, as httpd.conf"
        " does, and its relative paths resolve against its directory unless it sets"
        " ServerRoot.",
    ),
    Setting(
        "APACHEMW_TEXT",
        TEXT,
        None,
        "Apache configuration as text, with every module apachemw implements loaded"
        " (instead of APACHEMW_CONFIG).",
    ),
    Setting(
        "APACHEMW_DEFINES",
        STRINGS,
        (),
        "Names for <IfDefine>, as apache2 -D NAME; NAME=value also defines ${NAME}.",
    ),
    Setting(
        "APACHEMW_DOCUMENT_ROOT",
        PATH,
        None,
        "With neither CONFIG nor TEXT: serve this directory with Debian's apache2 defaults"
        " and hand Django what maps to no file.",
    ),
    Setting(
        "APACHEMW_RUNSERVER",
        BOOL,
        True,
        "Put apachemw in front of manage.py runserver too (apachemw.contrib.django_app"
        " must come before django.contrib.staticfiles in INSTALLED_APPS).",
    ),
)

_SOURCES = ("APACHEMW_CONFIG", "APACHEMW_TEXT", "APACHEMW_DOCUMENT_ROOT")


def _django_settings(source: object | None) -> object:
    if source is not None:
        return source
    from django.conf import settings

    return settings


def _type_errors(source: object) -> list[str]:
    return [
        f"{row.name} must be {row.kind.label}, not {type(value).__name__} ({value!r})"
        for row in SETTINGS
        if not row.kind.accepts(value := getattr(source, row.name, row.default))
    ]


def read_settings(source: object | None = None) -> dict[str, Any]:
    """Every ``APACHEMW_*`` value, its default where unset; raises SettingsError on a
    value of the wrong type. ``source`` defaults to ``django.conf.settings``."""
    source = _django_settings(source)
    errors = _type_errors(source)
    if errors:
        raise SettingsError("; ".join(errors))
    return {row.name: getattr(source, row.name, row.default) for row in SETTINGS}


def _chosen_sources(values: dict[str, Any]) -> list[str]:
    return [name for name in _SOURCES if values[name] is not None]


def apache_arguments(source: object | None = None) -> dict[str, Any]:
    """The keyword arguments of ``Apache(app, ...)`` that the settings describe."""
    return _arguments(read_settings(source))


def _arguments(values: dict[str, Any]) -> dict[str, Any]:
    chosen = _chosen_sources(values)
    if len(chosen) > 1:
        raise SettingsError(f"set one of {', '.join(_SOURCES)}, not {' and '.join(chosen)}")
    if not chosen:
        raise SettingsError(
            f"apachemw has nothing to serve: set one of {', '.join(_SOURCES)}"
            " (or APACHEMW_ENABLED = False)"
        )
    key = {"APACHEMW_CONFIG": "config", "APACHEMW_TEXT": "text"}.get(chosen[0], "document_root")
    value = values[chosen[0]]
    return {
        key: value if key == "text" else os.fspath(value),
        "defines": tuple(values["APACHEMW_DEFINES"]),
    }


# --- wrapping -----------------------------------------------------------------------


def _settings_arguments(apache: dict[str, Any]) -> dict[str, Any] | None:
    """Explicit keyword arguments win; else the settings' (None: apachemw disabled)."""
    if apache:
        return apache
    if not read_settings()["APACHEMW_ENABLED"]:
        return None
    return apache_arguments()


def wrap_wsgi(app: Any, **apache: Any) -> Any:
    """``app`` behind ``apachemw.wsgi.Apache``: with ``apache`` keyword arguments when
    given (instead of the settings), else as the ``APACHEMW_*`` settings say (``app``
    itself when APACHEMW_ENABLED is False)."""
    from apachemw.wsgi import Apache

    arguments = _settings_arguments(apache)
    return app if arguments is None else Apache(app, **arguments)


def wrap_asgi(app: Any, **apache: Any) -> Any:
    """``app`` behind ``apachemw.asgi.Apache``, as :func:`wrap_wsgi` decides."""
    from apachemw.asgi import Apache

    arguments = _settings_arguments(apache)
    return app if arguments is None else Apache(app, **arguments)


def get_wsgi_application(**apache: Any) -> Any:
    """Django's WSGI handler behind apachemw; for ``wsgi.py``."""
    from django.core.wsgi import get_wsgi_application as django_wsgi

    return wrap_wsgi(django_wsgi(), **apache)


def get_asgi_application(**apache: Any) -> Any:
    """Django's ASGI handler behind apachemw; for ``asgi.py``. Lifespan scopes pass
    through to Django, which refuses them (uvicorn's ``--lifespan auto`` carries on)."""
    from django.core.asgi import get_asgi_application as django_asgi

    return wrap_asgi(django_asgi(), **apache)


def wrap_runserver_handler(handler: Any) -> Any:
    """What ``manage.py runserver`` should serve: apachemw outermost, as in production.

    runserver serves ``get_internal_wsgi_application()`` (settings.WSGI_APPLICATION),
    which staticfiles' runserver wraps in a StaticFilesHandler when DEBUG is on. A
    WSGI_APPLICATION already behind apachemw is kept, with the StaticFilesHandler moved
    inside it, so Apache's rules still come first; otherwise the handler is wrapped.
    """
    from apachemw.wsgi import Apache

    if not read_settings()["APACHEMW_RUNSERVER"] or isinstance(handler, Apache):
        return handler
    inner = getattr(handler, "application", None)
    if isinstance(inner, Apache) and getattr(handler, "handles_files", False):
        handler.application = inner.app
        inner.app = handler
        return inner
    return wrap_wsgi(handler)


class ApacheEnvironMiddleware:
    """Django middleware: the variables Apache sets (REMOTE_USER, AUTH_TYPE, the
    rewrite's env, REDIRECT_*) in ``request.META`` under ASGI too.

    Under WSGI they are in the environ already; Django's ASGI handler builds META from
    the scope alone, and apachemw puts them in ``scope["apachemw.env"]``.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        from asgiref.sync import iscoroutinefunction, markcoroutinefunction

        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        scope = getattr(request, "scope", None)
        if isinstance(scope, dict):
            request.META.update(scope.get("apachemw.env") or {})
        if self.is_async:
            return self._acall(request)
        return self.get_response(request)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        response: HttpResponseBase = await self.get_response(request)
        return response


# --- collectstatic ------------------------------------------------------------------


def _static_url(source: object) -> str | None:
    """STATIC_URL as a path (Django's script prefix of "/"), None when it is a URL."""
    url = str(getattr(source, "STATIC_URL", None) or "")
    if not url or re.match(r"^[a-z][a-z0-9+.-]*://|^//", url, re.IGNORECASE):
        return None
    return url if url.startswith("/") else "/" + url


def static_alias_lines(source: object | None = None) -> str:
    """The Apache lines that serve ``collectstatic``'s output (STATIC_ROOT) at
    STATIC_URL, to paste into the configuration (``manage.py apachemw_static``)."""
    source = _django_settings(source)
    url, root = _static_url(source), getattr(source, "STATIC_ROOT", None)
    if url is None:
        raise SettingsError("STATIC_URL is not a local path: apachemw has nothing to serve")
    if not root:
        raise SettingsError("STATIC_ROOT is not set: collectstatic has nowhere to collect to")
    root = os.path.abspath(os.fspath(root))
    slash = "/" if url.endswith("/") else ""
    return (
        "# Django's collectstatic output (STATIC_ROOT) at STATIC_URL; needs mod_alias.\n"
        f"Alias {quote(url)} {quote(root + slash)}\n"
        f"<Directory {quote(root)}>\n"
        "    Options None\n"
        "    AllowOverride None\n"
        "    Require all granted\n"
        "</Directory>\n"
    )


# --- system checks ------------------------------------------------------------------

# Each check's id and what it finds; the tests hold every id.
CHECK_IDS = {
    "apachemw.E001": "the configuration does not load (file:line and Apache's message)",
    "apachemw.E002": "APACHEMW_CONFIG is missing, not a file, or unreadable",
    "apachemw.E003": "an APACHEMW_* setting has the wrong type",
    "apachemw.E004": "more than one of APACHEMW_CONFIG, APACHEMW_TEXT, APACHEMW_DOCUMENT_ROOT",
    "apachemw.E005": "none of APACHEMW_CONFIG, APACHEMW_TEXT, APACHEMW_DOCUMENT_ROOT is set",
    "apachemw.E006": "APACHEMW_DOCUMENT_ROOT is not a directory",
    "apachemw.W001": "the Alias for STATIC_URL serves another directory than STATIC_ROOT",
    "apachemw.W002": "STATIC_ROOT is not served at STATIC_URL by the configuration",
    "apachemw.W003": "a warning from loading the configuration (as apache2 -t prints)",
    "apachemw.W004": "runserver runs without apachemw: the app comes after staticfiles",
}


def check_apachemw(app_configs: Iterable[Any] | None = None, **kwargs: Any) -> list[Any]:
    """The system check ``apachemw.contrib.django_app`` registers."""
    from django.conf import settings

    return find_problems(settings)


def find_problems(source: object) -> list[CheckMessage]:
    """Every problem the settings and the configuration they name have, as Django
    check messages with the ids of :data:`CHECK_IDS`."""
    from django.core.checks import Error

    errors = _type_errors(source)
    if errors:
        return [Error(message, id="apachemw.E003") for message in errors]
    values = read_settings(source)
    problems = _runserver_order(source, values)
    if not values["APACHEMW_ENABLED"]:
        return problems
    found = _source_problems(values)
    if found:
        return problems + found
    site, found = _load(values)
    if site is None:
        return problems + found
    return problems + found + _static_problems(source, site)


def _source_problems(values: dict[str, Any]) -> list[CheckMessage]:
    from django.core.checks import Error

    chosen = _chosen_sources(values)
    if len(chosen) > 1:
        return [Error(f"{' and '.join(chosen)} are both set", hint="keep one", id="apachemw.E004")]
    if not chosen:
        return [
            Error(
                "apachemw has nothing to serve",
                hint=f"set one of {', '.join(_SOURCES)}, or APACHEMW_ENABLED = False",
                id="apachemw.E005",
            )
        ]
    config, root = values["APACHEMW_CONFIG"], values["APACHEMW_DOCUMENT_ROOT"]
    if config is not None and not _readable_file(os.fspath(config)):
        return [
            Error(
                f"APACHEMW_CONFIG {os.fspath(config)}: {_why_unreadable(os.fspath(config))}",
                id="apachemw.E002",
            )
        ]
    if root is not None and not os.path.isdir(root):
        return [
            Error(
                f"APACHEMW_DOCUMENT_ROOT {os.fspath(root)} is not a directory", id="apachemw.E006"
            )
        ]
    return []


def _readable_file(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.R_OK)


def _why_unreadable(path: str) -> str:
    if not os.path.exists(path):
        return "no such file"
    if not os.path.isfile(path):
        return "not a file"
    return "not readable"


def _load(values: dict[str, Any]) -> tuple[Site | None, list[CheckMessage]]:
    """The configuration, loaded as the middleware will load it."""
    from django.core.checks import Error, Warning

    from apachemw.engine import load_site_for
    from apachemw.errors import ConfigError

    try:
        site = load_site_for(**_arguments(values))
    except ConfigError as exc:
        where = f"{exc.file}:{exc.line}: " if exc.file else ""
        directive = f"{exc.directive}: " if exc.directive else ""
        return None, [
            Error(
                f"{where}{directive}{exc.message}",
                hint="apache2 -t would refuse this configuration too",
                id="apachemw.E001",
            )
        ]
    return site, [Warning(text, id="apachemw.W003") for text in site.warnings]


def _runserver_order(source: object, values: dict[str, Any]) -> list[CheckMessage]:
    """Django takes a command from the first app in INSTALLED_APPS that has it."""
    from django.core.checks import Warning

    apps = [str(app) for app in getattr(source, "INSTALLED_APPS", ())]
    ours = next(
        (i for i, app in enumerate(apps) if app.startswith("apachemw.contrib.django_app")), None
    )
    theirs = next(
        (i for i, app in enumerate(apps) if app.startswith("django.contrib.staticfiles")), None
    )
    if not values["APACHEMW_RUNSERVER"] or ours is None or theirs is None or ours < theirs:
        return []
    return [
        Warning(
            "manage.py runserver is staticfiles' own and serves without apachemw",
            hint="list apachemw.contrib.django_app before django.contrib.staticfiles"
            " in INSTALLED_APPS, or set APACHEMW_RUNSERVER = False",
            id="apachemw.W004",
        )
    ]


def _static_problems(source: object, site: Site) -> list[CheckMessage]:
    from django.core.checks import Warning

    url, root = _static_url(source), getattr(source, "STATIC_ROOT", None)
    if url is None or not root:
        return []
    want = os.path.realpath(os.fspath(root))
    served = _served_static_dirs(site, url)
    if any(directory == want for _, directory in served):
        return []
    hint = "these lines serve it:\n" + static_alias_lines(source)
    aliased = [directory for how, directory in served if how == "Alias"]
    if aliased:
        return [
            Warning(
                f"Alias {url} serves {aliased[0]}, but STATIC_ROOT is {want}",
                hint=hint,
                id="apachemw.W001",
            )
        ]
    return [
        Warning(
            f"STATIC_ROOT {want} is not served at {url}: no Alias {url} in the configuration",
            hint=hint,
            id="apachemw.W002",
        )
    ]


def _served_static_dirs(site: Site, url: str) -> list[tuple[str, str]]:
    """Where each server serves ``url`` from: ("Alias", its directory), else
    ("DocumentRoot", the document root followed by the URL)."""
    found = []
    for server in [site.main, *site.vhosts]:
        aliases = getattr(server.mods.get("mod_alias"), "aliases", [])
        match = [a for a in aliases if a.regex is None and a.fake.rstrip("/") == url.rstrip("/")]
        if match and match[0].real:
            real = os.path.join(site.server_root, match[0].real)
            found.append(("Alias", os.path.realpath(real)))
            continue
        docroot = getattr(server.mods.get("core"), "document_root", None)
        if docroot:
            found.append(("DocumentRoot", os.path.realpath(os.path.join(docroot, url.strip("/")))))
    return found

"""``manage.py runserver`` with apachemw in front of the WSGI handler.

Django's runserver serves ``get_internal_wsgi_application()`` (settings.WSGI_APPLICATION),
never ``asgi.py``; staticfiles' runserver wraps that in its StaticFilesHandler when
DEBUG is on. This command is that same runserver (staticfiles' when installed) whose
handler goes through :func:`apachemw.contrib.django.wrap_runserver_handler`.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps

from apachemw.contrib.django import wrap_runserver_handler

if apps.is_installed("django.contrib.staticfiles"):
    from django.contrib.staticfiles.management.commands.runserver import (
        Command as BaseCommand,
    )
else:
    from django.core.management.commands.runserver import (  # type: ignore[assignment]
        Command as BaseCommand,
    )

__all__ = ["Command"]


class Command(BaseCommand):
    help = BaseCommand.help + " Requests pass through apachemw first (APACHEMW_* settings)."

    def get_handler(self, *args: Any, **options: Any) -> Any:
        return wrap_runserver_handler(super().get_handler(*args, **options))

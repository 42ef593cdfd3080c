"""The AppConfig: registers apachemw's system checks when Django starts."""

from __future__ import annotations

from django.apps import AppConfig

__all__ = ["ApacheMWConfig"]


class ApacheMWConfig(AppConfig):
    name = "apachemw.contrib.django_app"
    label = "apachemw"
    verbose_name = "apachemw"

    def ready(self) -> None:
        from django.core import checks

        from apachemw.contrib.django import check_apachemw

        checks.register(check_apachemw, "apachemw")

"""ASGI entry point (uvicorn mysite.asgi:application): Django behind apachemw, as the
APACHEMW_* settings say."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")

from apachemw.contrib.django import get_asgi_application

application = get_asgi_application()

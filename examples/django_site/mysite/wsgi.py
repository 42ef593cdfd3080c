"""WSGI entry point (gunicorn mysite.wsgi, and manage.py runserver through
WSGI_APPLICATION): Django behind apachemw, as the APACHEMW_* settings say."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")

from apachemw.contrib.django import get_wsgi_application

application = get_wsgi_application()

"""Settings of the example: a database-free Django project behind apachemw."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "django-site-example-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    # Before staticfiles: Django runs the first app's runserver, and apachemw's puts
    # apachemw in front of it. The app also registers the apachemw.* system checks.
    "apachemw.contrib.django_app",
    "django.contrib.staticfiles",
]
MIDDLEWARE = [
    # REMOTE_USER, AUTH_TYPE, REDIRECT_URL... in request.META under ASGI too.
    "apachemw.contrib.django.ApacheEnvironMiddleware",
]
ROOT_URLCONF = "mysite.urls"
WSGI_APPLICATION = "mysite.wsgi.application"
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True
# Django's WSGI handler guesses the script name from REDIRECT_URL (meant for mod_wsgi
# behind a mod_rewrite front controller); after htdocs/.htaccess rewrites
# /products/x to /catalogue/ it would guess /products/x, under Apache too. The site
# lives at the root: say so, and request.path is /catalogue/ under WSGI as under ASGI.
FORCE_SCRIPT_NAME = ""

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "assets"]
# collectstatic's destination; the tests collect into a temporary directory.
STATIC_ROOT = Path(os.environ.get("DJANGO_SITE_STATIC_ROOT") or BASE_DIR / "collected")

# apachemw (apachemw.contrib.django.SETTINGS lists them all).
APACHEMW_CONFIG = BASE_DIR / "httpd.conf"
APACHEMW_DEFINES = [f"STATIC_ROOT={STATIC_ROOT}"]

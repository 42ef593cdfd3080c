"""Django's ``asgi.py`` with apachemw in front.

The lines to copy into ``mysite/asgi.py``::

    import os

    from django.core.asgi import get_asgi_application

    from apachemw.asgi import Apache

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
    application = Apache(get_asgi_application(), config="/etc/mysite/httpd.conf")

Serve it with ``apachemw serve -f httpd.conf --app mysite.asgi:application`` (or any
ASGI server). apachemw passes lifespan scopes through untouched; Django's handler
refuses them, which uvicorn's default ``--lifespan auto`` notes and carries on.
"""

from __future__ import annotations

from typing import Any

from apachemw.asgi import Apache

__all__ = ["get_application"]


def get_application(**apache: Any) -> Apache:
    """Django's ASGI application behind apachemw; settings must be configured first."""
    from django.core.asgi import get_asgi_application

    return Apache(get_asgi_application(), **apache)

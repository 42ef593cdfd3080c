"""Django's ``wsgi.py`` with apachemw in front.

The lines to copy into ``mysite/wsgi.py``::

    import os

    from django.core.wsgi import get_wsgi_application

    from apachemw.wsgi import Apache

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
    application = Apache(get_wsgi_application(), config="/etc/mysite/httpd.conf")

Apache answers for whatever maps to a file (``collectstatic``'s output under the
DocumentRoot, say) and hands the rest to Django; ``SetHandler apachemw-app`` in a
``<Location>`` limits Django to that location.
"""

from __future__ import annotations

from typing import Any

from apachemw.wsgi import Apache

__all__ = ["get_application"]


def get_application(**apache: Any) -> Apache:
    """Django's WSGI application behind apachemw; settings must be configured first."""
    from django.core.wsgi import get_wsgi_application

    return Apache(get_wsgi_application(), **apache)

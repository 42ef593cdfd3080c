"""Django's ``wsgi.py`` with apachemw in front: now :mod:`apachemw.contrib.django`.

``get_application(**apache)`` is Django's WSGI handler behind ``apachemw.wsgi.Apache``:
with the keyword arguments when given, else as the ``APACHEMW_*`` settings say.
"""

from __future__ import annotations

from apachemw.contrib.django import get_wsgi_application as get_application

__all__ = ["get_application"]

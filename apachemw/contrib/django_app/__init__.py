"""The Django app ``apachemw.contrib.django_app``: system checks (``apachemw.E001``…),
``manage.py runserver`` with apachemw in front, and ``manage.py apachemw_static``.

List it in INSTALLED_APPS before ``django.contrib.staticfiles``: Django runs the
``runserver`` of the first app that has one.
"""

from __future__ import annotations

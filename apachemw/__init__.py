"""apachemw: Apache httpd 2.4's request semantics as WSGI and ASGI middleware.

``apachemw.wsgi.Apache`` and ``apachemw.asgi.Apache`` wrap an app (or nothing)
with one engine built from an Apache configuration; ``load_site`` reads a
configuration the way ``apache2 -t`` does.
"""

from __future__ import annotations

from apachemw.config.site import load_site
from apachemw.errors import ApacheMWError, ConfigError

__all__ = ["ApacheMWError", "ConfigError", "__version__", "load_site"]

__version__ = "0.1.0"

"""``from apachemw.wsgi import Apache``: the WSGI middleware."""

from apachemw.adapters.wsgi import Apache

__all__ = ["Apache"]

"""``from apachemw.asgi import Apache``: the ASGI middleware."""

from apachemw.adapters.asgi import Apache

__all__ = ["Apache"]

"""A gunicorn worker class for apachemw: uvicorn's, with proxy headers off.

``gunicorn -k apachemw.gunicorn_worker.UvicornWorker 'apachemw.server:app_factory()'``

uvicorn-worker's ``UvicornWorker`` turns on uvicorn's proxy-header rewriting and trusts
gunicorn's ``--forwarded-allow-ips`` (by default ``127.0.0.1,::1``): any process on the
machine, or a local proxy that passes the header through, could then choose the client
address that ``Require ip``, ``%a`` and ``REMOTE_ADDR`` see. This class leaves the
connection's address alone, as ``apachemw serve`` does by default; a proxy in front is
trusted with mod_remoteip (``RemoteIPHeader``, ``RemoteIPTrustedProxy``), as in Apache.
Needs the ``gunicorn`` and ``uvicorn-worker`` packages (``pip install apachemw[gunicorn]``).
"""

from __future__ import annotations

from typing import Any

from uvicorn_worker import UvicornWorker as _UvicornWorker  # type: ignore[import-untyped]

__all__ = ["UvicornWorker"]


class UvicornWorker(_UvicornWorker):  # type: ignore[misc]
    CONFIG_KWARGS: dict[str, Any] = {**_UvicornWorker.CONFIG_KWARGS, "proxy_headers": False}

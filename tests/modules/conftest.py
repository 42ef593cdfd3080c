"""Module tests that run on both faces use the adapters' ``client`` and ``site`` fixtures."""

from __future__ import annotations

from adapters.conftest import client, site

__all__ = ["client", "site"]

"""The project's own tests use apachemw's pytest plugin (``apachemw.pytest_plugin``).

An install of apachemw registers it through its ``pytest11`` entry point; a checkout run
against an older install (or with ``PYTHONPATH``) does not have that entry point yet, so
it is registered here, under the entry point's name, unless it already is.
"""

from __future__ import annotations

import pytest

import apachemw.pytest_plugin as plugin


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.is_registered(plugin):
        config.pluginmanager.register(plugin, "apachemw")

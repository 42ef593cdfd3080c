"""The pytest plugin: an ``apachemw_tester`` fixture, and the trace in a failure's report.

Installed with apachemw (the ``pytest11`` entry point ``apachemw``); ``-p no:apachemw``
turns it off. A test asks for the fixture and builds testers with it::

    def test_old_pages_move(apachemw_tester):
        site = apachemw_tester(text="Redirect 301 /old /new")
        assert site.get("/old/x").location == "http://localhost/new/x"

When such a test fails, however it failed (a plain ``assert``, an exception), its report
gets an "apachemw explain" section with the trace of the last requests those testers
sent, unless the failure message already carries it (the ``apachemw.testing.assert_*``
helpers put it there). Tests that do not use the fixture pay one dictionary lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pluggy import Result as HookResult

    from apachemw.testing import ApacheTester, Result

__all__ = ["apachemw_tester", "pytest_runtest_makereport"]

_TESTERS = pytest.StashKey[list["ApacheTester"]]()
# The most recent requests whose traces a failure's report shows.
SHOWN = 5


@pytest.fixture
def apachemw_tester(request: pytest.FixtureRequest) -> Callable[..., ApacheTester]:
    """A factory taking ``ApacheTester``'s arguments; a failing test's report shows
    the traces of the requests its testers sent."""
    from apachemw.testing import ApacheTester

    testers = request.node.stash.setdefault(_TESTERS, [])

    def make(*args: Any, **kwargs: Any) -> ApacheTester:
        tester = ApacheTester(*args, **kwargs)
        testers.append(tester)
        return tester

    return make


# An old-style wrapper: it works with every pytest that has the stash (7.0 and later).
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, HookResult[pytest.TestReport], None]:
    outcome = yield
    testers = item.stash.get(_TESTERS, None)
    if not testers:
        return
    report = outcome.get_result()
    if report.failed:
        message = str(call.excinfo.value) if call.excinfo is not None else ""
        text = _traces([r for t in testers for r in t.history], message)
        if text:
            report.sections.append(("apachemw explain", text))


def _traces(results: list[Result], message: str) -> str:
    from apachemw.testing import _trace_block

    shown = results[-SHOWN:]
    blocks = [b for b in map(_trace_block, shown) if b not in message]
    if not blocks:
        return ""
    earlier = len(results) - len(shown)
    if earlier:
        blocks.insert(0, f"({earlier} earlier request{'s' if earlier > 1 else ''} not shown)")
    return "\n\n".join(blocks)

"""Test-wide settings.

Under CI (`CI` set, as `.ci/run` runs) hypothesis is derandomized, so a landing is judged on the
same examples every time; locally it explores new examples on every run. Loaded before the test
modules, so their own profiles inherit it.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _codes_are_registered():
    """Every diagnostic the suite makes has a registered code, at a registered severity.

    `Diagnostic.__post_init__` looks each code up in `kpicard.diagnostics.CODES` (one dict
    lookup, cheap enough for every run) and records a miss instead of raising: raising would turn
    a user's message into an internal error, and a `try` around a reader could swallow it, while
    the record cannot be lost. This fixture fails the test that made one, so codes built at run
    time (which the static scan of tests/test_diagnostic_codes.py cannot see) are covered too, for
    everything the suite runs in-process. (Subprocess runs are not covered; they are few.)
    """
    from kpicard.diagnostics import unregistered_seen

    unregistered_seen.clear()
    yield
    if unregistered_seen:
        seen = sorted(set(unregistered_seen))
        unregistered_seen.clear()
        pytest.fail(
            f"unregistered diagnostic code(s) (code, severity): {seen}; add them to "
            "REGISTRY in src/kpicard/diagnostics.py and regenerate docs/diagnostics.md",
            pytrace=False,
        )

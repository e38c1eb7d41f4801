"""Test-wide settings.

Under CI (`CI` set, as `.ci/run` runs) hypothesis is derandomized, so a landing is judged on the
same examples every time; locally it explores new examples on every run. Loaded before the test
modules, so their own profiles inherit it.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

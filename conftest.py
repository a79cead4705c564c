"""Test markers by kind, so a quick loop can leave out the slow parts.

    python -m pytest                              # everything (what CI runs)
    python -m pytest -m "not slow and not notebook"   # the quick loop: unit tests only

``notebook``: every notebook nbval executes (chapters, solutions, beyond).
``slow``: the tests that build the book, run nbgrader, rerun every chapter, drive a browser or
run the benchmarks. Markers are set here by file, so the test files stay as they are.
"""

from __future__ import annotations

import pytest

SLOW_FILES = {
    "test_book.py",
    "test_playground_browser.py",
    "test_nbgrader_roundtrip.py",
    "test_notebook_rerun.py",
    "test_assignments.py",
    "test_benchmarks.py",
    "test_beyond.py",
}


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    for item in items:
        name = item.path.name
        if name.endswith(".ipynb"):
            item.add_marker(pytest.mark.notebook)
        elif name in SLOW_FILES:
            item.add_marker(pytest.mark.slow)

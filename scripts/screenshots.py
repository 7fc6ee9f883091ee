"""Rewrite the screenshots in docs/ (make screenshots): the browser tests that take them, run with
their screenshots saved to docs/ instead of a temporary folder. They start what they need (the
shared Rasa + action servers, the staff service, Chromium) through the tests' own fixtures, so the
pictures show exactly what the tests check; a failing test leaves docs/ unchanged for its pictures.

    widget-desktop.png, widget-mobile.png   tests/channels/webchat/test_widget_browser.py
    staff-search.png, staff-assess.png,     tests/staff/test_browser.py
    staff-case.png
    staff-dashboard.png                     tests/staff/test_dashboard.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = [
    # the conversation the desktop picture shows is built up by the module's earlier tests
    "tests/channels/webchat/test_widget_browser.py::test_chinese_typed_through_an_ime_is_sent_after_composition_and_answered_with_citation",
    "tests/channels/webchat/test_widget_browser.py::test_screenshots_desktop_and_mobile",
    "tests/staff/test_browser.py::test_login_search_assess_and_case_lookup",
    "tests/staff/test_dashboard.py::test_dashboard_in_chromium_screenshot",
]


def main() -> int:
    os.chdir(ROOT)  # pytest.ini and the tests' relative paths
    sys.path.insert(0, str(ROOT))
    args = [*TESTS, "-q", "-p", "no:cacheprovider", "--screenshots-dir", str(ROOT / "docs"), *sys.argv[1:]]
    return int(pytest.main(args))


if __name__ == "__main__":
    sys.exit(main())

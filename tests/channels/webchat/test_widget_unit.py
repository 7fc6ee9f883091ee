"""The widget's JavaScript unit tests (node:test + jsdom in widget/test/), run from pytest so that
`make test` runs them: rendering, escaping, IME handling, session keep, link safety, counter."""

import shutil
import subprocess

from tests.helpers import ROOT

WIDGET = ROOT / "widget"


def test_widget_js_unit_tests_pass():
    assert (WIDGET / "node_modules" / "jsdom").is_dir(), "widget dependencies missing: run `make widget`"
    npm = shutil.which("npm")
    assert npm, "npm not found (Node 20 is needed to build and test the widget)"
    result = subprocess.run([npm, "test", "--silent"], cwd=WIDGET, capture_output=True, text=True, timeout=300)
    summary = "\n".join(line for line in result.stdout.splitlines() if line.startswith("# ") or "not ok" in line)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout and "# pass " in result.stdout, summary
    passed = int(next(line for line in result.stdout.splitlines() if line.startswith("# pass ")).split()[-1])
    assert passed >= 30, summary  # every test file was found and ran

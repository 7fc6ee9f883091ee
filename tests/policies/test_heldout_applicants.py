"""Verdicts on applicants written from the notices alone (tests/policies/blind, issue 23): the
interview is walked with each applicant answering from the facts its writer stated. The gates are
the figures measured when this was built (docs/measurements.md); ``make test`` fails when they drop.
The test split was never opened while the engine was tuned: its figures are reported apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies.eligibility.heldout import score

BLIND = Path(__file__).parent / "blind"
# (right at least, wrong at most, blocked at most) of every applicant in the set. Re-based on
# 2026-12-06 for three rules the notices state and the engine lacked (docs/measurements.md): 长治's
# 聘任 date for 事业单位 staff turned dev's one wrong verdict into blocked, and 简阳's "continuing
# education in a related specialty" blocks two dev applicants whose writer had no fact to say it.
GATES = {"dev.yml": (50, 0, 15), "test.yml": (22, 2, 13)}
# Questions to the verdict, (median, max): 7 / 17 on both before the conditions were asked as
# checklists (issue 23, docs/measurements.md).
QUESTIONS = {"dev.yml": (4, 9), "test.yml": (4, 10)}


@pytest.mark.parametrize("name", sorted(GATES))
def test_verdicts_on_applicants_nobody_here_wrote(name):
    result = score(BLIND / name)
    right, wrong, blocked = GATES[name]
    print(name, result.summary())
    assert result.right >= right, result.summary()
    assert result.wrong <= wrong, [(o.name, o.expected, o.verdict) for o in result.scored if not o.right]
    assert result.blocked <= blocked, result.summary()
    median, most = QUESTIONS[name]
    counts = sorted(o.questions for o in result.outcomes)
    assert counts[(len(counts) - 1) // 2] <= median and counts[-1] <= most, result.summary()

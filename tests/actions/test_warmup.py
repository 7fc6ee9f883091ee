"""The action server builds what the first answers need before it serves (actions/warmup.py)."""

from actions.assessment import _interview, assessable_notices
from actions.warmup import warm_up


def test_warm_up_builds_every_notices_interview_before_the_first_call():
    _interview.cache_clear()
    assert warm_up() > 0
    assert _interview.cache_info().currsize == len(assessable_notices()) >= 5

"""The action server builds what the first answers need before it serves (actions/warmup.py)."""

from actions.assessment import _interview, assessable_notices
from actions.warmup import warm_up


def test_warm_up_builds_every_notices_interview_before_the_first_call():
    _interview.cache_clear()
    assert warm_up() > 0
    assert _interview.cache_info().currsize == len(assessable_notices()) >= 5


def test_warm_up_reads_this_hours_priors_so_the_first_assessment_turn_does_not():
    """The database connection and this hour's weighed interview are made before serving: the first
    assessment turn on a fresh pod had paid for them (10.2 s, over the turn budget, in make test-k8s)."""
    import time

    from actions import assessment

    assessment._WEIGHED.clear()
    warm_up()
    hour = int(time.time() // assessment.PERIOD)
    assert {(n.id, hour) for n in assessable_notices()} <= set(assessment._WEIGHED)

"""Everything the first applicant would otherwise wait for, done before the action server serves.

The notice index, the answer index (jieba's dictionary, the gazetteer, the typo-by-sound table), the
fact reader, each notice's interview and the database connection with this hour's weighed interview
are made on first use. On a freshly started action server
(a new pod on a scale-up or a rollout) the first questions paid for all of it — under load more than
the 10-second turn budget, so the applicant read "还在处理中" (seen in make test-k8s). The action
server (bot/plugins/action_server.py) calls :func:`warm_up` before it listens, so its /health, and
with it the readiness probe, passes only once the first answer is as quick as the next.
"""

from __future__ import annotations

import time

from actions.assessment import _interview, assessable_notices, weighed_interview
from actions.context import notice_index, today
from policies.conversation import Memory, answer_turn
from policies.eligibility import load_catalogue
from policies.eligibility.reader import parse_facts
from policies.qa import qa_for

QUESTION = "长治中级评审费多少"
SELF_DESCRIPTION = "我本科，17年7月评的助工，发过两篇论文，想报工程师"


def warm_up() -> float:
    """Build and use once what the actions use; returns the seconds it took."""
    started = time.perf_counter()
    index = notice_index()
    answer_turn(qa_for(index), QUESTION, today(), Memory())
    parse_facts(SELF_DESCRIPTION, load_catalogue(), today())
    for notice in assessable_notices():
        interview = _interview(notice.id)
        for level in interview.assessor.levels():
            interview.step(level, {}, grouped=True)
        # the first assessment turn reads earlier applicants' answers: the database connection (its
        # name lookup, its login) and this hour's weighed interview are made here, not then — a
        # first turn on a fresh pod took 10.2 s in the action server (make test-k8s). An unreachable
        # database costs nothing here: the hand-set order serves and is read again on the next turn.
        weighed_interview(notice.id, time.time())
    return time.perf_counter() - started

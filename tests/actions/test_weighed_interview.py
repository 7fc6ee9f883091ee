"""Issue 23 point 2 in the chat: the interview weighs its next question by the answers of the
assessments saved before the hour the conversation's assessment began — read from the project
database (SQLite here, PostgreSQL in the pods), the same rows for every server that answers it."""

from __future__ import annotations

import datetime as dt
import time

import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, Restarted, SessionStarted, SlotSet, UserUttered

from actions import assessment
from actions.assessment import _interview, assessment_began, weighed_interview
from actions.context import storage
from bot.storage.tables import AssessmentRow
from policies.eligibility.priors import MIN_SAVED, PERIOD

NOTICE = "jianyang-2020-engineering-senior"
ANSWERS = {"current_title": "engineer", "retired": False, "works_locally": True, "related_work_years": True}


def save(count: int, notice: str = NOTICE, saved_at: dt.datetime | None = None) -> None:
    store = storage()
    for _ in range(count):
        store.save_assessment(
            notice_id=notice,
            level="senior_engineer",
            verdict="eligible",
            facts=ANSWERS,
            result={},
            channel="rest",
            sender_id="someone",
        )
    if saved_at is not None:
        with store.engine.begin() as conn:
            conn.execute(sa.update(AssessmentRow).values(created_at=saved_at))


def fresh() -> None:
    assessment._WEIGHED.clear()


def test_enough_answers_saved_before_the_hour_weigh_the_interview():
    fresh()
    now = time.time()
    save(MIN_SAVED, saved_at=dt.datetime.utcfromtimestamp(now - 2 * PERIOD))
    weighed = weighed_interview(NOTICE, now)
    assert weighed is not _interview(NOTICE) and weighed.priors is not None
    assert len(weighed.priors.samples) == MIN_SAVED
    level, answers = weighed.priors.samples[0]
    assert (level, answers) == ("senior_engineer", ANSWERS)  # the answers only: no sender, no case code
    assert weighed_interview(NOTICE, now) is weighed  # read once an hour, not every turn


def test_answers_saved_after_the_hour_began_do_not_count():
    """A conversation that began three hours ago keeps the order it was asked in, whichever server
    answers it now: the rows saved since do not change its priors."""
    fresh()
    now = time.time()
    save(MIN_SAVED, saved_at=dt.datetime.utcfromtimestamp(now - 2 * PERIOD))
    assert weighed_interview(NOTICE, now - 3 * PERIOD) is _interview(NOTICE)
    assert weighed_interview(NOTICE, now).priors is not None


def test_too_few_saved_or_another_notices_keep_the_hand_set_order():
    fresh()
    now = time.time()
    past = dt.datetime.utcfromtimestamp(now - 2 * PERIOD)
    save(MIN_SAVED - 1, saved_at=past)
    save(5, notice="changzhi-2022-engineering-mid-junior", saved_at=past)
    assert weighed_interview(NOTICE, now) is _interview(NOTICE)
    assert weighed_interview(NOTICE, None) is _interview(NOTICE)  # no event with a time


def test_an_unreadable_database_keeps_the_hand_set_order(monkeypatch):
    fresh()
    monkeypatch.setenv("ZHICHENG_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")  # nothing listens
    assert weighed_interview(NOTICE, time.time()) is _interview(NOTICE)
    assert not assessment._WEIGHED  # read again on the next turn


def test_an_assessment_begins_at_the_first_event_after_the_last_restart():
    events = [
        SessionStarted(timestamp=100.0).as_dict(),
        UserUttered("我能报吗", timestamp=101.0).as_dict(),
        Restarted(timestamp=200.0).as_dict(),
        UserUttered("简阳高工", timestamp=201.0).as_dict(),
        SlotSet("region", "简阳", timestamp=202.0).as_dict(),
    ]
    assert assessment_began(events) == 201.0
    assert assessment_began(events + [ActionExecuted("action_reset_assessment", timestamp=300.0).as_dict()]) is None
    assert assessment_began([]) is None

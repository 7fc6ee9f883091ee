"""Issue 23 point 2 in the chat: the interview weighs its next question by the answers of the
assessments saved before the hour the conversation's assessment began — read from the project
database (SQLite here, PostgreSQL in the pods), the same rows for every server that answers it."""

from __future__ import annotations

import datetime as dt
import time

import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, Restarted, SessionStarted, SlotSet, UserUttered
from rasa_sdk import Tracker

from actions import assessment
from actions.assessment import _interview, assessment_began, interview_step, weighed_interview
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


def junior_college_state():
    """简阳, a 大专 applicant just before the hand-set order asks the date of the 大专 (the legal
    case "大专只有1名正高工推荐"): the answers so far, the recommenders' question, and the
    answers saved by applicants like them who had no 正高 recommenders."""
    from policies.eligibility.cases import load_cases
    from policies.eligibility.interview import DONT_KNOW
    from policies.eligibility.questions import walk_interview

    plain = _interview(NOTICE)
    case = next(c for c in load_cases() if c.notice == NOTICE and c.name == "大专只有1名正高工推荐")
    given: dict = {}
    walk_interview(plain, case.level, case.facts, given)
    answers: dict = {}
    while True:
        q = plain.step(case.level, answers, limit=1, grouped=True).questions[0]
        if q.facts == ["jy_junior_college_date"]:
            break
        answers.update({f: given.get(f, DONT_KNOW) for f in q.facts})
    recommenders = plain.step(case.level, answers, limit=2, grouped=True).questions[1]
    lacking = {f: given.get(f, False) for f in recommenders.facts}
    saved = {**answers, "jy_junior_college_date": given["jy_junior_college_date"], **lacking}
    return case.level, answers, recommenders.facts, saved


def tracker_at(level: str, answers: dict, began: float) -> Tracker:
    slots = {"region": "jianyang", "assess_level": level, **{f"fact_{f}": v for f, v in answers.items()}}
    events = [SessionStarted(timestamp=began - 1).as_dict(), UserUttered("我想评估简阳高工", timestamp=began).as_dict()]
    return Tracker("applicant", slots, {"text": "", "intent": {}}, events, False, None, {}, "action_listen")


def test_the_chat_asks_the_weighed_question_from_the_slots():
    """Through the form's own path (slots → interview_step): with 100 saved answers of 大专
    applicants without 正高 recommenders, the chat asks about the recommenders before the 大专 date;
    a conversation that began before those answers were saved is asked in the hand-set order."""
    fresh()
    level, answers, recommenders, saved_answers = junior_college_state()
    store = storage()
    for _ in range(MIN_SAVED):
        store.save_assessment(
            notice_id=NOTICE,
            level=level,
            verdict="undetermined",
            facts=saved_answers,
            result={},
            channel="rest",
            sender_id=None,
        )
    now = time.time()
    with store.engine.begin() as conn:
        conn.execute(sa.update(AssessmentRow).values(created_at=dt.datetime.utcfromtimestamp(now - 2 * PERIOD)))
    assert interview_step(tracker_at(level, answers, now)).questions[0].facts == recommenders
    assert interview_step(tracker_at(level, answers, now - 3 * PERIOD)).questions[0].facts == ["jy_junior_college_date"]

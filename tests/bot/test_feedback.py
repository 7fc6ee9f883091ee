"""bot.storage.feedback: finding the answer rated in a conversation's events, telling a rating from a
message, and storing a rating once per answer — with a 没帮助's question, masked, in the inbox —
on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading

import pytest
import sqlalchemy as sa

from bot.storage.assessments import Storage
from bot.storage.feedback import (
    FeedbackStore,
    RatedAnswer,
    feedback_in,
    find_answer,
    latest_answer,
    new_answer_id,
    submit,
    valid_answer_id,
)

CZ = "changzhi-2022-engineering-mid-junior"


def answer(id_: str, clause: str = "三（一）4") -> dict:
    return {"id": id_, "notice": CZ, "topic": "conditions", "clauses": [{"notice": CZ, "clause": clause}]}


def user(text: str) -> dict:
    return {"event": "user", "text": text}


def bot(text: str, ans: dict = None) -> dict:
    return {"event": "bot", "text": text, "metadata": {"answer": ans} if ans else {}}


A1, A2 = new_answer_id(), new_answer_id()
EVENTS = [
    {"event": "session_started"},
    user("长治中级要几篇论文"),
    {"event": "slot", "name": "last_question", "value": "长治中级要几篇论文"},
    bot("· 2篇以上〔三（一）4〕", answer(A1)),
    user('/inform{"region":"chongqing"}'),
    {"event": "slot", "name": "last_question", "value": "几篇论文"},
    bot("· 重庆……〔二〕", answer(A2, "二")),
    bot("还想了解什么？"),
]


def test_answer_ids_are_fresh_and_checked():
    assert A1 != A2 and valid_answer_id(A1)
    for bad in (None, 5, "", "x" * 20, "ABCDEF0123456789", "0" * 65, A1 + "\n"):
        assert not valid_answer_id(bad), bad


def test_the_answer_rated_is_found_with_the_question_it_answered():
    first = find_answer(EVENTS, A1)
    assert first.answer["id"] == A1 and first.question == "长治中级要几篇论文"
    # an answer to a button: the question the conversation remembered
    assert find_answer(EVENTS, A2).question == "几篇论文"
    assert find_answer(EVENTS, new_answer_id()) is None  # not in this conversation
    assert find_answer(EVENTS, "not-an-id") is None


def test_only_the_last_turns_answer_can_be_rated_by_a_short_reply():
    last = latest_answer(EVENTS)
    assert last.answer["id"] == A2 and last.question == "几篇论文"  # a hint after it changes nothing
    assert latest_answer(EVENTS + [user("评审费多少"), bot("请问您在哪个地区？")]) is None
    assert latest_answer(EVENTS + [{"event": "restart"}]) is None
    assert latest_answer([user("你好"), bot("您好")]) is None


@pytest.mark.parametrize(
    "text,helpful",
    [
        ("没帮助", False),
        ("没帮助！", False),
        ("不对", False),
        (" 不对。", False),
        ("答非所问", False),
        ("没用", False),
        ("有帮助", True),
        ("有用，谢谢！", True),
        ("谢谢有帮助", True),
        ("不对，我是硕士", None),
        ("不对 我是2015年毕业的", None),
        ("没帮助的话怎么转人工", None),
        ("谢谢", None),
        ("长治中级评审费多少", None),
        ("", None),
        ("1", None),
    ],
)
def test_a_rating_is_told_from_a_message(text, helpful):
    assert feedback_in(text) is helpful


def test_a_rating_is_kept_once_with_its_context_and_a_not_helpful_reaches_the_inbox(project_db):
    rated = RatedAnswer(answer(A1), "长治中级要几篇论文，我的电话13812345678")
    assert submit(project_db, rated, False, "webchat") is True
    assert submit(project_db, rated, True, "wechat") is False  # once per answer: the first stands
    row = FeedbackStore(project_db).find(A1)
    assert (row.helpful, row.channel, row.notice_id, row.topic) == (False, "webchat", CZ, "conditions")
    assert row.clauses == [{"notice": CZ, "clause": "三（一）4"}]
    [inbox] = Storage(project_db).list_unanswered()
    assert inbox.reason == "not_helpful" and inbox.channel == "webchat"
    assert inbox.text == "长治中级要几篇论文，我的电话138****5678"  # masked
    assert inbox.context == {"notice": CZ, "topic": "conditions", "clauses": [{"notice": CZ, "clause": "三（一）4"}]}
    # 有帮助 is kept, and does not reach the inbox
    assert submit(project_db, RatedAnswer(answer(A2, "二"), "几篇论文"), True, "wechat") is True
    assert FeedbackStore(project_db).find(A2).helpful is True
    assert Storage(project_db).count_unanswered() == 1
    # nothing but the rating and its context: no sender, no text
    with sa.create_engine(project_db).connect() as conn:
        cols = [c for c in conn.execute(sa.text("select * from answer_feedback")).keys()]
        raw = conn.execute(sa.text("select clauses from answer_feedback where answer_id = :a"), {"a": A1}).scalar()
    assert set(cols) == {"id", "answer_id", "helpful", "channel", "notice_id", "topic", "clauses", "created_at"}
    assert json.loads(raw) == [{"notice": CZ, "clause": "三（一）4"}]


def test_two_ratings_of_one_answer_at_once_keep_one(project_db):
    FeedbackStore(project_db).find(A1)  # the schema first, so the threads race on the row only
    rated = RatedAnswer(answer(A1), "长治中级要几篇论文")
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(submit(project_db, rated, False, "webchat"))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]
    assert Storage(project_db).count_unanswered() == 1


def test_a_forged_context_cannot_grow_a_row(project_db):
    huge = {
        "id": A1,
        "notice": "n" * 500,
        "topic": "t" * 500,
        "clauses": [{"notice": CZ, "clause": "x" * 500}] * 100 + ["junk", {"clause": 5}],
    }
    assert submit(project_db, RatedAnswer(huge, "q"), True, "webchat" * 20)
    row = FeedbackStore(project_db).find(A1)
    assert len(row.notice_id) == 120 and len(row.topic) == 60 and len(row.channel) == 40
    assert len(row.clauses) == 12 and all(len(c["clause"]) == 120 for c in row.clauses)


def test_whoever_sees_a_not_helpful_sees_its_inbox_row_too(project_db):
    """The staff page (another process) reads between any two commits: after each one, a 没帮助
    without its inbox row must never be visible."""
    from sqlalchemy.orm import Session

    FeedbackStore(project_db).find(A1)  # the schema first
    observer = sa.create_engine(project_db)
    seen = []

    def look(_session):
        with observer.connect() as conn:
            rated = conn.execute(sa.text("select count(*) from answer_feedback where not helpful")).scalar()
            inbox = conn.execute(sa.text("select count(*) from unanswered where reason = 'not_helpful'")).scalar()
        seen.append((rated, inbox))

    sa.event.listen(Session, "after_commit", look)
    try:
        assert submit(project_db, RatedAnswer(answer(A1), "长治中级要几篇论文"), False, "webchat") is True
    finally:
        sa.event.remove(Session, "after_commit", look)
    assert seen and all(rated == inbox for rated, inbox in seen) and seen[-1] == (1, 1)

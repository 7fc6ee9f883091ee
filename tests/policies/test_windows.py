"""Deadlines relative to an injected 'today': not yet open, open with days left, closed."""

import datetime as dt

import pytest

from policies import QA, load_notices, render_text, status

D = dt.date


@pytest.fixture(scope="module")
def cq():
    return load_notices().get("chongqing-2024-engineering-senior-nonpublic-sme")


@pytest.mark.parametrize(
    "today,state,days",
    [
        (D(2024, 9, 2), "not_yet_open", 1),
        (D(2024, 9, 3), "open", 37),
        (D(2024, 10, 10), "open", 0),
        (D(2024, 10, 11), "closed", 1),
    ],
)
def test_application_window_boundaries(cq, today, state, days):
    st = status(cq.window("online_application"), today)
    assert (st.state, st.days) == (state, days)


def ask(question, today, region="chongqing"):
    reply = QA(load_notices()).answer(question, today, region=region)
    return reply, render_text(reply)


def test_answer_says_days_left(cq):
    _, text = ask("网上申报什么时候截止", D(2024, 10, 1))
    assert "还剩9天" in text and "2024年9月3日至2024年10月10日" in text


def test_answer_says_closed_with_date(cq):
    _, text = ask("什么时候缴费", D(2026, 11, 22))
    assert "已于2024年11月11日截止" in text


def test_answer_says_not_yet_open(cq):
    _, text = ask("什么时候缴费", D(2024, 10, 20))
    assert "8天后开始" in text


def test_last_day_says_today():
    _, text = ask("网上缴费截止到几点", D(2020, 9, 11), region="jianyang")
    assert "今天17:00截止" in text


def test_kind_not_in_notice_says_so_and_gives_contact(cq):
    reply, text = ask("重庆副高答辩是哪天", D(2024, 9, 10))
    # 重庆 gives no defence date: the document it defers to and the contact, never a date
    assert "渝职改办〔2024〕207号" in text and "023-63899976" in text
    assert "月" not in text.replace("2024", "")

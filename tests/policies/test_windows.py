"""Deadlines relative to an injected 'today': not yet open, open with days left, closed."""
import datetime as dt

import pytest

from policies import load_notices, status
from policies.answers import answer_windows

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


def test_answer_says_days_left(cq):
    text = answer_windows(cq, D(2024, 10, 1), kind="application").text
    assert "还剩9天" in text and "2024年9月3日至2024年10月10日" in text


def test_answer_says_closed_with_date(cq):
    text = answer_windows(cq, D(2026, 11, 22), kind="payment").text
    assert "已于2024年11月11日截止" in text


def test_answer_says_not_yet_open(cq):
    text = answer_windows(cq, D(2024, 10, 20), kind="payment").text
    assert "8天后开始" in text


def test_last_day_says_today():
    jy = load_notices().get("jianyang-2020-engineering-senior")
    text = answer_windows(jy, D(2020, 9, 11), kind="payment").text
    assert "今天17:00截止" in text


def test_kind_not_in_notice_says_so_and_gives_contact(cq):
    ans = answer_windows(cq, D(2024, 9, 10), kind="defence")
    assert not ans.stated
    assert "没有写明答辩的时间" in ans.text
    assert "023-63899976" in ans.text

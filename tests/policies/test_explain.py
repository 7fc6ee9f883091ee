"""The words of a result: verdict first, the deciding conditions with clauses, the next step."""

import datetime as dt

import pytest

from policies import load_notices
from policies.eligibility import Assessor
from policies.eligibility.explain import as_record, render

CZ = load_notices().get("changzhi-2022-engineering-mid-junior")
OK = dict(
    civil_servant=False,
    retired=False,
    under_discipline=False,
    exam_profession=False,
    public_institution=False,
    works_locally=True,
    education="bachelor",
    education_related=True,
    current_title="assistant_engineer",
    current_title_date=dt.date(2017, 6, 1),
    papers_first_author=2,
    achievement_listed=True,
    assessments_passed_count=4,
    assessment_ok_latest=True,
)
TODAY = dt.date(2022, 8, 1)


def test_eligible_names_the_notice_and_next_step():
    text = render(Assessor(CZ).assess("engineer", OK), CZ, TODAY)
    first, *rest = text.split("\n")
    assert first == "按长工信〔2022〕139号（长治2022年度），您符合申报工程师的条件。"
    assert "三（一）4" in text and "材料收审" in text and "还剩24天" in text
    assert "截止" not in text and "尚未收录" not in text  # the round is on


def test_not_eligible_lists_the_failing_clause_and_when_the_years_are_reached_in_the_notices_terms():
    facts = {
        **OK,
        "current_title_date": dt.date(2020, 3, 1),
        "skill_level": "none",
        "township_years": 0,
        "other_series_title": False,
        "professional_qualification_held": False,
        "high_skill_frontline": False,
    }
    text = render(Assessor(CZ).assess("engineer", facts), CZ, TODAY)
    assert text.startswith("按长工信〔2022〕139号（长治2022年度），您不符合申报工程师的条件。")
    # when the years are reached, by this notice's rules — not a promise about a later round's
    assert "按2022年度的规定推算，年限在2024年3月满足" in text and "以当年的通知为准" in text
    assert "最早2024年度可以申报" not in text
    assert "三（一）3" in text and "三（一）4" not in text


def test_excluded_shows_only_the_exclusion():
    text = render(Assessor(CZ).assess("engineer", {"civil_servant": True}), CZ, TODAY)
    assert "公务员" in text and "三（一）" not in text


def test_undetermined_names_the_delegated_document():
    pl = load_notices().get("pingliang-2022-engineering-mid-senior")
    from policies.eligibility.cases import load_cases

    case = next(c for c in load_cases() if c.notice == pl.id and c.verdict == "undetermined" and len(c.facts) > 4)
    a = Assessor(pl).assess(case.level, case.facts)
    text = render(a, pl, TODAY)
    assert "甘人社通〔2021〕252号" in text
    assert as_record(a)["delegated_docs"] == ["甘人社通〔2021〕252号"]


# --- the round judged by, through the clock: every notice, during its round and after -------------
NOTICES = load_notices()


def _cases_per_notice():
    from policies.eligibility.cases import load_cases

    chosen = {}
    for case in load_cases():
        if case.verdict in ("eligible", "not_eligible") and (case.notice, case.verdict) not in chosen:
            chosen[(case.notice, case.verdict)] = case
    return sorted(chosen.values(), key=lambda c: (c.notice, c.verdict))


def _during(notice):
    """A day inside the notice's entry window (its first day, or a week before its end)."""
    from policies.rounds import entry_window

    w = entry_window(notice)
    return w.start or w.end - dt.timedelta(days=7)


@pytest.mark.parametrize("case", _cases_per_notice(), ids=lambda c: f"{c.notice}:{c.verdict}")
def test_a_verdict_names_its_round_and_says_when_that_round_is_over(case):
    from policies.rounds import entry_window

    notice = NOTICES.get(case.notice)
    a = Assessor(notice).assess(case.level, case.facts)
    assert a.verdict == case.verdict
    city = notice.region.city.removesuffix("市")
    round_ = f"{city}{notice.year}年度"
    closed = entry_window(notice).end

    during = render(a, notice, _during(notice))
    assert during.startswith(f"按{notice.doc_number}（{round_}），")
    assert "尚未收录" not in during and "这一轮已于" not in during

    for today in (closed + dt.timedelta(days=1), dt.date(2026, 12, 6)):
        after = render(a, notice, today)
        assert after.startswith(f"按{notice.doc_number}（{round_}），")
        # the round is over: said, with the day it closed, that a later notice may differ, and whom to ask
        assert f"这一轮已于{closed.year}年{closed.month}月{closed.day}日截止" in after
        assert "尚未收录" in after and "条件可能不同" in after
        phones = [p for c in notice.contacts for p in c.phones]
        assert any(p in after for p in phones)
        assert "下一步" not in after and "还剩" not in after  # no step of a closed round
        assert "最早" not in after


def test_the_day_the_window_closes_is_still_in_the_round():
    from policies.rounds import closed_on, entry_window

    for notice in NOTICES:
        end = entry_window(notice).end
        assert closed_on(notice, end) is None
        assert closed_on(notice, end + dt.timedelta(days=1)) == end


# --- a verdict that reads on a phone (issue 23, point 5) -------------------------------------------
def _all_verdicts():
    from policies.eligibility.cases import load_cases

    for case in load_cases():
        notice = NOTICES.get(case.notice)
        yield case, notice, Assessor(notice).assess(case.level, case.facts)


def test_every_legal_cases_verdict_fits_a_phone_screen_during_its_round_and_after():
    from actions.assessment import case_code_line
    from policies.eligibility.explain import MAX_CHARS, deciding

    checked = 0
    for case, notice, a in _all_verdicts():
        for today in (_during(notice), dt.date(2026, 12, 6)):
            text = render(a, notice, today, case.facts)
            assert len(text) <= MAX_CHARS, (case.name, text)
            assert len(f"{text}\n{case_code_line('7K3M9QXZ')}") <= 300, (case.name, text)
            assert text.startswith(a.summary()), case.name
            shown = deciding(a)
            if shown:  # at least the first deciding condition, with its clause; the rest behind the button
                assert f"〔{shown[0].clause}〕" in text, (case.name, text)
                if not all(f"〔{c.clause}〕" in text for c in shown):
                    assert "查看全部条件" in text, (case.name, text)
            checked += 1
    assert checked > 300


def test_the_applicants_own_facts_come_back_before_the_conditions():
    text = render(Assessor(CZ).assess("engineer", OK), CZ, TODAY, OK)
    lines = text.split("\n")
    assert lines[1].startswith("您的情况：现职称助理工程师；2017年6月取得；本科（学士）；专业对口"), text
    assert lines[2].startswith("· 符合："), text  # then the deciding conditions …
    assert lines[-1].startswith("下一步：材料收审"), text  # … and the next step last


def test_an_excluded_applicant_sees_the_fact_that_excludes_and_nothing_else():
    facts = {**OK, "retired": True}
    text = render(Assessor(CZ).assess("engineer", facts), CZ, TODAY, facts)
    assert "您的情况：已退休\n" in text and "〔二〕" in text and "三（一）" not in text


def test_show_all_conditions_lists_every_condition_with_its_clause():
    from policies.eligibility.explain import render_all

    a = Assessor(CZ).assess("engineer", OK)
    text = render_all(a)
    for clause in ("三（一）2", "三（一）3", "三（一）4", "三（一）5", "三（一）7"):
        assert "· 符合：" in text and f"〔{clause}〕" in text
    assert "不属于不得申报的情形〔二〕" in text
    # the full explanation, not the short one the verdict shows
    assert "本科、专科任助工满4年" in text and "本科、专科任助工满4年" not in render(a, CZ, TODAY, OK)

"""The words of a result: verdict first, the deciding conditions with clauses, the next step."""

import datetime as dt

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
    assert first == "按长工信〔2022〕139号，您符合申报工程师的条件。"
    assert "三（一）4" in text and "材料收审" in text and "还剩24天" in text


def test_not_eligible_lists_the_failing_clause_and_earliest_year():
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
    assert text.startswith("按长工信〔2022〕139号，您目前不符合申报工程师的条件。")
    assert "最早2024年度" in text and "三（一）3" in text and "三（一）4" not in text


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

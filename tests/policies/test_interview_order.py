"""What the interview asks first and when it stops (issue 23): the exclusions early as one
question, a 破格 route closed by its own condition before the conditions it shares, a route that
only another document decides named rather than interviewed, and "只要您没有…" instead of more
questions about something rare."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any, Dict, List, Tuple

from policies.eligibility.assess import NOT_ELIGIBLE, UNDETERMINED, Assessor
from policies.eligibility.cases import load_cases
from policies.eligibility.explain import render
from policies.eligibility.interview import DONT_KNOW, Interview, Step
from policies.loader import load_notices

INDEX = load_notices()
JY = "jianyang-2020-engineering-senior"
CZ = "changzhi-2022-engineering-mid-junior"


@cache
def interview(notice_id: str) -> Interview:
    return Interview(Assessor(INDEX.get(notice_id)))


def walk(notice_id: str, level: str, facts: Dict[str, Any]) -> Tuple[Step, List[List[str]]]:
    """Answer each question from ``facts`` (不清楚 for the rest): the last step and what was asked."""
    iv, given, asked = interview(notice_id), {}, []
    for _ in range(60):
        step = iv.step(level, given, limit=1, grouped=True)
        if step.settled:
            return step, asked
        q = step.questions[0]
        asked.append(q.facts)
        for fact in q.facts:  # a checklist's line with a threshold (满2年) is ticked when the number reaches it
            given[fact] = iv.tick(level, fact, facts[fact]) if q.multi and fact in facts else facts.get(fact, DONT_KNOW)
    raise AssertionError("the interview did not end")


# The 简阳 applicant of issue 23: 大专, 工程师 since 2014, no 正高 recommenders, nothing else rare.
JY_JUNIOR_COLLEGE = {
    "current_title": "engineer",
    "current_title_date": dt.date(2014, 7, 1),
    "education": "junior_college",
    "education_related": True,
    "retired": False,
    "jy_construction_economics": False,
    "skill_level": "none",
    "jy_junior_college_date": dt.date(2008, 7, 1),
    "recommenders_full_senior": 0,
    "rural_grassroots_years": 0,
    "jy_regular_college_graduate": True,
    "provincial_award_top3": False,
    "invention_patent_tax_10m": False,
    "head_enterprise_recommended": False,
    "related_work_years": 12,
    "assessment_ok_recent_5y": True,
    "department_type": "production",
    "jy_achievement_production": True,
    "jy_papers_first_or_corresponding": 1,
    "continuing_education_public_hours": 30,
    "continuing_education_professional_hours": 60,
    "employer_type": "non_public",
    "works_locally": True,
    "employer_registered_locally": True,
}


def test_the_jianyang_junior_college_applicant_hears_the_open_document_and_whom_to_ask_within_eight():
    step, asked = walk(JY, "senior_engineer", JY_JUNIOR_COLLEGE)
    assert len(asked) <= 6, asked  # 18 before issue 23, 8 before the conditions were asked as checklists
    assert step.result.verdict == UNDETERMINED and step.result.deferred
    during = render(step.result, INDEX.get(JY), dt.date(2020, 8, 25))
    after = render(step.result, INDEX.get(JY), dt.date(2026, 12, 6))
    for text in (during, after):
        assert "川职改〔1992〕69号" in text and "27028373" in text and "无法判断" in text
        assert "大专可看破格推荐" not in text  # the advice of a route he has just been shown closed
        assert len(text) <= 420, len(text)
    assert "已于2020年9月7日截止" in after and "截止" not in during.split("\n")[0]


def test_the_recommenders_are_asked_right_after_the_regular_route_closes():
    _, asked = walk(JY, "senior_engineer", JY_JUNIOR_COLLEGE)
    at = {f: i for i, q in enumerate(asked) for f in q}
    # the regular route closes with 技能 (none): the 大专 route's own conditions come next, in one
    # checklist with the 破格 grounds, before the conditions it shares with the regular route
    assert at["recommenders_full_senior"] <= at["skill_level"] + 2  # after 大专's date, its own too
    assert {"rural_grassroots_years", "provincial_award_top3"} <= set(asked[at["recommenders_full_senior"]])
    assert "department_type" not in at


# A 长治 助工 whose degree is in an unrelated field (三（一）2 fails), no 技能 or 乡镇 route.
CZ_UNRELATED_DEGREE = {
    "works_locally": True,
    "civil_servant": False,
    "retired": False,
    "under_discipline": False,
    "exam_profession": False,
    "public_institution": False,
    "education": "bachelor",
    "education_related": False,
    "current_title": "assistant_engineer",
    "current_title_date": dt.date(2016, 7, 1),
    "skill_level": "none",
    "township_years": 0,
}


def test_a_route_with_a_condition_of_its_own_is_still_asked_about():
    """长治's 职业资格 route is decided by another document too, but whether one holds a 职业资格 is
    something the applicant knows: it is asked, and a no ends the interview not eligible."""
    facts = {**CZ_UNRELATED_DEGREE, "professional_qualification_held": False, "high_skill_frontline": False}
    step, asked = walk(CZ, "engineer", facts)
    flat = {f for q in asked for f in q}
    assert {"professional_qualification_held", "high_skill_frontline"} <= flat
    assert step.result.verdict == NOT_ELIGIBLE and step.result.unless is None


def test_not_knowing_about_something_rare_gives_the_verdict_it_would_be_and_says_what_it_is():
    step, _ = walk(CZ, "engineer", CZ_UNRELATED_DEGREE)  # 职业资格 and 高技能人才: 不清楚
    a = step.result
    assert a.verdict == UNDETERMINED and a.unless is not None and a.unless[0] == NOT_ELIGIBLE
    first = a.summary()
    assert "只要以下情况您都没有，您不符合申报工程师的条件" in first
    assert "职业资格〔三（五）〕" in first and "高技能人才〔三（六）〕" in first
    text = render(a, INDEX.get(CZ), dt.date(2022, 8, 1))
    assert "· 不符合：相同或相近专业大专及以上学历〔三（一）2〕" in text  # what fails, not what is unknown
    assert "待确认" not in text and "下一步" not in text and len(text) <= 300


def test_what_would_exclude_by_its_absence_is_never_assumed():
    """简阳: not knowing whether the unit is 简阳市属 must not be read as "not an applicant"."""
    iv = interview(JY)
    assert "jy_municipal_unit" in iv.exclusion_facts and "jy_municipal_unit" not in iv.flags
    step, _ = walk(
        JY, "senior_engineer", {**JY_JUNIOR_COLLEGE, "employer_type": "state_owned", "education": "bachelor"}
    )
    assert step.result.unless is None or step.result.unless[0] != NOT_ELIGIBLE


def test_an_excluded_applicant_settles_within_three_questions():
    cases = [
        c
        for c in load_cases()
        if c.verdict == NOT_ELIGIBLE
        and INDEX.get(c.notice) is not None
        and any(c.facts.get(f) is True for f in interview(c.notice).flags)
        # excluded, not only 在事业单位 (a flag 长治's years also read)
        and any(
            x.route is None and x.status == "met"
            for x in interview(c.notice).assessor.assess(c.level, c.facts).conditions
        )
    ]
    assert len(cases) >= 5
    for case in cases:
        _, asked = walk(case.notice, case.level, case.facts)
        assert len(asked) <= 3, (case.name, asked)


def test_no_question_asks_the_applicant_to_judge_a_document_the_notice_only_names():
    """川职改〔1992〕69号, 重庆's 条件索引, 甘人社通〔2021〕252号: the notices name them without their
    conditions, so nobody can answer "do you meet it?" (issue 23): the verdict names them instead."""
    specs = interview(JY).catalogue.specs
    for notice in INDEX.all():
        if notice.eligibility is None:
            continue
        iv = interview(notice.id)
        docs = {"69号", "条件索引", "252号", "评价条件标准"}
        facts = set(iv.assessor.domains)
        for fact in facts:
            assert not any(d in specs[fact].question for d in docs), (notice.id, fact)

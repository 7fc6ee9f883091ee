"""The interview as the chat and the staff page run it (``Interview.step(grouped=True)``): every
legal case reaches its verdict, and the number of questions to that verdict stays cut (issue 13:
the median for eligible applicants at most two thirds of the 13 asked before)."""

import statistics
from functools import cache

import pytest

from policies.eligibility.assess import ELIGIBLE, ELIGIBLE_SPECIAL, Assessor
from policies.eligibility.cases import load_cases
from policies.eligibility.interview import DONT_KNOW, NONE_APPLIES, Interview
from policies.eligibility.questions import count_interview
from policies.loader import load_notices

INDEX = load_notices()
CASES = [c for c in load_cases() if INDEX.get(c.notice) is not None and INDEX.get(c.notice).eligibility]
BEFORE_ELIGIBLE_MEDIAN = 13  # docs/measurements.md: the engine of f9774d2, one fact a turn


@cache
def interview(notice_id: str) -> Interview:
    return Interview(Assessor(INDEX.get(notice_id)))


def walk(case):
    """Answer every question from the case (不清楚 where it says nothing); the last step."""
    iv, given = interview(case.notice), {}
    for _ in range(60):
        step = iv.step(case.level, given, limit=1, grouped=True)
        if step.settled:
            return step
        for fact in step.questions[0].facts:
            given[fact] = DONT_KNOW if case.facts.get(fact) is None else case.facts[fact]
    raise AssertionError("the interview did not end")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_grouped_interview_reaches_the_legal_cases_verdict(case):
    assert walk(case).result.verdict == case.verdict


def test_eligible_applicants_are_asked_at_most_two_thirds_of_the_questions_of_before():
    counts = [
        count_interview(interview(c.notice), c.level, c.facts)
        for c in CASES
        if c.verdict in (ELIGIBLE, ELIGIBLE_SPECIAL)
    ]
    assert len(counts) >= 40
    assert statistics.median(counts) <= BEFORE_ELIGIBLE_MEDIAN * 2 / 3, sorted(counts)
    assert max(counts) <= 19, sorted(counts)  # docs/measurements.md: 简阳's longest path


def test_title_and_its_date_are_the_first_question_asked_together():
    q = interview("changzhi-2022-engineering-mid-junior").step("engineer", {}, limit=1, grouped=True).questions[0]
    assert q.together and q.facts == ["current_title", "current_title_date"]
    assert "职称" in q.text and "如：" in q.text


def test_a_member_already_known_is_not_asked_again():
    q = (
        interview("changzhi-2022-engineering-mid-junior")
        .step("engineer", {"current_title": "assistant_engineer"}, limit=1, grouped=True)
        .questions[0]
    )
    assert q.facts == ["current_title_date"] and not q.together


def test_the_checklist_lists_only_what_can_still_matter_with_the_city_named():
    iv = interview("jianyang-2020-engineering-senior")
    given = {
        "employer_type": "state_owned",
        "current_title": "engineer",
        "current_title_date": "2015-06-01",
        "skill_level": "none",
        "education": "bachelor",
        "related_work_years": 8,
        "assessment_ok_recent_5y": True,
        "department_type": "production",
        "jy_achievement_production": True,
        "jy_papers_first_or_corresponding": 1,
        "continuing_education_public_hours": 30,
        "continuing_education_professional_hours": 60,
        "continuing_education_professional_related": True,
        "retired": False,  # the exclusions are asked before (issue 23)
        "jy_construction_economics": False,
    }
    q = iv.step("senior_engineer", given, limit=1, grouped=True).questions[0]
    assert q.type == "checklist" and q.none_label == NONE_APPLIES
    assert "employer_registered_locally" not in q.facts  # a state-owned unit: 工商注册 cannot matter
    assert {"works_locally", "jy_municipal_unit"} <= set(q.facts)
    assert q.options["works_locally"] == "在简阳市工作"


def test_without_grouping_one_fact_is_asked_at_a_time():
    step = interview("changzhi-2022-engineering-mid-junior").step("engineer", {}, limit=3)
    assert all(len(q.facts) == 1 for q in step.questions)


def test_a_range_said_counts_only_where_every_value_in_it_decides_alike():
    """Issue 21: 论文两三篇 meets 长治's "2篇以上" whatever the number, so it is not asked; 一两篇
    does not decide it, so it is asked; the verdict shows the range as said."""
    from policies.eligibility.interview import Interview
    from policies.eligibility.numbers import Between
    from policies.loader import load_notices

    notice = next(n for n in load_notices() if n.id.startswith("changzhi"))
    interview = Interview(Assessor(notice))
    two_three = interview.step("engineer", {"papers_first_author": [2, 3]})
    assert two_three.facts["papers_first_author"] == 2 and isinstance(two_three.facts["papers_first_author"], Between)
    assert "papers_first_author" not in [f for q in two_three.questions for f in q.facts]
    assert (
        interview.catalogue.said("papers_first_author", two_three.facts["papers_first_author"]) == "第一作者论文2–3篇"
    )
    one_two = interview.step("engineer", {"papers_first_author": [1, 2]})
    assert "papers_first_author" not in one_two.facts
    assert "papers_first_author" in interview.assessor.undecided_ranges({"papers_first_author": Between(1, 2)})


# Issue 23 point 2, as reached (docs/measurements.md): per notice, (eligible median, eligible max,
# max of all cases) on the legal cases. 湖州 asks its three kinds of patent as one question and the
# assessment and continuing-education conditions as one checklist (7 / 14 / 14 before).
REACHED = {
    "changzhi-2022-engineering-mid-junior": (7, 9, 20),
    "huzhou-2020-enterprise-innovation-engineer": (5, 11, 11),
    "jianyang-2020-engineering-senior": (11, 17, 20),
}


@pytest.mark.parametrize("notice", sorted(REACHED))
def test_questions_per_notice_do_not_grow(notice):
    median, eligible_max, any_max = REACHED[notice]
    cases = [c for c in CASES if c.notice == notice]
    counts = {c.name: count_interview(interview(c.notice), c.level, c.facts) for c in cases}
    eligible = [counts[c.name] for c in cases if c.verdict in (ELIGIBLE, ELIGIBLE_SPECIAL)]
    assert statistics.median(eligible) <= median and max(eligible) <= eligible_max, sorted(eligible)
    assert max(counts.values()) <= any_max, counts

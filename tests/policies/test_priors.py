"""Issue 23 point 2: the next question weighed by what earlier applicants answered.

The samples here are the legal cases' own interviews, saved as the chat saves them (the answers of
``walk_interview``): what a notice's saved assessments would hold had these applicants written in.
"""

from __future__ import annotations

import statistics
from typing import Dict, List

import pytest

from policies.eligibility.assess import ELIGIBLE, ELIGIBLE_SPECIAL, Assessor
from policies.eligibility.cases import CASES_DIR, load_cases
from policies.eligibility.interview import DONT_KNOW, Interview
from policies.eligibility.priors import MIN_SAVED, Priors
from policies.eligibility.questions import LEGAL_CASES_ANSWERED, legal_case_priors, walk_interview
from policies.loader import load_notices

INDEX = load_notices()
CASES = [
    c
    for c in load_cases(CASES_DIR)
    if INDEX.get(c.notice) is not None
    and INDEX.get(c.notice).eligibility is not None
    and c.level in INDEX.get(c.notice).eligibility.levels
]


def test_fewer_saved_assessments_than_the_minimum_give_no_priors():
    sample = ("engineer", {"retired": False})
    assert Priors.of([sample] * (MIN_SAVED - 1)) is None
    assert Priors.of([sample] * MIN_SAVED) is not None


def test_a_questions_outcomes_are_its_most_frequent_answers_renormalised():
    rows = (
        [("engineer", {"retired": False, "civil_servant": False})] * 60
        + [("engineer", {"retired": True, "civil_servant": False})] * 30
        + [("engineer", {"retired": False, "civil_servant": True})] * 10
        + [("senior_engineer", {"retired": True})] * 30
    )
    p = Priors.of(rows)
    assert p is not None
    outcomes = p.outcomes("engineer", ["retired", "civil_servant"])
    assert [(a, round(q, 2)) for a, q in outcomes] == [
        ({"retired": False, "civil_servant": False}, 0.6),
        ({"retired": True, "civil_servant": False}, 0.3),
        ({"retired": False, "civil_servant": True}, 0.1),
    ]
    # the level's own answers when there are enough of them, else every level's
    assert p.outcomes("senior_engineer", ["retired"]) == [({"retired": True}, 1.0)]
    assert dict((a["retired"], round(q, 2)) for a, q in p.outcomes("assistant_engineer", ["retired"])) == {
        False: 0.54,
        True: 0.46,
    }
    assert p.outcomes("engineer", ["skill_date"]) == []  # nobody answered it: not weighed


def test_answers_too_spread_to_weigh_are_not_weighed():
    rows = [("engineer", {"current_title_date": f"2017-{m:02d}-01"}) for m in range(1, 13)] * 10
    assert Priors.of(rows).outcomes("engineer", ["current_title_date"]) == []  # top 4 cover a third


def test_a_range_and_a_tick_are_different_answers():
    rows = [("engineer", {"papers_first_author": [2, 3]})] * 50 + [("engineer", {"papers_first_author": True})] * 50
    outcomes = Priors.of(rows).outcomes("engineer", ["papers_first_author"])
    assert sorted(str(a["papers_first_author"]) for a, _ in outcomes) == ["True", "[2, 3]"]


def few(samples) -> Priors:
    """Priors from a few dozen answers (a notice here has 18–72 legal cases, not the hundreds of
    saved assessments a season brings)."""
    found = Priors.of(samples, minimum=1, min_answered=LEGAL_CASES_ANSWERED)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def legal():
    """Per notice: the legal cases, their question counts, the plain interview, their priors."""
    return legal_case_priors()


def test_weighed_by_the_saved_answers_no_notice_asks_more_and_jianyang_asks_fewer(legal):
    """Each notice's legal cases answer an interview weighed by their own saved answers: the mean
    count of questions never grows, 简阳's falls (the 大专 applicants are asked about their
    recommenders, which most of them lack, before the date of their 大专), and the issue's gates
    still hold."""
    means = {}
    eligible: List[int] = []
    jianyang: List[int] = []
    # 长治 (72 cases, 4.19 → 4.18 questions on average) is left to `python -m
    # policies.eligibility.questions --weighed` (docs/measurements.md): a minute of CI for nothing new
    for notice in sorted(set(legal) - {"changzhi-2022-engineering-mid-junior"}):
        cases, before, plain, priors = legal[notice]
        weighed = Interview(plain.assessor)
        weighed.use_priors(priors)
        after = [walk_interview(weighed, c.level, c.facts)[0] for c in cases]
        means[notice] = (statistics.mean(before), statistics.mean(after))
        eligible += [n for n, c in zip(after, cases) if c.verdict in (ELIGIBLE, ELIGIBLE_SPECIAL)]
        if notice.startswith("jianyang"):
            jianyang = after
    assert all(after <= before for before, after in means.values()), means
    before, after = means["jianyang-2020-engineering-senior"]
    assert after < before, means
    assert statistics.median(eligible) <= 6 and max(eligible) <= 12 and max(jianyang) <= 10, (eligible, jianyang)


def test_who_the_applicant_is_and_who_is_excluded_are_asked_first_whatever_the_priors():
    """Saved answers where every applicant failed a condition of the checklist (which would settle
    the verdict at once) still leave the opening question and the exclusions first."""
    notice = "changzhi-2022-engineering-mid-junior"
    plain = Interview(Assessor(INDEX.get(notice)))
    failing = {"papers_first_author": False, "works_locally": True, "assessments_passed_count": False}
    weighed = Interview(plain.assessor)
    weighed.use_priors(few([("engineer", failing)] * 50))
    first = weighed.step("engineer", {}, limit=1, grouped=True).questions[0]
    assert first.type == "together" and "current_title" in first.facts
    opening = {"current_title": "assistant_engineer", "current_title_date": "2017-06-01", "education": "bachelor"}
    second = weighed.step("engineer", {**opening, "education_related": True}, limit=1, grouped=True).questions[0]
    assert second.type == "exclusions"


def test_the_question_most_likely_to_settle_is_asked_first():
    """简阳, a 大专 applicant whose regular route is closed: the hand-set order asks the date of the
    大专 first; saved answers where most such applicants had no 正高 recommenders (which closes the
    破格 route and settles the verdict) put the recommenders first."""
    notice = "jianyang-2020-engineering-senior"
    plain = Interview(Assessor(INDEX.get(notice)))
    case = next(c for c in CASES if c.notice == notice and c.name == "大专只有1名正高工推荐")
    given: Dict = {}
    walk_interview(plain, case.level, case.facts, given)
    hand: List[str] = []
    answers: Dict = {}
    while True:
        step = plain.step(case.level, answers, limit=1, grouped=True)
        if step.settled:
            break
        q = step.questions[0]
        if q.type == "date":
            break
        hand.append(q.type)
        answers.update({f: given.get(f, DONT_KNOW) for f in q.facts})
    assert step.questions[0].facts == ["jy_junior_college_date"]
    recommenders = plain.step(case.level, answers, limit=3, grouped=True).questions[1]
    assert "recommenders_full_senior" in recommenders.facts
    date = {"jy_junior_college_date": given["jy_junior_college_date"]}
    lacking = {f: given.get(f, False) for f in recommenders.facts}
    weighed = Interview(plain.assessor)
    weighed.use_priors(few([(case.level, {**answers, **date, **lacking})] * 30))
    assert weighed.step(case.level, answers, limit=1, grouped=True).questions[0].facts == recommenders.facts
    assert weighed.settling_share(case.level, answers, recommenders) == 1.0


def test_weighed_by_the_legal_cases_answers_the_held_out_applicants_get_the_same_verdicts(legal):
    """Out of sample: priors from the legal cases' saved answers, applicants written by others from
    the notices alone (the dev splits of both sets) — every verdict as without priors."""
    from pathlib import Path

    from policies.eligibility.heldout import score

    weighed = {}
    for notice_id, (_cases, _counts, plain, priors) in legal.items():
        weighed[notice_id] = Interview(plain.assessor)
        weighed[notice_id].use_priors(priors)
    for name in ("blind2",):
        path = Path(__file__).parent / name / "dev.yml"
        plain_score, weighed_score = score(path), score(path, weighed)
        assert [o.verdict for o in weighed_score.outcomes] == [o.verdict for o in plain_score.outcomes], name
        assert weighed_score.wrong == 0 and weighed_score.right == plain_score.right, name

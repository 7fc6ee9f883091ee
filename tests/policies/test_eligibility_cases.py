"""The legal test cases (tests/policies/cases/*.yml) against the engine, and clause coverage."""

from functools import cache

import pytest

from policies import load_notices
from policies.eligibility import Assessor
from policies.eligibility.cases import Case, check, coverage, impossible, load_cases

CASES = load_cases()
INDEX = load_notices()


@cache
def assessor(notice_id):
    return Assessor(INDEX.get(notice_id))


@pytest.mark.parametrize("case", CASES, ids=[f"{c.file}:{c.name}" for c in CASES])
def test_case(case):
    assert check(case, assessor(case.notice)) == []


@pytest.mark.parametrize("case", CASES, ids=[f"{c.file}:{c.name}" for c in CASES])
def test_case_is_a_possible_applicant(case):
    assert impossible(case, assessor(case.notice)) == []


def test_the_check_rejects_impossible_applicants():
    cz = assessor("changzhi-2022-engineering-mid-junior")
    import datetime as dt

    four_in_one_year = Case(
        cz.notice.id,
        "x",
        "engineer",
        {"current_title_date": dt.date(2021, 12, 1), "assessments_passed_count": 4},
        "eligible",
    )
    assert impossible(four_in_one_year, cz)
    assert impossible(
        Case(cz.notice.id, "x", "engineer", {"education": "bachelor", "engineering_master": True}, "eligible"), cz
    )
    assert impossible(Case(cz.notice.id, "x", "engineer", {"current_title_date": dt.date(2023, 1, 1)}, "eligible"), cz)


def test_every_notice_with_rules_has_cases():
    with_rules = {n.id for n in INDEX.all() if n.eligibility is not None}
    assert with_rules <= {c.notice for c in CASES}


def test_every_clause_has_a_passing_and_a_stopping_case():
    rows = coverage(INDEX, CASES)
    missing = [
        f"{r.notice} {r.clause}: {'no pass' if not r.passes else ''} {'no stop' if not r.stops else ''}"
        for r in rows
        if not r.complete
    ]
    assert rows and not missing, "\n".join(missing)

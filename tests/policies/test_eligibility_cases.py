"""The legal test cases (tests/policies/cases/*.yml) against the engine, and clause coverage."""
from functools import lru_cache

import pytest

from policies import load_notices
from policies.eligibility import Assessor
from policies.eligibility.cases import check, coverage, load_cases

CASES = load_cases()
INDEX = load_notices()


@lru_cache(maxsize=None)
def assessor(notice_id):
    return Assessor(INDEX.get(notice_id))


@pytest.mark.parametrize("case", CASES, ids=[f"{c.file}:{c.name}" for c in CASES])
def test_case(case):
    assert check(case, assessor(case.notice)) == []


def test_every_notice_with_rules_has_cases():
    with_rules = {n.id for n in INDEX.all() if n.eligibility is not None}
    assert with_rules <= {c.notice for c in CASES}


def test_every_clause_has_a_passing_and_a_stopping_case():
    rows = coverage(INDEX, CASES)
    missing = [f"{r.notice} {r.clause}: {'no pass' if not r.passes else ''} {'no stop' if not r.stops else ''}"
               for r in rows if not r.complete]
    assert rows and not missing, "\n".join(missing)

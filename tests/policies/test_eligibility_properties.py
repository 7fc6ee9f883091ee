"""Properties of the three-valued verdict, for every notice and level (issue 13, point 1).

For random partial facts (possible applicants from the legal cases, varied, with a few facts
hidden), every completion of the hidden facts over their domains is enumerated:

- a settled verdict (nothing needed) never changes whatever values the unknown facts take;
- each needed fact has a value that changes the verdict (for some values of the others);
- an unknown fact that is not asked for can never change it.

The oracle is independent of the engine's verdict logic: it evaluates the rule trees on complete
facts (only conditions a notice leaves to another document stay unknown) and applies the verdict
rules of the interview (policies/eligibility/interview.py). Domains come from the rule trees themselves: bool, every choice, every ordered
level, each count threshold and its neighbour, each years threshold's last day and the day after.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from functools import cache
from typing import Any, Dict, List

import pytest

from policies import load_notices
from policies.eligibility import (
    ELIGIBLE,
    ELIGIBLE_SPECIAL,
    MET,
    NOT_ELIGIBLE,
    NOT_MET,
    UNDETERMINED,
    Assessor,
    load_catalogue,
)
from policies.eligibility.cases import load_cases
from policies.eligibility.rules import RuleNode, add_years

INDEX = load_notices()
CATALOGUE = load_catalogue()
CASES = load_cases()
LEVELS = [(n.id, level) for n in INDEX.all() if n.eligibility is not None for level in n.eligibility.levels]
SAMPLES = 120
MAX_COMPLETIONS = 400
CAN_APPLY = "can_apply"


def _leaves(node: RuleNode):
    for child in (node.all or []) + (node.any or []) + (node.of or []) + ([node.not_] if node.not_ else []):
        yield from _leaves(child)
    if node.fact:
        yield node


@cache
def domains(notice_id: str, level: str) -> Dict[str, List[Any]]:
    """Every fact the exclusions and this level's routes test, with its boundary values."""
    notice = INDEX.get(notice_id)
    counting = notice.counting_date.date
    rules = notice.eligibility
    nodes = list(rules.exclusions) + [r.rule for lv in rules.levels.values() for r in lv.routes]
    out: Dict[str, set] = {}
    for root in nodes:
        for leaf in _leaves(root):
            spec = CATALOGUE.specs[leaf.fact]
            values = out.setdefault(leaf.fact, set())
            if spec.type == "bool":
                values |= {True, False}
            elif spec.type == "choice":
                values |= set(spec.options)
            elif spec.type in CATALOGUE.orders:
                values |= set(CATALOGUE.orders[spec.type])
            elif spec.type == "int":
                for v in (leaf.gte, leaf.lte, leaf.eq, leaf.ne):
                    if v is not None:
                        values |= {max(0, int(v) - 1), int(v), int(v) + 1}
                values.add(0)
            elif spec.type == "date":
                values |= {dt.date(1990, 1, 1), counting}
                if leaf.years_before_counting is not None:
                    day = dt.date(counting.year - int(leaf.years_before_counting) - 1, 1, 1)
                    while add_years(day, leaf.years_before_counting) <= counting:
                        day += dt.timedelta(days=1)
                    values |= {day - dt.timedelta(days=1), day}  # the last day that counts, the first that does not
    return {f: sorted(v, key=repr) for f, v in out.items()}


@cache
def assessor(notice_id: str) -> Assessor:
    return Assessor(INDEX.get(notice_id))


def oracle(notice_id: str, level: str, facts: Dict[str, Any]) -> str:
    """The verdict for complete facts, straight from the rule trees."""
    a = assessor(notice_id)
    counting = a.counting
    excl = [c.evaluate(facts, counting, {}) for c in a.exclusions]
    routes = [(r.kind, c.evaluate(facts, counting, {})) for r, c in a.routes[level]]
    if MET in excl or all(s == NOT_MET for _, s in routes):
        return NOT_ELIGIBLE
    if any(k == "regular" and s == MET for k, s in routes):
        return ELIGIBLE if all(s == NOT_MET for s in excl) else UNDETERMINED
    if any(s == MET for _, s in routes):
        return ELIGIBLE_SPECIAL if all(s == NOT_MET for s in excl) else UNDETERMINED
    return UNDETERMINED


def klass(verdict: str) -> str:
    return CAN_APPLY if verdict in (ELIGIBLE, ELIGIBLE_SPECIAL) else verdict


ALLOWED = {
    ELIGIBLE: {ELIGIBLE},
    ELIGIBLE_SPECIAL: {ELIGIBLE, ELIGIBLE_SPECIAL},
    NOT_ELIGIBLE: {NOT_ELIGIBLE},
    UNDETERMINED: {UNDETERMINED},
}


def samples(notice_id: str, level: str, seed: int):
    """(known facts, hidden facts): applicants from the legal cases and random ones, varied."""
    rng = random.Random(seed)
    dom = domains(notice_id, level)
    bases = [c.facts for c in CASES if c.notice == notice_id and c.level == level] or [{}]
    for i in range(SAMPLES):
        base = rng.choice(bases) if i % 3 else {}
        full = {f: (base[f] if base.get(f) in values else rng.choice(values)) for f, values in dom.items()}
        for f in rng.sample(sorted(dom), k=min(len(dom), rng.randint(0, 2))):
            full[f] = rng.choice(dom[f])
        hidden = rng.sample(sorted(dom), k=min(len(dom), rng.randint(1, 4)))
        size = 1
        for f in hidden:
            size *= len(dom[f])
        while size > MAX_COMPLETIONS:
            size //= len(dom[hidden.pop()])
        yield {f: v for f, v in full.items() if f not in hidden}, hidden


@pytest.mark.parametrize("notice_id,level", LEVELS, ids=[f"{n}:{lv}" for n, lv in LEVELS])
def test_verdicts_settle_and_only_facts_that_matter_are_needed(notice_id, level):
    dom = domains(notice_id, level)
    settled_seen = needed_seen = 0
    for known, hidden in samples(notice_id, level, seed=13):
        result = assessor(notice_id).assess(level, known)
        outcomes = {}
        for combo in itertools.product(*(dom[f] for f in hidden)):
            outcomes[combo] = oracle(notice_id, level, {**known, **dict(zip(hidden, combo))})
        assert set(result.needed_facts) <= set(hidden), (known, result.needed_facts)
        if result.settled:
            settled_seen += 1
            assert set(outcomes.values()) <= ALLOWED[result.verdict], (
                known,
                hidden,
                result.verdict,
                set(outcomes.values()),
            )
        for i, fact in enumerate(hidden):
            changes = any(
                klass(outcomes[combo]) != klass(outcomes[combo[:i] + (v,) + combo[i + 1 :]])
                for combo in outcomes
                for v in dom[fact]
            )
            if fact in result.needed_facts:
                needed_seen += 1
                assert changes, f"{fact} is asked but cannot change the verdict: {known} {hidden}"
            else:
                assert not changes, f"{fact} can change the verdict but is not asked: {known} {hidden}"
    assert settled_seen and needed_seen  # both kinds of state were tried


@pytest.mark.parametrize("notice_id,level", LEVELS, ids=[f"{n}:{lv}" for n, lv in LEVELS])
def test_every_route_failed_is_not_eligible_whatever_is_unknown(notice_id, level):
    """Only route facts known, all failing: not eligible without one exclusion question."""
    a = assessor(notice_id)
    dom = domains(notice_id, level)
    rng = random.Random(7)
    excl_facts = {leaf.fact for n in INDEX.get(notice_id).eligibility.exclusions for leaf in _leaves(n)}
    route_facts = sorted(set(dom) - excl_facts)
    tried = 0
    for _ in range(400):
        facts = {f: rng.choice(dom[f]) for f in route_facts}
        if all(c.evaluate(facts, a.counting, {}) == NOT_MET for _, c in a.routes[level]):
            tried += 1
            result = a.assess(level, facts)
            assert result.verdict == NOT_ELIGIBLE and result.needed_facts == []
    assert tried

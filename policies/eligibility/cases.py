"""Legal test cases as data (OpenFisca style): an applicant, a notice and level, the expected
verdict and the conditions that decide it — and the clause coverage report built from them.

    python -m policies.eligibility.cases [--write docs/eligibility-coverage.md]

A case file ``tests/policies/cases/<notice-id>.yml``::

    notice: changzhi-2022-engineering-mid-junior
    cases:
      - name: 本科，任助工满4年，条件齐全
        level: engineer
        facts: {education: bachelor, current_title: assistant_engineer, current_title_date: 2018-06-01, …}
        verdict: eligible            # eligible | eligible_special | not_eligible | undetermined
        conditions: {cz_eng_years: met, cz_eng_papers: met}   # node id → met / not_met / unknown
        needed: [papers_first_author]  # optional: the facts still needed, in order (prefix)
        earliest_year: 2023            # optional
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

from policies.eligibility.assess import Assessor, must_defer
from policies.eligibility.rules import MET, NOT_MET, Compiled
from policies.index import NoticeIndex
from policies.loader import load_notices

CASES_DIR = Path(__file__).resolve().parents[2] / "tests" / "policies" / "cases"


@dataclass
class Case:
    notice: str
    name: str
    level: str
    facts: Dict[str, Any]
    verdict: str
    conditions: Dict[str, str] = field(default_factory=dict)
    needed: Optional[List[str]] = None
    earliest_year: Optional[int] = None
    file: str = ""


def load_cases(directory: Path = CASES_DIR) -> List[Case]:
    cases: List[Case] = []
    for path in sorted(directory.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        for c in raw["cases"]:
            unknown = set(c) - {"name", "level", "facts", "verdict", "conditions", "needed", "earliest_year"}
            if unknown:
                raise ValueError(f"{path.name}: case {c.get('name')!r}: unknown key(s) {sorted(unknown)}")
            cases.append(Case(notice=raw["notice"], file=path.name, **c))
    return cases


def representative_cases(cases: List[Case], min_facts: int = 5) -> List[Case]:
    """One case per notice, level and verdict (the first with at least ``min_facts`` facts): the
    set that dialogue and page tests walk through, so every verdict of every notice is tried."""
    picked, seen = [], set()
    for case in cases:
        key = (case.notice, case.level, case.verdict)
        if key in seen or len(case.facts) < min_facts:
            continue
        seen.add(key)
        picked.append(case)
    return picked


def impossible(case: Case, assessor: Assessor) -> List[str]:
    """Why a case is not a possible applicant ([] when it is): legal cases must be people who
    could exist (issue 13: four annual assessments within one year of a title)."""
    f, counting = case.facts, assessor.counting
    out = []
    for name in ("current_title_date", "skill_date", "jy_junior_college_date"):
        day = f.get(name)
        if day is not None and day > counting:
            out.append(f"{name} {day} is after the counting date {counting}")
    day, count = f.get("current_title_date"), f.get("assessments_passed_count")
    if day is not None and count is not None and count > counting.year - day.year + 1:
        out.append(f"{count} annual assessments since {day}: more than the years to {counting}")
    if f.get("current_title") == "none" and day is not None:
        out.append("a date for a title not held")
    edu, rank = f.get("education"), assessor.catalogue.orders["education"]
    if f.get("engineering_master") and edu is not None and rank[edu] < rank["master"]:
        out.append("an engineering master's degree above the highest education")
    if f.get("doctor_assessed") and edu is not None and edu != "doctor":
        out.append("a doctor's assessment without a doctorate")
    if f.get("skill_level") == "none" and f.get("skill_date") is not None:
        out.append("a date for a skill certificate not held")
    return out


def check(case: Case, assessor: Assessor) -> List[str]:
    """Problems with one case ([] when the engine agrees with it)."""
    result = assessor.assess(case.level, case.facts)
    problems = []
    if result.verdict != case.verdict:
        problems.append(f"verdict {result.verdict}, expected {case.verdict}")
    for node_id, want in case.conditions.items():
        got = result.statuses.get(node_id)
        if got != want:
            problems.append(f"{node_id}: {got}, expected {want}")
    if case.needed is not None and result.needed_facts[: len(case.needed)] != case.needed:
        problems.append(f"needed {result.needed_facts}, expected to start with {case.needed}")
    if case.earliest_year is not None and result.earliest_year != case.earliest_year:
        problems.append(f"earliest_year {result.earliest_year}, expected {case.earliest_year}")
    return problems


def node_polarity(assessor: Assessor) -> Dict[str, Tuple[str, bool]]:
    """node id → (clause, True if 'met' lets the applicant through)."""
    out: Dict[str, Tuple[str, bool]] = {}

    def visit(c: Compiled, through_when_met: bool) -> None:
        out[c.node.id] = (c.node.clause, through_when_met)
        for child in c.children:
            visit(child, not through_when_met if c.kind == "not" else through_when_met)

    for c in assessor.exclusions:
        visit(c, False)
    for routes in assessor.routes.values():
        for _, c in routes:
            visit(c, True)
    return out


@dataclass
class ClauseCoverage:
    notice: str
    clause: str
    passes: List[str] = field(default_factory=list)
    stops: List[str] = field(default_factory=list)

    can_pass: bool = True  # False when every node of the clause defers to another document

    @property
    def complete(self) -> bool:
        return (bool(self.passes) or not self.can_pass) and bool(self.stops)


def _reach(assessor: Assessor) -> Dict[str, Tuple[bool, bool]]:
    """node id → (can be decided here, can be met here). A node that only defers to another
    document (``delegated``, or an ``all`` of such nodes) is decided by neither; a node with a
    delegated node on every path to "met" can stop an applicant but never let one through."""
    out: Dict[str, Tuple[bool, bool]] = {}

    def visit(c: Compiled) -> Tuple[bool, bool]:
        if c.kind == "delegated":
            result = (False, False)
        elif c.kind in ("leaf", "ref"):
            result = (True, c.kind == "leaf" or (c.target is not None and not must_defer(c.target)))
        else:
            kids = [visit(ch) for ch in c.children]
            decidable = any(d for d, _ in kids)
            if c.kind == "all":
                result = (decidable, all(m for _, m in kids))
            else:
                result = (decidable, any(m for _, m in kids) or c.kind == "not")
        out[c.node.id] = result
        return result

    for c in assessor.exclusions:
        visit(c)
    for routes in assessor.routes.values():
        for _, c in routes:
            visit(c)
    return out


def coverage(index: NoticeIndex, cases: List[Case]) -> List[ClauseCoverage]:
    rows: Dict[Tuple[str, str], ClauseCoverage] = {}
    for notice in index.all():
        if notice.eligibility is None:
            continue
        assessor = Assessor(notice)
        polarity = node_polarity(assessor)
        reach = _reach(assessor)
        for node_id, (clause, through_when_met) in polarity.items():
            decidable, can_meet = reach[node_id]
            if not decidable:
                continue  # decided by another document only: no case can pass or stop it here
            row = rows.setdefault((notice.id, clause), ClauseCoverage(notice.id, clause, can_pass=False))
            row.can_pass = row.can_pass or (can_meet if through_when_met else decidable)
        for case in (c for c in cases if c.notice == notice.id):
            for node_id, status in case.conditions.items():
                if node_id not in polarity or status not in (MET, NOT_MET):
                    continue
                clause, through_when_met = polarity[node_id]
                found = rows.get((notice.id, clause))
                if found is None:
                    continue
                row = found
                lets_through = (status == MET) == through_when_met
                target = row.passes if lets_through else row.stops
                if case.name not in target:
                    target.append(case.name)
    return sorted(rows.values(), key=lambda r: (r.notice, r.clause))


def report(rows: List[ClauseCoverage]) -> str:
    lines = [
        "# Eligibility clause coverage",
        "",
        "Generated by `python -m policies.eligibility.cases --write docs/eligibility-coverage.md`.",
        "Every clause an eligibility rule cites needs a case it lets through and a case it stops;",
        "`make test` fails otherwise.",
        "",
        "| notice | clause | lets through | stops |",
        "| --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r.notice} | {r.clause} | {'; '.join(r.passes) or '**none**'} | {'; '.join(r.stops) or '**none**'} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="eligibility case coverage")
    parser.add_argument("--write", type=Path)
    args = parser.parse_args(argv)
    rows = coverage(load_notices(), load_cases())
    text = report(rows)
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    print(text)
    missing = [r for r in rows if not r.complete]
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How many questions the interview asks before its verdict, for every legal case (issue 13).

    python -m policies.eligibility.questions [--cases DIR]

Each legal case is an applicant who answers what they are asked from the case's facts (a fact
the case does not state is answered 不清楚). The count starts after the notice and level are
known. Printed per notice: median and maximum, for all cases and for the eligible ones, asking
one fact at a time (as the chat did before) and as the chat and the staff page ask now
(``Interview.step(grouped=True)``: exclusions and checklists as one multi-choice question each,
facts stated together — 职称 and its date, 学历 and 对口, the two kinds of 继续教育 hours — as one). Uses only ``Assessor.assess(...).needed_facts``, so the same script measures an older
engine (run it with an older checkout's ``policies`` on PYTHONPATH).
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from policies.eligibility.assess import ELIGIBLE, ELIGIBLE_SPECIAL, Assessor
from policies.eligibility.cases import CASES_DIR, load_cases
from policies.loader import load_notices

try:  # the interview (absent in engines before issue 13)
    from policies.eligibility.interview import DONT_KNOW, Interview, Step
except ImportError:  # pragma: no cover - older engines
    Interview = Step = None  # type: ignore[assignment,misc]


def _needed(assessor: Assessor, level: str, facts: Dict[str, Any], limit: int) -> List[str]:
    try:
        return assessor.assess(level, facts, limit=limit).needed_facts
    except TypeError:  # an engine before issue 13 lists every needed fact
        return assessor.assess(level, facts).needed_facts


def count_questions(assessor: Assessor, level: str, answers: Dict[str, Any]) -> int:
    """Questions until nothing more is asked, one fact at a time."""
    facts: Dict[str, Any] = {}
    skipped: Set[str] = set()
    asked = 0
    for _ in range(200):
        needed = [f for f in _needed(assessor, level, facts, len(skipped) + 1) if f not in skipped]
        if not needed:
            return asked
        asked += 1
        fact = needed[0]
        if answers.get(fact) is None:
            skipped.add(fact)
        else:
            facts[fact] = answers[fact]
    raise RuntimeError("the interview did not end")


def walk_interview(
    interview: Interview, level: str, answers: Dict[str, Any], given: Optional[Dict[str, Any]] = None
) -> Tuple[int, Step]:
    """(questions asked, the last Step) of the interview the chat and the staff page run
    (``Interview.step(grouped=True)``): the applicant answers every fact of a question, 不清楚
    where ``answers`` does not state it. ``given`` receives the answers as the chat saves them."""
    given = {} if given is None else given
    for asked in range(200):
        step = interview.step(level, given, limit=1, grouped=True)
        if step.settled:
            return asked, step
        q = step.questions[0]
        for fact in q.facts:
            value = answers.get(fact)
            given[fact] = DONT_KNOW if value is None else interview.tick(level, fact, value) if q.multi else value
    raise RuntimeError("the interview did not end")


def count_interview(interview: Interview, level: str, answers: Dict[str, Any]) -> int:
    """Questions the chat and the staff page ask before the verdict."""
    return walk_interview(interview, level, answers)[0]


def measure(cases_dir: Optional[Path] = None) -> Dict[str, Dict[str, List[int]]]:
    index = load_notices()
    out: Dict[str, Dict[str, List[int]]] = {}
    assessors: Dict[str, Assessor] = {}
    for case in load_cases(cases_dir or CASES_DIR):
        notice = index.get(case.notice)
        if notice is None or notice.eligibility is None or case.level not in notice.eligibility.levels:
            continue
        a = assessors.setdefault(case.notice, Assessor(notice))
        row = out.setdefault(case.notice, {"all": [], "eligible": [], "all_grouped": [], "eligible_grouped": []})
        n = count_questions(a, case.level, case.facts)
        if Interview is not None:
            g = count_interview(Interview(a), case.level, case.facts)
        else:  # pragma: no cover - older engines
            g = count_questions(a, case.level, case.facts)
        eligible = case.verdict in (ELIGIBLE, ELIGIBLE_SPECIAL)
        row["all"].append(n)
        row["all_grouped"].append(g)
        if eligible:
            row["eligible"].append(n)
            row["eligible_grouped"].append(g)
    return out


def _stat(values: List[int]) -> str:
    return f"{statistics.median(values):g} / {max(values)}" if values else "–"


def table(rows: Dict[str, Dict[str, List[int]]]) -> str:
    lines = [
        "| notice | cases | one fact a turn: all | one fact a turn: eligible | as asked (grouped): all | as asked (grouped): eligible |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    every: Dict[str, List[int]] = {k: [] for k in ("all", "eligible", "all_grouped", "eligible_grouped")}
    for notice, row in sorted(rows.items()):
        lines.append(
            f"| {notice} | {len(row['all'])} | {_stat(row['all'])} | {_stat(row['eligible'])} | "
            f"{_stat(row['all_grouped'])} | {_stat(row['eligible_grouped'])} |"
        )
        for k in every:
            every[k] += row[k]
    lines.append(
        f"| **all notices** | {len(every['all'])} | {_stat(every['all'])} | {_stat(every['eligible'])} | "
        f"{_stat(every['all_grouped'])} | {_stat(every['eligible_grouped'])} |"
    )
    return "\n".join(lines)


LEGAL_CASES_ANSWERED = 4  # a question weighed once 4 cases answered it (the chat: priors.MIN_ANSWERED)


def legal_case_priors(cases_dir: Optional[Path] = None) -> Dict[str, Any]:
    """Per notice, (its legal cases, their walks' question counts, priors from their saved answers)
    — the answers the chat would have saved had these applicants written in. The cases are a few
    dozen per notice, so the priors' minimums are scaled down to them (for measuring only)."""
    from policies.eligibility.priors import Priors

    index = load_notices()
    by_notice: Dict[str, List[Any]] = {}
    for case in load_cases(cases_dir or CASES_DIR):
        notice = index.get(case.notice)
        if notice is not None and notice.eligibility is not None and case.level in notice.eligibility.levels:
            by_notice.setdefault(case.notice, []).append(case)
    out: Dict[str, Any] = {}
    for notice_id, cases in sorted(by_notice.items()):
        notice = index.get(notice_id)
        assert notice is not None  # kept above only when found
        plain = Interview(Assessor(notice))
        saved, counts = [], []
        for case in cases:
            given: Dict[str, Any] = {}
            counts.append(walk_interview(plain, case.level, case.facts, given)[0])
            saved.append((case.level, given))
        out[notice_id] = (cases, counts, plain, Priors.of(saved, minimum=1, min_answered=LEGAL_CASES_ANSWERED))
    return out


def weighed(cases_dir: Optional[Path] = None) -> str:
    """Per notice, questions as asked (mean / median / max) in the hand-set order and weighed by
    priors from the legal cases' own saved answers (issue 23 point 2; in-sample)."""

    def stat(values: List[int]) -> str:
        return f"{statistics.mean(values):.2f} / {statistics.median(values):g} / {max(values)}"

    lines = ["| notice | cases | hand-set order | weighed by the saved answers |", "| --- | --- | --- | --- |"]
    for notice_id, (cases, before, plain, priors) in legal_case_priors(cases_dir).items():
        weighed_interview = Interview(plain.assessor)
        weighed_interview.use_priors(priors)
        after = [walk_interview(weighed_interview, case.level, case.facts)[0] for case in cases]
        lines.append(f"| {notice_id} | {len(cases)} | {stat(before)} | {stat(after)} |")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="questions to a verdict for the legal cases")
    parser.add_argument("--cases", type=Path, default=None)
    parser.add_argument("--weighed", action="store_true", help="hand-set order against weighed by priors")
    args = parser.parse_args(argv)
    print(weighed(args.cases) if args.weighed else table(measure(args.cases)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

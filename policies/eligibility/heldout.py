"""The interview on held-out applicants written from the notices alone (issue 23).

    python -m policies.eligibility.heldout tests/policies/blind/dev.yml [-v]

Each applicant of such a set (``applicants:`` with notice, level, facts, the writer's verdict)
answers every question from the facts its writer stated, 不清楚 otherwise — as a person in the
chat would — and the interview's final verdict is compared with the writer's.

The writers were given the applicant facts of ``facts.yml`` but not the facts a single notice adds
(``jy_…``, ``pl_series_status`` …). Two of those follow from a stated fact by their definition
(``DERIVED``); the others the simulated applicant does not know. When the interview ends
undetermined on such a fact, or settles only by taking 不清楚 about it as "none of those" (the
verdict's "只要您没有…"), the applicant is counted apart as *blocked* (a question the writer could
not have answered), neither right nor wrong.

An applicant is written for the notice's place: a writer states works_locally only when it is not
so (the second writer) or always (the first), so an unstated works_locally is true — a person in
the chat knows where they work and would say so.

An applicant may carry ``disputed:``: the writer's verdict is one reading of the notice, the engine
takes another, and the reason is written there. A disputed applicant the engine disagrees with is
counted apart and listed with its reason; docs/blind-sets.md lists every dispute.
"""

from __future__ import annotations

import argparse
import re
import statistics
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Set

import yaml

from policies.eligibility.assess import UNDETERMINED, Assessor
from policies.eligibility.interview import DONT_KNOW, Interview
from policies.eligibility.questions import walk_interview
from policies.index import NoticeIndex
from policies.loader import load_notices


def _first_or_corresponding(facts: Dict[str, Any]) -> Optional[int]:
    """简阳 三（四）1 counts papers as first *or* corresponding author: first-author papers are a
    subset, so at least that many; none stated first-author says nothing about corresponding."""
    n = facts.get("papers_first_author")
    return n if isinstance(n, int) and n > 0 else None


def _series_status(facts: Dict[str, Any]) -> Optional[str]:
    """平凉 申报条件（五）: engineering series, transferred into it, or another series."""
    if facts.get("transferred_this_year") is True:
        return "transferred"
    if facts.get("other_series_title") is False:
        return "engineering"
    return None


DERIVED: Dict[str, Callable[[Dict[str, Any]], Any]] = {
    "jy_papers_first_or_corresponding": _first_or_corresponding,
    "pl_series_status": _series_status,
}


@dataclass
class Outcome:
    name: str
    expected: str
    verdict: str
    questions: int
    blocked_on: List[str] = field(default_factory=list)  # facts the writer could not state
    # the writer's verdict is one reading of the notice and the engine takes another, argued in the
    # set itself (``disputed:``): counted apart, listed with the reason
    disputed: Optional[str] = None

    @property
    def right(self) -> bool:
        return self.verdict == self.expected


@dataclass
class Score:
    outcomes: List[Outcome]

    @property
    def scored(self) -> List[Outcome]:
        return [o for o in self.outcomes if not o.blocked_on and not (o.disputed and not o.right)]

    @property
    def disputed(self) -> List[Outcome]:
        return [o for o in self.outcomes if o.disputed and not o.right and not o.blocked_on]

    @property
    def right(self) -> int:
        return sum(o.right for o in self.scored)

    @property
    def rate(self) -> float:
        return self.right / len(self.scored) if self.scored else 0.0

    @property
    def wrong(self) -> int:
        return len(self.scored) - self.right

    @property
    def blocked(self) -> int:
        return len(self.outcomes) - len(self.scored) - len(self.disputed)

    def summary(self) -> str:
        counts = [o.questions for o in self.outcomes]
        return (
            f"{len(self.outcomes)} applicants: verdict right {self.right}, wrong {self.wrong}, blocked on a "
            f"fact the writer was not given {self.blocked}, disputed {len(self.disputed)} "
            f"(right {self.rate:.0%} of those scored); "
            f"questions median {statistics.median(counts):g}, max {max(counts)}"
        )


def writer_facts(path: Path) -> Set[str]:
    """The fact names the writers were given (``fact_names.md`` beside the set)."""
    text = (path.parent / "fact_names.md").read_text(encoding="utf-8")
    return set(re.findall(r"^- `([a-z_0-9]+)`", text, re.M))


@lru_cache(maxsize=1)
def _notices() -> NoticeIndex:
    return load_notices()


@cache
def _interview(notice_id: str) -> Interview:
    """One interview per notice for every set scored in the process: it keeps no applicant's
    answers, only what it worked out about the notice's rules."""
    notice = _notices().get(notice_id)
    assert notice is not None
    return Interview(Assessor(notice))


def score(path: Path, interviews: Optional[Dict[str, Interview]] = None) -> Score:
    """The set's verdicts and question counts; ``interviews`` (notice → interview) replaces the
    plain one per notice (``--weighed``)."""
    index = _notices()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    known_names = writer_facts(path)
    outcomes: List[Outcome] = []
    for ap in data["applicants"]:
        notice = index.get(ap["notice"])
        if notice is None or notice.eligibility is None:
            continue
        iv = (interviews or {}).get(ap["notice"]) or _interview(ap["notice"])
        stated: Dict[str, Any] = dict(ap.get("facts") or {})
        stated.setdefault("works_locally", True)  # written for that notice's place (module doc)
        for fact, derive in DERIVED.items():
            if fact not in stated and derive(stated) is not None:
                stated[fact] = derive(stated)
        asked, step = walk_interview(iv, ap["level"], stated)
        given = {f: v for f, v in stated.items() if f in step.facts}
        given.update({f: DONT_KNOW for f in step.skipped})
        # "只要您没有…，结论就是…": the verdict for an applicant who has none of what they did not know
        unless = getattr(step.result, "unless", None)  # absent in engines before issue 23
        verdict = unless[0] if unless else step.result.verdict
        blocked = []
        if (verdict == UNDETERMINED or unless) and verdict != ap["verdict"]:
            # undetermined, or settled only by taking 不清楚 as "none of those": on a fact the writer
            # was not given, the writer could not have said otherwise
            blocked = [f for f, v in given.items() if v == DONT_KNOW and f not in known_names and f not in DERIVED]
        outcomes.append(Outcome(ap["name"], ap["verdict"], verdict, asked, blocked, ap.get("disputed")))
    return Score(outcomes)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="the interview on held-out applicants")
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every applicant")
    parser.add_argument(
        "--weighed", action="store_true", help="also weighed by priors from the legal cases' answers (issue 23)"
    )
    args = parser.parse_args(argv)
    weighed: Dict[str, Interview] = {}
    if args.weighed:
        from policies.eligibility.questions import legal_case_priors

        for notice_id, (_cases, _counts, plain, priors) in legal_case_priors().items():
            weighed[notice_id] = Interview(plain.assessor)
            weighed[notice_id].use_priors(priors)
    for path in args.sets:
        result = score(path)
        print(f"{path}: {result.summary()}")
        if weighed:
            other = score(path, weighed)
            same = sum(1 for a, b in zip(result.outcomes, other.outcomes) if a.verdict == b.verdict)
            mean = statistics.mean(o.questions for o in result.outcomes)
            mean_weighed = statistics.mean(o.questions for o in other.outcomes)
            print(
                f"  weighed: {other.summary()}; same verdict {same}/{len(result.outcomes)}; mean questions {mean:.2f} → {mean_weighed:.2f}"
            )
        for o in result.outcomes:
            if args.verbose or (not o.right and not o.blocked_on):
                mark = "ok " if o.right else ("-- " if o.blocked_on else "?? " if o.disputed else "XX ")
                extra = f" (blocked on {', '.join(o.blocked_on)})" if o.blocked_on else ""
                extra += f" (disputed: {o.disputed})" if o.disputed and not o.right else ""
                print(f"  {mark}{o.name}: {o.expected} → {o.verdict}, {o.questions} questions{extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

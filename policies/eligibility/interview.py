"""The Interview of DESIGN.md: answers so far → Assessment → the next question(s).

One module for every front end: the chat form (actions/assessment.py) and the staff page's
assess-on-behalf (bot/staff/assess.py) only translate slots or form fields to answers and
questions to words or HTML.

    interview = Interview(assessor)
    step = interview.step("engineer", {"education": "bachelor", "retired": DONT_KNOW})
    step.result.verdict, step.questions[0].facts, step.settled

- A fact is asked only if some value of it could still change the verdict (the engine's
  ``needed_facts``, most discriminating first); a settled verdict asks nothing more.
- ``DONT_KNOW`` is an answer: the fact stays unknown (never read as "no") and is not asked again;
  the verdict stays undetermined if it could have mattered.
- The exclusions that are one yes/no each (公务员? 退休? 处分? …) can be asked as one multi-choice
  question (``group_exclusions=True``): tick what applies, or 都没有.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from policies.eligibility.assess import Assessment, Assessor
from policies.eligibility.catalogue import Catalogue

DONT_KNOW = "__unknown__"  # the applicant does not know: keep unknown, do not ask again
DONT_KNOW_LABEL = "不清楚"
NONE_OF_THESE = "都没有"


@dataclass(frozen=True)
class Question:
    facts: List[str]  # one fact; several for the exclusions asked together
    text: str
    options: Dict[str, str]  # value → label (empty for numbers and dates), 不清楚 last
    type: str  # the fact's type, or "exclusions"
    unit: Optional[str] = None

    @property
    def fact(self) -> str:
        return self.facts[0]

    @property
    def multi(self) -> bool:
        return self.type == "exclusions"


@dataclass
class Step:
    level: str
    facts: Dict[str, Any]  # coerced, as the engine sees them
    skipped: List[str]  # answered 不清楚
    result: Assessment
    questions: List[Question] = field(default_factory=list)

    @property
    def settled(self) -> bool:
        """No question left: the verdict is settled, or only 不清楚 facts could change it."""
        return not self.questions


class Interview:
    def __init__(self, assessor: Assessor, catalogue: Optional[Catalogue] = None) -> None:
        self.assessor = assessor
        self.catalogue = catalogue or assessor.catalogue
        self.flags = exclusion_flags(assessor)

    def step(self, level: str, answers: Mapping[str, Any], limit: Optional[int] = None,
             group_exclusions: bool = False) -> Step:
        """Assess the answers; the questions still worth asking (the first ``limit`` when given)."""
        skipped = [f for f, v in answers.items() if v == DONT_KNOW and f in self.catalogue.specs]
        facts = self.catalogue.coerce({f: v for f, v in answers.items() if v != DONT_KNOW})
        skipped = [f for f in skipped if f not in facts]
        want = None if limit is None else limit + len(skipped) + (len(self.flags) if group_exclusions else 0)
        result = self.assessor.assess(level, facts, limit=want)
        open_facts = [f for f in result.needed_facts if f not in skipped]
        questions: List[Question] = []
        grouped = False
        for f in open_facts:
            if group_exclusions and f in self.flags:
                if not grouped:
                    grouped = True
                    questions.append(self.exclusions_question([g for g in self.flags if g not in facts
                                                               and g not in skipped]))
                continue
            questions.append(self.question(f))
        if limit is not None:
            questions = questions[:limit]
        return Step(level, facts, skipped, result, questions)

    def question(self, fact: str) -> Question:
        spec = self.catalogue.specs[fact]
        options = dict(self.catalogue.options(fact))
        if options:
            options[DONT_KNOW] = DONT_KNOW_LABEL
        return Question([fact], spec.question, options, spec.type, spec.unit)

    def exclusions_question(self, facts: List[str]) -> Question:
        labels = {f: self.catalogue.specs[f].label or self.catalogue.specs[f].question for f in facts}
        return Question(facts, "以下情况您有吗？（有的请选上，可多选；都没有请选“都没有”）", labels, "exclusions")

    @staticmethod
    def read_exclusions(question: Question, ticked: List[str]) -> Dict[str, Any]:
        """The multi-choice answer: ticked facts true, the others false (都没有: all false)."""
        return {f: (f in ticked) for f in question.facts}


def exclusion_flags(assessor: Assessor) -> List[str]:
    """Bool facts whose only role is one exclusion of the form ``fact: true`` (公务员, 退休, 处分 …),
    or the first condition of one (在事业单位工作 — 且未受聘: ticked, the rest is asked next), in
    asking order: these can be asked together."""
    in_routes = {leaf.fact for routes in assessor.routes.values() for _, c in routes for leaf in _leaves(c)}
    specs = assessor.catalogue.specs
    flags = []
    for c in assessor.exclusions:
        if (c.kind == "leaf" and c.op == "eq" and c.value is True and c.fact not in in_routes
                and specs[c.fact].type == "bool"):
            flags.append(c.fact)
        elif c.kind == "all" and c.children:  # 事业单位 and not 受聘: ticking the first asks the rest
            first = c.children[0]
            if (first.kind == "leaf" and first.op == "eq" and first.value is True and first.fact not in in_routes
                    and specs[first.fact].type == "bool" and specs[first.fact].label):
                flags.append(first.fact)
    return sorted(dict.fromkeys(flags), key=assessor._rank)


def _leaves(c):
    from policies.eligibility.domains import leaves

    return leaves([c])

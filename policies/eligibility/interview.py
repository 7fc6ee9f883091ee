"""The interview: answers so far → Assessment → the next question(s).

One module for every front end: the chat form (actions/assessment.py) and the staff page's
assess-on-behalf (bot/staff/assess.py) only translate slots or form fields to answers and
questions to words or HTML.

    interview = Interview(assessor)
    step = interview.step("engineer", {"education": "bachelor", "retired": DONT_KNOW}, grouped=True)
    step.result.verdict, step.questions[0].facts, step.settled

- A fact is asked only if some value of it could still change the verdict (the engine's
  ``needed_facts``, most discriminating first); a settled verdict asks nothing more.
- ``DONT_KNOW`` is an answer: the fact stays unknown (never read as "no") and is not asked again;
  the verdict stays undetermined if it could have mattered.
- With ``grouped=True`` (the chat and the staff page) related facts are asked as one question:
  the exclusions that are one yes/no each (公务员? 退休? 处分? …) as one multi-choice question (tick
  what applies, or 都没有); yes/no facts of a checklist (在简阳工作? 档案在简阳? …) likewise; and
  facts people state together (职称 and its date, 学历 and 对口) as one free-text question.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Set, Tuple

from policies.eligibility.assess import Assessment, Assessor, Memo
from policies.eligibility.catalogue import Catalogue
from policies.eligibility.rules import Compiled, leaf_fact

DONT_KNOW = "__unknown__"  # the applicant does not know: keep unknown, do not ask again
DONT_KNOW_LABEL = "不清楚"
NONE_OF_THESE = "都没有"  # the exclusions: none applies
NONE_APPLIES = "都不符合"  # a checklist: none applies
RECENT_STEPS = 512  # steps remembered per notice (a few conversations' worth of turns)


@dataclass(frozen=True)
class Question:
    facts: List[str]  # one fact; several for a group asked together
    text: str
    options: Dict[str, str]  # value → label (empty for numbers and dates), 不清楚 last; multi: fact → label
    type: str  # the fact's type, or "exclusions" / "checklist" (tick what applies) / "together"
    unit: Optional[str] = None
    none_label: str = NONE_OF_THESE  # multi-choice: the answer that ticks nothing

    @property
    def fact(self) -> str:
        return self.facts[0]

    @property
    def multi(self) -> bool:
        """Tick what applies: each fact yes if ticked, no otherwise."""
        return self.type in ("exclusions", "checklist")

    @property
    def together(self) -> bool:
        """Several facts in one free-text answer, read in order ("助工，2018年7月")."""
        return self.type == "together"


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
        self.city = assessor.notice.region.city
        self.together = {f: g for g in self.catalogue.together for f in g.facts}
        self.checklists = {f: g for g in self.catalogue.checklists for f in g.facts}
        self._recent: Dict[Tuple[Any, ...], Step] = {}  # the last RECENT_STEPS steps, oldest first

    def step(self, level: str, answers: Mapping[str, Any], limit: Optional[int] = None, grouped: bool = False) -> Step:
        """Assess the answers; the questions still worth asking (the first ``limit`` when given).

        ``grouped``: the exclusions as one multi-choice question, checklists as one, and facts
        stated together (facts.yml ``together``) as one — what the chat and the staff page ask.
        Without it, one fact per question (what the property tests and the old count assume).

        The last steps are remembered: one chat turn asks the same state several times (the
        form's extraction, its required slots, the question's wording), and with many facts
        unknown one step can cost a search of hundreds of milliseconds. Treat the Step as read-only.
        """
        key = (level, tuple(sorted(answers.items(), key=lambda kv: kv[0])), limit, grouped)
        try:
            hit = self._recent.get(key)
        except TypeError:  # an unhashable answer (never from the chat or the staff page)
            return self._step(level, answers, limit, grouped)
        if hit is None:
            hit = self._step(level, answers, limit, grouped)
            self._recent[key] = hit
            if len(self._recent) > RECENT_STEPS:
                self._recent.pop(next(iter(self._recent)))
        return hit

    def _step(self, level: str, answers: Mapping[str, Any], limit: Optional[int], grouped: bool) -> Step:
        skipped = [f for f, v in answers.items() if v == DONT_KNOW and f in self.catalogue.specs]
        facts = self.catalogue.coerce({f: v for f, v in answers.items() if v != DONT_KNOW})
        skipped = [f for f in skipped if f not in facts]
        want = None if limit is None else limit + len(skipped)
        result = self.assessor.assess(level, facts, limit=want)
        open_facts = [f for f in result.needed_facts if f not in skipped]
        questions: List[Question] = []
        done: Set[str] = set()
        memo: Memo = {}

        def members_of(group_facts: Iterable[str], head: str) -> List[str]:
            """The group's members still open that can change the verdict (the head can)."""
            return [
                g
                for g in group_facts
                if g == head
                or (
                    g not in facts
                    and g not in skipped
                    and g not in done
                    and (g in open_facts or self.assessor.matters(level, facts, g, memo))
                )
            ]

        for f in open_facts:
            if f in done:
                continue
            if grouped and f in self.flags:
                members = [g for g in self.flags if g not in facts and g not in skipped]
                questions.append(self.exclusions_question(members))
            elif grouped and f in self.checklists:
                members = members_of(self.checklists[f].facts, f)
                questions.append(self.checklist_question(members) if len(members) > 1 else self.question(f))
            elif grouped and f in self.together:
                members = members_of(self.together[f].facts, f)
                questions.append(self.together_question(members) if len(members) > 1 else self.question(f))
            else:
                members = [f]
                questions.append(self.question(f))
            done.update(members)
        if limit is not None:
            questions = questions[:limit]
        return Step(level, facts, skipped, result, questions)

    def question(self, fact: str) -> Question:
        spec = self.catalogue.specs[fact]
        options = dict(self.catalogue.options(fact))
        if options:
            options[DONT_KNOW] = DONT_KNOW_LABEL
        return Question([fact], spec.question, options, spec.type, spec.unit)

    def label(self, fact: str) -> str:
        spec = self.catalogue.specs[fact]
        return (spec.label or spec.question).replace("{city}", self.city)

    def exclusions_question(self, facts: List[str]) -> Question:
        return Question(
            facts,
            "以下情况您有吗？（有的请选上，可多选；都没有请选“都没有”）",
            {f: self.label(f) for f in facts},
            "exclusions",
        )

    def checklist_question(self, facts: List[str]) -> Question:
        return Question(
            facts,
            self.checklists[facts[0]].question,
            {f: self.label(f) for f in facts},
            "checklist",
            none_label=NONE_APPLIES,
        )

    def together_question(self, facts: List[str]) -> Question:
        """Several facts, one question: the group's wording when all are open, else each question."""
        group = self.together[facts[0]]
        text = (
            group.question if list(group.facts) == facts else "".join(self.catalogue.specs[f].question for f in facts)
        )
        return Question(facts, text, {}, "together")


def exclusion_flags(assessor: Assessor) -> List[str]:
    """Bool facts whose only role is one exclusion of the form ``fact: true`` (公务员, 退休, 处分 …),
    or the first condition of one (在事业单位工作 — 且未受聘: ticked, the rest is asked next), in
    asking order: these can be asked together."""
    in_routes = {leaf_fact(leaf) for routes in assessor.routes.values() for _, c in routes for leaf in _leaves(c)}
    specs = assessor.catalogue.specs
    flags: List[str] = []
    for c in assessor.exclusions:
        if c.kind == "leaf" and c.op == "eq" and c.value is True:
            fact = leaf_fact(c)
            if fact not in in_routes and specs[fact].type == "bool":
                flags.append(fact)
        elif c.kind == "all" and c.children:  # 事业单位 and not 受聘: ticking the first asks the rest
            first = c.children[0]
            if first.kind == "leaf" and first.op == "eq" and first.value is True:
                fact = leaf_fact(first)
                if fact not in in_routes and specs[fact].type == "bool" and specs[fact].label:
                    flags.append(fact)
    return sorted(dict.fromkeys(flags), key=assessor._rank)


def _leaves(c: Compiled) -> List[Compiled]:
    from policies.eligibility.domains import leaves

    return leaves([c])

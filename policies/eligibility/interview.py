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

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, Dict, Iterable, List, Mapping, Optional, Set, Tuple

from policies.eligibility.assess import DISCRIMINATING, UNDETERMINED, Assessment, Assessor, Memo, OpenRoute
from policies.eligibility.catalogue import Catalogue
from policies.eligibility.numbers import AT_LEAST, Between
from policies.eligibility.priors import Priors, answer_key
from policies.eligibility.rules import MET, Compiled, leaf_fact

DONT_KNOW = "__unknown__"  # the applicant does not know: keep unknown, do not ask again
DONT_KNOW_LABEL = "不清楚"
NONE_OF_THESE = "都没有"  # the exclusions: none applies
NONE_APPLIES = "都不符合"  # a checklist: none applies
CONDITIONS_QUESTION = "以下哪些符合您的情况？（可多选；都符合请选“都符合”，都不符合请选“都不符合”）"
CONDITIONS_AT_ONCE = 8  # lines of one checklist: one phone screen
RECENT_STEPS = 512  # steps remembered per notice (a few conversations' worth of turns)
WEIGHED = 2  # with priors: the first questions of the hand-set order weighed against each other
WEIGH_UNKNOWN = 5  # … and only while at most this many facts were answered 不清楚
SETTLES_MORE = 0.05  # … and one moves first only if it settles this much more often


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


UNSETTLED = Question([], "", {}, "probe")  # what a probe lists when questions are left (Interview._step)


class Interview:
    def __init__(self, assessor: Assessor, catalogue: Optional[Catalogue] = None) -> None:
        self.assessor = assessor
        self.catalogue = catalogue or assessor.catalogue
        self.flags = exclusion_flags(assessor)
        self.exclusion_facts = {leaf_fact(n) for c in assessor.exclusions for n in _leaves(c)}
        # 在事业单位工作 (ticked) → 受聘? : the rest of an exclusion that a ticked flag begins
        self.follow_ups: Dict[str, List[str]] = {}
        for c in assessor.exclusions:
            if c.kind == "all" and c.children and c.children[0].kind == "leaf":
                head = leaf_fact(c.children[0])
                if head in self.flags:
                    rest = [leaf_fact(n) for ch in c.children[1:] for n in _leaves(ch)]
                    self.follow_ups.setdefault(head, []).extend(f for f in rest if f != head)
        self.city = assessor.notice.region.city
        self.together = {f: g for g in self.catalogue.together for f in g.facts}
        # Per level: the regular route's conditions that one tick confirms (满2年, 不少于60学时, 考核
        # 合格) — asked as one checklist, since most applicants meet most of them (issue 23).
        self.conditions = {level: confirmable(assessor, level, self.exclusion_facts) for level in assessor.levels()}
        self.checklists = {f: g for g in self.catalogue.checklists for f in g.facts}
        self._recent: Dict[Tuple[Any, ...], Step] = {}  # the last RECENT_STEPS steps, oldest first
        self.priors: Optional[Priors] = None
        self._settled: Dict[Tuple[Any, ...], bool] = {}  # probes of settling_share, oldest first

    def use_priors(self, priors: Optional[Priors]) -> None:
        """Weigh the next question by what earlier applicants answered (None: the hand-set order)."""
        if priors != self.priors:
            self.priors = priors
            self._recent.clear()
            self._settled.clear()

    def step(self, level: str, answers: Mapping[str, Any], limit: Optional[int] = None, grouped: bool = False) -> Step:
        """Assess the answers; the questions still worth asking (the first ``limit`` when given).

        ``grouped``: the exclusions as one multi-choice question, checklists as one, and facts
        stated together (facts.yml ``together``) as one — what the chat and the staff page ask.
        Without it, one fact per question (what the property tests and the old count assume).

        The last steps are remembered: one chat turn asks the same state several times (the
        form's extraction, its required slots, the question's wording), and with many facts
        unknown one step can cost a search of hundreds of milliseconds. Treat the Step as read-only.
        """
        # typed: a tick (False) and a number said (0) are equal in Python but not the same answer
        key = (level, tuple(sorted((f, type(v), v) for f, v in answers.items())), limit, grouped)
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

    def _step(
        self,
        level: str,
        answers: Mapping[str, Any],
        limit: Optional[int],
        grouped: bool,
        weigh: bool = True,
        probe: bool = False,
    ) -> Step:
        """``weigh``: with priors, the question most likely to settle first (``_weighed``). ``probe``:
        only whether the step is settled; an unsettled one lists ``UNSETTLED``, not its questions."""
        skipped = [f for f, v in answers.items() if v == DONT_KNOW and f in self.catalogue.specs]
        facts = self.catalogue.coerce(self.values(level, {f: v for f, v in answers.items() if v != DONT_KNOW}))
        for f in self.assessor.undecided_ranges(facts, level):  # 论文两三篇 where 3 are needed: asked
            del facts[f]
        skipped = [f for f in skipped if f not in facts]
        if not grouped:  # one fact a turn, in the engine's order (the property tests, the old count)
            want = None if limit is None else limit + len(skipped)
            result = self.assessor.assess(level, facts, limit=want)
            single = [self.question(f) for f in result.needed_facts if f not in skipped]
            return Step(level, facts, skipped, result, single[:limit] if limit is not None else single)
        # Settled or not: the engine's first fact that can still change the verdict tells.
        memo: Memo = {}  # one relevance search for this state, shared by every question weighed
        result = self.assessor.assess(level, facts, limit=1 + len(skipped), memo=memo)
        if not [f for f in result.needed_facts if f not in skipped]:
            return Step(level, facts, skipped, self._unless(level, facts, skipped, result), [])
        three_valued, routes, exclusion_facts = self.assessor.open_routes(level, facts)
        skip = set(skipped)
        flags_open = [f for f in self.flags if f in exclusion_facts and f not in skip]
        regular_facts = self.assessor.regular_facts[level]
        met_route = any(three_valued.statuses.get(r.id) == MET for r in self.assessor.rules.levels[level].routes)
        if (
            routes
            and not met_route
            and not flags_open
            and all(r.kind != "regular" and r.defers and set(r.facts) <= regular_facts for r in routes)
        ):
            # Only routes a document decides are left (简阳's 69号 破格), with nothing of their own
            # to ask: asking the regular conditions again could only close them too. The verdict
            # names them, the document and whom to ask instead.
            deferred = [(r.explain, r.clause, r.defers or "") for r in routes]
            return Step(level, facts, skipped, replace(result, needed_facts=[], deferred=deferred), [])
        if probe:  # questions are left (or, rarely, none could change the verdict: not searched)
            return Step(level, facts, skipped, result, [UNSETTLED])
        ticked = [f for flag, rest in self.follow_ups.items() if facts.get(flag) is True for f in rest]
        order = self._order(three_valued.needed_facts, routes, exclusion_facts, skip, regular_facts, ticked)
        questions: List[Question] = []
        done: Set[str] = set()

        # Not for an applicant who answered 不清楚 to several facts: each answer weighed would search
        # the relevance of every one of them again (seconds), for an interview that is long anyway.
        weighing = weigh and self.priors is not None and limit is not None and len(skipped) <= WEIGH_UNKNOWN
        wanted = max(limit, WEIGHED) if weighing and limit is not None else limit
        open_facts = set(order)  # under a condition still open (a cheap test before the search)
        position = {f: i for i, f in enumerate(order)}

        def members_of(group_facts: Iterable[str], head: str) -> List[str]:
            """The group's members still open that can change the verdict (the head can)."""
            return [
                g
                for g in group_facts
                if g == head
                or (
                    g in open_facts
                    and g not in facts
                    and g not in skip
                    and g not in done
                    and self.assessor.matters(level, facts, g, memo)
                )
            ]

        for f in order:
            if f in done:
                continue
            if f in self.flags:  # the exclusions are asked together when any of them matters
                group = [g for g in self.flags if g in order and g not in done]
                if not any(self.assessor.matters(level, facts, g, memo) for g in group):
                    done.update(group)
                    continue
            elif not self.assessor.matters(level, facts, f, memo):
                done.add(f)
                continue
            q = self._group_of(f, facts, skipped, members_of, level, answers, position)
            questions.append(q)
            done.update(q.facts)
            if wanted is not None and len(questions) >= wanted:
                break
        if weighing:
            questions = self._weighed(level, answers, questions)[:limit]
        return Step(level, facts, skipped, result, questions)

    def settling_share(self, level: str, answers: Mapping[str, Any], question: Question) -> Optional[float]:
        """How likely ``question`` ends the interview now: the share of earlier applicants
        (``priors.outcomes``, its most frequent answers) whose answer would settle the verdict.
        None: the priors cannot weigh it (the opening question, a date, too few answers)."""
        if self.priors is None or question.type == "together":
            return None
        outcomes = self.priors.outcomes(level, question.facts)
        if not outcomes:
            return None
        return sum(p for answer, p in outcomes if self._settles(level, {**answers, **answer}))

    def _settles(self, level: str, answers: Mapping[str, Any]) -> bool:
        """Whether nothing would be asked after these answers (remembered: applicants share states)."""
        key = (level, tuple(sorted((f, answer_key(v)) for f, v in answers.items())))
        found = self._settled.get(key)
        if found is None:
            found = self._settled[key] = self._step(level, answers, 1, True, weigh=False, probe=True).settled
            if len(self._settled) > RECENT_STEPS * 4:
                self._settled.pop(next(iter(self._settled)))
        return found

    def _weighed(self, level: str, answers: Mapping[str, Any], questions: List[Question]) -> List[Question]:
        """The question most likely to settle the verdict first (issue 23 point 2). A verdict that
        needs every one of several conditions ends at the first one not met, and asking them most
        likely unmet first gives the fewest questions on average (the order of tests of a
        conjunction); an applicant who meets them all answers them all in any order. The hand-set
        order stays where the priors cannot weigh the first question, where no other is clearly more
        likely to settle, and for the exclusions and whom the notice is for, which come first."""
        first = questions[0]
        if (
            len(questions) < 2
            or first.type in ("together", "exclusions")
            or set(first.facts) & set(DISCRIMINATING[:2])
            or set(first.facts) <= self.exclusion_facts
        ):
            return questions  # who the applicant is, who is excluded and whom the notice is for: first
        shares = [self.settling_share(level, answers, q) for q in questions]
        if shares[0] is None:
            return questions
        best = max((i for i, c in enumerate(shares) if c is not None), key=lambda i: (shares[i], -i))
        if best == 0 or (shares[best] or 0.0) < (shares[0] or 0.0) + SETTLES_MORE:
            return questions
        return [questions[best]] + [q for i, q in enumerate(questions) if i != best]

    def values(self, level: str, answers: Mapping[str, Any]) -> Dict[str, Any]:
        """The answers as values: a checklist's tick on a condition with a threshold (满2年: yes) as
        the range it says (at least 2), the rest as given."""
        conditions = self.conditions.get(level, {})
        return {f: conditions[f].value(v) if f in conditions else v for f, v in answers.items()}

    def tick(self, level: str, fact: str, value: Any) -> Any:
        """How an applicant whose fact is ``value`` answers it in a checklist: a number as whether
        it reaches the condition's threshold (论文3篇 → 论文2篇以上: ticked); anything else as is."""
        condition = self.conditions.get(level, {}).get(fact)
        return value if condition is None else condition.ticked(value)

    def _unless(self, level: str, facts: Dict[str, Any], skipped: List[str], result: Assessment) -> Assessment:
        """An interview that ends undetermined only because the applicant does not know about
        something rare — one of the exclusions asked together (退休, 处分 …), or the own condition
        of a special or 破格 route (职业资格, 高技能人才, 获奖): the verdict if none of it applies,
        with what it is. Conditions whose absence would exclude (单位在本市, 档案在本地) are never
        assumed."""
        if result.verdict != UNDETERMINED or not skipped or result.deferred:
            return result
        regular = self.assessor.regular_facts[level]
        rare = [f for f in skipped if f in self.flags or (f not in regular and f not in self.exclusion_facts)]
        assumed = {f: v for f in rare if (v := self._absent(f)) is not None}
        if not assumed:
            return result
        probe = self.assessor.assess(level, {**facts, **assumed}, limit=1)
        if probe.verdict == UNDETERMINED:
            return result
        items = list(dict.fromkeys(self.assessor.leaf_explain(level, f) for f in assumed))
        return replace(result, unless=(probe.verdict, items))

    def _absent(self, fact: str) -> Any:
        """The value that says "I have none of that": no, 0, none."""
        spec = self.catalogue.specs[fact]
        if spec.type == "bool":
            return False
        if spec.type == "int":
            return 0
        if "none" in dict(self.catalogue.options(fact)):
            return "none"
        return None

    def _order(
        self,
        needed: List[str],
        routes: List[OpenRoute],
        exclusion_facts: List[str],
        skip: Set[str],
        regular_facts: Set[str],
        ticked: List[str],
    ) -> List[str]:
        """The open facts in asking order — what settles most for the applicants who write to us:
        1. 职称 and its date (they decide most routes at once);
        2. the exclusions, one multi-choice question (公务员? 退休? 处分? …): it ends the interview
           for whoever is excluded, and anyone eligible must answer it anyway; what a ticked one
           needs next (在事业单位 → 受聘?) right after; then 学历;
        3. the regular route's facts (most applicants apply by it), in the notice's order;
        4. once it is closed, the other routes' own facts first (破格's 获奖, 推荐 …) — a route this
           applicant does not meet is closed by one question — then the facts they share with the
           regular route (考核, 业绩, 论文, 学时), which a route met needs anyway;
        5. the other exclusions (whom the notice is for: 单位, 档案, 在本地工作)."""
        open_ = [f for f in needed if f not in skip]
        wanted = set(open_)
        out: List[str] = []

        def add(facts: Iterable[str]) -> None:
            for f in facts:
                if f in wanted and f not in out:
                    out.append(f)

        add(DISCRIMINATING[:2])  # 职称 and its date: the natural first question
        add(f for f in self.flags if f in exclusion_facts)
        add(ticked)  # an exclusion ticked that needs one more answer (在事业单位 → 受聘?)
        add(DISCRIMINATING)
        add(exclusion_facts)  # whom the notice is for (单位, 档案, 在本地工作): settles who is excluded early
        for r in routes:
            if r.kind == "regular":
                add(r.facts)
        others = [r for r in routes if r.kind != "regular"]
        shared = Counter(f for r in others for f in set(r.facts))
        first: Dict[str, int] = {}
        for i, r in enumerate(others):
            for f in r.facts:
                first.setdefault(f, i)
        # own facts: the rarest first; facts shared with the regular route: the most shared first
        add(
            sorted(
                shared,
                key=lambda f: (
                    f in regular_facts,
                    -shared[f] if f in regular_facts else shared[f],
                    first[f],
                    self.assessor._rank(f),
                ),
            )
        )
        add(exclusion_facts)
        add(open_)
        return out

    def _group_of(
        self,
        f: str,
        facts: Mapping[str, Any],
        skipped: List[str],
        members_of: Any,
        level: str,
        answers: Mapping[str, Any],
        position: Mapping[str, int],
    ) -> Question:
        """The question that asks ``f``: with the other exclusions, the regular route's conditions,
        its checklist, or the facts stated together with it, when more than one of them is open. A
        condition answered by a tick that did not settle it (不满2年 where another rule needs 1) is
        asked on its own, as a number."""
        if f in self.flags:
            return self.exclusions_question([g for g in self.flags if g not in facts and g not in skipped])
        listed = members_of(self.checklists[f].facts, f) if f in self.checklists else []
        if len(listed) > 1 and f in self.exclusion_facts:  # whom the notice is for: 在简阳工作? 档案? …
            return self.checklist_question(listed)
        conditions = self.conditions.get(level, {})
        if f in conditions and f not in answers:
            # While the regular route is open, its own conditions only: "都符合" then means what it
            # says, and a rare route's condition (乡镇15年) is not ticked along with them. In asking
            # order, searched lazily: the relevance search is the costly part of a step.
            regular = self.assessor.regular_facts[level]
            if f in regular or f in self.exclusion_facts:
                kind: Set[str] = regular | self.exclusion_facts
            else:
                kind = set(conditions)
            candidates = sorted(
                (g for g in conditions if g != f and g not in answers and g in position and g in kind),
                key=lambda g: position[g],
            )
            members = [f]
            for g in candidates:
                if len(members) >= CONDITIONS_AT_ONCE:
                    break
                if members_of([g], f):
                    members.append(g)
            if len(members) > 1:
                return self.conditions_question(level, members)
        if f in self.checklists:
            return self.checklist_question(listed) if len(listed) > 1 else self.question(f)
        if f in self.together:
            members = members_of(self.together[f].facts, f)
            return self.together_question(members) if len(members) > 1 else self.question(f)
        return self.question(f)

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

    def conditions_question(self, level: str, facts: List[str]) -> Question:
        """The regular route's conditions as one checklist (ticked: met)."""
        conditions = self.conditions[level]
        return Question(
            facts, CONDITIONS_QUESTION, {f: conditions[f].label for f in facts}, "checklist", none_label=NONE_APPLIES
        )

    def together_question(self, facts: List[str]) -> Question:
        """Several facts, one question: the group's wording when all are open, else each question."""
        group = self.together[facts[0]]
        text = group.question_for(facts) or "".join(self.catalogue.specs[f].question for f in facts)
        return Question(facts, text, {}, "together")


@dataclass(frozen=True)
class Condition:
    """One condition of the regular route that a tick answers: ``fact`` is true, or at least ``low``."""

    fact: str
    label: str  # the condition in the notice's terms (the rule's explain): 近5年单位考核都合格
    low: Optional[int] = None  # a number: at least this; None: a yes / no fact

    def ticked(self, value: Any) -> Any:
        """How someone whose fact is ``value`` answers this line: a number as whether it reaches
        ``low`` (论文3篇 → 论文2篇以上: yes); anything else as is."""
        if self.low is None or isinstance(value, bool) or not isinstance(value, int):
            return value
        return value >= self.low

    def value(self, answer: Any) -> Any:
        """A tick (yes / no) as the fact's value: a number ticked is a range, at least ``low``
        (or below it); anything else (a number said, 不清楚) as given."""
        if self.low is None or not isinstance(answer, bool):
            return answer
        if answer:
            return [self.low, AT_LEAST]
        return [0, self.low - 1] if self.low > 1 else 0


def confirmable(assessor: Assessor, level: str, exclusion_facts: Set[str]) -> Dict[str, Condition]:
    """The conditions of ``level`` that one tick answers: an exclusion's "must be so" with a label
    (在平凉工作), then the routes' conditions in the notice's order — a yes / no fact that must be
    yes, or a number that must reach one threshold, where "at least that" is read alike by every
    rule of this level and by the exclusions (so a tick never hides a value another rule needs).
    The facts of the opening question and the other exclusions, choices, dates, and facts with more
    than one threshold are asked as before."""
    specs = assessor.catalogue.specs
    city = assessor.notice.region.city
    skip = set(DISCRIMINATING) | exclusion_facts
    found: Dict[str, List[Compiled]] = {}

    def positive(c: Compiled) -> Iterable[Compiled]:  # leaves met by the condition (no "not" above)
        if c.kind == "leaf":
            yield c
        elif c.kind == "ref" and c.target is not None:
            yield from positive(c.target)
        elif c.kind in ("all", "any", "at_least"):
            for ch in c.children:
                yield from positive(ch)

    for _route, compiled in assessor.routes[level]:
        for leaf in positive(compiled):
            fact = leaf_fact(leaf)
            if (
                fact not in skip
                and specs[fact].type in ("bool", "int")
                and not specs[fact].alone
                and leaf not in found.get(fact, [])
            ):
                found.setdefault(fact, []).append(leaf)
    out: Dict[str, Condition] = {}
    # An exclusion "not X" on a yes / no fact with a label (在平凉工作, 按要求参加了继续教育): ticked, X.
    for c in assessor.exclusions:
        if c.kind == "leaf" and c.op == "eq" and c.value is False:
            fact, label = leaf_fact(c), specs[leaf_fact(c)].label
            if label and fact not in out:
                out[fact] = Condition(fact, label.replace("{city}", city))
    for fact, tested in found.items():
        tests = {(n.op, repr(n.value)) for n in tested}
        if len(tests) != 1:
            continue
        leaf = tested[0]
        explain = leaf.node.explain or ""
        if specs[fact].type == "bool" and leaf.op == "eq" and leaf.value is True:
            out[fact] = Condition(fact, explain)
        elif specs[fact].type == "int" and leaf.op == "gte" and float(leaf.value).is_integer() and leaf.value > 0:
            low = int(leaf.value)
            if not assessor.undecided_ranges({fact: Between(low, AT_LEAST)}, level):
                out[fact] = Condition(fact, explain, low)
    return out


def exclusion_flags(assessor: Assessor) -> List[str]:
    """Bool facts of one exclusion of the form ``fact: true`` (公务员, 退休, 处分 …), or the first
    condition of one (在事业单位工作 — 且未受聘: ticked, the rest is asked next), in asking order:
    these can be asked together. One a route also tests is among them when it has a label (在事业单位
    工作 also decides from when 长治 counts the years): ticked or not, the answer is the same fact."""
    in_routes = {leaf_fact(leaf) for routes in assessor.routes.values() for _, c in routes for leaf in _leaves(c)}
    specs = assessor.catalogue.specs
    flags: List[str] = []
    for c in assessor.exclusions:
        if c.kind == "leaf" and c.op == "eq" and c.value is True:
            fact = leaf_fact(c)
            if specs[fact].type == "bool" and (fact not in in_routes or specs[fact].label):
                flags.append(fact)
        elif c.kind == "all" and c.children:  # 事业单位 and not 受聘: ticking the first asks the rest
            first = c.children[0]
            if first.kind == "leaf" and first.op == "eq" and first.value is True:
                fact = leaf_fact(first)
                if specs[fact].type == "bool" and specs[fact].label:
                    flags.append(fact)
    return sorted(dict.fromkeys(flags), key=assessor._rank)


def _leaves(c: Compiled) -> List[Compiled]:
    from policies.eligibility.domains import leaves

    return leaves([c])

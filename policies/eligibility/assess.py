"""Assess an applicant against one notice and level: the Assessment (README, "Pre-assessment").

Verdicts:
- ``eligible`` — the regular route is met;
- ``eligible_special`` — only a special or exceptional (破格) route is met;
- ``not_eligible`` — an exclusion applies, or every route is not met;
- ``undetermined`` — something still unknown could change the verdict (a missing fact, or a
  condition the notice delegates to another document).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Set, Tuple

from policies.eligibility.catalogue import Catalogue, load_catalogue
from policies.eligibility.domains import fact_domains, leaves
from policies.eligibility.numbers import Between
from policies.eligibility.rules import (
    MET,
    NOT_MET,
    UNKNOWN,
    Compiled,
    Eligibility,
    add_years,
    combine,
    leaf_fact,
    link,
)
from policies.levels import LEVEL_NAMES

if TYPE_CHECKING:
    from policies.schema import Notice

ELIGIBLE, ELIGIBLE_SPECIAL, NOT_ELIGIBLE, UNDETERMINED = "eligible", "eligible_special", "not_eligible", "undetermined"
VERDICT_NAMES = {
    ELIGIBLE: "符合申报条件",
    ELIGIBLE_SPECIAL: "只能通过破格或特殊途径申报",
    NOT_ELIGIBLE: "不符合申报条件",
    UNDETERMINED: "暂时无法确定",
}
STATUS_NAMES = {MET: "符合", NOT_MET: "不符合", UNKNOWN: "待确认"}
# Asked before the notice's own order: they decide most routes at once (issue 13).
DISCRIMINATING = ("current_title", "current_title_date", "education")
SPLIT_LIMIT = 64  # most value combinations tried to settle one node
SETTLE_DEPTH = 2  # how far below a route or exclusion to look for a node to settle
RELEVANCE_BUDGET = 60  # nodes searched to show one open fact can change the verdict

# Static fields of a shown condition: (id, clause, explain, route, delegated, advice, route kind, facts).
_Shown = Tuple[str, str, str, Optional[str], Optional[str], Optional[str], Optional[str], Tuple[str, ...]]
# Memo of the relevance search: sorted facts → (class of a settled verdict or None, open facts).
Memo = Dict[Tuple[Tuple[str, Any], ...], Tuple[Optional[str], List[str]]]


class _OutOfBudget(Exception):
    pass


@dataclass(slots=True)
class Condition:
    id: str
    clause: str
    explain: str
    status: str  # met / not_met / unknown
    route: Optional[str] = None  # None for exclusions
    delegated: Optional[str] = None
    advice: Optional[str] = None
    route_kind: Optional[str] = None  # regular / special / exceptional; None for exclusions
    facts: Tuple[str, ...] = ()  # the facts it tests (to show the applicant's own back)


@dataclass
class Assessment:
    notice_id: str
    doc_number: str
    level: str
    verdict: str
    route: Optional[str]  # the route that makes the applicant eligible
    conditions: List[Condition]
    needed_facts: List[str]  # in asking order; empty once the verdict is settled
    earliest: Optional[dt.date] = None  # years are what fails: the day they would be reached
    earliest_year: Optional[int] = None  # … and the first evaluation year that counts it
    delegated_docs: List[str] = field(default_factory=list)
    statuses: Dict[str, str] = field(default_factory=dict)  # every evaluated node id → status
    regular_open: bool = False  # eligible_special while the regular route is still unknown
    round: str = ""  # the round judged by, e.g. 长治2022年度 (policies.rounds.round_name)
    year: int = 0  # the notice's evaluation year
    # The regular route is not met and only routes a document decides remain (简阳's 69号 破格): the
    # interview stops and names them: (route explain, clause, documents).
    deferred: List[Tuple[str, str, str]] = field(default_factory=list)
    # Undetermined only by 不清楚 answers about something rare (a 破格 or special route's own
    # condition, an exclusion): the verdict if none of them applies, and what they are
    # ((explain, clause) each) — "只要您没有…，结论就是…" instead of more questions.
    unless: Optional[Tuple[str, List[Tuple[str, str]]]] = None

    @property
    def settled(self) -> bool:
        """Nothing the applicant could still say would change the verdict."""
        return not self.needed_facts

    def summary(self) -> str:
        """Verdict first, in one sentence."""
        level = LEVEL_NAMES.get(self.level, self.level)
        by = f"按{self.doc_number}（{self.round}）" if self.round else f"按{self.doc_number}"
        if self.verdict == ELIGIBLE:
            return f"{by}，您符合申报{level}的条件。"
        if self.verdict == ELIGIBLE_SPECIAL and self.regular_open:
            return f"{by}，您可以通过破格或特殊途径申报{level}（常规条件未逐项核对，不影响申报）。"
        if self.verdict == ELIGIBLE_SPECIAL:
            return f"{by}，您的常规条件不满足，但可以通过破格或特殊途径申报{level}。"
        if self.verdict == NOT_ELIGIBLE:
            return f"{by}，您不符合申报{level}的条件。" + self._years_note()
        if self.unless is not None:
            verdict, items = self.unless
            outcome = {
                ELIGIBLE: f"您符合申报{level}的条件",
                ELIGIBLE_SPECIAL: f"您可以通过破格或特殊途径申报{level}",
                NOT_ELIGIBLE: f"您不符合申报{level}的条件",
            }[verdict]
            listed = "；".join(f"{explain}〔{clause}〕" for explain, clause in items)
            return f"{by}，只要以下情况您都没有，{outcome}：{listed}。"
        if self.deferred:
            routes = "；".join(f"“{explain}”〔{clause}〕" for explain, clause, _ in self.deferred)
            docs = "、".join(dict.fromkeys(doc for _, _, doc in self.deferred))
            return (
                f"{by}，您不符合常规申报{level}的条件；剩下的途径{routes}要看{docs}，本助手无法判断。"
                + self._years_note()
            )
        if self.delegated_docs and not self.needed_facts:
            return f"{by}本身无法判定：具体条件由{'、'.join(self.delegated_docs)}规定。"
        return f"{by}，还需要了解一些情况才能判断。"

    def _years_note(self) -> str:
        """When the years are what fails: when they would be met, in the notice's own terms only
        (a later round's rules are not known here)."""
        if not (self.earliest_year and self.earliest is not None):
            return ""
        rules = f"按{self.year}年度的规定" if self.year else "按这份通知的规定"
        return f"{rules}推算，年限在{self.earliest.year}年{self.earliest.month}月满足；以后年度能否申报，以当年的通知为准。"


class Assessor:
    """Compiled rules of one notice; thread-safe and reusable."""

    def __init__(self, notice: Notice, catalogue: Optional[Catalogue] = None) -> None:
        if notice.eligibility is None:
            raise ValueError(f"{notice.id} has no eligibility rules")
        self.notice = notice
        self.catalogue = catalogue or load_catalogue()
        rules: Eligibility = notice.eligibility
        self.rules = rules
        orders, types = self.catalogue.orders, self.catalogue.types
        self.exclusions = [Compiled(n, orders, types) for n in rules.exclusions]
        self.routes = {
            level: [(r, Compiled(r.rule, orders, types)) for r in lr.routes] for level, lr in rules.levels.items()
        }
        link(self.exclusions + [c for routes in self.routes.values() for _, c in routes])
        # Static per node, computed once: the documents a condition defers to, and what is shown.
        self._delegated: Dict[int, Optional[str]] = {}
        self._tops: Dict[int, List[Compiled]] = {}
        for c in self.exclusions + [c for routes in self.routes.values() for _, c in routes]:
            self._tops[id(c)] = list(c.children) if c.kind == "all" else [c]
            for n in [c, *self._tops[id(c)]]:
                docs = [
                    d.node.delegated for d in _walk_refs(n) if d.kind == "delegated" and d.node.delegated is not None
                ]
                self._delegated[id(n)] = "、".join(docs) or None
        # Static fields of every shown condition: (id, clause, explain, route, delegated, advice, kind, facts).
        self._shown: Dict[int, List[_Shown]] = {}
        for c in self.exclusions:
            node = c.node
            self._shown[id(c)] = [
                (node.id, node.clause, node.explain, None, self._delegated.get(id(c)), node.advice, None, _facts_of(c))
            ]
        for routes in self.routes.values():
            for route, c in routes:
                self._shown[id(c)] = [
                    (
                        t.node.id,
                        t.node.clause,
                        t.node.explain,
                        route.id,
                        self._delegated.get(id(t)),
                        t.node.advice,
                        route.kind,
                        _facts_of(t),
                    )
                    for t in self._tops[id(c)]
                ]
        self._years_leaves: Dict[int, List[Compiled]] = {
            id(c): [n for n in _walk_refs(c) if n.kind == "leaf" and n.op == "years_before_counting"]
            for routes in self.routes.values()
            for _, c in routes
        }
        # Per route: the documents it defers to whatever the facts (a delegated node on an all-path).
        self._defers: Dict[int, Optional[str]] = {
            id(c): "、".join(must_defer(c)) or None for routes in self.routes.values() for _, c in routes
        }
        # Per level: the facts its regular routes test (a 破格 route that only adds a document to
        # them has nothing of its own to ask).
        self.regular_facts: Dict[str, Set[str]] = {
            level: {leaf_fact(n) for r, c in routes if r.kind == "regular" for n in _walk_refs(c) if n.kind == "leaf"}
            for level, routes in self.routes.items()
        }
        # Per fact: every condition that compares it (a range said must decide each alike).
        self._leaves_of = _leaves_by_fact(self.exclusions + [c for routes in self.routes.values() for _, c in routes])
        self._by_level: Dict[str, Dict[str, List[Compiled]]] = {}
        self.ask_rank = {f: i for i, f in enumerate(rules.ask_order)}
        self.counting = notice.counting_date.date
        roots = self.exclusions + [c for routes in self.routes.values() for _, c in routes]
        self.domains = fact_domains(roots, self.catalogue, self.counting)
        # Each fact's values, those that meet most route conditions (and fewest exclusions) first:
        # the search for a value that matters tries the likeliest applicant first.
        score: Dict[str, Dict[Any, int]] = {f: {v: 0 for v in vs} for f, vs in self.domains.items()}

        def polarity(c: Compiled, sign: int, seen: Set[int]) -> None:
            if id(c) in seen:
                return
            seen.add(id(c))
            if c.kind == "leaf":
                fact = leaf_fact(c)
                for v in self.domains[fact]:
                    if c._leaf({fact: v}, self.counting) == MET:
                        score[fact][v] += sign
            for ch in c.children:
                polarity(ch, -sign if c.kind == "not" else sign, seen)
            if c.kind == "ref" and c.target is not None:
                polarity(c.target, sign, seen)

        for c in self.exclusions:
            polarity(c, -1, set())
        for routes in self.routes.values():
            for _, c in routes:
                polarity(c, 1, set())

        def passing_first(f: str, vs: List[Any]) -> List[Any]:
            return sorted(vs, key=lambda v: -score[f][v])

        self._passing_first = {f: passing_first(f, vs) for f, vs in self.domains.items()}
        # Per node (refs followed): the facts its leaves test more than once.
        self._shared: Dict[int, List[str]] = {}
        for root in roots:
            for n in _walk_refs(root):
                if id(n) not in self._shared:
                    counts = Counter(leaf_fact(leaf) for leaf in leaves([n]))
                    self._shared[id(n)] = sorted(f for f, k in counts.items() if k > 1)

    def _rank(self, fact: str) -> Tuple[int, int]:
        if fact in DISCRIMINATING:
            return (0, DISCRIMINATING.index(fact))
        return (1, self.ask_rank.get(fact, len(self.ask_rank)))

    def undecided_ranges(self, facts: Dict[str, Any], level: Optional[str] = None) -> List[str]:
        """The facts said as a range (``Between``: 两三篇) that some condition (of ``level`` and
        the exclusions, when given) would decide differently for different values in it: not
        known yet, to be asked (issue 21)."""
        out = []
        for fact, value in facts.items():
            if not isinstance(value, Between):
                continue
            values = range(int(value), min(value.high, int(value) + 400) + 1)
            tests = self._leaves_of.get(fact, []) if level is None else self._level_leaves(level).get(fact, [])
            for leaf in tests:
                if len({leaf._leaf({fact: v}, self.counting) for v in values}) > 1:
                    out.append(fact)
                    break
        return out

    def _level_leaves(self, level: str) -> Dict[str, List[Compiled]]:
        """Per fact: the conditions of ``level`` and of the exclusions that compare it."""
        hit = self._by_level.get(level)
        if hit is None:
            hit = self._by_level[level] = _leaves_by_fact(self.exclusions + [c for _, c in self.routes[level]])
        return hit

    def levels(self) -> List[str]:
        return list(self.routes)

    def assess(
        self, level: str, facts: Dict[str, Any], limit: Optional[int] = None, memo: Optional[Memo] = None
    ) -> Assessment:
        """The assessment, with only the facts that can still change the verdict as needed
        (the first ``limit`` of them when given: the next question(s) of an interview).

        ``_assess`` lists every unknown fact under a condition still open; one of them can be
        unable to change the verdict (the same fact tested twice; a route a document decides).
        Each is kept only when a search over the other unknown facts finds values under which some
        value of it changes the verdict, or when the search runs out of budget (asking one
        question too many is safe; settling wrongly is not).
        """
        facts = self._from_bool(facts)
        result = self._assess(level, facts)
        if result.needed_facts:
            memo = {} if memo is None else memo  # the caller's, to reuse the search for these facts
            kept: List[str] = []
            for f in result.needed_facts:
                if limit is not None and len(kept) >= limit:
                    break
                if self._matters(level, facts, f, memo):
                    kept.append(f)
            if kept != result.needed_facts:
                result.needed_facts = kept
                if not kept:
                    result = self._settled_without(level, facts, result)
        return result

    def open_routes(self, level: str, facts: Dict[str, Any]) -> Tuple[Assessment, List[OpenRoute], List[str]]:
        """The three-valued assessment (no relevance search), the routes still open with their
        unknown facts, and the unknown facts of the exclusions still open — what the interview
        orders its questions by."""
        a = self._assess(level, self._from_bool(facts))
        status = a.statuses
        routes = [
            OpenRoute(
                r.id, r.kind, r.explain, r.clause, self._ordered(self._unknown_facts(c, status)), self._defers[id(c)]
            )
            for r, c in self.routes[level]
            if status.get(c.id) == UNKNOWN
        ]
        excl: List[str] = []
        for c in self.exclusions:
            if status.get(c.id) == UNKNOWN:
                excl += self._unknown_facts(c, status)
        return a, routes, self._ordered(excl)

    def leaf_explain(self, level: str, fact: str) -> Tuple[str, str]:
        """(explain, clause) of the first condition of this level (or the exclusions) testing ``fact``."""
        roots = self.exclusions + [c for _, c in self.routes[level]]
        for root in roots:
            for n in _walk_refs(root):
                if n.kind == "leaf" and leaf_fact(n) == fact:
                    return n.node.explain, n.node.clause
        return self.catalogue.specs[fact].question, ""

    def matters(self, level: str, facts: Dict[str, Any], fact: str, memo: Optional[Memo] = None) -> bool:
        """Whether some value of an unknown ``fact`` can still change the verdict (the test
        ``assess`` applies to each needed fact; the interview asks it of a group's other members)."""
        if fact in facts:
            return False
        return self._matters(level, self._from_bool(facts), fact, {} if memo is None else memo)

    def _from_bool(self, facts: Dict[str, Any]) -> Dict[str, Any]:
        """A yes / no given for a choice that a yes / no also answers (长治's achievement types:
        True → listed, False → none), as the catalogue reads it."""
        specs = self.catalogue.specs
        if not any(isinstance(v, bool) and f in specs and specs[f].from_bool for f, v in facts.items()):
            return facts

        def read(f: str, v: Any) -> Any:
            spec = specs.get(f)
            return spec.from_bool[v] if isinstance(v, bool) and spec is not None and spec.from_bool else v

        return {f: read(f, v) for f, v in facts.items()}

    def _settled_without(self, level: str, facts: Dict[str, Any], result: Assessment) -> Assessment:
        """No open fact can change the verdict, so every completion shares one: take any."""
        probe = dict(facts)
        a = self._assess(level, probe)
        while a.needed_facts:
            fact = a.needed_facts[0]
            probe[fact] = self.domains[fact][0]
            a = self._assess(level, probe)
        verdict = a.verdict
        regular_met = any(result.statuses.get(c.id) == MET for r, c in self.routes[level] if r.kind == "regular")
        if verdict == ELIGIBLE and not regular_met:
            verdict = ELIGIBLE_SPECIAL  # the class is "may apply"; the regular route is not known met
            result.regular_open = True
        result.verdict = verdict
        result.route = a.route if verdict == a.verdict else None
        if verdict == NOT_ELIGIBLE:
            result.earliest, result.earliest_year = self._earliest(level, facts)
        return result

    def _klass(self, level: str, facts: Dict[str, Any], memo: Memo) -> Tuple[Optional[str], List[str]]:
        """(class of a settled verdict or None, the open facts)."""
        key = tuple(sorted(facts.items()))
        hit = memo.get(key)
        if hit is None:
            a = self._assess(level, facts)
            if a.needed_facts:
                hit = (None, a.needed_facts)
            else:
                hit = ("can_apply" if a.verdict in (ELIGIBLE, ELIGIBLE_SPECIAL) else a.verdict), []
            memo[key] = hit
        return hit

    def _matters(self, level: str, facts: Dict[str, Any], fact: str, memo: Memo) -> bool:
        """Some values of the other unknown facts under which some value of ``fact`` changes the
        verdict (depth-first over the facts still open, each over its domain)."""
        budget = [RELEVANCE_BUDGET]
        values = self.domains.get(fact) or []

        def visit(partial: Dict[str, Any]) -> bool:
            budget[0] -= 1
            if budget[0] < 0:
                raise _OutOfBudget
            seen, branch = set(), None
            for v in values:
                klass, open_facts = self._klass(level, {**partial, fact: v}, memo)
                if klass is None:
                    branch = branch or next((g for g in open_facts if g != fact), None)
                else:
                    seen.add(klass)
                if len(seen) > 1:
                    return True
            if branch is None:
                return False
            return any(visit({**partial, branch: w}) for w in self._passing_first[branch])

        try:
            return visit(dict(facts))
        except _OutOfBudget:
            return True

    def _assess(self, level: str, facts: Dict[str, Any]) -> Assessment:
        """Three-valued assessment that settles as soon as the unknown facts cannot change it.

        - an exclusion that applies, or every route not met ⇒ not eligible, whatever is unknown;
        - a regular route met and every exclusion known not to apply ⇒ eligible;
        - otherwise a special / exceptional route met and no exclusion unknown ⇒ eligible_special
          (the regular route may still be unknown: the applicant may apply either way);
        - otherwise undetermined, with the facts that could still change that (``needed_facts``:
          the regular route's, then the other routes', then the exclusions'). Nothing needed and
          still undetermined means a condition the notice leaves to another document.
        """
        if level not in self.routes:
            raise ValueError(f"{self.notice.id} has no rules for level {level}")
        status: Dict[str, str] = {}
        counting = self.counting
        for c in self.exclusions:
            c.evaluate(facts, counting, status)
        for _, c in self.routes[level]:
            c.evaluate(facts, counting, status)
        # Three-valued logic cannot see that a fact tested twice settles a condition whatever its
        # value (简阳 三（三）: the same achievement in both departments' lists): split on it.
        for c in self.exclusions + [c for _, c in self.routes[level]]:
            self._settle(c, facts, status, SETTLE_DEPTH)
        excl = [status[c.id] for c in self.exclusions]
        route_status = [(r, c, status[c.id]) for r, c in self.routes[level]]
        get = status.get
        conditions = [
            Condition(i, cl, ex, get(i, UNKNOWN), r, d, ad, k, f)
            for c in self.exclusions
            for (i, cl, ex, r, d, ad, k, f) in self._shown[id(c)]
        ]
        if MET in excl:
            return self._result(
                level, NOT_ELIGIBLE, None, [c for c in conditions if c.status == MET], [], facts, status
            )
        for _route, compiled, _s in route_status:
            conditions.extend(
                Condition(i, cl, ex, get(i, UNKNOWN), r, d, ad, k, f)
                for (i, cl, ex, r, d, ad, k, f) in self._shown[id(compiled)]
            )
        if all(s == NOT_MET for _, _, s in route_status):
            return self._result(level, NOT_ELIGIBLE, None, conditions, [], facts, status)

        regular = [(r, c, s) for r, c, s in route_status if r.kind == "regular"]
        others = [(r, c, s) for r, c, s in route_status if r.kind != "regular"]
        excl_needed: List[str] = []
        for c, s in zip(self.exclusions, excl, strict=True):
            if s == UNKNOWN:
                excl_needed += self._unknown_facts(c, status)
        excl_needed = self._ordered(excl_needed)
        via = next((r.id for r, _, s in regular if s == MET), None)
        if via is not None:
            verdict = ELIGIBLE if not excl_needed and UNKNOWN not in excl else UNDETERMINED
            shown = [c for c in conditions if c.route in (None, via)]
            return self._result(level, verdict, via if verdict == ELIGIBLE else None, shown, excl_needed, facts, status)
        special = next((r.id for r, _, s in others if s == MET), None)
        if special is not None:
            verdict = ELIGIBLE_SPECIAL if not excl_needed and UNKNOWN not in excl else UNDETERMINED
            a = self._result(
                level, verdict, special if verdict == ELIGIBLE_SPECIAL else None, conditions, excl_needed, facts, status
            )
            a.regular_open = any(s == UNKNOWN for _, _, s in regular)
            return a
        needed: List[str] = []
        for group in (regular, others):
            part: List[str] = []
            for _, c, s in group:
                if s == UNKNOWN:
                    part += self._unknown_facts(c, status)
            needed += self._ordered(part)
        needed = list(dict.fromkeys(needed + excl_needed))
        return self._result(level, UNDETERMINED, None, conditions, needed, facts, status)

    # ----------------------------------------------------------------------------------------
    def _refresh(self, c: Compiled, status: Dict[str, str]) -> str:
        """Recompute an unknown node from its children's (possibly settled) statuses."""
        s = status.get(c.id, UNKNOWN)
        if s != UNKNOWN or c.kind in ("leaf", "delegated"):
            return s
        if c.kind == "ref":
            assert c.target is not None  # resolved by link()
            s = self._refresh(c.target, status)
        else:
            s = combine(c, [self._refresh(ch, status) for ch in c.children])
        status[c.id] = s
        return s

    def _settle(self, c: Compiled, facts: Dict[str, Any], status: Dict[str, str], depth: int) -> str:
        """Settle an unknown node by trying every value of the facts it tests more than once."""
        s = self._refresh(c, status)
        if s != UNKNOWN:
            return s
        target = c.target if c.kind == "ref" else c
        assert target is not None  # a ref is resolved by link()
        shared = [f for f in self._shared[id(target)] if facts.get(f) is None]
        if shared:
            sizes = 1
            for f in shared:
                sizes *= len(self.domains[f])
            if sizes <= SPLIT_LIMIT:
                outcomes = set()
                for combo in itertools.product(*(self.domains[f] for f in shared)):
                    outcome = target.evaluate({**facts, **dict(zip(shared, combo))}, self.counting, {})
                    outcomes.add(outcome)
                    if outcome == UNKNOWN or len(outcomes) > 1:
                        break
                if len(outcomes) == 1 and UNKNOWN not in outcomes:
                    s = outcomes.pop()
                    status[c.id] = status[target.id] = s
                    return s
            if depth > 0 and target.kind in ("all", "any", "at_least", "not"):
                for ch in target.children:
                    if status.get(ch.id) == UNKNOWN:
                        self._settle(ch, facts, status, depth - 1)
                s = combine(target, [status.get(ch.id, UNKNOWN) for ch in target.children])
                status[c.id] = status[target.id] = s
        return s

    def _unknown_facts(self, c: Compiled, status: Dict[str, str]) -> List[str]:
        """Facts of unknown leaves under nodes that are themselves still unknown."""
        if status.get(c.node.id) != UNKNOWN:
            return []
        if c.kind == "leaf":
            return [c.fact] if c.fact else []
        if c.kind == "ref":
            assert c.target is not None  # resolved by link()
            return self._unknown_facts(c.target, status)
        out: List[str] = []
        for child in c.children:
            out += self._unknown_facts(child, status)
        return out

    def _ordered(self, facts: List[str]) -> List[str]:
        """Facts in asking order: what discriminates most first (DISCRIMINATING), then the notice's
        ask_order."""
        seen, out = set(), []
        for f in sorted(facts, key=self._rank):
            if f not in seen:
                seen.add(f)
                out.append(f)
        return out

    def _result(
        self,
        level: str,
        verdict: str,
        via: Optional[str],
        conditions: List[Condition],
        needed: List[str],
        facts: Dict[str, Any],
        status: Dict[str, str],
    ) -> Assessment:
        delegated = sorted({c.delegated for c in conditions if c.delegated and c.status == UNKNOWN})
        a = Assessment(
            notice_id=self.notice.id,
            doc_number=self.notice.doc_number,
            level=level,
            verdict=verdict,
            route=via,
            conditions=conditions,
            needed_facts=needed,
            delegated_docs=delegated,
            statuses=status,
            round=self.notice.round_name(),
            year=self.notice.year,
        )
        if verdict in (NOT_ELIGIBLE, UNDETERMINED):  # undetermined: a 破格 route left open (简阳 69号)
            a.earliest, a.earliest_year = self._earliest(level, facts)
        return a

    def _earliest(self, level: str, facts: Dict[str, Any]) -> Tuple[Optional[dt.date], Optional[int]]:
        """If years are what makes the regular route fail: the first day they would be reached
        (nothing else known to fail by then), and the first evaluation year (same counting day,
        later years) that counts that day."""
        for route, compiled in self.routes[level]:
            if route.kind != "regular":
                continue
            candidates = sorted(
                {
                    add_years(facts[leaf_fact(n)], n.value)
                    for n in self._years_leaves[id(compiled)]
                    if facts.get(leaf_fact(n)) is not None
                }
            )
            for day in candidates:
                # Not "met": other conditions may still be unknown. Not "not met" is what counts.
                if day > self.counting and compiled.evaluate(facts, day, {}) != NOT_MET:
                    cd = self.counting
                    k = day.year - cd.year + (1 if (day.month, day.day) > (cd.month, cd.day) else 0)
                    return day, self.notice.year + max(k, 0)
        return None, None


@dataclass(frozen=True)
class OpenRoute:
    id: str
    kind: str  # regular / special / exceptional
    explain: str
    clause: str
    facts: List[str]  # its unknown facts, in asking order
    defers: Optional[str]  # the document(s) that decide it whatever the facts, if any


def must_defer(c: Compiled) -> List[str]:
    """Documents a node defers to on every path to "met": a delegated node reached through all /
    ref only. Such a node can be "not met" but never "met" here."""
    if c.kind == "delegated":
        return [c.node.delegated] if c.node.delegated else []
    if c.kind == "ref":
        return must_defer(c.target) if c.target is not None else []
    if c.kind == "all":
        return [d for ch in c.children for d in must_defer(ch)]
    return []


def _facts_of(c: Compiled) -> Tuple[str, ...]:
    """The facts a condition tests, each once, in the order its rule names them."""
    return tuple(dict.fromkeys(leaf_fact(n) for n in _walk_refs(c) if n.kind == "leaf"))


def _leaves_by_fact(roots: List[Compiled]) -> Dict[str, List[Compiled]]:
    """Per fact: the conditions under ``roots`` (refs followed) that compare it, each once."""
    out: Dict[str, List[Compiled]] = {}
    for root in roots:
        for n in _walk_refs(root):
            if n.kind == "leaf" and n not in out.setdefault(leaf_fact(n), []):
                out[leaf_fact(n)].append(n)
    return out


def _walk_refs(c: Compiled) -> Iterator[Compiled]:
    """Like ``walk`` but following refs (each target once)."""
    seen = set()
    stack = [c]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        yield n
        stack.extend(n.children)
        if n.kind == "ref" and n.target is not None:
            stack.append(n.target)

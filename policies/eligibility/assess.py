"""Assess an applicant against one notice and level: the Assessment of DESIGN.md.

Verdicts:
- ``eligible`` — the regular route is met;
- ``eligible_special`` — only a special or exceptional (破格) route is met;
- ``not_eligible`` — an exclusion applies, or every route is not met;
- ``undetermined`` — something still unknown could change the verdict (a missing fact, or a
  condition the notice delegates to another document).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from policies.eligibility.catalogue import Catalogue, load_catalogue
from policies.eligibility.rules import MET, NOT_MET, UNKNOWN, Compiled, Eligibility, add_years, link
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


@dataclass
class Condition:
    id: str
    clause: str
    explain: str
    status: str  # met / not_met / unknown
    route: Optional[str] = None  # None for exclusions
    delegated: Optional[str] = None
    advice: Optional[str] = None

    def reason(self) -> str:
        text = f"{self.explain}——{STATUS_NAMES[self.status]}"
        if self.delegated:
            text += f"（具体条件见{self.delegated}）"
        return text


@dataclass
class Assessment:
    notice_id: str
    doc_number: str
    level: str
    verdict: str
    route: Optional[str]  # the route that makes the applicant eligible
    conditions: List[Condition]
    needed_facts: List[str]  # in asking order; empty once the verdict is settled
    earliest: Optional[dt.date] = None  # only time missing: the day the years would be reached
    earliest_year: Optional[int] = None  # … and the first evaluation year that counts it
    delegated_docs: List[str] = field(default_factory=list)
    statuses: Dict[str, str] = field(default_factory=dict)  # every evaluated node id → status

    @property
    def settled(self) -> bool:
        return not self.needed_facts

    def summary(self) -> str:
        """Verdict first, in one sentence."""
        level = LEVEL_NAMES.get(self.level, self.level)
        if self.verdict == ELIGIBLE:
            return f"按{self.doc_number}，您符合申报{level}的条件。"
        if self.verdict == ELIGIBLE_SPECIAL:
            return f"按{self.doc_number}，您的常规条件不满足，但可以通过破格或特殊途径申报{level}。"
        if self.verdict == NOT_ELIGIBLE:
            text = f"按{self.doc_number}，您目前不符合申报{level}的条件。"
            if self.earliest_year:
                text += f"按年限推算，最早{self.earliest_year}年度可以申报（{self.earliest:%Y年%m月}起年限够）。"
            return text
        if self.delegated_docs and not self.needed_facts:
            return f"按{self.doc_number}本身无法判定：具体条件由{'、'.join(self.delegated_docs)}规定。"
        return f"按{self.doc_number}，还需要了解一些情况才能判断。"


class Assessor:
    """Compiled rules of one notice; thread-safe and reusable."""

    def __init__(self, notice: "Notice", catalogue: Optional[Catalogue] = None) -> None:
        if notice.eligibility is None:
            raise ValueError(f"{notice.id} has no eligibility rules")
        self.notice = notice
        self.catalogue = catalogue or load_catalogue()
        rules: Eligibility = notice.eligibility  # type: ignore[assignment]
        self.rules = rules
        orders, types = self.catalogue.orders, self.catalogue.types
        self.exclusions = [Compiled(n, orders, types) for n in rules.exclusions]
        self.routes = {
            level: [(r, Compiled(r.rule, orders, types)) for r in lr.routes] for level, lr in rules.levels.items()
        }
        link(self.exclusions + [c for routes in self.routes.values() for _, c in routes])
        self.ask_rank = {f: i for i, f in enumerate(rules.ask_order)}
        self.counting = notice.counting_date.date

    def levels(self) -> List[str]:
        return list(self.routes)

    def assess(self, level: str, facts: Dict[str, Any]) -> Assessment:
        if level not in self.routes:
            raise ValueError(f"{self.notice.id} has no rules for level {level}")
        status: Dict[str, str] = {}
        counting = self.counting
        excl = [c.evaluate(facts, counting, status) for c in self.exclusions]
        conditions = [self._condition(c, status, None) for c in self.exclusions]
        if MET in excl:
            return self._result(level, NOT_ELIGIBLE, None, [c for c in conditions if c.status == MET], [], facts,
                                status)

        route_status = []
        for route, compiled in self.routes[level]:
            s = compiled.evaluate(facts, counting, status)
            route_status.append((route, compiled, s))
            conditions.extend(self._condition(c, status, route.id) for c in self._top(compiled))

        regular = [(r, c, s) for r, c, s in route_status if r.kind == "regular"]
        others = [(r, c, s) for r, c, s in route_status if r.kind != "regular"]
        needed: List[str] = []
        for c, s in zip(self.exclusions, excl):
            if s == UNKNOWN:
                needed += self._unknown_facts(c, status)
        if any(s == MET for _, _, s in regular):
            verdict, via = ELIGIBLE, next(r.id for r, _, s in regular if s == MET)
        else:
            for _, c, s in regular + others:
                if s == UNKNOWN:
                    needed += self._unknown_facts(c, status)
            special_met = next((r.id for r, _, s in others if s == MET), None)
            if needed:
                verdict, via = (ELIGIBLE_SPECIAL, special_met) if special_met else (UNDETERMINED, None)
            elif special_met:
                verdict, via = ELIGIBLE_SPECIAL, special_met
            elif all(s == NOT_MET for _, _, s in route_status) and UNKNOWN not in excl:
                verdict, via = NOT_ELIGIBLE, None
            else:
                verdict, via = UNDETERMINED, None
        if verdict == ELIGIBLE and UNKNOWN in excl:
            verdict = UNDETERMINED  # an exclusion might still apply
        needed = self._ordered(needed)
        shown = conditions
        if verdict == ELIGIBLE:
            shown = [c for c in conditions if c.route in (None, via)]
        return self._result(level, verdict, via, shown, needed, facts, status)

    # ----------------------------------------------------------------------------------------
    def _top(self, compiled: Compiled) -> List[Compiled]:
        """The conditions shown to a person: the route's direct children (or the route itself)."""
        return list(compiled.children) if compiled.kind == "all" else [compiled]

    def _condition(self, c: Compiled, status: Dict[str, str], route: Optional[str]) -> Condition:
        delegated = [n.node.delegated for n in _walk_refs(c) if n.kind == "delegated"]
        return Condition(
            id=c.node.id, clause=c.node.clause, explain=c.node.explain, status=status.get(c.node.id, UNKNOWN),
            route=route, delegated="、".join(delegated) or None, advice=c.node.advice,
        )

    def _unknown_facts(self, c: Compiled, status: Dict[str, str]) -> List[str]:
        """Facts of unknown leaves under nodes that are themselves still unknown."""
        if status.get(c.node.id) != UNKNOWN:
            return []
        if c.kind == "leaf":
            return [c.fact] if c.fact else []
        if c.kind == "ref":
            return self._unknown_facts(c.target, status)
        out: List[str] = []
        for child in c.children:
            out += self._unknown_facts(child, status)
        return out

    def _ordered(self, facts: List[str]) -> List[str]:
        seen, out = set(), []
        for f in sorted(facts, key=lambda f: self.ask_rank.get(f, len(self.ask_rank))):
            if f not in seen:
                seen.add(f)
                out.append(f)
        return out

    def _result(self, level, verdict, via, conditions, needed, facts, status) -> Assessment:
        delegated = sorted({c.delegated for c in conditions if c.delegated and c.status == UNKNOWN})
        a = Assessment(
            notice_id=self.notice.id, doc_number=self.notice.doc_number, level=level, verdict=verdict,
            route=via, conditions=conditions, needed_facts=needed, delegated_docs=delegated, statuses=status,
        )
        if verdict == NOT_ELIGIBLE:
            a.earliest, a.earliest_year = self._earliest(level, facts)
        return a

    def _earliest(self, level: str, facts: Dict[str, Any]):
        """If the regular route fails only on years: the first day it would pass, and the first
        evaluation year (same counting day, later years) that counts that day."""
        for route, compiled in self.routes[level]:
            if route.kind != "regular":
                continue
            candidates = sorted({
                add_years(facts[n.fact], n.value)
                for n in _walk_refs(compiled)
                if n.kind == "leaf" and n.op == "years_before_counting" and facts.get(n.fact) is not None
            })
            for day in candidates:
                if day > self.counting and compiled.evaluate(facts, day, {}) == MET:
                    cd = self.counting
                    k = day.year - cd.year + (1 if (day.month, day.day) > (cd.month, cd.day) else 0)
                    return day, self.notice.year + max(k, 0)
        return None, None


def _walk_refs(c: Compiled):
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

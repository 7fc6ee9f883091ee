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
                text += (f"按年限推算，{self.earliest.year}年{self.earliest.month}月起年限够，"
                         f"最早{self.earliest_year}年度可以申报（其他条件届时仍须符合）。")
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
        # Static per node, computed once: the documents a condition defers to, and what is shown.
        self._delegated: Dict[int, Optional[str]] = {}
        self._tops: Dict[int, List[Compiled]] = {}
        for c in self.exclusions + [c for routes in self.routes.values() for _, c in routes]:
            self._tops[id(c)] = list(c.children) if c.kind == "all" else [c]
            for n in [c, *self._tops[id(c)]]:
                docs = [d.node.delegated for d in _walk_refs(n) if d.kind == "delegated"]
                self._delegated[id(n)] = "、".join(docs) or None
        # Static fields of every shown condition: (id, clause, explain, route, delegated, advice, kind).
        self._shown: Dict[int, List[tuple]] = {}
        for c in self.exclusions:
            n = c.node
            self._shown[id(c)] = [(n.id, n.clause, n.explain, None, self._delegated.get(id(c)), n.advice, None)]
        for routes in self.routes.values():
            for route, c in routes:
                self._shown[id(c)] = [
                    (t.node.id, t.node.clause, t.node.explain, route.id, self._delegated.get(id(t)), t.node.advice,
                     route.kind)
                    for t in self._tops[id(c)]
                ]
        self._years_leaves: Dict[int, List[Compiled]] = {
            id(c): [n for n in _walk_refs(c) if n.kind == "leaf" and n.op == "years_before_counting"]
            for routes in self.routes.values() for _, c in routes
        }
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
        get = status.get
        conditions = [Condition(i, cl, ex, get(i, UNKNOWN), r, d, ad, k)
                      for c in self.exclusions for (i, cl, ex, r, d, ad, k) in self._shown[id(c)]]
        if MET in excl:
            return self._result(level, NOT_ELIGIBLE, None, [c for c in conditions if c.status == MET], [], facts,
                                status)

        route_status = []
        for route, compiled in self.routes[level]:
            s = compiled.evaluate(facts, counting, status)
            route_status.append((route, compiled, s))
            conditions.extend(Condition(i, cl, ex, get(i, UNKNOWN), r, d, ad, k)
                              for (i, cl, ex, r, d, ad, k) in self._shown[id(compiled)])

        regular = [(r, c, s) for r, c, s in route_status if r.kind == "regular"]
        others = [(r, c, s) for r, c, s in route_status if r.kind != "regular"]
        # Asking order: exclusions, then the regular route (it may settle the verdict on its own),
        # then the special and exceptional routes; each part in the notice's ask_order.
        needed: List[str] = []
        for c, s in zip(self.exclusions, excl, strict=True):
            if s == UNKNOWN:
                needed += self._unknown_facts(c, status)
        needed = self._ordered(needed)
        if any(s == MET for _, _, s in regular):
            verdict, via = ELIGIBLE, next(r.id for r, _, s in regular if s == MET)
        else:
            for group in (regular, others):
                part: List[str] = []
                for _, c, s in group:
                    if s == UNKNOWN:
                        part += self._unknown_facts(c, status)
                needed += self._ordered(part)
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
        needed = list(dict.fromkeys(needed))
        shown = conditions
        if verdict == ELIGIBLE:
            shown = [c for c in conditions if c.route in (None, via)]
        return self._result(level, verdict, via, shown, needed, facts, status)

    # ----------------------------------------------------------------------------------------
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
        """If years are what makes the regular route fail: the first day they would be reached
        (nothing else known to fail by then), and the first evaluation year (same counting day,
        later years) that counts that day."""
        for route, compiled in self.routes[level]:
            if route.kind != "regular":
                continue
            candidates = sorted({
                add_years(facts[n.fact], n.value) for n in self._years_leaves[id(compiled)] if facts.get(n.fact) is not None
            })
            for day in candidates:
                # Not "met": other conditions may still be unknown. Not "not met" is what counts.
                if day > self.counting and compiled.evaluate(facts, day, {}) != NOT_MET:
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

"""Eligibility rule trees: the YAML schema and a compiled three-valued evaluator.

A node is one of
- ``all: [nodes]`` — met when every child is met; not met as soon as one is not met;
- ``any: [nodes]`` — met as soon as one child is met; not met when every child is not met;
- ``at_least: N`` with ``of: [nodes]`` — met when N children are met; not met when fewer than N
  can still be;
- ``not: node``;
- a leaf comparing one fact: ``fact`` with one of ``eq``, ``ne``, ``gte``, ``lte``, ``in``,
  ``at_least`` / ``at_most`` (ordered education / title / skill), or ``years_before_counting``
  (a date fact at least N years before the notice's counting date);
- ``delegated: <document>`` — decided by a document the notice defers to: always unknown, never
  asked, and named in the result;
- ``ref: <node id>`` — the same condition as another node of the notice (shared by routes).
Every node carries ``id``, ``clause`` and ``explain`` (own words, Chinese).

Unknown is a value of its own: a missing fact makes its leaf unknown, never "not met".
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, Dict, Iterator, List, Literal, Optional, Tuple

from pydantic import BaseModel, Extra, Field, root_validator

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
Status = str

_LEAF_OPS = ("eq", "ne", "gte", "lte", "in", "at_least", "at_most", "years_before_counting")


class RuleNode(BaseModel):
    id: str
    clause: str
    explain: str
    all: Optional[List[RuleNode]] = None
    any: Optional[List[RuleNode]] = None
    at_least_n: Optional[int] = Field(None, alias="at_least_of")
    of: Optional[List[RuleNode]] = None
    not_: Optional[RuleNode] = Field(None, alias="not")
    fact: Optional[str] = None
    eq: Any = None
    ne: Any = None
    gte: Optional[float] = None
    lte: Optional[float] = None
    in_: Optional[List[Any]] = Field(None, alias="in")
    at_least: Optional[str] = None
    at_most: Optional[str] = None
    years_before_counting: Optional[float] = None
    delegated: Optional[str] = None
    ref: Optional[str] = None
    advice: Optional[str] = None  # what to do when not met / unknown (own words)

    class Config:
        extra = Extra.forbid
        allow_population_by_field_name = True

    @root_validator(skip_on_failure=True)
    def _one_kind(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        kinds = [k for k in ("all", "any", "of", "not_", "fact", "delegated", "ref") if values.get(k) is not None]
        if len(kinds) != 1:
            raise ValueError(
                f"node {values.get('id')}: needs exactly one of all / any / at_least_of+of / not / fact / delegated / ref, got {kinds or 'none'}"
            )
        if kinds == ["of"] and values.get("at_least_n") is None:
            raise ValueError(f"node {values.get('id')}: 'of' needs 'at_least_of: N'")
        if values.get("at_least_n") is not None and kinds != ["of"]:
            raise ValueError(f"node {values.get('id')}: 'at_least_of' needs 'of'")
        if kinds == ["fact"]:
            ops = [op for op in _LEAF_OPS if values.get(op if op != "in" else "in_") is not None]
            if len(ops) != 1:
                raise ValueError(
                    f"node {values.get('id')}: a fact leaf needs exactly one comparison, got {ops or 'none'}"
                )
        return values


RuleNode.update_forward_refs()


class Route(BaseModel):
    id: str
    kind: Literal["regular", "special", "exceptional"]  # exceptional = 破格
    clause: str
    explain: str
    rule: RuleNode
    deadline: Optional[dt.date] = None  # a route with its own application deadline (破格)

    class Config:
        extra = Extra.forbid

    @root_validator(pre=True)
    def _rule_inherits_identity(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        """The route's top node is the route itself: same id, clause and explanation."""
        rule = values.get("rule")
        if isinstance(rule, dict):
            values["rule"] = {
                "id": values.get("id"),
                "clause": values.get("clause"),
                "explain": values.get("explain"),
                **rule,
            }
        return values


class LevelRules(BaseModel):
    routes: List[Route]

    class Config:
        extra = Extra.forbid

    @root_validator(skip_on_failure=True)
    def _one_regular(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        if not any(r.kind == "regular" for r in values["routes"]):
            raise ValueError("a level needs one route of kind 'regular'")
        return values


class Eligibility(BaseModel):
    ask_order: List[str]  # facts in the order a careful officer would ask them
    exclusions: List[RuleNode] = []  # any met → may not apply
    levels: Dict[str, LevelRules]

    class Config:
        extra = Extra.forbid


# --------------------------------------------------------------------------------------------
# Compiled evaluator: plain objects, no pydantic on the hot path.


class Compiled:
    __slots__ = ("node", "id", "kind", "children", "need", "fact", "op", "value", "rank", "target")

    def __init__(self, node: RuleNode, orders: Dict[str, Dict[str, int]], fact_types: Dict[str, str]):
        self.node = node
        self.id = node.id
        self.target: Optional[Compiled] = None
        self.children: Tuple[Compiled, ...] = ()
        self.need = 0
        self.fact = node.fact
        self.op: Optional[str] = None
        self.value: Any = None
        self.rank: Optional[Dict[str, int]] = None
        if node.all is not None:
            self.kind, self.children = "all", tuple(Compiled(c, orders, fact_types) for c in node.all)
        elif node.any is not None:
            self.kind, self.children = "any", tuple(Compiled(c, orders, fact_types) for c in node.any)
        elif node.of is not None:
            self.kind, self.children = "at_least", tuple(Compiled(c, orders, fact_types) for c in node.of)
            self.need = node.at_least_n or 0
        elif node.not_ is not None:
            self.kind, self.children = "not", (Compiled(node.not_, orders, fact_types),)
        elif node.delegated is not None:
            self.kind = "delegated"
        elif node.ref is not None:
            self.kind = "ref"  # resolved by link()
        else:
            self.kind = "leaf"
            ftype = fact_types.get(node.fact or "")
            if ftype is None:
                raise ValueError(f"node {node.id}: unknown fact '{node.fact}'")
            for op in _LEAF_OPS:
                v = getattr(node, op if op != "in" else "in_")
                if v is not None:
                    self.op, self.value = op, v
            if self.op in ("at_least", "at_most"):
                self.rank = orders.get(ftype)
                if self.rank is None or self.value not in self.rank:
                    raise ValueError(f"node {node.id}: '{self.value}' is not an ordered value of {node.fact}")
            if self.op == "years_before_counting" and ftype != "date":
                raise ValueError(f"node {node.id}: years_before_counting needs a date fact")

    def evaluate(self, facts: Dict[str, Any], counting: dt.date, out: Dict[str, Status]) -> Status:
        kind = self.kind
        if kind == "leaf":
            status = self._leaf(facts, counting)
        elif kind == "all":
            status = MET
            for c in self.children:
                s = c.evaluate(facts, counting, out)
                if s is NOT_MET:
                    status = NOT_MET
                elif s is UNKNOWN and status is MET:
                    status = UNKNOWN
        elif kind == "any":
            status = NOT_MET
            for c in self.children:
                s = c.evaluate(facts, counting, out)
                if s is MET:
                    status = MET
                elif s is UNKNOWN and status is NOT_MET:
                    status = UNKNOWN
        elif kind == "at_least":
            met = unknown = 0
            for c in self.children:
                s = c.evaluate(facts, counting, out)
                if s is MET:
                    met += 1
                elif s is UNKNOWN:
                    unknown += 1
            status = MET if met >= self.need else (NOT_MET if met + unknown < self.need else UNKNOWN)
        elif kind == "not":
            s = self.children[0].evaluate(facts, counting, out)
            status = UNKNOWN if s is UNKNOWN else (NOT_MET if s is MET else MET)
        elif kind == "ref":
            target = self.target
            assert target is not None  # resolved by link()
            status = out.get(target.id) or target.evaluate(facts, counting, out)
        else:  # delegated
            status = UNKNOWN
        out[self.id] = status
        return status

    def _leaf(self, facts: Dict[str, Any], counting: dt.date) -> Status:
        fact = self.fact
        assert fact is not None  # every leaf names a fact (checked in __init__)
        v = facts.get(fact)
        if v is None:
            return UNKNOWN
        op, want = self.op, self.value
        if op == "eq":
            ok = v == want
        elif op == "ne":
            ok = v != want
        elif op == "gte":
            ok = v >= want
        elif op == "lte":
            ok = v <= want
        elif op == "in":
            ok = v in want
        elif op == "at_least":
            assert self.rank is not None  # an ordered fact's ranks (checked in __init__)
            ok = self.rank.get(v, -1) >= self.rank[want]
        elif op == "at_most":
            assert self.rank is not None
            ok = self.rank.get(v, 99) <= self.rank[want]
        else:  # years_before_counting
            ok = add_years(v, want) <= counting
        return MET if ok else NOT_MET

    def walk(self) -> Iterator[Compiled]:
        """This node and its own descendants (a ref is not followed)."""
        yield self
        for c in self.children:
            yield from c.walk()


def leaf_fact(c: Compiled) -> str:
    """The fact a leaf compares: every leaf names one (``Compiled`` rejects a leaf without one)."""
    assert c.fact is not None, f"node {c.id} is not a leaf"
    return c.fact


def combine(c: Compiled, statuses: List[Status]) -> Status:
    """A composite node's status from its children's, as ``Compiled.evaluate`` computes it."""
    kind = c.kind
    if kind == "all":
        return NOT_MET if NOT_MET in statuses else (UNKNOWN if UNKNOWN in statuses else MET)
    if kind == "any":
        return MET if MET in statuses else (UNKNOWN if UNKNOWN in statuses else NOT_MET)
    if kind == "at_least":
        met, unknown = statuses.count(MET), statuses.count(UNKNOWN)
        return MET if met >= c.need else (NOT_MET if met + unknown < c.need else UNKNOWN)
    if kind == "not":
        s = statuses[0]
        return UNKNOWN if s == UNKNOWN else (NOT_MET if s == MET else MET)
    return statuses[0] if statuses else UNKNOWN


def link(roots: List[Compiled]) -> List[Compiled]:
    """Resolve every ``ref`` among ``roots`` to the node it names; unknown or circular refs fail."""
    by_id: Dict[str, Compiled] = {}
    for root in roots:
        for n in root.walk():
            if n.node.id in by_id:
                raise ValueError(f"duplicate node id {n.node.id}")
            by_id[n.node.id] = n
    for n in by_id.values():
        if n.kind == "ref":
            target = by_id.get(n.node.ref or "")
            if target is None:
                raise ValueError(f"node {n.node.id}: ref to unknown node '{n.node.ref}'")
            if any(d is n for d in target.walk()):
                raise ValueError(f"node {n.node.id}: ref '{n.node.ref}' contains itself")
            n.target = target
    return roots


@lru_cache(maxsize=65536)
def add_years(day: dt.date, years: float) -> dt.date:
    """``day`` plus whole years (and months for fractions); 29 Feb becomes 28 Feb."""
    whole = int(years)
    months = round((years - whole) * 12)
    y, m = day.year + whole, day.month + months
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    d = day.day
    while True:
        try:
            return dt.date(y, m, d)
        except ValueError:
            d -= 1

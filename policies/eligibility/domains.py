"""The values of each fact that a notice's rules can tell apart (its abstract domain).

A rule compares a fact with a few thresholds; every value between two thresholds behaves the
same. So, for one notice, each fact needs only a handful of representative values:

- ``bool``: True, False; ``choice``: every option; ``education`` / ``title`` / ``skill``: every level;
- ``int``: 0 and each threshold with its neighbour (``gte: 4`` → 3, 4);
- ``date``: for each ``years_before_counting: N``, the last day that is N years before the counting
  date and the day after, plus a long-ago day and the counting date itself.

The engine splits on these values where three-valued logic alone cannot settle a condition (the
same fact in two places), and the property tests enumerate them to check every verdict.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Iterable, List, Set

from policies.eligibility.catalogue import Catalogue
from policies.eligibility.rules import Compiled, add_years, leaf_fact

LONG_AGO = dt.date(1985, 1, 1)


def last_day_with_years(counting: dt.date, years: float) -> dt.date:
    """The latest date ``d`` with ``add_years(d, years) <= counting``."""
    day = add_years(counting, -years)
    while add_years(day, years) > counting:
        day -= dt.timedelta(days=1)
    while add_years(day + dt.timedelta(days=1), years) <= counting:
        day += dt.timedelta(days=1)
    return day


def leaves(roots: Iterable[Compiled]) -> List[Compiled]:
    out, seen, stack = [], set(), list(roots)
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if n.kind == "leaf":
            out.append(n)
        stack.extend(n.children)
        if n.kind == "ref" and n.target is not None:
            stack.append(n.target)
    return out


def fact_domains(roots: Iterable[Compiled], catalogue: Catalogue, counting: dt.date) -> Dict[str, List[Any]]:
    """fact → representative values, for every fact a leaf under ``roots`` compares."""
    ints: Dict[str, Set[int]] = {}
    dates: Dict[str, Set[dt.date]] = {}
    out: Dict[str, List[Any]] = {}
    for leaf in leaves(roots):
        fact = leaf_fact(leaf)
        spec = catalogue.specs[fact]
        if spec.type == "bool":
            out[fact] = [True, False]
        elif spec.type == "choice":
            out[fact] = list(spec.options or {})
        elif spec.type in catalogue.orders:
            out[fact] = list(catalogue.orders[spec.type])
        elif spec.type == "int":
            values = ints.setdefault(fact, {0})
            v = leaf.value
            if leaf.op == "gte":
                values.update({max(0, int(v) - 1), int(v)})
            elif leaf.op == "lte":
                values.update({int(v), int(v) + 1})
            elif leaf.op in ("eq", "ne"):
                values.update({int(v), int(v) + 1})
            elif leaf.op == "in":
                values.update(int(x) for x in v)
        elif spec.type == "date":
            days = dates.setdefault(fact, {LONG_AGO, counting})
            if leaf.op == "years_before_counting":
                last = last_day_with_years(counting, leaf.value)
                days.update({last, last + dt.timedelta(days=1)})
    for fact, values in ints.items():
        out[fact] = sorted(values)
    for fact, days in dates.items():
        out[fact] = sorted(days)
    return out

"""Words for an Assessment: verdict first (naming the round judged by), then what is not met or
unknown, then the next step — or, once that round is over, that it is and whom to ask."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List

from policies.eligibility.assess import ELIGIBLE, ELIGIBLE_SPECIAL, NOT_ELIGIBLE, Assessment, Condition
from policies.eligibility.rules import MET, NOT_MET, UNKNOWN
from policies.rounds import main_contact, over_note
from policies.schema import Notice
from policies.windows import format_span, status

MAX_LINES = 8  # a phone screen


def render(a: Assessment, notice: Notice, today: dt.date) -> str:
    lines: List[str] = [a.summary()]
    if a.deferred:  # only a route another document decides is left: what failed, what is unchecked, whom to ask
        for c in [c for c in a.conditions if c.status == NOT_MET and _regular(a, c)][:2]:
            lines.append(f"· 不符合：{c.explain}〔{c.clause}〕")
        unchecked = [c.clause for c in a.conditions if c.status == UNKNOWN and _regular(a, c) and not c.delegated]
        if unchecked:
            clauses = "".join(f"〔{cl}〕" for cl in dict.fromkeys(unchecked))
            lines.append(f"· 这条途径同样要求的常规条件{clauses}，这里没有再问。")
        over = over_note(notice, today)
        if over is not None:
            lines.append(over)
        else:
            contact = main_contact(notice)
            lines.append(f"能否破格，请咨询{contact}。" if contact else "能否破格，请咨询当地职称管理部门。")
        return "\n".join(lines)
    if a.unless is not None and a.unless[0] == NOT_ELIGIBLE:  # 只要以下情况您都没有: what fails
        for c in [c for c in a.conditions if c.status == NOT_MET and _regular(a, c)][:MAX_LINES]:
            lines.append(f"· 不符合：{c.explain}〔{c.clause}〕")
        lines.append(next_step(a, notice, today, NOT_ELIGIBLE))
        return "\n".join(lines)
    if a.verdict == NOT_ELIGIBLE and a.route is None:
        blocking = [c for c in a.conditions if (c.route is None and c.status == MET)]
        if not blocking:
            blocking = [c for c in a.conditions if c.status == NOT_MET and _regular(a, c)]
        for c in blocking[:MAX_LINES]:
            lines.append(f"· {c.explain}〔{c.clause}〕" + (f"；{c.advice}" if c.advice else ""))
    elif a.verdict in (ELIGIBLE, ELIGIBLE_SPECIAL):
        via = [c for c in a.conditions if c.route == a.route]
        lines.append(
            f"满足的条件（{len([c for c in via if c.status == MET])}项）："
            + "；".join(f"{c.explain}〔{c.clause}〕" for c in via if c.status == MET)[:300]
        )
    else:
        unknown = [c for c in a.conditions if c.status == UNKNOWN and _regular(a, c)]
        for c in unknown[:MAX_LINES]:
            extra = f"（具体见{c.delegated}）" if c.delegated else ""
            lines.append(f"· 待确认：{c.explain}{extra}〔{c.clause}〕")
        not_met = [c for c in a.conditions if c.status == NOT_MET and _regular(a, c)]
        for c in not_met[:MAX_LINES]:
            lines.append(f"· 不符合：{c.explain}〔{c.clause}〕" + (f"；{c.advice}" if c.advice else ""))
    lines.append(next_step(a, notice, today))
    return "\n".join(lines)


def _regular(a: Assessment, c: Condition) -> bool:
    """Conditions of the regular route (what most applicants must meet) or of the route that won."""
    return c.route is not None and (c.route_kind == "regular" or c.route == a.route)


def next_step(a: Assessment, notice: Notice, today: dt.date, verdict: str = "") -> str:
    """What to do now (for ``verdict`` when given: the verdict an "只要…" sentence states). Once the
    round judged by is over: that it is, that a later round's notice is not in the assistant, and
    whom to ask — never a step of a round already closed."""
    over = over_note(notice, today)
    if over is not None:
        return over
    if (verdict or a.verdict) == NOT_ELIGIBLE:
        return "如情况有出入，可以说“不对，……”更正；也可以问我联系电话。"
    apps = notice.windows_of("application") or notice.windows_of("materials")
    if apps:
        w = apps[0]
        st = status(w, today)
        when = format_span(w)
        return f"下一步：{w.name}{('（' + when + '）') if when else ''}，{st.describe(w)}。可以问我“要交什么材料”。"
    return "下一步：可以问我“要交什么材料”和“申报流程”。"


def as_record(a: Assessment) -> Dict[str, Any]:
    """A JSON-able copy for storage and the staff page."""
    return {
        "verdict": a.verdict,
        "route": a.route,
        "summary": a.summary(),
        "conditions": [
            {
                "id": c.id,
                "clause": c.clause,
                "explain": c.explain,
                "status": c.status,
                "route": c.route,
                "delegated": c.delegated,
            }
            for c in a.conditions
        ],
        "needed_facts": a.needed_facts,
        "delegated_docs": a.delegated_docs,
        "earliest": a.earliest.isoformat() if a.earliest else None,
        "earliest_year": a.earliest_year,
    }

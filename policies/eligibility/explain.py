"""Words for an Assessment, for a phone: the verdict first (naming the round judged by), the
applicant's own facts that decide it, the deciding conditions with their clauses, then the next step
— or, once that round is over, that it is and whom to ask. ``render_all`` lists every condition."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from policies.eligibility.assess import (
    ELIGIBLE,
    ELIGIBLE_SPECIAL,
    NOT_ELIGIBLE,
    STATUS_NAMES,
    Assessment,
    Condition,
)
from policies.eligibility.catalogue import load_catalogue
from policies.eligibility.rules import MET, NOT_MET, UNKNOWN
from policies.rounds import main_contact, over_note
from policies.schema import Notice
from policies.windows import format_span, status

MAX_CHARS = 250  # the verdict on a phone: with the case code line, about 300 characters
MAX_FACTS_CHARS = 60  # the applicant's own facts, shown back


def render(
    a: Assessment, notice: Notice, today: dt.date, facts: Optional[Mapping[str, Any]] = None, limit: int = MAX_CHARS
) -> str:
    """The verdict for a phone screen: the verdict naming its round, the applicant's own facts that
    decide it (as understood), the deciding conditions with their clauses, the next step — within
    ``limit`` characters; :func:`render_all` has every condition (button 查看全部条件)."""
    closing = _closing(a, notice, today)
    chosen = deciding(a)
    shown_facts = [f for c in chosen for f in c.facts] or [f for c in a.conditions for f in c.facts]
    lines = _lines(a, chosen)
    for recap_limit in (MAX_FACTS_CHARS, MAX_FACTS_CHARS // 2, 0):  # the facts give way to a condition
        recap = load_catalogue().recap(facts, shown_facts, recap_limit) if facts and recap_limit else ""
        head = [a.summary()] + ([f"您的情况：{recap}"] if recap else [])
        body = _fit(head, lines, closing, limit)
        if body is not None:
            return "\n".join(head + body + [closing])
    return "\n".join(head + [closing])


# One condition line in parts: what it says, its clause, what follows (advice). Kept apart so that
# a line too long for the screen is cut in what it says, never in its clause.
_Line = Tuple[str, str, str]


def _text(line: _Line) -> str:
    lead, clause, tail = line
    return f"{lead}〔{clause}〕{tail}"


def _fit(head: List[str], lines: List[_Line], closing: str, limit: int) -> Optional[List[str]]:
    """As many condition lines as fit between ``head`` and ``closing`` (the rest behind the button);
    None when not even the start of the first fits."""
    body: List[str] = []
    for i, parts in enumerate(lines):
        line = _text(parts)
        rest = len(lines) - i - 1
        more = f"（另有{rest}项，见“查看全部条件”）" if rest else ""
        if _size(head + body + [line + more, closing]) <= limit:
            body.append(line)
            continue
        if body:
            body[-1] += f"（另有{rest + 1}项，见“查看全部条件”）"
            return body
        # the first deciding line is too long for the screen: its start and clause, and where the rest is
        lead, clause, _ = parts
        tail = f"…〔{clause}〕（全文见“查看全部条件”）"
        room = limit - _size(head + [closing]) - 1 - len(tail)
        return [lead[:room] + tail] if room >= 12 else None
    return body


def _size(lines: Sequence[str]) -> int:
    return sum(len(x) for x in lines) + len(lines) - 1


def short(explain: str) -> str:
    """A condition in few words: its explanation without the remarks in brackets."""
    text = re.sub(r"（[^（）]*）", "", explain)
    return text or explain


def deciding(a: Assessment) -> List[Condition]:
    """The conditions that decide this verdict, most telling first."""
    if a.verdict in (ELIGIBLE, ELIGIBLE_SPECIAL):
        return [c for c in a.conditions if c.route == a.route and c.status == MET]
    if a.verdict == NOT_ELIGIBLE and a.route is None:
        blocking = [c for c in a.conditions if c.route is None and c.status == MET]
        if blocking:
            return blocking
    not_met = [c for c in a.conditions if c.status == NOT_MET and _regular(a, c)]
    if a.verdict == NOT_ELIGIBLE or a.deferred or (a.unless is not None and a.unless[0] == NOT_ELIGIBLE):
        return not_met
    unknown = [c for c in a.conditions if c.status == UNKNOWN and _regular(a, c)]
    return unknown + not_met


def _lines(a: Assessment, chosen: List[Condition]) -> List[_Line]:
    def advice(c: Condition) -> str:
        return f"；{c.advice}" if c.advice else ""

    if a.verdict in (ELIGIBLE, ELIGIBLE_SPECIAL):
        return [(f"· 符合：{short(c.explain)}", c.clause, "") for c in chosen]
    if a.verdict == NOT_ELIGIBLE and chosen and chosen[0].route is None:  # an exclusion applies
        return [(f"· {c.explain}", c.clause, advice(c)) for c in chosen]
    out: List[_Line] = []
    for c in chosen:
        if c.status == NOT_MET:
            out.append((f"· 不符合：{short(c.explain)}", c.clause, advice(c)))
        elif not (a.deferred and c.delegated is None):
            extra = f"（具体见{c.delegated}）" if c.delegated else ""
            out.append((f"· 待确认：{short(c.explain)}{extra}", c.clause, ""))
    if a.deferred:
        unchecked = [c.clause for c in a.conditions if c.status == UNKNOWN and _regular(a, c) and not c.delegated]
        if unchecked:
            first, *others = dict.fromkeys(unchecked)
            rest = "".join(f"〔{cl}〕" for cl in others)
            out.append(("· 这条途径同样要求的常规条件", first, f"{rest}，这里没有再问。"))
    return out


def _closing(a: Assessment, notice: Notice, today: dt.date) -> str:
    if a.deferred and over_note(notice, today) is None:
        contact = main_contact(notice)
        return f"能否破格，请咨询{contact}。" if contact else "能否破格，请咨询当地职称管理部门。"
    if a.unless is not None and a.unless[0] == NOT_ELIGIBLE:
        return next_step(a, notice, today, NOT_ELIGIBLE)
    return next_step(a, notice, today)


def render_all(a: Assessment) -> str:
    """Every condition behind the verdict, by status (button 查看全部条件): the exclusions, the
    regular route's conditions and the route that won, each with its clause."""
    lines: List[str] = [a.summary()]
    excluded = [c for c in a.conditions if c.route is None and c.status == MET]
    open_exclusions = [c for c in a.conditions if c.route is None and c.status == UNKNOWN]
    if excluded:
        lines += [f"· 不符合：{c.explain}〔{c.clause}〕" for c in excluded]
    elif open_exclusions:
        lines += [f"· 待确认：{c.explain}〔{c.clause}〕" for c in open_exclusions]
    elif any(c.route is None for c in a.conditions):
        clauses = "".join(f"〔{cl}〕" for cl in dict.fromkeys(c.clause for c in a.conditions if c.route is None))
        lines.append(f"· 不属于不得申报的情形{clauses}")
    for wanted in (MET, NOT_MET, UNKNOWN):
        group = [c for c in a.conditions if c.route is not None and c.status == wanted and _regular(a, c)]
        for c in group:
            extra = f"（具体见{c.delegated}）" if c.delegated and wanted == UNKNOWN else ""
            advice = f"；{c.advice}" if c.advice and wanted == NOT_MET else ""
            lines.append(f"· {STATUS_NAMES[wanted]}：{c.explain}{extra}〔{c.clause}〕{advice}")
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

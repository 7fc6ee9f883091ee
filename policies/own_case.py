"""Yes/no about the asker ("我本科，2019年5月评的助工，能报长治的工程师吗"): the notice's rules applied
to the facts the question itself states, through the fact reader and the eligibility engine, so
the reply opens with the decisive word — 能 / 不能 / 还要看 — and the clause that decides it.

The facts of a question are read twice: the whole message as the assessment reads it (a question
states no fact), and its premise — what comes before "能报吗" — as a statement ("大专能评高工吗":
大专). Nothing here records a fact: the assessment, when the applicant starts it, reads the message
again and shows back what it read.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from policies.eligibility import ELIGIBLE, ELIGIBLE_SPECIAL, MET, NOT_ELIGIBLE, NOT_MET, Assessor, load_catalogue
from policies.eligibility.assess import Assessment, Condition
from policies.eligibility.explain import short
from policies.eligibility.reader import parse_facts
from policies.levels import LEVEL_NAMES
from policies.places import place_names
from policies.rounds import closed_on
from policies.schema import Notice

# "…能报吗 / 可以评不 / 符合条件吗 / 够不够": a yes/no question whose subject is the asker's own
# application. The premise is what comes before the predicate.
PREDICATE = re.compile(
    r"(?:我|本人)?(?:还|也|就|都)?(?:能不能|能否|可不可以|可以|能|可否|是否|有没有资格|够不够|够|符合|算不算|行不行)"
    r"(?:直接|正常|正常的|按时|去|再)?(?:报|评|申报|申请|参评|参加评审|走|报名|提|晋升|升|拿|评上|条件|资格|年限|要求|算|用)"
)
# the predicate's question ends within a few characters: 能报吗 / 符合年限吗 / 可以评不 / 够不够
ASKS = re.compile(
    r"[^，,。？?！!\s]{0,14}?(?:吗|么|嘛|不|没|不能|行不行|可不可以|能不能|可以不|能否|是否|可否|够不够|呢)(?:[？?。！!，,\s]|$)"
)


@dataclass
class Verdict:
    """The decisive lead of a yes/no answer about the asker."""

    word: str  # 能 / 不能 / 还要看
    lead: str  # one or two sentences, with the clause
    facts: Dict[str, Any]
    assessment: Assessment


def is_own_yes_no(text: str) -> bool:
    """A yes/no question about the asker's own application."""
    return any(ASKS.match(text, m.end()) for m in PREDICATE.finditer(text))


def premise(text: str) -> str:
    """What the question states before it asks: "大专能评简阳高工吗" → "大专"."""
    m = PREDICATE.search(text)
    return text[: m.start()] if m else ""


_ASSESSORS: Dict[str, Assessor] = {}


def _assessor(notice: Notice) -> Assessor:
    if notice.id not in _ASSESSORS:
        _ASSESSORS[notice.id] = Assessor(notice)
    return _ASSESSORS[notice.id]


def stated_facts(text: str, notice: Notice, today: dt.date) -> Dict[str, Any]:
    """The facts the question states, as the engine takes them."""
    catalogue = load_catalogue()
    places = place_names(notice.region)
    facts = dict(parse_facts(text, catalogue, today, None, places).facts)
    before = premise(text).strip(" ，,")
    if before:
        for k, v in parse_facts(before, catalogue, today, None, places).facts.items():
            facts.setdefault(k, v)
    return facts


def decide(text: str, notice: Notice, level: Optional[str], today: dt.date) -> Optional[Verdict]:
    """The decisive lead for ``text`` under ``notice`` and ``level``; None when it is not a yes/no
    about the asker, the level is not known, or the question states no fact the rules test."""
    if level not in notice.levels or notice.eligibility is None or not is_own_yes_no(text):
        return None
    facts = stated_facts(text, notice, today)
    if not facts:
        return None
    assessor = _assessor(notice)
    if level not in assessor.levels():
        return None
    catalogue = load_catalogue()
    given = catalogue.coerce(facts)
    a = assessor.assess(level, given)
    if not [c for c in a.conditions if set(c.facts) & set(facts)]:
        return None
    said = f"依据您说的：{catalogue.recap(given, facts, limit=40)}"
    closed = closed_on(notice, today)
    # a round already over: the verdict is its rules', and says so (a later round may differ)
    over = f"以上按{a.round or notice.year}规定，该轮已截止。" if closed else ""
    name = LEVEL_NAMES.get(level, level)
    if a.verdict == NOT_ELIGIBLE:
        bad = _failing(a, facts)
        why = f"{_explain(bad)}〔{bad.clause}〕" if bad else "您说的情况不满足条件"
        return Verdict("不能", f"不能：{why}。{said}。{over}", facts, a)
    if a.verdict in (ELIGIBLE, ELIGIBLE_SPECIAL):
        route = "（走破格或特殊途径）" if a.verdict == ELIGIBLE_SPECIAL else ""
        return Verdict("能", f"能{route}：{said}，符合申报{name}的条件。{over}", facts, a)
    # Not settled by what was said: what is so for most applicants (not 事业单位, not in 处分期 …)
    # completes it, and the reply says which of these it took.
    usual = {f: s.usual for f, s in catalogue.specs.items() if s.usual is not None and f not in facts}
    typical = assessor.assess(level, catalogue.coerce({**facts, **usual}))
    bad = _failing(typical, facts)
    if bad is not None:
        taken = [
            catalogue.said(f, usual[f])
            for f in bad.facts
            if f in usual and _status(assessor, level, catalogue.coerce({**facts, **usual, f: None}), bad) != NOT_MET
        ]
        note = f"（其余按一般情况：{'、'.join(taken)}）" if taken else ""
        special = typical.verdict != NOT_ELIGIBLE
        word = "按常规条件不能" if special else "不能"
        tail = "；破格等其他途径另有条件" if special else ""
        return Verdict("不能", f"{word}：{_explain(bad)}〔{bad.clause}〕。{said}{note}{tail}。{over}", facts, a)
    open_route = _open_route(typical)
    met = [c for c in typical.conditions if c.route == open_route and c.status == MET and set(c.facts) & set(facts)]
    unknown = [c for c in typical.conditions if c.route == open_route and c.status not in (MET, NOT_MET)]
    if not unknown:
        return None
    # the first thing the interview would ask (its order: what most often decides), not the
    # notice's order of conditions
    first = typical.needed_facts[0] if typical.needed_facts else None
    ask = next((c for c in unknown if first in c.facts), unknown[0])
    lead = f"还要看{_explain(ask)}〔{ask.clause}〕。{said}"
    if met:
        lead += f"，满足{_explain(met[0])}〔{met[0].clause}〕"
    return Verdict("还要看", f"{lead}。{over}", facts, a)


def _status(assessor: Assessor, level: str, facts: Dict[str, Any], c: Condition) -> Optional[str]:
    """``c``'s status under ``facts`` (a usual value taken away: does it decide ``c``?)."""
    return assessor.assess(level, {k: v for k, v in facts.items() if v is not None}).statuses.get(c.id)


def _explain(c: Condition) -> str:
    """A condition in few words: whole when short, else without its remarks in brackets."""
    return c.explain if len(c.explain) <= 60 else short(c.explain)


def _failing(a: Assessment, facts: Dict[str, Any]) -> Optional[Condition]:
    """The condition that makes ``a`` fail on what was said: an exclusion that applies, else a
    regular condition not met that tests a stated fact."""
    said = [c for c in a.conditions if set(c.facts) & set(facts)]
    excluded = [c for c in said if c.route is None and c.status == MET]
    if excluded:
        return excluded[0]
    regular = [c for c in said if c.status == NOT_MET and c.route is not None and c.route_kind == "regular"]
    return regular[0] if regular else None


def _open_route(a: Assessment) -> Optional[str]:
    """The regular route still open (no condition of it failed), else any route still open."""
    routes: Dict[str, List[Condition]] = {}
    for c in a.conditions:
        if c.route is not None:
            routes.setdefault(c.route, []).append(c)
    open_ = [r for r, cs in routes.items() if not any(c.status == NOT_MET for c in cs)]
    regular = [r for r in open_ if routes[r][0].route_kind == "regular"]
    chosen = regular or open_
    return chosen[0] if chosen else None

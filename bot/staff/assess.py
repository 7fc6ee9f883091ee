"""Assessment on a caller's behalf: a thin adapter over the core interview
(``policies.eligibility.interview``), the same one the chat form uses. Pick notice and level,
answer the interview's next questions (the exclusions as one multi-choice question) until the
verdict is settled; save for a case code (channel ``staff``).

The facts collected so far travel in hidden form fields (``known_<fact>``, ``skip_<fact>``); the
interview re-assesses them on every post, so nothing is trusted that the engine would not accept.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.staff import audit
from bot.staff.csrf import FIELD
from policies import LEVEL_NAMES, Notice
from policies.eligibility import Assessment, Assessor, Catalogue
from policies.eligibility.assess import STATUS_NAMES, VERDICT_NAMES
from policies.eligibility.explain import as_record
from policies.eligibility.interview import DONT_KNOW, Interview, Question
from policies.eligibility.priors import PERIOD, Priors
from policies.eligibility.reader import read_facts
from policies.places import reading_names

QUESTIONS_AT_ONCE = 3
EXCLUSION_NAMES = {"met": "属于，不得申报", "not_met": "不属于", "unknown": "待确认"}
WORDS_LIMIT = 1000  # characters of a caller's words read at once
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(?:(\d{1,2})\s*日?)?)?\s*$")


@dataclass
class Step:
    notice: Notice
    level: str
    facts: Dict[str, Any]  # coerced, as the engine sees them
    skipped: List[str]
    result: Assessment
    questions: List[Question]
    errors: List[str]
    heard: List[str] = field(default_factory=list)  # facts read from the caller's words, as shown back

    @property
    def settled(self) -> bool:
        return not self.questions


def interview_for(app: web.Application, notice_id: str) -> Interview:
    """The notice's interview, weighing its next question by the answers saved before this hour
    began (policies.eligibility.priors; as the chat does, actions/assessment.py)."""
    cache: Dict[str, Interview] = app["assessors"]
    if notice_id not in cache:
        cache[notice_id] = Interview(Assessor(app["notices"].get(notice_id), app["catalogue"]), app["catalogue"])
    interview = cache[notice_id]
    hour = int(time.time() // PERIOD)
    weighed: Dict[str, Tuple[int, Interview]] = app["weighed"]
    found = weighed.get(notice_id)
    if found is not None and found[0] == hour:
        return found[1]
    before = dt.datetime.utcfromtimestamp(hour * PERIOD)
    try:
        priors = Priors.of(app["storage"].recent_answers(notice_id, before=before))
    except SQLAlchemyError:
        return interview
    if priors is not None:
        interview = Interview(interview.assessor, interview.catalogue)
        interview.use_priors(priors)
    weighed[notice_id] = (hour, interview)
    return interview


def choices(app: web.Application) -> List[Tuple[str, str]]:
    """(``notice_id:level``, label) for every notice with rules, every level it has rules for."""
    out = []
    for n in app["notices"].all():
        if n.eligibility is None:
            continue
        for level in n.eligibility.levels:
            out.append((f"{n.id}:{level}", f"{n.region.city} {n.year}年度 {LEVEL_NAMES[level]}（{n.doc_number}）"))
    return out


def parse_pick(app: web.Application, pick: str) -> Tuple[Notice, str]:
    notice_id, _, level = (pick or "").partition(":")
    notice = app["notices"].get(notice_id)
    if notice is None or notice.eligibility is None or level not in notice.eligibility.levels:
        raise web.HTTPBadRequest(text="请选择通知和级别。")
    return notice, level


def read_value(catalogue: Catalogue, fact: str, raw: str) -> Tuple[Optional[Any], Optional[str]]:
    """A staff member's answer → the stored value; (None, error) when it cannot be read."""
    spec = catalogue.specs[fact]
    raw = (raw or "").strip()
    if spec.type == "int":
        if not raw.isdigit():
            return None, f"“{spec.question}”请填写整数。"
        return int(raw), None
    if spec.type == "date":
        m = _DATE.match(raw)
        if not m:
            return None, f"“{spec.question}”请按“2018-06”或“2018-06-30”填写日期。"
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)).isoformat(), None
        except ValueError:
            return None, f"“{spec.question}”的日期不存在。"
    if raw not in catalogue.options(fact):
        return None, f"“{spec.question}”请从选项中选择。"
    return raw, None


def collect(app: web.Application, form: Mapping[str, str], notice: Notice, level: str) -> Step:
    """The answers in the form (kept and new) → the interview's step."""
    catalogue: Catalogue = app["catalogue"]
    raw: Dict[str, Any] = {}
    errors: List[str] = []
    forget = form.get("forget")
    for key, value in form.items():
        if key.startswith("known_") and key[6:] in catalogue.specs and key[6:] != forget:
            raw[key[6:]] = value
        elif key.startswith("skip_") and key[5:] in catalogue.specs and key[5:] != forget:
            raw[key[5:]] = DONT_KNOW
    for key, value in form.items():
        if not key.startswith("fact_") or key[5:] not in catalogue.specs or not str(value).strip():
            continue
        fact = key[5:]
        if value == DONT_KNOW:
            raw[fact] = DONT_KNOW
            continue
        parsed, error = read_value(catalogue, fact, value)
        if error:
            errors.append(error)
        else:
            raw[fact] = parsed
    # Multi-choice questions (exclusions, checklists), each named by its prefix ``excl``, ``m2`` …:
    # ticked → yes, the rest → no; 都没有 / 都不符合 → all no; 不清楚 → the rest unknown, except
    # the lines of a checklist marked 不符合 (the caller knows some and not others).
    for key in [k for k in form if k.endswith("_asked")]:
        prefix = key[: -len("_asked")]
        group = [f for f in str(form.get(key) or "").split(",") if f in catalogue.specs]
        ticked = [f for f in group if form.get(f"{prefix}_{f}")]
        denied = [f for f in group if form.get(f"{prefix}_no_{f}") and f not in ticked]
        if form.get(f"{prefix}_unknown"):  # with ticks: those apply, the rest are not known
            raw.update({f: True if f in ticked else False if f in denied else DONT_KNOW for f in group})
        elif ticked or denied or form.get(f"{prefix}_none"):
            raw.update({f: f in ticked for f in group})
    heard: List[str] = []
    words = str(form.get("words") or "").strip()[:WORDS_LIMIT]
    if words:  # the caller's own words (issue 21): what they state fills what is not yet known
        read = read_facts(words, catalogue, app["settings"].today(), reading_names(notice.region))
        new = {f: v for f, v in read.items() if f not in raw and f not in form.get("forget", "")}
        raw.update(new)
        usable = catalogue.coerce(new)  # a range stays a range (2–3), shown as said
        heard = [catalogue.said(f, usable[f]) for f in catalogue.specs if f in usable]
        if not read:
            errors.append("没有从原话中读到可用的情况，请逐项询问。")
    step = interview_for(app, notice.id).step(level, raw, limit=QUESTIONS_AT_ONCE, grouped=True)
    return Step(notice, level, step.facts, step.skipped, step.result, step.questions, errors, heard)


def hidden_fields(step: Step) -> List[Tuple[str, str]]:
    out = []
    for fact, value in step.facts.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, dt.date):
            value = value.isoformat()
        out.append((f"known_{fact}", str(value)))
    out += [(f"skip_{fact}", "1") for fact in step.skipped]
    return out


def fact_display(catalogue: Catalogue, fact: str, value: Any) -> str:
    if value is None or value == DONT_KNOW:
        return "不清楚"
    if isinstance(value, bool):
        value = "true" if value else "false"
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    spec = catalogue.specs.get(fact)
    if spec is None:
        return str(value)
    if spec.type == "date":
        try:
            d = dt.date.fromisoformat(str(value))
            return f"{d.year}年{d.month}月{d.day}日"
        except ValueError:
            return str(value)
    options = catalogue.options(fact)
    if options:
        return options.get(str(value), str(value))
    if spec.type == "int" and "~" in str(value):  # a range kept (两三篇, 满2年 ticked): 2–3篇, 2年以上
        ranged = catalogue.coerce({fact: str(value)}).get(fact)
        if ranged is not None:
            return catalogue.range_text(fact, ranged)
    return f"{value}{spec.unit or ''}"


def conditions_view(result: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Conditions of a stored or fresh result (``as_record``), with Chinese status names."""
    out = []
    for c in result.get("conditions") or []:
        if c.get("route") is None:  # an exclusion: "met" means the caller may not apply
            name = EXCLUSION_NAMES.get(c["status"], c["status"])
            css = {"met": "not_met", "not_met": "met"}.get(c["status"], c["status"])
        else:
            name, css = STATUS_NAMES.get(c["status"], c["status"]), c["status"]
        out.append(
            {**c, "status_name": name, "css": css, "group": "排除情形" if c.get("route") is None else "申报条件"}
        )
    return out


def question_view(q: Question, catalogue: Catalogue, index: int) -> Dict[str, Any]:
    """A question as the form shows it; facts asked together become one field each (``parts``)."""
    options = {v: label for v, label in q.options.items() if v != DONT_KNOW}
    parts = []
    if q.together:
        for fact in q.facts:
            spec = catalogue.specs[fact]
            parts.append(
                {
                    "fact": fact,
                    "question": spec.question,
                    "type": spec.type,
                    "unit": spec.unit,
                    "options": catalogue.options(fact),
                }
            )
    prefix = "excl" if q.type == "exclusions" else f"m{index}"
    return {
        "fact": q.fact,
        "facts": ",".join(q.facts),
        "question": q.text,
        "type": q.type,
        "unit": q.unit,
        "options": options,
        "multi": q.multi,
        "prefix": prefix,
        "none_label": q.none_label,
        "parts": parts,
    }


def _context(request: web.Request, step: Step, pick: str) -> Dict[str, Any]:
    catalogue: Catalogue = request.app["catalogue"]
    record = as_record(step.result)
    return {
        "step": step,
        "pick": pick,
        "hidden": hidden_fields(step),
        "record": record,
        "verdict_name": VERDICT_NAMES[step.result.verdict],
        "conditions": conditions_view(record),
        "questions": [question_view(q, catalogue, i) for i, q in enumerate(step.questions[:QUESTIONS_AT_ONCE], 1)],
        "more": 0,
        "known": [(f, catalogue.specs[f].question, fact_display(catalogue, f, v)) for f, v in step.facts.items()],
        "skipped": [(f, catalogue.specs[f].question) for f in step.skipped],
        "level_name": LEVEL_NAMES[step.level],
        "choices": choices(request.app),
        "unknown": DONT_KNOW,
    }


async def assess_page(request: web.Request) -> web.Response:
    """GET: choose notice and level; with ``pick``, the first questions."""
    pick = request.query.get("pick") or ""
    if not pick:
        return aiohttp_jinja2.render_template("assess_start.html", request, {"choices": choices(request.app)})
    notice, level = parse_pick(request.app, pick)
    step = collect(request.app, {}, notice, level)
    return aiohttp_jinja2.render_template("assess.html", request, _context(request, step, pick))


async def assess_post(request: web.Request) -> web.Response:
    form = await request.post()
    pick = str(form.get("pick") or "")
    notice, level = parse_pick(request.app, pick)
    step = collect(request.app, {k: str(v) for k, v in form.items() if k != FIELD}, notice, level)
    principal = request["principal"]
    audit.write(
        request.app["db"],
        principal.username,
        "assess",
        f"{notice.id}:{level}",
        f"verdict={step.result.verdict}; facts={len(step.facts)}",
    )
    return aiohttp_jinja2.render_template("assess.html", request, _context(request, step, pick))


async def assess_save(request: web.Request) -> web.Response:
    form = await request.post()
    pick = str(form.get("pick") or "")
    notice, level = parse_pick(request.app, pick)
    step = collect(
        request.app, {k: str(v) for k, v in form.items() if k != FIELD and not k.startswith("fact_")}, notice, level
    )
    facts: Dict[str, Any] = {f: (v.isoformat() if isinstance(v, dt.date) else v) for f, v in step.facts.items()}
    facts.update({f: DONT_KNOW for f in step.skipped})
    code = request.app["storage"].save_assessment(
        notice_id=notice.id,
        level=level,
        verdict=step.result.verdict,
        facts=facts,
        result=as_record(step.result),
        channel="staff",
        sender_id=None,
    )
    audit.write(
        request.app["db"],
        request["principal"].username,
        "assess_save",
        code,
        f"{notice.id}:{level}; verdict={step.result.verdict}",
    )
    raise web.HTTPSeeOther(f"/cases?code={code}&saved=1")

"""A simulated applicant for end-to-end dialogues: answers whatever the assistant asks from a set of
facts, in the words a person would type, and records the transcript."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple

from policies.eligibility import load_catalogue
from policies.eligibility.interview import Condition
from tests.helpers import http_json

CASE_CODE = re.compile(r"评估编号：([2-9A-HJKMNP-Z]{8})")

# An applicant who excludes nothing, and a 长治 assistant engineer who qualifies for 工程师
# (长工信〔2022〕139号 三（一）) — the standard applicant of the end-to-end dialogues.
NO_EXCLUSIONS = {
    "civil_servant": False,
    "retired": False,
    "under_discipline": False,
    "exam_profession": False,
    "public_institution": False,
    "works_locally": True,
}
CZ_ENGINEER = {
    **NO_EXCLUSIONS,
    "education": "bachelor",
    "education_related": True,
    "current_title": "assistant_engineer",
    "current_title_date": dt.date(2017, 6, 1),
    "papers_first_author": 2,
    "achievement_listed": "project_accepted",
    "assessments_passed_count": 5,
    "assessment_ok_latest": True,
    "professional_qualification_held": False,
    "high_skill_frontline": False,
    "other_series_title": False,
    "township_years": 0,  # the 乡镇 route (三（一）4): not this applicant's
    "still_in_township": False,
}


def question_index() -> Dict[str, str]:
    """Question text → fact name, from the catalogue (what utter_ask_fact_* says)."""
    return {spec.question: name for name, spec in load_catalogue().specs.items()}


def answer_text(fact: str, value: Any) -> str:
    """How a person would answer: 是 / 没有 / 2016年6月 / 本科 / 两篇 …"""
    cat = load_catalogue()
    spec = cat.specs[fact]
    if value is None:
        return "不清楚"
    if spec.type == "bool":
        return "是的" if value else "没有"
    if spec.type == "int":
        return f"{value}{spec.unit or ''}"
    if spec.type == "date":
        d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        return f"{d.year}年{d.month}月"
    return cat.options(fact)[value]


EXCLUSIONS_QUESTION = "以下情况您有吗"  # the exclusions asked together (issue 13)


def exclusions_listed(bot: str) -> List[str]:
    """The exclusion facts offered in a multi-choice exclusions question (one "· label" line each)."""
    lines = {line.strip().lstrip("·").strip() for line in bot.splitlines()}
    return [name for name, spec in load_catalogue().specs.items() if spec.label and spec.label in lines]


def exclusions_answer(listed: List[str], facts: Dict[str, Any]) -> str:
    """Tick what applies (one label, as a button), 都没有, or 不清楚 when some is not known."""
    ticked = [f for f in listed if facts.get(f) is True]
    if ticked:
        return load_catalogue().specs[ticked[0]].label
    if all(facts.get(f) is False for f in listed):
        return "都没有"
    return "不清楚"


CHECKLIST_QUESTION = "以下哪些符合您的情况"  # a checklist (在简阳工作? 档案在简阳? …), numbered lines


@lru_cache(maxsize=1)
def conditions_index() -> Dict[str, Condition]:
    """A condition's line in a checklist (从事相近相关工程技术工作满2年) → (fact, threshold), over
    every notice and level: the conditions most applicants meet, asked as one checklist (issue 23)."""
    from policies import load_notices
    from policies.eligibility.assess import Assessor
    from policies.eligibility.interview import Interview

    out: Dict[str, Condition] = {}
    for notice in load_notices():
        if notice.eligibility is not None:
            for conditions in Interview(Assessor(notice)).conditions.values():
                out.update({c.label: c for c in conditions.values()})
    return out


def checklist_listed(bot: str) -> List[Tuple[int, str, Optional[Condition]]]:
    """(line number, fact, the condition with a threshold if any) of each numbered line of a checklist question."""
    out = []
    cat = load_catalogue()
    for name in [f for g in cat.checklists for f in g.facts]:
        spec = cat.specs[name]
        pattern = re.escape(spec.label).replace(re.escape("{city}"), ".{1,8}?")
        m = re.search(rf"(?m)^(\d+)\. {pattern}$", bot)
        if m:
            out.append((int(m.group(1)), name, None))
    for n, label in re.findall(r"(?m)^(\d+)\. (.+)$", bot):
        if label in conditions_index() and int(n) not in {x[0] for x in out}:
            c = conditions_index()[label]
            out.append((int(n), c.fact, c))
    return sorted(out, key=lambda x: x[0])


def _ticked(value: Any, condition: Optional[Condition]) -> Any:
    return value if condition is None else condition.ticked(value)


def checklist_answer(listed: List[Tuple[int, str, Optional[Condition]]], facts: Dict[str, Any]) -> str:
    """The numbers of the lines that apply ("1 3"), 都不符合; when some are not known, what is
    known and 其他不清楚 ("2，1不符合，其他不清楚"), or 不清楚."""
    yes = [str(n) for n, f, c in listed if _ticked(facts.get(f), c) is True]
    no = [f"{n}不符合" for n, f, c in listed if _ticked(facts.get(f), c) is False]
    unknown = any(facts.get(f) is None for _, f, _ in listed)
    if not unknown:
        return " ".join(yes) if yes else "都不符合"
    if not yes and not no:
        return "不清楚"
    return "，".join(yes + no + ["其他不清楚"])


def together_index() -> Dict[str, List[str]]:
    """Question text → facts, for the facts asked together (facts.yml ``together``)."""
    return {g.question: list(g.facts) for g in load_catalogue().together}


def together_parts(bot: str) -> List[List[str]]:
    """The members a question of some members of a group asks ("请简单介绍一下您自己：现在的职称、
    取得时间、最高学历（如：…）"), by the names of the parts it lists."""
    for g in load_catalogue().together:
        if g.lead and g.lead in bot:
            listed = bot.split(g.lead, 1)[1].split("（", 1)[0].split("、")
            names = {name: f for f, name, _ in g.parts}
            return [[names[x] for x in listed if x in names]]
    return []


def reply_for(bot: str, facts: Dict[str, Any], unknown_ok: bool = True) -> Optional[Tuple[List[str], str]]:
    """What the persona types to the question in ``bot`` (facts asked, text), or None if ``bot``
    asks no fact. A fact the persona lacks is answered 不清楚 (an error unless ``unknown_ok``)."""

    def lacks(names: List[str]) -> None:
        missing = [f for f in names if f not in facts]
        if missing and not unknown_ok:
            raise AssertionError(f"asked {missing} which the persona does not know; reply: {bot}")

    if EXCLUSIONS_QUESTION in bot:
        listed = exclusions_listed(bot)
        lacks(listed)
        return listed, exclusions_answer(listed, facts)
    if CHECKLIST_QUESTION in bot:
        listed = checklist_listed(bot)  # a line the persona has no fact for is answered 其他不清楚, as a person would
        return [f for _, f, _ in listed], checklist_answer(listed, facts)
    together = [names for q, names in together_index().items() if q in bot] or together_parts(bot)
    if together:
        names = together[-1]
        lacks(names[:1])  # the rest may not apply (没有技师证书: no date to give)
        if not any(f in facts for f in names):
            return names, "不清楚"
        return names, "，".join(
            answer_text(f, facts[f]) if f in facts else "其他不清楚"
            for f in names
            if f in facts or facts.get(names[0]) is None
        )
    asked = [name for q, name in question_index().items() if q in bot]
    if not asked:
        return None
    lacks(asked[-1:])
    return asked[-1:], answer_text(asked[-1], facts.get(asked[-1]))


@dataclass
class Dialogue:
    base_url: str
    sender: str = field(default_factory=lambda: f"applicant-{uuid.uuid4().hex[:10]}")
    transcript: List[Tuple[str, str]] = field(default_factory=list)

    def say(self, text: str) -> str:
        replies = http_json(
            f"{self.base_url}/webhooks/rest/webhook", {"sender": self.sender, "message": text}, timeout=60
        )
        bot = "\n".join(r.get("text", "") for r in replies)
        self.transcript.append((text, bot))
        return bot

    def run(
        self,
        opening: str,
        facts: Dict[str, Any],
        max_turns: int = 40,
        extra: Optional[Dict[str, str]] = None,
        unknown_ok: bool = False,
    ) -> str:
        """Say ``opening``, then answer every fact question from ``facts`` until the result
        (a fact the applicant does not know is answered 不清楚 when ``unknown_ok``)."""
        return self.finish(self.say(opening), facts, max_turns, extra, unknown_ok)

    def finish(
        self,
        bot: str,
        facts: Dict[str, Any],
        max_turns: int = 40,
        extra: Optional[Dict[str, str]] = None,
        unknown_ok: bool = False,
    ) -> str:
        """From the bot's reply ``bot``, answer every fact question from ``facts`` until the result."""
        for _ in range(max_turns):
            if CASE_CODE.search(bot):
                return bot
            answer = reply_for(bot, facts, unknown_ok)
            if answer is None:
                reply = next((r for key, r in (extra or {}).items() if key in bot), None)
                if reply is None:
                    raise AssertionError(f"unexpected reply: {bot}")
                bot = self.say(reply)
                continue
            bot = self.say(answer[1])
        raise AssertionError("no result after many turns:\n" + "\n".join(b for _, b in self.transcript[-3:]))

    def case_code(self) -> Optional[str]:
        for _, bot in reversed(self.transcript):
            m = CASE_CODE.search(bot)
            if m:
                return m.group(1)
        return None

    def asked_facts(self) -> List[str]:
        out: List[str] = []
        for _, bot in self.transcript:
            answer = reply_for(bot, {}, unknown_ok=True)
            out += answer[0] if answer else []
        return out

"""A simulated applicant for end-to-end dialogues: answers whatever the assistant asks from a set of
facts, in the words a person would type, and records the transcript."""
from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from policies.eligibility import load_catalogue
from tests.helpers import http_json

CASE_CODE = re.compile(r"评估编号：([2-9A-HJKMNP-Z]{8})")

# An applicant who excludes nothing, and a 长治 assistant engineer who qualifies for 工程师
# (长工信〔2022〕139号 三（一）) — the standard applicant of the end-to-end dialogues.
NO_EXCLUSIONS = {"civil_servant": False, "retired": False, "under_discipline": False, "exam_profession": False,
                 "public_institution": False}
CZ_ENGINEER = {**NO_EXCLUSIONS, "education": "bachelor", "education_related": True,
               "current_title": "assistant_engineer", "current_title_date": dt.date(2017, 6, 1),
               "papers_first_author": 2, "achievement_listed": "project_accepted", "assessments_passed_count": 5,
               "assessment_ok_latest": True, "professional_qualification_held": False,
               "high_skill_frontline": False, "other_series_title": False}


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


@dataclass
class Dialogue:
    base_url: str
    sender: str = field(default_factory=lambda: f"applicant-{uuid.uuid4().hex[:10]}")
    transcript: List[Tuple[str, str]] = field(default_factory=list)

    def say(self, text: str) -> str:
        replies = http_json(f"{self.base_url}/webhooks/rest/webhook", {"sender": self.sender, "message": text},
                            timeout=60)
        bot = "\n".join(r.get("text", "") for r in replies)
        self.transcript.append((text, bot))
        return bot

    def run(self, opening: str, facts: Dict[str, Any], max_turns: int = 40,
            extra: Optional[Dict[str, str]] = None, unknown_ok: bool = False) -> str:
        """Say ``opening``, then answer every fact question from ``facts`` until the result
        (a fact the applicant does not know is answered 不清楚 when ``unknown_ok``)."""
        questions = question_index()
        bot = self.say(opening)
        for _ in range(max_turns):
            if CASE_CODE.search(bot):
                return bot
            if EXCLUSIONS_QUESTION in bot:
                listed = exclusions_listed(bot)
                if not unknown_ok and any(f not in facts for f in listed):
                    raise AssertionError(f"asked exclusions {listed} which the persona does not know; reply: {bot}")
                bot = self.say(exclusions_answer(listed, facts))
                continue
            asked = [name for q, name in questions.items() if q in bot]
            if not asked:
                if extra:
                    for key, reply in extra.items():
                        if key in bot:
                            bot = self.say(reply)
                            break
                    else:
                        raise AssertionError(f"unexpected reply: {bot}")
                    continue
                raise AssertionError(f"unexpected reply: {bot}")
            fact = asked[-1]
            if fact not in facts and unknown_ok:
                bot = self.say("不清楚")
                continue
            if fact not in facts:
                raise AssertionError(f"asked {fact} which the persona does not know; reply: {bot}")
            bot = self.say(answer_text(fact, facts[fact]))
        raise AssertionError("no result after many turns:\n" + "\n".join(b for _, b in self.transcript[-3:]))

    def case_code(self) -> Optional[str]:
        for _, bot in reversed(self.transcript):
            m = CASE_CODE.search(bot)
            if m:
                return m.group(1)
        return None

    def asked_facts(self) -> List[str]:
        questions = question_index()
        out: List[str] = []
        for _, bot in self.transcript:
            out += exclusions_listed(bot) if EXCLUSIONS_QUESTION in bot else []
            out += [name for q, name in questions.items() if q in bot]
        return out

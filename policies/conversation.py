"""One turn of a question-and-answer conversation: what the chat remembers between questions
(region, level, the last question and its topic) and how a follow-up is read.

- A follow-up that names only a region or a level ("那初级呢", "简阳呢") asks the previous question
  again for it — or says that the notice does not cover that level.
- A short elliptical follow-up ("过了还能补交吗", "大概几月份", "交到哪里") is read with the previous
  question's words, when alone it finds nothing the notice states.
- Anything else is a question of its own in the remembered region and level.

The chat action (``actions.notice_answer``) and the held-out scorer (``benchmarks.answer_blind``)
both go through :func:`answer_turn`, so what is measured is what applicants get.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Optional

from policies.answers import ANSWER_TOPICS
from policies.qa import CONFIDENT, QA, Reply, broad_fillers
from policies.roles import find_levels
from policies.text import normalize

FILLERS = {
    "那",
    "那么",
    "呢",
    "的",
    "吗",
    "还有",
    "如果",
    "要是",
    "换成",
    "改成",
    "是",
    "呀",
    "啊",
    "咧",
    "嘞",
    "我",
    "我们",
    "本人",
    "在",
    "这边",
    "那边",
    "人",
    "想",
    "报",
    "评",
    "申报",
    "按",
    "看看",
    "查",
    "查一下",
}
# Words that lean on what was asked before: "过了还能…", "那个…", "这个…", "要是…的话".
ELLIPTIC = re.compile(r"^(?:那|过了|这个|那个|这|如果|要是|假如|然后|还有|另外|再问|它|他们|交到|交给|在哪)")
SHORT = 12  # characters: a follow-up this short leans on the previous question


@dataclass
class Memory:
    region: Optional[str] = None
    level: Optional[str] = None
    last_question: Optional[str] = None
    last_topic: Optional[str] = None


def is_context_only(qa: QA, text: str) -> bool:
    """``text`` names a region or a level and asks nothing of its own ("那助工呢", "重庆的呢"; not
    "长治高级工程师怎么申报"): nothing is left once the names, fillers and punctuation are gone."""
    if normalize(text).strip() == qa.without_context(text).strip():
        return False  # no region or level named
    rest = re.sub(r"[\s，,。？?！!、~～…]+", "", qa.without_context(text))
    for word in sorted(FILLERS, key=len, reverse=True):
        rest = rest.replace(word, "")
    return not rest


def answer_turn(
    qa: QA,
    text: str,
    today: dt.date,
    memory: Memory,
    intent: Optional[str] = None,
    level_said: bool = False,
) -> Reply:
    """Answer ``text`` in the conversation ``memory`` holds, and update it (region, level, the
    question and its topic) as the chat's slots are."""
    previous = qa.without_context(memory.last_question) if memory.last_question else ""
    region, level = memory.region, memory.level
    question = text
    if previous and is_context_only(qa, text):
        # "那助工呢": the previous question for the level or region named now
        named_levels = [lv for _, _, lv in find_levels(text)]
        region = qa.region_in(text) or region
        level = named_levels[0] if named_levels else level
        question = previous or ANSWER_TOPICS.get(memory.last_topic or "", "")
        # a level named now is said, not remembered: one the region has no notice for is told so
        # ("简阳高工…" then "那中级呢": 简阳's notice has no 中级), not answered for another level
        reply = qa.answer(
            question, today, region=region, level=level, intent=intent, force_level=level, level_said=bool(named_levels)
        )
    else:
        reply = qa.answer(question, today, region=region, level=level, intent=intent, level_said=level_said)
        short = len(normalize(text).strip()) <= SHORT
        # "咋交 / 啥时候交": nothing but question words and a verb — it leans on the previous question
        bare = short and all(w in broad_fillers() for w in qa.content_words(text))
        elliptic = bare or bool(ELLIPTIC.match(normalize(text).strip()))
        if previous and short and (elliptic or _weak(reply)):
            joined = f"{previous} {text}"
            again = qa.answer(joined, today, region=region, level=level, intent=intent, level_said=level_said)
            if again.kind == "answer" and (elliptic or not _weak(again)):
                question, reply = joined, again
                for item in reply.items:  # one question asked: the previous one is context, not labelled
                    item.label = re.sub(r"^【[^】]*】", "", item.label)
                # "评审费多少" then "啥时候交": the line that holds what is asked now comes first
                cues = qa.items.cues(text)
                holding = [it for it in reply.items if any(c.item.search(it.text) for c in cues)]
                if holding and holding[0] is not reply.items[0]:
                    reply.items.remove(holding[0])
                    reply.items.insert(0, holding[0])
    memory.last_question, memory.last_topic = question, reply.topic
    if reply.kind == "wrong_level":
        memory.level = None
    elif reply.notice is not None:
        memory.region = reply.notice.region.code
        memory.level = reply.level or (level if level in reply.notice.levels else None)
    return reply


def _weak(reply: Reply) -> bool:
    return reply.kind != "answer" or reply.score < CONFIDENT

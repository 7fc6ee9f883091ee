"""One turn of a question-and-answer conversation: what the chat remembers between questions
(region, level, the last question and its topic) and how a follow-up is read.

A follow-up that names only a region or a level ("那初级呢", "简阳呢") asks the previous question
again for it; a follow-up with words of its own is a question in the remembered context. The chat
action (``actions.notice_answer``) and the held-out scorer (``benchmarks.answer_blind``) both go
through :func:`answer_turn`, so what is measured is what applicants get.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from policies.answers import ANSWER_TOPICS
from policies.qa import QA, Reply

FILLERS = {"那", "那么", "呢", "的", "吗", "还有", "如果", "要是", "换成", "改成", "是", "呀", "啊"}


@dataclass
class Memory:
    region: Optional[str] = None
    level: Optional[str] = None
    last_question: Optional[str] = None
    last_topic: Optional[str] = None


def is_context_only(qa: QA, text: str) -> bool:
    """``text`` names a region or a level and asks nothing of its own ("那助工呢", "重庆的呢")."""
    return not [w for w in qa.content_words(text) if w not in FILLERS]


def answer_turn(qa: QA, text: str, today: dt.date, memory: Memory, intent: Optional[str] = None) -> Reply:
    """Answer ``text`` in the conversation ``memory`` holds, and update it (region, level, the
    question and its topic) as the chat's slots are."""
    question = text
    if memory.last_question and is_context_only(qa, text):
        question = (
            f"{text} {qa.without_context(memory.last_question) or ANSWER_TOPICS.get(memory.last_topic or '', '')}"
        )
    reply = qa.answer(question, today, region=memory.region, level=memory.level, intent=intent)
    memory.last_question, memory.last_topic = question, reply.topic
    if reply.kind == "wrong_level":
        memory.level = None
    elif reply.notice is not None:
        memory.region = reply.notice.region.code
        memory.level = reply.level or (memory.level if memory.level in reply.notice.levels else None)
    return reply

"""Feedback on answers: 有帮助 / 没帮助 from the widget, "没帮助" / "不对" in WeChat.

One row per rated answer (``answer_id`` is unique, so an answer is rated once). A row holds only
what the bureau needs to judge the answers: whether it helped, the channel, and the notice, topic
and clauses of the answer rated — no sender, no message text. A 没帮助 also puts the question into
the staff inbox (``bot.storage.assessments.UnansweredRow`` with reason ``not_helpful`` and this context).

The answer itself carries its context to the channels in the bot message's metadata, key
``answer`` (``ANSWER_KEY``): ``{"id": str, "notice": str | None, "topic": str | None,
"clauses": [{"notice": str, "clause": str}, ...]}``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

import sqlalchemy as sa

from bot.storage.db import Database
from bot.storage.tables import FeedbackRow

ANSWER_KEY = "answer"


# --- the answer's context, as the action writes it and the channels read it ---------------------
NOT_HELPFUL_REASON = "not_helpful"  # the inbox row's reason for a 没帮助
MAX_CLAUSES = 12  # an answer shows at most a few items; a forged message cannot grow a row


def new_answer_id() -> str:
    """A fresh, unguessable id for one answer (32 hex digits)."""
    return secrets.token_hex(16)


_ANSWER_ID = re.compile(r"[0-9a-f]{16,64}")


def valid_answer_id(value: Any) -> bool:
    return isinstance(value, str) and bool(_ANSWER_ID.fullmatch(value))


def answer_of(event: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """The answer context a stored ``bot`` event (or an outgoing message) carries, if any."""
    answer = (event.get("metadata") or {}).get(ANSWER_KEY) if event.get("event") == "bot" else event.get(ANSWER_KEY)
    if not isinstance(answer, dict) or not valid_answer_id(answer.get("id")):
        return None
    return answer


def _question(user: Optional[Mapping[str, Any]], slots: Mapping[Optional[str], Any]) -> str:
    """What the applicant asked: the message text, or — for a button ("/inform{…}") — the question
    the conversation remembers (``last_question``)."""
    text = str((user or {}).get("text") or "").strip()
    if text.startswith("/") or not text:
        return str(slots.get("last_question") or "").strip()
    return text


@dataclass
class RatedAnswer:
    """An answer found in a conversation, with the question it answered."""

    answer: Dict[str, Any]
    question: str


def find_answer(events: Sequence[Mapping[str, Any]], answer_id: str) -> Optional[RatedAnswer]:
    """The answer with this id in a conversation's events (None for an id it never got)."""
    if not valid_answer_id(answer_id):
        return None
    user: Optional[Mapping[str, Any]] = None
    slots: Dict[Optional[str], Any] = {}  # a slot event without a name lands under None
    for event in events:
        kind = event.get("event")
        if kind == "user":
            user = event
        elif kind == "slot":
            slots[event.get("name")] = event.get("value")
        elif kind == "bot":
            answer = answer_of(event)
            if answer is not None and answer["id"] == answer_id:
                return RatedAnswer(answer, _question(user, slots))
    return None


def latest_answer(events: Sequence[Mapping[str, Any]]) -> Optional[RatedAnswer]:
    """The answer of the conversation's last turn, when the applicant has said nothing since
    (a short "没帮助" then rates it); None otherwise."""
    user: Optional[Mapping[str, Any]] = None
    slots: Dict[Optional[str], Any] = {}
    found: Optional[RatedAnswer] = None
    for event in events:
        kind = event.get("event")
        if kind == "user":
            user, found = event, None
        elif kind == "slot":
            slots[event.get("name")] = event.get("value")
        elif kind == "bot":
            answer = answer_of(event)
            # a later message of the same turn that is not an answer (a hint, a menu) leaves it be
            found = RatedAnswer(answer, "") if answer is not None else found
        elif kind == "restart" or kind == "session_started":
            user, found = None, None
    if found is None:
        return None
    return RatedAnswer(found.answer, _question(user, slots))


# --- a short WeChat reply that only rates the answer before it ---------------------------------
_NOT_HELPFUL = {
    "没帮助",
    "没有帮助",
    "没啥帮助",
    "没什么帮助",
    "没用",
    "没有用",
    "没啥用",
    "不对",
    "不对吧",
    "不对啊",
    "不对哦",
    "答非所问",
    "不是这个",
    "不是我问的",
    "没帮上",
    "没解决",
    "没有解决",
    "不满意",
    "看不懂",
    "错了",
    "不准确",
    "不准",
}
_HELPFUL = {
    "有帮助",
    "有用",
    "很有用",
    "很有帮助",
    "谢谢有帮助",
    "有帮助谢谢",
    "有用谢谢",
    "谢谢有用",
    "解决了",
    "满意",
    "帮到了",
    "明白了谢谢",
    "懂了谢谢",
}
_PUNCT = re.compile(r"[\s,.!?~，。！？、…~～:：;；\"'“”‘’()（）👍👎]+")


def feedback_in(text: str) -> Optional[bool]:
    """True for a reply that only says the answer helped ("有帮助"), False for one that only says it
    did not ("没帮助", "不对", "答非所问"), None for anything else ("不对，我是硕士" says more: it is
    a message for the assistant)."""
    core = _PUNCT.sub("", text or "")
    if not core or len(core) > 8:
        return None
    if core in _NOT_HELPFUL:
        return False
    if core in _HELPFUL:
        return True
    return None


# --- storing ------------------------------------------------------------------------------------
def _clauses(answer: Mapping[str, Any]) -> List[Dict[str, str]]:
    out: List[Dict[str, str]] = []
    for c in answer.get("clauses") or []:
        if isinstance(c, dict) and isinstance(c.get("clause"), str):
            out.append({"notice": str(c.get("notice") or "")[:120], "clause": c["clause"][:120]})
    return out[:MAX_CLAUSES]


def context_of(answer: Mapping[str, Any]) -> Dict[str, Any]:
    """What a 没帮助 inbox row keeps of the rated answer: notice, topic, clauses."""
    notice, topic = answer.get("notice"), answer.get("topic")
    return {
        "notice": notice if isinstance(notice, str) else None,
        "topic": topic if isinstance(topic, str) else None,
        "clauses": _clauses(answer),
    }


@dataclass
class Feedback:
    answer_id: str
    helpful: bool
    channel: str
    notice_id: Optional[str]
    topic: Optional[str]
    clauses: List[Dict[str, str]]
    created_at: dt.datetime


class FeedbackStore:
    """The ``answer_feedback`` table (``bot.storage.tables.FeedbackRow``)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.db = Database(url)

    def record(self, answer: Mapping[str, Any], helpful: bool, channel: str, question: Optional[str] = None) -> bool:
        """Keep the rating of one answer; False when the answer was rated before (once per answer).
        A first 没帮助 with its ``question`` also puts the question, masked, into the staff inbox with
        the answer's context — in the same transaction, so nobody sees the one without the other."""
        if not valid_answer_id(answer.get("id")):
            raise ValueError("not an answer id")
        context = context_of(answer)
        row = FeedbackRow(
            answer_id=answer["id"],
            helpful=bool(helpful),
            channel=(channel or "unknown")[:40],
            notice_id=(context["notice"] or None) and context["notice"][:120],
            topic=(context["topic"] or None) and context["topic"][:60],
            clauses=json.dumps(context["clauses"], ensure_ascii=False),
            created_at=dt.datetime.utcnow(),
        )
        with self.db.session() as session:
            if session.execute(sa.select(FeedbackRow.id).where(FeedbackRow.answer_id == row.answer_id)).first():
                return False
            session.add(row)
            if not helpful and question is not None:
                from bot.storage.assessments import unanswered_row

                session.add(
                    unanswered_row(
                        text=question,
                        intent=None,
                        confidence=None,
                        reason=NOT_HELPFUL_REASON,
                        channel=channel,
                        context=context,
                    )
                )
            try:
                session.commit()
            except sa.exc.IntegrityError:  # rated at the same moment by another worker
                session.rollback()
                return False
        return True

    def find(self, answer_id: str) -> Optional[Feedback]:
        with self.db.session() as session:
            r = session.execute(sa.select(FeedbackRow).where(FeedbackRow.answer_id == answer_id)).scalar_one_or_none()
            return (
                None
                if r is None
                else Feedback(
                    r.answer_id, r.helpful, r.channel, r.notice_id, r.topic, json.loads(r.clauses), r.created_at
                )
            )


def submit(url: str, rated: RatedAnswer, helpful: bool, channel: str) -> bool:
    """Record a rating (once per answer); a first 没帮助 also puts the question, masked, into the
    staff inbox with the answer's context. False when the answer was rated already."""
    return FeedbackStore(url).record(rated.answer, helpful, channel, question=rated.question)


async def rate(
    tracker_store: Any,
    sender_id: str,
    find: Callable[[List[Dict[str, Any]]], Optional[RatedAnswer]],
    helpful: bool,
    url: str,
    channel: str,
) -> Optional[bool]:
    """Rate the answer ``find`` picks from ``sender_id``'s conversation in the tracker store (the
    widget: the answer with the id pressed; WeChat: the last turn's answer) and :func:`submit` it.
    None when the conversation has no such answer; else whether this was its first rating."""
    tracker = await tracker_store.retrieve(sender_id)
    rated = find([e.as_dict() for e in tracker.events] if tracker is not None else [])
    if rated is None:
        return None
    return await asyncio.to_thread(submit, url, rated, helpful, channel)

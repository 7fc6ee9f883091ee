"""Feedback on answers: 有帮助 / 没帮助 from the widget, "没帮助" / "不对" in WeChat.

One row per rated answer (``answer_id`` is unique, so an answer is rated once). A row holds only
what the bureau needs to judge the answers: whether it helped, the channel, and the notice, topic
and clauses of the answer rated — no sender, no message text. A 没帮助 also puts the question into
the staff inbox (``bot.storage.UnansweredRow`` with reason ``not_helpful`` and this context).

The answer itself carries its context to the channels in the bot message's metadata, key
``answer`` (``ANSWER_KEY``): ``{"id": str, "notice": str | None, "topic": str | None,
"clauses": [{"notice": str, "clause": str}, ...]}``.
"""
from __future__ import annotations

import sqlalchemy as sa

from bot.db import Base

ANSWER_KEY = "answer"


class FeedbackRow(Base):
    __tablename__ = "answer_feedback"
    id = sa.Column(sa.Integer, primary_key=True)
    answer_id = sa.Column(sa.String(64), nullable=False, unique=True)
    helpful = sa.Column(sa.Boolean, nullable=False)
    channel = sa.Column(sa.String(40), nullable=False)
    notice_id = sa.Column(sa.String(120))
    topic = sa.Column(sa.String(60))
    clauses = sa.Column(sa.Text, nullable=False)  # JSON list of {"notice": id, "clause": text}
    created_at = sa.Column(sa.DateTime, nullable=False, index=True)  # UTC, naive


TABLES = (FeedbackRow.__table__,)

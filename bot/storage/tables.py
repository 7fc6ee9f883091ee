"""Every table the project owns, declared once (SQLAlchemy 1.4 declarative models on one ``Base``),
and the columns of Rasa's own ``events`` table that the project reads.

The schema is owned by the Alembic migrations in ``migrations/`` (``bot.storage.migrate``); a change
here needs a new revision there. Datetimes are naive UTC everywhere; portable SQL only (SQLite,
PostgreSQL). Who writes what:

- ``assessments``, ``assessment_summaries``, ``unanswered`` — ``bot.storage.assessments`` (action
  server, staff page; summaries by ``bot.storage.purge``);
- ``answer_feedback`` — ``bot.storage.feedback`` (the channels);
- ``staff_users``, ``staff_sessions``, ``staff_audit_log`` — the staff app (``bot.staff``);
- ``wechat_access_tokens``, ``wechat_messages``, ``wechat_choices``, ``wechat_late_answers`` — the
  WeChat channel (``bot.plugins.wechat.store``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

if TYPE_CHECKING:
    # SQLAlchemy 1.4 ships no type information (mypy sees it as Any, and ``declarative_base()``'s
    # result is no valid base class): the checker gets a nominal stand-in with the same surface.

    class Base:
        metadata: Any
        __table__: Any

        def __init__(self, **kwargs: Any) -> None: ...

else:
    Base = declarative_base()
metadata = Base.metadata


def utcnow() -> dt.datetime:
    return dt.datetime.utcnow()


# --- assessments and the unanswered inbox (bot.storage.assessments) -------------------------------


class AssessmentRow(Base):
    __tablename__ = "assessments"
    id = sa.Column(sa.Integer, primary_key=True)
    case_code = sa.Column(sa.String(16), nullable=False, unique=True, index=True)
    notice_id = sa.Column(sa.String(120), nullable=False)
    level = sa.Column(sa.String(40), nullable=False)
    verdict = sa.Column(sa.String(40), nullable=False)
    facts = sa.Column(sa.Text, nullable=False)  # JSON
    result = sa.Column(sa.Text, nullable=False)  # JSON
    channel = sa.Column(sa.String(40), nullable=False)
    sender_id = sa.Column(sa.String(200))
    created_at = sa.Column(sa.DateTime, nullable=False)
    questions = sa.Column(sa.Integer)  # questions the applicant answered to reach the verdict


class AssessmentSummaryRow(Base):
    """What is left of a saved assessment once it is older than the retention (``bot.storage.purge``):
    anonymous figures for the bureau's statistics — no case code, no facts, no sender, the day
    only. ``deciding`` lists the condition ids that decided the verdict (JSON); ``questions`` is
    the assessment's count of questions asked before its verdict (None: not recorded)."""

    __tablename__ = "assessment_summaries"
    id = sa.Column(sa.Integer, primary_key=True)
    notice_id = sa.Column(sa.String(120), nullable=False)
    level = sa.Column(sa.String(40), nullable=False)
    verdict = sa.Column(sa.String(40), nullable=False)
    channel = sa.Column(sa.String(40), nullable=False)
    day = sa.Column(sa.Date, nullable=False, index=True)
    deciding = sa.Column(sa.Text, nullable=False)  # JSON list of condition ids
    questions = sa.Column(sa.Integer, nullable=True)  # the assessment's question count, if recorded


class UnansweredRow(Base):
    """A message the assistant could not answer: masked text, what NLU guessed, no sender id."""

    __tablename__ = "unanswered"
    id = sa.Column(sa.Integer, primary_key=True)
    text = sa.Column(sa.Text, nullable=False)  # masked (bot.storage.privacy.mask_personal), clipped
    intent = sa.Column(sa.String(80))  # the best real intent NLU saw (not nlu_fallback)
    confidence = sa.Column(sa.Float)
    reason = sa.Column(sa.String(40), nullable=False)  # nlu_fallback / out_of_scope / not_helpful
    channel = sa.Column(sa.String(40), nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False, index=True)  # UTC, naive
    context = sa.Column(sa.Text)  # JSON: the rated answer's notice, topic and clauses (not_helpful)


# --- feedback on answers (bot.storage.feedback) ---------------------------------------------


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


# --- the staff app (bot.staff): accounts, server-side sessions, audit log ----------------------


class User(Base):
    __tablename__ = "staff_users"
    id = sa.Column(sa.Integer, primary_key=True)
    username = sa.Column(sa.String(64), nullable=False, unique=True, index=True)
    display_name = sa.Column(sa.String(64), nullable=False)
    password_hash = sa.Column(sa.String(255), nullable=False)  # argon2id
    role = sa.Column(sa.String(16), nullable=False, default="staff")
    active = sa.Column(sa.Boolean, nullable=False, default=True)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    password_changed_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)


class Session(Base):
    """A login. Only the SHA-256 of the cookie token is stored, so a database leak gives no session."""

    __tablename__ = "staff_sessions"
    id = sa.Column(sa.Integer, primary_key=True)
    token_hash = sa.Column(sa.String(64), nullable=False, unique=True, index=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("staff_users.id"), nullable=False, index=True)
    csrf_token = sa.Column(sa.String(64), nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False)
    last_seen = sa.Column(sa.DateTime, nullable=False)


class AuditEntry(Base):
    """Who did what, when, to which target. Targets are case codes, notice ids, usernames — never
    a caller's personal data: what was typed is stored masked (``bot.staff.audit``). Kept
    ``ZHICHENG_AUDIT_RETENTION_DAYS`` (``bot.storage.purge``)."""

    __tablename__ = "staff_audit_log"
    id = sa.Column(sa.Integer, primary_key=True)
    at = sa.Column(sa.DateTime, nullable=False, index=True)
    actor = sa.Column(sa.String(64), nullable=False)  # username ("-" before login)
    action = sa.Column(sa.String(40), nullable=False, index=True)
    target = sa.Column(sa.String(200))
    detail = sa.Column(sa.String(400))


# --- the WeChat channel (bot.plugins.wechat.store) -------------------------------------------


class AccessTokenRow(Base):
    __tablename__ = "wechat_access_tokens"
    app_id = sa.Column(sa.String(64), primary_key=True)
    token = sa.Column(sa.String(1024), nullable=False)
    expires_at = sa.Column(sa.Float, nullable=False)  # unix time


# WeChat resends a message within about 15 s; a dedupe row is needed no longer than this (the
# channel removes older rows as it goes, bot.storage.purge the rest).
DEDUPE_KEEP_SECONDS = 86400.0


class MessageRow(Base):
    __tablename__ = "wechat_messages"
    key = sa.Column(sa.String(64), primary_key=True)  # keyed hash of MsgId / FromUserName+CreateTime
    state = sa.Column(sa.String(16), nullable=False)  # processing, passive, custom, none
    created_at = sa.Column(sa.DateTime, nullable=False)


class ChoiceRow(Base):
    __tablename__ = "wechat_choices"
    sender = sa.Column(sa.String(64), primary_key=True)  # pseudonym, never the OpenID
    buttons = sa.Column(sa.Text, nullable=False)  # JSON list of {title, payload}
    updated_at = sa.Column(sa.DateTime, nullable=False)


class LateAnswerRow(Base):
    """Answers that missed the passive reply and were handed to the customer-service API, counted
    per UTC hour (``bot.staff.figures`` sums them over any period in local days). Nothing per
    user: not purged."""

    __tablename__ = "wechat_late_answers"
    hour = sa.Column(sa.DateTime, primary_key=True)  # UTC, naive, minutes and seconds zero
    answers = sa.Column(sa.Integer, nullable=False)


# --- Rasa's SQLTrackerStore (Rasa 3.6 owns and migrates it): the columns the project reads -----
# Declared on a MetaData of its own, so the project's migrations never touch it.
rasa_metadata = sa.MetaData()
RASA_EVENTS = sa.Table(
    "events",
    rasa_metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("type_name", sa.String(255)),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)

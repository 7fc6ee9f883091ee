"""The project's own tables through SQLAlchemy: saved assessments with case codes.

SQLite under var/ by default, any SQLAlchemy URL (PostgreSQL) via ZHICHENG_DATABASE_URL. The
schema is migrated when a service starts (``bot.storage.migrate``), never at import or on open. Only what an assessment needs
is stored: the facts asked, the result, the channel, and the conversation key (to show the
transcript to staff) — and only for the retention period (``bot.storage.purge``), after which an
assessment is reduced to an anonymous summary.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import sqlalchemy as sa

from bot.storage.db import Database
from bot.storage.tables import AssessmentRow, UnansweredRow
from policies.text import halfwidth

# No 0/O, 1/I/L: easy to read out over the phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


@dataclass
class SavedAssessment:
    case_code: str
    notice_id: str
    level: str
    verdict: str
    facts: Dict[str, Any]
    result: Dict[str, Any]
    channel: str
    sender_id: Optional[str]
    created_at: dt.datetime
    questions: Optional[int] = None


def new_case_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_case_code(text: str) -> str:
    """What a caller reads out: spaces, dashes, full-width letters and lower case are fine."""
    half = halfwidth(text)
    return "".join(ch for ch in half.upper() if ch.isascii() and ch.isalnum())


class Storage:
    def __init__(self, url: str) -> None:
        self.url = url
        self.db = Database(url)

    @property
    def engine(self) -> sa.engine.Engine:
        return self.db.engine

    def save_assessment(
        self,
        *,
        notice_id: str,
        level: str,
        verdict: str,
        facts: Dict[str, Any],
        result: Dict[str, Any],
        channel: str,
        sender_id: Optional[str],
        questions: Optional[int] = None,
    ) -> str:
        for _ in range(5):
            code = new_case_code()
            row = AssessmentRow(
                case_code=code,
                notice_id=notice_id,
                level=level,
                verdict=verdict,
                facts=json.dumps(facts, ensure_ascii=False, default=str),
                result=json.dumps(result, ensure_ascii=False, default=str),
                channel=channel,
                sender_id=sender_id,
                created_at=dt.datetime.utcnow(),
                questions=questions,
            )
            with self.db.session() as session:
                try:
                    session.add(row)
                    session.commit()
                    return code
                except sa.exc.IntegrityError:
                    session.rollback()
        raise RuntimeError("could not allocate a unique case code")

    def recent_answers(
        self, notice_id: str, before: Optional[dt.datetime] = None, limit: int = 2000
    ) -> List[Tuple[str, Dict[str, Any]]]:
        """(level, answers) of the newest ``limit`` saved assessments of a notice saved before
        ``before`` (UTC): what the interview weighs its next question by
        (policies.eligibility.priors). Only the answers — no case code, sender or date — and only
        those still kept (the purge summarises older ones)."""
        query = sa.select(AssessmentRow.level, AssessmentRow.facts).where(AssessmentRow.notice_id == notice_id)
        if before is not None:
            query = query.where(AssessmentRow.created_at < before)
        query = query.order_by(AssessmentRow.created_at.desc(), AssessmentRow.id.desc()).limit(limit)
        out: List[Tuple[str, Dict[str, Any]]] = []
        with self.db.engine.connect() as conn:
            for level, facts in conn.execute(query):
                try:
                    answers = json.loads(facts)
                except ValueError:
                    continue
                if isinstance(answers, dict):
                    out.append((level, answers))
        return out

    def find_assessment(self, case_code: str) -> Optional[SavedAssessment]:
        code = normalize_case_code(case_code)
        with self.db.session() as session:
            row = session.execute(sa.select(AssessmentRow).where(AssessmentRow.case_code == code)).scalar_one_or_none()
            if row is None:
                return None
            return SavedAssessment(
                case_code=row.case_code,
                notice_id=row.notice_id,
                level=row.level,
                verdict=row.verdict,
                facts=json.loads(row.facts),
                result=json.loads(row.result),
                channel=row.channel,
                sender_id=row.sender_id,
                created_at=row.created_at,
                questions=row.questions,
            )

    # --- unanswered messages (the staff page's low-confidence inbox) ---------------------------
    def record_unanswered(
        self,
        *,
        text: str,
        intent: Optional[str],
        confidence: Optional[float],
        reason: str,
        channel: str,
        context: Optional[Dict[str, Any]] = None,
    ) -> None:
        """Keep a message the assistant could not answer (masked here, whatever the caller passed)."""
        row = unanswered_row(
            text=text, intent=intent, confidence=confidence, reason=reason, channel=channel, context=context
        )
        with self.db.session() as session:
            session.add(row)
            session.commit()

    def list_unanswered(self, limit: int = 200, offset: int = 0) -> List[Unanswered]:
        """Newest first."""
        query = sa.select(UnansweredRow).order_by(UnansweredRow.created_at.desc(), UnansweredRow.id.desc())
        with self.db.session() as session:
            rows = session.execute(query.limit(limit).offset(offset)).scalars().all()
            return [
                Unanswered(
                    r.id,
                    r.text,
                    r.intent,
                    r.confidence,
                    r.reason,
                    r.channel,
                    r.created_at,
                    None if r.context is None else json.loads(r.context),
                )
                for r in rows
            ]

    def count_unanswered(self) -> int:
        with self.db.session() as session:
            return int(session.execute(sa.select(sa.func.count(UnansweredRow.id))).scalar_one())


# --- Unanswered messages (the staff page's low-confidence inbox) -------------------------------
UNANSWERED_MAX_CHARS = 500


def unanswered_row(
    *,
    text: str,
    intent: Optional[str],
    confidence: Optional[float],
    reason: str,
    channel: str,
    context: Optional[Dict[str, Any]] = None,
) -> UnansweredRow:
    """An inbox row for one message, its text masked (for a caller that adds it in its own transaction)."""
    from bot.storage.privacy import mask_personal

    return UnansweredRow(
        text=mask_personal(text or "")[:UNANSWERED_MAX_CHARS],
        intent=intent,
        confidence=None if confidence is None else float(confidence),
        reason=reason[:40],
        channel=(channel or "unknown")[:40],
        created_at=dt.datetime.utcnow(),
        context=None if context is None else json.dumps(context, ensure_ascii=False),
    )


@dataclass
class Unanswered:
    id: int
    text: str
    intent: Optional[str]
    confidence: Optional[float]
    reason: str
    channel: str
    created_at: dt.datetime
    context: Optional[Dict[str, Any]] = None  # a 没帮助's rated answer: notice, topic, clauses

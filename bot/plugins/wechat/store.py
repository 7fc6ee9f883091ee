"""The channel's tables, shared by every Rasa worker through SQLAlchemy (ZHICHENG_DATABASE_URL):
the access token with its expiry, one row per processed message (dedupe), the numbered
choices last offered to each user (by pseudonym), and how many answers went out late through the
customer-service API, per hour (a bare counter for the dashboard: no user, no message). The schema
is migrated when Rasa starts (``bot.plugins.rasa_main`` → ``bot.storage.migrate``); old rows are removed here (dedupe) and by ``bot.storage.purge``
(docs/retention.md).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from typing import Dict, List, Optional, Tuple

import sqlalchemy as sa

from bot.storage.db import Database
from bot.storage.tables import DEDUPE_KEEP_SECONDS, AccessTokenRow, ChoiceRow, LateAnswerRow, MessageRow

LATE_STATE = "custom"  # the dedupe row's state once the customer-service API delivers


class WeChatStore:
    """Synchronous SQLAlchemy calls; the channel runs them in a thread."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.db = Database(url)
        self._lock = threading.Lock()
        self._last_purge = 0.0

    @property
    def engine(self) -> sa.engine.Engine:
        return self.db.engine

    # --- dedupe ---------------------------------------------------------------------------
    def claim_message(self, key: str) -> bool:
        """True for the first request that claims ``key`` in any worker; False for a repeat."""
        self._purge()
        try:
            with self.engine.begin() as conn:
                conn.execute(sa.insert(MessageRow).values(key=key, state="processing", created_at=dt.datetime.utcnow()))
            return True
        except sa.exc.IntegrityError:
            return False

    def mark_message(self, key: str, state: str) -> None:
        """Record how the message was answered; a late answer (``custom``, claimed once per
        message by the channel) also counts in ``wechat_late_answers``, in the same transaction."""
        with self.engine.begin() as conn:
            conn.execute(sa.update(MessageRow).where(MessageRow.key == key).values(state=state))
            if state == LATE_STATE:
                count_late_answer(conn, dt.datetime.utcnow())

    def message_state(self, key: str) -> Optional[str]:
        with self.engine.connect() as conn:
            state: Optional[str] = conn.execute(
                sa.select(MessageRow.state).where(MessageRow.key == key)
            ).scalar_one_or_none()
            return state

    def _purge(self, keep_seconds: float = DEDUPE_KEEP_SECONDS) -> None:
        """WeChat retries within about 15 s; rows older than a day are dropped (at most hourly)."""
        now = time.time()
        if now - self._last_purge < 3600:
            return
        self._last_purge = now
        cutoff = dt.datetime.utcnow() - dt.timedelta(seconds=keep_seconds)
        with self.engine.begin() as conn:
            conn.execute(sa.delete(MessageRow).where(MessageRow.created_at < cutoff))

    # --- access token ---------------------------------------------------------------------
    def load_token(self, app_id: str) -> Optional[Tuple[str, float]]:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(AccessTokenRow.token, AccessTokenRow.expires_at).where(AccessTokenRow.app_id == app_id)
            ).first()
        return (row[0], row[1]) if row else None

    def save_token(self, app_id: str, token: str, expires_at: float) -> None:
        with self.engine.begin() as conn:
            updated = conn.execute(
                sa.update(AccessTokenRow)
                .where(AccessTokenRow.app_id == app_id)
                .values(token=token, expires_at=expires_at)
            ).rowcount
            if not updated:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            sa.insert(AccessTokenRow).values(app_id=app_id, token=token, expires_at=expires_at)
                        )
                except sa.exc.IntegrityError:
                    conn.execute(
                        sa.update(AccessTokenRow)
                        .where(AccessTokenRow.app_id == app_id)
                        .values(token=token, expires_at=expires_at)
                    )

    # --- numbered choices -----------------------------------------------------------------
    def load_choices(self, sender: str) -> List[Dict[str, str]]:
        with self.engine.connect() as conn:
            raw = conn.execute(sa.select(ChoiceRow.buttons).where(ChoiceRow.sender == sender)).scalar_one_or_none()
        return json.loads(raw) if raw else []

    def save_choices(self, sender: str, buttons: List[Dict[str, str]]) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.delete(ChoiceRow).where(ChoiceRow.sender == sender))
            if buttons:
                conn.execute(
                    sa.insert(ChoiceRow).values(
                        sender=sender, updated_at=dt.datetime.utcnow(), buttons=json.dumps(buttons, ensure_ascii=False)
                    )
                )


def count_late_answer(conn: sa.engine.Connection, now: dt.datetime) -> None:
    """Add one to the counter of ``now``'s hour (naive UTC); safe with several workers at once."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    bump = sa.update(LateAnswerRow).where(LateAnswerRow.hour == hour).values(answers=LateAnswerRow.answers + 1)
    if conn.execute(bump).rowcount:
        return
    try:
        with conn.begin_nested():
            conn.execute(sa.insert(LateAnswerRow).values(hour=hour, answers=1))
    except sa.exc.IntegrityError:  # another worker made the row meanwhile
        conn.execute(bump)

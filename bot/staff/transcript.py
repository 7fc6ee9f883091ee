"""A chat's transcript from Rasa's SQL tracker store (table ``events``), read-only.

Texts are already masked when Rasa writes them (``bot.plugins.tracker_store``); they are masked again
here in case an older store was not. Only user and bot messages are returned, oldest first,
never the conversation's sender id.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import List, Optional

import sqlalchemy as sa

from bot.storage.db import Database
from bot.storage.privacy import mask_personal
from bot.storage.tables import RASA_EVENTS as EVENTS

MAX_EVENTS = 400


@dataclass
class Line:
    who: str  # "applicant" / "assistant"
    text: str
    at: Optional[dt.datetime]  # UTC


class TranscriptReader:
    def __init__(self, url: str) -> None:
        self.url = url
        self.db = Database(url)

    @property
    def engine(self) -> sa.engine.Engine:
        return self.db.engine

    def lines(self, sender_id: str) -> List[Line]:
        """The conversation's messages; [] when the store or the conversation is not there."""
        query = (
            sa.select(EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data)
            .where(EVENTS.c.sender_id == sender_id, EVENTS.c.type_name.in_(("user", "bot")))
            .order_by(EVENTS.c.id)
            .limit(MAX_EVENTS)
        )
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
        except sa.exc.SQLAlchemyError:
            return []
        out: List[Line] = []
        for type_name, ts, data in rows:
            try:
                text = json.loads(data or "{}").get("text")
            except ValueError:
                continue
            if not text:
                continue
            at = dt.datetime.utcfromtimestamp(ts) if ts else None
            out.append(Line("applicant" if type_name == "user" else "assistant", mask_personal(text), at))
        return out

    def dispose(self) -> None:
        self.db.dispose()

"""Rasa's SQL tracker store, with ID-card and mobile numbers masked before they are written.

Configured in endpoints.yml as ``type: bot.tracker_store.MaskingSQLTrackerStore``; same settings
as Rasa's ``SQL`` store (``url`` may be a full SQLAlchemy URL: SQLite or PostgreSQL).
"""
from __future__ import annotations

from typing import Any, Dict, Iterator

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event

from bot.privacy import mask_personal


class _MaskedEvent:
    """Stands in for an event while it is written: same type, masked dictionary."""

    def __init__(self, event: Event) -> None:
        self._event = event
        self.type_name = event.type_name

    def as_dict(self) -> Dict[str, Any]:
        data = self._event.as_dict()
        if isinstance(data.get("text"), str):
            data["text"] = mask_personal(data["text"])
        parse = data.get("parse_data")
        if isinstance(parse, dict) and isinstance(parse.get("text"), str):
            parse["text"] = mask_personal(parse["text"])
            for entity in parse.get("entities") or []:
                if isinstance(entity.get("value"), str):
                    entity["value"] = mask_personal(entity["value"])
        return data


class MaskingSQLTrackerStore(SQLTrackerStore):
    def _additional_events(self, session, tracker) -> Iterator:  # type: ignore[override]
        for event in super()._additional_events(session, tracker):
            yield _MaskedEvent(event)

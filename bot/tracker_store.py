"""Rasa's SQL tracker store, with ID-card and mobile numbers masked before they are written
(bot.privacy.mask_personal: every form applicants type them in) — message text, the parse
result's text and entity values, and slot values.

Configured in endpoints.yml as ``type: bot.tracker_store.MaskingSQLTrackerStore``; same settings
as Rasa's ``SQL`` store (``url`` may be a full SQLAlchemy URL: SQLite or PostgreSQL).
"""
from __future__ import annotations

from typing import Any, Dict, Iterator

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event

from bot.privacy import mask_personal, mask_value


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
                if isinstance(entity, dict) and "value" in entity:
                    entity["value"] = mask_value(entity["value"])
        if data.get("event") == "slot" and "value" in data:
            data["value"] = mask_value(data["value"])
        return data


class MaskingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from bot.privacy import install_log_masking

        install_log_masking()  # Rasa's own log lines (e.g. a failed action) are masked too
        super().__init__(*args, **kwargs)

    def _additional_events(self, session, tracker) -> Iterator:  # type: ignore[override]
        for event in super()._additional_events(session, tracker):
            yield _MaskedEvent(event)

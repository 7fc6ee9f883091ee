"""Rasa's SQL tracker store, with ID-card and mobile numbers masked before they are written
(bot.storage.privacy.mask_personal: every form applicants type them in) — message text, the parse
result's text and entity values, and slot values.

Configured in endpoints.yml as ``type: bot.plugins.tracker_store.MaskingSQLTrackerStore``; same settings
as Rasa's ``SQL`` store (``url`` may be a full SQLAlchemy URL: SQLite or PostgreSQL).

Unlike Rasa's store, its connections are checked before use (``pool_pre_ping``, as bot/storage/db.py does
for the project's tables): Rasa's engine keeps pooled connections that a restarted PostgreSQL has
closed, and the first message on each of them failed there (Rasa's fail-safe wrapper then answered it
without its history and did not store it). With the check a stale connection is replaced on the
spot, so after a database restart the next message is answered and stored
(tests/k8s/test_faults.py, docs/deployment.md "Faults").

Creating it also applies the patches of bot/plugins/rasa_main.py (idempotent). Rasa creates the tracker
store before it loads the model, so a Rasa started any way with this project's endpoints.yml — ``rasa
run``, ``rasa shell`` as well as ``python -m bot.plugins.rasa_main`` — gets the same per-turn cost, the
same answers when a part is down and the same model load.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event

from bot.storage.privacy import mask_personal, mask_value


class _MaskedEvent:
    """Stands in for an event while it is written: same type, masked dictionary."""

    def __init__(self, event: Event) -> None:
        self._event = event
        self.type_name = event.type_name

    def as_dict(self) -> Dict[str, Any]:
        data: Dict[str, Any] = self._event.as_dict()
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


class MaskingSQLTrackerStore(SQLTrackerStore):  # type: ignore[misc]  # rasa is untyped (Any)
    engine: Any  # set by SQLTrackerStore.__init__ (an annotation only: no class attribute)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from bot.plugins.rasa_main import apply_patches
        from bot.storage.privacy import install_log_masking

        apply_patches()  # however Rasa was started (see the module docstring)
        install_log_masking()  # Rasa's own log lines (e.g. a failed action) are masked too
        super().__init__(*args, **kwargs)
        self._check_connections_before_use()

    def _check_connections_before_use(self) -> None:
        """Rebuild Rasa's engine with ``pool_pre_ping`` (same URL and Rasa's own engine options).
        A SQLite file has no server to lose, and an in-memory one lives in its engine: left alone."""
        import sqlalchemy as sa
        from rasa.core.tracker_store import create_engine_kwargs
        from sqlalchemy.orm import sessionmaker

        old = self.engine
        if old.dialect.name == "sqlite":
            return
        self.engine = sa.create_engine(old.url, pool_pre_ping=True, **create_engine_kwargs(old.url))
        self.sessionmaker = sessionmaker(bind=self.engine)
        old.dispose()

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Any:
        """Rasa's ``_retrieve`` (same query, same tracker), reading only the ``data`` column: Rasa
        builds an ORM object per stored event only to read that column, the largest part of
        re-reading a long conversation on every turn (docs/performance.md)."""
        import json

        from rasa.shared.core.trackers import DialogueStateTracker

        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions)
            events = [json.loads(data) for (data,) in query.with_entities(self.SQLEvent.data)]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    def _additional_events(self, session: Any, tracker: Any) -> Iterator[_MaskedEvent]:
        for event in super()._additional_events(session, tracker):
            yield _MaskedEvent(event)

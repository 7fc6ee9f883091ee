"""What every action needs: the notice index (loaded once, on first use), today's date, and the
project database (saved assessments, the unanswered inbox)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from functools import lru_cache
from typing import Dict, List, Optional

from rasa_sdk import Tracker

from bot.settings import get_settings
from bot.storage.assessments import Storage
from policies import LEVEL_NAMES, Notice, NoticeIndex, load_notices

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _index(notices_dir: Optional[str]) -> NoticeIndex:
    return load_notices(notices_dir)


def notice_index() -> NoticeIndex:
    return _index(get_settings().core.notices_dir)


def today() -> dt.date:
    return get_settings().core.today()


@lru_cache(maxsize=4)
def _storage(url: str) -> Storage:
    return Storage(url)


def storage() -> Storage:
    """The project database of the settings in force (migrated when the action server started)."""
    return _storage(get_settings().core.database_url)


def record_unanswered(tracker: Tracker) -> None:
    """Keep the message for the staff inbox: masked text, the best real intent, channel — no sender id.

    Never lets a storage problem stop the reply.
    """
    message = tracker.latest_message or {}
    ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
    best = ranking[0] if ranking else (message.get("intent") or {})
    try:
        storage().record_unanswered(
            text=message.get("text") or "",
            intent=best.get("name"),
            confidence=best.get("confidence"),
            reason=(message.get("intent") or {}).get("name") or "unknown",
            channel=tracker.get_latest_input_channel() or "unknown",
        )
    except Exception:  # noqa: BLE001 — the applicant still gets the answer
        logger.exception("could not record an unanswered message")


def latest_entities(tracker: Tracker, entity: str) -> List[str]:
    return [e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == entity]


def intent_payload(intent: str, **entities: str) -> str:
    """A button payload Rasa parses without NLU: /show_all{"topic":"fees"}."""
    return f"/{intent}" + json.dumps(entities, ensure_ascii=False, separators=(",", ":"))


def inform_payload(**entities: str) -> str:
    """/inform{"region":"jianyang"}: a region or level chosen."""
    return intent_payload("inform", **entities)


def notice_button(notice: Notice) -> Dict[str, str]:
    entities = {"region": notice.region.code}
    if len(notice.levels) == 1:
        entities["level"] = notice.levels[0]
    return {"title": notice.short_name, "payload": inform_payload(**entities)}


def level_button(level: str) -> Dict[str, str]:
    return {"title": LEVEL_NAMES[level], "payload": inform_payload(level=level)}

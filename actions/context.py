"""What every action needs: the notice index (loaded once, on first use) and today's date."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from typing import Dict, List, Optional

from rasa_sdk import Tracker

from bot.settings import get_settings
from policies import LEVEL_NAMES, Notice, NoticeIndex, load_notices


@lru_cache(maxsize=1)
def _index(notices_dir: Optional[str]) -> NoticeIndex:
    return load_notices(notices_dir)


def notice_index() -> NoticeIndex:
    return _index(get_settings().core.notices_dir)


def today() -> dt.date:
    return get_settings().core.today()


def latest_entities(tracker: Tracker, entity: str) -> List[str]:
    return [e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == entity]


def inform_payload(**entities: str) -> str:
    """A button payload Rasa parses without NLU: /inform{"region":"jianyang"}."""
    return "/inform" + json.dumps(entities, ensure_ascii=False, separators=(",", ":"))


def notice_button(notice: Notice) -> Dict[str, str]:
    entities = {"region": notice.region.code}
    if len(notice.levels) == 1:
        entities["level"] = notice.levels[0]
    return {"title": notice.short_name, "payload": inform_payload(**entities)}


def level_button(level: str) -> Dict[str, str]:
    return {"title": LEVEL_NAMES[level], "payload": inform_payload(level=level)}

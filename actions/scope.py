"""Out of scope, low confidence and requests for a human: say what we can do, give real contacts."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.context import notice_index
from policies.answers import contact_line

logger = logging.getLogger(__name__)

SCOPE = (
    "抱歉，这个问题我还回答不了。我能回答工程系列职称通知里的：评审费、申报和缴费时间、申报材料、"
    "流程、条件、破格、继续教育、论文查重、转系列、证书和联系电话。"
)


def record_unanswered(tracker: Tracker) -> None:
    """Keep the message for the staff inbox: masked text, the best real intent, channel — no sender id.

    Never lets a storage problem stop the reply.
    """
    from actions.assessment import storage

    message = tracker.latest_message or {}
    ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
    best = ranking[0] if ranking else (message.get("intent") or {})
    try:
        storage().record_unanswered(
            text=message.get("text") or "", intent=best.get("name"), confidence=best.get("confidence"),
            reason=(message.get("intent") or {}).get("name") or "unknown",
            channel=tracker.get_latest_input_channel() or "unknown",
        )
    except Exception:  # noqa: BLE001 — the applicant still gets the answer
        logger.exception("could not record an unanswered message")


def _contacts_text(tracker: Tracker) -> str:
    index = notice_index()
    region = tracker.get_slot("region")
    notices = index.find(region=region) if region else []
    notices = notices or index.all()
    lines = [f"· {n.region.city}（{n.doc_number}）：{contact_line(n.contacts[0])}" for n in notices]
    return "\n".join(lines)


class ActionScopeHelp(Action):
    def name(self) -> Text:
        return "action_scope_help"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(text=SCOPE + "\n如需人工咨询：\n" + _contacts_text(tracker))
        record_unanswered(tracker)
        return []


class ActionHumanHandoff(Action):
    def name(self) -> Text:
        return "action_human_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(
            text="在线助手暂时不能转接人工坐席。您可以直接联系通知里的经办部门：\n" + _contacts_text(tracker)
        )
        return []

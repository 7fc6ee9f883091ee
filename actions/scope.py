"""Out of scope, low confidence and requests for a human: say what we can do, give real contacts."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.context import notice_index
from policies.answers import contact_line

SCOPE = (
    "抱歉，这个问题我还回答不了。我能回答工程系列职称通知里的：评审费、申报和缴费时间、申报材料、"
    "流程、条件、破格、继续教育、论文查重、转系列、证书和联系电话。"
)


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

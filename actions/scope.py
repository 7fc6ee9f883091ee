"""Out of scope, low confidence and requests for a human: say what we can do, give real contacts."""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import notice_index, record_unanswered, today
from actions.notice_answer import utter_reply
from policies.answers import contact_line

logger = logging.getLogger(__name__)

SCOPE = "我能回答这些通知里的评审费、时间、材料、流程、条件、破格、继续教育、论文查重、转系列、证书和联系电话。"


def _contacts_text(tracker: Tracker) -> str:
    index = notice_index()
    region = tracker.get_slot("region")
    notices = index.find(region=region) if region else []
    notices = notices or index.all()
    lines = [f"· {n.region.city}（{n.doc_number}）：{contact_line(n.contacts[0])}" for n in notices]
    return "\n".join(lines)


class ActionScopeHelp(Action):  # type: ignore[misc]  # rasa_sdk is untyped (Any)
    """Low NLU confidence or out of scope: answer when a notice item clearly matches (the NLU may
    not know the words), otherwise say what is covered — never a figure for something else."""

    def name(self) -> str:
        return "action_scope_help"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        from policies.qa import qa_for

        text = tracker.latest_message.get("text") or ""
        reply = qa_for(notice_index()).answer(
            text, today(), region=tracker.get_slot("region"), level=tracker.get_slot("level"), strict=True
        )
        if reply.kind == "answer":
            utter_reply(dispatcher, reply)
            events = [SlotSet("last_question", text), SlotSet("last_topic", reply.topic)]
            if reply.notice is not None:
                events.append(SlotSet("region", reply.notice.region.code))
            return events
        if reply.kind in ("fraud", "out_of_scope") and reply.lead:
            utter_reply(dispatcher, reply)
        else:
            covered = "、".join(n.short_name for n in notice_index().all())
            dispatcher.utter_message(
                text=f"抱歉，这个问题我还回答不了。{SCOPE}目前收录：{covered}。需要人工请说“转人工”。"
            )
        record_unanswered(tracker)
        return []


class ActionHumanHandoff(Action):  # type: ignore[misc]  # rasa_sdk is untyped (Any)
    def name(self) -> str:
        return "action_human_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        dispatcher.utter_message(
            text="在线助手暂时不能转接人工坐席。您可以直接联系通知里的经办部门：\n" + _contacts_text(tracker)
        )
        return []

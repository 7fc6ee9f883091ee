"""action_answer_notice: answer a topic question from the notice the conversation is about."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import latest_entities, level_button, notice_button, notice_index, today
from policies import ANSWER_TOPICS, LEVEL_NAMES, answer, resolve
from policies.index import load_places, uncovered_place

INTENT_TOPICS: Dict[str, str] = {
    "ask_fee": "fees",
    "ask_deadline": "windows",
    "ask_materials": "materials",
    "ask_procedure": "procedure",
    "ask_who_may_apply": "who_may_apply",
    "ask_conditions": "conditions",
    "ask_exceptional_route": "exceptional_routes",
    "ask_continuing_education": "continuing_education",
    "ask_papers": "papers",
    "ask_series_transfer": "series_transfer",
    "ask_contacts": "contacts",
    "ask_certificate": "certificate",
    "ask_defence": "defence",
}
TOPIC_INTENTS = {topic: intent for intent, topic in INTENT_TOPICS.items()}
MENU_TOPICS = ["fees", "windows", "materials", "conditions", "procedure", "contacts"]


@lru_cache(maxsize=1)
def _places() -> List[str]:
    return load_places()


def _levels_text(levels: List[str]) -> str:
    return "、".join(LEVEL_NAMES[lv] for lv in levels)


class ActionAnswerNotice(Action):
    def name(self) -> Text:
        return "action_answer_notice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        index = notice_index()
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        topic: Optional[str] = INTENT_TOPICS.get(intent) or tracker.get_slot("last_topic")
        region = tracker.get_slot("region")
        level = tracker.get_slot("level")
        level_is_new = bool(latest_entities(tracker, "level"))
        window_kind = tracker.get_slot("window_kind") if topic == "windows" else None
        events: List[EventType] = [SlotSet("last_topic", topic)]

        res = resolve(index, region, level, level_is_new=level_is_new)
        if res.ask_level:
            dispatcher.utter_message(
                text="“初级”可能是助理工程师，也可能是技术员。请问您申报哪一个？",
                buttons=[level_button(lv) for lv in res.ask_level],
            )
            return events + [SlotSet("level", None)]
        if res.unknown_level_for_region:
            city_notices = index.find(region=region)
            covered = "；".join(f"{n.doc_number}（{_levels_text(n.levels)}）" for n in city_notices)
            text = (
                f"{city_notices[0].region.city}目前收录的通知是{covered}，"
                f"没有{LEVEL_NAMES.get(level, level)}的评审安排。"
            )
            buttons = [notice_button(n) for n in city_notices + res.candidates]
            dispatcher.utter_message(text=text + "请选择您要查询的通知：", buttons=buttons)
            return events + [SlotSet("level", None)]
        if res.notice is None:
            known = index.regions()
            lead = "请问您在哪个地区、申报哪个级别？"
            place = uncovered_place(index, tracker.latest_message.get("text") or "", _places())
            if place or (region and region not in known):
                lead = f"{place or '这个地区'}的通知我还没有收录，无法回答那里的规定。"
            dispatcher.utter_message(
                text=lead + "目前收录的通知如下，请选择：",
                buttons=[notice_button(n) for n in res.candidates],
            )
            return events

        notice = res.notice
        if res.level_dropped:
            events.append(SlotSet("level", None))
        if topic is None:
            dispatcher.utter_message(
                text=f"好的，按{notice.region.city}的通知（{notice.doc_number}，{_levels_text(notice.levels)}）为您查询。想了解什么？",
                buttons=[{"title": ANSWER_TOPICS[t], "payload": f"/{TOPIC_INTENTS[t]}"} for t in MENU_TOPICS],
            )
            return events
        reply = answer(notice, topic, today(), level=res.level, window_kind=window_kind)
        text = reply.text
        if res.level_dropped:
            text = f"（{notice.region.city}这份通知只涉及{_levels_text(notice.levels)}，以下按该通知回答）\n" + text
        buttons = [level_button(lv) for lv in reply.needs_level]
        dispatcher.utter_message(text=text, buttons=buttons or None)
        return events + [SlotSet("window_kind", None)]

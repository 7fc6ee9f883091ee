"""action_answer_notice: answer the question asked, from the notice the conversation is about.

A thin adapter: the tracker's text, intent, region and level go to :mod:`policies.qa`, whose
structured reply is rendered as chat text and buttons. It remembers the question, so that a
region chosen afterwards (a button, or "那重庆呢") answers the same question for that region.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.assessment import PREFIX, places_of, show_conditions
from actions.context import (
    intent_payload,
    latest_entities,
    level_button,
    notice_button,
    notice_index,
    record_unanswered,
    today,
)
from bot.storage.feedback import ANSWER_KEY, answer_of, new_answer_id
from policies import ANSWER_TOPICS, LEVEL_NAMES, Notice
from policies.answers import VERDICT_TOPIC
from policies.conversation import Memory, answer_turn, is_context_only
from policies.eligibility import load_catalogue
from policies.eligibility.reader import parse_facts
from policies.qa import CONFIDENT, INTENT_TOPICS, TOPIC_INTENTS, Reply, levels_text, qa_for, render_text
from policies.scope import classify

MENU_TOPICS = ["fees", "windows", "materials", "conditions", "procedure", "contacts"]
# Asking to be assessed, rather than asking about one condition.
ASSESS_REQUEST = re.compile(
    r"评估|测一下|测测|测试一下|看看我|帮我看|帮我算|算一下|够不够|够格|够条件|符合.{0,8}条件|达标|"
    r"有没有资格|资格吗|我的情况|我这种情况|我这情况"
)
ASSESS_WORDS = {"够格", "资格", "条件", "符合", "情况", "自己", "这种", "可以", "能够"}
MAX_FACTS_FOR_A_QUESTION = 3  # more facts than this is a self-description: assess it
YES_NO = re.compile(r"(吗|么|不|没|行不行|可不可以|能不能|可以不|能否|是否|可否)[？?。！!\s]*$")


def show_all_button(topic: str) -> Dict[str, str]:
    return {
        "title": f"查看全部{ANSWER_TOPICS[topic]}",
        "payload": intent_payload("show_all", topic=topic),
    }


def reply_buttons(reply: Reply) -> List[Dict[str, str]]:
    buttons: List[Dict[str, str]] = []
    if reply.notice is not None and reply.topic and reply.more and reply.kind == "answer":
        buttons.append(show_all_button(reply.topic))
    buttons += [level_button(lv) for lv in reply.ask_levels]
    buttons += [notice_button(n) for n in reply.candidates]
    return buttons


def answer_context(reply: Reply) -> Optional[Dict[str, Any]]:
    """What an answer carries to the channels and the tracker store (``bot.storage.feedback``): a fresh id
    and the notice, topic and clauses it rests on — so it can be rated, and counted. Only real
    answers (a notice's items) carry it; "not stated", scope and choice replies do not."""
    if reply.kind != "answer" or not reply.items:
        return None
    clauses: List[Dict[str, str]] = []
    for it in reply.items:
        clause = {"notice": it.notice.id, "clause": it.clause}
        if clause not in clauses:
            clauses.append(clause)
    return {
        "id": new_answer_id(),
        "notice": reply.notice.id if reply.notice is not None else None,
        "topic": reply.topic,
        "clauses": clauses,
    }


def utter_reply(
    dispatcher: CollectingDispatcher, reply: Reply, extra_buttons: Optional[List[Dict[str, Any]]] = None
) -> None:
    buttons = reply_buttons(reply) + list(extra_buttons or [])
    context = answer_context(reply)
    extra = {ANSWER_KEY: context} if context is not None else {}
    dispatcher.utter_message(text=render_text(reply), buttons=buttons or None, **extra)


class ActionEligibilityEntry(Action):  # type: ignore[misc]  # rasa_sdk is untyped (Any)
    """ "我能报吗": a request to be assessed starts the pre-assessment; a yes/no question about one
    condition ("大专能评高工吗", "单位没空岗位我能报吗") is answered from the rule items that decide
    it, with the assessment offered (it starts from the facts typed). Sets ``assess_mode``."""

    def name(self) -> str:
        return "action_eligibility_entry"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        assess = [SlotSet("assess_mode", "assess")]
        text = (tracker.latest_message.get("text") or "").strip()
        if not text or text.startswith("/"):
            return assess
        refused = self._fraud(tracker, text)
        if refused is not None:  # "包过班…能报吗": never assessed, whatever the NLU made of it
            utter_reply(dispatcher, refused)
            return [SlotSet("assess_mode", "answer")]
        if ASSESS_REQUEST.search(text):
            return assess
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "correct_fact" and (
            tracker.get_slot("case_code")
            or any(k.startswith(PREFIX) and v is not None for k, v in tracker.slots.items())
        ):
            return assess  # "不对，我是硕士" after an assessment: re-assess
        qa = qa_for(notice_index())
        if not [w for w in qa.content_words(text) if w not in ASSESS_WORDS]:
            return assess
        if len(parse_facts(text, load_catalogue(), today(), None).facts) > MAX_FACTS_FOR_A_QUESTION:
            return assess
        level = tracker.get_slot("level")
        level = level if level in LEVEL_NAMES or level == "junior" else None
        reply = qa.answer(
            text,
            today(),
            region=tracker.get_slot("region"),
            level=level,
            intent="ask_conditions",
            level_said=bool(latest_entities(tracker, "level")),
        )
        if reply.kind != "answer" or reply.score < CONFIDENT:
            return assess
        events: List[EventType] = [
            SlotSet("assess_mode", "answer"),
            SlotSet("last_question", text),
            SlotSet("last_topic", reply.topic),
        ]
        extra: List[Dict[str, Any]] = []
        if reply.notice is not None:
            events += self._context_events(tracker, reply, reply.notice)
            extra, fact_events = ActionAnswerNotice._offer_assessment(
                tracker, reply, reply.notice, text, yes_no_only=False
            )
            events += fact_events
        utter_reply(dispatcher, reply, extra)
        return events

    @staticmethod
    def _fraud(tracker: Tracker, text: str) -> Optional[Reply]:
        """The scope check's answer when ``text`` asks for a fraud (包过, 找人改日期, 假证明): the
        NLU may take it for a request to be assessed or a correction."""
        qa = qa_for(notice_index())
        if classify(text, qa.index, qa.places).kind != "fraud":
            return None
        return qa.answer(text, today(), region=tracker.get_slot("region"))

    @staticmethod
    def _context_events(tracker: Tracker, reply: Reply, notice: Notice) -> List[EventType]:
        """``notice``: the reply's notice (``reply.notice``, known not to be None)."""
        events: List[EventType] = []
        if notice.region.code != tracker.get_slot("region"):
            events.append(SlotSet("region", notice.region.code))
        if reply.level and reply.level != tracker.get_slot("level"):
            events.append(SlotSet("level", reply.level))
        return events


class ActionAnswerNotice(Action):  # type: ignore[misc]  # rasa_sdk is untyped (Any)
    def name(self) -> str:
        return "action_answer_notice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        index = notice_index()
        qa = qa_for(index)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = tracker.latest_message.get("text") or ""
        region = tracker.get_slot("region")
        level = tracker.get_slot("level")
        if level is not None and level not in LEVEL_NAMES and level != "junior":
            level = None  # an entity the NLU mis-read ("市级"): not a level
        level_said = bool(latest_entities(tracker, "level")) and not text.startswith("/")

        if intent == "show_all":
            return self._show_all(dispatcher, tracker)

        question: Optional[str]
        question = text
        prior_intent = intent
        last_question, last_topic = tracker.get_slot("last_question"), tracker.get_slot("last_topic")
        if text.startswith("/") and intent in INTENT_TOPICS:
            # a topic button or menu click (/ask_fee): the topic is the question
            question = ANSWER_TOPICS[INTENT_TOPICS[intent]]
        elif text.startswith("/") or (is_context_only(qa, text) and not last_question):
            # A region or level chosen (button) or said alone: answer the question pending before.
            question = last_question
            if not question and last_topic in ANSWER_TOPICS:
                question, prior_intent = ANSWER_TOPICS[last_topic], TOPIC_INTENTS.get(last_topic)
            elif question:
                # the same question for the region or level just chosen: its own place and level
                # names give way to the new ones
                question = qa.without_context(question) or ANSWER_TOPICS.get(last_topic or "", question)
                prior_intent = TOPIC_INTENTS.get(last_topic or "")
            if not question:
                return self._menu(dispatcher, region, level)
        if text.startswith("/") or question != text:
            reply = qa.answer(question, today(), region=region, level=level, intent=prior_intent, level_said=level_said)
        else:
            # typed: a question of its own, or a follow-up of the last one (policies.conversation)
            memory = Memory(region, level, last_question, last_topic)
            reply = answer_turn(qa, text, today(), memory, intent=intent, level_said=level_said)
            question = memory.last_question or text
        events: List[EventType] = [SlotSet("last_question", question), SlotSet("last_topic", reply.topic)]
        extra: List[Dict[str, Any]] = []
        if reply.kind == "wrong_level" or (tracker.get_slot("level") and level is None):
            events.append(SlotSet("level", None))
        elif reply.notice is not None:
            if reply.notice.region.code != region:
                events.append(SlotSet("region", reply.notice.region.code))
            if reply.level != level and (reply.level is not None or level not in reply.notice.levels):
                events.append(SlotSet("level", reply.level))
            extra, fact_events = self._offer_assessment(tracker, reply, reply.notice, question)
            events += fact_events
        if reply.kind in ("out_of_scope", "fraud"):
            record_unanswered(tracker)
        utter_reply(dispatcher, reply, extra)
        return events

    @staticmethod
    def _offer_assessment(
        tracker: Tracker, reply: Reply, notice: Notice, question: str, yes_no_only: bool = True
    ) -> Tuple[List[Dict[str, Any]], List[EventType]]:
        """A yes/no question about the applicant's own case ("大专能评高工吗") is answered from the
        rule items; then the pre-assessment is offered, starting from the facts already typed.
        ``notice``: the reply's notice (``reply.notice``, known not to be None)."""
        if (
            reply.kind != "answer"
            or notice.eligibility is None
            or (yes_no_only and not YES_NO.search(question.strip()))
        ):
            return [], []
        if reply.topic not in (
            "conditions",
            "exceptional_routes",
            "who_may_apply",
            "papers",
            "continuing_education",
            "series_transfer",
        ):
            return [], []
        parsed = parse_facts(question, load_catalogue(), today(), None, places_of(tracker))
        events = [SlotSet(PREFIX + k, v) for k, v in parsed.facts.items() if tracker.get_slot(PREFIX + k) is None]
        return [{"title": "按我的情况评估", "payload": "/ask_eligibility"}], events

    def _show_all(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        said = latest_entities(tracker, "topic")
        if (said[:1] == [VERDICT_TOPIC] or (not said and _after_a_verdict(tracker))) and show_conditions(
            dispatcher, tracker
        ):
            return []
        topic = (said or [tracker.get_slot("last_topic")])[0]
        region, level = tracker.get_slot("region"), tracker.get_slot("level")
        notices = notice_index().find(region=region) if region else []
        notice = next((n for n in notices if level in n.levels), notices[0] if notices else None)
        if notice is None or topic not in ANSWER_TOPICS:
            dispatcher.utter_message(
                text="请先告诉我您要查哪个地区的通知。", buttons=[notice_button(n) for n in notice_index().all()]
            )
            return []
        full = qa_for(notice_index()).topic_reply(notice, topic, today(), level)
        utter_reply(dispatcher, full)
        return [SlotSet("last_topic", topic)]

    def _menu(self, dispatcher: CollectingDispatcher, region: Optional[str], level: Optional[str]) -> List[EventType]:
        """A region (or level) alone, and no question yet: which notice, then what to ask."""
        notices = notice_index().find(region=region) if region else []
        fitting = [n for n in notices if level is None or level in n.levels]
        if len(fitting) == 1 or len(notices) == 1:
            notice = (fitting or notices)[0]
            dispatcher.utter_message(
                text=f"好的，按{notice.region.city}的通知（{notice.doc_number}，{levels_text(notice.levels)}）为您查询。想了解什么？",
                buttons=[{"title": ANSWER_TOPICS[t], "payload": f"/{TOPIC_INTENTS[t]}"} for t in MENU_TOPICS],
            )
            events: List[EventType] = []
            if level and level not in notice.levels:
                events.append(SlotSet("level", None))
            return events
        dispatcher.utter_message(
            text="请问您在哪个地区、申报哪个级别？目前收录的通知如下，请选择：",
            buttons=[notice_button(n) for n in (notices or notice_index().all())],
        )
        return []


def _after_a_verdict(tracker: Tracker) -> bool:
    """The assistant's last message was a verdict (its answer context has the verdict's topic): a
    typed "全部列出来" then asks for its conditions."""
    last = next((e for e in reversed(tracker.events) if e.get("event") == "bot"), None)
    answer = answer_of(last) if last is not None else None
    return answer is not None and answer.get("topic") == VERDICT_TOPIC

"""The pre-assessment conversation: a thin adapter over the core interview
(``policies.eligibility.interview``): slots in, the interview's next question out.

- ``validate_assessment_form`` reads every fact in the user's message (not only the one asked),
  keeps corrections, and returns as required slots the interview's next question; questioning
  stops as soon as the verdict is settled. "不清楚" is stored as the core's ``DONT_KNOW``. What it
  read from a typed message is shown back in one line before the next question ("我记下了：…");
  "不对，是2018年" then corrects the facts shown ("好的，已改为：…").
- ``action_ask_region`` / ``action_ask_assess_level`` ask which notice and level, with buttons.
- ``action_assessment_result`` words the verdict, saves it (with the number of questions asked,
  ``questions_asked``) and gives a case code.
- ``action_reset_assessment`` forgets the facts for a fresh start.
The questions for facts are ``utter_ask_fact_<name>`` responses generated from the catalogue.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import OrderedDict
from functools import cache
from typing import Any, Dict, List, Optional, Set, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.context import inform_payload, intent_payload, level_button, notice_index, storage, today
from bot.storage.feedback import ANSWER_KEY, new_answer_id
from policies import LEVEL_NAMES, Notice
from policies.answers import VERDICT_TOPIC
from policies.eligibility import Assessor, load_catalogue
from policies.eligibility.explain import as_record, deciding, render, render_all
from policies.eligibility.interview import DONT_KNOW, DONT_KNOW_LABEL, NONE_OF_THESE, Interview, Question, Step
from policies.eligibility.priors import PERIOD, Priors
from policies.eligibility.reader import (
    parse_checklist,
    parse_exclusions,
    parse_facts,
    parse_together,
    read_correction,
)
from policies.places import reading_names

PREFIX = "fact_"
# Questions about several facts (issue 13), one slot each, never filled itself — the answer is read
# into the individual facts: the exclusions (公务员? 退休? 处分? …) and a checklist (在简阳工作?
# 档案在简阳? …) as multi-choice questions, and facts stated together (职称 and its date).
EXCLUSIONS_SLOT = PREFIX + "exclusions"
CHECKLIST_SLOT = PREFIX + "checklist"
TOGETHER_SLOT = PREFIX + "together"
GROUP_SLOTS = {"exclusions": EXCLUSIONS_SLOT, "checklist": CHECKLIST_SLOT, "together": TOGETHER_SLOT}
# The facts shown back to the applicant (issue 21, "shown back before it counts"), each once, those of
# the latest echo last in the order read: a correction's bare value ("不对，是2018年") goes to the
# latest of them it fits.
ECHOED_SLOT = "echoed_facts"
CORRECTION_HINT = "有不对的直接告诉我，比如“不对，是2018年”。"  # with the first echo of a conversation
ECHO_LIMIT = 90  # characters of facts in the echo: one line on a phone
# What starts an assessment afresh in a conversation: 重新开始 or a new session. A verdict does not:
# a correction's re-assessment needed the answers given before it as well.
ASSESSMENT_STARTS = ("action_reset_assessment",)


@cache
def _interview(notice_id: str) -> Interview:
    notice = notice_index().get(notice_id)
    if notice is None:  # callers pass the id of a notice just found in the index
        raise KeyError(notice_id)
    return Interview(Assessor(notice))


logger = logging.getLogger(__name__)
SLOW_READ = 2.0  # seconds: reading the priors slower than this is logged (a turn has 10)
_WEIGHED: OrderedDict[Tuple[str, int], Interview] = OrderedDict()  # (notice, hour) → its interview
WEIGHED_KEPT = 16


def assessment_start(events: List[Dict[str, Any]]) -> int:
    """The index of the first event of the conversation's current assessment: the one after the
    last 重新开始 or new session."""
    start = 0
    for i, event in enumerate(events):
        kind = event.get("event")
        if (kind == "action" and event.get("name") in ASSESSMENT_STARTS) or kind in ("session_started", "restart"):
            start = i + 1
    return start


def assessment_began(events: List[Dict[str, Any]]) -> Optional[float]:
    """When the conversation's current assessment began (a timestamp): its first event with one."""
    for event in events[assessment_start(events) :]:
        stamp = event.get("timestamp")
        if isinstance(stamp, (int, float)):
            return float(stamp)
    return None


def weighed_interview(notice_id: str, began: Optional[float]) -> Interview:
    """The notice's interview weighing its next question by the answers of the assessments saved
    before the hour ``began`` falls in (policies.eligibility.priors; the hand-set order with fewer
    than MIN_SAVED of them). Every Rasa pod and action server reads the same rows for the same hour,
    so a conversation is asked in one order to its end, whichever server answers it; a question
    asked is the question its answer is read for (``asked_question``)."""
    base = _interview(notice_id)
    if began is None:
        return base
    key = (notice_id, int(began // PERIOD))
    found = _WEIGHED.get(key)
    if found is not None:
        _WEIGHED.move_to_end(key)
        return found
    before = dt.datetime.utcfromtimestamp(key[1] * PERIOD)
    started = time.perf_counter()
    try:
        priors = Priors.of(storage().recent_answers(notice_id, before=before))
    except SQLAlchemyError as e:  # the hand-set order this turn; read again on the next
        logger.warning("priors of %s not read (%s): the hand-set order", notice_id, type(e).__name__)
        return base
    took = time.perf_counter() - started
    if took > SLOW_READ:
        logger.warning("priors of %s read in %.1f s (the database's first connection?)", notice_id, took)
    weighed = base
    if priors is not None:
        weighed = Interview(base.assessor, base.catalogue)
        weighed.use_priors(priors)
    _WEIGHED[key] = weighed
    while len(_WEIGHED) > WEIGHED_KEPT:
        _WEIGHED.popitem(last=False)
    return weighed


def assessable_notices() -> List[Notice]:
    return [n for n in notice_index().all() if n.eligibility is not None]


def region_notices(tracker: Tracker) -> List[Notice]:
    """Notices with rules for the region in the conversation ([] when none or unknown)."""
    region = tracker.get_slot("region")
    return [n for n in assessable_notices() if n.region.code == region] if region else []


def places_of(tracker: Tracker) -> List[str]:
    """The names of the conversation's place (its notices' region: city, aliases and the districts
    and counties under it), so that "在简阳上班" or "在潞城区上班" reads as working there; [] when no
    region is known."""
    return sorted({name for n in region_notices(tracker) for name in reading_names(n.region)})


def notice_for(tracker: Tracker) -> Tuple[Optional[Notice], Optional[str]]:
    level = tracker.get_slot("assess_level")
    notices = region_notices(tracker)
    if not notices:
        return None, None
    if level:
        fitting = [n for n in notices if n.eligibility and level in n.eligibility.levels]
        return (fitting[0], level) if fitting else (notices[0], None)
    return notices[0], None


def raw_facts(tracker: Tracker) -> Dict[str, Any]:
    return {
        k[len(PREFIX) :]: v
        for k, v in tracker.slots.items()
        if k.startswith(PREFIX) and k not in GROUP_SLOTS.values() and v is not None
    }


def interview_step(tracker: Tracker, limit: Optional[int] = 1) -> Optional[Step]:
    """The interview on the facts in the slots: verdict and the next question (None without a
    notice and level)."""
    notice, level = notice_for(tracker)
    if notice is None or level is None:
        return None
    interview = weighed_interview(notice.id, assessment_began(tracker.events))
    return interview.step(level, raw_facts(tracker), limit=limit, grouped=True)


def slot_for(question: Question) -> str:
    return GROUP_SLOTS.get(question.type) or PREFIX + question.fact


def asked_question(tracker: Tracker) -> Optional[Question]:
    """The question the user is answering: the interview's first, on the facts before this message."""
    step = interview_step(tracker)
    return step.questions[0] if step and step.questions else None


def _level_applied_for(tracker: Tracker, levels: List[str]) -> Optional[str]:
    """The level the message asks about, not the title held: in "我能报长治工程师吗？…2017年拿的
    助工" both are level entities, and the held one is the applicant's current title."""
    said = [e.get("value") for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "level"]
    if len(said) < 2:
        return None
    held = parse_facts(tracker.latest_message.get("text") or "", load_catalogue(), today()).facts.get("current_title")
    return next((lv for lv in said if lv in levels and lv != held), None)


def questions_asked(events: List[Dict[str, Any]]) -> int:
    """How many fact questions the form asked to reach this verdict: since the last 重新开始 or
    new session in the conversation's events, which the tracker the action server gets holds in
    full (a correction's re-assessment counts the first interview's questions too). The form asks by setting ``requested_slot`` and uttering the question; a question
    asked again (an answer not understood, the form resumed after an interruption) counts once;
    a grouped question (the exclusions, a checklist, facts asked together) counts once. The
    checklist and together slots serve several questions in turn, so for them the question's
    wording tells one from another. The notice and level (地区、级别) are not counted, as in
    ``policies.eligibility.questions``."""
    start = assessment_start(events)
    asked: Set[Tuple[str, Optional[str]]] = set()
    pending: Optional[str] = None  # a shared group slot just requested, waiting for its wording
    for event in events[start:]:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            pending = None
            slot = event.get("value")
            if not isinstance(slot, str) or not slot.startswith(PREFIX):
                continue
            if slot in (CHECKLIST_SLOT, TOGETHER_SLOT):
                pending = slot
            else:
                asked.add((slot, None))
        elif kind == "bot" and pending is not None:
            asked.add((pending, event.get("text") or ""))
            pending = None
    return len(asked)


def typed_answer(tracker: Tracker, text: str) -> bool:
    """Whether the applicant typed the message: not a button, whose payload is an intent ("/inform…")
    or the label of an option of the question asked (都没有, 不清楚, 本科 …)."""
    text = text.strip()
    if not text or text.startswith("/"):
        return False
    catalogue = load_catalogue()
    labels = {NONE_OF_THESE, DONT_KNOW_LABEL}
    requested = (tracker.get_slot("requested_slot") or "")[len(PREFIX) :]
    if requested in catalogue.specs:
        labels.update(catalogue.options(requested).values())
    asked = asked_question(tracker)
    if asked is not None:
        labels.update(asked.options.values())
    return text not in labels


def echo_facts(
    dispatcher: CollectingDispatcher, tracker: Tracker, events: List[EventType], corrected: bool = False
) -> List[EventType]:
    """Show back in one line the facts just read from a typed message, before they count (issue 21):
    "我记下了：现职称助理工程师；2017年7月取得。" — with how to correct it, the first time in the
    conversation — or, for a correction, "好的，已改为：2018年12月取得。". 不清楚 is not shown back.
    Returns the event keeping the facts shown (``ECHOED_SLOT``, these last); nothing when nothing
    was read."""
    catalogue = load_catalogue()
    read = {
        str(e.get("name"))[len(PREFIX) :]: e.get("value")
        for e in events
        if e.get("event") == "slot" and str(e.get("name") or "").startswith(PREFIX) and e.get("value") != DONT_KNOW
    }
    notice, level = notice_for(tracker)
    if notice is not None and level is not None:  # a tick on 满2年 is "2年以上"
        read = _interview(notice.id).values(level, read)
    shown = catalogue.coerce(read)  # ISO dates → dates, [2, 3] → 2–3, as said expects; None and unknown names dropped
    line = catalogue.recap(shown, shown, limit=ECHO_LIMIT)
    if not line:
        return []
    if corrected:
        text = f"好的，已改为：{line}。"
    else:
        hinted = any(CORRECTION_HINT in (e.get("text") or "") for e in tracker.events if e.get("event") == "bot")
        text = f"我记下了：{line}。" + ("" if hinted else CORRECTION_HINT)
    dispatcher.utter_message(text=text)
    before = [f for f in tracker.get_slot(ECHOED_SLOT) or [] if f not in shown]
    return [SlotSet(ECHOED_SLOT, before + list(shown))]


class ValidateAssessmentForm(FormValidationAction):  # type: ignore[misc]  # rasa_sdk is untyped (Any)
    def name(self) -> str:
        return "validate_assessment_form"

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        step = interview_step(tracker)
        if step is None:
            return ["region", "assess_level"]
        return ["region", "assess_level"] + [slot_for(q) for q in step.questions]

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        requested = tracker.get_slot("requested_slot") or ""
        text = tracker.latest_message.get("text") or ""
        typed = typed_answer(tracker, text)
        recent = list(tracker.get_slot(ECHOED_SLOT) or [])
        corrected = read_correction(text, load_catalogue(), today(), recent) if typed else {}
        events: List[EventType]
        if corrected:  # "不对，是2018年": replaces what was read before, whatever is asked now
            events = [SlotSet(PREFIX + name, value) for name, value in corrected.items()]
        elif requested == EXCLUSIONS_SLOT:
            events = self._exclusion_events(tracker, text)
        elif requested in (CHECKLIST_SLOT, TOGETHER_SLOT):
            events = self._group_events(tracker, text)
        else:
            fact = requested[len(PREFIX) :] if requested.startswith(PREFIX) else None
            parsed = parse_facts(text, load_catalogue(), today(), fact, places_of(tracker))
            events = [SlotSet(PREFIX + name, value) for name, value in parsed.facts.items()]
            if parsed.dont_know and fact:
                events.append(SlotSet(requested, DONT_KNOW))
        if typed:
            events += echo_facts(dispatcher, tracker, events, corrected=bool(corrected))
        return events + self._level_events(tracker, dispatcher)

    @staticmethod
    def _exclusion_events(tracker: Tracker, text: str) -> List[EventType]:
        """The answer to the exclusions asked together: each exclusion fact set (不清楚: each
        recorded as not known), plus any other fact the message states in passing."""
        notice, _ = notice_for(tracker)
        if notice is None:
            return []
        known = raw_facts(tracker)
        asked = [f for f in _interview(notice.id).flags if f not in known]
        if not asked:
            return []
        parsed = parse_exclusions(text, asked, load_catalogue())
        values = {f: DONT_KNOW for f in asked} if parsed.dont_know else dict(parsed.facts)
        if not parsed.dont_know:
            passing = parse_facts(text, load_catalogue(), today(), places=places_of(tracker)).facts
            values.update({f: v for f, v in passing.items() if f not in asked})
        return [SlotSet(PREFIX + f, v) for f, v in values.items()]

    @staticmethod
    def _group_events(tracker: Tracker, text: str) -> List[EventType]:
        """The answer to a checklist or to facts asked together, plus any other fact stated."""
        asked = asked_question(tracker)
        if asked is None or not (asked.together or asked.type == "checklist"):
            return []
        catalogue = load_catalogue()
        if asked.together:
            values = parse_together(text, asked.facts, catalogue, today())
        else:
            parsed = parse_checklist(text, asked.facts, asked.options, catalogue)
            values = (
                {f: DONT_KNOW for f in asked.facts} if parsed.dont_know and not parsed.facts else dict(parsed.facts)
            )
        if values or not asked.together:
            passing = parse_facts(text, catalogue, today(), places=places_of(tracker)).facts
            # a checklist answered in words ("第一作者的论文两三篇"): what they state, its lines too
            values.update({f: v for f, v in passing.items() if not values or f not in asked.facts})
        return [SlotSet(PREFIX + f, v) for f, v in values.items()]

    @staticmethod
    def _level_events(tracker: Tracker, dispatcher: CollectingDispatcher) -> List[EventType]:
        """Fix the level to assess: the only one of the notice, or the level said / chosen.

        Once set it stays (a title named in a later answer is the applicant's current title, not
        the level applied for); 重新开始 clears it.
        """
        notices = region_notices(tracker)
        if not notices:
            return []
        levels = [lv for n in notices if n.eligibility is not None for lv in n.eligibility.levels]
        current = tracker.get_slot("assess_level")
        if current in levels:
            return []
        said = _level_applied_for(tracker, levels) or tracker.get_slot("level")
        if len(levels) == 1:
            return [SlotSet("assess_level", levels[0])]
        if said in levels:
            return [SlotSet("assess_level", said)]
        if said and said != "junior" and tracker.get_slot("requested_slot") in (None, "assess_level"):
            names = "、".join(LEVEL_NAMES[lv] for lv in levels)
            dispatcher.utter_message(text=f"{notices[0].region.city}的通知只涉及{names}。")
        return [SlotSet("assess_level", None)] if current else []

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        # The base class keeps only slots still in required_slots, recomputed after extraction:
        # an answered fact is no longer needed, so it would be dropped. Keep every fact extracted.
        facts = {k: v for k, v in tracker.slots_to_validate().items() if k.startswith(PREFIX) or k == ECHOED_SLOT}
        events: List[EventType] = await super().get_validation_events(dispatcher, tracker, domain)
        kept = {e.get("name") for e in events}
        return events + [SlotSet(k, v) for k, v in facts.items() if k not in kept]

    async def validate_region(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value in {n.region.code for n in assessable_notices()}:
            return {"region": value}
        dispatcher.utter_message(text="这个地区的通知我还没有收录，暂时不能评估。")
        return {"region": None}


class ActionAskRegion(Action):  # type: ignore[misc]  # rasa_sdk is untyped (Any)
    def name(self) -> str:
        return "action_ask_region"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        buttons = [
            {"title": n.short_name, "payload": inform_payload(region=n.region.code)} for n in assessable_notices()
        ]
        dispatcher.utter_message(text="请问您在哪个地区申报？", buttons=buttons)
        return []


class ActionAskExclusions(Action):  # type: ignore[misc]  # rasa_sdk is untyped (Any)
    """The exclusions as one question: a button per exclusion, 都没有 and 不清楚 (typed answers such
    as "退休了，也在处分期" are read by the form)."""

    def name(self) -> str:
        return "action_ask_fact_exclusions"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        asked = asked_question(tracker)
        if asked is None or asked.type != "exclusions":
            return []
        lines = "\n".join(f"· {label}" for label in asked.options.values())
        titles = list(asked.options.values()) + [NONE_OF_THESE, DONT_KNOW_LABEL]
        dispatcher.utter_message(text=f"{asked.text}\n{lines}", buttons=[{"title": t, "payload": t} for t in titles])
        return []


class ActionAskChecklist(Action):  # type: ignore[misc]  # rasa_sdk is untyped (Any)
    """A checklist as one question: numbered lines, answered with the numbers (1 3) or in words.
    No buttons: one button per line would tick only one, and WeChat shows buttons as a numbered
    menu whose numbers would clash with the lines'."""

    def name(self) -> str:
        return "action_ask_fact_checklist"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        asked = asked_question(tracker)
        if asked is None or asked.type != "checklist":
            return []
        lines = "\n".join(f"{i}. {label}" for i, label in enumerate(asked.options.values(), 1))
        dispatcher.utter_message(
            text=f"{asked.text}\n{lines}\n请回复符合的编号，可多个（如“1 3”）；"
            f"也可回复“都符合”“{asked.none_label}”或“不清楚”。"
        )
        return []


class ActionAskTogether(Action):  # type: ignore[misc]  # rasa_sdk is untyped (Any)
    """Facts people state together, as one question (free text: 助工，2018年7月)."""

    def name(self) -> str:
        return "action_ask_fact_together"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        asked = asked_question(tracker)
        if asked is None or not asked.together:
            return []
        dispatcher.utter_message(text=asked.text, buttons=[{"title": DONT_KNOW_LABEL, "payload": DONT_KNOW_LABEL}])
        return []


class ActionAskLevel(Action):  # type: ignore[misc]  # rasa_sdk is untyped (Any)
    def name(self) -> str:
        return "action_ask_assess_level"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        notice, _ = notice_for(tracker)
        levels = list(notice.eligibility.levels) if notice and notice.eligibility else list(LEVEL_NAMES)
        dispatcher.utter_message(text="请问您申报哪个级别？", buttons=[level_button(lv) for lv in levels])
        return []


class ActionAssessmentResult(Action):  # type: ignore[misc]  # rasa_sdk is untyped (Any)
    def name(self) -> str:
        return "action_assessment_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        step = interview_step(tracker, limit=3)
        if step is None:
            dispatcher.utter_message(text="还不知道您的地区和级别，暂时无法评估。请说“我能报吗”重新开始。")
            return []
        result = step.result
        notice = notice_index().get(result.notice_id)
        code = storage().save_assessment(
            notice_id=result.notice_id,
            level=result.level,
            verdict=result.verdict,
            facts=raw_facts(tracker),
            result=as_record(result),
            channel=tracker.get_latest_input_channel() or "unknown",
            sender_id=tracker.sender_id,
            questions=questions_asked(tracker.events),
        )
        if notice is None:  # the result is of a notice in the index (notice_for)
            raise KeyError(result.notice_id)
        text = render(result, notice, today(), step.facts)
        clauses = [{"notice": notice.id, "clause": c.clause} for c in deciding(result)]
        context = {"id": new_answer_id(), "notice": notice.id, "topic": VERDICT_TOPIC, "clauses": clauses[:12]}
        dispatcher.utter_message(
            text=f"{text}\n{case_code_line(code)}", buttons=[SHOW_CONDITIONS_BUTTON], **{ANSWER_KEY: context}
        )
        return [SlotSet("case_code", code)]


# The verdict's button: every condition behind it (action_answer_notice, show_all with this topic).
SHOW_CONDITIONS_BUTTON = {"title": "查看全部条件", "payload": intent_payload("show_all", topic=VERDICT_TOPIC)}


def case_code_line(code: str) -> str:
    """What the case code is for: staff open this assessment with it (facts, verdict, clauses)."""
    return f"评估编号：{code}。咨询时报这个编号，工作人员可直接调出这次评估，不用从头再说。"


def show_conditions(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """查看全部条件: every condition behind the latest verdict, from the facts in the slots. False
    when there is no assessment to show (no notice and level yet)."""
    step = interview_step(tracker, limit=3)
    if step is None:
        return False
    dispatcher.utter_message(text=render_all(step.result))
    return True


class ActionResetAssessment(Action):  # type: ignore[misc]  # rasa_sdk is untyped (Any)
    def name(self) -> str:
        return "action_reset_assessment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events = [SlotSet(k, None) for k, v in tracker.slots.items() if k.startswith(PREFIX) and v is not None]
        dispatcher.utter_message(text="好的，我们从头开始。")
        return events + [
            SlotSet("case_code", None),
            SlotSet(ECHOED_SLOT, None),
            SlotSet("level", None),
            SlotSet("assess_level", None),
            SlotSet("requested_slot", None),
        ]


class ActionFactHint(Action):  # type: ignore[misc]  # rasa_sdk is untyped (Any)
    def name(self) -> str:
        return "action_fact_hint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(
            text="抱歉，没听懂这个回答。可以点选项或直接回答；不确定的说“不清楚”；说“算了”可以停止评估。"
        )
        return []

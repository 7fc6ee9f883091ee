"""How many questions an assessment took (``assessments.questions``, the dashboard's median and
P90): counted from the conversation's events as Rasa hands them to the action server — on event
streams built with Rasa's own event classes, and end to end through the real Rasa and action
servers (tests/e2e/test_assessment_e2e.py), where the count saved must equal the questions the
applicant was actually asked."""

from __future__ import annotations

from typing import List

from rasa.shared.core.events import ActionExecuted, BotUttered, Restarted, SessionStarted, SlotSet, UserUttered

from actions.assessment import ActionAssessmentResult, questions_asked
from bot.storage.assessments import Storage
from tests.e2e.applicant import CASE_CODE

DOMAIN = {"forms": {"assessment_form": {"required_slots": ["region", "assess_level"]}}, "slots": {}}


def ask(slot: str, text: str) -> List[dict]:
    """What the form logs when it asks: the requested slot, then the question."""
    return [SlotSet("requested_slot", slot).as_dict(), BotUttered(text).as_dict()]


def answer(text: str, **facts) -> List[dict]:
    return [
        ActionExecuted("action_listen").as_dict(),
        UserUttered(text).as_dict(),
        ActionExecuted("assessment_form").as_dict(),
    ] + [SlotSet("fact_" + name, value).as_dict() for name, value in facts.items()]


def test_each_question_counts_once_and_the_notice_and_level_not_at_all():
    events = (
        ask("region", "请问您在哪个地区申报？")
        + answer("长治")
        + ask("assess_level", "请问您申报哪个级别？")
        + answer("工程师")
        + ask("fact_current_title", "您现在的职称是？")
        + answer("听不懂的话")
        + ask("fact_current_title", "您现在的职称是？")  # asked again: not understood
        + answer("助工", current_title="assistant_engineer")
        + ask("fact_education", "您的最高学历是？")
        + answer("评审费多少")
        + [ActionExecuted("action_answer_notice").as_dict(), BotUttered("评审费300元").as_dict()]
        + ask("fact_education", "您的最高学历是？")  # the form resumes after the interruption
        + answer("本科", education="bachelor")
        + ask("fact_exclusions", "以下情形您有吗？\n· 公务员\n· 退休")
        + answer("都没有", civil_servant=False, retired=False)
    )
    assert questions_asked(events) == 3


def test_questions_sharing_a_group_slot_are_told_apart_by_their_wording():
    events = (
        ask("fact_together", "您的职称和取得时间？")
        + answer("助工，2017年6月")
        + ask("fact_together", "您的学历和专业是否对口？")
        + answer("本科，对口")
        + ask("fact_together", "您的学历和专业是否对口？")
        + answer("嗯")  # the same one again
        + ask("fact_checklist", "以下哪些符合？\n1. 在简阳工作\n2. 档案在简阳")
        + answer("1 2")
        + ask("fact_checklist", "以下哪些符合？\n1. 考核合格\n2. 继续教育")
        + answer("都符合")
    )
    assert questions_asked(events) == 4


def test_a_verdict_counts_every_question_since_the_assessment_began():
    first = (
        ask("fact_current_title", "您现在的职称是？") + answer("助工") + ask("fact_papers", "论文几篇？") + answer("1")
    )
    verdict = [ActionExecuted("action_assessment_result").as_dict(), BotUttered("不符合……评估编号：X").as_dict()]
    correction = answer("不对，我发了两篇论文") + ask("fact_skill_level", "技能等级？") + answer("没有")
    assert questions_asked(first) == 2
    # the re-run after a correction needed the first interview's answers too
    assert questions_asked(first + verdict + correction) == 3
    assert questions_asked(first + verdict) == 2
    reset = [ActionExecuted("action_reset_assessment").as_dict()]
    assert questions_asked(first + reset + ask("fact_papers", "论文几篇？")) == 1  # 重新开始
    assert questions_asked(first + [SessionStarted().as_dict()] + ask("fact_papers", "论文几篇？")) == 1
    assert questions_asked(first + [Restarted().as_dict()]) == 0
    assert questions_asked([]) == 0
    assert questions_asked(answer("能报吗") + [SlotSet("requested_slot", None).as_dict()]) == 0


async def test_the_result_saves_the_count(load_tracker, dispatcher, own_database):
    tracker = load_tracker("form_complete_eligible")
    tracker.slots["fact_assessment_ok_latest"] = True
    tracker.events = (
        ask("fact_current_title", "您现在的职称是？")
        + answer("助工")
        + ask("fact_exclusions", "以下情形您有吗？")
        + answer("都没有")
    )
    events = await ActionAssessmentResult().run(dispatcher, tracker, DOMAIN)
    code = next(e["value"] for e in events if e.get("name") == "case_code")
    assert CASE_CODE.search(dispatcher.messages[0]["text"]).group(1) == code
    assert Storage(own_database).find_assessment(code).questions == 2

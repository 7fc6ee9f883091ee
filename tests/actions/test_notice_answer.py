"""action_answer_notice against tracker fixtures: the reply a user sees and the slots it sets."""

import json

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import ActionAnswerNotice, ActionEligibilityEntry, ActionHumanHandoff, ActionScopeHelp
from bot.storage.assessments import Storage


async def run(action, dispatcher, tracker):
    events = await action.run(dispatcher, tracker, {})
    return events, dispatcher.messages


def texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


def payloads(messages):
    return [b["payload"] for m in messages for b in m.get("buttons", [])]


async def test_fee_with_region_and_level(load_tracker, dispatcher):
    events, msgs = await run(ActionAnswerNotice(), dispatcher, load_tracker("fee_asked_jianyang_senior"))
    assert "320元" in texts(msgs) and "简人社职〔2020〕33号" in texts(msgs)
    assert SlotSet("last_topic", "fees") in events


async def test_fee_without_region_answers_each_notice_labelled_with_a_button_per_notice(load_tracker, dispatcher):
    events, msgs = await run(ActionAnswerNotice(), dispatcher, load_tracker("fee_asked_no_region"))
    text = texts(msgs)
    assert "您没有说地区" in text and "长治2022：工程师评审费：每人300元" in text and "重庆2024" in text
    assert len(payloads(msgs)) == 5  # a button per notice to narrow down
    assert SlotSet("last_topic", "fees") in events  # the pending question is remembered
    assert SlotSet("last_question", "评审费多少钱") in events
    assert all(p.startswith("/inform{") for p in payloads(msgs))
    assert json.loads(payloads(msgs)[0][len("/inform") :])["region"]


async def test_level_without_region_offers_only_notices_with_that_level(load_tracker, dispatcher):
    _, msgs = await run(ActionAnswerNotice(), dispatcher, load_tracker("fee_asked_senior_no_region"))
    regions = {json.loads(p[len("/inform") :])["region"] for p in payloads(msgs)}
    assert regions == {"jianyang", "pingliang", "chongqing"}


async def test_huzhou_fee_not_stated(load_tracker, dispatcher):
    _, msgs = await run(ActionAnswerNotice(), dispatcher, load_tracker("fee_asked_huzhou"))
    assert "没有写明" in texts(msgs) and "浙价费〔2002〕229号" in texts(msgs)


async def test_switch_region_keeps_topic_and_drops_unfit_level(load_tracker, dispatcher):
    events, msgs = await run(
        ActionAnswerNotice(), dispatcher, load_tracker("switched_to_chongqing_after_changzhi_engineer_fee")
    )
    assert "420元" in texts(msgs) and "渝经信职改办〔2024〕16号" in texts(msgs)
    assert "只涉及高级工程师" in texts(msgs)
    assert SlotSet("level", None) in events


async def test_junior_answers_both_junior_levels_labelled_and_offers_each(load_tracker, dispatcher):
    events, msgs = await run(ActionAnswerNotice(), dispatcher, load_tracker("junior_asked_changzhi"))
    text = texts(msgs)
    assert "助理工程师评审费：每人260元" in text and "技术员评审费：每人260元" in text
    assert "工程师评审费：每人300元" not in text  # 初级 is never 中级
    assert SlotSet("level", None) in events


async def test_level_not_in_region_says_so_without_a_figure(load_tracker, dispatcher):
    _, msgs = await run(ActionAnswerNotice(), dispatcher, load_tracker("engineer_asked_jianyang"))
    text = texts(msgs)
    assert "简阳市" in text and "没有工程师的评审安排" in text and "320" not in text
    assert any('"region":"changzhi"' in p for p in payloads(msgs))


async def test_payment_window_relative_to_today(load_tracker, dispatcher):
    events, msgs = await run(ActionAnswerNotice(), dispatcher, load_tracker("payment_deadline_chongqing"))
    text = texts(msgs)
    assert "2024年10月28日至2024年11月11日" in text and "还剩12天" in text
    assert "网上申报" not in text  # only the window asked about
    assert text.index("评审缴费") < 40  # first, right after the header
    assert SlotSet("last_topic", "windows") in events


async def test_region_only_offers_topics(load_tracker, dispatcher):
    _, msgs = await run(ActionAnswerNotice(), dispatcher, load_tracker("region_only_no_topic"))
    assert "平工信发〔2022〕138号" in texts(msgs)
    assert "/ask_fee" in payloads(msgs) and "/ask_deadline" in payloads(msgs)


async def test_conditions_for_multi_level_notice_give_the_common_part_and_a_button_per_level(load_tracker, dispatcher):
    _, msgs = await run(ActionAnswerNotice(), dispatcher, load_tracker("conditions_changzhi_no_level"))
    assert '/inform{"level":"engineer"}' in payloads(msgs)
    assert '/show_all{"topic":"conditions"}' in payloads(msgs)
    assert len(texts(msgs)) <= 250


async def test_a_point_asked_gets_that_point_and_the_whole_topic_one_tap_away(load_tracker, dispatcher):
    _, msgs = await run(ActionAnswerNotice(), dispatcher, load_tracker("papers_count_asked_changzhi_engineer"))
    text = texts(msgs)
    assert text.splitlines()[1].startswith("· 任助理工程师期间须发表学术论文2篇以上") and "三（一）4" in text
    assert len(text) <= 250
    assert any(p.startswith("/show_all") for p in payloads(msgs))


async def test_show_all_gives_the_whole_topic(load_tracker, dispatcher):
    _, msgs = await run(ActionAnswerNotice(), dispatcher, load_tracker("show_all_papers_changzhi_engineer"))
    text = texts(msgs)
    assert "2篇以上" in text and "2000字" in text and "25%" in text and len(text) > 250


async def test_a_yes_no_question_is_answered_and_offers_the_assessment_without_taking_it_as_a_fact(
    load_tracker, dispatcher
):
    """ "大专能评简阳高工吗" asks about 大专 holders; it does not say the asker is one (issue 21: a
    question states no fact), so the assessment it offers asks the education again."""
    events, msgs = await run(ActionAnswerNotice(), dispatcher, load_tracker("yes_no_college_asked_jianyang"))
    text = texts(msgs)
    assert "大专" in text.splitlines()[1] and "二（四）" in text
    assert "/ask_eligibility" in payloads(msgs)
    assert not [e for e in events if e.get("name", "").startswith("fact_")]


async def test_out_of_scope_says_what_is_covered_and_keeps_the_question(load_tracker, dispatcher, own_database):
    _, msgs = await run(ActionScopeHelp(), dispatcher, load_tracker("out_of_scope_in_changzhi"))
    text = texts(msgs)
    assert "不在我能回答的范围" in text and "长治2022" in text and "重庆2024" in text
    assert "元" not in text and "〔" not in text  # no figure, no clause of a notice
    # and the question waits in the staff inbox
    inbox = Storage(own_database).list_unanswered()
    assert [row.text for row in inbox] == ["明天天气怎么样"]


async def test_low_confidence_but_clearly_a_notice_question_is_answered(load_tracker, dispatcher, own_database):
    _, msgs = await run(ActionScopeHelp(), dispatcher, load_tracker("fallback_paper_email_changzhi"))
    assert "czsjxwzpwzy@163.com" in texts(msgs)
    assert Storage(own_database).list_unanswered() == []


async def test_human_handoff_lists_every_notice_contact(load_tracker, dispatcher):
    _, msgs = await run(ActionHumanHandoff(), dispatcher, load_tracker("human_asked_no_region"))
    for phone in ("27028373", "2033099", "0933-8232911", "0355-3036240", "023-63899976"):
        assert phone in texts(msgs)


async def test_uncovered_place_is_named_not_guessed(load_tracker, dispatcher):
    _, msgs = await run(ActionAnswerNotice(), dispatcher, load_tracker("fee_asked_senior_in_uncovered_beijing"))
    text = texts(msgs)
    assert "北京的职称评审不在我能回答的范围内" in text
    assert "元" not in text


# --- "我能报吗": assess, or answer the one condition asked about ------------------------------------
@pytest.mark.parametrize(
    "fixture",
    ["eligibility_request_changzhi_engineer", "eligibility_self_description_changzhi", "eligibility_button_payload"],
)
async def test_a_request_to_be_assessed_starts_the_assessment_and_says_nothing_yet(load_tracker, dispatcher, fixture):
    events, msgs = await run(ActionEligibilityEntry(), dispatcher, load_tracker(fixture))
    assert events == [SlotSet("assess_mode", "assess")]
    assert msgs == []  # the form asks its first question


@pytest.mark.parametrize(
    "fixture, first_line_has, clause",
    [
        ("eligibility_yes_no_no_vacancy_changzhi", "个人自主申报", "四（一）"),
        ("eligibility_yes_no_college_jianyang", "大专", "二（四）"),
    ],
)
async def test_a_yes_no_question_about_one_condition_is_answered_with_the_assessment_offered(
    load_tracker, dispatcher, fixture, first_line_has, clause
):
    events, msgs = await run(ActionEligibilityEntry(), dispatcher, load_tracker(fixture))
    text = texts(msgs)
    assert SlotSet("assess_mode", "answer") in events
    assert first_line_has in text.splitlines()[1] and clause in text and len(text) <= 250
    assert "/ask_eligibility" in payloads(msgs)  # 按我的情况评估


# --- the answer's context (bot.storage.feedback): what the channels rate and the dashboard counts -----
async def test_an_answer_carries_its_notice_topic_and_clauses_with_a_fresh_id(load_tracker, dispatcher):
    from bot.storage.feedback import ANSWER_KEY, valid_answer_id

    _, msgs = await run(ActionAnswerNotice(), dispatcher, load_tracker("papers_count_asked_changzhi_engineer"))
    answer = msgs[-1][ANSWER_KEY]
    assert valid_answer_id(answer["id"])
    assert answer["notice"] == "changzhi-2022-engineering-mid-junior" and answer["topic"] == "conditions"
    assert answer["clauses"] and all(c["notice"] == answer["notice"] for c in answer["clauses"])
    # every clause the reply cites, and only those
    assert {f"〔{c['clause']}〕" for c in answer["clauses"]} == {
        line[line.rindex("〔") :] for line in msgs[-1]["text"].splitlines() if line.startswith("· ")
    }
    again = CollectingDispatcher()
    await run(ActionAnswerNotice(), again, load_tracker("papers_count_asked_changzhi_engineer"))
    assert again.messages[-1][ANSWER_KEY]["id"] != answer["id"]  # one id per answer given


async def test_an_answer_across_notices_cites_each_notice_and_names_none(load_tracker, dispatcher):
    from bot.storage.feedback import ANSWER_KEY

    _, msgs = await run(ActionAnswerNotice(), dispatcher, load_tracker("fee_asked_no_region"))
    answer = msgs[-1][ANSWER_KEY]
    assert answer["notice"] is None and answer["topic"] == "fees"
    assert {c["notice"] for c in answer["clauses"]} >= {
        "changzhi-2022-engineering-mid-junior",
        "jianyang-2020-engineering-senior",
    }


async def test_replies_that_are_not_answers_carry_no_context(load_tracker, dispatcher, own_database):
    from bot.storage.feedback import ANSWER_KEY

    for name in ("out_of_scope_in_changzhi", "region_only_no_topic"):
        out = CollectingDispatcher()
        await run(ActionAnswerNotice(), out, load_tracker(name))
        assert out.messages and all(ANSWER_KEY not in m for m in out.messages), name


@pytest.mark.parametrize("fixture", ["fraud_cram_school_as_eligibility", "fraud_date_change_as_correction"])
async def test_a_fraud_is_refused_even_when_the_nlu_takes_it_for_an_assessment(load_tracker, dispatcher, fixture):
    """包过班 / 找人改日期: the scope check answers first; no assessment starts, no region is asked."""
    events, msgs = await run(ActionEligibilityEntry(), dispatcher, load_tracker(fixture))
    assert events == [SlotSet("assess_mode", "answer")]
    text = texts(msgs)
    assert "哪个地区" not in text and text, text
    assert any(word in text for word in ("代评", "代办", "弄虚作假", "造假", "违规")), text

"""action_answer_notice against tracker fixtures: the reply a user sees and the slots it sets."""
import json

from rasa_sdk.events import SlotSet

from actions import ActionAnswerNotice, ActionHumanHandoff, ActionScopeHelp
from bot.storage import Storage


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


async def test_fee_without_region_asks_with_a_button_per_notice(load_tracker, dispatcher):
    events, msgs = await run(ActionAnswerNotice(), dispatcher, load_tracker("fee_asked_no_region"))
    assert "哪个地区" in texts(msgs)
    assert len(payloads(msgs)) == 5
    assert SlotSet("last_topic", "fees") in events  # the pending question is remembered
    assert all(p.startswith("/inform{") for p in payloads(msgs))
    assert json.loads(payloads(msgs)[0][len("/inform"):])["region"]


async def test_level_without_region_offers_only_notices_with_that_level(load_tracker, dispatcher):
    _, msgs = await run(ActionAnswerNotice(), dispatcher, load_tracker("fee_asked_senior_no_region"))
    regions = {json.loads(p[len("/inform"):])["region"] for p in payloads(msgs)}
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


async def test_junior_is_clarified(load_tracker, dispatcher):
    events, msgs = await run(ActionAnswerNotice(), dispatcher, load_tracker("junior_asked_changzhi"))
    assert "助理工程师" in texts(msgs) and "技术员" in texts(msgs)
    assert '/inform{"level":"assistant_engineer"}' in payloads(msgs)
    assert SlotSet("level", None) in events
    assert "260" not in texts(msgs)  # no figure before the level is known


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
    assert SlotSet("window_kind", None) in events


async def test_region_only_offers_topics(load_tracker, dispatcher):
    _, msgs = await run(ActionAnswerNotice(), dispatcher, load_tracker("region_only_no_topic"))
    assert "平工信发〔2022〕138号" in texts(msgs)
    assert "/ask_fee" in payloads(msgs) and "/ask_deadline" in payloads(msgs)


async def test_conditions_for_multi_level_notice_ask_level(load_tracker, dispatcher):
    _, msgs = await run(ActionAnswerNotice(), dispatcher, load_tracker("conditions_changzhi_no_level"))
    assert '/inform{"level":"engineer"}' in payloads(msgs)


async def test_out_of_scope_offers_contact_of_known_region(load_tracker, dispatcher, own_database):
    _, msgs = await run(ActionScopeHelp(), dispatcher, load_tracker("out_of_scope_in_changzhi"))
    text = texts(msgs)
    assert "回答不了" in text and "0355-3036240" in text
    assert "320" not in text and "027028373" not in text
    # and the question waits in the staff inbox
    inbox = Storage(own_database).list_unanswered()
    assert [row.text for row in inbox] == ["明天天气怎么样"]


async def test_human_handoff_lists_every_notice_contact(load_tracker, dispatcher):
    _, msgs = await run(ActionHumanHandoff(), dispatcher, load_tracker("human_asked_no_region"))
    for phone in ("27028373", "2033099", "0933-8232911", "0355-3036240", "023-63899976"):
        assert phone in texts(msgs)


async def test_uncovered_place_is_named_not_guessed(load_tracker, dispatcher):
    _, msgs = await run(ActionAnswerNotice(), dispatcher, load_tracker("fee_asked_senior_in_uncovered_beijing"))
    text = texts(msgs)
    assert "北京的通知我还没有收录" in text
    assert "元" not in text

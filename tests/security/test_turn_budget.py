"""The time budget per turn (bot.plugins.channels.limits.guard): the user hears within the budget, and the
turn itself is never cut half-way (its lock and events stay whole)."""

import asyncio

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.plugins.channels.limits import STILL_WORKING, guard


async def test_a_slow_turn_is_not_waited_for_but_finishes():
    finished = asyncio.Event()

    async def slow_turn(message):
        await asyncio.sleep(0.6)
        await message.output_channel.send_text_message(message.sender_id, "答案")
        finished.set()

    out = CollectingOutputChannel()
    handle = guard(slow_turn, limit=500, budget=0.2)
    await handle(UserMessage("长治中级评审费", out, "budget-user", input_channel="rest"))
    # the user heard before the turn ended (it needs 0.6 s; the budget is 0.2 s), whatever the machine
    assert [m["text"] for m in out.messages] == [STILL_WORKING] and not finished.is_set()
    await asyncio.wait_for(finished.wait(), timeout=2)  # not cancelled: it finishes on its own
    assert [m["text"] for m in out.messages] == [STILL_WORKING, "答案"]


async def test_a_turn_within_the_budget_is_answered_as_usual():
    async def quick_turn(message):
        await message.output_channel.send_text_message(message.sender_id, "答案")

    out = CollectingOutputChannel()
    await guard(quick_turn, limit=500, budget=1)(UserMessage("你好", out, "budget-user", input_channel="rest"))
    assert [m["text"] for m in out.messages] == ["答案"]


async def test_an_over_long_message_never_reaches_the_turn():
    reached = []

    async def turn(message):
        reached.append(message.text)

    out = CollectingOutputChannel()
    await guard(turn, limit=500, budget=1)(UserMessage("评" * 501, out, "budget-user", input_channel="rest"))
    assert reached == [] and "500" in out.messages[0]["text"]

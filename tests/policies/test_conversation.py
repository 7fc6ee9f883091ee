"""Follow-ups (issue 22, point 5): "那助工呢" re-asks the previous question for the level named now;
a level the region's notice does not cover is told so, not answered for another level."""

import datetime as dt

import pytest

from policies import render_text
from policies.conversation import Memory, answer_turn

TODAY = dt.date(2026, 12, 7)


@pytest.fixture
def qa(shared_qa):
    return shared_qa


def chat(qa, *messages):
    memory = Memory()
    reply = None
    for text in messages:
        reply = answer_turn(qa, text, TODAY, memory)
    return reply, render_text(reply)


@pytest.mark.parametrize(
    "first,then,level_name,figure",
    [
        ("简阳高工什么时候报名", "那中级呢", "工程师", "2020年8月17日"),
        ("简阳高工评审费多少", "助工呢", "助理工程师", "320元"),
        ("长治工程师评审费多少", "高工呢", "高级工程师", "300元"),
    ],
)
def test_a_level_the_regions_notice_does_not_cover_is_told_so(qa, first, then, level_name, figure):
    reply, text = chat(qa, first, then)
    assert reply.kind == "wrong_level" and f"没有{level_name}的评审安排" in text, text
    assert figure not in text  # never the other level's answer
    assert reply.candidates  # the notices that do cover it, to choose from


def test_a_level_the_notice_covers_gets_the_previous_question_again(qa):
    reply, text = chat(qa, "长治工程师评审费多少", "那助工呢")
    assert reply.kind == "answer" and "助理工程师评审费：每人260元" in text, text
    assert "工程师评审费：每人300元" not in text.replace("助理工程师评审费", "")


def test_a_region_switch_keeps_the_question_and_says_which_level_it_answers(qa):
    reply, text = chat(qa, "长治工程师评审费多少", "重庆的呢")
    assert "420元" in text and "只涉及高级工程师" in text, text


def test_who_to_ask_after_the_address_is_the_contact_person(qa):
    reply, text = chat(qa, "重庆副高办公地址在哪", "找哪个老师")
    assert "杨老师" in reply.items[0].text, text


@pytest.mark.parametrize("question,who", [("简阳高工有问题找谁", "专技科"), ("平凉工程师联系人是谁", "王琼")])
def test_who_to_ask_is_the_notices_contact(qa, question, who):
    reply, text = chat(qa, question)
    assert who in reply.items[0].text, text


def test_a_bare_how_leans_on_the_previous_question(qa):
    # "咋交" has no noun of its own: it asks how the fee just named is paid
    reply, text = chat(qa, "简阳高工评审费多少", "咋交")
    assert "电子社保卡" in reply.items[0].text, text


def test_a_follow_up_joined_to_the_previous_question_is_not_labelled_as_two(qa):
    reply, text = chat(qa, "湖州市里交材料的地址", "电话呢")
    assert "【" not in text.split("\n", 1)[1], text


def test_the_line_a_follow_up_asks_for_comes_first(qa):
    reply, text = chat(qa, "重庆副高评审费多少", "啥时候交")
    assert "10月28日" in reply.items[0].text, text

"""Broad questions answered from the notice's own outline (issue 22, point 4): "长治工程师评审条件是
什么" gets the few points that decide the topic for that level, each with its clause, on one phone
screen, and 查看全部 for the whole list. The outlines are data (notice files, ``outlines:``); their
figures are checked here against the official notice texts, not against the data."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from policies import render_text
from policies.eligibility.numbers import cn_number
from policies.schema import OUTLINE_TOPICS

TODAY = dt.date(2026, 12, 7)
NOTICES = Path(__file__).resolve().parents[3] / "shared" / "notices"
CZ = "changzhi-2022-engineering-mid-junior"


@pytest.fixture
def index(notice_index):
    return notice_index


@pytest.fixture
def qa(shared_qa):
    return shared_qa


def _figures(text: str) -> set:
    """Every number a text states, in digits or in Chinese numerals (一式三份 → 3)."""
    found = set(re.findall(r"\d+(?:\.\d+)?", text))
    for m in re.finditer(r"[零一二两三四五六七八九十百千万]+", text):
        value = cn_number(m.group())
        if value is not None:
            found.add(str(value))
    return found


def test_every_notice_has_outlines_for_conditions_materials_procedure_and_notes(index):
    for notice in index.all():
        for topic in ("conditions", "materials", "procedure", "notes"):
            for level in notice.levels:
                assert notice.outline_for(topic, level) is not None, (notice.id, topic, level)


def test_every_figure_of_an_outline_is_in_the_official_notice(index):
    for notice in index.all():
        source = _figures((NOTICES / notice.source_file).read_text(encoding="utf-8"))
        for outline in notice.outlines:
            assert outline.topic in OUTLINE_TOPICS
            for line in outline.lines:
                invented = [x for x in re.findall(r"\d+(?:\.\d+)?", line.text) if x not in source]
                assert not invented, (notice.id, outline.topic, line.text, invented)


@pytest.mark.parametrize(
    "question,first,later,clauses",
    [
        # the issue's own example: 学历 + 年限, 论文, 业绩 7类之一, 考核 — each with its clause
        (
            "长治工程师评审条件是什么",
            "学历",
            ["满4年", "2篇", "7类之一", "不少于4次"],
            ["三（一）2", "三（一）5", "三（一）7"],
        ),
        ("长治助工申报条件有哪些", "中专及以上", ["技术报告"], ["三（二）2"]),
        # a notice that defers its conditions says so first
        ("平凉高工申报条件", "甘人社通〔2021〕252号", ["2022年12月31日"], ["申报条件（一）"]),
        ("重庆非公中小企业副高申报条件有哪些", "非公有制中小企业", ["条件索引"], ["一", "二（一）"]),
        ("湖州工程师直报条件有哪些", "任意3项", ["个税", "专利"], ["二"]),
        ("简阳高工要交哪些材料", "诚信承诺书", ["30学时"], ["五（二）", "五（七）"]),
        ("长治工程师申报流程是啥样的", "个人自主申报", ["5个工作日", "8月25日"], ["四（一）"]),
        ("简阳破格有哪些路子", "2名正高工", ["二等奖以上", "头部企业"], ["二（四）"]),
        ("平凉论文有什么要求", "核心期刊", ["15%", "25%"], ["附件1 四"]),
        # "how do I get it" asks what it takes: the conditions; one notice has 助理工程师
        ("咋样评助理工程师", "中专及以上", ["技术报告"], ["三（二）2"]),
        ("长治怎么评工程师", "学历", ["满4年"], ["三（一）3"]),
        # a list asked of a topic, every other word of it in the outline
        ("湖州直报那七项条件都是啥", "任意3项", ["个税", "专利"], ["二"]),
        ("长治工程师论文有哪些要求", "论文2篇以上", ["2000字", "25%"], ["三（一）4", "七 1"]),
        ("重庆副高申报流程分几步", "网上申报", ["评委会"], ["四（一）1"]),
    ],
)
def test_a_broad_question_gets_the_notices_outline_for_its_level(qa, question, first, later, clauses):
    reply = qa.answer(question, TODAY)
    text = render_text(reply)
    assert reply.kind == "answer" and reply.items, text
    assert first in reply.items[0].text, text
    for figure in later:
        assert figure in text, (figure, text)
    for clause in clauses:
        assert f"〔{clause}〕" in text, (clause, text)
    assert len(text) <= 250, len(text)
    assert reply.more and reply.topic, "查看全部 keeps the whole list one tap away"


def test_show_all_still_gives_the_whole_topic(qa, index):
    notice = index.get(CZ)
    outline = qa.topic_reply(notice, "conditions", TODAY, "engineer", summary=True)
    whole = qa.topic_reply(notice, "conditions", TODAY, "engineer")
    assert len(whole.items) > len(outline.items)
    assert not any("/outlines/" in it.key for it in whole.items)


def test_a_level_the_outline_differs_by_is_asked_for_not_guessed(qa):
    # 长治 has three levels with different conditions: without a level the reply offers them
    reply = qa.answer("长治申报条件是什么", TODAY)
    assert set(reply.ask_levels) == {"technician", "assistant_engineer", "engineer"}


def test_the_rounds_dates_all_fit_one_screen(qa):
    reply = qa.answer("重庆这次时间节点说一下", TODAY)
    text = render_text(reply)
    for day in (
        "2024年9月3日",
        "2024年10月10日",
        "2024年10月11日",
        "2024年10月25日",
        "2024年10月28日",
        "2024年11月11日",
    ):
        assert day in text, text
    assert "都已结束" in text  # said once, not after every line
    assert len(text) <= 250


def test_an_open_window_says_so_in_the_timeline(qa):
    reply = qa.answer("重庆这次时间节点说一下", dt.date(2024, 10, 1))
    text = render_text(reply)
    assert "还剩9天" in text and "都已结束" not in text


def test_how_to_get_a_level_several_notices_have_asks_for_the_region(qa):
    reply = qa.answer("怎麼評工程師啊", TODAY)  # 长治, 平凉 and 湖州 all evaluate 工程师, differently
    assert reply.kind == "choose_notice" and len(reply.candidates) >= 3


@pytest.mark.parametrize("question", ["平凉申报有哪些注意事项", "长治申报要注意啥", "简阳高工申报须知"])
def test_what_to_watch_out_for_is_the_notices_own_warnings(qa, question):
    """注意事项 names no topic of the items: the notice's own 有关要求 (outline ``notes``), never "not
    stated", and no 查看全部 (there is no list behind it)."""
    reply = qa.answer(question, dt.date(2026, 12, 1))
    text = render_text(reply)
    assert "没有写到" not in text and reply.topic == "notes" and not reply.more, text
    assert len(reply.items) >= 3 and all(item.clause for item in reply.items), text

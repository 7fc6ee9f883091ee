"""Rendering for WeChat: joined messages, numbered choices and their mapping back, Markdown stripped,
long answers split under the byte limit."""

import pytest

from bot.plugins.wechat.render import (
    CHOICE_LEAD,
    CONTINUED,
    MAX_TEXT_BYTES,
    choice_number,
    choice_payload,
    render,
    split_text,
    strip_markdown,
)

BUTTONS = [
    {"title": "长治", "payload": '/inform{"region":"changzhi"}'},
    {"title": "重庆", "payload": '/inform{"region":"chongqing"}'},
    {"title": "简阳", "payload": '/inform{"region":"jianyang"}'},
]


def test_messages_are_joined_with_blank_lines_and_buttons_numbered():
    out = render([{"text": "评审费如下。"}, {"text": "请选择您要查询的通知：", "buttons": BUTTONS}])
    assert out.text == "评审费如下。\n\n请选择您要查询的通知：\n\n" + CHOICE_LEAD + "\n1. 长治\n2. 重庆\n3. 简阳"
    assert out.buttons == BUTTONS


def test_no_buttons_means_no_choices_and_empty_turn_is_empty():
    assert render([{"text": "好的"}]).buttons == []
    assert render([]).text == ""


def test_markdown_is_stripped():
    md = "## 评审费\n**300元**，见 [通知](http://x.cn/a)。\n- 工程师：`300`\n> 引用\n*注意*"
    assert strip_markdown(md) == "评审费\n300元，见 通知（http://x.cn/a）。\n· 工程师：300\n引用\n注意"
    assert strip_markdown("3*4*5 不变") == "3*4*5 不变"


@pytest.mark.parametrize(
    "reply,number",
    [
        ("1", 1),
        ("１", 1),
        ("一", 1),
        ("2.", 2),
        (" 3 ", 3),
        ("选2", 2),
        ("第三个", 3),
        ("两", 2),
        ("12", 12),
        ("长治", None),
        ("2016", None),
        ("1篇", None),
        ("", None),
        ("一二", None),
    ],
)
def test_choice_numbers(reply, number):
    assert choice_number(reply) == number


def test_choice_payload_only_within_the_offered_buttons():
    assert choice_payload("2", BUTTONS) == '/inform{"region":"chongqing"}'
    assert choice_payload("三", BUTTONS) == '/inform{"region":"jianyang"}'
    assert choice_payload("4", BUTTONS) is None
    assert choice_payload("0", BUTTONS) is None
    assert choice_payload("1", []) is None
    assert choice_payload("长治", BUTTONS) is None


def test_short_text_is_one_chunk():
    assert split_text("评审费300元。") == ["评审费300元。"]


def test_long_text_splits_under_the_limit_at_sentence_ends_and_loses_nothing():
    text = "\n\n".join(f"第{i}条：申报人须取得相应学历，并从事本专业技术工作满规定年限。" * 3 for i in range(40))
    chunks = split_text(text)
    assert len(chunks) > 1
    assert all(len(c.encode("utf-8")) <= MAX_TEXT_BYTES for c in chunks)
    assert all(c.endswith(CONTINUED) for c in chunks[:-1]) and not chunks[-1].endswith(CONTINUED)
    assert all(c[: -len(CONTINUED)].endswith(("。", "\n")) or c[: -len(CONTINUED)].endswith("。") for c in chunks[:-1])
    rejoined = "".join(c[: -len(CONTINUED)] if c.endswith(CONTINUED) else c for c in chunks)
    assert rejoined.replace("\n", "") == text.replace("\n", "")


def test_text_without_any_break_is_cut_hard_within_the_limit():
    chunks = split_text("评" * 3000, limit=2048)
    assert all(len(c.encode("utf-8")) <= 2048 for c in chunks)
    assert sum(c.count("评") for c in chunks) == 3000

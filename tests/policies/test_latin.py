"""Latin letters applicants mix in (policies/latin.py): a notice's place in pinyin and a few English
words are read as the Chinese the answers match; other letters stay."""

import datetime as dt

import pytest

from policies import load_notices
from policies.latin import Latin
from policies.qa import QA, render_text

TODAY = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def qa():
    return QA(load_notices())


@pytest.fixture(scope="module")
def latin():
    return Latin(
        ["重庆", "长治", "平凉", "成都"],
        {"fee": "费用", "online": "网上", "apply": "申报", "senior engineer": "高级工程师"},
    )


@pytest.mark.parametrize(
    "text, read",
    [
        ("chongqing副高", "重庆副高"),
        ("Changzhi中级", "长治中级"),  # 长 read chang, not zhang
        ("Ping Liang的", "平凉的"),
        ("online apply时间 fee多少", "网上申报时间 费用多少"),
        ("报 senior engineer 要几年", "报 高级工程师 要几年"),
    ],
)
def test_places_in_pinyin_and_english_words_are_read_in_chinese(latin, text, read):
    assert latin.translate(text) == read


@pytest.mark.parametrize(
    "text", ["czgcsps@163.com 密码", "https://es.cdhrss.chengdu.gov.cn:6001/zjkqt/", "OK吗 HR说的", "EI收录"]
)
def test_mailboxes_urls_and_other_letters_stay(latin, text):
    assert latin.translate(text) == text


def test_a_question_in_pinyin_and_english_gets_the_notice_and_both_points(qa):
    reply = render_text(qa.answer("chongqing副高 online apply时间 fee多少", TODAY))
    assert reply.startswith("【重庆2024")
    assert "2024年10月10日" in reply and "420元" in reply


def test_a_region_in_pinyin_is_not_asked_again(qa):
    reply = render_text(qa.answer("pingliang 中工 论文查重 要低于多少%", TODAY))
    assert reply.startswith("【平凉2022") and "15%" in reply

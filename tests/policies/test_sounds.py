"""Typos by sound (policies/sounds.py): a name typed with a character of the same sound is read as
the name; an everyday word, or a window that cuts through one, is left as written."""

import pytest


@pytest.fixture
def sounds(shared_qa):
    return shared_qa.sounds


@pytest.mark.parametrize(
    "typed,read",
    [
        ("兰洲评工程师", "兰州评工程师"),
        ("简扬高工评审费", "简阳高工评审费"),
        ("工成师要几篇论文", "工程师要几篇论文"),
        ("我是主力工程师", "我是助理工程师"),
        # jieba would make 评主工 / 主工要 one word it does not know: the name inside is still found
        ("长治评主工要啥条件", "长治评助工要啥条件"),
        ("长治主工要啥条件", "长治助工要啥条件"),
    ],
)
def test_a_name_typed_by_sound_is_read_as_the_name(sounds, typed, read):
    assert sounds.correct(typed) == read


@pytest.mark.parametrize("text", ["他回来了", "之前的清掉", "线上还是线下", "规划是我牵头编的"])
def test_everyday_words_stay_as_written(sounds, text):
    assert sounds.correct(text) == text


def test_a_numeral_is_never_read_as_a_name_of_its_sound():
    from policies.eligibility import load_catalogue
    from policies.eligibility.freetext import prepare

    # 技十 sounds like 技师: the reader would have taken a 技师 certificate from a salary grade
    assert "十一级" in prepare("聘在专技岗 专技十一级工资也兑现了", load_catalogue().wording)

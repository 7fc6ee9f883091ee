"""The level held and the level applied for: one rule (policies/eligibility/roles.py) decides it for
the fact reader (the title held, a fact of the assessment) and for the answers (the level a question
is answered for). The two must never disagree on the same words."""

import datetime as dt

import pytest

from policies.eligibility import load_catalogue
from policies.eligibility.reader import parse_facts
from policies.eligibility.roles import APPLIED, HELD, OTHERS, level_role
from policies.roles import level_roles

CAT = load_catalogue()
TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize(
    "before, after, role",
    [
        ("想报", "", APPLIED),
        ("现在是", "", HELD),
        ("17年评的", "", HELD),  # 评的 ends nearer the level than 评
        ("能不能评", "", APPLIED),
        ("", "能报吗", APPLIED),
        ("", "后多久", HELD),
        ("", "拿了五年", HELD),
        ("", "是2018年评的", HELD),
        ("", "证", HELD),
        ("我是助工，报", "", APPLIED),  # the nearest cue decides
        ("报工程师，现在是", "", HELD),
        ("", "评审费多少", APPLIED),
        ("", "", None),
    ],
)
def test_the_nearest_cue_decides_the_role(before, after, role):
    assert level_role(before, after, CAT.wording) == role


@pytest.mark.parametrize(
    "text, held, applied",
    [
        ("想报工程师，现在是助工", "assistant_engineer", "engineer"),
        ("现在是助工，想报工程师", "assistant_engineer", "engineer"),
        ("我是助工，报中级要几篇论文", "assistant_engineer", "engineer"),
        ("17年评的助工，能评中级吗", "assistant_engineer", "engineer"),
        ("工程师拿了五年了，能报高工吗", "engineer", "senior_engineer"),
        ("我想申报助理工程师", None, "assistant_engineer"),
        ("助工证是2019年拿的", "assistant_engineer", None),
    ],
)
def test_the_reader_and_the_answers_agree_on_the_title_held(text, held, applied):
    roles = level_roles(text)
    assert roles.held == held
    assert parse_facts(text, CAT, TODAY).facts.get("current_title") == held
    if applied:
        assert roles.applied == applied


@pytest.mark.parametrize(
    "before, after, role",
    [
        ("我大专毕业满5年 评", "后也干满5年了", HELD),  # 评…后: obtained, whatever the verb before
        ("有三个", "推荐", OTHERS),  # a count of people: someone else's level
        ("找了", "推荐", OTHERS),  # before 推荐: a recommender's
        ("带", "效果挺好", OTHERS),  # 带初级技术员: mentoring them
        ("想报", "", APPLIED),
    ],
)
def test_a_level_that_is_someone_elses_or_held_since_is_read_so(before, after, role):
    assert level_role(before, after, CAT.wording) == role


def test_recommenders_and_mentees_do_not_choose_the_level_asked_about():
    roles = level_roles("我干技术12年了 带初级技术员效果挺好 有三个高工推荐 湖州算一条吗")
    assert roles.applied is None and roles.held is None and not roles.mentions
    roles = level_roles("我大专毕业满5年 评工程师后也干满5年了 简阳找两个正高推荐能破格报吗")
    assert roles.held == "engineer" and roles.applied is None
    # the fact reader, by the same rule: the title held, no recommender's
    facts = parse_facts("评工程师后也干满5年了，有三个高工推荐", CAT, TODAY).facts
    assert facts.get("current_title") == "engineer", facts

"""Free-text facts: numerals, durations, dates, education, titles, yes/no, several at once."""
import datetime as dt

import pytest

from bot.nlu.facts_parser import cn_to_int, parse_facts, parse_years
from policies.eligibility import load_catalogue

TODAY = dt.date(2026, 11, 22)
CAT = load_catalogue()


def parse(text, requested=None):
    return parse_facts(text, CAT, TODAY, requested)


@pytest.mark.parametrize("text,value", [("三十", 30), ("十五", 15), ("二十五", 25), ("一百零五", 105), ("两", 2),
                                        ("十", 10), ("二〇一七", 2017), ("2022", 2022)])
def test_chinese_numerals(text, value):
    assert cn_to_int(text) == value


@pytest.mark.parametrize("text,years", [("五年", 5), ("快五年了", 4.9), ("五年多", 5), ("十年以上", 10),
                                        ("一年半", 1.5), ("两年", 2)])
def test_durations(text, years):
    assert parse_years(text) == pytest.approx(years)


def test_several_facts_in_one_message():
    facts = parse("本科，2016年拿的助工，发了两篇论文").facts
    assert facts == {"education": "bachelor", "current_title": "assistant_engineer",
                     "current_title_date": "2016-12-31", "papers_first_author": 2}


@pytest.mark.parametrize("text,requested,expected", [
    ("有", "achievement_listed", True), ("有的", "achievement_listed", True), ("是的", "civil_servant", True),
    ("对", "retired", True), ("没有", "civil_servant", False), ("不是", "civil_servant", False),
    ("没", "retired", False), ("否", "under_discipline", False), ("嗯嗯", "retired", True),
])
def test_yes_no_forms(text, requested, expected):
    assert parse(text, requested).facts[requested] is expected


@pytest.mark.parametrize("text,requested,key,value", [
    ("两篇", "papers_first_author", "papers_first_author", 2),
    ("３篇", "papers_first_author", "papers_first_author", 3),
    ("三十学时", "continuing_education_public_hours", "continuing_education_public_hours", 30),
    ("2017年6月", "current_title_date", "current_title_date", "2017-06-01"),
    ("去年", "current_title_date", "current_title_date", "2025-12-31"),
    ("三年前评的", "current_title_date", "current_title_date", "2023-11-22"),
    ("快五年了", "related_work_years", "related_work_years", 4),
    ("不对，我是硕士", None, "education", "master"),
    ("我大专毕业", "education", "education", "junior_college"),
    ("没有技师证", "skill_level", "skill_level", "none"),
    ("高级技师", "skill_level", "skill_level", "senior_technician_skill"),
    ("研究院的设计部门", "department_type", "department_type", "research"),
    ("我不是公务员", None, "civil_servant", False),
    ("公需30学时，专业六十学时", None, "continuing_education_professional_hours", 60),
    ("評審過兩篇論文", None, "papers_first_author", 2),
])
def test_values(text, requested, key, value):
    assert parse(text, requested).facts[key] == value


def test_dont_know_is_remembered_not_guessed():
    p = parse("不清楚", "skill_level")
    assert p.dont_know and p.facts == {}


def test_unrelated_text_gives_nothing():
    assert not parse("评审费多少钱", "papers_first_author")


def test_a_button_label_answers_only_the_question_asked():
    facts = parse("国有企业或事业单位（不含参公）", "employer_type").facts
    assert facts == {"employer_type": "state_owned"}


@pytest.mark.parametrize("text", ["我能报长治的中级吗", "帮我看看能不能评高工", "我想申报助理工程师"])
def test_the_level_applied_for_is_not_the_current_title(text):
    assert "current_title" not in parse(text).facts


@pytest.mark.parametrize("text,title", [("我2016年拿的助工", "assistant_engineer"), ("现任工程师，能报高工吗", "engineer")])
def test_a_held_title_is_the_current_title(text, title):
    assert parse(text).facts["current_title"] == title


def test_a_calendar_year_is_not_a_duration():
    assert parse_years("2017年6月") is None
    assert parse("2017年6月", "township_years").facts == {}

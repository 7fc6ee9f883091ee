"""What the applicant said, shown back in a few characters (facts.yml ``said``): every fact has its
phrase, checked when the catalogue loads, so next year's new fact cannot come without one."""

import datetime as dt

import pytest
import yaml

from policies.eligibility.catalogue import FACTS_FILE, load_catalogue

CAT = load_catalogue()


@pytest.mark.parametrize(
    "fact, value, said",
    [
        ("education", "bachelor", "本科（学士）"),
        ("education_related", False, "专业不对口"),
        ("current_title", "assistant_engineer", "现职称助理工程师"),
        ("current_title_date", dt.date(2017, 7, 1), "2017年7月取得"),
        ("papers_first_author", 0, "第一作者论文0篇"),
        ("assessments_passed_count", 4, "考核合格4次"),
        ("retired", True, "已退休"),
        ("employer_type", "non_public", "单位：非公有制企业或组织"),
        ("achievement_listed", "project_accepted", "业绩：主持或骨干完成市厅级以上或…"),
        ("achievement_listed", "listed", "业绩：有其中一类"),
        ("skill_level", "senior_technician_skill", "技能证书：高级技师（一级）"),
    ],
)
def test_a_fact_is_said_back_briefly(fact, value, said):
    assert CAT.said(fact, value) == said


def test_every_fact_of_every_notice_has_its_phrase_and_it_is_short():
    for name, spec in CAT.specs.items():
        phrases = list(spec.said) if isinstance(spec.said, tuple) else [spec.said]
        assert all(0 < len(p) <= 24 for p in phrases), name
        assert isinstance(spec.said, tuple) == (spec.type == "bool"), name


def test_the_recap_keeps_the_title_first_and_stops_at_its_length():
    facts = {
        "retired": False,
        "education": "bachelor",
        "current_title": "assistant_engineer",
        "current_title_date": dt.date(2017, 6, 1),
        "papers_first_author": 2,
        "unknown_fact": 3,
    }
    assert CAT.recap(facts, facts) == "现职称助理工程师；2017年6月取得；本科（学士）；未退休；第一作者论文2篇"
    short = CAT.recap(facts, facts, limit=20)
    assert short.startswith("现职称助理工程师；2017年6月取得") and short.endswith("等5项")
    assert CAT.recap(facts, ["education_related"]) == ""  # nothing known of what was asked for


@pytest.mark.parametrize(
    "entry, error",
    [
        ({"type": "bool", "question": "退休了吗？"}, "[yes, no]"),
        ({"type": "bool", "question": "退休了吗？", "said": "已退休"}, "[yes, no]"),
        ({"type": "int", "question": "几篇？", "unit": "篇"}, "one {}"),
        ({"type": "int", "question": "几篇？", "unit": "篇", "said": "论文"}, "one {}"),
    ],
)
def test_a_fact_without_a_proper_phrase_is_refused(tmp_path, entry, error):
    raw = yaml.safe_load(FACTS_FILE.read_text(encoding="utf-8"))
    raw["facts"]["new_fact"] = entry
    path = tmp_path / "facts.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=error.replace("[", r"\[").replace("{", r"\{").replace("}", r"\}")):
        load_catalogue(str(path))


def test_none_and_plain_yes_no_answers_read_naturally():
    assert CAT.said("current_title", "none") == "无职称"
    assert CAT.said("achievement_listed", False) == "业绩：都没有"  # 没有 to the seven-kind question
    assert CAT.said("achievement_listed", True) == "业绩：有其中一类"


def test_a_number_read_as_a_range_is_said_as_one():
    """The reader gives "两三篇" as [2, 3] (a JSON list once in a slot): said as 2–3, in a recap too."""
    assert CAT.said("papers_first_author", [2, 3]) == "第一作者论文2–3篇"
    assert CAT.said("related_work_years", (5, 6)) == "从事本专业5–6年"
    facts = {"education": "bachelor", "papers_first_author": [2, 3]}
    assert CAT.recap(facts, facts) == "本科（学士）；第一作者论文2–3篇"


def test_a_year_said_alone_is_shown_back_as_that_year():
    """17年评的 is kept as 2017-12-31 (the latest it could be) and shown back as 2017年, not as a
    month the applicant never said."""
    import datetime as dt

    from policies.eligibility import load_catalogue

    cat = load_catalogue()
    assert cat.said("current_title_date", dt.date(2017, 12, 31)) == "2017年取得"
    assert cat.said("current_title_date", dt.date(2017, 12, 1)) == "2017年12月取得"

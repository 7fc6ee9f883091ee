"""Free-text facts: numerals, durations, dates, education, titles, yes/no, several at once."""

import datetime as dt

import pytest

from policies.eligibility import load_catalogue
from policies.eligibility.reader import (
    cn_to_int,
    parse_checklist,
    parse_facts,
    parse_months,
    parse_together,
    parse_years,
    read_facts,
)

TODAY = dt.date(2026, 11, 22)
CAT = load_catalogue()


def parse(text, requested=None):
    return parse_facts(text, CAT, TODAY, requested)


@pytest.mark.parametrize(
    "text,value",
    [
        ("三十", 30),
        ("十五", 15),
        ("二十五", 25),
        ("一百零五", 105),
        ("两", 2),
        ("十", 10),
        ("二〇一七", 2017),
        ("2022", 2022),
    ],
)
def test_chinese_numerals(text, value):
    assert cn_to_int(text) == value


@pytest.mark.parametrize(
    "text,years", [("五年", 5), ("快五年了", 4.9), ("五年多", 5), ("十年以上", 10), ("一年半", 1.5), ("两年", 2)]
)
def test_durations(text, years):
    assert parse_years(text) == pytest.approx(years)


def test_several_facts_in_one_message():
    facts = parse("本科，2016年拿的助工，发了两篇论文").facts
    assert facts == {
        "education": "bachelor",
        "current_title": "assistant_engineer",
        "current_title_date": "2016-12-31",
        "papers_first_author": 2,
    }


@pytest.mark.parametrize(
    "text,requested,expected",
    [
        ("有", "achievement_listed", "listed"),
        ("有的", "achievement_listed", "listed"),
        ("是的", "civil_servant", True),
        ("对", "retired", True),
        ("没有", "civil_servant", False),
        ("不是", "civil_servant", False),
        ("没", "retired", False),
        ("否", "under_discipline", False),
        ("嗯嗯", "retired", True),
    ],
)
def test_yes_no_forms(text, requested, expected):
    assert parse(text, requested).facts[requested] == expected


@pytest.mark.parametrize(
    "text,requested,key,value",
    [
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
    ],
)
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


@pytest.mark.parametrize(
    "text,title", [("我2016年拿的助工", "assistant_engineer"), ("现任工程师，能报高工吗", "engineer")]
)
def test_a_held_title_is_the_current_title(text, title):
    assert parse(text).facts["current_title"] == title


def test_a_calendar_year_is_not_a_duration():
    assert parse_years("2017年6月") is None
    assert parse("2017年6月", "township_years").facts == {}


# --- issue 13: the schema holds what applicants say -------------------------------------------


@pytest.mark.parametrize(
    "text,months",
    [
        ("8个月", 8),
        ("1年2个月", 14),
        ("一年半", 18),
        ("两年", 24),
        ("快一年了", 11),
        ("半年", 6),
        ("三年", 36),
        ("九个多月", 9),
    ],
)
def test_months(text, months):
    assert parse_months(text) == months


@pytest.mark.parametrize(
    "text,requested,key,value",
    [
        ("社保在本地交了8个月", None, "social_insurance_local_months", 8),
        ("社保在本地交了3年", None, "social_insurance_local_months", 36),
        ("快一年了", "archive_local_months", "archive_local_months", 11),
        ("9个月", "months_in_engineering_post", "months_in_engineering_post", 9),
        ("一年零三个月", "cq_social_insurance_months_any", "cq_social_insurance_months_any", 15),
        ("14", "social_insurance_local_months", "social_insurance_local_months", 14),
    ],
)
def test_months_facts(text, requested, key, value):
    assert parse(text, requested).facts[key] == value


@pytest.mark.parametrize(
    "text,requested,expected",
    [
        ("第5类", "achievement_listed", "standard_compiled"),
        ("（7）参与研发的药品获注册批件，或药品生产线改造、建设通过GMP认证", "achievement_listed", "drug_registered"),
        ("都没有", "achievement_listed", "none"),
        ("没有", "achievement_listed", "none"),
        ("有其中一类（具体哪类以申报材料为准）", "achievement_listed", "listed"),
    ],
)
def test_achievement_types_are_a_choice(text, requested, expected):
    assert parse(text, requested).facts[requested] == expected


def test_recommenders_by_rank():
    assert parse("有两名正高愿意推荐我").facts == {"recommenders_full_senior": 2}
    assert parse("有三位高级专家推荐").facts == {"recommenders_senior": 3}
    assert parse("3位", "recommenders_senior").facts == {"recommenders_senior": 3}


EXCL = ["civil_servant", "retired", "under_discipline", "exam_profession", "public_institution"]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("都没有", {f: False for f in EXCL}),
        ("已退休", {**{f: False for f in EXCL}, "retired": True}),
        ("退休了，也在处分期", {**{f: False for f in EXCL}, "retired": True, "under_discipline": True}),
        ("不是公务员，也没退休", {"civil_servant": False, "retired": False}),
        ("在事业单位工作", {**{f: False for f in EXCL}, "public_institution": True}),
        ("评审费多少钱", {}),
    ],
)
def test_exclusions_answered_together(text, expected):
    from policies.eligibility.reader import parse_exclusions

    assert parse_exclusions(text, EXCL, CAT).facts == expected


def test_exclusions_dont_know():
    from policies.eligibility.reader import parse_exclusions

    assert parse_exclusions("不清楚", EXCL, CAT).dont_know


# --- issue 13: answers to facts asked together and to a checklist -------------------------------
TITLE = ["current_title", "current_title_date"]
HOURS = ["continuing_education_public_hours", "continuing_education_professional_hours"]
EDU = ["education", "education_related"]


@pytest.mark.parametrize(
    "text, facts, expected",
    [
        ("助工，2018年7月", TITLE, {"current_title": "assistant_engineer", "current_title_date": "2018-07-01"}),
        ("助理工程师 2018.7", TITLE, {"current_title": "assistant_engineer", "current_title_date": "2018-07-01"}),
        ("2017年6月的助理工程师", TITLE, {"current_title": "assistant_engineer", "current_title_date": "2017-06-01"}),
        ("中級，2015年", TITLE, {"current_title": "engineer", "current_title_date": "2015-12-31"}),
        ("没有职称", TITLE, {"current_title": "none"}),
        ("助工，时间不记得了", TITLE, {"current_title": "assistant_engineer", "current_title_date": "__unknown__"}),
        ("不清楚", TITLE, {"current_title": "__unknown__", "current_title_date": "__unknown__"}),
        ("公需30，专业70", HOURS, {HOURS[0]: 30, HOURS[1]: 70}),
        ("30和70", HOURS, {HOURS[0]: 30, HOURS[1]: 70}),
        ("公需课三十二学时 专业课六十四学时", HOURS, {HOURS[0]: 32, HOURS[1]: 64}),
        ("３０", HOURS, {HOURS[0]: 30}),  # one number: the first member only, never both
        ("本科，对口", EDU, {"education": "bachelor", "education_related": True}),
        ("大专，专业不对口", EDU, {"education": "junior_college", "education_related": False}),
    ],
)
def test_facts_asked_together_are_read_in_order(text, facts, expected):
    assert parse_together(text, facts, CAT, TODAY) == expected


CHECK = ["works_locally", "employer_registered_locally", "archive_local"]
LABELS = {
    "works_locally": "在简阳市工作",
    "employer_registered_locally": "单位在简阳市工商注册",
    "archive_local": "人事档案存放在简阳市（人才交流中心或人事代理机构）",
}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 3", {"works_locally": True, "employer_registered_locally": False, "archive_local": True}),
        ("一、三", {"works_locally": True, "employer_registered_locally": False, "archive_local": True}),
        ("２", {"works_locally": False, "employer_registered_locally": True, "archive_local": False}),
        ("都符合", {f: True for f in CHECK}),
        ("都不符合", {f: False for f in CHECK}),
        (
            "在简阳上班，档案也在简阳",
            {"works_locally": True, "employer_registered_locally": False, "archive_local": True},
        ),
        (
            "1，其他不清楚",
            {"works_locally": True, "employer_registered_locally": "__unknown__", "archive_local": "__unknown__"},
        ),
        ("档案不在简阳", {"archive_local": False}),  # only what is named is denied
        (
            "2，1不符合，其他不清楚",
            {"works_locally": False, "employer_registered_locally": True, "archive_local": "__unknown__"},
        ),
        (
            "第一项符合，第三项没有",
            {"works_locally": True, "employer_registered_locally": False, "archive_local": False},
        ),
        ("3，不在简阳上班", {"works_locally": False, "employer_registered_locally": False, "archive_local": True}),
        ("4", {}),  # no such line: asked again
        ("在简阳市工作", {"works_locally": True, "employer_registered_locally": False, "archive_local": False}),
    ],
)
def test_a_checklist_answer_ticks_the_lines_named(text, expected):
    assert parse_checklist(text, CHECK, LABELS, CAT).facts == expected


def test_a_checklist_answered_dont_know_keeps_every_line_unknown():
    parsed = parse_checklist("不清楚", CHECK, LABELS, CAT)
    assert parsed.dont_know and not parsed.facts


@pytest.mark.parametrize(
    "text, related",
    [
        ("公需30，专业70，相近", True),
        ("30学时，60学时，是的", True),
        ("30，70，不相近", False),
        ("公需32学时 专业64学时 相同", True),
        ("公需30 专业70 专业课跟申报专业不相关", False),
        ("30，70", None),
    ],
)
def test_continuing_education_hours_and_their_relatedness_read_together(text, related):
    """简阳 五（七): the hours and whether the professional ones are in a related specialty, one
    question; 相近 there says nothing about the degree (education_related)."""
    facts = [
        "continuing_education_public_hours",
        "continuing_education_professional_hours",
        "continuing_education_professional_related",
    ]
    got = parse_together(text, facts, load_catalogue(), dt.date(2020, 8, 1))
    assert got.get("continuing_education_professional_related") == related
    assert got["continuing_education_public_hours"] in (30, 32) and "education_related" not in got


# --- issue 21: what people write, read as they meant it ------------------------------------------
T21 = dt.date(2024, 10, 30)


def read(text):
    from policies.eligibility.reader import read_facts

    return read_facts(text, CAT, T21)


@pytest.mark.parametrize(
    "text,expected",
    [
        # two-digit years are dates, never durations; 19年了 is a duration, not 2007
        ("17年7月评的助工", {"current_title": "assistant_engineer", "current_title_date": "2017-07-01"}),
        ("中级是08年的", {"current_title": "engineer", "current_title_date": "2008-12-31"}),
        ("在乡镇干了19年了", {"township_years": 19}),
        ("今年3月评上了助理工程师", {"current_title": "assistant_engineer", "current_title_date": "2024-03-01"}),
        ("三年前拿的助工", {"current_title": "assistant_engineer", "current_title_date": "2021-10-30"}),
        ("技术员干了五年", {"current_title": "technician", "current_title_date": "2019-10-30"}),
        # ranges stay ranges; vague amounts are not read
        ("论文写了两三篇", {"papers_first_author": [2, 3]}),
        ("论文一两篇", {"papers_first_author": [1, 2]}),
        ("干本专业技术十一二年了", {"work_years": [11, 12]}),
        ("专业课大概学了五六十个学时", {"continuing_education_professional_hours": [50, 60]}),
        ("在公司干了十来年研发", {}),
        ("社保在重庆交了8年多", {}),
        ("公需学时只有二十几个", {}),
        # a correction inside one message keeps the last value
        ("社保在本地交了30个月，说错了，是36个月", {"social_insurance_local_months": 36}),
        (
            "我是2016年拿的中级，不对，应该是2015年12月",
            {"current_title": "engineer", "current_title_date": "2015-12-01"},
        ),
        ("有两个正高愿意给我写推荐，哦不对，是三个", {"recommenders_full_senior": 3}),
        ("我是14年还是15年取得的中级来着", {"current_title": "engineer"}),
        # negation stays in its clause
        (
            "我不是公务员，单位是国企，人也没退休",
            {"civil_servant": False, "employer_type": "state_owned", "retired": False},
        ),
        ("我们是外资企业，不是国企", {"employer_type": "non_public"}),
        ("从没发过论文", {"papers_first_author": 0}),
        ("论文一篇都没有", {"papers_first_author": 0}),
        ("没有技师也没有高级技师证", {"skill_level": "none"}),
        ("我不在处分期，去年的警告处分已经到期了", {"under_discipline": False}),
        # the level applied for is not the level held
        ("想报工程师，现在是助工", {"current_title": "assistant_engineer"}),
        ("我是助工，今年高工能报吗", {"current_title": "assistant_engineer"}),
        # questions state no fact; someone else's facts are not the applicant's
        ("已经退休的人还能不能申报工程师？", {}),
        ("问一下工程师评审论文需要几篇？", {}),
        ("我老婆是公务员，我是在私企上班的", {"employer_type": "non_public"}),
        # 不一致 is about the degree only when said of it; patents ranked below 3rd are not top-3
        ("所学专业和工作不一致", {"education_related": False}),
        ("发明专利1项，排第五", {"invention_patents_top3": 0}),
        ("我实用新型一共5个，但排前三的只有俩", {"utility_patents_top3": 2}),
        # English, abbreviations, typos, traditional characters, full-width digits
        (
            "本科，bachelor degree，2019年got助工",
            {"education": "bachelor", "current_title": "assistant_engineer", "current_title_date": "2019-12-31"},
        ),
        (
            "我是助攻，17年评的，论问有一篇",
            {"current_title": "assistant_engineer", "current_title_date": "2017-12-31", "papers_first_author": 1},
        ),
        ("我的職稱是２０１８年１０月取得的工程師", {"current_title": "engineer", "current_title_date": "2018-10-01"}),
        ("论文写了四五篇，但是一作的只有俩", {"papers_total": [4, 5], "papers_first_author": 2}),
        # "不是X，是Y" corrects inside one message; a date denied is nobody's
        ("不是助工，是工程师，2016年评的", {"current_title": "engineer", "current_title_date": "2016-12-31"}),
        ("论文不是3篇，是2篇", {"papers_first_author": 2}),
        ("我是2019年拿的助工，不是2018年", {"current_title": "assistant_engineer", "current_title_date": "2019-12-31"}),
        # English as people mix it in
        (
            "I'm an engineer since 2016, bachelor, 2 first-author papers, SOE",
            {
                "current_title": "engineer",
                "current_title_date": "2016-12-31",
                "education": "bachelor",
                "papers_first_author": 2,
                "employer_type": "state_owned",
            },
        ),
        (
            "not retired, not a civil servant, private company",
            {"retired": False, "civil_servant": False, "employer_type": "non_public"},
        ),
        # the sixth writer's families (2026-12-07): a negation before 按要求 / 完成 is kept, a dated
        # 评 is held and a wished one is not, 评过 is held, corrections by 实际是 / 刚查了下是
        ("继续教育没有按要求完成", {"continuing_education_done": False}),
        ("继续教育没按要求学", {"continuing_education_done": False}),
        ("继续教育也按要求学了有证明", {"continuing_education_done": True}),
        ("2013年评中级", {"current_title": "engineer", "current_title_date": "2013-12-31"}),
        ("想2025年评中级", {}),
        ("以前在企业评过工程师", {"current_title": "engineer"}),
        ("社保交了24个月，等下，刚查了下是26个月", {"social_insurance_local_months": 26}),
        ("社保交了3年，哦不对，中间断了半年，实际是30个月", {"social_insurance_local_months": 30}),
        # a supposition runs to the end of its sentence; 的话 ends it
        ("如果我是大专学历，工程师满五年，能不能报高工？", {}),
        (
            "如果考核不合格的话，我是2017年评的助工",
            {"current_title": "assistant_engineer", "current_title_date": "2017-12-31"},
        ),
        # a pasted spreadsheet row, label and value in cells
        ("现职称\t助理工程师\n学历\t本科", {"current_title": "assistant_engineer", "education": "bachelor"}),
        # … or a pasted table, a header row of labels above a row of values
        (
            "序号 | 姓名 | 学历 | 现职称 | 评定时间 | 聘任时间\n12 | 李** | 本科 | 工程师 | 2020-09 | 2021-03",
            {
                "education": "bachelor",
                "current_title": "engineer",
                "current_title_date": "2020-09-01",
                "current_title_appointed_date": "2021-03-01",
            },
        ),
        (
            "| 学历 | 现职称 | 取得时间 |\n|---|---|---|\n| 本科 | 助理工程师 | 2019.07 |",
            {"education": "bachelor", "current_title": "assistant_engineer", "current_title_date": "2019-07-01"},
        ),
        ("学历｜本科", {"education": "bachelor"}),
        # a count of reports said as the next clause of its keyword; not another thing's count
        ("我写过的技术报告都是自己直接参加的项目，总共三篇", {"technical_reports": 3}),
        ("为解决生产线上的技术难题写过的研究报告和工程方案，一共四篇", {"research_reports": 4}),
        ("技术报告是给单位写的，有两个专利", {}),
        # the title held said, then how long it is held as the next clause
        ("助理工程师，评了三年了", {"current_title": "assistant_engineer", "current_title_date": "2021-10-30"}),
        ("助理工程师，评了快三年了", {"current_title": "assistant_engineer"}),  # 快: no date
        (
            "论文莫得，著作也莫得，专利更莫得",
            {
                "papers_first_author": 0,
                "book_20k_words": False,
                "invention_patents_top3": 0,
                "utility_patents_top3": 0,
                "design_patents_top3": 0,
            },
        ),
        ("近两年考核一个合格一个优秀", {"assessment_ok_latest": True}),
        ("档案放在老家县里的人才中心，不在本地", {"archive_local": False}),
        ("我女儿今年刚毕业，本科，想问下她啥时候能评助工", {}),
        ("从事本专业今年是第十一年了", {}),
        ("从事本专业年限：14年", {"work_years": 14}),
        ("我中级拿到手五年了", {"current_title": "engineer", "current_title_date": "2019-10-30"}),
        ("我已经退休两年了，退休前是工程师", {"retired": True, "current_title": "engineer"}),
        ("近5年考核全是合格，没有不合格的", {"assessment_ok_recent_5y": True}),
    ],
)
def test_what_people_write_is_read_as_they_meant_it(text, expected):
    assert read(text) == expected


def test_none_answers_a_count_question():
    for text in ("没有", "无", "0", "零", "一篇都没有", "没有 一篇都没发过"):
        assert parse(text, "papers_first_author").facts == {"papers_first_author": 0}, text


def test_a_later_correction_finds_the_fact_it_corrects():
    from policies.eligibility.reader import read_correction

    recent = ["education", "current_title", "current_title_date"]
    assert read_correction("不对，是2018年", CAT, T21, recent) == {"current_title_date": "2018-12-31"}
    assert read_correction("不对，是工程师", CAT, T21, recent) == {"current_title": "engineer"}
    assert read_correction("不对口", CAT, T21, recent) == {}  # an answer, not a correction


def test_words_for_an_unknown_fact_or_code_are_refused(tmp_path):
    import shutil

    import yaml

    from policies.eligibility.catalogue import FACTS_FILE, load_catalogue

    raw = yaml.safe_load(FACTS_FILE.read_text(encoding="utf-8"))
    raw["reading"]["facts"]["education"]["words"]["phd"] = ["博士后"]
    (tmp_path / "facts.yml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    shutil.copytree(FACTS_FILE.parent / "facts.d", tmp_path / "facts.d")
    with pytest.raises(ValueError, match="education: 'phd' is not one of"):
        load_catalogue(str(tmp_path / "facts.yml"))
    raw["reading"]["facts"]["education"]["words"].pop("phd")
    raw["reading"]["facts"]["no_such_fact"] = {"words": {"yes": ["x"]}}
    (tmp_path / "facts.yml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown fact 'no_such_fact'"):
        load_catalogue(str(tmp_path / "facts.yml"))


def test_a_correction_that_names_its_fact_changes_only_that_fact():
    from policies.eligibility.reader import read_correction

    recent = ["technical_materials", "papers_first_author"]
    assert read_correction("不对，我发了两篇论文", CAT, T21, recent) == {"papers_first_author": 2}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("有两项实用新型专利，一个排第一一个排第五", {"utility_patents_top3": 1}),
        ("发明专利3项，我排第五", {"invention_patents_top3": 0}),
        ("发明专利有3项，都是第一发明人", {"invention_patents_top3": 3}),
        ("有个发明专利排第二，还有两个实用新型排第四", {"invention_patents_top3": 1, "utility_patents_top3": 0}),
        ("发明专利 1项 排第二  实用新型 4项 都是前三", {"invention_patents_top3": 1, "utility_patents_top3": 4}),
    ],
)
def test_patents_count_only_where_the_applicant_ranks_in_the_top_three(text, expected):
    assert parse(text).facts == expected


@pytest.mark.parametrize("text", ["有个论文在审", "论文有两篇还在投稿中", "一作论文1篇还没见刊"])
def test_a_paper_not_yet_published_is_not_counted(text):
    facts = parse(text).facts
    assert "papers_first_author" not in facts and "papers_total" not in facts


@pytest.mark.parametrize(
    "requested, text, value",
    [
        # a count asked: 没有 in every form is 0, a range stays a range, a vague count is not read
        ("papers_first_author", "一篇也没有", 0),
        ("papers_first_author", "没发过", 0),
        ("papers_first_author", "暂时没有", 0),
        ("papers_first_author", "两三篇", [2, 3]),
        ("papers_first_author", "三篇吧", 3),
        ("papers_first_author", "好几篇", None),
        ("papers_first_author", "十几篇", None),
        # a date asked: two-digit years, a year alone, relative; two years offered are not one date
        ("current_title_date", "17年7月", "2017-07-01"),
        ("current_title_date", "19年底", "2019-12-31"),
        ("current_title_date", "17年", "2017-12-31"),
        ("current_title_date", "2019", "2019-12-31"),
        ("current_title_date", "前年", "2024-12-31"),
        ("current_title_date", "2017/6", "2017-06-01"),
        ("current_title_date", "14年还是15年", None),
        # a duration asked: at least (五年多) counts its whole years, not yet (快五年) one less
        ("work_years", "五年多", 5),
        ("work_years", "快五年", 4),
        ("work_years", "五六年", [5, 6]),
        ("work_years", "十来年", None),
        ("months_in_engineering_post", "一年半", 18),
    ],
)
def test_the_answer_to_the_question_asked(requested, text, value):
    facts = parse_facts(text, CAT, dt.date(2026, 5, 20), requested).facts
    assert facts.get(requested) == value


def test_a_title_and_its_date_asked_together_with_a_two_digit_year():
    got = parse_together("助工，17年7月", ["current_title", "current_title_date"], CAT, TODAY)
    assert got == {"current_title": "assistant_engineer", "current_title_date": "2017-07-01"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("以前受过处分，处分期已经过了", {"under_discipline": False}),
        ("前年受了处分，现在已经解除了", {"under_discipline": False}),
        ("还在处分期内", {"under_discipline": True}),
        ("我受过处分", {}),  # once, not said whether now
        ("公需30 专业60", {"continuing_education_public_hours": 30, "continuing_education_professional_hours": 60}),
        (
            "公需课：24，专业课48",
            {"continuing_education_public_hours": 24, "continuing_education_professional_hours": 48},
        ),
        ("公需30多", {}),
        ("论文：无", {"papers_first_author": 0}),
        ("学历：本科", {"education": "bachelor"}),
    ],
)
def test_discipline_now_hours_without_their_unit_and_form_labels(text, expected):
    assert parse(text).facts == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # someone else's facts, said for them, are not the applicant's
        ("我是替我爸问的，他在乡镇干了三十年技术，中专，现在是工程师", {}),
        ("请问一下退休了以后还能不能评高级工程师，我是说退休人员这块", {}),
        # corrections: a bare value, a refined date, a two-digit year, a duration in months
        ("论文一作的有俩，啊不对，仨", {"papers_first_author": 3}),
        (
            "我是2016年评的助工，不对，是2015年，2015年10月",
            {"current_title": "assistant_engineer", "current_title_date": "2015-10-01"},
        ),
        ("08年拿的技术员，哦说错了是09年", {"current_title": "technician", "current_title_date": "2009-12-31"}),
        ("社保在本地交了一年零三个月，哦不对，一年零五个月", {"social_insurance_local_months": 17}),
        ("干技术五年，不对，六年", {"work_years": 6}),
        # several titles with their dates: each date goes to the title after its verb
        (
            "2016年评的技术员2019年3月评上助理工程师",
            {"current_title": "assistant_engineer", "current_title_date": "2019-03-01"},
        ),
        ("我是助理工程师（2019.12）", {"current_title": "assistant_engineer", "current_title_date": "2019-12-01"}),
        (
            "99年中专毕业 03年助理 09年中级",
            {"education": "secondary_vocational", "current_title": "engineer", "current_title_date": "2009-12-31"},
        ),
        # none of them
        (
            "一作论文２篇，专利０",
            {
                "papers_first_author": 2,
                "invention_patents_top3": 0,
                "utility_patents_top3": 0,
                "design_patents_top3": 0,
            },
        ),
        ("发明专利没有，实用新型2个排第一", {"invention_patents_top3": 0, "utility_patents_top3": 2}),
        ("本地一个月都没交过社保", {"social_insurance_local_months": 0}),
        ("没在乡镇干过", {"township_years": 0}),
        # vague: not read
        ("发明专利差不多有四五项吧", {}),
        ("从事技术工作近五年", {}),
        # an address is not a title
        ("高工好我是工程师2015年6月评的", {"current_title": "engineer", "current_title_date": "2015-06-01"}),
    ],
)
def test_what_new_writers_wrote_is_read_as_meant(text, expected):
    assert parse(text).facts == expected


def test_none_of_the_numbers_asked_together():
    facts = ["invention_patents_top3", "utility_patents_top3", "design_patents_top3"]
    assert parse_together("都没有", facts, CAT, TODAY) == dict.fromkeys(facts, 0)
    assert parse_together("发明1，实用新型0，外观设计0", facts, CAT, TODAY) == {
        "invention_patents_top3": 1,
        "utility_patents_top3": 0,
        "design_patents_top3": 0,
    }


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我在简阳一家民企上班", {"employer_type": "non_public", "works_locally": True}),
        ("我在德阳上班，不在简阳工作，档案在简阳人才交流中心", {"works_locally": False, "archive_local": True}),
        ("公司是简阳注册的", {"employer_registered_locally": True}),
        ("档案不在简阳", {"archive_local": False}),
        ("我老公在简阳上班", {}),  # someone else's
    ],
)
def test_the_notice_city_named_is_here_when_the_notice_is_known(text, expected):
    facts = parse_facts(text, CAT, TODAY, places=("简阳市", "简阳")).facts
    assert {k: v for k, v in facts.items() if k != "public_institution"} == expected
    assert "works_locally" not in parse_facts(text, CAT, TODAY).facts  # no notice: a city is just a city


@pytest.mark.parametrize(
    "text, expected",
    [
        # typos and abbreviations: 职城 / 继教 / 个人所得税
        ("职城是技术员", {"current_title": "technician"}),
        ("继教学时齐全", {"continuing_education_done": True}),
        (
            "继教：公需24学时，专业60学时，证明：齐全",
            {
                "continuing_education_public_hours": 24,
                "continuing_education_professional_hours": 60,
                "continuing_education_done": True,
            },
        ),
        ("近两年个人所得税都超过免征额的两倍", {"income_tax_two_years": True}),
        ("个税两年都在免征额一倍以上", {"income_tax_two_years": True}),
        # a form's yes / no rows
        ("是否公务员：否；是否退休：否", {"civil_servant": False, "retired": False}),
        ("是否在处分期：否", {"under_discipline": False}),
        ("title: none", {"current_title": "none"}),
        # none of any patent: 也没有 / 莫得 / ：无
        ("专利也没有", dict.fromkeys(["invention_patents_top3", "utility_patents_top3", "design_patents_top3"], 0)),
        ("专利莫得", dict.fromkeys(["invention_patents_top3", "utility_patents_top3", "design_patents_top3"], 0)),
        ("专利：无", dict.fromkeys(["invention_patents_top3", "utility_patents_top3", "design_patents_top3"], 0)),
        # 学的X 现在也是干X
        ("本科学的暖通 现在也是干暖通", {"education": "bachelor", "education_related": True}),
        # a company's own job title is not a professional title
        ("在公司里是高级工程师（公司内部叫法），职称还没评", {"current_title": "none"}),
        ("从事相关工作9年", {"related_work_years": 9}),
        ("近一年考核合格", {"assessment_ok_latest": True}),
        ("档案调入本市了", {"archive_local": True}),
        ("档案存放于市人才服务中心", {"archive_local": True}),
        ("前年被区政府表彰过", {"innovation_project_lead": True}),
        ("主研的发明专利推广后纳税两千三百多万", {"invention_patent_tax_10m": True}),
        ("见习一年期满单位考察说合格", {"trainee_year_passed": True}),
        ("什么奖都没拿过", {"provincial_award_top3": False}),
        ("在乡镇干了九年 后来调城里了", {"township_years": 9, "still_in_township": False}),
    ],
)
def test_more_of_how_the_third_writers_wrote(text, expected):
    assert parse(text).facts == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # 同年 / 当年: the year of the date said before (in the clause or an earlier one)
        (
            "2013年拿的助理工程师同年9月聘的",
            {
                "current_title": "assistant_engineer",
                "current_title_date": "2013-12-31",
                "current_title_appointed_date": "2013-09-01",
            },
        ),
        (
            "2011年取得工程师资格，当年聘任",
            {
                "current_title": "engineer",
                "current_title_date": "2011-12-31",
                "current_title_appointed_date": "2011-12-31",
            },
        ),
        ("当年的事就不说了，工程师是2012年评的", {"current_title": "engineer", "current_title_date": "2012-12-31"}),
        # an event after 评的 is not what was 评: 2009年评的(快退休了)
        (
            "技术员是2009年评的快退休了",
            {"current_title": "technician", "current_title_date": "2009-12-31", "retired": False},
        ),
        # a company's job title in brackets
        ("我是senior engineer（公司内部title），国内职称还没评过", {"current_title": "none"}),
        # a long message without punctuation: a hedge stays in its own part
        (
            "我本科毕业在市属国企上班做造价工程师是2018年5月拿的同年10月聘的现在做的工作不知道算不算对口",
            {
                "education": "bachelor",
                "employer_type": "state_owned",
                "current_title": "engineer",
                "current_title_date": "2018-05-01",
                "current_title_appointed_date": "2018-10-01",
            },
        ),
        # asked for someone else, then the writer speaks of themself: 我是…
        (
            "帮我爱人问问他是助工在一家设计院搞给排水我是工程师2017年评的本科",
            {"current_title": "engineer", "current_title_date": "2017-12-31", "education": "bachelor"},
        ),
    ],
)
def test_dates_of_the_same_year_and_long_unpunctuated_messages(text, expected):
    assert {k: v for k, v in parse(text).facts.items() if k != "public_institution"} == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # a hypothetical covers the whole stretch: where it ends is not known
        ("如果一个人是本科工程师2015年评的现在在民企上班能不能报高工", {}),
        # a hedge covers its own part, not what is said after the next statement starts
        (
            "我大专毕业好像算是对口吧现在在一家国企做机修助工是2016年评的",
            {"employer_type": "state_owned", "current_title": "assistant_engineer", "current_title_date": "2016-12-31"},
        ),
    ],
)
def test_how_far_a_hedge_or_a_hypothetical_reaches_in_a_long_message(text, expected):
    assert {k: v for k, v in parse(text).facts.items() if k != "public_institution"} == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # a form written on one line: each label after a space keeps its value
        (
            "助理工程师 取得：2018.09 聘任：2019.03 学历：大专",
            {
                "current_title": "assistant_engineer",
                "current_title_date": "2018-09-01",
                "current_title_appointed_date": "2019-03-01",
                "education": "junior_college",
            },
        ),
        # 实审 / 没授权 said of the patent it follows, not of the others in the clause
        ("有三个实用新型都排第一还有一个发明专利在实审", {"utility_patents_top3": 3}),
        # the count said before the kind, the rank after it
        ("两项外观设计排第二", {"design_patents_top3": 2}),
        # a range of patents with no rank said: how many in the top three is not known
        ("实用新型有四五个，排名记不清了", {}),
    ],
)
def test_patents_and_forms_on_one_line(text, expected):
    assert parse(text).facts == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # "…是错的": what was said before is corrected by what follows
        ("前面说的社保三年是错的，两年半", {"social_insurance_local_months": 30}),
        (
            "我说的工程师2014年是错的，其实是2013年",
            {"current_title": "engineer", "current_title_date": "2013-12-31"},
        ),
        ("论文其实就一篇", {"papers_first_author": 1}),
    ],
)
def test_what_was_said_wrong_is_corrected(text, expected):
    assert parse(text).facts == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("见习一年，单位考核合格", {"trainee_year_passed": True}),
        ("trainee period: 1 year, passed", {"trainee_year_passed": True}),
        ("见习一年，单位考核不合格", {}),
    ],
)
def test_a_trainee_year_said_with_its_result(text, expected):
    assert parse(text).facts == expected


def test_the_scorer_reads_a_message_with_the_notice_city_it_names():
    """The held-out scorer tells the reader the names of a notice region the message names (the
    chat's region slot is filled from the same message before the facts are read)."""
    from policies.eligibility.heldout_facts import notice_places

    assert "湖州" in notice_places("我在安吉一家民企做研发") and "安吉" in notice_places("在湖州上班")
    assert "简阳" in notice_places("在簡陽一家國企")  # traditional characters: normalised first
    assert notice_places("我在杭州上班") == []  # no notice for that city
    facts = parse_facts("我在长治上班", CAT, TODAY, None, notice_places("我在长治上班")).facts
    assert facts == {"works_locally": True}


def here(text):
    from policies.eligibility.heldout_facts import notice_places

    facts = parse_facts(text, CAT, TODAY, None, notice_places(text)).facts
    return {k: v for k, v in facts.items() if k != "public_institution"}


@pytest.mark.parametrize(
    "text, expected",
    [
        # the city (or a county of it) named with the work done there or the firm one is at
        ("毕业后在安吉一家竹制品厂做工艺", {"works_locally": True}),
        ("我在重庆的一家私企", {"works_locally": True, "employer_type": "non_public"}),
        (
            "我是长治一家国企的技术员",
            {"works_locally": True, "employer_type": "state_owned", "current_title": "technician"},
        ),
        ("我喺簡陽搞電力", {"works_locally": True}),
        # another city in between: not where one works; the city one works in is elsewhere
        ("我在平凉读的大学，在杭州上班", {"works_locally": False}),
        ("我在长治出生，现在在外地上班", {}),
    ],
)
def test_the_notice_city_named_as_where_one_works(text, expected):
    assert here(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # typos and English: 队口, engneer, appoint, related, center
        ("专业队口", {"education_related": True}),
        ("I'm an assistant enginer", {"current_title": "assistant_engineer"}),
        (
            "工程师 2019年评的，appoint 是 2019 年 12 月",
            {
                "current_title": "engineer",
                "current_title_date": "2019-12-31",
                "current_title_appointed_date": "2019-12-01",
            },
        ),
        # 合资: how much is private is not said
        ("在一家中外合资企业上班", {}),
        # a degree still being studied for, or not taken, is not held
        ("博士 没读，硕士毕业", {"education": "master"}),
        ("大专毕业，本科还在读", {"education": "junior_college"}),
        # 啊不是 corrects what was said before it
        (
            "助工是2015年评的，啊不是，2016年",
            {"current_title": "assistant_engineer", "current_title_date": "2016-12-31"},
        ),
        # someone else's facts: a son-in-law, a colleague called 小X, one's apprentices
        ("我女婿在民企，本科，干了五年，帮他问问", {}),
        ("车间的小赵大专毕业两年了，他能报助工吗", {}),
        ("带过的徒弟有三个都评上工程师了", {}),
    ],
)
def test_typos_english_and_whose_facts(text, expected):
    assert {k: v for k, v in parse(text).facts.items() if k != "public_institution"} == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("处分期还没过", {"under_discipline": True}),
        ("前年被记过", {"under_discipline": True}),
        ("论文一篇没有", {"papers_first_author": 0}),
        # every paper a later author's: no first-author paper
        ("论文有两篇，不过都是第二作者", {"papers_total": 2, "papers_first_author": 0}),
        ("去年考核基本称职", {"assessment_ok_latest": False}),
        ("16、17、18这几年考核都是称职，17、18、19也是称职", {"assessment_ok_2017_2019": True}),
        ("考核合格三次，一次不合格都没有", {"assessments_passed_count": 3}),
        ("见习期还没满", {"trainee_year_passed": False}),
        ("见习满一年了，单位还没组织考察", {"trainee_year_passed": False}),
        ("博士毕业，单位考察还没做", {"education": "doctor", "doctor_assessed": False}),
        ("转到工程系列是前年的事，不是今年", {"transferred_this_year": False}),
        ("在镇上干了十年，有两年借调到城里", {"township_years": 10}),
        ("头部企业的推荐名额今年没轮到我", {"head_enterprise_recommended": False}),
        ("解决复杂技术问题的技术报告写了两篇", {"research_reports": 2}),
    ],
)
def test_discipline_papers_assessments_trainee_and_reports(text, expected):
    assert parse(text).facts == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # a two-digit year in numerals, said with what dates it
        ("技术员九八年评的", {"current_title": "technician", "current_title_date": "1998-12-31"}),
        ("助工二二年拿的", {"current_title": "assistant_engineer", "current_title_date": "2022-12-31"}),
        ("干了一二年", {"work_years": [1, 2]}),
        # no title said as 没得 / with a space / 连…都没有
        ("干了五年，还没得职称", {"work_years": 5, "current_title": "none"}),
        ("本科 还没有 职称", {"education": "bachelor", "current_title": "none"}),
        ("工程师没评，连助工都没有", {"current_title": "none"}),
        # a form's years row
        ("从事专业年限：7年", {"work_years": 7}),
        ("带新人成效显著", {"mentoring_effective": True}),
        ("专利一个都没有", {"invention_patents_top3": 0, "utility_patents_top3": 0, "design_patents_top3": 0}),
        ("香港籍", {"hk_macau_taiwan_or_foreign_talent": True}),
        ("参与写了一本书，我写了三万多字", {"book_20k_words": True}),
        ("书没出过", {"book_20k_words": False}),
        ("省级的奖没拿过", {"provincial_award_top3": False}),
        ("主导的项目去年销售额三千万", {"innovation_results_revenue": True}),
        ("七类业绩一个都没有", {"achievement_listed": "none"}),
        ("行业规划是我牵头编的", {"achievement_listed": "plan_compiled"}),
        ("推广了一项新材料，省里鉴定过", {"achievement_listed": "new_tech_promoted"}),
        (
            "公需24学时，专业课60学时，证明都有",
            {
                "continuing_education_public_hours": 24,
                "continuing_education_professional_hours": 60,
                "continuing_education_done": True,
            },
        ),
        ("继续教育我没怎么参加", {"continuing_education_done": False}),
        ("小学毕业", {"education": "none"}),
        ("在研发中心", {"department_type": "research"}),
        # related: the same word for what was studied and what is done, 专业一样, 专业是相关的
        ("学电气的，干的也是电气", {"education_related": True}),
        ("一直搞测绘，学的也是测绘", {"education_related": True}),
        ("专业一样", {"education_related": True}),
        ("专业是相关的", {"education_related": True}),
    ],
)
def test_years_in_numerals_no_title_and_the_notices_own_facts(text, expected):
    assert parse(text).facts == expected


CONDITION_LINES = {
    "related_work_years": "从事相近相关工程技术工作满2年",
    "assessment_ok_recent_5y": "近5年单位考核都合格",
    "jy_papers_first_or_corresponding": "任工程师以来第一或通讯作者论文1篇以上",
    "continuing_education_public_hours": "公需科目不少于30学时",
}


@pytest.mark.parametrize(
    "text, no",
    [
        ("都满足", set()),
        ("都有的", set()),
        ("除了3都符合", {"jy_papers_first_or_corresponding"}),
        ("除了第三条，其他都符合", {"jy_papers_first_or_corresponding"}),
        ("3不符合，其他都符合", {"jy_papers_first_or_corresponding"}),
        ("论文没有，其他都符合", {"jy_papers_first_or_corresponding"}),
        ("学时不够，其余都满足", {"continuing_education_public_hours"}),
    ],
)
def test_a_checklist_answered_as_all_but_some(text, no):
    """Issue 23: the conditions checklist answered the way people answer one — "都满足", "除了3都符合",
    "论文没有，其他都符合": the lines named no, the rest yes."""
    facts = list(CONDITION_LINES)
    got = parse_checklist(text, facts, CONDITION_LINES, CAT).facts
    assert got == {f: f not in no for f in facts}


@pytest.mark.parametrize("text", ["工作不够，其他都符合", "是的", "除了那个都符合"])
def test_a_checklist_answer_that_does_not_say_which_line_reads_nothing(text):
    """A word two lines share (工作 … 工程技术工作, 考核), or none: not sure which line is meant, so
    nothing is read and the checklist is asked again."""
    labels = {**CONDITION_LINES, "assessment_ok_recent_5y": "近5年单位工作考核都合格"}
    assert parse_checklist(text, list(labels), labels, CAT).facts == {}


@pytest.mark.parametrize(
    "text, title, date",
    [
        ("中级 2015 民营", "engineer", "2015-12-31"),
        ("硕士，高工 2021，事业单位", "senior_engineer", "2021-12-31"),
        ("助理工程师是21.3拿的", "assistant_engineer", "2021-03-01"),
        ("中级是二〇二〇年评的", "engineer", "2020-12-31"),
        ("工程师是二〇年五月评的", "engineer", "2020-05-01"),
    ],
)
def test_a_bare_year_or_a_short_dotted_date_with_a_title(text, title, date):
    """Issue 21: a year standing alone in a list is the date of the title before it (not an amount:
    纳税 3000 万); 21.3拿的 is a two-digit year and its month when a verb dates it."""
    got = parse(text).facts
    assert (got.get("current_title"), got.get("current_title_date")) == (title, date)


@pytest.mark.parametrize("text", ["干技术差两个月满六年", "搞设计还差半年满八年", "纳税 3000 万"])
def test_short_of_a_whole_number_is_vague(text):
    """差两个月满六年 is less than six years: not read (nor is a bare number with its unit after a space)."""
    got = parse(text).facts
    assert "work_years" not in got and "current_title_date" not in got


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我是攻城狮，中级21年拿的", {"current_title": "engineer", "current_title_date": "2021-12-31"}),
        ("研究僧毕业，在设计院", {"education": "master", "department_type": "research"}),
        ("博土，单位考查合格了", {"education": "doctor", "doctor_assessed": True}),
        ("硕土学历，专业对扣", {"education": "master", "education_related": True}),
        ("大砖，现在是技术猿", {"education": "junior_college", "current_title": "technician"}),
        ("职秤是高攻", {"current_title": "senior_engineer"}),
        ("论闻两篇，都是一作", {"papers_first_author": 2}),
        ("档安在本地", {"archive_local": True}),
        ("处份期还没过", {"under_discipline": True}),
        ("发名专利一项，排第一", {"invention_patents_top3": 1}),
    ],
)
def test_homophone_typos_of_the_keywords(text, expected):
    """Issue 21: what pinyin input gives for the keywords (技术猿 / 高攻 / 论闻 / 档安 / 发名) and
    the look-alikes 博土 / 硕土: read as the keyword."""
    got = parse(text).facts
    assert {k: got.get(k) for k in expected} == expected


def test_a_registered_engineers_licence_is_not_a_title():
    """注册结构工程师 / 一级建造师 are licences: the title is the one said as the title."""
    assert parse("有注册电气工程师证，职称是助工").facts.get("current_title") == "assistant_engineer"
    assert "current_title" not in parse("考了一级建造师，本科").facts


@pytest.mark.parametrize(
    "text, expected",
    [
        ("专业相符，本科", {"education_related": True}),
        ("科班出身，学的暖通", {"education_related": True}),
        ("专业对不上，大专", {"education_related": False}),
        ("非科班，硕士", {"education_related": False}),
        ("国营老厂，中专", {"employer_type": "state_owned"}),
        ("港资企业，本科", {"employer_type": "non_public"}),
        ("从业十二年，本科", {"work_years": 12}),
        ("入行七年，大专", {"work_years": 7}),
        ("在乡政府干了六年", {"township_years": 6}),
        ("员级职称，中专", {"current_title": "technician"}),
        ("发过两篇文章，都是一作", {"papers_first_author": 2}),
    ],
)
def test_synonyms_of_the_keywords(text, expected):
    """Issue 21: words engineers use for the same facts — 专业相符 / 科班出身, 国营 / 港资, 从业 /
    入行, 乡政府, 员级, 文章."""
    got = parse(text).facts
    assert {k: got.get(k) for k in expected} == expected


@pytest.mark.parametrize("text", ["学的化工现在搞环保大概算对口吧", "专业可能不太对口吧"])
def test_a_relatedness_said_with_a_hedging_particle_is_not_read(text):
    """Issue 21: 大概…吧 / 可能…吧 / 不太…吧 hedge like 应该…吧."""
    assert "education_related" not in parse(text).facts


def test_a_hedge_ending_in_a_particle_covers_its_own_part_of_a_run_on():
    """…不太对口吧 ends that statement in a message written without punctuation: what follows is read."""
    got = parse("我零八年大专毕业学的是水工现在干的是市政道路不太对口吧助工是一四年评的").facts
    assert "education_related" not in got
    assert got.get("current_title") == "assistant_engineer" and got.get("current_title_date") == "2014-12-31"


def test_basically_passed_answers_no():
    """基本合格 is below 合格: as the answer to "去年考核合格吗", no."""
    assert parse("去年是基本合格", "assessment_ok_latest").facts.get("assessment_ok_latest") is False


@pytest.mark.parametrize(
    "text, title",
    [
        ("中专，初级职称，民营厂", "assistant_engineer"),
        ("本科 中级职称 国企", "engineer"),
        ("想评中级职称，本科", None),
    ],
)
def test_a_title_named_as_a_title_is_held(text, title):
    """Issue 21: 中级职称 in a list of one's facts is the title one has (评中级职称: applied for)."""
    assert parse(text).facts.get("current_title") == title


@pytest.mark.parametrize(
    "text, fact, date",
    [
        ("考了电工技师，2021年3月取的证", "skill_date", "2021-03-01"),
        ("焊工技师，前年5月刚下来", "skill_date", "2024-05-01"),
        ("中级，2018年9月下的证", "current_title_date", "2018-09-01"),
    ],
)
def test_a_date_in_the_clause_after_a_title_with_its_verb(text, fact, date):
    """Issue 21: 取的 for 取得 after a date; 下来 / 下的证 say the certificate was given."""
    assert parse(text).facts.get(fact) == date


@pytest.mark.parametrize(
    "text, requested, expected",
    [
        ("近三年考核从没不合格过", None, {}),
        ("近五年的考核没有不合格的", None, {"assessment_ok_recent_5y": True}),
        ("一次都合格，没有不合格的", "assessments_ok_in_period", {"assessments_ok_in_period": True}),
        ("有一年不合格", "assessments_ok_in_period", {"assessments_ok_in_period": False}),
    ],
)
def test_a_double_negation_of_failing_is_passing(text, requested, expected):
    """Issue 21: 没有不合格的 / 从没不合格过 say every assessment was passed; 有…不合格 is a no."""
    got = parse(text, requested).facts
    assert {k: got[k] for k in expected} == expected
    assert got.get("assessment_ok_recent_5y") is not False


@pytest.mark.parametrize("requested, expected", [("work_years", None), ("social_insurance_local_months", 58)])
def test_short_of_whole_years_as_an_answer(requested, expected):
    """差两个月满五年: no whole number of years, but 58 months."""
    assert parse("差两个月满五年", requested).facts.get(requested) == expected


def test_a_negation_before_a_space_and_other_words_is_not_the_next_words():
    """Written with spaces for commas: 今年的还没评 去年是合格 — 没 belongs to 评, not to 去年合格."""
    got = parse("今年的还没评 去年是合格").facts
    assert got.get("assessment_ok_latest") is True and "assessments_passed_count" not in got
    assert parse("大专 没有 职称").facts.get("current_title") == "none"


@pytest.mark.parametrize(
    "text",
    [
        "高级是要找三个正高推荐对吧",
        "我是人事，帮技术部两个同事问一下，他们都没有职称",
        "我们车间小李 大专 前年毕业 能报技术员吗",
        "请问我还能不能再走评审拿高工",
    ],
)
def test_a_rule_asked_or_someone_elses_facts_are_not_the_writers(text):
    """Issue 21: a requirement (要找…推荐), a message for colleagues (帮…两个同事问), 单位小X without
    的, and 能不能…拿 (applying) state nothing about the writer's own title or recommenders."""
    got = parse(text).facts
    assert not {"current_title", "education", "recommenders_full_senior"} & set(got)


@pytest.mark.parametrize(
    "text, fact, value",
    [
        ("在镇上农机站干了十二年，不对，十三年", "township_years", 13),
        ("搞技术干了9年，说错了，是10年", "work_years", 10),
    ],
)
def test_a_bare_number_of_years_after_a_correction_is_years_not_a_date(text, fact, value):
    """Issue 21: 不对，16年 corrects a number of years said before it (not the year 2016)."""
    assert parse(text).facts.get(fact) == value


def test_a_year_not_assessed_is_not_a_year_passed():
    """18年没参加考核 answers "2017–2019 都合格吗" with no."""
    got = parse("18年没参加考核 另外两年合格", "assessment_ok_2017_2019").facts
    assert got.get("assessment_ok_2017_2019") is False


def test_the_date_of_another_series_title_is_not_the_engineering_titles():
    """2016年评的会计师: the date is that title's; no engineering title date is read."""
    got = parse("我2016年评的会计师，去年转到技术岗").facts
    assert got.get("other_series_title") is True and "current_title_date" not in got


@pytest.mark.parametrize(
    "text, expected",
    [
        ("学的会计 现在管电气设备 八竿子打不着", {"education_related": False}),
        ("公需30学时 专业70学时 都修完了", {"continuing_education_done": True}),
        ("近两年个税都过了免征额两倍", {"income_tax_two_years": True}),
        ("收入不高 个税基本不交", {"income_tax_two_years": False}),
        ("那七类业绩我都沾不上", {"achievement_listed": "none"}),
        ("新产品的效益还达不到那个数", {"innovation_results_revenue": False}),
        ("发明专利有个排第二的，谈不上税收", {"invention_patent_tax_10m": False}),
        ("硕士，机械专业学位", {"engineering_master": True}),
    ],
)
def test_word_families_of_a_wechat_writer(text, expected):
    """Issue 21: 不搭边 / 八竿子打不着, 学时…都修完了, 过了免征额, 个税不交, 沾不上, 效益达不到,
    谈不上税收, a professional degree (专业学位)."""
    got = parse(text).facts
    assert {k: got.get(k) for k in expected} == expected


@pytest.mark.parametrize(
    "text, expected, absent",
    [
        # a major and a job of one field are 对口; of two fields, nothing is read
        ("学的计算机，干的也是软件开发", {"education_related": True}, []),
        ("大专／机电一体化／从事机电维修10年", {"education_related": True}, []),
        ("做化工工艺 本科 学的化学工程", {"education_related": True}, []),
        ("学的土木，做的是软件", {}, ["education_related"]),
        # the months in a post moved to, when the number is a clause later than the post
        ("我有经济师职称，2024年调到设备技术岗，到现在干了两年", {"months_in_engineering_post": 24}, ["work_years"]),
        ("后来调到工程技术部，到现在整14个月", {"months_in_engineering_post": 14}, []),
        ("在技术岗，干了五年", {"work_years": 5}, ["months_in_engineering_post"]),  # nobody moved
        ("俺们这是乡镇水利站，俺在这干了十八年", {"township_years": 18}, ["work_years"]),
        # all the papers, when the later authors' or the total are said
        ("一作3篇，共4篇", {"papers_first_author": 3, "papers_total": 4}, []),
        ("论文一作五篇另有三篇是二作的", {"papers_first_author": 5, "papers_total": 8}, []),
        ("一篇一作一篇二作", {"papers_first_author": 1, "papers_total": 2}, []),
        ("一作两篇，还有一篇刚见刊的，一共三篇一作", {}, ["papers_total"]),
    ],
)
def test_families_read_across_the_writers_dev_splits(text, expected, absent):
    """Issue 21 (2026-12-07): families found across the six writers' dev splits."""
    got = parse(text).facts
    assert {k: got.get(k) for k in expected} == expected
    assert not [f for f in absent if f in got], got


@pytest.mark.parametrize(
    "text, date",
    [
        ("本科 机械 助工 19年 想报中级 论文一篇", "2019-12-31"),  # a two-digit year right after the title
        ("2010年评了助理工程师，2016年评了工程师，这些年一直在生产技术科", "2016-12-31"),  # 评了 + the title held
        ("专业对口的助理工程师是一九年评的论文发了一篇是一作", "2019-12-31"),  # run on: 论文 is not 评's object
    ],
)
def test_the_title_date_said_the_way_lists_and_run_ons_say_it(text, date):
    facts = read(text)
    assert facts.get("current_title_date") == date, facts


def test_a_date_after_a_title_that_dates_another_event_is_not_the_titles():
    # 技术员2020年6月大专毕业: the date is the graduation's; the title's own date comes later
    facts = read("在长治一家民营煤机厂当技术员2020年6月大专毕业后进厂见习满一年考察合格2021年8月评的技术员")
    assert facts.get("current_title_date") == "2021-08-01", facts
    assert "current_title_date" not in read("我是工程师 13年了")  # held 13 years: not the year 2013


@pytest.mark.parametrize(
    "text, value",
    [
        ("受了党纪处分还没到期", True),  # 没 negates the end of the discipline, not the discipline
        ("处分期还没过", True),
        ("受了处分", True),
        ("处分已经到期了", False),
        ("没受过处分", False),
    ],
)
def test_a_discipline_not_yet_over_is_one_now(text, value):
    assert read(text).get("under_discipline") is value


def test_a_small_firm_said_of_ones_own_is_read_not_the_notices_name():
    assert read("我在渝北一家民营小公司搞技术").get("cq_sme") is True
    assert read("我们公司是中小企业").get("cq_sme") is True
    assert "cq_sme" not in read("能报非公中小企业副高吗")  # the notice's name, not the firm


@pytest.mark.parametrize(
    "text, expected",
    [
        ("就一篇 我是二作", {"papers_first_author": 0, "papers_total": 1}),
        ("两篇，不过都是第二作者", {"papers_first_author": 0, "papers_total": 2}),
        ("3篇 一篇一作两篇二作", {"papers_first_author": 1, "papers_total": 3}),
        ("两篇一作", {"papers_first_author": 2}),
    ],
)
def test_a_count_of_first_author_papers_said_of_a_later_author_is_not_first_author(text, expected):
    """Asked "几篇一作？": a number said of 二作 is all the papers, and none of them first-author."""
    facts = parse_facts(text, CAT, TODAY, "papers_first_author").facts
    assert {k: facts[k] for k in facts if k.startswith("papers")} == expected


@pytest.mark.parametrize(
    "text, first, total",
    [
        ("论文一篇一作两篇二作", 1, 3),  # each number before its author
        ("一作两篇 二作一篇", 2, 3),  # each number after its author: 二作 is counted once
        ("一作一篇，二作两篇", 1, 3),
    ],
)
def test_papers_by_author_rank_in_either_order(text, first, total):
    facts = read_facts(text, CAT, TODAY)
    assert (facts.get("papers_first_author"), facts.get("papers_total")) == (first, total)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("论纹一坐两篇", {"papers_first_author": 2}),  # 论文一作 typed by sound
        ("我是大砖学历，现在是助里工程师", {"education": "junior_college", "current_title": "assistant_engineer"}),
        ("现在是主力工程师", {"current_title": "assistant_engineer"}),  # two characters off in a long name
        ("专叶课60学时", {"continuing_education_professional_hours": 60}),
    ],
)
def test_keywords_typed_by_sound_are_read(text, expected):
    facts = read_facts(text, CAT, TODAY)
    assert {k: facts.get(k) for k in expected} == expected


def test_a_phrase_is_not_taken_for_a_typo():
    """规划是我牵头编的: 是 is a word of the sentence, not a typo of 规划室."""
    from policies.eligibility.freetext import prepare

    assert "规划是我" in prepare("十四五技改规划是我牵头编的", CAT.wording)

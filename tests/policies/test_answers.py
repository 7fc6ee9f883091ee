"""Whole topics composed from the data (查看全部, the staff page's topic filter): figures with
document and clause; 'not stated' where true."""

import datetime as dt

import pytest

from policies import QA, load_notices, render_text, resolve

TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def index():
    return load_notices()


@pytest.fixture(scope="module")
def qa(index):
    return QA(index)


class Topic:
    """A whole topic as the chat shows it: its text, whether stated, its citations."""

    def __init__(self, reply):
        self.reply = reply
        self.text = render_text(reply) + (
            "\n" + reply.tail if reply.tail and reply.tail not in render_text(reply) else ""
        )
        self.stated = reply.stated
        self.citations = reply.citations
        self.needs_level = reply.ask_levels


@pytest.fixture(scope="module")
def answer(qa):
    def _answer(notice, topic, today, level=None, summary=False):
        return Topic(qa.topic_reply(notice, topic, today, level, summary=summary))

    return _answer


def test_jianyang_fee_cites_document_and_clause(index, answer):
    ans = answer(index.get("jianyang-2020-engineering-senior"), "fees", TODAY)
    assert "320元" in ans.text and "简人社职〔2020〕33号" in ans.text and "〔七〕" in ans.text
    assert ans.stated


def test_huzhou_fee_not_stated_names_basis_and_contact(index, answer):
    ans = answer(index.get("huzhou-2020-enterprise-innovation-engineer"), "fees", TODAY)
    assert not ans.stated
    assert "没有写明" in ans.text and "浙价费〔2002〕229号" in ans.text and "2033099" in ans.text
    assert "元" not in ans.text.replace("单元", "")  # no invented amount


def test_pingliang_fee_not_stated_gives_contact(index, answer):
    ans = answer(index.get("pingliang-2022-engineering-mid-senior"), "fees", TODAY, level="senior_engineer")
    assert not ans.stated and "0933-8232911" in ans.text


@pytest.mark.parametrize("level,amount,other", [("engineer", "300元", "260元"), ("technician", "260元", "300元")])
def test_changzhi_fee_per_level(index, answer, level, amount, other):
    ans = answer(index.get("changzhi-2022-engineering-mid-junior"), "fees", TODAY, level=level)
    assert amount in ans.text and other not in ans.text


def test_changzhi_fee_without_level_lists_all(index, answer):
    text = answer(index.get("changzhi-2022-engineering-mid-junior"), "fees", TODAY).text
    assert "300元" in text and "260元" in text


@pytest.mark.parametrize(
    "nid,doc",
    [
        ("pingliang-2022-engineering-mid-senior", "甘人社通〔2021〕252号"),
        ("chongqing-2024-engineering-senior-nonpublic-sme", "重庆市职称申报标准条件索引"),
    ],
)
def test_delegated_conditions_name_the_document(index, answer, nid, doc):
    ans = answer(index.get(nid), "conditions", TODAY)
    assert doc in ans.text


def test_materials_include_copies(index, answer):
    text = answer(index.get("changzhi-2022-engineering-mid-junior"), "materials", TODAY).text
    assert "25份" in text or "二十五份" in text


def test_papers_include_plagiarism_thresholds(index, answer):
    text = answer(index.get("pingliang-2022-engineering-mid-senior"), "papers", TODAY).text
    assert "15%" in text and "25%" in text


def test_continuing_education_hours(index, answer):
    text = answer(index.get("jianyang-2020-engineering-senior"), "continuing_education", TODAY).text
    assert "公需科目不少于30学时" in text and "专业科目不少于60学时" in text


def test_contacts_list_every_phone(index, answer):
    text = answer(index.get("huzhou-2020-enterprise-innovation-engineer"), "contacts", TODAY).text
    for phone in ("2033099", "2289377", "3013686", "8367490", "6038432", "5031286"):
        assert phone in text


def test_silent_topic_says_not_stated_and_gives_contact(index, answer):
    # 重庆's notice says nothing on continuing-education hours or papers' plagiarism thresholds.
    ans = answer(index.get("jianyang-2020-engineering-senior"), "series_transfer", TODAY)
    assert not ans.stated
    assert "没有写到" in ans.text and "27028373" in ans.text


def test_every_topic_of_every_notice_answers_with_a_citation(index, answer):
    from policies import ANSWER_TOPICS

    for notice in index.all():
        for topic in ANSWER_TOPICS:
            ans = answer(notice, topic, TODAY)
            assert notice.doc_number in ans.text, (notice.id, topic)
            assert len(ans.text) < 1500, (notice.id, topic, len(ans.text))
            assert ans.citations or ans.reply.kind == "not_stated"


class TestResolve:
    def test_region_alone_picks_single_notice(self, index):
        assert resolve(index, "jianyang", None).notice.id == "jianyang-2020-engineering-senior"

    def test_no_region_offers_candidates_for_level(self, index):
        res = resolve(index, None, "senior_engineer")
        assert res.notice is None
        assert {n.region.code for n in res.candidates} == {"jianyang", "pingliang", "chongqing"}

    def test_junior_is_ambiguous(self, index):
        assert resolve(index, "changzhi", "junior").ask_level == ["assistant_engineer", "technician"]

    def test_new_level_not_in_region_is_reported(self, index):
        res = resolve(index, "jianyang", "engineer", level_is_new=True)
        assert res.notice is None and res.unknown_level_for_region == "engineer"

    def test_remembered_level_not_in_region_is_dropped(self, index):
        res = resolve(index, "chongqing", "engineer", level_is_new=False)
        assert res.notice.region.code == "chongqing" and res.level_dropped == "engineer"

    def test_unknown_region_offers_all(self, index):
        res = resolve(index, "beijing", None)
        assert res.notice is None and len(res.candidates) == 5


def test_multi_level_topic_without_level_offers_each_level(index, answer):
    ans = answer(index.get("changzhi-2022-engineering-mid-junior"), "conditions", TODAY, summary=True)
    assert ans.needs_level == ["technician", "assistant_engineer", "engineer"]
    assert "选级别可看具体要求" in ans.text and len(ans.text) <= 250


def test_level_specific_conditions(index, answer):
    text = answer(index.get("changzhi-2022-engineering-mid-junior"), "conditions", TODAY, level="engineer").text
    assert "4年" in text or "满4年" in text or "四年" in text
    assert "2018年12月31日" in text


def test_uncovered_place(index):
    from policies.index import load_places
    from policies.scope import uncovered_place

    places = load_places()
    assert uncovered_place(index, "北京高工评审费", places) == "北京"
    assert uncovered_place(index, "成都简阳高工评审费", places) is None  # 简阳 is near 成都
    assert uncovered_place(index, "山西太原中级", places) == "太原"
    assert uncovered_place(index, "重庆副高评审费", places) is None
    assert uncovered_place(index, "山西长治中级", places) is None  # 长治 is in 山西
    assert uncovered_place(index, "甘肃平凉", places) is None
    assert uncovered_place(index, "评审费多少", places) is None


def test_hours_not_repeated(index, answer):
    text = answer(index.get("jianyang-2020-engineering-senior"), "continuing_education", TODAY).text
    assert text.count("60学时") == 1

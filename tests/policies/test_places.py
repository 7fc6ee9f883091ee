"""Places from the gazetteer: a district or county under a notice's city is that notice's place,
for the region a message is about and for the facts read from it (policies/places.py)."""

import datetime as dt

import pytest

from policies.eligibility import load_catalogue
from policies.eligibility.heldout_facts import notice_places
from policies.eligibility.reader import read_facts
from policies.index import load_places
from policies.loader import load_notices
from policies.places import elsewhere_names, place_names, reading_names, region_forms
from policies.scope import classify, uncovered_place
from policies.text import entity_forms

TODAY = dt.date(2026, 11, 22)
CAT = load_catalogue()
INDEX = load_notices()
REGIONS = {n.region.code: n.region for n in INDEX.all()}


def read(code, text):
    """As the chat reads a message once the conversation's region is known (actions/assessment.py)."""
    return read_facts(text, CAT, TODAY, reading_names(REGIONS[code]))


def test_the_divisions_under_each_city_come_from_the_gazetteer_by_their_current_names():
    changzhi = place_names(REGIONS["changzhi"])
    # 长治's 2018–2019 reform: 潞州区, 上党区, 屯留区, 潞城区 (no more 城区 / 郊区 / 长治县)
    assert {"潞州区", "上党区", "屯留区", "潞城区", "沁县", "沁源县", "沁源", "襄垣"} <= set(changzhi)
    assert not {"城区", "郊区", "长治县", "沁"} & set(changzhi)  # gone, shared with other cities, or one character
    assert {"九龙坡区", "九龙坡", "两江新区", "两江", "彭水", "涪陵"} <= set(place_names(REGIONS["chongqing"]))
    assert {"华亭市", "华亭", "静宁县", "崆峒区"} <= set(place_names(REGIONS["pingliang"]))
    # 湖州's counties are no longer a hand list in the notice file
    assert {"吴兴", "南浔区", "德清", "长兴县", "安吉"} <= set(place_names(REGIONS["huzhou"]))
    assert "吴兴" not in REGIONS["huzhou"].aliases
    assert place_names(REGIONS["jianyang"]) == ("简阳市", "简阳")  # a county-level city: nothing below it here


def test_a_short_form_that_is_an_everyday_word_does_not_set_the_region_alone():
    forms = region_forms(REGIONS["changzhi"])
    assert "长子" not in forms and "长子县" in forms  # 长子: eldest son
    assert "屯留" in forms  # a rare verb in jieba's dictionary (6 times): the place wins
    assert "长子" in place_names(REGIONS["changzhi"])  # but 在长子上班 is 长治 once the region is known
    assert entity_forms(INDEX)["region"]["chongqing"][:2] == ["重庆市", "重庆"]
    assert "九龙坡区" in entity_forms(INDEX)["region"]["chongqing"]


def test_elsewhere_is_outside_the_place_and_never_what_contains_it():
    changzhi = elsewhere_names(place_names(REGIONS["changzhi"]))
    assert {"太原", "太原市", "河南", "北京"} <= set(changzhi)
    assert not {"山西", "长治", "山西省"} & set(changzhi)
    jianyang = elsewhere_names(place_names(REGIONS["jianyang"]))
    assert "德阳" in jianyang and "成都" not in jianyang and "四川" not in jianyang  # 简阳 is under 成都
    assert "重庆" not in elsewhere_names(place_names(REGIONS["chongqing"]))
    assert elsewhere_names(["某地"]) == ()


@pytest.mark.parametrize(
    "code,text,facts",
    [
        ("changzhi", "喂我是潞城区的 在煤化工厂搞仪表", {"works_locally": True}),
        ("changzhi", "俺是襄垣县的，在五阳煤矿搞通风", {"works_locally": True}),
        ("chongqing", "我在九龙坡一家做工业软件的民企", {"works_locally": True}),
        ("chongqing", "那个我问一下啊我是在涪陵的一个民营的电力安装公司做调试的", {"works_locally": True}),
        ("pingliang", "崆峒区 市政工程公司 国企", {"works_locally": True}),
        ("huzhou", "本人碩士，現任職於安吉一家竹製品機械公司", {"works_locally": True}),
        ("huzhou", "现在无title，湖州吴兴的民企", {"works_locally": True}),
        ("jianyang", "人在简阳 大专 一直在农村基层搞农田水利", {"works_locally": True}),
        ("chongqing", "单位：重庆某桥梁设计院（民营）", {"works_locally": True}),
        ("chongqing", "公司就是在重庆江北注册的", {"employer_registered_locally": True}),
        # elsewhere: a province or city outside the place
        ("changzhi", "我是长治的，在太原上班", {"works_locally": False}),
        (
            "changzhi",
            "我在长治干活，不过公司注册在太原，档案也在太原",
            {"works_locally": True, "employer_registered_locally": False, "archive_local": False},
        ),
        (
            "jianyang",
            "我是简阳人，在德阳上班，公司注册在德阳，档案放在简阳人才交流中心",
            {"works_locally": False, "employer_registered_locally": False, "archive_local": True},
        ),
        # what contains the place says nothing: 成都 holds 简阳, 山西 holds 长治
        ("jianyang", "公司注册在成都", {}),
        ("changzhi", "档案在山西", {}),
        # 我是长治人 is where one comes from, not where one works
        ("changzhi", "我是长治人", {}),
        # said without a verb (the sixth writer, 2026-12-07); 出生 and 外地 are not the workplace
        ("huzhou", "我在安吉，从事本专业15年了", {"works_locally": True}),
        ("huzhou", "吴兴区的，有2项发明专利", {"works_locally": True}),
        ("huzhou", "前年评的中级 本科 民企 在德清", {"works_locally": True}),
        ("huzhou", "我是湖州南浔的然后在一家做电梯的企业上班", {"works_locally": True}),
        ("chongqing", "我们公司是私企，就在两江新区", {"works_locally": True}),
        ("jianyang", "我毕业就分到简阳东溪镇，在农村基层干了二十六年", {"works_locally": True}),
        ("changzhi", "我是参公单位的，长治市水务局下面的一个中心", {"works_locally": True}),
        ("changzhi", "我在长治出生，现在在外地上班", {}),
        (
            "jianyang",
            "我是简阳人，在德阳上班，档案放在简阳人才交流中心",
            {"works_locally": False, "archive_local": True},
        ),
        # a district other cities share (江北区: also 宁波's) is this region's once the region is known
        ("chongqing", "单位是江北区的一家私营企业", {"works_locally": True}),
    ],
)
def test_places_said_the_way_applicants_say_them(code, text, facts):
    got = read(code, text)
    assert {k: got[k] for k in ("works_locally", "archive_local", "employer_registered_locally") if k in got} == facts


def test_a_shared_district_name_reads_as_here_only_once_the_region_is_known():
    assert "江北区" in reading_names(REGIONS["chongqing"]) and "江北区" not in place_names(REGIONS["chongqing"])
    assert "江北区" not in region_forms(REGIONS["chongqing"])  # it does not set the region (宁波 has one)


def test_a_district_names_its_notice_in_the_blind_scorer_as_in_the_chat():
    assert "长治" in notice_places("喂我是潞城区的 在煤化工厂搞仪表")
    assert "九龙坡" in notice_places("我在九龙坡区一家民企")
    assert notice_places("我是家里的长子") == []  # an everyday word is no place


def test_a_district_of_a_covered_city_is_not_out_of_scope():
    """涪陵 and 万州 are districts of 重庆, which has a notice: never "no notice for 涪陵"."""
    places = load_places()
    for text in ("我在涪陵，民企能报高级吗", "万州的民营企业高级职称怎么报", "潞城区助工评审费多少"):
        assert uncovered_place(INDEX, text, places) is None, text
        assert classify(text, INDEX, places).kind != "out_of_scope", text
    assert uncovered_place(INDEX, "太原中级评审费", places) == "太原"

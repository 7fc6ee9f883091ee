"""Answering the question asked: the point first with its clause, scope first, levels by role,
"not stated" only when true. Pure policies: no Rasa, no NLU intent (the intent is only a prior)."""

import datetime as dt
import re

import pytest

from policies import load_notices
from policies.items import notice_items
from policies.qa import BUDGET, QA, render_text
from policies.roles import level_roles
from policies.schema import TOPICS

TODAY = dt.date(2024, 10, 30)


@pytest.fixture(scope="module")
def qa():
    return QA(load_notices())


def ask(qa, text, **kw):
    reply = qa.answer(text, TODAY, **kw)
    return reply, render_text(reply)


def first_item(reply):
    return reply.items[0].text if reply.items else ""


# --- every fact is an answer unit -----------------------------------------------------------------
def test_every_item_of_every_notice_is_answerable_on_its_own():
    for notice in load_notices().all():
        items = notice_items(notice)
        facts = (
            len(notice.fees)
            + len(notice.windows)
            + len(notice.contacts)
            + len(notice.delegates)
            + sum(len(getattr(notice, t)) for t in TOPICS)
            + len(notice.plagiarism)
        )
        # plus the counting dates and the hours, where no item of the notice says them already
        assert facts <= len(items) <= facts + 3, notice.id
        texts = {it.text for it in items}
        for topic in TOPICS:
            for item in getattr(notice, topic):
                assert any(t.startswith(item.text.rstrip("。；;. ")) for t in texts), (notice.id, item.text)
        assert all(it.clause and it.text for it in items)
        assert len({it.key for it in items}) == len(items)


# --- the point asked, first, short ------------------------------------------------------------
@pytest.mark.parametrize(
    "question, region, value, clause",
    [
        ("要几篇论文", "changzhi", "2篇", "三（一）4"),
        ("工程硕士能提前几年报中级", "changzhi", "提前1年", "三（一）3"),
        ("查重率超过多少不能答辩", "changzhi", "25%", "七 1"),
        ("长治中级评审费多少钱", None, "300元", "八"),
        ("简阳高工评审费", None, "320元", "七"),
        ("重庆副高什么时候缴费", None, "2024年11月11日", "三（三）"),
    ],
)
def test_the_value_asked_comes_first_with_its_clause(qa, question, region, value, clause):
    reply, text = ask(qa, question, region=region)
    assert reply.kind == "answer"
    assert value in text[:BUDGET] and clause in text[:BUDGET], text
    assert len(text) <= BUDGET


def test_a_topic_answer_is_not_the_whole_block(qa):
    reply, text = ask(qa, "长治中级论文要多少字")
    assert "2000字" in text and len(reply.items) <= 3
    assert reply.more and reply.topic == "papers"  # the rest of the topic is one tap away


def test_a_relaxation_under_another_name_is_not_called_not_stated(qa):
    reply, text = ask(qa, "长治乡镇一线干了十五年中专学历能评工程师吗")
    assert reply.kind == "answer" and "没有写到" not in text
    assert "15年" in first_item(reply) and "中专" in first_item(reply)


# --- levels by role ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, applied, held",
    [
        ("我是助工，报中级要几篇论文", "engineer", "assistant_engineer"),
        ("助工后多久报中级", "engineer", "assistant_engineer"),
        ("评副高的话，取得中级之前的业绩算不算", "senior_engineer", "engineer"),
        ("中级拿了五年能报高工吗", "senior_engineer", "engineer"),
        ("我是助工 要几篇论文", None, "assistant_engineer"),
        ("简阳高工评审费", "senior_engineer", None),
    ],
)
def test_level_applied_for_and_level_held(text, applied, held):
    roles = level_roles(text)
    assert (roles.applied, roles.held) == (applied, held)


def test_a_senior_question_that_names_the_current_title_is_answered_for_senior(qa):
    reply, _ = ask(qa, "我中级五年了 报平凉高工的评审费多少")
    assert reply.level == "senior_engineer"
    assert reply.notice.region.code == "pingliang"


def test_the_title_held_leads_to_the_next_level_of_the_notice(qa):
    reply, text = ask(qa, "我是助工，要几篇论文", region="changzhi")
    assert reply.level == "engineer" and "2篇" in text


# --- scope first --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question, subject",
    [
        ("一级工程师年薪多少", "工资待遇"),
        ("评上中级涨多少工资", "工资待遇"),
        ("职称计算机考试报名多少钱", "考试"),
        ("监理工程师报名时间", "考试"),
        ("副科级和中级职称哪个高", "公务员"),
        ("中小学高级教师评审条件", "工程系列以外"),
        ("北京高级工程师评审费多少", "北京"),
        ("廣州高級工程師評審費多少", "广州"),
        # another series' title applied for; the full senior title by its other name
        ("评教授需要什么条件", "工程系列以外"),
        ("教授级高工怎么评", "正高级工程师"),
    ],
)
def test_out_of_scope_is_recognised_before_any_notice_figure(qa, question, subject):
    reply, text = ask(qa, question)
    assert reply.kind == "out_of_scope" and subject in text
    assert "元" not in text and "〔" not in text  # no fee, no clause of a notice


@pytest.mark.parametrize(
    "question",
    [
        "有二建证书能报长治中级吗",
        "我是会计中级 能转长治工程师吗",
        "长治中级要考计算机吗",
        "事业单位没兑现岗位工资能报长治中级吗",
        "我有两个教授推荐 长治能报中级吗",  # a professor recommending is not another series
    ],
)
def test_questions_that_sound_off_topic_but_are_in_a_notice_stay_in_scope(qa, question):
    reply, _ = ask(qa, question)
    assert reply.kind == "answer" and reply.notice.region.code == "changzhi"


def test_agency_offers_get_the_notices_own_warnings(qa):
    reply, text = ask(qa, "职称代评靠谱吗 包过的那种")
    assert reply.kind == "fraud"
    cited = {it.citation for it in reply.items}
    assert "渝经信职改办〔2024〕16号 五（三）" in cited and "简人社职〔2020〕33号 八" in cited
    assert "元" not in text


# --- "not stated" only when true -------------------------------------------------------------
def test_an_unstated_fee_names_the_document_it_defers_to(qa):
    reply, text = ask(qa, "湖州评审费多少")
    assert "没有写明金额" in text and "浙价费〔2002〕229号" in text


def test_a_count_the_notice_does_not_give_is_said_so_with_the_contact(qa):
    reply, text = ask(qa, "重庆副高要几篇论文")
    assert "没有写到论文的具体篇数" in text and "023-63899976" in text[:BUDGET]


def test_nothing_matching_says_not_stated_in_the_users_words_with_the_contact(qa):
    reply, text = ask(qa, "长治评职称要不要体检", region="changzhi")
    assert reply.kind == "not_stated"
    assert "这份通知没有写到“评职称要不要体检”" in text and "0355-3036240" in text


# --- no region ------------------------------------------------------------------------------
def test_without_a_region_each_notice_answers_labelled(qa):
    reply, text = ask(qa, "高级工程师评审费多少")
    assert reply.notice is None and reply.kind == "answer"
    assert "420元" in text and "320元" in text and "重庆2024" in text and "简阳2020" in text
    assert {n.region.code for n in reply.candidates} == {"jianyang", "pingliang", "chongqing"}


def test_without_a_region_a_question_only_one_notice_answers_goes_to_it(qa):
    reply, text = ask(qa, "企业创新型人才直报 七项条件要满足几项")
    assert reply.notice is not None and reply.notice.region.code == "huzhou" and "3项" in text


# --- what applicants call a notice chooses it and is not the question (``called:``) -------------
def test_the_name_applicants_give_a_notice_is_not_what_they_ask(qa):
    # "创新型人才" is rare among items: left in, it outweighed 申报时间
    reply, text = ask(qa, "湖州創新型人才工程師申報時間")
    assert "2020年8月31日至2020年10月10日" in first_item(reply), text
    # with no place named, the name alone chooses the notice
    reply, text = ask(qa, "创新型人才工程师 计算机考试是必备的吗")
    assert reply.notice is not None and reply.notice.region.code == "huzhou", text
    assert text.split("\n")[1] == "不需要。" and "不是申报的必备条件" in text, text
    # where the name is what matches, it is kept: never "not stated" for the notice's own number
    reply, text = ask(qa, "重庆这次非公副高的文号是多少")
    assert text.startswith("【重庆2024｜渝经信职改办〔2024〕16号】") and "没有写到" not in text, text


def test_education_asked_of_a_notice_that_leaves_it_to_another_document(qa):
    """平凉 states no 学历 requirement of its own (its conditions follow 甘人社通〔2021〕252号): say so,
    then name that document; 长治 states one; "去哪查" asks for the document itself."""
    _, text = ask(qa, "平凉工程师学历要求是啥")
    assert "没有写到学历要求" in text and "甘人社通〔2021〕252号" in text[:250], text
    _, text = ask(qa, "长治工程师学历有什么要求")
    assert "没有写到" not in text and "大专及以上" in text, text
    _, text = ask(qa, "重庆非公副高具体学历年限要求去哪查")
    assert "没有写到" not in text and "条件索引" in text, text


@pytest.mark.parametrize(
    "day, lead",
    [
        (dt.date(2024, 8, 20), "还没开始：网上申报从2024年9月3日开始，截止到2024年10月10日。"),
        (dt.date(2024, 9, 20), "能：网上申报截止到2024年10月10日。"),
        (dt.date(2026, 12, 7), "不能：重庆2024年度的网上申报已于2024年10月10日截止。"),
    ],
)
def test_can_i_still_apply_is_answered_from_the_entry_window_and_today(qa, day, lead):
    text = render_text(qa.answer("重庆副高现在还能申报吗", day))
    assert text.split("\n")[1].startswith(lead) and "〔三（一）〕" in text, text


def test_can_i_still_apply_where_units_bring_the_materials(qa):
    # 长治 has no online application: its entry window is the materials' (十（三）); 报名 finds it
    _, text = ask(qa, "长治现在还能报名吗")
    assert "材料收审" in text and "〔十（三）〕" in text and "没有写到" not in text, text
    reply, text = ask(qa, "长治报名时间")
    assert "2022年7月25日至2022年8月25日" in first_item(reply), text


def test_still_can_i_apply_about_eligibility_is_not_a_deadline_question(qa):
    _, text = ask(qa, "前几年有一年考核没合格 还能报简阳高工吗")
    assert "截止。之后年度" not in text and "近5年" in text, text


def test_the_deadline_asked_alone_is_the_rounds_entry_window(qa):
    _, text = ask(qa, "长治截止日期是哪天")
    assert text.split("\n")[1].startswith("长治2022年度的材料收审已于2022年8月25日截止"), text
    _, text = ask(qa, "重庆缴费截止几号")  # a step named: that step's window, not the entry's
    assert "评审缴费" in text.split("\n")[1], text


def test_a_fee_the_notice_leaves_open_is_said_once(qa):
    _, text = ask(qa, "平凉评审费怎么交")
    assert text.count("没有写") == 2 and "通知没有写评审费金额" not in text, text  # one per level


@pytest.mark.parametrize("question", ["平凉评审结果什么时候公布", "重庆副高什么时候出结果", "简阳评审结果出来了吗"])
def test_when_results_come_out_is_not_stated_by_any_notice(qa, question):
    # an item that only names the results (可查看评审结果, 结果公开) does not state when: say so
    _, text = ask(qa, question)
    assert text.split("\n")[1] == "这份通知没有写到评审结果公布的时间。相关规定：", text
    assert "如需确认，请咨询" in text


def test_a_region_less_question_one_notice_covers_is_answered_from_it(qa):
    """ "答辩优中差比例是多少": the best line of each notice is about 答辩, but only 长治 has an item
    that covers 优中差 and 比例; it is answered, not "which region?"."""
    reply = render_text(qa.answer("答辩优中差比例是多少", dt.date(2026, 12, 1)))
    assert reply.startswith("【长治2022") and "3:6:1" in reply


@pytest.mark.parametrize(
    "text, number", [("湖州这个文号是多少", "湖职指发〔2020〕2号"), ("平凉这个文是多少号", "平工信发〔2022〕138号")]
)
def test_the_notices_own_number_is_answered_not_said_missing(qa, text, number):
    reply = render_text(qa.answer(text, dt.date(2026, 12, 1)))
    assert f"文号是{number}" in reply and "没有写到" not in reply


@pytest.mark.parametrize("text", ["长治到太原高铁要多久", "重庆房价多少", "简阳哪家火锅好吃"])
def test_a_region_named_does_not_make_an_unrelated_question_a_notice_question(qa, text):
    """No word of title evaluation, and no item of the region's notice about it: out of scope, and
    never a notice figure (a year count answered "长治到太原高铁要多久" before)."""
    reply = render_text(qa.answer(text, dt.date(2026, 12, 1)))
    assert "不在我能回答的范围" in reply
    assert not re.search(r"\d+\s*(?:年|元|篇|个月)", reply.split("我只解答")[0])


def test_a_later_rounds_question_in_full_width_digits_says_which_round_is_here(qa):
    reply = render_text(qa.answer("２０２５年平凉工程系列啥时候申报", dt.date(2026, 12, 1)))
    assert "没有写到2025年度的安排" in reply


@pytest.mark.parametrize(
    "text",
    [
        "高工certificate能直接买吗 急用",
        "简阳破格推荐表上的正高签名能找人代签不 给点辛苦费",
        "毕业证能P一个本科的吗 大专不够用",
        "业绩证明单位不给开 我自己刻个章盖上行不行",
        "社保不满一年 能不能找公司补个假的缴费记录",
        "答辩能找人替我视频答辩吗 反正是线上的",
    ],
)
def test_buying_a_certificate_or_a_signature_is_refused_as_fraud(qa, text):
    assert "不存在“代评”“包过”" in render_text(qa.answer(text, dt.date(2026, 12, 1)))


def test_a_region_less_question_in_one_notices_own_term_is_answered_from_it(qa):
    """评委会审核 is a step only 重庆's notice names: the asker means that notice."""
    reply = render_text(qa.answer("评委会审核是哪个时间段", dt.date(2026, 12, 1)))
    assert reply.startswith("【重庆2024") and "2024年10月11日" in reply


@pytest.mark.parametrize(
    "text, lead",
    [
        ("我9月8号才上系统提交 简阳还能报不", "不能：简阳2020年度的网上申报已于2020年9月7日截止，9月8日已过期限。"),
        ("长治8月20号交材料还收吗", "能：长治2022年度的材料收审截止到2022年8月25日，8月20日在期限内。"),
        ("重庆10月10号截止的话 11月3号缴费行不行", "能：重庆2024年度的评审缴费截止到2024年11月11日，11月3日在期限内。"),
    ],
)
def test_the_askers_own_day_is_weighed_against_the_window(qa, text, lead):
    reply = render_text(qa.answer(text, dt.date(2026, 12, 1)))
    assert reply.splitlines()[1].startswith(lead)
    if lead.startswith("能"):
        assert "但该轮已于" in reply  # the day fits that round's dates, and that round is over


@pytest.mark.parametrize("text", ["湖州 10月10号以后还收吗", "平凉 9月30号后资料退回超过3次还能改吗"])
def test_a_day_said_as_before_or_after_is_not_the_askers_day(qa, text):
    reply = render_text(qa.answer(text, dt.date(2026, 12, 1)))
    assert "在期限内" not in reply


# --- several questions in one message -------------------------------------------------------------
@pytest.mark.parametrize(
    "message,answers",
    [
        (
            "简阳评审费多少 缴费截止几号 专技科电话多少",
            [("【评审费多少】", "320元"), ("【缴费截止几号】", "9月11日"), ("【专技科电话多少】", "27028373")],
        ),
        # 谁 asks too; the place and level that chose the notice are not part of a label
        (
            "重庆副高评审费多少，啥时候交，找谁咨询",
            [("【评审费多少】", "420元"), ("【啥时候交】", "10月28日"), ("【找谁咨询】", "023-63899976")],
        ),
        ("长治工程师要几篇论文？评审费多少？", [("【要几篇论文】", "2篇"), ("【评审费多少】", "300元")]),
    ],
)
def test_several_questions_are_answered_in_order_each_labelled(qa, message, answers):
    reply, text = ask(qa, message)
    assert len(reply.items) == len(answers), text
    for item, (label, value) in zip(reply.items, answers):
        assert item.label == label and value in item.text, text
    assert len(text) <= BUDGET


def test_one_question_has_no_label(qa):
    reply, text = ask(qa, "简阳评审费多少")
    assert "【评审费" not in text and "320元" in text


# --- a level's grade ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question,word,says,notices",
    [
        ("工程师是什么级别职称", "", "工程师属中级职称", ["长治2022", "湖州2020"]),
        # the specialty is not the grade: 长治 leaves 建筑 out, but a 建筑 工程师 is still 中级
        ("建筑工程师算中级职称吗", "算", "工程师属中级职称", ["长治2022"]),
        ("高工是副高吗", "是", "高级工程师属副高级职称", ["简阳2020", "重庆2024"]),
        ("高级工程师算正高吗", "不算", "高级工程师属副高级职称", ["简阳2020"]),
        ("助理工程师算不算中级", "不算", "助理工程师属初级职称", ["长治2022"]),
        ("中级职称是指什么", "", "工程师属中级职称", ["长治2022"]),
        # a level is a professional title at all (graded refused wrongly by hand before)
        ("工程师是专业技术职称嘛?", "是", "工程师属中级职称", ["长治2022"]),
        ("助理工程师算不算专业工程师职称", "算", "助理工程师属初级职称", ["长治2022"]),
    ],
)
def test_a_levels_grade_is_answered_from_the_notices_that_state_it(qa, question, word, says, notices):
    reply, text = ask(qa, question)
    assert reply.kind == "answer" and reply.verdict == word, text
    assert says in text and all(f"{n}：" in text for n in notices), text
    assert all(it.clause for it in reply.items)


@pytest.mark.parametrize(
    "question",
    [
        "我是中级，能报高工吗",
        "长治中级评审费多少",
        "我是工程师，算中级吗",
        # a job's name, or another grade's, is not the series level (graded wrong / misread by hand)
        "品质工程师是什么级别",
        "员级工程师是什么级别",
    ],
)
def test_an_applicants_own_level_is_not_a_question_about_grades(qa, question):
    reply, text = ask(qa, question)
    assert "属中级职称" not in text, text


def test_a_completer_is_not_a_mode_of_study(qa):
    # 完成人 holds 成人 (as in 成人教育): 简阳 says nothing of 非全日制, and never "算"
    reply, text = ask(qa, "非全日制研究生简阳认不认")
    assert "没有写到自考、函授等学习形式" in text and reply.verdict == "", text


def test_a_photos_file_format_is_answered_from_the_one_notice_that_states_it(qa):
    reply, text = ask(qa, "证件照啥格式 文件大小有要求不")
    assert reply.notice.region.code == "huzhou" and "JPG" in reply.items[0].text, text
    reply, text = ask(qa, "简阳证件照格式有要求吗")
    assert "没有写到上传文件的格式和大小" in text, text


@pytest.mark.parametrize(
    "text, notice, says",
    [
        # a word jieba makes up ("奖要") does not hide 重庆's 协会学会 line; the other notices' lines,
        # which share only 网站, are left out
        ("协会发的奖要附网站查验截图吗", "重庆2024", "官网查验页面"),
        # the province named: its one notice here
        ("甘肃职业资格对应职称的一共多少项", "平凉2022", "60项职业资格"),
        ("四川评高工要几年", "简阳2020", "满5年"),
        ("浙江省职称系统网址", "湖州2020", "zcps.rlsbt.zj.gov.cn"),
    ],
)
def test_a_region_less_question_is_answered_from_the_notice_that_holds_it(qa, text, notice, says):
    reply = render_text(qa.answer(text, dt.date(2026, 12, 1)))
    assert reply.startswith(f"【{notice}") and says in reply, reply


def test_a_line_per_notice_is_never_cut_inside_a_figure(qa):
    """One line per notice is clipped to its first words, but "专业科目不少于6…" would read as 6."""
    reply = render_text(qa.answer("公需课和专业课各要多少学时", dt.date(2026, 12, 1)))
    assert "不少于60学时" in reply and not re.search(r"不少于\d…", reply), reply


def test_a_word_of_evidence_makes_a_region_named_question_a_notice_question(qa):
    """国标 is a 国家标准 (an anchor and a synonym): 湖州's 标准 line, and the rank said decides 不算."""
    reply = render_text(qa.answer("湖州这边 我参与编的国标排第五名 算不算一项", dt.date(2026, 12, 1)))
    assert reply.split("\n")[1] == "不算。" and "排名前三" in reply, reply


@pytest.mark.parametrize(
    "text, lead, first",
    [
        # 重庆 leaves the conditions to its 条件索引: the years asked are not stated, and that document is named
        ("重庆评副高，本科要取得中级满几年", "这份通知没有写到取得现职称后的年限要求", "重庆市职称申报标准条件索引"),
        ("平凉评高工要几篇论文", "这份通知没有写到论文的具体篇数", "甘人社通〔2021〕252号"),
        # 长治's 评审后不退 is about the papers handed in, not the fee
        ("长治评审费交了要是没评上能退吗", "这份通知没有写到退费", "300元"),
        # 重庆's 评审 clause is where "要答辩吗" leads, but the notice never says 答辩
        ("重庆非公高工要不要答辩", "这份通知没有写到答辩", "渝职改办〔2024〕207号"),
        ("平凉评完了名单在哪公示 大概啥时候", "这份通知没有写到评审结果公布的时间", "公示"),
    ],
)
def test_a_point_the_notice_leaves_open_is_said_first_then_where_it_is_decided(qa, text, lead, first):
    lines = render_text(qa.answer(text, dt.date(2026, 12, 1))).split("\n")
    assert lines[1].startswith(lead) and first in lines[2], lines


def test_the_legal_basis_of_a_fee_is_not_the_notices_own_number(qa):
    reply = render_text(qa.answer("重庆评审费收费依据是哪个文号", dt.date(2026, 12, 1)))
    assert "渝价〔2015〕123号" in reply and "这份通知的文号是" not in reply


def test_a_narrow_point_without_a_region_gets_each_notices_line_not_a_question_back(qa):
    """继续教育学时 is a narrow point (not a whole topic): the notices' nearest lines, 简阳's 30/60 first."""
    reply = render_text(qa.answer("公需课和专业课各要多少学时", dt.date(2026, 12, 1)))
    assert reply.startswith("您没有说地区") and "不少于30学时" in reply and "不少于60学时" in reply, reply


@pytest.mark.parametrize("text", ["硬件工程师面试题?", "学报审稿专家招聘要求是什么意思"])
def test_looking_for_a_job_is_out_of_scope(qa, text):
    reply = render_text(qa.answer(text, dt.date(2026, 12, 1)))
    assert "不在我能回答的范围" in reply and not re.search(r"\d+\s*(?:年|元|篇|日)", reply.split("我只解答")[0])


@pytest.mark.parametrize(
    "text, says",
    [
        ("毕业证能P一个本科的吗 大专不够用", "弄虚作假"),
        ("长治能帮我弄个假的继续教育证明吗", "记入诚信档案3年"),  # the region named: its notice's rule
    ],
)
def test_making_a_record_false_is_answered_with_what_the_notices_do_to_it(qa, text, says):
    reply = render_text(qa.answer(text, dt.date(2026, 12, 1)))
    assert "不存在“代评”“包过”" in reply and says in reply and "谨防" not in reply, reply

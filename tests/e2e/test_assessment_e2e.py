"""End to end pre-assessment over REST against the real Rasa and action servers: one full dialogue
per notice, facts stated up front not asked again, corrections, interruptions, giving up, and the
case code found in storage."""

import datetime as dt

import pytest

from bot.storage.assessments import Storage
from tests.e2e.applicant import CASE_CODE, CZ_ENGINEER, EXCLUSIONS_QUESTION, Dialogue, reply_for

pytestmark = [pytest.mark.model, pytest.mark.e2e]


@pytest.fixture(scope="module")
def servers(shared_2022):
    """The run's shared servers on 2022-08-01 (tests/conftest.py)."""
    return {**shared_2022.servers, "storage": Storage(shared_2022.servers["database"])}


def test_changzhi_engineer_eligible_and_case_code_saved(servers):
    d = Dialogue(servers["rasa"])
    result = d.run("我能报长治的中级吗", CZ_ENGINEER)
    assert "符合申报工程师的条件" in result and "长工信〔2022〕139号" in result
    assert "材料收审" in result  # the next step, relative to today
    saved = servers["storage"].find_assessment(d.case_code())
    assert (
        saved is not None and saved.verdict == "eligible" and saved.notice_id == "changzhi-2022-engineering-mid-junior"
    )
    assert saved.facts["education"] == "bachelor"


def test_the_verdict_reads_on_a_phone_and_its_conditions_are_one_tap_away(servers):
    """Issue 23 (5): the verdict within about 300 characters — the applicant's own facts as
    understood, the deciding conditions with clauses, the next step, what the case code is for —
    and 查看全部条件 (the button, or typed right after) lists every condition in full."""
    d = Dialogue(servers["rasa"])
    result = d.run("我能报长治的中级吗", CZ_ENGINEER)
    # the last typed answer is shown back first ("我记下了：…", issue 21), then the verdict
    verdict = result[result.index("按长工信〔2022〕139号") :]
    assert all(line.startswith("我记下了：") for line in result[: -len(verdict)].split("\n") if line), result
    assert len(verdict) <= 300, verdict
    lines = verdict.split("\n")
    assert lines[0] == "按长工信〔2022〕139号（长治2022年度），您符合申报工程师的条件。"
    assert lines[1].startswith("您的情况：现职称助理工程师；2017年6月取得；本科（学士）；专业对口")
    assert "〔三（一）2〕" in result and "下一步：材料收审" in result and "工作人员可直接调出这次评估" in result
    for ask in ("全部列出来", '/show_all{"topic":"assessment"}'):  # typed right after, then the button
        shown = d.say(ask)
        assert shown.startswith("按长工信〔2022〕139号（长治2022年度），您符合申报工程师的条件。"), shown
        for clause in ("二", "三（一）2", "三（一）3", "三（一）4", "三（一）5", "三（一）7"):
            assert f"〔{clause}〕" in shown, shown
        assert "本科、专科任助工满4年" in shown  # the full wording, not the verdict's short one


def test_facts_stated_up_front_are_not_asked_again(servers):
    d = Dialogue(servers["rasa"])
    d.run("我是本科，2017年6月拿的助工，发了两篇论文，能报长治中级吗", CZ_ENGINEER)
    asked = d.asked_facts()
    assert "education" not in asked and "current_title" not in asked
    assert "current_title_date" not in asked and "papers_first_author" not in asked


def test_not_eligible_with_reason_clause_and_when_the_years_are_reached(servers):
    d = Dialogue(servers["rasa"])
    facts = {**CZ_ENGINEER, "current_title_date": dt.date(2020, 3, 1), "skill_level": "none", "township_years": 0}
    result = d.run("帮我评估一下长治工程师", facts)
    assert "不符合申报工程师的条件" in result and "三（一）3" in result
    assert "按2022年度的规定推算，年限在2024年3月满足" in result  # in the notice's own terms


def test_excluded_applicant_is_asked_nothing_more(servers):
    d = Dialogue(servers["rasa"])
    result = d.run("我能报长治中级吗", {**CZ_ENGINEER, "civil_servant": True})
    assert "不符合" in result and "公务员" in result
    asked = d.asked_facts()
    assert asked[0] == "current_title"  # what discriminates first; exclusions once a route is met
    assert "civil_servant" in asked  # asked with the other exclusions, as one question …
    assert EXCLUSIONS_QUESTION in d.transcript[-2][1]  # … the last one: nothing after the answer to it


def test_every_route_failed_is_not_eligible_and_the_exclusions_were_one_early_question(servers):
    """长治 本科 任助工 since 2019-03: short of 三（一）3, whatever else is true. The exclusions are
    one question, asked early (issue 23: whoever is excluded hears so after at most three)."""
    d = Dialogue(servers["rasa"])
    facts = {**CZ_ENGINEER, "current_title_date": dt.date(2019, 3, 1), "skill_level": "none", "township_years": 0}
    result = d.run("我能报长治中级吗", facts)
    assert "不符合申报工程师的条件" in result
    questions = [bot for _, bot in d.transcript if reply_for(bot, {}, unknown_ok=True) is not None]
    exclusions = [i for i, bot in enumerate(questions) if EXCLUSIONS_QUESTION in bot]
    assert len(exclusions) == 1 and exclusions[0] <= 2, questions


def test_facts_in_the_first_message_with_the_request_are_kept(servers):
    d = Dialogue(servers["rasa"])
    d.run("我能报长治工程师吗？我本科，专业对口，2017年7月拿的助工，发了两篇第一作者论文", CZ_ENGINEER)
    asked = d.asked_facts()
    assert not {"education", "education_related", "current_title", "current_title_date", "papers_first_author"} & set(
        asked
    )


def test_everything_typed_first_is_shown_back_before_the_first_question_and_not_asked(servers):
    """Issue 21: the applicant's own words — two-digit year, a range corrected, 没 in its clause —
    are read, shown back in one line before the first question, and none of them is asked."""
    d = Dialogue(servers["rasa"])
    first = d.say("我能报长治中级吗？本科，学的电气现在也干电气，17年7月评的助工，论文两三篇，不对，是2篇，没受过处分")
    lines = first.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("我记下了："))
    echo = lines[at]
    assert "不对，是2018年" in echo and reply_for("\n".join(lines[:at]), {}, unknown_ok=True) is None, first
    for said in ("现职称助理工程师", "2017年7月取得", "本科（学士）", "专业对口", "第一作者论文2篇", "不在处分期内"):
        assert said in echo, (said, echo)
    assert CASE_CODE.search(d.finish(first, CZ_ENGINEER))
    asked = set(d.asked_facts())
    assert not {"education", "education_related", "current_title", "current_title_date", "papers_first_author"} & asked


def test_answers_typed_the_way_people_type_them_are_read_and_not_asked_again(servers):
    """Issue 21: the answer to the question asked is read like any free text — a two-digit year
    after a comma; a checklist answered in words, with a count said as a range — shown back, and
    what it stated is not asked again."""
    d = Dialogue(servers["rasa"])
    bot = d.say("我能报长治中级吗")
    typed = []
    for _ in range(12):
        answer = reply_for(bot, CZ_ENGINEER, unknown_ok=False)
        assert answer is not None, bot
        facts, _ = answer
        if "current_title_date" in facts:
            bot = d.say("助工，17年7月")
            typed.append("date")
            assert "2017年7月取得" in bot.split("\n")[0], bot
        elif "papers_first_author" in facts and "papers" not in typed:
            bot = d.say("第一作者的论文两三篇吧")
            typed.append("papers")
            assert "第一作者论文2–3篇" in bot.split("\n")[0], bot
            assert "第一作者论文2篇以上" not in bot  # the checklist again, without the line now answered
        else:
            bot = d.say(answer[1])
        if CASE_CODE.search(bot):
            break
    assert typed == ["date", "papers"], d.transcript
    asked = d.asked_facts()
    assert asked.count("current_title_date") == 1 and asked.count("papers_first_author") == 1, asked
    assert "符合申报工程师的条件" in bot


def test_the_city_named_as_where_one_works_is_not_asked_again(servers):
    """Issue 21: "我在长治一家国企上班" in a 长治 conversation answers 在长治工作 (the reader is told
    the notice's city), so the checklist does not list it."""
    d = Dialogue(servers["rasa"])
    first = d.say("我能报长治中级吗？我在长治一家国企上班，本科，17年6月评的助工")
    echo = next(line for line in first.split("\n") if line.startswith("我记下了："))
    assert "在本地工作" in echo, first
    assert CASE_CODE.search(d.finish(first, CZ_ENGINEER))
    assert "works_locally" not in d.asked_facts()


def test_correction_reassesses(servers):
    d = Dialogue(servers["rasa"])
    first = d.run(
        "我能报长治中级吗",
        {**CZ_ENGINEER, "papers_first_author": 1, "technical_materials": 0, "township_years": 0, "skill_level": "none"},
    )
    assert "不符合申报工程师的条件" in first and "三（一）4" in first
    # the correction re-assesses; questions the earlier verdict made moot are asked now
    before = len(d.transcript)
    again = d.run("不对，我发了两篇论文", CZ_ENGINEER)
    assert d.transcript[before][1].startswith("好的，已改为：第一作者论文2篇。")  # shown back (issue 21)
    verdict = next(line for line in again.split("\n") if line.startswith("按长工信"))
    assert "符合申报工程师的条件" in verdict and "不符合" not in verdict
    codes = CASE_CODE.findall(first + again)
    assert len(set(codes)) == 2  # the corrected result is saved under its own case code


def test_fee_question_in_the_middle_is_answered_and_the_form_resumes(servers):
    d = Dialogue(servers["rasa"])
    d.say("我能报长治中级吗")
    reply = d.say("评审费多少钱")
    assert "300" in reply and "长工信〔2022〕139号" in reply
    assert "职称" in reply  # and the question is asked again
    result = d.run("助理工程师", CZ_ENGINEER)
    assert "符合申报工程师的条件" in result


def test_giving_up_stops_and_nothing_is_saved(servers):
    d = Dialogue(servers["rasa"])
    d.say("我能报长治中级吗")
    reply = d.say("算了")
    assert "评估已停止" in reply
    assert not d.case_code()
    follow = d.say("长治评审费多少")
    assert "300" in follow  # the assistant still answers questions afterwards


# --- one dialogue per notice and verdict, the applicant taken from the legal case files ----------
from policies.eligibility.cases import load_cases, representative_cases  # noqa: E402

OPENING = {
    "changzhi-2022-engineering-mid-junior": "我能报长治的{level}吗",
    "jianyang-2020-engineering-senior": "帮我看看我能不能报简阳的{level}",
    "huzhou-2020-enterprise-innovation-engineer": "湖州的{level}我能报吗",
    "pingliang-2022-engineering-mid-senior": "我想评估一下能不能报平凉{level}",
    "chongqing-2024-engineering-senior-nonpublic-sme": "我够不够条件报重庆{level}",
}
LEVEL_WORDS = {
    "engineer": "工程师",
    "senior_engineer": "高级工程师",
    "assistant_engineer": "助理工程师",
    "technician": "技术员",
}
VERDICT_WORDS = {
    "eligible": "符合申报",
    "eligible_special": "破格或特殊途径",
    "not_eligible": "不符合申报",
    "undetermined": "判",
}


DIALOGUE_CASES = representative_cases(load_cases())


@pytest.mark.parametrize(
    "case", DIALOGUE_CASES, ids=[f"{c.notice.split('-')[0]}-{c.level}-{c.verdict}" for c in DIALOGUE_CASES]
)
def test_dialogue_reaches_the_case_verdict(servers, case):
    d = Dialogue(servers["rasa"])
    facts = {k: v for k, v in case.facts.items()}
    result = d.run(OPENING[case.notice].format(level=LEVEL_WORDS[case.level]), facts, unknown_ok=True)
    saved = servers["storage"].find_assessment(d.case_code())
    assert saved is not None
    assert (saved.notice_id, saved.level, saved.verdict) == (case.notice, case.level, case.verdict), result
    assert VERDICT_WORDS[case.verdict] in result
    # every condition the case names as deciding appears in the result with its clause
    assert saved.result["summary"].split("，")[0] in result


def questions_seen(transcript) -> int:
    """The bot replies of a transcript that asked the applicant a fact (grouped or not)."""
    return sum(1 for _, bot in transcript if reply_for(bot, {}, unknown_ok=True) is not None)


def test_the_saved_count_is_what_the_applicant_was_asked(servers):
    d = Dialogue(servers["rasa"])
    d.run("我能报长治的中级吗", CZ_ENGINEER)
    first = servers["storage"].find_assessment(d.case_code())
    asked = questions_seen(d.transcript)
    assert asked >= 3 and first.questions == asked, (first.questions, [b for _, b in d.transcript])

    # facts typed up front are not asked, so not counted
    up_front = Dialogue(servers["rasa"])
    up_front.run("我能报长治工程师吗？我本科，专业对口，2017年7月拿的助工，发了两篇第一作者论文", CZ_ENGINEER)
    saved = servers["storage"].find_assessment(up_front.case_code())
    assert saved.questions == questions_seen(up_front.transcript) < asked

    # a correction re-assesses: the second verdict needed the first interview's answers and the new ones
    fix = Dialogue(servers["rasa"])
    no_papers = {
        **CZ_ENGINEER,
        "papers_first_author": 1,
        "technical_materials": 0,
        "township_years": 0,
        "skill_level": "none",
    }
    fix.run("我能报长治中级吗", no_papers)
    before = len(fix.transcript)
    fix.run("不对，我发了两篇论文", CZ_ENGINEER)
    codes = list(dict.fromkeys(CASE_CODE.findall("\n".join(b for _, b in fix.transcript))))
    assert len(codes) == 2
    one, two = (servers["storage"].find_assessment(c) for c in codes)
    assert one.questions == questions_seen(fix.transcript[:before])
    assert two.questions == one.questions + questions_seen(fix.transcript[before:])

"""The assessment form's actions on tracker fixtures: what is extracted, what is asked next,
when questioning stops, and the result with its saved case code (SQLite, no network)."""

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.assessment import ActionAssessmentResult, ValidateAssessmentForm, asked_question
from bot.storage.assessments import Storage
from tests.e2e.applicant import CASE_CODE

DOMAIN = {"forms": {"assessment_form": {"required_slots": ["region", "assess_level"]}}, "slots": {}}


async def validate(load_tracker, dispatcher, name):
    events = await ValidateAssessmentForm().run(dispatcher, load_tracker(name), DOMAIN)
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_an_answer_fills_the_asked_fact_and_the_next_question_follows(load_tracker, dispatcher):
    slots = await validate(load_tracker, dispatcher, "form_asked_civil_servant_answer_no")
    assert slots["fact_civil_servant"] is False
    # what discriminates most comes next: the title and its date, asked together
    assert slots["requested_slot"] == "fact_together"


async def test_an_excluded_applicant_is_asked_nothing_more(load_tracker, dispatcher):
    slots = await validate(load_tracker, dispatcher, "form_asked_civil_servant_answer_yes")
    assert slots["fact_civil_servant"] is True
    assert slots.get("requested_slot") is None  # nothing more to ask: the form ends


async def test_several_facts_in_one_answer_are_all_kept_and_not_asked_again(load_tracker, dispatcher):
    slots = await validate(load_tracker, dispatcher, "form_asked_education_several_facts")
    assert slots["fact_education"] == "bachelor"
    assert slots["fact_current_title"] == "assistant_engineer"
    assert slots["fact_current_title_date"] == "2016-12-31"
    assert slots["fact_papers_first_author"] == 2
    # next: 对口 with the other conditions most applicants meet, as one checklist; the papers are not in it
    assert slots["requested_slot"] == "fact_checklist"
    tracker = load_tracker("form_asked_education_several_facts")
    tracker.slots.update({k: v for k, v in slots.items() if k.startswith("fact_")})
    asked = asked_question(tracker)
    assert "education_related" in asked.facts and "papers_first_author" not in asked.facts


async def test_dont_know_is_recorded_and_the_question_not_repeated(load_tracker, dispatcher):
    slots = await validate(load_tracker, dispatcher, "form_asked_skill_dont_know")
    assert slots["fact_skill_level"] == "__unknown__"
    assert slots["requested_slot"] not in ("fact_skill_level", None)


async def test_an_unrelated_question_fills_nothing_so_rasa_can_answer_it(load_tracker, dispatcher):
    slots = await validate(load_tracker, dispatcher, "form_asked_papers_fee_question")
    assert not any(k.startswith("fact_") for k in slots)


async def test_last_answer_settles_the_verdict(load_tracker, dispatcher):
    slots = await validate(load_tracker, dispatcher, "form_complete_eligible")
    assert slots["fact_assessment_ok_latest"] is True and slots.get("requested_slot") is None


async def test_result_says_the_verdict_first_and_saves_a_case_code(load_tracker, dispatcher, own_database):
    url = own_database
    tracker = load_tracker("form_complete_eligible")
    tracker.slots["fact_assessment_ok_latest"] = True
    events = await ActionAssessmentResult().run(dispatcher, tracker, DOMAIN)
    text = dispatcher.messages[0]["text"]
    assert text.startswith("按长工信〔2022〕139号（长治2022年度），您符合申报工程师的条件。")
    # today is 2024-10-30 (the clock of these tests): that round closed in 2022, and the verdict says so
    assert "这一轮已于2022年8月25日截止" in text and "0355-3036240" in text and "下一步" not in text
    code = CASE_CODE.search(text).group(1)
    assert SlotSet("case_code", code) in events
    saved = Storage(url).find_assessment(code)
    assert saved.verdict == "eligible" and saved.facts["education"] == "bachelor"
    # on a phone: the facts as understood, the conditions behind a button, what the code is for
    assert len(text) <= 300 and "您的情况：现职称助理工程师；2017年6月取得；本科（学士）；专业对口" in text
    assert "工作人员可直接调出这次评估" in text
    message = dispatcher.messages[0]
    assert [b["title"] for b in message["buttons"]] == ["查看全部条件"]
    # rated like an answer (有帮助 / 没帮助): an id, the notice, the verdict's topic and its clauses
    answer = message["answer"]
    assert answer["topic"] == "assessment" and answer["notice"] == "changzhi-2022-engineering-mid-junior"
    assert {"notice": answer["notice"], "clause": "三（一）3"} in answer["clauses"] and len(answer["id"]) == 32


async def test_show_all_after_a_verdict_lists_every_condition(load_tracker, dispatcher):
    """The verdict's button 查看全部条件 (/show_all{"topic":"assessment"}), and "全部列出来" typed right
    after a verdict: every condition, with its full wording and clause."""
    from actions.assessment import SHOW_CONDITIONS_BUTTON
    from actions.notice_answer import ActionAnswerNotice

    tracker = load_tracker("form_complete_eligible")
    tracker.slots["fact_assessment_ok_latest"] = True
    await ActionAssessmentResult().run(dispatcher, tracker, DOMAIN)
    verdict = dispatcher.messages[0]
    assert SHOW_CONDITIONS_BUTTON["payload"] == '/show_all{"topic":"assessment"}'

    button = {"intent": {"name": "show_all"}, "entities": [{"entity": "topic", "value": "assessment"}]}
    typed = {"text": "全部列出来", "intent": {"name": "show_all"}, "entities": []}
    bot_event = {"event": "bot", "text": verdict["text"], "metadata": {"answer": verdict["answer"]}}
    for latest in (button, typed):
        tracker.latest_message = {"text": "/show_all", **latest}
        tracker.events = [bot_event]
        shown = CollectingDispatcher()
        await ActionAnswerNotice().run(shown, tracker, {})
        text = shown.messages[0]["text"]
        assert text.startswith("按长工信〔2022〕139号（长治2022年度），您符合申报工程师的条件。")
        assert "本科、专科任助工满4年" in text and "〔三（一）7〕" in text and "不属于不得申报的情形〔二〕" in text


async def test_the_first_message_keeps_every_fact_and_the_level_applied_for(load_tracker, dispatcher):
    """Issue 13: "我能报长治工程师吗？我本科，专业对口，2017年7月拿的助工，发了两篇第一作者论文" — 工程师 is the
    level applied for, 助工 the title held (with its date), 专业对口 a related major."""
    slots = await validate(load_tracker, dispatcher, "form_started_request_with_facts_and_held_title")
    assert slots["assess_level"] == "engineer"
    assert slots["fact_current_title"] == "assistant_engineer"
    assert slots["fact_current_title_date"] == "2017-07-01"
    assert slots["fact_education"] == "bachelor" and slots["fact_education_related"] is True
    assert slots["fact_papers_first_author"] == 2
    assert slots["requested_slot"] not in {
        "fact_current_title",
        "fact_current_title_date",
        "fact_education",
        "fact_education_related",
        "fact_papers_first_author",
    }


# --- issue 13: the exclusions asked as one multi-choice question -------------------------------
async def test_none_of_the_exclusions_sets_each_false_and_moves_on(load_tracker, dispatcher):
    slots = await validate(load_tracker, dispatcher, "form_asked_exclusions_answer_none")
    assert all(
        slots[f"fact_{f}"] is False
        for f in ("civil_servant", "retired", "under_discipline", "exam_profession", "public_institution")
    )
    assert slots["requested_slot"] not in (None, "fact_exclusions", "fact_civil_servant")


async def test_one_exclusion_ticked_ends_the_questions(load_tracker, dispatcher):
    slots = await validate(load_tracker, dispatcher, "form_asked_exclusions_answer_retired")
    assert slots["fact_retired"] is True and slots["fact_civil_servant"] is False
    assert slots.get("requested_slot") is None  # excluded: nothing more to ask


async def test_dont_know_for_the_exclusions_is_kept_and_not_asked_again(load_tracker, dispatcher):
    slots = await validate(load_tracker, dispatcher, "form_asked_exclusions_answer_dont_know")
    assert slots["fact_retired"] == "__unknown__"
    assert slots["requested_slot"] not in ("fact_exclusions", None)


async def test_the_exclusions_question_lists_each_with_none_and_dont_know(load_tracker, dispatcher):
    from actions.assessment import ActionAskExclusions

    tracker = load_tracker("form_asked_exclusions_answer_none")
    for fact in (
        "education_related",
        "papers_first_author",
        "achievement_listed",
        "assessments_passed_count",
        "assessment_ok_latest",
    ):
        tracker.slots[f"fact_{fact}"] = {
            "education_related": True,
            "papers_first_author": 2,
            "achievement_listed": "project_accepted",
            "assessments_passed_count": 5,
            "assessment_ok_latest": True,
        }[fact]
    await ActionAskExclusions().run(dispatcher, tracker, DOMAIN)
    msg = dispatcher.messages[0]
    titles = [b["title"] for b in msg["buttons"]]
    assert msg["text"].startswith("以下情况您有吗") and "已退休" in titles and titles[-2:] == ["都没有", "不清楚"]


# --- issue 13: facts stated together, and a checklist, each asked as one question ------------------
async def test_title_and_date_asked_together_are_both_read(load_tracker, dispatcher):
    from actions.assessment import asked_question

    tracker = load_tracker("form_asked_title_together_answer_title_and_date")
    slots = await validate(load_tracker, dispatcher, "form_asked_title_together_answer_title_and_date")
    assert slots["fact_current_title"] == "assistant_engineer" and slots["fact_current_title_date"] == "2017-07-01"
    tracker.slots.update(slots)
    # the next question is the exclusions as one (issue 23: early, so whoever is excluded hears
    # so at once), not the title again
    assert slots["requested_slot"] == "fact_exclusions"
    assert "civil_servant" in asked_question(tracker).facts and "current_title" not in asked_question(tracker).facts


async def test_the_together_question_names_both_facts_with_an_example(load_tracker, dispatcher):
    from actions.assessment import ActionAskTogether

    await ActionAskTogether().run(dispatcher, load_tracker("form_asked_title_together_answer_title_and_date"), DOMAIN)
    msg = dispatcher.messages[0]
    assert "职称" in msg["text"] and "取得时间" in msg["text"] and "最高学历" in msg["text"] and "如：" in msg["text"]
    assert [b["title"] for b in msg["buttons"]] == ["不清楚"]


async def test_the_checklist_is_numbered_and_answered_with_numbers(load_tracker, dispatcher):
    from actions.assessment import ActionAskChecklist

    tracker = load_tracker("form_asked_checklist_jianyang_answer_numbers")
    await ActionAskChecklist().run(dispatcher, tracker, DOMAIN)
    msg = dispatcher.messages[0]
    assert "1. 在简阳市工作" in msg["text"] and "2. 单位在简阳市工商注册" in msg["text"]
    assert "“都不符合”" in msg["text"] and "不清楚" in msg["text"] and not msg.get("buttons")
    slots = await validate(load_tracker, dispatcher, "form_asked_checklist_jianyang_answer_numbers")
    assert slots["fact_works_locally"] is True and slots["fact_employer_registered_locally"] is True
    assert slots["fact_archive_local"] is False
    # a route met, the exclusions answered before (issue 23): nothing more to ask, the verdict follows
    assert slots.get("requested_slot") is None


async def test_a_checklist_with_the_rest_unknown_keeps_them_unknown(load_tracker, dispatcher):
    slots = await validate(load_tracker, dispatcher, "form_asked_checklist_jianyang_answer_one_rest_unknown")
    assert slots["fact_works_locally"] is True
    assert slots["fact_employer_registered_locally"] == "__unknown__" and slots["fact_archive_local"] == "__unknown__"
    assert slots.get("requested_slot") != "fact_checklist"  # not asked again


# --- issue 21 (4): what was read from a typed message is shown back before it counts -------------
HINT = "有不对的直接告诉我，比如“不对，是2018年”。"


async def test_facts_typed_are_shown_back_in_one_line_with_how_to_correct_them(load_tracker, dispatcher):
    slots = await validate(load_tracker, dispatcher, "form_asked_title_together_answer_title_and_date")
    assert [m["text"] for m in dispatcher.messages] == [f"我记下了：现职称助理工程师；2017年7月取得。{HINT}"]
    assert slots["echoed_facts"] == ["current_title", "current_title_date"]  # what a correction may mean
    assert slots["requested_slot"] == "fact_exclusions"  # and the form goes on


async def test_every_fact_of_a_first_message_is_shown_back_on_a_phone(load_tracker, dispatcher):
    await validate(load_tracker, dispatcher, "form_started_request_with_facts_and_held_title")
    (echo,) = [m["text"] for m in dispatcher.messages]
    assert echo.startswith("我记下了：现职称助理工程师；2017年7月取得；本科（学士）；专业对口；第一作者论文2篇。")
    assert len(echo) <= 120


async def test_a_typed_yes_or_no_is_shown_back_too(load_tracker, dispatcher):
    await validate(load_tracker, dispatcher, "form_asked_civil_servant_answer_no")
    assert dispatcher.messages[0]["text"].startswith("我记下了：非公务员或参公人员。")


async def test_how_to_correct_is_said_once_in_a_conversation(load_tracker, dispatcher):
    tracker = load_tracker("form_asked_title_together_answer_title_and_date")
    tracker.events = [{"event": "bot", "text": f"我记下了：本科（学士）。{HINT}"}, {"event": "user", "text": "…"}]
    await ValidateAssessmentForm().run(dispatcher, tracker, DOMAIN)
    assert [m["text"] for m in dispatcher.messages] == ["我记下了：现职称助理工程师；2017年7月取得。"]


async def test_a_button_press_is_not_shown_back(load_tracker, dispatcher):
    # the exclusions' button 已退休, and 本科（学士） pressed for the education question: read, not echoed
    slots = await validate(load_tracker, dispatcher, "form_asked_exclusions_answer_retired")
    assert slots["fact_retired"] is True
    tracker = load_tracker("form_asked_title_together_answer_title_and_date")
    tracker.slots.update({"fact_current_title": "assistant_engineer", "requested_slot": "fact_education"})
    tracker.latest_message = {"text": "本科（学士）", "intent": {"name": "inform"}, "entities": []}
    events = await ValidateAssessmentForm().run(dispatcher, tracker, DOMAIN)
    assert SlotSet("fact_education", "bachelor") in events
    assert dispatcher.messages == [] and not any(e["name"] == "echoed_facts" for e in events)
    # a payload (/inform…) is a button too
    tracker.latest_message = {"text": '/inform{"education":"本科，2017年拿的助工"}', "intent": {"name": "inform"}}
    await ValidateAssessmentForm().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages == []


async def test_dont_know_is_not_shown_back(load_tracker, dispatcher):
    await validate(load_tracker, dispatcher, "form_asked_skill_dont_know")
    await validate(load_tracker, dispatcher, "form_asked_exclusions_answer_dont_know")
    assert dispatcher.messages == []  # 不清楚 typed: nothing to show back
    slots = await validate(load_tracker, dispatcher, "form_asked_checklist_jianyang_answer_one_rest_unknown")
    assert slots["fact_archive_local"] == "__unknown__"
    assert [m["text"] for m in dispatcher.messages] == [f"我记下了：在本地工作。{HINT}"]
    assert slots["echoed_facts"] == ["works_locally"]


async def test_nothing_read_nothing_shown_back(load_tracker, dispatcher):
    await validate(load_tracker, dispatcher, "form_asked_papers_fee_question")
    assert dispatcher.messages == []


async def test_a_correction_after_the_echo_replaces_the_fact_and_the_form_goes_on(load_tracker, dispatcher):
    tracker = load_tracker("form_asked_title_together_answer_title_and_date")
    first = await ValidateAssessmentForm().run(dispatcher, tracker, DOMAIN)
    tracker.slots.update({e["name"]: e["value"] for e in first if e.get("event") == "slot"})
    tracker.events = [{"event": "bot", "text": dispatcher.messages[0]["text"]}]
    tracker.latest_message = {"text": "不对，是2018年", "intent": {"name": "correct_fact"}, "entities": []}
    shown = CollectingDispatcher()
    events = await ValidateAssessmentForm().run(shown, tracker, DOMAIN)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["fact_current_title_date"] == "2018-12-31"  # a year alone: the latest it could be
    assert "fact_current_title" not in slots  # the rest stands
    assert [m["text"] for m in shown.messages] == ["好的，已改为：2018年取得。"]
    assert slots["echoed_facts"] == ["current_title", "current_title_date"]
    assert slots["requested_slot"] == "fact_exclusions"  # the question the correction interrupted


async def test_a_correction_after_the_verdict_reassesses(load_tracker, dispatcher):
    """After the verdict (the form starts again on the correction, the last fact shown back a yes/no):
    the year goes to the latest fact shown back that a year fits, and the form goes on from there —
    the verdict again at once, or what the new date makes worth asking."""
    tracker = load_tracker("form_after_verdict_correction_year")
    events = await ValidateAssessmentForm().run(dispatcher, tracker, DOMAIN)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["fact_current_title_date"] == "2020-12-31"
    assert [m["text"] for m in dispatcher.messages] == ["好的，已改为：2020年取得。"]
    assert slots["echoed_facts"][-1] == "current_title_date"
    # 助工 since 2020: short of the regular route's years, so the 技师 route is asked about now
    assert slots["requested_slot"] == "fact_together"

    tracker = load_tracker("form_after_verdict_correction_year")
    tracker.latest_message["text"] = "说错了，2016年拿的"
    tracker.slots["fact_current_title_date"] = "2019-06-01"  # the verdict was 不符合
    events = await ValidateAssessmentForm().run(CollectingDispatcher(), tracker, DOMAIN)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["fact_current_title_date"] == "2016-12-31" and slots.get("requested_slot") is None
    tracker.slots.update(slots)
    verdict = CollectingDispatcher()
    await ActionAssessmentResult().run(verdict, tracker, DOMAIN)  # the form ended: the verdict anew
    assert "您符合申报工程师的条件" in verdict.messages[0]["text"]


async def test_the_conditions_most_meet_are_one_checklist_and_a_tick_is_shown_back_as_at_least(
    load_tracker, dispatcher
):
    """Issue 23: 简阳's regular conditions (满2年, 考核, 论文1篇以上, 公需30学时 …) as numbered lines;
    都符合 ticks them all, and what that means is shown back before it counts (从事本专业2年以上)."""
    from actions.assessment import ActionAskChecklist

    tracker = load_tracker("form_asked_conditions_jianyang_answer_all")
    await ActionAskChecklist().run(dispatcher, tracker, DOMAIN)
    text = dispatcher.messages[0]["text"]
    assert "1. 从事相近相关工程技术工作满2年" in text and "公需科目不少于30学时" in text
    assert "有生产技术管理类所列业绩之一" not in text  # its question lists seven kinds: asked on its own
    dispatcher.messages.clear()
    slots = await validate(load_tracker, dispatcher, "form_asked_conditions_jianyang_answer_all")
    assert slots["fact_related_work_years"] is True and slots["fact_assessment_ok_recent_5y"] is True
    echo = dispatcher.messages[0]["text"]
    assert echo.startswith("我记下了：") and "从事本专业2年以上" in echo and "公需继续教育30学时以上" in echo
    assert slots["requested_slot"] not in (None, "fact_related_work_years")

"""What staff see and do, with the Rasa server down: search from filters and keywords, notice
pages, assessment on a caller's behalf to the legal cases' verdicts, saving and looking up a
case, the inbox and its CSV, the create-admin command."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from functools import cache

import pytest

from bot.staff import audit
from bot.staff.inbox import safe_cell
from bot.storage.assessments import Storage
from policies import load_notices
from policies.eligibility.assess import Assessor
from policies.eligibility.cases import load_cases, representative_cases
from policies.eligibility.interview import Interview
from tests.helpers import ROOT
from tests.staff.conftest import STAFF, download, staff_settings

CZ = "changzhi-2022-engineering-mid-junior"
CQ = "chongqing-2024-engineering-senior-nonpublic-sme"


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


# --- search without Rasa ----------------------------------------------------------------------
async def test_search_with_rasa_down_uses_filters_and_says_so(staff_client):
    resp = await staff_client.get("/", params={"q": "评审费多少", "notice": CZ, "level": "engineer", "topic": "fees"})
    page = await resp.text()
    assert "智能理解服务暂时不可用" in page
    answer = text_of(page[page.index('id="answer"') :])
    assert "每人300元" in answer and "长工信〔2022〕139号" in answer
    readout = re.search(r'id="readout">([^<]+)<', page).group(1)
    assert readout.startswith("根据长工信〔2022〕139号（八）") and "300元" in readout


async def test_search_with_rasa_down_reads_region_level_topic_words(staff_client):
    page = await (await staff_client.get("/", params={"q": "长治 中级 评审费"})).text()
    assert "智能理解服务暂时不可用" in page
    answer = text_of(page[page.index('id="answer"') :])
    assert "工程师评审费：每人300元" in answer and "长工信〔2022〕139号 八" in answer
    page = await (await staff_client.get("/", params={"q": "重庆副高什么时候缴费"})).text()
    answer = text_of(page[page.index('id="answer"') :])
    assert "评审缴费：2024年10月28日至2024年11月11日" in answer and "还剩12天" in answer
    assert "渝经信职改办〔2024〕16号 三（三）" in answer
    assert "申报" not in re.search(r'id="readout">([^<]+)<', page).group(1).replace("渝经信职改办", "")


async def test_search_filters_override_what_was_said(staff_client):
    page = await (await staff_client.get("/", params={"q": "长治 中级 评审费", "level": "technician"})).text()
    answer = text_of(page[page.index('id="answer"') :])
    assert "技术员评审费：每人260元" in answer and "工程师评审费" not in answer


async def test_search_without_a_region_offers_the_notices(staff_client):
    page = await (await staff_client.get("/", params={"q": "评审费多少钱"})).text()
    assert "没有识别出地区" in page
    for notice in load_notices().all():
        assert f"notice={notice.id}" in page


async def test_search_with_a_notice_but_no_topic_offers_topics(staff_client):
    page = await (await staff_client.get("/", params={"notice": CQ})).text()
    assert "已识别" in page and f"notice={CQ}" in page and "topic=materials" in page


async def test_every_topic_of_every_notice_answers_with_citations(staff_client):
    """A new staff member can answer every kind of question the assistant answers."""
    from policies import ANSWER_TOPICS

    for notice in load_notices().all():
        for topic in ANSWER_TOPICS:
            page = await (
                await staff_client.get("/", params={"notice": notice.id, "topic": topic, "level": notice.levels[-1]})
            ).text()
            assert 'id="answer"' in page, (notice.id, topic)
            assert notice.doc_number in text_of(page), (notice.id, topic)


# --- notice pages -------------------------------------------------------------------------------
async def test_notice_pages_show_windows_fees_rules_and_contacts(staff_client):
    page = text_of(await (await staff_client.get(f"/notices/{CQ}")).text())
    assert "评审缴费" in page and "进行中·剩12天" in page and "已截止" in page
    assert "每人420元" in page
    assert "联系方式" in page and "另行规定的文件" in page
    page = text_of(await (await staff_client.get(f"/notices/{CZ}")).text())
    assert "每人300元" in page and "每人260元" in page
    assert "不得申报的情形" in page and "工程师" in page and "三（一）3" in page
    assert "申报材料" in page
    listing = text_of(await (await staff_client.get("/notices")).text())
    for notice in load_notices().all():
        assert notice.doc_number in listing
    assert (await staff_client.get("/notices/no-such-notice")).status == 404


# --- assessment on behalf ------------------------------------------------------------------------
def _fields(page: str):
    """Hidden fields of the questions form and the facts it asks."""
    form = page[page.index('class="card questions"') : page.index("</form>", page.index('class="card questions"'))]
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    asked = re.findall(r'<fieldset class="q[^"]*" data-fact="([^"]+)"', form)
    return {k: html.unescape(v) for k, v in hidden.items() if not k.endswith("_asked")}, asked


def _first_question(page: str):
    """The first question's kind and facts, and its multi-choice prefix (excl, m2 …) if any."""
    m = re.search(r'<fieldset class="q[^"]*" data-fact="([^"]+)" data-facts="([^"]*)">', page)
    prefix = re.search(r'name="([a-z0-9]+)_asked"', page[m.end() :])
    return m.group(1), m.group(2).split(","), prefix.group(1) if prefix else None


def _answer(value) -> str:
    import datetime as dt

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _exclusions_answer(page: str, facts: dict, prefix: str = "excl") -> dict:
    group = re.search(rf'name="{prefix}_asked" value="([^"]+)"', page).group(1).split(",")
    asked = {f"{prefix}_asked": ",".join(group)}
    ticked = {f"{prefix}_{f}": "1" for f in group if facts.get(f) is True}
    if ticked and all(facts.get(f) is not None for f in group):
        return {**asked, **ticked}
    if all(facts.get(f) is False for f in group):
        return {**asked, f"{prefix}_none": "1"}
    # some not known: tick what applies, mark a checklist's lines known not to apply 不符合, 不清楚 for the rest
    denied = {f"{prefix}_no_{f}": "1" for f in group if facts.get(f) is False} if prefix != "excl" else {}
    return {**asked, **ticked, **denied, f"{prefix}_unknown": "1"}


@cache
def _interview(notice_id: str) -> Interview:
    return Interview(Assessor(load_notices().get(notice_id)))


async def assess_through_pages(client, notice_id: str, level: str, facts: dict, max_steps: int = 80) -> str:
    page = await (await client.get("/assess", params={"pick": f"{notice_id}:{level}"})).text()
    asked_all = []
    for _ in range(max_steps):
        if 'class="card questions"' not in page:
            return page
        hidden, asked = _fields(page)
        asked_all += asked
        first = asked[0]  # answer one question at a time, like a call
        kind, members, prefix = _first_question(page)
        if kind in ("exclusions", "checklist"):  # asked together: tick what applies
            # a condition with a threshold (专业科目不少于60学时) is ticked when the caller's number reaches it
            iv = _interview(notice_id)
            ticks = {f: iv.tick(level, f, v) for f, v in facts.items()}
            data = {**hidden, **_exclusions_answer(page, ticks, prefix)}
        elif kind == "together":  # one field per fact
            data = dict(hidden)
            for fact in members:
                known = facts.get(fact)
                data[f"fact_{fact}"] = "__unknown__" if known is None else _answer(known)
        else:
            known = facts.get(first)  # absent or None: the caller does not know
            data = {**hidden, f"fact_{first}": "__unknown__" if known is None else _answer(known)}
        resp = await client.post("/assess", data=data)
        assert resp.status == 200
        page = await resp.text()
    raise AssertionError(f"the assessment did not settle: {asked_all}")


CASES = representative_cases(load_cases())


def test_the_legal_cases_cover_every_verdict_for_two_notices():
    verdicts = {}
    for c in CASES:
        verdicts.setdefault(c.notice, set()).add(c.verdict)
    assert sum(1 for v in verdicts.values() if {"eligible", "not_eligible"} <= v) >= 2


@pytest.mark.parametrize("case", CASES, ids=[f"{c.notice.split('-')[0]}-{c.level}-{c.verdict}" for c in CASES])
async def test_assessment_on_behalf_reaches_the_legal_cases_verdict(staff_client, case):
    page = await assess_through_pages(staff_client, case.notice, case.level, case.facts)
    verdict = re.search(r'data-verdict="([a-z_]+)"', page).group(1)
    assert verdict == case.verdict, text_of(page)[:1500]
    shown = dict(re.findall(r'data-id="([^"]+)" data-status="([a-z_]+)"', page))
    for node, status in case.conditions.items():
        if node in shown:
            assert shown[node] == status, (node, shown[node], status)
    # each shown condition carries its clause
    assert page.count('class="clause"') >= len(shown)


async def test_only_needed_facts_are_asked_and_an_excluded_caller_is_asked_nothing_more(staff_client):
    page = await (await staff_client.get("/assess", params={"pick": f"{CZ}:engineer"})).text()
    hidden, asked = _fields(page)
    kind, members, _ = _first_question(page)
    # the opening question: the title, its date, education and 对口 together (one field each)
    assert kind == "together" and members[:2] == ["current_title", "current_title_date"] and len(asked) <= 3
    assert "education" in members
    assert 'name="fact_current_title"' in page and 'name="fact_current_title_date"' in page
    # the exclusions come as one multi-choice question; ticking 公务员 settles it
    page = await (
        await staff_client.post(
            "/assess",
            data={
                **hidden,
                "fact_current_title": "assistant_engineer",
                "fact_current_title_date": "2016-06",
                "fact_education": "bachelor",
            },
        )
    ).text()
    for _ in range(12):
        hidden, asked = _fields(page)
        if "exclusions" in asked:
            break
        answers = {
            "papers_first_author": "2",
            "assessments_passed_count": "5",
            "engineering_master": "false",
            "achievement_listed": "project_accepted",
        }
        page = await (
            await staff_client.post("/assess", data={**hidden, f"fact_{asked[0]}": answers.get(asked[0], "true")})
        ).text()
    assert "exclusions" in asked and "以下情况您有吗" in text_of(page)
    group = re.search(r'name="excl_asked" value="([^"]+)"', page).group(1)
    assert "civil_servant" in group.split(",") and "retired" in group.split(",")
    page = await (
        await staff_client.post("/assess", data={**hidden, "excl_asked": group, "excl_civil_servant": "1"})
    ).text()
    assert 'class="card questions"' not in page
    assert 'data-verdict="not_eligible"' in page and "公务员" in text_of(page)


async def test_a_caller_whose_every_route_fails_is_not_asked_the_exclusions(staff_client):
    """长治 本科 任助工 since 2019-03: short of 三（一）3's 4 years whatever else is true."""
    facts = {
        "current_title": "assistant_engineer",
        "current_title_date": "2019-03-01",
        "education": "bachelor",
        "skill_level": "none",
        "township_years": 0,
        "other_series_title": False,
        "professional_qualification_held": False,
        "high_skill_frontline": False,
    }
    page = await assess_through_pages(staff_client, CZ, "engineer", facts)
    assert 'data-verdict="not_eligible"' in page


async def test_a_bad_answer_is_explained_and_not_taken(staff_client):
    page = await (await staff_client.get("/assess", params={"pick": f"{CZ}:engineer"})).text()
    hidden, _ = _fields(page)
    _, members, _ = _first_question(page)
    page = await (await staff_client.post("/assess", data={**hidden, f"fact_{members[0]}": "maybe"})).text()
    assert "请从选项中选择" in page
    assert _first_question(page)[1] == members  # asked again, nothing taken


async def test_save_gives_a_case_code_and_lookup_shows_it_with_audit_rows(staff_client):
    facts = next(c for c in CASES if c.notice == CZ and c.verdict == "eligible").facts
    page = await assess_through_pages(staff_client, CZ, "engineer", facts)
    form = page[page.index('action="/assess/save"') :]
    form = form[: form.index("</form>")]
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    resp = await staff_client.post(
        "/assess/save", data={k: html.unescape(v) for k, v in data.items()}, allow_redirects=False
    )
    assert resp.status == 303
    location = resp.headers["Location"]
    code = re.search(r"code=([2-9A-Z]{8})", location).group(1)
    page = await (await staff_client.get(location)).text()
    assert "已保存" in page and code in page and "热线代为评估" in page
    saved = staff_client.server.app["storage"].find_assessment(code)
    assert saved.channel == "staff" and saved.verdict == "eligible" and saved.sender_id is None
    assert saved.facts["education"] == "bachelor"
    # the caller reads the code out loosely
    spaced = f" {code[:4].lower()}-{code[4:]} "
    page = text_of(await (await staff_client.get("/cases", params={"code": spaced})).text())
    assert code in page and "符合申报条件" in page and "长工信〔2022〕139号" in page
    assert "对话记录" not in page  # made on the phone: no chat
    page = text_of(await (await staff_client.get("/cases", params={"code": "ZZZZ9999"})).text())
    assert "没有找到评估编号" in page
    rows = [(r.actor, r.action, r.target) for r in audit.recent(staff_client.server.app["db"])]
    assert (STAFF[0], "assess_save", code) in rows
    assert (STAFF[0], "case_lookup", code) in rows
    assert (STAFF[0], "case_lookup", "ZZZZ9999") in rows
    assert any(a == "assess" and t == f"{CZ}:engineer" for _, a, t in rows)


# --- inbox ------------------------------------------------------------------------------------
async def test_inbox_newest_first_and_csv_for_excel(staff_client):
    storage: Storage = staff_client.server.app["storage"]
    storage.record_unanswered(
        text="第一条：社保断缴怎么办", intent="ask_conditions", confidence=0.31, reason="nlu_fallback", channel="rest"
    )
    storage.record_unanswered(
        text="=HYPERLINK(\"http://x\") 我的手机13812345678",
        intent="out_of_scope",
        confidence=0.9,
        reason="out_of_scope",
        channel="wechat",
    )
    page = text_of(await (await staff_client.get("/inbox")).text())
    assert page.index("HYPERLINK") < page.index("社保断缴")  # newest first
    assert "138****5678" in page and "13812345678" not in page
    resp = await download(staff_client, "/inbox", "/inbox.csv")
    body = await resp.read()
    assert resp.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in resp.headers["Content-Disposition"]
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("时间（UTC）")
    assert "'=HYPERLINK" in lines[1] and "138****5678" in lines[1]
    assert "社保断缴怎么办" in lines[2]
    assert (STAFF[0], "inbox_export") in [(r.actor, r.action) for r in audit.recent(staff_client.server.app["db"])]


async def test_inbox_shows_a_not_helpful_question_with_the_answer_it_rated(staff_client):
    storage: Storage = staff_client.server.app["storage"]
    context = {
        "notice": "changzhi-2022-engineering-mid-junior",
        "topic": "conditions",
        "clauses": [{"notice": "changzhi-2022-engineering-mid-junior", "clause": "三（一）4"}],
    }
    storage.record_unanswered(
        text="长治中级要几篇论文，我手机13812345678",
        intent=None,
        confidence=None,
        reason="not_helpful",
        channel="webchat",
        context=context,
    )
    storage.record_unanswered(
        text="社保断缴怎么办", intent="ask_conditions", confidence=0.31, reason="nlu_fallback", channel="rest"
    )
    html = await (await staff_client.get("/inbox")).text()
    page = text_of(html)
    assert "用户反馈没帮助" in page and "没能理解" in page
    assert (
        "助手当时的回答—通知：长治市（长工信〔2022〕139号）；主题：申报条件；条款：长工信〔2022〕139号三（一）4"
        in "".join(page.split())
    )
    assert "138****5678" in page and "13812345678" not in page
    assert page.count("助手当时的回答") == 1  # only the 没帮助 row names an answer
    body = (await (await download(staff_client, "/inbox", "/inbox.csv")).read()).decode("utf-8-sig")
    lines = body.splitlines()
    assert lines[0].endswith("被评价的回答")
    assert "not_helpful" in lines[2] and "not_helpful" not in lines[1]
    assert "通知：长治市（长工信〔2022〕139号）；主题：申报条件；条款：长工信〔2022〕139号 三（一）4" in lines[2]


def test_csv_cells_never_start_a_formula():
    for bad in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "＝1"):
        assert safe_cell(bad).startswith("'")
    assert safe_cell("长治评审费") == "长治评审费"


# --- the first admin ---------------------------------------------------------------------------
def test_create_admin_command_then_login(tmp_path):
    settings = staff_settings(tmp_path)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ZHICHENG_DATABASE_URL": settings.database_url,
        "STAFF_ADMIN_USER": "chief",
        "STAFF_ADMIN_PASSWORD": "chief-pass-2024",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.staff", "create-admin"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "已创建管理员账号：chief" in done.stdout and "chief-pass-2024" not in done.stdout
    again = subprocess.run(
        [sys.executable, "-m", "bot.staff", "create-admin"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 1 and "该用户名已存在" in again.stderr
    from bot.staff.auth import authenticate
    from bot.staff.models import StaffDB

    user = authenticate(StaffDB(settings.database_url), "chief", "chief-pass-2024")
    assert user is not None and user.role == "admin"


async def test_the_callers_words_fill_what_they_state_and_are_shown_to_be_checked(staff_client):
    """Issue 21: the staff member types what the caller said; what was read is shown back, used, and
    each fact can be changed (修改); a question asked in the caller's words states nothing."""
    page = await (await staff_client.get("/assess", params={"pick": f"{CZ}:engineer"})).text()
    hidden, _ = _fields(page)
    words = "我是本科，17年7月评的助工，论文一两篇，不是公务员，在长治一家国企上班"
    page = await (await staff_client.post("/assess", data={**hidden, "words": words})).text()
    heard = re.search(r'<p class="heard" role="status">([^<]+)</p>', page).group(1)
    assert "本科（学士）" in heard and "现职称助理工程师" in heard and "2017年7月取得" in heard
    assert "在本地工作" in heard  # the notice's city named as where the caller works
    assert "第一作者论文1–2篇" in heard  # a range is shown; 长治 needs 2, so it is asked again, not guessed
    hidden, asked = _fields(page)
    assert hidden["known_education"] == "bachelor" and hidden["known_current_title_date"] == "2017-07-01"
    assert "known_papers_first_author" not in hidden
    assert "current_title" not in asked and "education" not in asked
    side = page[page.index("已了解的情况") :]
    assert "助理工程师" in side and 'value="current_title"' in side  # 修改 is offered for it
    # a question alone: nothing read, the staff member is told to ask item by item
    page = await (await staff_client.post("/assess", data={**_fields(page)[0], "words": "已经退休的人能报吗？"})).text()
    assert "没有从原话中读到可用的情况" in page


async def test_search_compares_the_notices_named_and_leads_with_the_callers_verdict(staff_client):
    """The staff search uses the same kinds of answer as the chat (issue 22): a comparison gives each
    notice named, labelled with its clause; a yes / no about the caller's own case opens with 不能."""
    page = await (await staff_client.get("/", params={"q": "长治和简阳评审费哪个贵"})).text()
    assert "长治2022" in page and "简阳2020" in page and "300" in page and "320" in page
    assert "没有识别出地区" not in page
    page = await (await staff_client.get("/", params={"q": "我本科，2019年5月评的助工，能报长治的工程师吗"})).text()
    assert "根据长工信〔2022〕139号" in page and "按常规条件不能" in page and "〔三（一）3〕" in page
    # a yes / no about a rule: its word first in the sentence read to the caller, then the clause
    page = await (await staff_client.get("/", params={"q": "简阳网上提交后发现填错了还能改不"})).text()
    assert "根据简人社职〔2020〕33号（附件1 一（三））：不能。" in page and "提交后不能修改" in page

"""The dashboard (/dashboard, /dashboard.csv, /dashboard.xlsx): every figure computed from a seeded
database with known counts — conversations written through the project's real tracker store,
the inbox and assessments through the project's models — on SQLite and PostgreSQL; who may see it
(admin and the read-only supervisor, not staff), and that a supervisor changes nothing."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import re
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.plugins.tracker_store import MaskingSQLTrackerStore
from bot.plugins.wechat.store import WeChatStore
from bot.staff import audit
from bot.staff.app import export_by_post_only
from bot.staff.auth import create_user
from bot.staff.figures import Period, percentile, read_wechat_late
from bot.staff.grouping import group_similar
from bot.staff.models import StaffDB
from bot.storage import db
from bot.storage.tables import (
    AssessmentRow,
    AssessmentSummaryRow,
    FeedbackRow,
    LateAnswerRow,
    MessageRow,
    UnansweredRow,
)
from tests.helpers import migrated
from tests.staff.conftest import ADMIN, csrf_of, download, login

SUPERVISOR = ("jianli", "super-pass-789")
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
CZ = "changzhi-2022-engineering-mid-junior"
JY = "jianyang-2020-engineering-senior"
CZ_PAPERS, CZ_EDU, CZ_FEE, CZ_TIME, JY_FEE = (CZ, "三（一）4"), (CZ, "三（一）2"), (CZ, "六"), (CZ, "四"), (JY, "五")


def at(day: str, hhmm: str) -> float:
    """A Beijing-time moment as a Unix timestamp."""
    return dt.datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=SHANGHAI).timestamp()


def utc(day: str, hhmm: str = "12:00") -> dt.datetime:
    return dt.datetime.utcfromtimestamp(at(day, hhmm))


def user(text: str, intent: str, channel: str, ts: float) -> UserUttered:
    return UserUttered(
        text,
        parse_data={"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []},
        input_channel=channel,
        timestamp=ts,
    )


def turn(
    text: str,
    intent: str,
    channel: str,
    ts: float,
    action: str,
    reply_after: float,
    answered_slot: bool = False,
    cites: Sequence[Tuple[str, str]] = (),
    topic: Optional[str] = None,
) -> List:
    """A user message and the assistant's turn; an answer citing notice items carries them in its
    metadata as actions/notice_answer.py writes it (bot.storage.feedback: key "answer")."""
    events = [user(text, intent, channel, ts), ActionExecuted(action, timestamp=ts + 0.1)]
    if answered_slot:
        events.append(SlotSet("last_question", text, timestamp=ts + 0.1))
    metadata = {}
    if cites:
        metadata["answer"] = {
            "id": f"ans-{ts}",
            "notice": cites[0][0],
            "topic": topic,
            "clauses": [{"notice": n, "clause": c} for n, c in cites],
        }
    events += [
        BotUttered("回答", metadata=metadata, timestamp=ts + reply_after),
        ActionExecuted("action_listen", timestamp=ts + reply_after),
    ]
    return events


# sender → its events. Today is 2024-10-30 (ZHICHENG_TODAY); the default period is 10-01 … 10-30.
CONVERSATIONS: Dict[str, List] = {
    "wx-a": (
        turn(
            "简阳评审费多少",
            "ask_fee",
            "wechat",
            at("2024-10-28", "10:00"),
            "action_answer_notice",
            1.0,
            cites=[JY_FEE],
            topic="fees",
        )
        + turn("能帮我代办吗", "nlu_fallback", "wechat", at("2024-10-28", "10:01"), "action_scope_help", 2.0)
        + turn("转人工", "ask_human", "wechat", at("2024-10-28", "10:02"), "action_human_handoff", 0.5)
    ),
    "web-b": (
        turn(
            "长治中级评审要啥",
            "nlu_fallback",
            "webchat",
            at("2024-10-28", "11:00"),
            "action_scope_help",
            3.0,
            answered_slot=True,
            cites=[CZ_PAPERS],
            topic="conditions",
        )
        + turn(
            "论文几篇",
            "ask_papers",
            "webchat",
            at("2024-10-28", "11:05"),
            "action_answer_notice",
            4.0,
            cites=[CZ_PAPERS, CZ_EDU],
            topic="papers",
        )
    ),
    "rest-c": turn(
        "评审费",
        "ask_fee",
        "rest",
        at("2024-10-29", "09:00"),
        "action_answer_notice",
        10.0,
        cites=[CZ_FEE],
        topic="fees",
    ),
    # 00:30 in Beijing is still 10-29 in UTC: it counts for 10-30
    "wx-e": turn(
        "什么时候截止",
        "ask_deadline",
        "wechat",
        at("2024-10-30", "00:30"),
        "action_answer_notice",
        1.5,
        cites=[CZ_TIME],
        topic="windows",
    ),
    "old-d": turn(
        "评审费",
        "ask_fee",
        "rest",
        at("2024-09-15", "09:00"),
        "action_answer_notice",
        1.0,
        cites=[CZ_PAPERS],
        topic="fees",
    ),  # before the period
}
UNANSWERED = [  # (masked text, channel, Beijing day)
    ("简阳评审可以找人代办吗", "wechat", "2024-10-28"),
    ("简阳评审能找人代办吗？", "webchat", "2024-10-29"),
    ("评审可以找人代办吗", "rest", "2024-10-20"),
    ("工资涨多少", "rest", "2024-10-25"),
    ("公务员考试怎么报名", "rest", "2024-10-26"),
    ("公务员考试怎么报", "wechat", "2024-10-27"),
    ("工资涨多少", "rest", "2024-09-01"),  # before the period
]


def not_eligible(*failing: str) -> str:
    conditions = [{"id": "cz_eng_education", "status": "met", "route": "cz_eng_regular", "clause": "三（一）2"}]
    conditions += [{"id": cid, "status": "not_met", "route": "cz_eng_regular", "clause": "三（一）"} for cid in failing]
    conditions.append({"id": "cz_ex_retired", "status": "not_met", "route": None, "clause": "二"})
    return json.dumps({"verdict": "not_eligible", "route": None, "conditions": conditions})


ASSESSMENTS = [  # (notice, level, verdict, result, channel, Beijing day, questions asked)
    (CZ, "engineer", "not_eligible", not_eligible("cz_eng_papers"), "wechat", "2024-10-28", 5),
    (CZ, "engineer", "not_eligible", not_eligible("cz_eng_papers", "cz_eng_years"), "webchat", "2024-10-29", 8),
    (
        CZ,
        "engineer",
        "eligible",
        json.dumps({"verdict": "eligible", "route": "cz_eng_regular", "conditions": []}),
        "staff",
        "2024-10-29",
        None,
    ),  # the staff page records no count
    (CZ, "engineer", "not_eligible", not_eligible("cz_eng_years"), "wechat", "2024-09-01", 20),  # before the period
]
SUMMARIES = [  # (notice, level, verdict, channel, day, deciding, questions asked)
    (CZ, "engineer", "not_eligible", "rest", "2024-10-05", ["cz_eng_papers"], 3),
    (JY, "senior_engineer", "not_eligible", "wechat", "2024-10-06", ["jy_ex_retired"], 6),
]
FEEDBACK = [  # (helpful, channel, topic, cited clauses, Beijing day)
    (True, "webchat", "papers", [CZ_PAPERS, CZ_EDU], "2024-10-28"),
    (False, "webchat", "papers", [CZ_PAPERS], "2024-10-28"),
    (True, "wechat", "fees", [JY_FEE], "2024-10-28"),
    (False, "wechat", "fees", [JY_FEE], "2024-10-29"),
    (False, "rest", "fees", [CZ_FEE], "2024-10-29"),
    (True, "wechat", None, [], "2024-10-30"),
    (False, "webchat", "papers", [CZ_PAPERS], "2024-09-01"),  # before the period
]
LATE_ANSWERS = [  # (UTC hour, answers sent late through the customer-service API)
    ("2024-09-30T15:00", 8),  # 23:00 on 09-30 in Beijing: before the period
    ("2024-09-30T16:00", 1),  # midnight 10-01 in Beijing: the period's first hour
    ("2024-10-28T02:00", 2),
    ("2024-10-29T16:00", 1),  # 00:00 on 10-30 in Beijing
    ("2024-10-30T16:00", 4),  # 00:00 on 10-31 in Beijing: after it
]


async def seed(database_url: str, tracker_url: str) -> None:
    project = db.engine_for(migrated(database_url))
    with project.begin() as conn:
        for text, channel, day in UNANSWERED:
            conn.execute(
                sa.insert(UnansweredRow).values(
                    text=text, intent=None, confidence=0.2, reason="nlu_fallback", channel=channel, created_at=utc(day)
                )
            )
        # a 没帮助 puts its (answered) question in the inbox too: feedback, not an unanswered question
        conn.execute(
            sa.insert(UnansweredRow).values(
                text="工资涨多少",
                intent=None,
                confidence=None,
                reason="not_helpful",
                channel="rest",
                created_at=utc(UNANSWERED[0][2]),
            )
        )
        for i, (notice, level, verdict, result, channel, day, questions) in enumerate(ASSESSMENTS):
            conn.execute(
                sa.insert(AssessmentRow).values(
                    case_code=f"CASE{i:04d}",
                    notice_id=notice,
                    level=level,
                    verdict=verdict,
                    facts="{}",
                    result=result,
                    channel=channel,
                    sender_id=f"s{i}",
                    created_at=utc(day),
                    questions=questions,
                )
            )
        for notice, level, verdict, channel, day, deciding, questions in SUMMARIES:
            conn.execute(
                sa.insert(AssessmentSummaryRow).values(
                    notice_id=notice,
                    level=level,
                    verdict=verdict,
                    channel=channel,
                    day=dt.date.fromisoformat(day),
                    deciding=json.dumps(deciding),
                    questions=questions,
                )
            )
        for i, (helpful, channel, topic, cites, day) in enumerate(FEEDBACK):
            conn.execute(
                sa.insert(FeedbackRow).values(
                    answer_id=f"fb-{i}",
                    helpful=helpful,
                    channel=channel,
                    notice_id=cites[0][0] if cites else None,
                    topic=topic,
                    clauses=json.dumps([{"notice": n, "clause": c} for n, c in cites], ensure_ascii=False),
                    created_at=utc(day),
                )
            )
        for hour, answers in LATE_ANSWERS:
            conn.execute(sa.insert(LateAnswerRow).values(hour=dt.datetime.fromisoformat(hour), answers=answers))
        # dedupe rows are no longer the source: recent "custom" ones do not count
        now = dt.datetime.utcnow()
        for key, state in (("late-1", "custom"), ("ok-1", "passive")):
            conn.execute(sa.insert(MessageRow).values(key=key, state=state, created_at=now))
    store = MaskingSQLTrackerStore(domain=Domain.empty(), host=tracker_url)
    for sender, events in CONVERSATIONS.items():
        await store.save(
            DialogueStateTracker.from_events(
                sender, [ActionExecuted("action_listen", timestamp=events[0].timestamp - 1)] + events
            )
        )


@pytest.fixture(params=["sqlite", "postgresql"])
def database_urls(request, tmp_path) -> Iterator[Dict[str, str]]:
    """The project database and the tracker store: two SQLite files as `make run` has them, or one
    PostgreSQL database for both as the scaled profile has them."""
    if request.param == "sqlite":
        urls = {
            "database_url": f"sqlite:///{tmp_path / 'zhicheng.db'}",
            "tracker_store_url": f"sqlite:///{tmp_path / 'tracker.db'}",
        }
    else:
        from tests.bot.conftest import new_postgres_database

        url = new_postgres_database(request.getfixturevalue("pg_server"))
        urls = {"database_url": url, "tracker_store_url": url}
    migrated(urls["database_url"])  # as the services do on start
    yield urls
    for u in set(urls.values()):
        db.dispose(u)


@pytest.fixture
async def seeded(database_urls, app_factory):
    """An admin's client of the staff service on the seeded database."""
    await seed(database_urls["database_url"], database_urls["tracker_store_url"])
    client = await app_factory(**database_urls)
    assert (await login(client, *ADMIN)).status == 303
    return client, database_urls


def cells(html: str) -> List[List[str]]:
    """Every table row on the page as its cells' text."""
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)])
    return rows


def row(rows: List[List[str]], *head: str) -> List[str]:
    found = [r for r in rows if r[: len(head)] == list(head)]
    assert found, (head, rows)
    return found[0]


async def test_every_figure_on_the_page_and_in_the_export(seeded):
    client, _ = seeded
    resp = await client.get("/dashboard")
    assert resp.status == 200
    html = await resp.text()
    assert "<script" not in html and " style=" not in html and "onclick" not in html
    assert "2024-10-01 至 2024-10-30" in html
    rows = cells(html)
    # overview
    assert row(rows, "对话数")[1] == "4"
    assert row(rows, "用户消息数")[1] == "7"
    assert row(rows, "回答率")[1] == "71.4%"
    assert row(rows, "已回答消息")[1] == "5"
    assert row(rows, "无法回答（兜底回复）")[1] == "1"
    assert row(rows, "转人工")[1] == "1"
    assert row(rows, "回复时间中位数")[1] == "2.0 秒"  # replies 0.5 1 1.5 2 3 4 10 s
    assert row(rows, "回复时间 P90")[1] == "6.4 秒"
    assert row(rows, "回复时间 P99")[1] == "9.6 秒"
    assert row(rows, "未答问题（收件箱）")[1] == "6"
    assert row(rows, "预评估")[1] == "5"
    assert row(rows, "微信客服消息补发")[1] == "4"  # 1 + 2 + 1 in the period's local days
    assert row(rows, "得出结论所需提问数（中位数 / P90）")[1:] == [
        "5.5 / 7.4",
        "有提问数记录的 4 次评估；地区和级别不计，热线代为评估不记录",
    ]  # 3 5 6 8
    assert row(rows, "引用通知条款的回答")[1] == "5"
    assert row(rows, "反馈：有帮助")[1] == "3" and row(rows, "反馈：没帮助")[1] == "3"
    # per day and channel: 对话 wechat, webchat, rest, other; 消息 the same; total
    assert row(rows, "2024-10-28")[1:] == ["1", "1", "0", "0", "3", "2", "0", "0", "5"]
    assert row(rows, "2024-10-29")[1:] == ["0", "0", "1", "0", "0", "0", "1", "0", "1"]
    assert row(rows, "2024-10-30")[1:] == ["1", "0", "0", "0", "1", "0", "0", "0", "1"]
    assert row(rows, "2024-10-01")[1:] == ["0"] * 9
    assert not any(r and r[0] == "2024-09-15" for r in rows)
    # answer rate by day: messages, answered, rate, hand-offs
    assert ["2024-10-28", "5", "3", "60.0%", "1"] in rows
    assert ["2024-10-29", "1", "1", "100.0%", "0"] in rows
    assert ["2024-10-02", "0", "0", "—", "0"] in rows
    # topics
    assert row(rows, "评审费") == ["评审费", "2", "28.6%"]
    assert row(rows, "论文与查重") == ["论文与查重", "1", "14.3%"]
    assert row(rows, "时间安排") == ["时间安排", "1", "14.3%"]
    # unanswered, grouped
    assert ["1", "3"] == row(rows, "1")[:2] and "代办" in row(rows, "1")[2]
    assert row(rows, "2")[:2] == ["2", "2"] and "公务员考试" in row(rows, "2")[2]
    assert row(rows, "3") == ["3", "1", "工资涨多少"]
    # assessments by notice, level and verdict (saved + summaries)
    assert row(rows, "长治2022", "工程师", "不符合申报条件") == ["长治2022", "工程师", "不符合申报条件", "3"]
    assert row(rows, "长治2022", "工程师", "符合申报条件")[3] == "1"
    assert row(rows, "简阳2020", "高级工程师", "不符合申报条件")[3] == "1"
    # what decided "not eligible", with the clause
    papers = row(
        rows, "长治2022", "工程师", "任助工期间发表本专业论文2篇以上（第一作者，不少于2000字）或实用技术材料2项以上"
    )
    assert papers[3:] == ["长工信〔2022〕139号 三（一）4", "3", "100.0%"]
    years = [r for r in rows if r[:2] == ["长治2022", "工程师"] and r[3].endswith("三（一）3")]
    assert years and years[0][4:] == ["1", "33.3%"]
    # questions to reach a verdict, per notice and level: assessments with a count, median, P90, most
    assert row(rows, "长治2022", "工程师", "3") == ["长治2022", "工程师", "3", "5", "7.4", "8"]  # 3 5 8
    assert row(rows, "简阳2020", "高级工程师", "1") == ["简阳2020", "高级工程师", "1", "6", "6", "6"]
    # the most asked notice items: answers citing each, share of the answers citing any
    clauses = [
        r for r in rows if len(r) == 4 and r[3].endswith("%") and r[1] in ("三（一）4", "三（一）2", "六", "四", "五")
    ]
    assert clauses == [
        ["长治2022", "三（一）4", "2", "40.0%"],
        ["长治2022", "三（一）2", "1", "20.0%"],
        ["长治2022", "六", "1", "20.0%"],
        ["长治2022", "四", "1", "20.0%"],
        ["简阳2020", "五", "1", "20.0%"],
    ]
    # feedback per topic (most rated first) and per clause
    assert row(rows, "评审费", "1") == ["评审费", "1", "2", "33.3%"]
    assert row(rows, "论文与查重", "1", "1") == ["论文与查重", "1", "1", "50.0%"]
    assert row(rows, "（未分主题）") == ["（未分主题）", "1", "0", "100.0%"]
    rated_topics = [
        r[0]
        for r in rows
        if len(r) == 4 and r[3] in ("33.3%", "50.0%", "100.0%") and r[0] in ("评审费", "论文与查重", "（未分主题）")
    ]
    assert rated_topics == ["评审费", "论文与查重", "（未分主题）"]  # most rated first
    rated = [r for r in rows if len(r) == 5 and r[4].endswith("%") and r[0] in ("长治2022", "简阳2020")]
    assert rated == [
        ["长治2022", "三（一）4", "1", "1", "50.0%"],
        ["简阳2020", "五", "1", "1", "50.0%"],
        ["长治2022", "三（一）2", "1", "0", "100.0%"],
        ["长治2022", "六", "0", "1", "0.0%"],
    ]
    # the charts are SVG pictures without script
    images = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"', html)
    assert len(images) >= 4
    for data, alt in images:
        svg = base64.b64decode(data).decode("utf-8")
        assert svg.startswith("<svg") and "<script" not in svg and alt
    assert len(images) == 7  # traffic, rate, topics, verdicts, questions, clauses, feedback by topic
    assert html.count("<caption>") == 11 and 'scope="col"' in html and 'scope="row"' in html

    # the CSV has the same figures
    resp = await download(client, "/dashboard", "/dashboard.csv")
    assert resp.status == 200 and resp.headers["Content-Disposition"].endswith('20241001-20241030.csv"')
    body = (await resp.read()).decode("utf-8")
    assert body.startswith("\ufeff")
    got = list(csv.reader(io.StringIO(body[1:])))
    assert ["用户消息数", "7", "用户发来的消息"] in got
    assert ["回答率", "71.4%", "没有以“无法回答”或转人工结束的消息所占比例"] in got
    assert ["2024-10-28", "1", "1", "0", "0", "3", "2", "0", "0", "5"] in got
    assert ["2024-10-28", "5", "3", "60.0%", "1"] in got
    assert ["评审费", "2", "28.6%"] in got
    assert ["3", "1", "工资涨多少"] in got
    assert ["长治2022", "工程师", "不符合申报条件", "3"] in got
    assert [
        r for r in got if r[:2] == ["长治2022", "工程师"] and r[3:] == ["长工信〔2022〕139号 三（一）4", "3", "100.0%"]
    ]
    assert ["微信客服消息补发", "4", "未能在 5 秒内被动回复、改由客服消息接口发送的微信回答（只统计微信）"] in got
    assert row(got, "得出结论所需提问数（中位数 / P90）")[1] == "5.5 / 7.4"
    assert ["长治2022", "工程师", "3", "5", "7.4", "8"] in got
    assert ["长治2022", "三（一）4", "2", "40.0%"] in got and ["简阳2020", "五", "1", "20.0%"] in got
    assert ["评审费", "1", "2", "33.3%"] in got and ["（未分主题）", "1", "0", "100.0%"] in got
    assert ["长治2022", "六", "0", "1", "0.0%"] in got
    assert ["回答引用最多的通知条款"] in got and ["用户对回答的反馈（按回答引用的条款）"] in got
    # and the workbook, a sheet per table
    from openpyxl import load_workbook

    resp = await download(client, "/dashboard", "/dashboard.xlsx")
    assert resp.status == 200
    book = load_workbook(io.BytesIO(await resp.read()))
    assert book.sheetnames == [
        "概览",
        "每日对话",
        "回答率",
        "主题",
        "未答问题",
        "预评估",
        "不符合原因",
        "提问数",
        "条款",
        "反馈·主题",
        "反馈·条款",
    ]
    values = [[c for c in r] for r in book["概览"].iter_rows(values_only=True)]
    assert ["用户消息数", 7, "用户发来的消息"] in [list(v) for v in values]
    assert ["微信客服消息补发", 4] == [list(v) for v in values if v[0] == "微信客服消息补发"][0][:2]
    assert ["反馈：没帮助", 3] == [list(v) for v in values if v[0] == "反馈：没帮助"][0][:2]
    assert ("长治2022", "工程师", 3, 5, 7.4, 8) in list(book["提问数"].iter_rows(values_only=True))
    assert ("长治2022", "三（一）4", 2, "40.0%") in list(book["条款"].iter_rows(values_only=True))
    assert ("评审费", 1, 2, "33.3%") in list(book["反馈·主题"].iter_rows(values_only=True))
    assert ("简阳2020", "五", 1, 1, "50.0%") in list(book["反馈·条款"].iter_rows(values_only=True))
    assert ("2024-10-28", 5, 3, "60.0%", 1) in list(book["回答率"].iter_rows(values_only=True))
    # exports are audited, page views are not
    actions = [r.action for r in audit.recent(client.server.app["db"])]
    assert actions.count("dashboard_export") == 2


async def test_a_channel_and_a_period_narrow_every_figure(seeded):
    client, _ = seeded
    html = await (await client.get("/dashboard?from=2024-10-28&to=2024-10-30&channel=wechat")).text()
    rows = cells(html)
    assert row(rows, "对话数")[1] == "2"
    assert row(rows, "用户消息数")[1] == "4"
    assert row(rows, "回答率")[1] == "50.0%"
    assert row(rows, "回复时间中位数")[1] == "1.2 秒"  # 0.5 1 1.5 2 → 1.25
    assert row(rows, "未答问题（收件箱）")[1] == "1"
    assert row(rows, "预评估")[1] == "1"
    assert row(rows, "2024-10-28")[1:] == ["1", "3", "3"]  # one channel: conversations, messages, total
    assert not any(r and r[0] == "2024-10-27" for r in rows)
    assert row(rows, "微信客服消息补发")[1] == "3"  # 10-28 and the first hour of 10-30
    assert row(rows, "得出结论所需提问数（中位数 / P90）")[1] == "5 / 5"
    assert row(rows, "长治2022", "工程师", "1") == ["长治2022", "工程师", "1", "5", "5", "5"]
    assert not any(r[:2] == ["简阳2020", "高级工程师"] for r in rows)  # its summary is from 10-06
    assert row(rows, "引用通知条款的回答")[1] == "2"
    assert row(rows, "长治2022", "四") == ["长治2022", "四", "1", "50.0%"]
    assert row(rows, "简阳2020", "五", "1") == ["简阳2020", "五", "1", "50.0%"]
    assert not any(r[:2] == ["长治2022", "三（一）4"] for r in rows)  # a webchat answer
    assert row(rows, "反馈：有帮助")[1] == "2" and row(rows, "反馈：没帮助")[1] == "1"
    assert row(rows, "评审费", "1", "1") == ["评审费", "1", "1", "50.0%"]
    assert row(rows, "简阳2020", "五", "1", "1") == ["简阳2020", "五", "1", "1", "50.0%"]
    rest = cells(await (await client.get("/dashboard?from=2024-10-01&to=2024-10-30&channel=rest")).text())
    assert row(rest, "微信客服消息补发")[1] == "—"  # WeChat only
    assert row(rest, "预评估")[1] == "1"  # the summary of a REST assessment
    assert row(rest, "得出结论所需提问数（中位数 / P90）")[1] == "3 / 3"  # kept by the summary
    assert row(rest, "长治2022", "六") == ["长治2022", "六", "1", "100.0%"]
    assert row(rest, "评审费", "0") == ["评审费", "0", "1", "0.0%"]
    for bad in ("from=2024-10-30&to=2024-10-01", "from=yesterday", "channel=fax", "from=2020-01-01&to=2024-10-01"):
        resp = await client.get("/dashboard?" + bad)
        assert resp.status == 400, bad


async def test_a_missing_tracker_store_leaves_the_rest(app_factory, tmp_path):
    client = await app_factory(tracker_store_url=f"sqlite:///{tmp_path / 'nowhere.db'}")
    assert (await login(client, *ADMIN)).status == 303
    resp = await client.get("/dashboard")
    assert resp.status == 200
    rows = cells(await resp.text())
    assert row(rows, "用户消息数")[1] == "0" and "对话库无法读取" in row(rows, "对话数")[2]


async def test_the_default_period_ends_on_the_beijing_day_whatever_the_servers_clock(app_factory, monkeypatch):
    """A server on UTC at 2024-10-30 17:00 is already at 10-31 01:00 in Beijing: the default view
    ends on 10-31 and counts the question asked at 00:30 Beijing time (16:30 UTC)."""
    import bot.settings

    monkeypatch.setattr(bot.settings, "utc_now", lambda: dt.datetime(2024, 10, 30, 17, 0, tzinfo=dt.timezone.utc))
    client = await app_factory(today_override=None)
    settings = client.server.app["settings"]
    assert settings.today() == dt.date(2024, 10, 31)
    with db.engine_for(settings.database_url).begin() as conn:
        conn.execute(
            sa.insert(UnansweredRow).values(
                text="评审费怎么交",
                intent=None,
                confidence=0.2,
                reason="nlu_fallback",
                channel="wechat",
                created_at=dt.datetime(2024, 10, 30, 16, 30),
            )
        )
    assert (await login(client, *ADMIN)).status == 303
    html = await (await client.get("/dashboard")).text()
    assert "2024-10-02 至 2024-10-31" in html
    assert row(cells(html), "未答问题（收件箱）")[1] == "1"


async def test_supervisor_sees_the_dashboard_and_changes_nothing(app_factory):
    from tests.staff.test_security import PUBLIC, walk

    client = await app_factory()
    create_user(
        StaffDB(client.server.app["settings"].database_url), *SUPERVISOR, role="supervisor", display_name="李主管"
    )
    assert (await login(client, *SUPERVISOR)).status == 303
    page = await (await client.get("/dashboard")).text()
    assert "服务统计" in page and "主管（只读）" in page and 'href="/dashboard"' in page
    assert 'href="/assess"' not in page and 'href="/admin/users"' not in page
    # downloads are POSTs (with the CSRF token) that change nothing: a read-only role may make them
    assert (await download(client, "/dashboard", "/dashboard.csv")).status == 200
    assert (await download(client, "/dashboard", "/dashboard.xlsx")).status == 200
    assert (await download(client, "/inbox", "/inbox.csv")).status == 200
    token = csrf_of(page)
    app = client.server.app
    for method, canonical, path, handler in walk(app):
        if (method, canonical) in PUBLIC or getattr(handler, "export", False):
            continue
        if method == "GET" and handler is export_by_post_only:
            assert (await client.get(path, allow_redirects=False)).status == 405, path
        elif method == "POST" and canonical not in ("/logout", "/account/password"):
            resp = await client.post(
                path,
                data={
                    "csrf_token": token,
                    "pick": f"{CZ}:engineer",
                    "username": "x1",
                    "password": "new-password-99",
                    "notice": CZ,
                    "level": "engineer",
                },
                allow_redirects=False,
            )
            assert resp.status == 403, (path, resp.status)
        elif method == "GET":
            resp = await client.get(path, allow_redirects=False)
            expected = 403 if getattr(handler, "admin_only", False) else 200
            assert resp.status == expected, (path, resp.status)
    assert "只读账号不能修改数据" in await (await client.post("/assess/save", data={"csrf_token": token})).text()
    # nothing was written: no new account, no saved assessment
    with db.engine_for(app["settings"].database_url).connect() as conn:
        assert conn.execute(sa.text("select count(*) from staff_users where username = 'x1'")).scalar_one() == 0
        assert conn.execute(sa.text("select count(*) from assessments")).scalar_one() == 0
    # their own password is theirs to change, and they can log out
    resp = await client.post(
        "/account/password",
        data={"csrf_token": token, "current": SUPERVISOR[1], "new": "super-pass-000", "again": "super-pass-000"},
        allow_redirects=False,
    )
    assert resp.status == 303
    assert (await login(client, SUPERVISOR[0], "super-pass-000")).status == 303
    token = csrf_of(await (await client.get("/dashboard")).text())
    assert (await client.post("/logout", data={"csrf_token": token}, allow_redirects=False)).status == 303


async def test_staff_cannot_see_the_dashboard_and_admins_can_create_supervisors(staff_client, app_factory):
    assert (await staff_client.get("/dashboard")).status == 403
    token = csrf_of(await (await staff_client.get("/")).text())
    for path in ("/dashboard.csv", "/dashboard.xlsx"):
        assert (await staff_client.post(path, data={"csrf_token": token})).status == 403, path
    assert 'href="/dashboard"' not in await (await staff_client.get("/")).text()
    admin = await app_factory(accounts=False)
    assert (await login(admin, *ADMIN)).status == 303
    page = await (await admin.get("/admin/users")).text()
    assert '<option value="supervisor">主管（只读）</option>' in page
    resp = await admin.post(
        "/admin/users",
        data={"csrf_token": csrf_of(page), "username": "wangzg", "password": "wangzg-pass-1", "role": "supervisor"},
    )
    assert "已创建账号 wangzg" in await resp.text()
    sup = await app_factory(accounts=False)
    assert (await login(sup, "wangzg", "wangzg-pass-1")).status == 303
    assert (await sup.get("/dashboard")).status == 200


def test_the_wechat_store_counts_late_answers_for_the_dashboard(database_urls):
    """The channel marks a message ``custom`` once, when the customer-service API delivers its
    answer; the store counts that in the same transaction, and the figure sums it over the period."""
    store = WeChatStore(database_urls["database_url"])
    for key, state in (("m1", "custom"), ("m2", "passive"), ("m3", "custom"), ("m4", "none"), ("m5", "custom")):
        assert store.claim_message(key)
        store.mark_message(key, state)
    today = dt.datetime.now(SHANGHAI).date()
    period = Period(today - dt.timedelta(days=1), today + dt.timedelta(days=1))  # around this hour, in any zone
    assert read_wechat_late(store.engine, period) == 3
    assert read_wechat_late(store.engine, Period(today - dt.timedelta(days=9), today - dt.timedelta(days=2))) == 0
    with store.engine.connect() as conn:
        hours = conn.execute(sa.select(LateAnswerRow.hour, LateAnswerRow.answers)).all()
    assert len(hours) in (1, 2) and sum(n for _, n in hours) == 3  # one row per hour (two if the hour turned)
    assert all(h.minute == 0 and h.second == 0 for h, _ in hours)


def test_similar_questions_group_and_percentiles():
    groups = group_similar(
        ["简阳评审可以找人代办吗", "工资涨多少", "简阳评审能找人代办吗？", "评审可以找人代办吗", "工资涨多少"]
    )
    assert [(g.size, g.text) for g in groups] == [(3, "简阳评审可以找人代办吗"), (2, "工资涨多少")]
    assert percentile([], 50) is None and percentile([4.0], 90) == 4.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    period = Period.parse({}, dt.date(2024, 10, 30), "Asia/Shanghai")
    assert (period.start, period.end, period.channel) == (dt.date(2024, 10, 1), dt.date(2024, 10, 30), "")
    assert period.bounds_utc() == (dt.datetime(2024, 9, 30, 16), dt.datetime(2024, 10, 30, 16))


# --- the dashboard in headless Chromium (docs/staff-dashboard.png) -----------------------------

DEMO_CLAUSES = {
    "ask_fee": [CZ_FEE, JY_FEE],
    "ask_deadline": [CZ_TIME, (JY, "四")],
    "ask_materials": [(CZ, "五")],
    "ask_papers": [CZ_PAPERS, (JY, "三（二）")],
    "ask_conditions": [CZ_EDU, CZ_PAPERS, (JY, "三（一）")],
    "ask_continuing_education": [(CZ, "三（三）")],
    "ask_exceptional_route": [(JY, "三（三）")],
    "ask_contacts": [(CZ, "七")],
}


def demo_conversations(seed_value: int = 7) -> Dict[str, List]:
    """A month of made-up traffic for the screenshot: a few conversations a day on each channel."""
    import random

    rng = random.Random(seed_value)
    asks = [
        ("评审费多少", "ask_fee"),
        ("什么时候截止", "ask_deadline"),
        ("要交哪些材料", "ask_materials"),
        ("论文要几篇", "ask_papers"),
        ("申报条件是什么", "ask_conditions"),
        ("继续教育多少学时", "ask_continuing_education"),
        ("怎么破格", "ask_exceptional_route"),
        ("咨询电话", "ask_contacts"),
    ]
    out: Dict[str, List] = {}
    for day in range(1, 31):
        for channel, weight in (("wechat", 6), ("webchat", 3), ("rest", 1)):
            for n in range(rng.randint(weight // 2, weight + 2)):
                start = at(f"2024-10-{day:02d}", f"{rng.randint(8, 21):02d}:{rng.randint(0, 59):02d}")
                events: List = []
                for k in range(rng.randint(1, 4)):
                    ts = start + 90 * k
                    roll = rng.random()
                    if roll < 0.08:
                        events += turn(
                            "别的问题", "nlu_fallback", channel, ts, "action_scope_help", rng.uniform(0.4, 3)
                        )
                    elif roll < 0.11:
                        events += turn("转人工", "ask_human", channel, ts, "action_human_handoff", rng.uniform(0.3, 1))
                    else:
                        text, intent = rng.choice(asks)
                        events += turn(
                            text,
                            intent,
                            channel,
                            ts,
                            "action_answer_notice",
                            rng.lognormvariate(0.2, 0.6),
                            cites=[rng.choice(DEMO_CLAUSES[intent])],
                        )
                out[f"demo-{day}-{channel}-{n}"] = events
    return out


async def seed_demo(database_url: str, tracker_url: str) -> None:
    await seed(database_url, tracker_url)
    store = MaskingSQLTrackerStore(domain=Domain.empty(), host=tracker_url)
    for sender, events in demo_conversations().items():
        await store.save(DialogueStateTracker.from_events(sender, events))


@pytest.mark.browser
def test_dashboard_in_chromium_screenshot(tmp_path, screenshots_dir):
    """The charts render as pictures in a real browser, with no script; saves staff-dashboard.png
    (to a temporary folder; ``make screenshots``: docs/)."""
    import asyncio
    import os
    import subprocess
    import sys
    import urllib.request

    from playwright.sync_api import sync_playwright

    from tests.helpers import ROOT, free_port, wait_until
    from tests.staff.test_browser import ARGS

    database, tracker = f"sqlite:///{tmp_path / 'zhicheng.db'}", f"sqlite:///{tmp_path / 'tracker.db'}"
    asyncio.run(seed_demo(database, tracker))
    db.dispose(database)
    db.dispose(tracker)
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "STAFF_PORT": str(port),
        "ZHICHENG_DATABASE_URL": database,
        "TRACKER_STORE_URL": tracker,
        "ZHICHENG_TODAY": "2024-10-30",
        "STAFF_ADMIN_USER": SUPERVISOR[0],
        "STAFF_ADMIN_PASSWORD": SUPERVISOR[1],
    }
    made = subprocess.run(
        [sys.executable, "-m", "bot.staff", "create-admin"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    with db.engine_for(database).begin() as conn:  # a supervisor's view (no admin menu)
        conn.execute(sa.text("update staff_users set role = 'supervisor', display_name = '李主管'"))
    db.dispose(database)
    log = open(tmp_path / "staff.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.staff", "serve"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: urllib.request.urlopen(f"{base}/health", timeout=2).status == 200, 60, "staff", proc)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page.goto(f"{base}/dashboard")
            page.fill("input[name=username]", SUPERVISOR[0])
            page.fill("input[name=password]", SUPERVISOR[1])
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/dashboard")
            assert page.locator("script").count() == 0
            images = page.locator("figure.dash-chart img")
            assert images.count() >= 4
            for i in range(images.count()):  # every chart decoded and drawn at its size
                assert images.nth(i).evaluate("img => img.complete && img.naturalWidth") > 0
            assert "服务统计" in page.inner_text("h1")
            page.screenshot(path=str(screenshots_dir / "staff-dashboard.png"), full_page=True)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()

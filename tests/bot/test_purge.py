"""Data kept no longer than needed (bot/storage/purge.py, docs/retention.md), on SQLite and PostgreSQL: rows
of known ages are seeded — Rasa tracker events through the project's real tracker store, the
project's tables through its models — and exactly the old ones go; old assessments become
anonymous summaries; the staff audit log goes after its own, longer retention (365 days) and a number
typed into it before it was masked is masked; a dry run removes nothing; a second run nothing more."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.plugins.tracker_store import MaskingSQLTrackerStore
from bot.settings import DEFAULT_AUDIT_RETENTION_DAYS, DEFAULT_RETENTION_DAYS, SettingsError, get_settings
from bot.storage import db, purge
from bot.storage.tables import (
    AccessTokenRow,
    AssessmentRow,
    AssessmentSummaryRow,
    AuditEntry,
    ChoiceRow,
    FeedbackRow,
    LateAnswerRow,
    MessageRow,
    UnansweredRow,
)
from tests.helpers import migrated

NOW = dt.datetime(2026, 6, 1, 12, 0, 0)  # naive UTC, as stored
DAYS = 180


def ago(days: float = 0, hours: float = 0, now: dt.datetime = NOW) -> dt.datetime:
    return now - dt.timedelta(days=days, hours=hours)


def result(verdict: str, route=None, **statuses):
    return json.dumps(
        {
            "verdict": verdict,
            "route": route,
            "summary": "张三，本科，电话138****5678",
            "conditions": [
                {"id": cid, "status": status, "route": r, "clause": "三（一）"} for cid, (status, r) in statuses.items()
            ],
        },
        ensure_ascii=False,
    )


ASSESSMENTS = {  # case code → (age in days, verdict, result)
    "OLDNOT22": (
        400,
        "not_eligible",
        result(
            "not_eligible",
            None,
            education=("met", "regular"),
            papers=("not_met", "regular"),
            years=("not_met", "regular"),
            exclusion_discipline=("not_met", None),
        ),
    ),
    "OLDYES22": (
        181,
        "eligible",
        result(
            "eligible",
            "regular",
            education=("met", "regular"),
            years=("met", "regular"),
            special_award=("unknown", "exceptional"),
        ),
    ),
    "OLDUNK22": (DAYS + 0.01, "undetermined", result("undetermined", None, papers=("unknown", "regular"))),
    "NEWNOT22": (179, "not_eligible", result("not_eligible", None, papers=("not_met", "regular"))),
    "NEWYES22": (1, "eligible", result("eligible", "regular", education=("met", "regular"))),
}
QUESTIONS = {"OLDNOT22": 7, "OLDYES22": 12, "OLDUNK22": None, "NEWNOT22": 3, "NEWYES22": 9}  # None: not recorded
UNANSWERED = {"很久以前的问题": 400, "刚过期的问题": DAYS + 0.5, "还在期限内的问题": DAYS - 0.5, "今天的问题": 0}
CONVERSATIONS = {  # sender → ages (days) of its events
    "old-whole": [300, 200],
    "old-started-but-recent": [300, 10],  # last event recent: kept whole
    "recent": [1, 1],
    "just-over": [DAYS + 0.01],
}


async def seed(database_url: str, tracker_url: str, now: dt.datetime = NOW) -> None:
    """Every row at its age before ``now``."""

    def ago(days: float = 0, hours: float = 0) -> dt.datetime:
        return now - dt.timedelta(days=days, hours=hours)

    project = db.engine_for(migrated(database_url))
    with project.begin() as conn:
        for code, (age, verdict, res) in ASSESSMENTS.items():
            conn.execute(
                sa.insert(AssessmentRow).values(
                    case_code=code,
                    notice_id="changzhi-2022-engineering-mid-junior",
                    level="engineer",
                    verdict=verdict,
                    facts=json.dumps({"education": "bachelor", "name_hint": "张三"}, ensure_ascii=False),
                    result=res,
                    channel="wechat" if code.startswith("OLDNOT") else "rest",
                    sender_id=f"sender-{code}",
                    created_at=ago(age),
                    questions=QUESTIONS[code],
                )
            )
        for text, age in UNANSWERED.items():
            conn.execute(
                sa.insert(UnansweredRow).values(
                    text=text, intent=None, confidence=0.2, reason="nlu_fallback", channel="rest", created_at=ago(age)
                )
            )
        for key, age_hours in {"dedupe-2-days": 48, "dedupe-23-hours": 23, "dedupe-now": 0}.items():
            conn.execute(sa.insert(MessageRow).values(key=key, state="passive", created_at=ago(hours=age_hours)))
        for sender, age in {"wx-old": 200, "wx-recent": 10}.items():
            conn.execute(sa.insert(ChoiceRow).values(sender=sender, buttons="[]", updated_at=ago(age)))
        conn.execute(sa.insert(AccessTokenRow).values(app_id="wxapp", token="t", expires_at=0.0))
        # anonymous: feedback on answers (no sender, no text) and the hourly count of late WeChat answers
        conn.execute(
            sa.insert(FeedbackRow).values(
                answer_id="a-old",
                helpful=False,
                channel="webchat",
                notice_id="changzhi-2022-engineering-mid-junior",
                topic="fee",
                clauses='[{"notice": "changzhi-2022-engineering-mid-junior", "clause": "五"}]',
                created_at=ago(400),
            )
        )
        conn.execute(sa.insert(LateAnswerRow).values(hour=ago(400).replace(minute=0, second=0), answers=3))
        for target, age in AUDIT.items():  # written raw, as the audit log did before it masked
            conn.execute(
                sa.insert(AuditEntry).values(
                    at=ago(age), actor="hotline1", action="case_lookup", target=target, detail="not found"
                )
            )
    store = MaskingSQLTrackerStore(domain=Domain.empty(), host=tracker_url)
    for sender, ages in CONVERSATIONS.items():
        events = []
        for age in ages:
            stamp = ago(age).replace(tzinfo=dt.timezone.utc).timestamp()
            events += [
                ActionExecuted("action_listen", timestamp=stamp),
                UserUttered(
                    "评审费多少",
                    parse_data={"text": "评审费多少", "intent": {"name": "ask_fee", "confidence": 1.0}, "entities": []},
                    timestamp=stamp,
                ),
            ]
        await store.save(DialogueStateTracker.from_events(sender, events))


# the staff audit log: target → age in days (kept 365 days; an old lookup of a mobile in clear)
AUDIT = {"OLDNOT22": 500, "13912345678": 366, "NEWNOT22": 364, "110101199003071234": 10, "NEWYES22": 1}


def snapshot(database_url: str, tracker_url: str):
    with db.engine_for(database_url).connect() as conn:
        got = {
            "assessments": sorted(r[0] for r in conn.execute(sa.select(AssessmentRow.case_code))),
            "unanswered": sorted(r[0] for r in conn.execute(sa.select(UnansweredRow.text))),
            "wechat_messages": sorted(r[0] for r in conn.execute(sa.select(MessageRow.key))),
            "wechat_choices": sorted(r[0] for r in conn.execute(sa.select(ChoiceRow.sender))),
            "tokens": conn.execute(sa.select(sa.func.count()).select_from(AccessTokenRow)).scalar_one(),
            "audit": sorted(r[0] for r in conn.execute(sa.select(AuditEntry.target))),
            "summaries": conn.execute(sa.select(sa.func.count()).select_from(AssessmentSummaryRow)).scalar_one(),
            "feedback": conn.execute(sa.select(sa.func.count()).select_from(FeedbackRow)).scalar_one(),
            "late_answers": conn.execute(sa.select(sa.func.sum(LateAnswerRow.answers))).scalar_one(),
        }
    with db.engine_for(tracker_url).connect() as conn:
        rows = conn.execute(sa.text("select sender_id, count(*) from events group by sender_id")).all()
    got["events"] = dict(sorted((s, int(n)) for s, n in rows))
    return got


@pytest.fixture
def databases(empty_db, tmp_path):
    """(project database, tracker store): on SQLite two files as `make run` has them; on
    PostgreSQL one database for both, as the scaled profile has them (Rasa's events beside the
    project's tables)."""
    tracker = f"sqlite:///{tmp_path / 'tracker.db'}" if empty_db.startswith("sqlite") else empty_db
    yield empty_db, tracker
    db.dispose(tracker)


async def test_purge_removes_exactly_what_is_older_than_the_retention(databases):
    database_url, tracker_url = databases
    await seed(database_url, tracker_url)
    before = snapshot(database_url, tracker_url)
    assert before["events"] == {"just-over": 2, "old-started-but-recent": 4, "old-whole": 4, "recent": 4}

    dry = purge.purge(database_url, tracker_url, DAYS, now=NOW, dry_run=True)
    expected = dict(
        dry_run=True,
        conversations=2,
        events=6,
        unanswered=2,
        assessments=3,
        wechat_choices=1,
        wechat_messages=1,
        audit_days=365,
        audit=2,
        audit_masked=1,
    )
    assert {k: getattr(dry, k) for k in expected} == expected
    assert snapshot(database_url, tracker_url) == before  # a dry run removes nothing

    done = purge.purge(database_url, tracker_url, DAYS, now=NOW)
    assert {k: getattr(done, k) for k in expected} == dict(expected, dry_run=False)
    after = snapshot(database_url, tracker_url)
    assert after == {
        "assessments": ["NEWNOT22", "NEWYES22"],
        "unanswered": sorted(["还在期限内的问题", "今天的问题"]),
        "wechat_messages": ["dedupe-23-hours", "dedupe-now"],
        "wechat_choices": ["wx-recent"],
        "tokens": 1,  # not personal
        # who looked at what: kept a year, past the data it is about; the ID looked up is masked
        "audit": ["**************1234", "NEWNOT22", "NEWYES22"],
        "summaries": 3,
        "feedback": 1,  # no personal data: kept
        "late_answers": 3,  # a bare counter: kept
        "events": {"old-started-but-recent": 4, "recent": 4},  # a conversation goes whole or not at all
    }

    again = purge.purge(database_url, tracker_url, DAYS, now=NOW)
    assert again.counts() == {k: 0 for k in again.counts()}
    assert snapshot(database_url, tracker_url) == after


async def test_old_assessments_become_anonymous_summaries(databases):
    database_url, tracker_url = databases
    await seed(database_url, tracker_url)
    purge.purge(database_url, tracker_url, DAYS, now=NOW)
    with db.engine_for(database_url).connect() as conn:
        rows = conn.execute(sa.select(AssessmentSummaryRow).order_by(AssessmentSummaryRow.day)).mappings().all()
    summaries = [{k: v for k, v in r.items() if k != "id"} for r in rows]
    notice = "changzhi-2022-engineering-mid-junior"
    assert summaries == [
        dict(
            notice_id=notice,
            level="engineer",
            verdict="not_eligible",
            channel="wechat",
            day=ago(400).date(),
            deciding='["papers", "years"]',
            questions=7,
        ),  # the conditions not met
        dict(
            notice_id=notice,
            level="engineer",
            verdict="eligible",
            channel="rest",
            day=ago(181).date(),
            deciding='["education", "years"]',
            questions=12,
        ),  # the route that was met
        dict(
            notice_id=notice,
            level="engineer",
            verdict="undetermined",
            channel="rest",
            day=ago(DAYS + 0.01).date(),
            deciding='["papers"]',
            questions=None,
        ),  # what was still unknown; count not recorded
    ]
    stored = json.dumps(summaries, default=str, ensure_ascii=False)
    assert "sender-" not in stored and "张三" not in stored and "bachelor" not in stored and "OLD" not in stored
    assert set(
        sa.inspect(db.engine_for(database_url)).get_columns("assessment_summaries")[i]["name"] for i in range(8)
    ) == {"id", "notice_id", "level", "verdict", "channel", "day", "deciding", "questions"}


def test_deciding_conditions():
    res = json.loads(ASSESSMENTS["OLDNOT22"][2])
    assert purge.deciding_conditions(res) == ["papers", "years"]
    assert purge.deciding_conditions({}) == []
    excluded = {
        "verdict": "not_eligible",
        "conditions": [
            {"id": "discipline", "status": "met", "route": None},
            {"id": "papers", "status": "not_met", "route": "regular"},
        ],
    }
    assert purge.deciding_conditions(excluded) == ["discipline"]  # an exclusion that applies decides alone
    assert (
        purge.deciding_conditions(
            {"verdict": "eligible", "route": "regular", "conditions": [{"id": "a", "status": "met", "route": "x"}]}
        )
        == []
    )


def test_the_retention_setting_is_typed_with_a_default():
    assert get_settings({}).retention.days == DEFAULT_RETENTION_DAYS == 180
    s = get_settings(
        {
            "ZHICHENG_RETENTION_DAYS": "30",
            "ZHICHENG_DATABASE_URL": "sqlite:///x.db",
            "TRACKER_STORE_URL": "postgresql://h/db",
        }
    )
    assert (s.retention.days, s.retention.database_url, s.retention.tracker_store_url) == (
        30,
        "sqlite:///x.db",
        "postgresql://h/db",
    )
    for bad in ("0", "abc", "-5"):
        with pytest.raises(SettingsError, match="ZHICHENG_RETENTION_DAYS"):
            _ = get_settings({"ZHICHENG_RETENTION_DAYS": bad}).retention


async def test_the_command_prints_counts_and_dry_run_keeps_everything(tmp_path, monkeypatch, capsys):
    database_url, tracker_url = f"sqlite:///{tmp_path / 'z.db'}", f"sqlite:///{tmp_path / 't.db'}"
    await seed(database_url, tracker_url, now=dt.datetime.utcnow())  # the command reads the real clock
    monkeypatch.setenv("ZHICHENG_DATABASE_URL", database_url)
    monkeypatch.setenv("TRACKER_STORE_URL", tracker_url)
    monkeypatch.delenv("ZHICHENG_RETENTION_DAYS", raising=False)  # the default, 180 days
    before = snapshot(database_url, tracker_url)
    assert purge.main(["--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "保留期 180 天" in out and "试运行" in out and "员工操作日志（保留 365 天）：将删除 2 条" in out
    assert "将删除 2 个对话的 6 条记录" in out and "未答问题收件箱：将删除 2 条" in out and "把 3 条转为匿名统计" in out
    assert snapshot(database_url, tracker_url) == before
    monkeypatch.setenv("ZHICHENG_RETENTION_DAYS", "36500")
    assert purge.main([]) == 0  # a 100-year retention: nothing is old enough
    assert "已删除 0 个对话的 0 条记录" in capsys.readouterr().out
    assert purge.main(["--days", "180"]) == 0
    assert "已删除 2 个对话的 6 条记录" in capsys.readouterr().out
    assert snapshot(database_url, tracker_url)["events"] == {"old-started-but-recent": 4, "recent": 4}
    assert purge.main(["--days", "0"]) == 2


def test_every_seconds_purges_on_a_schedule_until_sigterm(tmp_path):
    """``--every 1`` as the production profile runs it: a real process on SQLite files seeded with
    old rows purges at start and again a second later (one line each), then exits 0 on SIGTERM."""
    import asyncio
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.helpers import ROOT

    database_url, tracker_url = f"sqlite:///{tmp_path / 'z.db'}", f"sqlite:///{tmp_path / 't.db'}"
    asyncio.run(seed(database_url, tracker_url, now=dt.datetime.utcnow()))
    db.dispose(database_url)
    db.dispose(tracker_url)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ZHICHENG_DATABASE_URL": database_url,
        "TRACKER_STORE_URL": tracker_url,
        "ZHICHENG_RETENTION_DAYS": str(DAYS),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.storage.purge", "--every", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    try:
        deadline = time.monotonic() + 180
        while len(lines) < 2 and time.monotonic() < deadline:
            line = proc.stdout.readline()  # flushed per run: arrives while the process runs
            if not line:
                break
            lines.append(line.rstrip("\n"))
        assert len(lines) == 2, (lines, proc.poll())
        proc.send_signal(signal.SIGTERM)
        rest, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    first, second = lines
    assert "保留期 180 天" in first and "已删除对话 2 个（6 条记录）" in first and "未答问题 2 条" in first
    assert "评估转为匿名统计 3 条" in first and "微信编号选项 1 条" in first and "消息去重记录 1 条" in first
    assert "员工操作日志（保留 365 天）已删除 2 条、补做脱敏 1 条" in first and "补做脱敏 0 条" in second
    assert "已删除对话 0 个（0 条记录）" in second and "评估转为匿名统计 0 条" in second  # nothing more
    assert all(not line or "已删除对话 0 个" in line for line in rest.splitlines())  # any run before the signal
    after = snapshot(database_url, tracker_url)
    assert after["events"] == {"old-started-but-recent": 4, "recent": 4}
    assert after["assessments"] == ["NEWNOT22", "NEWYES22"] and after["summaries"] == 3
    assert after["unanswered"] == sorted(["还在期限内的问题", "今天的问题"])
    assert after["wechat_choices"] == ["wx-recent"] and after["wechat_messages"] == ["dedupe-23-hours", "dedupe-now"]


def test_the_audit_retention_is_typed_with_a_default_of_a_year_and_at_least_six_months():
    assert get_settings({}).retention.audit_days == DEFAULT_AUDIT_RETENTION_DAYS == 365
    assert get_settings({"ZHICHENG_AUDIT_RETENTION_DAYS": "180"}).retention.audit_days == 180
    for bad in ("179", "0", "abc"):
        with pytest.raises(SettingsError, match="ZHICHENG_AUDIT_RETENTION_DAYS"):
            _ = get_settings({"ZHICHENG_AUDIT_RETENTION_DAYS": bad}).retention


async def test_the_audit_log_keeps_its_own_retention(databases):
    """With ``ZHICHENG_AUDIT_RETENTION_DAYS=400`` the 366-day-old lookup stays (masked), the 500-day
    one goes; the data retention of 180 days does not touch the audit log."""
    database_url, tracker_url = databases
    await seed(database_url, tracker_url)
    report = purge.purge(database_url, tracker_url, DAYS, now=NOW, audit_days=400)
    assert (report.audit, report.audit_masked) == (1, 2)
    assert snapshot(database_url, tracker_url)["audit"] == [
        "**************1234",
        "139****5678",
        "NEWNOT22",
        "NEWYES22",
    ]


def test_every_rejects_a_non_positive_interval(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ZHICHENG_DATABASE_URL", f"sqlite:///{tmp_path / 'z.db'}")
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{tmp_path / 't.db'}")
    assert purge.main(["--every", "0"]) == 2
    assert "--every" in capsys.readouterr().err

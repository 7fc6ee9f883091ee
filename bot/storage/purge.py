"""Keep personal data no longer than needed (personal-information minimisation, docs/retention.md).

``python -m bot.storage.purge [--dry-run] [--days N]`` (``make purge``) removes, with the retention of
``ZHICHENG_RETENTION_DAYS`` (180 days by default):

- **conversations**: every Rasa tracker event of a conversation whose *last* event is older than
  the retention (Rasa's ``events`` table in ``TRACKER_STORE_URL``) — a conversation still going
  on is kept whole, an old one goes whole;
- **the inbox** (``unanswered``): messages the assistant could not answer, older than the retention;
- **saved assessments** older than the retention are reduced to anonymous summaries
  (``assessment_summaries``: notice, level, verdict, channel, day, the condition ids that decided
  the verdict, the number of questions asked); the case code, the facts, the full result and the
  sender id are deleted;
- **WeChat**: numbered choices last offered to a user, older than the retention, and message
  dedupe rows older than a day (WeChat resends within seconds; the channel drops them itself too);
- **the staff audit log** (who looked at which case, when) older than its own, longer retention,
  ``ZHICHENG_AUDIT_RETENTION_DAYS`` (365 days by default, at least 180): the record of access to
  personal data outlives the data; and any mobile or ID number in a row written before the audit
  log masked what it stores (a number typed into the case-code box) is masked.

Kept: staff accounts, WeChat access tokens (not personal), feedback
on answers (``answer_feedback``: helpful or not, channel, notice, topic, clauses — no sender, no
text) and the hourly count of late WeChat answers (``wechat_late_answers``). Expired staff
sessions are removed by the staff service itself.

Each run prints what it removed (or, with ``--dry-run``, what it would remove) and is safe to
repeat: rows are chosen by age only. ``--every SECONDS`` purges at start and then every SECONDS
until SIGTERM or SIGINT (exit 0), one line per run on stdout — the production profile's schedule.
Nothing runs at import.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import dataclass, fields
from types import FrameType
from typing import Any, Callable, Dict, List, Optional, TextIO

import sqlalchemy as sa

from bot.settings import DEFAULT_AUDIT_RETENTION_DAYS

BATCH = 500  # assessments summarised per round trip


@dataclass
class PurgeReport:
    """How many rows each step removed (or would remove, on a dry run)."""

    days: int
    cutoff: dt.datetime  # naive UTC: older than this goes
    dry_run: bool = False
    conversations: int = 0  # conversations (sender ids) whose events were deleted
    events: int = 0  # their tracker events
    unanswered: int = 0
    assessments: int = 0  # saved assessments reduced to anonymous summaries
    wechat_choices: int = 0
    wechat_messages: int = 0
    audit_days: int = DEFAULT_AUDIT_RETENTION_DAYS
    audit: int = 0  # staff audit log rows older than ``audit_days``
    audit_masked: int = 0  # audit log rows that still held a number in clear (masked now)

    def counts(self) -> Dict[str, int]:
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.type in ("int", int) and f.name not in ("days", "audit_days")
        }

    def lines(self) -> List[str]:
        """The report an operator reads (Simplified Chinese)."""
        verb = "将删除" if self.dry_run else "已删除"
        head = f"保留期 {self.days} 天：{self.cutoff:%Y-%m-%d %H:%M} (UTC) 之前的数据" + (
            "（试运行，未删除任何数据）" if self.dry_run else ""
        )
        return [
            head,
            f"  对话：{verb} {self.conversations} 个对话的 {self.events} 条记录",
            f"  未答问题收件箱：{verb} {self.unanswered} 条",
            f"  评估记录：{'将' if self.dry_run else '已'}把 {self.assessments} 条转为匿名统计（删除评估编号、事实和发送者）",
            f"  微信：{verb} {self.wechat_choices} 条编号选项、{self.wechat_messages} 条消息去重记录",
            f"  员工操作日志（保留 {self.audit_days} 天）：{verb} {self.audit} 条，"
            f"{'将' if self.dry_run else '已'}为 {self.audit_masked} 条补做号码脱敏",
        ]

    def line(self) -> str:
        """One line per run, for the scheduled loop's log (Simplified Chinese)."""
        verb = "将删除" if self.dry_run else "已删除"
        return (
            f"保留期 {self.days} 天（{self.cutoff:%Y-%m-%d %H:%M} UTC 之前）：{verb}对话 {self.conversations} 个"
            f"（{self.events} 条记录）、未答问题 {self.unanswered} 条、微信编号选项 {self.wechat_choices} 条、"
            f"消息去重记录 {self.wechat_messages} 条；评估转为匿名统计 {self.assessments} 条；"
            f"员工操作日志（保留 {self.audit_days} 天）{verb} {self.audit} 条、补做脱敏 {self.audit_masked} 条"
            + ("（试运行）" if self.dry_run else "")
        )


def deciding_conditions(result: Dict[str, Any]) -> List[str]:
    """The condition ids that decided a saved verdict (``policies.eligibility.explain.as_record``):
    not eligible — the exclusions that apply, else the route conditions not met; eligible — the
    conditions of the route that was met; undetermined — the conditions still unknown."""
    conditions = [c for c in result.get("conditions") or [] if isinstance(c, dict) and c.get("id")]

    def ids(keep: Callable[[Dict[str, Any]], bool]) -> List[str]:
        return list(dict.fromkeys(c["id"] for c in conditions if keep(c)))

    verdict, route = result.get("verdict"), result.get("route")
    if verdict == "not_eligible":
        return ids(lambda c: c.get("route") is None and c.get("status") == "met") or ids(
            lambda c: c.get("route") is not None and c.get("status") == "not_met"
        )
    if verdict in ("eligible", "eligible_special"):
        return ids(lambda c: route is not None and c.get("route") == route and c.get("status") == "met")
    return ids(lambda c: c.get("status") == "unknown")


def _epoch(moment: dt.datetime) -> float:
    return moment.replace(tzinfo=dt.timezone.utc).timestamp()


def purge_conversations(engine: sa.engine.Engine, cutoff: dt.datetime, dry_run: bool, report: PurgeReport) -> None:
    """Rasa's ``events``: every event of the conversations whose last event is older than
    ``cutoff`` (Rasa stores unix timestamps)."""
    if not sa.inspect(engine).has_table("events"):
        return
    from bot.storage.tables import RASA_EVENTS as events

    stale = (
        sa.select(events.c.sender_id)
        .group_by(events.c.sender_id)
        .having(sa.func.max(events.c.timestamp) < _epoch(cutoff))
    )
    with engine.begin() as conn:
        senders = conn.execute(sa.select(sa.func.count()).select_from(stale.subquery())).scalar_one()
        count = conn.execute(
            sa.select(sa.func.count()).select_from(events).where(events.c.sender_id.in_(stale.scalar_subquery()))
        ).scalar_one()
        if not dry_run:
            # the subquery is materialised first: a conversation that gets a new event meanwhile
            # is no longer stale and is kept
            count = conn.execute(sa.delete(events).where(events.c.sender_id.in_(stale.scalar_subquery()))).rowcount
        report.conversations, report.events = int(senders), int(count)


def summarise_assessments(session_conn: sa.engine.Connection, cutoff: dt.datetime, dry_run: bool) -> int:
    """Replace each saved assessment older than ``cutoff`` by an anonymous summary row."""
    from bot.storage.tables import AssessmentRow, AssessmentSummaryRow

    old = AssessmentRow.created_at < cutoff
    if dry_run:
        return int(session_conn.execute(sa.select(sa.func.count(AssessmentRow.id)).where(old)).scalar_one())
    done = 0
    while True:
        rows = session_conn.execute(
            sa.select(
                AssessmentRow.id,
                AssessmentRow.notice_id,
                AssessmentRow.level,
                AssessmentRow.verdict,
                AssessmentRow.channel,
                AssessmentRow.created_at,
                AssessmentRow.result,
                AssessmentRow.questions,
            )
            .where(old)
            .order_by(AssessmentRow.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return done
        summaries = []
        for row in rows:
            try:
                result = json.loads(row.result or "{}")
            except ValueError:
                result = {}
            summaries.append(
                dict(
                    notice_id=row.notice_id,
                    level=row.level,
                    verdict=row.verdict,
                    channel=row.channel,
                    day=row.created_at.date(),
                    questions=row.questions,
                    deciding=json.dumps(
                        deciding_conditions(result) if isinstance(result, dict) else [], ensure_ascii=False
                    ),
                )
            )
        session_conn.execute(sa.insert(AssessmentSummaryRow), summaries)
        session_conn.execute(sa.delete(AssessmentRow).where(AssessmentRow.id.in_([r.id for r in rows])))
        done += len(rows)


def mask_audit(conn: sa.engine.Connection, kept_from: dt.datetime, dry_run: bool) -> int:
    """Mask the mobile and ID numbers left in clear in the audit log rows kept (from ``kept_from``)
    that were written before the audit log masked what it stores; the number of rows that needed it."""
    from bot.storage.privacy import mask_personal
    from bot.storage.tables import AuditEntry

    columns = (AuditEntry.actor, AuditEntry.target, AuditEntry.detail)
    changed = 0
    last = 0
    while True:  # in batches by id: the log can be long
        rows = conn.execute(
            sa.select(AuditEntry.id, *columns)
            .where(AuditEntry.id > last, AuditEntry.at >= kept_from)
            .order_by(AuditEntry.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return changed
        for row in rows:
            values = {c.key: getattr(row, c.key) for c in columns}
            masked = {k: mask_personal(v) if isinstance(v, str) else v for k, v in values.items()}
            if masked != values:
                changed += 1
                if not dry_run:
                    conn.execute(sa.update(AuditEntry).where(AuditEntry.id == row.id).values(**masked))
        last = rows[-1].id


def purge_project(
    engine: sa.engine.Engine,
    cutoff: dt.datetime,
    now: dt.datetime,
    dry_run: bool,
    report: PurgeReport,
) -> None:
    """The project's own tables, in one transaction."""
    from bot.storage.tables import DEDUPE_KEEP_SECONDS, AuditEntry, ChoiceRow, MessageRow, UnansweredRow

    dedupe_cutoff = now - dt.timedelta(seconds=DEDUPE_KEEP_SECONDS)
    audit_cutoff = now - dt.timedelta(days=report.audit_days)
    steps = [
        ("unanswered", UnansweredRow, UnansweredRow.created_at < cutoff),
        ("wechat_choices", ChoiceRow, ChoiceRow.updated_at < cutoff),
        ("wechat_messages", MessageRow, MessageRow.created_at < dedupe_cutoff),
        ("audit", AuditEntry, AuditEntry.at < audit_cutoff),
    ]
    with engine.begin() as conn:
        report.assessments = summarise_assessments(conn, cutoff, dry_run)
        for name, model, condition in steps:
            if dry_run:
                count = conn.execute(sa.select(sa.func.count()).select_from(model).where(condition)).scalar_one()
            else:
                count = conn.execute(sa.delete(model).where(condition)).rowcount
            setattr(report, name, int(count))
        report.audit_masked = mask_audit(conn, audit_cutoff, dry_run)


def purge(
    database_url: str,
    tracker_store_url: str,
    days: int,
    now: Optional[dt.datetime] = None,
    dry_run: bool = False,
    audit_days: int = DEFAULT_AUDIT_RETENTION_DAYS,
) -> PurgeReport:
    """Remove what is older than ``days`` (the audit log: ``audit_days``; see the module
    docstring); ``now`` is naive UTC."""
    from bot.storage.db import engine_for
    from bot.storage.migrate import ensure_schema

    if days < 1 or audit_days < 1:
        raise ValueError("the retention must be at least one day")
    now = now or dt.datetime.utcnow()
    report = PurgeReport(days=days, cutoff=now - dt.timedelta(days=days), dry_run=dry_run, audit_days=audit_days)
    project = engine_for(database_url)
    ensure_schema(project)  # the purge is a process of its own (make purge, the CronJob): migrate first
    purge_project(project, report.cutoff, now, dry_run, report)
    purge_conversations(engine_for(tracker_store_url), report.cutoff, dry_run, report)
    return report


def run_every(
    seconds: float,
    once: Callable[[], PurgeReport],
    out: Optional[TextIO] = None,
    err: Optional[TextIO] = None,
) -> int:
    """Call ``once()`` (a purge, returning its report) now and then every ``seconds`` until SIGTERM
    or SIGINT; one line per run on ``out`` (flushed). A run that fails is reported on ``err`` and
    the next one is tried on time. A signal during a run lets it finish (its transactions are
    short), then the loop ends. Returns 0."""
    import signal
    import threading
    import time

    out, err = out or sys.stdout, err or sys.stderr
    stop = threading.Event()

    def handle(signum: int, frame: Optional[FrameType]) -> None:  # noqa: ARG001
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stop.is_set():
            started = time.monotonic()
            stamp = dt.datetime.utcnow().strftime("%Y-%m-%d %H:%M:%S")
            try:
                print(f"{stamp} UTC {once().line()}", file=out, flush=True)
            except Exception as exc:  # noqa: BLE001 — a database down now may be back next time
                print(f"{stamp} UTC 清理失败：{type(exc).__name__}: {exc}", file=err, flush=True)
            stop.wait(max(0.0, seconds - (time.monotonic() - started)))
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    from bot.settings import SettingsError, get_settings

    parser = argparse.ArgumentParser(
        prog="python -m bot.storage.purge",
        description="删除超过保留期的对话、未答问题、评估事实和员工操作日志（docs/retention.md）",
    )
    parser.add_argument("--dry-run", action="store_true", help="只统计将删除的数量，不删除")
    parser.add_argument("--days", type=int, help="保留天数（默认 ZHICHENG_RETENTION_DAYS，180 天）")
    parser.add_argument(
        "--every",
        type=float,
        metavar="SECONDS",
        help="启动时清理一次，之后每隔 SECONDS 秒清理一次，直到收到 SIGTERM 或 SIGINT（每次输出一行）",
    )
    args = parser.parse_args(argv)
    try:
        settings = get_settings().retention
    except SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    days = settings.days if args.days is None else args.days
    if days < 1:
        print("保留天数至少为 1 天。", file=sys.stderr)
        return 2
    if args.every is not None:
        if not args.every > 0:
            print("--every 的间隔必须大于 0 秒。", file=sys.stderr)
            return 2
        return run_every(
            args.every,
            lambda: purge(
                settings.database_url,
                settings.tracker_store_url,
                days,
                dry_run=args.dry_run,
                audit_days=settings.audit_days,
            ),
        )
    report = purge(
        settings.database_url, settings.tracker_store_url, days, dry_run=args.dry_run, audit_days=settings.audit_days
    )
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

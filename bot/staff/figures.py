"""The dashboard's figures, computed from what the assistant already stores — aggregates only.

Read-only, through SQLAlchemy Core, on SQLite and PostgreSQL alike:

- Rasa's tracker store (``events`` of ``TRACKER_STORE_URL``): conversations and messages per day
  and channel (a user event's ``input_channel``), the answer rate, the topics asked (a user event's
  intent → ``policies.qa.INTENT_TOPICS``), hand-offs and reply times;
  and the notice items (clauses) the answers cite (a bot event's metadata ``answer``, written by
  ``actions/notice_answer.py``);
- the project database: the inbox (``unanswered``, text already masked) grouped by similarity,
  saved assessments (``assessments``) and their anonymous summaries (``assessment_summaries``),
  with the questions each took; feedback on answers (``answer_feedback``); and the hourly count of
  WeChat answers sent late through the customer-service API (``wechat_late_answers``).

A user message counts as **answered** unless its turn (the actions the assistant ran before the
next user message) ran ``action_human_handoff`` or ``action_default_fallback``, or ran
``action_scope_help`` without that action setting ``last_question`` (it sets it only when a notice
item answered after all; otherwise it replied "抱歉，这个问题我还回答不了" and wrote the inbox row).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field
from typing import Any, Dict, Hashable, Iterable, Iterator, List, Mapping, Optional, Sequence, Set, Tuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa

# ANSWER_KEY: a bot event's metadata key with the answer's notice, topic and clauses; an inbox row
# whose reason is NOT_HELPFUL_REASON was answered (a 没帮助): it counts in the feedback figures
from bot.staff.grouping import SIMILARITY, Grouping, GroupingStats, UnansweredGroup
from bot.staff.params import FIRST_DAY, LAST_DAY, in_range
from bot.storage.feedback import ANSWER_KEY, NOT_HELPFUL_REASON
from bot.storage.tables import (
    RASA_EVENTS,
    AssessmentRow,
    AssessmentSummaryRow,
    FeedbackRow,
    LateAnswerRow,
    UnansweredRow,
)

CHANNELS: Dict[str, str] = {"wechat": "微信公众号", "webchat": "网页聊天", "rest": "REST 接口"}
OTHER_CHANNEL = "other"
CHANNEL_NAMES: Dict[str, str] = {**CHANNELS, OTHER_CHANNEL: "其他", "staff": "热线代为评估"}
HANDOFF_ACTION = "action_human_handoff"
FALLBACK_ACTIONS = ("action_default_fallback",)
SCOPE_ACTION = "action_scope_help"
ANSWERED_SLOT = "last_question"  # set by action_scope_help only when a notice item answered
MAX_SPAN_DAYS = 366
UNANSWERED_LIMIT = 200_000  # inbox rows grouped per period (the newest); grouping is near-linear
TOP_GROUPS = 15

# The tables read here, as declared once in bot.storage.tables (read-only here).
EVENTS = RASA_EVENTS
UNANSWERED = UnansweredRow.__table__
ASSESSMENTS = AssessmentRow.__table__
SUMMARIES = AssessmentSummaryRow.__table__
FEEDBACK = FeedbackRow.__table__
LATE_ANSWERS = LateAnswerRow.__table__
TOP_CLAUSES = 20


class PeriodError(ValueError):
    """A period the page cannot show, worded for staff (Chinese)."""


@dataclass(frozen=True)
class Period:
    """Whole local days ``start`` … ``end`` (inclusive) in ``zone``, and a channel ("" = all)."""

    start: dt.date
    end: dt.date
    channel: str = ""
    zone: str = "Asia/Shanghai"

    @classmethod
    def parse(cls, query: Mapping[str, str], today: dt.date, zone: str) -> Period:
        """From the page's ``from``, ``to`` and ``channel``; the last 30 days by default."""

        def day(name: str, default: dt.date) -> dt.date:
            raw = (query.get(name) or "").strip()
            if not raw:
                return default
            try:
                found = dt.date.fromisoformat(raw[:10])
            except ValueError:
                raise PeriodError("日期格式应为 年-月-日，例如 2024-10-01。") from None
            if not in_range(found):
                raise PeriodError(f"日期应在 {FIRST_DAY} 至 {LAST_DAY} 之间。")
            return found

        end = day("to", today)
        start = day("from", end - dt.timedelta(days=29))
        if start > end:
            raise PeriodError("开始日期不能晚于结束日期。")
        if (end - start).days + 1 > MAX_SPAN_DAYS:
            raise PeriodError(f"统计区间最长 {MAX_SPAN_DAYS} 天。")
        channel = (query.get("channel") or "").strip()
        if channel and channel not in CHANNELS:
            raise PeriodError("渠道只能是全部、微信公众号、网页聊天或 REST 接口。")
        return cls(start, end, channel, zone)

    @property
    def days(self) -> List[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def bounds_utc(self) -> Tuple[dt.datetime, dt.datetime]:
        """Naive UTC datetimes [first moment, moment after the last day)."""
        tz = ZoneInfo(self.zone)
        lo = dt.datetime.combine(self.start, dt.time(), tz).astimezone(dt.timezone.utc).replace(tzinfo=None)
        hi = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tz).astimezone(dt.timezone.utc)
        return lo, hi.replace(tzinfo=None)

    def local_day(self, moment_utc: dt.datetime) -> dt.date:
        return moment_utc.replace(tzinfo=dt.timezone.utc).astimezone(ZoneInfo(self.zone)).date()

    @property
    def channels(self) -> List[str]:
        """The channel columns shown: the one chosen, or every channel and 其他."""
        return [self.channel] if self.channel else [*CHANNELS, OTHER_CHANNEL]


@dataclass
class Day:
    day: dt.date
    conversations: Dict[str, int] = field(default_factory=dict)  # channel → conversations with a message
    messages: Dict[str, int] = field(default_factory=dict)  # channel → user messages
    answered: int = 0
    handoffs: int = 0

    @property
    def total_messages(self) -> int:
        return sum(self.messages.values())

    @property
    def answer_rate(self) -> Optional[float]:
        return self.answered / self.total_messages if self.total_messages else None


@dataclass
class Clause:
    notice_id: str
    clause: str
    count: int


@dataclass
class Rating:
    """Feedback on answers about one topic or one clause."""

    helpful: int = 0
    unhelpful: int = 0

    @property
    def total(self) -> int:
        return self.helpful + self.unhelpful

    @property
    def share(self) -> Optional[float]:
        return self.helpful / self.total if self.total else None


@dataclass
class Feedback:
    by_topic: Dict[Optional[str], Rating] = field(default_factory=dict)  # topic code (None: none) → rating
    by_clause: Dict[Tuple[str, str], Rating] = field(default_factory=dict)  # (notice id, clause) → rating
    total: Rating = field(default_factory=Rating)


@dataclass
class Traffic:
    """What the tracker store says about the period."""

    days: List[Day]
    conversations: int = 0  # distinct conversations with a user message in the period
    messages: int = 0
    answered: int = 0
    handoffs: int = 0
    fallbacks: int = 0  # turns that ended in the scope / fallback reply
    topics: Counter[str] = field(default_factory=Counter)  # topic code → user messages
    reply_seconds: List[float] = field(default_factory=list)
    clauses: Counter[Tuple[str, str]] = field(default_factory=Counter)  # (notice id, clause) → answers citing it
    answers: int = 0  # answers carrying their notice items (metadata ``answer``)

    @property
    def answer_rate(self) -> Optional[float]:
        return self.answered / self.messages if self.messages else None


@dataclass
class VerdictCount:
    notice_id: str
    level: str
    verdict: str
    count: int


@dataclass
class Decider:
    notice_id: str
    level: str
    condition_id: str
    count: int  # "not eligible" verdicts this condition decided
    of: int  # "not eligible" verdicts for this notice and level


@dataclass
class Figures:
    period: Period
    traffic: Traffic
    unanswered_total: int
    unanswered_groups: List[UnansweredGroup]
    verdicts: List[VerdictCount]
    deciders: List[Decider]
    wechat_late: Optional[int]  # None: not counted (another channel chosen, or no table)
    questions: Dict[Tuple[str, str], List[int]] = field(default_factory=dict)  # (notice, level) → counts
    feedback: Feedback = field(default_factory=Feedback)
    tracker_available: bool = True

    @property
    def all_questions(self) -> List[int]:
        return [n for counts in self.questions.values() for n in counts]

    @property
    def top_clauses(self) -> List[Clause]:
        ranked = sorted(self.traffic.clauses.items(), key=lambda kv: (-kv[1], kv[0]))
        return [Clause(n, c, k) for (n, c), k in ranked[:TOP_CLAUSES]]


# --- the tracker store ------------------------------------------------------------------------


def _json(text: Optional[str]) -> Dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


@dataclass
class _Turn:
    sender: str
    at: float
    channel: str
    intent: Optional[str]
    actions: List[str] = field(default_factory=list)
    answered_slot: bool = False
    reply_at: Optional[float] = None
    answers: List[Dict[str, Any]] = field(default_factory=list)  # metadata ``answer`` of the replies

    @property
    def handoff(self) -> bool:
        return HANDOFF_ACTION in self.actions

    @property
    def fallback(self) -> bool:
        return any(a in FALLBACK_ACTIONS for a in self.actions) or (
            SCOPE_ACTION in self.actions and not self.answered_slot
        )

    @property
    def answered(self) -> bool:
        return not self.handoff and not self.fallback


def turns(rows: Iterable[Sequence[Any]]) -> Iterator[_Turn]:
    """Each user message with what followed it, from events ordered by sender and id:
    (sender_id, type_name, timestamp, intent_name, action_name, data)."""
    turn: Optional[_Turn] = None
    for sender, type_name, ts, intent, action, data in rows:
        if turn is not None and sender != turn.sender:
            yield turn
            turn = None
        if type_name == "user":
            if turn is not None:
                yield turn
            parsed = _json(data)
            channel = parsed.get("input_channel") or ""
            turn = _Turn(
                sender,
                float(ts or 0.0),
                channel if channel in CHANNELS else OTHER_CHANNEL,
                intent or ((parsed.get("parse_data") or {}).get("intent") or {}).get("name"),
            )
        elif turn is None:
            continue
        elif type_name == "action" and action:
            turn.actions.append(action)
        elif type_name == "bot":
            if turn.reply_at is None and ts:
                turn.reply_at = float(ts)
            answer = (_json(data).get("metadata") or {}).get(ANSWER_KEY) if data else None
            if isinstance(answer, dict):
                turn.answers.append(answer)
        elif type_name == "slot" and _json(data).get("name") == ANSWERED_SLOT:
            turn.answered_slot = True
    if turn is not None:
        yield turn


def _epoch(moment: dt.datetime) -> float:
    return moment.replace(tzinfo=dt.timezone.utc).timestamp()


def read_traffic(engine: sa.engine.Engine, period: Period, intent_topics: Mapping[str, str]) -> Traffic:
    """Reads the period's user, bot, action and slot events (data only for user and slot events and
    for bot events that carry an answer's metadata), streamed; keeps counts, never texts or sender ids."""
    lo, hi = period.bounds_utc()
    e = EVENTS
    data = sa.case(
        (e.c.type_name.in_(("user", "slot")), e.c.data),
        (sa.and_(e.c.type_name == "bot", e.c.data.contains(f'"{ANSWER_KEY}"')), e.c.data),
        else_=sa.null(),
    )
    query = (
        sa.select(e.c.sender_id, e.c.type_name, e.c.timestamp, e.c.intent_name, e.c.action_name, data)
        .where(
            e.c.timestamp >= _epoch(lo),
            e.c.timestamp < _epoch(hi) + 3600,  # a late reply
            e.c.type_name.in_(("user", "bot", "action", "slot")),
        )
        .order_by(e.c.sender_id, e.c.id)
    )
    days = {d: Day(d, {c: 0 for c in period.channels}, {c: 0 for c in period.channels}) for d in period.days}
    traffic = Traffic(days=list(days.values()))
    seen: Dict[dt.date, Set[Tuple[str, str]]] = defaultdict(set)
    everyone: Set[str] = set()
    lo_ts, hi_ts = _epoch(lo), _epoch(hi)
    with engine.connect() as conn:
        rows = conn.execution_options(stream_results=True).execute(query)
        for turn in turns(rows):
            if not lo_ts <= turn.at < hi_ts or (period.channel and turn.channel != period.channel):
                continue
            day = days[period.local_day(dt.datetime.utcfromtimestamp(turn.at))]
            day.messages[turn.channel] += 1
            if (turn.sender, turn.channel) not in seen[day.day]:
                seen[day.day].add((turn.sender, turn.channel))
                day.conversations[turn.channel] += 1
            everyone.add(turn.sender)
            traffic.messages += 1
            if turn.answered:
                day.answered += 1
                traffic.answered += 1
            if turn.handoff:
                day.handoffs += 1
                traffic.handoffs += 1
            elif turn.fallback:
                traffic.fallbacks += 1
            topic = intent_topics.get(turn.intent or "")
            if topic:
                traffic.topics[topic] += 1
            if turn.reply_at is not None and turn.reply_at >= turn.at:
                traffic.reply_seconds.append(turn.reply_at - turn.at)
            for answer in turn.answers:
                traffic.answers += 1
                for cited in dict.fromkeys(_clauses(answer)):
                    traffic.clauses[cited] += 1
    traffic.conversations = len(everyone)
    return traffic


def percentile(values: Sequence[float], q: float) -> Optional[float]:
    """The q-th percentile (0–100), linear between closest ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# --- the inbox, grouped -----------------------------------------------------------------------


class InboxGroups:
    """The whole inbox (not 没帮助), grouped once and kept; a period (and channel) is answered by
    counting the groups of its rows. Rows are grouped oldest first (by id, the order they were
    written), so new rows come last: when the inbox only grew since the last view — the count of rows
    up to the largest id seen then is unchanged and that row still holds the same text — only the
    rows after it are read and added to the saved pass (:class:`bot.staff.grouping.Grouping`).
    Nothing new (same count, same largest id): nothing is read. Rows deleted (the purge): only the
    ids are read, the deleted rows are dropped from the kept ones and the groups stay as they were
    made. A full pass over every row only when nothing is kept yet (the app does it in the
    background as it starts), when the newest row's id was given to another text, or above
    :data:`UNANSWERED_LIMIT` rows. A view of any period or channel is then a count over the rows kept
    in memory (their time, channel and group): no grouping per period, so a period nobody viewed
    before costs what a repeated view costs. A group's size and representative (its most frequent
    text, the first seen of equally frequent ones) are those of the period's rows; which texts are
    one group is decided over the whole inbox. One lock: a second view arriving while the first
    groups waits for it and then finds the groups up to date."""

    def __init__(self, size: int = 4) -> None:
        self.size = size  # databases kept (one in service; the tests make several)
        self._lock = threading.Lock()
        self._saved: OrderedDict[Hashable, _Saved] = OrderedDict()
        self.full = 0  # full passes (for the tests)
        self.incremental = 0  # views that added new rows only
        self.reused = 0  # views that found nothing new
        self.dropped = 0  # views that dropped deleted rows from the kept ones
        self.stats = GroupingStats()  # the work of the last pass or step

    def clear(self) -> None:
        with self._lock:
            self._saved.clear()

    def read(
        self, conn: sa.engine.Connection, key: Hashable, lo: dt.datetime, hi: dt.datetime, channel: str
    ) -> Tuple[int, List[UnansweredGroup]]:
        with self._lock:
            saved = self._current(conn, key)
            self._saved.move_to_end(key)
            return saved.view(lo, hi, channel)

    def _current(self, conn: sa.engine.Connection, key: Hashable) -> _Saved:
        u = UNANSWERED
        where = [u.c.reason != NOT_HELPFUL_REASON]
        total, last = conn.execute(sa.select(sa.func.count(), sa.func.max(u.c.id)).where(*where)).one()
        total = int(total)
        columns = (u.c.id, u.c.text, u.c.created_at, u.c.channel)
        saved = self._saved.get(key)
        if saved is not None and total <= UNANSWERED_LIMIT:
            if not self._unchanged_up_to(conn, saved, where):
                # rows deleted (the purge): drop them from the kept rows — their ids are all that is
                # read — and keep the grouping; unless the newest row's id was given to another text
                alive = {i for (i,) in conn.execute(sa.select(u.c.id).where(*where, u.c.id <= saved.last_id))}
                if not saved.drop_missing(alive) or not self._unchanged_up_to(conn, saved, where):
                    saved = None
                else:
                    self.dropped += 1
        if saved is not None and total <= UNANSWERED_LIMIT:
            if (last or 0) == saved.last_id and total == saved.count:
                self.reused += 1
                return saved
            added = conn.execute(sa.select(*columns).where(*where, u.c.id > saved.last_id).order_by(u.c.id)).all()
            if saved.count + len(added) == total:
                self.stats = GroupingStats()
                saved.add(added, self.stats)
                self.incremental += 1
                return saved
        rows = conn.execute(sa.select(*columns).where(*where).order_by(u.c.id.desc()).limit(UNANSWERED_LIMIT)).all()
        rows.reverse()  # oldest first
        saved = _Saved(Grouping(SIMILARITY))
        self.stats = GroupingStats()
        saved.add(rows, self.stats)
        self.full += 1
        self._saved[key] = saved
        while len(self._saved) > self.size:
            self._saved.popitem(last=False)
        return saved

    @staticmethod
    def _unchanged_up_to(conn: sa.engine.Connection, saved: _Saved, where: Sequence[Any]) -> bool:
        """The rows seen then are all still there: as many up to the largest id, the same text in it
        (ids of deleted rows can be given again)."""
        u = UNANSWERED
        if saved.count == 0:
            return True
        count = conn.execute(sa.select(sa.func.count()).where(*where, u.c.id <= saved.last_id)).scalar_one()
        if int(count) != saved.count:
            return False
        text = conn.execute(sa.select(u.c.text).where(*where, u.c.id == saved.last_id)).scalar()
        return bool(text == saved.last_text)


class _Saved:
    """One database's inbox, grouped: for each row (oldest first) its time, channel, text and group."""

    def __init__(self, grouping: Grouping) -> None:
        self.grouping = grouping
        self.count = 0  # rows grouped
        self.last_id = 0  # the largest id among them
        self.last_text = ""  # its text
        self._id: List[int] = []
        self._at: List[int] = []  # created_at, microseconds since the epoch (UTC)
        self._channel: List[int] = []  # a number per channel (self._channels)
        self._text: List[int] = []  # the grouping's text id
        self._group: List[int] = []
        self._channels: Dict[str, int] = {}
        self._arrays: Optional[Tuple[Any, Any, Any, Any]] = None

    def add(self, rows: Sequence[Any], stats: GroupingStats) -> None:
        if not rows:
            return
        self.grouping.add([r[1] for r in rows], stats)
        text_ids, groups = self.grouping.placed([r[1] for r in rows])
        epoch = dt.datetime(1970, 1, 1)
        for (row_id, _, at, channel), tid, gid in zip(rows, text_ids, groups):
            self._id.append(row_id)
            self._at.append((at - epoch) // dt.timedelta(microseconds=1))
            self._channel.append(self._channels.setdefault(channel or "", len(self._channels)))
            self._text.append(tid)
            self._group.append(gid)
        self.count += len(rows)
        self.last_id, self.last_text = rows[-1][0], rows[-1][1]
        self._arrays = None

    def drop_missing(self, alive: Set[int]) -> bool:
        """Forget the kept rows whose ids are not in ``alive`` (deleted); the groups stay as they
        were made. False when nothing is left to compare against (then group from scratch)."""
        keep = [k for k, row_id in enumerate(self._id) if row_id in alive]
        if not keep:
            return False
        self._id = [self._id[k] for k in keep]
        self._at = [self._at[k] for k in keep]
        self._channel = [self._channel[k] for k in keep]
        self._text = [self._text[k] for k in keep]
        self._group = [self._group[k] for k in keep]
        self.count = len(keep)
        self.last_id = self._id[-1]
        self.last_text = self.grouping.texts_by_id()[self._text[-1]]
        self._arrays = None
        return True

    def view(self, lo: dt.datetime, hi: dt.datetime, channel: str) -> Tuple[int, List[UnansweredGroup]]:
        """The rows of [lo, hi) (and ``channel``): how many, and their groups, biggest first (equal
        sizes in the order the groups were made), each with its most frequent text in the period."""
        import numpy as np

        if self._arrays is None:
            self._arrays = (
                np.array(self._at, dtype=np.int64),
                np.array(self._channel, dtype=np.int64),
                np.array(self._text, dtype=np.int64),
                np.array(self._group, dtype=np.int64),
            )
        at, chan, text, group = self._arrays
        epoch = dt.datetime(1970, 1, 1)
        mask = (at >= (lo - epoch) // dt.timedelta(microseconds=1)) & (
            at < (hi - epoch) // dt.timedelta(microseconds=1)
        )
        if channel:
            code = self._channels.get(channel)
            mask &= chan == (-1 if code is None else code)
        gids, tids = group[mask], text[mask]
        if not len(gids):
            return 0, []
        texts = self.grouping.texts_by_id()
        span = int(tids.max()) + 1
        pairs, counts = np.unique(gids * span + tids, return_counts=True)
        pair_gid, pair_tid = np.divmod(pairs, span)
        # per group: the most frequent text, the first seen (smallest id) of equally frequent ones
        order = np.lexsort((pair_tid, -counts, pair_gid))
        first = np.ones(len(order), dtype=bool)
        first[1:] = pair_gid[order][1:] != pair_gid[order][:-1]
        best_gid, best_tid = pair_gid[order][first], pair_tid[order][first]
        sizes = np.bincount(gids)[best_gid]
        ranked = np.lexsort((best_gid, -sizes))
        return int(mask.sum()), [UnansweredGroup(int(sizes[i]), texts[int(best_tid[i])]) for i in ranked.tolist()]


# One for the process: the page and its CSV, and every period, read the same grouping, and later
# views add only the new rows.
INBOX_GROUPS = InboxGroups()


def read_unanswered(engine: sa.engine.Engine, period: Period) -> Tuple[int, List[UnansweredGroup]]:
    """The period's inbox rows (not 没帮助) and their groups, biggest first."""
    lo, hi = period.bounds_utc()
    with engine.connect() as conn:
        return INBOX_GROUPS.read(conn, (str(engine.url), SIMILARITY), lo, hi, period.channel)


# --- assessments ------------------------------------------------------------------------------


def read_assessments(engine: sa.engine.Engine, period: Period) -> Tuple[List[VerdictCount], List[Decider]]:
    """Saved assessments and the summaries of purged ones, by notice, level and verdict; for each
    notice and level, how often each condition decided "not eligible"."""
    from bot.storage.purge import deciding_conditions

    lo, hi = period.bounds_utc()
    a, s = ASSESSMENTS, SUMMARIES
    a_where = [a.c.created_at >= lo, a.c.created_at < hi]
    s_where = [s.c.day >= period.start, s.c.day <= period.end]
    if period.channel:
        a_where.append(a.c.channel == period.channel)
        s_where.append(s.c.channel == period.channel)
    counts: Counter[Tuple[str, str, str]] = Counter()
    deciding: Dict[Tuple[str, str], Counter[str]] = defaultdict(Counter)
    with engine.connect() as conn:
        for notice_id, level, verdict, n in conn.execute(
            sa.select(a.c.notice_id, a.c.level, a.c.verdict, sa.func.count())
            .where(*a_where)
            .group_by(a.c.notice_id, a.c.level, a.c.verdict)
        ):
            counts[(notice_id, level, verdict)] += int(n)
        for notice_id, level, verdict, n in conn.execute(
            sa.select(s.c.notice_id, s.c.level, s.c.verdict, sa.func.count())
            .where(*s_where)
            .group_by(s.c.notice_id, s.c.level, s.c.verdict)
        ):
            counts[(notice_id, level, verdict)] += int(n)
        rows = conn.execution_options(stream_results=True).execute(
            sa.select(a.c.notice_id, a.c.level, a.c.result).where(*a_where, a.c.verdict == "not_eligible")
        )
        for notice_id, level, result in rows:
            for cid in deciding_conditions(_json(result)):
                deciding[(notice_id, level)][cid] += 1
        for notice_id, level, ids in conn.execute(
            sa.select(s.c.notice_id, s.c.level, s.c.deciding).where(*s_where, s.c.verdict == "not_eligible")
        ):
            try:
                listed = json.loads(ids or "[]")
            except ValueError:
                listed = []
            for cid in dict.fromkeys(str(i) for i in listed if i):
                deciding[(notice_id, level)][cid] += 1
    verdicts = [VerdictCount(n, lv, v, c) for (n, lv, v), c in sorted(counts.items())]
    not_eligible = {(v.notice_id, v.level): v.count for v in verdicts if v.verdict == "not_eligible"}
    deciders = [
        Decider(n, lv, cid, c, not_eligible.get((n, lv), 0))
        for (n, lv), counter in sorted(deciding.items())
        for cid, c in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return verdicts, deciders


def _clauses(answer: Mapping[str, Any]) -> List[Tuple[str, str]]:
    """(notice id, clause) of each notice item an answer or a feedback row cites."""
    out = []
    for c in answer.get("clauses") or []:
        if isinstance(c, dict) and c.get("notice") and c.get("clause"):
            out.append((str(c["notice"]), str(c["clause"])))
    return out


def read_questions(engine: sa.engine.Engine, period: Period) -> Dict[Tuple[str, str], List[int]]:
    """The questions each assessment of the period took (saved ones and summaries of purged ones;
    those saved before the count was recorded, or by the staff page, have none)."""
    lo, hi = period.bounds_utc()
    a, s = ASSESSMENTS, SUMMARIES
    a_where = [a.c.created_at >= lo, a.c.created_at < hi, a.c.questions.is_not(None)]
    s_where = [s.c.day >= period.start, s.c.day <= period.end, s.c.questions.is_not(None)]
    if period.channel:
        a_where.append(a.c.channel == period.channel)
        s_where.append(s.c.channel == period.channel)
    out: Dict[Tuple[str, str], List[int]] = defaultdict(list)
    with engine.connect() as conn:
        for table, where in ((a, a_where), (s, s_where)):
            for notice_id, level, n in conn.execute(
                sa.select(table.c.notice_id, table.c.level, table.c.questions).where(*where)
            ):
                out[(notice_id, level)].append(int(n))
    return dict(sorted(out.items()))


def read_feedback(engine: sa.engine.Engine, period: Period) -> Feedback:
    """有帮助 / 没帮助 per topic and per clause of the answers rated in the period."""
    lo, hi = period.bounds_utc()
    f = FEEDBACK
    where = [f.c.created_at >= lo, f.c.created_at < hi]
    if period.channel:
        where.append(f.c.channel == period.channel)
    out = Feedback()
    with engine.connect() as conn:
        rows = conn.execution_options(stream_results=True).execute(
            sa.select(f.c.helpful, f.c.topic, f.c.clauses).where(*where)
        )
        for helpful, topic, clauses in rows:
            try:
                listed = json.loads(clauses or "[]")
            except ValueError:
                listed = []
            targets = [out.total, out.by_topic.setdefault(topic or None, Rating())]
            targets += [
                out.by_clause.setdefault(c, Rating())
                for c in dict.fromkeys(_clauses({"clauses": listed if isinstance(listed, list) else []}))
            ]
            for rating in targets:
                if helpful:
                    rating.helpful += 1
                else:
                    rating.unhelpful += 1
    return out


def read_wechat_late(engine: sa.engine.Engine, period: Period) -> Optional[int]:
    """WeChat answers sent late through the customer-service API in the period (the channel counts
    them per UTC hour, ``wechat_late_answers``; whole-hour time zones make the local days exact);
    None when the table is not there."""
    lo, hi = period.bounds_utc()
    t = LATE_ANSWERS
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    sa.select(sa.func.coalesce(sa.func.sum(t.c.answers), 0)).where(t.c.hour >= lo, t.c.hour < hi)
                ).scalar_one()
            )
    except sa.exc.SQLAlchemyError:
        return None


def compute(
    tracker: sa.engine.Engine, project: sa.engine.Engine, period: Period, intent_topics: Mapping[str, str]
) -> Figures:
    """Every figure of the dashboard for ``period``. A missing tracker store gives empty traffic."""
    try:
        traffic = read_traffic(tracker, period, intent_topics)
        available = True
    except sa.exc.SQLAlchemyError:
        traffic = Traffic(
            days=[Day(d, {c: 0 for c in period.channels}, {c: 0 for c in period.channels}) for d in period.days]
        )
        available = False
    total, groups = read_unanswered(project, period)
    verdicts, deciders = read_assessments(project, period)
    late = read_wechat_late(project, period) if period.channel in ("", "wechat") else None
    return Figures(
        period,
        traffic,
        total,
        groups[:TOP_GROUPS],
        verdicts,
        deciders,
        late,
        read_questions(project, period),
        read_feedback(project, period),
        available,
    )

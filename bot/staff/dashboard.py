"""The dashboard (``/dashboard``) for admins and supervisors: what applicants ask and where they get
stuck, over a chosen period and channel, with a CSV and an Excel export of the same tables.

The figures come from :mod:`bot.staff.figures`; here they become tables (caption, column headers,
rows — one source for the page, the CSV and the workbook) and charts (:mod:`bot.staff.charts`).
Aggregates only: the one text shown is the inbox's own masked question, one per similar group;
notice items are named by their notice and clause number.
"""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple

import aiohttp_jinja2
from aiohttp import web

from bot.staff import audit, charts
from bot.staff.access import export, roles
from bot.staff.figures import CHANNEL_NAMES, CHANNELS, Figures, Period, PeriodError, compute, percentile
from bot.staff.inbox import safe_cell
from bot.staff.models import DASHBOARD_ROLES

if TYPE_CHECKING:
    from policies.index import NoticeIndex
    from policies.schema import Notice

NOT_RECORDED = "未记录"


@dataclass
class Table:
    key: str  # sheet name in the workbook (≤ 31 characters)
    caption: str
    columns: List[str]
    rows: List[List[Any]]  # the first cell of a row is its header (th scope="row")
    note: str = ""


@dataclass
class Section:
    title: str
    table: Table
    chart: Optional[str] = None  # data: URI of an SVG
    chart_alt: str = ""
    notes: List[str] = field(default_factory=list)
    stacked: bool = False  # a wide table: below its chart, not beside it


def pct(value: Optional[float]) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def secs(value: Optional[float]) -> str:
    return "—" if value is None else f"{value:.1f} 秒"


def qnum(value: Optional[float]) -> Any:
    """A question count or percentile: a whole number as such, else one decimal; "—" for none."""
    if value is None:
        return "—"
    return int(value) if float(value).is_integer() else round(float(value), 1)


def _notice_name(notices: Optional[NoticeIndex], notice_id: str) -> str:
    notice = notices.get(notice_id) if notices is not None else None
    return f"{notice.region.city.rstrip('市')}{notice.year}" if notice is not None else notice_id  # 长治2022


def _level_name(level: str) -> str:
    from policies.levels import LEVEL_NAMES

    return LEVEL_NAMES.get(level, level)


def _verdict_name(verdict: str) -> str:
    from policies.eligibility.assess import VERDICT_NAMES

    return VERDICT_NAMES.get(verdict, verdict)


def condition_index(notice: Notice) -> Dict[str, Tuple[str, str]]:
    """Condition id → (clause, explanation in the project's words) over the notice's rule trees."""
    out: Dict[str, Tuple[str, str]] = {}
    elig = getattr(notice, "eligibility", None)
    if elig is None:
        return out

    def walk(node: Any) -> None:
        if node is None:
            return
        out.setdefault(node.id, (node.clause, node.explain))
        for child in (node.all or []) + (node.any or []) + (node.of or []):
            walk(child)
        walk(node.not_)

    for node in elig.exclusions:
        walk(node)
    for rules in elig.levels.values():
        for route in rules.routes:
            out.setdefault(route.id, (route.clause, route.explain))
            walk(route.rule)
    return out


def tables(fig: Figures, notices: Optional[NoticeIndex] = None) -> List[Section]:
    """The dashboard's sections, in page order."""
    from policies.answers import ANSWER_TOPICS, RATED_TOPICS

    p, t = fig.period, fig.traffic
    names = [CHANNEL_NAMES[c] for c in p.channels]
    labels = [d.day.isoformat() for d in t.days]
    sections: List[Section] = []
    total_assessments = sum(v.count for v in fig.verdicts)
    not_recorded_store = "" if fig.tracker_available else "（对话库无法读取）"
    late = (
        "—"
        if fig.period.channel not in ("", "wechat")
        else (NOT_RECORDED if fig.wechat_late is None else fig.wechat_late)
    )
    asked = fig.all_questions
    fb = fig.feedback
    summary = Table(
        "概览",
        "统计区间概览",
        ["指标", "数值", "说明"],
        [
            ["对话数", t.conversations, "区间内有用户消息的对话（会话）" + not_recorded_store],
            ["用户消息数", t.messages, "用户发来的消息"],
            ["回答率", pct(t.answer_rate), "没有以“无法回答”或转人工结束的消息所占比例"],
            ["已回答消息", t.answered, ""],
            ["无法回答（兜底回复）", t.fallbacks, "助手回复“这个问题我还回答不了”的消息"],
            ["转人工", t.handoffs, "用户要求人工，助手给出经办部门联系方式"],
            ["回复时间中位数", secs(percentile(t.reply_seconds, 50)), "用户消息到助手第一条回复"],
            ["回复时间 P90", secs(percentile(t.reply_seconds, 90)), "90% 的消息在此时间内得到回复"],
            ["回复时间 P99", secs(percentile(t.reply_seconds, 99)), ""],
            ["未答问题（收件箱）", fig.unanswered_total, "区间内写入未答问题收件箱的消息"],
            ["预评估", total_assessments, "保存的评估（含已转为匿名统计的）"],
            ["微信客服消息补发", late, "未能在 5 秒内被动回复、改由客服消息接口发送的微信回答（只统计微信）"],
            [
                "得出结论所需提问数（中位数 / P90）",
                f"{qnum(percentile(asked, 50))} / {qnum(percentile(asked, 90))}" if asked else "—",
                f"有提问数记录的 {len(asked)} 次评估；地区和级别不计，热线代为评估不记录",
            ],
            ["引用通知条款的回答", t.answers, "回答中引用了通知具体条款的回答数"],
            ["反馈：有帮助", fb.total.helpful, "用户对回答点了“有帮助”"],
            ["反馈：没帮助", fb.total.unhelpful, "用户对回答点了“没帮助”或回复“不对”（同时进入未答问题收件箱）"],
        ],
    )
    sections.append(Section("概览", summary))

    conv = Table(
        "每日对话",
        "每日对话数与消息数（按渠道）",
        ["日期"] + [f"对话·{n}" for n in names] + [f"消息·{n}" for n in names] + ["消息合计"],
        [
            [d.day.isoformat()]
            + [d.conversations[c] for c in p.channels]
            + [d.messages[c] for c in p.channels]
            + [d.total_messages]
            for d in t.days
        ],
    )
    sections.append(
        Section(
            "每日对话与消息",
            conv,
            charts.data_uri(
                charts.stacked_days(
                    "每日用户消息（按渠道）",
                    labels,
                    {CHANNEL_NAMES[c]: [d.messages[c] for d in t.days] for c in p.channels},
                )
            ),
            "堆叠柱状图：每日用户消息数，按渠道分色；数字见下方表格。",
            stacked=len(p.channels) > 1,
        )
    )

    rate = Table(
        "回答率",
        "每日回答率与转人工",
        ["日期", "用户消息", "已回答", "回答率", "转人工"],
        [[d.day.isoformat(), d.total_messages, d.answered, pct(d.answer_rate), d.handoffs] for d in t.days],
    )
    sections.append(
        Section(
            "回答率趋势",
            rate,
            charts.data_uri(charts.rate_line("每日回答率（%）", labels, [d.answer_rate for d in t.days])),
            "折线图：每日回答率；没有消息的日子留空；数字见右侧表格。",
            [
                "回答率 = 没有以“无法回答”（action_scope_help 未找到答案、action_default_fallback）或转人工"
                "（action_human_handoff）结束的用户消息 ÷ 全部用户消息。"
            ],
        )
    )

    topics = t.topics.most_common()
    topic_rows: List[List[Any]] = [
        [ANSWER_TOPICS.get(code, code), n, pct(n / t.messages if t.messages else None)] for code, n in topics
    ]
    sections.append(
        Section(
            "最常问的主题",
            Table("主题", "按主题的用户消息（由识别出的意图归类）", ["主题", "消息数", "占全部消息"], topic_rows),
            charts.data_uri(charts.bars("最常问的主题", [r[0] for r in topic_rows], [r[1] for r in topic_rows]))
            if topic_rows
            else None,
            "横向柱状图：各主题的消息数；数字见右侧表格。",
            ["只统计问通知内容的意图（评审费、时间、材料……）；问候、评估对话等不计入。"],
        )
    )

    groups = Table(
        "未答问题",
        "最常见的未答问题（按相似度分组，已脱敏）",
        ["组", "条数", "代表性问题"],
        [[i + 1, g.size, g.text] for i, g in enumerate(fig.unanswered_groups)],
    )
    sections.append(
        Section(
            "最常见的未答问题",
            groups,
            notes=[
                f"区间内共 {fig.unanswered_total} 条；字符二元组 Jaccard 相似度 ≥ 0.4 的问题归为一组，显示条数最多的前 15 组，"
                "每组一条代表（与收件箱相同的脱敏文本）。"
            ],
        )
    )

    verdict_rows = [
        [_notice_name(notices, v.notice_id), _level_name(v.level), _verdict_name(v.verdict), v.count]
        for v in fig.verdicts
    ]
    pairs = list(dict.fromkeys((v.notice_id, v.level) for v in fig.verdicts))
    verdict_codes = list(dict.fromkeys(v.verdict for v in fig.verdicts))
    count_of = {(v.notice_id, v.level, v.verdict): v.count for v in fig.verdicts}
    chart = None
    if pairs:
        chart = charts.data_uri(
            charts.grouped(
                "预评估结论（按通知和级别）",
                [f"{_notice_name(notices, n)} {_level_name(lv)}" for n, lv in pairs],
                {_verdict_name(v): [count_of.get((n, lv, v), 0) for n, lv in pairs] for v in verdict_codes},
            )
        )
    sections.append(
        Section(
            "预评估结论",
            Table("预评估", "预评估次数（按通知、级别和结论）", ["通知", "级别", "结论", "次数"], verdict_rows),
            chart,
            "横向堆叠柱状图：每个通知和级别的评估次数，按结论分色；数字见右侧表格。",
        )
    )

    indexes: Dict[str, Dict[str, Tuple[str, str]]] = {}
    decider_rows = []
    for d in fig.deciders:
        if d.notice_id not in indexes:
            notice = notices.get(d.notice_id) if notices is not None else None
            indexes[d.notice_id] = condition_index(notice) if notice is not None else {}
        clause, explain = indexes[d.notice_id].get(d.condition_id, ("", ""))
        notice = notices.get(d.notice_id) if notices is not None else None
        cite = f"{notice.doc_number} {clause}".strip() if notice is not None and clause else clause
        decider_rows.append(
            [
                _notice_name(notices, d.notice_id),
                _level_name(d.level),
                explain or d.condition_id,
                cite,
                d.count,
                pct(d.count / d.of if d.of else None),
            ]
        )
    sections.append(
        Section(
            "导致“不符合”的条件",
            Table(
                "不符合原因",
                "各通知和级别中最常决定“不符合申报条件”的条件",
                ["通知", "级别", "条件", "条款", "次数", "占该级别“不符合”"],
                decider_rows,
            ),
            notes=[
                "一次评估可能由几个条件同时决定（例如学历和年限都不满足），所以次数之和可以多于“不符合”的评估数。"
                "不得申报的情形成立时，只计该情形。"
            ],
        )
    )
    q_rows = [
        [
            _notice_name(notices, n),
            _level_name(lv),
            len(counts),
            qnum(percentile(counts, 50)),
            qnum(percentile(counts, 90)),
            max(counts),
        ]
        for (n, lv), counts in fig.questions.items()
    ]
    chart = None
    if q_rows:
        chart = charts.data_uri(
            charts.side_by_side(
                "得出结论所需的提问数",
                [f"{r[0]} {r[1]}" for r in q_rows],
                {
                    "中位数": [percentile(c, 50) for c in fig.questions.values()],
                    "P90": [percentile(c, 90) for c in fig.questions.values()],
                },
            )
        )
    sections.append(
        Section(
            "得出结论所需的提问数",
            Table(
                "提问数",
                "每次评估得出结论前问了几个问题（按通知和级别）",
                ["通知", "级别", "有记录的评估", "中位数", "P90", "最多"],
                q_rows,
            ),
            chart,
            "横向柱状图：每个通知和级别的提问数中位数和 P90；数字见右侧表格。",
            [
                "只数助手为评估提出的问题：一组一起问的问题（排除情形、清单、职称和时间）算一个，没听懂重问的不重复计；"
                "地区和级别不计，用户开头就说了的情况不用再问，也不计。更正后重新评估只计更正后新问的问题。"
                "热线代为评估不记录提问数。已转为匿名统计的评估保留提问数。"
            ],
        )
    )

    clause_rows: List[List[Any]] = [
        [_notice_name(notices, c.notice_id), c.clause, c.count, pct(c.count / t.answers if t.answers else None)]
        for c in fig.top_clauses
    ]
    sections.append(
        Section(
            "最常问的通知条款",
            Table("条款", "回答引用最多的通知条款", ["通知", "条款", "回答次数", "占引用条款的回答"], clause_rows),
            charts.data_uri(
                charts.bars(
                    "回答引用最多的通知条款", [f"{r[0]} {r[1]}" for r in clause_rows], [r[2] for r in clause_rows]
                )
            )
            if clause_rows
            else None,
            "横向柱状图：各条款被回答引用的次数；数字见右侧表格。",
            [f"区间内共 {t.answers} 条回答引用了通知条款；一条回答可引用几个条款，显示最多的前 20 个。"],
        )
    )

    def rating_cells(r: Any) -> List[Any]:
        return [r.helpful, r.unhelpful, pct(r.share)]

    topics_rated = sorted(fb.by_topic.items(), key=lambda kv: (-kv[1].total, kv[0] or ""))
    topic_fb = [
        [RATED_TOPICS.get(code, code) if code else "（未分主题）"] + rating_cells(r) for code, r in topics_rated
    ]
    chart = None
    if topic_fb:
        chart = charts.data_uri(
            charts.grouped(
                "回答反馈（按主题）",
                [r[0] for r in topic_fb],
                {"有帮助": [r[1] for r in topic_fb], "没帮助": [r[2] for r in topic_fb]},
            )
        )
    sections.append(
        Section(
            "回答反馈（按主题）",
            Table("反馈·主题", "用户对回答的反馈（按主题）", ["主题", "有帮助", "没帮助", "有帮助占比"], topic_fb),
            chart,
            "横向堆叠柱状图：各主题回答的有帮助和没帮助次数；数字见右侧表格。",
            ["每条回答只能评价一次；网页聊天点按钮，微信在回答后回复“没帮助”“不对”等。"],
        )
    )

    clauses_rated = sorted(fb.by_clause.items(), key=lambda kv: (-kv[1].total, kv[0]))
    clause_fb = [[_notice_name(notices, n), c] + rating_cells(r) for (n, c), r in clauses_rated]
    sections.append(
        Section(
            "回答反馈（按条款）",
            Table(
                "反馈·条款",
                "用户对回答的反馈（按回答引用的条款）",
                ["通知", "条款", "有帮助", "没帮助", "有帮助占比"],
                clause_fb,
            ),
            notes=["一条回答引用几个条款时，它的反馈计入每个条款。"],
        )
    )
    return sections


# --- handlers ---------------------------------------------------------------------------------


def _period(request: web.Request, values: Optional[Mapping[str, str]] = None) -> Period:
    settings = request.app["settings"]
    try:
        return Period.parse(request.query if values is None else values, settings.today(), settings.timezone)
    except PeriodError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None


async def _sections(request: web.Request, period: Period) -> List[Section]:
    """The figures and their tables and charts, computed in a worker thread (database reads)."""
    from policies.qa import INTENT_TOPICS

    app = request.app

    def build() -> List[Section]:
        fig = compute(app["transcripts"].engine, app["storage"].engine, period, INTENT_TOPICS)
        return tables(fig, app["notices"])

    return await asyncio.get_running_loop().run_in_executor(None, build)


def _query(period: Period) -> str:
    from urllib.parse import urlencode

    return urlencode({"from": period.start.isoformat(), "to": period.end.isoformat(), "channel": period.channel})


@roles(*DASHBOARD_ROLES)
async def dashboard_page(request: web.Request) -> web.Response:
    period = _period(request)
    sections = await _sections(request, period)
    return aiohttp_jinja2.render_template(
        "dashboard.html",
        request,
        {"period": period, "sections": sections, "channels": CHANNELS, "query": _query(period)},
    )


def to_csv(sections: Sequence[Section], period: Period) -> bytes:
    """Every table one after another (caption line, header, rows, blank line); UTF-8 with BOM."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(
        [
            "职称评审助手 统计",
            f"{period.start.isoformat()} 至 {period.end.isoformat()}",
            "渠道：" + (CHANNEL_NAMES[period.channel] if period.channel else "全部"),
        ]
    )
    w.writerow([])
    for s in sections:
        w.writerow([s.table.caption])
        w.writerow(s.table.columns)
        for row in s.table.rows:
            w.writerow([safe_cell(c) if isinstance(c, str) else c for c in row])
        w.writerow([])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(sections: Sequence[Section], period: Period) -> bytes:
    """One sheet per table (openpyxl); text cells never start a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for s in sections:
        ws = wb.create_sheet(s.table.key[:31])
        ws.append([s.table.caption])
        ws["A1"].font = Font(bold=True)
        ws.append(
            [
                f"{period.start.isoformat()} 至 {period.end.isoformat()}",
                "渠道：" + (CHANNEL_NAMES[period.channel] if period.channel else "全部"),
            ]
        )
        ws.append(s.table.columns)
        for cell in ws[3]:
            cell.font = Font(bold=True)
        for row in s.table.rows:
            ws.append([safe_cell(c) if isinstance(c, str) else c for c in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _filename(period: Period, ext: str) -> str:
    return f"dashboard-{period.start:%Y%m%d}-{period.end:%Y%m%d}{'-' + period.channel if period.channel else ''}.{ext}"


async def _export_period(request: web.Request) -> Period:
    """The period of a download: the page's ``from``, ``to`` and ``channel``, posted by its form."""
    form = await request.post()
    return _period(request, {k: v for k, v in form.items() if isinstance(v, str)})


@export
@roles(*DASHBOARD_ROLES)
async def dashboard_csv(request: web.Request) -> web.Response:
    period = await _export_period(request)
    body = to_csv(await _sections(request, period), period)
    audit.write(request.app["db"], request["principal"].username, "dashboard_export", None, "csv " + _query(period))
    return web.Response(
        body=body,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_filename(period, "csv")}"'},
    )


@export
@roles(*DASHBOARD_ROLES)
async def dashboard_xlsx(request: web.Request) -> web.Response:
    period = await _export_period(request)
    body = to_xlsx(await _sections(request, period), period)
    audit.write(request.app["db"], request["principal"].username, "dashboard_export", None, "xlsx " + _query(period))
    return web.Response(
        body=body,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{_filename(period, "xlsx")}"'},
    )

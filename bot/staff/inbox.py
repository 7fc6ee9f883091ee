"""The low-confidence inbox: messages the assistant could not answer, newest first, and CSV export.

Rows are written by ``actions/scope.py`` when the scope / fallback action runs (masked text, the
best intent NLU saw and its confidence, channel, time — no sender id), and by ``bot.storage.feedback`` when
an applicant says an answer did not help (没帮助): then the row also names the answer rated — its
notice, topic and clauses — so hotline staff see what the assistant said.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional

import aiohttp_jinja2
from aiohttp import web

from bot.staff import audit
from bot.staff.access import export
from bot.staff.params import page_number
from bot.storage.assessments import Unanswered
from policies import ANSWER_TOPICS, NoticeIndex

PAGE_SIZE = 100
EXPORT_LIMIT = 10000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: object) -> str:
    """A spreadsheet never evaluates what a user typed: a leading formula character gets a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


REASONS = {
    "nlu_fallback": "没能理解",
    "out_of_scope": "不在收录范围",
    "not_helpful": "用户反馈没帮助",
}


@dataclass
class RatedAnswerView:
    """A 没帮助 row's rated answer, as staff read it: which notice, topic and clauses."""

    notice: str
    topic: str
    clauses: List[str]

    @property
    def line(self) -> str:
        return f"通知：{self.notice}；主题：{self.topic}；条款：{'、'.join(self.clauses) or '（无）'}"


def _notice_name(notices: NoticeIndex, notice_id: Optional[str]) -> str:
    notice = notices.get(notice_id) if notice_id else None
    if notice is None:
        return notice_id or ""
    return f"{notice.region.city}（{notice.doc_number}）"


def rated_answer(context: Optional[Dict[str, Any]], notices: NoticeIndex) -> Optional[RatedAnswerView]:
    """The context of a 没帮助 row in words (None for rows without one)."""
    if not isinstance(context, dict):
        return None
    notice_id = context.get("notice")
    clauses = []
    for c in context.get("clauses") or []:
        if not isinstance(c, dict):
            continue
        cited = notices.get(c.get("notice") or "")
        clauses.append(f"{cited.doc_number} {c.get('clause', '')}" if cited else str(c.get("clause", "")))
    topic: Optional[str] = context.get("topic")
    return RatedAnswerView(
        notice=_notice_name(notices, notice_id) if notice_id else "多份通知" if clauses else "（无）",
        topic=ANSWER_TOPICS.get(topic, topic) if topic else "（无）",
        clauses=clauses,
    )


def reason_name(reason: str) -> str:
    return REASONS.get(reason, reason)


def to_csv(rows: Iterable[Unanswered], notices: Optional[NoticeIndex] = None) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["时间（UTC）", "渠道", "原因", "最接近的意图", "置信度", "消息（已脱敏）", "被评价的回答"])
    for r in rows:
        rated = rated_answer(r.context, notices) if notices is not None else None
        writer.writerow(
            [
                r.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                safe_cell(r.channel),
                safe_cell(r.reason),
                safe_cell(r.intent or ""),
                "" if r.confidence is None else f"{r.confidence:.2f}",
                safe_cell(r.text),
                safe_cell(rated.line if rated else ""),
            ]
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


async def inbox_page(request: web.Request) -> web.Response:
    requested = page_number(request.query.get("page", "1"))
    storage = request.app["storage"]
    total = storage.count_unanswered()
    last = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, requested), last)  # past the end: the last page
    rows: List[Unanswered] = storage.list_unanswered(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    notices = request.app["notices"]
    return aiohttp_jinja2.render_template(
        "inbox.html",
        request,
        {
            "rows": [(r, reason_name(r.reason), rated_answer(r.context, notices)) for r in rows],
            "page": page,
            "total": total,
            "has_next": page * PAGE_SIZE < total,
        },
    )


@export
async def inbox_csv(request: web.Request) -> web.Response:
    rows = request.app["storage"].list_unanswered(limit=EXPORT_LIMIT)
    audit.write(request.app["db"], request["principal"].username, "inbox_export", None, f"rows={len(rows)}")
    return web.Response(
        body=to_csv(rows, request.app["notices"]),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="unanswered.csv"'},
    )

"""The low-confidence inbox: messages the assistant could not answer, newest first, and CSV export.

Rows are written by ``actions/scope.py`` when the scope / fallback action runs (masked text, the
best intent NLU saw and its confidence, channel, time — no sender id).
"""
from __future__ import annotations

import csv
import io
from typing import Iterable, List

import aiohttp_jinja2
from aiohttp import web

from bot.staff import audit
from bot.storage import Unanswered

PAGE_SIZE = 100
EXPORT_LIMIT = 10000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: object) -> str:
    """A spreadsheet never evaluates what a user typed: a leading formula character gets a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(rows: Iterable[Unanswered]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["时间（UTC）", "渠道", "原因", "最接近的意图", "置信度", "消息（已脱敏）"])
    for r in rows:
        writer.writerow([r.created_at.strftime("%Y-%m-%d %H:%M:%S"), safe_cell(r.channel), safe_cell(r.reason),
                         safe_cell(r.intent or ""), "" if r.confidence is None else f"{r.confidence:.2f}",
                         safe_cell(r.text)])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


async def inbox_page(request: web.Request) -> web.Response:
    raw = request.query.get("page", "1").strip()
    if not raw.isdigit() or len(raw) > 9:
        raise web.HTTPBadRequest(text="页码应为不超过9位的正整数。")
    storage = request.app["storage"]
    total = storage.count_unanswered()
    last = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, int(raw)), last)  # past the end: the last page
    rows: List[Unanswered] = storage.list_unanswered(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return aiohttp_jinja2.render_template("inbox.html", request, {
        "rows": rows, "page": page, "total": total, "has_next": page * PAGE_SIZE < total})


async def inbox_csv(request: web.Request) -> web.Response:
    rows = request.app["storage"].list_unanswered(limit=EXPORT_LIMIT)
    audit.write(request.app["db"], request["principal"].username, "inbox_export", None, f"rows={len(rows)}")
    return web.Response(body=to_csv(rows), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": 'attachment; filename="unanswered.csv"'})

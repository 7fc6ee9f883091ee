"""Case lookup: a case code (as read out by the caller) → facts, result, channel, time and, for a
chat, the conversation. Every lookup is audited, found or not."""

from __future__ import annotations

from typing import Any, Dict

import aiohttp_jinja2
from aiohttp import web

from bot.staff import audit
from bot.staff.assess import conditions_view, fact_display
from bot.storage.assessments import normalize_case_code
from policies import LEVEL_NAMES
from policies.eligibility.assess import VERDICT_NAMES

CHANNEL_NAMES = {
    "staff": "热线代为评估",
    "rest": "网页接口",
    "socketio": "网站聊天窗口",
    "wechat": "微信公众号",
    "cmdline": "命令行",
    "unknown": "未知",
}


async def case_page(request: web.Request) -> web.Response:
    raw = (request.query.get("code") or "").strip()[:40]
    context: Dict[str, Any] = {
        "code": raw,
        "case": None,
        "searched": bool(raw),
        "saved": request.query.get("saved") == "1",
    }
    if raw:
        code = normalize_case_code(raw)
        case = request.app["storage"].find_assessment(code) if code else None
        audit.write(
            request.app["db"],
            request["principal"].username,
            "case_lookup",
            code or "-",
            "found" if case else "not found",
        )
        if case is not None:
            catalogue = request.app["catalogue"]
            notice = request.app["notices"].get(case.notice_id)
            transcript = []
            if case.sender_id and case.channel != "staff":
                transcript = request.app["transcripts"].lines(case.sender_id)
            context.update(
                case=case,
                notice=notice,
                level_name=LEVEL_NAMES.get(case.level, case.level),
                verdict_name=VERDICT_NAMES.get(case.verdict, case.verdict),
                channel_name=CHANNEL_NAMES.get(case.channel, case.channel),
                facts=[
                    (catalogue.specs[f].question if f in catalogue.specs else f, fact_display(catalogue, f, v))
                    for f, v in case.facts.items()
                ],
                conditions=conditions_view(case.result),
                transcript=transcript,
                from_chat=bool(case.sender_id) and case.channel != "staff",
            )
    return aiohttp_jinja2.render_template("case.html", request, context)

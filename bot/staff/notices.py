"""Notice pages: every window with its status today, fees, who may apply, conditions per level
(the rule tree, readable, with clauses), materials, procedure, contacts, delegated documents."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional

import aiohttp_jinja2
from aiohttp import web

from policies import LEVEL_NAMES, Notice
from policies.eligibility.rules import RuleNode
from policies.schema import TOPICS, WINDOW_KIND_NAMES
from policies.windows import format_span, status

ROUTE_KIND_NAMES = {"regular": "常规条件", "special": "特殊途径", "exceptional": "破格"}
ITEM_TOPICS = [
    "who_may_apply",
    "who_may_not_apply",
    "conditions",
    "exceptional_routes",
    "materials",
    "procedure",
    "defence",
    "continuing_education",
    "papers",
    "series_transfer",
    "certificate",
]


def window_rows(notice: Notice, today: dt.date) -> List[Dict[str, Any]]:
    rows = []
    for w in notice.windows:
        st = status(w, today)
        if st.state == "not_yet_open":
            label, css = f"未开始（{st.days}天后）", "later"
        elif st.state in ("open", "due"):
            label, css = ("进行中·今天截止" if st.days == 0 else f"进行中·剩{st.days}天"), "open"
        elif st.state == "started":
            label, css = "已开始", "open"
        elif st.state == "closed":
            label, css = "已截止", "closed"
        else:
            label, css = "另行通知", "later"
        rows.append(
            {
                "name": w.name,
                "kind": WINDOW_KIND_NAMES.get(w.kind, w.kind),
                "span": format_span(w) or "—",
                "note": w.note,
                "clause": w.clause,
                "status": label,
                "css": css,
                "tentative": w.tentative,
                "levels": "、".join(LEVEL_NAMES[lv] for lv in w.levels) if w.levels else "",
            }
        )
    return rows


def rule_tree(node: RuleNode) -> Dict[str, Any]:
    """A rule node as nested dicts: what it requires, how its parts combine, its clause."""
    if node.all:
        how, children = "以下全部满足", node.all
    elif node.any:
        how, children = "满足其中一项", node.any
    elif node.of:
        how, children = f"至少满足其中{node.at_least_n}项", node.of
    elif node.not_ is not None:
        how, children = "不得属于", [node.not_]
    else:
        how, children = "", []
    extra = f"由{node.delegated}规定" if node.delegated else None
    return {
        "explain": node.explain,
        "clause": node.clause,
        "how": how,
        "extra": extra,
        "advice": node.advice,
        "children": [rule_tree(c) for c in children],
    }


def eligibility_view(notice: Notice) -> Optional[Dict[str, Any]]:
    if notice.eligibility is None:
        return None
    levels = []
    for level, rules in notice.eligibility.levels.items():
        levels.append(
            {
                "level": level,
                "name": LEVEL_NAMES[level],
                "routes": [{"kind": ROUTE_KIND_NAMES[r.kind], "tree": rule_tree(r.rule)} for r in rules.routes],
            }
        )
    return {"exclusions": [rule_tree(n) for n in notice.eligibility.exclusions], "levels": levels}


def items_view(notice: Notice) -> List[Dict[str, Any]]:
    out = []
    for topic in ITEM_TOPICS:
        items = notice.topic_items(topic)
        delegates = notice.delegates_for(topic)
        if not items and not delegates:
            continue
        out.append(
            {
                "topic": topic,
                "name": TOPICS[topic],
                "entries": [
                    {
                        "text": i.text,
                        "clause": i.clause,
                        "extra": "；".join(x for x in (i.copies, i.format) if x),
                        "levels": "、".join(LEVEL_NAMES[lv] for lv in i.levels) if i.levels else "",
                    }
                    for i in items
                ],
                "delegates": delegates,
            }
        )
    return out


async def notices_page(request: web.Request) -> web.Response:
    today = request.app["settings"].today()
    rows = []
    for n in request.app["notices"].all():
        current = [r for r in window_rows(n, today) if r["css"] == "open"]
        rows.append({"notice": n, "levels": "、".join(LEVEL_NAMES[lv] for lv in n.levels), "open": current})
    return aiohttp_jinja2.render_template("notices.html", request, {"rows": rows, "today": today})


async def notice_page(request: web.Request) -> web.Response:
    notice = request.app["notices"].get(request.match_info["notice_id"])
    if notice is None:
        raise web.HTTPNotFound(text="没有这份通知。")
    today = request.app["settings"].today()
    return aiohttp_jinja2.render_template(
        "notice.html",
        request,
        {
            "n": notice,
            "today": today,
            "windows": window_rows(notice, today),
            "levels": LEVEL_NAMES,
            "eligibility": eligibility_view(notice),
            "topics": items_view(notice),
            "level_names": "、".join(LEVEL_NAMES[lv] for lv in notice.levels),
        },
    )

"""Search: what a caller says → the notice, level and topic → the cited answer and a read-out.

Understanding comes from the assistant's own NLU (``POST {RASA_URL}/model/parse``) with a short
timeout; explicit filters (notice, level, topic) override it. When the Rasa server is down or slow,
a keyword match over the same vocabulary the NLU is built from (notice regions and aliases,
``policies/vocabulary.yml``) stands in, and the page says so. The answer itself is always
``policies.qa`` — the same structured items, with their clauses, that the assistant sends; the
read-out is made from those items, never by re-parsing answer text.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, List, Optional, Tuple

import aiohttp
import aiohttp_jinja2
from aiohttp import web

from policies import ANSWER_TOPICS, LEVEL_NAMES, Notice, NoticeIndex, resolve
from policies.qa import INTENT_TOPICS, Reply, qa_for, topic_words
from policies.resolve import AMBIGUOUS_LEVELS
from policies.schema import WINDOW_KIND_NAMES
from policies.text import entity_forms

MAX_QUERY = 200


@dataclass
class Understanding:
    region: Optional[str] = None
    level: Optional[str] = None
    topic: Optional[str] = None
    window_kind: Optional[str] = None
    intent: Optional[str] = None
    confidence: Optional[float] = None
    source: str = "none"  # rasa / keywords / none


@dataclass
class Hit:
    notice: Notice
    level: Optional[str]
    topic: Optional[str]
    answer: Reply
    readout: str
    notes: List[str] = field(default_factory=list)


@dataclass
class SearchResult:
    query: str
    understood: Understanding
    rasa_down: bool = False
    hit: Optional[Hit] = None
    candidates: List[Notice] = field(default_factory=list)  # pick one of these
    notice: Optional[Notice] = None  # known notice, topic missing
    level: Optional[str] = None
    notes: List[str] = field(default_factory=list)


# --- understanding ---------------------------------------------------------------------------
async def parse_with_rasa(
    http: aiohttp.ClientSession, rasa_url: str, text: str, timeout: float, token: Optional[str] = None
) -> Optional[Understanding]:
    """The assistant's reading of ``text``; None when the Rasa server does not answer in time
    (or refuses: its HTTP API is protected by ``token`` when started with ``--auth-token``)."""
    try:
        async with http.post(
            f"{rasa_url}/model/parse",
            json={"text": text},
            params={"token": token} if token else None,
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as resp:
            if resp.status != 200:
                return None
            data = await resp.json()
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        return None
    intent = data.get("intent") or {}
    u = Understanding(intent=intent.get("name"), confidence=intent.get("confidence"), source="rasa")
    u.topic = INTENT_TOPICS.get(u.intent or "")
    for e in data.get("entities") or []:
        name, value = e.get("entity"), e.get("value")
        if name in ("region", "level", "window_kind") and isinstance(value, str) and getattr(u, name) is None:
            setattr(u, name, value)
    if u.window_kind and u.topic is None:
        u.topic = "windows"
    return u


@lru_cache(maxsize=4)
def _surface_table(index: NoticeIndex) -> Dict[str, List[Tuple[str, str]]]:
    """entity → [(surface form, value)], longest form first — from the NLU's own vocabulary."""
    table: Dict[str, List[Tuple[str, str]]] = {}
    for entity, values in entity_forms(index).items():
        pairs = [(form, value) for value, forms in values.items() for form in forms]
        table[entity] = sorted(pairs, key=lambda p: len(p[0]), reverse=True)
    return table


def keyword_parse(index: NoticeIndex, text: str) -> Understanding:
    u = Understanding(source="keywords")
    table = _surface_table(index)
    for entity in ("region", "level", "window_kind"):
        for form, value in table.get(entity, []):
            if form in text:
                setattr(u, entity, value)
                break
    u.topic = next((topic for topic, words in topic_words().items() if any(w in text for w in words)), None)
    if u.window_kind:
        u.topic = "windows"
    return u


# --- answering -------------------------------------------------------------------------------
def readout(notice: Notice, reply: Reply) -> str:
    """One sentence to read to the caller: the first facts of the answer with document and clause."""
    items = [it for it in reply.items if it.notice.id == notice.id][:2]
    if not items:
        return f"根据{notice.doc_number}：{reply.lead.rstrip('。')}。"
    bodies = [f"{it.label}{it.text}".rstrip("。；; ") for it in items]
    # "not stated", and a yes / no about the caller's own case (不能：…), are said first
    lead = f"{reply.lead.rstrip('。')}。" if (reply.kind == "not_stated" or reply.verdict) and reply.lead else ""
    return f"根据{notice.doc_number}（{items[0].clause}）：{lead}" + "；".join(bodies) + "。"


def _fit_level(notice: Notice, level: Optional[str], notes: List[str]) -> Optional[str]:
    if level is None:
        return None
    if level in AMBIGUOUS_LEVELS:
        fitting = [lv for lv in AMBIGUOUS_LEVELS[level] if lv in notice.levels]
        if len(fitting) == 1:
            return fitting[0]
        notes.append("“初级”可能是助理工程师或技术员，请向来电人确认级别。")
        return None
    if level not in notice.levels:
        notes.append(f"{notice.doc_number}不涉及{LEVEL_NAMES.get(level, level)}，以下按该通知的全部级别回答。")
        return None
    return level


def run_search(
    index: NoticeIndex,
    today: dt.date,
    query: str,
    understood: Understanding,
    rasa_down: bool,
    notice_id: Optional[str],
    level: Optional[str],
    topic: Optional[str],
) -> SearchResult:
    """Combine understanding and filters (filters win) into an answer, or what is still missing.

    A chosen topic lists that topic whole; otherwise the caller's words are answered item by item,
    as the assistant answers them."""
    result = SearchResult(query=query, understood=understood, rasa_down=rasa_down)
    chosen_level = level if level in LEVEL_NAMES else None
    level = level or understood.level
    notice = index.get(notice_id) if notice_id else None
    qa = qa_for(index)
    if query and topic is None:
        reply = qa.answer(
            query,
            today,
            region=understood.region,
            level=level if level in LEVEL_NAMES else None,
            intent=understood.intent,
            level_said=bool(understood.level),
            notice_id=notice_id,
            force_level=chosen_level,
        )
        if reply.kind in ("out_of_scope", "fraud"):
            result.notes.append(reply.lead or "这个问题不在通知范围内。")
            result.notes += [f"{it.label}{it.text}（{it.citation}）" for it in reply.items]
            return result
        if reply.notice is None and reply.kind == "answer" and reply.items:
            # across notices (a comparison, or no region and one line per notice): each labelled
            if understood.region is None and not qa.regions_in(query):
                result.notes.append("没有识别出地区，请选择来电人所在地区的通知。")
            result.notes.append(reply.lead.rstrip("：:") or "各地通知的规定：")
            result.notes += [f"{it.label}{it.text}（{it.citation}）" for it in reply.items]
            result.candidates = reply.candidates or index.all()
            return result
        if reply.notice is None:
            if reply.kind == "wrong_level":
                result.notes.append(reply.lead.replace("请选择您要查询的通知：", ""))
            elif understood.region is None and not qa.region_in(query):
                result.notes.append("没有识别出地区，请选择来电人所在地区的通知。")
            result.candidates = reply.candidates or index.all()
            result.level = level
            return result
        notes: List[str] = []
        if level and reply.level is None:
            _fit_level(reply.notice, level, notes)
        result.notes += notes
        result.level = reply.level
        result.hit = Hit(reply.notice, reply.level, reply.topic, reply, readout(reply.notice, reply))
        return result
    if notice is None:
        res = resolve(index, understood.region, level if level not in AMBIGUOUS_LEVELS else None)
        notice = res.notice
        if notice is None:
            result.candidates = res.candidates or index.all()
            if understood.region is None:
                result.notes.append("没有识别出地区，请选择来电人所在地区的通知。")
            result.level = level
            return result
    notes = []
    level = _fit_level(notice, level, notes)
    result.notes += notes
    result.level = level
    topic = topic or understood.topic
    if topic is None or topic not in ANSWER_TOPICS:
        result.notice = notice
        return result
    reply = qa.topic_reply(notice, topic, today, level)
    result.hit = Hit(notice, level, topic, reply, readout(notice, reply))
    return result


async def search_page(request: web.Request) -> web.Response:
    app = request.app
    index: NoticeIndex = app["notices"]
    q = (request.query.get("q") or "").strip()[:MAX_QUERY]
    notice_id = request.query.get("notice") or None
    level = request.query.get("level") or None
    topic = request.query.get("topic") or None
    if notice_id and index.get(notice_id) is None:
        notice_id = None
    if level and level not in LEVEL_NAMES:
        level = None
    if topic and topic not in ANSWER_TOPICS:
        topic = None
    result = None
    if q or notice_id or level or topic:
        understood, rasa_down = Understanding(), False
        if q:
            parsed = await parse_with_rasa(
                app["http"], app["settings"].rasa_url, q, app["settings"].rasa_timeout, app["settings"].rasa_token
            )
            if parsed is None:
                rasa_down = True
                parsed = keyword_parse(index, q)
            understood = parsed
        result = run_search(index, app["settings"].today(), q, understood, rasa_down, notice_id, level, topic)
    return aiohttp_jinja2.render_template(
        "search.html",
        request,
        {
            "q": q,
            "result": result,
            "f_notice": notice_id or "",
            "f_level": level or "",
            "f_topic": topic or "",
            "notices": index.all(),
            "levels": LEVEL_NAMES,
            "topics": ANSWER_TOPICS,
            "window_kinds": WINDOW_KIND_NAMES,
        },
    )

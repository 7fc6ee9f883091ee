"""Compose short Chinese answers from a notice's data, each fact cited by document and clause.

Pure functions: a notice, a topic, optionally a level, a window kind and today's date in; an
:class:`Answer` out. The chat actions and the staff page both call these, so both say the same.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import List, Optional

from policies.schema import LEVEL_NAMES, TOPICS, WINDOW_KIND_NAMES, Contact, Notice
from policies.windows import format_date, format_span, status

# Topics an applicant can ask about, beyond the plain item lists of TOPICS.
ANSWER_TOPICS = {**TOPICS, "fees": "评审费", "windows": "时间安排", "contacts": "联系方式"}


@dataclass
class Answer:
    text: str
    citations: List[str] = field(default_factory=list)  # "简人社职〔2020〕33号 七"
    stated: bool = True  # False where the notice is silent or defers to another document
    needs_level: List[str] = field(default_factory=list)  # ask for one of these levels to say more


def _clip(text: str) -> str:
    """A sentence embedded in a longer line: no trailing full stop."""
    return text.rstrip("。；;. ")


def cite(notice: Notice, clause: str) -> str:
    return f"{notice.doc_number} {clause}"


def header(notice: Notice) -> str:
    levels = "、".join(LEVEL_NAMES[lv] for lv in notice.levels)
    return f"【{notice.region.city} {notice.year}年度 {levels}｜{notice.doc_number}】"


def contact_line(contact: Contact) -> str:
    parts = [contact.name]
    if contact.person:
        parts.append(contact.person)
    if contact.phones:
        parts.append("电话 " + "、".join(contact.phones))
    if contact.address:
        parts.append(contact.address)
    if contact.email and not contact.phones:
        parts.append("邮箱 " + contact.email)
    return "，".join(parts)


def _ask_contact(notice: Notice) -> str:
    main = notice.contacts[0]
    return f"如需确认，请咨询{contact_line(main)}（{main.clause}）。"


def _level_name(level: Optional[str]) -> str:
    return LEVEL_NAMES.get(level or "", "")


def answer_fee(notice: Notice, level: Optional[str] = None) -> Answer:
    fees = [f for f in notice.fees if level is None or f.level == level] or notice.fees
    lines, cites, all_stated = [header(notice)], [], True
    for fee in fees:
        cites.append(cite(notice, fee.clause))
        if fee.stated:
            basis = f"，依据{fee.basis}" if fee.basis else ""
            lines.append(f"· {LEVEL_NAMES[fee.level]}评审费：每人{fee.amount}元{basis}（{fee.clause}）。")
        else:
            all_stated = False
            basis = f"，只说按{fee.basis}执行" if fee.basis else ""
            lines.append(f"· {LEVEL_NAMES[fee.level]}：本通知没有写明评审费金额{basis}（{fee.clause}）。")
        if fee.note:
            lines.append(f"  {_clip(fee.note)}。")
    for w in notice.windows_of("payment"):
        lines.append(_window_line(notice, w, None))
        cites.append(cite(notice, w.clause))
    main_phones = notice.contacts[0].phones
    if not all_stated and not any(p in "".join(lines) for p in main_phones):
        lines.append(_ask_contact(notice))
    return Answer("\n".join(_dedupe(lines)), _dedupe(cites), all_stated)


def _window_line(notice: Notice, w, today: Optional[dt.date]) -> str:
    span = format_span(w)
    text = f"· {w.name}：{span}" if span else f"· {w.name}"
    if w.note:
        text += f"（{_clip(w.note)}）" if span else f"：{_clip(w.note)}"
    text += f"〔{w.clause}〕"
    if today is not None and (w.start or w.end):
        st = status(w, today)
        if st.state == "closed" and w.tentative:
            text += "——该时间已过"
        else:
            text += "——" + st.describe(w)
    return text


def answer_windows(
    notice: Notice, today: dt.date, kind: Optional[str] = None, level: Optional[str] = None
) -> Answer:
    windows = [w for w in notice.windows if level is None or w.levels is None or level in w.levels]
    chosen = [w for w in windows if w.kind == kind] if kind else windows
    lines = [header(notice)]
    if not chosen:
        name = WINDOW_KIND_NAMES.get(kind or "", "相关")
        lines.append(f"本通知没有写明{name}的时间。以下是通知给出的全部时间安排：")
        chosen, stated = windows, False
    else:
        stated = True
    lines += [_window_line(notice, w, today) for w in chosen]
    lines.append(f"（按今天{format_date(today)}计算）")
    if not stated:
        lines.append(_ask_contact(notice))
    return Answer("\n".join(lines), [cite(notice, w.clause) for w in chosen], stated)


def answer_contacts(notice: Notice) -> Answer:
    lines = [header(notice)]
    for c in notice.contacts:
        lines.append(f"· {c.role}：{contact_line(c)}（{c.clause}）")
        if c.email and c.phones:
            lines.append(f"  邮箱 {c.email}")
    return Answer("\n".join(lines), [cite(notice, c.clause) for c in notice.contacts])


def answer_topic(notice: Notice, topic: str, level: Optional[str] = None) -> Answer:
    """Items of a plain topic (materials, procedure, …), with the documents it defers to."""
    parts = [topic]
    if topic == "who_may_apply":
        parts.append("who_may_not_apply")
    lines, cites = [header(notice)], []
    # Several levels, none chosen, and level-specific items: give the common part, ask the level.
    split = level is None and len(notice.levels) > 1 and any(
        item.levels for part in parts for item in notice.topic_items(part)
    )
    for part in parts:
        items = notice.topic_items(part, level)
        if split:
            items = [i for i in items if not i.levels]
        if items and len(parts) > 1:
            lines.append(f"{TOPICS[part]}：")
        for item in items:
            extra = "；".join(x for x in (item.copies, item.format) if x)
            lines.append(f"· {_clip(item.text)}" + (f"（{extra}）" if extra else "") + f"〔{item.clause}〕")
            cites.append(cite(notice, item.clause))
    if topic == "papers":
        for rule in notice.plagiarism:
            if level is None or rule.levels is None or level in rule.levels:
                lines.append(
                    f"· 查重：{rule.applies_to}重复率不超过{rule.max_percent}%；{rule.consequence}〔{rule.clause}〕"
                )
                cites.append(cite(notice, rule.clause))
    if topic == "continuing_education" and notice.continuing_education_hours:
        h = notice.continuing_education_hours
        bits = []
        if h.public_hours is not None:
            bits.append(f"公需科目不少于{h.public_hours}学时")
        if h.professional_hours is not None:
            bits.append(f"专业科目不少于{h.professional_hours}学时")
        if h.period:
            bits.append(f"统计期间{h.period}")
        already = "".join(lines)
        if bits and not all(b.replace("不少于", "") in already.replace("不少于", "").replace("不低于", "") for b in bits):
            lines.append("· " + "，".join(bits) + f"〔{h.clause}〕")
            cites.append(cite(notice, h.clause))
    stated = len(cites) > 0
    delegates = [d for p in parts for d in notice.delegates_for(p)]
    if not stated:
        scope = f"{_level_name(level)}的" if level else ""
        lines.append(f"本通知没有写明{scope}{ANSWER_TOPICS[topic]}的具体内容。")
    for d in _dedupe(delegates):
        title = f"《{d.title}》" if d.title else ""
        lines.append(f"· {_clip(d.about)}：见{title}{d.doc}〔{d.clause}〕")
        cites.append(cite(notice, d.clause))
    if split:
        names = "、".join(LEVEL_NAMES[lv] for lv in notice.levels)
        lines.append(f"{names}的要求各不相同，请告诉我您申报哪个级别，我再列出具体要求。")
        return Answer("\n".join(lines), _dedupe(cites), True, needs_level=list(notice.levels))
    if not stated:
        lines.append(_ask_contact(notice))
    return Answer("\n".join(lines), _dedupe(cites), stated)


def answer(
    notice: Notice,
    topic: str,
    today: dt.date,
    level: Optional[str] = None,
    window_kind: Optional[str] = None,
) -> Answer:
    """Dispatch on topic: fees, windows, contacts or a plain item topic."""
    if topic == "fees":
        return answer_fee(notice, level)
    if topic == "windows":
        return answer_windows(notice, today, window_kind, level)
    if topic == "contacts":
        return answer_contacts(notice)
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}")
    return answer_topic(notice, topic, level)


def _dedupe(values):
    seen, out = set(), []
    for v in values:
        key = id(v) if not isinstance(v, (str, int)) else v
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out

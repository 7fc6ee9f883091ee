"""Every fact of a notice as an item of its own: the unit an answer is made of.

A notice file holds facts in several shapes (fees, windows, contacts, documents it defers to,
plagiarism rules, hours of continuing education, plain item lists per topic). :func:`notice_items`
flattens them into :class:`NoticeItem` — one fact, its clause, the levels it applies to, the topics
it belongs to, and the words applicants use to ask for it — so that a question can be matched
against every item of a notice, not against a whole topic.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, List, Optional, Tuple

from policies.answers import contact_line
from policies.levels import LEVEL_NAMES
from policies.rounds import entry_window
from policies.schema import TOPICS, WINDOW_KIND_NAMES, Notice, Window
from policies.text import vocabulary
from policies.windows import format_date, format_span, status

# Items of one topic that also answer another (a condition on papers is a papers question too).
ALSO_ABOUT = (
    (re.compile(r"论文|论著|查重"), "papers"),
    (re.compile(r"继续教育|学时"), "continuing_education"),
    (re.compile(r"破格|放宽"), "exceptional_routes"),
    (re.compile(r"转评|转系列"), "series_transfer"),
    (re.compile(r"答辩"), "defence"),
    (re.compile(r"证书"), "certificate"),
)
# An item that itself says the notice leaves a point open.
OPEN_POINT = re.compile(r"通知未|未写明|没有写明|未给|未列|另行通知|另行公布|未单独|未另列")


@dataclass(frozen=True)
class NoticeItem:
    key: str  # "<notice id>/<topic>/<n>": stable within one notice file version
    notice_id: str
    topics: Tuple[str, ...]  # answer topics it belongs to; the first is its home
    text: str  # the fact in the project's words, without its clause
    clause: str
    levels: Optional[Tuple[str, ...]] = None  # None: every level of the notice
    stated: bool = True  # False: the notice leaves it open or defers it to another document
    asks: Tuple[str, ...] = ()
    search_extra: str = ""  # words that find it but are not shown (topic name, window kind …)
    core: bool = False  # a document the notice leaves a whole topic to: named in every answer on it
    window: Optional[Window] = field(default=None, compare=False, hash=False)

    @property
    def topic(self) -> str:
        return self.topics[0]

    def applies_to(self, level: Optional[str]) -> bool:
        return level is None or self.levels is None or level in self.levels

    def shown(self, today: Optional[dt.date] = None) -> str:
        """The line a reader sees (a window's state relative to ``today`` when given)."""
        if self.window is None or today is None:
            return self.text
        w = self.window
        if not (w.start or w.end):
            return self.text
        st = status(w, today)
        state = "该时间已过" if st.state == "closed" and w.tentative else st.describe(w)
        return f"{self.text}（{state}）"


def _clip(text: str) -> str:
    return text.rstrip("。；;. ")


def _levels(levels: Optional[Iterable[str]]) -> Optional[Tuple[str, ...]]:
    return tuple(levels) if levels else None


def _window_text(w: Window) -> str:
    span = format_span(w)
    text = f"{w.name}：{span}" if span else w.name
    if w.note:
        text += f"（{_clip(w.note)}）" if span else f"：{_clip(w.note)}"
    return text


def notice_items(notice: Notice) -> List[NoticeItem]:
    """Every fact of ``notice``, in the order of the file."""
    out: List[NoticeItem] = []
    nid = notice.id

    def add(topic_key: str, topics: Tuple[str, ...], text: str, clause: str, **kw: Any) -> None:
        n = sum(1 for i in out if i.key.startswith(f"{nid}/{topic_key}/"))
        if OPEN_POINT.search(text):
            kw["stated"] = False
        out.append(NoticeItem(f"{nid}/{topic_key}/{n}", nid, topics, text, clause, **kw))

    for fee in notice.fees:
        name = LEVEL_NAMES[fee.level]
        if fee.stated:
            basis = f"，依据{fee.basis}" if fee.basis else ""
            text = f"{name}评审费：每人{fee.amount}元{basis}"
        else:
            basis = f"，只说按{fee.basis}执行" if fee.basis else ""
            text = f"{name}评审费：本通知没有写明金额{basis}"
        if fee.note and fee.stated and str(fee.amount) not in fee.note:
            text += f"；{_clip(fee.note)}"
        elif fee.note and not fee.stated:
            # the note may say again that no sum is given (平凉): say it once
            note = re.sub(r"^(?:本)?通知(?:没有|未)写(?:明)?(?:评审费)?(?:金额|数额)[；;，,。]?", "", fee.note)
            if note:
                text += f"；{_clip(note)}"
        add(
            "fees",
            ("fees",),
            text,
            fee.clause,
            levels=(fee.level,),
            stated=fee.stated,
            asks=tuple(fee.asks),
            search_extra="评审费 收费 费用 多少钱 交钱 缴费 " + (fee.note or ""),
        )
    kind_words = vocabulary()["entities"].get("window_kind", {})
    # Where a notice has no application window of its own (长治: units bring the materials), its entry
    # window (policies.rounds) is where "报名时间 / 还能报名吗" is answered.
    first_step = entry_window(notice) if not notice.windows_of("application") else None
    for w in notice.windows:
        kind = WINDOW_KIND_NAMES.get(w.kind, "")
        words = " ".join(kind_words.get(w.kind, []))
        if w is first_step:
            words += " " + " ".join(kind_words.get("application", []))
        add(
            "windows",
            ("windows",),
            _window_text(w),
            w.clause,
            levels=_levels(w.levels),
            asks=tuple(w.asks),
            search_extra=f"{kind} {words} 时间 什么时候 截止 日期",
            window=w,
            stated=bool(w.start or w.end) and not OPEN_POINT.search(_window_text(w)),
        )
    for c in notice.contacts:
        email = f"，邮箱 {c.email}" if c.email and c.phones else ""
        add(
            "contacts",
            ("contacts",),
            f"{c.role}：{contact_line(c)}{email}",
            c.clause,
            asks=tuple(c.asks),
            search_extra="联系 电话 咨询 地址 邮箱 联系人 找谁 问谁 负责人 老师",
        )
    # The dates years and achievements are counted to, unless an item of the notice says so already.
    said = " ".join(i.text for t in TOPICS for i in notice.topic_items(t))
    cd = notice.counting_date
    if format_date(cd.date) not in said:
        add(
            "counting",
            ("conditions",),
            f"工作年限、任职年限算到{format_date(cd.date)}",
            cd.clause,
            asks=("年限算到什么时候", "工作年限怎么计算"),
            search_extra="年限 计算 截至 算到 计算时间",
        )
    au = notice.achievements_until
    if au and format_date(au.date) not in said:
        add(
            "counting",
            ("conditions",),
            f"业绩成果算到{format_date(au.date)}为止",
            au.clause,
            asks=("业绩算到什么时候",),
            search_extra="业绩 成果 论文 计算 截至",
        )
    for d in notice.delegates:
        title = f"《{d.title}》" if d.title else ""
        add(
            "delegates",
            tuple(d.topics),
            f"{_clip(d.about)}：见{title}{d.doc}",
            d.clause,
            stated=False,
            asks=tuple(d.asks),
            search_extra=" ".join(TOPICS.get(t, "") for t in d.topics),
            core=d.core,
        )
    for topic in TOPICS:
        for item in notice.topic_items(topic):
            extra = "；".join(x for x in (item.copies, item.format) if x)
            text = _clip(item.text) + (f"（{extra}）" if extra else "")
            home = "who_may_apply" if topic == "who_may_not_apply" else topic
            topics: Tuple[str, ...] = (home, topic) if home != topic else (topic,)
            if topic in ("conditions", "who_may_apply", "procedure", "exceptional_routes"):
                topics += tuple(t for rx, t in ALSO_ABOUT if rx.search(item.text) and t not in topics)
            add(
                topic,
                topics,
                text,
                item.clause,
                levels=_levels(item.levels),
                asks=tuple(item.asks),
                search_extra=TOPICS[topic],
                stated=not OPEN_POINT.search(text),
            )
    for rule in notice.plagiarism:
        text = f"查重：{_clip(rule.applies_to)}，查重线{rule.max_percent}%；{_clip(rule.consequence)}"
        add(
            "plagiarism",
            ("papers",),
            text,
            rule.clause,
            levels=_levels(rule.levels),
            asks=tuple(rule.asks),
            search_extra="查重 重复率 抄袭率 相似度 论文",
        )
    h = notice.continuing_education_hours
    if h:
        bits = []
        if h.public_hours is not None:
            bits.append(f"公需科目不少于{h.public_hours}学时")
        if h.professional_hours is not None:
            bits.append(f"专业科目不少于{h.professional_hours}学时")
        if h.period:
            bits.append(f"统计期间{h.period}")
        said = " ".join(i.text for i in notice.topic_items("continuing_education"))
        if bits and not all(b.split("不少于")[-1] in said for b in bits if "学时" in b):
            add(
                "ce_hours",
                ("continuing_education",),
                "继续教育：" + "，".join(bits),
                h.clause,
                asks=tuple(h.asks),
                search_extra="继续教育 学时 课时 公需 专业科目",
            )
    return out

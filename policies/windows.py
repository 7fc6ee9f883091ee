"""Where a notice's window stands relative to a given day: not yet open, open (days left), closed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, Optional

from policies.schema import Window

State = Literal["not_yet_open", "open", "due", "started", "closed", "unscheduled"]


@dataclass(frozen=True)
class WindowStatus:
    state: State
    days: Optional[int] = None  # not_yet_open: days until it opens; open/due: days left; closed: days since

    def describe(self, window: Window) -> str:
        """A short Chinese phrase for the state, e.g. 还剩3天 / 已于2020年9月7日截止."""
        if self.state == "not_yet_open":
            return f"尚未开始，{self.days}天后开始"
        if self.state in ("open", "due"):
            prefix = "正在进行，" if self.state == "open" else ""
            when = (
                "今天" + (f"{window.end_time}" if window.end_time else "") + "截止"
                if self.days == 0
                else f"还剩{self.days}天"
            )
            return prefix + when
        if self.state == "started":
            return "已开始，通知未写结束时间"
        if self.state == "closed":
            return f"已于{format_date(window.end)}截止"
        return "具体时间另行通知" if not window.note else "通知未给出具体日期"


def status(window: Window, today: dt.date) -> WindowStatus:
    start, end = window.start, window.end
    if start and today < start:
        return WindowStatus("not_yet_open", (start - today).days)
    if end and today > end:
        return WindowStatus("closed", (today - end).days)
    if end:
        return WindowStatus("open" if start else "due", (end - today).days)
    if start:
        return WindowStatus("started")
    return WindowStatus("unscheduled")


def format_date(d: Optional[dt.date], time: Optional[str] = None) -> str:
    if d is None:
        return ""
    text = f"{d.year}年{d.month}月{d.day}日"
    return f"{text}{time}" if time else text


def format_span(window: Window) -> str:
    """2020年8月17日10:00至2020年9月7日17:00 / 2020年9月11日17:00前 / 另行通知."""
    start = format_date(window.start, window.start_time)
    end = format_date(window.end, window.end_time)
    lead = "拟于" if window.tentative else ""
    if start and end:
        return f"{lead}{start}至{end}"
    if end:
        return f"{lead}{end}前" if window.tentative else f"截止{end}"
    if start:
        return f"{lead}{start}起"
    return ""

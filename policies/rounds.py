"""A notice's round (评审年度) against a given day: which round an answer judges by, and whether it is over.

Every notice in the assistant is one round of one region (e.g. 长治 2022年度). A verdict or an answer
given after that round's application has closed must say so: the current round's notice is not in
the assistant and may differ, so the applicant is pointed to the office the notice names.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from policies.answers import contact_line
from policies.schema import Notice, Window
from policies.windows import format_date

# Window kinds an applicant acts on to enter the round, in the order they are looked for.
ENTRY_KINDS = ("application", "materials")


def entry_window(notice: Notice) -> Optional[Window]:
    """The window in which an applicant enters the round (online application, or handing in
    materials where there is no online step)."""
    for kind in ENTRY_KINDS:
        dated = [w for w in notice.windows_of(kind) if w.end is not None]
        if dated:
            return min(dated, key=lambda w: w.end or dt.date.max)
    return None


def closed_on(notice: Notice, today: dt.date) -> Optional[dt.date]:
    """The day the round's entry window closed, when that is before ``today``; None while it is
    still to come or open. A notice without a dated entry window counts as closed once its
    evaluation year is over (31 December)."""
    window = entry_window(notice)
    if window is not None and window.end is not None:
        return window.end if today > window.end else None
    year_end = dt.date(notice.year, 12, 31)
    return year_end if today > year_end else None


def main_contact(notice: Notice, brief: bool = False) -> Optional[str]:
    """The first office the notice names with a phone number (else the first it names); ``brief``:
    its name and phone only, for a line that must fit a phone screen."""
    chosen = [c for c in notice.contacts if c.phones] or notice.contacts
    if not chosen:
        return None
    first = chosen[0]
    if brief and first.phones:
        return f"{first.name}（电话 {'、'.join(first.phones)}）"
    return contact_line(first)


def over_note(notice: Notice, today: dt.date) -> Optional[str]:
    """What a verdict adds when the round it names is over (None while it is not): the day it
    closed, that a later round's notice is not in the assistant and may differ, and whom to ask."""
    closed = closed_on(notice, today)
    if closed is None:
        return None
    contact = main_contact(notice, brief=True)
    ask = f"请以最新通知为准，或咨询{contact}" if contact else "请以最新通知为准"
    return f"注意：这一轮已于{format_date(closed)}截止。之后年度的通知本助手尚未收录，条件可能不同，{ask}。"

"""Values from a request, each read by one helper per type: what cannot be read is a 400 (query) or
404 (path), never a 500. Digits are ASCII only after full-width forms are folded (``１２`` is 12;
``²``, ``①`` and ``٣`` are refused, although Python's ``str.isdigit`` accepts them)."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from aiohttp import web

from policies.text import halfwidth

MAX_ROW_ID = 2**31 - 1  # a database integer key (PostgreSQL INTEGER, SQLite within int64)
FIRST_DAY = dt.date(2000, 1, 1)  # the days the dashboard can count: no notice is older, none later
LAST_DAY = dt.date(2099, 12, 31)


def ascii_digits(raw: str) -> Optional[str]:
    """``raw`` as plain ASCII digits, or None when it is anything else."""
    text = halfwidth(raw).strip()
    return text if text and text.isascii() and text.isdigit() else None


def page_number(raw: str, max_digits: int = 9) -> int:
    """A page number from the query (400 for anything but up to ``max_digits`` digits)."""
    digits = ascii_digits(raw)
    if digits is None or len(digits) > max_digits:
        raise web.HTTPBadRequest(text=f"页码应为不超过{max_digits}位的正整数。")
    return int(digits)


def row_id(raw: str) -> int:
    """A row's id from the path (404 for anything that cannot be one)."""
    digits = ascii_digits(raw)
    if digits is None or len(digits) > 10 or not 0 < int(digits) <= MAX_ROW_ID:
        raise web.HTTPNotFound()
    return int(digits)


def in_range(day: dt.date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY

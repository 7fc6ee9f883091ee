"""Mask personal numbers before anything is stored, logged or shown — one function for all.

``mask_personal`` finds mainland mobile numbers (11 digits from 13x–19x) and resident ID numbers
(18 characters, the last may be X, or the old 15 digits; the birth date inside must be a date)
however applicants write them: the digits are taken apart from their separators first — spaces,
dashes (also spaced, ``138 - 1234 - 5678``), dots, slashes, underscores and brackets
(``+86 (138) 1234-5678``, ``110101/19900307/1234``), full-width digits and separators, Chinese
numerals mixed in (``一三八1234五六七八``) — and a mobile may follow a country code (``+86``,
``0086``, ``86``, ``(+86)``) or a leading trunk ``0`` (``013812345678``). A number must begin
and end where a group of digits does, so a longer figure is not cut into one. Mobile numbers keep
their first 3 and last 4 digits, ID numbers their last 4 characters; every other character stays,
so the text keeps its length and layout. Office numbers with an area code (``0355-3036240``),
years, dates, amounts and document numbers are left alone.

It is the one masking function of the project: the tracker store (``bot.plugins.tracker_store``),
the inbox (``bot.storage.assessments``), feedback, the staff audit log (``bot.staff.audit``) and,
through ``install_log_masking``, every log record of the process (standard logging and Rasa's
structlog, tracebacks included); ``safe_for_log`` is what code logs instead of a message's text.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import re
from typing import Any, List, MutableMapping, Optional, Tuple

from policies.text import FULLWIDTH

_DIGITS = {
    **dict(zip("〇零一二三四五六七八九", "00123456789")),
    "幺": "1",
    "两": "2",
    "x": "X",
}
# Between two groups of one number (full-width forms are folded to these first): white space,
# dashes, dots, slashes, underscores and brackets.
_SPACES = set(" \t\u00a0\u2002\u2003\u2009\u3000")
_MARKS = set("-‐‑‒–—―﹣.·・•/\\_()[]【】〈〉《》")
_MAX_GAP = 6  # characters allowed between two digits of one number …
_MAX_MARKS = 3  # … of which at most this many are not white space
_LONGEST = 18  # digits of the longest number masked (an ID card; a mobile with 0086 is 15)
# A mobile, after a country code (86, 0086) and / or a trunk 0; only the 11 digits are masked.
_MOBILE = re.compile(r"(?:0086|86)?0?(1[3-9][0-9]{9})")
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"  # MMDD
_ID18 = re.compile(r"[1-9][0-9]{5}(?:18|19|20)[0-9]{2}" + _DATE + r"[0-9]{3}[0-9X]")
_ID15 = re.compile(r"[1-9][0-9]{5}[0-9]{2}" + _DATE + r"[0-9]{3}")


def _digit(ch: str) -> Optional[str]:
    ch = ch.translate(FULLWIDTH)  # ０-９ → 0-9
    if "0" <= ch <= "9" or ch == "X":
        return ch
    return _DIGITS.get(ch)


def _separator(ch: str) -> Optional[bool]:
    """True for white space, False for another separator mark, None for anything else."""
    if ch in _SPACES:
        return True
    ch = ch.translate(FULLWIDTH)  # （ ） ／ ＿ ． － → ( ) / _ . -
    if ch in _SPACES:
        return True
    return False if ch in _MARKS else None


def _gap_end(text: str, j: int) -> int:
    """Where the separators starting at ``j`` end (``j`` itself when they cannot join two groups)."""
    k, marks, n = j, 0, len(text)
    while k < n and k - j < _MAX_GAP:
        kind = _separator(text[k])
        if kind is None:
            break
        marks += not kind
        if marks > _MAX_MARKS:
            return j
        k += 1
    return k


def _runs(text: str) -> List[Tuple[str, List[int], List[int]]]:
    """Runs of digit-like characters joined by short gaps of separators (``_gap_end``): (digits, the
    index in ``text`` of each digit, the positions in the digits where a group starts)."""
    runs = []
    i, n = 0, len(text)
    while i < n:
        if _digit(text[i]) is None or text[i] in "Xx":
            i += 1
            continue
        digits: List[str] = []
        where: List[int] = []
        starts = [0]
        j = i
        while j < n:
            d = _digit(text[j])
            if d is not None:
                if d == "X" and (not digits or digits[-1] == "X"):
                    break
                digits.append(d)
                where.append(j)
                j += 1
                continue
            k = _gap_end(text, j)
            if k == j or k >= n or _digit(text[k]) is None or (text[k] in "Xx" and len(digits) < _LONGEST - 1):
                break
            starts.append(len(digits))
            j = k
        starts.append(len(digits))
        runs.append(("".join(digits), where, sorted(set(starts))))
        i = max(j, i + 1)
    return runs


def _opens_with_date(digits: str, starts: List[int], i: int) -> bool:
    """Whether the groups from ``starts[i]`` read as a date, year first (``1991-01-1``, ``2023/8/8``):
    two dates side by side (``1991-01-1 2003-7-24``) are not a mobile written in groups of 4-2-1-4."""
    if i + 3 >= len(starts):
        return False
    a, y, m, d = starts[i : i + 4]
    if y - a != 4 or not (1 <= m - y <= 2 and 1 <= d - m <= 2) or digits[a : a + 2] not in ("19", "20"):
        return False
    return 1 <= int(digits[y:m]) <= 12 and 1 <= int(digits[m:d]) <= 31


def _spans(digits: str, starts: List[int]) -> List[Tuple[int, int, int, int]]:
    """(start, end, keep_head, keep_tail) for each number found; a number begins and ends at a
    group boundary (so ``138 1234 5678 2次`` is found, ``123456789012`` is not a mobile) and not
    inside a date. ID numbers (checked by their birth date) are looked for first, then mobile numbers
    in what is left — an ID number can open with 11 digits that look like a mobile."""
    found: List[Tuple[int, int, int, int]] = []
    taken = [False] * len(digits)
    in_date = {i + k for i in range(len(starts)) if _opens_with_date(digits, starts, i) for k in range(3)}
    for kind in ("id", "mobile"):
        for i, a in enumerate(starts):
            if i in in_date:
                continue
            stop = bisect.bisect_right(starts, a + _LONGEST, i + 1)
            for b in reversed(starts[i + 1 : stop]):  # longest first, at most _LONGEST digits
                if any(taken[a:b]):
                    continue
                chunk = digits[a:b]
                if kind == "mobile":
                    m = _MOBILE.fullmatch(chunk)
                    if not m:
                        continue
                    found.append((a + m.start(1), b, 3, 4))
                elif (len(chunk) == 18 and _ID18.fullmatch(chunk)) or (len(chunk) == 15 and _ID15.fullmatch(chunk)):
                    found.append((a, b, 0, 4))
                else:
                    continue
                for k in range(a, b):
                    taken[k] = True
                break
    return found


def mask_personal(text: str) -> str:
    """``text`` with mobile and ID-card numbers masked by ``*`` (same length)."""
    if not text or not isinstance(text, str):
        return text
    chars = None
    for digits, where, starts in _runs(text):
        if len(digits) < 11:
            continue
        for a, b, head, tail in _spans(digits, starts):
            chars = chars or list(text)
            for k in range(a + head, b - tail):
                chars[where[k]] = "*"
    return text if chars is None else "".join(chars)


def mask_value(value: Any) -> Any:
    """``mask_personal`` applied to every string inside lists and dictionaries."""
    if isinstance(value, str):
        return mask_personal(value)
    if isinstance(value, list):
        return [mask_value(v) for v in value]
    if isinstance(value, tuple):
        return tuple(mask_value(v) for v in value)
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    return value


def safe_for_log(text: Optional[str]) -> str:
    """What to log instead of a message: its length and a short digest, never the words."""
    text = text or ""
    return f"<{len(text)} chars {hashlib.sha256(text.encode('utf-8', 'replace')).hexdigest()[:8]}>"


# --- logs ------------------------------------------------------------------------------------------
_REDACT_KEYS = {
    "text",
    "user_text",
    "message",
    "user_message",
    "json_message",
    "parse_data_text",
    "tracker_latest_message",
    "slot_values",
    "rasa_event",
    "rasa_events",
    "response_text",
}
_installed = False


def _mask_record(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 — a broken format string must not lose the record
        message = str(record.msg)
    masked = mask_personal(message)
    if masked != message or record.args:
        record.msg, record.args = masked, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = mask_personal(logging.Formatter().formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = mask_personal(record.exc_text)
    return record


def _structlog_processor(_logger: Any, _name: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        if key in _REDACT_KEYS and key != "event":
            event_dict[key] = "<redacted>"
        else:
            event_dict[key] = mask_value(event_dict[key])
    return event_dict


def install_log_masking() -> None:
    """Every log record made from now on in this process is masked (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _mask_record(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    try:
        import structlog

        config = structlog.get_config()
        processors = list(config.get("processors") or [])
        if _structlog_processor not in processors:
            structlog.configure(processors=[_structlog_processor, *processors])
    except Exception:  # noqa: BLE001 — structlog is only there inside Rasa
        pass

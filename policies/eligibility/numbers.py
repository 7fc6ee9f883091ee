"""Numbers, ranges, dates and durations as applicants write them (issue 21).

Single numerals go through ``cn2an`` (二十六, 二〇一五, 一百二十); what it does not know is handled
here: 俩 / 仨, and adjacent numerals, which are a range and never one number (两三篇 → 2–3,
十一二年 → 11–12, 五六十个 → 50–60; ``cn2an.transform`` would make 两三 23).

A value is an ``int`` or a ``Range`` (low, high). Dates: a year alone is 31 December (the latest it
could be), a month its first day; two-digit years (17年7月, 19年底) are read as 20xx when a month,
底 / 初 or a verb of obtaining follows, never as a duration. Relative dates count from ``today``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterator, List, Optional, Pattern, Tuple, Union

import cn2an

DIGIT = "零〇一二两俩仨三四五六七八九"
CN = f"[{DIGIT}十百千万]"
_COLLOQUIAL = {"俩": 2, "仨": 3}  # what cn2an does not know


def _digit(ch: str) -> int:
    value = cn_number(ch)
    assert value is not None, ch  # the range patterns only let numerals through
    return value


@dataclass(frozen=True)
class Range:
    low: int
    high: int

    def as_list(self) -> List[int]:
        return [self.low, self.high]


Value = Union[int, Range]


AT_LEAST = 10**6  # the top of a range that says "at least" (满2年 / 不少于60学时, ticked)


class Between(int):
    """A count said as a range (两三篇 → 2–3) that every rule reads alike: it compares as its low
    end, and remembers its high end to be shown back as said. Only the interview makes one, once it
    has checked that every condition on the fact gives the same result for every value in it."""

    high: int

    def __new__(cls, low: int, high: int) -> Between:
        value = super().__new__(cls, low)
        value.high = high
        return value

    def __repr__(self) -> str:
        return f"Between({int(self)}, {self.high})"

    def __str__(self) -> str:
        """As stored in a form field and read back by ``Catalogue.coerce``: 2~3."""
        return f"{int(self)}~{self.high}"


def cn_number(token: str) -> Optional[int]:
    """One number: 2022, 三十, 二〇二二, 两, 俩 (a range or a malformed numeral: None)."""
    token = token.strip()
    if not token:
        return None
    if token.isdigit():
        return int(token)
    if token in _COLLOQUIAL:
        return _COLLOQUIAL[token]
    try:
        value = cn2an.cn2an(token.replace("两", "二"), "strict")
    except (ValueError, KeyError, IndexError):
        try:
            value = cn2an.cn2an(token.replace("两", "二"), "smart")
        except (ValueError, KeyError, IndexError):
            return None
    return int(value) if float(value).is_integer() else None


# adjacent numerals: (pattern, times, plus) → a range (low * times + plus, high * times + plus)
_RANGE_PATTERNS: Tuple[Tuple[Pattern[str], int, int], ...] = (
    (re.compile(r"^([一二两俩三四五六七八九])([二两俩仨三四五六七八九])$"), 1, 0),  # 一两, 两三, 三五, 俩仨
    (re.compile(r"^十([一二三四五六七八])([二三四五六七八九])$"), 1, 10),  # 十一二
    (re.compile(r"^([一二两三四五六七八])([二三四五六七八九])十$"), 10, 0),  # 五六十
    (re.compile(r"^([一二两三四五六七八])([二三四五六七八九])百$"), 100, 0),
)


def amount(token: str) -> Optional[Value]:
    """A number or a range as written: 3, 三, 两三, 十一二, 2-3, 两到三 (None: not an amount)."""
    token = token.strip()
    m = re.fullmatch(rf"(\d+|{CN}+)\s*(?:-|~|～|到|至|—)\s*(\d+|{CN}+)", token)
    if m:
        low, high = cn_number(m.group(1)), cn_number(m.group(2))
        if low is not None and high is not None and low < high:
            return Range(low, high)
        return None
    for pattern, times, plus in _RANGE_PATTERNS:
        r = pattern.match(token)
        if r:
            low, high = _digit(r.group(1)) * times + plus, _digit(r.group(2)) * times + plus
            return Range(low, high) if low < high else None
    m2 = re.fullmatch(r"(\d+|[一二两三四五六七八九]?十?)([一二三四五六七八九])([二三四五六七八九])", token)
    if m2 and "十" in m2.group(1):  # 二十三四
        base = cn_number(m2.group(1))
        a, b = _digit(m2.group(2)), _digit(m2.group(3))
        if base is not None and a < b:
            return Range(base + a, base + b)
    return cn_number(token)


# An amount in text: Arabic (with a range), Chinese numerals, 俩 / 仨.
AMOUNT = rf"(?:\d+(?:\.\d+)?(?:\s*(?:-|~|～|到|至)\s*\d+)?|{CN}+(?:(?:到|至){CN}+)?)"


_ORDINAL = re.compile(r"第(?:[一二三四五六七八九十]|\d+)")  # 排第一一个发明专利: 第一 is a rank, 一个 the count


def find_amounts(text: str, unit: str = "") -> List[Tuple[Value, re.Match[str]]]:
    """Every amount in ``text`` followed by ``unit`` (a regular expression; "" for any), in order."""
    out: List[Tuple[Value, re.Match[str]]] = []
    for m in re.finditer(
        rf"(?<!第)({AMOUNT})\s*{unit}", _ORDINAL.sub(lambda o: "第" + "#" * (len(o.group(0)) - 1), text)
    ):
        token = m.group(1)
        if re.fullmatch(r"\d+\.\d+", token):
            continue
        value = amount(token)
        if value is not None:
            out.append((value, m))
    return out


def find_amount(text: str, unit: str = "") -> Optional[Tuple[Value, re.Match[str]]]:
    """The first amount in ``text`` followed by ``unit``."""
    found = find_amounts(text, unit)
    return found[0] if found else None


def scale(value: Value, factor: int, plus: int = 0) -> Value:
    if isinstance(value, Range):
        return Range(value.low * factor + plus, value.high * factor + plus)
    return value * factor + plus


# ---------------------------------------------------------------------------------------------
# Dates


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    day: Optional[dt.date]  # None: ambiguous (14年还是15年)


_YEAR4 = r"((?:19|20)\d{2})\s*(?:年|[.\-/](?=\s*\d))"
_YEAR2 = (
    r"(?<![\d.了满干有交放存近快当做任])(\d{2})\s*年"
    r"(?=\s*(?:\d{1,2}\s*月|[一二三四五六七八九十]{1,2}月|底|初|末|的|评|拿|取得|获得|聘|考|才|毕业|入职|见习|退休|就|刚|还是|或|到"
    r"|助理|助工|中级|初级|高级|副高|高工|工程师|技术员|技师|职称|参加工作|参工|下的|下证"
    r"|中专|大专|本科|专科|研究生|硕士|博士|高中|技校))"
)
_CN_YEAR = rf"([{DIGIT}]{{4}})\s*年"
# 一七年 / 二一年 / 九八年 said with what dates it (一七年评的, 二一年聘的): a two-digit year in numerals
# (a decade of 1990–2029 only, so 五六年 stays a duration; never after 了/有/干: 干了一二年)
_CN_YEAR2 = (
    r"(?<![零〇一二两三四五六七八九十百千万第几了满干有交放存近快当做任])([〇零一二九][〇零一二三四五六七八九])\s*年"
    + _YEAR2[_YEAR2.index("(?=") :].replace("|的|", "|")
)
_TITLE_YEAR2 = (
    r"(?:(?<=助工)|(?<=助理)|(?<=中级)|(?<=中工)|(?<=初级)|(?<=副高)|(?<=高工)|(?<=工程师)|(?<=技术员))"
    r"\s+(\d{2})\s*年(?=\s+[^\d\s了多半以]|\s*$|\s*[，,。；;])"
)
_MONTH = r"\s*(\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月(?:份)?(?:\s*(\d{1,2})\s*[日号])?"
_EVENT_AFTER = re.compile(r"的|[^，。,]{0,2}?(?:评|拿|取得|获得|聘|考|退|刚|才|转|入职|毕业)")
_RELATIVE = {"大前年": 3, "前年": 2, "去年": 1, "今年": 0}
_BARE_YEAR = (
    r"(?:^|(?<=[\s，,、：:（(]))((?:19|20)\d{2})(?=\s*$|\s*[，,。；;、）)]|\s+(?![万千百亿元块个篇项次人年月号日学]))"
)


def _month(token: Optional[str]) -> Optional[int]:
    if not token:
        return None
    n = cn_number(token)
    return n if n is not None and 1 <= n <= 12 else None


def _make(year: int, month: Optional[int], day: Optional[int], tail: str) -> dt.date:
    if month:
        try:
            return dt.date(year, month, day or 1)
        except ValueError:
            return dt.date(year, month, 28)
    if tail.startswith(("初",)):
        return dt.date(year, 1, 1)
    return dt.date(year, 12, 31)


def _cn_digits(raw: str) -> int:
    """一七 → 17: numerals read digit by digit."""
    return int("".join(str("〇一二三四五六七八九".index(c)) if c != "零" else "0" for c in raw))


def full_year(year: int, today: dt.date) -> int:
    """17 → 2017, 99 → 1999: a two-digit year is this century's unless that is still to come."""
    if year >= 100:
        return year
    return year + (2000 if year <= today.year % 100 else 1900)


def minus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def find_dates(text: str, today: dt.date, year_before: Optional[int] = None) -> List[Found]:
    """Every date in ``text`` with its span: 2017年7月, 17年7月, 19年底, 二〇一五年, 2017.6, 去年12月,
    前年, 今年3月, 三年前, 同年8月 / 当年聘的 (the year of the date said before it; ``year_before``:
    that of an earlier clause). "14年还是15年" is one ambiguous date (``day`` None)."""
    found: List[Found] = []
    taken = [False] * len(text)

    def add(start: int, end: int, day: Optional[dt.date]) -> None:
        if any(taken[start:end]):
            return
        for i in range(start, end):
            taken[i] = True
        found.append(Found(start, end, day))

    for m in re.finditer(r"((?:19|20)\d{2})\s*[.\-/]\s*(\d{1,2})(?!\d)(?:\s*[.\-/]\s*(\d{1,2})(?!\d))?", text):
        month = _month(m.group(2))
        if month and int(m.group(1)) <= today.year + 1:  # 2017.6, 2017-07, 2017/6/1
            add(m.start(), m.end(), _make(int(m.group(1)), month, int(m.group(3)) if m.group(3) else None, ""))
    # 19.7评的 / 19.07拿的: a two-digit year and its month, said with what dates it
    for m in re.finditer(r"(?<![\d.])(\d{2})\s*\.\s*(\d{1,2})(?![\d.])", text):
        month = _month(m.group(2))
        short = full_year(int(m.group(1)), today)
        if month and 1950 <= short <= today.year and _EVENT_AFTER.match(text, m.end()):
            add(m.start(), m.end(), _make(short, month, None, ""))
    # a bare year standing alone in a list (本科 工程师 2016 国企): a date, not an amount (2016 万)
    for m in re.finditer(_BARE_YEAR, text):
        if int(m.group(1)) <= today.year:
            add(m.start(), m.end(), _make(int(m.group(1)), None, None, ""))
    # 助工 19年 / 中级 21年: a two-digit year right after a title, in a list of short clauses
    for m in re.finditer(_TITLE_YEAR2, text):
        said = full_year(int(m.group(1)), today)
        if 1950 <= said <= today.year:
            add(m.start(1), m.end(), _make(said, None, None, ""))
    for m in re.finditer(rf"(?:{_YEAR4}|{_CN_YEAR}|{_YEAR2}|{_CN_YEAR2})(?:{_MONTH})?(底|初|末)?", text):
        raw = m.group(1) or m.group(2) or m.group(3) or m.group(4)
        year = int(raw) if raw.isdigit() else cn_number(raw) if m.group(4) is None else _cn_digits(raw)
        if year is None:
            continue
        year = full_year(year, today)
        if not 1950 <= year <= today.year + 1:
            continue
        month = _month(m.group(5))
        dd = int(m.group(6)) if m.group(6) else None
        add(m.start(), m.end(), _make(year, month, dd, m.group(7) or ""))
    for m in re.finditer(rf"(大前年|前年|去年|今年)(?:{_MONTH})?(底|初|末)?", text):
        year = today.year - _RELATIVE[m.group(1)]
        month = _month(m.group(2))
        if (
            not month
            and not m.group(4)
            and not _EVENT_AFTER.match(text, m.end())
            and not re.search(r"(?:是|于)$", text[: m.start()])
        ):
            continue  # 今年重庆的副高, 今年35岁: the year of something else, not a date said
        if m.group(1) == "今年" and not month and not m.group(4):
            day: dt.date = today
        else:
            day = _make(year, month, int(m.group(3)) if m.group(3) else None, m.group(4) or "")
        add(m.start(), m.end(), day)
    for m in re.finditer(r"(上个?|这个?|本)月(?:份)?", text):  # 上个月刚拿到
        back = 1 if m.group(1).startswith("上") else 0
        y, mo = divmod(today.year * 12 + today.month - 1 - back, 12)
        add(m.start(), m.end(), dt.date(y, mo + 1, 1))
    for m in re.finditer(rf"({AMOUNT})\s*年(?:前|以前)", text):
        n = amount(m.group(1))
        if isinstance(n, int) and 0 < n < 60:
            add(m.start(), m.end(), minus_years(today, n))
    found.sort(key=lambda f: f.start)
    for m in re.finditer(rf"(?:同年|当年)(?:{_MONTH})?(底|初|末)?", text):
        earlier = [f.day.year for f in found if f.end <= m.start() and f.day is not None]
        year = earlier[-1] if earlier else year_before
        if year is None or (not m.group(1) and not m.group(3) and not _EVENT_AFTER.match(text, m.end())):
            continue  # 当年的事: no date said before it, or not a date (back then)
        add(
            m.start(),
            m.end(),
            _make(year, _month(m.group(1)), int(m.group(2)) if m.group(2) else None, m.group(3) or ""),
        )
    found.sort(key=lambda f: f.start)
    # 14年还是15年 / 14或15年: two dates offered as alternatives are one unknown date
    merged: List[Found] = []
    for f in found:
        if merged and re.fullmatch(r"\s*(?:还是|或者|或|/)\s*", text[merged[-1].end : f.start]):
            merged[-1] = Found(merged[-1].start, f.end, None)
        else:
            merged.append(f)
    return merged


def iter_dates(text: str, today: dt.date) -> Iterator[dt.date]:
    for f in find_dates(text, today):
        if f.day is not None:
            yield f.day


# ---------------------------------------------------------------------------------------------
# Durations


_DURATION = re.compile(
    rf"(?P<pre>满|整整|已经|已|有|了)?\s*(?P<n>{AMOUNT}|半)\s*(?P<more>多)?\s*(?:个)?\s*(?P<unit>年|个?月)(?P<half>半)?"
    rf"(?:\s*(?:零)?\s*(?P<m>{AMOUNT})\s*个?月)?(?P<tail>多|以上|出头|左右)?"
)


_SHORT_OF = re.compile(rf"差\s*(?P<n>{AMOUNT})\s*个\s*月\s*(?:就|才)?满\s*(?P<y>{AMOUNT})\s*(?:个)?\s*年")


def find_duration(
    text: str, months: bool, dates: Optional[List[Found]] = None
) -> Optional[Tuple[Optional[Value], int, int]]:
    """The first duration in ``text``: (value in years or months, start, end); the value is None when
    it is vague (三年多, 十来年, 快五年). Dates (17年7月, 2017年) are skipped."""
    spans = [(f.start, f.end) for f in dates or []]
    short = _SHORT_OF.search(text)  # 差三个月满五年: 57 months, and no whole number of years
    if short and not any(s <= short.start() < e for s, e in spans):
        years, less = amount(short.group("y")), amount(short.group("n"))
        if months and isinstance(years, int) and isinstance(less, int) and less < 12 * years:
            return 12 * years - less, short.start(), short.end()
        return None, short.start(), short.end()
    for m in _DURATION.finditer(text):
        if any(s <= m.start("n") < e for s, e in spans):
            continue
        token = m.group("n")
        if re.fullmatch(r"(?:19|20)\d{2}", token):
            continue
        before = text[max(0, m.start() - 3) : m.start("n")]
        vague = bool(
            m.group("more")
            or m.group("tail")
            or re.search(r"(?:快|近|差不多|接近|不到|大约|约|第)\s*$", before)  # 第十一年: not 11 whole years
            or re.match(r"[几来]", text[m.end("n") : m.end("n") + 1])
            or re.search(r"差[^，。,满]{1,6}满?\s*$", text[max(0, m.start("n") - 10) : m.start("n")])
        )  # 差三个月满五年: short of it
        if re.search(r"[几来多]", token):
            vague = True
        value: Optional[Value]
        if token == "半":
            value = None if m.group("unit") == "年" and not months else 6
            if value is None:
                continue
        else:
            value = amount(token)
            if value is None:
                continue
        if m.group("unit") == "年":
            if months:
                plus = 6 if m.group("half") else 0
                extra = amount(m.group("m")) if m.group("m") else 0
                if isinstance(extra, Range):
                    return None, m.start(), m.end()
                value = scale(value, 12, plus + (extra or 0)) if token != "半" else 6
            elif m.group("half"):
                vague = True  # 两年半 is not a whole number of years
        elif not months:
            continue  # 8个月 is not a number of years
        return (None if vague else value), m.start(), m.end()
    return None

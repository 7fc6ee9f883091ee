"""Read applicant facts: the answer to the question asked, and everything else a message states.

``parse_facts(text, catalogue, today, requested=None)`` returns a :class:`Parsed` with the facts
found (values typed as the engine expects: bool, int, ISO date string, ordered codes; a range as
[low, high]) and whether the user said they do not know the requested one. ``requested`` is the
fact just asked: a bare "有" / "两篇" / "2017年6月" / "没有" is read as its answer; the rest of the
message is read by ``freetext.read_free`` (``read_facts``: only what is stated, nothing implied).
``read_correction`` reads "不对，是2018年" against the facts shown back last; ``parse_exclusions``,
``parse_checklist`` and ``parse_together`` read the answers to the questions asked as a group.

The words of every fact are in facts.yml ``reading:``; here only the words of answering (是 / 没有 /
不清楚 / 算了). Pure Python: no Rasa, no network.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from policies.chars import normalize
from policies.eligibility import interview
from policies.eligibility.catalogue import Catalogue
from policies.eligibility.freetext import prepare, read_free
from policies.eligibility.numbers import Range, cn_number, find_amounts, find_dates, find_duration, full_year

_CN_NUM = "[零〇一二两俩三四五六七八九十百千万]+"
_NUM = rf"(\d+(?:\.\d+)?|{_CN_NUM}|半)"


def cn_to_int(text: str) -> Optional[int]:
    """三十 → 30, 十五 → 15, 二百零五 → 205, 两 → 2, 2022 → 2022, 二〇二二 → 2022 (``numbers.cn_number``)."""
    return cn_number(text)


def _number(token: str) -> Optional[float]:
    if token == "半":
        return 0.5
    try:
        return float(token)
    except ValueError:
        value = cn_to_int(token)
        return float(value) if value is not None else None


YES = (
    "是的",
    "是啊",
    "对的",
    "对",
    "有的",
    "有",
    "嗯",
    "好的",
    "当然",
    "没错",
    "肯定",
    "合格",
    "满了",
    "够了",
    "yes",
    "y",
    "ok",
    "是",
    "参加了",
    "受聘了",
    "达到",
    "达标",
)
NO = ("不是", "不对", "没有", "没", "无", "否", "不", "no", "n", "不合格", "不够", "还没", "未", "从来没")
STOP = (
    "算了",
    "不测了",
    "不问了",
    "不想答",
    "不想回答",
    "不评了",
    "停止",
    "退出",
    "取消",
    "以后再说",
    "先这样",
    "不用了",
    "重新开始",
    "重新评估",
    "从头",
    "重来",
)
DONT_KNOW = ("不知道", "不清楚", "不确定", "不记得", "忘了", "说不准", "跳过", "不好说", "不懂")


@dataclass
class Parsed:
    facts: Dict[str, Any] = field(default_factory=dict)
    dont_know: bool = False  # the requested fact: the user does not know

    def __bool__(self) -> bool:
        return bool(self.facts) or self.dont_know


def _negated(catalogue: Catalogue, text: str, start: int, width: int = 3) -> bool:
    """A negation word of facts.yml ``reading:`` in the ``width`` characters before ``start``."""
    w = catalogue.wording
    return w is not None and bool(w.negation.search(text[max(0, start - width) : start]))


def _first_word(text: str, catalogue: Catalogue, fact: str) -> Optional[Tuple[int, Any]]:
    """The earliest of the fact's words (facts.yml ``reading:``) in ``text``, the longest where two
    start together (不对口 before 对口): (position, value)."""
    fw = catalogue.wording.words_of(fact) if catalogue.wording else None
    best: Optional[Tuple[int, int, Any]] = None
    for pattern, value in fw.values if fw else ():
        for m in pattern.finditer(text.lower()):
            key = (m.start(), -(m.end() - m.start()), value)
            if best is None or key[:2] < best[:2]:
                best = key
    return (best[0], best[2]) if best else None


def _yes_no(text: str) -> Optional[bool]:
    t = text.strip().lower().rstrip("。！!.~ 啊呀哦吧")
    for word in sorted(NO, key=len, reverse=True):
        if t.startswith(word) and not any(t.startswith(y) for y in YES if len(y) > len(word)):
            return False
    for word in sorted(YES, key=len, reverse=True):
        if t.startswith(word):
            return True
    return None


def parse_date(text: str, today: dt.date) -> Optional[dt.date]:
    m = re.search(r"((?:19|20)\d{2})\s*(?:年|[.\-/])\s*(\d{1,2})?\s*(?:月)?(?:\s*(\d{1,2})\s*[日号])?", text)
    if m:
        year, month, day = int(m.group(1)), m.group(2), m.group(3)
        if month and 1 <= int(month) <= 12:
            d = int(day) if day else 1
            try:
                return dt.date(year, int(month), d)
            except ValueError:
                return dt.date(year, int(month), 28)
        return dt.date(year, 12, 31)  # year only: the latest it could be
    m = re.search(rf"({_CN_NUM}|\d+)\s*年\s*({_CN_NUM}|\d+)\s*月", text)
    if m:  # 二〇一七年六月
        y, mo = cn_to_int(m.group(1)), cn_to_int(m.group(2))
        if y and 1900 < y < 2100 and mo and 1 <= mo <= 12:
            return dt.date(y, mo, 1)
    for word, back in (("前年", 2), ("去年", 1), ("今年", 0)):
        if word in text:
            return dt.date(today.year - back, 12, 31) if back else today
    years = parse_years(text)
    if years is not None and re.search(r"(前|了)", text):
        return _minus_years(today, years)
    return None


def _minus_years(day: dt.date, years: float) -> dt.date:
    months = int(round(years * 12))
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    try:
        return dt.date(y, m + 1, day.day)
    except ValueError:
        return dt.date(y, m + 1, 28)


def parse_years(text: str) -> Optional[float]:
    """五年 → 5, 快五年了 → 4.9 (not yet five), 五年多 / 五年以上 → 5, 一年半 → 1.5."""
    m = re.search(rf"(快|将近|差不多|接近|不到)?\s*{_NUM}\s*(?:多)?\s*(?:个)?\s*年(半)?(多|以上|出头)?", text)
    if not m:
        return None
    value = _number(m.group(2))
    if value is None or value > 80:
        return None  # 2017年 is a year, not a duration
    if m.group(3):
        value += 0.5
    if m.group(1) in ("快", "将近", "接近", "不到"):
        value -= 0.1
    return value


def parse_months(text: str) -> Optional[int]:
    """A duration in months (facts counted 满1年 = 12个月): 8个月 → 8, 1年2个月 → 14, 一年半 → 18,
    两年 → 24, 快一年了 → 11 (not yet twelve), 半年 → 6."""
    m = re.search(rf"(快|将近|差不多|接近|不到)?\s*{_NUM}\s*(?:多)?\s*年\s*(?:零)?\s*{_NUM}\s*(?:多)?\s*个?\s*月", text)
    if m:
        years, months = _number(m.group(2)), _number(m.group(3))
        if years is not None and months is not None and years <= 80:
            return int(years * 12 + months) - (1 if m.group(1) in ("快", "将近", "接近", "不到") else 0)
    m = re.search(rf"(快|将近|差不多|接近|不到)?\s*{_NUM}\s*(?:多)?\s*个\s*(?:多)?\s*月", text)
    if m:
        value = _number(m.group(2))
        if value is not None:
            return int(value) - (1 if m.group(1) in ("快", "将近", "接近", "不到") else 0)
    if re.search(r"(?<![一两二三四五六七八九十\d])半年", text):
        return 6
    years = parse_years(text)
    if years is None:
        return None
    if years != int(years) and (years * 10) % 10 == 9:  # 快N年: not yet
        return int(round(years + 0.1) * 12) - 1
    return int(round(years * 12))


def parse_count(text: str) -> Optional[int]:
    m = re.search(_NUM, text)
    if not m:
        return None
    value = _number(m.group(1))
    return int(value) if value is not None else None


def _value_for(
    fact: str,
    ftype: str,
    text: str,
    today: dt.date,
    options: Dict[str, str],
    unit: Optional[str] = None,
    catalogue: Optional[Catalogue] = None,
) -> Any:
    """Read ``text`` as the answer to ``fact`` (the question just asked)."""
    if ftype == "bool":
        if catalogue is not None and catalogue.wording is not None:
            text = prepare(text, catalogue.wording)  # as free text is read: 没有不合格的 → 都合格, typos, English
        yes = _yes_no(text)
        if fact.startswith("assessment") and re.search("合格|称职", text):  # 都合格 / 去年不合格 / 有不合格的
            # 基本合格 / 基本称职 is below 合格; a year not assessed (17年没参加考核) is not one passed
            yes = not re.search(r"(不|没|未|基本)(?:合格|称职)|(?:没|未)(?:有)?(?:参加|参与|进行|搞)?考核", text)
        if yes is None and fact.endswith("_related"):  # 相近 / 不相关 to a "same or related?" question
            hit = _first_word(text, catalogue, "education_related") if catalogue else None
            yes = hit[1] if hit else None
            if yes is None and (bare := re.search(r"(不)?(相近|相同|相关|一致)", text)):
                yes = bare.group(1) is None
        return yes
    if ftype == "int":
        return _answer_number(text, unit, catalogue)
    if ftype == "date":
        d = _answer_date(text, today)
        return d.isoformat() if d else None
    if ftype == "education":
        hit = _first_word(text, catalogue, fact) if catalogue else None
        return hit[1] if hit else None
    if ftype in ("title", "skill"):
        hit = _first_word(text, catalogue, fact) if catalogue else None
        if hit:
            return "none" if catalogue is not None and _negated(catalogue, text, hit[0]) else hit[1]
        return "none" if _yes_no(text) is False else None
    if ftype == "choice":
        t = text.strip()
        exact = [value for value, label in options.items() if t in (value, label)]
        if exact:
            return exact[0]
        for value, label in options.items():
            if (
                t == value
                or t in label
                or label.startswith(t)
                or any(part and part in t for part in re.split(r"[、，,或（）()]", label))
            ):
                return value
        hit = _first_word(text, catalogue, fact) if catalogue else None
        if hit and catalogue is not None and not _negated(catalogue, text, hit[0], 5):
            return hit[1]
    return None


def _answer_number(text: str, unit: Optional[str], catalogue: Optional[Catalogue]) -> Any:
    """A number answering "几篇 / 几年 / 几个月": 两篇, 3, 两三篇 → [2, 3], 没有 / 一篇也没有 → 0. A
    vague count (好几篇, 十来年) is not read; a duration said as at least (五年多, 两年半) counts its
    whole years, one said as not yet (快五年) one less."""
    t = text.strip()
    zero = catalogue.wording.zero if catalogue is not None and catalogue.wording is not None else None
    if re.search(r"(?:19|20)\d{2}\s*(?:年|[.\-/]\d)", t):
        return None  # a date, not a number of years or items
    counted = find_amounts(t)
    one_even = re.search(r"(?<![\d一二两三四五六七八九十])[一1]\s*[篇项个次位名件]?\s*[都也]\s*(?:没|不|无)", t)
    if zero is not None and zero.search(t) and not (counted and not one_even):
        return 0  # 没有 / 一篇也没有 answers "几篇？"
    if unit in ("年", "个月"):
        got = find_duration(t, unit == "个月")
        if unit == "年" and got is not None and got[0] is None and re.search(r"差[^，。]{1,6}满", t):
            return None  # 差三个月满五年: not a whole number of years
        if got is not None and got[0] is not None:
            return got[0].as_list() if isinstance(got[0], Range) else got[0]
        if re.search(r"[几来]", t):
            return None  # 十来年, 好几年: not a number
        if unit == "个月":
            return parse_months(t) if re.search(r"[年月]", t) else parse_count(t)
        years = parse_years(t)
        if years is not None and "年" in t:
            return int(years)
    if counted:
        value, m = counted[0]
        if re.match(r"\s*[几来多余]", t[m.end() :]) or re.search(r"[几来]", m.group(0)):
            return None  # 二十多个, 十几篇
        return value.as_list() if isinstance(value, Range) else value
    return None


def _answer_date(text: str, today: dt.date) -> Optional[dt.date]:
    """A date answering "哪年哪月": 2017年7月, 17年7月, 19年底, 前年, 2019, 17年 (a year alone is its
    31 December); 14年还是15年 is not one date."""
    t = text.strip()
    if re.search(r"\d\s*年?\s*(?:还是|或者|或)\s*\d|\d\s*年\s*/\s*\d", t):
        return None  # 14年还是15年: the applicant is not sure
    found = find_dates(t, today)
    if found:
        return found[0].day
    bare = re.fullmatch(r"(?:(?:19|20)?(\d{2}))\s*年?(?:的|吧|左右)?", t)
    if bare and (len(t) >= 4 and t[:2] in ("19", "20") or "年" in t):
        year = int(t[:4]) if re.match(r"(?:19|20)\d{2}", t) else full_year(int(bare.group(1)), today)
        if 1950 <= year <= today.year:
            return dt.date(year, 12, 31)
    return parse_date(t, today)


def _other_relatedness(fact: Optional[str]) -> bool:
    """A "same or related?" fact other than the degree's (继续教育): 相近 in its answer is not about
    ``education_related``."""
    return fact is not None and fact != "education_related" and fact.endswith("_related")


def parse_facts(
    text: str,
    catalogue: Catalogue,
    today: dt.date,
    requested: Optional[str] = None,
    places: Sequence[str] = (),
) -> Parsed:
    text = normalize(text or "").strip()
    out = Parsed()
    if not text or any(w in text for w in STOP):
        return out  # stopping or starting over is not an answer
    specs = catalogue.specs
    if requested in specs and any(w in text for w in DONT_KNOW):
        out.dont_know = True
    own, said = None, text  # the fact asked's words, and the answer as free text is read
    # 1. the answer to the question just asked
    if requested is not None and requested in specs and not out.dont_know:
        spec = specs[requested]
        value = _value_for(requested, spec.type, text, today, catalogue.options(requested), spec.unit, catalogue)
        if value is None and spec.type == "choice" and spec.from_bool:  # 有 / 没有 to a choice
            yes = _yes_no(text)
            value = spec.from_bool.get(yes) if yes is not None else None
        own = catalogue.wording.facts.get(requested) if catalogue.wording is not None else None
        if catalogue.wording is not None and own is not None and own.keywords is not None:
            said = prepare(text, catalogue.wording)  # once: its own keyword and another kind are read in it
        other = _other_kind(requested, said, catalogue)
        if value is not None and other is not None:
            out.facts[requested], out.facts[other] = 0, value  # "几篇一作？" "就一篇 我是二作"
        elif value is not None:
            out.facts[requested] = value
        if text in {normalize(label) for label in catalogue.options(requested).values()}:
            return out  # a button: it answers the question asked and nothing else
    # 2. everything else stated in passing
    free, _ = read_free(text, catalogue, today, places)
    if requested in free and own is not None and own.keywords is not None and own.keywords.search(said):
        # the answer names the fact's own keyword ("3篇 一篇一作两篇二作"): the number said with it
        out.facts[requested] = free[requested]
    for fact, value in free.items():
        if fact == "education_related" and _other_relatedness(requested):
            continue  # 相近 here answers the question asked (继续教育), not about the degree
        if fact == "current_title" and requested == "months_in_engineering_post":
            continue
        out.facts.setdefault(fact, value)
    for when, then in catalogue.wording.implies if catalogue.wording else ():
        if all(out.facts.get(f) == v for f, v in when.items()):
            for f, v in then.items():
                out.facts.setdefault(f, v)
    return out


def _other_kind(fact: str, text: str, catalogue: Catalogue) -> Optional[str]:
    """The fact a number answering ``fact``'s question counts instead, when the answer says it is
    another kind and does not also name the fact's own keyword (facts.yml ``other_kind``)."""
    fw = catalogue.wording.facts.get(fact) if catalogue.wording is not None else None
    if fw is None or fw.other_kind is None:
        return None
    says, other = fw.other_kind
    if not says.search(text) or (fw.keywords is not None and fw.keywords.search(text)):
        return None
    return other


NONE_OF_THESE = ("都没有", "都不是", "都不", "一个都没有", "没有", "没", "无", "都无", "不是", "否", "no")


def parse_exclusions(
    text: str, facts: List[str], catalogue: Catalogue, labels: Optional[Dict[str, str]] = None
) -> Parsed:
    """The answer to the exclusions asked together: the ticked ones true, the others false
    (都没有 / 没有: all false); 不清楚: ``dont_know``. Nothing recognised: no facts (asked again).

    A button's label names one exclusion; typed text may name several (退休了，也在处分期).
    A negated mention (不是公务员) is not ticked.
    """
    text = normalize(text or "").strip()
    out = Parsed()
    if not text or any(w in text for w in STOP):
        return out
    if any(w in text for w in DONT_KNOW):
        out.dont_know = True
        return out
    ticked: Set[str] = set()
    for fact in facts:
        label = (labels or {}).get(fact) or catalogue.specs[fact].label
        if label and normalize(label) in text:
            ticked.add(fact)
    denied: Set[str] = set()
    for fact in facts:
        fw = catalogue.wording.words_of(fact) if catalogue.wording else None
        for pattern, value in fw.values if fw else ():
            m = pattern.search(text.lower()) if value is True else None
            if m is not None:
                (denied if _negated(catalogue, text, m.start(), 4) else ticked).add(fact)
    t = text.rstrip("。！!.~ 啊呀哦吧的了")
    if ticked:
        out.facts = {f: f in ticked for f in facts}
    elif denied and "都" not in text:  # 不是公务员，也没退休: only those named are denied
        out.facts = {f: False for f in facts if f in denied}
    elif any(t.startswith(w) or t == w for w in NONE_OF_THESE) or t in ("没有", "无"):
        out.facts = {f: False for f in facts}
    return out


# A checklist ("以下哪些符合您的情况？") answered in words: 档案在简阳 / 在简阳上班 / 单位在简阳注册 …;
# (不|没) in the match denies it.
ALL_APPLY = (
    "都符合",
    "全部符合",
    "全都符合",
    "都满足",
    "全部满足",
    "都达到",
    "都达标",
    "都有",
    "都是",
    "全是",
    "都对",
    "全部",
)
# "3不符合，其他都符合" / "除了论文，都满足": the lines not named are yes
_REST_YES = re.compile(
    r"(?:其他|其余|其它|别的|剩下的?)(?:的)?(?:也)?(?:都|全|全都)?(?:符合|满足|有|是|达到|达标|可以|没问题)"
    r"|(?<=[^\s，,、；;。])[，,]?(?:以外|之外)?[，,]?(?:都|全|全都)(?:符合|满足|有|达到|达标)$"
)
_NUMBERS_ONLY = re.compile(r"^[0-9一二三四五六七八九\s,，、和及与;；.。]+$")


_LIST_PARTS = re.compile(r"[，,、；;。\s]+")
_NUMBERED = re.compile(
    r"^(?:第)?(?P<n>[0-9]|[一二三四五六七八九])(?:项|条|个)?(?P<no>不符合|不是|没有|不对|否)?(?:符合|是|有|对)?$"
    r"|^(?P<no2>不符合|不是|没有)(?:第)?(?P<n2>[0-9]|[一二三四五六七八九])(?:项|条)?$"
)


def _line_number(token: str) -> int:
    return int(token) if token.isdigit() else cn_number(token) or 0


def parse_checklist(text: str, facts: List[str], labels: Dict[str, str], catalogue: Catalogue) -> Parsed:
    """The answer to a checklist asked with numbered lines: the numbers (1 3 / 一、三), the labels
    or words naming them are yes and the others no (with 不清楚, "1，其他不清楚": not known);
    都符合: all yes; 都不符合 / 都没有: all no; 不清楚 alone: ``dont_know``. Nothing recognised: no
    facts (asked again)."""
    t = normalize(text or "").strip()
    out = Parsed()
    if not t or any(w in t for w in STOP):
        return out
    unsure = any(w in t for w in DONT_KNOW)
    for w in DONT_KNOW:  # "1，其他不清楚": the numbers still count
        t = t.replace(w, " ")
    rest_yes = _REST_YES.search(t) if not unsure else None
    if rest_yes and rest_yes.start() > 0:  # "3不符合，其他都符合" / "除了3都符合": the named ones no, the rest yes
        return _all_but(t[: rest_yes.start()], facts, labels)
    t = re.sub(r"(其他|其余|别的|剩下的)(都|的)?", " ", t).strip()
    if unsure and not t.strip(" ，,。、"):
        out.dont_know = True
        return out
    bare = t.rstrip("。！!.~ 啊呀哦吧的了")
    if any(bare.startswith(w) for w in ALL_APPLY) and not bare.startswith("都不"):
        out.facts = {f: True for f in facts}
        return out
    rest: Any = interview.DONT_KNOW if unsure else False  # what the unticked ones are
    if _NUMBERS_ONLY.match(t):
        picked = {int(c) if c.isdigit() else (cn_number(c) or 0) for c in t if c.isdigit() or c in "一二三四五六七八九"}
        if picked and all(1 <= n <= len(facts) for n in picked):
            out.facts = {f: True if (i + 1) in picked else rest for i, f in enumerate(facts)}
        return out
    # Numbered parts among words: "2，1不符合，其他不清楚" / "1符合，3没有".
    numbered: Dict[str, bool] = {}
    words = []
    for part in _LIST_PARTS.split(t):
        m = _NUMBERED.match(part.strip())
        n = _line_number(m.group("n") or m.group("n2")) if m else 0
        if m is not None and 1 <= n <= len(facts):  # (no match: n is 0)
            numbered[facts[n - 1]] = not (m.group("no") or m.group("no2"))
        elif part.strip():
            words.append(part)
    t = "，".join(words)
    said: Dict[str, bool] = {f: True for f in facts if normalize(labels.get(f, "")) and normalize(labels[f]) in t}
    for fact in facts:
        fw = catalogue.wording.words_of(fact) if catalogue.wording else None
        m = fw.answers.search(t) if fw is not None and fw.answers is not None else None
        if fact not in said and m:
            said[fact] = not re.search(r"不|没|非", m.group(0))
    said = {**said, **numbered}
    if any(said.values()):
        out.facts = {f: said.get(f, rest) for f in facts}
    elif said and "都" not in t:  # 档案不在简阳: only those named are denied
        out.facts = dict(said)
    elif bare.startswith(("都不", "都没", "没有", "一个都不")) or bare in ("无", "没", "否", "不是", "no"):
        out.facts = {f: False for f in facts}
    return out


def _all_but(named: str, facts: List[str], labels: Dict[str, str]) -> Parsed:
    """ "除了3 / 第三条 / 论文，其他都符合": the lines named (by number, or by a word only one line's
    label has) no, the others yes; nothing named for sure: no facts (asked again)."""
    out = Parsed()
    named = re.sub(r"^(?:除了|除去|除)|(?:以外|之外|不符合|不满足|没有|不是|不够|不行|没)", " ", named)
    numbers = re.findall(r"[0-9]|[一二三四五六七八九]", re.sub(r"[0-9]{2,}", " ", named))
    picked = {_line_number(n) for n in numbers}
    words = re.sub(r"[0-9一二三四五六七八九第条项个，,、；;。\s]", " ", named).split()
    for word in words:
        hits = {f for f in facts for i in range(len(word) - 1) if word[i : i + 2] in normalize(labels.get(f, ""))}
        if len(hits) != 1:
            return out  # a word no line or several lines have: not sure which
        picked.add(facts.index(hits.pop()) + 1)
    if not picked or not all(1 <= n <= len(facts) for n in picked):
        return out
    out.facts = {f: (i + 1) not in picked for i, f in enumerate(facts)}
    return out


_SEPARATORS = re.compile(r"[，,、；;/\s]+|(?<=[\d月年篇时])和|(?<=[\d月年篇时])及")


def parse_together(text: str, facts: List[str], catalogue: Catalogue, today: dt.date) -> Dict[str, Any]:
    """The answer to facts asked together (职称 and its date; 公需 and 专业 hours): every fact the
    text states, then the parts read in the question's order for the members still missing
    ("助工，2018年7月", "30，70"). A member whose part says 不清楚 is ``DONT_KNOW``; 不清楚 alone: all."""
    whole = parse_facts(text, catalogue, today, facts[0])
    values: Dict[str, Any] = dict(whole.facts)
    if "education_related" not in facts and any(_other_relatedness(f) for f in facts):
        values.pop("education_related", None)  # 相近 here answers the group's own "related?" member
    parts = [p for p in _SEPARATORS.split(normalize(text or "")) if p and p.strip()]
    if len(parts) > 1:
        for part, fact in zip(parts, facts):
            if fact in values:
                continue
            got = parse_facts(part, catalogue, today, fact)
            if fact in got.facts:
                values[fact] = got.facts[fact]
            elif got.dont_know:
                values[fact] = interview.DONT_KNOW
    elif whole.dont_know and not any(f in values for f in facts):
        values.update({f: interview.DONT_KNOW for f in facts})
    if re.fullmatch(
        r"(?:都|全都|全|一个都|一项都)?(?:没有|没|无)(?:的)?[。.!！]?", normalize(text or "").strip()
    ) and all(catalogue.specs[f].type == "int" for f in facts):
        values.update({f: 0 for f in facts if f not in values})  # 都没有: none of each
    for fact in facts:  # a date said anywhere in one phrase: 2017年6月的助理工程师
        if fact not in values and catalogue.specs[fact].type == "date":
            day = parse_facts(text, catalogue, today, fact).facts.get(fact)
            if day is not None:
                values[fact] = day
    return values


def read_facts(text: str, catalogue: Catalogue, today: dt.date, places: Sequence[str] = ()) -> Dict[str, Any]:
    """Every fact a free-text message states, nothing asked and nothing implied: {fact: value}
    (``places``: the notice's city names, when known)."""
    return read_free(text, catalogue, today, places)[0]


def read_correction(text: str, catalogue: Catalogue, today: dt.date, recent: List[str]) -> Dict[str, Any]:
    """A correction of facts read earlier ("不对，是2018年"): the facts the message states, and a bare
    value (a date, a number, a level) given to the latest fact of ``recent`` (the facts echoed last,
    in the order read) it fits. {} when the message is not a correction."""
    t = normalize(text or "").strip()
    w = catalogue.wording
    said = w.correction.match(t.lower()) if w is not None else None
    if said is None:
        return {}
    facts = dict(parse_facts(t, catalogue, today).facts)
    if facts:
        return facts  # "不对，我发了两篇论文": the facts it names, nothing more
    for fact in reversed(recent):
        if fact in facts or fact not in catalogue.specs:
            continue
        spec = catalogue.specs[fact]
        value = _value_for(fact, spec.type, t[said.end() :], today, catalogue.options(fact), spec.unit, catalogue)
        if value is not None and spec.type != "bool":
            facts[fact] = value
            break
    return facts

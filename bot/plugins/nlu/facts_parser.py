"""Understand applicant facts in free Chinese text: 本科，2016年拿的助工，发了两篇论文.

``parse_facts(text, catalogue, today, requested=None)`` returns a :class:`Parsed` with the facts
found (values typed as the engine expects: bool, int, ISO date string, ordered codes) and whether
the user said they do not know the requested one. ``requested`` is the fact just asked: a bare
"有" / "两篇" / "2017年6月" is read as its answer.

Pure Python: no Rasa, no network. Numbers: Arabic, full-width, Chinese (两篇, 三十学时, 十五年).
Durations: 五年, 快五年了 (not yet five), 五年多, 十年以上. Dates: 2017年6月, 2017.6, 2017-06,
2017年 (year only: read as 31 December, the latest it could be), 去年, 前年, 今年, 三年前.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Set, Tuple

from bot.plugins.nlu.normalize import normalize
from policies.eligibility import Catalogue, interview

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_CN_NUM = "[零〇一二两俩三四五六七八九十百千万]+"
_NUM = rf"(\d+(?:\.\d+)?|{_CN_NUM}|半)"


def cn_to_int(text: str) -> Optional[int]:
    """三十 → 30, 十五 → 15, 二百零五 → 205, 两 → 2, 2022 → 2022, 二〇二二 → 2022."""
    if text.isdigit():
        return int(text)
    if text and all(ch in _DIGITS for ch in text) and len(text) > 1:  # 二〇二二
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if unit == 10000:
                total += (section + (digit or 0)) * unit
                section, digit = 0, None
            else:
                section += (1 if digit is None else digit) * unit
                digit = None
        else:
            return None
    return total + section + (digit or 0)


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

EDUCATION_WORDS: List[Tuple[str, str]] = [
    ("博士", "doctor"),
    ("工程硕士", "master"),
    ("专业硕士", "master"),
    ("硕士", "master"),
    ("研究生", "master"),
    ("第二学士", "second_bachelor"),
    ("双学位", "second_bachelor"),
    ("双学士", "second_bachelor"),
    ("本科", "bachelor"),
    ("学士", "bachelor"),
    ("大学毕业", "bachelor"),
    ("大专", "junior_college"),
    ("专科", "junior_college"),
    ("高职", "junior_college"),
    ("中专", "secondary_vocational"),
    ("中职", "secondary_vocational"),
    ("技校", "secondary_vocational"),
    ("职高", "secondary_vocational"),
    ("高中", "high_school"),
    ("初中", "none"),
    ("无学历", "none"),
]
TITLE_WORDS: List[Tuple[str, str]] = [
    ("高级工程师", "senior_engineer"),
    ("高工", "senior_engineer"),
    ("副高", "senior_engineer"),
    ("助理工程师", "assistant_engineer"),
    ("助工", "assistant_engineer"),
    ("助理级", "assistant_engineer"),
    ("初级职称", "assistant_engineer"),
    ("中级职称", "engineer"),
    ("中级", "engineer"),
    ("工程师", "engineer"),
    ("技术员", "technician"),
    ("没有职称", "none"),
    ("无职称", "none"),
    ("没职称", "none"),
]
SKILL_WORDS: List[Tuple[str, str]] = [
    ("高级技师", "senior_technician_skill"),
    ("一级技师", "senior_technician_skill"),
    ("技师", "technician_skill"),
    ("二级", "technician_skill"),
]
# keyword → (fact, value when stated positively); negation nearby flips bools.
FLAG_WORDS: List[Tuple[str, str, Any]] = [
    ("参公", "civil_servant", True),
    ("公务员", "civil_servant", True),
    ("退休", "retired", True),
    ("处分", "under_discipline", True),
    ("事业单位", "public_institution", True),
    ("事业编", "public_institution", True),
    ("民企", "public_institution", False),
    ("私企", "public_institution", False),
    ("民营", "public_institution", False),
    ("非公", "public_institution", False),
    ("国企", "public_institution", False),
    ("工程硕士", "engineering_master", True),
    ("专业硕士", "engineering_master", True),
]
EMPLOYER_WORDS = [
    ("事业编", "state_owned"),
    ("民企", "non_public"),
    ("私企", "non_public"),
    ("民营", "non_public"),
    ("非公", "non_public"),
    ("国企", "state_owned"),
    ("国有", "state_owned"),
    ("事业单位", "state_owned"),
    ("机关", "public_agency"),
    ("参公", "public_agency"),
]
# keyword → count fact
COUNT_WORDS: List[Tuple[str, str]] = [
    ("论文", "papers_first_author"),
    ("实用技术材料", "technical_materials"),
    ("技术报告", "technical_reports"),
    ("考核", "assessments_passed_count"),
    ("正高", "recommenders_full_senior"),
    ("高级职称专家", "recommenders_senior"),
    ("高级专家", "recommenders_senior"),
    ("高工推荐", "recommenders_senior"),
    ("高级工程师推荐", "recommenders_senior"),
    ("发明专利", "invention_patents_top3"),
    ("实用新型", "utility_patents_top3"),
    ("外观", "design_patents_top3"),
]
HOURS_WORDS = [("公需", "continuing_education_public_hours"), ("专业", "continuing_education_professional_hours")]
YEARS_WORDS = [
    ("乡镇", "township_years"),
    ("农村", "rural_grassroots_years"),
    ("基层", "township_years"),
    ("工程技术岗位", "months_in_engineering_post"),
    ("新系列", "months_in_engineering_post"),
    ("相近", "related_work_years"),
    ("社保", "social_insurance_local_months"),
    ("档案", "archive_local_months"),
    ("工作", "work_years"),
    ("干了", "work_years"),
]


@dataclass
class Parsed:
    facts: Dict[str, Any] = field(default_factory=dict)
    dont_know: bool = False  # the requested fact: the user does not know

    def __bool__(self) -> bool:
        return bool(self.facts) or self.dont_know


def _negated(text: str, start: int, width: int = 3) -> bool:
    window = text[max(0, start - width) : start]
    return any(n in window for n in ("不是", "没有", "没", "不", "非", "无", "未"))


def _first(text: str, words: List[Tuple[str, str]]) -> Optional[Tuple[int, str]]:
    best: Optional[Tuple[int, str]] = None
    for word, value in words:
        i = text.find(word)
        if i >= 0 and (best is None or i < best[0]):
            best = (i, value)
    return best


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
    fact: str, ftype: str, text: str, today: dt.date, options: Dict[str, str], unit: Optional[str] = None
) -> Any:
    """Read ``text`` as the answer to ``fact`` (the question just asked)."""
    if ftype == "bool":
        yes = _yes_no(text)
        if yes is None and fact.startswith("assessment") and "合格" in text:  # 都合格 / 去年不合格
            yes = not re.search(r"(不|没|未)合格", text)
        if yes is None and fact.endswith("_related"):  # 相近 / 不相关 to a "same or related?" question
            yes = _relatedness(text)
            if yes is None and (bare := re.search(r"(不)?(相近|相同|相关|一致)", text)):
                yes = bare.group(1) is None
        return yes
    if ftype == "int":
        if re.search(r"(?:19|20)\d{2}\s*(?:年|[.\-/]\d)", text):
            return None  # a date, not a number of years or items
        if unit == "个月":
            return parse_months(text) if re.search(r"[年月]", text) else parse_count(text)
        years = parse_years(text)
        if years is not None and "年" in text:
            return int(years)
        return parse_count(text)
    if ftype == "date":
        d = parse_date(text, today)
        return d.isoformat() if d else None
    if ftype == "education":
        hit = _first(text, EDUCATION_WORDS)
        return hit[1] if hit else None
    if ftype in ("title", "skill"):
        hit = _first(text, TITLE_WORDS if ftype == "title" else SKILL_WORDS)
        if hit:
            return "none" if _negated(text, hit[0]) else hit[1]
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
        if fact == "employer_type":
            hit = _first(text, EMPLOYER_WORDS)
            return hit[1] if hit else None
    return None


_TITLE_RE = re.compile("|".join(re.escape(w) for w, _ in sorted(TITLE_WORDS, key=lambda p: -len(p[0]))))
_TITLE_VALUE = dict(TITLE_WORDS)
_HELD = re.compile(
    r"(拿|取得|评上|评了|评的|聘|现任|现在是|目前是|已经是|持有|有了|获得|我是|本人是|考的|考了|考过|是工程|是助工|是技术员)"
)
_APPLYING = re.compile(r"(报|申请|申报|评审|想评|能评|要评|升|冲)[^上了的过]{0,4}$")
RELATED_WORDS = [
    ("不对口", False),
    ("不相近", False),
    ("不相关", False),
    ("不一致", False),
    ("不同专业", False),
    ("跨专业", False),
    ("专业不同", False),
    ("专业对口", True),
    ("对口", True),
    ("专业相近", True),
    ("专业相同", True),
    ("专业相关", True),
    ("同专业", True),
    ("学的就是这个", True),
]


_UNIT = r"(?:篇|项|次|个|名|位|件)"


def _count_near(text: str, start: int, end: int) -> Optional[int]:
    """The count stated with a keyword: after it first (论文2篇, 论文发了俩), then before it
    (两篇论文); 一篇都没有 / 没有论文 is 0."""
    before, after = text[max(0, start - 8) : start], text[end : end + 10]
    after_clause = re.split(r"[，,。；;？?！!]", after)[0]
    before_clause = re.split(r"[，,。；;？?！!]", before)[-1]
    if (
        re.match(r"^(都)?(没有|没|无)", after_clause)
        or re.search(r"(没有|没|无)$", before_clause)
        or re.search(r"一\S?都没", after_clause)
    ):
        return 0
    m = re.search(rf"{_NUM}\s*{_UNIT}", after_clause) or re.search(r"^\S{0,3}?(俩|仨|两)", after_clause)
    if not m:
        m = re.search(rf"{_NUM}\s*{_UNIT}", before_clause)
    if not m:
        return None
    n = _number(m.group(1)) if m.group(1) not in ("仨",) else 3
    return int(n) if n is not None else None


def _held_title(text: str, today: dt.date) -> Optional[Tuple[str, Optional[dt.date]]]:
    """The title the applicant holds (not the one applied for) and, if said, since when.

    Every mention is read: "我能报长治工程师吗？…2017年7月拿的助工" holds 助工 (since 2017-07),
    while 工程师 is the level applied for. The date may follow in the next clause
    ("现在是工程师，2015年评的").
    """
    for m in _TITLE_RE.finditer(text):
        value = _TITLE_VALUE[m.group(0)]
        if value == "none":
            return "none", None
        clauses_before = re.split(r"[，,。；;？?！!\s]", text[: m.start()])
        clause_before = clauses_before[-1][-10:]
        rest = re.split(r"[，,。；;？?！!\s]", text[m.end() :])
        clause_after = rest[0]
        next_clause = rest[1] if len(rest) > 1 else ""
        if _APPLYING.search(clause_before) and not _HELD.search(clause_before):
            continue  # the level applied for
        if value == "engineer" and "高级" in clause_before[-2:]:
            continue
        dated_next = bool(_HELD.search(next_clause) and parse_date(next_clause, today))
        if not (
            _HELD.search(clause_before)
            or _HELD.search(clause_after)
            or dated_next
            or re.match(r"\s*(证|职称|资格)", clause_after)
            or re.search(r"(年了|年多了|多年|干了)", clause_after)
        ):
            continue
        if _negated(text, m.start()):
            return "none", None
        day = parse_date(clause_before + m.group(0) + clause_after, today)
        if day is None and dated_next:
            day = parse_date(next_clause, today)
        return value, day
    return None


def _other_relatedness(fact: Optional[str]) -> bool:
    """A "same or related?" fact other than the degree's (继续教育): 相近 in its answer is not about
    ``education_related``."""
    return fact is not None and fact != "education_related" and fact.endswith("_related")


def _relatedness(text: str) -> Optional[bool]:
    """专业对口 / 相近 → True; 不对口 / 跨专业 → False (None when not said)."""
    for word, value in RELATED_WORDS:
        if word in text:
            return value
    return None


def parse_facts(text: str, catalogue: Catalogue, today: dt.date, requested: Optional[str] = None) -> Parsed:
    text = normalize(text or "").strip()
    out = Parsed()
    if not text or any(w in text for w in STOP):
        return out  # stopping or starting over is not an answer
    specs = catalogue.specs
    if requested in specs and any(w in text for w in DONT_KNOW):
        out.dont_know = True
    # 1. the answer to the question just asked
    if requested is not None and requested in specs and not out.dont_know:
        spec = specs[requested]
        value = _value_for(requested, spec.type, text, today, catalogue.options(requested), spec.unit)
        if value is None and spec.type == "choice" and spec.from_bool:  # 有 / 没有 to a choice
            yes = _yes_no(text)
            value = spec.from_bool.get(yes) if yes is not None else None
        if value is not None:
            out.facts[requested] = value
        if text in {normalize(label) for label in catalogue.options(requested).values()}:
            return out  # a button: it answers the question asked and nothing else
    # 2. everything else stated in passing
    hit = _first(text, EDUCATION_WORDS)
    if hit and "education" in specs:
        out.facts.setdefault("education", hit[1])
    for word, fact, value in FLAG_WORDS:
        i = text.find(word)
        if i >= 0 and fact in specs and fact not in out.facts:
            out.facts[fact] = (not value) if (isinstance(value, bool) and _negated(text, i, 5)) else value
    hit = _first(text, EMPLOYER_WORDS)
    if hit and "employer_type" in specs and not _negated(text, hit[0], 5):
        out.facts.setdefault("employer_type", hit[1])
    held = _held_title(text, today)
    if held and "current_title" in specs and requested not in ("months_in_engineering_post",):
        value, day = held
        out.facts.setdefault("current_title", value)
        if day and "current_title_date" in specs:
            out.facts.setdefault("current_title_date", day.isoformat())
    related = _relatedness(text)
    if related is not None and "education_related" in specs and not _other_relatedness(requested):
        out.facts.setdefault("education_related", related)
    skill = _first(text, SKILL_WORDS)
    if skill and "skill_level" in specs and "技师" in text:
        out.facts.setdefault("skill_level", "none" if _negated(text, skill[0]) else skill[1])
    for word, fact in COUNT_WORDS:
        if fact not in specs or fact in out.facts:
            continue
        for m in re.finditer(word, text):
            n = _count_near(text, m.start(), m.end())
            if n is not None:
                out.facts[fact] = n
                break
    for word, fact in HOURS_WORDS:
        said = re.search(rf"{word}[^0-9零一二两三四五六七八九十百]{{0,6}}{_NUM}\s*(?:个)?学时", text)
        if said and fact in specs:
            hours = _number(said.group(1))
            if hours is not None:
                out.facts.setdefault(fact, int(hours))
    if requested is None or requested not in out.facts:
        for word, fact in YEARS_WORDS:
            i = text.find(word)
            clause = re.split(r"[，,。；;？?！!]", text[:i])[-1]
            if i >= 0 and fact in specs and fact not in out.facts and not _TITLE_RE.search(clause):
                if specs[fact].unit == "个月":
                    months = parse_months(text[i : i + 14])
                    months = months if months is not None else parse_months(text[max(0, i - 8) : i + 14])
                    if months is not None:
                        out.facts[fact] = months
                        break
                    continue
                years = parse_years(text[i : i + 14]) or parse_years(text[max(0, i - 8) : i + 14])
                if years is not None:
                    out.facts[fact] = int(years)
                    break
    return out


# keyword → exclusion fact, for the multi-choice exclusions question (以下情况您有吗？)
EXCLUSION_WORDS: List[Tuple[str, str]] = [
    ("参公", "civil_servant"),
    ("公务员", "civil_servant"),
    ("参照公务员", "civil_servant"),
    ("退休", "retired"),
    ("处分", "under_discipline"),
    ("处分期", "under_discipline"),
    ("以考代评", "exam_profession"),
    ("职业资格考试", "exam_profession"),
    ("资格考试", "exam_profession"),
    ("建筑经济", "jy_construction_economics"),
    ("事业单位", "public_institution"),
    ("事业编", "public_institution"),
]
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
    for word, fact in EXCLUSION_WORDS:
        i = text.find(word)
        if fact in facts and i >= 0:
            (denied if _negated(text, i, 4) else ticked).add(fact)
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
CHECKLIST_PATTERNS: List[Tuple[re.Pattern[str], str]] = [
    (re.compile(r"档案(也|都|是)?(不|没)?(存放|放|存|挂)?在"), "archive_local"),
    (
        re.compile(r"(不|没)?(在|于)[\u4e00-\u9fa5]{1,4}(工作|上班)|(不|没)?在?(本地|本市|当地)(工作|上班)"),
        "works_locally",
    ),
    (
        re.compile(r"(单位|公司|企业)?(也|都)?(不|没)?(是|在)?[\u4e00-\u9fa5]{0,4}(工商)?注册"),
        "employer_registered_locally",
    ),
    (re.compile(r"(不|没|非)?市属"), "jy_municipal_unit"),
    (re.compile(r"(不|没|非)?(是)?(港澳台|外籍|外国人|永久居留)"), "hk_macau_taiwan_or_foreign_talent"),
]
ALL_APPLY = ("都符合", "全部符合", "全都符合", "都是", "全是", "都对", "全部")
_NUMBERS_ONLY = re.compile(r"^[0-9一二三四五六七八九\s,，、和及与;；.。]+$")
_CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


_LIST_PARTS = re.compile(r"[，,、；;。\s]+")
_NUMBERED = re.compile(
    r"^(?:第)?(?P<n>[0-9]|[一二三四五六七八九])(?:项|条|个)?(?P<no>不符合|不是|没有|不对|否)?(?:符合|是|有|对)?$"
    r"|^(?P<no2>不符合|不是|没有)(?:第)?(?P<n2>[0-9]|[一二三四五六七八九])(?:项|条)?$"
)


def _line_number(token: str) -> int:
    return int(token) if token.isdigit() else _CN_DIGIT.get(token, 0)


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
        picked = {int(c) if c.isdigit() else _CN_DIGIT[c] for c in t if c.isdigit() or c in _CN_DIGIT}
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
    for pattern, fact in CHECKLIST_PATTERNS:
        m = pattern.search(t)
        if fact in facts and fact not in said and m:
            said[fact] = not any(g in ("不", "没", "非") for g in m.groups())
    said = {**said, **numbered}
    if any(said.values()):
        out.facts = {f: said.get(f, rest) for f in facts}
    elif said and "都" not in t:  # 档案不在简阳: only those named are denied
        out.facts = dict(said)
    elif bare.startswith(("都不", "都没", "没有", "一个都不")) or bare in ("无", "没", "否", "不是", "no"):
        out.facts = {f: False for f in facts}
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
    for fact in facts:  # a date said anywhere in one phrase: 2017年6月的助理工程师
        if fact not in values and catalogue.specs[fact].type == "date":
            day = parse_facts(text, catalogue, today, fact).facts.get(fact)
            if day is not None:
                values[fact] = day
    return values

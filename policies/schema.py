"""The notice file contract: typed models that every ``policies/notices/*.yml`` must satisfy.

Every fact carries ``clause`` — where in the official notice it comes from — so an answer can
always cite it. Text fields hold the project's own wording in Simplified Chinese; they never
paste the notice's sentences.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Dict, List, Literal, Optional, Set, Tuple

from pydantic import BaseModel, Extra, root_validator, validator

from policies.eligibility.rules import Eligibility
from policies.levels import LEVEL_NAMES as LEVEL_NAMES  # re-exported
from policies.levels import LEVEL_ORDER as LEVEL_ORDER  # re-exported

LevelCode = Literal["technician", "assistant_engineer", "engineer", "senior_engineer"]

WindowKind = Literal[
    "application",  # applicant's online or paper application
    "unit_review",  # employer / competent department review and recommendation
    "materials",  # paper materials submitted or received
    "payment",  # fee payment
    "committee_review",  # the evaluation committee's own review
    "defence",  # answer defence / interview
    "exceptional_route",  # 破格 applications
    "results",
]
WINDOW_KIND_NAMES: Dict[str, str] = {
    "application": "申报",
    "unit_review": "单位审核推荐",
    "materials": "材料报送",
    "payment": "缴费",
    "committee_review": "评委会审核",
    "defence": "答辩",
    "exceptional_route": "破格申报",
    "results": "结果公示",
}

# Topics answered from plain item lists. Fees, windows and contacts have their own models.
TOPICS: Dict[str, str] = {
    "who_may_apply": "申报对象",
    "who_may_not_apply": "不得申报的人员",
    "conditions": "申报条件",
    "exceptional_routes": "破格申报",
    "materials": "申报材料",
    "procedure": "申报流程",
    "defence": "答辩与评审方式",
    "continuing_education": "继续教育",
    "papers": "论文与查重",
    "series_transfer": "转系列（转评）",
    "certificate": "评审结果与证书",
}
TopicName = Literal[
    "who_may_apply",
    "who_may_not_apply",
    "conditions",
    "exceptional_routes",
    "materials",
    "procedure",
    "defence",
    "continuing_education",
    "papers",
    "series_transfer",
    "certificate",
    "fees",
    "windows",
    "contacts",
]

_TIME = re.compile(r"^([01]\d|2[0-4]):[0-5]\d$")


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False

    @validator("asks", check_fields=False, each_item=True)
    def _asks_short(cls, v: str) -> str:
        if not v.strip() or len(v) > 30:
            raise ValueError("asks: each question must be 1–30 characters")
        return v


class Region(_Strict):
    code: str  # canonical slot value, e.g. "jianyang"
    city: str  # 简阳市
    province: str  # 四川省
    aliases: List[str] = []  # other names a user may type: 简阳, 成都简阳 …

    @property
    def names(self) -> Tuple[str, ...]:
        """The city and its aliases: every name the notice's place goes by."""
        return (self.city, *self.aliases)

    @validator("code")
    def _code_is_snake(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", v):
            raise ValueError("must be lower-case snake_case")
        return v


class DatedClause(_Strict):
    date: dt.date
    clause: str


class Window(_Strict):
    id: str
    kind: WindowKind
    name: str  # short Chinese name: 网上申报
    start: Optional[dt.date] = None
    start_time: Optional[str] = None  # "HH:MM"
    end: Optional[dt.date] = None
    end_time: Optional[str] = None  # "HH:MM"; "24:00" means the very end of the day
    tentative: bool = False  # the notice says 拟 / 预计: a plan, not a fixed date
    note: Optional[str] = None  # own words: what happens, who does it
    levels: Optional[List[LevelCode]] = None
    asks: List[str] = []  # how applicants ask for this, where their words differ from the notice's
    clause: str

    @validator("start_time", "end_time")
    def _hhmm(cls, v: Optional[str]) -> Optional[str]:
        if v is not None and not _TIME.match(v):
            raise ValueError("time must be HH:MM")
        return v

    @root_validator(skip_on_failure=True)
    def _ordered(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        start, end = values.get("start"), values.get("end")
        if start and end and start > end:
            raise ValueError(f"window {values.get('id')}: start {start} is after end {end}")
        if values.get("start_time") and not start:
            raise ValueError("start_time given without start")
        if values.get("end_time") and not end:
            raise ValueError("end_time given without end")
        if not (start or end or values.get("note")):
            raise ValueError("a window needs a start, an end or a note")
        return values


class Fee(_Strict):
    level: LevelCode
    amount: Optional[int] = None  # yuan per person; None when the notice does not state it
    stated: bool
    basis: Optional[str] = None  # document that sets the amount, e.g. 长发改费管发〔2016〕34号
    note: Optional[str] = None  # own words: how to pay, what it covers
    asks: List[str] = []
    clause: str

    @root_validator(skip_on_failure=True)
    def _amount_matches_stated(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        if values["stated"] and values.get("amount") is None:
            raise ValueError("stated fee needs an amount")
        if not values["stated"] and values.get("amount") is not None:
            raise ValueError("a fee that is not stated must not carry an amount")
        if not values["stated"] and not (values.get("basis") or values.get("note")):
            raise ValueError("a fee that is not stated needs the basis document or a note")
        return values


class Contact(_Strict):
    name: str  # office or organisation
    role: str  # what to call them about, own words
    person: Optional[str] = None
    phones: List[str] = []
    address: Optional[str] = None
    email: Optional[str] = None
    asks: List[str] = []
    clause: str

    @root_validator(skip_on_failure=True)
    def _reachable(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        if not (values.get("phones") or values.get("address") or values.get("email")):
            raise ValueError(f"contact {values.get('name')} has no phone, address or email")
        return values


class Delegate(_Strict):
    doc: str  # document number or title it defers to
    title: Optional[str] = None
    about: str  # own words: what that document governs here
    topics: List[TopicName]  # which answers must point to it
    core: bool = False  # the notice leaves the topic itself to this document: every answer on it names it
    asks: List[str] = []
    clause: str


class Item(_Strict):
    text: str  # own words, Simplified Chinese, phone-screen short
    clause: str
    levels: Optional[List[LevelCode]] = None  # None: applies to every level of the notice
    copies: Optional[str] = None  # materials: 一式三份 …
    format: Optional[str] = None  # materials: A4, scan, photo rules …
    asks: List[str] = []  # questions this item answers in applicants' words: [要几篇论文, 论文数量]


class LevelRank(_Strict):
    """The grade of title a level of this notice is, where the notice says it (长治 evaluates 中、
    初级: 工程师 is 中级; 简阳's 高级工程师 is 副高级): "工程师是什么级别职称" is answered from it."""

    level: LevelCode
    rank: Literal["初级", "中级", "副高级", "正高级"]
    clause: str


OUTLINE_TOPICS = ("conditions", "materials", "procedure", "exceptional_routes", "papers", "notes")
# topics answered only by their outline: no item of a notice is filed under them
OUTLINE_ONLY = ("notes",)
OUTLINE_LINE = 48  # characters of one outline line's text: a phone line or two
OUTLINE_TOTAL = 190  # the lines with their clauses: within one 250-character reply with its header


class OutlineLine(_Strict):
    text: str  # own words: one point of the topic, its figures as the notice states them
    clause: str

    @validator("text")
    def _short(cls, v: str) -> str:
        if len(v) > OUTLINE_LINE:
            raise ValueError(f"an outline line has at most {OUTLINE_LINE} characters: {v}")
        return v


class Outline(_Strict):
    """A broad question's answer ("长治工程师评审条件是什么"): the few points that decide the topic for
    a level, in the order an applicant needs them, each with its clause; the topic's whole item list
    stays one tap away (查看全部)."""

    topic: Literal["conditions", "materials", "procedure", "exceptional_routes", "papers", "notes"]
    levels: Optional[List[LevelCode]] = None  # None: every level of the notice
    lines: List[OutlineLine]

    @validator("lines")
    def _fits(cls, v: List[OutlineLine]) -> List[OutlineLine]:
        if not 2 <= len(v) <= 5:
            raise ValueError("an outline has 2 to 5 lines")
        total = sum(len(line.text) + len(line.clause) + 4 for line in v)
        if total > OUTLINE_TOTAL:
            raise ValueError(f"an outline's lines and clauses take {total} characters (at most {OUTLINE_TOTAL})")
        return v


class PlagiarismRule(_Strict):
    max_percent: int  # similarity above this fails
    applies_to: str  # own words: which papers
    consequence: str  # own words
    levels: Optional[List[LevelCode]] = None
    asks: List[str] = []
    clause: str


class ContinuingEducationHours(_Strict):
    public_hours: Optional[int] = None  # 公需科目
    professional_hours: Optional[int] = None  # 专业科目
    period: Optional[str] = None  # e.g. 2017-2019
    asks: List[str] = []
    clause: str


class Notice(_Strict):
    id: str
    title: str
    doc_number: str
    issuer: str
    region: Region
    series: Literal["engineering"]
    levels: List[LevelCode]
    # what applicants call this notice ("创新型人才工程师"): it chooses the notice, like its place,
    # and is not what a question asks about
    called: List[str] = []
    year: int  # the evaluation year (年度)
    published: Optional[dt.date] = None  # None: the notice text carries no date
    source_file: str  # file name under shared/notices/
    counting_date: DatedClause  # years, titles and durations counted up to this date
    achievements_until: Optional[DatedClause] = None  # achievements counted up to this date
    windows: List[Window]
    fees: List[Fee]
    contacts: List[Contact]
    delegates: List[Delegate] = []
    who_may_apply: List[Item] = []
    who_may_not_apply: List[Item] = []
    conditions: List[Item] = []
    exceptional_routes: List[Item] = []
    materials: List[Item] = []
    procedure: List[Item] = []
    defence: List[Item] = []
    continuing_education: List[Item] = []
    continuing_education_hours: Optional[ContinuingEducationHours] = None
    papers: List[Item] = []
    plagiarism: List[PlagiarismRule] = []
    series_transfer: List[Item] = []
    certificate: List[Item] = []
    eligibility: Optional[Eligibility] = None  # rule trees per level (pre-assessment)
    outlines: List[Outline] = []  # broad questions, per topic and level (issue 22)
    level_ranks: List[LevelRank] = []  # the grade each level is, where the notice says it

    @validator("id")
    def _id_slug(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", v):
            raise ValueError("id must be lower-case letters, digits and '-'")
        return v

    @validator("levels")
    def _levels_nonempty_unique(cls, v: List[str]) -> List[str]:
        if not v or len(set(v)) != len(v):
            raise ValueError("levels must be a non-empty list without repeats")
        return v

    @root_validator(skip_on_failure=True)
    def _cross_checks(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        levels = set(values["levels"])

        def check_levels(where: str, used: Optional[List[str]]) -> None:
            extra = set(used or []) - levels
            if extra:
                raise ValueError(f"{where}: level(s) {sorted(extra)} are not among the notice's levels")

        ids = [w.id for w in values["windows"]]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"windows: duplicate id(s) {sorted(dupes)}")
        for w in values["windows"]:
            check_levels(f"windows.{w.id}", w.levels)
        fee_levels = [f.level for f in values["fees"]]
        check_levels("fees", fee_levels)
        missing = levels - set(fee_levels)
        if missing:
            raise ValueError(f"fees: no entry for level(s) {sorted(missing)} (use stated: false)")
        for topic in TOPICS:
            for i, item in enumerate(values.get(topic) or []):
                check_levels(f"{topic}.{i}", item.levels)
        for i, rank in enumerate(values.get("level_ranks") or []):
            check_levels(f"level_ranks.{i}", [rank.level])
        seen: Set[Tuple[str, str]] = set()
        for i, outline in enumerate(values.get("outlines") or []):
            check_levels(f"outlines.{i}", outline.levels)
            for level in outline.levels or sorted(levels):
                if (outline.topic, level) in seen:
                    raise ValueError(f"outlines.{i}: a second outline of {outline.topic} for {level}")
                seen.add((outline.topic, level))
        elig = values.get("eligibility")
        if elig is not None:
            check_levels("eligibility.levels", list(elig.levels))
            _check_rule_facts(elig)
        return values

    # --- convenience, used by answers and tests -------------------------------------------
    def fee_for(self, level: str) -> Optional[Fee]:
        return next((f for f in self.fees if f.level == level), None)

    def window(self, window_id: str) -> Optional[Window]:
        return next((w for w in self.windows if w.id == window_id), None)

    def windows_of(self, kind: str) -> List[Window]:
        return [w for w in self.windows if w.kind == kind]

    def round_name(self) -> str:
        """长治2022年度 — the region and the evaluation year this notice is for (policies.rounds)."""
        city = self.region.city
        place = city[:-1] if city.endswith("市") and len(city) > 2 else city
        return f"{place}{self.year}年度"

    def topic_items(self, topic: str, level: Optional[str] = None) -> List[Item]:
        items: List[Item] = getattr(self, topic)
        if level is None:
            return list(items)
        return [i for i in items if i.levels is None or level in i.levels]

    def outline_for(self, topic: str, level: Optional[str]) -> Optional[Outline]:
        """The outline of ``topic`` for ``level``; with no level, the one that holds for every level."""
        for outline in self.outlines:
            if outline.topic != topic:
                continue
            if level is None and (outline.levels is None or set(outline.levels) >= set(self.levels)):
                return outline
            if level is not None and (outline.levels is None or level in outline.levels):
                return outline
        return None

    def delegates_for(self, topic: str) -> List[Delegate]:
        return [d for d in self.delegates if topic in d.topics]

    @property
    def short_name(self) -> str:
        """What a button shows: 简阳2020高级."""
        lv = "/".join(LEVEL_NAMES[level] for level in self.levels)
        return f"{self.region.city.rstrip('市')}{self.year} {lv}"


def _check_rule_facts(elig: Eligibility) -> None:
    """Every fact a rule or ask_order names must be in the catalogue; node ids unique."""
    from policies.eligibility.catalogue import load_catalogue
    from policies.eligibility.rules import Compiled, link

    cat = load_catalogue()
    unknown = [f for f in elig.ask_order if f not in cat.specs]
    if unknown:
        raise ValueError(f"eligibility.ask_order: unknown fact(s) {unknown}")
    roots = list(elig.exclusions) + [r.rule for lr in elig.levels.values() for r in lr.routes]
    compiled = [Compiled(root, cat.orders, cat.types) for root in roots]  # raises on unknown facts
    link(compiled)  # raises on duplicate ids and bad refs
    for root in compiled:
        for node in root.walk():
            if node.fact and node.fact not in elig.ask_order:
                raise ValueError(f"eligibility: fact '{node.fact}' (node {node.node.id}) is missing from ask_order")

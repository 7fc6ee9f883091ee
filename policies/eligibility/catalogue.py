"""The catalogue of applicant facts (facts.yml): types, questions, ordered values."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import yaml

from policies.eligibility.numbers import AT_LEAST, Between
from policies.eligibility.wording import Wording, compile_wording

FACTS_FILE = Path(__file__).resolve().parent / "facts.yml"
TYPES = {"bool", "int", "date", "education", "title", "skill", "choice"}
RECAP_FIRST = ("current_title", "current_title_date", "education", "education_related")  # shown back first


@dataclass(frozen=True)
class FactSpec:
    name: str
    type: str
    question: str
    unit: Optional[str] = None
    options: Optional[Dict[str, str]] = None  # value → Chinese label, in order
    label: Optional[str] = None  # short name as one option of a multi-choice question (exclusions)
    from_bool: Optional[Dict[bool, str]] = None  # a choice that a plain yes / no also answers
    # The fact as understood, shown back in a few characters: a template with {} for the value
    # ("第一作者论文{}" → 第一作者论文2篇), or for a yes / no fact the two phrases (yes, no).
    said: Union[str, Tuple[str, str]] = "{}"
    # Asked on its own, never as one line of a checklist: its question lists what a one-line label
    # cannot (简阳's achievements: seven kinds each).
    alone: bool = False
    # What is so for most applicants when they do not say (not in 处分期, not 事业单位, works in the
    # city): a yes / no about their own case is answered "按一般情况" with it (policies.own_case),
    # and says so. Never used by the assessment, which asks.
    usual: Any = None


@dataclass(frozen=True)
class Group:
    """Facts asked as one question (facts.yml ``together`` / ``checklists``)."""

    facts: Tuple[str, ...]
    question: str
    # Per member (optional): how it is named in a question of some members only, and an example
    # answer ("最高学历", "本科"): the question then asks just the members still open, in one line.
    parts: Tuple[Tuple[str, str, str], ...] = ()  # (fact, name, example)
    lead: str = ""  # the words before the parts ("请简单介绍一下您自己：")
    note: str = ""  # after the example when the first member is asked (没有职称请说“无”)

    def question_for(self, members: Sequence[str]) -> Optional[str]:
        """The question asking only ``members`` (in the group's order), or None without parts."""
        if list(members) == list(self.facts):
            return self.question
        named = {f: (name, example) for f, name, example in self.parts}
        if not self.parts or any(f not in named for f in members):
            return None
        names = "、".join(named[f][0] for f in members)
        examples = "，".join(named[f][1] for f in members)
        note = f"；{self.note}" if self.note and members[0] == self.facts[0] else ""
        return f"{self.lead}{names}（如：{examples}{note}）"


@dataclass(frozen=True)
class Catalogue:
    specs: Dict[str, FactSpec]
    orders: Dict[str, Dict[str, int]]  # ordered type → value → rank
    names: Dict[str, Dict[str, str]]  # ordered type → value → Chinese name
    together: Tuple[Group, ...] = ()  # stated together ("助工，2018年7月"): one question, read in order
    checklists: Tuple[Group, ...] = ()  # bool facts as one "tick what applies" question
    wording: Optional[Wording] = None  # how applicants word the facts (facts.yml ``reading:``)

    @property
    def types(self) -> Dict[str, str]:
        return {name: spec.type for name, spec in self.specs.items()}

    def coerce(self, raw: Dict[str, object]) -> Dict[str, object]:
        """Stored values (JSON: ISO dates, strings) → the types the engine compares.

        Unknown names, ``None`` and values that do not fit the type are dropped: a fact that
        cannot be read is unknown, never a guess.
        """
        out: Dict[str, object] = {}
        for name, value in raw.items():
            spec = self.specs.get(name)
            if spec is None or value is None:
                continue
            try:
                if spec.type == "bool":
                    if isinstance(value, str):
                        value = {"true": True, "false": False}.get(value.lower())
                    if isinstance(value, bool):
                        out[name] = value
                elif spec.type == "int":
                    if isinstance(value, Between):
                        out[name] = value
                    elif isinstance(value, (list, tuple)) or (isinstance(value, str) and "~" in value):
                        # a range as read (两三篇: [2, 3]) or as a form field keeps it (2~3)
                        low, high = (int(x) for x in (value.split("~") if isinstance(value, str) else value))
                        if low < high:
                            out[name] = Between(low, high)  # the interview keeps it only where it decides alike
                    elif not isinstance(value, bool):
                        out[name] = int(value)  # type: ignore[call-overload]  # any stored value; what int() rejects is dropped
                elif spec.type == "date":
                    out[name] = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
                elif spec.type in self.orders:
                    if value in self.orders[spec.type]:
                        out[name] = value
                elif spec.type == "choice":
                    if isinstance(value, str) and value.lower() in ("true", "false"):
                        value = value.lower() == "true"
                    if isinstance(value, bool) and spec.from_bool:
                        value = spec.from_bool.get(value)
                    if value in (spec.options or {}):
                        out[name] = value
            except (TypeError, ValueError):
                continue
        return out

    def said(self, fact: str, value: Any) -> str:
        """One fact as understood, in a few characters (facts.yml ``said``): 本科（学士）, 专业对口,
        2017年6月取得现职称, 第一作者论文2篇; a number read as a range ("两三篇": [2, 3]) as 第一作者论文2–3篇."""
        spec = self.specs[fact]
        if isinstance(spec.said, tuple):
            return spec.said[0] if value else spec.said[1]
        if isinstance(value, bool) and spec.from_bool:  # a choice a plain yes / no answered
            value = spec.from_bool.get(value, value)
        if isinstance(value, dt.date):
            # a year said alone is kept as its 31 December: shown as the year said, not a month
            shown = f"{value.year}年" if (value.month, value.day) == (12, 31) else f"{value.year}年{value.month}月"
        elif spec.type == "int" and isinstance(value, (list, tuple, Between)):
            shown = self.range_text(fact, value)
        elif spec.type in self.names:
            shown = self.names[spec.type].get(str(value), str(value))
            if value == "none" and len(shown) > 1:  # 无职称, not 现职称无职称 (but 技能证书：无)
                return shown
        elif spec.type == "choice":
            shown = _brief((spec.options or {}).get(str(value), str(value)))
        else:
            shown = f"{value}{spec.unit or ''}"
        return spec.said.replace("{}", shown)

    def range_text(self, fact: str, value: Any) -> str:
        """A number known as a range, with its unit: 2–3篇; 2年以上 (a condition ticked as met:
        满2年); 不到60学时 (ticked as not met: 不少于60学时)."""
        unit = self.specs[fact].unit or ""
        low, high = (int(value), value.high) if isinstance(value, Between) else (int(value[0]), int(value[1]))
        if high >= AT_LEAST:
            return f"{low}{unit}以上"
        if low == 0:
            return f"不到{high + 1}{unit}"
        return f"{low}–{high}{unit}"

    def recap(self, facts: Mapping[str, Any], names: Iterable[str], limit: int = 90) -> str:
        """The facts ``names`` that are known, in the catalogue's order, as one line of at most about
        ``limit`` characters ("本科（学士）；专业对口；现职称：助理工程师；…"); "" when none is known."""
        wanted = set(names)
        first = [f for f in RECAP_FIRST if f in self.specs]
        parts: List[str] = []
        for fact in first + [f for f in self.specs if f not in first]:
            if fact in wanted and facts.get(fact) is not None:
                parts.append(self.said(fact, facts[fact]))
        line = ""
        for part in parts:
            more = f"{line}；{part}" if line else part
            if len(more) > limit and line:
                return f"{line}等{len(parts)}项"
            line = more
        return line

    def options(self, fact: str) -> Dict[str, str]:
        """Choices to offer for a fact, value → label ({} for numbers and dates)."""
        spec = self.specs[fact]
        if spec.type == "bool":
            return {"true": "是", "false": "否"}
        if spec.type == "choice":
            return dict(spec.options or {})
        if spec.type in self.names:
            return dict(self.names[spec.type])
        return {}


@lru_cache(maxsize=4)
def load_catalogue(path: Optional[str] = None) -> Catalogue:
    base = Path(path or FACTS_FILE)
    raw = yaml.safe_load(base.read_text(encoding="utf-8"))
    entries = list(raw["facts"].items())
    reading = dict(raw.get("reading") or {})
    reading["facts"] = dict(reading.get("facts") or {})
    extra_dir = base.parent / "facts.d"
    for extra in sorted(extra_dir.glob("*.yml")) if extra_dir.is_dir() else []:
        data = yaml.safe_load(extra.read_text(encoding="utf-8")) or {}
        more = data.get("facts") or {}
        reading["facts"].update((data.get("reading") or {}).get("facts") or {})
        clash = sorted(set(more) & ({n for n, _ in entries}))
        if clash:
            raise ValueError(f"{extra.name}: fact(s) {clash} already defined")
        entries += list(more.items())
    specs: Dict[str, FactSpec] = {}
    for name, spec in entries:
        if spec.get("type") not in TYPES:
            raise ValueError(f"facts.yml: {name}: unknown type {spec.get('type')!r}")
        if not spec.get("question"):
            raise ValueError(f"facts.yml: {name}: a question is required")
        if spec["type"] == "choice" and not spec.get("options"):
            raise ValueError(f"facts.yml: {name}: a choice needs options")
        if spec.get("from_bool") and not set(spec["from_bool"].values()) <= set(spec.get("options") or {}):
            raise ValueError(f"facts.yml: {name}: from_bool must name options")
        said = spec.get("said")
        if spec["type"] == "bool":
            if not (isinstance(said, list) and len(said) == 2 and all(isinstance(x, str) and x for x in said)):
                raise ValueError(f"facts.yml: {name}: a yes / no fact says itself as [yes, no] (said)")
            said = (said[0], said[1])
        elif not (isinstance(said, str) and said.count("{}") == 1):
            raise ValueError(f"facts.yml: {name}: said is a short phrase with one {{}} for the value")
        usual = spec.get("usual")
        if usual is not None and not (
            (spec["type"] == "bool" and isinstance(usual, bool))
            or (spec["type"] == "skill" and usual == "none")
            or (spec["type"] == "choice" and usual in (spec.get("options") or {}))
        ):
            raise ValueError(f"facts.yml: {name}: usual must be one of the fact's values")
        specs[name] = FactSpec(
            name,
            spec["type"],
            spec["question"],
            spec.get("unit"),
            spec.get("options"),
            spec.get("label"),
            spec.get("from_bool"),
            said,
            bool(spec.get("alone")),
            usual,
        )
    orders, names = {}, {}
    for kind in ("education", "title", "skill"):
        levels: List[str] = raw[f"{kind}_levels"]
        orders[kind] = {v: i for i, v in enumerate(levels)}
        names[kind] = {v: raw[f"{kind}_names"][v] for v in levels}
    codes = {n: list(s.options or {}) if s.type == "choice" else list(orders.get(s.type, {})) for n, s in specs.items()}
    wording = compile_wording(reading, {n: s.type for n, s in specs.items()}, codes) if raw.get("reading") else None
    return Catalogue(specs, orders, names, _groups(raw, "together", specs), _groups(raw, "checklists", specs), wording)


def _brief(label: str, limit: int = 14) -> str:
    """An option's label, short: without a leading number "（1）" and a trailing remark in brackets."""
    text = re.sub(r"^（\d+）", "", label)
    text = re.sub(r"（[^（）]*）$", "", text) or text
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _groups(raw: Dict[str, Any], key: str, specs: Dict[str, FactSpec]) -> Tuple[Group, ...]:
    groups, seen = [], set()
    for entry in raw.get(key) or []:
        facts = tuple(entry.get("facts") or ())
        if len(facts) < 2 or not entry.get("question"):
            raise ValueError(f"facts.yml: {key}: each group needs two or more facts and a question")
        for f in facts:
            if f not in specs:
                raise ValueError(f"facts.yml: {key}: unknown fact {f!r}")
            if f in seen:
                raise ValueError(f"facts.yml: {key}: {f!r} is in two groups")
            if key == "checklists" and (specs[f].type != "bool" or not specs[f].label):
                raise ValueError(f"facts.yml: checklists: {f!r} must be a bool fact with a label")
            seen.add(f)
        parts = entry.get("parts") or {}
        if set(parts) - set(facts) or any(not (isinstance(p, list) and len(p) == 2) for p in parts.values()):
            raise ValueError(f"facts.yml: {key}: parts name members of the group, each [name, example]")
        if parts and set(parts) != set(facts):
            raise ValueError(f"facts.yml: {key}: parts, when given, name every member")
        groups.append(
            Group(
                facts,
                entry["question"],
                tuple((f, str(parts[f][0]), str(parts[f][1])) for f in facts if f in parts),
                str(entry.get("lead") or ""),
                str(entry.get("note") or ""),
            )
        )
    return tuple(groups)

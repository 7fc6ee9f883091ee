"""How applicants word each fact (facts.yml ``reading:``), checked and compiled once.

The fact reader (``policies.eligibility.reader``) holds no word of its own: next year's notice with
a new fact adds its words next to the fact, in data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, List, Mapping, Optional, Pattern, Sequence, Tuple

from policies.chars import normalize


@dataclass(frozen=True)
class FactWords:
    fact: str
    kind: str  # flag (yes / no) | choice (a code) | number | date
    values: Tuple[Tuple[Pattern[str], Any], ...] = ()  # flag / choice: (pattern, value)
    keywords: Optional[Pattern[str]] = None  # number / date: what the value follows or precedes
    needs: Optional[Pattern[str]] = None  # read only when the message also says this
    unless: Optional[Pattern[str]] = None  # not read from a clause that says this (外地社保)
    scope: int = 1  # clauses a number may be in, from its keyword's
    answers: Optional[Pattern[str]] = None  # the fact's answer when asked (档案在简阳); 不 / 没 / 非 in it: no
    none: Optional[Pattern[str]] = None  # a number: what says there are none (没有专利 → 0)
    # a number answering this fact's question that says it counts another kind ("几篇一作？" "就一篇
    # 我是二作"): (what says so, the fact the number goes to); this fact is then 0
    other_kind: Optional[Tuple[Pattern[str], str]] = None


@dataclass(frozen=True)
class Wording:
    replace: Tuple[Tuple[Pattern[str], str], ...]
    correction: Pattern[str]
    negation: Pattern[str]
    negation_after: Pattern[str]
    question: Pattern[str]
    first_person: Pattern[str]
    not_about_me: Pattern[str]
    vague: Pattern[str]
    zero: Pattern[str]
    held: Pattern[str]
    applying: Pattern[str]
    held_after: Pattern[str]
    applying_after: Pattern[str]
    not_a_level_after: Pattern[str]
    for_someone_else: Pattern[str]
    self_again: Pattern[str]
    other_subject: Pattern[str]
    hedge: Pattern[str]
    only_asking: Pattern[str]
    other_events: Pattern[str]
    facts: Dict[str, FactWords] = field(default_factory=dict)
    not_but: Optional[Pattern[str]] = None  # "不是X，是Y": a correction inside one message
    run_on: Optional[Pattern[str]] = None  # where a long unpunctuated stretch starts a new clause
    implies: Tuple[Tuple[Dict[str, Any], Dict[str, Any]], ...] = ()  # (when, then)
    # (fact, pattern with {place} — the region's names — and {elsewhere} — provinces and cities
    # outside it, policies.places — value): 在简阳上班, 公司注册在太原
    here: Tuple[Tuple[str, str, bool], ...] = ()
    # the words of the facts (keywords, words, what a typo is replaced by): a window of the text
    # that sounds like one of them is read as it (论纹 → 论文, 中极 → 中级; policies.sounds)
    sounds: Tuple[str, ...] = ()

    def here_patterns(self, places: Sequence[str]) -> Tuple[Tuple[str, Pattern[str], bool], ...]:
        """The ``here`` patterns with ``{place}`` made the names given and ``{elsewhere}`` the places
        outside them (compiled once per place)."""
        return _here_compiled(self.here, tuple(sorted({normalize(p) for p in places if p}, key=len, reverse=True)))

    def words_of(self, fact: str) -> Optional[FactWords]:
        return self.facts.get(fact)


@lru_cache(maxsize=16)
def _here_compiled(
    here: Tuple[Tuple[str, str, bool], ...], names: Tuple[str, ...]
) -> Tuple[Tuple[str, Pattern[str], bool], ...]:
    if not names:
        return ()
    from policies.places import elsewhere_names

    alternatives = "|".join(re.escape(n) for n in names)  # longest first
    elsewhere = "|".join(re.escape(normalize(n)) for n in elsewhere_names(names))
    elsewhere = elsewhere or "(?!x)x"  # a place the gazetteer does not know: nothing is elsewhere
    return tuple(
        (
            fact,
            # a city and one of its districts said together (湖州南浔, 重庆江北区) are one place
            re.compile(
                t.replace("{place}", f"(?:{alternatives})(?:{alternatives})?").replace(
                    "{elsewhere}", f"(?:{elsewhere})"
                )
            ),
            value,
        )
        for fact, t, value in here
    )


def _compile(where: str, pattern: str) -> Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"facts.yml: reading: {where}: {exc}") from exc


def _alternatives(where: str, words: Any, patterns: Any) -> Pattern[str]:
    if not isinstance(words or [], list) or not isinstance(patterns or [], list):
        raise ValueError(f"facts.yml: reading: {where}: a list of words or patterns")
    # the text read is normalised (繁→简, which also turns 著 into 着): so are the words
    items = [normalize(str(w)) for w in words or []]
    if any(not w for w in items):
        raise ValueError(f"facts.yml: reading: {where}: an empty word")
    parts = [re.escape(w) for w in sorted(items, key=len, reverse=True)] + [
        f"(?:{normalize(str(p))})" for p in patterns or []
    ]
    if not parts:
        raise ValueError(f"facts.yml: reading: {where}: no word")
    return _compile(where, "|".join(parts))


# What was studied (学的 / 专业 / 本科／) and what is done (干的 / 做 / 从事) in one field: 学的计算机，干的也是软件开发
_STUDIED = r"(?:学的?(?:是)?|专业(?:是|[：:])?|(?:本科|大专|专科|硕士|研究生|中专|博士)\s*[／/,，、\s]\s*)\s*"
_DONE = r"(?:干|做|搞|从事|负责)(?:的)?(?:也是|就是|是)?"


def _field_patterns(fact: str, fields: Any) -> List[str]:
    """``fields`` (field → words of it): "studied X … does Y" (or the other way round) with X and Y
    of one field reads as yes — a major and a job of the same field are 对口."""
    if not isinstance(fields, dict) or not all(isinstance(w, list) and w for w in fields.values()):
        raise ValueError(f"facts.yml: reading: {fact}: fields: field → a list of words")
    out = []
    for words in fields.values():
        either = "(?:" + "|".join(re.escape(normalize(str(w))) for w in words) + ")"
        out.append(f"{_STUDIED}{either}[^。？?]{{0,24}}?{_DONE}[^，。？?]{{0,6}}?{either}")
        out.append(f"{_DONE}[^，。？?]{{0,6}}?{either}[^。？?]{{0,24}}?{_STUDIED}{either}")
    return out


def _key(key: Any) -> str:
    return {True: "yes", False: "no"}.get(key, str(key)) if isinstance(key, bool) else str(key)


def compile_wording(raw: Mapping[str, Any], types: Mapping[str, str], codes: Mapping[str, List[str]]) -> Wording:
    """``raw``: the ``reading:`` section; ``types``: fact → type; ``codes``: fact → its values (a
    choice's options, an ordered type's levels). Raises ValueError naming what is wrong."""
    general = {}
    for key in (
        "correction",
        "negation",
        "negation_after",
        "question",
        "first_person",
        "not_about_me",
        "vague",
        "zero",
        "held",
        "applying",
        "held_after",
        "applying_after",
        "not_a_level_after",
        "for_someone_else",
        "self_again",
        "other_subject",
        "hedge",
        "only_asking",
        "other_events",
    ):
        if not isinstance(raw.get(key), str):
            raise ValueError(f"facts.yml: reading: {key} is a regular expression")
        general[key] = _compile(key, normalize(raw[key]))
    replace = tuple((_compile(f"replace {k}", str(k)), str(v)) for k, v in (raw.get("replace") or {}).items())
    facts: Dict[str, FactWords] = {}
    for fact, entry in (raw.get("facts") or {}).items():
        if fact not in types:
            raise ValueError(f"facts.yml: reading: unknown fact {fact!r}")
        unknown = set(entry) - {
            "words",
            "patterns",
            "keywords",
            "needs",
            "unless",
            "scope",
            "answers",
            "none",
            "fields",
            "other_kind",
        }
        if unknown:
            raise ValueError(f"facts.yml: reading: {fact}: unknown key(s) {sorted(unknown)}")
        kind = {"bool": "flag", "int": "number", "date": "date"}.get(types[fact], "choice")
        extra = {
            "needs": _compile(f"{fact} needs", entry["needs"]) if entry.get("needs") else None,
            "unless": _compile(f"{fact} unless", entry["unless"]) if entry.get("unless") else None,
            "scope": int(entry.get("scope") or 1),
            "answers": _alternatives(f"{fact} answers", [], entry["answers"]) if entry.get("answers") else None,
            "none": _compile(f"{fact} none", entry["none"]) if entry.get("none") else None,
            "other_kind": _other_kind(fact, entry.get("other_kind"), types),
        }
        if kind in ("number", "date"):
            if not entry.get("keywords") or "words" in entry or "patterns" in entry:
                raise ValueError(f"facts.yml: reading: {fact}: a number or a date is read after its keywords")
            if (extra["none"] is not None or extra["other_kind"] is not None) and kind != "number":
                raise ValueError(f"facts.yml: reading: {fact}: none and other_kind are for numbers")
            keywords = _alternatives(fact, entry["keywords"], [])
            facts[fact] = FactWords(fact, kind, keywords=keywords, **extra)  # type: ignore[arg-type]
            continue
        if "keywords" in entry or extra["other_kind"] is not None:
            raise ValueError(f"facts.yml: reading: {fact}: keywords and other_kind are for numbers and dates")
        # YAML 1.1 reads a bare yes / no key as a boolean
        words = {_key(k): v for k, v in (entry.get("words") or {}).items()}
        patterns = {_key(k): v for k, v in (entry.get("patterns") or {}).items()}
        if entry.get("fields"):
            if kind != "flag":
                raise ValueError(f"facts.yml: reading: {fact}: fields are for a yes / no fact")
            patterns["yes"] = [*(patterns.get("yes") or []), *_field_patterns(fact, entry["fields"])]
        allowed = {"yes", "no"} if kind == "flag" else set(codes.get(fact) or ())
        for key in [*words, *patterns]:
            if key not in allowed:
                raise ValueError(f"facts.yml: reading: {fact}: {key!r} is not one of {sorted(allowed)}")
        values = []
        for key in [k for k in (codes.get(fact) or ["yes", "no"]) if k in words or k in patterns]:
            value: Any = (key == "yes") if kind == "flag" else key
            values.append((_alternatives(f"{fact} {key}", words.get(key), patterns.get(key)), value))
        if not values and extra["answers"] is None:
            raise ValueError(f"facts.yml: reading: {fact}: no words")
        facts[fact] = FactWords(fact, kind, values=tuple(values), **extra)  # type: ignore[arg-type]
    implies: List[Tuple[Dict[str, Any], Dict[str, Any]]] = []
    for rule in raw.get("implies") or []:
        when, then = dict(rule.get("when") or {}), dict(rule.get("then") or {})
        strangers = [f for f in [*when, *then] if f not in types]
        if not when or not then or strangers:
            raise ValueError(f"facts.yml: reading: implies: {rule!r} needs when and then, on known facts")
        implies.append((when, then))
    not_but = _compile("not_but", normalize(raw["not_but"])) if raw.get("not_but") else None
    run_on = _compile("run_on", normalize(raw["run_on"])) if raw.get("run_on") else None
    here: List[Tuple[str, str, bool]] = []
    for fact, entry in (raw.get("here") or {}).items():
        if fact not in types or types[fact] != "bool" or {_key(k) for k in entry} - {"yes", "no"}:
            raise ValueError(f"facts.yml: reading: here: {fact}: a yes/no fact with yes and no patterns")
        for key, template in entry.items():
            _compile(f"here {fact}", str(template).replace("{place}", "地名").replace("{elsewhere}", "外地"))
            here.append((fact, normalize(str(template)), _key(key) == "yes"))
    return Wording(
        replace=replace,
        facts=facts,
        implies=tuple(implies),
        not_but=not_but,
        run_on=run_on,
        here=tuple(here),
        sounds=_sound_names(raw),
        **general,
    )


_CJK_WORD = re.compile(r"[\u4e00-\u9fff]{2,6}")


def _sound_names(raw: Mapping[str, Any]) -> Tuple[str, ...]:
    """The plain words of the reading (keywords, words, what a typo becomes), longest first."""
    found: List[str] = [str(v) for v in (raw.get("replace") or {}).values()]
    for entry in (raw.get("facts") or {}).values():
        found += [str(k) for k in entry.get("keywords") or []]
        for words in (entry.get("words") or {}).values():
            found += [str(x) for x in words or []]
    plain = {normalize(w) for w in found if _CJK_WORD.fullmatch(normalize(w))}
    return tuple(sorted(plain, key=lambda w: (-len(w), w)))


def _other_kind(fact: str, entry: Any, types: Mapping[str, str]) -> Optional[Tuple[Pattern[str], str]]:
    if entry is None:
        return None
    if not isinstance(entry, dict) or set(entry) != {"says", "fact"} or types.get(entry["fact"]) != "int":
        raise ValueError(f"facts.yml: reading: {fact}: other_kind is {{says: a pattern, fact: a number fact}}")
    return _compile(f"{fact} other_kind", normalize(str(entry["says"]))), str(entry["fact"])

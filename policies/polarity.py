"""The decisive word of a yes/no question about a rule (issue 22): "简阳高工要考职称英语吗" →
"不需要", from the clause of the answer that is about the question ("职称外语和计算机考试不是必要
条件").

Two plain readings, their words in ``polarity:`` of vocabulary.yml:

- the question's *modal* — what it asks at its end: need (要不要), may (能 / 可以), counts (算不算),
  returns (退不退), restricted (受不受限制), required (有…要求吗), enough (够不够) — and nothing else:
  a question asking for a value (几 / 多少 / 什么 …), one going on after it, two questions, or two
  negations of its own get no word; one negation ("没参加继续教育能报吗") must meet a negated
  condition in the clause;
- the clause's *kind*: of the clauses of the items shown (a condition ending in 的 kept with what
  follows it), the one holding a marker and sharing the most with the question (features weighted
  by rarity among items); every such clause nearly as close must agree, and a clause decides only
  with one kind of marker (须 and 不得 together, or a negation outside its condition, decide nothing).

``ANSWERS`` pairs them: need × exempts → 不需要, may × prohibits → 不能, counts × excludes → 不算. 够不够
compares the number asked with the threshold shown. Where either reading is unsure there is no word
and the reply is the clauses alone, as before: a wrong 不能 misleads more than a missing one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from policies.eligibility.numbers import amount
from policies.text import normalize, vocabulary

_AMOUNT = r"\d+|[一二两三四五六七八九十]+"

# a question asking for a value, a way or a reason is not a yes/no question
VALUE_ASKED = re.compile(r"多少|几|哪|什么|怎么|怎样|如何|啥|何时|多久|多长|为什么|为啥|咋")
# what "够不够" / "算不算" may be followed by: what it is enough for, or counts as ("外观专利两项够不够一条")
ENOUGH_FOR = re.compile(
    r"(?:一条|一项|条件|资格|格)?(?:评|报|申报|申请)?(?:助工|中工|高工|副高|中级|工程师|助理工程师|高级工程师|技术员)?[？?]?"
)
COURTESY = re.compile(r"(?:[\s，,]*(?:谢谢|多谢|谢了|急|在线等|啊|呀|哈|哦)[！!。~～]*)+$")
SEVERAL = re.compile(r"[吗么嘛呢？?]\s*\S|[\u4e00-\u9fff](?P<x>.)不(?P=x)")
_CLAUSES = re.compile(r"[，,；;。：:]")
_BRACKETS = re.compile(r"（[^（）]*）|\([^()]*\)")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
# 不少于 / 不超过 compare; they negate nothing
COMPARATIVE = re.compile(r"不(?:少于|低于|超过|高于|多于|足|满)")
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]{2,}")
NEGATIVE_KINDS = ("prohibits", "exempts", "excludes", "omits", "refuses_return", "unrestricted")
POSITIVE_KINDS = ("requires", "permits", "counts", "returns")
# what each modal answers for each kind of clause; a kind missing here decides nothing
ANSWERS: Dict[str, Dict[str, str]] = {
    "need": {"requires": "affirm", "exempts": "deny", "prohibits": "forbid"},
    "may_can": {"permits": "affirm", "prohibits": "deny", "excludes": "deny", "omits": "deny"},
    "may": {"permits": "affirm", "prohibits": "deny", "excludes": "deny", "omits": "deny"},
    "counts": {"counts": "affirm", "permits": "affirm", "excludes": "deny", "omits": "deny", "prohibits": "deny"},
    "returns": {"returns": "affirm", "refuses_return": "deny"},
    "restricted": {"unrestricted": "deny"},
    "required": {"exempts": "deny"},
}


@dataclass(frozen=True)
class Modal:
    name: str
    asks: re.Pattern[str]
    words: Dict[str, str]  # affirm / deny / forbid → the word said


@dataclass(frozen=True)
class Markers:
    modals: Tuple[Modal, ...]
    kinds: Dict[str, re.Pattern[str]]
    negations: re.Pattern[str]
    asker_negations: re.Pattern[str]
    limits: re.Pattern[str]  # a positive clause with a limit decides nothing by itself
    anyone: frozenset[str]  # words for any applicant ("申报人", "人员"): not a restriction


@lru_cache(maxsize=1)
def markers() -> Markers:
    raw = vocabulary()["polarity"]
    modals = tuple(
        Modal(m["name"], re.compile(m["asks"]), {k: m[k] for k in ("affirm", "deny", "forbid")}) for m in raw["modals"]
    )
    kinds = {k: re.compile(raw[k]) for k in NEGATIVE_KINDS + POSITIVE_KINDS}
    levels = [w for forms in vocabulary()["entities"]["level"].values() for w in forms]
    # the level is the question's context, not a restriction ("申报副高级的人员都要参加答辩")
    return Markers(
        modals,
        kinds,
        re.compile(raw["negations"]),
        re.compile(raw["asker_negations"]),
        re.compile(raw["limits"]),
        frozenset(raw["anyone"] + levels),
    )


@dataclass(frozen=True)
class Asked:
    """What a plain yes/no question asks."""

    modal: Modal
    proposition: str  # the question up to and with what it asks
    negated: bool  # a negation of its own: "没参加继续教育能报吗"
    before: str = ""  # the question before what it asks: the asker's figures ("…两项 算满足一项条件吗")


@dataclass(frozen=True)
class Said:
    """What a clause says, as far as a yes/no goes."""

    kind: str
    negated: bool  # under a negated condition: "未按要求参加的不能申报"
    before: str  # the clause before its marker ("只有本单位证明" of "只有本单位证明不算有效")
    after: str


def modal_of(question: str) -> Optional[Asked]:
    """What a plain yes/no question asks; None when the text asks for a value, goes on after its
    question, or negates more than once."""
    text = COURTESY.sub("", normalize(question).strip(" ？?。!！，,")).strip(" ？?。!！，,")
    if not text or VALUE_ASKED.search(text) or len(re.findall(r"[？?]", question)) > 1:
        return None
    m = markers()
    found: List[Tuple[int, int, Modal, re.Match[str]]] = []
    for order, modal in enumerate(m.modals):
        for match in modal.asks.finditer(text):
            found.append((match.end(), -order, modal, match))
    if not found:
        return None
    end, _, modal, match = max(found, key=lambda f: (f[0], f[1]))
    if end < len(text) - 1 and not (modal.name in ("enough", "counts") and ENOUGH_FOR.fullmatch(text[end:])):
        return None  # the question goes on after what it asks: two questions, or not a yes/no
    if SEVERAL.search(text[: match.start()]):
        return None  # "要带原件吗 原件还不还": a question before this one
    negations = len(
        m.asker_negations.findall(COMPARATIVE.sub("至少", text[: match.start()] + " " + text[match.end() :]))
    )
    if negations > 1:
        return None
    return Asked(modal, text[: match.start()] + match.group(0), negations == 1, text[: match.start()])


def clause_reading(clause: str) -> Optional[Said]:
    """The one kind of marker ``clause`` holds, and whether under a negated condition; None when it
    holds none, two kinds (须…不得…), or a negation elsewhere than in its condition."""
    m = markers()
    clause = COMPARATIVE.sub("至少", clause)
    for kinds in (NEGATIVE_KINDS, POSITIVE_KINDS):
        hits = [(h.start(), k, h) for k in kinds for h in [m.kinds[k].search(clause)] if h]
        if not hits:
            continue
        _, kind, hit = min(hits, key=lambda x: x[0])
        before, after = clause[: hit.start()], clause[hit.end() :]
        if kinds is NEGATIVE_KINDS and m.kinds["requires"].search(before + " " + after):
            return None
        if m.negations.search(after) or len(m.negations.findall(before)) > 1:
            return None
        if kinds is POSITIVE_KINDS and m.limits.search(before):
            return None  # "业绩只算到9月30日": whether it counts depends on a date the rule sets
        return Said(kind, bool(m.negations.search(before)), before, after)
    return None


def clauses_of(text: str) -> List[str]:
    """``text`` without its remarks in brackets, cut at its punctuation; a condition stays with
    what follows it: one ending in 的, or a negated one without a marker of its own
    ("没写明个人作用的集体成果奖，不能当作个人获奖")."""
    out: List[str] = []
    carry = False
    for piece in _CLAUSES.split(_BRACKETS.sub("", normalize(text))):
        piece = piece.strip()
        if not piece:
            continue
        if out and carry:
            out[-1] += "，" + piece
        else:
            out.append(piece)
        carry = out[-1].endswith("的") or (
            bool(markers().negations.search(out[-1])) and clause_reading(out[-1]) is None
        )
    return out


Features = Callable[[str], Sequence[Tuple[str, float]]]
# the clause about the question shares at least this weight of features with it (one word, or three
# character pairs) and, when the question states the asker's own case, this share of its features
# ("省科技进步二等奖我排第四 能破格报吗" shares 二等奖 with a clause, not its point)
MIN_SHARED = 1.0
OWN_CASE_SHARE = 0.4
# clauses with a marker within this share of the best such clause are about the question too: all
# of them must agree
NEAR_BEST = 0.7
# the answering clause shares at least this share of what the best clause shares with the question
ANSWERING_SHARE = 0.3
OWN_CASE = re.compile(r"我|本人|俺|咱")
CONTRAST = re.compile(r"但|可是|不过|然而|却|只是")
UNIFORM = re.compile(r"不作统一要求|不作.{0,4}要求|不统一要求")


def _pairs(text: str) -> List[Tuple[str, float]]:
    chars = re.sub(r"[^\u4e00-\u9fff]", " ", text)
    return [("b:" + w[i : i + 2], 0.35) for w in chars.split() for i in range(len(w) - 1)]


def _weights(features: Sequence[Tuple[str, float]]) -> Dict[str, float]:
    out: Dict[str, float] = {}
    for f, w in features:
        out[f] = max(out.get(f, 0.0), w)
    return out


def _shared(features: Features, text: str, wanted: Dict[str, float]) -> float:
    return sum(w for f, w in _weights(features(text)).items() if f in wanted)


def _names_others(features: Features, before: str, wanted: Dict[str, float]) -> bool:
    """A requirement's subject names a word the question does not (事业单位 of "事业单位人员须…")."""
    anyone = markers().anyone

    def others(part: str) -> bool:
        words = {f[2:] for f, _ in features(part) if f.startswith("w:")}
        return any(w not in anyone and _CJK_WORD.fullmatch(w) and "w:" + w not in wanted for w in words)

    # "中央在平单位、外省单位在平分支机构人员须…": one of those named is enough
    return all(others(part) for part in re.split(r"[、或及与]|以及", before) if part.strip())


def _verdict(asked: Asked, said: Said) -> Optional[str]:
    if asked.negated == said.negated:
        return ANSWERS[asked.modal.name].get(said.kind)
    if asked.negated and said.kind == "requires" and asked.modal.name in ("may", "may_can"):
        return "deny"  # "没有社保能报吗" against "社保须满1年"
    return None


# A threshold a clause sets ("公示期不少于5个工作日", "外观设计3项以上", "排名前三") and the figure the
# question gives in the same unit ("3个工作日够不够", "论文不到2000字算不算", "排第四算吗"): compared,
# they answer 够 / 不够, 算 / 不算, 能 / 不能.
_UNIT = r"(个工作日|个月|学时|年|篇|项|件|次|名|位|人|字|个)"
# a unit's class: the same count however it is written; months and years compare in months
_CLASS = {"名": "人", "位": "人", "人": "人", "件": "项", "项": "项", "年": "月", "个月": "月"}
_PERSON_AFTER = re.compile(r"(?:正高|高工|副高|专家|人|工程师|徒弟|同事|推荐人|老师)")
_AT_LEAST = re.compile(
    rf"(?:不少于|不低于|至少|满(?!足)|达到|超过)[^\d，,。；;、（(]{{0,4}}(\d+)\s*{_UNIT}|(\d+)\s*{_UNIT}(?:及以上|或以上|以上)"
)
_AT_MOST = re.compile(rf"(?:不超过|不多于|最多)[^\d，,。；;、（(]{{0,6}}(\d+)\s*{_UNIT}|(\d+)\s*{_UNIT}以内")
_TOP = re.compile(r"(?:排名|排)?前([一二三四五六七八九十\d]+)(?:名|位)?")
_ASKED_AMOUNT = re.compile(rf"(不到|不足|没到|没满|不满|差|只有|才|刚)?\s*({_AMOUNT})\s*{_UNIT}(半)?(多)?")
_ASKED_RANK = re.compile(
    r"(?:排名?|名列)第?\s*([一二三四五六七八九十\d]+)(?:名|位)?|第([一二三四五六七八九十\d]+)(?:名|位|完成人|作者)"
)
_SEGMENT = re.compile(r"[，,。；;、（(或\s]")
# modals a threshold answers: enough and counts both ways; may only with a no (a yes to "能报吗"
# needs every other condition too: the engine's to say)
_THRESHOLD_MODALS = {"enough": ("affirm", "deny"), "counts": ("affirm", "deny"), "may": ("deny",), "may_can": ("deny",)}


def _unit_class(unit: str, after: str) -> str:
    if unit == "个":
        return "人" if _PERSON_AFTER.match(after) else "项"
    return _CLASS.get(unit, unit)


def _segment_start(text: str, at: int) -> int:
    """Where the stretch of ``text`` that ends at ``at`` begins: just after the previous stop."""
    return max((m.end() for m in _SEGMENT.finditer(text, 0, at)), default=0)


def _context(text: str, at: int) -> List[str]:
    """The character pairs of the words just before position ``at`` (to the previous stop), in order."""
    cut = _segment_start(text, at)
    chars = re.sub(r"[^\u4e00-\u9fff]", "", text[cut:at])
    return [chars[i : i + 2] for i in range(len(chars) - 1)]


def _closeness(figure: List[str], limit: List[str]) -> Tuple[int, int]:
    """How near a threshold's words are to a figure's: pairs shared, then the earlier the first shared
    one the nearer (the modifier tells alternatives apart: 外观专利 is 外观设计's, not 发明专利's)."""
    shared = [i for i, pair in enumerate(figure) if pair in limit]
    return (len(shared), -shared[0] if shared else 0)


def _alternative(text: str, start: int, end: int) -> bool:
    """The threshold at ``text[start:end]`` is one of several routes: 或 just after or before it."""
    cut = _segment_start(text, start)
    return bool(re.match(r"[^，,。；;或]{0,8}[，,]?\s*或", text[end:])) or text[cut - 1 : cut] == "或"


def _asked_figures(question: str) -> List[Tuple[str, float, List[str]]]:
    """(class, value, context) of each figure the question gives; a year of the calendar (2019年, 17年7月)
    is not one. 不到2000字 is just under 2000, 3年多 just over 3."""
    t = normalize(question)
    out: List[Tuple[str, float, List[str]]] = []
    for m in _ASKED_AMOUNT.finditer(t):
        value = amount(m.group(2))
        if not isinstance(value, int):
            continue
        unit = m.group(3)
        after = t[m.end() :]
        if unit == "年" and (
            value >= 1900 or re.match(r"\s*\d{1,2}\s*月", after) or m.group(1) is None and "评" in after[:2]
        ):
            continue  # 2019年, 17年7月, 19年评的: a date, not a length
        klass = _unit_class(unit, after)
        v = float(value * 12 if klass == "月" and unit == "年" else value) + (6 if m.group(4) else 0)
        if m.group(1) in ("不到", "不足", "没到", "没满", "不满", "差"):
            v -= 0.5
        elif m.group(5):
            v += 0.5
        out.append((klass, v, _context(t, m.start())))
    for m in _ASKED_RANK.finditer(t):
        value = amount(m.group(1) or m.group(2))
        if isinstance(value, int):
            out.append(("rank", float(value), _context(t, m.start())))
    return out


@dataclass(frozen=True)
class _Limit:
    klass: str
    value: float
    at_least: bool
    context: List[str]
    alternative: bool  # one of several routes (论文2篇以上，或实用技术材料2项以上)
    route: int  # which of them (-1: every one, "均须排名前三")


_ROUTES = re.compile(r"[，,；;]\s*或")


def _limits(text: str) -> List[_Limit]:
    """Each threshold ``text`` sets."""
    t = normalize(text)
    out: List[_Limit] = []

    def route(at: int, ctx: List[str]) -> int:
        return -1 if any(p[0] in "均都" for p in ctx) else len(_ROUTES.findall(t, 0, at))

    for pattern, at_least in ((_AT_LEAST, True), (_AT_MOST, False)):
        for m in pattern.finditer(t):
            n, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            klass = _unit_class(unit, t[m.end() :])
            limit = float(int(n) * 12 if klass == "月" and unit == "年" else int(n))
            ctx = _context(t, m.start())
            out.append(_Limit(klass, limit, at_least, ctx, _alternative(t, m.start(), m.end()), route(m.start(), ctx)))
    for m in _TOP.finditer(t):
        value = amount(m.group(1))
        if isinstance(value, int):
            ctx = _context(t, m.start())
            out.append(_Limit("rank", float(value), False, ctx, False, route(m.start(), ctx)))
    return out


def _threshold(question: str, answers: Sequence[str], asked: Asked) -> Optional[str]:
    """The figures the question gives against the thresholds the texts set in their units; a
    threshold whose words (外观设计) the figure's words (外观专利) share is the one compared, when
    there is one. A no when a figure misses every threshold compared and a yes when every figure
    meets them, under nothing unchecked: a yes needs every threshold of the text answered by a figure
    and no further condition (均须…) the question does not meet; anything mixed, no word."""
    allowed = _THRESHOLD_MODALS.get(asked.modal.name, ())
    # "能推4个吗": the figure asked about is in what is asked; "算满足一项条件吗": it is what counts
    figures = _asked_figures(asked.proposition if asked.modal.name in ("may", "may_can") else asked.before)
    if not allowed or not figures:
        return None
    results: List[bool] = []
    for text in answers:
        limits = _limits(text)
        asked_classes = {f[0] for f in figures}
        here: List[bool] = []
        taken: set[int] = set()  # the routes of the thresholds compared
        routes = False
        for klass, value, ctx in figures:
            same = [lim for lim in limits if lim.klass == klass]
            if not same:
                continue
            best = max(_closeness(ctx, lim.context) for lim in same)
            chosen = [lim for lim in same if _closeness(ctx, lim.context) == best]
            met = {(value >= lim.value) if lim.at_least else (value <= lim.value) for lim in chosen}
            if len(met) != 1:
                return None
            ok = met.pop()
            here.append(ok)
            taken.update(lim.route for lim in chosen)
            routes = routes or (not ok and any(lim.alternative for lim in chosen))
        if not here:
            continue
        if all(here) and any(
            lim.klass not in asked_classes and (lim.route in taken or lim.route < 0) for lim in limits
        ):
            return None  # 1项以上 met, 排名前三 not said: the yes is not the question's to get
        if routes and asked.modal.name in ("may", "may_can"):
            return None  # one route missed; another the question does not say may be taken
        results.append(all(here))
    if not results or len(set(results)) > 1:
        return None
    verdict = "affirm" if results[0] else "deny"
    return asked.modal.words[verdict] if verdict in allowed else None


# "参公单位的能在长治评工程师吗": the first item shown names a group the notice says may not apply (or
# may): the group's list answers "能报吗" when it covers the question
APPLYING = re.compile(r"报|评|申报|申请|参评")
GROUP_WORDS = {"who_may_not_apply": "deny", "who_may_apply": "affirm"}


def group_word(question: str, item_text: str, topic: str, features: Features = _pairs) -> Optional[str]:
    """能 / 不能 for "…能报吗" from the notice's list of who may (not) apply, when ``item_text`` — the
    first item shown, of ``topic`` — accounts for most of what the question says."""
    asked = modal_of(question)
    verdict = GROUP_WORDS.get(topic)
    if (
        verdict is None
        or asked is None
        or asked.negated
        or asked.modal.name not in ("may", "may_can")
        or not APPLYING.search(asked.proposition)
        or CONTRAST.search(question)
    ):
        return None
    if verdict == "affirm" and (_DIGITS.search(item_text) or markers().kinds["requires"].search(item_text)):
        return None  # "在简阳工作满1年…的人员", "…须经主管部门同意": a condition is the engine's to weigh
    wanted = _weights(features(asked.proposition))
    total = sum(wanted.values())
    if not total or _shared(features, item_text, wanted) < OWN_CASE_SHARE * total:
        return None
    return asked.modal.words[verdict]


def decisive_word(question: str, answers: Sequence[str], features: Features = _pairs) -> Optional[str]:
    """The word that answers ``question`` from the texts shown (``answers``, best first);
    ``features``: how text is cut for matching (the answer index's analyzer, weighted by rarity)."""
    asked = modal_of(question)
    if asked is None or CONTRAST.search(question):
        return None  # "干够15年了但今年调进县城": the exception the question adds is not the clause's
    if asked.modal.name == "enough":
        return _threshold(question, answers, asked)
    return _by_clause(question, answers, asked, features) or _threshold(question, answers, asked)


def _by_clause(question: str, answers: Sequence[str], asked: Asked, features: Features) -> Optional[str]:
    """The word from the clause about the question (its marker against the question's modal)."""
    wanted = _weights(features(asked.proposition))
    total = sum(wanted.values())
    scored = [(_shared(features, c, wanted), c) for text in answers for c in clauses_of(text)]
    source = {c: text for text in answers for c in clauses_of(text)}  # a clause → the item it is of
    best = max((s for s, _ in scored), default=0.0)
    if best < MIN_SHARED or (OWN_CASE.search(question) and best < OWN_CASE_SHARE * total):
        return None
    read = [(s, c, clause_reading(c)) for s, c in scored]
    # the clause that answers is the one holding a marker and sharing most with the question; the
    # topic's clause without one may share more ("评审材料卷宗" against "评审后不退")
    marked = max((s for s, _, said in read if said is not None), default=0.0)
    if marked < max(MIN_SHARED, ANSWERING_SHARE * best):
        return None
    verdicts = []
    deciding: List[str] = []
    for s, clause, said in read:
        if said is None or s < max(MIN_SHARED, NEAR_BEST * marked):
            continue
        # "X不算Y": X is what is asked about (专家举荐不算业绩 does not answer 单位证明算吗);
        # "A不含B": B is
        subject = (
            said.after if said.kind in ("omits", "requires") else said.before if said.kind == "excludes" else clause
        )
        if _shared(features, subject, wanted) < MIN_SHARED:
            continue
        if said.kind == "requires" and _names_others(features, said.before, wanted):
            continue  # "事业单位人员须…" answers not "单位没岗位了还能报吗"
        numbers = _DIGITS.findall(clause)
        asked_numbers = set(_DIGITS.findall(normalize(question)))
        if numbers and not asked_numbers <= set(numbers):
            return None  # 22年 against "30年以上…不受限制": the numbers decide, and the engine compares them
        verdict = _verdict(asked, said)
        if verdict == "affirm" and numbers and (asked_numbers or OWN_CASE.search(question)):
            return None  # a yes to the asker's own case under a counted condition is the engine's to say
        if verdict == "affirm" and OWN_CASE.search(question) and not asked_numbers and _DIGITS.search(source[clause]):
            return None  # "我只有中专 能评吗" against "…干满15年…的骨干，学历可放宽到中专": the count unsaid
        if verdict is not None:  # else the clause answers something else (须 to "能…吗")
            verdicts.append(verdict)
            deciding.append(clause)
    if not verdicts or len(set(v == "affirm" for v in verdicts)) > 1:
        return None
    if verdicts[0] != "affirm" and all(UNIFORM.search(c) for c in deciding):
        return "没有统一要求"  # 不作统一要求: not required of everyone — a unit may still ask for it
    return asked.modal.words[verdicts[0]]

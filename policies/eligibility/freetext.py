"""Every fact a free-text message states (issue 21), read with the words of facts.yml ``reading:``.

    read_free(text, catalogue, today) -> {fact: value}

How a message is read:

1. Simplified, half-width, lower case; typos, English and abbreviations rewritten (``replace``).
2. Cut where the applicant corrects themself (不对 / 说错了 / 应该是 …): a later part overrides an
   earlier one, and a bare value there ("不对，是三个") replaces the last fact of its kind.
3. Cut into sentences and clauses. A question that is not about the asker states nothing; a clause
   about someone else (我老婆是公务员) or a case in general (…的话, 如果) states nothing.
4. Each fact from its words: a negation counts only in its own clause, just before the word
   (不是公务员, 没受过处分) or right after it (助工还没评). Numbers after or before their keyword,
   ranges kept as ranges (两三篇 → [2, 3]), vague amounts (十来年, 三年多, 二十几个) not read.
   Dates go to the fact whose word is nearest (…年评的助工, …年聘的, 技师证…年拿的); dates of other
   events (毕业, 入职, 退休) are left alone.
5. Where it is ambiguous (14年还是15年), nothing is read: the interview asks.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Optional, Sequence, Tuple

from policies.chars import normalize
from policies.eligibility.catalogue import Catalogue
from policies.eligibility.numbers import (
    AMOUNT,
    Found,
    Range,
    Value,
    amount,
    find_amount,
    find_amounts,
    find_dates,
    find_duration,
    full_year,
    minus_years,
    scale,
)
from policies.eligibility.roles import APPLIED, HELD, OTHERS, level_role
from policies.eligibility.wording import FactWords, Wording
from policies.sounds import SoundAlike

_CLAUSE = re.compile(r"[，,。；;！!？?、：:\n（）()]+")
_LABEL = re.compile(
    r"(?:^|\s)\s*[^\s，,。；;！!？?、（）()]{1,8}[：:]\s*$"
)  # 论文： / 公需课： / 学历：, a form's label (取得：after a space)
_SENTENCE_END = re.compile(r"[。！!？?\n]")
_SUPPOSE = re.compile(r"^\s*(?:如果|假如|假设|要是|万一|倘若)")
_UNITS = {"篇": "(?:篇|片)", "项": "(?:项|个|件|份)", "次": "(?:次|回)", "名": "(?:名|位|个)", "学时": "个?学时"}
_TITLE_FACT, _TITLE_DATE, _APPOINTED = "current_title", "current_title_date", "current_title_appointed_date"
_SKILL, _SKILL_DATE = "skill_level", "skill_date"
_NOW = re.compile(r"现在|目前|如今|后来|跳到|跳槽|调到|换到|改到|去了")
_WISHED = re.compile(r"(?:想|要|准备|打算|计划|争取|正在|还没)(?:去)?(?:考|报考|拿|评|申请|取得)(?:个|一个)?\s*$")
_BY_COUNT = re.compile(rf"(?:{AMOUNT}|俩|仨)\s*(?:个|位|名)(?:人)?(?:都|也)?(?:评上|评了|拿了|是)?(?:了)?$")
_OBTAINED = re.compile(r"取得|评|拿|获得|考")
_TOP3 = re.compile(rf"前三的?(?:只有|有|就|是|共)?\s*({AMOUNT}|俩|仨)")
_RANK = re.compile(r"(?:排(?:名)?(?:在)?第?|第|排老)([一二三四五六七八九十1-9大])(?:位|名|发明人|完成人|作者)?")
_TENURE = re.compile(rf"(?:证)?(?:已经|都)?(?:干了|拿了|当了|评了|有)?({AMOUNT}|俩)\s*年(?:了)?(?![多半以来])")
# "助理工程师，评了三年了": how long the title is held said as the next clause, which opens with
# obtaining it (not 干了: "工程师，干了三年了" may be the years of work)
_TENURE_NEXT = re.compile(
    rf"[，,\s]*(?:已经|都)?(?:评了|评上|拿了|拿到|取得)(?:有|快|将近|差不多)?({AMOUNT}|俩)\s*年(?:了)?(?![多半以来])"
)
_GIVEN_AFTER = re.compile(
    r"^(?:才|刚|就)?(?:评|拿|取得|获得|考|下来|下的|下证|取证|取的证|发证|发的证)"
)  # (电气工程师，)13年评的
_VERB_AFTER = re.compile(r"^(?:才|刚|就)?(?:评的|评上|评了|拿的|拿到|拿了|取得|获得|考的|考过|考下|下的|下证)")
_VERB_BEFORE = re.compile(r"取得(?:时间|日期)?(?:是|为|于|[：:])?\s*$")


def _gap(d: Found, m: Mention) -> int:
    return max(0, m.start - d.end, d.start - m.end)


@dataclass
class Clause:
    start: int
    end: int
    text: str
    sentence: int
    skip: bool = False  # states nothing about the applicant


@dataclass
class Mention:
    fact: str
    start: int
    end: int
    value: Any
    negated: bool
    clause: int


_FORM_LABEL = re.compile(r"[\u4e00-\u9fff]{2,8}")


_CELLS = re.compile(r"\s*[|｜\t]\s*")
_RULE_ROW = re.compile(r"[\s|｜:：\-—]+")


def _cells(line: str) -> List[str]:
    return _CELLS.split(line.strip().strip("|｜").strip())


def _table(text: str) -> Optional[str]:
    """A pasted table, a header row of labels above rows of values (序号 | 学历 | 现职称 | 评定时间 /
    12 | 本科 | 工程师 | 2020-09), as "label：value" per cell; None where the text is no such table."""
    lines = [ln for ln in text.split("\n") if ln.strip() and not _RULE_ROW.fullmatch(ln)]
    if len(lines) < 2 or not all(_CELLS.search(ln.strip().strip("|｜")) for ln in lines):
        return None
    head = _cells(lines[0])
    if len(head) < 3 or not all(_FORM_LABEL.fullmatch(c) for c in head):  # two columns: a form, label | value
        return None
    rows = [_cells(ln) for ln in lines[1:]]
    if not all(len(r) == len(head) for r in rows):
        return None
    return "\n".join("，".join(f"{h}：{v}" for h, v in zip(head, r) if v) for r in rows)


def _form_rows(text: str) -> str:
    """A pasted spreadsheet or form row, label and value in cells (现职称<tab>助理工程师), as
    "label：value", the way the same form reads with colons; cells that are not a label and a
    value are left as they are. A table with a header row reads the same way (:func:`_table`)."""
    table = _table(text) if re.search(r"[|｜\t]", text) else None
    if table is not None:
        return table
    if not re.search(r"[|｜\t]", text):
        return text
    lines = []
    for line in text.split("\n"):
        cells = _cells(line)
        if (
            len(cells) >= 2
            and len(cells) % 2 == 0
            and all(
                _FORM_LABEL.fullmatch(cells[i]) and cells[i + 1] and not re.search(r"[：:]", cells[i + 1])
                for i in range(0, len(cells), 2)
            )
        ):
            line = "，".join(f"{cells[i]}：{cells[i + 1]}" for i in range(0, len(cells), 2))
        lines.append(line)
    return "\n".join(lines)


def prepare(text: str, w: Wording) -> str:
    t = normalize(_form_rows(text or "")).lower()
    for pattern, new in w.replace:
        t = pattern.sub(new, t)
    return _sound_alike(w.sounds).correct(t) if w.sounds else t


@lru_cache(maxsize=4)
def _sound_alike(names: Tuple[str, ...]) -> SoundAlike:
    """Typos by sound towards the reading's own words (论纹 → 论文, 一坐 → 一作, 中极 → 中级)."""
    from policies.text import Analyzer, vocabulary

    vocab = vocabulary()
    terms = [*vocab.get("terms", []), *(f for forms in vocab["entities"]["level"].values() for f in forms)]
    words = (*names, *sorted((t for t in terms if t not in names), key=lambda t: (-len(t), t)))
    return SoundAlike(words, Analyzer(words))


_RUN_ON = 24  # an unpunctuated stretch longer than this is cut where a new statement starts (run_on)


def _pieces(text: str, w: Optional[Wording] = None) -> List[Tuple[int, int]]:
    """Clauses by punctuation; spaces also cut, but a piece that starts with a value or a unit
    (前年10月, 1项, 2014年), follows a lead word (我是, 不是, 没有) or is English stays with the one
    before: "助工 2014年" is one clause, "大专 民企" two. A long stretch with neither (一口气写完的
    一段话) with a hedge (不知道算不算) or a "asked for someone else" (给我老公问问) in it is cut
    where the writer starts a new statement (reading: run_on: 现在…, 另外…, 我是…), so that only
    that part states nothing. A hypothetical (如果…的话) or another person as the subject still
    covers the whole stretch: where it ends is not known."""
    spans: List[Tuple[int, int]] = []
    start = 0
    for m in _CLAUSE.finditer(text + "。"):
        if _LABEL.search(text[start : m.end()]) and not re.search(r"[吗呢么]", text[start : m.start()]):
            continue  # "论文：2篇" is one clause: the label and its value
        spans.append((start, m.start()))
        start = m.end()
    out: List[Tuple[int, int]] = []
    for s, e in spans:
        parts = [(m.start() + s, m.end() + s) for m in re.finditer(r"\S+", text[s:e])]
        merged: List[List[int]] = []
        for ps, pe in parts:
            piece = text[ps:pe]
            if merged and (
                re.match(rf"(?:{AMOUNT}|前年|去年|今年|大前年|排|都是|都在|自|个?学时|篇|项|个|次|年|月)", piece)
                or re.fullmatch(
                    r"(?:我是|我|本人|现任|自|是|有|不是|没有|不|没|从没)", text[merged[-1][0] : merged[-1][1]]
                )
                or re.fullmatch(r"[a-z&'.]+", piece)
            ):
                merged[-1][1] = pe
            else:
                merged.append([ps, pe])
        for a, b in merged:
            spans = _says_nothing(w, text, a, b) if w is not None and w.run_on is not None and b - a > _RUN_ON else []
            cuts = [
                m.start()
                for m in (w.run_on.finditer(text, a + 1, b) if w is not None and w.run_on is not None and spans else ())
                if not any(x < m.start() < y for x, y in spans)  # 应该是…吧 stays whole
            ]
            for x, y in zip([a, *cuts], [*cuts, b]):
                out.append((x, y))
    return [(s, e) for s, e in out if e > s]


def _clauses(text: str, w: Wording) -> List[Clause]:
    clauses: List[Clause] = []
    sentence = 0
    last = 0
    for s, e in _pieces(text, w):
        if _SENTENCE_END.search(text[last:s]):
            sentence += 1
        last = e
        clauses.append(Clause(s, e, text[s:e], sentence))
    by_sentence: Dict[int, List[Clause]] = {}
    for c in clauses:
        by_sentence.setdefault(c.sentence, []).append(c)
    for group in by_sentence.values():
        whole = text[group[0].start : group[-1].end + 1]
        # a question states nothing unless the asker also speaks of themself in it (我…, …拿的, a
        # date or an amount of their own)
        asking = bool(w.only_asking.search(whole)) or (
            bool(w.question.search(whole))
            and not (w.first_person.search(whole) or w.held.search(whole) or _has_value(whole))
        )
        theirs = False  # 我老公在…，中级是2015年评的: someone else's until 我 again
        supposed = False  # 如果我是大专，工程师满五年，能报吗: a supposition to the sentence's end (or 的话)
        for c in group:
            if w.other_subject.search(c.text):
                theirs = True
            elif theirs and w.first_person.search(c.text):
                theirs = False
            was_supposed = supposed
            if _SUPPOSE.search(c.text):
                supposed = "的话" not in c.text
            elif supposed and "的话" in c.text:
                supposed, was_supposed = False, True
            own = _has_value(c.text) or w.held.search(c.text) or w.first_person.search(c.text)
            c.skip = (
                asking
                or theirs
                or was_supposed
                or bool(w.not_about_me.search(c.text))
                or bool(w.hedge.search(c.text))
                or (bool(w.question.search(c.text)) and not own and not w.first_person.search(whole))
            )
    return clauses


def _says_nothing(w: Wording, text: str, lo: int, hi: int) -> List[Tuple[int, int]]:
    """Where text[lo:hi] hedges or says it is asked for someone else."""
    patterns = (w.hedge, w.for_someone_else)
    return [(m.start(), m.end()) for p in patterns for m in p.finditer(text, lo, hi)]


def _has_value(text: str) -> bool:
    return bool(re.search(rf"(?:{AMOUNT})\s*(?:篇|片|项|个|件|次|名|位|学时|年|月)", text))


def _negated(w: Wording, text: str, clause: Clause, start: int, end: int) -> bool:
    if re.match(r"现在|目前|如今", text[start:end]):
        return False  # 一直没离开过现在还在站里: a word that opens with now starts its own statement
    raw = text[clause.start : start]
    words = re.split(r"\s+", raw)
    if len(words) > 1 and words[-1] and re.search(r"[\u4e00-\u9fa5]", words[-1]):
        raw = words[-1]  # 还没搞 去年是合格: a negation before a space and other words is not this one's
    elif len(words) > 1 and re.search(r"[\u4e00-\u9fa5]", words[-2]):
        ends = re.search(f"(?:{w.negation.pattern})$", words[-2])  # 没有 职称: right before the space
        raw = ends.group(0) if ends else ""
    before = re.sub(r"[a-z&'.\s]+", "", raw)[-6:]
    before = re.split(r"但是|但|可是|而是|还有", before)[-1]
    if w.negation.search(before):
        return True
    return bool(w.negation_after.search(text[end : clause.end]))


def _segments(text: str, w: Wording) -> List[Tuple[int, int, bool]]:
    """(start, end, is_a_correction) for the parts between correction words."""
    cuts = [(m.start(), m.end()) for m in w.correction.finditer(text)]
    if w.not_but is not None:  # 不是助工，是工程师: from 是 on, it corrects
        cuts += [(m.end(), m.end()) for m in w.not_but.finditer(text)]
    cuts.sort()
    out: List[Tuple[int, int, bool]] = []
    start, correcting = 0, False
    for s, e in cuts:
        if s > start:
            out.append((start, s, correcting))
        start, correcting = e, True
    if start < len(text):
        out.append((start, len(text), correcting))
    return [seg for seg in out if text[seg[0] : seg[1]].strip(" ，,。、")]


class _Reader:
    def __init__(self, catalogue: Catalogue, today: dt.date) -> None:
        assert catalogue.wording is not None, "facts.yml has no reading: section"
        self.c, self.w, self.today = catalogue, catalogue.wording, today
        self.loose_titles: List[Mention] = []
        self.correcting = False

    # -- one segment ----------------------------------------------------------------------
    def segment(
        self, text: str, lo: int, hi: int, clauses: List[Clause], correcting: bool = False
    ) -> Tuple[Dict[str, Any], List[str], List[Any]]:
        """Facts of text[lo:hi] with the order they were read in, and the bare values (a value in a
        clause naming no fact: the correction of an earlier one)."""
        cs = [
            Clause(max(c.start, lo), min(c.end, hi), text[max(c.start, lo) : min(c.end, hi)], c.sentence, c.skip)
            for c in clauses
            if c.start < hi and c.end > lo
        ]
        self.text, self.cs = text, cs
        self.whole, self.lo, self.hi = text[lo:hi], lo, hi
        self.correcting = correcting
        facts: Dict[str, Any] = {}
        order: List[str] = []

        def put(fact: str, value: Any) -> None:
            if fact in self.c.specs and value is not None:
                facts[fact] = value
                order.append(fact)

        mentions = self._word_mentions()
        for fact, value in self._choices(mentions).items():
            put(fact, value)
        dates: List[Found] = []
        for c in cs:  # 同年8月: the year of the date said before, in this clause or an earlier one
            if not c.skip:
                year = next((d.day.year for d in reversed(dates) if d.day is not None), None)
                dates += [_shift(f, c.start) for f in find_dates(c.text, self.today, year)]
        said = re.match(r"[\s,，]*是?\s*(\d{2})\s*年(?![多半以来前后])", text[lo:hi]) if correcting else None
        if said and (not dates or dates[0].start > lo + said.end()):
            # 说错了，是09年: a two-digit year right after a correction word is a date
            year = full_year(int(said.group(1)), self.today)
            dates.insert(0, Found(lo + said.start(1), lo + said.end(), dt.date(year, 12, 31)))
        held = self._held_title(mentions, dates)
        if held is not None:
            put(_TITLE_FACT, held.value)
        owned, bare_dates = self._dates(dates, mentions, held)
        if held is not None and held.value != "none" and owned.get(_TITLE_DATE) is None and _TITLE_DATE not in owned:
            since = self._tenure(held)
            if since is not None:
                owned[_TITLE_DATE] = since.isoformat()
        for fact, value in owned.items():
            put(fact, value)
        numbers, bare_numbers = self._numbers(dates)
        for fact, value in numbers.items():
            put(fact, value)
        self.ambiguous_owner = [f for f, v in owned.items() if v is None]
        return facts, order, bare_dates + bare_numbers

    def _word_mentions(self) -> List[Mention]:
        found: List[Mention] = []
        for fw in self.w.facts.values():
            if fw.kind not in ("flag", "choice") or fw.fact not in self.c.specs:
                continue
            if fw.needs is not None and not fw.needs.search(self.whole):
                continue
            spans: List[Mention] = []
            for pattern, value in fw.values:
                for m in pattern.finditer(self.text, self.lo, self.hi):
                    i = self._clause_at(m.start())
                    if i is None:
                        continue
                    c = self.cs[i]
                    if c.skip or (fw.unless is not None and fw.unless.search(c.text)):
                        continue
                    last = self._clause_at(m.end() - 1)
                    if last is not None and last != i and self.w.hedge.search(self.cs[last].text):
                        continue  # 个税…挺多 应该超过免征额一倍了吧不太确定: hedged where it ends
                    spans.append(
                        Mention(
                            fw.fact, m.start(), m.end(), value, _negated(self.w, self.text, c, m.start(), m.end()), i
                        )
                    )
            # a word inside a longer one of the same fact is not a mention (处分 in 处分已经到期)
            found += [
                m
                for m in spans
                if not any(
                    o is not m and o.start <= m.start and m.end <= o.end and (o.end - o.start) > (m.end - m.start)
                    for o in spans
                )
            ]
        # a word inside another fact's longer word neither (工程师 in 正高级工程师 … handled per fact)
        return sorted(found, key=lambda m: m.start)

    def _clause_at(self, pos: int) -> Optional[int]:
        for i, c in enumerate(self.cs):
            if c.start <= pos < c.end:
                return i
        return None

    def _choices(self, mentions: List[Mention]) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        for m in mentions:
            if m.fact in (_TITLE_FACT,):
                continue
            spec = self.c.specs[m.fact]
            if m.negated and m.value is not False:  # a no-word says the negative itself (档案还在老家没转)
                if spec.type == "bool" and m.value is True:
                    out[m.fact] = False
                continue
            if spec.type == "bool":
                out[m.fact] = m.value  # the last said
            elif spec.type in self.c.orders and m.fact == "education":
                if m.fact not in out or self.c.orders[spec.type][m.value] > self.c.orders[spec.type][out[m.fact]]:
                    out[m.fact] = m.value
            elif spec.type == "skill":
                if self._skill_applied(m):
                    continue  # 想考高级技师: the certificate wished for
                order = self.c.orders.get("skill") or {}
                # a certificate named wins over 没有技师; of two, the higher (技师证…又拿了高级技师)
                if out.get(m.fact) in (None, "none") or order.get(m.value, 0) > order.get(out[m.fact], 0):
                    out[m.fact] = m.value
            elif m.fact in out and out[m.fact] != m.value and _NOW.search(self.text[self.cs[m.clause].start : m.start]):
                out[m.fact] = m.value  # 先是在国企…现在在一家私营企业: what is so now
            else:
                out.setdefault(m.fact, m.value)
        return out

    def _skill_applied(self, m: Mention) -> bool:
        """想考高级技师 / 要是考了高级技师: a certificate wished for, not held."""
        c = self.cs[m.clause]
        before = self.text[max(c.start, m.start - 16) : m.start]
        return bool(_WISHED.search(before)) or level_role(before, self.text[m.end : c.end], self.w) == APPLIED

    def _held_title(self, mentions: List[Mention], dates: List[Found]) -> Optional[Mention]:
        """The title held: the highest mention said as held (拿的 / 现在是 / a date with it), not
        the level applied for (想报工程师), not another series (中级经济师), not a recommender's."""
        w, t = self.w, self.text
        held: List[Mention] = []
        self.loose_titles = []
        titles = [m for m in mentions if m.fact == _TITLE_FACT]
        for m in titles:
            c = self.cs[m.clause]
            before = t[max(c.start, m.start - 8) : m.start]
            after = t[m.end : c.end]
            if m.value == "none":
                held.append(m)
                continue
            if (
                m.negated
                or self._other_series(after)
                or "推荐" in after[:10]
                or w.not_a_level_after.match(after)
                or (re.match(r"\s*[（(]", t[m.end :]) and w.not_a_level_after.match(t[m.end : m.end + 12]))
                or _BY_COUNT.search(before)
            ):
                continue
            if re.match(r"(?:以来|这几年)", after) and not re.search(r"评|拿|取得", before):
                continue  # 任助工以来: the period, not a statement
            role = level_role(t[max(c.start, m.start - 16) : m.start], after, w)
            if role in (APPLIED, OTHERS):
                continue  # the level applied for, or someone else's (有三个高工推荐)
            dated = any(c.start <= d.start < c.end and _gap(d, m) <= 8 for d in dates)
            nxt = self.cs[m.clause + 1] if m.clause + 1 < len(self.cs) else None
            dated_next = (
                nxt is not None
                and not any(o.clause == m.clause + 1 for o in titles)
                and (
                    any(nxt.start <= d.start < nxt.end and d.start - nxt.start <= 4 for d in dates)
                    or (not after.strip() and _TENURE_NEXT.match(t, c.end) is not None)
                )
            )
            self.loose_titles.append(m)  # named, not applied for: what "不是助工，是工程师" corrects to
            # said as held (roles.py), or what only the reader knows: its date, how long it is held
            # (中级职称 / 初级职称 named as such, not applied for: the title one has)
            said_as_title = re.search(r"职称", before) or t[m.start : m.end].endswith("职称")
            # 本科毕业，助理工程师，民营企业: a level alone in a list of one's facts, in a message
            # that applies for nothing and asks nothing, is the title held
            listed = (
                re.fullmatch(r"\s*(?:我是|是|现在是|目前是)?\s*", t[c.start : m.start]) is not None
                and not t[m.end : c.end].strip()
                and not w.applying.search(t)
                and not w.question.search(t)
            )
            if not (role == HELD or dated or dated_next or _TENURE.match(after) or said_as_title or listed):
                continue
            held.append(m)
        if not held:
            return None
        levels = self.c.orders["title"]
        return max(held, key=lambda m: (levels[m.value], m.start))

    def _other_series(self, after: str) -> bool:
        """中级经济师: the level of another series (other_series_title's words right after it)."""
        fw = self.w.facts.get("other_series_title")
        return fw is not None and any(p.match(after) for p, v in fw.values if v is True)

    def _tenure(self, held: Mention) -> Optional[dt.date]:
        """技术员干了五年 / 拿助工两年了 / 助工拿了六年: held for a whole number of years, so obtained
        that long before today (vague — 快五年, 两年半 — is not a date)."""
        c = self.cs[held.clause]
        near = self.text[held.end : min(c.end, held.end + 8)]
        m = re.match(
            rf"(?:证)?(?:已经|都)?(?:干了|拿了|拿到手|到手|当了|评了|评上|有)?({AMOUNT}|俩)\s*年(?:了)?(?![多半以来])",
            near,
        )
        if m is None and not self.text[held.end : c.end].strip():
            m = _TENURE_NEXT.match(self.text, c.end)
            near = self.text
        if m is None:
            return None
        if re.search(r"[快近约]", self.text[max(c.start, held.start - 3) : held.start] + near[m.start() : m.start(1)]):
            return None
        n = amount(m.group(1))
        return minus_years(self.today, n) if isinstance(n, int) and 0 < n < 50 else None

    def _dates(
        self, dates: List[Found], mentions: List[Mention], held: Optional[Mention]
    ) -> Tuple[Dict[str, Any], List[Any]]:
        """Each date to the fact it belongs to (the nearest of its words); the dates that belong to
        none (bare: what a correction gives)."""
        w, t = self.w, self.text
        appointed = self.w.facts.get(_APPOINTED)
        skill_order = self.c.orders.get("skill") or {}
        skills = [m for m in mentions if m.fact == _SKILL and not m.negated and m.value != "none"]
        # 高级技师证: 技师证 inside it is not a second certificate
        skills = [
            m
            for m in skills
            if not any(
                o is not m and o.start < m.end and m.start < o.end and o.end - o.start > m.end - m.start for o in skills
            )
        ]
        top_skill = max((skill_order.get(m.value, 0) for m in skills if not self._skill_applied(m)), default=0)
        titles = [m for m in mentions if m.fact == _TITLE_FACT and not m.negated and m.value != "none"]
        best: Dict[str, Tuple[int, Found]] = {}
        bare: List[Any] = []
        for i, d in enumerate(dates):
            ci = next(i for i, c in enumerate(self.cs) if c.start <= d.start < c.end)
            c = self.cs[ci]
            lo = max(c.start, dates[i - 1].end if i else c.start)
            hi = min(c.end, dates[i + 1].start if i + 1 < len(dates) else c.end)
            left, right = t[lo : d.start], t[d.end : hi]
            owner: Optional[str] = None
            gap = 0
            verb = _VERB_AFTER.match(right)  # 2008年评的(快退休了): an event after the verb is not its object
            after_verb = re.sub(r"^(?:了|的|过|到)+", "", right[verb.end() :])[:4] if verb else right[:5]
            other = bool(w.other_events.match(after_verb) if verb else w.other_events.search(after_verb)) or bool(
                w.other_events.search(left[-4:]) and not verb
            )
            other = other and not (
                self.correcting and re.fullmatch(r"[\s,，]*(?:是|改成|改为)?\s*", t[self.lo : d.start])
            )
            # (不对，是2022年 论文…: the date right after a correction word is the correction)
            if re.search(r"(?:不是|并非|而非)\s*$", left):
                continue  # 不是2018年: the date denied, neither a fact's nor a correction's
            # 助理工程师是一九年评的 / 助工 19年: the title said right before the date, and the date
            # followed by how it was obtained or by nothing, is the title's date — whatever the run-on
            # message goes on to (…评的论文发了一篇); not 技术员2020年6月大专毕业 (another event)
            just_after = [
                m for m in titles if m.end <= d.start and re.fullmatch(r"\s*(?:是|在|于)?\s*", t[m.end : d.start])
            ]
            if (
                just_after
                and held is not None
                and just_after[-1].value == held.value
                and (_GIVEN_AFTER.match(right.lstrip()) or not right.strip())
            ):
                owner, gap = _TITLE_DATE, 0
                if owner not in best or gap < best[owner][0]:
                    best[owner] = (gap, d)
                continue
            if (re.search(r"(?<![没未])聘", right[:6]) and not _VERB_AFTER.match(right)) or (
                appointed is not None
                and appointed.keywords is not None
                and appointed.keywords.search(left[-8:])
                and not _OBTAINED.search(right[:4])
            ):
                owner = _APPOINTED
            elif other:
                owner = None
            else:
                near: List[Tuple[int, Mention]] = []
                for m in skills + titles:
                    if (
                        m.clause == ci
                        or (m.clause + 1 == ci and (_GIVEN_AFTER.match(right) or _OBTAINED.search(left)))
                        or re.fullmatch(r"\s*[（(]\s*", t[m.end : d.start])  # 助理工程师（2019.12）
                    ):
                        near.append((_gap(d, m), m))
                given = _VERB_AFTER.match(right)
                named = [
                    m
                    for _, m in near
                    if given
                    and d.end + given.end() <= m.start <= d.end + given.end() + 2
                    and not any(0 <= o.start - m.end <= 3 for o in dates)  # 助工2016年评的: its own date
                ]
                if named:  # 2016年评的技术员2019年3月评上助理工程师: the title after its verb is the date's
                    near = [(0, named[0])]
                if near:
                    # nearest; on a tie the word after the date (…18年拿的助理工程师)
                    gap, m = min(near, key=lambda x: (x[0], x[1].start < d.start))
                    if m.fact == _SKILL and skill_order.get(m.value, 0) == top_skill:
                        owner = _SKILL_DATE  # the date of the certificate held (not of 技师 before 高级技师)
                    elif m.fact == _SKILL:
                        owner, other = None, True
                    elif held is not None and m.value == held.value:
                        owner = _TITLE_DATE
                elif _VERB_AFTER.match(right) or _VERB_BEFORE.search(left):
                    owner = _TITLE_DATE if not skills else _SKILL_DATE
                    gap = 50
            if owner is None:
                if not other:
                    bare.append(d.day)
                continue
            if owner not in best or (best[owner][1].day is None) or gap < best[owner][0]:
                best[owner] = (gap, d)
        out = {f: (d.day.isoformat() if d.day else None) for f, (_, d) in best.items()}
        return out, bare

    def _numbers(self, dates: List[Found]) -> Tuple[Dict[str, Any], List[Any]]:
        w, t = self.w, self.text
        out: Dict[str, Any] = {}
        keyed: List[Tuple[int, int, FactWords]] = []
        for fw in w.facts.values():
            if fw.kind != "number" or fw.keywords is None or fw.fact not in self.c.specs:
                continue
            if fw.needs is not None and not fw.needs.search(self.whole):
                continue
            for m in fw.keywords.finditer(t, self.lo, self.hi):
                ci = self._clause_at(m.start())
                if ci is not None and not self.cs[ci].skip:
                    keyed.append((m.start(), m.end(), fw))
        # a keyword inside a longer one is not a mention (专业 in 专业科目, 合格 in 考核合格)
        keyed = [
            k
            for k in keyed
            if not any(o is not k and o[0] <= k[0] and k[1] <= o[1] and o[1] - o[0] > k[1] - k[0] for o in keyed)
        ]
        # a general keyword (工作, 干了) in a clause with a specific one (乡镇, 社保) is not its own
        specific = {self._clause_at(k[0]) for k in keyed if _specific(k[2]) and self._is_duration(k[2])}
        keyed = [k for k in keyed if _specific(k[2]) or self._clause_at(k[0]) not in specific]
        keyed.sort(key=lambda k: k[0])
        spans = [(d.start, d.end) for d in dates]
        carried: List[Tuple[FactWords, int]] = []  # keywords whose number may be in a later clause
        used_clauses = set()
        general_in: Dict[int, str] = {}  # a clause whose number a general keyword (干了) took
        for i, (s, e, fw) in enumerate(keyed):
            spec = self.c.specs[fw.fact]
            ci = self._clause_at(s)
            assert ci is not None
            c = self.cs[ci]
            # unless: said of this keyword, between the keywords before and after it in its clause
            # (两个实用新型排第一一个发明专利还在实审: 实审 is the invention patent's)
            around = t[
                max(c.start, keyed[i - 1][1] if i else c.start) : min(
                    c.end, keyed[i + 1][0] if i + 1 < len(keyed) else c.end
                )
            ]
            if fw.unless is not None and fw.unless.search(around):
                if fw.scope > 1:
                    carried.append((fw, ci))
                continue
            nxt = keyed[i + 1][0] if i + 1 < len(keyed) else len(t)
            same_kind = [k for k in keyed[:i] if self._is_duration(k[2]) == self._is_duration(fw)]
            prv = same_kind[-1][1] if same_kind else c.start
            hi, lo = min(nxt, c.end), max(prv, c.start)
            if re.fullmatch(r"\s*(?:和|及|与|、|跟|以及)\s*", t[e:hi]) and i + 1 < len(keyed):
                hi = min(
                    keyed[i + 2][0] if i + 2 < len(keyed) else len(t),
                    self.cs[self._clause_at(keyed[i + 1][0]) or ci].end,
                )
            if self._is_duration(fw):
                if fw.fact in out or self._title_words_in(t[max(c.start, s - 4) : s]):
                    continue  # 技术员干了五年: how long a title is held
                value = self._duration(fw, t[e:hi], dates, e)
                if value is None and lo == c.start:  # before it only when no other keyword is there
                    value = self._duration(fw, t[lo:s], dates, lo)
                if value is None and fw.scope > 1:
                    carried.append((fw, ci))
                elif value is not None:
                    out[fw.fact] = _plain(value[0])
                    used_clauses.add(ci)
                    if not _specific(fw):
                        general_in[ci] = fw.fact
                continue
            if fw.fact in out:
                continue
            value = self._count(fw, spec.unit or "", s, e, hi, lo, nxt)
            if value is not None:
                out[fw.fact] = value
                used_clauses.add(ci)
            elif fw.scope > 1 and not re.search(rf"{AMOUNT}|俩|仨", t[e:hi]):
                carried.append((fw, ci))  # 技术报告都是自己参加的项目，总共三篇: its number follows
        keyed_clauses = {self._clause_at(k[0]) for k in keyed}
        for fw, ci in carried:
            if fw.fact in out:
                continue
            for j in range(ci + 1, min(ci + 1 + fw.scope, len(self.cs))):
                n = self.cs[j]
                # 调到设备技术岗，到现在干了两年: the post's months, not years of work in general
                taken_by_general = j in general_in and _specific(fw) and self._is_duration(fw)
                if n.skip or (j in used_clauses and not taken_by_general):
                    break
                if any(self._clause_at(k[0]) == j and _specific(k[2]) for k in keyed):
                    break
                if not self._is_duration(fw):
                    # the count alone opens the next clause (总共三篇 / 一共四篇 / 写了有六篇了)
                    counted = re.match(
                        rf"\s*(?:我|都|也)?(?:写了|写过|发了|有|总共|一共|共|合计)*(?:有)?\s*({AMOUNT}|俩|仨)\s*(?:篇|份|项|个)(?=\s*(?:了|吧|啊)?\s*(?:[，,。；;！!？?\s]|$))",
                        n.text,
                    )
                    if counted:
                        got = {"俩": 2, "仨": 3}.get(counted.group(1)) or amount(counted.group(1))
                        if got is not None:
                            out[fw.fact] = _plain(got)
                            used_clauses.add(j)
                    break
                value = self._duration(fw, n.text, dates, n.start)
                if value is not None:
                    if taken_by_general:
                        out.pop(general_in.pop(j), None)
                    out[fw.fact] = _plain(value[0])
                    used_clauses.add(j)
                    break
        for fw in w.facts.values():  # 没有专利: none of them, unless a number of them is said
            if fw.none is None or fw.fact in out or fw.fact not in self.c.specs:
                continue
            if any(not c.skip and fw.none.search(c.text) for c in self.cs):
                out[fw.fact] = 0
        self._papers(out)
        bare: List[Any] = []
        for j, c in enumerate(self.cs):
            if j in keyed_clauses or c.skip or c.start < self.lo or c.end > self.hi:
                continue
            span = find_duration(c.text, True, [_shift(d, -c.start) for d in dates])
            if span is not None and span[0] is not None and re.search(r"年|月", c.text[span[1] : span[2]]):
                years = find_duration(c.text, False, [_shift(d, -c.start) for d in dates])
                if "月" not in c.text[span[1] : span[2]] and years is not None and years[0] is not None:
                    bare.append((years[0], "年"))  # 六年: a number of years (or 72 months, below)
                else:
                    bare.append((span[0], "个月"))  # 一年零五个月: a duration, in months
                continue
            hit = find_amount(c.text, r"(?:篇|片|项|个|件|次|名|位|学时|个月)?")
            if hit and not any(s <= c.start + hit[1].start() < e for s, e in spans):
                unit = re.sub(rf"^{AMOUNT}\s*", "", hit[1].group(0))
                bare.append((hit[0], unit))
        return out, bare

    def _papers(self, out: Dict[str, Any]) -> None:
        """论文 with no author said is first-author (the notices count those); both said and
        equal, one fact."""
        self._papers_first(out)
        first = out.get("papers_first_author")
        if "papers_total" not in out and isinstance(first, int):
            total = self._papers_said_in_all(first)
            if total is not None and total > first:
                out["papers_total"] = total  # 一作2篇，共5篇 / 一篇一作，两篇二作

    def _papers_said_in_all(self, first: int) -> Optional[int]:
        """All the papers, first author or not, when the message says so: a total (共5篇), or the
        first-author ones plus those of a later author (一篇一作一篇二作; 另有三篇是二作的)."""
        said = re.search(
            rf"(?:共|总共|一共|合计|总计)(?:发表?了?|有)?\s*({AMOUNT})\s*篇(?!(?:都是|均为|全是)?(?:一作|第一作者|独立))",
            self.whole,
        )
        if said is not None:
            value = amount(said.group(1))
            return value if isinstance(value, int) else None
        later = 0
        author = r"(?:第[二三四五]作者|[二三四]作|通讯作者|co-?author)"
        before = rf"({AMOUNT})\s*篇(?:论文)?[^，。；,;\d篇作]{{0,4}}?{author}"  # 两篇二作, 另有三篇是二作的
        after = rf"{author}(?:的)?(?:论文)?(?:有|还有)?\s*({AMOUNT})\s*篇"  # 二作一篇
        # the message's own order: 一篇一作两篇二作 says each number before its author, 一作两篇
        # 二作一篇 after; a number is counted once
        first_before = re.search(rf"{AMOUNT}\s*篇(?:论文)?\s*(?:是|为)?(?:一作|第一作者|独立)", self.whole)
        counted: List[Tuple[int, int]] = []
        for pattern in (before,) if first_before else (after, before):
            for m in re.finditer(pattern, self.whole):
                # the number and the author word each once (一作两篇 二作一篇: 二作 is 一篇's)
                word = (m.end(1), m.end()) if pattern is before else (m.start(), m.start(1))
                if any(s < word[1] and word[0] < e or s <= m.start(1) < e for s, e in counted):
                    continue
                value = amount(m.group(1))
                if not isinstance(value, int):
                    return None
                later += value
                counted += [m.span(1), word]
        return first + later if later else None

    def _papers_first(self, out: Dict[str, Any]) -> None:
        total, first = out.get("papers_total"), out.get("papers_first_author")
        if total is None:
            return
        if re.search(r"(?:都是|均为|全是|全部是)(?:我)?(?:第一作者|一作|独立)", self.whole):
            out["papers_first_author"] = total  # 论文俩 都是一作 (一篇核心一篇省级)
            del out["papers_total"]
        elif first is None and re.search(r"论文(?:是|都是|均为|为)(?:第一作者|一作|独立)", self.whole):
            out["papers_first_author"] = total  # 一篇论文是第一作者(，还有两篇是第二作者)
            del out["papers_total"]
        elif first is None and not re.search(r"第[二三四]作者|二作|三作|通讯", self.whole):
            out["papers_first_author"] = total
            del out["papers_total"]
        elif first is None and not re.search(r"第一作者|一作|独立|通讯", self.whole):
            out["papers_first_author"] = 0  # 一篇，不过是第二作者: every paper a later author's
        elif first is not None and total == first:
            del out["papers_total"]

    def _is_duration(self, fw: FactWords) -> bool:
        return self.c.specs[fw.fact].unit in ("年", "个月")

    def _duration(self, fw: FactWords, text: str, dates: List[Found], base: int) -> Optional[Tuple[Any, int, int]]:
        months = self.c.specs[fw.fact].unit == "个月"
        got = find_duration(text, months, [_shift(d, -base) for d in dates])
        if (
            got is not None
            and re.match(r"[都也]?(?:没|没有)", text[got[2] :])
            and re.match(r"\s*一\s*个?\s*[年月]", text[got[1] :])
        ):
            return 0, got[1], got[2]  # 本地一个月都没交过: none
        if got is None or got[0] is None:
            return None
        if self._title_words_in(text[: got[1]]):
            return None  # 拿助工两年半了: how long a title is held, not a fact here
        return got

    def _title_words_in(self, text: str) -> List[str]:
        tw = self.w.facts.get(_TITLE_FACT)
        if tw is None:
            return []
        return [m.group(0) for p, _ in tw.values for m in p.finditer(text)]

    def _count(self, fw: FactWords, unit: str, s: int, e: int, hi: int, lo: int, nxt_kw: int) -> Any:
        t = self.text
        after, before = t[e:hi], t[lo:s]
        unit_re = _UNITS.get(unit, re.escape(unit))
        if fw.fact.endswith("_top3"):
            rest = t[e : min(self._sentence_end(e), nxt_kw)]
            top = _TOP3.search(rest)
            if top:
                v = amount(top.group(1))
                return _plain(v) if v is not None else None
            said = re.search(rf"({AMOUNT}|俩|仨)\s*{unit_re}\s*$", before)
            if said and re.match(r"\s*(?:都|均|全)?(?:是)?(?:我)?排", after):
                # 两个实用新型排第一(一个发明专利…): the count said right before, its rank after
                n = {"俩": 2, "仨": 3}.get(said.group(1)) or amount(said.group(1))
                return _in_top3(_plain(n), rest)
            return _in_top3(self._plain_count(unit, unit_re, after, before), rest)
        if fw.other_kind is not None and self._owned_by_other_kind(fw, unit_re, after, before):
            after = ""  # 一篇一作两篇二作: 两篇 is the 二作's, the 一作's number is the one before it
        return self._plain_count(unit, unit_re, after, before)

    @staticmethod
    def _owned_by_other_kind(fw: FactWords, unit_re: str, after: str, before: str) -> bool:
        """The number right after the keyword is said of another kind (``other_kind``), and one said
        right before the keyword is there to take."""
        assert fw.other_kind is not None
        hits = find_amounts(after, unit_re)
        if not hits or not re.search(rf"{AMOUNT}\s*{unit_re}\s*$", before):
            return False
        m = hits[0][1]
        rest = after[m.end() :]
        skipped = len(rest) - len(rest.lstrip("是的"))
        other = fw.other_kind[0].match(rest[skipped : skipped + 6])
        if after[: m.start()].strip() or other is None:
            return False
        # 一作两篇二作一篇 says each number after its author: 二作 has its own (一篇), so 两篇 is 一作's
        return not find_amounts(rest[skipped + other.end() : skipped + other.end() + 4], unit_re)

    def _plain_count(self, unit: str, unit_re: str, after: str, before: str) -> Any:
        w = self.w
        if re.search(r"(?:没有|没|无|莫得)\s*$", before) and not find_amounts(after, unit_re):
            return 0  # 没有一作: none (not 发明专利没有实用新型有6个)
        zero = w.zero.search(after.strip())
        hits = find_amounts(after, unit_re)
        if zero and (not hits or zero.start() <= after.strip().find(hits[0][1].group(0))):
            return 0
        for text in (after, before):
            hits = find_amounts(text, unit_re)
            if hits:
                value, m = hits[0] if text is after else hits[-1]
                tail = text[m.end() : m.end() + 1]
                head = text[max(0, m.start() - 2) : m.start()]
                if (
                    w.vague.search(m.group(0))
                    or re.match(r"[几多来]", tail)
                    or re.search(r"(?:快|将近|大约|约)$", head)
                    or re.search(r"(?:差不多|大概|大约|将近|接近|估计|可能)(?:有|是)?\s*$", text[: m.start()])
                ):
                    return None
                return _plain(value)
            if unit != "学时":
                bare = re.search(r"(?:^|[有就是了只剩])\s*(俩|仨)", text)
                if bare:
                    return 2 if bare.group(1) == "俩" else 3
                if text is before and re.search(r"(?:有|只有|就)个\s*$", text):
                    return 1  # 有个发明专利
        if w.zero.search(re.split(r"\s+", before.strip())[-1][-6:] or "-"):  # not 还没搞 去年是合格
            return 0
        if unit == "学时" and re.search(r"公需|继续教育|学时|课时", self.whole):
            # 公需30 专业60: hours said right after their keyword, without 学时
            bare_hours = re.match(
                rf"(?:课|科目|课程)?(?:学时)?(?:学了|修了|有|是|共|一共|：|:)?\s*({AMOUNT})(?!\s*[年月篇项个次名位%])",
                after,
            )
            if bare_hours and not re.match(r"\s*[多几来余]", after[bare_hours.end(1) :]):
                return _plain(amount(bare_hours.group(1)))
        return None

    def _sentence_end(self, pos: int) -> int:
        m = _SENTENCE_END.search(self.text, pos)
        return m.start() if m else len(self.text)


def _in_top3(count: Any, rest: str) -> Any:
    """Of ``count`` items (patents), those the applicant ranks 1st–3rd in, from the ranks said after
    them: 一个排第一一个排第五 → 1 of 2; 都是我排第一 → all; 3项，我排第五 → 0; no rank said → all
    (the question asks for those in the top three). Ranks that do not match the count: unknown."""
    ranks = [1 if m.group(1) == "大" else amount(m.group(1)) for m in _RANK.finditer(rest)]  # 排老大 is first
    if not ranks:
        if re.search(r"前三|前3|前面三", rest):
            return count  # 都排前三
        return None if isinstance(count, (int, Range, list)) and count != 0 else count  # no rank said: unknown
    if not isinstance(count, int):
        return count
    top = [isinstance(r, int) and r <= 3 for r in ranks]
    if len(ranks) == 1 or re.search(r"[都全](?:是)?(?:我)?(?:排|是)", rest):
        return count if top[0] else 0
    if len(ranks) == count:
        return sum(top)
    return None


def _specific(fw: FactWords) -> int:
    return 0 if fw.fact == "work_years" else 1


def _plain(value: Optional[Value]) -> Any:
    if isinstance(value, Range):
        return value.as_list()
    return value


def _shift(f: Found, by: int) -> Found:
    return Found(f.start + by, f.end + by, f.day)


def read_free(
    text: str, catalogue: Catalogue, today: dt.date, places: Sequence[str] = ()
) -> Tuple[Dict[str, Any], List[str]]:
    """Every fact ``text`` states ({fact: value}; a range as [low, high], a date as an ISO string),
    and the facts in the order read (the last is the one a later "不对，是…" corrects). ``places``:
    the names of the notice's city when the conversation has one (在简阳上班 → works locally)."""
    w = catalogue.wording
    if w is None:
        return {}, []
    reader = _Reader(catalogue, today)
    t = prepare(text, w)
    clauses = _clauses(t, w)
    asked_for = w.for_someone_else.search(t)
    if asked_for:  # 替我爸问的: from there on the facts are someone else's, until 我自己…
        for c in clauses:
            if c.end <= asked_for.start():
                continue
            if w.self_again.search(c.text):
                break
            c.skip = True
    facts: Dict[str, Any] = {}
    order: List[str] = []
    ambiguous: List[str] = []  # facts said with an unclear value (14年还是15年): a correction may give it
    for lo, hi, correcting in _segments(t, w):
        got, got_order, bare = reader.segment(t, lo, hi, clauses, correcting)
        pending = [f for f in order + ambiguous if f not in got]
        ambiguous += reader.ambiguous_owner
        if correcting and _TITLE_FACT in pending and _TITLE_FACT not in got and reader.loose_titles:
            levels = catalogue.orders["title"]
            got[_TITLE_FACT] = max(reader.loose_titles, key=lambda m: levels[m.value]).value
            got_order.append(_TITLE_FACT)
        if correcting and pending and (years := _bare_years(t[lo:hi])) is not None:
            spec = catalogue.specs.get(pending[-1])  # 干了15年，不对，16年: a number of years, not 2016
            if spec is not None and spec.type == "int" and spec.unit == "年" and pending[-1] not in got:
                bare = [(years, "年")]
        if correcting:
            for value in bare:
                fact = _corrected(catalogue, pending, value)
                if fact is None:
                    continue
                earlier = got.get(fact)
                refines = (  # 不对，是2015年，2015年10月: the same year said more exactly
                    isinstance(value, dt.date)
                    and isinstance(earlier, str)
                    and earlier[:4] == str(value.year)
                    and earlier[5:] == "12-31"
                )
                if fact not in got or refines:  # the first value after 不对 corrects
                    if isinstance(value, tuple) and value[1] == "年" and catalogue.specs[fact].unit == "个月":
                        value = (scale(value[0], 12), "个月")
                    got[fact] = value.isoformat() if isinstance(value, dt.date) else _plain(value[0])
                    got_order.append(fact)
        for fact in got_order:
            if got.get(fact) is None:
                continue
            facts[fact] = got[fact]
            if fact in order:
                order.remove(fact)
            order.append(fact)
    for fact, pattern, value in w.here_patterns(places):
        if fact in facts or fact not in catalogue.specs:
            continue
        for m in pattern.finditer(t):
            clause = next((c for c in clauses if c.start <= m.start() < c.end), None)
            if clause is not None and not clause.skip:
                facts[fact] = value
                order.append(fact)
                break
    return facts, order


def _bare_years(part: str) -> Optional[int]:
    """N年 alone at the start of a correction (…，不对，16年，…): a number of years."""
    m = re.match(rf"\s*[，,]?\s*(?:是|应该是)?\s*({AMOUNT})\s*年(?:了)?\s*(?:[，,。；;]|$)", part)
    value = amount(m.group(1)) if m else None
    return value if isinstance(value, int) and 0 < value <= 60 else None


def _corrected(catalogue: Catalogue, earlier: Sequence[str], value: Any) -> Optional[str]:
    """The fact a bare value corrects: the latest one read earlier of its kind (a date, a count)."""
    for fact in reversed(earlier):
        spec = catalogue.specs.get(fact)
        if spec is None:
            continue
        if isinstance(value, dt.date) and spec.type == "date":
            return fact
        if isinstance(value, tuple) and spec.type == "int":
            unit = value[1]
            if unit == "个月" and spec.unit == "年":
                continue  # a duration in months does not correct a number of years
            if not unit or unit in (_UNITS.get(spec.unit or "", "") + (spec.unit or "")):
                return fact
            if unit == "年" and spec.unit == "个月":
                return fact
    return None

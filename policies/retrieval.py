"""Rank notice items for a question: BM25 over words, synonyms and character pairs.

The index holds the items of every notice. A search names the notices in play (the resolved
notice, or all of them), the level (items of other levels drop out: a level-specific rule does not
answer another level's question) and *priors* — the topic the NLU heard and the kind of value the
question asks for (a sum of money, a date, a count of papers …). Priors multiply scores; they
never remove an item, so a wrong intent cannot hide the right fact.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from policies.index import NoticeIndex
from policies.items import NoticeItem, notice_items
from policies.text import Analyzer, normalize, vocabulary

K1, B = 1.2, 0.4
TOPIC_PRIOR = 1.35
CUE_BASE = 1.0  # an item holding a way to reach someone asked for scores even without a shared word


@dataclass(frozen=True)
class Cue:
    """A kind of value a question asks for (vocabulary.yml ``cues:``): a pattern in the question,
    a pattern in the item."""

    name: str
    question: re.Pattern[str]
    item: re.Pattern[str]
    boost: float
    miss: float = 1.0  # an item without that kind of value is scaled by this (the question is precise)
    not_stated: str = ""  # the point, when no item of the notice holds it ("年龄限制")
    base: bool = False  # a way to reach someone: an item holding it scores without a shared word
    topic: str = ""  # the topic the point belongs to: a document the notice leaves that topic to is named


@lru_cache(maxsize=1)
def cue_table() -> Tuple[Cue, ...]:
    """The cues of vocabulary.yml, compiled (a bad pattern fails here, at the first search)."""
    out = []
    for raw in vocabulary()["cues"]:
        out.append(
            Cue(
                raw["name"],
                re.compile(raw["asks"]),
                re.compile(raw["holds"]),
                float(raw["boost"]),
                float(raw.get("miss", 1.0)),
                str(raw.get("not_stated", "")),
                bool(raw.get("base", False)),
                str(raw.get("topic", "")),
            )
        )
    return tuple(out)


# Words that ask rather than name what is asked about: not counted by ItemIndex.coverage.
ASKING_WORDS = frozenset(
    "怎么办 多久 多长 分别 干啥 啥用 一样 区别 不同 几个 地方 哪里 哪儿 能报 能评 才算 算不算 行吗 可以吗 是否 为什么 咋办 咋样".split()
)

# Characters that ask, link or modify rather than name (要, 有, 能 …): in a word jieba made up from
# unknown characters they name nothing the notices could hold.
LINKING_CHARS = frozenset("要有能先没当光就才都还也再又得会可让给把被在是了着过开存放用算够不已该想")


@dataclass
class Hit:
    item: NoticeItem
    score: float
    cued: bool = False  # the item holds the kind of value asked for


class ItemIndex:
    """BM25 over every item of every notice in ``index``."""

    def __init__(self, index: NoticeIndex, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self.items: List[NoticeItem] = [it for n in index.all() for it in notice_items(n)]
        self._docs: List[Dict[str, float]] = []
        self._lens: List[float] = []
        df: Dict[str, int] = defaultdict(int)
        for it in self.items:
            tf: Dict[str, float] = defaultdict(float)
            for text, scale in ((it.text, 1.0), (" ".join(it.asks), 1.0), (it.search_extra, 0.5)):
                if text:
                    for f, w in analyzer.features(text, synonyms=False):
                        tf[f] += w * scale
            self._docs.append(dict(tf))
            self._lens.append(sum(tf.values()))
            for f in tf:
                df[f] += 1
        n = len(self.items)
        self._idf = {f: math.log(1 + (n - c + 0.5) / (c + 0.5)) for f, c in df.items()}
        self._top_idf = max(self._idf.values()) if self._idf else 1.0
        self._avg = sum(self._lens) / max(n, 1)
        self._by_notice: Dict[str, List[int]] = defaultdict(list)
        for i, it in enumerate(self.items):
            self._by_notice[it.notice_id].append(i)

    def query_features(self, question: str) -> Dict[str, float]:
        q: Dict[str, float] = defaultdict(float)
        for f, w in self.analyzer.features(question, synonyms=True):
            q[f] = max(q[f], w)  # a repeated word in the question does not count twice
        return dict(q)

    def coverage(self, question: str, item: NoticeItem, drop_words: Iterable[str] = ()) -> float:
        """How much of ``question`` ``item`` accounts for: the share of the question's words (each
        weighted by its rarity among items; a word no item has weighs the most) that the item holds,
        itself or by a synonym. "社保断交多久" against 社保满1年: 断交 is unaccounted for."""
        drop = set(drop_words) | ASKING_WORDS
        words: List[str] = []
        guessed: Dict[str, str] = {}  # a word jieba made up → its characters that carry meaning
        for w in dict.fromkeys(self.analyzer.words(question)):
            if w in drop or len(w) < 2:
                continue
            if "w:" + w not in self._idf and not self.analyzer.is_word(w):
                # no item has it and no dictionary lists it ("奖要" of "协会发的奖要附…", "船检"): its
                # characters count, those that only ask or link (要, 光有, 能先) not at all
                content = "".join(c for c in w if c not in LINKING_CHARS)
                if not content:
                    continue
                guessed[w] = content
            words.append(w)
        if not words:
            return 1.0
        i = self.items.index(item)
        doc = self._docs[i]
        top = max(self._idf.values()) if self._idf else 1.0
        total = held = 0.0
        for w in words:
            weight = self._idf.get("w:" + w, top)
            total += weight
            forms = ["w:" + w] + ["w:" + s for s in self.analyzer.synonyms_of(w)]
            if w in guessed:
                if all(c in item.text for c in guessed[w]):
                    held += weight
            elif any(f in doc for f in forms) or (len(w) >= 2 and w in item.text):
                held += weight
        return held / total if total else 1.0

    def rarity(self, feature: str) -> float:
        """A feature's inverse document frequency among items; one no item has weighs the most."""
        return self._idf.get(feature, self._top_idf)

    def of_notice(self, notice_id: str) -> List[NoticeItem]:
        """The items of one notice, in the file's order."""
        return [self.items[i] for i in self._by_notice.get(notice_id, [])]

    @staticmethod
    def cues(question: str) -> List[Cue]:
        text = normalize(question).lower()
        return [c for c in cue_table() if c.question.search(text)]

    def unmet_cues(self, question: str, notice_id: str, level: Optional[str] = None) -> List[Cue]:
        """What the question asks for precisely (a sum, a count …) that no item of the notice holds."""
        out = []
        for c in self.cues(question):
            if c.not_stated and not any(
                c.item.search(self.items[i].text)
                for i in self._by_notice.get(notice_id, [])
                if self.items[i].applies_to(level)
            ):
                out.append(c)
        return out

    def search(
        self,
        question: str,
        notice_ids: Sequence[str],
        level: Optional[str] = None,
        topics: Iterable[str] = (),
        drop_words: Iterable[str] = (),
    ) -> List[Hit]:
        """Items of ``notice_ids`` that apply to ``level``, best first (score > 0 only)."""
        qf = self.query_features(question)
        for w in drop_words:  # region names, level names: they choose the notice, not the item
            qf.pop("w:" + w, None)
        cues = self.cues(question)
        topics = set(topics)
        hits: List[Hit] = []
        for nid in notice_ids:
            for i in self._by_notice.get(nid, []):
                it = self.items[i]
                if not it.applies_to(level):
                    continue
                doc, dl = self._docs[i], self._lens[i]
                score = 0.0
                for f, qw in qf.items():
                    tf = doc.get(f)
                    if tf:
                        score += qw * self._idf[f] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / self._avg))
                matched = [c for c in cues if c.item.search(it.text)]
                if any(c.base for c in matched):
                    score += CUE_BASE
                if score <= 0:
                    continue
                if topics & set(it.topics):
                    score *= TOPIC_PRIOR
                for c in cues:
                    score *= c.boost if c in matched else c.miss
                hits.append(Hit(it, score, bool(matched)))
        hits.sort(key=lambda h: -h.score)
        return hits

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
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from policies.index import NoticeIndex
from policies.items import NoticeItem, notice_items
from policies.text import Analyzer, normalize

K1, B = 1.2, 0.4
TOPIC_PRIOR = 1.35
CUE_BASE = 1.0  # an item holding a way to reach someone asked for scores even without a shared word
BASE_CUES = {"phone", "email", "url", "address"}
# Cues whose value, when no item of the notice holds it, the notice does not state.
PRECISE_CUES = {
    "money": "具体金额",
    "count_papers": "论文的具体篇数",
    "count_copies": "具体份数",
    "hours": "具体学时数",
    "percent": "具体比例（如查重率）",
    "email": "邮箱",
    "url": "网址",
}


@dataclass(frozen=True)
class Cue:
    """A kind of value a question asks for: a pattern in the question, a pattern in the item."""

    name: str
    question: re.Pattern[str]
    item: re.Pattern[str]
    boost: float
    miss: float = 1.0  # an item without that kind of value is scaled by this (the question is precise)


CUES: Tuple[Cue, ...] = (
    Cue(
        "money",
        re.compile(
            r"多少钱|(费用|收费|评审费|推荐费|费)(是|要|得)?(多少|几)|交多少|几块|多少元|缴多少|价格|贵不贵|收不收费|要钱吗|花多少"
        ),
        re.compile(r"\d+元|评审费"),
        1.5,
        miss=0.7,
    ),
    Cue(
        "date",
        re.compile(r"什么时候|几号|哪天|截止|几月|日期|时间|啥时|多会|到哪天|截至|开始|结束|何时|期限"),
        re.compile(r"\d+年\d+月\d+日|\d+月\d+日|截止|另行通知|日期"),
        1.35,
    ),
    Cue(
        "day",
        re.compile(r"几号|哪天|哪一天|几点|最迟|最晚|几月几|日期|截止到|截至到"),
        re.compile(r"\d+月\d+日|\d+:\d+|另行通知|未给.{0,4}日期"),
        1.2,
        miss=0.55,
    ),
    Cue("count_papers", re.compile(r"几篇|多少篇|篇数|论文数量|几个论文|几份论文"), re.compile(r"\d+篇|篇以上"), 1.6),
    Cue(
        "count_years",
        re.compile(r"几年|多少年|多久|多长时间|年限|满几|工作多长"),
        re.compile(r"满\d+年|\d+年以上|\d+年"),
        1.35,
    ),
    Cue(
        "count_items",
        re.compile(r"几条|几项|几类|几个条件|多少条|多少项|满足几"),
        re.compile(r"\d+类|\d+项|任意\d|至少\d|[一二三四五六七八九十]项"),
        1.4,
    ),
    Cue("count_copies", re.compile(r"几份|多少份|一式|份数|几本"), re.compile(r"一式|\d+份|各一份|份"), 1.5),
    Cue("hours", re.compile(r"学时|课时|多少小时|几个小时"), re.compile(r"学时"), 1.5),
    Cue("percent", re.compile(r"重复率|查重率|抄袭率|百分之|%|相似度|多少比例|比例|查重"), re.compile(r"\d+%"), 1.5),
    Cue("phone", re.compile(r"电话|号码|联系|打给|咨询|座机|手机号"), re.compile(r"电话|\d{3,4}-\d{7,8}|1\d{10}"), 1.5),
    Cue("email", re.compile(r"邮箱|email|邮件"), re.compile(r"@"), 1.6),
    Cue(
        "url", re.compile(r"网址|网站|链接|网页|官网|登录.{0,3}哪"), re.compile(r"[a-z0-9-]+\.[a-z]{2,}|官网|网站"), 1.4
    ),
    Cue(
        "address",
        re.compile(r"地址|在哪里交|交到哪|送到哪|哪里交|在哪儿|地点|去哪|哪条路|在哪|位置|怎么走|当面"),
        re.compile(r"地址|路\d+号|\d+室|服务中心|大厅"),
        1.35,
    ),
    Cue("photo", re.compile(r"照片|相片|寸照"), re.compile(r"照片|寸"), 1.5),
    Cue("months", re.compile(r"几个月|多少个月|社保"), re.compile(r"社保|个月"), 1.3),
)


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
        self._avg = sum(self._lens) / max(n, 1)
        self._by_notice: Dict[str, List[int]] = defaultdict(list)
        for i, it in enumerate(self.items):
            self._by_notice[it.notice_id].append(i)

    def query_features(self, question: str) -> Dict[str, float]:
        q: Dict[str, float] = defaultdict(float)
        for f, w in self.analyzer.features(question, synonyms=True):
            q[f] = max(q[f], w)  # a repeated word in the question does not count twice
        return dict(q)

    def of_notice(self, notice_id: str) -> List[NoticeItem]:
        """The items of one notice, in the file's order."""
        return [self.items[i] for i in self._by_notice.get(notice_id, [])]

    @staticmethod
    def cues(question: str) -> List[Cue]:
        text = normalize(question).lower()
        return [c for c in CUES if c.question.search(text)]

    def unmet_cues(self, question: str, notice_id: str, level: Optional[str] = None) -> List[str]:
        """What the question asks for precisely (a sum, a count …) that no item of the notice holds."""
        out = []
        for c in self.cues(question):
            if c.name in PRECISE_CUES and not any(
                c.item.search(self.items[i].text)
                for i in self._by_notice.get(notice_id, [])
                if self.items[i].applies_to(level)
            ):
                out.append(PRECISE_CUES[c.name])
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
                if any(c.name in BASE_CUES for c in matched):
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

"""Answer the question that was asked: scope first, then the notice in play, then its best items.

:func:`answer_question` takes what the conversation knows (the text, the NLU's intent, the region
and level so far) and returns a :class:`Reply` — structured items, each a fact with its clause —
that the chat, WeChat and the staff page render in their own way (:func:`render_text` is the
chat's). The intent is a prior on topics, never a filter; levels take their role from the words
around them (:mod:`policies.roles`); "the notice does not say" only when no item matches.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from policies.answers import ANSWER_TOPICS
from policies.index import NoticeIndex, load_places
from policies.items import NoticeItem
from policies.latin import Latin
from policies.levels import LEVEL_NAMES, LEVEL_ORDER
from policies.own_case import decide
from policies.places import containing_cities, major_places, region_forms
from policies.polarity import OWN_CASE, decisive_word, group_word
from policies.resolve import AMBIGUOUS_LEVELS, Resolution, resolve
from policies.retrieval import Hit, ItemIndex
from policies.roles import level_roles, next_level
from policies.rounds import entry_window
from policies.schema import OUTLINE_ONLY, OUTLINE_TOPICS, Delegate, Notice, Window
from policies.scope import FORGERY, Scope, anchored, classify
from policies.sounds import SoundAlike
from policies.text import Analyzer, normalize, vocabulary
from policies.windows import format_date, format_span, status

# The NLU's intents and the notice topics they hint at (a prior for ranking, never a filter).
INTENT_TOPICS: Dict[str, str] = {
    "ask_fee": "fees",
    "ask_deadline": "windows",
    "ask_materials": "materials",
    "ask_procedure": "procedure",
    "ask_who_may_apply": "who_may_apply",
    "ask_conditions": "conditions",
    "ask_exceptional_route": "exceptional_routes",
    "ask_continuing_education": "continuing_education",
    "ask_papers": "papers",
    "ask_series_transfer": "series_transfer",
    "ask_contacts": "contacts",
    "ask_certificate": "certificate",
    "ask_defence": "defence",
}
TOPIC_INTENTS = {topic: intent for intent, topic in INTENT_TOPICS.items()}
# Topics whose items also answer a question of the key topic (a 破格 question may be a condition …).
RELATED_TOPICS = {
    "conditions": ("exceptional_routes", "who_may_apply", "papers", "continuing_education"),
    "exceptional_routes": ("conditions",),
    "who_may_apply": ("conditions",),
    "windows": ("procedure",),
    "procedure": ("windows", "materials"),
    "papers": ("conditions",),
}

OWN_DATE = re.compile(r"我|本人|评的|拿的|取得|获得|已经|毕业")


# One question among several in a message: a piece between separators that asks something.
ASKING = re.compile(r"多少|几|什么|啥|哪|吗|么|怎么|咋|如何|是否|能否|可否|要不要|有没有|行不行|呢|谁|\?")
LABEL_MAX = 8  # characters of a question's label; longer ones are numbered
# a bare noun typed as a question between others ("重庆副高 网上申报时间 费用多少")
ASKED_NOUN = re.compile(r"(?:时间|日期|电话|地址|网址|邮箱)$")


@lru_cache(maxsize=1)
def asked_kinds() -> Dict[str, re.Pattern[str]]:
    """What a question asks, by its words (vocabulary.yml ``asked:``): a level's grade (``yes_no``,
    ``professional``), what it takes to get a title (``how_to_get``), a list (``list``)."""
    return {name: re.compile(pattern) for name, pattern in (vocabulary().get("asked") or {}).items()}


@lru_cache(maxsize=1)
def topic_words() -> Dict[str, Tuple[str, ...]]:
    """How a topic is named (vocabulary.yml ``topic_words:``): a question made only of these words
    and fillers asks for the topic as a whole."""
    return {topic: tuple(words) for topic, words in (vocabulary().get("topic_words") or {}).items()}


@lru_cache(maxsize=1)
def broad_fillers() -> FrozenSet[str]:
    """Words around a topic's name that ask for the topic as a whole (vocabulary.yml ``fillers:``)."""
    return frozenset(vocabulary().get("fillers") or ())


@lru_cache(maxsize=1)
def _facets() -> Dict[str, List[re.Pattern[str]]]:
    raw = vocabulary().get("outlines") or {}
    return {topic: [re.compile(p) for p in patterns] for topic, patterns in raw.items()}


def outline(items: List[NoticeItem], topic: str) -> List[NoticeItem]:
    """``items`` with, first, one per facet of the topic's outline (vocabulary.yml ``outlines:``)."""
    firsts: List[NoticeItem] = []
    for facet in _facets().get(topic, []):
        hit = next((it for it in items if facet.search(it.text) and it not in firsts), None)
        if hit is not None:
            firsts.append(hit)
    return firsts + [it for it in items if it not in firsts]


def questions_in(text: str) -> List[str]:
    """The questions of a message, in order ("简阳评审费多少 缴费截止几号 专技科电话多少" → three)."""
    pieces = [p for p in re.split(r"[，,。？?！!；;\s]+", normalize(text)) if p]
    return [p for p in pieces if (ASKING.search(p) or ASKED_NOUN.search(p)) and len(p) >= 3]


def rank_patterns(level_forms: Dict[str, List[str]], rank_words: Dict[str, List[str]]) -> re.Pattern[str]:
    """ "工程师是什么级别 / 高工算副高吗 / 中级职称是指什么": a level's grade asked. Not "我是中级，…":
    the level is the subject, and the sentence asks."""
    ranks = sorted({w for words in rank_words.values() for w in words}, key=len, reverse=True)
    levels = sorted(
        {f for code, forms in level_forms.items() if code != "junior" for f in forms if f not in ranks and f != "高级"},
        key=len,
        reverse=True,
    )
    lv, rk = "|".join(map(re.escape, levels)), "|".join([*map(re.escape, ranks), asked_kinds()["professional"].pattern])
    return re.compile(
        # "工程师是什么级别": the level alone (品质工程师 / 员级工程师 are a job or another grade's name)
        rf"(?:(?<![\u4e00-\u9fff])|(?<=问)|(?<=的)|(?<=说))(?:{lv})(?:职称)?(?:算|是|属于|属)(?:不算|不是)?(?:什么|啥|哪个|哪一|几)(?:个)?级别?|"
        rf"(?<!我)(?<!我是)(?:{lv})(?:职称)?(?:算不算|是不是|算|是|属于|属)(?:{rk})(?:职称)?(?=[^，。,]{{0,4}}(?:吗|么|嘛|呢|不|[?？]|$))|"
        rf"(?<![我是])(?:{rk})(?:职称)?(?:是指|指的是|是什么|是啥|包括|有哪些|对应|是(?:{lv})[吗么嘛])"
    )


# A fraud reply's lines: what the notices do to false materials, or their warning about agents.
FORGERY_QUERY = "弄虚作假 虚假材料 取消 资格 撤销 诚信档案 不得申报 黑名单 失信"
AGENT_QUERY = "代办 中介 乱收费 弄虚作假 谨防受骗 服务费 代办费"


def question_label(part: str, names: Sequence[str], n: int) -> str:
    """The label of one answer among several in a reply: the question as asked, without the place
    and level that chose the notice ("简阳评审费多少" → 【评审费多少】); its number where it is long."""
    for name in names:
        part = part.replace(name, "")
    core = part.replace("请问", "").strip("的了吗呢么啊呀").lstrip("里那这")  # 湖州市里… → 交材料的地址
    return f"【{core}】" if 2 <= len(core) <= LABEL_MAX else f"【问{n}】"


OWN_FACTS = re.compile(rf"{OWN_CASE.pattern}|\d")  # the asker's own case, as polarity reads it, or a number
# "我9月8号才提交 还能报不": the asker's own day (month and day, the round's year) asked against a window
ASKER_DAY = re.compile(
    r"(?<![\d年])(1[0-2]|0?[1-9])\s*月\s*(3[01]|[12]\d|0?[1-9])\s*[日号](?!\s*(?:截止|截至|结束|这天)?(?:后|以后|之后|前|以前|之前|过后))"
)
DEADLINE_WORDS = frozenset(
    "截止 截至 日期 时间 截止日期 截止时间 最晚 哪天 几号 哪一天 什么时候 啥时候 报名 申报 网报 是 到".split()
)
# Words that ask what a thing is: "创新型人才是指什么" asks about the name itself.
DEFINING = frozenset("是指 指 指的是 意思 啥意思 含义 定义 是啥 介绍 解释 概念".split())
BUDGET = 250  # characters of a reply, header included: one phone screen
MAX_ITEMS = 3
ACROSS_CLIP = 36  # one line per notice when no region is known: the fact's first words
KEEP_RATIO = 0.5  # a further item is shown when it scores at least this share of the best
MIN_SCORE = 1.2  # below this no item is about the question: the notice does not say
CONFIDENT = 4.0  # an answer the NLU did not expect (fallback) needs at least this score
# Scope from evidence (issue 22): with no region and no word of title evaluation, a question is in
# scope only when one notice's item is clearly about it (this score, and CLEAR times the next
# notice's best); with no region, one labelled line per notice needs DIGEST at least, else no
# notice supports the question well enough and the reply says so, without a figure.
UNANCHORED = 10.0
CLEAR = 1.8
DIGEST = 15.0
# One labelled line per notice needs its best item to account for at least this share of the
# question's words (weighted by rarity: ItemIndex.coverage) — "社保断交多久" shares 社保 with a rule,
# not its point.
COVERED = 0.5
FAR_LESS = 0.5  # a notice's line covering less than this share of the best line's coverage is left out
COVER_DEPTH = 12  # hits read for the one notice covering a region-less question
UNSUPPORTED = 0.2  # below this share of its words no item of a named region's notices is about a question


@dataclass
class ReplyItem:
    text: str
    clause: str
    notice: Notice
    label: str = ""  # "工程师：" where the level was not said; the notice's name across notices
    stated: bool = True
    key: str = ""

    @property
    def citation(self) -> str:
        return f"{self.notice.doc_number} {self.clause}"


@dataclass
class Reply:
    """A structured answer. ``kind``: answer / not_stated / out_of_scope / fraud / choose_notice /
    wrong_level."""

    kind: str
    notice: Optional[Notice] = None
    items: List[ReplyItem] = field(default_factory=list)
    lead: str = ""
    tail: str = ""
    topic: Optional[str] = None  # home topic of the best item: "查看全部…" shows it whole
    more: bool = False  # the topic has more than is shown
    level: Optional[str] = None
    candidates: List[Notice] = field(default_factory=list)  # notices to offer as buttons
    ask_levels: List[str] = field(default_factory=list)  # levels to offer as buttons
    score: float = 0.0
    scope: Optional[Scope] = None
    verdict: str = ""  # a yes/no about the asker: 能 / 不能 / 还要看 (policies.own_case), first in the lead

    @property
    def citations(self) -> List[str]:
        seen: List[str] = []
        for it in self.items:
            if it.citation not in seen:
                seen.append(it.citation)
        return seen

    @property
    def stated(self) -> bool:
        return self.kind == "answer" and any(it.stated for it in self.items)


def header(notice: Notice) -> str:
    return f"【{notice.region.city.rstrip('市')}{notice.year}｜{notice.doc_number}】"


def item_line(it: ReplyItem) -> str:
    return f"· {it.label}{it.text}〔{it.clause}〕" if it.clause else f"· {it.label}{it.text}"


def on_one_screen(items: List[ReplyItem], used: int) -> List[ReplyItem]:
    """The first of ``items`` that fit the reply's BUDGET after ``used`` characters (at least one)."""
    kept: List[ReplyItem] = []
    for ri in items:
        if kept and used + len(item_line(ri)) + 1 > BUDGET:
            break
        kept.append(ri)
        used += len(item_line(ri)) + 1
    return kept


def render_text(reply: Reply) -> str:
    """The chat's text: header, lead, items, tail — the first lines answer the question."""
    lines: List[str] = []
    if reply.notice is not None and reply.kind in ("answer", "not_stated"):
        lines.append(header(reply.notice))
    if reply.lead:
        lines.append(reply.lead)
    lines += [item_line(it) for it in reply.items]
    if reply.tail:
        lines.append(reply.tail)
    return "\n".join(lines)


class QA:
    """Everything needed to answer: the notices, their item index, the place names."""

    def __init__(
        self, index: NoticeIndex, analyzer: Optional[Analyzer] = None, places: Optional[List[str]] = None
    ) -> None:
        self.index = index
        extra = [w for n in index.all() for w in region_forms(n.region)]
        self.analyzer = analyzer or Analyzer(extra)
        self.items = ItemIndex(index, self.analyzer)
        self.places = places if places is not None else load_places()
        self._region_words = sorted(
            {w for n in index.all() for w in (n.region.city, n.region.city.rstrip("市"), *region_forms(n.region))},
            key=len,
            reverse=True,
        )
        from policies.text import vocabulary

        self._level_forms = {lv: list(forms) for lv, forms in vocabulary()["entities"]["level"].items()}
        self._rank_words = {rank: list(words) for rank, words in (vocabulary().get("ranks") or {}).items()}
        self._rank_asked = rank_patterns(self._level_forms, self._rank_words)
        rank_words = {w for words in self._rank_words.values() for w in words}
        # the level forms a grade question names, longest first (高级工程师 is not 工程师 too); a rank
        # word is a rank there
        self._rank_level_forms = sorted(
            (
                (f, code)
                for code, fs in self._level_forms.items()
                if code != "junior"
                for f in fs
                if f not in rank_words
            ),
            key=lambda fc: -len(fc[0]),
        )
        # typos by sound (简扬, 兰洲, 工成师): the notices' places first, then levels, then all others
        self.sounds = SoundAlike(
            [*self._region_words, *(f for forms in self._level_forms.values() for f in forms if len(f) >= 3)]
            + [p for p in self.places if len(p) >= 3 or p in major_places()]
            # then the domain's own words and the short level names (破个 → 破格, 答变 → 答辩, 主工 → 助工)
            + [*vocabulary().get("terms", []), *(f for forms in self._level_forms.values() for f in forms)],
            self.analyzer,
        )
        self.sounds.correct("长治")  # load pypinyin and jieba's word list now, not at the first question
        # the names applicants give a notice (非公中小企业), longest first: they choose it, not what is asked
        self._called = sorted({c for n in index.all() for c in n.called}, key=len, reverse=True)
        # a province said alone names its one notice here (甘肃 → 平凉): its forms per region
        self._province_forms = {
            n.region.code: tuple(w for w in (n.region.province, n.region.province.rstrip("省市")) if len(w) >= 2)
            for n in index.all()
        }
        # place and level names said after a question ("…能报吗 简阳"): set aside before its modal
        names = "|".join(re.escape(n) for n in sorted(self._names(), key=len, reverse=True) if n)
        self._trailing_names = re.compile(rf"(?:[\s，,]*(?:{names})(?:的|这边|那边)?)+[\s？?。!！]*$")
        # the terms a notice either speaks of or not (答辩 and its synonym 面试; not 评审方式, 评法): each
        # absence topic's first name and that name's synonyms
        terms = [topic_words()[t][0] for t in vocabulary().get("absence_topics", []) if t in topic_words()]
        self._absence_terms = {n for t in terms for n in (t, *self.analyzer.synonyms_of(t)) if len(n) >= 2}
        # each notice's items as one text: where a question's own terms are looked up
        self._notice_text = {
            n.id: normalize("\n".join(it.text for it in self.items.of_notice(n.id))) for n in index.all()
        }
        # pinyin of the notices' places and of the cities above them (chongqing, chengdu), English words
        self.latin = Latin(
            [*self._region_words, *(c for n in index.all() for c in containing_cities(n.region))],
            vocabulary().get("latin", {}),
        )

    # --- the one entry point ---------------------------------------------------------------
    def answer(
        self,
        text: str,
        today: dt.date,
        region: Optional[str] = None,
        level: Optional[str] = None,
        intent: Optional[str] = None,
        level_said: bool = False,
        strict: bool = False,
        notice_id: Optional[str] = None,
        force_level: Optional[str] = None,
    ) -> Reply:
        """``level``: the level known to the conversation; ``level_said``: the NLU read it in ``text``
        itself (not remembered, not a button).
        ``strict``: the NLU did not take this for a notice question (fallback / out of scope):
        answer only with a confident match. ``notice_id`` / ``force_level``: chosen outright (the
        staff page's filters), whatever the text says."""
        if level not in LEVEL_NAMES and level not in AMBIGUOUS_LEVELS:
            level = None  # only a known level code counts (an NLU entity may carry any text)
        text = self.sounds.correct(self.latin.translate(normalize(text)))
        scope = classify(text, self.index, self.places)
        inside = self._inside(text, scope.place) if scope.place else None
        if inside is not None:
            region = inside  # 成都's system, a certificate not issued by 成都: 简阳's notice says
        elif not scope.answerable:
            return self._out_of_scope(scope, text, region)
        named_all = self.regions_in(text)
        if notice_id is None and len(named_all) < 2:
            graded = self._rank(text, named_all)
            if graded is not None:
                return graded
        if len(named_all) >= 2 and notice_id is None:
            return self._compare(text, today, named_all, level, intent)
        if named_all:
            region = named_all[0]
        if region is None and notice_id is None and not anchored(text) and not self._one_notice_supports(text):
            # no word of title evaluation, and no notice's item clearly about it: out of scope
            return self._out_of_scope(Scope("out_of_scope", "与职称评审无关的问题"), text, region)
        if named_all and notice_id is None and not anchored(text) and self._unsupported_in(text, named_all[0]):
            # "长治到太原高铁要多久": a region named, but no word of title evaluation and nothing of
            # its notices accounts for what is asked — never a notice figure for it
            return self._out_of_scope(Scope("out_of_scope", "与职称评审无关的问题"), text, None)
        roles = level_roles(text, strip=self._region_words)
        target = roles.applied
        if target is None and roles.held is not None:
            # "我是助工，要几篇论文": the next level, where the region has a notice for it
            up = next_level(roles.held)
            target = up if up and (region is None or self.index.find(region=region, level=up)) else None
        if target is None and not roles.mentions and not level_said:
            target = level  # remembered or chosen with a button (a level the NLU read in this text but
            # the roles do not hold — a recommender's 高级职称 — is not the applicant's)
        if force_level:
            target = force_level
        level_is_new = bool(roles.mentions) or level_said
        if target in AMBIGUOUS_LEVELS:
            target_levels = AMBIGUOUS_LEVELS[target]
            target = None
        else:
            target_levels = None
        topics = self._topics(intent) or self._topics_named(text)
        fixed = self.index.get(notice_id) if notice_id else None
        if fixed is not None:
            region = fixed.region.code
        res = resolve(self.index, region, target, level_is_new=level_is_new)
        if fixed is not None and res.notice is not fixed:
            res = Resolution(notice=fixed, level=target if target in fixed.levels else None)
        unknown_level = res.unknown_level_for_region  # the level asked for (``target``)
        if unknown_level:
            city_notices = self.index.find(region=region)
            covered = "；".join(f"{n.doc_number}（{levels_text(n.levels)}）" for n in city_notices)
            return Reply(
                "wrong_level",
                lead=(
                    f"{city_notices[0].region.city}目前收录的通知是{covered}，没有{LEVEL_NAMES.get(unknown_level, unknown_level)}的评审安排。"
                    "请选择您要查询的通知："
                ),
                candidates=city_notices + res.candidates,
                level=target,
            )
        if res.notice is None and len(res.candidates) == 1 and self.broad_topic(text):
            # "咋样评助理工程师": one notice has the level, and the question is its topic as a whole
            res = Resolution(notice=res.candidates[0], level=target)
        if res.notice is None:
            return self._across(
                self._with_held(text, roles.held),
                today,
                res.candidates or self.index.all(),
                target,
                topics,
                strict,
                held=roles.held,
            )
        notice = res.notice
        other_round = self._other_round(text, notice)
        if other_round:
            return Reply(
                "not_stated",
                notice=notice,
                lead=(
                    f"这里收录的是{notice.region.city.rstrip('市')}{notice.year}年度的通知（{notice.doc_number}），"
                    f"没有写到{other_round}年度的安排；请以{other_round}年度的通知为准。"
                ),
                tail=self._contact_tail(notice),
            )
        if asked_kinds()["document"].search(text) and not self._topics_named(text):
            # "湖州这个文号是多少": the notice itself, which every reply's header names
            return Reply(
                "answer",
                notice=notice,
                lead=f"这份通知的文号是{notice.doc_number}，由{notice.issuer}印发（{notice.title}）。",
                tail=self._contact_tail(notice),
            )
        level = res.level if res.level in notice.levels else None
        if level is None and target in notice.levels:
            level = target
        dropped = (
            f"（{notice.region.city}这份通知只涉及{levels_text(notice.levels)}，以下按该通知回答）"
            if res.level_dropped
            else ""
        )
        late = self._late(text, notice, level, today)
        if late is not None:
            late.lead = "\n".join(x for x in (dropped, late.lead) if x)
            return late
        deadline = bool(asked_kinds()["deadline"].search(text)) and not [
            w for w in self.content_words(text) if w not in DEADLINE_WORDS
        ]
        if deadline or (asked_kinds()["still_open"].search(text) and not OWN_FACTS.search(text)):
            still = self._still_open(notice, level, today, word=not deadline)
            if still is not None:
                still.lead = "\n".join(x for x in (dropped, still.lead) if x)
                return still
        asked = self._without_called(text, notice)
        broad = self.broad_topic(asked) or self._outlined(asked, notice, level)
        if broad:
            reply = self.topic_reply(notice, broad, today, level, summary=True, levels_hint=target_levels)
            absent = self._absent_topic_words(asked, notice) if reply.kind == "answer" else []
            if absent:
                # "重庆非公高工要不要答辩": items about 评审 answer it, but the notice never says 答辩
                reply.lead = f"这份通知没有写到{'、'.join(absent)}。相关规定："
                reply.tail = self._contact_tail(notice)
            else:
                self._decisive(text, reply)
            reply.lead = "\n".join(x for x in (dropped, reply.lead) if x)
            return reply
        hits = self._search(
            self._with_held(asked, roles.held), [notice.id], level, topics, target_levels, held=roles.held
        )
        if asked != text and (not hits or hits[0].score < MIN_SCORE):
            asked = text  # the name was what matched ("重庆这次非公副高的文号"): ask with it
            hits = self._search(
                self._with_held(text, roles.held), [notice.id], level, topics, target_levels, held=roles.held
            )
        hits, labels = self._each_question(asked, hits, [notice.id], level, target_levels, roles.held)
        if strict and (not hits or hits[0].score < CONFIDENT):
            return Reply("out_of_scope", scope=Scope("out_of_scope", ""), score=hits[0].score if hits else 0.0)
        verdict = decide(text, notice, level, today)
        if (not hits or hits[0].score < MIN_SCORE) and verdict is None:
            return self._not_stated(notice, text, topics, level)
        unmet = self.items.unmet_cues(text, notice.id, level)
        absent = [] if unmet or verdict is not None else self._absent_topic_words(text, notice)
        reserve = (90 if unmet or absent else 0) + (len(verdict.lead) + 1 if verdict else 0)
        reply = (
            self._compose(notice, hits, level, today, reserve=reserve, topics=topics, labels=labels)
            if hits
            else Reply("answer", notice=notice, level=level)
        )
        if verdict is not None:
            reply.verdict = verdict.word
        if unmet:
            reply.lead = f"这份通知没有写到{'、'.join(c.not_stated for c in unmet)}。相关规定："
            # the document the notice leaves that topic to (平凉's 甘人社通〔2021〕252号 for 论文篇数)
            deferred = next((d for d in notice.delegates if d.core and any(c.topic in d.topics for c in unmet)), None)
            if deferred is not None:
                # first, and not again among the items (the delegate's own item cites it the same way)
                first = self._delegate_item(deferred, notice)
                cited = first.text.split("：见")[-1]
                reply.items = [first] + [it for it in reply.items if cited not in it.text]
            reply.items = on_one_screen(reply.items, len(header(notice)) + len(reply.lead) + 40)
        if absent:
            # "重庆非公高工要不要答辩": the notice never speaks of 答辩 — say so, then the nearest rules
            reply.lead = f"这份通知没有写到{'、'.join(absent)}。相关规定："
        if unmet or absent or not all(it.stated for it in reply.items[:1]):
            reply.tail = self._contact_tail(notice)
        if verdict is not None:
            reply.lead = "\n".join(x for x in (verdict.lead, reply.lead) if x)
        elif not unmet and not absent:
            self._decisive(text, reply)
        if dropped:
            reply.lead = "\n".join(x for x in (dropped, reply.lead) if x)
        return reply

    def without_context(self, text: str) -> str:
        """``text`` without its place and level names: a remembered question asked again for the
        region or level just chosen ("那重庆呢", "那助理工程师呢")."""
        t = normalize(text)
        for w in sorted(
            set(self._region_words) | {w for forms in self._level_forms.values() for w in forms}, key=len, reverse=True
        ):
            t = t.replace(w, "")
        return t

    def content_words(self, text: str) -> List[str]:
        """The words of ``text`` beyond place and level names and the names applicants give a
        notice (非公中小企业, 创新型人才: they choose it), what it asks about."""
        drop = set(self._region_words) | {w for forms in self._level_forms.values() for w in forms}
        for name in self._called:
            text = text.replace(name, " ")
        return [w for w in self.analyzer.words(text) if w not in drop]

    def broad_topic(self, text: str) -> Optional[str]:
        """The topic a question names and nothing more ("长治申报条件", "要交什么材料"), else None;
        "怎么评助理工程师" asks what it takes: the conditions."""
        words = self.content_words(text)
        if asked_kinds()["how_to_get"].search(normalize(text)) and all(w in broad_fillers() for w in words):
            return "conditions"
        if not words:
            return None
        for topic, names in topic_words().items():
            # a topic named, and nothing else but fillers ("注意哪些事项" names none)
            if all(w in names or w in broad_fillers() for w in words) and any(w in names for w in words):
                return topic
        return None

    def topic_reply(
        self,
        notice: Notice,
        topic: str,
        today: dt.date,
        level: Optional[str] = None,
        summary: bool = False,
        levels_hint: Optional[List[str]] = None,
    ) -> Reply:
        """The items of one topic of a notice, in the notice's order. ``summary``: what fits one
        screen, the rest one tap away; with several levels and none chosen, the common items and a
        button per level."""
        level = level if level in notice.levels else None
        drawn = notice.outline_for(topic, level) if summary or topic in OUTLINE_ONLY else None
        if drawn is not None:
            # the notice's own outline of the topic for this level (notice file ``outlines:``): the few
            # points that decide it, each with its clause; the whole list one tap away
            lines = [
                ReplyItem(line.text, line.clause, notice, key=f"{notice.id}/outlines/{topic}/{i}")
                for i, line in enumerate(drawn.lines)
            ]
            return Reply("answer", notice=notice, items=lines, topic=topic, level=level, more=topic not in OUTLINE_ONLY)
        if summary and topic == "windows":
            timeline = self._timeline(notice, level, today)
            if timeline is not None:
                return timeline
        items = [it for it in self.items.of_notice(notice.id) if topic in it.topics and it.applies_to(level)]
        if levels_hint:
            items = [it for it in items if it.levels is None or set(it.levels) & set(levels_hint)]
        # the topic's own items first, then the documents it defers to, then how years are counted
        rank = {"delegates": 1, "counting": 2}
        items.sort(key=lambda it: rank.get(it.key.split("/")[1], 0))
        if summary and level is not None:
            # an outline: what this level asks (学历和年限, 论文, 业绩, 考核) before what every level
            # shares (遵守宪法…), each group in the notice's order; one item per facet first
            items.sort(key=lambda it: 0 if it.levels and level in it.levels else 1)
            items = outline(items, topic)
        if not items:
            return self._not_stated(notice, ANSWER_TOPICS.get(topic, topic), [topic], level)
        ask_levels: List[str] = []
        candidates: List[str] = [lv for lv in notice.levels if not levels_hint or lv in levels_hint]
        if (
            level is None
            and len(candidates) > 1
            and any(it.levels and set(candidates) - set(it.levels) for it in items)
        ):
            # several levels, none chosen, level-specific rules: the common part and a button per level
            ask_levels = candidates
            common = [it for it in items if not it.levels]
            if topic not in ("fees", "windows") and len(ask_levels) > 1:
                items = common or items
        shown = [self._reply_item(it, notice, level, today) for it in items]
        total = len(shown)
        if summary:
            shown = on_one_screen(shown, len(header(notice)) + 30)
        lead = ""
        if ask_levels and len(ask_levels) > 1:
            lead = f"{levels_text(ask_levels)}的{ANSWER_TOPICS.get(topic, '')}不同，选级别可看具体要求。共同的有："
            if topic in ("fees", "windows"):
                lead = ""
        # the contact, where what is shown leaves a point open or defers it (a fee's legal basis does not)
        fee_given = topic == "fees" and any(ri.stated for ri in shown)
        tail = (
            self._contact_tail(notice)
            if any(not ri.stated and not (fee_given and "/delegates/" in ri.key) for ri in shown[:3])
            else ""
        )
        return Reply(
            "answer",
            notice=notice,
            items=shown,
            topic=topic,
            level=level,
            lead=lead,
            tail=tail,
            more=total > len(shown) or bool(ask_levels),
            ask_levels=ask_levels if len(ask_levels) > 1 else [],
        )

    # --- pieces ------------------------------------------------------------------------------
    def _rank(self, text: str, regions: List[str]) -> Optional[Reply]:
        """ "工程师是什么级别职称 / 高工算副高吗": the grade of the level asked, from each notice that
        states it (``level_ranks``); a yes or no first where a grade is asked about."""
        m = self._rank_asked.search(text)
        if m is None:
            return None
        asked = m.group()
        named_rank = next((rank for rank, words in self._rank_words.items() if any(w in asked for w in words)), None)
        professional = asked_kinds()["professional"].search(asked) is not None  # asked whether it is a title at all
        levels: Set[str] = set()
        rest = asked_kinds()["professional"].sub("|", asked)  # 专业工程师职称 names no level
        for form, code in self._rank_level_forms:
            if form in rest:
                levels.add(code)
                rest = rest.replace(form, "|")
        notices = self.index.find(region=regions[0]) if regions else self.index.all()
        pairs = [(n, r) for n in notices for r in n.level_ranks]
        if levels:
            pairs = [(n, r) for n, r in pairs if r.level in levels]
        elif named_rank:
            pairs = [(n, r) for n, r in pairs if r.rank == named_rank]
        if not pairs:
            return None
        items = [
            ReplyItem(
                f"{LEVEL_NAMES[r.level]}属{r.rank}职称",
                r.clause,
                n,
                label=f"{n.region.city.rstrip('市')}{n.year}：",
                key=f"{n.id}/level_ranks/{i}",
            )
            for i, (n, r) in enumerate(pairs)
        ]
        stated = {r.rank for _, r in pairs}
        graded = "、".join(dict.fromkeys(LEVEL_NAMES[r.level] for _, r in pairs))
        word = ""
        if levels and asked_kinds()["yes_no"].search(text) and (professional or (named_rank and len(stated) == 1)):
            modal = "算" if "算" in asked else "是"
            word = modal if professional or named_rank in stated else f"不{modal}"
        lead = (
            f"{graded}属{'、'.join(sorted(stated))}职称，收录的通知中这样写：" if len(stated) == 1 else "收录的通知中："
        )
        return Reply(
            "answer",
            notice=pairs[0][0] if len({n.id for n, _ in pairs}) == 1 else None,
            items=items[:4],
            lead=f"{word}。{lead}" if word else lead,
            verdict=word,
        )

    def _outlined(self, text: str, notice: Notice, level: Optional[str]) -> Optional[str]:
        """ "湖州直报那七项条件都是啥": a list asked of a topic whose outline (notice data) holds every
        other word of the question — the outline answers it; None otherwise."""
        listing = asked_kinds()["list"]
        if not listing.search(text):
            return None
        words = self.content_words(listing.sub(" ", text))
        named = [t for t, names in topic_words().items() if set(words) & set(names)]
        # the named topic that is not conditions first: "论文有哪些要求" asks the papers outline
        for topic in sorted(named, key=lambda t: t == "conditions"):
            drawn = notice.outline_for(topic, level)
            if drawn is None:
                continue
            body = "".join(line.text for line in drawn.lines)
            rest = [w for w in words if w not in topic_words()[topic] and w not in broad_fillers()]
            if all(w in body or w in topic_words().get("conditions", ()) for w in rest):
                return topic
        return None

    def _timeline(self, notice: Notice, level: Optional[str], today: dt.date) -> Optional[Reply]:
        """ "重庆这次时间节点说一下": every dated step of the round, one short line each (name and
        days, no notes), so that all fit one screen; whether the round is over said once."""
        dated = [
            w for w in notice.windows if (w.start or w.end) and (level is None or not w.levels or level in w.levels)
        ]
        if len(dated) < 2:
            return None
        lines: List[ReplyItem] = []
        for i, w in enumerate(dated):
            label = "、".join(LEVEL_NAMES[lv] for lv in w.levels) + "：" if w.levels and level is None else ""
            st = status(w, today)
            state = "" if st.state == "closed" else f"（{st.describe(w)}）"
            lines.append(
                ReplyItem(
                    f"{w.name}：{format_span(w)}{state}", w.clause, notice, label, key=f"{notice.id}/timeline/{i}"
                )
            )
        over = all(status(w, today).state == "closed" for w in dated)
        lead = f"{notice.round_name()}的各阶段都已结束，时间如下：" if over else ""
        kept = on_one_screen(lines, len(header(notice)) + len(lead) + 1)
        return Reply("answer", notice=notice, items=kept, lead=lead, topic="windows", level=level, more=True)

    def regions_in(self, text: str) -> List[str]:
        """Every region the question names, in the order named ("长治和简阳评审费哪个贵")."""
        t = normalize(text)
        found: Dict[str, int] = {}
        for n in self.index.all():
            for w in (n.region.city, n.region.city.rstrip("市"), *n.region.aliases, *region_forms(n.region), *n.called):
                at = t.find(w) if len(w) >= 2 else -1
                if at >= 0:
                    found[n.region.code] = min(at, found.get(n.region.code, at))
        if not found:
            # only the province named ("甘肃职业资格对应职称有多少项"): its one region here, if one
            found = {code: 0 for code, forms in self._province_forms.items() if any(w in t for w in forms)}
            if len(found) > 1:
                return []
        return sorted(found, key=lambda code: found[code])

    def _compare(
        self, text: str, today: dt.date, regions: List[str], level: Optional[str], intent: Optional[str]
    ) -> Reply:
        """A comparison across the notices named: each one's best item for the question, labelled."""
        roles = level_roles(text, strip=self._region_words)
        target = roles.applied or (level if not roles.mentions else None)
        topics = self._topics(intent) or self._topics_named(text)
        share = (BUDGET - 30) // len(regions)
        items: List[ReplyItem] = []
        notices: List[Notice] = []
        for code in regions:
            res = resolve(self.index, code, target if target in LEVEL_ORDER else None, level_is_new=True)
            found = [res.notice] if res.notice is not None else self.index.find(region=code)
            if not found:
                continue
            notice = found[0]
            notices.append(notice)
            lvl = target if target in notice.levels else None
            hits = self._search(text, [notice.id], lvl, topics, held=roles.held)
            if not hits or hits[0].score < MIN_SCORE:
                items.append(ReplyItem("这份通知没有写到这一点", "", notice, f"{notice.short_name}：", stated=False))
                continue
            for h in hits[:2]:
                ri = self._reply_item(h.item, notice, lvl, today)
                ri.label = f"{notice.region.city.rstrip('市')}{notice.year}：" + ri.label
                used = sum(len(item_line(x)) + 1 for x in items if x.notice is notice)
                if used and used + len(item_line(ri)) > share:
                    break
                room = share - used - (len(item_line(ri)) - len(ri.text))
                if len(ri.text) > room:
                    ri.text = ri.text[: max(room - 1, 12)] + "…"
                items.append(ri)
        return Reply("answer", items=items, lead="对比如下：", candidates=notices, topic=None)

    def region_in(self, text: str) -> Optional[str]:
        """The region a question names itself (traditional characters too), None if none."""
        named = self.regions_in(text)
        return named[0] if named else None

    def _without_called(self, text: str, notice: Notice) -> str:
        """``text`` without the name applicants give ``notice`` ("湖州创新型人才工程师申报时间" →
        "湖州申报时间"): a name chooses the notice; left in, its rare words outweigh what is asked.
        Kept when nothing else is asked ("创新型人才是指什么")."""
        out = text
        for name in sorted(notice.called, key=len, reverse=True):
            out = out.replace(name, " ")
        rest = [w for w in self.content_words(out) if w not in DEFINING]
        return out if out != text and rest else text

    @staticmethod
    def _with_held(text: str, held: Optional[str]) -> str:
        """The title already held is content ("取得助理工程师后…"): say it in the notice's words."""
        return f"{text} 取得{LEVEL_NAMES[held]}" if held in LEVEL_NAMES else text

    def _topics_named(self, text: str) -> List[str]:
        """Without an intent (the staff search, a button-less channel): the topic the question names
        in words ("学历要求" → conditions), as a prior like the NLU's."""
        words = set(self.content_words(text))
        if asked_kinds()["how_to_get"].search(normalize(text)) and words <= broad_fillers():
            return ["conditions", *RELATED_TOPICS.get("conditions", ())]
        for topic, names in topic_words().items():
            if words & {n for n in names if len(n) >= 2 and n not in ("时间", "安排", "准备", "要什么")}:
                return [topic, *RELATED_TOPICS.get(topic, ())]
        return []

    def _topics(self, intent: Optional[str]) -> List[str]:
        topic = INTENT_TOPICS.get(intent or "")
        return [topic, *RELATED_TOPICS.get(topic, ())] if topic else []

    def _search(
        self,
        text: str,
        notice_ids: Sequence[str],
        level: Optional[str],
        topics: Iterable[str],
        target_levels: Optional[List[str]] = None,
        held: Optional[str] = None,
    ) -> List[Hit]:
        """Region names choose the notice and level names the level: neither is content, except the
        title already held."""
        drop = self._region_words + [w for lv, forms in self._level_forms.items() if lv != held for w in forms]
        hits = self.items.search(text, notice_ids, level, topics, drop_words=drop)
        if target_levels:
            hits = [h for h in hits if h.item.levels is None or set(h.item.levels) & set(target_levels)]
        return hits

    def _late(self, text: str, notice: Notice, level: Optional[str], today: dt.date) -> Optional[Reply]:
        """ "我9月8号才上系统提交 还能报不": the day the asker names against the round's entry window
        (缴费 / 交费: the payment window), in the round's year — 不能 after its last day, 能 up to it.
        ``text`` is normalised (``answer``)."""
        t = text
        asked = asked_kinds()["late"].search(t)
        days = list(ASKER_DAY.finditer(t))
        if asked is None or not days:
            return None
        said = days[-1]  # "10月10号截止的话 11月3号缴费行不行": the asker's day is the one asked about
        paying = re.search(r"缴费|交费|交钱", t)
        windows = [w for w in notice.windows_of("payment") if w.end is not None] if paying else []
        window = windows[0] if windows else entry_window(notice)
        if window is None or window.end is None:
            return None
        item = self._window_item(notice, window)
        try:
            day = dt.date(window.end.year, int(said.group(1)), int(said.group(2)))
        except ValueError:
            return None
        place = f"{notice.region.city.rstrip('市')}{notice.year}年度的{window.name}"
        md = f"{day.month}月{day.day}日"
        if day > window.end:
            verdict, lead = "不能", f"不能：{place}已于{format_date(window.end)}截止，{md}已过期限。"
        elif window.start is not None and day < window.start:
            verdict, lead = "还没开始", f"还没开始：{place}从{format_date(window.start)}开始，{md}还不能办理。"
        else:
            verdict, lead = "能", f"能：{place}截止到{format_date(window.end)}，{md}在期限内。"
        if verdict != "不能" and today > window.end:
            # the round asked about is over: the day fits its dates, but it cannot be entered now
            lead += f"但该轮已于{format_date(window.end)}截止，之后年度的通知本助手尚未收录，请以最新通知为准。"
        return self._window_reply(notice, item, level, today, lead, verdict)

    def _window_item(self, notice: Notice, window: Optional[Window]) -> Optional[NoticeItem]:
        return next((it for it in self.items.of_notice(notice.id) if it.window is window), None)

    def _window_reply(
        self, notice: Notice, item: Optional[NoticeItem], level: Optional[str], today: dt.date, lead: str, verdict: str
    ) -> Reply:
        """A yes or no about a window: the word and why first, then the window's line and the contact."""
        return Reply(
            "answer",
            notice=notice,
            items=[self._reply_item(item, notice, level, today)] if item is not None else [],
            lead=lead,
            tail=self._contact_tail(notice),
            topic="windows",
            level=level,
            score=CONFIDENT,
            verdict=verdict,
        )

    def _still_open(self, notice: Notice, level: Optional[str], today: dt.date, word: bool = True) -> Optional[Reply]:
        """ "现在还能报吗": the round's entry window against today — 不能 once it has closed (and that a
        later round's notice is not here), 能 while open, 还没开始 before it opens. ``word`` False:
        "截止日期是哪天" — the same, without the yes or no."""
        window = entry_window(notice)
        item = self._window_item(notice, window)
        if window is None or item is None or window.end is None:
            return None
        if today > window.end:
            verdict = "不能"
            lead = (
                f"不能：{notice.region.city.rstrip('市')}{notice.year}年度的{window.name}已于"
                f"{format_date(window.end)}截止。之后年度的通知本助手尚未收录，请以最新通知为准。"
            )
        elif window.start is not None and today < window.start:
            verdict, lead = (
                "还没开始",
                f"还没开始：{window.name}从{format_date(window.start)}开始，截止到{format_date(window.end)}。",
            )
        else:
            verdict, lead = "能", f"能：{window.name}截止到{format_date(window.end)}。"
        if not word:
            verdict, lead = "", lead.split("：", 1)[1]
        return self._window_reply(notice, item, level, today, lead, verdict)

    def _decisive(self, text: str, reply: Reply) -> None:
        """A yes/no about a rule: its decisive word first, from the clauses shown (policies.polarity)."""
        if reply.kind != "answer" or not reply.items or reply.verdict:
            return
        text = self._without_trailing_names(text)  # "能报吗 简阳": the place said after the question
        word = decisive_word(text, [it.text for it in reply.items], self._rare_features)
        if not word:
            first = reply.items[0]
            word = group_word(text, first.text, first.key.split("/")[1] if first.key else "", self._names_out)
        if word:
            reply.verdict = word
            reply.lead = "\n".join(x for x in (f"{word}。", reply.lead) if x)

    def _without_trailing_names(self, text: str) -> str:
        """``text`` without the place or level names said after its question ("…能报吗 简阳")."""
        return self._trailing_names.sub("", normalize(text)) or text

    def _names_out(self, text: str) -> List[Tuple[str, float]]:
        """Rare features without place and level names: a group's list is matched on who, not where."""
        names = {"w:" + n for n in self._names()}
        return [(f, w) for f, w in self._rare_features(text) if f not in names]

    def _rare_features(self, text: str) -> List[Tuple[str, float]]:
        """Features weighted by rarity among items: 业绩 is in many, 举荐 in few."""
        return [(f, w * self.items.rarity(f)) for f, w in self.analyzer.features(text)]

    def _compose(
        self,
        notice: Notice,
        hits: List[Hit],
        level: Optional[str],
        today: dt.date,
        reserve: int = 0,
        topics: Sequence[str] = (),
        labels: Optional[Dict[str, str]] = None,
    ) -> Reply:
        """The best items for ``hits`` within one screen; ``labels``: an answer's label by its item's
        key where the message asked several questions (:meth:`_each_question`)."""
        labels = labels or {}
        best = hits[0]
        chosen: List[Hit] = [best]
        used = len(header(notice)) + len(self._line(best.item, notice, level, today)) + 2 + reserve
        for h in hits[1:]:
            if len(chosen) >= MAX_ITEMS or h.score < best.score * KEEP_RATIO:
                break
            if any(h.item.text == c.item.text for c in chosen):
                continue
            line = self._line(h.item, notice, level, today)
            if used + len(line) + 1 > BUDGET:
                continue
            chosen.append(h)
            used += len(line) + 1
        # A topic the notice leaves to another document: name that document in the answer.
        asked = set(best.item.topics) | set(topics[:1])
        core = [
            it for it in self.items.of_notice(notice.id) if it.core and set(it.topics) & asked and it.applies_to(level)
        ]
        if core and not any(h.item.core for h in chosen):
            while len(chosen) > 1 and (
                len(chosen) >= MAX_ITEMS or used + len(self._line(core[0], notice, level, today)) > BUDGET
            ):
                used -= len(self._line(chosen.pop().item, notice, level, today)) + 1
            chosen.append(Hit(core[0], 0.0))
        items = [self._reply_item(h.item, notice, level, today) for h in chosen]
        if used + sum(len(labels.get(ri.key, "")) for ri in items) <= BUDGET:
            # each answer labelled with its question, where the labels fit: all or none
            for ri in items:
                ri.label = labels.get(ri.key, "") + ri.label
        topic = best.item.topic
        topic_size = sum(1 for it in self.items.of_notice(notice.id) if topic in it.topics and it.applies_to(level))
        kind = "answer"
        return Reply(
            kind,
            notice=notice,
            items=items,
            topic=topic if topic in ANSWER_TOPICS else None,
            more=topic_size > len(items),
            level=level,
            score=best.score,
        )

    def _reply_item(self, it: NoticeItem, notice: Notice, level: Optional[str], today: dt.date) -> ReplyItem:
        label = ""
        if level is None and it.levels and len(notice.levels) > 1 and set(it.levels) != set(notice.levels):
            label = "、".join(LEVEL_NAMES[lv] for lv in it.levels) + "："
            if it.text.startswith(LEVEL_NAMES[it.levels[0]]):
                label = ""
        return ReplyItem(it.shown(today), it.clause, notice, label, it.stated, it.key)

    def _line(self, it: NoticeItem, notice: Notice, level: Optional[str], today: dt.date) -> str:
        return item_line(self._reply_item(it, notice, level, today))

    def _across(
        self,
        text: str,
        today: dt.date,
        notices: List[Notice],
        level: Optional[str],
        topics: List[str],
        strict: bool,
        held: Optional[str] = None,
    ) -> Reply:
        """No region: answer from the notice the question is clearly about, or from each, labelled."""
        ids = [n.id for n in notices]
        hits = self._search(text, ids, level if level in LEVEL_ORDER else None, topics, held=held)
        if strict and (not hits or hits[0].score < CONFIDENT):
            return Reply("out_of_scope", scope=Scope("out_of_scope", ""), score=hits[0].score if hits else 0.0)
        best_by_notice: Dict[str, Hit] = {}
        for h in hits:
            best_by_notice.setdefault(h.item.notice_id, h)
        ranked = sorted(best_by_notice.values(), key=lambda h: -h.score)
        if not ranked or ranked[0].score < MIN_SCORE:
            return Reply(
                "choose_notice", lead="请问您在哪个地区、申报哪个级别？目前收录的通知如下，请选择：", candidates=notices
            )
        comparing = bool(asked_kinds()["comparing"].search(normalize(text))) and len(ranked) > 1
        digest = len(ranked) > 1 and (comparing or ranked[0].score < CLEAR * ranked[1].score)
        # a yes/no the notices answer alike ("评职称要考计算机吗": 不是必备 / 不作统一要求 / 不是必要):
        # supported by every one of them, whatever the score
        said: Dict[str, Optional[str]] = {}  # an item's text → its word: read once for both uses below

        def word_of(item_text: str) -> Optional[str]:
            if item_text not in said:
                said[item_text] = decisive_word(text, [item_text], self._rare_features)
            return said[item_text]

        words = {word_of(h.item.text) for h in ranked[:4]}
        agreed = _agreed(words) if digest else None
        weak = (
            digest
            and not agreed
            and (ranked[0].score < DIGEST or self.items.coverage(text, ranked[0].item, self._names()) < COVERED)
        )
        lone = self._covered_notice(text, hits) if weak else None
        if lone is None and digest and not comparing:
            lone = self._distinctive_notice(text, best_by_notice)
        if lone is not None:
            # "答辩优中差比例是多少": the best line of each notice is not about it, but one notice has an
            # item that covers the question and no other comes near
            weak, digest = False, False
            ranked = [best_by_notice[lone]]
        named = self._topics_named(text)
        if (
            weak
            and named
            and named[0] not in OUTLINE_TOPICS
            and ranked[0].score >= DIGEST
            and not self.broad_topic(text)
        ):
            # a point of a narrower topic ("查重28%还能答辩吗", "EI论文还要交啥"): the notices' nearest
            # lines, one each, the notices far below the best left out — not a question back
            weak = False
        if weak:
            if named:
                # a topic of title evaluation named ("副高评审条件有哪些"): it depends on the region
                return Reply(
                    "choose_notice", lead="各地规定不同。请问您在哪个地区、申报哪个级别？请选择：", candidates=notices
                )
            return self._out_of_scope(Scope("unsupported", ""), text, None)
        if digest and not comparing and not agreed and len(ranked) > 1:
            # a notice whose best line accounts for far less of the question than the best one's
            # ("协会发的奖要附网站查验截图吗": 重庆's 奖项 line, the others' only 网站) is not shown
            names = self._names()
            cover = {h.item.notice_id: self.items.coverage(text, h.item, names) for h in ranked}
            top = cover[ranked[0].item.notice_id]
            ranked = [h for h in ranked if cover[h.item.notice_id] >= FAR_LESS * top]
        if not comparing and (len(ranked) == 1 or ranked[0].score >= CLEAR * ranked[1].score):
            notice = self.index.get(ranked[0].item.notice_id)
            assert notice is not None  # hits come from the index's own notices
            lvl = level if level in notice.levels else None
            reply = self._compose(notice, [h for h in hits if h.item.notice_id == notice.id], lvl, today)
            reply.candidates = [n for n in notices if n.id != notice.id]
            self._decisive(text, reply)
            return reply
        items: List[ReplyItem] = []
        whole: List[str] = []  # each line's item unclipped: what its yes or no is read from
        used = 0
        for h in ranked:
            n = self.index.get(h.item.notice_id)
            assert n is not None  # hits come from the index's own notices
            ri = self._reply_item(h.item, n, level if level in n.levels else None, today)
            ri.label = f"{n.region.city.rstrip('市')}{n.year}：" + ri.label
            full = ri.text
            ri.text = clip(ri.text, ACROSS_CLIP)
            line = item_line(ri)
            if items and used + len(line) > BUDGET - 45:
                break
            items.append(ri)
            whole.append(full)
            used += len(line) + 1
        # a yes/no every notice shown answers alike ("职称外语要考吗"): the word first, then each line
        shown = {word_of(w) for w in whole}
        agreed = _agreed(shown) if len(whole) >= 2 else None
        return Reply(
            "answer",
            items=items,
            verdict=agreed or "",
            lead=f"{agreed}。您没有说地区，各通知的规定如下：" if agreed else "您没有说地区，各地通知的规定如下：",
            tail="选择您所在地区，我按那份通知细说：",
            candidates=notices,
            score=ranked[0].score,
            topic=ranked[0].item.topic if ranked[0].item.topic in ANSWER_TOPICS else None,
        )

    def _each_question(
        self,
        text: str,
        hits: List[Hit],
        notice_ids: Sequence[str],
        level: Optional[str],
        target_levels: Optional[List[str]],
        held: Optional[str],
    ) -> Tuple[List[Hit], Dict[str, str]]:
        """Several questions in one message ("评审费多少 啥时候交 电话多少"): the best item of each,
        in the order asked (up to three), then the rest of the whole message's items; and each
        first item's label (what was asked). Each part is searched with its own topic, so one part's
        strong match does not crowd out the others."""
        parts = questions_in(text)
        if len(parts) < 2 or not hits:
            return hits, {}
        top = hits[0].score
        firsts: List[Hit] = []
        labels: Dict[str, str] = {}
        provinces = [w for forms in self._province_forms.values() for w in forms]
        names = sorted(self._names() + provinces, key=len, reverse=True)
        for n, part in enumerate(parts[:MAX_ITEMS], start=1):
            found = self._search(part, notice_ids, level, self._topics_named(part), target_levels, held=held)
            if found and found[0].score >= MIN_SCORE and all(found[0].item is not f.item for f in firsts):
                firsts.append(Hit(found[0].item, top, found[0].cued))
                labels[found[0].item.key] = question_label(part, names, n)
        if len(firsts) < 2:
            return hits, {}
        chosen = {id(h.item) for h in firsts}
        return firsts + [h for h in hits if id(h.item) not in chosen], labels

    def _other_round(self, text: str, notice: Notice) -> Optional[int]:
        """A round (year) the question asks about that is not ``notice``'s and has no notice of its
        own here ("2025年长治中级什么时候报名"); the asker's own dates (我2019年的助工) are not."""
        t = normalize(text)
        if OWN_DATE.search(t):
            return None
        m = asked_kinds()["round"].search(t)
        if m is None:
            return None
        year = int(m.group(1))
        if year == notice.year or any(n.year == year for n in self.index.find(region=notice.region.code)):
            return None
        return year

    def _inside(self, text: str, place: str) -> Optional[str]:
        """The region of a notice under ``place`` (成都 above 简阳) whose best item for ``text``
        names ``place`` itself ("成都专技人才信息系统网址"); None otherwise ("成都市区评职称")."""
        for n in self.index.all():
            if place not in containing_cities(n.region):
                continue
            hits = self._search(text, [n.id], None, [])
            if hits and hits[0].score >= CONFIDENT and place in hits[0].item.text + " ".join(hits[0].item.asks):
                return n.region.code
        return None

    def _absent_topic_words(self, text: str, notice: Notice) -> List[str]:
        """The names of a topic the question uses (答辩, 破格, 转系列) that no item of ``notice`` says,
        itself or by a synonym: the notice does not speak of that at all (an item's ``asks`` may route
        "要答辩吗" to 重庆's 评审 clause, which still says nothing of 答辩)."""
        body = self._notice_text[notice.id]  # what it says, not how it is asked
        out = []
        for w in dict.fromkeys(self.content_words(text)):
            if w in self._absence_terms and w not in broad_fillers():
                forms = [w, *self.analyzer.synonyms_of(w)]
                if not any(f in body for f in forms):
                    out.append(w)
        return out

    def _names(self) -> List[str]:
        """Place and level names: they choose the notice, they are not what is asked."""
        return self._region_words + [w for forms in self._level_forms.values() for w in forms]

    def _distinctive_notice(self, text: str, best_by_notice: Dict[str, Hit]) -> Optional[str]:
        """The one notice whose items use a word of the question (three characters or more) that no
        other notice's items use ("评委会审核是哪个时间段": 重庆's; "证件照啥格式": 湖州's) — an asker
        who uses a notice's own term is asking about that notice. None if no such word, or if such
        words point to two notices."""
        long: Dict[str, int] = {}  # notice → its own words of three characters or more in the question
        short: Dict[str, int] = {}  # … of two
        for w in dict.fromkeys(self.content_words(text)):
            if len(w) < 2 or not all("\u4e00" <= ch <= "\u9fff" for ch in w):
                continue
            holders = [nid for nid, body in self._notice_text.items() if w in body]
            if len(holders) == 1:
                into = long if len(w) >= 3 else short
                into[holders[0]] = into.get(holders[0], 0) + 1
        # one longer word, or else two short ones (协会 + 查验), all of one notice
        found = long or {nid: n for nid, n in short.items() if n >= 2}
        if len(found) != 1 or (not long and len(short) != 1):
            return None
        only = next(iter(found))
        return only if only in best_by_notice else None

    def _unsupported_in(self, text: str, region: str) -> bool:
        """No item of ``region``'s notices among the best accounts for ``text`` (coverage below
        UNSUPPORTED): the question is about something these notices do not treat."""
        ids = [n.id for n in self.index.find(region=region)]
        names = self._names()
        hits = self._search(text, ids, None, [])[:COVER_DEPTH]
        return not any(self.items.coverage(text, h.item, names) >= UNSUPPORTED for h in hits)

    def _covered_notice(self, text: str, hits: List[Hit]) -> Optional[str]:
        """The one notice with an item covering ``text`` (ItemIndex.coverage ≥ COVERED) whose
        score × coverage is CLEAR times every other notice's best; None if there is none."""
        names = self._names()
        best: Dict[str, Tuple[float, float]] = {}
        for h in hits[:COVER_DEPTH]:
            cover = self.items.coverage(text, h.item, names)
            weight = h.score * cover
            if weight > best.get(h.item.notice_id, (0.0, 0.0))[0]:
                best[h.item.notice_id] = (weight, cover)
        ranked = sorted(best.items(), key=lambda kv: -kv[1][0])
        if not ranked or ranked[0][1][1] < COVERED or ranked[0][1][0] < MIN_SCORE:
            return None
        if len(ranked) > 1 and ranked[0][1][0] < CLEAR * ranked[1][1][0]:
            return None
        return ranked[0][0]

    def _one_notice_supports(self, text: str) -> bool:
        """One notice has an item clearly about ``text`` (scope from evidence)."""
        best: Dict[str, float] = {}
        for h in self._search(text, [n.id for n in self.index.all()], None, []):
            best.setdefault(h.item.notice_id, h.score)
        ranked = sorted(best.values(), reverse=True)
        return bool(ranked) and ranked[0] >= UNANCHORED and (len(ranked) == 1 or ranked[0] >= CLEAR * ranked[1])

    def _not_stated(self, notice: Notice, text: str, topics: List[str], level: Optional[str]) -> Reply:
        thing = self._thing(text)
        lead = f"这份通知没有写到{thing}。" if thing else "这份通知没有写到您问的内容。"
        items = [self._delegate_item(d, notice) for d in notice.delegates if topics and set(d.topics) & set(topics)]
        items = items[:2]
        return Reply("not_stated", notice=notice, items=items, lead=lead, tail=self._contact_tail(notice), level=level)

    @staticmethod
    def _delegate_item(d: Delegate, notice: Notice) -> ReplyItem:
        title = f"《{d.title}》" if d.title else ""
        return ReplyItem(
            f"{d.about.rstrip('。')}：见{title}{d.doc}",
            d.clause,
            notice,
            stated=False,
            key=f"{notice.id}/delegates/{d.doc}",
        )

    @staticmethod
    def _contact_tail(notice: Notice) -> str:
        main = notice.contacts[0]
        phones = "、".join(main.phones) if main.phones else (main.email or main.address or "")
        return f"如需确认，请咨询{main.name}（{phones}）。"

    def _thing(self, text: str) -> str:
        t = normalize(text)
        for w in self._region_words:
            t = t.replace(w, "")
        t = re.sub(r"^(请问|想问一下|想问|问一下|你好|您好|老师)+", "", t)
        t = re.sub(r"[？?。！!，,\s]+$", "", t)
        t = re.sub(r"(吗|呢|吧|么|啊)$", "", t)
        return f"“{t[:20]}”" if t else ""

    def _out_of_scope(self, scope: Scope, text: str, region: Optional[str]) -> Reply:
        if scope.kind == "fraud":
            named = self.regions_in(text)
            notices = [n for n in self.index.all() if not named or n.region.code in named] or self.index.all()
            # making a record false ("P一个本科", "刻个章", "假的缴费记录"): what the notices do to it;
            # buying or an agent: their warning about agents
            forging = scope.subject == FORGERY
            query = FORGERY_QUERY if forging else AGENT_QUERY
            hits = self.items.search(query, [n.id for n in notices])
            items: List[ReplyItem] = []
            for h in hits:
                n = self.index.get(h.item.notice_id)
                assert n is not None  # hits come from the index's own notices
                if any(it.notice is n for it in items) and len(notices) > 1:
                    continue  # one line per notice
                if items and h.score < KEEP_RATIO * hits[0].score:
                    break
                items.append(ReplyItem(h.item.text, h.item.clause, n, f"{n.short_name}："))
                if len(items) == 2:
                    break
            return Reply(
                "fraud",
                items=items,
                scope=scope,
                lead="职称只能本人按通知如实申报，不存在“代评”“包过”。通知里的提醒：",
                tail=(
                    "申报材料须真实，由本人如实提供。"
                    if forging
                    else "请只通过通知写明的官方渠道申报，遇到收费代办请向经办部门反映。"
                ),
            )
        covered = "、".join(n.short_name for n in self.index.all())
        if scope.kind == "unsupported":
            return Reply(
                "out_of_scope",
                scope=scope,
                lead="这个问题我回答不了：收录的通知里没有找到直接相关的规定。如果您问的是某地的职称评审，请选择地区后再问：",
                candidates=self.index.all(),
            )
        subject = f"{scope.subject}不在我能回答的范围内。" if scope.subject else "这个问题我还回答不了。"
        return Reply("out_of_scope", scope=scope, lead=f"抱歉，{subject}我只解答以下工程系列职称评审通知：{covered}。")


_FIGURE_AT = re.compile(r"[\d.]*(?:学时|个月|万元|元|年|篇|项|名|份|次|%|K|M)?")


def clip(text: str, size: int) -> str:
    """``text``'s first ``size`` characters and "…" — never cutting a figure ("不少于6…" would read
    as 6): a figure the cut falls in is kept whole, with its unit."""
    if len(text) <= size:
        return text
    cut = size
    if text[cut - 1].isdigit() or text[cut].isdigit():
        cut += len(_FIGURE_AT.match(text, cut).group())  # type: ignore[union-attr]  # matches empty
    return text if cut >= len(text) else text[:cut] + "…"


def _agreed(words: set[Optional[str]]) -> Optional[str]:
    """The one word several notices' lines answer alike; 不需要 and 没有统一要求 are one answer (no),
    said as the weaker where one notice leaves it to the unit."""
    if None in words or not words:
        return None
    if len(words) == 1:
        return next(iter(words))
    if words == {"不需要", "没有统一要求"}:
        return "没有统一要求"
    return None


def levels_text(levels: Sequence[str]) -> str:
    return "、".join(LEVEL_NAMES[lv] for lv in levels)


@lru_cache(maxsize=4)
def qa_for(index: NoticeIndex) -> QA:
    return QA(index)

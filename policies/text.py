"""Text as the retrieval sees it: normalised, cut into words and character pairs.

- :func:`normalize` keeps every character at its index: traditional → simplified, full-width →
  half-width (the NLU's text normaliser uses the same function, so offsets stay valid).
- :class:`Analyzer` cuts text into features: jieba words (with the domain words of
  ``policies/vocabulary.yml`` and the notices' place names kept whole), their synonyms, and
  character bigrams. Nothing is loaded at import time.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Sequence, Tuple

import yaml

if TYPE_CHECKING:
    from policies.index import NoticeIndex

from policies.chars import FULLWIDTH as FULLWIDTH  # re-exported
from policies.chars import halfwidth as halfwidth  # re-exported
from policies.chars import normalize as normalize  # re-exported

VOCABULARY = Path(__file__).resolve().parent / "vocabulary.yml"

# Words that carry no meaning for matching a question to a notice item.
STOPWORDS = frozenset(
    """的 了 吗 呢 吧 啊 呀 嘛 哦 哈 么 是 我 你 您 他 她 们 我们 请问 问 一下 想 想问 知道 这个 那个 这 那
    有 没 在 和 与 及 或 或者 就 都 也 还 又 要 需要 需 得 能 能不能 可以 可不可以 行 行不行 会 吗 么
    什么 啥 怎么 怎样 怎么样 如何 哪 哪些 哪个 多少 几 个 请 谢谢 要不要 不要 需不需要 用不用 是不是 有没有 还要 得不得 评职称 哪天 几号 几点 一 不 就是 还是 如果 的话 时候 关于 对于
    老师 您好 你好 下 给 让 把 被 从 到 对 为 以 上 中 里 后 前 时 该 其 之 已 已经 现在 今年 报 评 申报 申请 评审 职称
    ? ？ ， 。 , . ! ！ 、 ： : ； ; （ ） ( ) “ ” " ' 【 】 [ ] … ~ ～ 　""".split()
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def vocabulary() -> Dict[str, Any]:
    vocab: Dict[str, Any] = yaml.safe_load(VOCABULARY.read_text(encoding="utf-8"))
    return vocab


def entity_forms(index: NoticeIndex, path: Path = VOCABULARY) -> Dict[str, Dict[str, List[str]]]:
    """entity → canonical value → surface forms: regions from the notices (city and aliases) and the
    gazetteer (the divisions under the city: ``policies.places.region_forms``), the
    other entities from ``entities:`` in vocabulary.yml. The NLU resources and the staff search
    read the same table."""
    from policies.places import region_forms

    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    forms: Dict[str, Dict[str, List[str]]] = {k: dict(v) for k, v in raw["entities"].items()}
    regions: Dict[str, List[str]] = {}
    for notice in index.all():
        seen = regions.setdefault(notice.region.code, [])
        for form in region_forms(notice.region):
            if form not in seen:
                seen.append(form)
    forms["region"] = regions
    return forms


def synonym_groups() -> List[List[str]]:
    """Groups of words applicants use for the same thing (``synonyms:`` in vocabulary.yml)."""
    return [list(g) for g in vocabulary().get("synonyms", [])]


class Analyzer:
    """Cuts text into weighted features for BM25: words, synonyms of words, character bigrams."""

    WORD, SYNONYM, BIGRAM = 1.0, 0.6, 0.35

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        import jieba

        self._jieba = jieba.Tokenizer()
        jieba.setLogLevel(60)
        vocab = vocabulary()
        words = set(extra_words) | set(vocab.get("terms", []))
        for forms in vocab.get("entities", {}).values():
            for surface in forms.values():
                words.update(surface)
        self._synonyms: Dict[str, List[str]] = {}
        for group in synonym_groups():
            words.update(group)
            for w in group:
                self._synonyms.setdefault(w, [])
                self._synonyms[w] += [o for o in group if o != w and o not in self._synonyms[w]]
        for w in sorted(words):
            if len(w) >= 2 and " " not in w:
                self._jieba.add_word(w, freq=100000)

    def spans(self, text: str, guess: bool = True) -> List[Tuple[int, int]]:
        """(start, end) of each word of ``text`` as this analyzer cuts it; ``guess=False``: no word
        the dictionary lacks is made up ("评主工" stays 评 / 主 / 工)."""
        return [(start, end) for _w, start, end in self._jieba.tokenize(text, HMM=guess)]

    def is_word(self, word: str) -> bool:
        """``word`` is in the dictionary (jieba's own, with the domain words added)."""
        self._jieba.check_initialized()
        return bool(self._jieba.FREQ.get(word, 0))

    def _tokens(self, text: str) -> List[str]:
        text = _SPACE.sub(" ", normalize(text).lower())
        return [t.strip() for t in self._jieba.lcut(text) if t.strip()]

    def words(self, text: str) -> List[str]:
        return [w for w in self._tokens(text) if w not in STOPWORDS]

    def features(self, text: str, synonyms: bool = True) -> List[Tuple[str, float]]:
        """(feature, weight) pairs; a feature may repeat (term frequency)."""
        tokens = self._tokens(text)
        words = [w for w in tokens if w not in STOPWORDS]
        out: List[Tuple[str, float]] = [("w:" + w, self.WORD) for w in words]
        if synonyms:
            for w in words:
                out += [("w:" + s, self.SYNONYM) for s in self._synonyms.get(w, [])]
        # Character pairs inside runs of meaningful words: robust to different word cuts.
        run: List[str] = []
        for t in tokens + [" "]:
            if t in STOPWORDS or not _CJK.search(t):
                chars = [c for c in "".join(run)]
                out += [("b:" + a + b, self.BIGRAM) for a, b in zip(chars, chars[1:])]
                run = []
            else:
                run.append(t)
        return out

    def synonyms_of(self, word: str) -> Sequence[str]:
        return self._synonyms.get(word, [])

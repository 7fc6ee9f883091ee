"""Typos by sound: a place or level name written with a character that sounds the same (兰洲 for
兰州, 简扬 for 简阳, 工成师 for 工程师) is read as that name (issue 22).

A window of the text is replaced when it has the same length as a name, the same toneless pinyin
character by character, differs from it in one character only (评两 is not 平凉: two differ; two in a name of five or more:
主力工程师 is 助理工程师), and
is not itself a word of jieba's dictionary (回来 has 惠来's sound), and does not cut through a word
of the text as jieba segments it (之前的清掉: 的清 would be 德清; 线上还是: 上还 would be 上海). The caller chooses the names: the notices' places, the levels, and places of three
characters or more (a two-character county would turn everyday words into places).
The replacement keeps the text's length, so offsets into it stay valid.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Dict, Iterable, List, Tuple

if TYPE_CHECKING:
    from policies.text import Analyzer


@lru_cache(maxsize=4096)
def _sound(ch: str) -> str:
    from pypinyin import lazy_pinyin

    return lazy_pinyin(ch)[0] if "\u4e00" <= ch <= "\u9fff" else ch


# a window whose differing character is one of these is a phrase, not a typo (规划是 is not 规划室)
FUNCTION_CHARS = frozenset("是的了在有我你他她它不也都就和与及吗呢吧啊呀么还又才会要能可对把被给让从到")
# nor is a numeral inside a number, which carries a value (专技十一级 is not 专技师一级)
NUMERALS = frozenset("零一二两三四五六七八九十百千万0123456789")
COUNTED = frozenset("年月日号级个篇项次岁名位件份")
LONG = 5  # a name this long may differ in two characters (主力工程师 for 助理工程师), a shorter one in one


class SoundAlike:
    """Corrects ``text`` towards ``names`` (module doc)."""

    def __init__(self, names: Iterable[str], analyzer: Analyzer) -> None:
        self._analyzer = analyzer  # its jieba, already loaded: word cuts and the dictionary
        self._by_sound: Dict[Tuple[str, ...], str] = {}
        self._lengths: List[int] = []
        for name in names:
            if len(name) < 2 or not all("\u4e00" <= ch <= "\u9fff" for ch in name):
                continue
            key = tuple(_sound(ch) for ch in name)
            self._by_sound.setdefault(key, name)  # the first (longest, most common) name wins
        self._lengths = sorted({len(k) for k in self._by_sound}, reverse=True)

    def correct(self, text: str) -> str:
        if not self._by_sound:
            return text
        sounds = [_sound(ch) for ch in text]
        bounds = {0, len(text)} | {b for span in self._analyzer.spans(text, guess=False) for b in span}
        out = list(text)
        taken = [False] * len(text)
        for n in self._lengths:
            for i in range(len(text) - n + 1):
                if any(taken[i : i + n]):
                    continue
                name = self._by_sound.get(tuple(sounds[i : i + n]))
                if name is None:
                    continue
                window = text[i : i + n]
                if window == name:
                    taken[i : i + n] = [True] * n
                elif (
                    1 <= sum(a != b for a, b in zip(window, name)) <= (1 if n < LONG else 2)
                    and not any(a != b and a in FUNCTION_CHARS for a, b in zip(window, name))
                    and not any(a != b and _in_number(text, i + k) for k, (a, b) in enumerate(zip(window, name)))
                    and i in bounds
                    and i + n in bounds
                    and not self._analyzer.is_word(window)
                ):
                    out[i : i + n] = list(name)
                    taken[i : i + n] = [True] * n
        return "".join(out)


def _in_number(text: str, j: int) -> bool:
    """text[j] is a numeral of a number: next to another numeral, or before what it counts."""
    if text[j] not in NUMERALS:
        return False
    after = text[j + 1] if j + 1 < len(text) else ""
    before = text[j - 1] if j > 0 else ""
    return bool(after) and (after in NUMERALS or after in COUNTED) or bool(before) and before in NUMERALS

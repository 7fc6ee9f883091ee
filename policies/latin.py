"""Latin letters as applicants mix them in: a notice's place in pinyin (chongqing, Ping Liang,
Changzhi) and a few English words (fee, online, deadline: ``latin:`` in vocabulary.yml) become the
Chinese the notice index and the scope check read (issue 22). Letters that are neither (a mailbox
name, a URL, OK, HR) stay as they are.

A place's spellings are every toneless reading of its characters (长治 is changzhi as well as
zhangzhi), so a heteronym does not hide it."""

from __future__ import annotations

import itertools
import re
from typing import Dict, Iterable, Mapping, Tuple

# a run of Latin words separated by single spaces or hyphens; not inside an address or a URL
_RUN = re.compile(r"(?<![A-Za-z0-9@._/-])[A-Za-z]+(?:[ -][A-Za-z]+)*(?![A-Za-z0-9@._/-])")
MAX_READINGS = 16  # spellings of one name (heteronyms multiply)


def _spellings(name: str) -> Tuple[str, ...]:
    from pypinyin import Style, pinyin

    readings = pinyin(name, style=Style.NORMAL, heteronym=True)
    combos = itertools.islice(itertools.product(*readings), MAX_READINGS)
    return tuple("".join(c) for c in combos)


class Latin:
    """Translates Latin words in a question (module doc)."""

    def __init__(self, places: Iterable[str], glossary: Mapping[str, str]) -> None:
        self._words: Dict[str, str] = {}
        for name in places:
            if len(name) < 2 or not all("\u4e00" <= ch <= "\u9fff" for ch in name):
                continue
            for spelling in _spellings(name):
                self._words.setdefault(spelling, name)  # the first name (the city) wins
        for english, chinese in glossary.items():
            self._words[_key(english)] = chinese

    def translate(self, text: str) -> str:
        if not self._words or not re.search(r"[A-Za-z]", text):
            return text
        return _RUN.sub(self._run, text)

    def _run(self, m: re.Match[str]) -> str:
        run = m.group()
        whole = self._words.get(_key(run))
        if whole is not None:
            return whole
        parts = re.split(r"([ -])", run)
        out = []
        i = 0
        while i < len(parts):
            # the longest span of words that is one entry (senior engineer, Ping Liang)
            for j in range(len(parts), i, -2):
                found = self._words.get(_key("".join(parts[i:j])))
                if found is not None:
                    out.append(found)
                    i = j + 1
                    break
            else:
                out.append(parts[i])
                if i + 1 < len(parts):
                    out.append(parts[i + 1])
                i += 2
        return "".join(out).strip()


def _key(words: str) -> str:
    return re.sub(r"[\s-]+", "", words.lower())

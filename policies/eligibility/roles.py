"""The level held and the level applied for: one rule, for the fact reader and for the answers.

"想报工程师，现在是助工" names two levels: 工程师 is applied for, 助工 is held. The role of one level
named in a message is decided here, from its words around it, by the words of facts.yml
``reading:`` (``held``, ``applying``, ``held_after``, ``applying_after``):

1. the cue nearest before the level decides: a word of applying (报 / 评 / 想评 / 升 …) makes it
   applied for, a word of holding (拿的 / 现在是 / 取得 / 评的 …) held — in "17年评的助工" 评的 ends
   nearer the level than 评, so the level is held;
2. with no cue before it, the words right after it: "…能报吗" applied for; "…后 / 以来 / 满 / 五年了 /
   证 / 是18年拿的" held;
3. otherwise the role is not said (``None``): the caller decides from what else it knows (the fact
   reader: a date said with the level; the answers: the highest level is the one applied for).

Both callers pass the words within the level's clause or a few characters around it.
"""

from __future__ import annotations

import re
from typing import Optional, Pattern

from policies.eligibility.wording import Wording

APPLIED, HELD = "applied", "held"
WINDOW = 8  # characters before and after a level that can say its role
# "报长治2022年的工程师": the round's year between the cue and the level is not a cue of its own, and
# must not push the cue out of the window.
ROUND_YEAR = re.compile(r"(?:\d{2,4}|[今明下])\s*年度?的?\s*$")


def _last_end(pattern: Pattern[str], text: str) -> int:
    """Where the last match of ``pattern`` in ``text`` ends (-1: none)."""
    end = -1
    for m in pattern.finditer(text):
        end = max(end, m.end())
    return end


# "2013年评中级": a date (years in digits) right before a bare 评 says when it happened, not a wish.
DATED = re.compile(r"(?:\d{4}|(?<!\d)\d{2})\s*年(?:\s*\d{1,2}\s*月份?)?(?:底|初)?\s*(?:就|才|又)?评$")


WISH = re.compile(r"(?:想|要|准备|打算|能|可以|争取|希望|计划|预计)\s*$")


def level_role(before: str, after: str, wording: Wording) -> Optional[str]:
    """``APPLIED``, ``HELD`` or ``None`` for a level with ``before`` / ``after`` around it."""
    dated = DATED.search(before)
    if dated and not WISH.search(before[: dated.start()]):
        return HELD
    before, after = ROUND_YEAR.sub("", before)[-WINDOW:], after[:WINDOW]
    applying, held = _last_end(wording.applying, before), _last_end(wording.held, before)
    if applying >= 0 or held >= 0:
        return APPLIED if applying >= held else HELD  # 能评上: the applying word ends with the held one
    if wording.applying_after.match(after):
        return APPLIED
    if wording.held_after.match(after):
        return HELD
    return None

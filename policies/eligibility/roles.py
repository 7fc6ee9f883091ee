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

Before these: a level after a count of people or before 推荐 / 签字 is someone else's (``OTHERS``:
有三个高工推荐), and one right before 后 is held (评工程师后也干满5年了: the 评 is past).

Both callers pass the words within the level's clause or a few characters around it.
"""

from __future__ import annotations

import re
from typing import Optional, Pattern

from policies.eligibility.wording import Wording

APPLIED, HELD, OTHERS = "applied", "held", "others"
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
# "有三个高工推荐" / "两位高级工程师签字" / "带初级技术员": other people's level — a count of people or
# mentoring before it, or a recommendation after it
COUNTED = re.compile(
    r"(?:(?:\d+|[一两二三四五六七八九十俩仨几]+)\s*(?:个|位|名)(?:人)?|(?:带|带过|带了|带出|培养了?|指导过?)(?:的)?(?:初级|中级|年轻|新)?)\s*$"
)
VOUCHING = re.compile(r"^(?:职称)?(?:的)?(?:专家)?(?:来|给我|帮我|为我)?(?:推荐|举荐|签字|担保|鉴定)")
# "评工程师后也干满5年了": what follows after obtaining it — the level is held, whatever verb came before
SINCE = re.compile(r"^(?:职称)?(?:后|以后|之后)")


def level_role(before: str, after: str, wording: Wording) -> Optional[str]:
    """``APPLIED``, ``HELD``, ``OTHERS`` (someone else's: a recommender's) or ``None`` for a level
    with ``before`` / ``after`` around it."""
    if COUNTED.search(before) or VOUCHING.match(after):
        return OTHERS
    if SINCE.match(after):
        return HELD
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

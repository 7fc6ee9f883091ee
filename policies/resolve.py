"""Decide which notice a question is about, from the region and level known so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

from policies.index import NoticeIndex
from policies.schema import Notice

AMBIGUOUS_LEVELS = {"junior": ["assistant_engineer", "technician"]}


@dataclass
class Resolution:
    notice: Optional[Notice] = None
    level: Optional[str] = None  # the level to answer for, None = every level of the notice
    candidates: List[Notice] = field(default_factory=list)  # ask the user to pick one of these
    ask_level: List[str] = field(default_factory=list)  # ask the user to pick one of these levels
    level_dropped: Optional[str] = None  # the remembered level did not fit the region's notice
    unknown_level_for_region: Optional[str] = None  # asked level has no notice in that region


def resolve(
    index: NoticeIndex,
    region: Optional[str],
    level: Optional[str],
    level_is_new: bool = True,
) -> Resolution:
    """``level_is_new``: the level was said in this message (not just remembered)."""
    if level in AMBIGUOUS_LEVELS:
        return Resolution(ask_level=AMBIGUOUS_LEVELS[level])
    if region is None:
        return Resolution(candidates=index.find(level=level) or index.all())
    in_region = index.find(region=region)
    if not in_region:
        return Resolution(candidates=index.find(level=level) or index.all())
    if level is not None:
        matching = [n for n in in_region if level in n.levels]
        if len(matching) == 1:
            return Resolution(notice=matching[0], level=level)
        if len(matching) > 1:
            return Resolution(candidates=matching, level=level)
        if level_is_new:
            return Resolution(candidates=index.find(level=level), unknown_level_for_region=level)
        dropped = level
    else:
        dropped = None
    if len(in_region) == 1:
        return Resolution(notice=in_region[0], level_dropped=dropped)
    return Resolution(candidates=in_region, level_dropped=dropped)

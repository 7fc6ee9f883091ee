"""Roles of the levels named in a question: the level applied for vs the title already held.

"我是助工，报中级要几篇论文" names two levels: 中级 is applied for, 助工 is held. A question about
applying is answered for the level applied for. The role of each level named is decided by the one
rule the fact reader also uses (``policies.eligibility.roles.level_role``: the nearest cue before
it, else the words right after it). Of the levels whose role is not said, the highest is applied for
(nobody applies for a level below their own); one below the level applied for is held. A held level
with no level applied for leaves the level open (the caller decides).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple

from policies.eligibility.catalogue import load_catalogue
from policies.eligibility.roles import APPLIED, HELD, OTHERS, level_role
from policies.eligibility.wording import Wording
from policies.levels import LEVEL_ORDER
from policies.text import normalize, vocabulary


def _wording() -> Wording:
    wording = load_catalogue().wording
    assert wording is not None, "facts.yml has its reading: section"
    return wording


@dataclass
class LevelRoles:
    applied: Optional[str] = None
    held: Optional[str] = None
    explicit: bool = False  # the level applied for follows a word of applying (报/评/申报 …)
    mentions: List[Tuple[int, str]] = field(default_factory=list)


@lru_cache(maxsize=1)
def _surface_forms() -> Tuple[Tuple[str, str], ...]:
    forms: Dict[str, str] = {}
    for value, surface in vocabulary()["entities"]["level"].items():
        for s in surface:
            forms[s] = value
    return tuple(sorted(forms.items(), key=lambda p: -len(p[0])))


def find_levels(text: str) -> List[Tuple[int, int, str]]:
    """(start, end, level) of every level named, longest form first, no overlaps."""
    text = normalize(text)
    not_a_level = _wording().not_a_level_after
    taken = [False] * len(text)
    out: List[Tuple[int, int, str]] = []
    for form, value in _surface_forms():
        start = text.find(form)
        while start >= 0:
            end = start + len(form)
            if not any(taken[start:end]) and not not_a_level.match(text[end : end + 6]):
                # "工程师" inside "助理工程师"/"高级工程师" is taken by the longer form already.
                out.append((start, end, value))
                for i in range(start, end):
                    taken[i] = True
            start = text.find(form, end)
    return sorted(out)


def level_roles(text: str, strip: Sequence[str] = ()) -> LevelRoles:
    """``strip``: words to drop first (place names between 报 and the level: 报简阳高工)."""
    text = normalize(text)
    for w in strip:
        text = text.replace(w, "")
    found = find_levels(text)
    wording = _wording()
    roles = LevelRoles()
    applied: List[str] = []
    held: List[str] = []
    free: List[str] = []
    for start, end, value in found:
        role = level_role(text[:start], text[end:], wording)
        if role == OTHERS:
            continue  # a recommender's level (有三个高工推荐) is neither applied for nor held
        roles.mentions.append((start, value))
        if role == APPLIED:
            applied.append(value)
        elif role == HELD:
            held.append(value)
        else:
            free.append(value)
    rank = LEVEL_ORDER.index

    def top(values: List[str]) -> Optional[str]:
        known = [v for v in values if v in LEVEL_ORDER]
        return max(known, key=rank) if known else (values[0] if values else None)

    if applied:
        roles.applied = top(applied)
        roles.explicit = True
        # a level said without a cue, below the one applied for, is the one held
        if roles.applied in LEVEL_ORDER:
            held += [v for v in free if v in LEVEL_ORDER and rank(v) < rank(roles.applied)]
    roles.held = top(held)
    if roles.applied is None and free:
        candidate = top(free)
        if (
            roles.held is None
            or candidate not in LEVEL_ORDER
            or roles.held not in LEVEL_ORDER
            or rank(candidate) > rank(roles.held)
        ):
            roles.applied = candidate
    if roles.applied is None and len(held) > 1:  # "助工满4年的中级…": two held, the higher is asked
        ordered = sorted({v for v in held if v in LEVEL_ORDER}, key=rank)
        if len(ordered) > 1:
            roles.applied, roles.held = ordered[-1], ordered[-2]
    return roles


def next_level(level: Optional[str]) -> Optional[str]:
    if level not in LEVEL_ORDER:
        return None
    i = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[i + 1] if i + 1 < len(LEVEL_ORDER) else None

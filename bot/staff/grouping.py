"""The inbox's similar questions, grouped in near-linear time through an index instead of
comparing every question with every group.

The meaning (docs/dashboard.md, "Similar questions"): questions are taken in the order given (the
dashboard gives the inbox oldest first, so new rows come last); a question joins the first group, in the order the groups were made, whose first question
(its head) shares at least ``threshold`` of their character pairs (Jaccard over :func:`bigrams`);
otherwise it starts a group. Groups come biggest first (equal sizes in the order they were made);
a group's representative is its most frequent text (the first seen of equally frequent ones).

How it avoids comparing every question with every head:

1. **The same pairs, the same group.** Heads never change and groups are only added, so a question
   whose pairs were seen before goes where the earlier one went (no comparison).
2. **Prefix filter.** Pairs are ranked rarest first (by how many distinct texts hold them). If
   ``J(A, B) >= t`` then ``|A ∩ B| >= ceil(t·|A|)``, and the first shared pair in that order lies
   within the first ``|A| - ceil(t·|A|) + 1`` pairs of A and within the same prefix of B. So each
   head is indexed under its prefix pairs only, and a question looks up its own prefix pairs.
3. **Size filter.** ``J(A, B) <= min(|A|, |B|) / max(|A|, |B|)``: heads much shorter or longer
   than the question are not compared.
4. **A bounded index.** Each pair lists at most ``cap`` heads (:data:`POSTING_CAP`, the oldest —
   the ones the pass prefers), so a question looks at no more than ``cap`` heads per prefix pair
   whatever the size of the inbox. This is the one step that is not exact: a question whose only
   similar head is listed under none of its prefix pairs starts a group of its own. On the
   benchmark's realistic inbox (benchmarks/dashboard_inbox.py) the 15 groups the page shows are
   identical to the plain pass's at 5,000 and 50,000 rows; below them some small groups split
   (3 % more groups at 5,000 rows, 12 % at 50,000). ``cap=0`` lists every head: exactly the plain
   pass's groups (tested), but no longer linear.

The candidates are compared with the same Jaccard as before, in the order their groups were made,
and the first one similar enough wins.

5. **Incremental.** :class:`Grouping` keeps the pass's state (the pairs' order, the heads, the index,
   each text's group and count), so texts that come after the ones grouped (new inbox rows) are
   placed on top of it: the work is that of the new texts only. The pairs keep the rarity order of
   the first texts; a pair first seen later ranks rarest. Any fixed order keeps the prefix filter
   exact, so without the cap the result is exactly that of one pass over all the texts (tested);
   with the cap a few small groups can come out differently from a fresh pass (the page's 15 are
   the same on random appends, tested); the staff app starts from a fresh pass each time it starts.

bot.staff.figures.InboxGroups keeps one grouping of the whole inbox (each period is a count over
it) and decides, from the inbox's row count and largest id, whether to reuse it, add the new rows
to it or group again.
"""

from __future__ import annotations

import math
import operator
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, FrozenSet, Hashable, List, Optional, Sequence, Set, Tuple

SIMILARITY = 0.4  # character-bigram Jaccard at or above which two questions are one group
POSTING_CAP = 4  # heads listed under one pair in the index (see the module's docstring)
_EPSILON = 1e-9  # the filters err on the side of one candidate too many, never one too few

_NOT_TEXT = re.compile(r"[\s\W_]+", re.UNICODE)
_NOT_TEXT_BUT_NUL = re.compile(r"(?:[^\w\x00]|_)+", re.UNICODE)  # the same, keeping the separator


@dataclass(frozen=True)
class UnansweredGroup:
    size: int
    text: str  # one representative, masked as the inbox shows it


@dataclass
class GroupingStats:
    """What one grouping did — for the tests, which check it grows linearly, not for speed."""

    texts: int = 0
    distinct: int = 0  # distinct sets of character pairs
    probed: int = 0  # index entries looked at
    compared: int = 0  # Jaccard similarities computed


@lru_cache(maxsize=1)
def _simplify() -> Dict[int, str]:
    """``policies.text.normalize`` as one ``str.translate`` table: full-width → half-width, then
    traditional → simplified (HanziConv's own character map, first entry of a character wins,
    as its ``str.find`` has it). The same characters out, without a Python loop per character."""
    from hanziconv.charmap import simplified_charmap, traditional_charmap

    from policies.text import FULLWIDTH

    table: Dict[int, str] = {}
    for old, new in zip(traditional_charmap, simplified_charmap):
        table.setdefault(ord(old), new)
    for wide, half in FULLWIDTH.items():
        table[wide] = table.get(half, chr(half))
    return table


def bigrams(text: str) -> FrozenSet[str]:
    """Character pairs of the text, normalised (``policies.text.normalize``) and lower-cased,
    without spaces and punctuation (one character: itself)."""
    clean = _NOT_TEXT.sub("", text.translate(_simplify()).lower())
    if len(clean) < 2:
        return frozenset([clean]) if clean else frozenset()
    return frozenset(map(operator.add, clean, clean[1:]))


def jaccard(a: FrozenSet[Hashable], b: FrozenSet[Hashable]) -> float:
    if not (a or b):
        return 1.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)  # the same float as len(a & b) / len(a | b)


def _overlap_needed(size: int, threshold: float) -> int:
    """The fewest shared pairs a set of ``size`` pairs needs with any set it is similar to."""
    return max(1, math.ceil(threshold * size - _EPSILON))


def group_similar(
    texts: Sequence[str],
    threshold: float = SIMILARITY,
    stats: Optional[GroupingStats] = None,
    cap: int = POSTING_CAP,
) -> List[UnansweredGroup]:
    """Greedy single pass: a text joins the first group whose first text is similar enough.
    Groups biggest first; the representative is the group's most frequent text.

    ``cap``: how many heads each pair lists in the index (0: all — exactly the plain pass)."""
    grouping = Grouping(threshold, cap)
    grouping.add(texts, stats)
    return grouping.groups()


class Grouping:
    """One pass over the texts that can be continued: :meth:`add` takes texts that come after the
    ones already added (for the inbox: newer rows) and places them on top of the saved index, heads
    and groups, so ``add(a); add(b)`` is the pass over ``a + b``. With ``cap=0`` that is exactly
    ``group_similar(a + b)``. With the cap it can differ a little: the pairs keep the rarity order
    of the first :meth:`add` (pairs first seen later rank rarest), where a fresh pass would rank
    them on all the texts — a few heads are listed under other pairs, so a few small groups may
    split or join differently (the 15 biggest stay the same on random appends, tested)."""

    def __init__(self, threshold: float = SIMILARITY, cap: int = POSTING_CAP) -> None:
        self.threshold = threshold
        self.cap = cap
        self.texts = 0  # texts added in all
        self.fresh = 0  # texts of the first add (ranked on their own)
        self._text_ids: Dict[str, int] = {}  # distinct texts, in the order first seen
        self._text_count: List[int] = []
        self._text_group: List[int] = []
        self._set_ids: Dict[FrozenSet[int], int] = {}  # distinct sets of pairs → their group
        self._rank: Dict[int, int] = {}  # pair code → its place in the order (rarest first)
        self._heads: List[FrozenSet[int]] = []
        self._head_sizes: List[int] = []
        self._index: Dict[int, List[int]] = defaultdict(list)  # pair → groups with it in their head's prefix
        self._empty_heads: List[int] = []
        self._bounds: Dict[int, Tuple[int, float, float]] = {}  # size → prefix length, fewest/most head pairs
        self._sizes: List[int] = []
        self._best: List[Tuple[int, int]] = []  # group → (count, -text id) of its representative
        self._result: Optional[List[UnansweredGroup]] = None
        self._place_of: Dict[int, int] = {}
        self._texts_list: List[str] = []

    def add(self, texts: Sequence[str], stats: Optional[GroupingStats] = None) -> None:
        stats = stats if stats is not None else GroupingStats()
        if not texts:
            return
        text_ids = self._text_ids
        new_texts: List[str] = []
        order: List[int] = []
        for text in texts:
            tid = text_ids.get(text)
            if tid is None:
                tid = text_ids[text] = len(text_ids)
                new_texts.append(text)
            order.append(tid)
        if not self._rank:  # the first texts: ranked on their own (numpy, all at once)
            ranked, rank = _ranked_pairs(new_texts)
            self._rank = rank
            self.fresh = len(texts)
        else:
            ranked = [self._ranked(text) for text in new_texts]
        distinct_before = len(self._set_ids)
        probed, compared = self._place(ranked)
        counts = self._text_count
        groups = self._text_group
        sizes = self._sizes
        best = self._best
        for tid in order:
            count = counts[tid] + 1
            counts[tid] = count
            gid = groups[tid]
            sizes[gid] += 1
            # the most frequent text, the first seen of equally frequent ones: counts only grow
            if (count, -tid) > best[gid]:
                best[gid] = (count, -tid)
        self.texts += len(texts)
        self._result = None
        stats.texts += len(texts)
        stats.distinct += len(self._set_ids) - distinct_before
        stats.probed += probed
        stats.compared += compared

    def groups(self) -> List[UnansweredGroup]:
        """Biggest first, equal sizes in the order they were made; each with its representative."""
        if self._result is None:
            texts = list(self._text_ids)
            made = sorted(range(len(self._sizes)), key=lambda gid: -self._sizes[gid])  # stable
            self._place_of = {gid: place for place, gid in enumerate(made)}
            self._result = [UnansweredGroup(self._sizes[gid], texts[-self._best[gid][1]]) for gid in made]
        return list(self._result)

    def placed(self, texts: Sequence[str]) -> Tuple[List[int], List[int]]:
        """For texts already added: each one's text id and group (in the order groups were made)."""
        tids = [self._text_ids[t] for t in texts]
        return tids, [self._text_group[t] for t in tids]

    def texts_by_id(self) -> List[str]:
        """The distinct texts added, by text id (the order first seen)."""
        if len(self._texts_list) != len(self._text_ids):
            self._texts_list = list(self._text_ids)
        return self._texts_list

    def place_of(self, text: str) -> Optional[int]:
        """Where the group holding ``text`` comes in :meth:`groups` (None: not added)."""
        tid = self._text_ids.get(text)
        if tid is None:
            return None
        self.groups()
        return self._place_of[self._text_group[tid]]

    def _ranked(self, text: str) -> List[int]:
        """A later text's pairs in the saved order; a pair never seen ranks rarest (a new, lower
        number: once given, a pair's place never changes, so the prefix filter stays exact)."""
        clean = _NOT_TEXT.sub("", text.translate(_simplify()).lower())
        if len(clean) == 1:
            codes = {1 << 42 | ord(clean)}
        else:
            codes = {ord(a) << 21 | ord(b) for a, b in zip(clean, clean[1:])}
        rank = self._rank
        out = []
        for code in codes:
            found = rank.get(code)
            if found is None:
                found = rank[code] = -1 - len(rank)
            out.append(found)
        out.sort()
        return out

    def _place(self, ranked: List[List[int]]) -> Tuple[int, int]:
        """Each new distinct text's group, in order: where the plain pass would put it."""
        threshold, cap = self.threshold, self.cap
        set_ids = self._set_ids
        text_group = self._text_group
        heads, head_sizes = self._heads, self._head_sizes
        index, empty_heads, bounds = self._index, self._empty_heads, self._bounds
        sizes, best, counts = self._sizes, self._best, self._text_count
        index_get = index.get
        probed = compared = 0
        for pairs in ranked:
            grams = frozenset(pairs)
            found = set_ids.get(grams, -1)
            if found >= 0:  # the same pairs as before: the same group (heads never change)
                text_group.append(found)
                counts.append(0)
                continue
            size = len(grams)
            prefix: List[int] = []
            if threshold <= 0:  # everything is similar enough: the first group takes all
                found = 0 if heads else -1
            elif size:
                if size not in bounds:
                    bounds[size] = (
                        max(0, size - _overlap_needed(size, threshold) + 1),
                        threshold * size - _EPSILON,
                        size / threshold + _EPSILON,
                    )
                length, low, high = bounds[size]
                prefix = pairs[:length]
                candidates: Set[int] = set()
                for pair in prefix:
                    listed = index_get(pair)
                    if listed:
                        probed += len(listed)
                        candidates.update(listed)
                for gid in sorted(candidates) if len(candidates) > 1 else candidates:
                    other = head_sizes[gid]
                    if low <= other <= high:
                        compared += 1
                        shared = len(grams & heads[gid])
                        if shared / (size + other - shared) >= threshold:  # jaccard(), inlined
                            found = gid
                            break
            else:  # no pairs at all (only punctuation): like only with like, as jaccard() has it
                for gid in empty_heads:
                    compared += 1
                    if jaccard(grams, heads[gid]) >= threshold:
                        found = gid
                        break
            if found < 0:
                found = len(heads)
                heads.append(grams)
                head_sizes.append(size)
                sizes.append(0)
                best.append((0, 0))
                if not size:
                    empty_heads.append(found)
                for pair in prefix:
                    listed = index[pair]
                    if not cap or len(listed) < cap:
                        listed.append(found)
            set_ids[grams] = found
            text_group.append(found)
            counts.append(0)
        return probed, compared


def _ranked_pairs(texts: Sequence[str]) -> Tuple[List[List[int]], Dict[int, int]]:
    """Each text's distinct character pairs (as :func:`bigrams` cuts them) as numbers, rarest
    first: the rank of a pair in the order (texts holding it, code point pair), computed for all
    texts at once with numpy. Pair ``ab`` is ``ord(a) << 21 | ord(b)``, a lone character
    ``1 << 42 | ord(a)``: one number for one pair, so sizes and overlaps are those of the strings.
    Also each pair's rank by its number, for the texts added later (:meth:`Grouping._ranked`)."""
    import numpy as np

    if not texts:
        return [], {}
    table = _simplify()
    if any("\x00" in text for text in texts):  # never, in practice: the door refuses it
        clean = [_NOT_TEXT.sub("", text.translate(table).lower()) for text in texts]
    else:  # the same, on all texts at once (each step works character by character)
        clean = _NOT_TEXT_BUT_NUL.sub("", "\x00".join(texts).translate(table).lower()).split("\x00")
    lengths = np.fromiter((len(c) for c in clean), dtype=np.int64, count=len(clean))
    chars = np.frombuffer("".join(clean).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
    ends = np.cumsum(lengths)
    owner = np.repeat(np.arange(len(clean), dtype=np.int64), lengths)  # the text each character is in
    last = np.zeros(len(chars), dtype=bool)
    last[ends[lengths > 0] - 1] = True  # a text's last character starts no pair
    starts = np.flatnonzero(~last)
    codes = np.concatenate(
        (
            (chars[starts] << 21) | chars[starts + 1],
            (1 << 42) | chars[ends[lengths == 1] - 1],
        )
    )
    texts_of = np.concatenate((owner[starts], np.flatnonzero(lengths == 1)))
    unique_codes, token = np.unique(codes, return_inverse=True)
    token = token.reshape(-1)
    held = np.unique(texts_of * len(unique_codes) + token)  # (text, pair) once each, sorted by text
    held_text, held_token = np.divmod(held, len(unique_codes))
    frequency = np.bincount(held_token, minlength=len(unique_codes))
    order = np.lexsort((unique_codes, frequency))  # rarest first, ties by the pair
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    ranks = np.sort(held_text * len(unique_codes) + rank[held_token])  # by text, then rarest first
    flat = (ranks % len(unique_codes)).tolist()
    bounds = np.searchsorted(held_text, np.arange(len(clean) + 1)).tolist()  # held is by text already
    ranked = [flat[bounds[i] : bounds[i + 1]] for i in range(len(clean))]
    return ranked, dict(zip(unique_codes.tolist(), rank.tolist()))


def _counts(ids: Sequence[int], distinct: int) -> List[int]:
    counted = Counter(ids)
    return [counted[i] for i in range(distinct)]

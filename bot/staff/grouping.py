"""The inbox's similar questions, grouped in near-linear time through an index instead of
comparing every question with every group.

The meaning (docs/dashboard.md, "Similar questions"): questions are taken in order (newest
first); a question joins the first group, in the order the groups were made, whose first question
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
and the first one similar enough wins. :class:`GroupCache` keeps the last few results keyed on the
texts themselves, and lets a second request for the same texts (two views of the dashboard at
once, or the page and its CSV) wait for the first instead of grouping again.
"""

from __future__ import annotations

import hashlib
import math
import operator
import re
import threading
from collections import Counter, OrderedDict, defaultdict
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
    stats = stats if stats is not None else GroupingStats()
    text_ids: Dict[str, int] = {}  # distinct texts, in the order first seen
    order = [text_ids.setdefault(text, len(text_ids)) for text in texts]
    set_ids: Dict[FrozenSet[int], int] = {}  # distinct sets of pairs, in the order first seen
    set_of_text: List[int] = []
    ranked: List[List[int]] = []  # each distinct set's pairs, rarest first
    for pairs in _ranked_pairs(list(text_ids)):
        key = frozenset(pairs)
        known = len(set_ids)
        found_set = set_ids.setdefault(key, known)
        if found_set == known:
            ranked.append(pairs)
        set_of_text.append(found_set)
    sets = list(set_ids)

    # Each distinct set, in the order first seen, goes where the plain pass would put it: the
    # same set later goes to the same group, since heads never change and groups are only added.
    group_of_set: List[int] = []
    heads: List[FrozenSet[int]] = []
    head_sizes: List[int] = []
    index: Dict[int, List[int]] = defaultdict(list)  # pair → groups whose head has it in its prefix
    empty_heads: List[int] = []
    probed = compared = 0
    bounds: Dict[int, Tuple[int, float, float]] = {}  # size → prefix length, fewest and most head pairs
    index_get = index.get
    for grams, pairs in zip(sets, ranked):
        size = len(grams)
        found = -1
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
            if not size:
                empty_heads.append(found)
            for pair in prefix:
                listed = index[pair]
                if not cap or len(listed) < cap:
                    listed.append(found)
        group_of_set.append(found)

    # Sizes and representatives: the most frequent text, the first seen of equally frequent ones.
    sizes = [0] * len(heads)
    best: List[Tuple[int, str]] = [(0, "")] * len(heads)
    for (text, tid), count in zip(text_ids.items(), _counts(order, len(text_ids))):
        gid = group_of_set[set_of_text[tid]]
        sizes[gid] += count
        if count > best[gid][0]:
            best[gid] = (count, text)
    stats.texts += len(texts)
    stats.distinct += len(sets)
    stats.probed += probed
    stats.compared += compared
    out = [UnansweredGroup(size, text) for size, (_, text) in zip(sizes, best)]
    out.sort(key=lambda g: -g.size)  # stable: equal sizes keep the order first seen (newest first)
    return out


def _ranked_pairs(texts: Sequence[str]) -> List[List[int]]:
    """Each text's distinct character pairs (as :func:`bigrams` cuts them) as numbers, rarest
    first: the rank of a pair in the order (texts holding it, code point pair), computed for all
    texts at once with numpy. Pair ``ab`` is ``ord(a) << 21 | ord(b)``, a lone character
    ``1 << 42 | ord(a)``: one number for one pair, so sizes and overlaps are those of the strings."""
    import numpy as np

    if not texts:
        return []
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
    return [flat[bounds[i] : bounds[i + 1]] for i in range(len(clean))]


def _counts(ids: Sequence[int], distinct: int) -> List[int]:
    counted = Counter(ids)
    return [counted[i] for i in range(distinct)]


class GroupCache:
    """The last ``size`` groupings, keyed on a digest of the texts (in order) and the threshold: a
    result is reused only for exactly the same texts, so it is never stale. A second caller asking
    for texts being grouped right now waits for that result instead of grouping them again."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._done: OrderedDict[Tuple[str, int, float], List[UnansweredGroup]] = OrderedDict()
        self._running: Dict[Tuple[str, int, float], threading.Event] = {}
        self.computed = 0  # groupings actually run (for the tests)

    @staticmethod
    def key(texts: Sequence[str], threshold: float) -> Tuple[str, int, float]:
        digest = hashlib.blake2b(digest_size=20)
        for text in texts:
            encoded = text.encode("utf-8", "surrogatepass")
            digest.update(len(encoded).to_bytes(4, "big"))
            digest.update(encoded)
        return digest.hexdigest(), len(texts), threshold

    def groups(self, texts: Sequence[str], threshold: float = SIMILARITY) -> List[UnansweredGroup]:
        key = self.key(texts, threshold)
        while True:
            with self._lock:
                if key in self._done:
                    self._done.move_to_end(key)
                    return list(self._done[key])
                running = self._running.get(key)
                if running is None:
                    running = self._running[key] = threading.Event()
                    break
            running.wait()  # then take its result, or group ourselves if it failed
        try:
            result = group_similar(texts, threshold)
            with self._lock:
                self.computed += 1
                self._done[key] = result
                while len(self._done) > self.size:
                    self._done.popitem(last=False)
            return list(result)
        finally:
            with self._lock:
                del self._running[key]
            running.set()

    def clear(self) -> None:
        with self._lock:
            self._done.clear()

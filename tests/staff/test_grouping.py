"""The inbox's similar questions (bot/staff/grouping.py): what groups with what, the order and
representative rules, the same groups as the old all-pairs pass, determinism, and that the work
grows linearly — counted, not timed (speed is measured in benchmarks/dashboard_inbox.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from typing import List, Tuple

from benchmarks.dashboard_inbox import inbox_questions, old_group_similar
from bot.staff.grouping import POSTING_CAP, GroupCache, GroupingStats, bigrams, group_similar
from tests.helpers import ROOT


def pairs(texts: List[str], **kwargs: int) -> List[Tuple[int, str]]:
    return [(g.size, g.text) for g in group_similar(texts, **kwargs)]


def test_near_duplicates_group_and_unrelated_questions_do_not():
    groups = pairs(
        [
            "长治中级要几篇论文",
            "重庆副高评审费多少钱",
            "长治中级需要几篇论文？",
            "今天天气怎么样",
            "请问长治中级要几篇论文",
            "重庆副高的评审费是多少钱",
            "公积金怎么提取",
        ]
    )
    assert groups == [
        (3, "长治中级要几篇论文"),
        (2, "重庆副高评审费多少钱"),
        (1, "今天天气怎么样"),
        (1, "公积金怎么提取"),
    ]


def test_order_and_representative_rules():
    texts = ["工资涨多少", "简阳评审可以找人代办吗", "简阳评审能找人代办吗？", "简阳评审能找人代办吗？", "工资涨多少"]
    texts += ["公积金怎么提取", "社保卡丢了怎么补办"]
    # 代办: 3 rows, its most frequent text (not the first one) represents it; 工资: 2 rows; then the
    # single ones in the order first seen (newest first).
    assert pairs(texts) == [
        (3, "简阳评审能找人代办吗？"),
        (2, "工资涨多少"),
        (1, "公积金怎么提取"),
        (1, "社保卡丢了怎么补办"),
    ]
    # Equally frequent texts: the first seen represents the group.
    assert pairs(["长治中级要几篇论文", "长治中级需要几篇论文"]) == [(2, "长治中级要几篇论文")]
    # Traditional characters, full-width letters and punctuation are read as the NLU reads them.
    assert pairs(["長治中級要幾篇論文！", "长治中级要几篇论文"]) == [(2, "長治中級要幾篇論文！")]
    # Texts with no pairs at all group only with each other; nothing in, nothing out.
    assert pairs(["？？", "！", "你好"]) == [(2, "？？"), (1, "你好")]
    assert pairs([]) == []


def test_bigrams_read_text_as_policies_normalize_does():
    from hanziconv.charmap import traditional_charmap

    from policies.text import FULLWIDTH, normalize

    for text in [traditional_charmap, "".join(map(chr, FULLWIDTH)), "Ab_C 繁體ＡＢＣ１２３，中級"]:
        expected = re.sub(r"[\s\W_]+", "", normalize(text).lower())  # the old bigrams()
        assert bigrams(text) == frozenset(expected[i : i + 2] for i in range(len(expected) - 1))


def test_the_same_groups_as_the_old_all_pairs_pass():
    texts = inbox_questions(2000, seed=3)
    # Listing every head under its prefix pairs: exactly the old pass.
    assert pairs(texts, cap=0) == old_group_similar(texts)
    # The bounded index (the default): the groups the page shows are the same.
    new, old = pairs(texts), old_group_similar(texts)
    assert new[:15] == old[:15]
    assert sum(size for size, _ in new) == len(texts)
    assert len(old) <= len(new) <= len(old) * 1.1


def test_grouping_is_deterministic_across_processes():
    """String hashing differs between processes; the groups must not."""
    texts = inbox_questions(1500, seed=11)
    here = pairs(texts)
    assert pairs(texts) == here
    code = (
        "from benchmarks.dashboard_inbox import inbox_questions\n"
        "from bot.staff.grouping import group_similar\n"
        "print(repr([(g.size, g.text) for g in group_similar(inbox_questions(1500, seed=11))]))\n"
    )
    for seed in ("1", "2"):
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert out.strip() == repr(here)


def test_the_work_grows_linearly_with_the_inbox():
    """Counted, not timed: 5,000 varied rows take fewer than 20 comparisons a row (the old pass
    compared each row with every group so far: millions here), and a bounded number of index
    entries a row."""
    n = 5000
    stats = GroupingStats()
    groups = group_similar(inbox_questions(n), stats=stats)
    assert stats.texts == n and sum(g.size for g in groups) == n
    assert len(groups) > 1000  # varied: an all-pairs pass would compare over a million times
    assert stats.compared < 20 * n
    assert stats.probed < 10 * POSTING_CAP * n  # at most the cap per prefix pair (about 9 a question)
    # Twice the rows, about twice the work (an all-pairs pass: four times).
    double = GroupingStats()
    group_similar(inbox_questions(2 * n), stats=double)
    assert double.compared < 2.6 * stats.compared


def test_the_cache_groups_the_same_texts_once_even_when_asked_twice_at_once():
    cache = GroupCache(size=2)
    texts = inbox_questions(3000, seed=5)
    results: List[List[Tuple[int, str]]] = []
    threads = [
        threading.Thread(target=lambda: results.append([(g.size, g.text) for g in cache.groups(texts)]))
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cache.computed == 1 and len(results) == 3 and results[0] == results[1] == results[2]
    assert results[0] == pairs(texts)
    # Other texts (a new inbox row) are grouped again; the least recently used result goes first.
    cache.groups(texts[1:])
    cache.groups(texts[2:])
    assert cache.computed == 3
    cache.groups(texts[2:])
    assert cache.computed == 3
    cache.groups(texts)
    assert cache.computed == 4

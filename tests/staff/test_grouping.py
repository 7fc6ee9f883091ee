"""The inbox's similar questions (bot/staff/grouping.py): what groups with what, the order and
representative rules, the same groups as the old all-pairs pass, determinism, and that the work
grows linearly — counted, not timed (speed is measured in benchmarks/dashboard_inbox.py)."""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import subprocess
import sys
from collections import Counter
from typing import List, Tuple

import sqlalchemy as sa

from benchmarks.dashboard_inbox import inbox_questions, old_group_similar
from bot.staff.grouping import POSTING_CAP, Grouping, GroupingStats, bigrams, group_similar
from tests.helpers import ROOT, migrated


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


def grown(texts: List[str], cuts: List[int], **kwargs: int) -> List[Tuple[int, str]]:
    """The pass over ``texts`` added in pieces, cut at ``cuts``."""
    grouping = Grouping(**kwargs)
    start = 0
    for cut in [*cuts, len(texts)]:
        grouping.add(texts[start:cut])
        start = cut
    return [(g.size, g.text) for g in grouping.groups()]


def test_adding_rows_in_pieces_gives_the_groups_of_one_pass_over_them_all():
    """Property-style: random cuts of random inboxes (with repeats, near-duplicates, empty and
    punctuation-only texts). Without the cap the pieces give exactly the one pass's groups; with it
    the page's 15 groups are the same and the rest nearly."""
    for seed in range(6):
        rng = random.Random(seed)
        texts = inbox_questions(rng.randint(200, 1500), seed=seed) + ["？？", "", "你好"] * rng.randint(0, 2)
        rng.shuffle(texts)
        cuts = sorted(rng.sample(range(1, len(texts)), rng.randint(1, 6)))
        assert grown(texts, cuts, cap=0) == pairs(texts, cap=0)
        capped, fresh = grown(texts, cuts), pairs(texts)
        assert sum(size for size, _ in capped) == len(texts)
        assert capped[:15] == fresh[:15]
        assert abs(len(capped) - len(fresh)) <= 0.02 * len(fresh) + 1
    # One text at a time, new rows repeating old ones, and the representative rule across pieces:
    # equally frequent texts → the first seen, even when the later one got there first.
    texts = ["长治中级要几篇论文", "长治中级需要几篇论文", "长治中级需要几篇论文", "长治中级要几篇论文", "工资涨多少"]
    assert grown(texts, [1, 2, 3, 4]) == pairs(texts) == [(4, "长治中级要几篇论文"), (1, "工资涨多少")]


def test_adding_100_rows_to_5000_does_about_100_rows_of_work():
    """Counted: the step looks at the 100 new rows only, not at the 5,000 grouped before."""
    texts = inbox_questions(5100, seed=8)
    grouping = Grouping()
    first = GroupingStats()
    grouping.add(texts[:5000], first)
    step = GroupingStats()
    grouping.add(texts[5000:], step)
    assert step.texts == 100 and step.distinct <= 100
    assert step.compared < 20 * 100  # about 8 a row, as in a full pass (37,000 for the 5,000)
    assert step.probed < 10 * POSTING_CAP * 100
    assert first.compared > 10 * step.compared
    assert sum(g.size for g in grouping.groups()) == 5100


def inbox_db(tmp_path, texts: List[str]) -> sa.engine.Engine:
    from bot.storage import db

    engine = db.engine_for(migrated(f"sqlite:///{tmp_path / 'project.db'}"))
    add_rows(engine, texts)
    return engine


def add_rows(engine: sa.engine.Engine, texts: List[str], day: int = 15) -> None:
    from bot.storage.tables import UnansweredRow

    if texts:
        rows = [
            {"text": t, "reason": "nlu_fallback", "channel": "wechat", "created_at": dt.datetime(2024, 10, day, 4)}
            for t in texts
        ]
        with engine.begin() as conn:
            conn.execute(sa.insert(UnansweredRow.__table__), rows)


def test_the_dashboard_groups_new_rows_only_and_regroups_after_a_deletion(tmp_path, monkeypatch):
    """Through the real SQLite inbox (figures.read_unanswered): the first view groups every row,
    oldest first; a view with nothing new reads no texts and groups nothing; new rows are added to
    the saved pass; a deleted row (purge) or a row's id given again means a full pass — each with
    the groups of one pass over the rows then in the inbox, oldest first."""
    from bot.staff import figures
    from bot.storage.tables import UnansweredRow

    texts = inbox_questions(3000, seed=21)
    engine = inbox_db(tmp_path, texts[:2000])
    period = figures.Period.parse({}, dt.date(2024, 10, 30), "Asia/Shanghai")
    inbox = figures.InboxGroups()
    monkeypatch.setattr(figures, "INBOX_GROUPS", inbox)

    def view() -> List[Tuple[int, str]]:
        total, groups = figures.read_unanswered(engine, period)
        assert total == sum(g.size for g in groups)
        return [(g.size, g.text) for g in groups]

    def in_inbox() -> List[str]:
        u = UnansweredRow.__table__
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(sa.select(u.c.text).order_by(u.c.id))]

    assert view() == pairs(texts[:2000]) and (inbox.full, inbox.incremental, inbox.reused) == (1, 0, 0)
    assert view() == pairs(texts[:2000]) and (inbox.full, inbox.incremental, inbox.reused) == (1, 0, 1)
    assert inbox.stats.texts == 2000  # the last pass; nothing grouped since

    add_rows(engine, texts[2000:2100], day=29)
    assert view() == grown(texts[:2100], [2000]) and (inbox.full, inbox.incremental) == (1, 1)
    assert inbox.stats.texts == 100
    add_rows(engine, texts[2100:2200], day=3)  # written later, dated earlier: still after, by id
    assert view() == grown(texts[:2200], [2000, 2100]) and (inbox.full, inbox.incremental) == (1, 2)
    assert view() == grown(texts[:2200], [2000, 2100], cap=4) and inbox.reused == 2

    u = UnansweredRow.__table__
    grouping = Grouping(cap=4)  # the pass the dashboard holds: 2,000 rows, then 100 and 100 more
    for piece in (texts[:2000], texts[2000:2100], texts[2100:2200]):
        grouping.add(piece)
    with engine.begin() as conn:  # the purge deletes old rows: dropped from the kept rows, no new pass
        conn.execute(sa.delete(u).where(u.c.id <= 10))
    after = view()
    assert sum(s for s, _ in after) == len(in_inbox()) == 2190
    assert (inbox.full, inbox.incremental, inbox.dropped) == (1, 2, 1) and inbox.stats.texts == 100
    # the same groups, less the rows that went: each group's size and most frequent text (the first
    # seen of equal ones) over the rows still in the inbox
    tids, gids = grouping.placed(in_inbox())
    sizes, by_text = Counter(gids), Counter(zip(gids, tids))
    best = {}
    for (gid, tid), n in by_text.items():
        if gid not in best or (n, -tid) > (by_text[(gid, best[gid])], -best[gid]):
            best[gid] = tid
    names = grouping.texts_by_id()
    assert after == [(sizes[g], names[best[g]]) for g in sorted(sizes, key=lambda g: (-sizes[g], g))]
    with engine.begin() as conn:  # the newest row deleted and its id given to another text
        last = conn.execute(sa.select(sa.func.max(u.c.id))).scalar_one()
        conn.execute(sa.delete(u).where(u.c.id == last))
    add_rows(engine, ["一个全新的问题：证书丢了怎么补办"])
    assert view() == pairs(in_inbox()) and (inbox.full, inbox.incremental) == (2, 2)
    # Many more rows: still added on top (the 15 biggest groups as a fresh pass's).
    add_rows(engine, texts[2200:3000], day=20)
    grown_view = view()
    assert (inbox.full, inbox.incremental) == (2, 3) and sum(s for s, _ in grown_view) == len(in_inbox())
    assert grown_view[:15] == pairs(in_inbox())[:15]
    # Another channel, another period: the same grouping counted over their rows, no pass of their own.
    wechat = figures.Period.parse({"channel": "wechat"}, dt.date(2024, 10, 30), "Asia/Shanghai")
    assert figures.read_unanswered(engine, wechat)[0] == len(in_inbox()) and inbox.full == 2
    web = figures.Period.parse({"channel": "webchat"}, dt.date(2024, 10, 30), "Asia/Shanghai")
    assert figures.read_unanswered(engine, web) == (0, []) and inbox.full == 2


def test_any_period_is_counted_from_the_one_grouping_of_the_whole_inbox(tmp_path, monkeypatch):
    """A period nobody viewed before needs no grouping pass: its rows are counted by the groups the
    whole inbox was grouped into. A group's size and representative are those of the period's rows
    (the representative: the most frequent text in the period, the first seen of equal ones)."""
    from bot.staff import figures

    engine = inbox_db(tmp_path, [])
    add_rows(engine, ["长治中级要几篇论文"] * 3 + ["长治中级需要几篇论文？"] * 2, day=3)  # early October
    add_rows(engine, ["长治中级需要几篇论文？"] * 4 + ["简阳高级评审费多少"], day=20)  # late October
    add_rows(engine, ["重庆副高什么时候缴费"] * 2, day=25)
    inbox = figures.InboxGroups()
    monkeypatch.setattr(figures, "INBOX_GROUPS", inbox)

    def view(start: str, end: str):
        period = figures.Period.parse({"from": start, "to": end}, dt.date(2024, 10, 30), "Asia/Shanghai")
        total, groups = figures.read_unanswered(engine, period)
        return total, [(g.size, g.text) for g in groups]

    assert view("2024-10-01", "2024-10-31") == (
        12,
        [(9, "长治中级需要几篇论文？"), (2, "重庆副高什么时候缴费"), (1, "简阳高级评审费多少")],
    )
    assert inbox.full == 1
    assert view("2024-10-01", "2024-10-10") == (5, [(5, "长治中级要几篇论文")])  # its own most frequent text
    assert view("2024-10-15", "2024-10-22") == (5, [(4, "长治中级需要几篇论文？"), (1, "简阳高级评审费多少")])
    assert view("2024-09-01", "2024-09-30") == (0, [])
    assert (inbox.full, inbox.incremental, inbox.reused) == (1, 0, 3)

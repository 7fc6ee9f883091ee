"""The dashboard with a big inbox: grouping similar questions, the page and its CSV export.

    .venv/bin/python benchmarks/dashboard_inbox.py [sizes…] [--rounds N] [--no-old]

For each size (default 5000 and 50000) a fresh SQLite project database, migrated as the service
does, gets that many varied inbox rows over one month (questions from templates × regions × levels
with noise, exact repeats and near-duplicates, off-topic questions and a long tail of one-off
ones; see :func:`inbox_questions`), plus a tenth more 没帮助 rows, which the dashboard leaves out.
The real aiohttp staff app (in process, as benchmarks/staff_pages.py) serves it to a logged-in
admin; the tracker store is an empty one, so the time is the inbox's and the page's.

Printed, in milliseconds (median of the rounds): the grouping alone, new and — for up to 5,000
rows — the old all-pairs pass kept below (``old_group_similar``) on the same texts, and whether
both give the same groups, and how many of the 15 groups shown are the same when the rows are
taken oldest first (as the dashboard now groups them, so new rows can be added); the page and the
CSV (a POST with the page's csrf token) with nothing kept (``cold``) and again (``warm``); the
page after 100 new inbox rows (grouped incrementally); two views of the page at once, cold and
warm; the first view after a restart (the app groups the default period as it starts). For up
to 5,000 rows the page, the CSV and two views at once are also timed with the old pass.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any, Awaitable, Callable, FrozenSet, List, Sequence, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2024, 10, 30)
QUERY = "from=2024-10-01&to=2024-10-30"
OLD_MAX_ROWS = 5000  # the old pass takes about 20 s here; at 50,000 rows it would take half an hour

# --- varied, realistic inbox questions ------------------------------------------------------

REGIONS = (
    "长治 长治市 平凉 简阳 湖州 重庆 太原 大同 晋城 兰州 天水 成都 杭州 嘉兴 西安 运城 临汾 吕梁 阳泉 忻州 "
    "庆阳 资阳 绍兴 宁波 朔州 晋中 武威 眉山 德阳 万州"
).split()
LEVELS = "技术员 助理工程师 助工 初级 中级 工程师 中级工程师 高级工程师 高工 副高 正高 正高级工程师".split()
MAJORS = "土木 机械 电气 化工 计算机 测绘 环境 水利 给排水 暖通 建筑 冶金 采矿 交通 通信 自动化 材料 地质".split()
DEGREES = "中专 大专 本科 硕士 博士 函授本科 自考本科 成人大专".split()
TEMPLATES = (
    "{r}{l}要几篇论文",
    "{r}{l}评审费多少钱",
    "{l}需要什么学历",
    "我是{d}毕业{n}年能报{r}{l}吗",
    "{r}今年{l}什么时候截止",
    "{r}{l}答辩在哪里举行",
    "社保断了{n}个月还能评{l}吗",
    "{m}专业能评{l}吗",
    "在{r}工作户口在{r2}能在哪报{l}",
    "继续教育学时不够{n}个能报{l}吗",
    "{r}{l}论文查重率要求多少",
    "{r}{l}纸质材料交到哪里",
    "退休返聘还能评{l}吗",
    "{r}人社局职称科电话多少",
    "{l}转评{m}系列要什么条件",
    "{r}{l}业绩证明怎么开",
    "民营企业员工能报{r}{l}吗",
    "{d}学历{m}专业多少年能评{l}",
    "{r}{l}评审结果什么时候公示",
    "专利能代替论文评{l}吗",
    "{r}{l}网上申报系统打不开",
    "我{n}年拿的{l}，多久能评下一级",
    "{r}{l}需要英语和计算机考试吗",
    "跨专业{m}转{m2}能评{l}吗",
    "{r}的{l}证书什么时候发",
    "{l}破格需要什么条件",
    "异地社保在{r}能报{l}吗",
    "{r}{l}公示期有人举报怎么办",
    "{l}的继续教育在哪里学",
    "事业单位{l}和企业{l}有什么区别",
    "{r}{l}材料要盖几个章",
    "{l}评审通过后能涨多少工资",
)
OFF_TOPIC = (
    "今天天气怎么样",
    "公积金怎么提取",
    "驾照扣分怎么查",
    "社保卡丢了怎么补办",
    "你是机器人吗",
    "工资涨多少",
    "医保报销比例是多少",
    "退休年龄是多少岁",
    "二级建造师什么时候报名",
    "一建成绩什么时候出",
    "会计中级职称考试时间",
    "教师资格证怎么认定",
    "护士职称怎么评",
    "失业金怎么领",
    "人才引进补贴怎么申请",
    "档案在哪里查",
    "居住证怎么办理",
    "你好",
    "谢谢",
    "转人工",
)
PREFIXES = ("",) * 6 + ("请问", "你好，", "老师好，", "您好 ", "麻烦问一下", "想咨询下", "问下", "我想问问")
SUFFIXES = ("",) * 5 + ("？", "?", "吗", "呢", "，谢谢", "。", "！", "急", "在线等", "？？")
COMMON = "的了是在我有和就不人都一个上也很到说要去你会着没看好自己这那些么什还能多少怎样为"
WORDS = (
    "职称 评审 申报 材料 论文 业绩 证书 学历 社保 单位 公示 答辩 继续教育 学时 专业 系列 条件 年限 破格 "
    "网上 系统 密码 审核 退回 盖章 原件 复印件 照片 档案 人事 代理 企业 事业单位 国企 民企 项目 专利 "
    "奖项 标准 规范 工法 报告 考核 合格 优秀 年度 聘任 岗位 工资 待遇 补贴 时间 地点 窗口 电话 邮寄 "
    "发票 缴费 银行 退费 延期 补交 截图 签字 推荐 评委 分数 通过率 查询 结果 下载 打印 换证 丢失"
).split()


def _noisy(text: str, rng: random.Random) -> str:
    """Typos and slips: a character dropped, two swapped, one added, a masked phone number."""
    chars = list(text)
    roll = rng.random()
    if roll < 0.12 and len(chars) > 4:
        del chars[rng.randrange(len(chars))]
    elif roll < 0.22 and len(chars) > 4:
        i = rng.randrange(len(chars) - 1)
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    elif roll < 0.32:
        chars.insert(rng.randrange(len(chars) + 1), rng.choice(COMMON))
    out = "".join(chars)
    if rng.random() < 0.04:
        out += f"，我电话13{rng.randrange(10)}****{rng.randrange(10000):04d}"
    return out


def inbox_questions(n: int, seed: int = 25) -> List[str]:
    """``n`` inbox texts, newest first: templated questions about the notices (about 60 %), exact
    repeats of earlier ones (15 %), off-topic questions (5 %) and one-off questions strung
    together from common words (20 %), with noise. Deterministic for a seed."""
    rng = random.Random(seed)
    out: List[str] = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.15 and out:
            text = rng.choice(out)
        elif roll < 0.20:
            text = _noisy(rng.choice(PREFIXES) + rng.choice(OFF_TOPIC) + rng.choice(SUFFIXES), rng)
        elif roll < 0.40:
            words = rng.sample(WORDS, rng.randint(3, 6))
            text = _noisy(rng.choice(PREFIXES) + "".join(words) + rng.choice(("怎么办", "吗", "？", "", "呢")), rng)
        else:
            template = rng.choice(TEMPLATES)
            question = template.format(
                r=rng.choice(REGIONS),
                r2=rng.choice(REGIONS),
                l=rng.choice(LEVELS),
                m=rng.choice(MAJORS),
                m2=rng.choice(MAJORS),
                d=rng.choice(DEGREES),
                n=rng.randint(1, 15),
            )
            text = _noisy(rng.choice(PREFIXES) + question + rng.choice(SUFFIXES), rng)
        out.append(text)
    return out


# --- the old all-pairs pass, kept for the ratio -------------------------------------------------


def old_group_similar(texts: Sequence[str], threshold: float = 0.4) -> List[Tuple[int, str]]:
    """bot/staff/figures.py's group_similar before issue 25: each text against every group's head."""
    from bot.staff.grouping import bigrams, jaccard

    groups: List[Tuple[FrozenSet[str], List[str]]] = []
    for text in texts:
        grams = bigrams(text)
        for head, members in groups:
            if jaccard(grams, head) >= threshold:
                members.append(text)
                break
        else:
            groups.append((grams, [text]))
    out = [(len(members), Counter(members).most_common(1)[0][0]) for _, members in groups]
    out.sort(key=lambda g: -g[0])
    return out


class OldInbox:
    """Stands in for figures.INBOX_GROUPS: every row read, newest first, the old pass, nothing kept."""

    def read(self, conn: Any, key: Any, lo: Any, hi: Any, channel: str) -> Tuple[int, List[Any]]:
        import sqlalchemy as sa

        from bot.staff.figures import NOT_HELPFUL_REASON
        from bot.staff.figures import UNANSWERED as u
        from bot.staff.grouping import UnansweredGroup

        where = [u.c.created_at >= lo, u.c.created_at < hi, u.c.reason != NOT_HELPFUL_REASON]
        if channel:
            where.append(u.c.channel == channel)
        texts = [r[0] for r in conn.execute(sa.select(u.c.text).where(*where).order_by(u.c.id.desc()))]
        return len(texts), [UnansweredGroup(size, text) for size, text in old_group_similar(texts)]


# --- the database and the app ---------------------------------------------------------------


def fill(url: str, texts: Sequence[str], seed: int = 25) -> None:
    """The inbox rows, newest first in ``texts``, spread over October 2024 (Beijing time), written
    oldest first as the service writes them (ids in the order of time); the 没帮助 rows after them."""
    import sqlalchemy as sa

    from bot.storage.db import engine_for
    from bot.storage.tables import UnansweredRow

    rng = random.Random(seed)
    start = dt.datetime(2024, 9, 30, 16, 0)  # 2024-10-01 00:00 in Beijing, as naive UTC
    span = 30 * 86400 - 1
    moments = sorted((start + dt.timedelta(seconds=rng.randrange(span)) for _ in texts), reverse=True)
    rows = [
        {
            "text": text,
            "intent": rng.choice(("ask_fee", "ask_papers", "ask_deadline", None)),
            "confidence": round(rng.uniform(0.1, 0.5), 3),
            "reason": rng.choice(("nlu_fallback", "nlu_fallback", "out_of_scope")),
            "channel": rng.choice(("wechat", "wechat", "webchat", "rest")),
            "created_at": at,
        }
        for text, at in zip(texts, moments)
    ]
    rows.reverse()  # oldest first
    rows += [
        {**row, "reason": "not_helpful", "text": "没帮助：" + row["text"]} for row in rng.sample(rows, len(rows) // 10)
    ]
    engine = engine_for(url)
    with engine.begin() as conn:
        conn.execute(sa.insert(UnansweredRow.__table__), rows)


def median_ms(times: Sequence[float]) -> str:
    return f"{statistics.median(times) * 1000:9.1f}"


async def logged_in(settings: Any) -> Any:
    """The staff app started in process, with a client logged in as the benchmark's admin."""
    from aiohttp.test_utils import TestClient, TestServer

    from bot.staff.app import create_app

    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text()).group(1)  # type: ignore[union-attr]
    await client.post("/login", data={"username": "bench", "password": "bench-pass-123", "csrf_token": token})
    return client


async def timed(
    call: Callable[[], Awaitable[Any]], rounds: int, before: Callable[[], None] = lambda: None
) -> List[float]:
    times = []
    for _ in range(rounds):
        before()
        t0 = time.perf_counter()
        await call()
        times.append(time.perf_counter() - t0)
    return times


async def bench_size(n: int, rounds: int, with_old: bool) -> None:
    import sqlalchemy as sa

    from bot.staff import figures
    from bot.staff.auth import create_user
    from bot.staff.grouping import Grouping, GroupingStats, group_similar
    from bot.staff.models import StaffDB
    from bot.staff.settings import get_staff_settings
    from bot.storage.migrate import upgrade
    from bot.storage.tables import RASA_EVENTS, UnansweredRow

    work = Path(tempfile.mkdtemp(prefix="dashboard-inbox-"))
    url = f"sqlite:///{work / 'project.db'}"
    tracker = f"sqlite:///{work / 'tracker.db'}"
    upgrade(url)
    RASA_EVENTS.create(sa.create_engine(tracker))  # an empty tracker store
    create_user(StaffDB(url), "bench", "bench-pass-123", role="admin")
    texts = inbox_questions(n)
    fill(url, texts)

    print(f"\n{n:,} inbox rows ({len(set(texts)):,} distinct texts), {rounds} rounds, ms (median)")
    stats = GroupingStats()
    new = group_similar(texts, stats=stats)
    print(
        f"  groups: {len(new):,}; comparisons {stats.compared:,} ({stats.compared / n:.2f} per row), index entries {stats.probed:,}"
    )
    oldest = Grouping()
    oldest.add(texts[::-1])
    oldest_first = oldest.groups()
    same = sum(a == b for a, b in zip(oldest_first[:15], new[:15]))
    # the newest-first page's 15 representatives: in how many of the oldest-first page's 15 groups
    found = {oldest.place_of(g.text) for g in new[:15]}
    print(
        f"  oldest first (as the dashboard now groups): {len(oldest_first):,} groups; of the 15 shown "
        f"{same} identical (size and text); the newest-first 15 representatives fall in "
        f"{sum(1 for p in found if p is not None and p < 15)} of them (sizes {oldest_first[0].size}…{oldest_first[14].size} "
        f"vs {new[0].size}…{new[14].size})"
    )
    print(f"  grouping alone, new            {median_ms(await timed(_sync(lambda: group_similar(texts)), rounds))}")
    if with_old and n <= OLD_MAX_ROWS:
        t0 = time.perf_counter()
        old = old_group_similar(texts)
        elapsed = time.perf_counter() - t0
        shown = old[:15] == [(g.size, g.text) for g in new[:15]]
        exact = old == [(g.size, g.text) for g in group_similar(texts, cap=0)]
        print(
            f"  grouping alone, old            {elapsed * 1000:9.1f}   groups {len(old):,}; the 15 shown "
            f"{'identical' if shown else 'DIFFER'}; uncapped index = old: {'yes' if exact else 'NO'}"
        )

    settings = replace(
        get_staff_settings({"ZHICHENG_TODAY": TODAY.isoformat()}),
        database_url=url,
        tracker_store_url=tracker,
        rasa_url="http://127.0.0.1:9",
        rasa_timeout=0.5,
    )
    client = await logged_in(settings)
    try:
        rows_now = [n]

        async def view() -> None:
            resp = await client.get(f"/dashboard?{QUERY}")
            body = await resp.text()
            assert resp.status == 200, resp.status
            shown = rows_now[0]
            assert f"{shown:,}" in body or str(shown) in body, "the page should show the true inbox count"

        page_html = await (await client.get(f"/dashboard?{QUERY}")).text()
        form = re.search(r'name="csrf_token" value="([^"]+)"', page_html)
        assert form, "the page should carry the export form's csrf token"
        fields = dict(re.findall(r"(\w+)=([^&]*)", QUERY), csrf_token=form.group(1))

        async def export() -> None:
            resp = await client.post("/dashboard.csv", data=fields)  # a POST form since the hardening
            body = await resp.read()
            assert resp.status == 200, resp.status
            assert body.startswith(b"\xef\xbb\xbf") or b"," in body, body[:80]

        async def two_views() -> None:
            await asyncio.gather(view(), view())

        added = iter(inbox_questions(100 * (rounds + 1), seed=99))

        def grow() -> None:  # 100 new questions arrive (grouped incrementally on the next view)
            more = [next(added) for _ in range(100)]
            rows_now[0] += 100
            moment = dt.datetime(2024, 10, 29, 15, 0)  # 2024-10-29 23:00 in Beijing, in the period
            with sa.create_engine(url).begin() as conn:
                conn.execute(
                    sa.insert(UnansweredRow.__table__),
                    [{"text": t, "reason": "nlu_fallback", "channel": "wechat", "created_at": moment} for t in more],
                )

        await view()  # warm up: notices loaded, templates compiled
        clear = figures.INBOX_GROUPS.clear
        cpu = time.process_time()
        print(f"  page, cold                     {median_ms(await timed(view, rounds, clear))}")
        print(f"    (CPU of the process per cold view: {(time.process_time() - cpu) / rounds * 1000:.0f} ms)")
        print(f"  page, warm (nothing new)       {median_ms(await timed(view, rounds))}")
        first_days = iter(range(2, 28))

        async def another_period() -> None:  # a period and channel nobody viewed before
            resp = await client.get(f"/dashboard?from=2024-10-{next(first_days):02d}&to=2024-10-30&channel=wechat")
            assert resp.status == 200, resp.status
            await resp.read()

        print(f"  another period, first view     {median_ms(await timed(another_period, rounds))}")
        full = figures.INBOX_GROUPS.full
        print(f"  page after +100 rows           {median_ms(await timed(view, rounds, grow))}")
        print(
            f"    (incremental steps {figures.INBOX_GROUPS.incremental}, full passes {figures.INBOX_GROUPS.full - full}; "
            f"last step compared {figures.INBOX_GROUPS.stats.compared:,})"
        )

        def purge() -> None:  # the purge deletes the 200 oldest rows
            u = UnansweredRow.__table__
            with sa.create_engine(url).begin() as conn:
                inbox = u.c.reason != "not_helpful"
                oldest = sa.select(u.c.id).where(inbox).order_by(u.c.id).limit(200).scalar_subquery()
                conn.execute(sa.delete(u).where(u.c.id.in_(oldest)))
            rows_now[0] -= 200

        print(f"  page after the purge (-200 rows) {median_ms(await timed(view, rounds, purge))}")
        print(f"    (full passes {figures.INBOX_GROUPS.full - full}; deletions dropped {figures.INBOX_GROUPS.dropped})")
        print(f"  CSV, cold                      {median_ms(await timed(export, rounds, clear))}")
        print(f"  CSV, warm                      {median_ms(await timed(export, rounds))}")
        print(f"  two views at once, cold        {median_ms(await timed(two_views, rounds, clear))}")
        print(f"  two views at once, warm        {median_ms(await timed(two_views, rounds))}")
        if with_old and n <= OLD_MAX_ROWS:
            kept = figures.INBOX_GROUPS
            figures.INBOX_GROUPS = OldInbox()  # type: ignore[assignment]
            try:
                print(f"  page, old pass                 {median_ms(await timed(view, 1))}")
                print(f"  CSV, old pass                  {median_ms(await timed(export, 1))}")
                print(f"  two views at once, old pass    {median_ms(await timed(two_views, 1))}")
            finally:
                figures.INBOX_GROUPS = kept
    finally:
        await client.close()

    # A restart: the app groups the default period's inbox in the background as it starts
    # (bot/staff/app.py); the first view — right after logging in — finds it done or waits for it.
    figures.INBOX_GROUPS.clear()
    t0 = time.perf_counter()
    client = await logged_in(settings)
    try:
        t1 = time.perf_counter()
        await view()
        t2 = time.perf_counter()
        print(
            f"  first view after a restart     {(t2 - t1) * 1000:9.1f}   (start and login before it: {(t1 - t0) * 1000:.0f})"
        )
    finally:
        await client.close()
    figures.INBOX_GROUPS.clear()
    client = await logged_in(settings)
    try:
        await asyncio.sleep(3)
        print(f"  first view, 3 s after a restart {median_ms(await timed(view, 1))}")
    finally:
        await client.close()


def _sync(fn: Callable[[], Any]) -> Callable[[], Awaitable[Any]]:
    async def call() -> Any:
        return fn()

    return call


async def main(sizes: Sequence[int], rounds: int, with_old: bool) -> None:
    for n in sizes:
        await bench_size(n, rounds, with_old)


if __name__ == "__main__":
    args = sys.argv[1:]
    rounds = 5
    if "--rounds" in args:
        at = args.index("--rounds")
        rounds = int(args[at + 1])
        del args[at : at + 2]
    with_old = "--no-old" not in args
    sizes = [int(a) for a in args if a != "--no-old"] or [5000, 50000]
    asyncio.run(main(sizes, rounds, with_old))

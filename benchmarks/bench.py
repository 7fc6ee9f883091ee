"""One run, side by side: the bare Rasa bot and this project on SQLite, every figure with its ratio
to the bare bot. The production profile (the manifests under podman: the front door, N Rasa pods,
PostgreSQL, Redis) is measured the same way by ``make bench-pods`` (benchmarks/pod_capacity.py).

    make bench                                        # = .venv/bin/python -m benchmarks.bench
    .venv/bin/python -m benchmarks.bench --quick      # fewer samples, a quick look (10-15 min)
    .venv/bin/python -m benchmarks.bench --train      # first time a training of the project's model
    .venv/bin/python -m benchmarks.bench --out build/bench/bench.md

The targets start one after the other (each cold start has the machine to itself), then
every measurement alternates between them, so that whatever else the shared machine does weighs on
both alike. Absolute times on a shared 2-core machine vary by a factor of two between runs; the
ratio columns are the result.

Rows:
- NLU parse only; one FAQ turn in a new conversation; turns 1-10 / 96-105 / 141-150 of one long
  conversation, and its growth (turns 141-150 over turns 1-10) — as benchmarks/turn_cost.py;
- FAQ-only throughput (msg/s, p50/p95/p99) at 1, 10 and 30 applicants in flight, for both;
- a realistic mix at 1, 10 and 30 in flight, over REST and over the WeChat webhook (signed XML
  through tests/channels/wechat/fake_wechat.py, answers also through its customer-service API):
  each simulated applicant asks a few FAQ questions, then does a whole pre-assessment answered by
  tests/e2e/applicant.py ``reply_for``. The bare bot has no pre-assessment and no WeChat channel:
  the ratio of a mix row is to the bare bot's **FAQ-only** throughput at the same level;
- cold start to the first answer (process start → first REST answer);
- resident memory per process (RSS, a process with its direct children); training time (the bare bot's recorded when its cache was built, this
  project's recorded by the last ``--train`` run, in build/bench/project_train.json).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.rest_load import QUESTIONS  # noqa: E402
from benchmarks.turn_cost import (  # noqa: E402
    LEVELS,
    LONG_WINDOWS,
    _throughput,
    bare_bot,
    interleaved,
    pct,
    project_bot,
    rss_mb,
    say,
)
from benchmarks.turn_cost import parse as parse_at  # noqa: E402

TRAIN_RECORD = ROOT / "build" / "bench" / "project_train.json"
TODAY = "2024-10-30"  # the date the end-to-end dialogues are written for
OPENINGS = ("我能报长治的中级吗", "帮我评估一下长治工程师")
MIX_FAQ = (
    "长治中级评审费多少",
    "简阳高级职称什么时候截止",
    "平凉中级要交哪些材料",
    "重庆副高什么时候缴费",
    "长治助理工程师评审费",
)
BARE, PROJECT = "bare Rasa", "project, SQLite"


# --- the targets ----------------------------------------------------------------------------------
@dataclass
class Target:
    """A running bot: where its channels answer (``rest``), where its HTTP API answers (``api``,
    with ``api_query`` for a token), its processes (kind → pids), cold start and training time."""

    name: str
    rest: str
    api: str
    procs: Dict[str, List[int]]
    cold_seconds: float
    train_seconds: Optional[float] = None
    api_query: str = ""
    wechat: Optional[str] = None  # the WeChat webhook's URL, when the target has the channel


def parse(target: Target, text: str) -> float:
    return parse_at(target.api, text, target.api_query)


def project_train_seconds() -> Optional[float]:
    try:
        return float(json.loads(TRAIN_RECORD.read_text())["seconds"])
    except (OSError, ValueError, KeyError):
        return None


def train_project(threads: int = 2) -> float:
    """Train this project's model as the Makefile does, into build/bench/project-train/ (never
    models/), and record the time in build/bench/project_train.json."""
    out = ROOT / "build" / "bench" / "project-train"
    out.mkdir(parents=True, exist_ok=True)
    rasa = str(Path(sys.executable).with_name("rasa"))
    with tempfile.TemporaryDirectory(prefix="bench-train-cache-") as cache, open(out / "train.log", "w") as log:
        # An empty training cache: Rasa would otherwise reuse the components `make setup` trained.
        started = time.perf_counter()
        subprocess.run(
            [
                rasa,
                "train",
                "--config",
                "config.yml",
                "--domain",
                "domain",
                "--data",
                "data",
                "--out",
                str(out),
                "--fixed-model-name",
                "assistant",
                "--num-threads",
                str(threads),
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
            env=dict(
                os.environ,
                PYTHONPATH=str(ROOT),
                TF_CPP_MIN_LOG_LEVEL="2",
                RASA_TELEMETRY_ENABLED="false",
                RASA_CACHE_DIRECTORY=cache,
            ),
        )
        seconds = time.perf_counter() - started
    TRAIN_RECORD.write_text(
        json.dumps(
            {
                "seconds": round(seconds, 1),
                "threads": threads,
                "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            }
        )
        + "\n"
    )
    return seconds


def wechat_env(api_base: str) -> Dict[str, str]:
    """The WECHAT_* settings that switch the webhook on (plain/compatible mode, the fake's API)."""
    from tests.channels.wechat.test_wechat_e2e import AES_KEY, APP_ID, APP_SECRET, TOKEN

    return {
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_APP_ID": APP_ID,
        "WECHAT_APP_SECRET": APP_SECRET,
        "WECHAT_ENCODING_AES_KEY": AES_KEY,
        "WECHAT_MODE": "compatible",
        "WECHAT_API_BASE": api_base,
        "WECHAT_TIMESTAMP_WINDOW": "300",
    }


def first_answer(base: str, started: float, timeout: float = 600) -> float:
    deadline = time.monotonic() + timeout
    while True:
        try:
            say(base, "cold-start", QUESTIONS[0])
            return time.perf_counter() - started
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextmanager
def bare_target(work: Path, model: Path) -> Iterator[Target]:
    with bare_bot(work / "bare", model) as bot:
        yield Target(BARE, bot.base, bot.base, {"Rasa server": [bot.pids["rasa"]]}, bot.load_seconds, bot.train_seconds)


@contextmanager
def project_target(work: Path, extra_env: Dict[str, str]) -> Iterator[Target]:
    from tests.helpers import RASA_MAIN

    with project_bot(work / "project", PROJECT, RASA_MAIN, extra_env=extra_env) as bot:
        yield Target(
            PROJECT,
            bot.base,
            bot.base,
            {"Rasa server": [bot.pids["rasa"]], "action server": [bot.pids["action server"]]},
            bot.load_seconds,
            project_train_seconds(),
            wechat=f"{bot.base}/webhooks/wechat/webhook",
        )


# --- the realistic mix ------------------------------------------------------------------------------
@dataclass
class MixResult:
    latencies: List[float] = field(default_factory=list)
    wall: float = 0.0
    assessments: int = 0  # pre-assessments that reached their result (a case code)
    failed: int = 0  # applicants who got stuck (no answer, an unexpected reply)
    via_api: int = 0  # WeChat answers that came through the customer-service API (late)
    errors: List[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0


class RestChat:
    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session, self.base = session, base

    async def say(self, user: str, text: str) -> Tuple[str, float]:
        started = time.perf_counter()
        async with self.session.post(f"{self.base}/webhooks/rest/webhook", json={"sender": user, "message": text}) as r:
            body = await r.json()
        if r.status != 200 or not body:
            raise RuntimeError(f"REST {r.status}: no answer to {text!r}")
        return "\n".join(m.get("text", "") for m in body), time.perf_counter() - started


class WeChatChat:
    """A user of the official account: each message pushed as WeChat does (signed XML, resent after
    5 s); the answer is the passive reply, or what the customer-service API delivered afterwards.
    The latency is the time until the user has the answer."""

    def __init__(self, fake: Any, url: str, result: MixResult) -> None:
        self.fake, self.url, self.result = fake, url, result

    async def say(self, user: str, text: str) -> Tuple[str, float]:
        before = len(self.fake.messages_to(user))
        started = time.monotonic()
        msg = self.fake.user_message(user, "text", Content=text)
        delivery = await self.fake._push(self.url, msg, False, 3)
        if delivery.reply:
            return delivery.reply, time.monotonic() - started
        deadline = time.monotonic() + 60
        while len(self.fake.messages_to(user)) <= before:
            if time.monotonic() > deadline:
                raise RuntimeError(f"WeChat: no answer to {text!r} ({delivery.attempts})")
            await asyncio.sleep(0.05)
        first = [m for m in self.fake.custom_messages if m["touser"] == user][before]["at"]
        await asyncio.sleep(0.3)  # the rest of a long answer, sent one chunk after the other
        self.result.via_api += 1
        return "\n".join(self.fake.messages_to(user)[before:]), first - started


async def mix_applicant(chat: Any, user: str, n: int, faq: int, result: MixResult, wechat: bool) -> None:
    """A few FAQ questions, then a whole pre-assessment as tests/e2e/applicant.py's persona answers it."""
    from tests.e2e.applicant import CASE_CODE, CZ_ENGINEER, reply_for

    choose = None
    if wechat:
        from tests.channels.wechat.test_wechat_e2e import choose
    try:
        for k in range(faq):
            _, seconds = await chat.say(user, MIX_FAQ[(n + k) % len(MIX_FAQ)])
            result.latencies.append(seconds)
        bot, seconds = await chat.say(user, OPENINGS[n % len(OPENINGS)])
        result.latencies.append(seconds)
        for _ in range(40):
            if CASE_CODE.search(bot):
                result.assessments += 1
                return
            answer = reply_for(bot, CZ_ENGINEER, unknown_ok=True)
            if answer is None:
                raise RuntimeError(f"unexpected reply: {bot[:200]!r}")
            text = choose(bot, answer[1]) if choose else answer[1]
            bot, seconds = await chat.say(user, text)
            result.latencies.append(seconds)
        raise RuntimeError("no result after 40 answers")
    except Exception as exc:  # noqa: BLE001 — counted and reported, the other applicants go on
        result.failed += 1
        result.errors.append(f"{type(exc).__name__}: {exc}"[:300])


async def run_mix(target: Target, channel: str, level: int, applicants: int, faq: int, fake: Any) -> MixResult:
    result = MixResult()
    gate = asyncio.Semaphore(level)
    tag = uuid.uuid4().hex[:6]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300)) as session:
        chat: Any = RestChat(session, target.rest) if channel == "REST" else WeChatChat(fake, target.wechat, result)

        async def one(n: int) -> None:
            async with gate:
                user = f"mix-{tag}-{n}" if channel == "REST" else "o" + uuid.uuid4().hex[:27]
                await mix_applicant(chat, user, n, faq, result, channel == "WeChat")

        started = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(applicants)))
        result.wall = time.perf_counter() - started
    return result


# --- measuring and the table ------------------------------------------------------------------------
Row = Tuple[str, Dict[str, float], Dict[str, str]]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def latency_text(rate: float, ordered: List[float]) -> str:
    return (
        f"{rate:.1f} msg/s, p50 {pct(ordered, 0.5) * 1000:.0f} / p95 {pct(ordered, 0.95) * 1000:.0f}"
        f" / p99 {pct(ordered, 0.99) * 1000:.0f} ms"
    )


@dataclass
class Settings:
    fresh: int = 20
    long: int = 150
    parses: int = 30
    applicants: int = 30
    turns: int = 3
    mix_applicants: Tuple[int, ...] = (3, 10, 30)  # per level of LEVELS
    mix_faq: int = 2

    @classmethod
    def quick(cls) -> Settings:
        return cls(fresh=8, long=105, parses=10, applicants=10, turns=2, mix_applicants=(2, 10, 30), mix_faq=1)


def measure(targets: List[Target], s: Settings, fake: Any, log: Callable[[str], None] = print) -> List[Row]:
    """Every row: (label, value per target for the ratio, text per target). ``targets[0]`` is the bare bot."""
    rows: List[Row] = []

    def add(label: str, values: Dict[str, float], text: Optional[Dict[str, str]] = None) -> None:
        text = text if text is not None else {k: ms(v) for k, v in values.items()}
        rows.append((label, values, text))
        log(f"  {label}: " + "; ".join(f"{k} {v}" for k, v in text.items()))

    for t in targets:  # warm every path (first parse, first action call, both servers behind nginx)
        for i in range(2):
            say(t.rest, f"warm-up-{i}", QUESTIONS[1 + i])
        parse(t, QUESTIONS[2])

    got = interleaved(targets, s.parses, lambda t, i: parse(t, QUESTIONS[i % len(QUESTIONS)]))
    add(f"NLU parse only (/model/parse), median of {s.parses}", {k: statistics.median(v) for k, v in got.items()})

    tag = uuid.uuid4().hex[:6]
    got = interleaved(targets, s.fresh, lambda t, i: say(t.rest, f"fresh-{tag}-{i}", QUESTIONS[i % len(QUESTIONS)]))
    add(f"one FAQ turn, new conversation, median of {s.fresh}", {k: statistics.median(v) for k, v in got.items()})

    got = interleaved(targets, s.long, lambda t, i: say(t.rest, f"long-{tag}", QUESTIONS[i % len(QUESTIONS)]))
    windows = [(lo, hi) for lo, hi in LONG_WINDOWS if hi <= s.long]
    for lo, hi in windows:
        add(
            f"turns {lo}-{hi} of one conversation, median",
            {k: statistics.median(v[lo - 1 : hi]) for k, v in got.items()},
        )
    lo, hi = windows[-1]
    growth = {k: statistics.median(v[lo - 1 : hi]) / statistics.median(v[:10]) for k, v in got.items()}
    add(f"growth: turns {lo}-{hi} / turns 1-10", growth, {k: f"x{v:.2f}" for k, v in growth.items()})

    sender = itertools.count(0, 100000)
    faq_rate: Dict[int, Tuple[float, str]] = {}
    for level in LEVELS:
        count = max(s.applicants, 2 * level)
        values: Dict[str, float] = {}
        text: Dict[str, str] = {}
        order = targets if level % 2 else list(reversed(targets))
        for t in order:
            rate, ordered = asyncio.run(_throughput(t.rest, level, count, s.turns, next(sender)))
            values[t.name], text[t.name] = rate, latency_text(rate, ordered)
        faq_rate[level] = (values[targets[0].name], text[targets[0].name])
        add(f"FAQ only, {level} in flight ({count} applicants x {s.turns} turns): msg/s, p50 / p95 / p99", values, text)

    mixed = [t for t in targets[1:]]
    for channel in ("REST", "WeChat"):
        for level, applicants in zip(LEVELS, s.mix_applicants):
            applicants = max(applicants, level)
            bare_rate, bare_text = faq_rate[level]
            values = {targets[0].name: bare_rate}
            text = {targets[0].name: f"(FAQ only) {bare_text}"}
            for t in mixed if level % 2 else list(reversed(mixed)):
                if channel == "WeChat" and not t.wechat:
                    continue
                coro = run_mix(t, channel, level, applicants, s.mix_faq, fake)
                res = fake.run(coro, timeout=3600) if channel == "WeChat" else asyncio.run(coro)
                ordered = sorted(res.latencies)
                extra = [f"{res.assessments}/{applicants} assessed"]
                if res.via_api:
                    extra.append(f"{res.via_api} via the API")
                if res.failed:
                    extra.append(f"{res.failed} failed")
                    for e in res.errors[:3]:
                        log(f"    {t.name}: {e}")
                values[t.name] = res.rate
                text[t.name] = (latency_text(res.rate, ordered) if ordered else "no answer") + f" ({', '.join(extra)})"
            add(
                f"mix over {channel}, {level} in flight ({applicants} applicants x ({s.mix_faq} FAQ + a pre-assessment))"
                f": msg/s, p50 / p95 / p99",
                values,
                text,
            )

    add(
        "cold start to first answer",
        {t.name: t.cold_seconds for t in targets},
        {t.name: f"{t.cold_seconds:.1f} s" for t in targets},
    )
    add(
        "training time (recorded: bare when its cache was built, project by --train)",
        {t.name: t.train_seconds for t in targets if t.train_seconds},
        {t.name: (f"{t.train_seconds:.0f} s" if t.train_seconds else "not recorded (--train)") for t in targets},
    )

    kinds: List[str] = []
    for t in targets:
        kinds += [k for k in t.procs if k not in kinds]
    totals: Dict[str, float] = {}
    for kind in kinds:
        values, text = {}, {}
        for t in targets:
            if kind not in t.procs:
                continue
            sizes = [rss_mb(pid) for pid in t.procs[kind]]
            totals[t.name] = totals.get(t.name, 0.0) + sum(sizes)
            values[t.name] = statistics.mean(sizes)
            text[t.name] = (
                f"{sizes[0]:.0f} MB" if len(sizes) == 1 else f"{len(sizes)} x {statistics.mean(sizes):.0f} MB"
            )
        add(
            f"memory (RSS), {kind}" + (", each" if any(len(t.procs.get(kind, [])) > 1 for t in targets) else ""),
            values,
            text,
        )
    add("memory (RSS), all processes", totals, {k: f"{v:.0f} MB" for k, v in totals.items()})
    return rows


def table(names: Sequence[str], rows: List[Row]) -> str:
    """Markdown: the ratio of each target to the first (the bare bot) first, then the figures of
    every target. Ratios of msg/s: below 1 is slower; of times and memory: above 1 is more."""
    bare, others = names[0], list(names[1:])
    head = ["", *[f"{o} / bare" for o in others], *names]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for label, values, text in rows:
        cells = [label]
        for o in others:
            cells.append(f"**{values[o] / values[bare]:.2f}x**" if o in values and values.get(bare) else "-")
        cells += [text.get(n, "-") for n in names]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_args(argv: Optional[List[str]] = None) -> Tuple[argparse.Namespace, Settings]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples (a quick look, noisier)")
    parser.add_argument(
        "--train",
        action="store_true",
        help="first time a training of this project's model (into build/bench/project-train, ~8-10 min)",
    )
    parser.add_argument("--fresh", type=int, help="new conversations per target (default 20, quick 8)")
    parser.add_argument("--long", type=int, help="turns of the long conversation (default 150, quick 105)")
    parser.add_argument("--mix-faq", type=int, help="FAQ questions before each pre-assessment (default 2, quick 1)")
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "build" / "bench" / "bench.md",
        help="also write the table (Markdown) here (default build/bench/bench.md)",
    )
    args = parser.parse_args(argv)
    s = Settings.quick() if args.quick else Settings()
    if args.fresh:
        s.fresh = args.fresh
    if args.long:
        if args.long < 10:
            parser.error("--long must be at least 10")
        s.long = args.long
    if args.mix_faq is not None:
        s.mix_faq = args.mix_faq
    return args, s


def main(argv: Optional[List[str]] = None) -> None:
    args, s = parse_args(argv)
    from benchmarks.bare_bot.build import ensure_bare_model
    from tests.channels.wechat.fake_wechat import FakeWeChat
    from tests.channels.wechat.test_wechat_e2e import AES_KEY, APP_ID, APP_SECRET, TOKEN

    model = ensure_bare_model()
    if args.train:
        print("training this project's model (timed; into build/bench/project-train)", flush=True)
        print(f"  {train_project():.0f} s", flush=True)
    fake = FakeWeChat(TOKEN, APP_ID, APP_SECRET, AES_KEY).start()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    try:
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp, ExitStack() as stack:
            work = Path(tmp)
            env = wechat_env(fake.api_base)
            print(
                "starting the bare bot, then this project on SQLite, one after the other",
                flush=True,
            )
            targets = [stack.enter_context(bare_target(work, model))]
            print(f"  {BARE}: first answer after {targets[-1].cold_seconds:.1f} s", flush=True)
            targets.append(stack.enter_context(project_target(work, env)))
            print(f"  {PROJECT}: first answer after {targets[-1].cold_seconds:.1f} s", flush=True)
            rows = measure(targets, s, fake, log=lambda line: print(line, flush=True))
            out = table([t.name for t in targets], rows)
    finally:
        fake.stop()
    header = (
        f"Measured {started}, {os.cpu_count()} cores; `.venv/bin/python -m benchmarks.bench"
        f"{' ' + ' '.join(argv if argv is not None else sys.argv[1:]) if (argv or sys.argv[1:]) else ''}`"
    )
    print()
    print(header)
    print()
    print(out)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(header + "\n\n" + out + "\n", encoding="utf-8")
        args.out.with_suffix(".json").write_text(
            json.dumps(
                {"header": header, "targets": [t.name for t in targets], "rows": rows}, ensure_ascii=False, indent=1
            )
        )


if __name__ == "__main__":
    main()

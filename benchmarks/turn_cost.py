"""Per-turn cost of this project's Rasa bot against a bare default-recipe Rasa bot, side by side.

One command, one run: both bots start on free loopback ports with temporary SQLite tracker stores
(this project also with its action server, as tests/helpers.py starts it), then every measurement
alternates between them so that whatever else the machine is doing weighs on both alike. Absolute
times on a shared 2-core machine mean little; the ratio column is the result.

    make bench-turns                                   # = .venv/bin/python -m benchmarks.turn_cost
    .venv/bin/python -m benchmarks.turn_cost --before  # also this project through the plain rasa CLI
    .venv/bin/python -m benchmarks.turn_cost --quick   # fewer samples, for a quick look

Rows: one FAQ turn in a new conversation (median of ``--fresh``), turns 1-10 / 96-105 / 141-150 of
one long conversation (median of each window), NLU only (``/model/parse``), messages/s with
p50/p95/p99 at 1, 10 and 30 applicants in flight, cold start to first answer, training time (the
bare bot's, from its cache), and resident memory per process.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bare_bot.build import ensure_bare_model  # noqa: E402
from benchmarks.rest_load import QUESTIONS, applicant  # noqa: E402
from tests.helpers import (  # noqa: E402
    RASA,
    RASA_MAIN,
    base_env,
    free_port,
    http_json,
    start_action_server,
    start_rasa_server,
    stop,
    wait_action_server,
    wait_until,
)

LEVELS = (1, 10, 30)
LONG_WINDOWS = ((1, 10), (96, 105), (141, 150))


@dataclass
class Bot:
    """A running bot: its REST base URL and the processes to weigh (name → pid)."""

    name: str
    base: str
    pids: Dict[str, int]
    load_seconds: float
    train_seconds: Optional[float] = None


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (MB), from /proc (psutil is not installed)."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def say(base: str, sender: str, text: str, timeout: float = 120) -> float:
    """One REST turn; returns its wall time (s). A turn without an answer is an error."""
    started = time.perf_counter()
    answer = http_json(f"{base}/webhooks/rest/webhook", {"sender": sender, "message": text}, timeout=timeout)
    elapsed = time.perf_counter() - started
    if not answer:
        raise RuntimeError(f"{base}: no answer to {text!r} for {sender}")
    return elapsed


def parse(base: str, text: str, query: str = "") -> float:
    """One NLU parse; its wall time (s). ``query``: e.g. ``?token=…`` for a server with a token."""
    started = time.perf_counter()
    http_json(f"{base}/model/parse{query}", {"text": text})
    return time.perf_counter() - started


def _first_answer(base: str, proc: subprocess.Popen, started: float) -> float:
    """Seconds from ``started`` until the server answers a FAQ question."""
    wait_until(lambda: bool(http_json(f"{base}/status").get("model_file")), 600, base, proc)
    while True:
        try:
            say(base, "cold-start", QUESTIONS[0])
            return time.perf_counter() - started
        except OSError:
            if proc.poll() is not None:
                raise
            time.sleep(0.2)


@contextmanager
def project_bot(
    workdir: Path, name: str, launcher: List[str], extra_env: Optional[Dict[str, str]] = None
) -> Iterator[Bot]:
    """This project's action server + Rasa server (SQLite files in ``workdir``), as the tests start them.
    ``extra_env``: more variables for both (e.g. the WECHAT_* settings that switch the webhook on)."""
    workdir.mkdir(parents=True, exist_ok=True)
    action_port, rasa_port = free_port(), free_port()
    env = base_env(
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
        TRACKER_STORE_URL=f"sqlite:///{workdir / 'tracker.db'}",
        ZHICHENG_TODAY="2024-10-30",
        ZHICHENG_DATABASE_URL=f"sqlite:///{workdir / 'zhicheng.db'}",
        **(extra_env or {}),
    )
    with ExitStack() as stack:
        alog = stack.enter_context(open(workdir / "actions.log", "w"))
        rlog = stack.enter_context(open(workdir / "rasa.log", "w"))
        procs: List[subprocess.Popen] = []
        try:
            procs.append(start_action_server(action_port, env, alog))
            wait_action_server(action_port, procs[0])
            started = time.perf_counter()
            procs.append(start_rasa_server(rasa_port, env, rlog, launcher=launcher))
            base = f"http://127.0.0.1:{rasa_port}"
            load = _first_answer(base, procs[1], started)
            yield Bot(name, base, {"rasa": procs[1].pid, "action server": procs[0].pid}, load)
        finally:
            stop(procs)


BARE_ENDPOINTS = """\
tracker_store:
  type: SQL
  dialect: sqlite
  db: {db}
"""


@contextmanager
def bare_bot(
    workdir: Path, model: Path, name: str = "bare Rasa", launcher: Optional[List[str]] = None
) -> Iterator[Bot]:
    """The bare bot on Rasa's own SQL tracker store (SQLite in ``workdir``), no action server.
    ``launcher`` stands for ``rasa`` (default: Rasa's CLI as installed, unpatched)."""
    workdir.mkdir(parents=True, exist_ok=True)
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(BARE_ENDPOINTS.format(db=workdir / "tracker.db"))
    port = free_port()
    env = base_env()
    with open(workdir / "rasa.log", "w") as log:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [
                *(launcher or [RASA]),
                "run",
                "--model",
                str(model),
                "--endpoints",
                str(endpoints),
                "--port",
                str(port),
                "--enable-api",
                "-i",
                "127.0.0.1",
            ],
            cwd=model.parent.parent,
            env=dict(env, PYTHONPATH=str(ROOT)),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            load = _first_answer(base, proc, started)
            seconds = model.parent.parent / "train_seconds"
            train = float(seconds.read_text()) if seconds.exists() else None
            yield Bot(name, base, {"rasa": proc.pid}, load, train_seconds=train)
        finally:
            stop([proc])


def interleaved(bots: Sequence[Bot], count: int, measure: Callable[[Bot, int], float]) -> Dict[str, List[float]]:
    """``count`` samples per bot, the bots' order rotating every round."""
    out: Dict[str, List[float]] = {b.name: [] for b in bots}
    for i in range(count):
        shift = i % len(bots)
        for bot in list(bots[shift:]) + list(bots[:shift]):
            out[bot.name].append(measure(bot, i))
    return out


async def _throughput(
    base: str, level: int, applicants: int, turns: int, first_sender: int
) -> Tuple[float, List[float]]:
    latencies: List[float] = []
    gate = asyncio.Semaphore(level)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300)) as session:

        async def one(n: int) -> None:
            async with gate:
                await applicant(session, [base], first_sender + n, turns, latencies)

        started = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(applicants)))
        elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, sorted(latencies)


def pct(ordered: List[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def measure(
    bots: List[Bot], fresh: int, long_turns: int, parses: int, applicants: int, turns: int
) -> List[Tuple[str, Dict[str, float], Dict[str, str]]]:
    """Every row: (label, value per bot for the ratio, text per bot)."""
    rows: List[Tuple[str, Dict[str, float], Dict[str, str]]] = []

    def add(label: str, values: Dict[str, float], text: Optional[Dict[str, str]] = None) -> None:
        rows.append((label, values, text or {k: ms(v) for k, v in values.items()}))
        print(
            f"  {label}: " + ", ".join(f"{k} {v}" for k, v in (text or {k: ms(v) for k, v in values.items()}).items()),
            flush=True,
        )

    for bot in bots:  # warm both paths (first parse, first action call)
        say(bot.base, "warm-up", QUESTIONS[1])
        parse(bot.base, QUESTIONS[2])

    got = interleaved(bots, parses, lambda b, i: parse(b.base, QUESTIONS[i % len(QUESTIONS)]))
    add("NLU parse only (/model/parse), median", {k: statistics.median(v) for k, v in got.items()})

    got = interleaved(bots, fresh, lambda b, i: say(b.base, f"fresh-{i}", QUESTIONS[i % len(QUESTIONS)]))
    add(f"one FAQ turn, new conversation, median of {fresh}", {k: statistics.median(v) for k, v in got.items()})

    got = interleaved(bots, long_turns, lambda b, i: say(b.base, "long-conversation", QUESTIONS[i % len(QUESTIONS)]))
    for lo, hi in LONG_WINDOWS:
        if hi <= long_turns:
            add(
                f"turns {lo}-{hi} of one conversation, median",
                {k: statistics.median(v[lo - 1 : hi]) for k, v in got.items()},
            )

    sender = itertools.count(0, 100000)
    for level in LEVELS:
        count = max(applicants, 2 * level)
        values: Dict[str, float] = {}
        text: Dict[str, str] = {}
        for bot in bots if level % 2 else list(reversed(bots)):
            rate, ordered = asyncio.run(_throughput(bot.base, level, count, turns, next(sender)))
            values[bot.name] = rate
            text[bot.name] = (
                f"{rate:.1f} msg/s, p50 {pct(ordered, 0.5) * 1000:.0f} / p95 {pct(ordered, 0.95) * 1000:.0f}"
                f" / p99 {pct(ordered, 0.99) * 1000:.0f} ms"
            )
        add(f"throughput, {level} in flight ({count} applicants x {turns} turns)", values, text)

    add(
        "cold start to first answer",
        {b.name: b.load_seconds for b in bots},
        {b.name: f"{b.load_seconds:.1f} s" for b in bots},
    )
    add(
        "training time (bare: its cached run; project: not retrained here)",
        {},
        {b.name: (f"{b.train_seconds:.0f} s" if b.train_seconds else "-") for b in bots},
    )
    for proc in ("rasa", "action server"):
        present = [b for b in bots if proc in b.pids]
        add(
            f"memory (RSS), {proc} process",
            {b.name: rss_mb(b.pids[proc]) for b in present},
            {b.name: f"{rss_mb(b.pids[proc]):.0f} MB" for b in present},
        )
    return rows


def table(bots: List[Bot], rows: List[Tuple[str, Dict[str, float], Dict[str, str]]]) -> str:
    """Markdown: one column per bot, then each project variant's ratio to the bare bot."""
    bare = bots[0].name
    others = [b.name for b in bots[1:]]
    head = ["", *[b.name for b in bots], *[f"ratio {o} / bare" for o in others]]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for label, values, text in rows:
        cells = [label, *[text.get(b.name, "-") for b in bots]]
        for o in others:
            if o in values and values.get(bare):
                cells.append(f"{values[o] / values[bare]:.2f}x")
            else:
                cells.append("-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def emit(text: str, out: Optional[Path]) -> None:
    """Print a result table, and write it to ``out`` too when given."""
    print(text)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--before",
        action="store_true",
        help="also run this project through the plain rasa CLI (no bot.plugins.rasa_main patches)",
    )
    parser.add_argument(
        "--bare-patched",
        action="store_true",
        help="also run the bare bot through bot.plugins.rasa_main (what the patches would save any Rasa bot)",
    )
    parser.add_argument("--quick", action="store_true", help="fewer samples (a quick look, noisier)")
    parser.add_argument("--fresh", type=int, default=20, help="new conversations per bot")
    parser.add_argument("--long", type=int, default=150, help="turns of the long conversation")
    parser.add_argument("--parses", type=int, default=30)
    parser.add_argument(
        "--applicants", type=int, default=30, help="applicants per throughput level (at least 2x level)"
    )
    parser.add_argument("--turns", type=int, default=3, help="turns per applicant in the throughput runs")
    parser.add_argument("--out", type=Path, help="also write the table (Markdown) here")
    args = parser.parse_args(argv)
    if args.quick:
        args.fresh, args.long, args.parses, args.applicants, args.turns = 8, 105, 10, 10, 2

    model = ensure_bare_model()
    with tempfile.TemporaryDirectory(prefix="turn-cost-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        print(
            "starting the bare bot, then this project (servers start one after the other, "
            "so that each cold start has the machine to itself)",
            flush=True,
        )
        bots = [stack.enter_context(bare_bot(work / "bare", model))]
        bots.append(stack.enter_context(project_bot(work / "project", "this project", RASA_MAIN)))
        if args.before:
            bots.append(stack.enter_context(project_bot(work / "before", "project, rasa CLI unpatched", [RASA])))
        if args.bare_patched:
            bots.append(
                stack.enter_context(
                    bare_bot(work / "bare-patched", model, "bare Rasa + bot.plugins.rasa_main", RASA_MAIN)
                )
            )
        rows = measure(bots, args.fresh, args.long, args.parses, args.applicants, args.turns)
        out = table(bots, rows)
    print()
    emit(out, args.out)


if __name__ == "__main__":
    main()

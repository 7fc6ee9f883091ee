"""Capacity of the Kubernetes deployment: messages per second and p50/p95/p99 through the front door
with one Rasa pod and with two, beside a bare default-recipe Rasa bot measured in the same run.

    make bench-pods                                     # = .venv/bin/python -m benchmarks.pod_capacity
    .venv/bin/python -m benchmarks.pod_capacity --quick

Needs the images (make images). Plays deploy/k8s/overlays/local under podman (bot/deploy/kube.py)
with the Rasa Deployment at 1 pod, then at 2, and removes everything at the end. The bare bot
(benchmarks/bare_bot, trained on the same FAQ questions) runs as one process on this machine, as a
pod's one Rasa process does; every measurement alternates between the two so that whatever else the
machine does weighs on both. The pod's path includes the front door (nginx) and the PostgreSQL and
Redis pods; the bare bot's is Rasa alone on SQLite, so the ratio is what the whole product costs per
turn over the least a Rasa bot can cost.

Rows: one FAQ turn in a new conversation (median), turns 91-100 of one conversation (median),
then messages/s and p50/p95/p99 with 1, 10 and 30 applicants in flight (each applicant asks
``--turns`` FAQ questions in a row, a new sender each).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bare_bot.build import ensure_bare_model  # noqa: E402
from benchmarks.rest_load import QUESTIONS  # noqa: E402
from benchmarks.turn_cost import Bot, _throughput, bare_bot, interleaved, pct, say  # noqa: E402
from bot.deploy import kube  # noqa: E402
from bot.deploy.images import use_project_containers_conf  # noqa: E402

LEVELS = (1, 10, 30)


def throughput_row(base: str, level: int, applicants: int, turns: int, sender: int) -> Tuple[float, str]:
    rate, ordered = asyncio.run(_throughput(base, level, applicants, turns, sender))
    text = (
        f"{rate:.1f} msg/s, p50 {pct(ordered, 0.5) * 1000:.0f} / p95 {pct(ordered, 0.95) * 1000:.0f}"
        f" / p99 {pct(ordered, 0.99) * 1000:.0f} ms"
    )
    return rate, text


def measure_pods(
    pods: int, bare: Bot, args: argparse.Namespace, sender: itertools.count[int], rates: Dict[Tuple[int, int], float]
) -> List[str]:
    cluster = kube.up("local", timeout=900, replicas={"rasa": pods})
    door = Bot(f"{pods} Rasa pod{'s' if pods > 1 else ''} (front door)", cluster.frontdoor, {}, 0.0)
    lines: List[str] = []
    for bot in (door, bare):  # warm both paths
        for q in QUESTIONS:
            say(bot.base, f"warm-{pods}", q)

    def row(label: str, values: Dict[str, float], text: Dict[str, str]) -> None:
        ratio = values[door.name] / values[bare.name] if values.get(bare.name) else 0.0
        line = f"| {label} | {text[door.name]} | {text[bare.name]} | {ratio:.2f}x |"
        print(line, flush=True)
        lines.append(line)

    if pods == 1:
        got = interleaved([door, bare], args.fresh, lambda b, i: say(b.base, f"fresh-{pods}-{i}", QUESTIONS[i % 5]))
        med = {k: statistics.median(v) for k, v in got.items()}
        row(
            f"one FAQ turn, new conversation, median of {args.fresh}",
            med,
            {k: f"{v * 1000:.0f} ms" for k, v in med.items()},
        )
        got = interleaved([door, bare], 100, lambda b, i: say(b.base, f"long-{pods}", QUESTIONS[i % 5]))
        med = {k: statistics.median(v[90:100]) for k, v in got.items()}
        row("turns 91-100 of one conversation, median", med, {k: f"{v * 1000:.0f} ms" for k, v in med.items()})
    for level in LEVELS:
        applicants = max(args.applicants, 2 * level)
        values: Dict[str, float] = {}
        text: Dict[str, str] = {}
        for bot in (door, bare) if level % 2 else (bare, door):
            values[bot.name], text[bot.name] = throughput_row(bot.base, level, applicants, args.turns, next(sender))
        rates[(pods, level)] = values[door.name]
        # the ratio of a rate: how much more the bare bot answers (cost per message)
        cost = {door.name: 1 / values[door.name], bare.name: 1 / values[bare.name]}
        row(f"{pods} pod{'s' if pods > 1 else ''}: {level} in flight ({applicants} x {args.turns} turns)", cost, text)
    return lines


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples (a quick look, noisier)")
    parser.add_argument("--fresh", type=int, default=40)
    parser.add_argument("--applicants", type=int, default=40)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="leave the pods running at the end")
    args = parser.parse_args(argv)
    if args.quick:
        args.fresh, args.applicants = 12, 20
    use_project_containers_conf()
    model = ensure_bare_model()
    sender = itertools.count(0, 100000)
    started = time.time()
    lines = [
        "| measure | this product (per pod, through the front door) | bare Rasa bot (one process) | cost ratio |",
        "| --- | --- | --- | --- |",
    ]
    print("\n".join(lines), flush=True)
    try:
        with tempfile.TemporaryDirectory(prefix="zhicheng-bare-") as tmp, bare_bot(Path(tmp) / "bare", model) as bare:
            rates: Dict[Tuple[int, int], float] = {}
            for pods in (1, 2):
                lines += measure_pods(pods, bare, args, sender, rates)
            for level in LEVELS:
                lines.append(
                    f"| 2 pods / 1 pod, {level} in flight | {rates[(2, level)] / rates[(1, level)]:.2f}x msg/s | | |"
                )
    finally:
        if not args.keep:
            kube.down(volumes=True)
    print(f"\n{time.time() - started:.0f} s; cost ratio: this product's time (or 1/rate) over the bare bot's")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

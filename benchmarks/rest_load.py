"""Load on one Rasa server + one action server: many applicants asking at once.

Each simulated applicant sends a few FAQ questions in turn (a new sender id each), with
``--concurrency`` applicants in flight. Prints messages per second and reply-time percentiles, the
numbers that decide whether a WeChat reply fits its 5-second deadline under load.

    .venv/bin/python benchmarks/rest_load.py                  # starts its own servers (SQLite)
    .venv/bin/python benchmarks/rest_load.py --servers 2     # two Rasa servers, PostgreSQL + Redis lock store
    .venv/bin/python benchmarks/rest_load.py --url http://localhost:5005 --concurrency 20
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import List

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

QUESTIONS = [
    "长治中级评审费多少",
    "简阳高级职称什么时候截止",
    "平凉中级要交哪些材料",
    "重庆副高什么时候缴费",
    "湖州工程师直报需要什么条件",
]


async def applicant(
    session: aiohttp.ClientSession, urls: List[str], n: int, turns: int, latencies: List[float]
) -> None:
    for t in range(turns):
        url = urls[(n + t) % len(urls)]  # round robin, as a load balancer would
        started = time.perf_counter()
        async with session.post(
            f"{url}/webhooks/rest/webhook", json={"sender": f"load-{n}", "message": QUESTIONS[(n + t) % len(QUESTIONS)]}
        ) as r:
            body = await r.json()
        latencies.append(time.perf_counter() - started)
        if r.status != 200 or not body:
            raise RuntimeError(f"no answer for applicant {n}: {r.status} {body}")


async def run(urls: List[str], applicants: int, turns: int, concurrency: int) -> None:
    latencies: List[float] = []
    gate = asyncio.Semaphore(concurrency)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for i in range(len(urls)):  # warm up every server (model and action server caches)
            await applicant(session, urls, i - len(urls), 1, [])

        async def one(n: int) -> None:
            async with gate:
                await applicant(session, urls, n, turns, latencies)

        started = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(applicants)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    print(f"servers {len(urls)}  messages {len(latencies)}  applicants {applicants}  concurrency {concurrency}")
    print(f"throughput {len(latencies) / elapsed:.1f} messages/s over {elapsed:.1f} s")
    print(
        f"reply time  median {statistics.median(ordered):.2f} s  p95 {pct(0.95):.2f} s  "
        f"p99 {pct(0.99):.2f} s  max {ordered[-1]:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", help="a running Rasa server (repeatable); default: start servers")
    parser.add_argument(
        "--servers", type=int, default=1, help="servers to start: 1 = SQLite; more = PostgreSQL + Redis lock store"
    )
    parser.add_argument("--applicants", type=int, default=60)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    if args.url:
        asyncio.run(run(args.url, args.applicants, args.turns, args.concurrency))
        return
    from tests.helpers import running_servers
    from tests.services import scaled_servers

    with tempfile.TemporaryDirectory() as tmp:
        if args.servers == 1:
            with running_servers(Path(tmp), today="2024-10-30") as servers:
                asyncio.run(run([servers["rasa"]], args.applicants, args.turns, args.concurrency))
        else:
            with scaled_servers(Path(tmp), count=args.servers) as scaled:
                asyncio.run(run(scaled["bases"], args.applicants, args.turns, args.concurrency))


if __name__ == "__main__":
    main()

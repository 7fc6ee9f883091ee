"""WeChat reply times: many users writing to the official account at once, through the fake WeChat
server (signed, encrypted with --safe) against the real Rasa + action servers. Prints how many
answers fitted the passive-reply budget, how many went out as customer-service messages, and
percentiles of the webhook's response time (WeChat gives up at 5 s).

    .venv/bin/python benchmarks/wechat_reply.py                      # 60 messages, 6 users at a time
    .venv/bin/python benchmarks/wechat_reply.py --messages 200 --concurrency 20 --safe
    .venv/bin/python benchmarks/wechat_reply.py --users 150 --within 2 --safe   # a burst
    .venv/bin/python benchmarks/wechat_reply.py --users 300 --within 2 --turns 1

``--users N --within S``: N different users each send one message, their start times spread evenly
over S seconds (no concurrency cap: WeChat does not wait). Every request is counted as answered in
time when an HTTP answer (the passive reply or ``success``) came within WeChat's 5 s; a request
with none is resent by the fake as WeChat does. Meanwhile the channel's health route is polled
every 0.1 s: its response time is the event-loop lag a webhook request sees.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

QUESTIONS = [
    "长治中级评审费多少",
    "简阳高级职称什么时候截止",
    "平凉中级要交哪些材料",
    "重庆副高什么时候缴费",
    "湖州工程师申报条件",
    "长治助理工程师评审费",
]
WECHAT_DEADLINE = 5.0


async def probe_lag(url: str, stop: asyncio.Event, out: list) -> None:
    """Response times of the channel's health route (GET), every 0.1 s until ``stop``."""
    import aiohttp

    async with aiohttp.ClientSession() as session:
        while not stop.is_set():
            started = time.monotonic()
            try:
                async with session.get(url, timeout=aiohttp.ClientTimeout(total=30)) as resp:
                    await resp.read()
            except asyncio.TimeoutError:
                pass
            out.append(time.monotonic() - started)
            await asyncio.sleep(0.1)


def summarise(fake, deliveries, wall: float, label: str, lags: list) -> dict:
    first = [d.attempts[0] for d in deliveries]
    times = sorted(a.seconds for d in deliveries for a in d.attempts)
    q = statistics.quantiles(times, n=100) if len(times) > 1 else times * 100
    passive = sum(1 for d in deliveries if d.reply)
    got = [int(bool(d.reply)) + len(fake.messages_to(d.openid)) for d in deliveries]
    in_time = sum(1 for a in first if a.status and a.seconds <= WECHAT_DEADLINE)
    api_users = sum(1 for d in deliveries if fake.messages_to(d.openid))
    result = {
        "label": label,
        "messages": len(deliveries),
        "wall": wall,
        "answered_in_time": in_time,
        "no_http_answer_in_5s": len(first) - in_time,
        "passive": passive,
        "via_api": api_users,
        "api_messages": len(fake.custom_messages),
        "resends": sum(len(d.attempts) - 1 for d in deliveries),
        "failed_for_user": sum(d.failed_for_user for d in deliveries),
        "exactly_once": got.count(1),
        "lost": got.count(0),
        "twice": sum(1 for g in got if g > 1),
        "p50": q[49],
        "p95": q[94],
        "max": times[-1],
        "lag_max": max(lags) if lags else 0.0,
        "lag_p95": (statistics.quantiles(lags, n=20)[18] if len(lags) > 1 else 0.0),
    }
    print(f"{label} wall={wall:.1f}s ({len(deliveries) / wall:.1f} msg/s)")
    print(f"HTTP answer within 5 s (first attempt): {in_time} of {len(first)}; without: {len(first) - in_time}")
    print(
        f"passive replies: {passive}; users answered via customer-service API: {api_users} "
        f"({len(fake.custom_messages)} messages); resends by WeChat: {result['resends']}; "
        f"failed for the user: {result['failed_for_user']}"
    )
    print(
        f"users answered exactly once: {got.count(1)}; never (lost): {got.count(0)}; more than once: {result['twice']}"
    )
    print(f"webhook response time: p50={q[49]:.2f}s p95={q[94]:.2f}s max={times[-1]:.2f}s")
    if lags:
        print(
            f"event-loop lag (health route): p95={result['lag_p95']:.2f}s max={result['lag_max']:.2f}s "
            f"({len(lags)} probes)"
        )
    return result


def main() -> None:
    from tests.channels.wechat.fake_wechat import FakeWeChat
    from tests.channels.wechat.test_wechat_e2e import AES_KEY, APP_ID, APP_SECRET, TOKEN, credentials_file
    from tests.helpers import running_servers

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--messages", type=int, default=60)
    p.add_argument("--concurrency", type=int, default=6)
    p.add_argument("--users", type=int, default=0, help="burst: this many users, one message each")
    p.add_argument("--within", type=float, default=2.0, help="burst: seconds over which the users start")
    p.add_argument("--budget", type=float, default=4.0)
    p.add_argument("--turns", type=int, default=2, help="WECHAT_TURNS_AT_ONCE: turns run at once")
    p.add_argument("--safe", action="store_true")
    p.add_argument("--settle", type=float, default=30.0, help="seconds to wait for late answers")
    p.add_argument("--keep", default=None, help="parent folder for the run's logs and databases")
    args = p.parse_args()

    fake = FakeWeChat(TOKEN, APP_ID, APP_SECRET, AES_KEY).start()
    env = {
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_APP_ID": APP_ID,
        "WECHAT_APP_SECRET": APP_SECRET,
        "WECHAT_ENCODING_AES_KEY": AES_KEY,
        "WECHAT_MODE": "compatible",
        "WECHAT_API_BASE": fake.api_base,
        "WECHAT_REPLY_BUDGET": str(args.budget),
        "WECHAT_TIMESTAMP_WINDOW": "300",
        "WECHAT_MAX_BODY_BYTES": "65536",
        "WECHAT_TURNS_AT_ONCE": str(args.turns),
    }
    lags: list = []
    try:
        with (
            tempfile.TemporaryDirectory(dir=args.keep) as tmp,
            running_servers(
                Path(tmp), extra_env=env, credentials=str(credentials_file(Path(tmp), fake.api_base))
            ) as servers,
        ):
            url = f"{servers['rasa']}/webhooks/wechat/webhook"
            for text in QUESTIONS[:2]:  # load the model's graphs
                fake.push(url, fake.user_message("owarmup", "text", Content=text))

            async def run():
                stop = asyncio.Event()
                probe = asyncio.ensure_future(probe_lag(f"{servers['rasa']}/webhooks/wechat/", stop, lags))
                sem = asyncio.Semaphore(args.concurrency)

                async def send(i):
                    msg = fake.user_message("o" + uuid.uuid4().hex[:27], "text", Content=QUESTIONS[i % len(QUESTIONS)])
                    d = await fake._push(url, msg, args.safe, 3)
                    d.openid = msg["FromUserName"]
                    return d

                async def one(i):
                    async with sem:
                        return await send(i)

                async def burst(i):
                    await asyncio.sleep(i * args.within / args.users)
                    return await send(i)

                started = time.monotonic()
                if args.users:
                    out = await asyncio.gather(*(burst(i) for i in range(args.users)))
                else:
                    out = await asyncio.gather(*(one(i) for i in range(args.messages)))
                wall = time.monotonic() - started
                stop.set()
                await probe
                return out, wall

            deliveries, wall = fake.run(run(), timeout=3600)
            deadline = time.monotonic() + args.settle  # late answers still on their way
            while time.monotonic() < deadline and any(
                not d.reply and not fake.messages_to(d.openid) for d in deliveries
            ):
                time.sleep(0.5)
            time.sleep(3)  # anything sent twice shows up
            if args.keep:
                import shutil

                shutil.copytree(tmp, Path(args.keep) / "last", dirs_exist_ok=True)
    finally:
        fake.stop()
    mode = "safe" if args.safe else "plain"
    label = (
        f"mode={mode} burst: users={args.users} within={args.within}s budget={args.budget}s turns={args.turns}"
        if args.users
        else f"mode={mode} messages={args.messages} concurrency={args.concurrency} budget={args.budget}s turns={args.turns}"
    )
    summarise(fake, deliveries, wall, label, lags)


if __name__ == "__main__":
    main()

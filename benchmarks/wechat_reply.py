"""WeChat reply times: many users writing to the official account at once, through the fake WeChat
server (signed, encrypted with --safe) against the real Rasa + action servers. Prints how many
answers fitted the passive-reply budget, how many went out as customer-service messages, and
percentiles of the webhook's response time (WeChat gives up at 5 s).

    .venv/bin/python benchmarks/wechat_reply.py                      # 60 messages, 6 users at a time
    .venv/bin/python benchmarks/wechat_reply.py --messages 200 --concurrency 20 --safe
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

QUESTIONS = ["长治中级评审费多少", "简阳高级职称什么时候截止", "平凉中级要交哪些材料", "重庆副高什么时候缴费",
             "湖州工程师申报条件", "长治助理工程师评审费"]


def main() -> None:
    from tests.channels.wechat.fake_wechat import FakeWeChat
    from tests.channels.wechat.test_wechat_e2e import APP_ID, APP_SECRET, AES_KEY, TOKEN, credentials_file
    from tests.helpers import running_servers

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--messages", type=int, default=60)
    p.add_argument("--concurrency", type=int, default=6)
    p.add_argument("--budget", type=float, default=4.0)
    p.add_argument("--safe", action="store_true")
    p.add_argument("--keep", default=None, help="parent folder for the run's logs and databases")
    args = p.parse_args()

    fake = FakeWeChat(TOKEN, APP_ID, APP_SECRET, AES_KEY).start()
    env = {"WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": APP_SECRET,
           "WECHAT_ENCODING_AES_KEY": AES_KEY, "WECHAT_MODE": "compatible", "WECHAT_API_BASE": fake.api_base,
           "WECHAT_REPLY_BUDGET": str(args.budget), "WECHAT_TIMESTAMP_WINDOW": "300", "WECHAT_MAX_BODY_BYTES": "65536"}
    try:
        with tempfile.TemporaryDirectory(dir=args.keep) as tmp, running_servers(
                Path(tmp), extra_env=env, credentials=str(credentials_file(Path(tmp), fake.api_base))) as servers:
            url = f"{servers['rasa']}/webhooks/wechat/webhook"
            fake.push(url, fake.user_message("owarmup", "text", Content="你好"))  # load the model's first graph

            async def run():
                sem = asyncio.Semaphore(args.concurrency)

                async def one(i):
                    async with sem:
                        msg = fake.user_message("o" + uuid.uuid4().hex[:27], "text", Content=QUESTIONS[i % len(QUESTIONS)])
                        d = await fake._push(url, msg, args.safe, 3)
                        d.openid = msg["FromUserName"]
                        return d
                started = time.monotonic()
                out = await asyncio.gather(*(one(i) for i in range(args.messages)))
                return out, time.monotonic() - started
            deliveries, wall = fake.run(run(), timeout=3600)
            time.sleep(15)  # late answers still on their way
            if args.keep:
                import shutil
                shutil.copytree(tmp, Path(args.keep) / "last", dirs_exist_ok=True)
    finally:
        fake.stop()
    times = sorted(a.seconds for d in deliveries for a in d.attempts)
    q = statistics.quantiles(times, n=100)
    passive = sum(1 for d in deliveries if d.reply)
    print(f"mode={'safe' if args.safe else 'plain'} messages={args.messages} concurrency={args.concurrency} "
          f"budget={args.budget}s wall={wall:.1f}s ({args.messages / wall:.1f} msg/s)")
    print(f"passive replies: {passive}; via customer-service API: {len(fake.custom_messages)}; "
          f"resends by WeChat: {sum(len(d.attempts) - 1 for d in deliveries)}; "
          f"failed for the user: {sum(d.failed_for_user for d in deliveries)}")
    got = [int(bool(d.reply)) + len(fake.messages_to(d.openid)) for d in deliveries]
    print(f"users answered exactly once: {got.count(1)}; never: {got.count(0)}; more than once: "
          f"{sum(1 for g in got if g > 1)}")
    print(f"webhook response time: p50={q[49]:.2f}s p95={q[94]:.2f}s max={times[-1]:.2f}s")


if __name__ == "__main__":
    main()

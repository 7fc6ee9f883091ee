"""Try the WeChat channel locally: a fake WeChat server sends your messages to the running
assistant's webhook exactly as WeChat would (signed, encrypted in safe mode, resent after 5 s)
and serves the customer-service API, so late answers show up too.

    # terminal 1 (values must match the ones below; safe mode needs the AES key)
    WECHAT_TOKEN=try-token WECHAT_APP_ID=wxtry000000000001 WECHAT_APP_SECRET=try-secret \\
    WECHAT_ENCODING_AES_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG WECHAT_MODE=compatible \\
    WECHAT_API_BASE=http://127.0.0.1:8099 make run
    # terminal 2
    .venv/bin/python scripts/wechat_try.py "长治中级评审费多少"
    .venv/bin/python scripts/wechat_try.py --safe          # interactive; also: /subscribe, /click ASK_FEE, /voice 文本
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.channels.wechat.fake_wechat import FakeWeChat  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("message", nargs="?", help="one message; without it, an interactive session")
    p.add_argument("--webhook", default="http://127.0.0.1:5005/webhooks/wechat/webhook")
    p.add_argument("--safe", action="store_true", help="encrypt (WECHAT_MODE safe or compatible)")
    p.add_argument("--api-port", type=int, default=8099, help="port of the fake API (WECHAT_API_BASE)")
    p.add_argument("--openid", default="oTRY_local_user_0000000000001")
    p.add_argument("--token", default=os.environ.get("WECHAT_TOKEN", "try-token"))
    p.add_argument("--app-id", default=os.environ.get("WECHAT_APP_ID", "wxtry000000000001"))
    p.add_argument("--app-secret", default=os.environ.get("WECHAT_APP_SECRET", "try-secret"))
    p.add_argument(
        "--aes-key", default=os.environ.get("WECHAT_ENCODING_AES_KEY", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
    )
    args = p.parse_args()
    fake = FakeWeChat(args.token, args.app_id, args.app_secret, args.aes_key, port=args.api_port).start()

    def send(line: str) -> None:
        if line == "/subscribe":
            msg = fake.user_message(args.openid, "event", Event="subscribe")
        elif line.startswith("/click "):
            msg = fake.user_message(args.openid, "event", Event="CLICK", EventKey=line.split(" ", 1)[1])
        elif line.startswith("/voice"):
            msg = fake.user_message(args.openid, "voice", MediaId="m", Format="amr", Recognition=line[6:].strip())
        else:
            msg = fake.user_message(args.openid, "text", Content=line)
        seen = len(fake.messages_to(args.openid))
        d = fake.push(args.webhook, msg, encrypted=args.safe)
        times = ", ".join(f"{a.status or 'timeout'} in {a.seconds:.2f}s" for a in d.attempts)
        print(f"[{times}]")
        if d.failed_for_user:
            print("用户会看到：该公众号暂时无法提供服务，请稍后再试")
        if d.reply:
            print(d.reply)
        deadline = time.monotonic() + (15 if not d.reply else 3)
        while time.monotonic() < deadline:  # late answers and the rest of long ones
            new = fake.messages_to(args.openid)[seen:]
            if new:
                for text in new:
                    print("[客服消息]", text, sep="\n")
                seen += len(new)
                deadline = time.monotonic() + 2
            time.sleep(0.3)

    try:
        if args.message:
            send(args.message)
        else:
            print("输入消息（回车发送，Ctrl-D 退出）：")
            for line in sys.stdin:
                if line.strip():
                    send(line.strip())
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

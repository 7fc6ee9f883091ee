"""The channel's delivery logic in one process, with a stand-in conversation whose speed and length
the test controls (the real conversation runs in test_wechat_e2e.py): long answers split between
the passive reply and customer-service messages, a resend after the first request gave up, two
workers sharing one database, numbered choices surviving a new worker."""

import asyncio
import dataclasses
import time
from typing import List

import pytest

from bot.plugins.channels.wechat import WeChatInput
from bot.plugins.wechat.render import CONTINUED
from bot.plugins.wechat.settings import from_credentials
from tests.channels.wechat.fake_wechat import FakeWeChat
from tests.helpers import migrated

APP_ID, SECRET = "wxchan0000000001", "chan-secret"


@pytest.fixture
def fake():
    f = FakeWeChat("tok", APP_ID, SECRET).start()
    yield f
    f.stop()


def worker(fake, tmp_path, budget=1.0) -> WeChatInput:
    return WeChatInput(
        from_credentials(
            {
                "token": "tok",
                "app_id": APP_ID,
                "app_secret": SECRET,
                "api_base": fake.api_base,
                "reply_budget": str(budget),
                "database_url": migrated(f"sqlite:///{tmp_path / 'z.db'}"),
            }
        )
    )


class Conversation:
    """Stands in for Rasa: answers after ``delay`` seconds, records what it was asked."""

    def __init__(self, answer, delay: float = 0.0) -> None:
        self.answer, self.delay, self.heard = answer, delay, []

    async def __call__(self, message) -> None:
        self.heard.append((message.sender_id, message.text))
        await asyncio.sleep(self.delay)
        for m in self.answer if isinstance(self.answer, list) else [{"text": self.answer}]:
            await message.output_channel.send_response(message.sender_id, m)


def msg(openid: str, text: str, msg_id: str) -> dict:
    return {
        "ToUserName": "gh_1",
        "FromUserName": openid,
        "CreateTime": str(int(time.time())),
        "MsgType": "text",
        "Content": text,
        "MsgId": msg_id,
    }


async def answer(channel: WeChatInput, conversation, message: dict, budget: float, waited: float = 0.0) -> str:
    """One webhook request with ``budget`` seconds of reply budget, which began ``waited`` seconds ago."""
    channel.settings = dataclasses.replace(channel.settings, reply_budget=budget)
    return await channel._answer(message, conversation, time.monotonic() - waited)


async def settle(channel: WeChatInput) -> None:
    while channel._tasks:
        await asyncio.sleep(0.05)


def test_long_answer_passive_first_then_the_rest_in_order(fake, tmp_path):
    long_text = "。".join(f"第{i}项：申报材料须真实完整，按要求装订成册" for i in range(200)) + "。"
    chan, conv = worker(fake, tmp_path), Conversation(long_text)

    async def go():
        first = await answer(chan, conv, msg("oLong", "材料", "1"), 1.0)
        await settle(chan)
        return first

    first = asyncio.run(go())
    rest = fake.messages_to("oLong")
    assert first.endswith(CONTINUED) and len(rest) >= 1 and not rest[-1].endswith(CONTINUED)
    assert all(len(p.encode()) <= 2000 for p in [first, *rest])
    strip = lambda p: p[: -len(CONTINUED)] if p.endswith(CONTINUED) else p  # noqa: E731
    assert "".join(strip(p) for p in [first, *rest]) == long_text


def test_resend_after_the_first_gave_up_gets_the_passive_answer_once(fake, tmp_path):
    chan, conv = worker(fake, tmp_path), Conversation("评审费每人300元。", delay=0.8)

    async def go():
        m = msg("oResend", "长治评审费", "2")
        first = asyncio.ensure_future(answer(chan, conv, m, 0.3))  # gives up after 0.3 s
        await asyncio.sleep(0.5)
        second = await answer(chan, conv, m, 1.0)  # WeChat's resend, still in time
        await settle(chan)
        return await first, second

    first, second = asyncio.run(go())
    assert first is None and second == "评审费每人300元。"
    assert len(conv.heard) == 1 and fake.messages_to("oResend") == []


def test_nobody_waiting_sends_once_through_the_api(fake, tmp_path):
    chan, conv = worker(fake, tmp_path), Conversation("评审费每人420元。", delay=0.6)

    async def go():
        m = msg("oLate", "重庆评审费", "3")
        replies = await asyncio.gather(*(answer(chan, conv, m, 0.2) for _ in range(3)))
        await asyncio.sleep(0.8)
        await settle(chan)
        return replies

    assert asyncio.run(go()) == [None, None, None]
    assert fake.messages_to("oLate") == ["评审费每人420元。"] and len(conv.heard) == 1


def test_two_workers_sharing_the_database_process_a_message_once(fake, tmp_path):
    a, b = worker(fake, tmp_path), worker(fake, tmp_path)
    conv = Conversation("好的。", delay=0.3)

    async def go():
        m = msg("oTwo", "你好", "4")
        replies = await asyncio.gather(answer(a, conv, m, 1.0), answer(b, conv, m, 1.0))
        await settle(a)
        await settle(b)
        return replies

    replies = asyncio.run(go())
    assert sorted(replies, key=str) == [None, "好的。"] and len(conv.heard) == 1
    assert fake.messages_to("oTwo") == []


def test_numbered_choice_survives_a_new_worker_and_only_within_the_list(fake, tmp_path):
    buttons = [
        {
            "text": "请选择：",
            "buttons": [
                {"title": "长治", "payload": "/inform{\"region\":\"changzhi\"}"},
                {"title": "重庆", "payload": "/inform{\"region\":\"chongqing\"}"},
            ],
        }
    ]

    async def go() -> List[str]:
        first = worker(fake, tmp_path)
        offered = await answer(first, Conversation(buttons), msg("oChoice", "评审费", "5"), 1.0)
        await settle(first)
        second, conv = worker(fake, tmp_path), Conversation("收到")  # another worker, later
        await answer(second, conv, msg("oChoice", "２", "6"), 1.0)
        await answer(second, conv, msg("oChoice", "3", "7"), 1.0)  # the last turn offered no buttons
        await settle(second)
        return [offered, *[text for _, text in conv.heard]]

    offered, chosen, plain = asyncio.run(go())
    assert "1. 长治\n2. 重庆" in offered
    assert chosen == "/inform{\"region\":\"chongqing\"}" and plain == "3"


def test_unreachable_database_does_not_silence_the_assistant(fake, tmp_path):
    chan = WeChatInput(
        from_credentials(
            {
                "token": "tok",
                "app_id": APP_ID,
                "app_secret": SECRET,
                "api_base": fake.api_base,
                "database_url": "postgresql://nobody@127.0.0.1:9/none",
            }
        )
    )  # nothing there
    conv = Conversation("好的。")

    async def go():
        reply = await answer(chan, conv, msg("oNoDb", "你好", "8"), 2.0)
        await settle(chan)
        return reply

    assert asyncio.run(go()) == "好的。"


AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


class Posted:
    """What Sanic hands the channel for a POST (headers, query, an already-read body)."""

    def __init__(self, query, body: bytes) -> None:
        self.args, self.body, self.headers, self.stream = query, body, {"content-length": str(len(body))}, None


@pytest.mark.parametrize(
    "mode,encrypted,status,reply",
    [
        ("plain", False, 200, "plain"),
        ("plain", True, 400, None),  # no plaintext fields: not a message for a plain-mode account
        ("compatible", False, 200, "plain"),
        ("compatible", True, 200, "encrypted"),
        ("safe", False, 403, None),
        ("safe", True, 200, "encrypted"),
    ],
)
def test_modes_accept_and_answer_as_configured(fake, tmp_path, mode, encrypted, status, reply):
    from xml.etree import ElementTree

    from tests.channels.wechat import reference

    fake.aes_key = AES_KEY
    chan = WeChatInput(
        from_credentials(
            {
                "token": "tok",
                "app_id": APP_ID,
                "app_secret": SECRET,
                "mode": mode,
                "encoding_aes_key": AES_KEY,
                "api_base": fake.api_base,
                "database_url": migrated(f"sqlite:///{tmp_path / 'z.db'}"),
            }
        )
    )
    query, body = fake.signed(fake.user_message("oMode", "text", Content="你好"), encrypted=encrypted)

    async def go():
        got = await chan._receive(Posted(query, body), Conversation("您好！"), time.monotonic())
        await settle(chan)
        return got

    got = asyncio.run(go())
    assert got.status == status
    if reply is None:
        return
    root = ElementTree.fromstring(got.body.decode())
    if reply == "encrypted":
        cipher = root.findtext("Encrypt")
        assert root.findtext("MsgSignature") == reference.sha1_signature(
            "tok", root.findtext("TimeStamp"), root.findtext("Nonce"), cipher
        )
        inner, app_id = reference.decrypt(AES_KEY, cipher)
        assert app_id == APP_ID
        root = ElementTree.fromstring(inner)
    assert root.findtext("Content") == "您好！" and root.findtext("ToUserName") == "oMode"


def test_resend_after_a_passive_reply_gets_the_same_answer_again(fake, tmp_path):
    """WeChat resends only when the reply did not reach it in 5 s (a busy server)."""
    chan, conv = worker(fake, tmp_path), Conversation("评审费每人260元。")

    async def go():
        m = msg("oAgain", "长治助工评审费", "9")
        first = await answer(chan, conv, m, 1.0)
        again = await answer(chan, conv, m, 1.0)
        late_again = await answer(chan, conv, m, 4.0, waited=4.9)  # this resend is too late as well
        later = await answer(chan, conv, m, 4.0, waited=4.9)
        await settle(chan)
        return first, again, late_again, later

    assert asyncio.run(go()) == ("评审费每人260元。", "评审费每人260元。", None, None)
    assert len(conv.heard) == 1
    assert fake.messages_to("oAgain") == ["评审费每人260元。"]  # once, for the late resends


class BlockingConversation(Conversation):
    """Like Rasa's model on a busy CPU: holds the event loop while it thinks."""

    async def __call__(self, message) -> None:
        time.sleep(self.delay)
        self.delay = 0
        await super().__call__(message)


def test_an_answer_ready_after_wechat_hung_up_goes_through_the_api(fake, tmp_path):
    chan, conv = worker(fake, tmp_path), BlockingConversation("评审费每人320元。", delay=1.0)

    async def go():
        reply = await answer(chan, conv, msg("oBusy", "简阳评审费", "10"), 4.5, waited=4.0)
        await settle(chan)
        return reply

    assert asyncio.run(go()) is None  # "success": a passive reply at 5 s would be lost
    assert fake.messages_to("oBusy") == ["评审费每人320元。"] and len(conv.heard) == 1


def test_a_busy_worker_replies_success_at_once_when_the_queue_is_too_long(fake, tmp_path):
    """Two turns at once, each estimated at 1 s: the first six messages (ready within 3 s) wait
    for a passive reply; the rest (4 s and later, beyond the budget of 3.5 s) get `success` at once
    and their answer as a message, each exactly once. (The turns really take 0.5 s, leaving room
    for a loaded machine.)"""
    chan, conv = worker(fake, tmp_path), Conversation("好的。", delay=0.5)
    chan.turns.turn_seconds = 1.0  # as measured earlier

    async def go():
        handlers = [asyncio.ensure_future(answer(chan, conv, msg(f"oQ{i}", "你好", f"q{i}"), 3.5)) for i in range(10)]
        await asyncio.sleep(0.05)  # the loop runs each handler's first step before this timer, however slow it is
        shed_at_once = [h.done() and h.result() is None for h in handlers]
        replies = await asyncio.gather(*handlers)
        await settle(chan)
        return shed_at_once, replies

    shed_at_once, replies = asyncio.run(go())
    assert shed_at_once == [False] * 6 + [True] * 4
    # a passive reply is given only within the budget, so these six came in time
    assert replies == ["好的。"] * 6 + [None] * 4
    assert [len(fake.messages_to(f"oQ{i}")) for i in range(10)] == [0] * 6 + [1] * 4
    heard, expected = [who for who, _ in conv.heard], [chan.settings.pseudonym(f"oQ{i}") for i in range(10)]
    # started in arrival order, two at a time (within a pair, the order they reach Rasa may vary)
    assert [sorted(heard[i : i + 2]) for i in range(0, 10, 2)] == [sorted(expected[i : i + 2]) for i in range(0, 10, 2)]


def test_an_idle_worker_waits_for_the_answer_after_a_slow_turn(fake, tmp_path):
    chan = worker(fake, tmp_path)
    chan.turns.turn_seconds = 10.0  # an earlier turn was very slow (e.g. the action server)
    assert asyncio.run(answer(chan, Conversation("好的。"), msg("oIdle", "你好", "idle"), 2.0)) == "好的。"


def test_one_users_messages_run_one_at_a_time_in_order(fake, tmp_path):
    chan = worker(fake, tmp_path)
    running, most = [0], [0]

    async def conv(message):
        running[0] += 1
        most[0] = max(most[0], running[0])
        await asyncio.sleep(0.1)
        running[0] -= 1
        await message.output_channel.send_response(message.sender_id, {"text": "收到：" + message.text})

    async def go():
        return await asyncio.gather(*(answer(chan, conv, msg("oSame", f"第{i}条", f"same{i}"), 3.0) for i in range(4)))

    replies = asyncio.run(go())
    assert replies == [f"收到：第{i}条" for i in range(4)] and most[0] == 1


def test_a_turn_without_any_bot_message_gets_an_apology(fake, tmp_path):
    chan = worker(fake, tmp_path)

    async def go():
        reply = await answer(chan, Conversation([]), msg("oSilent", "你好", "silent"), 1.0)
        await settle(chan)
        return reply

    assert "稍后再试" in asyncio.run(go())


@pytest.mark.parametrize("hang_up_after", [0.0, 0.2])
def test_wechat_hanging_up_does_not_lose_the_answer(fake, tmp_path, hang_up_after):
    """Sanic cancels the handler when the client goes: while claiming, or while waiting."""
    chan, conv = worker(fake, tmp_path), Conversation("评审费每人300元。", delay=0.4)

    async def go():
        handler = asyncio.ensure_future(answer(chan, conv, msg("oGone", "长治评审费", "gone"), 4.0))
        await asyncio.sleep(hang_up_after)
        handler.cancel()
        await asyncio.sleep(0.6)
        await settle(chan)

    asyncio.run(go())
    assert fake.messages_to("oGone") == ["评审费每人300元。"] and len(conv.heard) == 1


def test_ratings_are_limited_per_user(fake, tmp_path, monkeypatch):
    """A user who sends 没帮助 after every answer has five a minute recorded (ZHICHENG_FEEDBACK_PER_SESSION);
    the next are answered with a polite note, not stored and not sent to the assistant; another user
    is not held up. The answers rated are in Rasa's SQL tracker store (SQLite), as Rasa writes them."""
    from types import SimpleNamespace

    import sqlalchemy as sa
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.plugins.channels.wechat import RATED_TOO_OFTEN, THANKS_NOT_HELPFUL
    from bot.plugins.tracker_store import MaskingSQLTrackerStore
    from bot.storage.feedback import ANSWER_KEY, new_answer_id

    monkeypatch.delenv("ZHICHENG_FEEDBACK_PER_SESSION", raising=False)  # the default: 5 a minute
    chan, conv = worker(fake, tmp_path), Conversation("不会被问到")
    store = MaskingSQLTrackerStore(domain=Domain.empty(), host=f"sqlite:///{tmp_path / 'tracker.db'}")
    chan._app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=store)))
    events = {}

    async def answered(openid: str) -> None:
        """One more question and its rateable answer in the user's conversation."""
        sender = chan.settings.pseudonym(openid)
        events.setdefault(sender, [])
        events[sender] += [
            ActionExecuted("action_listen"),
            UserUttered("长治中级评审费多少"),
            BotUttered(
                "· 中级评审费300元〔五〕",
                metadata={ANSWER_KEY: {"id": new_answer_id(), "notice": None, "topic": "fee", "clauses": []}},
            ),
        ]
        await store.save(DialogueStateTracker.from_events(sender, events[sender]))

    async def go():
        replies = []
        for i in range(7):
            await answered("oRater")
            replies.append(await answer(chan, conv, msg("oRater", "没帮助", f"r{i}"), 2.0))
        await answered("oOther")
        other = await answer(chan, conv, msg("oOther", "没帮助", "o1"), 2.0)
        await settle(chan)
        return replies, other

    replies, other = asyncio.run(go())
    assert replies == [THANKS_NOT_HELPFUL] * 5 + [RATED_TOO_OFTEN] * 2
    assert other == THANKS_NOT_HELPFUL
    assert conv.heard == []  # a rating, refused or not, never reaches the assistant
    engine = sa.create_engine(chan.settings.database_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from answer_feedback")).scalar_one() == 6
        assert conn.execute(sa.text("select count(*) from unanswered")).scalar_one() == 6
    engine.dispose()

"""The WeChat official account (公众号) input channel, registered in credentials.yml as
``bot.plugins.channels.wechat.WeChatInput``; WeChat's server URL is ``/webhooks/wechat/webhook``.

GET verifies the server (echoes ``echostr`` when the signature matches). POST checks, in this order,
the body size (413), the timestamp window and the signature (403), the XML (400), then answers:
a passive reply when the answer is ready within the reply budget (encrypted in safe mode),
otherwise ``success`` at once and the answer through the customer-service API. Each message is
processed once (bot.plugins.wechat.dedupe). A message over the length limit gets a polite reply and is not
processed (bot.plugins.channels.limits). A short reply that only rates the answer just given ("没帮助",
"不对", "有帮助"; bot.storage.feedback, docs/feedback.md) is recorded with that answer's context and
thanked, without going to Rasa, so the conversation goes on where it was; at most
``ZHICHENG_FEEDBACK_PER_SESSION`` ratings a minute are taken from one user (OpenID), a rating over
that is answered with a polite note and not stored. Rasa's sender id is a
keyed pseudonym of the OpenID; the OpenID itself stays in memory for the reply in progress and is
never stored or logged.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    UserMessage,
)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.plugins.channels.limits import RateLimit, guard, secure_server
from bot.plugins.wechat import xml as wxml
from bot.plugins.wechat.api import WeChatAPI
from bot.plugins.wechat.crypto import CryptoError, MessageCrypto, signature, signature_matches
from bot.plugins.wechat.dedupe import Exchange, InFlight, Outcome
from bot.plugins.wechat.menu import MENU_PAYLOADS
from bot.plugins.wechat.render import choice_payload, render, split_text
from bot.plugins.wechat.settings import WeChatSettings, from_credentials
from bot.plugins.wechat.store import WeChatStore
from bot.plugins.wechat.turns import Ticket, TurnQueue
from bot.settings import get_security_settings
from bot.storage import feedback

logger = logging.getLogger(__name__)

WELCOME = (
    "您好，欢迎关注！我是职称评审助手，可以帮您查询工程系列职称的申报条件、截止时间、评审费和申报材料，"
    "也可以回复“我能报吗”做一次预评估。请直接发文字提问，例如：长治中级评审费多少。"
    "觉得某个回答没帮助，可以紧接着回复“没帮助”告诉我们。"
)
ASK_TO_TYPE = "抱歉，这条语音没能识别成文字。请您打字提问，例如：长治中级评审费多少。"
UNSUPPORTED = (
    "抱歉，我目前只看得懂文字和语音，看不了图片、位置、链接或视频。请您用文字提问，例如：重庆副高什么时候截止。"
)
EMPTY_TEXT = "请您输入想问的问题，例如：长治中级评审费多少。"
SORRY = "抱歉，系统暂时出了点问题，请您稍后再试。"
THANKS_NOT_HELPFUL = (
    "收到，谢谢您的反馈。这个问题已转给工作人员，用于改进回答；您也可以换个说法再问一次，或回复“转人工”查看咨询电话。"
)
THANKS_HELPFUL = "谢谢您的反馈！还有其他问题，随时发给我。"
ALREADY_RATED = "这个回答您已经反馈过了，谢谢。还有其他问题，随时发给我。"
RATED_TOO_OFTEN = "您的评价有些频繁，这次没有记录，请过一分钟再试。还有其他问题，随时发给我。"
SUCCESS = "success"
REST_DELAY = 1.0  # seconds between a passive reply and the chunks that follow it
PASSIVE_CUTOFF = 4.8  # WeChat drops the request at 5 s: a passive reply later than this is never seen
RECENT_SECONDS = 60.0  # an answered message stays in memory this long, for WeChat's resends


class WeChatOutput(CollectingOutputChannel):  # type: ignore[misc]  # rasa is untyped (Any)
    """Collects the bot's messages of one turn; the channel renders and delivers them."""

    @classmethod
    def name(cls) -> str:
        return "wechat"


class WeChatInput(InputChannel):  # type: ignore[misc]  # rasa is untyped (Any)
    """WeChat official account webhook."""

    @classmethod
    def name(cls) -> str:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        return cls(from_credentials(credentials))

    def __init__(self, settings: WeChatSettings) -> None:
        self.settings = settings
        self.crypto = (
            MessageCrypto(settings.encoding_aes_key, settings.app_id)
            if settings.enabled and settings.mode != "plain"
            else None
        )
        self.store = WeChatStore(settings.database_url)
        self.api = WeChatAPI(settings, self.store)
        self.inflight = InFlight()
        # at most turns_at_once conversation turns at once, so the event loop stays responsive and
        # every request is answered in time; the queue's estimate decides passive reply or `success`
        self.turns = TurnQueue(settings.turns_at_once)
        self._tasks: Set[asyncio.Future[Any]] = set()
        self._warned_off = False
        self._app: Any = None  # the Sanic app, for the agent's tracker store (feedback)
        self.ratings = RateLimit(get_security_settings().feedback_per_session)  # per user (pseudonym)

    # --- Rasa's channel interface ---------------------------------------------------------
    def get_output_channel(self) -> Optional[CollectingOutputChannel]:
        return None  # WeChat cannot be written to without a conversation (no proactive messages)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint(f"{self.name()}_webhook", __name__)
        secure_server(hook)
        # over-long messages get a polite reply, unprocessed; WeChat's own 5-second deadline (reply
        # budget, then the customer-service API) stands for the turn budget
        on_new_message = guard(on_new_message, budget=0)

        @hook.route("/", methods=["GET"])  # type: ignore[untyped-decorator]  # Sanic's Blueprint methods are untyped (Any) here
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings.enabled else "off"})

        @hook.route("/webhook", methods=["GET"])  # type: ignore[untyped-decorator]  # Sanic's Blueprint methods are untyped (Any) here
        async def verify(request: Request) -> HTTPResponse:
            if not self._enabled():
                return response.text("", status=503)
            q = request.args
            timestamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
            if not self._fresh(timestamp) or not signature_matches(
                [self.settings.token, timestamp, nonce], q.get("signature", "")
            ):
                return response.text("", status=403)
            return response.text(q.get("echostr", ""))

        @hook.route("/webhook", methods=["POST"], stream=True)  # type: ignore[untyped-decorator]  # Sanic's Blueprint methods are untyped (Any) here
        async def receive(request: Request) -> HTTPResponse:
            started = time.monotonic()
            if not self._enabled():
                return response.text("", status=503)
            self._app = request.app
            return await self._receive(request, on_new_message, started)

        return hook

    # --- request checks -------------------------------------------------------------------
    def _enabled(self) -> bool:
        if not self.settings.enabled and not self._warned_off:
            self._warned_off = True
            logger.warning("wechat: no WECHAT_TOKEN configured; the WeChat webhook answers 503")
        return self.settings.enabled

    def _fresh(self, timestamp: str) -> bool:
        if not timestamp.isdigit():
            return False
        return abs(time.time() - int(timestamp)) <= self.settings.timestamp_window

    async def _read_body(self, request: Request) -> Optional[bytes]:
        """The body, read only up to the limit (the route streams); None when it is larger."""
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return None
        if request.stream is None:  # already read by the server
            return request.body if len(request.body or b"") <= limit else None
        chunks, size = [], 0
        async for chunk in request.stream:
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    async def _receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]], started: float
    ) -> HTTPResponse:
        body = await self._read_body(request)
        if body is None:
            logger.info("wechat: refused a body over %s bytes", self.settings.max_body_bytes)
            return response.text("", status=413)
        q = request.args
        timestamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
        if not self._fresh(timestamp):
            logger.info("wechat: refused a stale or missing timestamp")
            return response.text("", status=403)
        encrypted = self.settings.mode != "plain" and q.get("encrypt_type", "") == "aes"
        if self.settings.mode == "safe" and not encrypted:
            logger.info("wechat: refused an unencrypted message in safe mode")
            return response.text("", status=403)
        try:
            if encrypted:
                outer = wxml.parse(body)
                cipher = outer.get("Encrypt", "")
                if not cipher:
                    return response.text("", status=400)
                if not signature_matches([self.settings.token, timestamp, nonce, cipher], q.get("msg_signature", "")):
                    logger.info("wechat: refused a bad msg_signature")
                    return response.text("", status=403)
                assert self.crypto is not None
                msg = wxml.parse(self.crypto.decrypt(cipher).encode("utf-8"))
            else:
                if not signature_matches([self.settings.token, timestamp, nonce], q.get("signature", "")):
                    logger.info("wechat: refused a bad signature")
                    return response.text("", status=403)
                msg = wxml.parse(body)
        except (wxml.XmlError, CryptoError) as exc:
            logger.info("wechat: refused a malformed message: %s", exc)
            return response.text("", status=400)
        if not msg.get("FromUserName") or not msg.get("MsgType"):
            return response.text("", status=400)

        content = await self._answer(msg, on_new_message, started)
        if not content:
            return response.text(SUCCESS)
        reply = wxml.text_reply(msg["FromUserName"], msg.get("ToUserName", ""), content)
        if encrypted:
            assert self.crypto is not None
            cipher = self.crypto.encrypt(reply)
            ts, nonce2 = str(int(time.time())), os.urandom(8).hex()
            reply = wxml.encrypted_reply(cipher, signature(self.settings.token, ts, nonce2, cipher), ts, nonce2)
        return response.text(reply, content_type="application/xml; charset=utf-8")

    # --- one answer per message -----------------------------------------------------------
    async def _answer(
        self, msg: Dict[str, str], on_new_message: Callable[[UserMessage], Awaitable[Any]], started: float
    ) -> Optional[str]:
        """The passive reply for this request (which began at ``started``), or None for ``success``."""
        openid = msg["FromUserName"]
        raw_key = msg.get("MsgId") or f"{openid}:{msg.get('CreateTime', '')}:{msg.get('Event', '')}"
        key = self.settings.message_key(raw_key)
        exchange = self.inflight.get(key)
        if exchange is None:
            exchange = Exchange(key, openid, self.settings.pseudonym(openid))
            self.inflight.add(exchange)  # before any await: a concurrent resend finds it
            # its place in the turn queue, also before any await: a user's messages keep their order
            ticket = self.turns.enter(exchange.sender) if self._needs_turn(msg) else None
            # A task of its own: Sanic cancels this handler when WeChat hangs up, the work goes on.
            self._spawn(self._run(exchange, msg, on_new_message, ticket))
            if ticket is not None and self.turns.ahead(ticket):  # a turn that starts at once is waited for
                ready_in = time.monotonic() - started + self.turns.expected_wait(ticket)
                if ready_in > self.settings.reply_budget:  # waiting cannot give a passive reply
                    logger.info(
                        "wechat: busy (%s turns queued, %s running, about %.1f s to the answer); "
                        "%s gets the answer as a message",
                        self.turns.waiting,
                        self.turns.running,
                        ready_in,
                        exchange.sender,
                    )
                    return None
        elif exchange.delivered_by == "passive":
            return self._answer_again(exchange, started)
        else:
            logger.info("wechat: resend for %s joins the message in flight", exchange.sender)
        return await self._wait(exchange, started)

    def _answer_again(self, exchange: Exchange, started: float) -> Optional[str]:
        """WeChat resends only what it got no reply to in 5 s: the passive reply given earlier was
        too late (a busy server). Give it again, or through the customer-service API if this
        request is late too."""
        if time.monotonic() - started <= PASSIVE_CUTOFF:
            logger.info("wechat: resend for %s after a passive reply; answering again", exchange.sender)
            return exchange.passive_text
        if exchange.claim_resend():
            logger.info("wechat: resend for %s after a late passive reply; sending it as a message", exchange.sender)
            self._spawn(self._push(exchange, [exchange.passive_text or ""]))
        return None

    async def _run(
        self,
        exchange: Exchange,
        msg: Dict[str, str],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        ticket: Optional[Ticket],
    ) -> None:
        try:
            if not await self._claim(exchange.key):
                logger.info("wechat: message for %s already handled elsewhere", exchange.sender)
                exchange.claim("elsewhere")
                exchange.answer.set_result(None)
                self.inflight.discard(exchange)
                return
            await self._process(exchange, msg, on_new_message, ticket)
        finally:
            if ticket is not None:
                self.turns.leave(ticket)  # no-op when the turn already left

    @staticmethod
    def _needs_turn(msg: Dict[str, str]) -> bool:
        """Whether the message goes through Rasa (and so through the turn queue); welcomes,
        refusals and events are answered at once."""
        kind = msg.get("MsgType", "").lower()
        if kind == "text":
            return bool(msg.get("Content", "").strip())
        if kind == "voice":
            return bool(msg.get("Recognition", "").strip())
        if kind == "event":
            return msg.get("Event", "").lower() == "click" and msg.get("EventKey", "") in MENU_PAYLOADS
        return False

    async def _claim(self, key: str) -> bool:
        """The database decides between workers; if it is unreachable, this worker answers anyway
        (resends inside this worker are still caught in memory)."""
        try:
            return await asyncio.to_thread(self.store.claim_message, key)
        except Exception as exc:  # noqa: BLE001 — a database outage must not silence the assistant
            logger.warning("wechat: dedupe table unavailable (%s); answering without it", type(exc).__name__)
            return True

    async def _wait(self, exchange: Exchange, started: float) -> Optional[str]:
        deadline = started + self.settings.reply_budget
        exchange.waiting += 1
        try:
            outcome = await asyncio.wait_for(asyncio.shield(exchange.answer), max(0.0, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            outcome = None
        except asyncio.CancelledError:  # WeChat hung up (Sanic cancels the handler)
            exchange.waiting -= 1
            if exchange.waiting == 0 and exchange.answer.done():
                self._deliver_late(exchange)
            raise
        exchange.waiting -= 1
        # a busy event loop can wake us after WeChat has hung up: then the message API delivers
        in_time = time.monotonic() - started <= PASSIVE_CUTOFF
        if outcome is not None and outcome.chunks and in_time and exchange.claim("passive"):
            exchange.passive_text = outcome.chunks[0]
            self._finish(exchange, "passive")
            if len(outcome.chunks) > 1:
                self._spawn(self._push(exchange, outcome.chunks[1:], delay=REST_DELAY))
            return outcome.chunks[0]
        if exchange.waiting == 0 and exchange.answer.done():
            self._deliver_late(exchange)
        return None

    async def _process(
        self,
        exchange: Exchange,
        msg: Dict[str, str],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        ticket: Optional[Ticket],
    ) -> None:
        try:
            if ticket is not None:
                await self.turns.start(ticket)  # queued in arrival order; costs no CPU meanwhile
            try:
                outcome = await self._converse(exchange, msg, on_new_message)
            finally:
                if ticket is not None:
                    self.turns.leave(ticket, measure=True)
        except Exception:  # never leave WeChat without an answer; log without personal data
            logger.exception("wechat: processing a %s message for %s failed", msg.get("MsgType"), exchange.sender)
            outcome = Outcome([SORRY])
        exchange.answer.set_result(outcome)
        await asyncio.sleep(0)  # let waiting requests take the answer first
        if exchange.waiting == 0:
            self._deliver_late(exchange)

    def _deliver_late(self, exchange: Exchange) -> None:
        """Nobody is waiting any more: the customer-service API delivers (once)."""
        outcome = exchange.answer.result()
        if not outcome or not outcome.chunks:
            if exchange.claim("none"):
                self._finish(exchange, "none")
            return
        if exchange.claim("custom"):
            self._finish(exchange, "custom")
            self._spawn(self._push(exchange, outcome.chunks))

    def _finish(self, exchange: Exchange, state: str) -> None:
        asyncio.get_running_loop().call_later(RECENT_SECONDS, self.inflight.discard, exchange)
        self._spawn(self._mark(exchange.key, state))

    async def _mark(self, key: str, state: str) -> None:
        try:
            await asyncio.to_thread(self.store.mark_message, key, state)
        except Exception as exc:  # noqa: BLE001 — bookkeeping only
            logger.warning("wechat: could not record delivery (%s)", type(exc).__name__)

    async def _push(self, exchange: Exchange, chunks: Any, delay: float = 0.0) -> None:
        if not self.settings.can_push:
            logger.warning("wechat: answer for %s was late and no app_secret is set; it was not sent", exchange.sender)
            return
        if delay:
            await asyncio.sleep(delay)
        for chunk in chunks:
            if not await self.api.send_text(exchange.openid, chunk, who=exchange.sender):
                return

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _choices(self, sender: str) -> List[Dict[str, str]]:
        try:
            return await asyncio.to_thread(self.store.load_choices, sender)
        except Exception as exc:  # noqa: BLE001
            logger.warning("wechat: could not read choices for %s (%s)", sender, type(exc).__name__)
            return []

    async def _feedback(self, sender: str, text: str) -> Optional[Outcome]:
        """A reply that only rates the answer just given: recorded (once per answer), thanked, not
        sent to Rasa. None when the message is anything else, or the last turn was no answer."""
        helpful = feedback.feedback_in(text)
        agent = getattr(getattr(self._app, "ctx", None), "agent", None)
        if helpful is None or agent is None or agent.tracker_store is None:
            return None
        if not self.ratings.allows(sender):
            logger.info("wechat: refused a rating over the limit from %s", sender)
            return Outcome([RATED_TOO_OFTEN])
        self.ratings.take(sender)
        try:
            first = await feedback.rate(
                agent.tracker_store, sender, feedback.latest_answer, helpful, self.settings.database_url, self.name()
            )
            if first is None:
                return None  # "不对" after a question or an assessment: a message for the assistant
        except Exception as exc:  # noqa: BLE001 — then the message goes to the assistant as usual
            logger.warning("wechat: could not record feedback for %s (%s)", sender, type(exc).__name__)
            return None
        logger.info("wechat: %s rated an answer %s", sender, "helpful" if helpful else "not helpful")
        if not first:
            return Outcome([ALREADY_RATED])
        return Outcome([THANKS_HELPFUL if helpful else THANKS_NOT_HELPFUL])

    # --- what a message means ---------------------------------------------------------------
    async def _converse(
        self, exchange: Exchange, msg: Dict[str, str], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Outcome:
        kind = msg.get("MsgType", "").lower()
        text: Optional[str] = None
        if kind == "text":
            text = msg.get("Content", "").strip()
            if not text:
                return Outcome([EMPTY_TEXT])
            text = choice_payload(text, await self._choices(exchange.sender)) or text
        elif kind == "voice":
            text = msg.get("Recognition", "").strip().rstrip("。")
            if not text:
                return Outcome([ASK_TO_TYPE])
        if text is not None:
            rated = await self._feedback(exchange.sender, text)
            if rated is not None:
                return rated
        elif kind == "event":
            event = msg.get("Event", "").lower()
            if event == "subscribe":
                return Outcome([WELCOME])
            if event == "click":
                text = MENU_PAYLOADS.get(msg.get("EventKey", ""))
                if text is None:
                    return Outcome([WELCOME])
            else:
                return Outcome([])  # unsubscribe, VIEW, LOCATION …: nothing to say
        else:
            return Outcome([UNSUPPORTED])

        collector = WeChatOutput()
        logger.debug("wechat: %s message from %s", kind, exchange.sender)
        await on_new_message(
            UserMessage(text, collector, exchange.sender, input_channel=self.name(), metadata={"wechat_msg_type": kind})
        )
        rendered = render(collector.messages)
        try:
            await asyncio.to_thread(self.store.save_choices, exchange.sender, rendered.buttons)
        except Exception as exc:  # noqa: BLE001 — the answer matters more than the numbering
            logger.warning("wechat: could not save choices for %s (%s)", exchange.sender, type(exc).__name__)
        if not rendered.text:  # e.g. the action server failed: say so rather than stay silent
            logger.warning("wechat: no answer for a %s message from %s", kind, exchange.sender)
            return Outcome([SORRY])
        return Outcome(split_text(rendered.text))

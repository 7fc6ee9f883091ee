"""Server-side limits shared by every input channel (REST, socket.io, WeChat).

- ``guard(on_new_message)`` wraps Rasa's message handler: a message longer than
  ``ZHICHENG_MAX_MESSAGE_CHARS`` (500) is answered with a polite reply naming the limit and never
  reaches NLU, the tracker or the actions, so a 10,000-character message costs nothing. A turn
  that takes longer than ``ZHICHENG_TURN_BUDGET`` seconds is not waited for: the user is told the
  answer is still coming, and the turn finishes on its own (it is never cancelled half-way, which
  could leave a conversation's lock or events half-written).
- ``clean_text(text)``: every message is cleaned once at the door, in ``guard``: a lone surrogate
  (half an emoji), an unassigned code point or a noncharacter becomes U+FFFD and control characters
  other than tab and newline are dropped, so no message can crash the NLU or the tracker store.
- ``valid_sender_id(value)``: a conversation id (REST ``sender``, socket.io ``session_id``) is
  printable text of at most 128 characters — a newline in it would forge a line in Rasa's log.
- ``secure_server(blueprint)`` limits the request body the Rasa server reads
  (``ZHICHENG_MAX_BODY_BYTES``; larger bodies get 413 before they are read) and masks personal
  numbers in every log record of the process (bot.storage.privacy).
- ``RateLimit``: at most N events per key in a sliding window (in memory, per process). The
  channels take ratings (有帮助 / 没帮助) through it: ``ZHICHENG_FEEDBACK_PER_SESSION`` per minute
  from one conversation (widget session, WeChat user) and ``ZHICHENG_FEEDBACK_PER_ADDRESS`` per
  minute from one client address (widget; ``client_address``); a rating over a limit is refused
  and nothing is stored, so one script cannot fill the inbox with 没帮助.
"""

from __future__ import annotations

import asyncio
import logging
import time
import unicodedata
from collections import OrderedDict, deque
from typing import Any, Awaitable, Callable, Deque, Mapping, Optional, Tuple

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint

from bot.settings import get_security_settings
from bot.storage.privacy import install_log_masking, safe_for_log

logger = logging.getLogger(__name__)


def too_long_reply(limit: int) -> str:
    return (
        f"抱歉，您的消息超过了{limit}个字，我没有处理。请您把问题精简到{limit}字以内再发送，例如：长治中级评审费多少。"
    )


STILL_WORKING = "您的问题还在处理中，请稍等片刻再发一次，或换个问法。"

Handler = Callable[[UserMessage], Awaitable[Any]]
MAX_SENDER_CHARS = 128
REPLACEMENT = "\ufffd"


def _clean_char(ch: str) -> str:
    if ch in "\n\t":
        return ch
    category = unicodedata.category(ch)
    if category == "Cc":  # NUL, ESC, carriage return … : nothing a person typed
        return ""
    if category in ("Cs", "Cn") or (0xFDD0 <= ord(ch) <= 0xFDEF) or (ord(ch) & 0xFFFE) == 0xFFFE:
        return REPLACEMENT  # half a surrogate pair, unassigned, noncharacter
    return ch


def clean_text(text: str) -> str:
    """``text`` with every code point the NLU and the stores can take (see the module doc)."""
    if text.isprintable():  # False for a lone surrogate, a control or an unassigned code point
        return text  # the common case, checked in C
    return "".join(_clean_char(ch) for ch in text)


def valid_sender_id(value: Any) -> bool:
    """Printable text of 1–128 characters, not only spaces (no newline, no control character)."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= MAX_SENDER_CHARS
        and bool(value.strip())
        and value.isprintable()  # also False for a lone surrogate
    )


def guard(on_new_message: Handler, limit: int = 0, budget: Optional[float] = None) -> Handler:
    """``on_new_message`` for messages within the length limit (longer ones get the polite reply),
    waited for at most ``budget`` seconds."""
    limit = limit or get_security_settings().max_message_chars
    budget = budget if budget is not None else get_security_settings().turn_budget

    async def guarded(message: UserMessage) -> Any:
        if isinstance(message.text, str):
            message.text = clean_text(message.text)
        text = message.text
        if isinstance(text, str) and len(text) > limit:
            logger.info(
                "%s: refused a message of %s characters from %s (limit %s)",
                message.input_channel,
                len(text),
                message.sender_id,
                limit,
            )
            if message.output_channel is not None:
                await message.output_channel.send_text_message(message.sender_id, too_long_reply(limit))
            return None
        if not budget:  # the channel keeps its own deadline (WeChat)
            return await on_new_message(message)
        turn = asyncio.ensure_future(on_new_message(message))
        try:
            return await asyncio.wait_for(asyncio.shield(turn), timeout=budget)
        except asyncio.TimeoutError:
            logger.warning(
                "%s: a turn of %s took over %ss; the user was told to wait",
                message.input_channel,
                message.sender_id,
                budget,
            )
            if message.output_channel is not None:
                await message.output_channel.send_text_message(message.sender_id, STILL_WORKING)
            return None

    guarded.limit = limit  # type: ignore[attr-defined]
    guarded.budget = budget  # type: ignore[attr-defined]
    return guarded


class RateLimit:
    """At most ``limit`` events per key within ``window`` seconds (a sliding window). The keys
    least recently used are forgotten beyond ``max_keys``, so memory stays bounded whatever the
    keys (a forgotten key starts afresh, which only ever lets a little more through)."""

    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._events: OrderedDict[str, Deque[float]] = OrderedDict()

    def _recent(self, key: str) -> Deque[float]:
        seen = self._events.get(key)
        if seen is None:
            seen = self._events[key] = deque()
        self._events.move_to_end(key)
        cutoff = self.clock() - self.window
        while seen and seen[0] <= cutoff:
            seen.popleft()
        return seen

    def allows(self, key: str) -> bool:
        """Whether one more event of ``key`` would be within the limit (nothing is counted)."""
        return len(self._recent(key)) < self.limit

    def take(self, key: str) -> None:
        """Count one event of ``key``."""
        self._recent(key).append(self.clock())
        while len(self._events) > self.max_keys:
            self._events.popitem(last=False)


def take_all(*limits: Tuple[RateLimit, str]) -> bool:
    """Count one event of each ``(limit, key)`` if every limit allows it; else count nothing and
    return False."""
    if not all(limit.allows(key) for limit, key in limits):
        return False
    for limit, key in limits:
        limit.take(key)
    return True


def client_address(environ: Optional[Mapping[str, Any]], trust_proxy: bool) -> str:
    """The address a socket.io connection came from: the last ``X-Forwarded-For`` entry when a
    proxy in front is trusted (``ZHICHENG_TRUST_PROXY``; it appends the real peer), else the peer."""
    environ = environ or {}
    if trust_proxy:
        forwarded = str(environ.get("HTTP_X_FORWARDED_FOR") or "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()[:64]
    request = environ.get("sanic.request")
    peer = getattr(request, "ip", None) or environ.get("REMOTE_ADDR") or "-"
    return str(peer)[:64]


def secure_server(bp: Blueprint) -> None:
    """Before the server starts: the body limit on the whole app, and masked logs."""
    install_log_masking()
    max_body = get_security_settings().max_body_bytes

    @bp.listener("before_server_start")  # type: ignore[untyped-decorator]  # Sanic's Blueprint methods are untyped (Any) here
    async def limit_body(app: Any, _loop: Any) -> None:
        if app.config.REQUEST_MAX_SIZE != max_body:
            app.config.REQUEST_MAX_SIZE = max_body
            logger.info("request bodies over %s bytes are refused (413)", max_body)


__all__ = [
    "STILL_WORKING",
    "RateLimit",
    "clean_text",
    "client_address",
    "guard",
    "secure_server",
    "take_all",
    "too_long_reply",
    "safe_for_log",
    "valid_sender_id",
]

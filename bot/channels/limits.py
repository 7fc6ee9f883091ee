"""Server-side limits shared by every input channel (REST, socket.io, WeChat).

- ``guard(on_new_message)`` wraps Rasa's message handler: a message longer than
  ``ZHICHENG_MAX_MESSAGE_CHARS`` (500) is answered with a polite reply naming the limit and never
  reaches NLU, the tracker or the actions, so a 10,000-character message costs nothing.
- ``secure_server(blueprint)`` limits the request body the Rasa server reads
  (``ZHICHENG_MAX_BODY_BYTES``; larger bodies get 413 before they are read) and masks personal
  numbers in every log record of the process (bot.privacy).
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint

from bot.privacy import install_log_masking, safe_for_log
from bot.settings import get_security_settings

logger = logging.getLogger(__name__)


def too_long_reply(limit: int) -> str:
    return f"抱歉，您的消息超过了{limit}个字，我没有处理。请您把问题精简到{limit}字以内再发送，例如：长治中级评审费多少。"


Handler = Callable[[UserMessage], Awaitable[Any]]


def guard(on_new_message: Handler, limit: int = 0) -> Handler:
    """``on_new_message`` for messages within the length limit; longer ones get the polite reply."""
    limit = limit or get_security_settings().max_message_chars

    async def guarded(message: UserMessage) -> Any:
        text = message.text
        if isinstance(text, str) and len(text) > limit:
            logger.info("%s: refused a message of %s characters from %s (limit %s)",
                        message.input_channel, len(text), message.sender_id, limit)
            if message.output_channel is not None:
                await message.output_channel.send_text_message(message.sender_id, too_long_reply(limit))
            return None
        return await on_new_message(message)

    guarded.limit = limit  # type: ignore[attr-defined]
    return guarded


def secure_server(bp: Blueprint) -> None:
    """Before the server starts: the body limit on the whole app, and masked logs."""
    install_log_masking()
    max_body = get_security_settings().max_body_bytes

    @bp.listener("before_server_start")
    async def limit_body(app, _loop) -> None:  # noqa: ANN001
        if app.config.REQUEST_MAX_SIZE != max_body:
            app.config.REQUEST_MAX_SIZE = max_body
            logger.info("request bodies over %s bytes are refused (413)", max_body)


__all__ = ["guard", "secure_server", "too_long_reply", "safe_for_log"]

"""The REST channel, ``POST /webhooks/rest/webhook`` with ``{"sender": …, "message": …}``, with the
server-side limits of bot.plugins.channels.limits. Registered in credentials.yml as
``bot.plugins.channels.rest.LimitedRestInput`` (name ``rest``, so the URL is Rasa's).

Unlike Rasa's ``RestInput`` it answers 400 (not 500) to a body that is not a JSON object or whose
``sender`` / ``message`` are not text, refuses messages over the length limit with a polite reply,
never logs the message text, and does not let a caller choose another channel's name
(``input_channel``) — a REST message is always from ``rest``.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.plugins.channels.limits import MAX_SENDER_CHARS, guard, secure_server, valid_sender_id

logger = logging.getLogger(__name__)


def _bad(reason: str) -> HTTPResponse:
    return response.json({"error": reason}, status=400)


class LimitedRestInput(InputChannel):  # type: ignore[misc]  # rasa is untyped (Any)
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("limited_rest_webhook", __name__)
        secure_server(bp)
        handle = guard(on_new_message)

        @bp.route("/", methods=["GET"])  # type: ignore[untyped-decorator]  # Sanic's Blueprint methods are untyped (Any) here
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])  # type: ignore[untyped-decorator]  # Sanic's Blueprint methods are untyped (Any) here
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # noqa: BLE001 — any unparsable body is the caller's mistake
                return _bad("the body must be a JSON object")
            if not isinstance(body, dict):
                return _bad("the body must be a JSON object")
            sender: Optional[Any] = body.get("sender")
            text = body.get("message")
            if isinstance(sender, (int, float)) and not isinstance(sender, bool):
                sender = str(sender)
            if sender is not None and not valid_sender_id(sender):
                return _bad(f"sender must be printable text of at most {MAX_SENDER_CHARS} characters")
            if not isinstance(text, str):
                return _bad("message must be text")
            collector = CollectingOutputChannel()
            try:
                await handle(UserMessage(text, collector, sender, input_channel=self.name()))
            except Exception:  # noqa: BLE001 — logged without the message
                logger.exception("rest: handling a message of %s characters failed", len(text))
            return response.json(collector.messages)

        return bp

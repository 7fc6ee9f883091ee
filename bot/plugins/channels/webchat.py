"""Website chat widget channel: Rasa's socket.io channel plus the widget's own assets.

Registered in credentials.yml as ``bot.plugins.channels.webchat.WebChatInput``. It speaks Rasa's
socket.io protocol unchanged (``session_request`` → ``session_confirm``, ``user_uttered`` →
``bot_uttered``) and serves the built widget (``widget/dist``) from the Rasa server itself:

| URL | what |
| --- | --- |
| ``/webchat/`` | health check (JSON) |
| ``/webchat/widget.js`` | the widget script (one ``<script>`` tag embeds it) |
| ``/webchat/widget.css`` | its stylesheet (loaded by the script) |
| ``/webchat/demo.html`` | a demo page embedding the widget |

When the widget has not been built the asset routes answer 503 and say to run ``make setup``;
the socket.io channel works regardless.

Settings (environment): ``ZHICHENG_WIDGET_DIR`` — folder of the built widget (default
``widget/dist`` in the repository); ``ZHICHENG_CORS_ORIGINS`` — the sites whose pages may open the
socket.io connection (bot.settings; the server's own origin always may). Messages over the length
limit get a polite reply and are not processed; socket.io packets and request bodies are limited
in size (bot.plugins.channels.limits).

Feedback (docs/feedback.md): an answer's last message carries ``answer: {"id": …}``; the widget
sends 有帮助 / 没帮助 as a socket.io ``feedback`` event ``{"session_id", "answer_id", "helpful"}``
(acknowledged with ``{"ok": true}`` or ``{"ok": false, "error": …}``), never as a chat message, so
the conversation is not disturbed. The answer must be in this socket's own conversation (the
tracker store is read; a forged or foreign id is refused); it is rated once (bot.storage.feedback).
Ratings are limited per session and per client address (``ZHICHENG_FEEDBACK_PER_SESSION`` /
``ZHICHENG_FEEDBACK_PER_ADDRESS`` a minute; bot.plugins.channels.limits): one over a limit is
acknowledged with ``{"ok": false, "error": "rate_limited"}`` and nothing is read or stored.

Delivery (docs/widget.md): a ``user_uttered`` that asks for an acknowledgement gets it as soon as the
message is taken (``{"ok": true}``), before the turn runs — not after it, as in Rasa — so the widget
can tell a dead connection (no acknowledgement within seconds) from a slow answer and send the
message again after reconnecting. The widget's ``message_id`` makes that resend safe: a second copy
of a message this process already took is acknowledged and dropped, never processed twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Mapping, Optional, Set
from urllib.parse import urlsplit

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.plugins.channels.limits import RateLimit, client_address, guard, secure_server, take_all, valid_sender_id
from bot.settings import get_security_settings, get_settings
from bot.storage import feedback

logger = logging.getLogger(__name__)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
URL_PREFIX = "/webchat"

# file name → content type; nothing else is served from the folder.
ASSETS: Dict[str, str] = {
    "widget.js": "application/javascript; charset=utf-8",
    "widget.css": "text/css; charset=utf-8",
    "demo.html": "text/html; charset=utf-8",
}
NOT_BUILT = "The chat widget has not been built. Run `make setup` (or `make widget`) and reload.\n"
# The widget's id of a user message, and how many (session, id) pairs are remembered to drop resends.
MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
TAKEN_LIMIT = 10_000


@dataclass(frozen=True)
class WidgetSettings:
    """Where the built widget lives."""

    dist_dir: str


def get_widget_settings(env: Optional[Mapping[str, str]] = None) -> WidgetSettings:
    """Read the widget settings from the environment, with the repository default."""
    env = os.environ if env is None else env
    return WidgetSettings(dist_dir=env.get("ZHICHENG_WIDGET_DIR") or os.path.join(ROOT, "widget", "dist"))


def asset_response(dist_dir: str, name: str) -> HTTPResponse:
    """The named asset from ``dist_dir``: 404 for unknown names, 503 when not built."""
    content_type = ASSETS.get(name)
    if content_type is None:
        return response.text("Not found\n", status=404)
    path = os.path.join(dist_dir, name)
    try:
        with open(path, "rb") as f:
            body = f.read()
    except OSError:
        return response.text(NOT_BUILT, status=503, headers={"Retry-After": "60", "Cache-Control": "no-store"})
    headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
    if name.endswith(".js") or name.endswith(".css"):
        # The script is embedded by pages on other origins.
        headers["Access-Control-Allow-Origin"] = "*"
    return response.raw(body, content_type=content_type, headers=headers)


def origin_check(allowed: Iterable[str]) -> Callable[[Optional[str], Dict[str, Any]], bool]:
    """For engine.io: a browser connection from a listed origin or from the server's own."""
    listed = {o.rstrip("/").lower() for o in allowed}

    def allowed_origin(origin: Optional[str], environ: Optional[Dict[str, Any]] = None) -> bool:
        if not origin:
            return True  # not a browser on another site (same-origin GET, or no browser at all)
        origin = origin.rstrip("/").lower()
        if origin in listed:
            return True
        host = ((environ or {}).get("HTTP_HOST") or "").lower()
        parts = urlsplit(origin)
        return bool(host) and parts.netloc == host and parts.scheme in ("http", "https")

    return allowed_origin


class WebChatOutput(SocketIOOutput):  # type: ignore[misc]  # rasa is untyped (Any)
    """Rasa's socket.io output (text split at blank lines, buttons on the last part as quick
    replies), with an answer's id on its last part: the widget shows 有帮助 / 没帮助 under it."""

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_parts(recipient_id, text, [], kwargs)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._send_parts(recipient_id, text, buttons, kwargs)

    async def _send_parts(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], kwargs: Dict[str, Any]
    ) -> None:
        messages: List[Dict[str, Any]] = [
            {"text": part, **({"quick_replies": []} if buttons else {})} for part in text.strip().split("\n\n")
        ]
        if buttons:
            messages[-1]["quick_replies"] = [
                {"content_type": "text", "title": b["title"], "payload": b["payload"]} for b in buttons
            ]
        answer = feedback.answer_of(kwargs)
        if answer is not None:
            messages[-1][feedback.ANSWER_KEY] = {"id": answer["id"]}
        for message in messages:
            await self._send_message(recipient_id, message)


class WebChatInput(SocketIOInput):  # type: ignore[misc]  # rasa is untyped (Any)
    """Rasa's socket.io input channel, serving the widget's assets under ``/webchat/``."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    def url_prefix(self) -> str:
        # An absolute prefix: Rasa joins it onto "/webhooks/", which keeps it as is.
        return URL_PREFIX

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return None
        return WebChatOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's socket.io blueprint, a fixed ``session_request`` and the asset routes."""
        security = get_security_settings()
        handle = guard(on_new_message, security.max_message_chars)
        bp: Blueprint = super().blueprint(handle)
        secure_server(bp)
        sio = self.sio
        assert sio is not None
        settings = get_widget_settings()
        # Rasa turns engine.io's origin check off (cors_allowed_origins=[]); turn it back on, for
        # the configured sites only. A socket.io packet is at most a request body.
        sio.eio.cors_allowed_origins = origin_check(security.cors_origins)
        sio.eio.max_http_buffer_size = security.max_body_bytes

        taken: OrderedDict[str, None] = OrderedDict()  # "session\nmessage id" of recent messages
        turns: Set[asyncio.Future[Any]] = set()  # running turns (a reference keeps each alive)

        def turn_done(turn: asyncio.Future[Any]) -> None:
            turns.discard(turn)
            if not turn.cancelled() and turn.exception() is not None:
                logger.error("webchat: a turn failed", exc_info=turn.exception())

        # Rasa's handler fails on anything but an object with text (a crash per bad packet);
        # this one ignores malformed packets and applies the length limit (``guard``). It
        # acknowledges a message once taken and runs the turn on its own (see Delivery above).
        @sio.on(self.user_message_evt, namespace=self.namespace)  # type: ignore[untyped-decorator]  # python-socketio is untyped
        async def handle_message(sid: str, data: Any) -> Dict[str, Any]:
            if not isinstance(data, dict) or not isinstance(data.get("message", ""), str):
                logger.info("webchat: ignored a malformed message packet")
                return {"ok": False, "error": "malformed"}
            if self.session_persistence:
                sender_id = data.get("session_id")
                if not valid_sender_id(sender_id):
                    logger.info("webchat: ignored a message without a valid session id")
                    return {"ok": False, "error": "malformed"}
            else:
                sender_id = sid
            message_id = data.get("message_id")
            if isinstance(message_id, str) and MESSAGE_ID.fullmatch(message_id):
                key = f"{sender_id}\n{message_id}"
                if key in taken:
                    logger.info("webchat: dropped a resent copy of a message already taken")
                    return {"ok": True, "duplicate": True}
                taken[key] = None
                while len(taken) > TAKEN_LIMIT:
                    taken.popitem(last=False)
            metadata = data.get(self.metadata_key)
            output = self.get_output_channel()
            turn = asyncio.ensure_future(
                handle(
                    UserMessage(
                        data.get("message", ""),
                        output,
                        sender_id,
                        input_channel=self.name(),
                        metadata=metadata if isinstance(metadata, dict) else None,
                    )
                )
            )
            turns.add(turn)
            turn.add_done_callback(turn_done)
            return {"ok": True}

        # Rasa 3.6 calls ``sio.enter_room`` without awaiting it; with python-socketio 5.x it is a
        # coroutine, so the client never joins its session's room and persistent sessions get no
        # replies. Re-register the handler with the call awaited.
        @sio.on("session_request", namespace=self.namespace)  # type: ignore[untyped-decorator]  # python-socketio is untyped
        async def session_request(sid: str, data: Optional[Dict[str, Any]]) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id")
            if not valid_sender_id(session_id):
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        app_of: Dict[str, Any] = {}
        per_session = RateLimit(security.feedback_per_session)
        per_address = RateLimit(security.feedback_per_address)

        @bp.listener("before_server_start")  # type: ignore[untyped-decorator]  # Sanic's Blueprint methods are untyped (Any) here
        async def keep_app(app: Any, _loop: Any) -> None:
            app_of["app"] = app  # the agent (its tracker store) is app.ctx.agent once loaded

        @sio.on("feedback", namespace=self.namespace)  # type: ignore[untyped-decorator]  # python-socketio is untyped
        async def on_feedback(sid: str, data: Any) -> Dict[str, Any]:
            """有帮助 / 没帮助 for one answer of this socket's conversation; the return value is
            the acknowledgement the widget waits for."""
            if (
                not isinstance(data, dict)
                or not isinstance(data.get("helpful"), bool)
                or not feedback.valid_answer_id(data.get("answer_id"))
            ):
                logger.info("webchat: ignored a malformed feedback packet")
                return {"ok": False, "error": "malformed"}
            if self.session_persistence:
                sender_id = data.get("session_id")
                joined = sio.rooms(sid, namespace=self.namespace) or []
                if not isinstance(sender_id, str) or sender_id == sid or sender_id not in joined:
                    logger.info("webchat: refused feedback for a session this socket did not join")
                    return {"ok": False, "error": "unknown_answer"}
            else:
                sender_id = sid
            address = client_address(sio.get_environ(sid, namespace=self.namespace), security.trust_proxy)
            if not take_all((per_session, sender_id), (per_address, address)):
                logger.info("webchat: refused a rating over the limit from session %s", sender_id)
                return {"ok": False, "error": "rate_limited"}
            agent = getattr(getattr(app_of.get("app"), "ctx", None), "agent", None)
            if agent is None or agent.tracker_store is None:
                return {"ok": False, "error": "unavailable"}
            try:
                first = await feedback.rate(
                    agent.tracker_store,
                    sender_id,
                    lambda events: feedback.find_answer(events, data["answer_id"]),
                    data["helpful"],
                    get_settings().core.database_url,
                    self.name(),
                )
                if first is None:
                    logger.info("webchat: refused feedback for an answer not in %s's conversation", sender_id)
                    return {"ok": False, "error": "unknown_answer"}
            except Exception:  # noqa: BLE001 — a rating must never break the chat
                logger.exception("webchat: could not record feedback")
                return {"ok": False, "error": "unavailable"}
            return {"ok": True, "first": first}

        @bp.route("/<name:str>", methods=["GET"])  # type: ignore[untyped-decorator]  # Sanic's Blueprint methods are untyped (Any) here
        async def asset(_: Request, name: str) -> HTTPResponse:
            return asset_response(settings.dist_dir, name)

        return bp

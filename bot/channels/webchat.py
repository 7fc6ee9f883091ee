"""Website chat widget channel: Rasa's socket.io channel plus the widget's own assets.

Registered in credentials.yml as ``bot.channels.webchat.WebChatInput``. It speaks Rasa's
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
in size (bot.channels.limits).
"""
from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Iterable, Mapping, Optional, Text
from urllib.parse import urlsplit

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.limits import guard, secure_server
from bot.settings import get_security_settings

logger = logging.getLogger(__name__)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
URL_PREFIX = "/webchat"

# file name → content type; nothing else is served from the folder.
ASSETS: Dict[str, str] = {
    "widget.js": "application/javascript; charset=utf-8",
    "widget.css": "text/css; charset=utf-8",
    "demo.html": "text/html; charset=utf-8",
}
NOT_BUILT = "The chat widget has not been built. Run `make setup` (or `make widget`) and reload.\n"


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


class WebChatInput(SocketIOInput):
    """Rasa's socket.io input channel, serving the widget's assets under ``/webchat/``."""

    @classmethod
    def name(cls) -> Text:
        return "webchat"

    def url_prefix(self) -> Text:
        # An absolute prefix: Rasa joins it onto "/webhooks/", which keeps it as is.
        return URL_PREFIX

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's socket.io blueprint, a fixed ``session_request`` and the asset routes."""
        security = get_security_settings()
        handle = guard(on_new_message, security.max_message_chars)
        bp = super().blueprint(handle)
        secure_server(bp)
        sio = self.sio
        assert sio is not None
        settings = get_widget_settings()
        # Rasa turns engine.io's origin check off (cors_allowed_origins=[]); turn it back on, for
        # the configured sites only. A socket.io packet is at most a request body.
        sio.eio.cors_allowed_origins = origin_check(security.cors_origins)
        sio.eio.max_http_buffer_size = security.max_body_bytes

        # Rasa's handler fails on anything but an object with text (a crash per bad packet);
        # this one ignores malformed packets and applies the length limit (``guard``).
        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("message", ""), str):
                logger.info("webchat: ignored a malformed message packet")
                return
            if self.session_persistence:
                sender_id = data.get("session_id")
                if not isinstance(sender_id, str) or not sender_id.strip() or len(sender_id) > 128:
                    logger.info("webchat: ignored a message without a valid session id")
                    return
            else:
                sender_id = sid
            metadata = data.get(self.metadata_key)
            output = self.get_output_channel()
            await handle(UserMessage(data.get("message", ""), output, sender_id, input_channel=self.name(),
                                     metadata=metadata if isinstance(metadata, dict) else None))

        # Rasa 3.6 calls ``sio.enter_room`` without awaiting it; with python-socketio 5.x it is a
        # coroutine, so the client never joins its session's room and persistent sessions get no
        # replies. Re-register the handler with the call awaited.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id")
            if not isinstance(session_id, str) or not session_id.strip() or len(session_id) > 128:
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @bp.route("/<name:str>", methods=["GET"])
        async def asset(_: Request, name: str) -> HTTPResponse:
            return asset_response(settings.dist_dir, name)

        return bp

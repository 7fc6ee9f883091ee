"""A local stand-in for WeChat's servers, speaking the real protocol.

It plays both sides WeChat plays: it pushes users' messages to the assistant's webhook (signed,
encrypted in safe mode, waiting 5 s for a reply and resending up to three times, as WeChat does),
and it serves the API the assistant calls (/cgi-bin/stable_token, /cgi-bin/token,
/cgi-bin/message/custom/send, /cgi-bin/menu/create), recording every call. It also runs a small
proxy that can delay the action server, to make an answer slow without test hooks in the bot.
Runs its own event loop in a thread so synchronous tests can drive it.
"""

from __future__ import annotations

import asyncio
import errno
import itertools
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional
from xml.etree import ElementTree

import aiohttp
from aiohttp import web

from tests.channels.wechat import reference
from tests.helpers import free_port

WECHAT_TIMEOUT = 5.0  # WeChat drops the connection after 5 s and resends
WECHAT_RETRIES = 3
OFFICIAL_ACCOUNT = "gh_0123456789ab"


def message_xml(fields: Dict[str, Any]) -> str:
    parts = []
    for tag, value in fields.items():
        if isinstance(value, int):
            parts.append(f"<{tag}>{value}</{tag}>")
        else:
            parts.append(f"<{tag}><![CDATA[{value}]]></{tag}>")
    return "<xml>" + "".join(parts) + "</xml>"


@dataclass
class Attempt:
    status: int
    seconds: float
    body: str


@dataclass
class Delivery:
    """What WeChat saw for one user message (all attempts)."""

    attempts: List[Attempt] = field(default_factory=list)
    reply: Optional[str] = None  # the passive reply's Content, if any
    reply_to: Optional[str] = None
    failed_for_user: bool = False  # WeChat would show "该公众号暂时无法提供服务"

    @property
    def status(self) -> int:
        return self.attempts[-1].status if self.attempts else 0


class FakeWeChat:
    def __init__(self, token: str, app_id: str, app_secret: str, aes_key: str = "", port: int = 0) -> None:
        self.token, self.app_id, self.app_secret, self.aes_key = token, app_id, app_secret, aes_key
        self.port = port or free_port()
        self._chosen = not port  # a port picked here may be taken before it is bound: pick again
        self.api_calls: List[Dict[str, Any]] = []
        self.custom_messages: List[Dict[str, Any]] = []
        self.menus: List[Any] = []
        self.current_token: Optional[str] = None
        self.refuse_next_token = False  # answer 40001 once, as after a token was replaced
        self.custom_errcode = 0  # e.g. 45015 to play "outside the 48-hour window"
        self.action_target = ""  # the delaying proxy forwards here
        self.action_delay = 0.0
        self.proxy_port = free_port()
        self._seq = itertools.count(1)
        self._msg_ids = itertools.count(int(time.time() * 1000))
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._runners: List[web.AppRunner] = []

    # --- lifecycle ------------------------------------------------------------------------
    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}/webhook"

    def run(self, coro: Any, timeout: float = 120) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(self) -> FakeWeChat:
        self._thread.start()
        self.run(self._start())
        return self

    def stop(self) -> None:
        async def cleanup() -> None:
            for r in self._runners:
                await r.cleanup()

        self.run(cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    async def _start(self) -> None:
        api = web.Application()
        api.router.add_post("/cgi-bin/stable_token", self._stable_token)
        api.router.add_get("/cgi-bin/token", self._token)
        api.router.add_post("/cgi-bin/message/custom/send", self._custom_send)
        api.router.add_post("/cgi-bin/menu/create", self._menu_create)
        proxy = web.Application()
        proxy.router.add_post("/webhook", self._proxy)
        for app, attr in ((api, "port"), (proxy, "proxy_port")):
            runner = web.AppRunner(app)
            await runner.setup()
            for attempt in range(5):
                try:
                    await web.TCPSite(runner, "127.0.0.1", getattr(self, attr)).start()
                    break
                except OSError as e:
                    # free_port() only found the port free: another process on the machine may
                    # bind it first (seen once in CI beside other test runs)
                    if e.errno != errno.EADDRINUSE or (attr == "port" and not self._chosen) or attempt == 4:
                        raise
                    setattr(self, attr, free_port())
            self._runners.append(runner)

    # --- the API WeChat serves ------------------------------------------------------------
    def _new_token(self) -> str:
        self.current_token = f"ACCESS_TOKEN_{next(self._seq)}"  # a new token replaces the old one
        return self.current_token

    async def _stable_token(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.api_calls.append({"path": request.path, "json": body})
        if body.get("appid") != self.app_id or body.get("secret") != self.app_secret:
            return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
        if body.get("force_refresh") or not self.current_token:
            self._new_token()
        return web.json_response({"access_token": self.current_token, "expires_in": 7200})

    async def _token(self, request: web.Request) -> web.Response:
        q = request.query
        self.api_calls.append({"path": request.path, "query": dict(q)})
        if q.get("appid") != self.app_id or q.get("secret") != self.app_secret:
            return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
        return web.json_response({"access_token": self._new_token(), "expires_in": 7200})

    def _token_error(self, request: web.Request) -> Optional[web.Response]:
        if self.refuse_next_token:
            self.refuse_next_token = False
            self.current_token = None
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        if request.query.get("access_token") != self.current_token:
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        return None

    async def _custom_send(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.api_calls.append({"path": request.path, "query": dict(request.query), "json": body})
        error = self._token_error(request)
        if error is not None:
            return error
        if self.custom_errcode:
            return web.json_response({"errcode": self.custom_errcode, "errmsg": "refused"})
        if body.get("msgtype") != "text" or len(body["text"]["content"].encode()) > 2048:
            return web.json_response({"errcode": 44003, "errmsg": "bad text"})
        self.custom_messages.append(
            {"touser": body["touser"], "content": body["text"]["content"], "at": time.monotonic()}
        )
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _menu_create(self, request: web.Request) -> web.Response:
        raw = await request.read()
        self.api_calls.append({"path": request.path, "query": dict(request.query), "raw": raw})
        error = self._token_error(request)
        if error is not None:
            return error
        import json

        self.menus.append(json.loads(raw.decode("utf-8")))
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _proxy(self, request: web.Request) -> web.Response:
        body = await request.read()
        if self.action_delay:
            await asyncio.sleep(self.action_delay)
        async with aiohttp.ClientSession() as session:
            # pass Rasa's action-server secret on, as a reverse proxy would
            headers = {"Content-Type": "application/json"}
            if "X-Action-Token" in request.headers:
                headers["X-Action-Token"] = request.headers["X-Action-Token"]
            async with session.post(self.action_target, data=body, headers=headers) as resp:
                return web.Response(body=await resp.read(), status=resp.status, content_type="application/json")

    def messages_to(self, openid: str) -> List[str]:
        return [m["content"] for m in self.custom_messages if m["touser"] == openid]

    def wait_messages_to(self, openid: str, count: int, timeout: float = 30) -> List[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages_to(openid)) < count:
            time.sleep(0.2)
        return self.messages_to(openid)

    # --- WeChat pushing messages to the webhook -------------------------------------------
    def user_message(self, openid: str, msg_type: str, **fields: Any) -> Dict[str, Any]:
        msg: Dict[str, Any] = {
            "ToUserName": OFFICIAL_ACCOUNT,
            "FromUserName": openid,
            "CreateTime": int(time.time()),
            "MsgType": msg_type,
        }
        msg.update(fields)
        if msg_type != "event" and "MsgId" not in msg:
            msg["MsgId"] = next(self._msg_ids)
        return msg

    def signed(self, msg: Dict[str, Any], encrypted: bool, timestamp: Optional[int] = None):
        """→ (query, body) exactly as WeChat sends them."""
        ts, nonce = str(timestamp if timestamp is not None else int(time.time())), os.urandom(5).hex()
        query = {
            "signature": reference.sha1_signature(self.token, ts, nonce),
            "timestamp": ts,
            "nonce": nonce,
            "openid": "(withheld)",
        }
        plain = message_xml(msg)
        if not encrypted:
            return query, plain.encode()
        cipher = reference.encrypt(self.aes_key, self.app_id, plain, os.urandom(16))
        query.update(encrypt_type="aes", msg_signature=reference.sha1_signature(self.token, ts, nonce, cipher))
        body = f"<xml><ToUserName><![CDATA[{msg['ToUserName']}]]></ToUserName><Encrypt><![CDATA[{cipher}]]></Encrypt></xml>"
        return query, body.encode()

    def read_reply(self, body: str, encrypted: bool, delivery: Delivery) -> None:
        if body in ("", "success"):
            return
        try:
            root = ElementTree.fromstring(body)
            if encrypted:
                cipher = root.findtext("Encrypt")
                expected = reference.sha1_signature(
                    self.token, root.findtext("TimeStamp"), root.findtext("Nonce"), cipher
                )
                if root.findtext("MsgSignature") != expected:
                    raise ValueError("bad reply signature")
                inner, app_id = reference.decrypt(self.aes_key, cipher)
                if app_id != self.app_id:
                    raise ValueError("reply for another AppID")
                root = ElementTree.fromstring(inner)
            if root.findtext("MsgType") != "text" or len(root.findtext("Content").encode()) > 2048:
                raise ValueError("not a text reply within 2048 bytes")
            delivery.reply = root.findtext("Content")
            delivery.reply_to = root.findtext("ToUserName")
        except (ElementTree.ParseError, ValueError, TypeError, AttributeError):
            delivery.failed_for_user = True

    async def _attempt(self, session: aiohttp.ClientSession, url: str, query: Dict[str, str], body: bytes) -> Attempt:
        started = time.monotonic()
        try:
            async with session.post(
                url, params=query, data=body, timeout=aiohttp.ClientTimeout(total=WECHAT_TIMEOUT)
            ) as resp:
                return Attempt(resp.status, time.monotonic() - started, await resp.text())
        except asyncio.TimeoutError:
            return Attempt(0, time.monotonic() - started, "")

    async def _push(self, url: str, msg: Dict[str, Any], encrypted: bool, retries: int) -> Delivery:
        delivery = Delivery()
        async with aiohttp.ClientSession() as session:
            for _ in range(1 + retries):
                query, body = self.signed(msg, encrypted)
                attempt = await self._attempt(session, url, query, body)
                delivery.attempts.append(attempt)
                if attempt.status:  # a response arrived within 5 s: no resend
                    break
        last = delivery.attempts[-1]
        if last.status != 200:
            delivery.failed_for_user = True
        else:
            self.read_reply(last.body, encrypted, delivery)
        return delivery

    def push(self, url: str, msg: Dict[str, Any], encrypted: bool = False, retries: int = WECHAT_RETRIES) -> Delivery:
        """Deliver one user message the way WeChat does and report what the user would see."""
        return self.run(self._push(url, msg, encrypted, retries))

    def push_concurrently(self, url: str, msg: Dict[str, Any], copies: int, encrypted: bool = False) -> List[Delivery]:
        """The same message several times at once (resends overlapping the first)."""

        async def all_at_once() -> List[Delivery]:
            return await asyncio.gather(*(self._push(url, msg, encrypted, 0) for _ in range(copies)))

        return self.run(all_at_once())

    def raw_get(self, url: str, query: Dict[str, str]) -> Attempt:
        async def once() -> Attempt:
            async with aiohttp.ClientSession() as session:
                started = time.monotonic()
                async with session.get(url, params=query) as resp:
                    return Attempt(resp.status, time.monotonic() - started, await resp.text())

        return self.run(once())

    def raw_post(self, url: str, query: Dict[str, str], body: bytes) -> Attempt:
        async def once() -> Attempt:
            async with aiohttp.ClientSession() as session:
                return await self._attempt(session, url, query, body)

        return self.run(once())

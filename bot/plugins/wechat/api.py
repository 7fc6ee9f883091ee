"""WeChat's server API over aiohttp: the access token (one per official account, cached in the
database for every worker and refreshed before it expires), customer-service text messages and
the custom menu.

The token comes from ``POST /cgi-bin/stable_token``: in normal mode it returns the token already
in force, so two workers refreshing at once get the same token and never invalidate each other;
``force_refresh`` is used only when WeChat says the token is invalid (40001 / 42001 / 40014).
Errors such as 45015 (the user last wrote more than 48 hours ago) and 45047 (too many messages
in a row) are logged and reported as a False result, never raised into the conversation.
"""

from __future__ import annotations

import asyncio
import json as _json
import logging
import time
from typing import Any, Dict, Optional

import aiohttp

from bot.plugins.wechat.settings import WeChatSettings
from bot.plugins.wechat.store import WeChatStore

logger = logging.getLogger(__name__)

REFRESH_MARGIN = 300.0  # seconds before expiry when a token is renewed
TOKEN_INVALID = {40001, 42001, 40014}
KNOWN_ERRORS = {
    45015: "outside the 48-hour window",
    45047: "too many messages in a row",
    45009: "daily API quota reached",
    48001: "API not authorised",
    40003: "unknown OpenID",
}


class WeChatAPIError(RuntimeError):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeChat API error {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class WeChatAPI:
    def __init__(self, settings: WeChatSettings, store: WeChatStore, timeout: float = 10.0) -> None:
        self.settings = settings
        self.store = store
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._token: Optional[str] = None
        self._expires_at = 0.0
        self._lock: Optional[asyncio.Lock] = None

    async def _call(
        self, method: str, path: str, *, params: Optional[Dict[str, str]] = None, json: Optional[Dict[str, Any]] = None
    ) -> Dict[str, Any]:
        url = f"{self.settings.api_base}{path}"
        async with aiohttp.ClientSession(timeout=self.timeout) as session:
            # UTF-8 as written (ensure_ascii=False): WeChat shows menu names and messages as sent.
            body = None if json is None else _json.dumps(json, ensure_ascii=False).encode("utf-8")
            headers = {"Content-Type": "application/json; charset=utf-8"} if body is not None else None
            async with session.request(method, url, params=params, data=body, headers=headers) as resp:
                resp.raise_for_status()
                # WeChat answers JSON with content-type text/plain at times.
                data: Dict[str, Any] = await resp.json(content_type=None)
                return data

    # --- access token ---------------------------------------------------------------------
    async def access_token(self, invalid: Optional[str] = None) -> str:
        """A valid token; ``invalid`` names a token WeChat just refused, which forces a new one."""
        now = time.time()
        if self._token and self._token != invalid and self._expires_at - now > REFRESH_MARGIN:
            return self._token
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:  # single flight inside this worker
            now = time.time()
            if self._token and self._token != invalid and self._expires_at - now > REFRESH_MARGIN:
                return self._token
            stored = await asyncio.to_thread(self.store.load_token, self.settings.app_id)
            if stored and stored[0] != invalid and stored[1] - now > REFRESH_MARGIN:
                self._token, self._expires_at = stored  # another worker refreshed it
                return self._token
            data = await self._call(
                "POST",
                "/cgi-bin/stable_token",
                json={
                    "grant_type": "client_credential",
                    "appid": self.settings.app_id,
                    "secret": self.settings.app_secret,
                    "force_refresh": invalid is not None,
                },
            )
            if not data.get("access_token"):
                raise WeChatAPIError(int(data.get("errcode", -1)), str(data.get("errmsg", "")))
            self._token = str(data["access_token"])
            self._expires_at = now + float(data.get("expires_in", 7200))
            await asyncio.to_thread(self.store.save_token, self.settings.app_id, self._token, self._expires_at)
            logger.info("wechat: new access token, valid %ss", int(self._expires_at - now))
            return self._token

    async def _with_token(self, path: str, payload: Dict[str, Any]) -> Dict[str, Any]:
        """POST with the token; an invalid token is renewed once and the call repeated."""
        token = await self.access_token()
        data = await self._call("POST", path, params={"access_token": token}, json=payload)
        if int(data.get("errcode", 0) or 0) in TOKEN_INVALID:
            token = await self.access_token(invalid=token)
            data = await self._call("POST", path, params={"access_token": token}, json=payload)
        return data

    # --- customer-service messages --------------------------------------------------------
    async def send_text(self, openid: str, content: str, who: str = "") -> bool:
        """Send one text message; True when WeChat accepted it. Never raises. ``who`` (a
        pseudonym) is what gets logged, never the OpenID."""
        try:
            data = await self._with_token(
                "/cgi-bin/message/custom/send", {"touser": openid, "msgtype": "text", "text": {"content": content}}
            )
        except (aiohttp.ClientError, asyncio.TimeoutError, WeChatAPIError, ValueError) as exc:
            logger.warning("wechat: customer-service message to %s failed: %s", who or "?", type(exc).__name__)
            return False
        code = int(data.get("errcode", 0) or 0)
        if code:
            reason = KNOWN_ERRORS.get(code, str(data.get("errmsg", "")))
            logger.warning("wechat: customer-service message to %s refused: %s (%s)", who or "?", code, reason)
            return False
        return True

    # --- custom menu ----------------------------------------------------------------------
    async def create_menu(self, menu: Dict[str, Any]) -> Dict[str, Any]:
        """Install the custom menu; raises WeChatAPIError when WeChat refuses it."""
        data = await self._with_token("/cgi-bin/menu/create", menu)
        if int(data.get("errcode", 0) or 0):
            raise WeChatAPIError(int(data["errcode"]), str(data.get("errmsg", "")))
        return data

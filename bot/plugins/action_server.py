"""The action server, serving only Rasa: ``python -m bot.plugins.action_server``.

rasa-sdk's own ``rasa run actions`` listens on every interface, allows every CORS origin, runs any
action for anyone, and echoes the whole request (the tracker, with the user's messages) in its
500 replies. This entry point runs the same actions (package ``actions``) with:

- a bind address from ``ACTION_SERVER_HOST`` (default ``127.0.0.1``) and ``ACTION_SERVER_PORT``;
- a shared secret on every call but ``/health``: Rasa sends ``ACTION_SERVER_TOKEN`` in the
  ``X-Action-Token`` header (``endpoints.yml``); a missing or wrong secret gets 401 / 403, and
  with no secret configured every call is refused;
- no CORS (browsers have no business here) and errors that never echo the request;
- log records masked (bot.storage.privacy.install_log_masking).
"""

from __future__ import annotations

import argparse
import hmac
import importlib
import logging
import os
import sys
from typing import List, Optional

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import SecuritySettings, get_security_settings

logger = logging.getLogger(__name__)
TOKEN_HEADER = "X-Action-Token"
OPEN_PATHS = ("/health",)
# Rasa sends the whole tracker: allow long conversations, but not unbounded bodies.
MAX_BODY_BYTES = 8 * 1024 * 1024


def token_ok(expected: str, given: Optional[str]) -> bool:
    return bool(expected) and given is not None and hmac.compare_digest(expected.encode(), given.encode())


def create_app(settings: Optional[SecuritySettings] = None, actions: str = "actions") -> Sanic:
    from rasa_sdk.endpoint import create_app as sdk_app

    settings = settings or get_security_settings()
    app: Sanic = sdk_app(actions, cors_origins=None)
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    expected = settings.action_token
    if not expected:
        logger.warning("ACTION_SERVER_TOKEN is not set: the action server refuses every call")

    @app.middleware("request")  # type: ignore[no-untyped-call, untyped-decorator]  # unannotated in Sanic 21.12
    async def require_secret(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get(TOKEN_HEADER)
        if given is None:
            return response.json({"error": "missing action server token"}, status=401)
        if not token_ok(expected, given):
            return response.json({"error": "wrong action server token"}, status=403)
        return None

    @app.exception(Exception)  # type: ignore[no-untyped-call, untyped-decorator]  # unannotated in Sanic 21.12
    async def failed(request: Request, exception: Exception) -> HTTPResponse:
        # rasa-sdk's handler returns the request body (the tracker) and logs it; this one does neither.
        status = getattr(exception, "status_code", 500) or 500
        if status >= 500:  # where it failed, never the exception's text (it may quote the user)
            tb = exception.__traceback__
            while tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
            where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb is not None else "?"
            logger.error("action server: %s at %s on %s", type(exception).__name__, where, request.path)
        return response.json({"error": "request failed"}, status=status)

    return app


def main(argv: Optional[List[str]] = None) -> int:
    from bot.storage.privacy import install_log_masking

    parser = argparse.ArgumentParser(prog="python -m bot.plugins.action_server", description=__doc__.splitlines()[0])
    parser.add_argument("--actions", default="actions", help="package of the actions (default: actions)")
    parser.add_argument("--port", type=int, default=None, help="port (default: ACTION_SERVER_PORT or 5055)")
    parser.add_argument("--host", default=None, help="address (default: ACTION_SERVER_HOST or 127.0.0.1)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    install_log_masking()
    settings = get_security_settings()
    host, port = args.host or settings.action_host, args.port or settings.action_port
    app = create_app(settings, args.actions)
    from bot.settings import get_settings
    from bot.storage.migrate import on_start

    on_start(get_settings().core.database_url)  # the assessments' tables, before the first call
    try:  # the indexes the first answers need, built before /health passes (actions/warmup.py)
        warm = importlib.import_module(f"{args.actions}.warmup")
    except ModuleNotFoundError:
        warm = None
    if warm is not None:
        logger.info("warmed up in %.1f s", warm.warm_up())
    logger.info("action server on http://%s:%s (only calls carrying %s)", host, port, TOKEN_HEADER)
    app.run(host, port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("SANIC_REGISTER", "False")
    sys.exit(main())

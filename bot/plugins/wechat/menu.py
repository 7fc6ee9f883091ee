"""The official account's custom menu (自定义菜单) and the command that installs it.

    python -m bot.plugins.wechat.menu            # install (needs WECHAT_APP_ID and WECHAT_APP_SECRET)
    python -m bot.plugins.wechat.menu --print    # only show the JSON sent to WeChat

WeChat allows at most 3 first-level buttons (4 Chinese characters each) with up to 5 sub-buttons,
so 截止时间 and 评审费 share the 时间费用 button. Each click sends a CLICK event whose EventKey the
channel maps to an intent (``MENU_PAYLOADS``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any, Dict, List, Optional

MENU_PAYLOADS: Dict[str, str] = {
    "ASK_CONDITIONS": "/ask_conditions",
    "ASK_DEADLINE": "/ask_deadline",
    "ASK_FEE": "/ask_fee",
    "ASK_ELIGIBILITY": "/ask_eligibility",
}

MENU: Dict[str, Any] = {
    "button": [
        {"type": "click", "name": "申报条件", "key": "ASK_CONDITIONS"},
        {
            "name": "时间费用",
            "sub_button": [
                {"type": "click", "name": "截止时间", "key": "ASK_DEADLINE"},
                {"type": "click", "name": "评审费", "key": "ASK_FEE"},
            ],
        },
        {"type": "click", "name": "我能报吗", "key": "ASK_ELIGIBILITY"},
    ]
}


def menu_json() -> str:
    return json.dumps(MENU, ensure_ascii=False, indent=2)


async def install(settings: Any) -> Dict[str, Any]:
    """Send the menu to WeChat's /cgi-bin/menu/create."""
    from bot.plugins.wechat.api import WeChatAPI
    from bot.plugins.wechat.store import WeChatStore
    from bot.storage.migrate import upgrade

    upgrade(settings.database_url)  # the access-token cache's table
    return await WeChatAPI(settings, WeChatStore(settings.database_url)).create_menu(MENU)


def main(argv: Optional[List[str]] = None) -> int:
    from bot.plugins.wechat.api import WeChatAPIError
    from bot.plugins.wechat.settings import WeChatSettingsError, from_env

    parser = argparse.ArgumentParser(description="Install the official account's custom menu.")
    parser.add_argument("--print", action="store_true", dest="only_print", help="print the menu JSON and exit")
    args = parser.parse_args(argv)
    if args.only_print:
        print(menu_json())
        return 0
    try:
        settings = from_env()
    except WeChatSettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not settings.can_push:
        print("error: set WECHAT_APP_ID and WECHAT_APP_SECRET", file=sys.stderr)
        return 2
    try:
        asyncio.run(install(settings))
    except WeChatAPIError as exc:
        print(f"error: WeChat refused the menu: {exc.errcode} {exc.errmsg}", file=sys.stderr)
        return 1
    except Exception as exc:  # network errors: say what happened, no traceback
        print(f"error: could not reach {settings.api_base}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"menu installed: {', '.join(b['name'] for b in MENU['button'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The same WeChat channel under other names, so one Rasa server can serve a safe-mode account and a
switched-off one next to the plain-mode channel from credentials.yml (Rasa keys channels by name)."""

from bot.plugins.channels.wechat import WeChatInput


class SafeWeChatInput(WeChatInput):
    @classmethod
    def name(cls) -> str:
        return "wechat_safe"


class OffWeChatInput(WeChatInput):
    @classmethod
    def name(cls) -> str:
        return "wechat_off"

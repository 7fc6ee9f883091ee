"""The web chat channel takes a widget message and acknowledges it before the turn runs (so the
widget can tell a dead connection from a slow answer), and drops a resent copy of a message it
already took (same session and message id), so a message whose acknowledgement was lost is never
processed twice. The handler registered on the channel's socket.io server is called directly; the
browser test (test_widget_browser.py) covers the same through a dead connection and a restart."""

import asyncio
from typing import List

from rasa.core.channels.channel import UserMessage

from bot.plugins.channels.webchat import WebChatInput

SESSION = "0123456789abcdef0123456789abcdef"


def test_a_message_is_acknowledged_once_taken_and_a_resent_copy_is_dropped():
    async def run() -> None:
        taken: List[str] = []
        finish = asyncio.Event()

        async def on_new_message(message: UserMessage) -> None:
            taken.append(message.text)
            await finish.wait()  # a slow turn

        channel = WebChatInput.from_credentials({"session_persistence": True})
        channel.blueprint(on_new_message)
        handle = channel.sio.handlers["/"]["user_uttered"]
        message = {"message": "长治中级评审费多少", "session_id": SESSION, "message_id": "mabc1"}

        # acknowledged at once although the turn has not finished
        assert await asyncio.wait_for(handle("sid-1", dict(message)), 5) == {"ok": True}
        await asyncio.sleep(0.05)
        assert taken == ["长治中级评审费多少"]
        # the same message again (its acknowledgement was lost; sent after reconnecting): dropped
        assert await handle("sid-2", dict(message)) == {"ok": True, "duplicate": True}
        # another message, the same id in another conversation, and a message without an id: taken
        assert await handle("sid-2", {**message, "message_id": "mabc2"}) == {"ok": True}
        assert await handle("sid-3", {**message, "session_id": "f" * 32}) == {"ok": True}
        assert await handle("sid-2", {"message": "那重庆呢", "session_id": SESSION}) == {"ok": True}
        assert await handle("sid-2", {"message": "那重庆呢", "session_id": SESSION}) == {"ok": True}
        # malformed packets are refused, not taken
        assert await handle("sid-2", "长治") == {"ok": False, "error": "malformed"}
        assert await handle("sid-2", {"message": "长治", "session_id": ""}) == {"ok": False, "error": "malformed"}
        await asyncio.sleep(0.05)
        assert sorted(taken) == sorted(["长治中级评审费多少"] * 3 + ["那重庆呢"] * 2)
        finish.set()
        await asyncio.sleep(0.05)

    asyncio.run(run())

"""ID-card and mobile numbers never reach the tracker database in clear."""

import json
import sqlite3

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.plugins.tracker_store import MaskingSQLTrackerStore
from bot.storage.privacy import mask_personal


@pytest.mark.parametrize(
    "raw,masked",
    [
        ("我的身份证110101199003071234", "我的身份证**************1234"),
        ("身份证号51012219850101002X谢谢", "身份证号**************002X谢谢"),
        ("电话13812345678", "电话138****5678"),
        ("手机１３８１２３４５６７８", "手机１３８****５６７８"),
        ("办公电话0355-3036240", "办公电话0355-3036240"),  # office numbers stay
        ("2022年评审费300元", "2022年评审费300元"),
        ("", ""),
    ],
)
def test_mask_personal(raw, masked):
    assert mask_personal(raw) == masked


async def test_sql_tracker_store_writes_masked_text(tmp_path):
    db = tmp_path / "tracker.db"
    store = MaskingSQLTrackerStore(domain=Domain.empty(), host=f"sqlite:///{db}")
    tracker = DialogueStateTracker.from_events(
        "someone",
        [
            ActionExecuted("action_listen"),
            UserUttered(
                "我是13812345678，身份证110101199003071234",
                parse_data={
                    "text": "我是13812345678，身份证110101199003071234",
                    "intent": {"name": "ask_fee", "confidence": 1.0},
                    "entities": [],
                },
            ),
        ],
    )
    await store.save(tracker)
    with sqlite3.connect(db) as conn:
        rows = [r[0] for r in conn.execute("select data from events")]
    stored = "\n".join(rows)
    assert "13812345678" not in stored and "110101199003071234" not in stored
    user = [json.loads(r) for r in rows if json.loads(r).get("event") == "user"][0]
    assert user["text"] == "我是138****5678，身份证**************1234"
    assert user["parse_data"]["text"] == user["text"]
    # and it reads back
    again = await store.retrieve("someone")
    assert again.latest_message.text == user["text"]

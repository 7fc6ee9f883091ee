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


async def test_reading_only_the_data_column_gives_rasas_trackers(tmp_path):
    """The store reads back only the events' ``data`` column; the trackers are Rasa's own: the latest
    session only for ``retrieve``, every session for ``retrieve_full_tracker``, nothing for a
    stranger."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import SessionStarted, SlotSet

    domain = Domain.from_dict({"slots": {"region": {"type": "text", "mappings": [{"type": "custom"}]}}})
    store = MaskingSQLTrackerStore(domain=domain, host=f"sqlite:///{tmp_path / 'tracker.db'}")
    events = []
    for session, text in enumerate(["长治评审费多少", "简阳呢", "湖州呢"]):
        events += [
            ActionExecuted("action_session_start", timestamp=100 * session + 1),
            SessionStarted(timestamp=100 * session + 2),
            ActionExecuted("action_listen", timestamp=100 * session + 3),
            UserUttered(text, {"name": "ask_fee", "confidence": 1.0}, timestamp=100 * session + 4),
            SlotSet("region", f"r{session}", timestamp=100 * session + 5),
        ]
    await store.save(DialogueStateTracker.from_events("two-sessions", events, domain.slots))
    for read in ("retrieve", "retrieve_full_tracker"):
        mine = await getattr(store, read)("two-sessions")
        rasas = await SQLTrackerStore._retrieve(store, "two-sessions", read == "retrieve_full_tracker")  # Rasa's
        assert mine.current_state() == rasas.current_state()
        assert [e.as_dict() for e in mine.events] == [e.as_dict() for e in rasas.events]
        assert mine.get_slot("region") == "r2"
    latest = await store.retrieve("two-sessions")
    assert [e.text for e in latest.events if isinstance(e, UserUttered)] == ["湖州呢"]
    full = await store.retrieve_full_tracker("two-sessions")
    assert len([e for e in full.events if isinstance(e, UserUttered)]) == 3
    assert await store.retrieve("nobody") is None

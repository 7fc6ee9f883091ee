"""The same storage on a real PostgreSQL server: the project's tables and Rasa's tracker store with
masking. (A whole dialogue on PostgreSQL, through two Rasa servers, is in tests/k8s/test_scaled.py.)"""

import json

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.plugins.tracker_store import MaskingSQLTrackerStore
from bot.storage.assessments import Storage
from tests.bot.conftest import new_postgres_database
from tests.helpers import migrated


@pytest.fixture(scope="module")
def pg_url(pg_server):
    """A fresh database on the session's throwaway PostgreSQL server (tests/conftest.py), migrated as
    a service does on start."""
    return migrated(new_postgres_database(pg_server))


def test_assessments_round_trip_in_postgres(pg_url):
    store = Storage(pg_url)
    code = store.save_assessment(
        notice_id="chongqing-2024-engineering-senior-nonpublic-sme",
        level="senior_engineer",
        verdict="undetermined",
        facts={"education": "master", "note": "渝经信职改办〔2024〕16号"},
        result={"summary": "须按条件索引自查。"},
        channel="rest",
        sender_id="pg-user",
    )
    found = Storage(pg_url).find_assessment(code.lower())
    assert found is not None and found.verdict == "undetermined"
    assert found.facts == {"education": "master", "note": "渝经信职改办〔2024〕16号"}
    assert found.result["summary"] == "须按条件索引自查。"
    with sa.create_engine(pg_url).connect() as conn:
        assert conn.execute(sa.text("select version()")).scalar().startswith("PostgreSQL")


async def test_tracker_store_masks_in_postgres(pg_url):
    store = MaskingSQLTrackerStore(domain=Domain.empty(), host=pg_url)
    text = "电话13812345678，身份证110101199003071234"
    tracker = DialogueStateTracker.from_events(
        "pg-masking",
        [
            ActionExecuted("action_listen"),
            UserUttered(
                text, parse_data={"text": text, "intent": {"name": "ask_fee", "confidence": 1.0}, "entities": []}
            ),
        ],
    )
    await store.save(tracker)
    with sa.create_engine(pg_url).connect() as conn:
        rows = [r[0] for r in conn.execute(sa.text("select data from events where sender_id = 'pg-masking'"))]
    stored = "\n".join(rows)
    assert "13812345678" not in stored and "110101199003071234" not in stored
    user = [json.loads(r) for r in rows if json.loads(r).get("event") == "user"][0]
    assert user["text"] == "电话138****5678，身份证**************1234"
    again = await store.retrieve("pg-masking")
    assert again.latest_message.text == user["text"]

"""Deadline week: two Rasa pods behind one address share a PostgreSQL tracker store and a Redis
lock store (endpoints.scaled.yml). One applicant's messages, arriving at both pods at once, are all
kept and handled one at a time, each answered before the next is read; a whole pre-assessment
hopping between the pods ends with its case code in PostgreSQL. The pods are reached directly, on
the pods' network, as a load balancer reaches them (tests/k8s/conftest.py: one play for all)."""

import asyncio
import time
from typing import Any, Dict, List

import aiohttp
import pytest
import sqlalchemy as sa

from benchmarks import rest_load
from bot.deploy import kube
from bot.storage.assessments import Storage
from tests.e2e.applicant import CZ_ENGINEER, Dialogue

pytestmark = [pytest.mark.k8s]

QUESTIONS = [
    *rest_load.QUESTIONS,
    "长治助理工程师评审费多少",
    "简阳高工评审费多少",
    "长治技术员要什么材料",
]


def database_url() -> str:
    """The project's and Rasa's database, in the PostgreSQL pod, from the host."""
    password = kube.ensure_secrets()["POSTGRES_PASSWORD"]
    return f"postgresql://zhicheng:{password}@{kube.pod_ip('postgres-0')}:5432/zhicheng"


@pytest.fixture(scope="module")
def scaled(cluster: kube.Cluster) -> Dict[str, Any]:
    bases = [f"http://{kube.pod_ip(f'rasa-{i}')}:5005" for i in range(2)]
    return {"bases": bases, "database": database_url(), "auth_token": kube.ensure_secrets()["RASA_AUTH_TOKEN"]}


@pytest.fixture
def two_servers(scaled) -> List[str]:
    return scaled["bases"]


@pytest.fixture
def token(scaled) -> str:
    return scaled["auth_token"]


class HoppingDialogue(Dialogue):
    """An applicant whose every message reaches the other server, as a load balancer may do."""

    def __init__(self, bases: List[str]) -> None:
        super().__init__(bases[0])
        self.bases, self.turn = bases, 0

    def say(self, text: str) -> str:
        self.base_url = self.bases[self.turn % len(self.bases)]
        self.turn += 1
        return super().say(text)


async def test_one_conversation_over_two_servers_stays_whole_and_in_order(two_servers, token):
    sender = f"deadline-week-1-{time.time_ns()}"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:

        async def ask(i: int, text: str):
            url = f"{two_servers[i % 2]}/webhooks/rest/webhook"
            async with session.post(url, json={"sender": sender, "message": text}) as r:
                assert r.status == 200
                return await r.json()

        answers = await asyncio.gather(*(ask(i, q) for i, q in enumerate(QUESTIONS)))
        assert all(a and a[0]["text"] for a in answers)  # everyone got an answer
        async with session.get(f"{two_servers[1]}/conversations/{sender}/tracker?token={token}") as r:
            events = (await r.json())["events"]

    said = [e["text"] for e in events if e["event"] == "user"]
    assert sorted(said) == sorted(QUESTIONS)  # nothing lost, nothing doubled
    turns = [e["event"] for e in events if e["event"] in ("user", "bot")]
    # Each message is answered before the next one is read: never two user turns in a row.
    assert all(not (a == "user" and b == "user") for a, b in zip(turns, turns[1:])), turns
    assert turns[-1] == "bot"


async def test_the_same_conversation_is_seen_by_both_servers(two_servers):
    sender = f"deadline-week-2-{time.time_ns()}"
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{two_servers[0]}/webhooks/rest/webhook", json={"sender": sender, "message": "长治中级评审费多少"}
        ) as r:
            assert "300" in (await r.json())[0]["text"]
        # The follow-up goes to the other server, which must know the topic from the first.
        async with session.post(
            f"{two_servers[1]}/webhooks/rest/webhook", json={"sender": sender, "message": "那助理工程师呢"}
        ) as r:
            text = "\n".join(m.get("text", "") for m in await r.json())
    assert "260" in text and "长工信〔2022〕139号" in text


def test_assessment_hopping_between_servers_is_saved_in_postgres(scaled):
    d = HoppingDialogue(scaled["bases"])
    result = d.run("我能报长治的中级吗", CZ_ENGINEER)
    assert "符合申报工程师的条件" in result and d.turn >= 5, result
    saved = Storage(scaled["database"]).find_assessment(d.case_code())
    assert saved is not None and saved.verdict == "eligible" and saved.channel == "rest"
    with sa.create_engine(scaled["database"]).connect() as conn:
        user_turns = conn.execute(
            sa.text("select count(*) from events where sender_id = :s and type_name = 'user'"), {"s": saved.sender_id}
        ).scalar()
    assert user_turns == d.turn  # every turn, from both servers, is in PostgreSQL

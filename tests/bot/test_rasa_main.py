"""bot.plugins.rasa_main: the patched Rasa still validates every action server response — only faster.

Real Rasa throughout: a ``RemoteAction`` calls a real HTTP action endpoint (aiohttp on a free port)
that answers with an invalid response; the patched Rasa must refuse it exactly as unpatched Rasa does.
Patches 4 and 5 (faults): a real ``RemoteAction`` against a closed port and a server that hangs up,
and the project's lock store against a Redis port nobody listens on. The whole turn (the polite
message, the conversation resuming) is tested on the production profile, tests/e2e/test_prod_profile.py.
"""

from __future__ import annotations

import subprocess
import sys

import jsonschema
import pytest
from aiohttp import web
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.plugins import rasa_main
from tests.helpers import ROOT, free_port

VALID = {
    "events": [{"event": "slot", "name": "region", "value": "changzhi", "timestamp": None}],
    "responses": [{"text": "长治中级评审费300元。"}],
}
INVALID = [
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": [{"event": "slot", "value": 1}], "responses": []},  # a slot event without its name
    {"events": [], "responses": "not a list"},
    {"events": "not a list"},
]


@pytest.fixture(scope="module", autouse=True)
def patched():
    return rasa_main.apply_patches()


def test_patch_is_applied_and_idempotent(patched):
    assert "action_result_validation" in patched
    assert rasa_main.apply_patches() == patched


def test_valid_response_passes():
    assert RemoteAction("action_x", None)._validate_action_result(VALID) is True


@pytest.mark.parametrize("response", INVALID)
def test_invalid_response_rejected_like_unpatched_rasa(response):
    with pytest.raises(jsonschema.ValidationError) as patched_error:
        RemoteAction("action_x", None)._validate_action_result(response)
    assert "Failed to validate Action server response" in patched_error.value.message
    with pytest.raises(jsonschema.ValidationError) as plain_error:  # what Rasa's own call raises
        jsonschema.validate(response, RemoteAction.action_response_format_spec())
    assert patched_error.value.message.startswith(plain_error.value.message)


def test_schema_is_checked_once_not_per_call(monkeypatch):
    """The cost removed: jsonschema.validate re-checks the schema against the meta-schema each call."""
    RemoteAction("action_x", None)._validate_action_result(VALID)  # validator built (and cached)
    cls = validator_for(RemoteAction.action_response_format_spec())
    calls = []
    original = cls.check_schema
    monkeypatch.setattr(cls, "check_schema", classmethod(lambda c, s, **kw: (calls.append(1), original(s))[1]))
    for _ in range(5):
        RemoteAction("action_x", None)._validate_action_result(VALID)
    with pytest.raises(jsonschema.ValidationError):
        RemoteAction("action_x", None)._validate_action_result(INVALID[0])
    assert calls == []


async def _action_server(answer: dict, status: int = 200):
    async def webhook(request: web.Request) -> web.Response:
        await request.json()
        return web.json_response(answer, status=status)

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/webhook"


async def _run_remote_action(answer: dict):
    runner, url = await _action_server(answer)
    try:
        tracker = DialogueStateTracker.from_events("s1", [UserUttered("长治中级评审费多少")], [])
        action = RemoteAction("action_answer_notice", EndpointConfig(url))
        return await action.run(
            CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, Domain.empty()
        )
    finally:
        await runner.cleanup()


async def test_remote_action_over_http_rejects_an_invalid_response():
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        await _run_remote_action(INVALID[0])


async def test_remote_action_over_http_accepts_a_valid_response():
    events = await _run_remote_action(VALID)
    assert any(isinstance(e, SlotSet) and e.key == "region" for e in events)
    assert any(getattr(e, "text", None) == "长治中级评审费300元。" for e in events)


def test_other_rasa_version_fails_loudly(monkeypatch):
    import rasa

    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(RuntimeError, match="3.6.21"):
        rasa_main.check_rasa_version()


def test_entry_hands_over_to_rasa_cli():
    done = subprocess.run(
        [sys.executable, "-m", "bot.plugins.rasa_main", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Rasa Version" in done.stdout and rasa_main.TARGET_RASA_VERSION in done.stdout


def test_event_types_resolve_as_in_rasa():
    """Patch 2: every event type still resolves to Rasa's class; unknown names still fail."""
    from rasa.shared.core import events
    from rasa.shared.utils.common import all_subclasses

    assert "event_type_lookup" in rasa_main.apply_patches()
    for cls in all_subclasses(events.Event):
        expected = next(c for c in all_subclasses(events.Event) if c.type_name == cls.type_name)
        assert events.Event.resolve_by_type(cls.type_name) is expected
        assert events.Event.resolve_by_type(cls.type_name) is expected  # second time: remembered
    assert events.Event.resolve_by_type("topic") is None
    assert events.Event.resolve_by_type("no_such_event", default=events.SlotSet) is events.SlotSet
    with pytest.raises(ValueError, match="no_such_event"):
        events.Event.resolve_by_type("no_such_event")


def test_tracker_round_trip_through_deserialised_events():
    """A conversation dumped and read back (what the tracker store does) is the same conversation."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted

    original = DialogueStateTracker.from_events(
        "s2",
        [
            ActionExecuted("action_session_start"),
            SessionStarted(),
            ActionExecuted("action_listen"),
            UserUttered("长治中级评审费多少", {"name": "ask_fee", "confidence": 0.9}),
            SlotSet("region", "changzhi"),
            ActionExecuted("action_answer_notice"),
            BotUttered("300元"),
            ActionExecuted("action_listen"),
        ],
        [],
    )
    dumped = [e.as_dict() for e in original.events]
    again = DialogueStateTracker.from_dict("s2", dumped, [])
    assert list(again.events) == list(original.events)
    assert [type(e) for e in again.events] == [type(e) for e in original.events]


DOMAIN_YAML = """
version: "3.1"
intents: [ask_fee, inform]
entities: [region]
slots:
  region:
    type: categorical
    values: [changzhi, jianyang]
    mappings: [{type: from_entity, entity: region}]
  last_topic:
    type: text
    influence_conversation: false
    mappings: [{type: custom}]
actions: [action_answer_notice]
"""


def _conversation(turns: int) -> DialogueStateTracker:
    from rasa.shared.core.events import ActionExecuted, BotUttered

    domain = Domain.from_yaml(DOMAIN_YAML)
    events = [ActionExecuted("action_listen")]
    for i in range(turns):
        region = ("changzhi", "jianyang")[i % 2]
        events += [
            UserUttered(
                f"{region}评审费多少",
                {"name": "ask_fee", "confidence": 0.9},
                [{"entity": "region", "value": region, "start": 0, "end": 2}],
            ),
            SlotSet("region", region),
            ActionExecuted("action_answer_notice", hide_rule_turn=i % 3 == 0),
            BotUttered("300元"),
            SlotSet("last_topic", "fees"),
            ActionExecuted("action_listen"),
        ]
    return DialogueStateTracker.from_events("s3", events, domain.slots)


@pytest.mark.parametrize(
    "omit, ignore, rule_only",
    [
        (False, False, None),
        (True, False, None),
        (False, True, {"slots": ["last_topic"], "loops": []}),
    ],
)
def test_past_states_as_rasa_computes_them(omit, ignore, rule_only):
    """Patch 3: the states given (first and again) are Rasa's own, and a caller's edits stay its own."""
    assert "past_states_memo" in rasa_main.apply_patches()
    domain = Domain.from_yaml(DOMAIN_YAML)
    tracker = _conversation(6)
    expected = domain.states_for_tracker_history(tracker, omit, ignore, rule_only)
    first = tracker.past_states(domain, omit, ignore, rule_only)
    assert first == expected
    first[-1].clear()
    first[-2].get("user", {}).pop("intent", None)  # what _choose_last_user_input does to a state
    assert tracker.past_states(domain, omit, ignore, rule_only) == expected


def test_past_states_follow_the_conversation():
    """After a new event the states are computed afresh, never the remembered ones."""
    from rasa.shared.core.events import ActionExecuted

    domain = Domain.from_yaml(DOMAIN_YAML)
    tracker = _conversation(3)
    before = tracker.past_states(domain)
    tracker.update(
        UserUttered(
            "简阳呢",
            {"name": "inform", "confidence": 0.9},
            [{"entity": "region", "value": "jianyang", "start": 0, "end": 2}],
        )
    )
    tracker.update(SlotSet("region", "jianyang"))
    tracker.update(ActionExecuted("action_answer_notice"))
    after = tracker.past_states(domain)
    assert after == domain.states_for_tracker_history(tracker)
    assert len(after) == len(before) + 1 and after != before[: len(after)]
    other = _conversation(3)  # an equal conversation in another tracker object: its own states
    assert other.past_states(domain) == before


# --- patch 4: the action server cannot be reached ------------------------------------------------
def _remote_action(url: str) -> RemoteAction:
    return RemoteAction("action_answer_notice", EndpointConfig(url))


async def _run(action: RemoteAction):
    tracker = DialogueStateTracker.from_events("s4", [UserUttered("长治中级评审费多少")], [])
    return await action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, Domain.empty())


async def test_closed_port_raises_action_server_unavailable():
    """Nothing listens on the port (the action server was killed): Rasa's RasaException, now the
    narrower ActionServerUnavailable — still a RasaException for every Rasa caller that catches those."""
    from rasa.shared.exceptions import RasaException

    assert "action_server_unavailable" in rasa_main.apply_patches()
    with pytest.raises(rasa_main.ActionServerUnavailable, match="could not be reached") as error:
        await _run(_remote_action(f"http://127.0.0.1:{free_port()}/webhook"))
    assert isinstance(error.value, RasaException)


async def test_connection_closed_mid_answer_raises_action_server_unavailable():
    """The action server dies while Rasa waits for its answer: the connection closes with no reply."""
    import asyncio

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(rasa_main.ActionServerUnavailable):
            await _run(_remote_action(f"http://127.0.0.1:{port}/webhook"))
    finally:
        server.close()
        await server.wait_closed()


async def test_an_answer_from_the_action_server_is_not_unavailable():
    """A server that answers — even 500 — was reached: Rasa's own error, not the polite message."""
    from rasa.shared.exceptions import RasaException

    runner, url = await _action_server({"error": "request failed"}, status=500)
    try:
        with pytest.raises(RasaException) as error:
            await _run(_remote_action(url))
        assert not isinstance(error.value, rasa_main.ActionServerUnavailable)
    finally:
        await runner.cleanup()


async def test_guarded_action_turns_unavailable_into_the_polite_message():
    """What the patched processor runs in place of the action: the real RemoteAction against a
    closed port gives one BotUttered with the polite text, and the failure is remembered."""
    from rasa.shared.core.events import BotUttered

    guarded = rasa_main._Guarded(_remote_action(f"http://127.0.0.1:{free_port()}/webhook"))
    assert guarded.name() == "action_answer_notice"
    events = await _run(guarded)
    assert guarded.unavailable
    assert [type(e) for e in events] == [BotUttered] and events[0].text == rasa_main.ACTION_SERVER_DOWN_TEXT
    assert "您" in events[0].text and len(events[0].text) <= 30


async def test_valid_answers_pass_through_the_guard():
    runner, url = await _action_server(VALID)
    try:
        guarded = rasa_main._Guarded(_remote_action(url))
        events = await _run(guarded)
    finally:
        await runner.cleanup()
    assert not guarded.unavailable
    assert any(isinstance(e, SlotSet) and e.key == "region" for e in events)


# --- patch 5: the conversation's storage cannot be reached ---------------------------------------
def test_storage_unreachable_recognises_real_outages():
    """The errors a down Redis really raises through the project's lock store — issuing a ticket,
    and looking at the lock while waiting for a turn — count as unreachable; other errors do not."""
    import redis
    from rasa.core.lock_store import LockError

    from bot.plugins.lock_store import AtomicRedisLockStore

    assert "storage_unreachable" in rasa_main.apply_patches()
    store = AtomicRedisLockStore(host="127.0.0.1", port=free_port(), db=1)
    with pytest.raises(LockError) as issuing:
        store.issue_ticket("s5")
    assert rasa_main.storage_unreachable(issuing.value)
    with pytest.raises(redis.exceptions.ConnectionError) as waiting:
        store.get_lock("s5")
    assert rasa_main.storage_unreachable(waiting.value)
    assert not rasa_main.storage_unreachable(ValueError("a bug, not an outage"))
    assert not rasa_main.storage_unreachable(KeyError("slot"))

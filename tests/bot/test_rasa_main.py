"""bot.plugins.rasa_main: the patched Rasa still validates every action server response — only faster.

Real Rasa throughout: a ``RemoteAction`` calls a real HTTP action endpoint (aiohttp on a free port)
that answers with an invalid response; the patched Rasa must refuse it exactly as unpatched Rasa does.
Patches 4 and 5 (faults): a real ``RemoteAction`` against a closed port and a server that hangs up,
and the project's lock store against a Redis port nobody listens on. The whole turn (the polite
message, the conversation resuming) is tested on the pods, tests/k8s/test_faults.py.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from typing import Any, Dict, List, Optional

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


def test_plain_rasa_run_gets_the_patches_from_the_tracker_store(tmp_path):
    """``rasa run`` (not our entry module) with the project's endpoints.yml: Rasa creates the tracker
    store before it loads the model, and creating it applies every patch — checked in a fresh
    interpreter, where nothing was patched before."""
    code = (
        "from rasa.core.tracker_store import TrackerStore\n"
        "from rasa.utils.endpoints import EndpointConfig\n"
        "from rasa.shared.core.events import Event\n"
        "from bot.plugins import rasa_main\n"
        "before = Event.__dict__['resolve_by_type']\n"
        "assert rasa_main._applied == [], rasa_main._applied\n"
        "TrackerStore.create(EndpointConfig(type='bot.plugins.tracker_store.MaskingSQLTrackerStore',"
        f" url='sqlite:///{tmp_path / 'tracker.db'}'))\n"
        "assert Event.__dict__['resolve_by_type'] is not before\n"
        "print(','.join(rasa_main._applied))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1].split(",") == list(rasa_main.PATCHES)


def _sample_events() -> List[Any]:
    """One dictionary of every kind of event an action may return, as Rasa writes them."""
    from rasa.shared.core import events as ev

    made = [
        ev.UserUttered("长治", {"name": "inform", "confidence": 0.9}, [{"entity": "region", "value": "changzhi"}]),
        ev.BotUttered("300元", {"buttons": [{"title": "是", "payload": "/affirm"}]}, {"answer": {"id": "x"}}),
        ev.SlotSet("region", "changzhi"),
        ev.SlotSet("facts", {"education": "本科", "years": [2, 3]}),
        ev.ActionExecuted("action_listen"),
        ev.ActiveLoop("assessment_form"),
        ev.ActiveLoop(None),
        ev.FollowupAction("action_listen"),
        ev.Restarted(),
        ev.AllSlotsReset(),
        ev.UserUtteranceReverted(),
        ev.ActionReverted(),
        ev.SessionStarted(),
        ev.LoopInterrupted(True),
        ev.ActionExecutionRejected("assessment_form"),
        ev.EntitiesAdded([{"entity": "region", "value": "changzhi"}]),
        ev.DefinePrevUserUtteredFeaturization(False),
        ev.ReminderScheduled("EXTERNAL_remind", __import__("datetime").datetime(2026, 1, 1)),
        ev.ReminderCancelled(name="r"),
        ev.ConversationPaused(),
        ev.ConversationResumed(),
        ev.AgentUttered("hi"),
        ev.StoryExported(),
    ]
    return [e.as_dict() for e in made]


def _mutations(event: Dict[str, Any]) -> List[Any]:
    out: List[Any] = [{k: v for k, v in event.items() if k != key} for key in event]  # each key missing
    for key in event:
        for wrong in (None, 1, "x", [], {}, True):
            out.append(dict(event, **{key: wrong}))  # each key with each wrong type
    return out + [dict(event, event="no_such_event"), [event], "slot", None]


def test_quick_check_agrees_with_the_full_validation():
    """Patch 1's per-type check never passes a response the full ``oneOf`` validation refuses, and
    passes every valid event of every kind (so the quick path is the one taken)."""
    spec = RemoteAction.action_response_format_spec()
    full = validator_for(spec)(spec)
    quick = rasa_main._quick_response_check(spec)
    assert quick is not None
    checked = refused = 0
    for event in _sample_events():
        assert full.is_valid({"events": [event]}), event
        assert quick({"events": [event], "responses": []}), event
        for variant in _mutations(event):
            response = {"events": [event, variant], "responses": []}
            verdict = full.is_valid(response)
            assert quick(response) == verdict, (event, variant)
            checked += 1
            refused += not verdict
    assert refused > 100 and checked - refused > 100  # both sides were exercised
    for response in INVALID + [[], None, "x", {"events": None}, {"responses": [1]}]:
        assert quick(response) == full.is_valid(response), response


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


async def _action_server(answer: dict, status: int = 200, seen: Optional[List[int]] = None, delay: float = 0.0):
    """A real HTTP action endpoint answering ``answer`` after ``delay`` seconds; ``seen`` collects
    each request's client port."""

    async def webhook(request: web.Request) -> web.Response:
        await request.json()
        await asyncio.sleep(delay)
        if seen is not None:
            seen.append(request.transport.get_extra_info("peername")[1])
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


def _faq_turn(i: int) -> List[Any]:
    """One FAQ turn (the region alternating; every third one a rule-only turn)."""
    from rasa.shared.core.events import ActionExecuted, BotUttered

    region = ("changzhi", "jianyang")[i % 2]
    return [
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


def _conversation(turns: int) -> DialogueStateTracker:
    from rasa.shared.core.events import ActionExecuted

    domain = Domain.from_yaml(DOMAIN_YAML)
    events: List[Any] = [ActionExecuted("action_listen")]
    for i in range(turns):
        events += _faq_turn(i)
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


def _long_conversation() -> List[Any]:
    """FAQ turns (some rule-only), a form that runs and ends, an undone message, a restart, more FAQ."""
    from rasa.shared.core.events import (
        ActionExecuted,
        ActiveLoop,
        Restarted,
        UserUtteranceReverted,
    )

    events: List[Any] = [ActionExecuted("action_listen")]
    for i in range(4):
        events += _faq_turn(i)
    events += [
        UserUttered("我能报吗", {"name": "inform", "confidence": 0.9}),
        ActionExecuted("assessment_form"),
        ActiveLoop("assessment_form"),
        SlotSet("requested_slot", "region"),
        ActionExecuted("action_listen"),
        UserUttered("长治", {"name": "inform", "confidence": 0.9}),
        ActionExecuted("assessment_form"),
        SlotSet("region", "changzhi"),
        ActiveLoop(None),
        ActionExecuted("action_listen"),
    ]
    events += (
        _faq_turn(4)
        + _faq_turn(5)
        + [UserUtteranceReverted()]
        + _faq_turn(6)
        + [Restarted()]
        + _faq_turn(7)
        + _faq_turn(8)
    )
    for n, event in enumerate(events):
        event.timestamp = 1_800_000_000 + n  # distinct, as stored events have
    return events


@pytest.mark.parametrize(
    "omit, ignore, rule_only",
    [(False, False, None), (True, False, None), (False, True, {"slots": ["last_topic"], "loops": []})],
)
def test_states_replayed_turn_by_turn_are_rasas(omit, ignore, rule_only):
    """Patch 3 across turns: the conversation read again from the store after every event (new event
    objects each time, as Rasa's tracker store gives them); the states are always Rasa's own, the
    replay goes on from where it stopped while the new events leave the past alone, and starts over
    after a form (de)activation, an undone message or a restart."""
    domain = Domain.from_yaml(DOMAIN_YAML + "forms:\n  assessment_form:\n    required_slots: [region]\n")
    events = _long_conversation()
    key = ("s5", id(domain))
    replays = []
    for n in range(1, len(events) + 1):
        stored = [e.as_dict() for e in events[:n]]
        tracker = DialogueStateTracker.from_dict("s5", stored, domain.slots)
        assert tracker.past_states(domain, omit, ignore, rule_only) == domain.states_for_tracker_history(
            tracker, omit, ignore, rule_only
        ), f"after {n} events"
        replays.append(rasa_main._REPLAYS[key])
    kinds = [e.type_name for e in events]
    for n in range(1, len(events)):
        same = replays[n] is replays[n - 1]
        rewrites = kinds[n] in ("active_loop", "rewind", "restart") or (
            kinds[n] == "action" and events[n].action_name == "assessment_form" and "active_loop" in kinds[:n]
        )
        assert same != rewrites, f"event {n} ({kinds[n]}): replay {'kept' if same else 'restarted'}"


async def test_a_running_server_keeps_its_connection_to_the_action_server():
    """Patch 8: while a Rasa server runs, action calls reuse one connection (a real HTTP server sees
    the same client port); the session closes when the server stops; elsewhere each call has its
    own connection, as in Rasa."""
    import rasa.core.run

    assert "shared_http_sessions" in rasa_main.apply_patches()
    ports: List[int] = []
    runner, url = await _action_server(VALID, seen=ports)
    endpoint = EndpointConfig(url, headers={"X-Action-Token": "t"})
    try:
        for _ in range(2):
            assert await endpoint.request(json={"next_action": "x"}, method="post") == VALID
        assert ports[0] != ports[1]  # no server: Rasa's session per call

        registered: List[Any] = []
        from sanic import Sanic

        original = Sanic.register_listener
        Sanic.register_listener = lambda app, listener, event: registered.append((listener, event))
        try:
            server = rasa.core.run.configure_app(enable_api=False, input_channels=[], port=free_port())
        finally:
            Sanic.register_listener = original
        assert (rasa_main.share_http_sessions, "before_server_start") in registered
        assert (rasa_main.close_http_sessions, "after_server_stop") in registered
        loop = asyncio.get_running_loop()
        await rasa_main.share_http_sessions(server, loop)
        for _ in range(3):
            assert await endpoint.request(json={"next_action": "x"}, method="post") == VALID
        assert len(set(ports[2:])) == 1  # one connection for the three calls
        async with endpoint.session() as shared:
            assert shared._default_headers.get("X-Action-Token") == "t"  # Rasa's headers kept
        await rasa_main.close_http_sessions(server, loop)
        assert shared.closed
        assert await endpoint.request(json={"next_action": "x"}, method="post") == VALID
        assert ports[-1] not in ports[2:5]  # after the stop: Rasa's own session again
    finally:
        await runner.cleanup()


async def test_a_slow_action_call_is_logged_with_where_its_time_went(monkeypatch, caplog):
    """A turn past its budget must say in the Rasa pod's log whether the action or the network was
    slow: the shared session logs every call over SLOW_CALL_SECONDS, with the lookup and connect
    times; a quick call logs nothing."""
    rasa_main.apply_patches()
    monkeypatch.setattr(rasa_main, "SLOW_CALL_SECONDS", 0.3)
    runner, url = await _action_server(VALID, delay=0.5)
    quick_runner, quick_url = await _action_server(VALID)
    loop, server = asyncio.get_running_loop(), None  # what a starting Rasa server's listener does
    await rasa_main.share_http_sessions(server, loop)
    try:
        with caplog.at_level("WARNING", logger="bot.plugins.rasa_main"):
            assert await EndpointConfig(quick_url).request(json={"next_action": "x"}, method="post") == VALID
            assert not caplog.records
            assert await EndpointConfig(url).request(json={"next_action": "x"}, method="post") == VALID
        (record,) = caplog.records
        message = record.getMessage()
        took = float(re.search(r"took (\d+\.\d) s", message).group(1))
        assert url in message and took >= 0.5 and "name lookup 0.0 s" in message, message  # any machine's speed
        assert message.endswith(": 200"), message
    finally:
        await rasa_main.close_http_sessions(server, loop)
        await runner.cleanup()
        await quick_runner.cleanup()


def test_one_replay_serves_every_policys_arguments():
    """Patch 3: the rule, memoization and TED policies ask with different arguments; once those are
    known, a new conversation is replayed once for all of them (a replay copies 92 slots here), and
    each gets Rasa's own states."""
    domain = Domain.from_yaml(DOMAIN_YAML)
    asks = [(False, False, None), (True, False, None), (False, True, {"slots": ["last_topic"], "loops": []})]
    events = [e.as_dict() for e in _long_conversation()[:13]]
    for sender in ("first", "second"):
        tracker = DialogueStateTracker.from_dict(sender, events, domain.slots)
        replays = []
        for omit, ignore, rule_only in asks:
            got = tracker.past_states(domain, omit, ignore, rule_only)
            assert got == domain.states_for_tracker_history(tracker, omit, ignore, rule_only)
            replays.append(rasa_main._REPLAYS[(sender, id(domain))])
    assert replays[0] is replays[1] is replays[2]  # the second conversation: one replay for all three


def _trained_rules() -> Dict[str, Dict[str, str]]:
    import tarfile

    from tests.helpers import MODEL

    with tarfile.open(MODEL) as model:
        for member in model.getmembers():
            if member.name.endswith("train_RulePolicy0/rule_policy.json"):
                lookup: Dict[str, Dict[str, str]] = json.load(model.extractfile(member))["lookup"]
                return lookup
    raise AssertionError("no rule policy in the trained model")


def _as_conversation_state(state: Dict[str, Any]) -> Dict[str, Any]:
    """A rule's state as a conversation has it (JSON lists back to tuples)."""
    return {
        kind: {k: tuple(v) if isinstance(v, list) else v for k, v in sub.items()} if isinstance(sub, dict) else sub
        for kind, sub in state.items()
    }


@pytest.mark.model  # reads the trained model's rules: runs once the model is trained
def test_rules_found_are_rasas_on_the_trained_rules():
    """Patch 9: on the trained model's rules (with some turned into conversation starters) and 3,000
    conversations made of pieces of those rules (some states changed, some 60 states long), the
    rules found are the ones Rasa's own filter finds."""
    import random

    from rasa.core.policies.rule_policy import RulePolicy

    assert "rule_lookup" in rasa_main.apply_patches()
    policy = object.__new__(RulePolicy)  # the filter reads no attribute of the policy
    rasas = RulePolicy._get_possible_keys.__wrapped__
    lookup = _trained_rules()
    for table in ("rules", "rules_for_loop_unhappy_path"):  # and rules that start a conversation
        for key in sorted(lookup[table])[::6]:
            starter = json.loads(key)
            starter[0].pop("prev_action", None)
            lookup[table][json.dumps(starter)] = "action_starter"
    rules = [[_as_conversation_state(state) for state in json.loads(key)] for key in lookup["rules"]]
    intents = sorted({s.get("user", {}).get("intent") for r in rules for s in r} - {None})
    actions = sorted({s.get("prev_action", {}).get("action_name") for r in rules for s in r} - {None})
    rng = random.Random(24)
    found_some = 0
    for n in range(3000):
        states: List[Dict[str, Any]] = []
        while len(states) < (60 if n % 10 == 0 else rng.randint(1, 8)):
            piece = [dict(s) for s in rng.choice(rules)]
            for state in piece:
                if rng.random() < 0.2 and "user" in state:
                    state["user"] = dict(state["user"], intent=rng.choice(intents))
                if rng.random() < 0.2 and "prev_action" in state:
                    state["prev_action"] = {"action_name": rng.choice(actions)}
                if rng.random() < 0.05:
                    state.pop("prev_action", None)
            states += piece
        for table in ("rules", "rules_for_loop_unhappy_path"):
            mine = policy._get_possible_keys(lookup[table], states)
            assert mine == rasas(policy, lookup[table], states), (table, states)
            found_some += bool(mine)
    assert found_some > 500  # the conversations did match rules, not only nothing


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

"""Rasa's command line with narrowly scoped patches (per-turn cost; faults): ``python -m bot.plugins.rasa_main``.

``python -m bot.plugins.rasa_main run --model … --endpoints …`` is ``rasa run --model … --endpoints …``: it
applies the patches below, then hands over to Rasa's own CLI ``main`` with the same arguments. Every
patch targets Rasa 3.6.21 (``TARGET_RASA_VERSION``); with any other Rasa the start fails loudly, so an
upgrade re-checks each patch instead of silently keeping or losing it. docs/performance.md has the
profile that motivated patches 1–3 and their measured effect; docs/deployment.md ("Faults") the
faults behind patches 4–5.

Patches (each keeps Rasa's behaviour, only its cost changes):

1. ``RemoteAction._validate_action_result``: Rasa calls ``jsonschema.validate`` on every action
   server response, which first *checks the schema itself* against the JSON-Schema meta-schema
   (``check_schema``) and builds a new validator — about half of the Rasa process's CPU per turn in
   the profile. The schema is a constant, so it is checked once and one validator is kept per
   schema; every response is still validated and an invalid one still raises the same
   ``jsonschema.ValidationError`` (best match, with Rasa's hint appended). Even cached, the
   validation took about 1 ms a call: each event is tried against all 23 event schemas of Rasa's
   ``oneOf``. Every one of them fixes ``event`` to its own constant, and the outer schema requires
   ``event`` as a string, so an event is valid exactly when it passes the outer schema and the one
   schema of its own type; that is checked first (0.14 ms), and only a response it does not find
   valid goes through the full validation, which gives Rasa's error.
2. ``Event.resolve_by_type``: every event read back from the tracker store (and every event an
   action returns) is deserialised through it, and it walks the whole ``Event`` class tree
   (``all_subclasses``, with ``inspect.isabstract`` on each class) to find the class of one type
   name — most of the time of re-reading a conversation. The answer for a name is remembered after
   Rasa's own lookup found it; unknown names still go through Rasa's lookup (and still raise).
3. ``DialogueStateTracker.past_states``: to predict one action, each dialogue policy (rules,
   memoization, TED, several times within the rule policy) turns the *whole* conversation into a
   list of states — replaying every event and featurising every slot at every past turn — and the
   policies keep only the last few. Asked again for the same tracker, unchanged (same event count,
   same last event), with the same arguments, the states computed a moment ago are given again (as
   a copy: callers edit the last state in place). Rasa's training already caches states this way
   (``TrackerWithCachedStates``); this is the same for the trackers of a running conversation.
   Across turns, the tracker is read again from the store with the new turn's events appended, and
   Rasa replays the whole conversation again — by turn 90 the largest part of a prediction. For
   each conversation (and each set of arguments) the replay is kept where it stopped: when the new
   tracker's events begin with exactly the events replayed (type and timestamp of every one) and
   the new ones cannot rewrite the past (no restart, session start, revert, form (de)activation or
   form execution — those change which earlier events apply), only the new events are replayed,
   by the same steps as ``Domain.states_for_tracker_history``. Anything else is replayed from the
   start, as Rasa does. One replay serves every set of arguments the policies ask with (a new
   replay copies the tracker's slots, 92 here: done once per conversation instead of once per
   policy). The last :data:`REPLAYS_KEPT` conversations are kept.

7. ``RemoteAction._action_call_format``: every action call sends the action server the whole
   conversation, and each past message carries its full NLU result (the intent ranking, every
   extractor's entities, token offsets) — a third of the request by turn 60, encoded by Rasa and
   decoded by the action server on every call. The actions read the latest message from
   ``latest_message`` (sent in full, as is the latest ``user`` event) and from past events only
   slots, actions, bot messages and session starts (``actions/``), so each *earlier* user event is
   sent with the intent it was classified as and nothing else of its parse. Nothing stored
   changes: the tracker store and the HTTP API keep every event whole.

8. ``EndpointConfig.session``: Rasa opens a new HTTP client session — a new connection, a new DNS
   lookup — for every action call and closes it after the answer. While a Rasa server runs, each
   endpoint (the action server) keeps one session per event loop instead, with the same headers,
   authentication and timeout as Rasa's, so its connections are reused (about 0.7 ms a call here,
   more where the action server's name is resolved by a cluster DNS). An idle connection is
   dropped after :data:`KEEPALIVE_SECONDS`, before the action server's own limit (Sanic's 5 s), so
   a request never goes out on a connection the server is closing. The sessions close when the
   server stops; outside a running Rasa server (tests, scripts) Rasa's own per-call session is used.

9. ``RulePolicy._get_possible_keys``: to find the rules that apply, Rasa filters every rule (144
   here, 28 in a one-rule-per-intent bot) against each state of the conversation from the newest
   back — to the very first state, although no rule is longer than a few states and a rule that
   has matched all its states stays applicable — and re-parses and reverses each rule's states for
   every check. The same filter now stops when no rule is left or when every rule left has
   matched all its states (further states cannot remove it), keeps each rule's reversed states
   once parsed, and checks against the newest state only the rules whose last state asks for
   that previous action (or for none). The checks themselves are Rasa's (``_does_rule_match_state``); the keys
   returned are the same (tests/bot/test_rasa_main.py compares both on the trained model's rules).

10. ``DaskGraphRunner.run``: every NLU parse and every prediction runs a graph of components
    (13 nodes for this project's NLU, 7 for a default recipe's). For each run Rasa recomputes the
    nodes the targets need by a recursion that walks every path of the graph again (a list with
    repeats, then a membership test in that list per node), builds a dask task graph and has
    dask's synchronous scheduler run it — about 2 ms a parse here before any component runs. The
    nodes to run, in dependency order, are now computed once per graph, targets and input names,
    and run one after the other in this thread as dask's synchronous scheduler does: each node gets
    its inputs' ``(name, value)`` pairs, an input replaces a node of the same name, errors are
    raised as before (a ``RuntimeError`` as Rasa's ``GraphRunError``). Rasa's debug line is written
    only when debug logging is on.

Two patches change what the applicant sees when a part is down, not the cost:

4. ``RemoteAction.run`` / ``MessageProcessor._run_action``: when the action server cannot be
   reached (refused, reset, closed mid-answer, timed out), Rasa logs the error, drops the action's
   events and goes on predicting — the applicant gets no answer at all (or, inside the
   pre-assessment form, whatever the next prediction does without the form's events). Patched, the
   failure is raised as :class:`ActionServerUnavailable` (a ``RasaException``, so every Rasa caller
   that catches those still does), and the turn that met it ends with one polite message
   (:data:`ACTION_SERVER_DOWN_TEXT`) and ``action_listen``. Everything else is as in Rasa: the
   user's message, the failed action's ``ActionExecuted`` (with no events of its own) and the
   message are stored, so the conversation is exactly where it was before that message — a form
   still waits for the same answer — and the applicant's next message, once the action server is
   back, is handled normally.
5. ``Agent.handle_message``: when the lock store's Redis cannot be reached (``LockError``, a
   Redis connection error), Rasa raises out of the channel's handler and the applicant gets
   nothing (REST: an empty list). Patched, the applicant gets the same polite message and the
   error is logged (without the message text); the turn never started, so nothing of it was
   stored, and the next message, once Redis is back, continues the conversation. Any other error
   is raised as before. (The tracker store's database needs no patch: Rasa wraps every tracker
   store in ``FailSafeTrackerStore``, which answers from an empty conversation when PostgreSQL is
   down and keeps that turn in memory.)

One patch changes how long a start takes, nothing else:

6. ``RasaModel.load`` (DIET and TED): to create weights of the right shapes before loading them,
   Rasa *trains the model for one step* on one example (``model.fit``), which traces the whole
   training graph — optimizer, losses, gradients — only to throw that step away: most of a Rasa
   server's start (60–85 s of about 90 on these machines). For a model loaded to predict (not to be
   fine-tuned), the weights are created by one eager forward pass on the prediction example
   instead, then the trained weights are loaded over them (the checkpoint's optimizer slots are not
   needed to predict), the label embeddings computed from the initial weights are dropped, and the
   prediction is traced once as Rasa does. The loaded weights are the same, so every prediction is
   the same: ``benchmarks/model_load.py`` loads the model both ways side by side and compares the
   NLU parse and the dialogue policy probabilities of a set of messages. Fine-tuning
   (``finetune_mode``) keeps Rasa's own load.
"""

from __future__ import annotations

import collections
import json
import sys
from typing import Any, Callable, Deque, Dict, List, Optional, Set, Tuple

from rasa.shared.exceptions import RasaException

TARGET_RASA_VERSION = "3.6.21"

#: What the applicant reads when the action server or the lock store's Redis cannot be reached
#: (patches 4 and 5).
ACTION_SERVER_DOWN_TEXT = "抱歉，系统暂时繁忙，请您稍后再发一次。"

_applied: List[str] = []


def check_rasa_version() -> None:
    """Fail loudly when the installed Rasa is not the one the patches were written for."""
    import rasa

    if rasa.__version__ != TARGET_RASA_VERSION:
        raise RuntimeError(
            f"bot.plugins.rasa_main patches Rasa {TARGET_RASA_VERSION} but Rasa {rasa.__version__} is installed: "
            "re-check each patch in bot/plugins/rasa_main.py against the new version (docs/performance.md)"
        )


def _cached_validator_factory() -> Callable[[Dict[str, Any]], Any]:
    """A jsonschema validator per distinct schema, its schema checked once when first built."""
    from jsonschema.validators import validator_for

    cache: Dict[str, Any] = {}

    def validator(schema: Dict[str, Any]) -> Any:
        key = json.dumps(schema, sort_keys=True)
        found = cache.get(key)
        if found is None:
            cls = validator_for(schema)
            cls.check_schema(schema)  # what jsonschema.validate does on every call; here once
            found = cache[key] = cls(schema)
        return found

    return validator


def _quick_response_check(spec: Dict[str, Any]) -> Optional[Callable[[Any], bool]]:
    """``result -> True`` only for a response valid under ``spec`` (Rasa's action response schema),
    each event checked against the schema of its own type instead of all of Rasa's ``oneOf``
    (patch 1); ``None`` when ``spec`` is not shaped as that reasoning needs."""
    from jsonschema.validators import validator_for
    from rasa.shared.utils.schemas.events import EVENT_SCHEMA, EVENTS_SCHEMA

    properties = spec.get("properties") if isinstance(spec, dict) else None
    if not isinstance(properties, dict) or properties.get("events") != EVENTS_SCHEMA:
        return None
    outer = {key: value for key, value in EVENT_SCHEMA.items() if key != "oneOf"}
    if outer.get("required") != ["event"] or outer["properties"].get("event") != {"type": "string"}:
        return None
    by_type: Dict[str, Any] = {}
    for sub in EVENT_SCHEMA["oneOf"]:
        const = sub.get("properties", {}).get("event", {}).get("const")
        if not isinstance(const, str) or const in by_type:
            return None
        schema = {"allOf": [outer, sub]}
        by_type[const] = validator_for(schema)(schema)
    top_schema = dict(spec, properties=dict(properties, events={"type": "array"}))
    top = validator_for(top_schema)(top_schema)

    def valid(result: Any) -> bool:
        if not top.is_valid(result):
            return False
        for event in result.get("events") or []:
            kind = event.get("event") if isinstance(event, dict) else None
            checker = by_type.get(kind) if isinstance(kind, str) else None
            if checker is None or not checker.is_valid(event):
                return False
        return True

    return valid


def patch_action_result_validation() -> None:
    """Validate action server responses with a cached validator (see patch 1 in the module doc).

    Rasa 3.6.21 ``rasa/core/actions/action.py``: ``RemoteAction._validate_action_result(result)``
    calls ``jsonschema.validate(result, self.action_response_format_spec())`` and, on a
    ``ValidationError``, appends a hint to ``e.message`` and re-raises. This does the same, with the
    schema checked and the validator built once per schema (the spec is a static method; a subclass
    with another spec gets its own validator).
    """
    from jsonschema import ValidationError, exceptions
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    validator_for_schema = _cached_validator_factory()
    spec_key: Dict[type, Any] = {}
    quick_key: Dict[type, Optional[Callable[[Any], bool]]] = {}

    def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
        cls = type(self)
        validator = spec_key.get(cls)
        if validator is None:
            spec = self.action_response_format_spec()
            validator = spec_key[cls] = validator_for_schema(spec)
            quick_key[cls] = _quick_response_check(spec)
        quick = quick_key.get(cls)
        if quick is not None and quick(result):
            return True
        error: Optional[ValidationError] = exceptions.best_match(validator.iter_errors(result))
        if error is not None:
            error.message += (
                f". Failed to validate Action server response from API, "
                f"make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise error
        return True

    _validate_action_result.__doc__ = RemoteAction._validate_action_result.__doc__
    RemoteAction._validate_action_result = _validate_action_result


def patch_event_type_lookup() -> None:
    """Remember the event class of each type name (see patch 2 in the module doc).

    Rasa 3.6.21 ``rasa/shared/core/events.py``: the static ``Event.resolve_by_type(type_name,
    default=None)`` returns the first class in ``all_subclasses(Event)`` whose ``type_name`` matches,
    else ``None`` for the legacy ``topic``, else ``default``, else raises ``ValueError``. Only a
    class found by that lookup is cached (never ``default`` nor ``None``). Event classes are defined
    when their modules are imported; a class defined later under a name already resolved would not be
    seen — Rasa defines none, and this project none at all.
    """
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    found: Dict[str, type] = {}

    def resolve_by_type(type_name: str, default: Optional[type] = None) -> Optional[type]:
        cls = found.get(type_name)
        if cls is not None:
            return cls
        resolved: Optional[type] = original(type_name, default)
        if resolved is not None and resolved is not default and getattr(resolved, "type_name", None) == type_name:
            found[type_name] = resolved
        return resolved

    resolve_by_type.__doc__ = original.__doc__
    Event.resolve_by_type = staticmethod(resolve_by_type)


STATES_REMEMBERED = 8  # trackers whose states are kept (strong references, so an id is never reused)


def _slim_past_messages(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The events with every ``user`` event but the last reduced to its intent (patch 7)."""
    last = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    slim: List[Dict[str, Any]] = []
    for i, event in enumerate(events):
        parse = event.get("parse_data")
        if i < last and event.get("event") == "user" and isinstance(parse, dict):
            event = dict(event, parse_data={"intent": parse.get("intent")})
        slim.append(event)
    return slim


def patch_action_call_payload() -> None:
    """Send earlier messages without their NLU details (see patch 7 in the module doc).

    Rasa 3.6.21 ``rasa/core/actions/action.py``: ``RemoteAction._action_call_format(tracker, domain)``
    returns ``{"next_action", "sender_id", "tracker": tracker.current_state(ALL), "version"[, "domain"]}``.
    """
    from rasa.core.actions.action import RemoteAction

    original = RemoteAction._action_call_format

    def _action_call_format(self: Any, tracker: Any, domain: Any) -> Dict[str, Any]:
        result: Dict[str, Any] = original(self, tracker, domain)
        state = result.get("tracker")
        if isinstance(state, dict) and isinstance(state.get("events"), list):
            result["tracker"] = dict(state, events=_slim_past_messages(state["events"]))
        return result

    _action_call_format.__doc__ = original.__doc__
    RemoteAction._action_call_format = _action_call_format


REPLAYS_KEPT = 512  # conversations whose replay is kept between turns (patch 3)


class _States:
    """The loop variables of Rasa's ``Domain.states_for_tracker_history`` for one set of arguments,
    at the point a :class:`_Replay` has reached (patch 3)."""

    def __init__(self, omit: bool, ignore: bool, rule_only: Any) -> None:
        self.omit, self.ignore, self.rule_only = omit, ignore, rule_only
        self.states: List[Dict[str, Any]] = []  # one per ActionExecuted replayed (unless hidden)
        self.last_ml_action: Optional[Dict[str, Any]] = None
        self.turn_was_hidden = False
        self.final: Optional[Dict[str, Any]] = None  # the state after the last event replayed

    def step(self, domain: Any, tracker: Any, hide_rule_turn: bool, keep: bool) -> None:
        """One iteration of Rasa's loop for ``tracker`` as replayed now (``keep``: a state before an
        action, kept; otherwise the final state, computed without touching the loop variables)."""
        from rasa.shared.core.constants import PREVIOUS_ACTION

        last_ml, hidden = self.last_ml_action, self.turn_was_hidden
        if self.ignore:
            if not hidden:
                last_ml = domain._get_prev_action_sub_state(tracker)
            if not tracker.followup_action and not tracker.latest_action_name == tracker.active_loop_name:
                hidden = hide_rule_turn
        state: Optional[Dict[str, Any]] = None
        if not (self.ignore and hidden):
            state = domain.get_active_state(tracker, omit_unset_slots=self.omit)
            if self.ignore:
                domain._remove_rule_only_features(state, self.rule_only)
                if self.states:
                    domain._substitute_rule_only_user_input(state, self.states[-1])
                if last_ml:
                    state[PREVIOUS_ACTION] = last_ml
            state = domain._clean_state(state)
        if keep:
            self.last_ml_action, self.turn_was_hidden = last_ml, hidden
            if state is not None:
                self.states.append(state)
        else:
            self.final = state


class _Replay:
    """A conversation replayed up to some event, with the states so far for every set of arguments
    the policies have asked with (one replay serves them all: patch 3)."""

    def __init__(self, tracker: Any, domain: Any, arguments: Dict[str, Tuple[bool, bool, Any]]) -> None:
        self.domain = domain  # kept: a replay never goes on with another domain of the same id
        self.seen: List[Tuple[str, Any]] = []  # (type name, timestamp) of every event replayed
        self.tracker = tracker.init_copy()
        self.loop_names: frozenset[str] = frozenset()
        self.by_arguments = {key: _States(*args) for key, args in arguments.items()}

    def replay(self, domain: Any, events: List[Any]) -> None:
        from rasa.shared.core.events import ActionExecuted

        for event in events:
            if isinstance(event, ActionExecuted):
                for acc in self.by_arguments.values():
                    acc.step(domain, self.tracker, event.hide_rule_turn, keep=True)
            self.tracker.update(event)
        for acc in self.by_arguments.values():
            acc.step(domain, self.tracker, False, keep=False)


#: Type names of the events after which earlier events apply differently (Restarted, SessionStarted,
#: ActionReverted, UserUtteranceReverted, ActiveLoop and its legacy Form): Rasa's ``applied_events``.
_REWRITES_PAST = ("restart", "session_started", "undo", "rewind", "active_loop", "form")

#: Every set of arguments ``past_states`` was asked with in this process (the policies use the same
#: few on every turn), so that a conversation's replay computes them all at once.
_ARGUMENTS: Dict[str, Tuple[bool, bool, Any]] = {}


def _replayed_states(tracker: Any, domain: Any, omit: bool, ignore: bool, rule_only: Any) -> List[Dict[str, Any]]:
    """``domain.states_for_tracker_history(tracker, …)``, replaying only the events not replayed
    before for this conversation when that gives the same result (patch 3)."""
    from rasa.shared.core.events import ActionExecuted, ActiveLoop

    arguments = json.dumps([omit, ignore, rule_only], sort_keys=True, default=str)
    _ARGUMENTS.setdefault(arguments, (omit, ignore, rule_only))
    key = (tracker.sender_id, id(domain))
    events = list(tracker.events)
    seen = [(e.type_name, e.timestamp) for e in events]
    replay = _REPLAYS.get(key)
    new: List[Any] = []
    if (
        replay is not None
        and replay.domain is domain
        and arguments in replay.by_arguments
        and len(replay.seen) <= len(seen)
        and seen[: len(replay.seen)] == replay.seen
    ):
        new = events[len(replay.seen) :]
        if any(
            e.type_name in _REWRITES_PAST or (isinstance(e, ActionExecuted) and e.action_name in replay.loop_names)
            for e in new
        ):
            replay = None
    else:
        replay = None
    if replay is None:  # from the start, over the events Rasa applies
        replay = _Replay(tracker, domain, _ARGUMENTS)
        replay.loop_names = frozenset(e.name for e in events if isinstance(e, ActiveLoop) and e.name)
        replay.replay(domain, tracker.applied_events())
    elif new:
        replay.replay(domain, new)
    replay.seen = seen
    _REPLAYS[key] = replay
    _REPLAYS.move_to_end(key)
    while len(_REPLAYS) > REPLAYS_KEPT:
        _REPLAYS.popitem(last=False)
    acc = replay.by_arguments[arguments]
    return _copy_states(acc.states + ([acc.final] if acc.final is not None else []))


_REPLAYS: collections.OrderedDict[Tuple[Any, ...], _Replay] = collections.OrderedDict()


def _copy_states(states: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Two levels deep: a state is {sub-state: {key: str | tuple | number}}; callers edit those dicts."""
    return [{key: dict(sub) if isinstance(sub, dict) else sub for key, sub in state.items()} for state in states]


def patch_past_states_memo() -> None:
    """Give the same tracker's states again within one prediction (see patch 3 in the module doc).

    Rasa 3.6.21 ``rasa/shared/core/trackers.py``: ``DialogueStateTracker.past_states(domain,
    omit_unset_slots=False, ignore_rule_only_turns=False, rule_only_data=None)`` returns
    ``domain.states_for_tracker_history(self, …)``, a pure function of the tracker's events, the
    domain and the arguments. A tracker only changes by appending events (``update``), so the
    same object with the same number of events and the same last event has the same states.
    Subclasses (training's ``TrackerWithCachedStates`` has its own cache) are left alone.
    """
    from rasa.shared.core.trackers import DialogueStateTracker

    original = DialogueStateTracker.past_states
    recent: Deque[Tuple[Any, ...]] = collections.deque(maxlen=STATES_REMEMBERED)

    def past_states(
        self: DialogueStateTracker,
        domain: Any,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: Optional[Dict[str, Any]] = None,
    ) -> List[Dict[str, Any]]:
        if type(self) is not DialogueStateTracker:
            computed: List[Dict[str, Any]] = original(
                self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data
            )
            return computed
        count = len(self.events)
        last = self.events[-1] if count else None
        for tracker, n, event, dom, omit, ignore, rule_only, kept in recent:
            if (
                tracker is self
                and n == count
                and event is last
                and dom is domain
                and omit == omit_unset_slots
                and ignore == ignore_rule_only_turns
                and (rule_only is rule_only_data or rule_only == rule_only_data)
            ):
                return _copy_states(kept)
        states = _replayed_states(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        recent.append(
            (self, count, last, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data, _copy_states(states))
        )
        return states

    past_states.__doc__ = original.__doc__
    DialogueStateTracker.past_states = past_states


class ActionServerUnavailable(RasaException):  # type: ignore[misc]  # rasa is untyped (Any)
    """The action server could not be reached: refused, reset, closed mid-answer or timed out (patch 4)."""


def _unreachable(error: BaseException) -> bool:
    """Whether ``error`` (or what it was raised from or during) is a failure to reach the server,
    as opposed to an answer the server gave (4xx/5xx, an invalid response)."""
    import asyncio

    import aiohttp

    seen = 0
    current: Optional[BaseException] = error
    while current is not None and seen < 5:
        if isinstance(current, aiohttp.ClientResponseError):
            return False
        if isinstance(current, (aiohttp.ClientConnectionError, asyncio.TimeoutError, ConnectionError)):
            return True
        current = current.__cause__ or current.__context__
        seen += 1
    return False


class _Guarded:
    """Stands in for the action a processor runs: a failure to reach the action server becomes the
    polite message, and is remembered so the turn can end there."""

    def __init__(self, action: Any) -> None:
        self._action = action
        self.unavailable = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._action, name)

    async def run(self, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        from rasa.shared.core.events import BotUttered

        try:
            events: List[Any] = await self._action.run(output_channel, nlg, tracker, domain)
            return events
        except ActionServerUnavailable:
            self.unavailable = True
            return [BotUttered(ACTION_SERVER_DOWN_TEXT, metadata={"action_server_unavailable": True})]


def patch_action_server_unavailable() -> None:
    """A polite message when the action server cannot be reached (see patch 4 in the module doc).

    Rasa 3.6.21 ``rasa/core/actions/action.py``: ``RemoteAction.run`` raises ``RasaException``
    (from within ``except aiohttp.ClientConnectionError``) when it cannot connect, and lets
    ``asyncio.TimeoutError`` through; ``rasa/core/processor.py``: ``MessageProcessor._run_action``
    catches any exception from ``action.run``, logs it, records the action with no events and
    returns ``should_predict_another_action(name)``. The form (``FormAction``), which calls its
    validation and ``action_ask_*`` actions itself, lets the error through to the same place;
    ``ActionExtractSlots`` catches ``RasaException`` itself (custom slot mappings stay unfilled),
    unchanged here.
    """
    import logging

    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.constants import ACTION_LISTEN_NAME

    unavailable = ActionServerUnavailable
    logger = logging.getLogger("rasa.core.actions.action")
    original_run = RemoteAction.run
    original_run_action = MessageProcessor._run_action

    async def run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        try:
            events: List[Any] = await original_run(self, output_channel, nlg, tracker, domain)
            return events
        except Exception as e:
            if isinstance(e, unavailable) or not _unreachable(e):
                raise
            logger.error(
                "Action server unreachable for '%s' (%s): the applicant is asked to send again.",
                self.name(),
                type(e).__name__,
            )
            raise unavailable(
                f"Failed to execute custom action '{self.name()}': the action server could not be reached"
            ) from e

    async def _run_action(
        self: MessageProcessor, action: Any, tracker: Any, output_channel: Any, nlg: Any, prediction: Any
    ) -> bool:
        guarded = _Guarded(action)
        again: bool = await original_run_action(self, guarded, tracker, output_channel, nlg, prediction)
        if not guarded.unavailable or action.name() == ACTION_LISTEN_NAME:
            return again
        # End the turn as every turn ends: the processor runs action_listen (no further action
        # would reach the action server, and the applicant has been told to send again).
        from rasa.core.actions.action import action_for_name_or_text
        from rasa.core.policies.policy import PolicyPrediction

        listen = action_for_name_or_text(ACTION_LISTEN_NAME, self.domain, self.action_endpoint)
        await original_run_action(
            self,
            listen,
            tracker,
            output_channel,
            nlg,
            PolicyPrediction.for_action_name(self.domain, ACTION_LISTEN_NAME),
        )
        return False

    run.__doc__ = original_run.__doc__
    _run_action.__doc__ = original_run_action.__doc__
    RemoteAction.run = run
    MessageProcessor._run_action = _run_action


def storage_unreachable(error: BaseException) -> bool:
    """Whether ``error`` means the lock store's Redis could not be reached (patch 5), as opposed
    to a bug or bad data. ``LockError`` is what the lock stores raise when issuing a ticket fails."""
    import redis
    from rasa.core.lock_store import LockError

    return isinstance(error, (LockError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError))


def patch_storage_unreachable() -> None:
    """A polite message when the lock store cannot be reached (see patch 5 in the module doc).

    Rasa 3.6.21 ``rasa/core/agent.py``: ``Agent.handle_message(message)`` takes the conversation's
    lock (``lock_store.lock``: ``issue_ticket`` raises ``LockError`` when Redis is down, waiting
    for the turn raises Redis's ``ConnectionError``) and runs ``processor.handle_message``; any
    error goes up to the input channel, which logs it and sends nothing.
    """
    import logging

    from rasa.core.agent import Agent

    logger = logging.getLogger("rasa.core.agent")
    original = Agent.handle_message

    async def handle_message(self: Agent, message: Any) -> Any:
        try:
            return await original(self, message)
        except Exception as e:
            if not storage_unreachable(e):
                raise
            logger.error("Lock store unreachable (%s): the applicant is asked to send again.", type(e).__name__)
            if message.output_channel is not None:
                await message.output_channel.send_text_message(message.sender_id, ACTION_SERVER_DOWN_TEXT)
            return None

    handle_message.__doc__ = original.__doc__
    Agent.handle_message = handle_message


def patch_model_load() -> None:
    """Load DIET / TED without tracing a training step (see patch 6 in the module doc).

    Rasa 3.6.21 ``rasa/utils/tensorflow/models.py``: ``RasaModel.load(model_file_name,
    model_data_example, predict_data_example=None, finetune_mode=False, *args, **kwargs)`` makes
    the model, compiles it with Adam, ``fit``s it on ``model_data_example`` (batch size 1) to
    create its weights, ``load_weights(model_file_name)`` (TensorFlow checkpoint format) and, unless
    fine-tuning, runs ``run_inference(predict_data_example)`` to trace the prediction.
    """
    from rasa.utils.tensorflow.constants import RUN_EAGERLY
    from rasa.utils.tensorflow.models import RasaModel

    original = RasaModel.load.__func__

    def load(
        cls: Any,
        model_file_name: str,
        model_data_example: Any,
        predict_data_example: Any = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if finetune_mode or not predict_data_example:
            return original(
                cls, model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs
            )
        model = cls(*args, **kwargs)
        model._run_eagerly = True  # one forward pass creates the weights; nothing is traced
        model.run_inference(predict_data_example)
        model._run_eagerly = kwargs.get("config", {}).get(RUN_EAGERLY)
        status = model.load_weights(model_file_name)
        if status is not None:
            status.expect_partial()  # the checkpoint also holds the optimizer's state, not needed to predict
        model.prepared_for_prediction = False  # label embeddings were computed from the initial weights
        model._tf_predict_step = None
        model.run_inference(predict_data_example)  # trace the prediction once, as Rasa does
        return model

    load.__doc__ = original.__doc__
    RasaModel.load = classmethod(load)


KEEPALIVE_SECONDS = 3.0  # an idle connection to an endpoint is closed after this (patch 8)
SLOW_CALL_SECONDS = 2.0  # a call to an endpoint slower than this is logged, with where the time went


def slow_call_tracing() -> Any:
    """An aiohttp trace that logs, as a warning, a call to an endpoint (the action server, the
    NLG server) taking over ``SLOW_CALL_SECONDS``, with the seconds spent on the name lookup, on
    opening the connection and in all: a turn past its budget (bot.plugins.channels.limits) then
    says in the Rasa pod's log whether the network or the action was slow."""
    import logging
    import time

    import aiohttp

    log = logging.getLogger("bot.plugins.rasa_main")

    def mark(name: str) -> Callable[..., Any]:
        async def on(_session: Any, context: Any, _params: Any) -> None:
            context.marks[name] = time.perf_counter()

        return on

    async def start(_session: Any, context: Any, _params: Any) -> None:
        context.marks = {"start": time.perf_counter()}

    async def end(_session: Any, context: Any, params: Any) -> None:
        marks = getattr(context, "marks", None)
        if not marks:
            return
        total = time.perf_counter() - marks["start"]
        if total < SLOW_CALL_SECONDS:
            return
        dns = marks.get("dns_end", 0.0) - marks.get("dns_start", 0.0)
        connect = marks.get("connect_end", 0.0) - marks.get("connect_start", 0.0) - dns  # it includes the lookup
        outcome = getattr(params, "exception", None) or getattr(getattr(params, "response", None), "status", "")
        log.warning(
            "a call to %s took %.1f s (name lookup %.1f s, connecting %.1f s): %s",
            params.url.with_query(None),
            total,
            dns,
            connect,
            type(outcome).__name__ if isinstance(outcome, BaseException) else outcome,
        )

    trace = aiohttp.TraceConfig()
    hooks: Dict[str, Callable[..., Any]] = {"start": start, "end": end}  # aiohttp's signal types are too narrow
    trace.on_request_start.append(hooks["start"])
    trace.on_dns_resolvehost_start.append(mark("dns_start"))
    trace.on_dns_resolvehost_end.append(mark("dns_end"))
    trace.on_connection_create_start.append(mark("connect_start"))
    trace.on_connection_create_end.append(mark("connect_end"))
    trace.on_request_end.append(hooks["end"])
    trace.on_request_exception.append(hooks["end"])
    return trace


class _Borrowed:
    """``async with`` a shared session without closing it at the end (patch 8)."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def __aenter__(self) -> Any:
        return self.session

    async def __aexit__(self, *exc: Any) -> None:
        return None


_SERVING: Dict[int, Dict[int, Tuple[Any, Any]]] = {}  # id(loop) -> id(endpoint) -> (endpoint, session)


async def share_http_sessions(_app: Any, loop: Any) -> None:
    """Before a Rasa server starts: its loop keeps one session per endpoint (patch 8)."""
    _SERVING.setdefault(id(loop), {})


async def close_http_sessions(_app: Any, loop: Any) -> None:
    """After a Rasa server stopped: close the sessions kept on its loop (patch 8)."""
    for _endpoint, session in _SERVING.pop(id(loop), {}).values():
        await session.close()


def patch_shared_http_sessions() -> None:
    """One client session per endpoint and event loop while a Rasa server runs (see patch 8).

    Rasa 3.6.21 ``rasa/utils/endpoints.py``: ``EndpointConfig.request`` does ``async with
    self.session() as session: …``; ``session()`` returns ``aiohttp.ClientSession(headers=self.headers,
    auth=BasicAuth(…) or None, timeout=ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT))``.
    ``rasa/core/run.py``: ``serve_application`` builds the Sanic app with ``configure_app``.
    """
    import asyncio

    import aiohttp
    import rasa.core.run
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

    original_session = EndpointConfig.session
    original_configure = rasa.core.run.configure_app

    def session(self: Any) -> Any:
        try:
            sessions = _SERVING.get(id(asyncio.get_running_loop()))
        except RuntimeError:
            sessions = None
        if sessions is None:  # no Rasa server runs on this loop: Rasa's own behaviour
            return original_session(self)
        found = sessions.get(id(self))
        if found is None or found[1].closed:
            basic = self.basic_auth
            shared = aiohttp.ClientSession(
                headers=self.headers,
                auth=aiohttp.BasicAuth(basic["username"], basic["password"]) if basic else None,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
                trace_configs=[slow_call_tracing()],
            )
            found = sessions[id(self)] = (self, shared)  # the endpoint is kept, so its id is not reused
        return _Borrowed(found[1])

    def configure_app(*args: Any, **kwargs: Any) -> Any:
        app = original_configure(*args, **kwargs)
        app.register_listener(share_http_sessions, "before_server_start")
        app.register_listener(close_http_sessions, "after_server_stop")
        return app

    session.__doc__ = original_session.__doc__
    configure_app.__doc__ = original_configure.__doc__
    EndpointConfig.session = session
    rasa.core.run.configure_app = configure_app


def patch_rule_lookup() -> None:
    """Filter the rules that apply with early stops and parsed rules kept (see patch 9).

    Rasa 3.6.21 ``rasa/core/policies/rule_policy.py``: ``RulePolicy._get_possible_keys(lookup,
    states)`` keeps, for ``i, state in enumerate(reversed(states))``, the keys for which
    ``_is_rule_applicable(key, i, state)`` holds; that is True when ``i`` is beyond the rule's
    length, True when neither the rule's ``i``-th state from the end nor ``state`` has a previous
    action, False when only one of them has one, and otherwise ``_does_rule_match_state``.
    """
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET
    from rasa.shared.nlu.constants import ACTION_NAME

    Rule = Tuple[str, List[Any]]  # a key and its states, newest first
    indexes: Dict[int, Tuple[Dict[str, str], List[Rule], Dict[Optional[str], List[Rule]]]] = {}

    def index(lookup: Dict[str, str]) -> Tuple[List[Rule], Dict[Optional[str], List[Rule]]]:
        """The lookup's rules, and the same by the previous action their last state requires
        (``None``: rules whose last state requires none, checked against every state)."""
        found = indexes.get(id(lookup))
        if found is not None and found[0] is lookup and len(found[1]) == len(lookup):
            return found[1], found[2]
        rules: List[Rule] = []
        by_action: Dict[Optional[str], List[Rule]] = {}
        for key in lookup:
            rule = (key, list(reversed(json.loads(key))))
            rules.append(rule)
            action = (rule[1][0].get(PREVIOUS_ACTION) or {}).get(ACTION_NAME) if rule[1] else None
            by_action.setdefault(None if not action or action == SHOULD_NOT_BE_SET else action, []).append(rule)
        indexes[id(lookup)] = (lookup, rules, by_action)
        return rules, by_action

    def _get_possible_keys(self: Any, lookup: Dict[str, str], states: List[Dict[str, Any]]) -> Set[str]:
        keys, by_action = index(lookup)
        if states:  # a rule whose last state requires another previous action cannot match
            current = (states[-1].get(PREVIOUS_ACTION) or {}).get(ACTION_NAME)
            keys = by_action.get(None, []) + (by_action.get(current, []) if current is not None else [])
        for i, state in enumerate(reversed(states)):
            if not keys or all(i >= len(rule) for _key, rule in keys):
                break  # nothing left to remove: every later state keeps every key left
            current = state.get(PREVIOUS_ACTION)
            left = []
            for key, rule in keys:
                if i >= len(rule):
                    left.append((key, rule))
                    continue
                previous = rule[i].get(PREVIOUS_ACTION)
                if not previous and not current:
                    left.append((key, rule))
                elif previous and current and self._does_rule_match_state(rule[i], state):
                    left.append((key, rule))
            keys = left
        return {key for key, _rule in keys}

    _get_possible_keys.__doc__ = RulePolicy._get_possible_keys.__doc__
    _get_possible_keys.__wrapped__ = RulePolicy._get_possible_keys  # type: ignore[attr-defined]  # Rasa's, for comparison
    RulePolicy._get_possible_keys = _get_possible_keys


def patch_graph_runner() -> None:
    """Run a graph's nodes in a dependency order computed once (see patch 10).

    Rasa 3.6.21 ``rasa/engine/runner/dask.py``: ``DaskGraphRunner.run(inputs, targets)`` takes
    ``targets or schema.target_names``, builds ``{name: (node, *needs)}`` for the minimal schema,
    adds each input as ``{name: (name, value)}`` (refusing a text value that names a node), runs
    ``dask.get(graph, targets)`` and returns ``dict`` of the targets' ``(name, value)`` results.
    """
    import logging

    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner import dask as dask_runner
    from rasa.engine.runner.dask import DaskGraphRunner

    original = DaskGraphRunner.run
    logger = dask_runner.logger

    def plan(self: Any, targets: List[str], inputs: Tuple[str, ...]) -> List[Tuple[str, Any, List[str]]]:
        cache: Dict[Tuple[Any, ...], List[Tuple[str, Any, List[str]]]] = self.__dict__.setdefault("_run_plans", {})
        key = (tuple(targets), inputs)
        found = cache.get(key)
        if found is None:
            nodes = self._graph_schema.nodes
            done: Set[str] = set(inputs)
            order: List[Tuple[str, Any, List[str]]] = []

            def visit(name: str) -> None:
                if name in done or name not in nodes:
                    return
                done.add(name)
                needs = list(nodes[name].needs.values())
                for need in needs:
                    visit(need)
                order.append((name, self._instantiated_nodes[name], needs))

            for target in targets:
                visit(target)
            found = cache[key] = order
        return found

    def run(self: Any, inputs: Optional[Dict[str, Any]] = None, targets: Optional[List[str]] = None) -> Dict[str, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        names = tuple(sorted(inputs or ()))
        order = plan(self, run_targets, names)
        values: Dict[str, Any] = {}
        if inputs:
            planned = {name for name, _node, _needs in order} | set(names)
            for name, value in inputs.items():
                if isinstance(value, str) and value in planned:
                    raise GraphRunError(
                        f"Input value '{value}' clashes with a node name. Make sure that none of the input "
                        f"names passed to the `run` method are the same as node names in the graph schema."
                    )
                values[name] = (name, value)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(f"Running graph with inputs: {inputs}, targets: {targets} and {self._execution_context}.")
        try:
            for name, node, needs in order:
                values[name] = node(*[values.get(need, need) for need in needs])
            return dict(values.get(target, target) for target in run_targets)
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e

    run.__doc__ = original.__doc__
    run.__wrapped__ = original  # type: ignore[attr-defined]  # Rasa's, for comparison
    DaskGraphRunner.run = run


PATCHES: Dict[str, Callable[[], None]] = {
    "action_result_validation": patch_action_result_validation,
    "event_type_lookup": patch_event_type_lookup,
    "past_states_memo": patch_past_states_memo,
    "action_server_unavailable": patch_action_server_unavailable,
    "storage_unreachable": patch_storage_unreachable,
    "model_load": patch_model_load,
    "action_call_payload": patch_action_call_payload,
    "shared_http_sessions": patch_shared_http_sessions,
    "rule_lookup": patch_rule_lookup,
    "graph_runner": patch_graph_runner,
}


def apply_patches() -> List[str]:
    """Apply every patch once (idempotent); returns the names applied in this process."""
    check_rasa_version()
    for name, patch in PATCHES.items():
        if name not in _applied:
            patch()
            _applied.append(name)
    return list(_applied)


def main(argv: Optional[List[str]] = None) -> None:
    """``rasa <argv…>`` with the patches applied first; ``run`` brings the project database (the
    channels' feedback and WeChat tables) to the newest schema before Rasa starts."""
    apply_patches()
    from rasa.__main__ import main as rasa_cli

    sys.argv = ["rasa", *(sys.argv[1:] if argv is None else argv)]
    if sys.argv[1:2] == ["run"] and sys.argv[2:3] != ["actions"]:
        from bot.settings import get_settings
        from bot.storage.migrate import on_start

        on_start(get_settings().core.database_url)
    rasa_cli()


if __name__ == "__main__":
    main()

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
   ``jsonschema.ValidationError`` (best match, with Rasa's hint appended).
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
from typing import Any, Callable, Deque, Dict, List, Optional, Tuple

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

    def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
        cls = type(self)
        validator = spec_key.get(cls)
        if validator is None:
            validator = spec_key[cls] = validator_for_schema(self.action_response_format_spec())
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
        states: List[Dict[str, Any]] = original(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
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


PATCHES: Dict[str, Callable[[], None]] = {
    "action_result_validation": patch_action_result_validation,
    "event_type_lookup": patch_event_type_lookup,
    "past_states_memo": patch_past_states_memo,
    "action_server_unavailable": patch_action_server_unavailable,
    "storage_unreachable": patch_storage_unreachable,
    "model_load": patch_model_load,
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

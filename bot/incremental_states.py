"""The policies' view of a conversation, carried on from the last turn instead of rebuilt from its start.

Before every action it predicts, Rasa turns the conversation into a list of states, one per action
taken so far (``Domain.states_for_tracker_history``), by replaying every event from the start of
the session; each policy asks again. At turn 40 that replay was the largest part of a turn, and it
grows with every turn. A state depends only on the events before it, so the states of events seen
before are kept (per conversation, for the few ways the policies ask) and only the new events are
replayed.

The kept states are used only while the conversation's applied events begin with exactly the event
objects they were made from (an identity check); anything else (an undone message, a restart, a
tracker rebuilt from the database) starts again from the beginning, as Rasa does. Callers change
the lists they are given, so each call returns copies.
"""

from __future__ import annotations

import json
import operator
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Tuple, cast

from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State, SubState
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

HELD_CONVERSATIONS = 500  # the most recently used; each holds its events' states per way of asking

_Key = Tuple[int, str, bool, bool, str]


@dataclass
class _Progress:
    """How far the states of one conversation have been worked out, and the replay they came from."""

    replay: DialogueStateTracker
    events: List[Event] = field(default_factory=list)  # the applied events replayed so far
    states: List[State] = field(default_factory=list)  # one per ``ActionExecuted`` among them
    last_ml_action: Dict[str, Any] | None = None
    turn_was_hidden: bool = False


_held: OrderedDict[_Key, _Progress] = OrderedDict()
_rasa_states_for_tracker_history: Callable[..., List[State]] | None = None


def use_incremental_states() -> None:
    """Make ``Domain.states_for_tracker_history`` carry on from the states worked out last time."""
    global _rasa_states_for_tracker_history
    if _rasa_states_for_tracker_history is None:
        _rasa_states_for_tracker_history = Domain.states_for_tracker_history
        Domain.states_for_tracker_history = states_for_tracker_history


def states_for_tracker_history(
    domain: Domain,
    tracker: DialogueStateTracker,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Dict[str, Any] | None = None,
) -> List[State]:
    """The same states as Rasa's ``Domain.states_for_tracker_history``, replaying only new events."""
    applied = tracker.applied_events()
    key: _Key = (
        id(domain),
        tracker.sender_id,
        omit_unset_slots,
        ignore_rule_only_turns,
        json.dumps(rule_only_data, sort_keys=True, default=str),
    )
    progress = _held.pop(key, None)
    if progress is None or not _begins_with(applied, progress.events):
        progress = _Progress(replay=tracker.init_copy())
    for event in applied[len(progress.events) :]:
        if isinstance(event, ActionExecuted):
            _add_state(domain, progress, progress.replay, event.hide_rule_turn, omit_unset_slots,
                       ignore_rule_only_turns, rule_only_data)  # fmt: skip
        progress.replay.update(event)
        progress.events.append(event)
    _held[key] = progress
    while len(_held) > HELD_CONVERSATIONS:
        _held.popitem(last=False)
    # The state after the last event changes with the next one: it is worked out each time, and
    # not kept.
    previous = progress.states[-1:]  # what the latest state may take the resident's input from
    latest = _Progress(
        replay=progress.replay,
        states=list(previous),
        last_ml_action=progress.last_ml_action,
        turn_was_hidden=progress.turn_was_hidden,
    )
    _add_state(domain, latest, progress.replay, False, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    return [_copy(state) for state in progress.states + latest.states[len(previous) :]]


def _begins_with(events: List[Event], prefix: List[Event]) -> bool:
    """True when ``events`` starts with the very objects of ``prefix``, in order."""
    return len(prefix) <= len(events) and all(map(operator.is_, prefix, events))


def _add_state(
    domain: Domain,
    progress: _Progress,
    replay: DialogueStateTracker,
    hide_rule_turn: bool,
    omit_unset_slots: bool,
    ignore_rule_only_turns: bool,
    rule_only_data: Dict[str, Any] | None,
) -> None:
    """One step of Rasa's loop in ``Domain.states_for_tracker_history`` (Rasa 3.6), for the action
    about to be applied to ``replay``."""
    if ignore_rule_only_turns:
        if not progress.turn_was_hidden:
            progress.last_ml_action = domain._get_prev_action_sub_state(replay)
        if not replay.followup_action and replay.latest_action_name != replay.active_loop_name:
            progress.turn_was_hidden = hide_rule_turn
        if progress.turn_was_hidden:
            return
    state = domain.get_active_state(replay, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if progress.states:
            domain._substitute_rule_only_user_input(state, progress.states[-1])
        if progress.last_ml_action:
            state[PREVIOUS_ACTION] = cast(SubState, progress.last_ml_action)
    progress.states.append(domain._clean_state(state))


def _copy(state: State) -> State:
    """A copy the caller may change (Rasa's featurizers delete keys from the states they get)."""
    return {part: dict(sub_state) for part, sub_state in state.items()}

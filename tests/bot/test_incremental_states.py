"""The policies' states, carried on from the last turn, are exactly the ones Rasa rebuilds from the
start: after every event of a real conversation (a form, two fallbacks that undo the resident's
message, a rejected action), for every way the policies ask."""

from __future__ import annotations

from itertools import product
from typing import Any, Dict, List

import pytest
from rasa.shared.core.constants import RULE_ONLY_LOOPS, RULE_ONLY_SLOTS
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from bot.incremental_states import states_for_tracker_history
from tests.bot.conftest import recorded_events

RASA = Domain.states_for_tracker_history  # not replaced here: the tests never call use_incremental_states


RULE_ONLY: List[Dict[str, Any] | None] = [
    None,
    {RULE_ONLY_SLOTS: ["requested_slot"], RULE_ONLY_LOOPS: ["report_form"]},
]
WAYS = list(product([False, True], [False, True], RULE_ONLY))  # omit unset slots, ignore rule turns, rule-only data


def both(domain: Domain, tracker: DialogueStateTracker, way: tuple[bool, bool, Any]) -> tuple[list[State], list[State]]:
    omit, ignore, rule_only = way
    return (
        states_for_tracker_history(domain, tracker, omit, ignore, rule_only),
        RASA(domain, tracker, omit, ignore, rule_only),
    )


def test_the_recorded_conversation_has_what_makes_states_hard() -> None:
    kinds = {event.type_name for event in recorded_events()}
    assert {"rewind", "active_loop", "action_execution_rejected", "session_started"} <= kinds


@pytest.mark.parametrize("way", WAYS)
def test_after_every_event_the_carried_on_states_are_rasas(domain: Domain, way: tuple[bool, bool, Any]) -> None:
    tracker = DialogueStateTracker("incremental-every-event", domain.slots)
    for event in recorded_events():
        tracker.update(event)
        mine, rasas = both(domain, tracker, way)
        assert mine == rasas, f"after {event}"


def test_states_handed_out_can_be_changed_without_changing_the_next_answer(domain: Domain) -> None:
    tracker = DialogueStateTracker("incremental-changed", domain.slots)
    tracker.update_with_events(recorded_events(), domain)
    first = states_for_tracker_history(domain, tracker)
    for state in first:  # as Rasa's featurizers do: they delete the text where there is an intent
        state.clear()
    tracker.update(ActionExecuted("action_listen"))
    assert states_for_tracker_history(domain, tracker) == RASA(domain, tracker)


def test_a_tracker_rebuilt_from_the_database_and_a_new_session_start_again(domain: Domain) -> None:
    tracker = DialogueStateTracker("incremental-rebuilt", domain.slots)
    tracker.update_with_events(recorded_events(), domain)
    states_for_tracker_history(domain, tracker)
    rebuilt = DialogueStateTracker("incremental-rebuilt", domain.slots)  # the same events, new objects
    rebuilt.update_with_events(recorded_events()[:-3], domain)
    assert states_for_tracker_history(domain, rebuilt) == RASA(domain, rebuilt)
    rebuilt.update_with_events(
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")], domain
    )
    assert states_for_tracker_history(domain, rebuilt) == RASA(domain, rebuilt)

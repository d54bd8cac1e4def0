"""A conversation's applied events, carried on from the last answer, are exactly the ones Rasa works
out from the start: after every event of a real conversation (a form, two fallbacks that undo the
resident's message, a rejected action, a new session), and again after anything that breaks the
carrying on."""

from __future__ import annotations

from typing import List

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, Restarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.applied_events import applied_events
from tests.bot.conftest import recorded_events

RASA = DialogueStateTracker.applied_events  # not replaced here: the tests never call use_carried_on_applied_events


def test_the_recorded_conversation_undoes_events_in_every_way() -> None:
    kinds = {event.type_name for event in recorded_events()}
    assert {"rewind", "active_loop", "action_execution_rejected", "session_started"} <= kinds


def test_after_every_event_the_carried_on_answer_is_rasas(domain: Domain) -> None:
    tracker = DialogueStateTracker("applied-every-event", domain.slots)
    for event in recorded_events():
        tracker.update(event)
        assert applied_events(tracker) == RASA(tracker), f"after {event}"


def test_the_answer_handed_out_can_be_changed_without_changing_the_next(domain: Domain) -> None:
    tracker = DialogueStateTracker("applied-changed", domain.slots)
    tracker.update_with_events(recorded_events(), domain)
    applied_events(tracker).clear()
    tracker.update(ActionExecuted("action_listen"))
    assert applied_events(tracker) == RASA(tracker)


def test_other_event_objects_start_again(domain: Domain) -> None:
    tracker = DialogueStateTracker("applied-rebuilt", domain.slots)
    tracker.update_with_events(recorded_events(), domain)
    applied_events(tracker)
    # As if rebuilt from the database after another process's turn: as many events and more, new
    # objects, and not the same conversation (a restart half way).
    rebuilt = recorded_events()
    rebuilt.insert(len(rebuilt) // 2, Restarted())
    tracker.events.clear()
    tracker.events.extend(rebuilt)
    assert applied_events(tracker) == RASA(tracker)


def test_a_form_named_for_the_first_time_rereads_its_earlier_steps(domain: Domain) -> None:
    # Before the form is named, its earlier steps are plain actions; once a later event names it,
    # Rasa reads them as the form's repeated steps and drops all but the first.
    tracker = DialogueStateTracker("applied-new-form", domain.slots)
    steps: List[Event] = [
        ActionExecuted("action_listen"),
        UserUttered("pothole", {"name": "report_issue"}),
        ActionExecuted("report_form"),
        ActionExecuted("action_listen"),
        UserUttered("on the high street", {"name": "inform"}),
        ActionExecuted("report_form"),
    ]
    for event in steps:
        tracker.update(event)
        assert applied_events(tracker) == RASA(tracker)
    tracker.update(ActiveLoop("report_form"))
    assert applied_events(tracker) == RASA(tracker)
    assert len(applied_events(tracker)) < len(tracker.events)


def test_a_restart_forgets_everything_before_it(domain: Domain) -> None:
    tracker = DialogueStateTracker("applied-restart", domain.slots)
    tracker.update_with_events(recorded_events(), domain)
    applied_events(tracker)
    tracker.update(Restarted())
    assert applied_events(tracker) == RASA(tracker) == []

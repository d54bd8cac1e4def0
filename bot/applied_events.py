"""Rasa's ``applied_events()``, carried on from the last answer instead of worked out from the start.

A conversation's applied events are its events less those undone: everything before a restart or
a session start, a message a fallback rewound, a reverted action, a form's repeated steps. Rasa
works them out by reading every event from the start, and asks many times a turn (the policies'
states, the session check, the latest event of a kind): at turn 40 of one conversation that was
the largest part of the Rasa process's growth. Each step of Rasa's reading depends only on the
events applied so far, the next event and the names of the conversation's forms (read from all its
events). So each tracker keeps its last answer, and a longer list of events carries on from it
while it begins with the very same event objects and names no new form. Anything else (an event
list rebuilt from the database, a trimmed history, a first form) starts again from the beginning,
as Rasa does.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Callable, List

from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

_KEPT = "_council_applied_events"  # the tracker's attribute holding its last answer


@dataclass
class _Answer:
    """The applied events of the events read so far, and what they were worked out from."""

    read: List[Event] = field(default_factory=list)  # the tracker's events, the same objects
    loop_names: frozenset[str] = frozenset()
    applied: List[Event] = field(default_factory=list)


_rasa_applied_events: Callable[[DialogueStateTracker], List[Event]] | None = None


def use_carried_on_applied_events() -> None:
    """Make ``DialogueStateTracker.applied_events`` carry on from the tracker's last answer."""
    global _rasa_applied_events
    if _rasa_applied_events is None:
        _rasa_applied_events = DialogueStateTracker.applied_events
        DialogueStateTracker.applied_events = applied_events


def applied_events(tracker: DialogueStateTracker) -> List[Event]:
    """The same list as Rasa's ``DialogueStateTracker.applied_events``, reading only new events.

    Returns a new list each time: callers may change it.
    """
    events = tracker.events
    kept: _Answer | None = tracker.__dict__.get(_KEPT)
    if kept is None or not _carries_on(kept, events):
        kept = _Answer()
    new = list(events)[len(kept.read) :]
    names = {event.name for event in new if isinstance(event, ActiveLoop) and event.name}
    if not names <= kept.loop_names:
        # A form named for the first time changes how its earlier steps read: start again.
        kept = _Answer(loop_names=kept.loop_names | names)
        new = list(events)
    for event in new:
        kept.applied = _apply(tracker, kept.applied, event, kept.loop_names)
        kept.read.append(event)
    tracker.__dict__[_KEPT] = kept
    return list(kept.applied)


def _carries_on(kept: _Answer, events: object) -> bool:
    """Whether ``events`` begins with exactly the event objects the kept answer read."""
    read = kept.read
    return len(read) <= len(events) and all(map(operator.is_, read, events))  # type: ignore[arg-type, call-overload]


def _apply(
    tracker: DialogueStateTracker, applied: List[Event], event: Event, loop_names: frozenset[str]
) -> List[Event]:
    """One step of the loop in Rasa 3.6's ``DialogueStateTracker.applied_events``."""
    if isinstance(event, (Restarted, SessionStarted)):
        return []
    if isinstance(event, ActionReverted):
        tracker._undo_till_previous(ActionExecuted, applied)
    elif isinstance(event, UserUtteranceReverted):
        tracker._undo_till_previous(UserUttered, applied)
        tracker._undo_till_previous(ActionExecuted, applied)
    elif (
        isinstance(event, ActionExecuted)
        and event.action_name in loop_names
        and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
    ):
        tracker._undo_till_previous_loop_execution(event.action_name, applied)
    else:
        applied.append(event)
    return applied

"""What the actions read of the conversation: read once per action call, and again when it grows."""

from __future__ import annotations

from typing import Any

import pytest

from actions.context import this_session, view
from routing.conversation_events import ConversationView
from tests.actions.conftest import tracker

EVENTS = [
    {"event": "user", "text": "hello", "parse_data": {"intent": {"name": "greet"}}},
    {"event": "session_started"},
    {"event": "user", "text": "pothole", "parse_data": {"intent": {"name": "report_issue"}}},
    {"event": "slot", "name": "requested_slot", "value": "location"},
]


def test_the_session_is_what_came_after_the_latest_session_start() -> None:
    conversation = tracker(events=list(EVENTS))
    assert [message.text for message in view(conversation).messages] == ["hello", "pothole"]
    assert [message.text for message in this_session(conversation).messages] == ["pothole"]


def test_a_slot_validation_adds_to_what_the_action_reads() -> None:
    conversation = tracker(events=list(EVENTS))
    assert [change.name for change in this_session(conversation).slots] == ["requested_slot"]
    conversation.add_slots([{"event": "slot", "name": "location", "value": "Hill Lane"}])
    assert [change.name for change in this_session(conversation).slots] == ["requested_slot", "location"]
    assert view(conversation).slots[-1].value == "Hill Lane"


def fields(view: ConversationView) -> tuple[Any, ...]:
    return (view.events, view.messages, view.steps, view.said, view.slots)


MORE = [
    {"event": "bot", "text": "Where is it?"},
    {"event": "user", "text": "Hill Lane", "parse_data": {"intent": {"name": "inform"}}},
    {"event": "session_started"},
    {"event": "user", "text": "hello again", "parse_data": {"intent": {"name": "greet"}}},
]


@pytest.mark.parametrize("split", range(len(MORE) + 1))
def test_a_later_call_reads_what_a_fresh_reading_does(split: int) -> None:
    # The action server hands each call of a conversation the same event objects as the call before,
    # and more: only the new ones are read, and the reading is the same as reading them all.
    events = [dict(event) for event in EVENTS + MORE]
    view(tracker(events=events[: len(EVENTS) + split]))
    later = tracker(events=list(events))
    fresh = ConversationView([dict(event) for event in events])
    assert fields(view(later)) == fields(fresh)
    assert fields(this_session(later)) == fields(fresh.current_session())


def test_other_events_than_the_last_call_are_read_afresh() -> None:
    view(tracker(events=[dict(event) for event in EVENTS]))
    other = [{"event": "user", "text": "pay my council tax", "parse_data": {"intent": {"name": "make_payment"}}}]
    assert [message.text for message in view(tracker(events=other)).messages] == ["pay my council tax"]

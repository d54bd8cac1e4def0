"""What the actions read of the conversation: read once per action call, and again when it grows."""

from __future__ import annotations

from actions.context import this_session, view
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

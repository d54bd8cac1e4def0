"""The action server's answers are checked as Rasa checks them, at a fraction of the cost: the same
answers pass, the same are refused, with Rasa's own message."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)

from bot.action_results import use_built_validator, validate_action_answer

# What this project's actions send back: each kind of event they use, as Rasa serialises it.
REAL_EVENTS = [
    event.as_dict()
    for event in (
        SlotSet("service", "pothole"),
        SlotSet("support_needs", ["older_age", "digital_exclusion"]),
        ActiveLoop("report_form"),
        ActiveLoop(None),
        FollowupAction("utter_ask_location"),
        AllSlotsReset(),
        Restarted(),
        SessionStarted(),
        LoopInterrupted(True),
        ActionExecutionRejected("validate_report_form"),
        ActionExecuted("action_listen"),
        BotUttered("Thank you.", {"buttons": []}),
        UserUttered("hello", {"name": "greet", "confidence": 0.9}),
    )
]

ANSWERS: list[tuple[str, Any]] = [
    ("no events, no responses", {}),
    ("every kind of event the actions send", {"events": REAL_EVENTS, "responses": [{"text": "Thank you."}]}),
    ("an unknown event", {"events": [{"event": "teleport"}]}),
    ("an event without its kind", {"events": [{"name": "service", "value": 1}]}),
    ("an event that is text", {"events": ["slot"]}),
    ("events not a list", {"events": "slot"}),
    ("a response that is text, not an object", {"responses": ["Thank you."]}),
    ("a slot event without its name", {"events": [{"event": "slot", "value": 1}]}),
    ("a slot event with a number for a name", {"events": [{"event": "slot", "name": 3, "value": 1}]}),
    ("a timestamp that is text", {"events": [{"event": "restart", "timestamp": "now"}]}),
    ("a follow-up without its action", {"events": [{"event": "followup"}]}),
    ("a good event then a bad one", {"events": [REAL_EVENTS[0], {"event": "active_loop", "name": 7}]}),
]


def rasa_accepts(answer: Any) -> bool:
    """The verdict of what Rasa itself calls: ``jsonschema.validate`` with the whole schema."""
    try:
        jsonschema.validate(answer, RemoteAction.action_response_format_spec())
    except jsonschema.ValidationError:
        return False
    return True


@pytest.mark.parametrize("answer", [answer for _, answer in ANSWERS], ids=[name for name, _ in ANSWERS])
def test_every_answer_gets_the_verdict_rasa_would_give(answer: Any) -> None:
    action = RemoteAction("validate_report_form", None)
    if rasa_accepts(answer):
        assert validate_action_answer(action, answer) is True
    else:
        with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
            validate_action_answer(action, answer)


def test_the_table_has_answers_of_both_kinds() -> None:
    verdicts = {rasa_accepts(answer) for _, answer in ANSWERS}
    assert verdicts == {True, False}


def test_the_rasa_server_uses_it_for_every_remote_action() -> None:
    original = RemoteAction._validate_action_result
    try:
        use_built_validator()
        with pytest.raises(jsonschema.ValidationError):
            RemoteAction("action_pay", None)._validate_action_result({"events": [{"event": "teleport"}]})
    finally:
        RemoteAction._validate_action_result = original

"""The action server's answers are checked as Rasa checks them, with a validator built once: the
same answers pass, the same are refused, with Rasa's own message."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot.action_results import use_built_validator, validate_action_answer

ANSWERS: list[tuple[str, dict[str, Any], bool]] = [
    ("no events, no responses", {}, True),
    (
        "a slot and a message",
        {"events": [{"event": "slot", "name": "service", "value": "pothole"}], "responses": [{"text": "Thank you."}]},
        True,
    ),
    ("a form ends", {"events": [{"event": "active_loop", "name": None}], "responses": []}, True),
    ("an unknown event", {"events": [{"event": "teleport"}]}, False),
    ("events not a list", {"events": "slot"}, False),
    ("a response that is text, not an object", {"responses": ["Thank you."]}, False),
    ("a slot event without its name", {"events": [{"event": "slot", "value": 1}]}, False),
]


@pytest.mark.parametrize("answer,valid", [(a, v) for _, a, v in ANSWERS], ids=[name for name, _, _ in ANSWERS])
def test_answers_get_the_verdict_jsonschema_gives(answer: dict[str, Any], valid: bool) -> None:
    action = RemoteAction("validate_report_form", None)
    try:
        jsonschema.validate(answer, RemoteAction.action_response_format_spec())
        rasa_says = True
    except jsonschema.ValidationError:
        rasa_says = False
    assert rasa_says is valid
    if valid:
        assert validate_action_answer(action, answer) is True
    else:
        with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
            validate_action_answer(action, answer)


def test_the_rasa_server_uses_it_for_every_remote_action() -> None:
    original = RemoteAction._validate_action_result
    try:
        use_built_validator()
        with pytest.raises(jsonschema.ValidationError):
            RemoteAction("action_pay", None)._validate_action_result({"events": [{"event": "teleport"}]})
    finally:
        RemoteAction._validate_action_result = original

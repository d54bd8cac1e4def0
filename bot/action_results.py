"""The action server's answers, checked against Rasa's schema at a fraction of the cost.

Rasa checks every answer from the action server (``RemoteAction._validate_action_result``) with
``jsonschema.validate``, which first checks the *schema* against the JSON Schema meta-schema, on
every call: more than a third of the Rasa process's time under load (measured with py-spy on 20
concurrent six-turn conversations). Checking the answer itself was the next cost: each event is
tried against every one of the schema's 23 event kinds (``oneOf``), to find the one it is.

``use_built_validator`` replaces the method with one that gives the same verdict on every answer:
validators built once, and each event checked against the common part of the event schema and then
only against the kind its ``event`` field names (each kind's branch of the ``oneOf`` fixes ``event``
to a constant of its own, so no other branch can match). A bad answer is still refused with Rasa's
own error.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, Mapping

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

RASA_HINT = (
    ". Failed to validate Action server response from API, make sure your response from the "
    f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
)


def _validator(schema: Mapping[str, Any]) -> Validator:
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@dataclass(frozen=True)
class AnswerValidators:
    """The answer schema split where it can be: the answer without its events, an event's common
    part, and one validator for each kind of event."""

    answer: Validator
    event: Validator
    kinds: Mapping[str, Validator]


@lru_cache(maxsize=1)
def answer_validators() -> AnswerValidators:
    """Rasa's action server answer schema, split and checked once."""
    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    events = schema["properties"]["events"]
    item = dict(events["items"])
    branches = item.pop("oneOf")
    schema["properties"]["events"] = {key: value for key, value in events.items() if key != "items"}
    kinds = {branch["properties"]["event"]["const"]: _validator(branch) for branch in branches}
    if len(kinds) != len(branches):  # a Rasa upgrade changed the schema's shape: check it whole
        raise ValueError("Rasa's event kinds no longer each have a branch of their own")
    return AnswerValidators(_validator(schema), _validator(item), kinds)


def _first_error(validator: Validator, instance: Any) -> ValidationError | None:
    return best_match(validator.iter_errors(instance))


def answer_error(result: Dict[str, Any]) -> ValidationError | None:
    """Why ``result`` breaks Rasa's answer schema, or None when it does not."""
    validators = answer_validators()
    error = _first_error(validators.answer, result)
    if error is not None or not isinstance(result, dict):
        return error
    for event in result.get("events") or []:
        error = _first_error(validators.event, event)
        if error is not None:
            return error
        kind = validators.kinds.get(event["event"])
        if kind is None:
            return ValidationError(f"{event!r} is not valid under any of the given schemas")
        error = _first_error(kind, event)
        if error is not None:
            return error
    return None


def validate_action_answer(_action: RemoteAction, result: Dict[str, Any]) -> bool:
    """What ``jsonschema.validate`` did for Rasa: True, or Rasa's error."""
    error = answer_error(result)
    if error is None:
        return True
    error.message += RASA_HINT
    raise error


def use_built_validator() -> None:
    """Make every ``RemoteAction`` in this process check answers with the built validators."""
    RemoteAction._validate_action_result = validate_action_answer

"""The action server's answers, checked against Rasa's schema with a validator built once.

Rasa checks every answer from the action server (``RemoteAction._validate_action_result``) with
``jsonschema.validate``, which first checks the *schema* against the JSON Schema meta-schema, on
every call. Rasa's events schema is large, so that check cost more than a third of the Rasa
process's time under load (measured with py-spy on 20 concurrent six-turn conversations), far more
than checking the answer itself. ``use_built_validator`` replaces the method with one that checks
the same answer against the same schema, with a validator whose schema was checked once. A bad
answer is still refused with Rasa's own error.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def answer_validator() -> Validator:
    """A validator for Rasa's action server answer schema, the schema itself checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_answer(_action: RemoteAction, result: Dict[str, Any]) -> bool:
    """What ``jsonschema.validate`` did for Rasa, without checking the schema again."""
    error = best_match(answer_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the "
        f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def use_built_validator() -> None:
    """Make every ``RemoteAction`` in this process check answers with the built validator."""
    RemoteAction._validate_action_result = validate_action_answer

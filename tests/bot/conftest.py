"""Shared by the tests of Rasa's parts: the real domain and a recorded conversation."""

from __future__ import annotations

import json
from typing import List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event

from tests.conftest import ROOT

# A real conversation: a form, two fallbacks that undo the resident's message, a rejected action,
# a new session.
RECORDED_CONVERSATION = ROOT / "tests" / "fixtures" / "conversation_with_fallbacks_and_a_form.json"


def recorded_events() -> List[Event]:
    """The recorded conversation's events, new objects each time."""
    return [Event.from_parameters(data) for data in json.loads(RECORDED_CONVERSATION.read_text())]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))

"""Turns that need no custom action make no call to the action server (issue: a resident's turn cost
twice a stock bot's). The action server is stopped, and a new conversation of small talk still gets
every answer, from the first message (Rasa's own session start) to the question at goodbye; the
outcome events of it still arrive, from the conversation's own event stream."""

from __future__ import annotations

import secrets
import time
from typing import Iterator

import pytest
from sqlalchemy import select

from bot.launcher import supervisor_rpc, web_is_healthy
from monitoring.events import keyed_hash
from monitoring.schema import outcome_events
from storage.engine import open_engine
from tests.conftest import Assistant
from tests.http import say, texts
from tests.server.test_outcome_flows import secret

pytestmark = pytest.mark.server

SMALL_TALK = [
    ("hello", "I am the council's online assistant"),
    ("thank you", "You are welcome. Is there anything else I can help with?"),
    ("are you a robot", "I am a computer program, not a person."),
    ("bye", "Goodbye. Thank you for contacting the council.\nDid you get what you needed?"),
    ("hello", "I am the council's online assistant"),
    ("bye", "Goodbye. Thank you for contacting the council."),  # asked once only
]


@pytest.fixture
def without_the_action_server(assistant: Assistant) -> Iterator[Assistant]:
    """The running assistant with its action server stopped (started again afterwards)."""
    supervisor = supervisor_rpc(assistant.var_dir).supervisor
    supervisor.stopProcess("actions")
    try:
        yield assistant
    finally:
        supervisor.startProcess("actions")
        deadline = time.monotonic() + 60
        while not web_is_healthy(assistant.web_url) and time.monotonic() < deadline:
            time.sleep(0.5)


def test_small_talk_needs_no_action_server_and_is_still_counted(without_the_action_server: Assistant) -> None:
    assistant = without_the_action_server
    sender = f"light-{secrets.token_hex(4)}"
    for number, (message, expected) in enumerate(SMALL_TALK):
        answer = texts(say(assistant.rasa_url, sender, message))
        assert expected in answer, (message, answer)
        assert ("Did you get" in answer) == (number == 3), answer
    resident = keyed_hash(secret(assistant), f"resident:{sender}")
    query = select(outcome_events.c.kind).where(outcome_events.c.resident_key == resident)
    engine = open_engine(assistant.database_url)
    deadline, kinds = time.monotonic() + 10, []
    while time.monotonic() < deadline and len(kinds) < 2:
        time.sleep(0.2)
        with engine.connect() as connection:
            kinds = list(connection.execute(query.order_by(outcome_events.c.at)).scalars())
    engine.dispose()
    assert kinds == ["conversation_started", "conversation_ended"]  # once each, from the stream


def test_a_task_still_reaches_the_action_server(assistant: Assistant) -> None:
    # The other side: a turn that needs an action still gets it (the server is back).
    answer = texts(say(assistant.rasa_url, f"light-{secrets.token_hex(4)}", "i want to pay my council tax"))
    assert "council tax" in answer.lower()

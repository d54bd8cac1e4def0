"""Outcome events through RabbitMQ in the running scale-out: with the monitoring consumer stopped
(supervisord's ``outcomes``) residents keep talking and their events wait in the durable queue;
started again, it stores every one of them, once."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import func, select

from bot.launcher import supervisor_rpc
from monitoring.events import EventKind, keyed_hash
from monitoring.schema import outcome_events
from storage.engine import open_engine
from tests.conftest import run_apart
from tests.http import say
from tests.scaleout.conftest import ScaledAssistant, drained, waiting_messages

pytestmark = [pytest.mark.server, pytest.mark.postgres]

RESIDENTS = 4


def outcome_kinds(scaled: ScaledAssistant, senders: list[str]) -> dict[str, int]:
    """How many of each outcome event the conversations of ``senders`` have stored."""
    secret = bytes.fromhex(
        os.environ.get("COUNCIL_METRICS_KEY") or (scaled.assistant.var_dir / "metrics.key").read_text().strip()
    )
    residents = [keyed_hash(secret, f"resident:{sender}") for sender in senders]
    engine = open_engine(scaled.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(outcome_events.c.kind, func.count())
                .where(outcome_events.c.resident_key.in_(residents))
                .group_by(outcome_events.c.kind)
            ).all()
    finally:
        engine.dispose()
    return {str(kind): int(count) for kind, count in rows}


def test_conversations_while_the_consumer_is_stopped_lose_no_outcome_event(scaled: ScaledAssistant) -> None:
    manager = supervisor_rpc(scaled.assistant.var_dir).supervisor
    senders = [f"scaled-consumer-away-{number}" for number in range(RESIDENTS)]
    manager.stopProcess("outcomes")
    try:
        for number, sender in enumerate(senders):
            rasa = scaled.rasa_process(1 + number % 2)  # both Rasa servers publish
            say(rasa, sender, "i want to pay my council tax")
            say(rasa, sender, "goodbye")  # the bot's goodbye ends the conversation
        time.sleep(2)  # published after the answer: give the brokers a moment
        assert outcome_kinds(scaled, senders).get(EventKind.CONVERSATION_STARTED.value, 0) == 0
        assert run_apart(waiting_messages(scaled.rabbitmq_queue)) > 0  # kept in the durable queue
    finally:
        manager.startProcess("outcomes")
    expected = {EventKind.CONVERSATION_STARTED.value: RESIDENTS, EventKind.CONVERSATION_ENDED.value: RESIDENTS}
    deadline = time.monotonic() + 60
    found = outcome_kinds(scaled, senders)
    while {kind: found.get(kind) for kind in expected} != expected and time.monotonic() < deadline:
        time.sleep(0.5)
        found = outcome_kinds(scaled, senders)
    assert {kind: found.get(kind) for kind in expected} == expected, found
    assert drained(scaled.rabbitmq_queue)  # every message taken

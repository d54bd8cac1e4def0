"""The monitoring consumer on the machine's real RabbitMQ: at-least-once delivery, stored once.

Each test has a queue (and exchange) of its own, deleted afterwards, and writes to a SQLite
monitoring database of its own. Events are published as Rasa's Pika broker publishes them
(persistent JSON messages through the fanout exchange named after the queue).
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any, Iterator

import aio_pika
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.outcome_consumer import OutcomeConsumer, consume, declare
from monitoring.events import EventKind
from monitoring.recorder import Outbox, OutcomeRecorder, Outcomes
from monitoring.schema import outcome_events
from storage.engine import open_engine
from storage.schema import migrate_monitoring
from tests.conftest import run_apart
from tests.scaleout.conftest import new_queue_name, rabbitmq_or_skip, waiting_messages
from wiring.scratch_deployment import RABBITMQ_URL, delete_queue

SECRET = bytes(32)
STARTED = 1_760_000_000.0


@pytest.fixture
def queue() -> Iterator[str]:
    rabbitmq_or_skip()
    name = new_queue_name()
    yield name
    delete_queue(name)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = open_engine(f"sqlite:///{tmp_path / 'monitoring.db'}")
    migrate_monitoring(engine)
    return engine


@pytest.fixture
def consumer(engine: Engine, tmp_path: Path) -> OutcomeConsumer:
    return OutcomeConsumer(Outcomes(OutcomeRecorder(engine, Outbox(tmp_path / "outbox-outcomes.jsonl")), SECRET))


def conversation(sender: str) -> list[dict[str, Any]]:
    """A conversation's events as the tracker store publishes them: its entry channel, its start, its end."""
    common = {"sender_id": sender, "session_started_at": STARTED}
    return [
        {**common, "event": "slot", "name": "session_started_metadata", "value": {"entry_channel": "embed"}},
        {**common, "event": "session_started", "timestamp": STARTED},
        {**common, "event": "user", "text": "bye", "timestamp": STARTED + 5},
        {**common, "event": "action", "name": "utter_goodbye", "timestamp": STARTED + 6},
    ]


async def publish(queue: str, events: list[Any]) -> None:
    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        await declare(channel, queue)
        exchange = await channel.get_exchange(queue)
        for event in events:
            body = event if isinstance(event, bytes) else json.dumps(event).encode()
            await exchange.publish(aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT), "")


async def consume_until(queue: str, consumer: OutcomeConsumer, engine: Engine, rows: int, patience: float = 30) -> int:
    """Run the consumer until ``rows`` events are stored (and a moment more), stop it; the messages
    still in the queue afterwards (acknowledged ones are gone)."""
    ready = asyncio.Event()
    running = asyncio.create_task(consume(RABBITMQ_URL, queue, consumer, ready))
    await asyncio.wait_for(ready.wait(), 30)
    deadline = time.monotonic() + patience
    while len(stored(engine)) < rows and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    await asyncio.sleep(1)  # anything stored twice would be by now
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    return await waiting_messages(queue)


def stored(engine: Engine) -> list[tuple[str, str | None]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(outcome_events.c.kind, outcome_events.c.entry_channel))]


def test_events_delivered_twice_are_stored_once_and_an_unreadable_message_is_dropped(
    queue: str, consumer: OutcomeConsumer, engine: Engine
) -> None:
    events = conversation("resident-a")
    run_apart(publish(queue, [*events, *events, b"not json", b"[1, 2]", {"sender_id": 3, "event": "x"}]))
    left = run_apart(consume_until(queue, consumer, engine, rows=2))
    assert sorted(stored(engine)) == [
        (EventKind.CONVERSATION_ENDED.value, None), (EventKind.CONVERSATION_STARTED.value, "embed"),
    ]  # fmt: skip
    assert left == 0  # every message acknowledged, the unreadable ones too: none comes back


def test_a_consumer_stopped_after_storing_and_before_acknowledging_stores_the_redelivery_once(
    queue: str, consumer: OutcomeConsumer, engine: Engine
) -> None:
    run_apart(publish(queue, conversation("resident-b")))

    async def store_then_die() -> None:
        connection = await aio_pika.connect(RABBITMQ_URL)
        channel = await connection.channel()
        source = await channel.get_queue(queue)
        for _ in range(4):
            message = await source.get(no_ack=False, timeout=5)
            assert message is not None
            consumer.handle(message.body)  # stored...
        await connection.close()  # ...and gone without acknowledging: RabbitMQ delivers them again

    run_apart(store_then_die())
    assert len(stored(engine)) == 2
    again = OutcomeConsumer(consumer.outcomes)  # a new process: nothing remembered
    assert run_apart(consume_until(queue, again, engine, rows=2)) == 0
    assert sorted(kind for kind, _channel in stored(engine)) == ["conversation_ended", "conversation_started"]


def test_a_message_is_not_acknowledged_until_its_event_is_stored_or_in_the_outbox(
    queue: str, engine: Engine, tmp_path: Path
) -> None:
    # A database that is away and an outbox that cannot be written (its folder is a file): the
    # event is neither stored nor kept, so the message must stay in the queue.
    (tmp_path / "blocked").write_text("")
    broken = open_engine(f"sqlite:///{tmp_path / 'missing' / 'monitoring.db'}")
    recorder = OutcomeRecorder(broken, Outbox(tmp_path / "blocked" / "outbox.jsonl"))
    run_apart(publish(queue, conversation("resident-c")[:2]))
    with pytest.raises(OSError):
        OutcomeConsumer(Outcomes(recorder, SECRET)).handle(json.dumps(conversation("resident-c")[1]).encode())
    left = run_apart(consume_until(queue, OutcomeConsumer(Outcomes(recorder, SECRET)), engine, rows=1, patience=3))
    assert left >= 1  # the session's start was not acknowledged: it waits for a consumer that can store it

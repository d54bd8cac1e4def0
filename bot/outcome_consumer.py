"""The scale-out's monitoring consumer (``python -m bot.outcome_consumer``, supervisord's ``outcomes``).

In the scale-out each Rasa server publishes every new event of a conversation to RabbitMQ (Rasa's
Pika broker; ``bot/scaled.py`` writes its settings): a durable queue of persistent messages. This
process reads that queue in order, turns the events into outcome events with
``monitoring.conversation_stream.StreamReader`` (a conversation started, with its entry channel;
a conversation ended) and records them with ``monitoring.recorder``'s outcome recorder.

Delivery is at least once: a message is acknowledged only after its outcome events are in the
monitoring database or safely in this process's outbox file (flushed to disk), so a consumer
stopped at any moment loses nothing, and RabbitMQ hands an unacknowledged message out again.
Storage is exactly once: the events the stream yields happen once a conversation, so their ids
are made from the conversation (``ONCE_PER_CONVERSATION``) and the recorder skips an id it has
already stored. A message that cannot be read is logged and acknowledged, so it never comes back.
Staff-side events (the web app, the action server) are recorded by those processes directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue

from bot.scaled import scale_of
from monitoring.conversation_stream import StreamReader
from monitoring.events import OutcomeEvent
from monitoring.recorder import Outcomes, open_monitoring_engine, open_outcomes
from wiring.settings import load_settings, start_clock

logger = logging.getLogger(__name__)

PREFETCH = 100  # messages RabbitMQ sends ahead of the acknowledgements (one write each)
RETRY_SECONDS = 5.0  # after an event could be neither written nor kept in the outbox
CONNECT_SECONDS = 60.0  # RabbitMQ away at start: keep trying this long, then exit (supervisord restarts)


class OutcomeConsumer:
    """Reads published Rasa events (message bodies, oldest first) into stored outcome events."""

    def __init__(self, outcomes: Outcomes) -> None:
        self.outcomes = outcomes
        self._reader = StreamReader()

    def handle(self, body: bytes) -> None:
        """Store the outcome events one message means. Returns once they are stored or in the
        outbox (the message may then be acknowledged); raises only when neither could be done. A
        message that is not a Rasa event is logged and dropped."""
        for event in self._events(body):
            self.outcomes.recorder.record(event)  # a database problem sends it to the outbox

    def _events(self, body: bytes) -> list[OutcomeEvent]:
        try:
            published = json.loads(body)
            if not isinstance(published, dict):
                raise ValueError(f"a {type(published).__name__}, not an object")
            return [
                self.outcomes.event(found.sender_id, found.kind, session=found.session, at=found.at, **found.fields)
                for found in self._reader.read(published)
            ]
        except (ValueError, TypeError, KeyError, AttributeError) as error:  # UnicodeDecodeError is a ValueError
            logger.warning("Dropped a message that is not a readable Rasa event (%d bytes): %s", len(body), error)
            return []


async def declare(channel: AbstractChannel, queue_name: str) -> AbstractQueue:
    """The durable queue, bound to the exchange of the same name exactly as Rasa's Pika broker
    declares them (a fanout exchange), so whichever starts first, no event is published unqueued."""
    exchange = await channel.declare_exchange(queue_name, aio_pika.ExchangeType.FANOUT)
    queue = await channel.declare_queue(queue_name, durable=True)
    await queue.bind(exchange, "")
    return queue


async def _connect(url: str, name: str) -> aio_pika.abc.AbstractRobustConnection:
    """A robust connection (it reconnects, and consumes again, by itself once made), named so
    RabbitMQ's tools show whose it is."""
    deadline = asyncio.get_running_loop().time() + CONNECT_SECONDS
    while True:
        try:
            return await aio_pika.connect_robust(url, client_properties={"connection_name": name})
        except (OSError, aio_pika.exceptions.AMQPError) as error:
            if asyncio.get_running_loop().time() > deadline:
                raise
            logger.warning("RabbitMQ is not answering yet (%s); trying again", error)
            await asyncio.sleep(2)


def connection_name(queue_name: str) -> str:
    """How the consumer's connection is named on RabbitMQ."""
    return f"council outcomes consumer of {queue_name}"


async def consume(url: str, queue_name: str, consumer: OutcomeConsumer, ready: asyncio.Event | None = None) -> None:
    """Consume ``queue_name`` at ``url`` until cancelled, one message at a time, in order (a
    session's start follows the slot holding its entry channel)."""
    connection = await _connect(url, connection_name(queue_name))
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=PREFETCH)
        queue = await declare(channel, queue_name)
        # aio-pika runs each delivery's callback as a task of its own; one worker keeps the order.
        inbox: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
        await queue.consume(inbox.put)
        logger.info("Consuming the queue %s", queue_name)
        if ready is not None:
            ready.set()
        while True:
            await _settle(await inbox.get(), consumer)


async def _settle(message: AbstractIncomingMessage, consumer: OutcomeConsumer) -> None:
    try:
        await asyncio.to_thread(consumer.handle, message.body)  # the event loop keeps the heartbeats
    except Exception:  # noqa: BLE001 - not stored and not in the outbox (a disk problem): not acknowledged
        logger.exception("Could not store an outcome event; RabbitMQ will deliver it again")
        await _quietly(message.nack(requeue=True))
        await asyncio.sleep(RETRY_SECONDS)
        return
    await _quietly(message.ack())


async def _quietly(settling: Any) -> None:
    """Acknowledge (or not); on a connection lost meanwhile RabbitMQ delivers the message again,
    and its events' ids keep them stored once."""
    try:
        await settling
    except Exception as error:  # noqa: BLE001 - the channel closed under us
        logger.warning("Could not settle a message (%s); it will be delivered again", error)


def main() -> None:
    """Consume the scale-out's queue until stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    scale = scale_of(settings)
    start_clock(settings)  # COUNCIL_CLOCK: the events' times are the assistant's
    engine = open_monitoring_engine(settings.monitoring_database_url)
    outcomes = open_outcomes(settings, engine, f"outbox-{settings.process_name or 'outcomes'}.jsonl")
    with contextlib.suppress(KeyboardInterrupt):  # stopped: what was not acknowledged is delivered again
        asyncio.run(consume(scale.rabbitmq_url, scale.rabbitmq_queue, OutcomeConsumer(outcomes)))


if __name__ == "__main__":
    main()

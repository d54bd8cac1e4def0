"""The embedded event broker: outcome events from the conversation's own event stream, in process.

Rasa publishes each new event of a conversation through its event broker interface (configured in
``endpoints.yml`` as ``event_broker: type: bot.outcome_broker.OutcomeBroker``). This broker reads
them with ``monitoring.conversation_stream.StreamReader`` and hands the outcome events it finds
(a conversation started, with its entry channel; a conversation ended) to the outcome recorder's
background writer, so no turn waits for the database and no turn needs a custom action just to be
counted. Events are pseudonymised by ``monitoring.recorder.Outcomes`` and hold no free text.
"""

from __future__ import annotations

import logging
from asyncio import AbstractEventLoop
from typing import Any, Dict

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from monitoring.conversation_stream import StreamReader
from monitoring.recorder import BackgroundOutcomes, open_monitoring_engine, open_outcomes
from wiring.settings import Settings, load_settings, start_clock

logger = logging.getLogger(__name__)


class OutcomeBroker(EventBroker):
    """Maps Rasa events to outcome events and records them in the background."""

    def __init__(self, outcomes: BackgroundOutcomes) -> None:
        self.outcomes = outcomes
        self._reader = StreamReader()

    @classmethod
    def for_settings(cls, settings: Settings) -> OutcomeBroker:
        """A broker writing to the settings' monitoring database (through an outbox of its own)."""
        start_clock(settings)  # COUNCIL_CLOCK: the events' times are the assistant's
        engine = open_monitoring_engine(settings.monitoring_database_url)
        outbox = f"outbox-{settings.process_name or 'rasa'}.jsonl"  # one per process in the scale-out
        return cls(BackgroundOutcomes(open_outcomes(settings, engine, outbox)))

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig, event_loop: AbstractEventLoop | None = None
    ) -> OutcomeBroker:
        """Rasa's way in: the settings come from the environment, as everywhere else."""
        return cls.for_settings(load_settings())

    def publish(self, event: Dict[str, Any]) -> None:
        """Read one event; record what it means without waiting for the write."""
        try:
            for outcome in self._reader.read(event):
                self.outcomes.record(
                    outcome.sender_id, outcome.kind, session=outcome.session, at=outcome.at, **outcome.fields
                )
        except Exception:  # noqa: BLE001 - monitoring must never stop a conversation
            logger.exception("Could not read an event for the monitoring")

    async def close(self) -> None:
        """Finish writing what was recorded."""
        self.outcomes.written()

"""The scale-out profile's settings, as a type (``wiring.settings`` reads and checks them)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url


@dataclass(frozen=True)
class ScaleOut:
    """The scale-out profile (``make run-scaled``, README "Scale-out"): several processes of each
    server behind HAProxy, sharing PostgreSQL and Redis. Process ``i`` (from 1) of a server listens
    on the internal host at its balancer's port + ``i`` (Rasa: 5006, 5007 behind 5005).

    Attributes:
        rasa, actions, web: how many processes of each. Env ``COUNCIL_RASA_PROCESSES``,
            ``COUNCIL_ACTION_PROCESSES``, ``COUNCIL_WEB_PROCESSES`` (2 each).
        tracker_database_url: Rasa's tracker store, on PostgreSQL (a password in it stays in the
            environment). Env ``COUNCIL_TRACKER_DATABASE_URL``.
        redis_url: Rasa's lock store, the web app's rate limits and live chat signals. Env
            ``COUNCIL_REDIS_URL``.
        redis_prefix: letters and digits that begin every key and channel, so two deployments can
            share one Redis. Env ``COUNCIL_REDIS_PREFIX`` (``council``).
        rabbitmq_url: Rasa's event broker (``amqp://`` or ``amqps://``, its password staying in the
            environment), which carries each conversation's events to the monitoring consumer.
            Env ``COUNCIL_RABBITMQ_URL``.
        rabbitmq_queue: the durable queue those events wait in, and the name of the exchange Rasa
            publishes them to, so deployments sharing a RabbitMQ never see each other's events.
            Env ``COUNCIL_RABBITMQ_QUEUE`` (``council_outcomes``).
    """

    rasa: int
    actions: int
    web: int
    tracker_database_url: str
    redis_url: str
    redis_prefix: str = "council"
    rabbitmq_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    rabbitmq_queue: str = "council_outcomes"

    @property
    def tracker_url(self) -> URL:
        """The tracker store's URL, parsed."""
        return make_url(self.tracker_database_url)

    def process_port(self, balancer_port: int, number: int) -> int:
        """Where process ``number`` (from 1) of the server balanced on ``balancer_port`` listens."""
        return balancer_port + number

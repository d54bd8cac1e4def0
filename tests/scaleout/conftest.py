"""The scale-out profile, started for its tests on the machine's real PostgreSQL, Redis and RabbitMQ.

One assistant for the module's tests: ``python -m bot run`` with ``COUNCIL_PROFILE=scaled`` (what
``make run-scaled`` runs), two processes of each server behind HAProxy, on databases made for this
run (``council_scaled_test_<random>`` and its tracker store), a Redis key prefix and a RabbitMQ
queue of its own, all removed afterwards. Where PostgreSQL, Redis or RabbitMQ is not running the
tests are skipped, saying so.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import aio_pika
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.launcher import SCALED_READY_TIMEOUT_SECONDS
from tests.conftest import Assistant, run_apart, start_assistant, stop_assistant_process
from tests.databases import POSTGRES_ADMIN_URL

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
# The balancers' ports; process i of each server listens on its balancer's port + i.
PORTS_FROM = int(os.environ.get("TEST_SCALED_PORTS_FROM", "6300"))


@dataclass
class ScaledAssistant:
    """A running scale-out and where to reach each of its processes."""

    assistant: Assistant  # its URLs are the balancers'
    database_url: str
    tracker_url: str
    redis_prefix: str
    rabbitmq_queue: str

    def rasa_process(self, number: int) -> str:
        """Rasa process ``number`` (from 1), addressed directly rather than through the balancer."""
        return f"http://127.0.0.1:{PORTS_FROM + number}"

    def web_process(self, number: int) -> str:
        """Web app process ``number`` (from 1), addressed directly."""
        return f"http://127.0.0.1:{PORTS_FROM + 20 + number}"


def services_or_skip() -> None:
    """Skip, loudly, where PostgreSQL, Redis or RabbitMQ is genuinely not running (CI has them)."""
    import redis

    admin = create_engine(POSTGRES_ADMIN_URL, future=True)
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        pytest.skip(f"PostgreSQL IS NOT RUNNING at {POSTGRES_ADMIN_URL}; the scale-out tests did not run: {error}")
    finally:
        admin.dispose()
    try:
        redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(f"REDIS IS NOT RUNNING at {REDIS_URL}; the scale-out tests did not run: {error}")
    rabbitmq_or_skip()
    if shutil.which("haproxy") is None and not Path("/usr/sbin/haproxy").exists():
        pytest.fail("HAProxy is not installed: 'make test' installs it (apt-get install haproxy).")


def rabbitmq_or_skip() -> None:
    """Skip, loudly, where RabbitMQ is genuinely not running (CI has it)."""
    try:
        run_apart(_ping_rabbitmq())
    except (OSError, aio_pika.exceptions.AMQPError) as error:
        pytest.skip(f"RABBITMQ IS NOT RUNNING at {_shown(RABBITMQ_URL)}; the scale-out tests did not run: {error!r}")


async def _ping_rabbitmq() -> None:
    connection = await aio_pika.connect(RABBITMQ_URL, timeout=5)
    await connection.close()


def _shown(url: str) -> str:
    """``url`` without its password, for a message."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def new_queue_name() -> str:
    """A queue (and exchange) of this test run's own, on the shared RabbitMQ."""
    return f"council_test_{secrets.token_hex(4)}"


async def waiting_messages(queue: str) -> int:
    """How many messages wait in ``queue`` (delivered but unacknowledged ones are not counted)."""
    connection = await aio_pika.connect(RABBITMQ_URL, timeout=5)
    async with connection:
        declared = await (await connection.channel()).declare_queue(queue, durable=True, passive=True)
        return int(declared.declaration_result.message_count or 0)


def drained(queue: str, seconds: float = 60) -> bool:
    """Wait until the consumer has taken every message of ``queue`` (at most ``seconds``)."""
    deadline = time.monotonic() + seconds
    while run_apart(waiting_messages(queue)):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    time.sleep(1)  # the last messages handed out are stored within milliseconds of delivery
    return True


def delete_queue(name: str) -> None:
    """Remove a test's queue and its exchange from RabbitMQ."""
    run_apart(_delete_queue(name))


async def _delete_queue(name: str) -> None:
    connection = await aio_pika.connect(RABBITMQ_URL, timeout=5)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(name)
        await channel.exchange_delete(name)


def _drop(names: list[str], prefix: str) -> None:
    import redis

    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    client = redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)


@pytest.fixture(scope="package")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaledAssistant]:
    """The scale-out, started once for these tests and removed afterwards (databases, Redis keys)."""
    services_or_skip()
    name = f"council_scaled_test_{secrets.token_hex(4)}"
    server = make_url(POSTGRES_ADMIN_URL)
    database_url = server.set(database=name).render_as_string(hide_password=False)
    tracker_url = server.set(database=f"{name}_tracker").render_as_string(hide_password=False)
    prefix = f"scaledtest{secrets.token_hex(4)}"
    queue = new_queue_name()
    environment = {
        "COUNCIL_PROFILE": "scaled",
        "COUNCIL_DATABASE_URL": database_url,
        "COUNCIL_TRACKER_DATABASE_URL": tracker_url,
        "COUNCIL_REDIS_URL": REDIS_URL,
        "COUNCIL_REDIS_PREFIX": prefix,
        "COUNCIL_RABBITMQ_URL": RABBITMQ_URL,
        "COUNCIL_RABBITMQ_QUEUE": queue,
        # Many residents from one address: the per-client limits are not what these tests measure.
        "COUNCIL_CHAT_LIMIT_PER_CLIENT": "100000/minute",
    }
    try:
        running = start_assistant(
            tmp_path_factory.mktemp("scaled-var"), environment,
            ports=(PORTS_FROM, PORTS_FROM + 10, PORTS_FROM + 20), start_timeout=SCALED_READY_TIMEOUT_SECONDS,
        )  # fmt: skip
        try:
            yield ScaledAssistant(running, database_url, tracker_url, prefix, queue)
        finally:
            stop_assistant_process(running.process)
    finally:
        _drop([name, f"{name}_tracker"], prefix)
        delete_queue(queue)

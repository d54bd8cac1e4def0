"""The scale-out profile, started for its tests on the machine's real PostgreSQL, Redis and RabbitMQ.

One assistant for the module's tests: ``python -m bot run`` with ``COUNCIL_PROFILE=scaled`` (what
``make run-scaled`` runs), two processes of each server behind HAProxy, on databases made for this
run (``council_scaled_test_<random>`` and its tracker store), a Redis key prefix and a RabbitMQ
queue of its own, all removed afterwards. Where PostgreSQL, Redis or RabbitMQ is not running the
tests are skipped, saying so.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import aio_pika
import pytest

from bot.launcher import SCALED_READY_TIMEOUT_SECONDS
from tests.conftest import Assistant, run_apart, start_assistant, stop_assistant_process
from wiring.scratch_deployment import RABBITMQ_URL, ScratchDeployment, missing_service

# The balancers' ports; process i of each server listens on its balancer's port + i.
PORTS_FROM = int(os.environ.get("TEST_SCALED_PORTS_FROM", "6300"))


@dataclass
class ScaledAssistant:
    """A running scale-out and where to reach each of its processes."""

    assistant: Assistant  # its URLs are the balancers'
    deployment: ScratchDeployment

    @property
    def database_url(self) -> str:
        """The assistant's own database (PostgreSQL)."""
        return self.deployment.database_url

    @property
    def rabbitmq_queue(self) -> str:
        """The queue Rasa's events wait in for the monitoring consumer."""
        return self.deployment.rabbitmq_queue

    def rasa_process(self, number: int) -> str:
        """Rasa process ``number`` (from 1), addressed directly rather than through the balancer."""
        return f"http://127.0.0.1:{PORTS_FROM + number}"

    def web_process(self, number: int) -> str:
        """Web app process ``number`` (from 1), addressed directly."""
        return f"http://127.0.0.1:{PORTS_FROM + 20 + number}"


def services_or_skip() -> None:
    """Skip, loudly, where PostgreSQL, Redis or RabbitMQ is genuinely not running (CI has them)."""
    missing = missing_service()
    if missing:
        pytest.skip(f"{missing}; the scale-out tests did not run")
    if shutil.which("haproxy") is None and not Path("/usr/sbin/haproxy").exists():
        pytest.fail("HAProxy is not installed: 'make test' installs it (apt-get install haproxy).")


def rabbitmq_or_skip() -> None:
    """Skip, loudly, where RabbitMQ is genuinely not running (CI has it)."""
    missing = missing_service()
    if missing and "RABBITMQ" in missing:
        pytest.skip(f"{missing}; the scale-out tests did not run")


def new_queue_name() -> str:
    """A queue (and exchange) of this test run's own, on the shared RabbitMQ."""
    return ScratchDeployment.new("test").rabbitmq_queue


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


@pytest.fixture(scope="package")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaledAssistant]:
    """The scale-out, started once for these tests and removed afterwards (databases, Redis keys)."""
    services_or_skip()
    deployment = ScratchDeployment.new("scaledtest")
    environment = {
        **deployment.environment(),
        # Many residents from one address: the per-client limits are not what these tests measure.
        "COUNCIL_CHAT_LIMIT_PER_CLIENT": "100000/minute",
    }
    try:
        running = start_assistant(
            tmp_path_factory.mktemp("scaled-var"), environment,
            ports=(PORTS_FROM, PORTS_FROM + 10, PORTS_FROM + 20), start_timeout=SCALED_READY_TIMEOUT_SECONDS,
        )  # fmt: skip
        try:
            yield ScaledAssistant(running, deployment)
        finally:
            stop_assistant_process(running.process)
    finally:
        deployment.remove()

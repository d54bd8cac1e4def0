"""The scale-out profile, started for its tests on the machine's real PostgreSQL and Redis.

One assistant for the module's tests: ``python -m bot run`` with ``COUNCIL_PROFILE=scaled`` (what
``make run-scaled`` runs), two processes of each server behind HAProxy, on databases made for this
run (``council_scaled_test_<random>`` and its tracker store) and a Redis key prefix of its own, all
dropped afterwards. Where PostgreSQL or Redis is not running the tests are skipped, saying so.
"""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.launcher import SCALED_READY_TIMEOUT_SECONDS
from tests.conftest import Assistant, start_assistant, stop_assistant_process
from tests.databases import POSTGRES_ADMIN_URL

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# The balancers' ports; process i of each server listens on its balancer's port + i.
PORTS_FROM = int(os.environ.get("TEST_SCALED_PORTS_FROM", "6300"))


@dataclass
class ScaledAssistant:
    """A running scale-out and where to reach each of its processes."""

    assistant: Assistant  # its URLs are the balancers'
    database_url: str
    tracker_url: str
    redis_prefix: str

    def rasa_process(self, number: int) -> str:
        """Rasa process ``number`` (from 1), addressed directly rather than through the balancer."""
        return f"http://127.0.0.1:{PORTS_FROM + number}"

    def web_process(self, number: int) -> str:
        """Web app process ``number`` (from 1), addressed directly."""
        return f"http://127.0.0.1:{PORTS_FROM + 20 + number}"


def services_or_skip() -> None:
    """Skip, loudly, where PostgreSQL or Redis is genuinely not running (CI has both)."""
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
    if shutil.which("haproxy") is None and not Path("/usr/sbin/haproxy").exists():
        pytest.fail("HAProxy is not installed: 'make test' installs it (apt-get install haproxy).")


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
    environment = {
        "COUNCIL_PROFILE": "scaled",
        "COUNCIL_DATABASE_URL": database_url,
        "COUNCIL_TRACKER_DATABASE_URL": tracker_url,
        "COUNCIL_REDIS_URL": REDIS_URL,
        "COUNCIL_REDIS_PREFIX": prefix,
        # Many residents from one address: the per-client limits are not what these tests measure.
        "COUNCIL_CHAT_LIMIT_PER_CLIENT": "100000/minute",
    }
    try:
        running = start_assistant(
            tmp_path_factory.mktemp("scaled-var"), environment,
            ports=(PORTS_FROM, PORTS_FROM + 10, PORTS_FROM + 20), start_timeout=SCALED_READY_TIMEOUT_SECONDS,
        )  # fmt: skip
        try:
            yield ScaledAssistant(running, database_url, tracker_url, prefix)
        finally:
            stop_assistant_process(running.process)
    finally:
        _drop([name, f"{name}_tracker"], prefix)

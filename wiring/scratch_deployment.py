"""A throwaway scale-out on the machine's shared PostgreSQL, Redis and RabbitMQ, for the scale-out
tests and the benchmark: names of its own (two databases, a Redis key prefix, a RabbitMQ queue and
exchange), the settings that start ``python -m bot run`` on them, and their removal afterwards.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Coroutine
from urllib.parse import urlsplit

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")


@dataclass(frozen=True)
class ScratchDeployment:
    """Where one throwaway scale-out keeps its state on the shared services."""

    database_url: str
    tracker_url: str
    redis_prefix: str
    rabbitmq_queue: str

    @classmethod
    def new(cls, purpose: str) -> ScratchDeployment:
        """Fresh names, ``purpose`` (letters) first so a leftover can be told apart."""
        tag = secrets.token_hex(4)
        name = f"council_{purpose}_{tag}"
        server = make_url(POSTGRES_ADMIN_URL)
        return cls(
            database_url=server.set(database=name).render_as_string(hide_password=False),
            tracker_url=server.set(database=f"{name}_tracker").render_as_string(hide_password=False),
            redis_prefix=f"{purpose}{tag}",
            rabbitmq_queue=f"council_{purpose}_{tag}",
        )

    def environment(self) -> dict[str, str]:
        """The settings that start the scale-out profile on these names."""
        return {
            "COUNCIL_PROFILE": "scaled",
            "COUNCIL_DATABASE_URL": self.database_url,
            "COUNCIL_TRACKER_DATABASE_URL": self.tracker_url,
            "COUNCIL_REDIS_URL": REDIS_URL,
            "COUNCIL_REDIS_PREFIX": self.redis_prefix,
            "COUNCIL_RABBITMQ_URL": RABBITMQ_URL,
            "COUNCIL_RABBITMQ_QUEUE": self.rabbitmq_queue,
        }

    def remove(self) -> None:
        """Drop the databases, the Redis keys, and the queue with its exchange."""
        import redis

        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
        with admin.connect() as connection:
            for url in (self.database_url, self.tracker_url):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
        admin.dispose()
        client = redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"*{self.redis_prefix}*"):
            client.delete(key)
        delete_queue(self.rabbitmq_queue)


def missing_service() -> str | None:
    """Why the scale-out cannot run here (PostgreSQL, Redis or RabbitMQ not answering), or None."""
    import aio_pika
    import redis

    admin = create_engine(POSTGRES_ADMIN_URL, future=True)
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        return f"PostgreSQL IS NOT RUNNING at {shown(POSTGRES_ADMIN_URL)}: {error}"
    finally:
        admin.dispose()
    try:
        redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as error:
        return f"REDIS IS NOT RUNNING at {REDIS_URL}: {error}"
    try:
        _apart(_ping_rabbitmq())
    except (OSError, aio_pika.exceptions.AMQPError) as error:
        return f"RABBITMQ IS NOT RUNNING at {shown(RABBITMQ_URL)}: {error!r}"
    return None


async def _ping_rabbitmq() -> None:
    import aio_pika

    connection = await aio_pika.connect(RABBITMQ_URL, timeout=5)
    await connection.close()


def delete_queue(name: str) -> None:
    """Remove a queue and the exchange of the same name from RabbitMQ."""
    _apart(_delete_queue(name))


async def _delete_queue(name: str) -> None:
    import aio_pika

    connection = await aio_pika.connect(RABBITMQ_URL, timeout=5)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(name)
        await channel.exchange_delete(name)


def _apart(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run ``coroutine`` on an event loop of its own thread: the caller's thread may be running one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def shown(url: str) -> str:
    """``url`` without its password, for a message."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()

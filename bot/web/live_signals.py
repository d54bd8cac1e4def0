"""Wake-ups for the live chat streams: something changed in a conversation's live chat, read it now.

A resident's page holds a server-sent event stream (``bot/web/live_chat.py``). Rather than each
open stream asking the database every second, it waits for a signal naming its conversation (a new
message, the chat claimed or ended) and reads the database then; and, to keep the queue position
and the wait current, every ``REFRESH_SECONDS`` anyway. The embedded profile is one web process, so
the signals stay in it; in the scale-out the message may arrive at another web process, so they go
through Redis publish/subscribe, on one channel per deployment. If Redis is away, streams still
catch up at the next refresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from typing import AsyncIterator, Iterator

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 15.0  # a stream reads the database at least this often, signal or not
EVERYONE = "*"  # the queue moved: every waiting resident's position may have changed
RECONNECT_SECONDS = 2.0


class LiveSignals:
    """Signals within this process: a conversation's waiting streams are woken when it changes."""

    def __init__(self) -> None:
        self._waiting: defaultdict[str, set[asyncio.Event]] = defaultdict(set)

    @contextlib.contextmanager
    def watch(self, conversation_id: str) -> Iterator[asyncio.Event]:
        """An event set whenever ``conversation_id`` (or the whole queue) changes, while inside.

        Clear it before reading the database, then wait on it: a change between the two is not lost.
        """
        changed = asyncio.Event()
        self._waiting[conversation_id].add(changed)
        try:
            yield changed
        finally:
            self._waiting[conversation_id].discard(changed)
            if not self._waiting[conversation_id]:
                del self._waiting[conversation_id]

    async def changed(self, conversation_id: str) -> None:
        """Something changed in ``conversation_id``'s live chat (``EVERYONE``: in the queue)."""
        self.wake(conversation_id)

    def wake(self, conversation_id: str) -> None:
        """Wake this process's streams for ``conversation_id`` (every stream for ``EVERYONE``)."""
        names = list(self._waiting) if conversation_id == EVERYONE else [conversation_id]
        for name in names:
            for event in self._waiting.get(name, ()):
                event.set()

    async def run(self) -> None:
        """Nothing to listen to in one process; returns at once."""


async def wait_for_change(changed: asyncio.Event, seconds: float = REFRESH_SECONDS) -> None:
    """Wait until ``changed`` is set, or ``seconds`` pass."""
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(changed.wait(), seconds)


class RedisLiveSignals(LiveSignals):
    """Signals shared by every web process through Redis publish/subscribe (the scale-out)."""

    def __init__(self, redis_url: str, prefix: str) -> None:
        super().__init__()
        from redis import asyncio as redis

        self._client = redis.from_url(redis_url)
        self.channel = f"{prefix}:live-chat"

    async def changed(self, conversation_id: str) -> None:
        """Tell every web process (this one through its own subscription)."""
        try:
            await self._client.publish(self.channel, conversation_id)
        except Exception:  # noqa: BLE001 - Redis away: this process at least, the rest at their refresh
            logger.warning("Could not publish a live chat change; streams catch up within %ss", REFRESH_SECONDS)
            self.wake(conversation_id)

    async def run(self) -> None:
        """Pass on every change published by any web process, until cancelled; reconnect if Redis goes."""
        while True:
            try:
                async for conversation_id in self._messages():
                    self.wake(conversation_id)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - Redis away: try again; streams refresh meanwhile
                logger.warning("Live chat signals lost Redis; reconnecting")
                await asyncio.sleep(RECONNECT_SECONDS)

    async def _messages(self) -> AsyncIterator[str]:
        async with self._client.pubsub() as subscription:
            await subscription.subscribe(self.channel)
            async for message in subscription.listen():
                if message.get("type") == "message":
                    data = message["data"]
                    yield data.decode() if isinstance(data, bytes) else str(data)

    async def close(self) -> None:
        """Close the connection to Redis."""
        await self._client.close()

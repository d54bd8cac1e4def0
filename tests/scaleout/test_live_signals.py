"""Live chat wake-ups: a change in one web process wakes the streams waiting in another (through
the real Redis), and within one process (the embedded profile) without any service."""

from __future__ import annotations

import asyncio
import secrets

import pytest

from bot.web.live_signals import EVERYONE, LiveSignals, RedisLiveSignals
from tests.scaleout.conftest import REDIS_URL


async def test_in_one_process_a_change_wakes_only_its_conversation_and_the_queue_wakes_all() -> None:
    signals = LiveSignals()
    with signals.watch("chat-a") as a, signals.watch("chat-b") as b:
        await signals.changed("chat-a")
        assert a.is_set() and not b.is_set()
        a.clear()
        await signals.changed(EVERYONE)
        assert a.is_set() and b.is_set()


async def test_a_change_published_by_one_web_process_wakes_the_stream_in_another() -> None:
    import redis

    try:
        redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(f"REDIS IS NOT RUNNING at {REDIS_URL}; the shared live chat signals were not tested: {error}")
    prefix = f"signaltest{secrets.token_hex(4)}"
    writer, reader = RedisLiveSignals(REDIS_URL, prefix), RedisLiveSignals(REDIS_URL, prefix)
    listening = asyncio.create_task(reader.run())
    try:
        with reader.watch("chat-a") as woken, reader.watch("chat-b") as other:
            for _ in range(50):  # until the reader's subscription is in place
                await writer.changed("chat-a")
                try:
                    await asyncio.wait_for(woken.wait(), 0.1)
                    break
                except asyncio.TimeoutError:
                    continue
            assert woken.is_set() and not other.is_set()
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)
        await writer.close()
        await reader.close()

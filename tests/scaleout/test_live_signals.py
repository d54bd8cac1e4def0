"""Live chat wake-ups: a change in one web process wakes the streams waiting in another (through
the real Redis), and within one process (the embedded profile) without any service."""

from __future__ import annotations

import asyncio
import secrets

import pytest

from bot.web.live_signals import EVERYONE, LiveSignals, RedisLiveSignals
from tests.conftest import run_apart
from wiring.scratch_deployment import REDIS_URL

# Each test runs its coroutine on a loop of its own (``run_apart``): by the time these run, the browser
# tests' Playwright holds the main thread's loop.


def test_in_one_process_a_change_wakes_only_its_conversation_and_the_queue_wakes_all() -> None:
    run_apart(_one_process())


async def _one_process() -> None:
    signals = LiveSignals()
    with signals.watch("chat-a") as a, signals.watch("chat-b") as b:
        await signals.changed("chat-a")
        assert a.is_set() and not b.is_set()
        a.clear()
        await signals.changed(EVERYONE)
        assert a.is_set() and b.is_set()


def test_a_change_published_by_one_web_process_wakes_the_stream_in_another() -> None:
    run_apart(_two_processes())


async def _two_processes() -> None:
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

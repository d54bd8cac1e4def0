"""One timed bot turn over Rasa's REST channel: what every latency benchmark sends."""

from __future__ import annotations

import time

import aiohttp


async def rest_turn(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> float:
    """Send ``text`` from ``sender`` to the REST webhook at ``url``; the milliseconds to the whole reply."""
    started = time.perf_counter()
    async with session.post(url, json={"sender": sender, "message": text}) as answer:
        await answer.read()
        if answer.status != 200:
            raise RuntimeError(f"HTTP {answer.status}")
    return (time.perf_counter() - started) * 1000

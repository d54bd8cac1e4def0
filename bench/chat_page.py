"""The residents' own path against the bare REST channel: what the web app adds to a turn.

The chat page's script posts each message to ``POST /`` on the web app as a form, asking for JSON
(bot/web/static/chat.js); the web app keeps the conversation in a cookie and sends the message on to
Rasa's REST channel. Here the same messages go both ways, conversation by conversation in turn, so the
difference of the medians is the web app's own cost per turn. The chat form needs no CSRF token: the
chat id cookie is set by the first answer.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.figures import latency
from bench.turns import rest_turn


@dataclass
class PathSamples:
    """Turn times (ms) of the same messages through the chat page and through the REST channel."""

    chat_page: list[float] = field(default_factory=list)
    rest: list[float] = field(default_factory=list)


async def chat_page_turn(session: aiohttp.ClientSession, web_url: str, text: str) -> float:
    """Send ``text`` the way the chat page's script does; the milliseconds to the whole JSON answer."""
    started = time.perf_counter()
    async with session.post(f"{web_url}/", data={"message": text}, headers={"Accept": "application/json"}) as answer:
        body = await answer.json()
        if answer.status != 200 or not body.get("lines"):
            raise RuntimeError(f"The chat page answered {answer.status}: {body}")
    return (time.perf_counter() - started) * 1000


async def compare(web_url: str, rest_url: str, turns: list[str], conversations: int, into: PathSamples) -> None:
    """``conversations`` fresh conversations of ``turns`` each way, alternating, added to ``into``."""
    async with aiohttp.ClientSession() as rest:
        for _ in range(conversations):
            # A new session is a new browser: no cookie, so a fresh conversation on the chat page.
            async with aiohttp.ClientSession() as browser:
                for text in turns:
                    into.chat_page.append(await chat_page_turn(browser, web_url, text))
            sender = f"bench-rest-{uuid.uuid4().hex[:12]}"
            for text in turns:
                into.rest.append(await rest_turn(rest, rest_url, sender, text))


def figures(samples: PathSamples) -> dict[str, Any]:
    """Both paths' latency and how much the chat page adds to the median turn."""
    if not samples.chat_page or not samples.rest:
        return {}
    page, rest = latency(samples.chat_page), latency(samples.rest)
    return {"chat_page": page, "rest": rest, "adds_p50_ms": page["p50_ms"] - rest["p50_ms"]}

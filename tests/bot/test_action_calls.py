"""Rasa's calls to the action server, written with ujson: a real HTTP server receives the same JSON
(the token, any text a resident can type, numbers) as the standard library would have sent."""

from __future__ import annotations

import json
from typing import Any, AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from rasa.utils.endpoints import EndpointConfig

from bot.action_calls import use_fast_json

TRACKER_LIKE: dict[str, Any] = {
    "sender_id": "resident-1",
    "tracker": {
        "events": [
            {
                "event": "user",
                "text": "my bins 🗑️ weren't collected </script><script>alert(1)</script>",
                "timestamp": 1.5,
            },
            {"event": "user", "text": "Ich möchte zahlen; 'DROP TABLE events;--", "confidence": 0.123456789012345},
            {"event": "slot", "name": "location", "value": None},
            {"event": "bot", "text": "Call 0800 123 4567 or see https://example.org/a/b?c=d&e=f"},
        ],
        "slots": {"count": 3, "flags": [True, False], "nested": {"a": [1, 2.5, 'x\ny\t"z"']}},
    },
}


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[TestServer, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    async def webhook(request: web.Request) -> web.Response:
        received.append({"body": json.loads(await request.text()), "query": dict(request.query)})
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield server, received
    await server.close()


async def test_the_action_server_receives_the_whole_payload_unchanged(
    receiver: tuple[TestServer, list[dict[str, Any]]],
) -> None:
    server, received = receiver
    use_fast_json()
    endpoint = EndpointConfig(url=str(server.make_url("/webhook")), token="s3cret")
    answer = await endpoint.request(method="post", json=TRACKER_LIKE)
    assert answer == {"events": [], "responses": []}
    assert received[0]["body"] == TRACKER_LIKE
    assert received[0]["query"] == {"token": "s3cret"}


async def test_a_lone_surrogate_a_rest_client_sent_still_reaches_the_action_server(
    receiver: tuple[TestServer, list[dict[str, Any]]],
) -> None:
    # JSON lets a client send "\ud83d" (half an emoji) and Rasa keeps it in the conversation; written
    # raw it cannot be encoded as UTF-8, and the action (a fallback, a safety check) was lost.
    server, received = receiver
    use_fast_json()
    payload = {"tracker": {"events": [{"event": "user", "text": "help \ud83d me 😀"}]}}
    endpoint = EndpointConfig(url=str(server.make_url("/webhook")))
    assert await endpoint.request(method="post", json=payload) == {"events": [], "responses": []}
    assert received[0]["body"] == payload

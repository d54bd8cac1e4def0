"""Rasa's calls to the action server, written with ujson: a real HTTP server receives the same JSON
(the token, any text a resident can type, numbers) as the standard library would have sent. A later
call of the same conversation sends only the new events, and the server reads the same conversation
as Rasa alone would have sent; a server that forgot it is sent it whole."""

from __future__ import annotations

import json
from typing import Any, AsyncIterator, Awaitable, Callable, Iterator, List

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from bot import action_calls
from bot.action_calls import use_conversation_deltas, use_fast_json
from bot.conversation_deltas import RESEND_STATUS, HeldConversations, MustResend
from tests.bot.conftest import recorded_events

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
async def action_server() -> AsyncIterator[tuple[TestServer, dict[str, Any]]]:
    """A real HTTP server that completes calls as the action server does, and records them."""
    state: dict[str, Any] = {"held": HeldConversations(), "sent": [], "queries": [], "completed": []}

    async def webhook(request: web.Request) -> web.Response:
        body = json.loads(await request.text())
        state["sent"].append(body)
        state["queries"].append(dict(request.query))
        try:
            state["completed"].append(state["held"].complete(body))
        except MustResend as reason:
            return web.json_response({"error": str(reason)}, status=RESEND_STATUS)
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield server, state
    await server.close()


async def test_the_action_server_receives_the_whole_payload_unchanged(
    action_server: tuple[TestServer, dict[str, Any]],
) -> None:
    server, state = action_server
    use_fast_json()
    endpoint = EndpointConfig(url=str(server.make_url("/webhook")), token="s3cret")
    answer = await endpoint.request(method="post", json=TRACKER_LIKE)
    assert answer == {"events": [], "responses": []}
    assert state["sent"] == [TRACKER_LIKE]
    assert state["queries"] == [{"token": "s3cret"}]


async def test_a_lone_surrogate_a_rest_client_sent_still_reaches_the_action_server(
    action_server: tuple[TestServer, dict[str, Any]],
) -> None:
    # JSON lets a client send "\ud83d" (half an emoji) and Rasa keeps it in the conversation; written
    # raw it cannot be encoded as UTF-8, and the action (a fallback, a safety check) was lost.
    server, state = action_server
    use_fast_json()
    payload = {"tracker": {"events": [{"event": "user", "text": "help \ud83d me 😀"}]}}
    endpoint = EndpointConfig(url=str(server.make_url("/webhook")))
    assert await endpoint.request(method="post", json=payload) == {"events": [], "responses": []}
    assert state["sent"] == [payload]


@pytest.fixture
def deltas() -> Iterator[None]:
    """Rasa's custom actions sending only new events, for this test only."""
    rasa_run, rasa_format = RemoteAction.run, RemoteAction._action_call_format
    use_conversation_deltas()
    yield
    RemoteAction.run, RemoteAction._action_call_format = rasa_run, rasa_format  # type: ignore[method-assign]
    action_calls._rasa_run = None
    action_calls._sent.clear()


Call = Callable[[DialogueStateTracker], Awaitable[List[Event]]]


@pytest.fixture
def call_action(action_server: tuple[TestServer, dict[str, Any]], domain: Domain) -> Call:
    """Run a custom action on a conversation, as Rasa does, against the receiving server."""
    server, _state = action_server
    action = RemoteAction("action_information", EndpointConfig(url=str(server.make_url("/webhook"))))
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)

    async def call(tracker: DialogueStateTracker) -> List[Event]:
        return await action.run(CollectingOutputChannel(), nlg, tracker, domain)

    return call


def as_sent(tracker: DialogueStateTracker) -> list[dict[str, Any]]:
    """The conversation's events as the server reads them when Rasa sends them all."""
    return json.loads(json.dumps([event.as_dict() for event in tracker.events]))


async def test_a_later_call_sends_only_new_events_and_the_actions_read_them_all(
    deltas: None, action_server: tuple[TestServer, dict[str, Any]], call_action: Call, domain: Domain
) -> None:
    _server, state = action_server
    tracker = DialogueStateTracker("deltas-resident", domain.slots)
    events = recorded_events()
    tracker.update_with_events(events[:20], domain)
    await call_action(tracker)
    tracker.update_with_events(events[20:], domain)
    await call_action(tracker)

    first, second = state["sent"]
    assert first["continues"]["from"] == 0 and len(first["tracker"]["events"]) == 20
    assert second["continues"] == {"token": first["continues"]["token"], "from": 20}
    assert len(second["tracker"]["events"]) == len(events) - 20
    whole = tracker.current_state(EventVerbosity.ALL)
    assert state["completed"][1]["tracker"] == json.loads(json.dumps(whole))  # what Rasa alone sends


async def test_a_server_that_forgot_the_conversation_is_sent_it_whole(
    deltas: None, action_server: tuple[TestServer, dict[str, Any]], call_action: Call, domain: Domain
) -> None:
    _server, state = action_server
    tracker = DialogueStateTracker("deltas-restart", domain.slots)
    events = recorded_events()
    tracker.update_with_events(events[:20], domain)
    await call_action(tracker)
    state["held"] = HeldConversations()  # the action server restarted
    tracker.update_with_events(events[20:], domain)
    assert await call_action(tracker) == []

    marks = [body["continues"]["from"] for body in state["sent"]]
    assert marks == [0, 20, 0]  # the second call was refused, then sent again whole
    assert state["completed"][-1]["tracker"]["events"] == as_sent(tracker)


async def test_another_refusal_is_still_an_error(
    deltas: None, action_server: tuple[TestServer, dict[str, Any]], domain: Domain
) -> None:
    # Only the server's "send it whole" is answered by sending again: anything else fails as before.
    server, _state = action_server
    action = RemoteAction("action_information", EndpointConfig(url=str(server.make_url("/missing"))))
    tracker = DialogueStateTracker("deltas-error", domain.slots)
    with pytest.raises(RasaException):
        await action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, domain)


async def test_a_conversation_that_changed_behind_the_last_call_is_sent_from_where_they_part(
    deltas: None, action_server: tuple[TestServer, dict[str, Any]], call_action: Call, domain: Domain
) -> None:
    # The last call's last events never reached the conversation (an action was rejected): the next
    # call sends everything after the events both still share.
    _server, state = action_server
    events = recorded_events()
    tracker = DialogueStateTracker("deltas-parted", domain.slots)
    tracker.update_with_events(events[:25], domain)
    await call_action(tracker)
    parted = DialogueStateTracker("deltas-parted", domain.slots)
    parted.update_with_events(list(tracker.events)[:18] + events[30:], domain, override_timestamp=False)
    await call_action(parted)

    assert state["sent"][1]["continues"]["from"] == 18
    assert state["completed"][1]["tracker"]["events"] == as_sent(parted)


async def test_an_event_rasa_stamped_again_after_the_call_is_sent_again(
    deltas: None, action_server: tuple[TestServer, dict[str, Any]], call_action: Call, domain: Domain
) -> None:
    # Rasa sends an action a copy of the conversation with the policy's events added, then adds the
    # same objects to the conversation with a new timestamp: the server must not keep the old one.
    _server, state = action_server
    tracker = DialogueStateTracker("deltas-restamped", domain.slots)
    tracker.update_with_events(recorded_events()[:20], domain)
    await call_action(tracker)
    list(tracker.events)[15].timestamp += 1.0
    await call_action(tracker)

    assert state["sent"][1]["continues"]["from"] == 15
    assert state["completed"][1]["tracker"]["events"] == as_sent(tracker)

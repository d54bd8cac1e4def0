"""The servers beside the web app are closed: Rasa and the action server listen on loopback only,
even when the web app is published, and each asks its callers for a secret.

A stranger who could reach them could otherwise read any conversation, add lines that look like an
adviser's, unload the model, or post a made-up conversation to the action server to plant urgent
cases, take every booking slot, or exhaust its memory.
"""

from __future__ import annotations

import http.client
import json
import zlib
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import text

from storage.engine import open_engine
from tests.conftest import Assistant, start_assistant, stop_assistant_process
from tests.http import request_json, say, texts
from tests.server.test_live_chat import join_the_queue

pytestmark = pytest.mark.server

LOOPBACK = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it
LISTENING = "0A"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """An assistant whose web app is published on every interface (BIND_HOST=0.0.0.0)."""
    running = start_assistant(
        tmp_path_factory.mktemp("published-var"), {"BIND_HOST": "0.0.0.0", "COUNCIL_LIVE_CHATS_PER_CLIENT": "2"}
    )
    yield running
    stop_assistant_process(running.process)


def listening_addresses(port: int) -> set[str]:
    """The local addresses (hex, as the kernel lists them) that listen on TCP ``port``."""
    addresses = set()
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == LISTENING:
                addresses.add(address)
    return addresses


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/")[0])


def cases_in(assistant: Assistant) -> int:
    engine = open_engine(assistant.database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM handoff_cases")).scalar_one())
    finally:
        engine.dispose()


def test_only_the_web_app_is_published(published: Assistant) -> None:
    assert listening_addresses(port_of(published.rasa_url)) == {LOOPBACK}
    assert listening_addresses(port_of(published.actions_url)) == {LOOPBACK}
    assert listening_addresses(port_of(published.web_url)) == {"00000000"}  # every interface


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("GET", "/conversations/{sender}/tracker", None),
        ("GET", "/conversations/{sender}/story", None),
        ("POST", "/conversations/{sender}/tracker/events", [{"event": "bot", "text": "An adviser: call 0900 000000"}]),
        ("POST", "/conversations/{sender}/messages", {"text": "stored past redaction 4111 1111 1111 1111"}),
        ("POST", "/model/parse", {"text": "hello"}),
        ("DELETE", "/model", None),
    ],
)
def test_rasa_http_api_refuses_a_caller_without_the_token(
    published: Assistant, method: str, path: str, payload: object
) -> None:
    sender = f"api-victim-{method}-{path.replace('/', '-')}"
    say(published.rasa_url, sender, "my bin was not collected")
    url = f"{published.rasa_url}{path.format(sender=sender)}"
    for token in ("", "?token=wrong"):
        status, _ = request_json(url + token, payload, method=method)
        assert status == 401, f"{method} {path}{token} answered {status}"
    # The conversation is untouched and the model still loaded: the resident's next turn works.
    assert "street name" in texts(say(published.rasa_url, sender, "outside my house"))


def test_rasa_http_api_answers_the_web_app_token(published: Assistant) -> None:
    status, parsed = request_json(published.rasa_api("/model/parse"), {"text": "i want to pay my council tax"})
    assert status == 200
    assert parsed["intent"]["name"] == "make_payment"


def made_up_call(action: str) -> dict[str, object]:
    """What a stranger would post to plant an urgent case: a tracker with a crisis and a number."""
    return {
        "next_action": action,
        "sender_id": "planted",
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": "planted",
            "slots": {"phone_number": "07700900123", "handoff_channel": "phone"},
            "latest_message": {"text": "URGENT ring this number now", "intent": {"name": "request_human"}},
            "events": [],
            "active_loop": {},
        },
    }


@pytest.mark.parametrize("action", ["action_submit_handoff", "action_cancel_handoff", "action_session_start"])
def test_action_server_refuses_a_caller_without_the_token(published: Assistant, action: str) -> None:
    before = cases_in(published)
    for token in ("", "?token=wrong"):
        status, body = request_json(f"{published.actions_url}/webhook{token}", made_up_call(action))
        assert status == 401, body
        assert "Traceback" not in str(body)
    assert cases_in(published) == before


def test_action_server_refuses_a_body_that_inflates_too_far(published: Assistant) -> None:
    token = (published.var_dir / "actions.token").read_text().strip()
    bomb = zlib.compress(b"{" + b" " * (64 * 1024 * 1024) + b"}", 9)  # 64 MB of JSON in about 64 KB
    status, body = request_json(
        f"{published.actions_url}/webhook?token={token}", raw=bomb, headers={"Content-Encoding": "deflate"}
    )
    assert status == 413, body
    status, _ = request_json(
        f"{published.actions_url}/webhook?token={token}", raw=b"not deflate", headers={"Content-Encoding": "deflate"}
    )
    assert status == 413
    status, health = request_json(f"{published.actions_url}/health")
    assert (status, health) == (200, {"status": "ok"})


def test_action_server_asks_at_once_for_a_conversation_it_does_not_hold(published: Assistant) -> None:
    # A call that leaves out events the server was never sent (bot/conversation_deltas.py) runs
    # nothing and is answered at once, in full, on a kept-alive connection as Rasa's: an answer
    # without its length left Rasa waiting for the rest, and the resident with it.
    token = (published.var_dir / "actions.token").read_text().strip()
    call = made_up_call("action_submit_handoff")
    call["continues"] = {"token": "never-sent", "from": 12}
    before = cases_in(published)
    connection = http.client.HTTPConnection(published.actions_url.removeprefix("http://"), timeout=5)
    try:
        for path in ("/webhook", "/webhook/"):  # Sanic routes both to the actions
            connection.request("POST", f"{path}?token={token}", json.dumps(call), {"Content-Type": "application/json"})
            answer = connection.getresponse()
            assert answer.status == 409, path
            assert answer.getheader("Content-Length") is not None
            assert "whole conversation" in json.loads(answer.read())["error"]
    finally:
        connection.close()
    assert cases_in(published) == before


def test_the_assistant_still_works_end_to_end_behind_the_tokens(published: Assistant) -> None:
    # Rasa calls the action server with its token; the web app reads transcripts with Rasa's.
    sender = "resident-behind-tokens"
    assert "street name" in texts(say(published.rasa_url, sender, "there's a pothole"))
    status, health = request_json(f"{published.web_url}/health")
    assert status == 200, health
    assert health["rasa"] == health["actions"] == "ok"


def live_chat_from(assistant: Assistant, address: str, sender: str) -> dict[str, object]:
    """The resident's live chat as their page sees it, asked from the client ``address``."""
    port = port_of(assistant.web_url)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(address, 0))
    try:
        connection.request("GET", "/chat/updates", headers={"Cookie": f"chat_id={sender}"})
        return dict(json.loads(connection.getresponse().read()))
    finally:
        connection.close()


def test_one_address_cannot_fill_the_live_chat_queue(published: Assistant) -> None:
    # This assistant lets one client address have 2 chats waiting at once.
    script = [f"queueflood{n}0123456789" for n in range(3)]
    for sender in script:
        join_the_queue(published, sender)
    seen = [live_chat_from(published, "127.0.0.1", sender) for sender in script]
    assert [chat["status"]["state"] for chat in seen] == ["waiting", "waiting", "none"]  # type: ignore[index]
    told = [m["text"] for m in seen[2]["messages"] if m["sender"] == "system"]  # type: ignore[attr-defined]
    assert told and "several chats waiting from your connection" in told[-1] and "call you back" in told[-1]
    # The refused chat has the bot back, and the chats already waiting keep their places.
    assert "postcode" in texts(say(published.rasa_url, script[2], "when is my bin day"))
    assert live_chat_from(published, "127.0.0.1", script[0])["status"]["state"] == "waiting"  # type: ignore[index]
    # Another address (someone else in the same town) can still wait for an adviser.
    other = "queueotheraddress0123"
    join_the_queue(published, other)
    assert live_chat_from(published, "127.0.0.2", other)["status"]["state"] == "waiting"  # type: ignore[index]

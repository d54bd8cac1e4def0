"""A live chat whose resident and adviser are served by different web processes: each side sees
every message once, in order, and the resident's page is sent each message as it is written (a
signal through Redis wakes the other process's stream), not at its next refresh."""

from __future__ import annotations

import json
import queue
import secrets
import threading
import urllib.parse
import urllib.request
from typing import Any

import pytest

from bot.web.live_signals import REFRESH_SECONDS
from evaluation.staff_access import prepare
from routing.references import find_reference
from tests.http import request_json, say, texts
from tests.scaleout.conftest import ScaledAssistant

pytestmark = [pytest.mark.server, pytest.mark.postgres]

# Well inside the streams' refresh: a message that arrives in time was pushed, not picked up later.
PUSHED_WITHIN = REFRESH_SECONDS * 2 / 3


def as_resident(chat_id: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener()
    opener.addheaders = [("Cookie", f"chat_id={chat_id}")]
    return opener


def read_stream(web_url: str, chat_id: str, into: queue.Queue[dict[str, Any]], stop: threading.Event) -> None:
    """The resident's page's event stream, each message put ``into`` the queue as it comes."""
    try:
        with as_resident(chat_id).open(f"{web_url}/chat/stream", timeout=60) as stream:
            event = ""
            for raw in stream:
                if stop.is_set():
                    return
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[len("event: ") :]
                elif line.startswith("data: ") and event == "message":
                    into.put(json.loads(line[len("data: ") :]))
    except OSError:
        return  # the test is over and the assistant stopped; what arrived is in the queue


def resident_types(web_url: str, chat_id: str, message: str) -> dict[str, Any]:
    sent = urllib.request.Request(
        f"{web_url}/", data=urllib.parse.urlencode({"message": message}).encode(),
        headers={"Accept": "application/json"},
    )  # fmt: skip
    with as_resident(chat_id).open(sent, timeout=60) as answer:
        return dict(json.loads(answer.read()))


def test_resident_and_adviser_on_different_web_processes_see_every_message_once(scaled: ScaledAssistant) -> None:
    resident_web, adviser_web = scaled.web_process(1), scaled.web_process(2)
    access = prepare(scaled.database_url, "livescaled", cases=0)  # an adviser taking chats
    chat_id = secrets.token_hex(16)
    say(scaled.assistant.rasa_url, chat_id, "can i talk to a person")
    joined = texts(say(scaled.assistant.rasa_url, chat_id, '/request_human{"channel":"webchat","mode":"live"}'))
    reference = find_reference(joined).reference
    assert reference, joined
    auth = {"Authorization": f"Bearer {access.api_token}"}
    assert request_json(f"{adviser_web}/api/v1/cases/{reference}/claim", method="POST", raw=b"", headers=auth)[0] == 200

    arrived: queue.Queue[dict[str, Any]] = queue.Queue()
    stop = threading.Event()
    reader = threading.Thread(target=read_stream, args=(resident_web, chat_id, arrived, stop), daemon=True)
    reader.start()
    adviser = urllib.request.build_opener()
    adviser.addheaders = [("Cookie", f"staff_session={access.adviser.session}")]
    expected: list[tuple[str, str]] = []
    for number in range(3):
        words = f"Hello, this is the adviser, message {number}."
        form = urllib.parse.urlencode({"message": words, "csrf_token": access.adviser.csrf}).encode()
        adviser.open(f"{adviser_web}/staff/live/{reference}/send", data=form, timeout=60).read()
        expected.append(("adviser", words))
        got = arrived.get(timeout=PUSHED_WITHIN)  # pushed to the resident's process as it was written
        assert (got["sender"], got["text"]) == ("adviser", words)
        mine = f"Thank you, resident reply {number}"
        assert resident_types(resident_web, chat_id, mine)["lines"] == []  # relayed to the adviser
        expected.append(("resident", mine))
        got = arrived.get(timeout=PUSHED_WITHIN)
        assert (got["sender"], got["text"]) == ("resident", mine)
    stop.set()

    # Each side, read from the other process too, has every message once and in order.
    status, seen = request_json(f"{adviser_web}/staff/live/{reference}/updates", headers={
        "Cookie": f"staff_session={access.adviser.session}"})  # fmt: skip
    assert status == 200
    assert [(m["sender"], m["text"]) for m in seen["messages"]] == expected
    with as_resident(chat_id).open(f"{adviser_web}/chat/updates", timeout=60) as answer:
        resident_view = json.loads(answer.read())
    assert [(m["sender"], m["text"]) for m in resident_view["messages"]] == expected
    assert resident_view["status"]["state"] == "with_adviser"
    assert arrived.empty(), "a message reached the resident's page twice"

"""Live webchat over real HTTP: the bot stays silent while a person holds the conversation, a
resident nobody picks up is told and offered a call back, never left waiting in silence, and a chat
an adviser closes (from the inbox or the JSON API) gives the resident the bot back."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from datetime import timedelta
from http.cookiejar import Cookie, CookieJar

import pytest
from sqlalchemy import update

from routing.hours import load_schedule
from routing.live_chat import QUEUE_TIMEOUT
from routing.references import find_reference
from storage.engine import open_engine
from storage.handoffs import HandoffStore, handoff_cases
from storage.staff import StaffAccounts, StaffSessions
from tests.conftest import ALWAYS_OPEN, Assistant
from tests.databases import ADVISER, adviser_taking_chats
from tests.http import request_json, say, texts

pytestmark = pytest.mark.server


def join_the_queue(assistant: Assistant, sender: str) -> str:
    adviser_taking_chats(assistant.database_url)
    say(assistant.rasa_url, sender, "can i talk to a person")
    joined = texts(say(assistant.rasa_url, sender, '/request_human{"channel":"webchat","mode":"live"}'))
    reference = find_reference(joined).reference
    assert reference, joined
    return reference


def residents_browser(sender: str) -> urllib.request.OpenerDirector:
    """A browser holding the resident's chat cookie."""
    jar = CookieJar()
    jar.set_cookie(
        Cookie(
            0, "chat_id", sender, None, False, "127.0.0.1", False, False, "/", True, False, None, False, None, None, {}
        )
    )
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def updates(assistant: Assistant, sender: str) -> dict:
    return dict(json.loads(residents_browser(sender).open(f"{assistant.web_url}/chat/updates").read()))


def chat_page_says(assistant: Assistant, sender: str, message: str) -> dict:
    """Type a message on the chat page (as its script does: the answer is JSON)."""
    sent = urllib.request.Request(
        f"{assistant.web_url}/", data=urllib.parse.urlencode({"message": message}).encode(),
        headers={"Accept": "application/json"},
    )  # fmt: skip
    return dict(json.loads(residents_browser(sender).open(sent).read()))


def test_the_bot_never_replies_while_a_person_holds_the_conversation(assistant: Assistant) -> None:
    sender = "live0123456789abcdef"
    join_the_queue(assistant, sender)
    for message in ("hello?", "i want to pay my council tax", "asdf ghjk"):
        assert say(assistant.rasa_url, sender, message) == []
    state = updates(assistant, sender)
    assert state["status"]["state"] == "waiting" and state["status"]["position"] >= 1


def test_a_chat_nobody_picks_up_is_ended_kindly_with_a_call_back_offered(assistant: Assistant) -> None:
    sender = "livefedcba9876543210"
    reference = join_the_queue(assistant, sender)
    store = HandoffStore(open_engine(assistant.database_url), load_schedule(ALWAYS_OPEN))
    long_ago = store.get(reference).created_at - QUEUE_TIMEOUT - timedelta(minutes=1)
    with open_engine(assistant.database_url).begin() as connection:  # as if they had waited too long
        connection.execute(
            update(handoff_cases)
            .where(handoff_cases.c.reference == reference)
            .values(created_at=long_ago, updated_at=long_ago)
        )
    state = updates(assistant, sender)
    assert state["status"]["state"] == "none"
    told = [m for m in state["messages"] if m["sender"] == "system"]
    assert told and "We can call you back instead" in told[-1]["text"]
    # The bot is back, with the call-back offer as buttons, and answers again.
    tracker = json.loads(urllib.request.urlopen(assistant.rasa_api(f"/conversations/{sender}/tracker")).read())
    last_bot = [e for e in tracker["events"] if e["event"] == "bot"][-1]
    assert [b["title"] for b in last_bot["data"]["buttons"]] == ["Call me back", "Book a Gateway visit"]
    assert "postcode" in texts(say(assistant.rasa_url, sender, "when is my bin day"))


def test_a_chat_closed_through_the_api_gives_the_resident_the_bot_back(assistant: Assistant) -> None:
    sender = "liveapi0123456789abc"
    reference = join_the_queue(assistant, sender)
    engine = open_engine(assistant.database_url)
    token = StaffSessions(engine, StaffAccounts(engine)).new_api_token(ADVISER[0])
    engine.dispose()
    auth = {"Authorization": f"Bearer {token}"}
    api = f"{assistant.web_url}/api/v1/cases/{reference}"
    assert request_json(f"{api}/claim", method="POST", raw=b"", headers=auth)[0] == 200
    assert chat_page_says(assistant, sender, "are you there?")["lines"] == []  # relayed to the adviser
    status, closed = request_json(f"{api}/outcome", {"outcome": "resolved"}, headers=auth)
    assert status == 200 and closed["status"] == "resolved", closed
    # The resident is told, as when the chat is closed from the case page...
    state = updates(assistant, sender)
    assert state["status"]["state"] == "none"
    told = [m["text"] for m in state["messages"] if m["sender"] == "system"]
    assert told[-1:] == ["The adviser has closed the chat. You are back with the online assistant."], state
    # ...and the assistant answers their next message (it is not sent to the closed chat).
    answer = chat_page_says(assistant, sender, "when is my bin day")
    assert "postcode" in "\n".join(line["text"] for line in answer["lines"]), answer
    assert "when is my bin day" not in [m["text"] for m in updates(assistant, sender)["messages"]]

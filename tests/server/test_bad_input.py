"""Bad input on the running assistant: each gets a polite reply and leaves the server healthy."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import Assistant
from tests.http import request_json, say, texts

pytestmark = pytest.mark.server

CARD = "4111 1111 1111 1111"

BAD_MESSAGES = [
    ("empty", ""),
    ("spaces only", "   \n\t "),
    ("10,000 characters", "pothole " * 1250),
    ("emoji only", "😡😡🗑️🚮"),
    ("HTML and script", "<script>alert('x')</script><b>bin</b>"),
    ("SQL-looking text", "'; DROP TABLE events; --"),
    ("a card number", f"my card is {CARD} expiry 12/27 cvv 123"),
    ("right-to-left and zero-width characters", "\u202eretsop\u200b\u200d"),
]


@pytest.mark.parametrize(("case", "message"), BAD_MESSAGES, ids=[case for case, _ in BAD_MESSAGES])
def test_bad_message_gets_a_polite_reply_and_the_server_stays_healthy(
    assistant: Assistant, case: str, message: str
) -> None:
    replies = say(assistant.rasa_url, f"bad-{case.replace(' ', '-')}", message)
    reply_text = texts(replies)
    assert reply_text.strip(), f"no reply to {case}"
    assert "Traceback" not in reply_text and "Exception" not in reply_text
    assert "<script>" not in reply_text
    status, health = request_json(f"{assistant.web_url}/health")
    assert status == 200 and health["status"] == "ok"


def test_a_typed_card_number_is_not_repeated_stored_or_asked_for(assistant: Assistant) -> None:
    replies = say(assistant.rasa_url, "card-typer", f"I want to pay my council tax, card {CARD} security code 123")
    reply_text = texts(replies)
    assert "do not type card details" in reply_text
    assert "4111" not in reply_text and "123" not in reply_text.replace("0300", "")
    assert "council tax" in reply_text.lower()  # the resident still gets the payment options
    with sqlite3.connect(assistant.var_dir / "tracker.db") as db:
        stored = " ".join(row[0] for row in db.execute("SELECT data FROM events WHERE sender_id = 'card-typer'"))
    assert stored, "the conversation was not stored"
    assert "4111" not in stored and "1111 1111" not in stored and "security code 123" not in stored


@pytest.mark.parametrize(
    ("payload", "complaint"),
    [
        (b"not json at all", "must be JSON"),
        (b"[1, 2, 3]", "JSON object"),
        (b'{"message": "hello"}', "'sender'"),
        (b'{"sender": "", "message": "hello"}', "'sender'"),
        (b'{"sender": "x", "message": 42}', "'message' must be a string"),
        (b'{"sender": "x", "message": "hi", "metadata": "nope"}', "'metadata'"),
        # Found by the full fuzz: nesting this deep made the redaction recurse too far (a 500).
        (b'{"sender": "x", "message": "hi", "metadata": {"a": ' + b"[" * 500 + b"]" * 500 + b"}}", "nested"),
    ],
)
def test_malformed_requests_get_a_clear_400(assistant: Assistant, payload: bytes, complaint: str) -> None:
    status, body = request_json(f"{assistant.rasa_url}/webhooks/rest/webhook", raw=payload)
    assert status == 400
    assert complaint in body["error"]


def test_repeated_submits_each_get_an_answer(assistant: Assistant) -> None:
    for _ in range(3):
        assert "Hello" in texts(say(assistant.rasa_url, "repeat-sender", "hello"))

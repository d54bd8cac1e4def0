"""Tiny real-HTTP helpers for the tests (standard library only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


def request_json(
    url: str, payload: Any = None, method: str | None = None, raw: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:  # fmt: skip
    """Send JSON (or raw bytes, with any further ``headers``) and return the status and the decoded
    JSON body (or text)."""
    data = raw if raw is not None else (None if payload is None else json.dumps(payload).encode())
    req = urllib.request.Request(url, data=data, method=method or ("POST" if data is not None else "GET"))
    req.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=60) as answer:
            status, body = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body.decode(errors="replace")


def say(rasa_url: str, sender: str, message: Any) -> list[dict[str, Any]]:
    """Send one message on the REST channel; return the bot's replies (asserting HTTP 200)."""
    status, body = request_json(f"{rasa_url}/webhooks/rest/webhook", {"sender": sender, "message": message})
    assert status == 200, body
    assert isinstance(body, list)
    return body


def texts(replies: list[dict[str, Any]]) -> str:
    """All reply texts joined, for assertions about what the resident reads."""
    return "\n".join(str(reply.get("text", "")) for reply in replies)


def session_of(tracker: dict[str, Any]) -> str:
    """The name the monitoring files a conversation under, from Rasa's tracker (``GET
    /conversations/<id>/tracker``): its latest session's start (``monitoring.events.session_name``)."""
    from monitoring.events import session_name

    starts = [event["timestamp"] for event in tracker["events"] if event["event"] == "session_started"]
    assert starts, "the conversation has no session"
    return session_name(starts[-1])

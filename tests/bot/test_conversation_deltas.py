"""The action server puts back the events a call leaves out, and asks for the whole conversation
when it does not hold them."""

from __future__ import annotations

from typing import Any

import pytest

from bot import conversation_deltas
from bot.conversation_deltas import CONTINUES, HELD_SECONDS, HeldConversations, MustResend


def event(number: int) -> dict[str, Any]:
    return {"event": "user", "text": f"message {number}"}


def call(
    events: list[dict[str, Any]], token: str | None = "t1", start: int = 0, sender: str = "resident-1"
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "next_action": "action_information",
        "sender_id": sender,
        "tracker": {"events": events, "slots": {}},
    }
    if token is not None:
        body[CONTINUES] = {"token": token, "from": start}
    return body


def test_a_call_that_continues_gets_back_the_events_it_left_out() -> None:
    held = HeldConversations()
    first = held.complete(call([event(0), event(1)]))
    second = held.complete(call([event(2)], start=2))
    assert first["tracker"]["events"] == [event(0), event(1)]
    assert second["tracker"]["events"] == [event(0), event(1), event(2)]
    assert CONTINUES not in second and second["next_action"] == "action_information"


def test_a_call_may_continue_from_before_the_end_of_what_is_held() -> None:
    # Rasa dropped the last events it sent (a rejected action): the call replaces them.
    held = HeldConversations()
    held.complete(call([event(0), event(1), event(2)]))
    assert held.complete(call([event(9)], start=1))["tracker"]["events"] == [event(0), event(9)]


def test_a_call_without_a_mark_is_left_as_it_is() -> None:
    body = call([event(0)], token=None)
    assert HeldConversations().complete(body) is body


@pytest.mark.parametrize(
    "mark",
    [{"token": "unknown", "from": 1}, {"token": "t1", "from": 5}, {"token": "", "from": 0}, {"token": "t1", "from": -1},
     {"token": "t1", "from": "1"}, {"token": "t1", "from": True}, {"token": 7, "from": 0}],
)  # fmt: skip
def test_what_it_does_not_hold_or_cannot_read_is_asked_for_whole(mark: dict[str, Any]) -> None:
    held = HeldConversations()
    held.complete(call([event(0), event(1)]))
    body = call([event(2)])
    body[CONTINUES] = mark
    with pytest.raises(MustResend):
        held.complete(body)


def test_a_call_with_no_events_is_asked_for_whole() -> None:
    body = call([])
    body["tracker"] = "not a tracker"
    with pytest.raises(MustResend):
        HeldConversations().complete(body)


def test_the_actions_may_add_to_their_events_without_changing_what_is_held() -> None:
    held = HeldConversations()
    given = held.complete(call([event(0)]))
    given["tracker"]["events"].append({"event": "slot", "name": "location", "value": "Hill Lane"})
    assert held.complete(call([], start=1))["tracker"]["events"] == [event(0)]


def test_only_the_most_recent_conversations_are_held() -> None:
    held = HeldConversations(size=2)
    for token in ("a", "b", "c"):
        held.complete(call([event(0)], token=token))
    with pytest.raises(MustResend):
        held.complete(call([], token="a", start=1))
    assert held.complete(call([], token="c", start=1))["tracker"]["events"] == [event(0)]


def test_one_residents_events_are_never_put_into_another_residents_call() -> None:
    held = HeldConversations()
    held.complete(call([event(0), event(1)], sender="resident-1"))
    with pytest.raises(MustResend):
        held.complete(call([event(2)], start=2, sender="resident-2"))


def test_a_conversation_not_called_for_a_quarter_of_an_hour_is_forgotten() -> None:
    now = [0.0]
    held = HeldConversations(clock=lambda: now[0])
    held.complete(call([event(0)], token="quiet"))
    now[0] = HELD_SECONDS - 1
    held.complete(call([event(0)], token="busy"))
    held.complete(call([], token="quiet", start=1))  # still held, and called again now
    now[0] = 2 * HELD_SECONDS
    for token in ("quiet", "busy"):
        with pytest.raises(MustResend):
            held.complete(call([], token=token, start=1))


def test_a_very_long_conversation_is_not_held(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conversation_deltas, "MAX_HELD_EVENTS", 3)
    held = HeldConversations()
    held.complete(call([event(0), event(1), event(2), event(3)]))
    with pytest.raises(MustResend):
        held.complete(call([event(4)], start=4))

"""The typed view over a conversation's events: conversations built event by event, then asked."""

from __future__ import annotations

from typing import Any

import pytest

from routing.conversation_events import ConversationView


def user(text: str, intent: str = "inform", *needs: dict[str, Any]) -> dict[str, Any]:
    parse = {"intent": {"name": intent, "confidence": 0.9}, "support_needs": list(needs), "entities": []}
    return {"event": "user", "text": text, "parse_data": parse}


def act(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def bot(text: str) -> dict[str, Any]:
    return {"event": "bot", "text": text}


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


NO_INTERNET = {"category": "digital_exclusion", "confidence": 0.9, "cue": "no internet"}
RISK = {"category": "safeguarding", "confidence": 0.9, "kind": "self_harm"}
LATER_RISK = {"category": "safeguarding", "confidence": 0.6, "kind": "domestic_abuse"}

CONVERSATION = [
    act("action_session_start"), {"event": "session_started", "timestamp": 5.0}, act("action_listen"),
    user("hello", "greet"), act("utter_greet"), bot("Hello."), act("action_listen"),
    user("i have no internet", "make_payment", NO_INTERNET), act("action_acknowledge_need"), bot("Thanks."),
    act("action_listen"),
    user("report a pothole", "report_issue"), act("report_form"), slot("requested_slot", "location"),
    bot("Where is it?"), act("action_listen"),
    user("i want to die", "inform", RISK), act("action_safeguarding"), bot("Call 999."), act("action_listen"),
    user("sorry", "nlu_fallback", LATER_RISK), act("action_fallback"), act("action_extract_slots"),
]  # fmt: skip
VIEW = ConversationView(CONVERSATION)

QUESTIONS = [
    ("the messages, in order", lambda v: [m.text for m in v.messages],
     ["hello", "i have no internet", "report a pothole", "i want to die", "sorry"]),
    ("the form question each answered", lambda v: [m.asked_for for m in v.messages],
     [None, None, None, "location", "location"]),
    ("the bot's steps since the latest message", lambda v: v.steps_since_message(), ["action_fallback"]),
    ("what the latest message answered", lambda v: v.previous_bot_action(), "action_safeguarding"),
    ("what the bot has said since the latest message", lambda v: v.said_since_message(), []),
    ("the first sighting of each need", lambda v: [n["category"] for n in v.needs_seen()],
     ["digital_exclusion", "safeguarding"]),
    ("the latest risk", lambda v: v.latest_need("safeguarding"), LATER_RISK),
    ("the latest task", lambda v: v.latest_intent_among(["make_payment", "report_issue"]), "report_issue"),
    ("whether a step ran", lambda v: (v.ran({"action_safeguarding"}), v.ran({"action_risk_check_in"})), (True, False)),
    ("when the session started", lambda v: v.session_started_at(), 5.0),
    ("messages since the latest acknowledgement", lambda v: [m.text for m in v.messages_since_last(
        "action_acknowledge_need")], ["report a pothole", "i want to die", "sorry"]),
    ("messages the latest acknowledgement answered", lambda v: [m.text for m in v.messages_before_last(
        "action_acknowledge_need")], ["hello", "i have no internet"]),
    ("the conversation as staff read it", lambda v: [(line["who"], line["text"]) for line in v.transcript()][:3],
     [("resident", "hello"), ("assistant", "Hello."), ("resident", "i have no internet")]),
    ("when a slot was set", lambda v: v.last_turn_slot_set("requested_slot", "location"), 3),
]  # fmt: skip


@pytest.mark.parametrize(("question", "ask", "answer"), QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_the_view_answers(question: str, ask: Any, answer: Any) -> None:
    assert ask(VIEW) == answer


MISSES = [
    ("one miss", [user("asdf"), act("action_fallback")], 1),
    ("two in a row", [user("asdf"), act("action_fallback"), user("qwer"), act("action_fallback")], 2),
    ("understood in between", [user("asdf"), act("action_fallback"), user("hi"), act("utter_greet"), user("qwer")], 1),
]  # fmt: skip


@pytest.mark.parametrize(("case", "events", "expected"), MISSES, ids=[m[0] for m in MISSES])
def test_misunderstandings_in_a_row(case: str, events: list[dict[str, Any]], expected: int) -> None:
    assert ConversationView(events).runs_in_a_row({"action_fallback"}) == expected


def test_the_current_session_starts_after_the_latest_start() -> None:
    events = [user("old"), act("action_safeguarding"), {"event": "session_started"}, user("new")]
    session = ConversationView(events).current_session()
    assert [m.text for m in session.messages] == ["new"] and not session.ran({"action_safeguarding"})


def test_a_rewound_message_is_noticed_and_nothing_came_before_the_first_message() -> None:
    assert ConversationView([user("asdf"), act("action_fallback"), {"event": "rewind"}]).ends_with_rewind
    assert ConversationView([act("action_listen")]).previous_bot_action() is None


FORM_CONVERSATION = [
    act("action_listen"),
    user("pothole please", "report_issue"),
    act("report_form"),
    slot("requested_slot", "location"),
    bot("Where is it?"),
    act("action_listen"),
    user("outside the school, I have no internet", "inform", NO_INTERNET),
    slot("location", "outside the school"),
    slot("requested_slot", None),
    act("action_listen"),
    user("thanks", "thank"),
    bot("You're welcome."),
]


def fields(view: ConversationView) -> tuple[Any, ...]:
    return (view.events, view.messages, view.steps, view.said, view.slots)


@pytest.mark.parametrize("split", range(len(FORM_CONVERSATION) + 1))
def test_a_view_extended_by_new_events_is_the_view_of_them_all(split: int) -> None:
    start, rest = FORM_CONVERSATION[:split], FORM_CONVERSATION[split:]
    extended = ConversationView(start).extended(rest)
    assert fields(extended) == fields(ConversationView(FORM_CONVERSATION))
    assert extended.messages[1].asked_for == "location"  # the answer still knows its question


def test_extending_a_view_leaves_the_first_as_it_was() -> None:
    first = ConversationView(FORM_CONVERSATION[:3])
    first.extended(FORM_CONVERSATION[3:])
    assert fields(first) == fields(ConversationView(FORM_CONVERSATION[:3]))

"""Thanks, goodbye and "Did you get what you needed?": asked once, never in the way."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.closing import ActionGoodbye, ActionRecordSatisfaction, ActionThank
from routing.satisfaction import satisfaction_answer
from tests.actions.conftest import said, tracker

USER = {"event": "user", "text": "...", "parse_data": {"intent": {"name": "inform"}}}


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def payloads(dispatcher: CollectingDispatcher) -> list[str]:
    return [button["payload"] for message in dispatcher.messages for button in message.get("buttons") or []]


ASKED = ['/inform{"satisfaction":"yes"}', '/inform{"satisfaction":"partly"}', '/inform{"satisfaction":"no"}']


async def test_goodbye_asks_the_question_once(domain: dict[str, Any]) -> None:
    first = CollectingDispatcher()
    events = await ActionGoodbye().run(first, tracker("bye", "goodbye"), domain)
    assert said(first).startswith("Goodbye.") and "Did you get what you needed?" in said(first)
    assert payloads(first) == ASKED and events == [SlotSet("satisfaction_question", "asked")]
    again = CollectingDispatcher()
    asked = tracker("bye", "goodbye", slots={"satisfaction_question": "asked"})
    assert await ActionGoodbye().run(again, asked, domain) == []
    assert "Did you get" not in said(again) and payloads(again) == []


async def test_thanks_asks_only_once_a_task_is_done(domain: dict[str, Any]) -> None:
    nothing_done = CollectingDispatcher()
    await ActionThank().run(nothing_done, tracker("thanks", "thank", events=[USER]), domain)
    assert said(nothing_done) == "You are welcome. Is there anything else I can help with?"
    paid = CollectingDispatcher()
    events = [action("action_payment_info"), action("action_listen"), USER]
    assert await ActionThank().run(paid, tracker("thanks", "thank", events=events), domain) == [
        SlotSet("satisfaction_question", "asked")
    ]
    assert payloads(paid) == ASKED


async def test_a_task_from_an_earlier_session_does_not_count(domain: dict[str, Any]) -> None:
    events = [action("action_payment_info"), {"event": "session_started"}, action("action_listen"), USER]
    dispatcher = CollectingDispatcher()
    await ActionThank().run(dispatcher, tracker("thanks", "thank", events=events), domain)
    assert payloads(dispatcher) == []


@pytest.mark.parametrize(
    ("after", "answer", "entities", "must_say", "button"),
    [
        ("action_thank", "affirm", [], "Is there anything else I can help with?", None),
        ("action_goodbye", "affirm", [], "Thank you for telling us.", None),
        ("action_goodbye", "inform", [{"entity": "satisfaction", "value": "no"}], "A person can", "/request_human"),
    ],
)
async def test_the_answer_is_thanked_and_a_person_offered_unless_it_was_yes(
    domain: dict[str, Any], after: str, answer: str, entities: list[dict[str, Any]], must_say: str, button: str | None
) -> None:
    dispatcher = CollectingDispatcher()
    current = tracker(
        "...", answer, entities=entities, slots={"satisfaction_question": "asked"},
        events=[action(after), action("action_listen"), USER],
    )  # fmt: skip
    assert await ActionRecordSatisfaction().run(dispatcher, current, domain) == [
        SlotSet("satisfaction_question", "answered")
    ]
    assert must_say in said(dispatcher)
    assert payloads(dispatcher) == ([button] if button else [])


async def test_no_after_anything_else_is_goodbye_and_yes_is_the_menu(domain: dict[str, Any]) -> None:
    events = [action("action_thank"), action("action_listen"), USER]
    no = CollectingDispatcher()
    assert await ActionRecordSatisfaction().run(no, tracker("no", "deny", events=events), domain) == []
    assert said(no).startswith("Goodbye.")
    yes = CollectingDispatcher()
    await ActionRecordSatisfaction().run(yes, tracker("yes", "affirm", events=events), domain)
    assert "What would you like to do now?" in said(yes) and "/report_issue" in payloads(yes)


@pytest.mark.parametrize(
    ("intent", "values", "text", "expected"),
    [
        ("inform", ["partly"], "/inform", "partly"),
        ("affirm", [], "yes thanks", "yes"),
        ("affirm", [], "sort of", "partly"),
        ("deny", [], "no, not really", "no"),
        ("deny", [], "not all of it", "partly"),
        ("inform", [], "Portswood Road", None),
        ("inform", ["maybe"], "/inform", None),
    ],
)
def test_the_answer_is_read_from_a_button_or_words(
    intent: str, values: list[str], text: str, expected: str | None
) -> None:
    assert satisfaction_answer(intent, values, text) == expected


def test_the_answers_are_the_monitorings_vocabulary() -> None:
    from monitoring.events import SATISFACTION_ANSWERS
    from routing.satisfaction import ANSWERS

    assert ANSWERS == SATISFACTION_ANSWERS


@pytest.mark.parametrize("risk_action", ["action_safeguarding", "action_risk_check_in"])
async def test_nobody_is_asked_to_rate_a_conversation_where_they_showed_a_risk_sign(
    domain: dict[str, Any], risk_action: str
) -> None:
    events = [USER, action(risk_action), action("action_listen"), USER]
    dispatcher = CollectingDispatcher()
    assert await ActionGoodbye().run(dispatcher, tracker("bye", "goodbye", events=events), domain) == []
    assert "999" in said(dispatcher) and "116 123" in said(dispatcher)  # the routes, once more
    assert "?" not in said(dispatcher) and payloads(dispatcher) == []

"""Thanks, goodbye and "Did you get what you needed?": asked once, never in the way."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.closing import ActionGoodbye, ActionRecordSatisfaction
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


@pytest.mark.parametrize(
    ("after", "answer", "entities", "must_say", "button"),
    [
        ("utter_welcome", "affirm", [], "Is there anything else I can help with?", None),
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
    events = [action("utter_anything_else"), action("action_listen"), USER]
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


def test_the_responses_say_what_the_actions_say(domain: dict[str, Any]) -> None:
    # Thanks and goodbye are domain responses when no action is needed (routing/closing.py), and the
    # actions' words when one is: the resident reads the same either way.
    from rasa.core.nlg.interpolator import interpolate_text

    from routing.satisfaction import ANYTHING_ELSE, GOODBYE, QUESTION, WELCOME

    for name, reply in [
        ("utter_goodbye", GOODBYE), ("utter_welcome", WELCOME),
        ("utter_anything_else", ANYTHING_ELSE), ("utter_ask_satisfaction", QUESTION),
    ]:  # fmt: skip
        (response,) = domain["responses"][name]
        assert response["text"] == reply.text
        # Rasa fills {slot} in a response's text and payloads: what it sends is what the resident gets.
        buttons = [(b["title"], interpolate_text(b["payload"], {})) for b in response.get("buttons") or []]
        assert buttons == [(button.title, button.payload) for button in reply.buttons]


async def test_the_question_asked_as_a_response_counts_as_asked(domain: dict[str, Any]) -> None:
    asked = [USER, action("utter_goodbye"), action("utter_ask_satisfaction"), action("action_listen"), USER]
    goodbye = CollectingDispatcher()
    assert await ActionGoodbye().run(goodbye, tracker("bye", "goodbye", events=asked), domain) == []
    assert "Did you get" not in said(goodbye)
    answer = CollectingDispatcher()
    entities = [{"entity": "satisfaction", "value": "yes"}]
    recorded = await ActionRecordSatisfaction().run(
        answer, tracker("/inform", "inform", entities=entities, events=asked), domain
    )
    assert recorded == [SlotSet("satisfaction_question", "answered")] and said(answer) == "Thank you for telling us."
    after_thanks = [USER, action("utter_welcome"), action("utter_ask_satisfaction"), action("action_listen"), USER]
    thanked = CollectingDispatcher()
    await ActionRecordSatisfaction().run(thanked, tracker("yes", "affirm", events=after_thanks), domain)
    assert said(thanked) == "Thank you for telling us. Is there anything else I can help with?"

"""Thanks and goodbye with no custom action: the question asked once, never after a sign of risk."""

from __future__ import annotations

from typing import Any

import pytest

from routing.closing import next_closing_step
from routing.conversation_events import ConversationView


def user(intent: str) -> dict[str, Any]:
    return {"event": "user", "text": "...", "parse_data": {"intent": {"name": intent}}}


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def steps_after(events: list[dict[str, Any]], slot: str | None = None) -> list[str]:
    """Every step the closing chooses after ``events``, until it listens or leaves the decision."""
    chosen: list[str] = []
    while True:
        step = next_closing_step(ConversationView(events), slot)
        if step is None or step in ("action_listen", "action_goodbye"):  # the action then decides
            return chosen + ([step] if step else [])
        chosen.append(step)
        events = events + [action(step)]


def test_goodbye_asks_the_question_then_listens_and_only_once() -> None:
    first = steps_after([user("goodbye")])
    assert first == ["utter_goodbye", "utter_ask_satisfaction", "action_listen"]
    asked = [user("goodbye"), *map(action, first), user("greet"), action("utter_greet"), action("action_listen")]
    assert steps_after(asked + [user("goodbye")]) == ["utter_goodbye", "action_listen"]
    assert steps_after([user("goodbye")], slot="answered") == ["utter_goodbye", "action_listen"]


def test_thanks_asks_only_once_a_task_is_done() -> None:
    assert steps_after([user("thank")]) == ["utter_anything_else", "action_listen"]
    paid = [user("make_payment"), action("action_payment_info"), action("action_listen"), user("thank")]
    assert steps_after(paid) == ["utter_welcome", "utter_ask_satisfaction", "action_listen"]
    assert steps_after(paid, slot="asked") == ["utter_anything_else", "action_listen"]


@pytest.mark.parametrize("risk", ["action_safeguarding", "action_risk_check_in"])
def test_after_a_sign_of_risk_goodbye_is_left_to_the_action_with_the_routes_and_nobody_is_asked(risk: str) -> None:
    shown = [user("inform"), action(risk), action("action_listen")]
    assert steps_after(shown + [user("goodbye")]) == ["action_goodbye"]  # the routes; the answer comes next
    paid = [user("make_payment"), action("action_payment_info"), action("action_listen")]
    assert steps_after(paid + shown + [user("thank")]) == ["utter_anything_else", "action_listen"]


def test_a_task_or_a_risk_from_an_earlier_session_is_not_this_conversations() -> None:
    # The policy gives the closing this session's events only; a view of them starts after the start.
    earlier = ConversationView([user("make_payment"), action("action_payment_info"), {"event": "session_started"}])
    session = list(earlier.current_session().events)
    assert steps_after(session + [user("thank")]) == ["utter_anything_else", "action_listen"]


@pytest.mark.parametrize("after", ["utter_ask_satisfaction", "utter_goodbye", "utter_anything_else", "action_goodbye"])
@pytest.mark.parametrize("answer", ["affirm", "deny", "inform"])
def test_the_message_right_after_goes_to_the_answer(after: str, answer: str) -> None:
    events = [user("goodbye"), action(after), action("action_listen"), user(answer)]
    assert next_closing_step(ConversationView(events), None) == "action_record_satisfaction"


def test_anything_else_is_left_to_the_other_policies() -> None:
    assert next_closing_step(ConversationView([user("make_payment")]), None) is None
    later = [user("goodbye"), action("utter_goodbye"), action("action_listen"), user("greet"), action("utter_greet")]
    assert next_closing_step(ConversationView(later), None) is None

"""Short turns: no fact said twice, no more messages than the budget, the question stays last."""

import pytest

from routing.answers import Button, Reply
from routing.turns import MAX_MESSAGES, compose, facts_in

ASK = Reply("Where is it?", (Button("Cancel", "/stop"),))


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        ("Call us on 023 8083 3000.", {"02380833000"}),
        ("Call 999, or Samaritans on 116 123.", {"999", "116123"}),
        ("Pay online: https://www.example.gov.uk/pay.", {"https://www.example.gov.uk/pay"}),
        ("Email help@example.gov.uk today", {"help@example.gov.uk"}),
        ("Your reference is SCC-7KQ4XH.", set()),
        ("It is open 9am to 5pm.", set()),
    ],
)
def test_facts_are_phone_numbers_links_and_emails(text, facts):
    assert facts_in(text) == facts


def test_a_sentence_whose_facts_were_all_said_this_turn_is_left_out():
    said = ["You can do everything by phone on 023 8083 3000."]
    replies = compose(said, [Reply("Or call 023 8083 3000. Lines are open 9am to 5pm."), ASK])
    assert [reply.text for reply in replies] == ["Lines are open 9am to 5pm.", "Where is it?"]


def test_a_fact_is_not_repeated_within_the_new_replies_either():
    replies = compose([], [Reply("Call 023 8083 3000."), Reply("Our number is 023 8083 3000."), ASK])
    assert [reply.text for reply in replies] == ["Call 023 8083 3000.", "Where is it?"]


def test_replies_over_the_budget_are_merged_and_the_question_stays_last_with_its_buttons():
    replies = compose(["Thank you. I have noted that."], [Reply("One."), Reply("Two."), Reply("Three."), ASK])
    assert len(replies) == MAX_MESSAGES - 1
    assert replies[0].text == "One.\nTwo.\nThree."
    assert replies[-1] == ASK


def test_a_turn_already_full_still_gets_the_new_replies_in_one_message():
    replies = compose(["a", "b", "c"], [Reply("One."), ASK])
    assert [reply.text for reply in replies] == ["One.\nWhere is it?"]
    assert replies[0].buttons == ASK.buttons


def test_page_signals_survive_a_merge():
    routes = Reply("Call 999.", page=frozenset({"safety_routes"}))
    (merged,) = compose(["a", "b", "c"], [routes, ASK])
    assert "safety_routes" in merged.page


def test_a_list_keeps_its_lines():
    (reply,) = compose([], [Reply("1. Chat here. Nobody is waiting.\n2. Call us on 023 8083 3000.")])
    assert reply.text == "1. Chat here. Nobody is waiting.\n2. Call us on 023 8083 3000."

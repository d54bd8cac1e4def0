"""Short turns: no fact said twice, no more messages than the budget, the question stays last."""

import pytest

from routing.answers import Button, Reply
from routing.turns import MAX_MESSAGES, compose, facts_in, fit_turn

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


def test_a_sentence_said_word_for_word_this_turn_is_left_out():
    # The answer would not do: the note of what was wrong already says what is needed.
    said = ["I could not tell where that is. Please give a street name, a postcode, or a landmark near it."]
    again = Reply("Where is it? Please give a street name, a postcode, or a landmark near it.")
    assert [reply.text for reply in compose(said, [again])] == ["Where is it?"]


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


def _messages(*texts: str) -> list[dict[str, object]]:
    return [{"recipient_id": "r", "text": text} for text in texts]


@pytest.mark.parametrize(
    ("texts", "expected_count"),
    [
        (("a", "b"), 2),
        (("a", "b", "c"), 3),
        (("task one", "task two", "task three", "May I note that?"), 3),
        (("Call 999 now.", "b", "c", "d"), 4),
        (("Call 999 now.", "b", "c", "d", "e"), 4),
    ],
)
def test_a_whole_turn_keeps_to_its_budget(texts: tuple[str, ...], expected_count: int) -> None:
    fitted = fit_turn(_messages(*texts))
    assert len(fitted) == expected_count
    assert "\n".join(str(m["text"]) for m in fitted).split("\n") == list(texts)  # nothing is lost, order kept
    assert fitted[-1]["text"] == texts[-1]  # the question stays last


def test_merged_messages_keep_their_buttons_and_page_signals() -> None:
    turn = [
        {"recipient_id": "r", "text": "one", "custom": {"safety_routes": True}},
        {"recipient_id": "r", "text": "two", "buttons": [{"title": "A", "payload": "/a"}]},
        {"recipient_id": "r", "text": "three"},
        {"recipient_id": "r", "text": "four?", "buttons": [{"title": "Yes", "payload": "/affirm"}]},
    ]
    first, *_rest, last = fit_turn(turn)
    assert first["custom"] == {"safety_routes": True} and first["buttons"] == [{"title": "A", "payload": "/a"}]
    assert last["buttons"] == [{"title": "Yes", "payload": "/affirm"}]

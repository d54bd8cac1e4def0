"""Reading the answer to "How would you like to hear back?", and the questions' wording."""

from __future__ import annotations

import pytest

from routing.update_replies import ask_channel, ask_contact, channel_in, chosen, contact_in


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("Text message", "text"),
        ("text me please", "text"),
        ("sms", "text"),
        ("email", "email"),
        ("can you e-mail me", "email"),
        ("by post", "letter"),
        ("send me a letter", "letter"),
        ("no", "none"),
        ("no thanks", "none"),
        ("nah I'm fine", "none"),
        ("stop", "none"),
        ("thanks", "none"),  # moving on: nothing kept
        ("don't text me", "none"),
        ("no, text me", "text"),
        ("text me on 07912 345678", "text"),
        ("me@example.com", "email"),
        ("text or email", None),  # two ways: asked again
        ("what", None),
        ("I'm not sure", None),  # not a no: asked again rather than taken as no
    ],
)
def test_a_typed_answer_names_its_way(text: str, channel: str | None) -> None:
    assert channel_in(text) == channel


def test_a_number_or_address_given_with_the_way_is_kept() -> None:
    assert contact_in("text", "text me on 07912 345678") == "07912 345678"
    assert contact_in("email", "email me at me@example.com please") == "me@example.com"
    assert contact_in("letter", "by post") is None


def test_the_questions_say_how_long_we_keep_it_and_end_with_the_question() -> None:
    question = ask_channel("SCC-7KQ4XH")
    assert question.text.endswith("How would you like to hear back?") and "SCC-7KQ4XH" in question.text
    assert [button.title for button in question.buttons] == ["Text message", "Email", "Letter", "No thanks"]
    assert (
        ask_contact("text").text
        == "We keep your number only until the case is closed. What mobile number should we text?"
    )
    assert ask_contact("letter").text.endswith("What address should we write to? Please include the postcode.")
    plainly = ask_contact("email", failures=2)  # never the same question a third time
    assert plainly.text == "You can try once more, or choose No thanks."
    assert [button.title for button in plainly.buttons] == ["No thanks"]


def test_the_choice_is_said_in_one_short_sentence() -> None:
    assert chosen("text", "SCC-7KQ4XH").text == "We will text you when there is news about SCC-7KQ4XH."
    assert chosen("none", "SCC-7KQ4XH").text == "That is fine. You can ask me about SCC-7KQ4XH at any time."

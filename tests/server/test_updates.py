"""'How would you like to hear back?' after a report, over real HTTP against the running assistant.

Every bot turn is checked against the turn rules (tests/server/turns.py): the question is the turn's
one question, and the number is asked for again, never in a loop.
"""

from __future__ import annotations

import itertools

import pytest

from routing.references import find_reference
from storage.engine import open_engine
from storage.update_contacts import UpdateContacts
from tests.conftest import Assistant
from tests.server.turns import Journey

pytestmark = pytest.mark.server

HEAR_BACK = "How would you like to hear back?"
_senders = itertools.count(1)


def reported(assistant: Assistant) -> tuple[Journey, str]:
    """A resident who has just reported a pothole and been asked how to hear back."""
    journey = Journey(assistant.rasa_url, f"updates-{next(_senders)}")
    journey.says("there's a pothole on Portswood Road")
    journey.says("about a foot wide and deep")
    sent = journey.says("yes")
    reference = find_reference(sent).reference
    assert reference, sent
    assert sent.rstrip().endswith(HEAR_BACK), journey.transcript()
    buttons = [
        button["title"]
        for _, replies in journey.turns[-1:]
        for reply in replies
        for button in reply.get("buttons") or []
    ]
    assert buttons == ["Text message", "Email", "Letter", "No thanks"]
    return journey, reference


def chosen(assistant: Assistant, reference: str) -> tuple[str, str | None] | None:
    found = UpdateContacts(open_engine(assistant.database_url)).get(reference)
    return None if found is None else (found.channel, found.contact)


def test_text_updates_after_a_bad_number_then_a_good_one(assistant: Assistant) -> None:
    journey, reference = reported(assistant)
    ask = journey.says('/inform{"update_channel":"text"}')
    assert "What mobile number should we text?" in ask and "only until the case is closed" in ask
    again = journey.says("0123")
    assert "does not look like a UK mobile number" in again and "What mobile number should we text?" in again
    assert chosen(assistant, reference) is None  # nothing kept before the resident gives a number
    done = journey.says("07912 345678")
    assert f"We will text you when there is news about {reference}." in done, journey.transcript()
    assert chosen(assistant, reference) == ("text", "+447912345678")


def test_no_thanks_keeps_nothing(assistant: Assistant) -> None:
    journey, reference = reported(assistant)
    done = journey.says("no thanks")
    assert f"You can ask me about {reference} at any time." in done, journey.transcript()
    assert chosen(assistant, reference) == ("none", None)


def test_typed_answers_work_and_an_unusable_address_is_never_a_loop(assistant: Assistant) -> None:
    journey, reference = reported(assistant)
    assert "What address should we write to?" in journey.says("by post please")
    journey.says("near the park")
    plainly = journey.says("the big house")
    assert "You can try once more, or choose No thanks." in plainly, journey.transcript()
    assert "What address should we write to?" not in plainly  # never the same question a third time
    done = journey.says("just round the corner")
    assert f"You can ask me about {reference} at any time." in done, journey.transcript()
    assert chosen(assistant, reference) == ("none", None)


@pytest.mark.parametrize("address", ["sarah.jones@gmail.com", "me@example.com"])
def test_an_email_address_is_taken_as_the_answer_never_as_a_risk(assistant: Assistant, address: str) -> None:
    journey, reference = reported(assistant)
    assert "What email address should we use?" in journey.says("email")
    done = journey.says(address)
    assert f"We will email you when there is news about {reference}." in done, journey.transcript()
    assert "999" not in done and "Samaritans" not in done
    assert chosen(assistant, reference) == ("email", address)

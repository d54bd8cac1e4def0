"""Every resident message the dialogue issue quotes, through the running assistant: each gets a
sensible answer, never a fallback, a loop or an answer to another question. (The assistant under
test has every channel open; the journeys suite plays the same situations in and out of hours.)"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from tests.conftest import Assistant
from tests.server.turns import Journey

pytestmark = pytest.mark.server

_senders = itertools.count()
NOT_UNDERSTOOD = ("did not understand", "cannot help with that", "could not find a reference")
CRISIS = ("Samaritans", "116 123", "Your safety matters most")


@dataclass(frozen=True)
class Step:
    """One resident message: the reply says one of ``any_of`` (when given) and none of ``never``."""

    message: str
    any_of: tuple[str, ...] = ()
    never: tuple[str, ...] = NOT_UNDERSTOOD


def step(message: str, *any_of: str, never: tuple[str, ...] = NOT_UNDERSTOOD) -> Step:
    return Step(message, any_of, never)


CONVERSATIONS: dict[str, list[Step]] = {
    "asks for the phone number, then live chat, then gives up": [
        step("whats the phone number for the council", "023 8083 3000"),
        step("just give me a number to ring", "023 8083 3000", never=(*NOT_UNDERSTOOD, "What number should we call")),
        step("no i want live chat not a call back", "chat", never=(*NOT_UNDERSTOOD, "What number should we call")),
        step("ok forget it", never=(*NOT_UNDERSTOOD, "could not see a phone number")),
    ],
    "wants to complain": [
        step("i want to make a complaint", "complaint", never=(*NOT_UNDERSTOOD, "reference")),
        step("how i was spoken to at the gateway", never=(*NOT_UNDERSTOOD, "What is your reference")),
        step("the man on the desk was rude to me and would not help", "stage 1", "Ombudsman"),
    ],
    "recently bereaved, no reference": [
        step("my husband passed away last month and the council tax is still in his name", "sorry"),
        step(
            "i dont have a reference i just want to change the name on it",
            never=(*NOT_UNDERSTOOD, "What is your reference"),
        ),
    ],
    "council tenant, boiler broken in December": [
        step("boiler broke in my council house no heating", "repair", never=(*NOT_UNDERSTOOD, *CRISIS, "paying")),
        step("boiler in the kitchen, no heating or hot water", never=(*NOT_UNDERSTOOD, *CRISIS)),
        step("im not in danger i just need my boiler fixed", never=(*NOT_UNDERSTOOD, *CRISIS, "I have stopped")),
    ],
    "a leaking tap is a repair": [
        step("i need to report a leak in my council flat", "Where is it", never=(*NOT_UNDERSTOOD, *CRISIS)),
        step("under the sink, water going on the floor", never=(*NOT_UNDERSTOOD, *CRISIS)),
    ],
    "a pothole report survives a safety reply": [
        step("i want to report a pothole", "Where is it"),
        step("burgess road, my son fell off his bike in it and hit his head, theres blood everywhere", "999"),
        step("no thank you, hes ok now"),
        step("can you still send the pothole thing", "report", never=(*NOT_UNDERSTOOD, "What is your reference")),
    ],
    "smells gas, then asks what to do": [
        step("i can smell gas in my kitchen", "0800 111 999"),
        step("what do i do", "0800 111 999"),
    ],
    "worried about the boy next door": [
        step("im worried about the little boy next door, his parents hit him", "0808 800 5000", never=CRISIS),
        step("no its not me its the little boy next door", never=(*NOT_UNDERSTOOD, *CRISIS, "there for you")),
        step("who do i tell", "0808 800 5000", never=(*NOT_UNDERSTOOD, *CRISIS, "What is the problem")),
    ],
    "a bailiff letter": [
        step("i got a letter from the bailiffs about my council tax", "enforcement", never=(*NOT_UNDERSTOOD, "quick")),
        step("what can i do", "0800", never=NOT_UNDERSTOOD),
    ],
    "a son helping his 90-year-old mum": [
        step("im trying to get a blue badge for my mum shes 90", "Blue Badge"),
        step("can i fill it in for her?", "permission", never=(*NOT_UNDERSTOOD, "May I note")),
    ],
}


@pytest.mark.parametrize("name", list(CONVERSATIONS))
def test_every_quoted_resident_gets_a_sensible_answer(assistant: Assistant, name: str) -> None:
    resident = Journey(assistant.rasa_url, f"somewhere-{next(_senders)}")
    for expected in CONVERSATIONS[name]:
        reply = resident.says(expected.message)
        if expected.any_of:
            assert any(words.lower() in reply.lower() for words in expected.any_of), (
                f"{name}: after {expected.message!r} expected one of {expected.any_of}\n{resident.transcript()}"
            )
        for words in expected.never:
            assert words.lower() not in reply.lower(), (
                f"{name}: after {expected.message!r} said {words!r}\n{resident.transcript()}"
            )

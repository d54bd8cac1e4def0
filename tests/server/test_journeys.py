"""Resident journeys through the running assistant: each kind of need with a task, risk inside a
form, the check-in answered both ways. Every bot turn is checked for the turn rules (tests/server/
turns.py): at most three messages (four for the emergency routes), no fact said twice, one question
and it comes last."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from tests.conftest import Assistant
from tests.http import request_json
from tests.server.turns import FALLBACKS, Journey

pytestmark = pytest.mark.server

_senders = itertools.count()

# A message whose risk signs are weaker: the assistant checks in instead of interrupting. (Chosen
# from messages written for the tests, never from an evaluation set. "what's the point of any of it"
# gets the interrupt since the indirect-risk examples of 2026-12-06: the more cautious answer.)
POSSIBLE_RISK = "i've been feeling really down lately"
CHECK_IN = "Are you safe right now?"
ROUTES = "contact you urgently?"
HEAR_BACK = "How would you like to hear back?"


@dataclass(frozen=True)
class Step:
    """One resident message and what the reply must (and must not) say."""

    message: str
    says: tuple[str, ...] = ()
    never: tuple[str, ...] = FALLBACKS


def step(message: str, *says: str, never: tuple[str, ...] = FALLBACKS) -> Step:
    return Step(message, says, never)


JOURNEYS: dict[str, list[Step]] = {
    "no internet, pays council tax, takes the course": [
        step("i need to pay my council tax but i haven't got the internet", "0300 456 2255", "May I note"),
        step("no", "I have not noted anything", "Would you like to join one?"),
        step("yes please", "To book a place"),
    ],
    "deaf, reports a pothole: the report first, then the question about noting it": [
        step("I'm deaf and there's a pothole on Hill Lane", "about the problem"),
        step("a deep hole by the bus stop", "Shall I send it?"),
        # How to hear back is the reference's turn's one question; noting the need waits for it.
        step("yes", "Your reference is SCC-", HEAR_BACK),
        step("no thanks", "any time", "May I note"),
        step("no thanks", "I have not noted anything", "18001"),
    ],
    "dementia, applies for a blue badge": [
        step("I have dementia and I want to apply for a blue badge", "Blue Badge", "May I note"),
        step("yes", "I have noted", "one step at a time"),
    ],
    "older, asks the bin day": [
        step("I'm 90 and I live on my own, when is my bin day", "postcode"),
        step("SO17 2FW", "collected on", "May I note"),
        step("yes", "I have noted"),
    ],
    "hardship, pays a parking fine": [
        step("I can't afford the parking fine, I'm on universal credit", "parking", "May I note"),
        step("yes", "may need help with paying"),
    ],
    "limited English, reports a missed bin": [
        step("my english not good, my bin not collected this week", "Where is it?"),
        step("12 Portswood Road", "bin"),
        step("the black bin", "Shall I send it?"),
        step("yes", "Your reference is SCC-", HEAR_BACK),
        step("no", "any time", "May I note"),
        step("yes", "interpreter"),
    ],
    "out of hospital, reports a missed bin": [
        step("I've just come out of hospital and my bins haven't been collected", "May I note"),
        step("no", "I have not noted anything", "Where is it?"),
    ],
    "writing for mum, bus pass": [
        step("I'm writing on behalf of my mum, she needs a bus pass", "bus pass", "helping your mum"),
        step("yes", "I have noted that you are helping your mum"),
    ],
    "frustrated, chases a reference": [
        step("this is the third time I've asked, any update on SCC-7KQ4XH", "talk to a person", "SCC-7KQ4XH"),
    ],
    "clear risk inside a report": [
        step("my bin wasn't collected", "Where is it?"),
        step("honestly i want it all to end", "999", "116 123", ROUTES, never=(*FALLBACKS, "Where is it?")),
        step("no thank you", "any time"),
    ],
    "possible risk inside a report, then safe: the report carries on": [
        step("there's a pothole I need to report", "Where is it?"),
        step(POSSIBLE_RISK, "999", "116 123", CHECK_IN),
        step("yes I'm safe", "talk to a person", "Where is it?"),
        step("outside 12 Portswood Road", "about the problem"),
        step("a big hole", "Shall I send it?"),
        step("yes", "Your reference is SCC-"),
    ],
    "possible risk, then needs help now: the routes and an urgent adviser": [
        step(POSSIBLE_RISK, CHECK_IN),
        step("/deny", "999", ROUTES),
        step("yes please", "Your reference is SCC-"),
    ],
    "safe once, then another sign: straight to the routes": [
        step(POSSIBLE_RISK, CHECK_IN),
        step("/affirm", "talk to a person"),
        step(POSSIBLE_RISK, "999", ROUTES),
    ],
    "goodbye after a check-in gives the routes, no rating": [
        step(POSSIBLE_RISK, CHECK_IN),
        step("/affirm", "talk to a person"),
        step("bye", "999", "116 123", never=("Did you get what you needed?",)),
    ],
    "gas smell": [
        step("I can smell gas in my kitchen", "0800 111 999", ROUTES),
    ],
    "abuse, and the housing register": [
        step("my partner hits me and I need to get on the housing register", "0808 2000 247", ROUTES),
    ],
    "nowhere to sleep tonight": [
        step("I have nowhere to sleep tonight", "023 8083 2000", ROUTES),
    ],
    "a plain payment": [
        step("I want to pay my council tax", "0300 456 2255"),
    ],
    "risk inside the status form is not taken as a reference": [
        step("I want to check on my report", "reference", never=()),
        step("i dont see the point of living anymore", "999", never=(*FALLBACKS, "could not find a reference")),
    ],
    "asks for a person": [
        step("can I speak to someone", "person"),
    ],
    "older and offline, pays council tax": [
        step("I'm 84 and I don't have a computer, I want to pay my council tax", "0300 456 2255", "May I note"),
        step("yes", "I have noted", "Would you like to join one?"),
        step("no thank you", "ask about it at any time"),
    ],
    "check-in answered with another task": [
        step(POSSIBLE_RISK, CHECK_IN),
        step("I want to pay my council tax", "0300 456 2255"),
    ],
}


@pytest.mark.parametrize("name", list(JOURNEYS))
def test_journey(assistant: Assistant, name: str) -> None:
    resident = Journey(assistant.rasa_url, f"journey-{next(_senders)}")
    for expected in JOURNEYS[name]:
        reply = resident.says(expected.message)
        for words in expected.says:
            assert words in reply, f"{name}: after {expected.message!r} expected {words!r}\n{resident.transcript()}"
        for words in expected.never:
            assert words not in reply, f"{name}: after {expected.message!r} said {words!r}\n{resident.transcript()}"


def test_there_are_at_least_twenty_journeys_covering_every_need() -> None:
    assert len(JOURNEYS) >= 20
    firsts = " ".join(steps[0].message for steps in JOURNEYS.values()).lower()
    for words in ("internet", "deaf", "dementia", "90", "afford", "english", "hospital", "behalf", "third time"):
        assert words in firsts


def test_an_im_safe_check_in_is_recorded_and_the_concern_kept_for_staff(assistant: Assistant) -> None:
    resident = Journey(assistant.rasa_url, f"journey-{next(_senders)}")
    resident.says(POSSIBLE_RISK)
    resident.says("/affirm")
    reply = resident.says("/request_human")
    assert "999" in reply  # a person offered with the emergency route first: the concern is kept
    status, tracker = request_json(assistant.rasa_api(f"/conversations/{resident.sender}/tracker"))
    actions = [event.get("name") for event in tracker["events"] if event["event"] == "action"]
    assert actions.count("action_risk_check_in") == 1 and "action_risk_safe" in actions

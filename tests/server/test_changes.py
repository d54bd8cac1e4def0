"""Telling the council about a change, whole conversations over real HTTP against the running assistant.

Every bot turn is checked against the turn rules (tests/server/turns.py). Dates are said the way
residents say them ("next friday", "last tuesday"), so the tests hold whatever day they run;
exact dates are covered with a set clock in tests/routing/test_changes.py and
tests/actions/test_changes.py.
"""

from __future__ import annotations

import itertools

import pytest

from routing.handoffs import NewHandoff
from routing.hours import load_schedule
from routing.references import find_reference
from storage.engine import open_engine
from storage.handoffs import HandoffStore
from tests.conftest import ALWAYS_OPEN, Assistant
from tests.server.turns import Journey

pytestmark = pytest.mark.server

ASK_MOVING_DATE = "What date are you moving, or did you move?"
ASK_NEW_ADDRESS = "What is your new address, with the postcode?"
ASK_FORWARDING = "Where should we send post about your old home?"
ASK_LIABLE = "Who will pay council tax at the new home?"
ASK_DEATH_DATE = "When did they die? A rough date is fine."
ASK_ESTATE = "Who is dealing with their estate?"
ASK_REFERENCE = "What is the reference?"
CONDOLENCE = "I am so sorry for your loss."
_senders = itertools.count(1)


def resident(assistant: Assistant) -> Journey:
    return Journey(assistant.rasa_url, f"change-{next(_senders)}")


def store(assistant: Assistant) -> HandoffStore:
    return HandoffStore(open_engine(assistant.database_url), load_schedule(ALWAYS_OPEN))


def recorded(reply: str) -> str:
    """The reference in the confirmation, after checking it says what happens next and by when."""
    reference = find_reference(reply).reference
    assert reference and "I have recorded this" in reply and "working days, by " in reply, reply
    return reference


def test_moving_house_asks_what_the_council_tax_team_needs_and_gives_a_reference(assistant: Assistant) -> None:
    journey = resident(assistant)
    first = journey.says("I'm moving house next month, what do I do about council tax")
    assert ASK_MOVING_DATE in first, first
    assert "Band" not in first  # not the council tax bands
    assert ASK_NEW_ADDRESS in journey.says("next friday")
    assert ASK_FORWARDING in journey.says("4 Elm Road, Southampton SO15 2AB")
    assert ASK_LIABLE in journey.says("the new address")
    done = journey.says("me and my partner")  # the answer the question itself gives as an example
    reference = recorded(done)
    assert "council tax team" in done

    case = store(assistant).get(reference)
    assert (case.channel, case.mode, case.trigger, case.status) == ("phone", "change", "change", "queued")
    assert case.summary["wanted"] == "Change: Moving home"
    form = case.summary["form"]
    assert form["New address"] == "4 Elm Road, Southampton SO15 2AB"
    assert form["Who is liable for council tax"] == "me and my partner"
    assert form["Moving date"].startswith("Friday")
    assert case.sla_due_at > case.created_at


def test_a_date_that_is_not_a_date_is_asked_again(assistant: Assistant) -> None:
    journey = resident(assistant)
    assert ASK_MOVING_DATE in journey.says("I want to tell you about a change of address")
    again = journey.says("whenever the van comes")
    assert "did not understand that date" in again and ASK_MOVING_DATE in again


def test_a_death_is_met_with_condolence_once_and_tell_us_once_and_never_pushed(assistant: Assistant) -> None:
    journey = resident(assistant)
    said = [journey.says("my mum passed away last week and I need to tell the council")]
    if ASK_DEATH_DATE not in said[-1]:  # the need noticed: condolence and a consent question first
        said.append(journey.says("yes that's fine"))
    assert ASK_DEATH_DATE in said[-1], said
    assert said[0].startswith(CONDOLENCE), said[0]
    assert "gov.uk/after-a-death" in " ".join(said)
    said.append(journey.says("last tuesday"))
    assert ASK_ESTATE in said[-1] and "do not know yet" in said[-1]
    said.append(journey.says("i don't know yet"))
    reference = recorded(said[-1])
    assert sum(text.count(CONDOLENCE) for text in said) == 1, said

    case = store(assistant).get(reference)
    assert case.summary["wanted"] == "Change: A death in the household"
    assert case.summary["form"]["Date of death"].startswith("Tuesday")
    assert case.summary["form"]["Dealing with the estate"] == "Not given"


def test_a_correction_to_an_unknown_reference_is_answered_politely_then_noted_on_the_open_case(
    assistant: Assistant,
) -> None:
    open_case = store(assistant).create(NewHandoff("phone", "callback", "asked", conversation_id="someone"))
    journey = resident(assistant)
    first = journey.says("I gave the wrong phone number on my case, I need to correct it")
    assert ASK_REFERENCE in first, first
    unknown = journey.says("SCC-2222ZZ")
    assert "could not find SCC-2222ZZ" in unknown and ASK_REFERENCE in unknown
    assert "What is wrong?" in journey.says(open_case.reference)
    assert "What should it say instead?" in journey.says("the phone number")
    reference = recorded(journey.says("07700 900123"))
    assert store(assistant).get(reference).summary["related_reference"] == open_case.reference
    notes = [event for event in store(assistant).get(open_case.reference).events if event.action == "note"]
    assert len(notes) == 1

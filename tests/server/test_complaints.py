"""Making a complaint, whole conversations over real HTTP against the running assistant.

Every bot turn is checked against the turn rules (tests/server/turns.py: at most three messages, no
number said twice, one question at most, and last). The assistant here runs with every channel open
all day (tests/fixtures/channels_always_open.yml); reply dates and bank holidays are covered with a
set clock in tests/routing/test_complaints.py and tests/actions/test_complaints.py.
"""

from __future__ import annotations

import itertools

import pytest

from routing.hours import load_schedule
from routing.references import find_reference
from storage.engine import open_engine
from storage.handoffs import HandoffStore
from tests.conftest import ALWAYS_OPEN, Assistant
from tests.http import say
from tests.server.turns import Journey

pytestmark = pytest.mark.server

ASK_ABOUT = "What is your complaint about?"
ASK_DETAILS = "What happened, and what would you like us to do to put it right?"
_senders = itertools.count(1)


def resident(assistant: Assistant) -> Journey:
    return Journey(assistant.rasa_url, f"complaint-{next(_senders)}")


def store(assistant: Assistant) -> HandoffStore:
    return HandoffStore(open_engine(assistant.database_url), load_schedule(ALWAYS_OPEN))


def logged(reply: str) -> str:
    """The reference in the confirmation, after checking it gives the date and the procedure."""
    reference = find_reference(reply).reference
    assert reference, reply
    assert "Your complaint is logged" in reply and "10 working days" in reply, reply
    assert "stage 2" in reply and "senior manager" in reply and "Ombudsman" in reply, reply
    return reference


def test_a_complaint_asks_two_questions_then_gives_a_reference_the_date_and_the_procedure(
    assistant: Assistant,
) -> None:
    journey = resident(assistant)
    first = journey.says("i want to make a complaint")
    assert first.rstrip().endswith(ASK_ABOUT + " Tell me the service or team, or what happened.")
    assert "023 8083 3000" in first and "Gateway" in first and "missed bin" in first  # other ways, and reports
    assert ASK_DETAILS in journey.says("the people who collect the bins on my street")
    done = journey.says("They left my bin in the middle of the road again. I would like an apology.")
    reference = logged(done)
    assert "Local Government and Social Care Ombudsman" in done and "0300 061 0614" in done

    case = store(assistant).get(reference)
    assert (case.channel, case.mode, case.trigger, case.status) == ("phone", "complaint", "complaint", "queued")
    assert case.summary["form"]["complaint about"] == "the people who collect the bins on my street"
    assert "apology" in case.summary["form"]["what happened and what would put it right"]
    assert case.sla_due_at > case.created_at

    assert "How would you like to hear back?" in done  # asked once the reference is given
    later = journey.says(f"any update on {reference}?")
    assert f"Your complaint {reference} is with our complaints team." in later


def test_a_request_that_says_what_about_is_asked_only_what_happened(assistant: Assistant) -> None:
    journey = resident(assistant)
    first = journey.says("i want to complain about the man at the gateway who was rude to me")
    assert ASK_DETAILS in first and ASK_ABOUT not in first
    # "they ... sent me away" may be checked on (a possible sign); once the resident says they are
    # safe, those words are the answer: they are not asked to type them again.
    said = journey.says("they would not help me and sent me away, i want an apology")
    if "Are you safe right now?" in said:
        said = journey.says("/affirm")
    reference = logged(said)
    form = store(assistant).get(reference).summary["form"]
    assert "rude to me" in form["complaint about"]
    assert "sent me away" in form["what happened and what would put it right"]


def test_a_council_tenant_is_told_about_the_housing_ombudsman(assistant: Assistant) -> None:
    journey = resident(assistant)
    assert ASK_ABOUT in journey.says("i want to make a complaint")
    assert ASK_DETAILS in journey.says("the repairs team for my council flat")
    done = journey.says("I am a council tenant. The kitchen window has been broken since March. Please fix it.")
    logged(done)
    assert "Housing Ombudsman Service" in done and "0300 111 3000" in done
    assert "Local Government and Social Care Ombudsman" not in done


def test_stopping_part_way_logs_nothing(assistant: Assistant) -> None:
    journey = resident(assistant)
    assert ASK_ABOUT in journey.says("i want to make a complaint")
    stopped = journey.says("forget it")
    assert ASK_DETAILS not in stopped and "What would you like to do now?" in stopped
    assert store(assistant).open_for_conversation(journey.sender) == []


def test_a_frustrated_resident_is_offered_the_complaints_route_and_it_notes_the_frustration(
    assistant: Assistant,
) -> None:
    journey = resident(assistant)
    sender = journey.sender
    offered = say(assistant.rasa_url, sender, "this is the third time my bin has not been collected")
    payloads = [button["payload"] for reply in offered for button in reply.get("buttons") or []]
    assert "/make_complaint" in payloads and "/request_human" in payloads
    assert ASK_ABOUT in journey.says("/make_complaint")
    assert ASK_DETAILS in journey.says("the bin collections")
    reference = logged(journey.says("My bin has been missed three weeks running. Please collect it every week."))
    needs = [need["category"] for need in store(assistant).get(reference).needs]
    assert "frustration" in needs

"""'How would you like to hear back?': offered after a reference, read, checked, stored (real SQLite)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.handoff import ActionSubmitHandoff
from actions.report import ActionSubmitReport
from actions.tasks import ActionCheckStatus
from actions.updates import offer_updates, record_status_asked
from actions.updates_form import ActionAskUpdateContact, ActionSubmitUpdates, ValidateUpdatesForm
from storage.update_contacts import UpdateContacts
from tests.actions.conftest import said, tracker
from tests.actions.test_handoff import ANYONE, TUESDAY_11AM, adviser_online, form_turn
from tests.actions.test_outcome_events import recorded

__all__ = ["adviser_online"]  # the fixture, used by name below
REF = "SCC-7KQ4XH"
RISK = {"category": "safeguarding", "confidence": 0.95, "kind": "self_harm"}


@pytest.fixture(autouse=True)
def clock(set_clock: Callable[[datetime], None]) -> None:
    set_clock(TUESDAY_11AM)


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event["event"] == "slot"}


def asked(
    slot: str, text: str, intent: str = "inform", entities: list[dict[str, Any]] | None = None, **slots: Any
) -> Tracker:
    return tracker(
        text, intent, entities=entities, active_loop="updates_form",
        slots={"requested_slot": slot, "updates_reference": REF, **slots},
    )  # fmt: skip


async def extract_and_validate(current: Any, slot: str, domain: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """What the form's validation action makes of the latest message, and what it said."""
    form, dispatcher = ValidateUpdatesForm(), CollectingDispatcher()
    extracted = await getattr(form, f"extract_{slot}")(dispatcher, current, domain)
    result = dict(extracted)
    for name, value in extracted.items():
        if value is not None:
            result.update(getattr(form, f"validate_{name}")(value, dispatcher, current, domain))
    return result, said(dispatcher)


def test_the_question_is_offered_after_a_reference_but_never_on_a_safety_turn() -> None:
    events = offer_updates(tracker("yes"), REF)
    assert slots_of(events)["updates_reference"] == REF
    assert [event["name"] for event in events if event["event"] == "followup"] == ["updates_form"]
    risky = tracker("yes")
    risky.latest_message["support_needs"] = [RISK]
    assert offer_updates(risky, REF) == [
        {"event": "slot", "timestamp": None, "name": "updates_reference", "value": None}
    ]
    checked = tracker(
        "yes I'm safe", events=[{"event": "user", "text": "yes"}, {"event": "action", "name": "action_risk_safe"}]
    )
    assert all(event["event"] != "followup" for event in offer_updates(checked, REF))


async def test_a_report_asks_instead_of_offering_help_to_get_online(domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    slots = {"service": "pothole", "location": "Hill Lane", "description": "deep", "report_confirmed": True}
    events = await ActionSubmitReport().run(dispatcher, tracker(slots={**slots, "digital_inclusion": "due"}), domain)
    reference = slots_of(events)["updates_reference"]
    assert reference and reference in said(dispatcher)
    assert "online" not in said(dispatcher)  # one question a turn: the updates question replaces the offer
    assert "digital_inclusion" not in slots_of(events)  # still due: offered once the choice is made
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "updates_form"}


@pytest.mark.parametrize(
    ("text", "intent", "entities", "channel"),
    [
        ("/inform", "inform", [{"entity": "update_channel", "value": "email"}], "email"),
        ("text me", "inform", None, "text"),
        ("by post", "inform", None, "letter"),
        ("no", "deny", None, "none"),
        ("stop", "stop", None, "none"),
        ("forget it", "stop", None, "none"),
    ],
)
async def test_the_way_from_a_button_or_typed(
    text: str, intent: str, entities: list[dict[str, Any]] | None, channel: str, domain: dict[str, Any]
) -> None:
    result, _ = await extract_and_validate(asked("update_channel", text, intent, entities), "update_channel", domain)
    assert result["update_channel"] == channel


async def test_an_unclear_way_is_asked_again_once_then_taken_as_no(domain: dict[str, Any]) -> None:
    result, words = await extract_and_validate(asked("update_channel", "what"), "update_channel", domain)
    assert result["update_channel"] is None and words == "Sorry, I did not catch that."
    twice = [{"event": "active_loop", "name": "updates_form"}] + [
        {"event": "bot", "text": f"We can tell you when there is news about {REF}. How would you like to hear back?"}
    ] * 2
    current = tracker("what", slots={"requested_slot": "update_channel", "updates_reference": REF}, events=twice)
    result, words = await extract_and_validate(current, "update_channel", domain)
    assert result["update_channel"] == "none" and words == ""


async def test_a_risk_sign_is_never_a_way_or_a_contact(domain: dict[str, Any]) -> None:
    current = asked("update_contact", "i want to end it all", update_channel="text")
    current.latest_message["support_needs"] = [RISK]
    assert await ValidateUpdatesForm().extract_update_contact(CollectingDispatcher(), current, domain) == {}


async def test_a_bad_number_is_explained_then_no_thanks_is_offered_plainly_and_it_never_loops(
    domain: dict[str, Any],
) -> None:
    result, words = await extract_and_validate(
        asked("update_contact", "0123", update_channel="text"), "update_contact", domain
    )
    assert result["update_contact"] is None and "does not look like a UK mobile number" in words
    question = {
        "event": "bot",
        "text": "We keep your number only until the case is closed. What mobile number should we text?",
    }
    start = {"event": "active_loop", "name": "updates_form"}
    after_two = [start, question, {"event": "user", "text": "0123"}, question, {"event": "user", "text": "0456"}]
    dispatcher = CollectingDispatcher()
    await ActionAskUpdateContact().run(dispatcher, tracker(slots={"update_channel": "text"}, events=after_two), domain)
    assert said(dispatcher) == "You can try once more, or choose No thanks."  # not the question a third time
    assert [button["title"] for button in dispatcher.messages[-1]["buttons"]] == ["No thanks"]
    last_try = {"event": "bot", "text": said(dispatcher)}
    events = [*after_two, last_try, {"event": "user", "text": "0789"}]
    third = tracker("0789", slots={"requested_slot": "update_contact", "update_channel": "text"}, events=events)
    result, _ = await extract_and_validate(third, "update_contact", domain)
    assert result == {"update_contact": None, "update_channel": "none"}


async def test_a_good_number_is_kept_in_international_form(domain: dict[str, Any]) -> None:
    result, _ = await extract_and_validate(
        asked("update_contact", "07912 345678", update_channel="text"), "update_contact", domain
    )
    assert result["update_contact"] == "+447912345678"


async def test_no_thanks_or_another_way_at_the_contact_question(domain: dict[str, Any]) -> None:
    button = [{"entity": "update_channel", "value": "none"}]
    result, _ = await extract_and_validate(
        asked("update_contact", "/inform", entities=button, update_channel="text"), "update_contact", domain
    )
    assert result["update_channel"] == "none"
    result, _ = await extract_and_validate(
        asked("update_contact", "by post instead", update_channel="email"), "update_contact", domain
    )
    assert result == {"update_channel": "letter", "update_contact": None}


async def test_the_contact_is_asked_only_for_a_way_that_needs_one(domain: dict[str, Any]) -> None:
    form = ValidateUpdatesForm()
    assert await form.required_slots([], CollectingDispatcher(), tracker(slots={"update_channel": "none"}), domain) == [
        "update_channel"
    ]
    text = tracker(slots={"update_channel": "letter"})
    assert await form.required_slots([], CollectingDispatcher(), text, domain) == ["update_channel", "update_contact"]


async def test_the_choice_is_stored_recorded_and_said(domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    slots = {"updates_reference": REF, "update_channel": "text", "update_contact": "+447912345678"}
    events = await ActionSubmitUpdates().run(dispatcher, tracker(slots=slots), domain)
    assert said(dispatcher) == f"We will text you when there is news about {REF}."
    stored = UpdateContacts(context.database_engine()).get(REF)
    assert stored is not None and (stored.channel, stored.contact, stored.conversation_id) == (
        "text", "+447912345678", "test-resident",
    )  # fmt: skip
    assert slots_of(events) == {"updates_reference": None, "update_channel": None, "update_contact": None}
    assert ("updates_chosen", {"value": "text"}) in recorded()


async def test_no_thanks_keeps_no_contact_and_then_offers_help_to_get_online(domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    slots = {
        "updates_reference": REF,
        "update_channel": "none",
        "update_contact": "+447912345678",
        "digital_inclusion": "due",
    }
    events = await ActionSubmitUpdates().run(dispatcher, tracker(slots=slots), domain)
    stored = UpdateContacts(context.database_engine()).get(REF)
    assert stored is not None and (stored.channel, stored.contact) == ("none", None)
    assert said(dispatcher).startswith(f"That is fine. You can ask me about {REF} at any time.")
    assert slots_of(events)["digital_inclusion"] == "asked"  # the offer waited for this turn
    assert ("updates_chosen", {"value": "none"}) in recorded()


async def test_asking_about_a_reference_records_whether_updates_were_chosen(domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    slots = {"service": "pothole", "location": "Hill Lane", "description": "deep", "report_confirmed": True}
    reference = slots_of(await ActionSubmitReport().run(dispatcher, tracker(slots=slots), domain))["updates_reference"]
    await ActionCheckStatus().run(CollectingDispatcher(), tracker(slots={"reference": reference}), domain)
    UpdateContacts(context.database_engine()).choose(reference, "email", "me@example.com", "test-resident")
    record_status_asked(tracker(), reference)
    asked_values = [fields.get("value") for kind, fields in recorded() if kind == "status_asked"]
    assert asked_values == ["no_updates", "updates_on"]


async def test_a_gateway_visit_asks_how_to_hear_back_but_a_live_chat_does_not(
    adviser_online: None, domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    slot = context.handoff_store().slots.free_slots("appointment", TUESDAY_11AM)[0]
    slots = {"handoff_channel": "gateway", "handoff_mode": "appointment"}
    booked = await form_turn(
        dispatcher, domain, "handoff_slot", "x", slots, [{"entity": "slot_key", "value": slot.key}]
    )
    visit = await ActionSubmitHandoff().run(dispatcher, tracker(slots={**slots, **booked}, events=[ANYONE]), domain)
    assert slots_of(visit)["updates_reference"] == booked["handoff_reference"]
    assert any(event["event"] == "followup" for event in visit)

    live = {"handoff_channel": "webchat", "handoff_mode": "live"}
    chat = await ActionSubmitHandoff().run(CollectingDispatcher(), tracker(slots=live, events=[ANYONE]), domain)
    assert slots_of(chat)["updates_reference"] is None  # talking to a person now: nothing to wait for
    assert all(event["event"] != "followup" for event in chat)


async def test_a_status_question_with_a_reference_is_not_an_answer(domain: dict[str, Any]) -> None:
    entities = [{"entity": "reference", "value": REF}]
    current = asked("update_channel", f"any update on {REF}?", "check_status", entities)
    assert await ValidateUpdatesForm().extract_update_channel(CollectingDispatcher(), current, domain) == {}

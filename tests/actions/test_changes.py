"""The change form's questions and answers, and recording a change as a case on a real database."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import changes, context
from actions.changes import ASK_ACTIONS, ActionSubmitChange, ValidateChangeForm
from actions.conversation import ActionCancelTask
from monitoring.events import EventKind
from monitoring.outcomes import derive_outcome
from routing.complaints import due_at
from routing.handoff_queues import build_queues
from routing.handoffs import NewHandoff
from routing.hours import load_schedule
from routing.references import find_reference
from tests.actions.conftest import said, tracker
from tests.actions.test_handoff import TUESDAY_11AM, user
from tests.actions.test_outcome_events import recorded

RISK = {"category": "safeguarding", "confidence": 0.95, "tier": "clear"}
MOVING = "I'm moving house next month, what do I do about council tax"


@pytest.fixture(autouse=True)
def clock(set_clock: Callable[[datetime], None]) -> None:
    set_clock(TUESDAY_11AM)  # Tuesday 1 December 2026


def asked(slot: str) -> dict[str, Any]:
    return {"event": "slot", "name": "requested_slot", "value": slot}


def kind_entity(kind: str) -> dict[str, Any]:
    return {"entity": "change_kind", "value": kind, "start": 0, "end": 1}


async def validate(current: Any, domain: dict[str, Any]) -> tuple[CollectingDispatcher, dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = await ValidateChangeForm().run(dispatcher, current, domain)
    return dispatcher, {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def answering(slot: str, text: str, kind: str = "moving_home", **slots: Any) -> Any:
    """A tracker where the form asked ``slot`` and the resident answered ``text``."""
    events = [user(MOVING, "tell_change"), asked(slot), user(text, "inform")]
    return tracker(text, "inform", slots={"change_kind": kind, "requested_slot": slot, **slots}, events=events)


# --- which change -----------------------------------------------------------------------------


async def test_a_request_that_names_the_change_goes_straight_to_its_first_question(domain: dict[str, Any]) -> None:
    starting = tracker(
        MOVING, "tell_change", entities=[kind_entity("moving_home")], events=[user(MOVING, "tell_change")]
    )
    _, slots = await validate(starting, domain)
    assert slots == {"change_kind": "moving_home", "requested_slot": "change_date"}


async def test_a_death_told_of_is_a_bereavement_whatever_the_entity_says(domain: dict[str, Any]) -> None:
    text = "my husband passed away and i need to change the council tax"
    starting = tracker(
        text, "tell_change", entities=[kind_entity("council_tax_support")], events=[user(text, "tell_change")]
    )
    _, slots = await validate(starting, domain)
    assert slots["change_kind"] == "bereavement" and slots["requested_slot"] == "change_date"


async def test_after_the_condolence_and_consent_question_the_request_still_names_the_change(
    domain: dict[str, Any],
) -> None:
    request = user("my mum died last week, i need to tell the council", "tell_change")
    events = [request, {"event": "action", "name": "action_acknowledge_need"}, user("yes", "affirm")]
    _, slots = await validate(tracker("yes", "affirm", events=events), domain)
    assert slots == {"change_kind": "bereavement", "requested_slot": "change_date"}


async def test_a_request_that_does_not_say_which_change_asks_with_buttons(domain: dict[str, Any]) -> None:
    text = "i need to tell you about a change"
    _, slots = await validate(tracker(text, "tell_change", events=[user(text, "tell_change")]), domain)
    assert slots == {"requested_slot": "change_kind"}
    dispatcher = CollectingDispatcher()
    ask = next(action for action in ASK_ACTIONS if action().name() == "action_ask_change_kind")
    await ask().run(dispatcher, tracker(text, "tell_change"), domain)
    assert dispatcher.messages[-1]["text"] == "What would you like to tell us about?"
    assert len(dispatcher.messages[-1]["buttons"]) == 5


async def test_an_answer_that_names_no_change_is_asked_again(domain: dict[str, Any]) -> None:
    events = [user("i need to tell you something", "tell_change"), asked("change_kind"), user("erm", "inform")]
    current = tracker("erm", "inform", slots={"requested_slot": "change_kind"}, events=events)
    _, slots = await validate(current, domain)
    assert slots == {"change_kind": None, "requested_slot": "change_kind"}
    button = '/tell_change{"change_kind":"occupants"}'
    chosen = tracker(
        button, "tell_change", entities=[kind_entity("occupants")], slots={"requested_slot": "change_kind"}
    )
    _, slots = await validate(chosen, domain)
    assert slots == {"change_kind": "occupants", "requested_slot": "change_who"}


async def test_a_risk_sign_is_never_taken_as_an_answer(domain: dict[str, Any]) -> None:
    current = answering("change_new_address", "nowhere, i won't be here much longer")
    current.latest_message["support_needs"] = [RISK]
    _, slots = await validate(current, domain)
    assert "change_new_address" not in slots or slots["change_new_address"] is None


# --- the answers ------------------------------------------------------------------------------


async def test_a_date_is_read_and_the_next_question_follows(domain: dict[str, Any]) -> None:
    _, slots = await validate(answering("change_date", "next friday"), domain)
    assert slots == {"change_date": "2026-12-04", "requested_slot": "change_new_address"}


async def test_a_date_that_is_not_a_date_is_asked_again_politely(domain: dict[str, Any]) -> None:
    dispatcher, slots = await validate(answering("change_date", "whenever really"), domain)
    assert slots["change_date"] is None and slots["requested_slot"] == "change_date"
    assert "did not understand that date" in said(dispatcher)


async def test_a_death_cannot_be_in_the_future(domain: dict[str, Any]) -> None:
    dispatcher, slots = await validate(answering("change_date", "next friday", "bereavement"), domain)
    assert slots["change_date"] is None and "in the future" in said(dispatcher)


async def test_the_estate_can_be_skipped(domain: dict[str, Any]) -> None:
    current = answering("change_estate", "don't know yet", "bereavement", change_date="2026-11-28")
    _, slots = await validate(current, domain)
    assert slots == {"change_estate": "", "requested_slot": None}


async def test_a_correction_needs_a_reference_we_have(domain: dict[str, Any]) -> None:
    dispatcher, slots = await validate(answering("change_reference", "SCC-7KQ4XH", "correction"), domain)
    assert slots["change_reference"] is None
    assert "could not find SCC-7KQ4XH" in said(dispatcher) and "person" in said(dispatcher)
    case = context.handoff_store().create(NewHandoff("phone", "callback", "asked", conversation_id="someone"))
    _, slots = await validate(answering("change_reference", case.reference.lower(), "correction"), domain)
    assert slots == {"change_reference": case.reference, "requested_slot": "change_wrong"}


async def test_the_first_question_has_the_opening_and_a_death_condolence_first(domain: dict[str, Any]) -> None:
    ask = next(action for action in ASK_ACTIONS if action().name() == "action_ask_change_date")
    dispatcher = CollectingDispatcher()
    text = "my mum died last week"
    await ask().run(
        dispatcher,
        tracker(text, "tell_change", slots={"change_kind": "bereavement"}, events=[user(text, "tell_change")]),
        domain,
    )
    texts = [message["text"] for message in dispatcher.messages]
    assert texts[0].startswith("I am so sorry for your loss.") and "Tell Us Once" in texts[1]
    assert texts[-1] == "When did they die? A rough date is fine."
    again = CollectingDispatcher()
    await ask().run(again, answering("change_date", "soon", "bereavement"), domain)
    assert [message["text"] for message in again.messages] == ["When did they die? A rough date is fine."]


# --- recording it -----------------------------------------------------------------------------

MOVING_ANSWERS = {
    "change_kind": "moving_home", "change_date": "2027-01-08", "change_new_address": "4 Elm Road, SO15 2AB",
    "change_forwarding_address": "the new address", "change_liable": "me and my partner",
}  # fmt: skip


async def submit(slots: dict[str, Any], domain: dict[str, Any]) -> tuple[CollectingDispatcher, list[Any]]:
    dispatcher = CollectingDispatcher()
    events = [user(MOVING, "tell_change"), asked("change_liable"), user("me and my partner", "inform")]
    current = tracker("me and my partner", "inform", slots=slots, events=events)
    return dispatcher, await ActionSubmitChange().run(dispatcher, current, domain)


async def test_a_move_is_recorded_for_the_council_tax_team_with_a_reference_and_a_date(domain: dict[str, Any]) -> None:
    dispatcher, events = await submit(MOVING_ANSWERS, domain)
    texts = [message["text"] for message in dispatcher.messages]
    reference = find_reference(texts[0]).reference
    assert reference and "10 working days" in texts[1] and "Tuesday 15 December" in texts[1]
    case = context.handoff_store().get(reference)
    assert (case.channel, case.mode, case.trigger, case.intent) == ("phone", "change", "change", "tell_change")
    assert case.summary["wanted"] == "Change: Moving home"
    assert case.summary["form"] == {
        "Moving date": "Friday 8 January 2027", "New address": "4 Elm Road, SO15 2AB",
        "Forwarding address": "the new address", "Who is liable for council tax": "me and my partner",
    }  # fmt: skip
    assert case.sla_due_at == due_at(date(2026, 12, 15), load_schedule())
    assert SlotSet("change_kind", None) in events and SlotSet("change_liable", None) in events
    queues = {queue.key: queue for queue in build_queues([case], load_schedule(), TUESDAY_11AM)}
    assert [row.case.reference for row in queues["changes"].rows] == [reference]
    assert queues["changes"].title == "Changes to record"


async def test_recording_a_change_asks_how_to_hear_back(domain: dict[str, Any]) -> None:
    _, events = await submit(MOVING_ANSWERS, domain)
    assert any(event.get("event") == "followup" and event.get("name") == "updates_form" for event in events)


async def test_a_correction_adds_a_note_to_the_open_case(domain: dict[str, Any]) -> None:
    open_case = context.handoff_store().create(NewHandoff("phone", "callback", "asked", conversation_id="x"))
    answers = {
        "change_kind": "correction", "change_reference": open_case.reference,
        "change_wrong": "the phone number", "change_right": "07700 900123",
    }  # fmt: skip
    dispatcher, _ = await submit(answers, domain)
    reference = find_reference(said(dispatcher)).reference
    assert reference and reference != open_case.reference and open_case.reference in said(dispatcher)
    change = context.handoff_store().get(reference)
    assert change.summary["related_reference"] == open_case.reference
    notes = [event for event in context.handoff_store().get(open_case.reference).events if event.action == "note"]
    assert len(notes) == 1 and "07700 900123" in str(notes[0].detail)


async def test_recording_a_change_is_a_handoff_by_phone_in_the_outcome_events(domain: dict[str, Any]) -> None:
    await submit(MOVING_ANSWERS, domain)
    assert [kind for kind, _ in recorded()] == ["intent", "handoff_offered", "handoff_accepted"]
    assert derive_outcome(EventKind(kind) for kind, _ in recorded()) == "handed_off"


async def test_nothing_is_recorded_without_every_answer(domain: dict[str, Any]) -> None:
    dispatcher, events = await submit({"change_kind": "moving_home", "change_date": "2027-01-08"}, domain)
    assert dispatcher.messages == [] and SlotSet("change_kind", None) in events
    assert context.handoff_store().open_for_conversation("test-resident") == []


async def test_a_change_that_cannot_be_stored_keeps_the_answers(
    domain: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> Any:
        raise RuntimeError("the database is away")

    monkeypatch.setattr(changes, "handoff_store", broken)
    dispatcher, events = await submit(MOVING_ANSWERS, domain)
    assert "could not record this" in said(dispatcher) and events == []


async def test_stopping_part_way_forgets_the_answers(domain: dict[str, Any]) -> None:
    events = await ActionCancelTask().run(CollectingDispatcher(), tracker("stop", "stop", slots=MOVING_ANSWERS), domain)
    assert SlotSet("change_new_address", None) in events

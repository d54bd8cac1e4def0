"""Handing over to a person, at the action level with the clock set: the offer each resident gets
first, booking a call back or a Gateway visit, and cancelling, rebooking and checking on it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.handoff import ActionAskHandoffChannel, ActionSubmitHandoff, ValidateHandoffForm
from actions.handoff_changes import ActionCancelHandoff, ActionRebookDone, ValidateRebookForm
from actions.support import ActionSafeguardingFollowup
from actions.tasks import ActionCheckStatus
from tests.actions.conftest import said, tracker
from tests.databases import adviser_taking_chats

UK = ZoneInfo("Europe/London")
TUESDAY_11AM = datetime(2026, 12, 1, 11, 0, tzinfo=UK)
BANK_HOLIDAY_9PM = datetime(2026, 12, 28, 21, 0, tzinfo=UK)


@pytest.fixture
def clock(set_clock: Callable[[datetime], None]) -> Callable[[datetime], None]:
    set_clock(TUESDAY_11AM)
    return set_clock


@pytest.fixture
def adviser_online() -> None:
    accounts = context.staff_accounts()
    accounts.add("asha", "a long enough password", "staff")
    adviser_taking_chats(str(context.database_engine().url), "asha")


def user(text: str, intent: str, *needs: dict[str, Any]) -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}, "support_needs": list(needs)}}


def buttons(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    return [button for message in dispatcher.messages for button in message.get("buttons") or []]


NO_INTERNET = user("i have no internet", "make_payment", {"category": "digital_exclusion", "confidence": 0.95})
DEAF = user(
    "i'm deaf so i can't phone",
    "request_human",
    {"category": "disability", "confidence": 0.95, "adjustment": "prefers_text_relay_or_webchat"},
)
ANYONE = user("can i talk to someone", "request_human")


@pytest.mark.parametrize(
    ("who", "when", "first_button", "must_say"),
    [
        ("no internet", TUESDAY_11AM, "Phone", "023 8083 3000"),
        ("deaf", TUESDAY_11AM, "Chat to an adviser", "No phone call is needed"),
        ("anyone at 9pm on a bank holiday", BANK_HOLIDAY_9PM, "Call me back", "tomorrow at 9am"),
    ],
)
async def test_each_resident_gets_a_different_right_first_offer(
    who: str, when: datetime, first_button: str, must_say: str, clock: Any, adviser_online: None,
    dispatcher: CollectingDispatcher, domain: dict[str, Any],
) -> None:  # fmt: skip
    clock(when)
    history = {"no internet": [NO_INTERNET], "deaf": [DEAF]}.get(who, [ANYONE])
    await ActionAskHandoffChannel().run(dispatcher, tracker(events=history), domain)
    assert buttons(dispatcher)[0]["title"] == first_button, who
    assert must_say in said(dispatcher)
    if who == "deaf":
        assert "Call us on" not in said(dispatcher)


async def form_turn(dispatcher: CollectingDispatcher, domain: dict[str, Any], asked: str, text: str,
                    slots: dict[str, Any], entities: list[dict[str, Any]] | None = None,
                    history: list[dict[str, Any]] | None = None) -> dict[str, Any]:  # fmt: skip
    """One answer inside the handoff form; the slots it sets."""
    current = tracker(
        text, "inform", entities=entities, slots={**slots, "requested_slot": asked},
        events=history or [ANYONE], active_loop="handoff_form",
    )  # fmt: skip
    events = await ValidateHandoffForm().run(dispatcher, current, domain)
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


async def test_a_call_back_is_booked_with_a_checked_number_and_a_real_free_window(
    clock: Any, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    choose = [{"entity": "channel", "value": "phone"}, {"entity": "mode", "value": "callback"}]
    slots = await form_turn(dispatcher, domain, "handoff_channel", '/request_human{"channel":"phone"}', {}, choose)
    assert (slots["handoff_channel"], slots["handoff_mode"]) == ("phone", "callback")

    bad = await form_turn(dispatcher, domain, "callback_number", "07700 9001", slots)
    assert bad["callback_number"] is None and "Please check it and try again" in said(dispatcher)
    good = await form_turn(dispatcher, domain, "callback_number", "it's 07912 345678 thanks", slots)
    assert good["callback_number"] == "+447912345678"
    slots |= good

    free = context.handoff_store().slots.free_slots("callback", TUESDAY_11AM)
    booked = await form_turn(dispatcher, domain, "handoff_slot", "the first one", slots)
    assert booked["handoff_slot"] == free[0].key
    case = context.handoff_store().get(booked["handoff_reference"])
    assert (case.mode, case.callback_number, case.slot_start) == ("callback", "+447912345678", free[0].start)

    done = CollectingDispatcher()
    await ActionSubmitHandoff().run(done, tracker(slots={**slots, **booked}, events=[ANYONE]), domain)
    assert f"Your reference is {case.reference}" in said(done)
    assert "We will call you today, 1pm to 3pm" in said(done)


async def test_a_time_taken_by_someone_else_is_asked_again_not_double_booked(
    clock: Any, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    store = context.handoff_store()
    slot = store.slots.free_slots("appointment", TUESDAY_11AM)[0]
    slots = {"handoff_channel": "gateway", "handoff_mode": "appointment"}
    chosen = [{"entity": "slot_key", "value": slot.key}]
    for _ in range(slot.free):
        result = await form_turn(dispatcher, domain, "handoff_slot", "x", slots, chosen)
        assert result["handoff_reference"]
    again = await form_turn(dispatcher, domain, "handoff_slot", "x", slots, chosen)
    assert again["handoff_slot"] is None and "not free" in said(dispatcher)


async def test_an_unclear_choice_is_asked_again_politely(
    clock: Any, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    slots = await form_turn(dispatcher, domain, "handoff_channel", "<script>alert(1)</script>", {})
    assert slots["handoff_channel"] is None
    assert "Please choose one of the buttons" in said(dispatcher)


async def test_a_deaf_resident_asking_to_be_rung_is_offered_text_instead(
    clock: Any, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    slots = await form_turn(dispatcher, domain, "handoff_channel", "call me back", {}, history=[DEAF])
    assert slots["handoff_channel"] is None and "Relay UK" in said(dispatcher)


async def test_webchat_joins_the_queue_with_a_position(
    clock: Any, adviser_online: None, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    slots = {"handoff_channel": "webchat", "handoff_mode": "live"}
    await ActionSubmitHandoff().run(dispatcher, tracker(slots=slots, events=[ANYONE]), domain)
    assert "You are in the queue for live chat" in said(dispatcher)
    second = CollectingDispatcher()
    await ActionSubmitHandoff().run(second, tracker(slots=slots, events=[ANYONE]), domain)
    assert "You are number 2." in said(second)


async def test_cancel_rebook_and_status_by_reference(
    clock: Any, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    store = context.handoff_store()
    first, second, *_ = store.slots.free_slots("appointment", TUESDAY_11AM)
    slots = {"handoff_channel": "gateway", "handoff_mode": "appointment"}
    chosen = [{"entity": "slot_key", "value": first.key}]
    booked = await form_turn(dispatcher, domain, "handoff_slot", "x", slots, chosen)
    reference = booked["handoff_reference"]
    by_ref = [{"entity": "reference", "value": reference}]

    status = CollectingDispatcher()
    await ActionCheckStatus().run(status, tracker(slots={"reference": reference}), domain)
    assert "waiting for an adviser" in said(status) and "Change the time" in str(buttons(status))

    start = tracker(
        "move it", "rebook_handoff", entities=by_ref, slots={"requested_slot": None}, active_loop="rebook_form"
    )
    found = await ValidateRebookForm().run(CollectingDispatcher(), start, domain)
    assert {"event": "slot", "name": "rebooking", "value": reference, "timestamp": None} in found
    choose = [{"entity": "slot_key", "value": second.key}]
    answer = tracker(
        "x", "inform", entities=choose, slots={"rebooking": reference, "requested_slot": "rebook_slot"},
        active_loop="rebook_form",
    )  # fmt: skip
    await ValidateRebookForm().run(CollectingDispatcher(), answer, domain)
    assert store.get(reference).slot_start == second.start
    moved = CollectingDispatcher()
    await ActionRebookDone().run(moved, tracker(slots={"rebooking": reference, "rebook_slot": second.key}), domain)
    assert said(moved).startswith("Done.") and "booked for" in said(moved)

    cancel = CollectingDispatcher()
    await ActionCancelHandoff().run(cancel, tracker(f"cancel {reference}", "cancel_handoff", entities=by_ref), domain)
    assert f"I have cancelled {reference}" in said(cancel)
    assert store.get(reference).status == "cancelled"


async def test_cancelling_with_nothing_booked_asks_for_the_reference(
    clock: Any, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    await ActionCancelHandoff().run(dispatcher, tracker("cancel my callback", "cancel_handoff"), domain)
    assert "I cannot find a booking to cancel in this chat" in said(dispatcher)


async def test_nobody_can_cancel_or_see_the_time_of_someone_elses_booking(
    clock: Any, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    store = context.handoff_store()
    slot = store.slots.free_slots("appointment", TUESDAY_11AM)[0]
    slots = {"handoff_channel": "gateway", "handoff_mode": "appointment"}
    booked = await form_turn(
        dispatcher, domain, "handoff_slot", "x", slots, [{"entity": "slot_key", "value": slot.key}]
    )
    reference = booked["handoff_reference"]
    stranger = tracker(f"cancel {reference}", "cancel_handoff", entities=[{"entity": "reference", "value": reference}])
    stranger.sender_id = "someone-else"
    refused = CollectingDispatcher()
    await ActionCancelHandoff().run(refused, stranger, domain)
    assert "cannot find a booking to cancel" in said(refused)
    assert store.get(reference).status == "queued"
    status = CollectingDispatcher()
    asking = tracker(slots={"reference": reference})
    asking.sender_id = "someone-else"
    await ActionCheckStatus().run(status, asking, domain)
    assert "waiting for an adviser" in said(status) and "booked for" not in said(status) and not buttons(status)


async def test_a_made_up_button_cannot_turn_a_booking_into_an_urgent_case(
    clock: Any, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    forged = [{"entity": "channel", "value": "emergency"}, {"entity": "mode", "value": "callback"}]
    slots = await form_turn(dispatcher, domain, "handoff_channel", "/request_human", {}, forged)
    assert slots["handoff_channel"] is None
    assert context.handoff_store().queue() == []


async def test_yes_to_urgent_contact_after_a_risk_cue_creates_an_urgent_case(
    clock: Any, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    risk = user("i don't see the point anymore", "inform", {"category": "safeguarding", "confidence": 0.95,
                                                            "cue": "don't see the point anymore"})  # fmt: skip
    await ActionSafeguardingFollowup().run(dispatcher, tracker("yes", "affirm", events=[risk]), domain)
    reference = said(dispatcher).split("Your reference is ")[1].rstrip(".")
    case = context.handoff_store().get(reference)
    assert (case.channel, case.trigger) == ("emergency", "safeguarding")
    assert case.needs == [{"category": "safeguarding", "cue": "don't see the point anymore"}]
    assert context.handoff_store().queue()[0].reference == reference


@pytest.mark.parametrize(
    ("channel", "mode", "must_say"),
    [
        ("phone", "call_now", "Call us on 023 8083 3000 and give the adviser this reference"),
        ("phone", "text_relay", "Relay UK on 18001 023 8083 3000"),
        ("phone", "out_of_hours_line", "Call 023 8023 3344 now"),
        ("gateway", "walk_in", "Show this reference at the desk"),
        ("emergency", "emergency", "call 999"),
    ],
)
async def test_every_way_without_a_booking_gives_a_reference_and_what_happens_next(
    channel: str, mode: str, must_say: str, clock: Any, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    clock(BANK_HOLIDAY_9PM if mode == "out_of_hours_line" else TUESDAY_11AM)
    history = [ANYONE]
    if mode == "text_relay":
        history = [DEAF]
    if mode == "emergency":
        history = [user("he hits me", "inform", {"category": "safeguarding", "confidence": 0.95, "cue": "hits me"})]
    slots = {"handoff_channel": channel, "handoff_mode": mode, "service": "housing_repair"}
    events = await ActionSubmitHandoff().run(dispatcher, tracker(slots=slots, events=history), domain)
    reference = said(dispatcher).split("Your reference is ")[1].split(".")[0]
    case = context.handoff_store().get(reference)
    assert (case.channel, case.mode) == (channel, mode)
    assert must_say in said(dispatcher)
    assert {"event": "slot", "name": "handoff_reference", "value": reference, "timestamp": None} in events

"""Handoff cases and bookings on real databases (SQLite, and PostgreSQL for scale)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from routing.bookings import SlotUnavailable
from routing.handoffs import AlreadyClaimed, CaseNotFound, HandoffError, InvalidTransition, NewHandoff
from routing.hours import load_schedule
from routing.references import find_reference
from storage.bookings import SlotBook
from storage.handoffs import HandoffStore

UK = ZoneInfo("Europe/London")
MONDAY_8AM = datetime(2026, 11, 30, 8, 0, tzinfo=UK)
TUESDAY_11AM = datetime(2026, 12, 1, 11, 0, tzinfo=UK)


@pytest.fixture
def store(engine):
    return HandoffStore(engine, load_schedule())


def callback(**changes) -> NewHandoff:
    values = dict(
        channel="phone",
        mode="callback",
        trigger="asked",
        conversation_id="conv-1",
        service_code="council_tax",
        intent="make_payment",
        summary={"wanted": "Pay council tax", "form": {"service": "council_tax"}},
        needs=[{"category": "digital_exclusion", "cue": "no internet", "confidence": 0.95}],
        adjustments=["prefers phone or face to face"],
        transcript=[
            {"who": "resident", "text": "my card is 4111 1111 1111 1111 can you take it"},
            {"who": "assistant", "text": "I cannot take card details here."},
        ],
        callback_number="+442380833000",
    )
    values.update(changes)
    return NewHandoff(**values)


def test_a_complaint_keeps_its_reply_date_as_its_deadline_and_needs_no_new_column(store):
    reply_date = datetime(2026, 12, 15, 23, 59, tzinfo=UK)
    complaint = NewHandoff(
        channel="phone", mode="complaint", trigger="complaint", conversation_id="conv-1", intent="make_complaint",
        summary={"wanted": "Complaint (stage 1): the bin men", "form": {"complaint about": "the bin men"}},
        needs=[{"category": "frustration", "cue": "third time"}], due_at=reply_date,
    )  # fmt: skip
    case = store.create(complaint, now=TUESDAY_11AM)
    assert (case.channel, case.mode, case.trigger, case.status) == ("phone", "complaint", "complaint", "queued")
    assert case.sla_due_at == reply_date
    assert store.get(case.reference).summary["form"] == {"complaint about": "the bin men"}
    assert store.get(case.reference).needs == [{"category": "frustration", "cue": "third time"}]
    # Without a deadline of its own a case is due when its channel next opens, as before.
    assert store.create(callback(mode="call_now"), now=TUESDAY_11AM).sla_due_at < reply_date


def test_a_callback_case_keeps_everything_staff_need(store):
    slot = store.slots.free_slots("callback", MONDAY_8AM)[0]
    case = store.create(callback(), slot_start=slot.start, now=MONDAY_8AM)

    assert find_reference(case.reference).reference == case.reference
    assert case.status == "queued"
    assert (case.channel, case.mode, case.trigger) == ("phone", "callback", "asked")
    assert case.summary["wanted"] == "Pay council tax"
    assert case.needs == [{"category": "digital_exclusion", "cue": "no internet"}]
    assert case.adjustments == ["prefers phone or face to face"]
    assert case.callback_number == "+442380833000"
    assert (case.slot_start, case.slot_end) == (slot.start, slot.end)
    assert case.sla_due_at == slot.end  # a callback is due by the end of its window
    assert [event.action for event in case.events] == ["created"]


def test_card_numbers_never_reach_the_stored_transcript(store):
    case = store.create(callback(), now=MONDAY_8AM)
    stored = " ".join(turn["text"] for turn in case.transcript)
    assert "4111" not in stored and "[card number removed]" in stored


def test_sla_due_times_follow_the_channel(store):
    webchat = store.create(callback(channel="webchat", mode="live", callback_number=None), now=TUESDAY_11AM)
    assert webchat.sla_due_at == TUESDAY_11AM.astimezone(timezone.utc) + timedelta(minutes=10)
    emergency = store.create(callback(channel="emergency", mode="emergency", trigger="safeguarding"), now=TUESDAY_11AM)
    assert emergency.sla_due_at == TUESDAY_11AM.astimezone(timezone.utc) + timedelta(hours=1)
    # Asked for at 8am, before the lines open: due four hours after opening at 9am.
    early = store.create(callback(mode="call_now"), now=MONDAY_8AM)
    assert early.sla_due_at == datetime(2026, 11, 30, 13, 0, tzinfo=UK)


def test_unknown_channel_trigger_or_reference_is_a_clear_error(store):
    with pytest.raises(HandoffError):
        store.create(callback(channel="pigeon"))
    with pytest.raises(HandoffError):
        store.create(callback(trigger="because"))
    with pytest.raises(CaseNotFound):
        store.get("SCC-ZZZZZZ")


def test_lifecycle_queued_claimed_resolved_with_who_and_when(store):
    case = store.create(callback(), now=MONDAY_8AM)
    claimed = store.claim(case.reference, "asha", now=TUESDAY_11AM)
    assert (claimed.status, claimed.claimed_by) == ("claimed", "asha")
    store.add_note(case.reference, "asha", "Rang, no answer. Will try again at 2pm.")
    done = store.record_outcome(case.reference, "resolved", "asha", note="Paid by phone.")
    assert done.status == "resolved" and done.closed_at is not None
    assert [(e.actor, e.action) for e in done.events] == [
        ("assistant", "created"), ("asha", "claimed"), ("asha", "note"), ("asha", "resolved"),
    ]  # fmt: skip
    with pytest.raises(InvalidTransition):
        store.claim(case.reference, "ben")
    with pytest.raises(InvalidTransition):
        store.record_outcome(case.reference, "no_show", "asha")


@pytest.mark.parametrize("outcome", ["unable_to_contact", "cancelled", "no_show"])
def test_every_outcome_closes_a_claimed_case(store, outcome):
    case = store.create(callback(), now=MONDAY_8AM)
    store.claim(case.reference, "asha")
    assert store.record_outcome(case.reference, outcome, "asha").status == outcome


def test_an_unknown_outcome_or_empty_note_changes_nothing(store):
    case = store.create(callback(), now=MONDAY_8AM)
    store.claim(case.reference, "asha")
    with pytest.raises(HandoffError):
        store.record_outcome(case.reference, "vanished", "asha")
    with pytest.raises(HandoffError):
        store.add_note(case.reference, "asha", "   ")
    assert store.get(case.reference).status == "claimed"
    assert len(store.get(case.reference).events) == 2


def test_two_staff_claiming_at_once_exactly_one_wins(store):
    for _ in range(5):
        case = store.create(callback(), now=MONDAY_8AM)
        names = [f"adviser{i}" for i in range(8)]

        def claim(name: str, reference: str = case.reference) -> str | None:
            try:
                return store.claim(reference, name).claimed_by
            except (AlreadyClaimed, InvalidTransition):
                return None

        with ThreadPoolExecutor(max_workers=8) as pool:
            winners = [w for w in pool.map(claim, names) if w]
        assert len(winners) == 1
        assert store.get(case.reference).claimed_by == winners[0]


def test_the_resident_cancels_and_their_slot_is_freed(store):
    slot = store.slots.free_slots("appointment", MONDAY_8AM)[0]
    case = store.create(callback(channel="gateway", mode="appointment"), slot_start=slot.start, now=MONDAY_8AM)
    assert store.slots.free_slots("appointment", MONDAY_8AM)[0].free == slot.free - 1
    assert store.cancel_by_resident(case.reference).status == "cancelled"
    assert store.slots.free_slots("appointment", MONDAY_8AM)[0].free == slot.free
    with pytest.raises(InvalidTransition):
        store.cancel_by_resident(case.reference)


def test_rebooking_moves_the_slot_and_keeps_the_old_one_if_the_new_one_is_gone(store):
    first, second, *_ = store.slots.free_slots("callback", MONDAY_8AM)
    case = store.create(callback(), slot_start=first.start, now=MONDAY_8AM)
    moved = store.rebook(case.reference, second.start, now=MONDAY_8AM)
    assert moved.slot_start == second.start and moved.sla_due_at == second.end
    assert moved.events[-1].action == "rebooked"
    with pytest.raises(SlotUnavailable):
        store.rebook(case.reference, datetime(2030, 1, 1, tzinfo=timezone.utc), now=MONDAY_8AM)
    assert store.get(case.reference).slot_start == second.start


def test_free_slots_are_in_opening_hours_and_skip_bank_holidays(store):
    christmas_eve = datetime(2026, 12, 24, 16, 0, tzinfo=UK)
    slots = store.slots.free_slots("appointment", christmas_eve, limit=40)
    days = {slot.start.astimezone(UK).date() for slot in slots}
    assert datetime(2026, 12, 25).date() not in days and datetime(2026, 12, 28).date() not in days
    for slot in slots:
        local = slot.start.astimezone(UK)
        assert local.weekday() < 5 and 9 <= local.hour < 17


def test_a_slot_never_takes_more_bookings_than_its_capacity_under_concurrent_requests(store):
    slot = store.slots.free_slots("appointment", MONDAY_8AM)[0]
    capacity = slot.free

    def book(_: int) -> str:
        try:
            case = store.create(callback(channel="gateway", mode="appointment"), slot_start=slot.start, now=MONDAY_8AM)
            return case.reference
        except SlotUnavailable:
            return ""

    with ThreadPoolExecutor(max_workers=24) as pool:
        booked = [ref for ref in pool.map(book, range(24)) if ref]
    assert len(booked) == capacity
    assert all(s.start != slot.start for s in store.slots.free_slots("appointment", MONDAY_8AM))


def test_a_past_or_made_up_slot_cannot_be_booked(engine):
    slots = SlotBook(engine, load_schedule())
    with pytest.raises(SlotUnavailable):
        slots.book("appointment", MONDAY_8AM - timedelta(days=1), "SCC-AAAAAA", MONDAY_8AM)
    with pytest.raises(SlotUnavailable):
        slots.book("appointment", datetime(2026, 11, 30, 9, 7, tzinfo=UK), "SCC-AAAAAA", MONDAY_8AM)
    with pytest.raises(SlotUnavailable):
        slots.book("séance", datetime(2026, 11, 30, 9, 0, tzinfo=UK), "SCC-AAAAAA", MONDAY_8AM)


def test_the_webchat_queue_position_counts_who_came_first(store):
    first = store.create(callback(channel="webchat", mode="live"), now=TUESDAY_11AM)
    second = store.create(callback(channel="webchat", mode="live"), now=TUESDAY_11AM + timedelta(minutes=1))
    assert store.position_in_queue(first) == 1
    assert store.position_in_queue(second) == 2
    store.claim(first.reference, "asha")
    assert store.position_in_queue(store.get(second.reference)) == 1


def test_queues_put_emergencies_first_then_the_soonest_due(store):
    later = store.create(callback(mode="call_now"), now=TUESDAY_11AM)
    urgent = store.create(callback(channel="emergency", mode="emergency", trigger="safeguarding"), now=TUESDAY_11AM)
    chat = store.create(callback(channel="webchat", mode="live"), now=TUESDAY_11AM)
    assert [c.reference for c in store.queue()] == [urgent.reference, chat.reference, later.reference]
    assert [c.reference for c in store.queue("webchat")] == [chat.reference]


def test_only_the_holder_or_a_manager_can_release_or_close_a_claimed_case(store):
    case = store.create(callback(), now=MONDAY_8AM)
    store.claim(case.reference, "asha")
    with pytest.raises(InvalidTransition, match="with asha"):
        store.release(case.reference, "ben")
    with pytest.raises(InvalidTransition, match="with asha"):
        store.record_outcome(case.reference, "resolved", "ben")
    assert store.get(case.reference).status == "claimed"
    assert store.record_outcome(case.reference, "resolved", "morgan", manager=True).status == "resolved"


def test_a_booking_cancelled_while_it_was_being_moved_keeps_no_seat(store):
    first, second, *_ = store.slots.free_slots("callback", MONDAY_8AM)
    case = store.create(callback(), slot_start=first.start, now=MONDAY_8AM)
    store.cancel_by_resident(case.reference)
    with pytest.raises(InvalidTransition):
        store.rebook(case.reference, second.start, now=MONDAY_8AM)
    free = {slot.start: slot.free for slot in store.slots.free_slots("callback", MONDAY_8AM)}
    assert free[first.start] == first.free and free[second.start] == second.free

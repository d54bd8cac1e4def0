"""How the inbox groups and orders open cases, and how due times read."""

from datetime import date, datetime, timedelta, timezone

import pytest

from routing.complaints import due_at
from routing.handoff_queues import MODE_NAMES, build_queues, due_text
from routing.handoffs import NewHandoff
from routing.hours import load_schedule
from storage.handoffs import HandoffStore

NOW = datetime(2026, 12, 1, 11, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("minutes", "text", "overdue"),
    [
        (25, "due in 25 minutes", False),
        (1, "due in 1 minute", False),
        (60, "due in 1 hour", False),
        (125, "due in 2 hours 5 minutes", False),
        (-10, "overdue by 10 minutes", True),
        (-61, "overdue by 1 hour 1 minute", True),
        (47 * 60 + 59, "due in 47 hours 59 minutes", False),
        (48 * 60, "due in 2 days", False),  # a complaint's reply date is days away
        (14 * 24 * 60 + 779, "due in 14 days", False),
        (-3 * 24 * 60, "overdue by 3 days", True),
    ],
)
def test_due_times_read_plainly(minutes, text, overdue):
    assert due_text(NOW + timedelta(minutes=minutes), NOW) == (text, overdue)


def test_urgent_first_then_each_channel_in_due_order(engine):
    store = HandoffStore(engine, load_schedule())

    def make(channel: str, mode: str, trigger: str = "asked", minutes_ago: int = 0, slot=None):
        new = NewHandoff(channel=channel, mode=mode, trigger=trigger)
        return store.create(new, slot_start=slot, now=NOW - timedelta(minutes=minutes_ago)).reference

    chat_new, chat_old = make("webchat", "live"), make("webchat", "live", minutes_ago=30)
    urgent = make("emergency", "emergency", "safeguarding")
    today = store.slots.free_slots("appointment", NOW)[0]
    visit = make("gateway", "appointment", slot=today.start)
    call = make("phone", "call_now")
    queues = {
        queue.key: [row.case.reference for row in queue.rows]
        for queue in build_queues(store.queue(), load_schedule(), NOW)
    }
    assert queues["urgent"] == [urgent]
    assert queues["webchat"] == [chat_old, chat_new]  # the one waiting longest is overdue, so first
    assert queues["gateway"] == [visit]
    assert queues["other"] == [call]
    rows = {
        row.case.reference: row for queue in build_queues(store.queue(), load_schedule(), NOW) for row in queue.rows
    }
    assert rows[chat_old].overdue and not rows[chat_new].overdue


def test_complaints_have_a_queue_of_their_own_due_by_the_reply_date(engine):
    store = HandoffStore(engine, load_schedule())
    reply_date = due_at(date(2026, 12, 15), load_schedule())

    def complain(about: str, minutes_ago: int = 0, due: datetime = reply_date) -> str:
        new = NewHandoff(
            channel="phone", mode="complaint", trigger="complaint", intent="make_complaint",
            summary={"wanted": f"Complaint (stage 1): {about}"}, needs=[{"category": "frustration", "cue": None}],
            due_at=due,
        )  # fmt: skip
        return store.create(new, now=NOW - timedelta(minutes=minutes_ago)).reference

    later = complain("the bin men")
    sooner = complain(
        "the man at the Gateway", minutes_ago=60 * 24 * 3, due=due_at(date(2026, 12, 10), load_schedule())
    )
    call = store.create(NewHandoff(channel="phone", mode="call_now", trigger="asked"), now=NOW).reference
    queues = {queue.key: queue for queue in build_queues(store.queue(), load_schedule(), NOW)}
    assert [queue.key for queue in queues.values()] == [
        "urgent",
        "webchat",
        "callback",
        "gateway",
        "complaints",
        "changes",
        "other",
    ]
    assert queues["complaints"].title == "Complaints"
    assert [row.case.reference for row in queues["complaints"].rows] == [sooner, later]  # the earliest reply date first
    assert [row.case.reference for row in queues["other"].rows] == [call]
    row = queues["complaints"].rows[1]
    assert row.case.sla_due_at == reply_date and row.due_text == "due in 14 days" and not row.overdue
    assert row.case.needs == [{"category": "frustration", "cue": None}]
    assert MODE_NAMES[row.case.mode] == "Complaint (reply by phone or letter)"

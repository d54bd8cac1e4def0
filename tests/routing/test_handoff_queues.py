"""How the inbox groups and orders open cases, and how due times read."""

from datetime import datetime, timedelta, timezone

import pytest

from routing.handoff_queues import build_queues, due_text
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

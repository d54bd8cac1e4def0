"""The update planner on a real database: report and case changes queue messages only for residents
who chose updates, a change recorded before the choice is still announced, reminders are queued once
on the right day, two planners queue nothing twice, and contacts go when the case closes plus the
retention period."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from integrations.update_planner import plan
from routing.catalogue import default_catalogue
from routing.handoffs import NewHandoff
from routing.hours import load_schedule
from storage.handoffs import HandoffStore, handoff_cases
from storage.notify_outbox import notify_outbox, update_planner
from storage.reports import ReportStore
from storage.retention import forget_update_contacts
from storage.update_contacts import UpdateContacts
from storage.webhooks import record_event

SCHEDULE = load_schedule()
MOBILE = "+447700900123"


def planned(engine, now: datetime | None = None) -> int:
    return plan(engine, default_catalogue(), SCHEDULE.local, now)


def outbox(engine) -> list[tuple[str, str, dict[str, str]]]:
    with engine.connect() as connection:
        rows = connection.execute(select(notify_outbox).order_by(notify_outbox.c.id)).mappings().all()
    return [(row["reference"], row["kind"], json.loads(row["personalisation"])) for row in rows]


def new_report(engine) -> str:
    return ReportStore(engine).create("missed_bin", "MISSED_BIN", "12 Acacia Avenue", "missed again").service_request_id


def new_case(engine, mode: str = "callback", trigger: str = "asked") -> str:
    new = NewHandoff(channel="phone", mode=mode, trigger=trigger, service_code="council_tax")
    return HandoffStore(engine, SCHEDULE).create(new).reference


def test_a_report_moving_on_is_announced_only_to_a_resident_who_chose_updates(engine):
    chosen, silent, declined = new_report(engine), new_report(engine), new_report(engine)
    UpdateContacts(engine).choose(chosen, "text", MOBILE, "conversation-1")
    UpdateContacts(engine).choose(declined, "none", None, "conversation-2")
    for reference in (chosen, silent, declined):
        ReportStore(engine).change_stage(reference, "in_progress", "A crew is on its way.", "morgan")
    assert planned(engine) == 1
    [(reference, kind, fields)] = outbox(engine)
    assert (reference, kind) == (chosen, "report_updated")
    assert set(fields) == {"reference", "service", "when"} and fields["reference"] == chosen
    assert "crew" not in json.dumps(fields) and "Acacia" not in json.dumps(fields)
    assert planned(engine) == 0  # the cursor has moved on: nothing twice
    ReportStore(engine).change_stage(chosen, "closed", "Collected.", "morgan")
    planned(engine)
    assert [kind for _, kind, _ in outbox(engine)] == ["report_updated", "report_closed"]


def test_two_planners_over_the_same_events_queue_each_message_once(engine):
    reference = new_report(engine)
    UpdateContacts(engine).choose(reference, "email", "resident@example.org", None)
    ReportStore(engine).change_stage(reference, "in_progress", None, "morgan")
    assert planned(engine) == 1
    # A second process that read the same events before the cursor moved: the outbox's key stops it.
    with engine.begin() as connection:
        connection.execute(update(update_planner).values(cursor=0))
    assert planned(engine) == 0
    assert len(outbox(engine)) == 1


def test_an_event_that_committed_behind_the_cursor_is_still_planned(engine):
    reference = new_report(engine)
    UpdateContacts(engine).choose(reference, "text", MOBILE, None)
    planned(engine)
    with engine.begin() as connection:  # as if a later event's commit had moved the cursor past it
        connection.execute(update(update_planner).values(cursor=10_000))
    ReportStore(engine).change_stage(reference, "in_progress", None, "morgan")
    with engine.begin() as connection:
        connection.execute(update(update_planner).values(cursor=10_000))
    assert planned(engine) == 1 and [kind for _, kind, _ in outbox(engine)] == ["report_updated"]


def test_a_change_recorded_before_the_choice_is_still_announced(engine):
    reference = new_case(engine)
    with engine.begin() as connection:
        data = {"mode": "change", "trigger": "change", "service_code": "council_tax", "status": "queued"}
        record_event(connection, "case.created", reference, data)
    assert planned(engine) == 0  # no choice yet
    UpdateContacts(engine).choose(reference, "letter", "1 High Street\nSouthampton\nSO14 7LY", "conversation-1")
    assert planned(engine) == 1 and planned(engine) == 0
    [(_, kind, fields)] = outbox(engine)
    assert kind == "change_recorded" and fields["service"] == "council tax"


def test_a_claimed_case_is_announced_but_never_a_safeguarding_one(engine):
    ordinary, at_risk = new_case(engine), new_case(engine, mode="emergency", trigger="safeguarding")
    for reference in (ordinary, at_risk):
        UpdateContacts(engine).choose(reference, "text", MOBILE, None)
        HandoffStore(engine, SCHEDULE).claim(reference, "morgan")
    planned(engine)
    assert [(reference, kind) for reference, kind, _ in outbox(engine)] == [(ordinary, "case_claimed")]


def _book(engine, reference: str, start: datetime, minutes: int) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(handoff_cases)
            .where(handoff_cases.c.reference == reference)
            .values(slot_start=start, slot_end=start + timedelta(minutes=minutes))
        )


def test_reminders_are_queued_once_on_the_right_day(engine):
    call_back, visit = new_case(engine, mode="callback"), new_case(engine, mode="appointment")
    for reference in (call_back, visit):
        UpdateContacts(engine).choose(reference, "text", MOBILE, None)
    # Tuesday 8 December 2026: a call back 10am to noon; a Gateway visit on Wednesday at 10:30am.
    _book(engine, call_back, datetime(2026, 12, 8, 10, 0, tzinfo=timezone.utc), 120)
    _book(engine, visit, datetime(2026, 12, 9, 10, 30, tzinfo=timezone.utc), 30)
    assert planned(engine, datetime(2026, 12, 8, 7, 30, tzinfo=timezone.utc)) == 0  # before 8am
    assert planned(engine, datetime(2026, 12, 8, 8, 5, tzinfo=timezone.utc)) == 2
    assert planned(engine, datetime(2026, 12, 8, 9, 0, tzinfo=timezone.utc)) == 0  # once only
    whens = {kind: fields["when"] for _, kind, fields in outbox(engine)}
    assert whens == {
        "callback_today": "on Tuesday 8 December between 10am and 12 noon",
        "appointment_tomorrow": "on Wednesday 9 December at 10:30am",
    }


def test_a_contact_is_forgotten_once_its_case_closed_longer_ago_than_the_period(engine):
    reference = new_case(engine)
    UpdateContacts(engine).choose(reference, "text", MOBILE, None)
    store = HandoffStore(engine, SCHEDULE)
    store.claim(reference, "morgan")
    store.record_outcome(reference, "resolved", "morgan")
    assert forget_update_contacts(engine, datetime.now(timezone.utc) - timedelta(days=1)) == 0
    assert UpdateContacts(engine).get(reference) is not None
    assert forget_update_contacts(engine, datetime.now(timezone.utc) + timedelta(days=1)) == 1
    assert UpdateContacts(engine).get(reference) is None

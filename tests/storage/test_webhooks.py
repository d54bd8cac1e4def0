"""Webhook events are recorded with the change that makes them (none lost, none invented), queued
for each subscriber that wants them, taken by one sender at a time, and the log stays bounded.
Real databases: SQLite, and PostgreSQL for scale."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from routing import clock
from routing.handoffs import AlreadyClaimed, InvalidTransition, NewHandoff
from routing.hours import load_schedule
from routing.reports import RepeatedChange
from routing.webhooks import EVENT_TYPES, SubscriberSpec, WebhookError, new_secret
from storage.handoffs import HandoffStore
from storage.reports import ReportStore
from storage.webhook_deliveries import DeliveryQueue
from storage.webhooks import WebhookSubscribers, webhook_deliveries, webhook_events

RESIDENT_WORDS = "my bin at 12 Acacia Avenue was missed, call me on 07700 900123"


def events_of(engine, reference: str | None = None) -> list[tuple[str, dict]]:
    query = select(webhook_events.c.event_type, webhook_events.c.data).order_by(webhook_events.c.id)
    if reference:
        query = query.where(webhook_events.c.reference == reference)
    with engine.connect() as connection:
        return [(row.event_type, json.loads(row.data)) for row in connection.execute(query)]


def new_case(store: HandoffStore):
    return store.create(
        NewHandoff(
            channel="phone",
            mode="call_now",
            trigger="detected_need",
            service_code="missed_bin",
            summary={"wanted": "Report a problem: Missed bin", "form": {"location": RESIDENT_WORDS}},
            transcript=[{"who": "resident", "text": RESIDENT_WORDS}],
            needs=[{"category": "older_age", "cue": "i'm 84"}],
            callback_number="+447700900123",
        )  # fmt: skip
    )


def first_data(case) -> dict:
    return {"service_code": case.service_code, "channel": case.channel, "mode": case.mode, "trigger": case.trigger}


@pytest.fixture
def handoffs(engine):
    return HandoffStore(engine, load_schedule())


def test_a_cases_life_is_recorded_as_events_with_codes_only(engine, handoffs):
    case = new_case(handoffs)
    handoffs.claim(case.reference, "asha")
    assert handoffs.record_contact(case.reference, "asha") is True
    assert handoffs.record_contact(case.reference, "asha") is False  # only the first contact is news
    handoffs.record_outcome(case.reference, "resolved", "asha", note=RESIDENT_WORDS)

    recorded = events_of(engine, case.reference)
    assert [kind for kind, _ in recorded] == [
        "case.created", "case.claimed", "case.contact_made", "case.resolved", "case.closed",
    ]  # fmt: skip
    assert recorded[0][1] == {
        "service_code": "missed_bin", "channel": "phone", "mode": "call_now", "trigger": "detected_need",
        "status": "queued",
    }  # fmt: skip
    assert [data["status"] for _, data in recorded] == ["queued", "claimed", "claimed", "resolved", "resolved"]
    stored = json.dumps(recorded)
    for private in ("Acacia", "07700", "i'm 84", "older_age", "asha"):
        assert private not in stored


@pytest.mark.parametrize("outcome", ["unable_to_contact", "no_show", "cancelled"])
def test_any_other_outcome_closes_without_resolving(engine, handoffs, outcome):
    case = new_case(handoffs)
    handoffs.claim(case.reference, "asha")
    handoffs.record_outcome(case.reference, outcome, "asha")
    assert [kind for kind, _ in events_of(engine, case.reference)][-1:] == ["case.closed"]
    assert "case.resolved" not in [kind for kind, _ in events_of(engine, case.reference)]


def test_a_case_given_up_or_cancelled_by_the_resident_is_closed(engine, handoffs):
    first, second = new_case(handoffs), new_case(handoffs)
    handoffs.give_up(first.reference, "Nobody answered the live chat in time.")
    handoffs.cancel_by_resident(second.reference)
    assert events_of(engine, first.reference)[-1] == (
        "case.closed",
        {**first_data(first), "status": "unable_to_contact"},
    )
    assert events_of(engine, second.reference)[-1] == ("case.closed", {**first_data(second), "status": "cancelled"})


def test_a_change_that_loses_a_race_invents_no_event(engine, handoffs):
    case = new_case(handoffs)
    with ThreadPoolExecutor(max_workers=2) as pool:
        attempts = [pool.submit(handoffs.claim, case.reference, who) for who in ("asha", "morgan")]
    outcomes = []
    for attempt in attempts:
        try:
            attempt.result()
            outcomes.append("won")
        except (AlreadyClaimed, InvalidTransition):  # lost in the update, or read after the winner's commit
            outcomes.append("lost")
    assert sorted(outcomes) == ["lost", "won"]
    assert [kind for kind, _ in events_of(engine, case.reference)] == ["case.created", "case.claimed"]


def test_a_reports_life_is_recorded_as_events(engine):
    reports = ReportStore(engine)
    report = reports.create("pothole", "POT", "12 Acacia Avenue", RESIDENT_WORDS, postcode="SO14 7LY")
    reference = report.service_request_id
    reports.change_stage(reference, "in_progress", "A team is on its way.", "asha")
    with pytest.raises(RepeatedChange):  # the same form twice: nothing recorded, no event
        reports.change_stage(reference, "in_progress", "A team is on its way.", "asha")
    reports.change_stage(reference, "closed", "Filled in on Tuesday.", "asha")

    recorded = events_of(engine, reference)
    assert [kind for kind, _ in recorded] == ["report.created", "report.updated", "report.updated", "report.closed"]
    assert recorded[0][1] == {"service_code": "pothole", "open311_code": "POT", "status": "open", "stage": "new"}
    assert [data["stage"] for _, data in recorded[1:]] == ["in_progress", "closed", "closed"]
    assert "Acacia" not in json.dumps(recorded) and "team" not in json.dumps(recorded)


def test_each_event_is_queued_once_for_each_active_subscriber_that_wants_it(engine, handoffs):
    subscribers = WebhookSubscribers(engine)
    everything, _ = subscribers.add("Council CRM", "https://crm.example.gov.uk/hooks", EVENT_TYPES, True, "morgan")
    closes, _ = subscribers.add("Reporting", "https://bi.example.gov.uk/in", ["case.closed"], False, "morgan")
    paused, _ = subscribers.add("Old system", "https://old.example.gov.uk/in", EVENT_TYPES, False, "morgan")
    subscribers.set_active(paused.id, False, note="Paused by Morgan Lee.")
    case = new_case(handoffs)
    handoffs.claim(case.reference, "asha")
    handoffs.record_outcome(case.reference, "no_show", "asha")

    with engine.connect() as connection:
        rows = connection.execute(
            select(webhook_events.c.event_type, webhook_deliveries.c.subscriber_id).join(webhook_deliveries)
        ).all()
    queued = sorted((kind, subscriber) for kind, subscriber in rows)
    assert queued == sorted(
        [("case.created", everything.id), ("case.claimed", everything.id), ("case.closed", everything.id),
         ("case.closed", closes.id)]
    )  # fmt: skip


def test_two_senders_never_take_the_same_delivery(engine, handoffs):
    WebhookSubscribers(engine).add("Council CRM", "https://crm.example.gov.uk/hooks", EVENT_TYPES, False, "morgan")
    for _ in range(10):
        new_case(handoffs)
    queue = DeliveryQueue(engine)
    with ThreadPoolExecutor(max_workers=4) as pool:
        taken = list(pool.map(lambda _: queue.claim(lease_seconds=60, limit=10), range(4)))
    ids = [delivery.id for batch in taken for delivery in batch]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 10
    assert queue.claim(lease_seconds=60) == []  # all held


def test_a_lease_that_ran_out_lets_another_sender_take_it_and_the_first_cannot_write(engine, handoffs):
    WebhookSubscribers(engine).add("Council CRM", "https://crm.example.gov.uk/hooks", EVENT_TYPES, False, "morgan")
    new_case(handoffs)
    queue = DeliveryQueue(engine)
    [first] = queue.claim(lease_seconds=30)
    [second] = queue.claim(lease_seconds=30, now=clock.now() + timedelta(seconds=31))
    assert second.id == first.id and second.leased_by != first.leased_by
    assert queue.record(first, "delivered", 200, None) is False  # the first sender's lease is over
    assert queue.record(second, "delivered", 200, None) is True
    assert queue.log()[0].state == "delivered" and queue.log()[0].attempts == 1


def test_a_failed_attempt_waits_for_its_retry_and_the_log_says_so(engine, handoffs):
    WebhookSubscribers(engine).add("Council CRM", "https://crm.example.gov.uk/hooks", EVENT_TYPES, False, "morgan")
    case = new_case(handoffs)
    queue = DeliveryQueue(engine)
    [delivery] = queue.claim(lease_seconds=30)
    later = clock.now() + timedelta(minutes=5)
    queue.record(delivery, "retry", 503, "The receiver answered 503 Service Unavailable", retry_at=later)
    assert queue.claim(lease_seconds=30) == []  # not yet
    [line] = queue.log()
    assert (line.reference, line.event_type, line.subscriber, line.state) == (
        case.reference, "case.created", "Council CRM", "pending",
    )  # fmt: skip
    assert (line.last_status, line.attempts, line.next_attempt_at) == (503, 1, later)
    [again] = queue.claim(lease_seconds=30, now=later + timedelta(seconds=1))
    assert again.attempts == 1 and again.event_id == delivery.event_id


def test_a_receiver_that_is_gone_pauses_its_subscriber(engine, handoffs):
    subscribers = WebhookSubscribers(engine)
    added, _ = subscribers.add("Old CRM", "https://old.example.gov.uk/hooks", EVENT_TYPES, False, "morgan")
    new_case(handoffs)
    queue = DeliveryQueue(engine)
    [delivery] = queue.claim(lease_seconds=30)
    queue.record(delivery, "gone", 410, "The receiver answered 410 Gone")
    paused = subscribers.get(added.id)
    assert not paused.active and "410" in str(paused.note)
    assert queue.log()[0].state == "gave_up"


def test_the_log_is_kept_for_its_period_only(engine, handoffs):
    WebhookSubscribers(engine).add("Council CRM", "https://crm.example.gov.uk/hooks", EVENT_TYPES, False, "morgan")
    new_case(handoffs)
    queue = DeliveryQueue(engine)
    [delivery] = queue.claim(lease_seconds=30)
    queue.record(delivery, "delivered", 200, None)
    assert queue.forget(clock.now() - timedelta(days=1)) == 0
    assert queue.forget(clock.now() + timedelta(seconds=1)) == 1
    assert queue.log() == [] and events_of(engine) == []


def test_the_council_system_reads_a_cases_words_until_retention_clears_them(engine, handoffs):
    from storage.retention import forget_transcripts

    case = new_case(handoffs)
    queue = DeliveryQueue(engine)
    details = queue.resident_details("case.created", case.reference)
    assert details == {"summary": case.summary, "need_categories": ["older_age"]}
    handoffs.claim(case.reference, "asha")
    handoffs.record_outcome(case.reference, "resolved", "asha")
    forget_transcripts(engine, clock.now() + timedelta(seconds=1))
    assert queue.resident_details("case.closed", case.reference) is None


def test_a_managers_subscriber_gets_a_secret_and_a_name_used_twice_is_refused(engine):
    subscribers = WebhookSubscribers(engine)
    added, secret = subscribers.add("Council CRM", "https://crm.example.gov.uk/hooks", ["case.created"], True, "morgan")
    assert secret.startswith("whsec_") and added.council_system and added.active
    with pytest.raises(WebhookError, match="already a subscriber called"):
        subscribers.add("Council CRM", "https://other.example.gov.uk/", ["case.created"], False, "morgan")
    subscribers.remove(added.id)
    assert subscribers.all() == []


def test_the_files_subscribers_follow_the_file_and_keep_a_pause(engine):
    subscribers = WebhookSubscribers(engine)
    crm = SubscriberSpec("Council CRM", "https://crm.example.gov.uk/hooks", new_secret(), ("case.created",), True)
    bi = SubscriberSpec("Reporting", "https://bi.example.gov.uk/in", new_secret(), ("case.closed",))
    subscribers.keep_as_file_says([crm, bi])
    by_name = {subscriber.name: subscriber for subscriber in subscribers.all()}
    assert set(by_name) == {"Council CRM", "Reporting"} and all(s.from_file for s in by_name.values())
    with pytest.raises(WebhookError, match="webhooks file"):
        subscribers.remove(by_name["Council CRM"].id)
    subscribers.set_active(by_name["Council CRM"].id, False, note="Paused by Morgan Lee.")
    moved = SubscriberSpec("Council CRM", "https://crm2.example.gov.uk/hooks", crm.secret, EVENT_TYPES, True)
    subscribers.keep_as_file_says([moved])  # a restart with Reporting taken out of the file
    [kept] = subscribers.all()
    assert (kept.name, kept.url, kept.events, kept.active) == ("Council CRM", moved.url, EVENT_TYPES, False)

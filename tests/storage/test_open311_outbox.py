"""The Open311 outbox on SQLite and PostgreSQL: reports come in by themselves, only from the
connector's start, and a lease lets exactly one sender work on a report at a time."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from storage.open311_outbox import FAILED, HELD, SENT, WAITING, LeaseLost, Open311Outbox
from storage.reports import ReportStore

START = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)


def report(engine, set_clock, at: datetime, code: str = "POTHOLE") -> str:
    set_clock(at)
    return ReportStore(engine).create("pothole", code, "High Street", "A deep hole").service_request_id


def one_waiting(engine, set_clock) -> tuple[Open311Outbox, str]:
    """An outbox with the connector started at ``START`` and one report waiting in it."""
    outbox = Open311Outbox(engine)
    outbox.send_from(START)
    reference = report(engine, set_clock, START)
    outbox.adopt(START, START)
    return outbox, reference


def test_a_report_with_no_row_is_adopted_once_and_reports_from_before_the_start_are_not(engine, set_clock):
    outbox = Open311Outbox(engine)
    before = report(engine, set_clock, START - timedelta(days=3))
    started = outbox.send_from(START)
    after = report(engine, set_clock, START + timedelta(minutes=1))

    assert outbox.adopt(started, START + timedelta(minutes=2)) == 1
    assert outbox.adopt(started, START + timedelta(minutes=3)) == 0  # adopting again adds nothing
    assert outbox.delivery(before) is None
    entry = outbox.delivery(after)
    assert entry is not None and entry.state == WAITING and entry.attempts == 0 and entry.service_code == "POTHOLE"


def test_the_connectors_start_is_kept_and_a_configured_one_wins(engine):
    outbox = Open311Outbox(engine)
    assert outbox.send_from(START) == START
    assert outbox.send_from(START + timedelta(days=1)) == START  # a restart keeps the first start
    earlier = START - timedelta(days=30)
    assert outbox.send_from(START, configured=earlier) == earlier


def test_two_senders_claiming_at_once_never_take_the_same_report(engine, set_clock):
    outbox = Open311Outbox(engine)
    outbox.send_from(START)
    for minute in range(12):
        report(engine, set_clock, START + timedelta(minutes=minute))
    now = START + timedelta(hours=1)
    outbox.adopt(START, now)

    with ThreadPoolExecutor(max_workers=2) as pool:
        claims = list(pool.map(lambda owner: outbox.claim(owner, now, 60, limit=50), ["web-1", "web-2"]))

    first, second = ({entry.reference for entry in claim} for claim in claims)
    assert first.isdisjoint(second)
    assert len(first | second) == 12


def test_a_lease_that_ran_out_lets_another_sender_take_the_report(engine, set_clock):
    outbox, reference = one_waiting(engine, set_clock)

    [entry] = outbox.claim("web-1", START, 60)
    assert outbox.claim("web-2", START + timedelta(seconds=30), 60) == []  # still held
    [again] = outbox.claim("web-2", START + timedelta(seconds=61), 60)

    assert again.reference == reference
    with pytest.raises(LeaseLost):  # the first sender's late outcome is not recorded
        outbox.sent(entry.id, "web-1", START + timedelta(seconds=62), "1", None)
    outbox.sent(again.id, "web-2", START + timedelta(seconds=62), "293944", None)
    delivered = outbox.delivery(reference)
    assert delivered is not None and delivered.state == SENT and delivered.back_office_id == "293944"


def test_a_sender_whose_lease_ran_out_cannot_begin_a_post_and_one_that_begins_keeps_the_report(engine, set_clock):
    """A sender that stalled past its lease does not post (another may have the report by now); a
    post that begins holds the report for a whole lease from then, so nobody posts it meanwhile."""
    outbox, _ = one_waiting(engine, set_clock)
    [entry] = outbox.claim("web-1", START, 60)
    with pytest.raises(LeaseLost):
        outbox.begin_post(entry.id, "web-1", START + timedelta(seconds=61), 60)

    [again] = outbox.claim("web-2", START + timedelta(seconds=61), 60)
    outbox.begin_post(again.id, "web-2", START + timedelta(seconds=100), 60)  # near the end of its lease
    assert outbox.claim("web-1", START + timedelta(seconds=150), 60) == []  # still held: the post is on its way
    outbox.sent(again.id, "web-2", START + timedelta(seconds=155), "293944", None)


def test_a_post_that_began_leaves_the_report_in_doubt_until_its_outcome_is_known(engine, set_clock):
    outbox, reference = one_waiting(engine, set_clock)
    [entry] = outbox.claim("web-1", START, 60)

    outbox.begin_post(entry.id, "web-1", START, 60)  # ... and the process dies here

    [again] = outbox.claim("web-2", START + timedelta(minutes=5), 60)
    assert again.in_doubt and again.attempts == 1 and again.first_posted_at == START
    outbox.retry(again.id, "web-2", START + timedelta(minutes=5), START + timedelta(minutes=6), "timed out")
    assert outbox.claim("web-2", START + timedelta(minutes=5, seconds=30), 60) == []  # not due yet
    delivered = outbox.delivery(reference)
    assert delivered is not None and delivered.last_error == "timed out" and delivered.in_doubt


def test_held_reports_wait_for_their_service_code_and_go_once_it_is_offered(engine, set_clock):
    outbox = Open311Outbox(engine)
    outbox.send_from(START)
    noise = report(engine, set_clock, START, code="NOISE")
    pothole = report(engine, set_clock, START)
    outbox.adopt(START, START)

    assert outbox.hold(["NOISE"], START, "Not sent: no NOISE") == 1
    assert [entry.reference for entry in outbox.claim("web-1", START, 60)] == [pothole]
    assert [(entry.reference, entry.state) for entry in outbox.not_sent()] == [(noise, HELD)]

    assert outbox.release(["NOISE", "POTHOLE"], START) == 1
    assert [entry.reference for entry in outbox.claim("web-1", START, 60)] == [noise]


def test_a_failed_report_is_listed_with_its_reason_and_never_claimed_again(engine, set_clock):
    outbox, reference = one_waiting(engine, set_clock)
    [entry] = outbox.claim("web-1", START, 60)

    outbox.fail(entry.id, "web-1", START, "refused: bad address")

    assert outbox.claim("web-1", START + timedelta(days=1), 60) == []
    [failed] = outbox.not_sent()
    assert (failed.reference, failed.state, failed.last_error) == (reference, FAILED, "refused: bad address")


def test_the_services_check_is_kept_for_managers(engine):
    outbox = Open311Outbox(engine)
    assert outbox.last_check().checked_at is None
    outbox.send_from(START)
    outbox.record_check(START, ["NOISE", "GRAFFITI"])
    check = outbox.last_check()
    assert check.checked_at == START and check.missing_codes == ("GRAFFITI", "NOISE")


def test_only_one_of_two_processes_carries_a_new_back_office_status(engine, set_clock):
    outbox, reference = one_waiting(engine, set_clock)

    assert outbox.remote_changed(reference, (None, None), ("closed", "Filled"), START)
    assert not outbox.remote_changed(reference, (None, None), ("closed", "Filled"), START)

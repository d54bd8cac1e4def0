"""The Open311 sender, with a real database (SQLite and PostgreSQL) and a real GeoReport v2 endpoint
(tests/open311_server.py): every report reaches the back office exactly once, whatever the endpoint
does, and its id is kept beside the SCC reference."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from typing import AsyncIterator, Callable

import aiohttp
import pytest

from integrations.open311 import Open311Client
from integrations.open311_sender import Open311Sender, report_codes, retry_delay
from routing.catalogue import default_catalogue
from storage.open311_outbox import FAILED, HELD, SENT, WAITING, Open311Outbox, OutboxEntry
from storage.reports import ReportStore
from tests.open311_server import Open311Endpoint, serving
from wiring.open311 import Open311Settings

START = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
MakeSender = Callable[..., Open311Sender]


@pytest.fixture
async def endpoint() -> AsyncIterator[Open311Endpoint]:
    async with serving(slow_seconds=1.5) as found:
        yield found


@pytest.fixture
async def make_sender(engine, endpoint, set_clock) -> AsyncIterator[MakeSender]:
    set_clock(START)
    async with aiohttp.ClientSession() as session:

        def make(owner: str = "web-1", **changes: object) -> Open311Sender:
            settings = Open311Settings(url=endpoint.url, api_key="test-key", timeout_seconds=0.5,
                                       reference_attribute="external_ref", send_from=START, **changes)  # type: ignore[arg-type]  # fmt: skip
            client = Open311Client(session, settings)
            return Open311Sender(Open311Outbox(engine), client, settings, report_codes(default_catalogue()), owner)

        yield make


def new_report(engine, code: str = "POTHOLE", service: str = "pothole", description: str = "A deep hole") -> str:
    stored = ReportStore(engine).create(service, code, "12 High Street", description, postcode="SO14 7LY")
    return stored.service_request_id


def delivery(engine, reference: str) -> OutboxEntry:
    found = Open311Outbox(engine).delivery(reference)
    assert found is not None
    return found


async def test_a_report_is_sent_once_and_the_back_offices_id_kept_beside_its_reference(engine, endpoint, make_sender):
    sender = make_sender()
    reference = new_report(engine)
    assert await sender.check_services()

    assert await sender.run_once() == 1
    assert await sender.run_once() == 0

    entry = delivery(engine, reference)
    assert (entry.state, entry.back_office_id, entry.token) == (SENT, "293944", None)
    [stored] = endpoint.stored.values()
    assert stored.form["description"] == f"{reference}: A deep hole"  # the reference leads the description
    assert stored.form["attribute[external_ref]"] == reference  # and fills the service's reference attribute
    assert stored.form["address_string"] == "12 High Street, SO14 7LY"
    assert stored.form["service_code"] == "POTHOLE" and stored.form["api_key"] == "test-key"
    assert not {"email", "first_name", "last_name", "phone"} & set(stored.form)  # the resident agreed to none


async def test_a_token_from_a_batch_back_office_is_resolved_to_its_id_later(engine, endpoint, make_sender, set_clock):
    endpoint.tokens, endpoint.tokens_ready = True, False
    sender = make_sender()
    reference = new_report(engine)
    await sender.check_services()
    await sender.run_once()
    entry = delivery(engine, reference)
    assert entry.state == SENT and entry.token and entry.back_office_id is None

    set_clock(START + timedelta(minutes=1))
    await sender.run_once()  # the back office has no id for it yet
    assert delivery(engine, reference).back_office_id is None
    endpoint.tokens_ready = True
    set_clock(START + timedelta(hours=1))
    await sender.run_once()

    entry = delivery(engine, reference)
    assert entry.back_office_id == "293944" and entry.next_attempt_at is None
    assert endpoint.posts() == 1


async def test_an_unknown_service_code_is_reported_and_held_and_stops_nothing_else(
    engine, endpoint, make_sender, caplog, set_clock
):
    endpoint.missing = {"NOISE"}
    sender = make_sender()
    noise = new_report(engine, "NOISE", "noise", "Loud music every night")
    pothole = new_report(engine)
    with caplog.at_level(logging.ERROR):
        assert await sender.check_services()
    assert "does not offer the service code NOISE (the catalogue's noise)" in caplog.text

    await sender.run_once()

    assert delivery(engine, pothole).state == SENT
    held = delivery(engine, noise)
    assert held.state == HELD and "does not offer the service code NOISE" in str(held.last_error)
    assert Open311Outbox(engine).last_check().missing_codes == ("NOISE",)
    assert endpoint.posts() == 1

    endpoint.missing = set()  # the council adds the service: the held report goes
    set_clock(START + timedelta(hours=1))
    await sender.check_services()
    await sender.run_once()
    assert delivery(engine, noise).state == SENT and len(endpoint.with_reference(noise)) == 1


async def test_500s_are_retried_with_growing_waits_and_nothing_is_lost_or_doubled(
    engine, endpoint, make_sender, set_clock
):
    endpoint.fail_next("500", times=2)
    sender = make_sender()
    reference = new_report(engine)
    await sender.check_services()

    await sender.run_once()
    first = delivery(engine, reference)
    assert first.state == WAITING and first.attempts == 1 and "CRM is down" in str(first.last_error)
    assert first.next_attempt_at is not None and timedelta(seconds=15) <= first.next_attempt_at - START
    assert first.next_attempt_at - START <= timedelta(seconds=30)
    assert await sender.run_once() == 0  # not due yet

    set_clock(first.next_attempt_at)
    await sender.run_once()  # looked up first (a 500 may come after storing), then posted: 500 again
    second = delivery(engine, reference)
    assert second.next_attempt_at is not None and second.next_attempt_at - first.next_attempt_at >= timedelta(
        seconds=30
    )

    set_clock(second.next_attempt_at)
    await sender.run_once()
    assert delivery(engine, reference).state == SENT
    assert endpoint.posts() == 3 and len(endpoint.with_reference(reference)) == 1


@pytest.mark.parametrize("fault", ["slow", "store_then_drop", "store_then_500", "store_then_no_id"])
async def test_an_endpoint_that_fails_after_receiving_a_report_gets_it_exactly_once(
    engine, endpoint, make_sender, set_clock, fault
):
    endpoint.fail_next(fault)
    sender = make_sender()
    reference = new_report(engine)
    await sender.check_services()

    await sender.run_once()
    in_doubt = delivery(engine, reference)
    assert in_doubt.state == WAITING and in_doubt.in_doubt
    assert in_doubt.next_attempt_at is not None

    set_clock(in_doubt.next_attempt_at)
    await sender.run_once()  # it asks the endpoint before posting again, and finds the report there

    entry = delivery(engine, reference)
    assert entry.state == SENT and entry.back_office_id == "293944" and not entry.in_doubt
    assert endpoint.posts() == 1 and len(endpoint.with_reference(reference)) == 1


async def test_a_malformed_answer_that_stored_nothing_is_posted_again_after_the_look_up(
    engine, endpoint, make_sender, set_clock
):
    endpoint.fail_next("xml")
    sender = make_sender()
    reference = new_report(engine)
    await sender.check_services()
    await sender.run_once()
    assert "not JSON" in str(delivery(engine, reference).last_error)

    set_clock(START + timedelta(hours=1))
    await sender.run_once()

    assert delivery(engine, reference).state == SENT
    assert endpoint.posts() == 2 and len(endpoint.with_reference(reference)) == 1


async def test_a_report_in_doubt_on_an_endpoint_that_cannot_tell_is_left_for_staff_not_sent_twice(
    engine, endpoint, make_sender, set_clock
):
    endpoint.descriptions = False
    endpoint.fail_next("store_then_500")
    sender = make_sender()
    reference = new_report(engine)
    await sender.check_services()
    await sender.run_once()

    set_clock(START + timedelta(hours=1))
    await sender.run_once()

    entry = delivery(engine, reference)
    assert entry.state == FAILED and "may have reached the back office" in str(entry.last_error)
    assert endpoint.posts() == 1


async def test_after_the_tries_run_out_the_report_is_left_for_staff_with_the_reason(
    engine, endpoint, make_sender, set_clock
):
    endpoint.fail_next("500", times=5)
    sender = make_sender(max_attempts=2)
    reference = new_report(engine)
    await sender.check_services()
    await sender.run_once()
    set_clock(START + timedelta(hours=1))
    await sender.run_once()

    entry = delivery(engine, reference)
    assert entry.state == FAILED and "CRM is down" in str(entry.last_error)
    assert [found.reference for found in Open311Outbox(engine).not_sent()] == [reference]


async def test_reports_made_before_the_connector_started_are_not_sent(engine, endpoint, make_sender, set_clock):
    set_clock(START - timedelta(days=1))
    old = new_report(engine)
    set_clock(START)
    sender = make_sender()
    await sender.check_services()
    await sender.run_once()
    assert Open311Outbox(engine).delivery(old) is None and endpoint.posts() == 0


async def test_nothing_is_sent_before_the_endpoints_services_have_been_read(engine, endpoint, make_sender):
    endpoint.fail_next("500", call="GET services.json")
    sender = make_sender()
    reference = new_report(engine)
    assert not await sender.check_services()
    await sender.run_once()
    assert delivery(engine, reference).state == WAITING and endpoint.posts() == 0


async def test_two_senders_at_once_send_each_report_exactly_once(engine, endpoint, make_sender, set_clock):
    endpoint.fail_next("store_then_500", times=2)
    senders = [make_sender("web-1"), make_sender("web-2")]
    references = [new_report(engine, description=f"Hole number {n}") for n in range(8)]
    for sender in senders:
        await sender.check_services()

    for minutes in (0, 5, 60):
        set_clock(START + timedelta(minutes=minutes))
        await asyncio.gather(*(sender.run_once() for sender in senders))

    assert all(len(endpoint.with_reference(reference)) == 1 for reference in references)
    assert len(endpoint.stored) == 8
    assert {delivery(engine, reference).state for reference in references} == {SENT}


def test_the_wait_doubles_up_to_the_cap_with_a_random_part():
    settings = Open311Settings(retry_seconds=30, retry_cap_seconds=3600)
    assert [retry_delay(n, settings, lambda: 1.0) for n in (1, 2, 3)] == [30, 60, 120]
    assert retry_delay(1, settings, lambda: 0.0) == 15
    assert retry_delay(50, settings, lambda: 1.0) == 3600

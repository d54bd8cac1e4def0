"""Status back to the resident: "any update on SCC-..." through the real status action, with a real
database and a real Open311 endpoint (tests/open311_server.py) that the report was sent to."""

from __future__ import annotations

from typing import Any, AsyncIterator

import aiohttp
import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import context
from actions.tasks import ActionCheckStatus
from integrations.open311 import Open311Client
from integrations.open311_sender import Open311Sender, report_codes
from monitoring.schema import outcome_events
from routing.catalogue import default_catalogue
from storage.open311_outbox import Open311Outbox
from storage.reports import ReportStore
from storage.schema import ASSISTANT, open_database
from tests.actions.conftest import said, tracker
from tests.open311_server import Open311Endpoint, serving
from wiring.open311 import open311_settings


@pytest.fixture
async def endpoint(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Open311Endpoint]:
    async with serving() as found:
        monkeypatch.setenv("COUNCIL_OPEN311_URL", found.url)
        monkeypatch.setenv("COUNCIL_OPEN311_API_KEY", found.api_key)
        open311_settings.cache_clear()
        yield found
    open311_settings.cache_clear()


async def sent_report(database: str, endpoint: Open311Endpoint) -> tuple[str, str | None]:
    """A pothole report, sent to the endpoint by the real sender: its reference and back-office id."""
    engine = open_database(database, ASSISTANT)
    async with aiohttp.ClientSession() as session:
        settings = open311_settings()
        outbox = Open311Outbox(engine)
        sender = Open311Sender(outbox, Open311Client(session, settings), settings, report_codes(default_catalogue()))
        await sender.check_services()  # the connector's first start: reports from now on are sent
        reference = ReportStore(engine).create("pothole", "POTHOLE", "Hill Lane", "A deep hole").service_request_id
        await sender.run_once()
    entry = outbox.delivery(reference)
    assert entry is not None
    return reference, entry.back_office_id


async def ask(reference: str, domain: dict[str, Any]) -> str:
    dispatcher = CollectingDispatcher()
    await ActionCheckStatus().run(dispatcher, tracker(slots={"reference": reference}), domain)
    return said(dispatcher)


async def test_a_report_the_back_office_closed_is_closed_with_its_note(database, endpoint, domain):
    reference, back_office_id = await sent_report(database, endpoint)
    assert back_office_id is not None
    endpoint.set_status(back_office_id, "closed", "We filled the hole on 8 December.")

    answer = await ask(reference, domain)

    assert "closed" in answer and "We filled the hole on 8 December." in answer
    engine = open_database(database, ASSISTANT)
    [*_, last] = ReportStore(engine).history(reference)
    assert (last.stage, last.by) == ("closed", "back office")


async def test_a_new_note_on_an_open_report_moves_a_new_report_to_in_progress(database, endpoint, domain):
    reference, back_office_id = await sent_report(database, endpoint)
    assert back_office_id is not None
    assert "work has not started yet" in await ask(reference, domain)  # nothing new from the back office yet
    context._back_office.cache_clear()  # a minute later, as far as the cache is concerned
    endpoint.set_status(back_office_id, "open", "An inspector will visit on Tuesday.")

    answer = await ask(reference, domain)

    assert "being worked on" in answer and "An inspector will visit on Tuesday." in answer
    stored = ReportStore(open_database(database, ASSISTANT)).get(reference)
    assert stored is not None and stored.stage == "in_progress"


async def test_the_back_office_is_asked_at_most_once_a_minute_per_report(database, endpoint, domain):
    reference, back_office_id = await sent_report(database, endpoint)
    await ask(reference, domain)
    await ask(reference, domain)
    assert endpoint.calls.count(("GET", f"requests/{back_office_id}.json")) == 1


async def test_with_the_back_office_away_the_resident_hears_what_is_stored(database, endpoint, domain):
    reference, back_office_id = await sent_report(database, endpoint)
    endpoint.fail_next("500", call="GET requests/")

    answer = await ask(reference, domain)

    assert f"Your report {reference}" in answer and "work has not started yet" in answer


async def test_a_token_is_resolved_when_the_resident_asks(database, endpoint, domain):
    endpoint.tokens = True
    reference, back_office_id = await sent_report(database, endpoint)
    assert back_office_id is None
    [stored] = endpoint.with_reference(reference)
    endpoint.set_status(stored.service_request_id, "closed", "Repaired.")

    assert "Repaired." in await ask(reference, domain)
    entry = Open311Outbox(open_database(database, ASSISTANT)).delivery(reference)
    assert entry is not None and entry.back_office_id == stored.service_request_id


async def test_a_report_the_back_office_closed_counts_as_closed_on_the_dashboard(database, endpoint, domain):
    """Closed by the back office, not by staff: the same outcome event, with its service and band."""
    reference, back_office_id = await sent_report(database, endpoint)
    assert back_office_id is not None
    endpoint.set_status(back_office_id, "closed", "We filled the hole on 8 December.")

    await ask(reference, domain)

    key = context.outcomes().outcomes.resident_key(reference)
    context.written()
    with context.database_engine().connect() as connection:
        rows = connection.execute(
            select(outcome_events.c.kind, outcome_events.c.service, outcome_events.c.value).where(
                outcome_events.c.resident_key == key
            )
        ).all()
    assert [tuple(row) for row in rows] == [("report_closed", "pothole", "1_day")]


async def test_a_back_office_note_written_in_html_entities_still_reaches_the_resident(database, endpoint, domain):
    reference, back_office_id = await sent_report(database, endpoint)
    assert back_office_id is not None
    endpoint.set_status(back_office_id, "closed", "Fixed &amp; closed on 8 December.")

    answer = await ask(reference, domain)

    assert "Fixed & closed on 8 December." in answer
    stored = ReportStore(open_database(database, ASSISTANT)).get(reference)
    assert stored is not None and stored.stage == "closed"

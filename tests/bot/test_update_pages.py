"""Messages to residents through the web app with no GOV.UK Notify key (as ``make run``): a report
moving on reaches the local outbox, and staff read on ``/staff/messages`` the words the resident
would have received, with nothing else about them. Real HTTP, a real database, the app's own
planner and sender."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import select

from integrations import update_planner
from monitoring.schema import outcome_events
from storage.reports import ReportStore
from storage.update_contacts import UpdateContacts
from tests.bot.test_staff_inbox import ADVISER, inbox, sign_in  # noqa: F401 - inbox is a fixture

PAGE = "/staff/messages"
MOBILE = "+447700900123"


@pytest.fixture
def quick_planner(monkeypatch: pytest.MonkeyPatch) -> None:
    """The planner looks every tenth of a second (set before the app starts)."""
    monkeypatch.setattr(update_planner, "PLAN_SECONDS", 0.1)


async def test_staff_read_the_message_a_resident_would_have_had(quick_planner, inbox):  # noqa: F811
    client, _, engine = inbox
    answer = await client.get(PAGE, allow_redirects=False)
    assert answer.status == 303 and answer.headers["Location"].startswith("/staff/sign-in?next=")
    await sign_in(client, ADVISER)
    assert "No messages yet" in await (await client.get(PAGE)).text()
    report = ReportStore(engine).create("missed_bin", "MISSED_BIN", "12 Acacia Avenue", "missed again, third time")
    reference = report.service_request_id
    UpdateContacts(engine).choose(reference, "text", MOBILE, "conversation-1")
    ReportStore(engine).change_stage(reference, "in_progress", "A crew is on its way.", "morgan")
    deadline = time.monotonic() + 20
    while "Written here" not in (page := await (await client.get(PAGE)).text()):
        assert time.monotonic() < deadline, "the message never reached the local outbox"
        await asyncio.sleep(0.2)
    assert "No GOV.UK Notify key is set" in page and "Report updated" in page and "Text message" in page
    assert f"Your report {reference} about missed bin collections was updated on " in page
    for private in (MOBILE, "07700", "Acacia", "third time", "crew"):
        assert private not in page
    assert 'href="/staff/messages"' in page
    # Recorded for the dashboard as sent by text (through the recorder's outbox when it is busy).
    while ("update_sent", "text") not in recorded(engine):
        assert time.monotonic() < deadline + 10, "the sent message was never recorded"
        await asyncio.sleep(0.2)


def recorded(engine) -> list[tuple[str, str | None]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(outcome_events.c.kind, outcome_events.c.value))]

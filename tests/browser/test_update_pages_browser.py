"""The staff page "Messages to residents" in a real browser, on the whole assistant with no GOV.UK
Notify key: reached from the staff menu, showing the local outbox's message for a report that moved
on, with axe-core's WCAG 2.2 A and AA rules."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from storage.engine import open_engine
from storage.reports import ReportStore
from storage.update_contacts import UpdateContacts
from tests.browser.conftest import axe_violations
from tests.browser.test_pages import sign_in
from tests.conftest import Assistant

pytestmark = [pytest.mark.server, pytest.mark.browser]


def a_report_that_moved_on(assistant: Assistant) -> str:
    engine = open_engine(assistant.database_url)
    try:
        reports = ReportStore(engine)
        reference = reports.create("missed_bin", "MISSED_BIN", "12 Acacia Avenue", "missed again").service_request_id
        UpdateContacts(engine).choose(reference, "email", "resident@example.org", None)
        reports.change_stage(reference, "in_progress", "A crew is on its way.", "morgan")
        return reference
    finally:
        engine.dispose()


def test_staff_read_the_local_outbox_with_no_accessibility_violations(page: Page, assistant: Assistant) -> None:
    sign_in(page, assistant)
    page.get_by_role("link", name="Messages to residents").click()
    expect(page.get_by_role("heading", name="Messages to residents")).to_be_visible()
    assert axe_violations(page) == []
    reference = a_report_that_moved_on(assistant)
    deadline = time.monotonic() + 60  # the planner looks every 15 seconds, the sender every 2
    while f"Your report {reference}" not in page.content():  # written, not just waiting
        assert time.monotonic() < deadline, "the message never reached the local outbox"
        page.wait_for_timeout(1000)
        page.reload()
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Written here")
    expect(row).to_contain_text(f"Your report {reference} about missed bin collections was updated")
    assert "resident@example.org" not in page.content()
    assert axe_violations(page) == []

"""The reports queue in a real browser: axe-core (WCAG 2.2 A and AA) on the queue, on a report, and
on the report after a refused change and after a saved one; the form by keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from storage.engine import open_engine
from storage.reports import ReportStore
from tests.browser.conftest import axe_violations
from tests.browser.test_pages import sign_in
from tests.conftest import Assistant

pytestmark = [pytest.mark.server, pytest.mark.browser]


def a_report(assistant: Assistant) -> str:
    engine = open_engine(assistant.database_url)
    try:
        store = ReportStore(engine)
        reference = store.create("pothole", "POTHOLE", "outside 12 Hill Lane", "A deep hole.").service_request_id
        store.change_stage(reference, "acknowledged", "We have seen it and will inspect it.", "morgan")
        store.create("graffiti", "GRAFFITI", "Bevois Valley underpass", "Paint on the wall.")
    finally:
        engine.dispose()
    return reference


def test_the_reports_queue_and_a_report_have_no_accessibility_violations(page: Page, assistant: Assistant) -> None:
    reference = a_report(assistant)
    sign_in(page, assistant)
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", name=f"Report {reference}")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_label("In progress").check()  # no note: refused, with the error summary
    page.get_by_role("button", name="Save and update the resident").click()
    expect(page.get_by_role("alert")).to_contain_text("Write a note for the resident")
    assert axe_violations(page) == []

    page.get_by_label("In progress").check()
    page.get_by_label("Note for the resident").fill("The crew comes on Friday.")
    page.get_by_label("Note for the resident").press("Tab")
    page.keyboard.press("Enter")  # the button, reached by keyboard
    expect(page.get_by_role("alert")).to_contain_text("Saved.")
    expect(page.locator(".govuk-inset-text")).to_contain_text("The crew comes on Friday.")
    assert axe_violations(page) == []

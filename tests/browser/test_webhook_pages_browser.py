"""The managers' webhooks page in a real browser: axe-core with WCAG 2.2 A and AA rules on the page
with a subscriber and a delivery in the log, with an error, and with a new secret shown, and adding
a subscriber by keyboard only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from routing.handoffs import NewHandoff
from routing.hours import load_schedule
from storage.engine import open_engine
from storage.handoffs import HandoffStore
from tests.browser.conftest import axe_violations
from tests.browser.test_pages import sign_in
from tests.conftest import Assistant, free_port
from tests.databases import MANAGER

pytestmark = [pytest.mark.server, pytest.mark.browser]


def a_case(assistant: Assistant) -> None:
    engine = open_engine(assistant.database_url)
    try:
        HandoffStore(engine, load_schedule()).create(NewHandoff(channel="phone", mode="call_now", trigger="asked"))
    finally:
        engine.dispose()


def test_the_webhooks_page_has_no_accessibility_violations(page: Page, assistant: Assistant) -> None:
    sign_in(page, assistant, MANAGER)
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_label("Name").fill("Council CRM")
    page.get_by_label("Address to send to").fill("not an address")
    page.get_by_role("button", name="Add subscriber").click()
    expect(page.get_by_role("alert")).to_contain_text("The address must start with https://")
    assert axe_violations(page) == []

    # Nothing listens on this port: the delivery waits in the log to be tried again.
    page.get_by_label("Address to send to").fill(f"http://127.0.0.1:{free_port()}/hooks")
    page.get_by_role("button", name="Add subscriber").click()
    expect(page.get_by_label("Signing secret for Council CRM")).to_have_value(re.compile(r"^whsec_"))
    assert axe_violations(page) == []

    a_case(assistant)
    page.goto(f"{assistant.web_url}/staff/webhooks")
    expect(page.get_by_role("table").last).to_contain_text("case.created")
    assert axe_violations(page) == []


def test_a_subscriber_can_be_added_and_paused_by_keyboard_alone(page: Page, assistant: Assistant) -> None:
    sign_in(page, assistant, MANAGER)
    page.goto(f"{assistant.web_url}/staff/webhooks")
    page.get_by_label("Name").focus()
    page.keyboard.type("Reporting by keyboard")
    page.keyboard.press("Tab")
    page.keyboard.type("https://bi.example.gov.uk/in")
    page.keyboard.press("Enter")  # every event is ticked to begin with
    expect(page.get_by_role("heading", name="Reporting by keyboard added")).to_be_visible()
    pause = page.get_by_role("button", name="Pause Reporting by keyboard")
    pause.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Start again Reporting by keyboard")).to_be_visible()

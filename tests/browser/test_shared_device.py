"""A shared device in a real browser: "Exit this page" and "Clear this chat" leave nothing of the
conversation for the next person (not the page, not Back, not the cookie), by mouse or keyboard,
and the new control passes axe-core's WCAG 2.2 A and AA rules."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import axe_violations
from tests.conftest import Assistant

pytestmark = [pytest.mark.server, pytest.mark.browser]
DISCLOSURE = "my partner hits me and i'm scared to go home"
ELSEWHERE = "https://www.bbc.co.uk/weather"
BEFORE = "https://www.southampton.gov.uk/contact-us/"  # the council page the resident came from


def other_sites(route: Route) -> None:
    """The council's page and the neutral site "Exit this page" goes to, served here (no internet)."""
    route.fulfill(
        status=200, content_type="text/html", body="<!DOCTYPE html><title>Elsewhere</title><h1>Elsewhere</h1>"
    )


def disclose(page: Page, assistant: Assistant) -> None:
    page.route(re.compile(r"https://www\.(bbc\.co\.uk|southampton\.gov\.uk)/.*"), other_sites)
    page.goto(BEFORE)
    page.goto(f"{assistant.web_url}/")
    page.fill("#message", DISCLOSURE)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=re.compile("Exit this page"))).to_be_visible()
    # The button comes with a reload of the page; its keyboard shortcut is bound by the page's
    # deferred script, which may still be on its way when the button is already drawn.
    page.wait_for_load_state("load")
    expect(page.locator("#log")).to_contain_text(DISCLOSURE)


def chat_cookie(page: Page) -> list[str]:
    return [cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "chat_id"]


def nothing_left(page: Page, assistant: Assistant) -> None:
    """Back, and the chat page opened again, show none of the conversation; no chat cookie."""
    expect(page).to_have_url(ELSEWHERE)
    page.go_back()
    expect(page).to_have_url(BEFORE)  # Back skips the chat: its place in the history was replaced
    expect(page.locator("body")).not_to_contain_text(DISCLOSURE)
    page.goto(f"{assistant.web_url}/")
    expect(page.locator("#log")).not_to_contain_text(DISCLOSURE)
    assert chat_cookie(page) == []


def test_exit_this_page_leaves_nothing_behind(page: Page, assistant: Assistant) -> None:
    disclose(page, assistant)
    page.get_by_role("button", name=re.compile("Exit this page")).click()
    nothing_left(page, assistant)


def test_pressing_shift_three_times_exits_too(page: Page, assistant: Assistant) -> None:
    disclose(page, assistant)
    page.locator("h1").click()  # out of the message box
    for _ in range(3):
        page.keyboard.press("Shift")
    nothing_left(page, assistant)


def test_clear_this_chat_by_keyboard_only(page: Page, assistant: Assistant) -> None:
    page.goto(f"{assistant.web_url}/")
    expect(page.get_by_role("button", name="Clear this chat")).to_be_hidden()  # nothing to clear yet
    page.fill("#message", "how do i get a parking permit")
    page.keyboard.press("Enter")
    clear = page.get_by_role("button", name="Clear this chat")
    expect(clear).to_be_visible()
    expect(clear).to_have_accessible_description(re.compile("removes the conversation from this device"))
    assert axe_violations(page) == []
    for _ in range(30):  # Tab from the message box to the control
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Clear this chat":
            break
    expect(clear).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("This chat has been cleared from this device.")
    expect(page.locator("#log")).not_to_contain_text("parking permit")
    assert chat_cookie(page) == []
    assert axe_violations(page) == []
    page.go_back()
    expect(page.locator("#log")).not_to_contain_text("parking permit")

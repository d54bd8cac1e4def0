"""The resident's chat page and the staff inbox in a real browser: keyboard only, axe-core with
WCAG 2.2 A and AA rules, a live chat between two browser contexts, and the no-JavaScript path."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import axe_violations
from tests.conftest import Assistant
from tests.databases import ADVISER, adviser_taking_chats, make_test_staff

pytestmark = [pytest.mark.server, pytest.mark.browser]


def send(page: Page, text: str) -> None:
    page.fill("#message", text)
    page.keyboard.press("Enter")


def sign_in(page: Page, assistant: Assistant, who: tuple[str, ...] = ADVISER) -> None:
    make_test_staff(assistant.database_url)
    page.goto(f"{assistant.web_url}/staff/sign-in")
    page.fill("#username", who[0])
    page.fill("#password", who[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Queues")).to_be_visible()


def test_a_whole_conversation_by_keyboard_only(page: Page, assistant: Assistant) -> None:
    page.goto(f"{assistant.web_url}/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the message box")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_be_focused()
    page.keyboard.type("when is my bin day")
    page.keyboard.press("Enter")
    expect(page.locator("#log")).to_contain_text("postcode")
    expect(page.locator("#message")).to_be_focused()  # focus stays where the resident types
    page.keyboard.type("SO17 1BJ")
    page.keyboard.press("Enter")
    expect(page.locator("#log")).to_contain_text("collected on")
    # Quick replies are real buttons a keyboard reaches.
    page.keyboard.type("hello")
    page.keyboard.press("Enter")
    first_quick = page.locator(".chat-quick__button").first
    expect(first_quick).to_be_visible()
    first_quick.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#log")).to_contain_text("Report a problem")


def test_the_conversation_survives_a_reload(page: Page, assistant: Assistant) -> None:
    page.goto(f"{assistant.web_url}/")
    send(page, "how do i get a parking permit")
    expect(page.locator(".chat-line--assistant").first).to_be_visible()  # the reply is in, so it is stored
    page.reload()
    expect(page.locator("#log")).to_contain_text("how do i get a parking permit")


def test_the_chat_page_has_no_accessibility_violations(page: Page, assistant: Assistant) -> None:
    page.goto(f"{assistant.web_url}/")
    send(page, "hello")
    expect(page.locator(".chat-quick__button").first).to_be_visible()
    assert axe_violations(page) == []


def test_the_sign_in_page_has_no_accessibility_violations(page: Page, assistant: Assistant) -> None:
    page.goto(f"{assistant.web_url}/staff/sign-in")
    assert axe_violations(page) == []


def test_the_staff_inbox_and_a_case_have_no_accessibility_violations(page: Page, assistant: Assistant) -> None:
    resident = page.context.browser.new_context().new_page()  # type: ignore[union-attr]
    resident.goto(f"{assistant.web_url}/")
    send(resident, "i'd rather come in and see someone")
    resident.get_by_role("button", name="Visit the Gateway").click()
    expect(resident.locator("#log")).to_contain_text("Your reference is")
    sign_in(page, assistant)
    assert axe_violations(page) == []
    page.locator("a", has_text=re.compile(r"^SCC-")).first.click()
    expect(page.get_by_role("heading", name=re.compile("^Case SCC-"))).to_be_visible()
    assert axe_violations(page) == []


def test_abuse_cues_show_exit_this_page(page: Page, assistant: Assistant) -> None:
    page.goto(f"{assistant.web_url}/")
    send(page, "my partner hits me and i'm scared to go home")
    expect(page.locator("#log")).to_contain_text("999")
    expect(page.get_by_role("button", name=re.compile("Exit this page"))).to_be_visible()


def test_after_a_risk_sign_the_routes_stay_in_view_and_the_check_in_is_accessible(
    page: Page, assistant: Assistant
) -> None:
    page.goto(f"{assistant.web_url}/")
    routes = page.get_by_role("complementary", name="If you need help now")
    expect(routes).to_be_hidden()
    send(page, "i've been feeling really down lately")
    expect(page.locator("#log")).to_contain_text("Are you safe right now?")
    expect(routes).to_be_visible()
    expect(routes).to_contain_text("999")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Yes, I am safe").click()
    expect(page.locator("#log")).to_contain_text("at any time")
    page.reload()
    expect(routes).to_be_visible()  # "I'm safe" is not an all-clear: the routes stay on the page
    expect(routes).to_contain_text("116 123")


def test_without_javascript_every_message_is_a_plain_form_post(browser: Browser, assistant: Assistant) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{assistant.web_url}/")
    page.fill("#message", "how do i get a parking permit")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#log")).to_contain_text("parking permit")
    page.get_by_role("button", name="Talk to a person").click()
    expect(page.locator("#log")).to_contain_text("Which would you like?")
    context.close()


def test_a_live_chat_between_a_resident_and_an_adviser_then_back_to_the_bot(
    browser: Browser, assistant: Assistant
) -> None:
    adviser_taking_chats(assistant.database_url)
    resident = browser.new_context().new_page()
    adviser = browser.new_context().new_page()

    resident.goto(f"{assistant.web_url}/")
    send(resident, "can i talk to a person please")
    resident.get_by_role("button", name="Chat to an adviser").click()
    expect(resident.locator("#log")).to_contain_text("in the queue")
    expect(resident.locator("#live-status")).to_contain_text("You are number")

    sign_in(adviser, assistant)
    adviser.locator("#queue-webchat ~ table a").first.click()
    adviser.get_by_role("button", name="Claim this case").click()
    adviser.get_by_role("link", name="Open the live chat").click()
    adviser.fill("#message", "Hello, this is Asha. How can I help?")
    adviser.get_by_role("button", name="Send").click()

    expect(resident.locator("#log")).to_contain_text("Hello, this is Asha", timeout=15000)
    expect(resident.locator("#live-status")).to_contain_text("chatting with an adviser", timeout=15000)
    send(resident, "my bin was missed on tuesday")
    expect(adviser.locator("#live-log")).to_contain_text("my bin was missed on tuesday", timeout=15000)

    adviser.get_by_role("button", name="Hand back to the assistant").click()
    expect(resident.locator("#log")).to_contain_text("You are back with the online assistant", timeout=15000)
    send(resident, "when is my bin day")
    expect(resident.locator("#log")).to_contain_text("postcode", timeout=15000)
    resident.context.close()
    adviser.context.close()


def test_the_chat_page_reflows_at_320_pixels_and_200_percent_text(browser: Browser, assistant: Assistant) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(f"{assistant.web_url}/")
    send(page, "hello")
    expect(page.locator(".chat-quick__button").first).to_be_visible()
    page.add_style_tag(content="html { font-size: 200% !important; }")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320  # no sideways scrolling
    context.close()


def test_the_embeddable_snippet_opens_the_chat_in_a_labelled_dialog(page: Page, assistant: Assistant) -> None:
    page.goto(f"{assistant.web_url}/health")  # any page of the same site, to host the snippet
    page.set_content(
        f'<html lang="en"><body><h1>Bins</h1><script src="{assistant.web_url}/static/embed.js"></script></body></html>'
    )
    page.get_by_role("button", name="Ask the council").click()
    frame = page.frame_locator("iframe[title='Ask the council - online assistant']")
    expect(frame.get_by_role("heading", name="Ask the council")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Ask the council")).to_be_focused()


def test_without_javascript_a_quick_reply_shows_its_own_words(browser: Browser, assistant: Assistant) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{assistant.web_url}/")
    page.fill("#message", "hello")
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_role("button", name="Pay for something").click()
    expect(page.locator(".chat-line--resident").last).to_contain_text("Pay for something")
    context.close()

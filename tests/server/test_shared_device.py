"""A shared or borrowed device: the chat cookie lasts 30 minutes idle, and "Clear this chat" and
"Exit this page" make the server and this browser forget the conversation. Over real HTTP against
the running assistant (synchronous, so it runs beside the browser tests' event loop)."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import Assistant

pytestmark = pytest.mark.server
HISTORY = "how do i get a parking permit"


def browser(chat_id: str | None = None) -> requests.Session:
    """A client that keeps cookies, holding ``chat_id`` if given, as a browser that kept or copied
    the cookie would."""
    session = requests.Session()
    if chat_id:
        session.cookies.set("chat_id", chat_id)
    return session


def chat(session: requests.Session, assistant: Assistant) -> str:
    """Say something; the chat id the page gave this browser."""
    answer = session.post(f"{assistant.web_url}/", data={"message": HISTORY}, allow_redirects=False, timeout=60)
    assert answer.status_code == 303
    cookie = answer.headers["Set-Cookie"]
    assert "Max-Age=1800" in cookie and "HttpOnly" in cookie  # 30 minutes, then the browser drops it
    page = session.get(f"{assistant.web_url}/", timeout=60).text
    assert HISTORY in page and "Clear this chat" in page
    return str(session.cookies["chat_id"])


def forgets(answer: requests.Response) -> bool:
    """The response deletes the chat cookie."""
    return 'chat_id=""' in answer.headers.get("Set-Cookie", "") and "Max-Age=0" in answer.headers["Set-Cookie"]


def test_clear_this_chat_forgets_the_conversation_for_this_browser_and_any_copy(assistant: Assistant) -> None:
    session = browser()
    chat_id = chat(session, assistant)
    cleared = session.post(
        f"{assistant.web_url}/chat/clear", headers={"Accept": "text/html"}, allow_redirects=False, timeout=60
    )
    assert cleared.status_code == 303 and cleared.headers["Location"] == "/?cleared=1" and forgets(cleared)
    assert "chat_id" not in session.cookies
    page = session.get(f"{assistant.web_url}/?cleared=1", timeout=60)
    assert "This chat has been cleared from this device." in page.text and HISTORY not in page.text
    assert page.headers["Cache-Control"] == "no-store"  # Back shows no stored copy
    # Someone who kept the old cookie (or copied it) gets a fresh chat, not the history.
    copy = browser(chat_id)
    text = copy.get(f"{assistant.web_url}/", timeout=60).text
    assert HISTORY not in text and 'id="clear-chat" class="chat-clear" hidden' in text
    answer = copy.post(f"{assistant.web_url}/", data={"message": "hello"}, allow_redirects=False, timeout=60)
    assert answer.cookies["chat_id"] != chat_id  # a new conversation


def test_exit_this_page_without_javascript_clears_the_chat_then_leaves(assistant: Assistant) -> None:
    session = browser()
    chat_id = chat(session, assistant)
    answer = session.get(f"{assistant.web_url}/chat/exit", allow_redirects=False, timeout=60)
    assert answer.status_code == 303 and answer.headers["Location"] == "https://www.bbc.co.uk/weather"
    assert forgets(answer)
    assert HISTORY not in browser(chat_id).get(f"{assistant.web_url}/", timeout=60).text


def test_the_beacon_from_exit_this_page_is_answered_with_no_content(assistant: Assistant) -> None:
    session = browser()
    chat_id = chat(session, assistant)
    answer = session.post(f"{assistant.web_url}/chat/clear", timeout=60)  # what navigator.sendBeacon sends
    assert answer.status_code == 204 and forgets(answer)
    assert HISTORY not in browser(chat_id).get(f"{assistant.web_url}/", timeout=60).text

"""A shared or borrowed device: the chat cookie lasts 30 minutes idle, and "Clear this chat" and
"Exit this page" make the server and this browser forget the conversation. Over real HTTP against
the running assistant."""

from __future__ import annotations

import aiohttp
import pytest

from tests.conftest import Assistant

pytestmark = pytest.mark.server
HISTORY = "how do i get a parking permit"


def browser(chat_id: str | None = None) -> aiohttp.ClientSession:
    """A client that keeps cookies from 127.0.0.1 (aiohttp's default jar ignores an IP's), holding
    ``chat_id`` if given, as a browser that kept or copied the cookie would."""
    return aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True), cookies={"chat_id": chat_id} if chat_id else None
    )


async def chat(session: aiohttp.ClientSession, assistant: Assistant) -> str:
    """Say something; the chat id the page gave this browser."""
    answer = await session.post(f"{assistant.web_url}/", data={"message": HISTORY}, allow_redirects=False)
    assert answer.status == 303
    cookie = answer.cookies["chat_id"]
    assert cookie["max-age"] == "1800" and cookie["httponly"]  # 30 minutes, then the browser drops it
    page = await (await session.get(f"{assistant.web_url}/")).text()
    assert HISTORY in page and "Clear this chat" in page
    return cookie.value


def forgets(answer: aiohttp.ClientResponse) -> bool:
    """The response deletes the chat cookie."""
    cookie = answer.cookies.get("chat_id")
    return cookie is not None and cookie.value == "" and cookie["max-age"] == "0"


async def test_clear_this_chat_forgets_the_conversation_for_this_browser_and_any_copy(assistant: Assistant) -> None:
    async with browser() as session:
        chat_id = await chat(session, assistant)
        cleared = await session.post(
            f"{assistant.web_url}/chat/clear", headers={"Accept": "text/html"}, allow_redirects=False
        )
        assert cleared.status == 303 and cleared.headers["Location"] == "/?cleared=1" and forgets(cleared)
        page = await session.get(f"{assistant.web_url}/?cleared=1")
        text = await page.text()
        assert "This chat has been cleared from this device." in text and HISTORY not in text
        assert page.headers["Cache-Control"] == "no-store"  # Back shows no stored copy
    # Someone who kept the old cookie (or copied it) gets a fresh chat, not the history.
    async with browser(chat_id) as copy:
        text = await (await copy.get(f"{assistant.web_url}/")).text()
        assert HISTORY not in text and 'id="clear-chat" class="chat-clear" hidden' in text
        answer = await copy.post(f"{assistant.web_url}/", data={"message": "hello"}, allow_redirects=False)
        assert answer.cookies["chat_id"].value != chat_id  # a new conversation


async def test_exit_this_page_without_javascript_clears_the_chat_then_leaves(assistant: Assistant) -> None:
    async with browser() as session:
        chat_id = await chat(session, assistant)
        answer = await session.get(f"{assistant.web_url}/chat/exit", allow_redirects=False)
        assert answer.status == 303 and answer.headers["Location"] == "https://www.bbc.co.uk/weather"
        assert forgets(answer)
    async with browser(chat_id) as back:
        assert HISTORY not in await (await back.get(f"{assistant.web_url}/")).text()


async def test_the_beacon_from_exit_this_page_is_answered_with_no_content(assistant: Assistant) -> None:
    async with browser() as session:
        chat_id = await chat(session, assistant)
        answer = await session.post(f"{assistant.web_url}/chat/clear")  # what navigator.sendBeacon sends
        assert answer.status == 204 and forgets(answer)
    async with browser(chat_id) as back:
        assert HISTORY not in await (await back.get(f"{assistant.web_url}/")).text()

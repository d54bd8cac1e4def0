"""Which conversation a resident's browser is in: a random id in an HttpOnly cookie, and how a
resident on a shared device makes this browser forget it.

The cookie lasts 30 minutes from the resident's last message or page view, so the next person at a
shared or borrowed device does not find the conversation. "Clear this chat" and "Exit this page"
delete the cookie and tell the server to stop showing that conversation to anyone holding its id
(a cookie the browser kept, a copied request): the chat page then starts afresh.
"""

from __future__ import annotations

import time

from aiohttp import web

CHAT_COOKIE = "chat_id"
VIA_COOKIE = "chat_via"  # "embed" when the chat was opened from the widget on another council page
CHAT_IDLE_SECONDS = 30 * 60
EXIT_TO = "https://www.bbc.co.uk/weather"  # where "Exit this page" goes: GOV.UK's pattern suggests a neutral site
FORGOTTEN = web.AppKey("forgotten_chats", dict)  # chat id -> when it was forgotten (time.monotonic)
FORGET_FOR_SECONDS = 24 * 60 * 60  # longer than any cookie could still hold it


def chat_id_of(request: web.Request) -> str | None:
    """The conversation id from the cookie, if it has the shape we give out and was not cleared."""
    value = request.cookies.get(CHAT_COOKIE, "")
    if not (value.isalnum() and 16 <= len(value) <= 64):
        return None
    return None if value in request.app.get(FORGOTTEN, {}) else value


def remember_chat(response: web.StreamResponse, chat_id: str) -> None:
    """Keep the conversation in this browser for 30 more minutes."""
    response.set_cookie(CHAT_COOKIE, chat_id, httponly=True, samesite="Lax", max_age=CHAT_IDLE_SECONDS)


def forget_chat(request: web.Request, response: web.StreamResponse) -> None:
    """Make this browser (and anyone else holding its id) forget the conversation."""
    forgotten: dict[str, float] = request.app[FORGOTTEN]
    now = time.monotonic()
    for old in [chat for chat, when in forgotten.items() if now - when > FORGET_FOR_SECONDS]:
        del forgotten[old]
    chat_id = chat_id_of(request)
    if chat_id:
        forgotten[chat_id] = now
    for name in (CHAT_COOKIE, VIA_COOKIE):
        response.del_cookie(name)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Clear-Site-Data"] = '"cache"'  # no copy of the conversation left in this browser's cache


async def clear_chat(request: web.Request) -> web.StreamResponse:
    """``POST /chat/clear``: the "Clear this chat" button, and the beacon "Exit this page" sends.
    A form post goes back to a fresh chat page; a script's request gets 204."""
    response: web.StreamResponse
    if "text/html" in request.headers.get("Accept", ""):
        response = web.HTTPSeeOther("/?cleared=1")
    else:
        response = web.Response(status=204)
    forget_chat(request, response)
    if isinstance(response, web.HTTPSeeOther):
        raise response
    return response


async def exit_page(request: web.Request) -> web.StreamResponse:
    """``/chat/exit``: "Exit this page" without JavaScript: forget the chat, then leave quickly."""
    response = web.HTTPSeeOther(EXIT_TO)
    forget_chat(request, response)
    raise response


def add_chat_session_routes(app: web.Application) -> None:
    """Register the clear and exit routes, with the list of forgotten conversations."""
    app[FORGOTTEN] = {}
    app.router.add_post("/chat/clear", clear_chat)
    app.router.add_route("*", "/chat/exit", exit_page)

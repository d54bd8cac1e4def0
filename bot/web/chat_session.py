"""Which conversation a resident's browser is in: a random id in an HttpOnly cookie, and how a
resident on a shared device makes this browser forget it.

The cookie lasts 30 minutes from the resident's last message or page view, so the next person at a
shared or borrowed device does not find the conversation. "Clear this chat" and "Exit this page"
delete the cookie and tell the server to stop showing that conversation to anyone holding its id
(a cookie the browser kept, a copied request): the chat page then starts afresh. That list is in
the web process's memory, or in Redis in the scale-out, so every web process refuses the id.
"""

from __future__ import annotations

import time

from aiohttp import web

CHAT_COOKIE = "chat_id"
VIA_COOKIE = "chat_via"  # "embed" when the chat was opened from the widget on another council page
CHAT_IDLE_SECONDS = 30 * 60
EXIT_TO = "https://www.bbc.co.uk/weather"  # where "Exit this page" goes: GOV.UK's pattern suggests a neutral site
FORGET_FOR_SECONDS = 24 * 60 * 60  # longer than any cookie could still hold it


class ForgottenChats:
    """The conversations residents cleared, in this process (the embedded profile's one web app)."""

    def __init__(self) -> None:
        self._when: dict[str, float] = {}  # chat id -> when it was forgotten (time.monotonic)

    def forget(self, chat_id: str) -> None:
        """Refuse ``chat_id`` from now on (for ``FORGET_FOR_SECONDS``)."""
        now = time.monotonic()
        for old in [chat for chat, when in self._when.items() if now - when > FORGET_FOR_SECONDS]:
            del self._when[old]
        self._when[chat_id] = now

    def __contains__(self, chat_id: object) -> bool:
        return chat_id in self._when


class RedisForgottenChats(ForgottenChats):
    """The conversations residents cleared, in Redis: every web process of the scale-out refuses them."""

    def __init__(self, redis_url: str, prefix: str) -> None:
        super().__init__()
        import redis

        self._redis = redis.from_url(redis_url, socket_timeout=2)
        self._prefix = f"{prefix}:forgotten-chat:"

    def forget(self, chat_id: str) -> None:
        """Refuse ``chat_id`` in every web process, for ``FORGET_FOR_SECONDS`` (Redis expires it)."""
        self._redis.set(self._prefix + chat_id, "1", ex=FORGET_FOR_SECONDS)

    def __contains__(self, chat_id: object) -> bool:
        return bool(self._redis.exists(f"{self._prefix}{chat_id}"))


FORGOTTEN = web.AppKey("forgotten_chats", ForgottenChats)


def chat_id_of(request: web.Request) -> str | None:
    """The conversation id from the cookie, if it has the shape we give out and was not cleared."""
    value = request.cookies.get(CHAT_COOKIE, "")
    if not (value.isalnum() and 16 <= len(value) <= 64):
        return None
    forgotten = request.app.get(FORGOTTEN)
    return None if forgotten is not None and value in forgotten else value


def remember_chat(response: web.StreamResponse, chat_id: str) -> None:
    """Keep the conversation in this browser for 30 more minutes."""
    response.set_cookie(CHAT_COOKIE, chat_id, httponly=True, samesite="Lax", max_age=CHAT_IDLE_SECONDS)


def forget_chat(request: web.Request, response: web.StreamResponse) -> None:
    """Make this browser (and anyone else holding its id) forget the conversation."""
    chat_id = chat_id_of(request)
    if chat_id:
        request.app[FORGOTTEN].forget(chat_id)
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


def add_chat_session_routes(app: web.Application, forgotten: ForgottenChats) -> None:
    """Register the clear and exit routes, with the list of ``forgotten`` conversations."""
    app[FORGOTTEN] = forgotten
    app.router.add_post("/chat/clear", clear_chat)
    app.router.add_route("*", "/chat/exit", exit_page)

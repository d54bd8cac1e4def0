"""Which conversation a resident's browser is in: a random id in an HttpOnly cookie."""

from __future__ import annotations

from aiohttp import web

CHAT_COOKIE = "chat_id"


def chat_id_of(request: web.Request) -> str | None:
    """The conversation id from the cookie, if it has the shape we give out."""
    value = request.cookies.get(CHAT_COOKIE, "")
    return value if value.isalnum() and 16 <= len(value) <= 64 else None

"""A form that cannot be read is the sender's mistake: a 400 with a plain message, never a 500.

aiohttp parses a form body only when a handler asks for it, and then a broken one (multipart with
no boundary or cut off, bytes that are not UTF-8, an unknown charset) raises an error the handler
does not expect (aiohttp answers 500). This middleware reads the form first, so only the parsing is judged here; the
parsed form is kept, and the handler's own ``request.post()`` gets it.
"""

from __future__ import annotations

from typing import Awaitable, Callable

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
UNREADABLE = "Sorry, we could not read what was sent. Please go back, reload the page and try again."


@web.middleware
async def readable_forms(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Parse a posted form before the handler runs; a broken one is answered with a 400."""
    if request.method == "POST" and request.content_type in FORMS:
        try:
            await request.post()
        # What aiohttp's parsers raise for a broken body (AssertionError: a multipart cut off).
        except (ValueError, LookupError, AssertionError, HttpProcessingError):
            raise web.HTTPBadRequest(text=UNREADABLE) from None
    return await handler(request)

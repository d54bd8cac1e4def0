"""How a change to a case that cannot be made is answered over HTTP: one mapping from the case
service's errors to a status and a plain message, for the staff pages and the JSON API alike.

No such case is 404; a case whose status (or holder) does not allow the change now is 409 (someone
else claimed it, it is a colleague's, it is already closed); anything else refused is 400 (an empty
note, an unknown outcome). The JSON API answers ``{"error": message}``; the staff pages show the
case page with the message (or, for no such case, the problem page).
"""

from __future__ import annotations

from aiohttp import web

from bot.web.staff_auth import api_error
from routing.handoffs import CaseNotFound, HandoffError, InvalidTransition

NO_SUCH_CASE = "No case has that reference."


def refusal(error: HandoffError) -> tuple[type[web.HTTPException], str]:
    """The HTTP answer for ``error`` (its kind) and the message to show."""
    if isinstance(error, CaseNotFound):
        return web.HTTPNotFound, NO_SUCH_CASE
    if isinstance(error, InvalidTransition):  # AlreadyClaimed and NotYours too
        return web.HTTPConflict, str(error)
    return web.HTTPBadRequest, str(error)


def json_refusal(error: HandoffError) -> web.HTTPException:
    """The JSON API's answer: ``{"error": ...}`` with the status."""
    kind, message = refusal(error)
    return api_error(kind, message)


def page_refusal(error: HandoffError) -> web.HTTPException:
    """A staff page's answer when there is no case page to show it on (the problem page)."""
    kind, message = refusal(error)
    return kind(text=message)

"""The web app's side of outcome recording: what staff do with a handoff case, and a resident
leaving the live chat queue.

Events here carry the case's key, not a conversation's: the ``handoff_accepted`` event recorded in
the conversation ties the case to it when outcomes are derived.
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from bot.web.staff_auth import HANDOFFS
from monitoring.events import EventKind
from monitoring.recorder import Outcomes
from routing import clock
from routing.handoffs import HandoffCase

OUTCOMES = web.AppKey("outcomes", Outcomes)
CLOSING_EVENTS = {
    "resolved": EventKind.RESOLVED,
    "unable_to_contact": EventKind.UNABLE_TO_CONTACT,
    "no_show": EventKind.NO_SHOW,
}


def record_case(request: web.Request, case: HandoffCase, kind: EventKind, value: str | None = None) -> None:
    """Record an event about a case; the case's key ties it to the conversation it came from."""
    if case.conversation_id:
        request.app[OUTCOMES].record(
            case.conversation_id, kind, case=case.reference, handoff_channel=case.channel, value=value
        )


def contact_timing(case: HandoffCase, at: datetime) -> str:
    """Whether contact at ``at`` met the case's pick-up deadline."""
    return "on_time" if at <= case.sla_due_at else "late"


def record_first_contact(request: web.Request, case: HandoffCase, staff: str) -> None:
    """Staff reached the resident (an adviser's chat message): recorded the first time only, as the
    case's own history says."""
    at = clock.now()
    if request.app[HANDOFFS].record_contact(case.reference, staff, now=at):
        record_case(request, case, EventKind.CONTACT_MADE, value=contact_timing(case, at))


def record_closed(request: web.Request, case: HandoffCase) -> None:
    """Record how a case ended (a cancellation is not an outcome of contact, so it is not counted).

    A case resolved without contact noted before (a call back made, a Gateway visit held) had its
    contact when it was resolved, so that is recorded first.
    """
    if case.status == "resolved" and not case.contacted:
        record_case(request, case, EventKind.CONTACT_MADE, value=contact_timing(case, case.closed_at or clock.now()))
    if case.status in CLOSING_EVENTS:
        record_case(request, case, CLOSING_EVENTS[case.status])


def record_left_queue(request: web.Request, case: HandoffCase) -> None:
    """The resident stopped waiting in the live chat queue, or the queue timed out for them."""
    record_case(request, case, EventKind.ABANDONED, value="queue")

"""The web app's side of outcome recording: what staff do with a handoff case."""

from __future__ import annotations

from aiohttp import web

from monitoring.events import EventKind
from monitoring.recorder import Outcomes
from routing.handoffs import HandoffCase

OUTCOMES = web.AppKey("outcomes", Outcomes)
CLOSING_EVENTS = {
    "resolved": EventKind.RESOLVED,
    "unable_to_contact": EventKind.UNABLE_TO_CONTACT,
    "no_show": EventKind.NO_SHOW,
}


def record_case(request: web.Request, case: HandoffCase, kind: EventKind) -> None:
    """Record an event about a case, keyed to the resident's conversation."""
    if case.conversation_id:
        request.app[OUTCOMES].record(case.conversation_id, kind, handoff_channel=case.channel)


def record_closed(request: web.Request, case: HandoffCase) -> None:
    """Record how a case ended (a cancellation is not an outcome of contact, so it is not counted)."""
    if case.status in CLOSING_EVENTS:
        record_case(request, case, CLOSING_EVENTS[case.status])

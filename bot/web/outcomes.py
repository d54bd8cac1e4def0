"""What the web app records about a handoff case: what staff do with it, and a resident leaving the
live chat queue. Only the case service (``bot/web/cases.py``) calls these, so no change to a case
can forget them.

Events here carry the case's key, not a conversation's: the ``handoff_accepted`` event recorded in
the conversation ties the case to it when outcomes are derived.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from monitoring.events import EventKind
from monitoring.recorder import Outcomes
from routing import clock
from routing.handoffs import HandoffCase

CLOSING_EVENTS = {
    "resolved": EventKind.RESOLVED,
    "unable_to_contact": EventKind.UNABLE_TO_CONTACT,
    "no_show": EventKind.NO_SHOW,
}


def record_case(outcomes: Outcomes, case: HandoffCase, kind: EventKind, value: str | None = None) -> None:
    """Record an event about a case; the case's key ties it to the conversation it came from."""
    if case.conversation_id:
        outcomes.record(case.conversation_id, kind, case=case.reference, handoff_channel=case.channel, value=value)


def contact_timing(case: HandoffCase, at: datetime) -> str:
    """Whether contact at ``at`` met the case's pick-up deadline."""
    return "on_time" if at <= case.sla_due_at else "late"


def record_first_contact(outcomes: Outcomes, case: HandoffCase, at: datetime) -> None:
    """Staff reached the resident at ``at`` for the first time (as the case's own history says)."""
    record_case(outcomes, case, EventKind.CONTACT_MADE, value=contact_timing(case, at))


def record_closed(
    outcomes: Outcomes, case: HandoffCase, reminded: Callable[[str], bool | None] | None = None
) -> None:  # fmt: skip
    """Record how a case ended (a cancellation is not an outcome of contact, so it is not counted).

    A case resolved without contact noted before (a call back made, a Gateway visit held) had its
    contact when it was resolved, so that is recorded first. A no-show says whether the resident had
    a reminder (``reminded(reference)``, see ``bot.web.reminders_seen``); without that, or when it
    cannot be told, it is recorded without, as before reminders were tracked.
    """
    if case.status == "resolved" and not case.contacted:
        record_first_contact(outcomes, case, case.closed_at or clock.now())
    if case.status == "no_show":
        seen = reminded(case.reference) if reminded else None
        value = None if seen is None else ("reminded" if seen else "not_reminded")
        record_case(outcomes, case, EventKind.NO_SHOW, value=value)
    elif case.status in CLOSING_EVENTS:
        record_case(outcomes, case, CLOSING_EVENTS[case.status])


def record_left_queue(outcomes: Outcomes, case: HandoffCase) -> None:
    """The resident stopped waiting in the live chat queue, or the queue timed out for them."""
    record_case(outcomes, case, EventKind.ABANDONED, value="queue")

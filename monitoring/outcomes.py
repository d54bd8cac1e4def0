"""One outcome per conversation, derived from its events when read.

Precedence, highest first, so every conversation lands in exactly one outcome and every rate has a
clear numerator:

1. ``safeguarding``: a risk was escalated;
2. ``handed_off_resolved``: a person took it and resolved it;
3. ``handed_off_unresolved``: a person could not reach the resident, they did not come, or they
   gave up waiting in the queue;
4. ``handed_off``: accepted a person, not closed yet;
5. ``resolved_by_bot``: a report made, a payment or application link given, or an information
   question answered;
6. ``abandoned``: none of these.
"""

from __future__ import annotations

from typing import Iterable

from monitoring.events import EventKind

OUTCOMES = (
    "safeguarding",
    "handed_off_resolved",
    "handed_off_unresolved",
    "handed_off",
    "resolved_by_bot",
    "abandoned",
)
BOT_RESOLUTIONS = {EventKind.REPORT_CREATED, EventKind.PAYMENT_SIGNPOSTED, EventKind.APPLICATION_SIGNPOSTED}


INFORMATION_INTENT = "get_information"  # its intent event is recorded once the answer is given


def derive_outcome(kinds: Iterable[EventKind], information_given: bool = False) -> str:
    """The conversation's outcome from the kinds of event it had (see the module's precedence)."""
    seen = set(kinds)
    if EventKind.SAFEGUARDING_ESCALATED in seen:
        return "safeguarding"
    if EventKind.HANDOFF_ACCEPTED in seen:
        if EventKind.RESOLVED in seen:
            return "handed_off_resolved"
        if seen & {EventKind.UNABLE_TO_CONTACT, EventKind.NO_SHOW, EventKind.ABANDONED}:
            return "handed_off_unresolved"
        return "handed_off"
    if seen & BOT_RESOLUTIONS or information_given:
        return "resolved_by_bot"
    return "abandoned"

""" "How would you like to hear back?": the question that follows a reference.

``offer_updates`` is called by the actions that give a reference (a report, a booked call back or
Gateway visit, a complaint, a recorded change). It starts ``updates_form`` (``actions.updates_form``:
kept apart so the actions that give references need not import it), which asks for the way
(``update_channel``: text, email, letter or none) and, for all but none, the number or address
(``update_contact``, checked by ``routing.updates.check_contact``). Asking is the consent: nothing
is kept unless the resident chooses a way. The wording is ``routing.update_replies``.
"""

from __future__ import annotations

import logging
from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet

from actions.context import NOT_FORM_QUESTIONS, database_engine, record, shows_risk, view
from monitoring.events import EventKind
from routing.update_replies import NONE
from storage.update_contacts import UpdateContacts

logger = logging.getLogger(__name__)

FORM = "updates_form"
REFERENCE, CHANNEL, CONTACT = "updates_reference", "update_channel", "update_contact"
UPDATE_SLOTS = (REFERENCE, CHANNEL, CONTACT)
# A turn with any of these is about the resident's safety: it asks nothing else.
SAFETY_STEPS = {*NOT_FORM_QUESTIONS, "action_safeguarding_followup"}


def offer_updates(tracker: Tracker, reference: str) -> List[EventType]:
    """Events that ask how the resident would like to hear about ``reference`` on this turn, as the
    turn's one question (the caller leaves out the offer of help to get online: ``finish_task``
    with ``offer_due=False``). None on a turn about the resident's safety."""
    if not reference or shows_risk(tracker.latest_message) or SAFETY_STEPS & set(view(tracker).steps_since_message()):
        return [SlotSet(REFERENCE, None)]
    # The follow-up runs the form next, before any other policy's choice (a consent question waits).
    return [SlotSet(REFERENCE, reference), SlotSet(CHANNEL, None), SlotSet(CONTACT, None), FollowupAction(FORM)]


def asking(events: List[EventType]) -> bool:
    """True when ``offer_updates`` returned events that ask the question."""
    return any(event.get("event") == "followup" for event in events)


def record_status_asked(tracker: Tracker, reference: str) -> None:
    """Record that the resident asked about ``reference``, and whether updates were chosen for it
    (repeat contact with and without updates, for the monitoring)."""
    try:
        found = UpdateContacts(database_engine()).get(reference)
    except Exception:
        logger.exception("Could not read the choice of updates")
        return
    value = "updates_on" if found is not None and found.channel != NONE else "no_updates"
    record(tracker, EventKind.STATUS_ASKED, case=reference, value=value)

"""Changing a handoff after it is made: cancelling it, or moving a call back or appointment.

Moving is a small form (``rebook_form``): which booking (a reference given, or this conversation's
open one), then which new time. The move happens when the time is chosen, so a time someone else
took a moment earlier is explained and asked again; the old time is kept until the new one is held.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import handoff_store, latest_text, say
from actions.handoff import NOT_A_TIME, SLOT_KINDS, chosen_slot_key, council_phone, free_slots
from routing import clock
from routing.answers import Reply
from routing.bookings import SlotUnavailable, parse_slot_key
from routing.complaints import MODE as COMPLAINT
from routing.handoff_replies import (
    ASK_BOOKING_REFERENCE,
    DID_NOT_CATCH_THE_TIME,
    TIME_TAKEN_NOT_MOVED,
    ask_slot,
    booking_cancelled,
    cancel_passed_on,
    case_status,
    moved,
    no_slots,
    nothing_to_cancel,
)
from routing.handoffs import HandoffCase, InvalidTransition
from routing.references import find_reference
from wiring.settings import channel_schedule


def case_reference(tracker: Tracker) -> str | None:
    """The handoff the resident means: a reference they gave, else this conversation's open one
    (never a complaint: "cancel it" means a call back or a visit; a complaint is named by its reference)."""
    for value in tracker.get_latest_entity_values("reference"):
        found = find_reference(str(value)).reference
        if found:
            return found
    found = find_reference(latest_text(tracker)).reference
    if found:
        return found
    open_cases = [case for case in handoff_store().open_for_conversation(tracker.sender_id) if case.mode != COMPLAINT]
    if open_cases:
        return open_cases[0].reference
    return tracker.get_slot("handoff_reference")


def own_case(tracker: Tracker) -> HandoffCase | None:
    """The handoff the resident means, if it was booked in this conversation.

    References are read out and printed, so knowing one is not proof: a booking made elsewhere
    (another device, or by phone) is changed by calling us, not here.
    """
    reference = case_reference(tracker)
    case = handoff_store().find(reference) if reference else None
    return case if case is not None and case.conversation_id == tracker.sender_id else None


def _movable(case: HandoffCase | None) -> bool:
    return case is not None and case.status == "queued" and case.mode in SLOT_KINDS


class ActionCancelHandoff(Action):
    """Cancels a call back, appointment or queue place, and frees the time for someone else."""

    def name(self) -> str:
        return "action_cancel_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        case = own_case(tracker)
        if case is None:
            say(dispatcher, tracker, [nothing_to_cancel(council_phone())])
            return []
        try:
            cancelled = handoff_store().cancel_by_resident(case.reference, now=clock.now())
        except InvalidTransition:
            say(dispatcher, tracker, [Reply(case_status(case, channel_schedule(), clock.now()).text)])
            return []
        done = cancelled.status == "cancelled"
        say(dispatcher, tracker, [booking_cancelled(case.reference) if done else cancel_passed_on(case.reference)])
        return [SlotSet("handoff_reference", None)]


class ActionAskRebooking(Action):
    """Asks which booking to move, when the resident did not say and has none open here."""

    def name(self) -> str:
        return "action_ask_rebooking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say(dispatcher, tracker, [ASK_BOOKING_REFERENCE])
        return []


class ActionAskRebookSlot(Action):
    """Offers the next free times for the booking being moved."""

    def name(self) -> str:
        return "action_ask_rebook_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        case = handoff_store().get(str(tracker.get_slot("rebooking")))
        slots = free_slots(case.mode)
        if not slots:
            say(dispatcher, tracker, [no_slots(case.mode, council_phone())])
            return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("rebooking", None)]
        say(dispatcher, tracker, [ask_slot(case.mode, slots, channel_schedule(), clock.now())])
        return []


class ValidateRebookForm(FormValidationAction):
    """Finds the booking to move, then moves it to the chosen time."""

    def name(self) -> str:
        return "validate_rebook_form"

    async def extract_rebooking(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if tracker.get_slot("requested_slot") not in (None, "rebooking") or tracker.get_slot("rebooking"):
            return {}
        case = own_case(tracker)
        return {"rebooking": case.reference if case else "unknown"}

    def validate_rebooking(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A booking that can still be moved, with free times to move it to."""
        case = handoff_store().find(str(value))
        if not _movable(case):
            if case is not None:
                say(dispatcher, tracker, [Reply(case_status(case, channel_schedule(), clock.now()).text)])
            return {"rebooking": None}
        assert case is not None
        return {"rebooking": case.reference}

    async def extract_rebook_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if tracker.get_slot("requested_slot") != "rebook_slot":
            return {}
        case = handoff_store().find(str(tracker.get_slot("rebooking")))
        return {"rebook_slot": chosen_slot_key(tracker, case.mode if case else "callback")}

    def validate_rebook_slot(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Move the booking now; a time that is not free is explained and asked again."""
        if value == NOT_A_TIME:
            say(dispatcher, tracker, [DID_NOT_CATCH_THE_TIME])
            return {"rebook_slot": None}
        try:
            handoff_store().rebook(str(tracker.get_slot("rebooking")), parse_slot_key(str(value)), now=clock.now())
        except (SlotUnavailable, InvalidTransition):
            say(dispatcher, tracker, [TIME_TAKEN_NOT_MOVED])
            return {"rebook_slot": None}
        return {"rebook_slot": str(value)}


class ActionRebookDone(Action):
    """Confirms the new time."""

    def name(self) -> str:
        return "action_rebook_done"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        case = handoff_store().find(str(tracker.get_slot("rebooking")))
        if case is not None and tracker.get_slot("rebook_slot"):
            say(dispatcher, tracker, [moved(case, channel_schedule(), clock.now())])
        return [SlotSet("rebooking", None), SlotSet("rebook_slot", None)]

"""Handing a resident to a person: offer the channels that work for them now, book, give a reference.
(Changing or cancelling a handoff afterwards: ``actions/handoff_changes.py``.)

The ``handoff_form`` asks which way (``handoff_channel``), then for a call back the number and a
time, or for a Gateway appointment a time. The case is created when the last answer is in, so a
time taken by someone else a moment earlier is caught while the question can still be asked again.
The decisions and the wording live in ``routing``; these actions only read the tracker and reply.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import (
    catalogue,
    forget_task_slots,
    handoff_store,
    latest_text,
    record,
    say,
    staff_accounts,
)
from monitoring.events import EventKind
from routing import clock
from routing.answers import Reply
from routing.bookings import KINDS, Slot, SlotUnavailable, parse_slot_key
from routing.channels import NO_VOICE, Capacity, ChannelOption, HandoffContext, decide_channels
from routing.handoff_replies import (
    ASK_NUMBER,
    ask_slot,
    channel_from_text,
    confirmation,
    no_slots,
    not_offered,
    offer,
    pick_option,
    slot_from_text,
)
from routing.handoffs import HandoffCase, NewHandoff
from routing.hours import default_schedule
from routing.live_chat import wait_estimate
from routing.phone_numbers import check_uk_number
from routing.tasks import TASK_INTENTS

HANDOFF_SLOTS = ("handoff_channel", "handoff_mode", "callback_number", "handoff_slot")
FORM_VALUES = ("service", "location", "description", "postcode", "reference")
SLOT_KINDS = ("callback", "appointment")
NOT_A_TIME = "unknown"
DID_NOT_CATCH_THE_TIME = "Sorry, I did not catch which time. Please choose one of the times below."


def _user_events(tracker: Tracker) -> List[Dict[str, Any]]:
    return [event for event in tracker.events if event.get("event") == "user"]


def conversation_needs(tracker: Tracker) -> List[Dict[str, Any]]:
    """Every support need seen in the conversation, first sighting of each category."""
    seen: Dict[str, Dict[str, Any]] = {}
    for event in _user_events(tracker):
        for need in (event.get("parse_data") or {}).get("support_needs") or []:
            seen.setdefault(str(need.get("category")), dict(need))
    return list(seen.values())


def _trigger(tracker: Tracker, needs: List[Dict[str, Any]]) -> str:
    actions = [event.get("name") for event in tracker.events if event.get("event") == "action"]
    if any(need.get("category") == "safeguarding" for need in needs):
        return "safeguarding"
    if actions.count("action_fallback") + actions.count("action_default_fallback") >= 2 or (
        "action_offer_support" in actions
    ):
        return "repeated_failure"
    if "action_acknowledge_need" in actions:
        return "detected_need"
    return "asked"


def _task_intent(tracker: Tracker) -> str | None:
    for event in reversed(_user_events(tracker)):
        name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if name in TASK_INTENTS:
            return str(name)
    return None


def handoff_context(tracker: Tracker, preference: str | None = None) -> HandoffContext:
    """What the channel decision needs, read from the conversation and the live capacity."""
    needs = conversation_needs(tracker)
    adjustments = {str(need["adjustment"]) for need in needs if need.get("adjustment")}
    adjustments |= {str(text) for text in tracker.get_slot("adjustments") or []}
    return HandoffContext(
        now=clock.now(),
        needs=frozenset(str(need.get("category")) for need in needs),
        adjustments=frozenset(adjustments),
        intent=_task_intent(tracker),
        service=tracker.get_slot("service"),
        preference=preference,
        capacity=Capacity(staff_accounts().advisers_online(), handoff_store().webchat_waiting()),
    )


def offered_options(tracker: Tracker) -> List[ChannelOption]:
    """The ways to reach a person that fit this resident now, best first."""
    return decide_channels(handoff_context(tracker), default_schedule(), catalogue().council)


def transcript(tracker: Tracker) -> List[Dict[str, str]]:
    """The conversation as staff will read it (the store removes card numbers again on the way in)."""
    turns = []
    for event in tracker.events:
        if event.get("event") == "user" and event.get("text"):
            turns.append({"who": "resident", "text": str(event["text"])})
        elif event.get("event") == "bot" and event.get("text"):
            turns.append({"who": "assistant", "text": str(event["text"])})
    return turns


def summary(tracker: Tracker, needs: List[Dict[str, Any]], option: ChannelOption) -> Dict[str, Any]:
    """The automatic summary: what they wanted, what they told the forms, their needs and cue words."""
    intent = _task_intent(tracker)
    service = catalogue().get(tracker.get_slot("service"))
    wanted = {
        "report_issue": "Report a problem",
        "make_payment": "Pay for something",
        "apply_for_service": "Apply for something",
        "get_information": "Find information",
        "check_status": "Check on a report",
    }.get(intent or "", "Talk to a person")
    if service is not None:
        wanted += f": {service.name}"
    form = {slot: tracker.get_slot(slot) for slot in FORM_VALUES if tracker.get_slot(slot)}
    return {
        "wanted": wanted,
        "form": form,
        "needs": [{"category": need.get("category"), "cue": need.get("cue") or need.get("evidence")} for need in needs],
        "chosen": option.title,
        "first_offer": offered_options(tracker)[0].title,
    }


def create_case(tracker: Tracker, option: ChannelOption, slot_start: datetime | None = None) -> HandoffCase:
    """Store the handoff case for this conversation (booking the time, if any)."""
    needs = conversation_needs(tracker)
    new = NewHandoff(
        channel=option.channel,
        mode=option.mode,
        trigger=_trigger(tracker, needs),
        conversation_id=tracker.sender_id,
        service_code=tracker.get_slot("service"),
        intent=_task_intent(tracker),
        summary=summary(tracker, needs, option),
        needs=needs,
        adjustments=list(tracker.get_slot("adjustments") or []),
        transcript=transcript(tracker),
        callback_number=tracker.get_slot("callback_number"),
    )
    case = handoff_store().create(new, slot_start=slot_start, now=clock.now())
    record(
        tracker,
        EventKind.HANDOFF_ACCEPTED,
        case=case.reference,
        handoff_channel=case.channel,
        service=case.service_code,
    )
    return case


def _option_from_slots(tracker: Tracker) -> ChannelOption | None:
    channel, mode = tracker.get_slot("handoff_channel"), tracker.get_slot("handoff_mode")
    if not channel:
        return None
    options = offered_options(tracker)
    chosen = pick_option(options, channel, mode)
    if chosen is None and mode in SLOT_KINDS and channel == KINDS[mode]:
        # Open now, but they asked to book: booking is always possible for these channels (and only
        # these: a made-up payload cannot turn a booking into an urgent case).
        titles = {"callback": "Call me back", "appointment": "Book a Gateway visit"}
        return ChannelOption(channel, mode, "", titles[mode])
    return chosen


def free_slots(kind: str) -> List[Slot]:
    """The next free times of this kind."""
    return handoff_store().slots.free_slots(kind, clock.now())


def chosen_slot_key(tracker: Tracker, kind: str) -> str:
    """The time the resident picked: a button's ``slot_key``, or words matching an offered time."""
    key = next(tracker.get_latest_entity_values("slot_key"), None)
    if key is not None:
        return str(key)
    slot = slot_from_text(latest_text(tracker), free_slots(kind), default_schedule(), clock.now())
    return slot.key if slot else NOT_A_TIME


class ActionAskHandoffChannel(Action):
    """Offers the ways to reach a person that work for this resident now, with a reason for each."""

    def name(self) -> str:
        return "action_ask_handoff_channel"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        options = offered_options(tracker)
        say(dispatcher, tracker, offer(options, _trigger(tracker, conversation_needs(tracker))))
        schedule, moment = default_schedule(), clock.now()
        in_hours = any(schedule.is_open(channel, moment) for channel in ("phone", "gateway"))
        for channel in dict.fromkeys(option.channel for option in options):
            record(tracker, EventKind.HANDOFF_OFFERED, handoff_channel=channel, in_hours=in_hours)
        return []


class ActionAskCallbackNumber(Action):
    """Asks for the number to call back."""

    def name(self) -> str:
        return "action_ask_callback_number"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say(dispatcher, tracker, [ASK_NUMBER])
        return []


class ActionAskHandoffSlot(Action):
    """Offers the next free call-back windows or Gateway appointments as buttons."""

    def name(self) -> str:
        return "action_ask_handoff_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        kind = tracker.get_slot("handoff_mode")
        say(dispatcher, tracker, [ask_slot(kind, free_slots(kind), default_schedule(), clock.now())])
        return []


class ValidateHandoffForm(FormValidationAction):
    """Reads the chosen way, the number and the time, and creates the case once all are in."""

    def name(self) -> str:
        return "validate_handoff_form"

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        """Only what the chosen way needs: a number and a time for a call back, a time for a visit."""
        # The mode is always set with the channel; listing it lets its value through validation.
        mode = tracker.get_slot("handoff_mode")
        if mode == "callback":
            return ["handoff_channel", "handoff_mode", "callback_number", "handoff_slot"]
        if mode == "appointment":
            return ["handoff_channel", "handoff_mode", "handoff_slot"]
        return ["handoff_channel", "handoff_mode"]

    async def extract_handoff_channel(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A button's entities, or the channel named in a typed answer."""
        asked = tracker.get_slot("requested_slot")
        channel = next(tracker.get_latest_entity_values("channel"), None)
        mode = next(tracker.get_latest_entity_values("mode"), None)
        # A button (``/request_human{"channel": ...}``) can start the form with the choice made.
        if asked != "handoff_channel" and not (asked is None and channel):
            return {}
        if channel is None:
            named = channel_from_text(latest_text(tracker))
            if named is None:
                say(dispatcher, tracker, [Reply(not_offered("").text)])
                return {"handoff_channel": None}
            channel, mode = named
        return {"handoff_channel": channel, "handoff_mode": mode}

    def validate_handoff_channel(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Accept a way that was offered; a closed or unsuitable one is explained, then asked again."""
        if not value:
            return {"handoff_channel": None, "handoff_mode": None}
        mode = tracker.get_slot("handoff_mode")
        if value == "phone" and mode == "callback" and handoff_context(tracker).wants(NO_VOICE):
            say(
                dispatcher,
                tracker,
                [Reply(not_offered("We cannot call you by voice, but chat and Relay UK work. ").text)],
            )
            return {"handoff_channel": None, "handoff_mode": None}
        chosen = _option_from_slots(tracker)
        if chosen is None:
            reason = "That way is not open right now. " if value in ("webchat", "phone", "gateway") else ""
            say(dispatcher, tracker, [Reply(not_offered(reason).text)])
            return {"handoff_channel": None, "handoff_mode": None}
        if chosen.mode in SLOT_KINDS and not free_slots(chosen.mode):
            say(dispatcher, tracker, [no_slots(chosen.mode, council_phone())])
            return {"handoff_channel": None, "handoff_mode": None}
        return {"handoff_channel": chosen.channel, "handoff_mode": chosen.mode}

    async def extract_handoff_mode(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Read together with the channel (see ``extract_handoff_channel``)."""
        return {}

    def validate_handoff_mode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Checked together with the channel (see ``validate_handoff_channel``)."""
        return {"handoff_mode": tracker.get_slot("handoff_mode")}

    async def extract_callback_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if tracker.get_slot("requested_slot") != "callback_number":
            return {}
        return {"callback_number": latest_text(tracker)}

    def validate_callback_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A valid UK number, kept in international form; a clear reason to try again otherwise."""
        checked = check_uk_number(str(value or ""))
        if checked.e164 is None:
            say(dispatcher, tracker, [Reply(str(checked.problem))])
            return {"callback_number": None}
        say(dispatcher, tracker, [Reply(f"Thank you. We will call {checked.display}.")])
        return {"callback_number": checked.e164}

    async def extract_handoff_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if tracker.get_slot("requested_slot") != "handoff_slot":
            return {}
        return {"handoff_slot": chosen_slot_key(tracker, tracker.get_slot("handoff_mode"))}

    def validate_handoff_slot(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Book the chosen time and create the case; a time just taken is explained and asked again."""
        option = _option_from_slots(tracker)
        if option is None:
            return {"handoff_slot": None, "handoff_channel": None, "handoff_mode": None}
        if value == NOT_A_TIME:
            say(dispatcher, tracker, [Reply(DID_NOT_CATCH_THE_TIME)])
            return {"handoff_slot": None}
        try:
            case = create_case(tracker, option, parse_slot_key(str(value)))
        except SlotUnavailable:
            say(dispatcher, tracker, [Reply("Sorry, that time is not free. Please choose one of the times below.")])
            return {"handoff_slot": None}
        return {"handoff_slot": str(value), "handoff_reference": case.reference}


def council_phone() -> str:
    """The contact centre's number."""
    return str(catalogue().council["contact_centre"]["phone"]["number"])


class ActionSubmitHandoff(Action):
    """Creates the case (unless booking already did), then gives the reference and what happens next."""

    def name(self) -> str:
        return "action_submit_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        option = _option_from_slots(tracker)
        events: List[EventType] = [SlotSet(slot, None) for slot in HANDOFF_SLOTS]
        if option is None:
            return events
        reference = tracker.get_slot("handoff_reference")
        booked = bool(tracker.get_slot("handoff_slot")) and bool(reference)
        case = handoff_store().get(reference) if booked else create_case(tracker, option)
        position = handoff_store().position_in_queue(case) if case.mode == "live" else 0
        say(dispatcher, tracker, confirmation(case, default_schedule(), catalogue().council, position))
        events += [SlotSet("handoff_reference", case.reference), *forget_task_slots()]
        if case.mode == "live":
            say(dispatcher, tracker, [Reply(wait_estimate(position, staff_accounts().advisers_online()))])
            # A person holds the conversation now: the bot stays silent until the adviser hands back.
            events.append(ConversationPaused())
        return events

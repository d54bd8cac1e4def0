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
    form_answer,
    handoff_store,
    latest_text,
    record,
    say,
    staff_accounts,
    view,
)
from actions.updates import offer_updates
from monitoring.events import EventKind
from routing import clock
from routing.answers import Reply
from routing.bookings import Slot, SlotUnavailable, parse_slot_key
from routing.channels import BOOKINGS, NO_VOICE, Capacity, ChannelOption, HandoffContext, decide_channels
from routing.conversation_events import ConversationView
from routing.handoff_replies import (
    ASK_NUMBER,
    DID_NOT_CATCH_THE_TIME,
    NOT_BY_VOICE,
    TIME_TAKEN,
    ask_slot,
    asks_for_soon,
    channel_from_text,
    confirmation,
    no_slots,
    not_offered,
    not_open,
    number_noted,
    offer,
    pick_option,
    slot_from_text,
    soonest,
)
from routing.handoff_summary import case_summary, handoff_trigger
from routing.handoffs import HandoffCase, NewHandoff
from routing.live_chat import LIVE_CHAT, wait_estimate
from routing.phone_numbers import check_uk_number
from routing.tasks import TASK_INTENTS
from routing.updates import NO_UPDATES_TRIGGERS
from wiring.settings import channel_schedule

HANDOFF_SLOTS = ("handoff_channel", "handoff_mode", "callback_number", "handoff_slot")
FORM_VALUES = ("service", "location", "description", "postcode", "reference")
SLOT_KINDS = ("callback", "appointment")
NOT_A_TIME = "unknown"
STOP_CONFIDENCE = 0.6
# Handoffs that leave the resident something to hear about, so they are asked how to hear back: a
# call back and a Gateway appointment wait for a day and time (a reminder is sent, and the outcome).
# Not live chat, call now, Relay UK, the out-of-hours line or a walk-in: the resident is talking to
# a person now or makes the contact themselves, so there is nothing to wait for. Never an urgent
# (emergency or safeguarding) case: that turn is about their safety, and a message about it could be
# read by someone who puts them at risk; nor a case a risk sign led to (``NO_UPDATES_TRIGGERS``: no
# updates are sent for it). (A complaint asks too: actions/complaints.py.)
UPDATE_MODES = frozenset({"callback", "appointment"})


def handoff_context(tracker: Tracker, preference: str | None = None) -> HandoffContext:
    """What the channel decision needs, read from the conversation and the live capacity."""
    conversation = view(tracker)
    needs = conversation.needs_seen()
    adjustments = {str(need["adjustment"]) for need in needs if need.get("adjustment")}
    adjustments |= {str(text) for text in tracker.get_slot("adjustments") or []}
    return HandoffContext(
        now=clock.now(),
        needs=frozenset(str(need.get("category")) for need in needs),
        adjustments=frozenset(adjustments),
        intent=conversation.latest_intent_among(TASK_INTENTS),
        service=tracker.get_slot("service"),
        preference=preference,
        capacity=Capacity(staff_accounts().advisers_online(), handoff_store().webchat_waiting()),
    )


def offered_options(tracker: Tracker) -> List[ChannelOption]:
    """The ways to reach a person that fit this resident now, best first."""
    return decide_channels(handoff_context(tracker), channel_schedule(), catalogue().council)


def _trigger(conversation: ConversationView) -> str:
    return handoff_trigger((str(need.get("category")) for need in conversation.needs_seen()), conversation.step_names())


def create_case(
    tracker: Tracker, option: ChannelOption, offered: List[ChannelOption], slot_start: datetime | None = None
) -> HandoffCase:
    """Store the handoff case for this conversation (booking the time, if any).

    ``offered`` is the decision the resident chose from; its first option goes in the summary.
    """
    conversation = view(tracker)
    needs = conversation.needs_seen()
    intent = conversation.latest_intent_among(TASK_INTENTS)
    service = catalogue().get(tracker.get_slot("service"))
    form = {slot: tracker.get_slot(slot) for slot in FORM_VALUES if tracker.get_slot(slot)}
    new = NewHandoff(
        channel=option.channel,
        mode=option.mode,
        trigger=_trigger(conversation),
        conversation_id=tracker.sender_id,
        service_code=tracker.get_slot("service"),
        intent=intent,
        summary=case_summary(intent, service.name if service else None, form, needs, option, offered),
        needs=needs,
        adjustments=list(tracker.get_slot("adjustments") or []),
        # The store removes card numbers again on the way in.
        transcript=conversation.transcript(),
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


def _chosen_option(tracker: Tracker) -> tuple[ChannelOption | None, List[ChannelOption]]:
    """The way the resident chose (from the slots), and the ways they were offered."""
    channel, mode = tracker.get_slot("handoff_channel"), tracker.get_slot("handoff_mode")
    if not channel:
        return None, []
    options = offered_options(tracker)
    chosen = pick_option(options, channel, mode)
    if chosen is None and mode in BOOKINGS and BOOKINGS[mode].channel == channel:
        # Open now, but they asked to book: booking is always possible for these channels (and only
        # these: a made-up payload cannot turn a booking into an urgent case).
        return BOOKINGS[mode], options
    return chosen, options


def free_slots(kind: str) -> List[Slot]:
    """The next free times of this kind."""
    return handoff_store().slots.free_slots(kind, clock.now())


def chosen_slot_key(tracker: Tracker, kind: str) -> str:
    """The time the resident picked: a button's ``slot_key``, or words matching an offered time."""
    key = next(tracker.get_latest_entity_values("slot_key"), None)
    if key is not None:
        return str(key)
    slot = slot_from_text(latest_text(tracker), free_slots(kind), channel_schedule(), clock.now())
    return slot.key if slot else NOT_A_TIME


class ActionAskHandoffChannel(Action):
    """Offers the ways to reach a person that work for this resident now, with a reason for each."""

    def name(self) -> str:
        return "action_ask_handoff_channel"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        options = offered_options(tracker)
        replies = offer(options, _trigger(view(tracker)))
        named = channel_from_text(latest_text(tracker))
        if named is not None and named[0] not in {option.channel for option in options}:
            replies = [not_open(named[0]), *replies[1:]]  # "live chat please", when nobody is free for it
        say(dispatcher, tracker, replies)
        schedule, moment = channel_schedule(), clock.now()
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
        say(dispatcher, tracker, [ask_slot(kind, free_slots(kind), channel_schedule(), clock.now())])
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
        text = latest_text(tracker)
        # A button (``/request_human{"channel": ...}``) can start the form with the choice made.
        if asked != "handoff_channel" and not (asked is None and channel):
            return {}
        named = channel_from_text(text) if channel is None else (channel, mode)
        intent = tracker.latest_message.get("intent") or {}
        if intent.get("name") == "stop" and float(intent.get("confidence") or 0) >= STOP_CONFIDENCE:
            return {}  # "ok forget it": the rule for stopping takes it
        if named is None:
            if asks_for_soon(text):
                out = str(catalogue().council["out_of_hours"]["phone"]["number"])
                say(dispatcher, tracker, [soonest(offered_options(tracker), out)])
            else:
                say(dispatcher, tracker, [not_offered("")])
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
            say(dispatcher, tracker, [NOT_BY_VOICE])
            return {"handoff_channel": None, "handoff_mode": None}
        chosen, _ = _chosen_option(tracker)
        if chosen is None:
            say(dispatcher, tracker, [not_open(str(value))])
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
        """The number; or another way, when the resident changes their mind ("no, live chat, not a
        call back"); nothing when they stop or ask for something else."""
        if tracker.get_slot("requested_slot") != "callback_number":
            return {}
        text = latest_text(tracker)
        named = None if text.startswith("/") else channel_from_text(text)
        if named is not None and named != ("phone", "callback") and not any(c.isdigit() for c in text):
            return {"handoff_channel": named[0], "handoff_mode": named[1], "callback_number": None}
        answer = form_answer(tracker, "callback_number")
        return {} if answer is None else {"callback_number": answer}

    def validate_callback_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A valid UK number, kept in international form; a clear reason to try again otherwise."""
        checked = check_uk_number(str(value or ""))
        if checked.e164 is None:
            say(dispatcher, tracker, [Reply(str(checked.problem))])
            return {"callback_number": None}
        say(dispatcher, tracker, [number_noted(str(checked.display))])
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
        option, offered = _chosen_option(tracker)
        if option is None:
            return {"handoff_slot": None, "handoff_channel": None, "handoff_mode": None}
        if value == NOT_A_TIME:
            say(dispatcher, tracker, [DID_NOT_CATCH_THE_TIME])
            return {"handoff_slot": None}
        try:
            case = create_case(tracker, option, offered, parse_slot_key(str(value)))
        except SlotUnavailable:
            say(dispatcher, tracker, [TIME_TAKEN])
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
        option, offered = _chosen_option(tracker)
        events: List[EventType] = [SlotSet(slot, None) for slot in HANDOFF_SLOTS]
        if option is None:
            return events
        reference = tracker.get_slot("handoff_reference")
        booked = bool(tracker.get_slot("handoff_slot")) and bool(reference)
        case = handoff_store().get(reference) if booked else create_case(tracker, option, offered)
        position = handoff_store().position_in_queue(case) if case.mode == "live" else 0
        say(dispatcher, tracker, confirmation(case, channel_schedule(), catalogue().council, position))
        events += [SlotSet("handoff_reference", case.reference), *forget_task_slots()]
        if case.mode in UPDATE_MODES and case.trigger not in NO_UPDATES_TRIGGERS:
            events += offer_updates(tracker, case.reference)
        if case.mode == "live":
            wait = wait_estimate(position, staff_accounts().advisers_online())
            say(dispatcher, tracker, [Reply(wait, page=frozenset({LIVE_CHAT}))])
            # A person holds the conversation now: the bot stays silent until the adviser hands back.
            events.append(ConversationPaused())
        return events

"""Which ways of reaching a person to offer, in what order, and why (the ways: ``routing.contact_channels``).

The decision is pure: it takes what the conversation showed (support needs, adjustments, the
resident's stated preference, the task), the time and the current capacity, and returns an ordered
offer with a plain-English reason for each channel. Hours and capacity come from configuration
(``routing.hours``); contact details from the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from routing.hours import ContactSchedule, clock, day_text

# Adjustment keys (data/support_needs/lexicon.yml) that change which channel works.
NO_VOICE = frozenset({"prefers_text_relay_or_webchat", "prefers_text"})
VOICE_OR_IN_PERSON = frozenset({"prefers_phone_or_face_to_face", "prefers_phone_or_large_print"})
INTERPRETER = frozenset({"needs_interpreter_or_plain_language"})
STEP_FREE = frozenset({"needs_home_visit_or_step_free_access"})

# Services where something can go badly wrong overnight, so the out-of-hours line is offered.
URGENT_SERVICES = frozenset({"housing_repair", "housing_register"})


@dataclass(frozen=True)
class Capacity:
    """How busy live webchat is right now."""

    advisers_online: int = 0
    webchat_waiting: int = 0


@dataclass(frozen=True)
class HandoffContext:
    """What the decision needs to know about the resident's conversation.

    Attributes:
        now: when the resident is asking.
        needs: support-need categories seen in the conversation.
        adjustments: adjustment keys from the needs, plus any consented adjustment texts.
        intent: the task intent, if any.
        service: the catalogue service code, if any.
        preference: a channel the resident asked for by name.
        capacity: live webchat capacity.
        urgent: the resident said it cannot wait (for example a repair that is dangerous).
    """

    now: datetime
    needs: frozenset[str] = frozenset()
    adjustments: frozenset[str] = frozenset()
    intent: str | None = None
    service: str | None = None
    preference: str | None = None
    capacity: Capacity = field(default_factory=Capacity)
    urgent: bool = False

    def wants(self, keys: frozenset[str]) -> bool:
        """Whether any of these adjustment keys (or their words, when consented as text) apply."""
        words = {key.replace("_", " ") for key in keys}
        return bool(self.adjustments & keys) or any(any(word in text for word in words) for text in self.adjustments)


@dataclass(frozen=True)
class ChannelOption:
    """One way to reach a person, as offered to the resident.

    Attributes:
        channel: ``webchat``, ``phone``, ``gateway`` or ``emergency``.
        mode: how: ``live`` (join the webchat queue), ``call_now``, ``text_relay``, ``callback``,
            ``out_of_hours_line``, ``walk_in``, ``appointment`` or ``emergency``.
        reason: one or two short sentences saying why this fits and what happens.
        title: the button label.
    """

    channel: str
    mode: str
    reason: str
    title: str


# The ways to book a person for later, by mode: always possible for these channels (and only these).
BOOKINGS = {
    "callback": ChannelOption("phone", "callback", "", "Call me back"),
    "appointment": ChannelOption("gateway", "appointment", "", "Book a Gateway visit"),
}
# The case made when a resident at risk asks for urgent contact: top of every adviser's queue.
URGENT_CASE = ChannelOption("emergency", "emergency", "An adviser will look at this urgently.", "Urgent help")


def _number(council: Mapping[str, Any], *keys: str) -> str:
    value: Any = council
    for key in keys:
        value = value[key]
    return str(value["number"] if isinstance(value, Mapping) else value)


def decide_channels(
    context: HandoffContext, schedule: ContactSchedule, council: Mapping[str, Any]
) -> list[ChannelOption]:
    """The channels to offer, best first, each with its reason. Never empty."""
    now = schedule.local(context.now)
    today = now.date()
    phone_number = _number(council, "contact_centre", "phone")
    relay = str(council["contact_centre"]["text_relay"])
    out_of_hours = _number(council, "out_of_hours", "phone")
    gateway_address = str(council["gateway"]["address"])

    phone_open = schedule.is_open("phone", now)
    gateway_open = schedule.is_open("gateway", now)
    webchat_seats = context.capacity.advisers_online * schedule.channels["webchat"].max_queue_per_adviser
    webchat_open = schedule.is_open("webchat", now) and context.capacity.webchat_waiting < webchat_seats
    no_voice = context.wants(NO_VOICE)
    interpreter = context.wants(INTERPRETER) or "language_literacy" in context.needs
    offline = context.wants(VOICE_OR_IN_PERSON) or "digital_exclusion" in context.needs
    phone_closes, gateway_closes = _closes(schedule, "phone", now), _closes(schedule, "gateway", now)

    options: dict[str, ChannelOption] = {}
    if "safeguarding" in context.needs:
        options["emergency"] = ChannelOption(
            "emergency",
            "emergency",
            "If you are in danger now, call 999. If you cannot speak, call 999 and press 55.",
            "I need help now",
        )

    if webchat_open:
        waiting = context.capacity.webchat_waiting
        queue = "Nobody is waiting." if waiting == 0 else f"{waiting} {_people(waiting)} waiting."
        why = "You can type to an adviser here. No phone call is needed." if no_voice else "Chat to an adviser here."
        options["webchat"] = ChannelOption("webchat", "live", f"{why} {queue}", "Chat to an adviser")

    if no_voice:
        if phone_open:
            options["phone"] = ChannelOption(
                "phone",
                "text_relay",
                f"Call us through Relay UK on {relay}. We are open until {phone_closes}.",
                "Relay UK",
            )
    elif phone_open:
        extra = " We will get a free interpreter on the line." if interpreter else ""
        options["phone"] = ChannelOption(
            "phone",
            "call_now",
            f"Call us on {phone_number}. We are open until {phone_closes}.{extra} Or we can call you back.",
            "Phone",
        )
    else:
        opens = schedule.next_opening("phone", now)
        extra = " with a free interpreter" if interpreter else ""
        options["phone"] = ChannelOption(
            "phone",
            "callback",
            f"We are closed now. We can call you back{extra} from {day_text(opens, today)} at {clock(opens)}.",
            BOOKINGS["callback"].title,
        )

    if gateway_open:
        step_free = " It has step-free access." if context.wants(STEP_FREE) else ""
        bsl = " We can book a British Sign Language interpreter." if no_voice else ""
        options["gateway"] = ChannelOption(
            "gateway",
            "walk_in",
            f"Visit the Gateway at {gateway_address}. It is open until {gateway_closes}."
            f"{step_free}{bsl} Or book a time.",
            "Visit the Gateway",
        )
    else:
        opens = schedule.next_opening("gateway", now)
        bsl = " We can book a British Sign Language interpreter." if no_voice else ""
        options["gateway"] = ChannelOption(
            "gateway",
            "appointment",
            f"Book a time to visit the Gateway. The first day is {day_text(opens, today)}.{bsl}",
            BOOKINGS["appointment"].title,
        )

    if not phone_open:
        # Every offer of a person gives a number to ring now: out of hours, the emergency line.
        urgent = context.urgent or context.service in URGENT_SERVICES or "safeguarding" in context.needs
        options["out_of_hours"] = ChannelOption(
            "phone",
            "out_of_hours_line",
            f"If it cannot wait, call our out-of-hours line on {out_of_hours}."
            + ("" if urgent else " It is for emergencies, such as no heating or someone at risk."),
            "Out-of-hours line",
        )

    return [options[key] for key in _order(context, options, no_voice, offline, interpreter)]


def _people(count: int) -> str:
    return "person is" if count == 1 else "people are"


def _closes(schedule: ContactSchedule, channel: str, now: datetime) -> str:
    hours = schedule.hours_on(channel, now.date())
    return clock(hours[1]) if hours else "later"


def _order(
    context: HandoffContext, options: Mapping[str, ChannelOption], no_voice: bool, offline: bool, interpreter: bool
) -> list[str]:
    if no_voice:
        order = ["webchat", "gateway", "phone"]
    elif offline or interpreter or context.wants(STEP_FREE):
        order = ["phone", "gateway", "webchat"]
    else:
        order = ["webchat", "phone", "gateway"]
    urgent = "safeguarding" in context.needs or context.urgent or context.service in URGENT_SERVICES
    order = ["out_of_hours", *order] if urgent else [*order, "out_of_hours"]
    if context.preference in order and context.preference in options:
        order.remove(context.preference)
        order.insert(0, context.preference)
    order = ["emergency", *order]
    return [key for key in order if key in options]

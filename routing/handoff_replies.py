"""What the assistant says when it hands a resident to a person: the offer, the booking questions,
and the confirmation with a reference and what happens next.

Also reads the resident's typed answers: which channel they mean ("can you ring me back"), and
which offered time ("the first one", "tomorrow").
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, Mapping, Sequence

from routing.answers import Button, Reply
from routing.bookings import Slot
from routing.channels import ChannelOption
from routing.contact_channels import CHANNELS
from routing.handoffs import HandoffCase
from routing.hours import ContactSchedule, clock, day_text

STATUS_WORDS = {
    "queued": "waiting for an adviser",
    "claimed": "with an adviser now",
    "resolved": "done",
    "unable_to_contact": "closed, because we could not reach you",
    "cancelled": "cancelled",
    "no_show": "closed, because we did not see you at your appointment",
}

_CHANNEL_WORDS: tuple[tuple[re.Pattern[str], str, str | None], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), channel, mode)
    for pattern, channel, mode in (
        (r"\b(call|ring|phone)\s*(me\s*)?back\b|\bcall ?back\b|\bcall me\b|\bring me\b", "phone", "callback"),
        (r"\brelay\b|\b18001\b|\btext ?relay\b", "phone", "text_relay"),
        (r"\bout of hours\b|\bcan.?t wait\b|\burgent\b", "phone", "out_of_hours_line"),
        (r"\b(book|appointment|a time)\b", "gateway", "appointment"),
        (r"\bgateway\b|\bin person\b|\bface to face\b|\bcome in\b|\bvisit\b|\bcivic cent(re|er)\b", "gateway", None),
        (r"\b(web ?chat|live chat|chat|type|typing|online)\b", "webchat", None),
        (r"\b(phone|ring|call|telephone)\b", "phone", None),
        (r"\b(999|emergency|danger|help now)\b", "emergency", None),
    )
)  # fmt: skip
_ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3,
             "fifth": 4, "5th": 4, "sixth": 5, "6th": 5, "last": -1}  # fmt: skip


# "not a call back", "don't ring me": words after a negation name what the resident does not want.
_NOT_WANTED = re.compile(
    r"\b(?:not|don'?t|dont|never|rather than|instead of)\b(?:\s+(?:a|an|the|want|me))*\s+[\w ]{0,20}?"
    r"(?:call ?back|call me|ring me|phone me|ring|call|visit|come in|chat)\b",
    re.IGNORECASE,
)


def channel_from_text(text: str) -> tuple[str, str | None] | None:
    """The channel (and, if said, how) a typed answer asks for, or None. What follows a "not" is
    left out: "no i want live chat not a call back" asks for live chat."""
    wanted = _NOT_WANTED.sub(" ", text or "")
    for pattern, channel, mode in _CHANNEL_WORDS:
        if pattern.search(wanted):
            return channel, mode
    return None


def pick_option(options: Sequence[ChannelOption], channel: str, mode: str | None) -> ChannelOption | None:
    """The offered option for ``channel`` (and ``mode`` when given and offered)."""
    matching = [option for option in options if option.channel == channel]
    if mode:
        exact = [option for option in matching if option.mode == mode]
        if exact:
            return exact[0]
        if mode in ("callback", "appointment") and matching:
            return None  # asked to book, but that channel is open to call or visit now: offer both
    return matching[0] if matching else None


def option_payload(option: ChannelOption) -> str:
    """The quick-reply payload that picks ``option``."""
    entities = {"channel": option.channel, "mode": option.mode}
    return f"/request_human{json.dumps(entities, separators=(',', ':'))}"


def slot_payload(slot: Slot) -> str:
    """The quick-reply payload that picks ``slot``."""
    return f'/inform{{"slot_key":"{slot.key}"}}'


def offer(options: Sequence[ChannelOption], trigger: str) -> list[Reply]:
    """The offer: a short opening, each way with its reason, then one question with buttons."""
    opening = {
        "repeated_failure": "I am sorry I could not help. A person can.",
        "safeguarding": "I can put you through to someone urgently.",
        "detected_need": "A person can help you with this.",
    }.get(trigger, "I can put you in touch with a person.")
    lines = [f"{number}. {option.reason}" for number, option in enumerate(options, start=1)]
    buttons = tuple(Button(option.title, option_payload(option)) for option in options)
    return [Reply(opening), Reply("\n".join(lines)), Reply("Which would you like?", buttons)]


_SOON = re.compile(r"\b(today|tonight|now|right now|asap|straight away|this (?:evening|afternoon|morning))\b", re.I)


def asks_for_soon(text: str) -> bool:
    """Whether a typed answer to "which would you like?" asks for someone today or now."""
    return bool(_SOON.search(text or ""))


def soonest(options: Sequence[ChannelOption], out_of_hours_phone: str) -> Reply:
    """The answer to "today" or "now": the soonest way on offer, and the line to ring if it cannot wait."""
    first = options[0].reason if options else ""
    if any(option.mode in ("live", "call_now", "walk_in") for option in options):
        return Reply(f"The soonest is: {first}")
    closed = "We are closed now, so nobody can call or see you today."
    return Reply(f"{closed} If it cannot wait, call {out_of_hours_phone}.")


def not_offered(text: str) -> Reply:
    """When the typed answer does not pick one of the ways offered."""
    return Reply(f"Sorry, I did not catch which you would like. {text}Please choose one of the buttons, "
                 "or type phone, chat or Gateway.")  # fmt: skip


def not_open(channel: str) -> Reply:
    """When the resident picks a way that was not offered: closed now, or not one of ours.

    The emergency routes are never closed, so for them (and for a made-up name) no reason is given.
    """
    if channel == "webchat":
        return Reply("Live chat is not open right now. You can choose another way below.")
    if channel in CHANNELS and channel != "emergency":
        return Reply("That way is not open right now. You can choose another way below.")
    return not_offered("")


NOT_BY_VOICE = not_offered("We cannot call you by voice, but chat and Relay UK work. ")
ASK_NUMBER = Reply("What number should we call you on? We will only use it for this call.")
DID_NOT_CATCH_THE_TIME = Reply("Sorry, I did not catch which time. Please choose one of the times below.")
TIME_TAKEN = Reply("Sorry, that time is not free. Please choose one of the times below.")
TIME_TAKEN_NOT_MOVED = Reply("Sorry, that time is not free. Your booking has not changed.")
ASK_BOOKING_REFERENCE = Reply("Which booking would you like to change? Please give its reference. It starts with SCC-.")


def number_noted(display: str) -> Reply:
    """The call-back number read back, as the resident would write it."""
    return Reply(f"Thank you. We will call {display}.")


def urgent_case_made(reference: str) -> Reply:
    """After the emergency routes, when the resident asked for urgent contact."""
    return Reply(f"I have also asked an adviser to look at this urgently. Your reference is {reference}.")


def nothing_to_cancel(phone: str) -> Reply:
    """No booking of this conversation to cancel (one made elsewhere is cancelled by phone)."""
    return Reply(
        f"I cannot find a booking to cancel in this chat. If you booked it another way, please call us on {phone}."
    )


def booking_cancelled(reference: str) -> Reply:
    """The booking or queue place is cancelled."""
    return Reply(f"Done. I have cancelled {reference}. You do not need to do anything else.")


def cancel_passed_on(reference: str) -> Reply:
    """An adviser already has the case: they are told instead."""
    return Reply(f"An adviser is already working on {reference}. I have told them you want to cancel.")


def ask_slot(kind: str, slots: Sequence[Slot], schedule: ContactSchedule, now: datetime) -> Reply:
    """Which free time suits them, as buttons."""
    question = "When should we call you?" if kind == "callback" else "When would you like to come in?"
    buttons = tuple(Button(slot.describe(schedule, now), slot_payload(slot)) for slot in slots)
    return Reply(f"{question} Choose a time below.", buttons)


def no_slots(kind: str, phone: str) -> Reply:
    """When nothing is free in the booking window."""
    what = "call-back times" if kind == "callback" else "appointments"
    return Reply(f"Sorry, there are no free {what} in the next few days. Please call us on {phone}.")


def slot_from_text(text: str, slots: Sequence[Slot], schedule: ContactSchedule, now: datetime) -> Slot | None:
    """The offered slot a typed answer means: "2", "the first one", "tomorrow", "Monday 9am"."""
    words = (text or "").lower()
    number = re.fullmatch(r"\s*(\d)\s*\.?\s*", words)
    if number and 1 <= int(number.group(1)) <= len(slots):
        return slots[int(number.group(1)) - 1]
    for word, index in _ORDINALS.items():
        if re.search(rf"\b{word}\b", words) and slots:
            return slots[index] if -len(slots) <= index < len(slots) else None
    matches = [slot for slot in slots if _mentions(words, slot, schedule, now)]
    return matches[0] if matches else None


def _mentions(words: str, slot: Slot, schedule: ContactSchedule, now: datetime) -> bool:
    start = schedule.local(slot.start)
    day = day_text(start, schedule.local(now).date()).lower()
    day_said = day.split()[0] in words or start.strftime("%A").lower() in words
    time_said = clock(start).lower() in words.replace(" ", "")
    mentions_time = bool(re.search(r"\d", words))
    return day_said and (time_said or not mentions_time)


def confirmation(
    case: HandoffCase, schedule: ContactSchedule, council: Mapping[str, Any], position: int
) -> list[Reply]:
    """The reference and what happens next, and when, for the way they chose."""
    phone = str(council["contact_centre"]["phone"]["number"])
    now = case.created_at
    today = schedule.local(now).date()
    ref = f"Your reference is {case.reference}."
    when = ""
    if case.slot_start is not None:
        start, end = schedule.local(case.slot_start), schedule.local(case.slot_end or case.slot_start)
        day = day_text(start, today)
        day = day if day in ("today", "tomorrow") else f"on {day}"
        when = f"{day}, {clock(start)} to {clock(end)}" if case.mode == "callback" else f"{day} at {clock(start)}"
    next_step = {
        "live": f"You are in the queue for live chat. An adviser will join this chat soon. You are number {position}. "
        "Please keep this page open.",
        "call_now": f"Call us on {phone} and give the adviser this reference. They will see what you told me, "
        "so you will not need to repeat it.",
        "text_relay": f"Call us through Relay UK on {council['contact_centre']['text_relay']} and give this "
        "reference. The adviser will see what you told me.",
        "callback": f"We will call you {when}. The number will show as {phone}. If we miss you, "
        f"we will try again up to {schedule.callback_attempts} times.",
        "out_of_hours_line": f"Call {council['out_of_hours']['phone']['number']} now and give this reference.",
        "walk_in": f"Visit the Gateway at {council['gateway']['address']}. Show this reference at the desk. "
        f"Please bring {council['gateway']['bring']}.",
        "appointment": f"We will see you at the Gateway {when}. The address is {council['gateway']['address']}. "
        f"Please bring {council['gateway']['bring']}.",
        "emergency": "An adviser will look at this within the hour. If you are in danger now, call 999.",
        # A complaint's own confirmation is routing.complaint_replies; this is its short form.
        "complaint": "Our complaints team will look into it. They will reply by phone or letter.",
        # A change's own confirmation is routing.change_replies; this is its short form.
        "change": "The team will record the change. They will write to you if they need anything else.",
    }[case.mode]
    replies = [Reply(ref), Reply(next_step)]
    if case.mode in ("callback", "appointment"):
        replies.append(Reply("If you need to change or cancel it, tell me your reference at any time."))
    return replies


def moved(case: HandoffCase, schedule: ContactSchedule, now: datetime) -> Reply:
    """The booking has its new time."""
    return Reply(f"Done. {case_status(case, schedule, now).text}")


def case_status(case: HandoffCase, schedule: ContactSchedule, now: datetime, owner: bool = True) -> Reply:
    """The status of a handoff, with buttons to change or cancel it while it can be.

    Asked from another conversation (``owner`` False), only the status is given: no booked time
    and no buttons, since anyone who heard the reference could ask.
    """
    what = {
        "callback": "call back",
        "appointment": "Gateway appointment",
        "live": "webchat",
        "emergency": "urgent request",
        "complaint": "complaint",
        "change": "change",
    }.get(case.mode, "request to talk to a person")
    text = f"Your {what} {case.reference} is {STATUS_WORDS.get(case.status, case.status)}."
    if not owner:
        return Reply(text)
    if case.slot_start is not None and case.open:
        start = schedule.local(case.slot_start)
        day = day_text(start, schedule.local(now).date())
        text += f" It is booked for {day} at {clock(start)}."
    buttons: tuple[Button, ...] = ()
    if case.status == "queued":
        reference = json.dumps({"reference": case.reference}, separators=(",", ":"))
        buttons = (Button("Cancel it", f"/cancel_handoff{reference}"),)
        if case.mode in ("callback", "appointment"):
            buttons = (Button("Change the time", f"/rebook_handoff{reference}"), *buttons)
    return Reply(text, buttons)

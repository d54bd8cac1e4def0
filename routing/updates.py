"""Automatic updates to residents: how they can hear back, checking the contact they give, which
change sends which message, and the words of each message.

Pure rules. The contacts and the outbox are ``storage.update_contacts`` and ``storage.notify_outbox``;
the planner and the sender (GOV.UK Notify) are ``integrations.update_planner`` and
``integrations.notify``.

A message holds the reference, the service's plain name and a time in words, and nothing else: no
name, no address, nothing the resident said. That is the whole personalisation sent to Notify
(``PERSONALISATION``); a letter adds the address it goes to, the only place an address is sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from routing.hours import clock, date_text
from routing.locations import POSTCODE, format_postcode

UPDATE_CHANNELS = ("text", "email", "letter", "none")
MESSAGE_KINDS = (
    "report_updated", "report_closed", "case_claimed", "case_resolved", "callback_today",
    "appointment_tomorrow", "change_recorded",
)  # fmt: skip
REMINDER_KINDS = ("callback_today", "appointment_tomorrow")  # the kinds that remind of a booking
NOTIFY_CHANNELS = {"text": "sms", "email": "email", "letter": "letter"}  # ours -> Notify's template types
PERSONALISATION = ("reference", "service", "when")
REMINDER_FROM_HOUR = 8  # reminders are not sent before 8am: nobody wants a text at dawn
MIN_ADDRESS_LINES, MAX_ADDRESS_LINES = 2, 6  # before the postcode; Notify takes 3 to 7 lines in all
MAX_ADDRESS_LINE = 80
# Cases whose resident may be at risk from someone who reads their messages get no automatic updates.
NO_UPDATES_TRIGGERS = frozenset({"safeguarding"})
# Ofcom keeps 07700 900000 to 900999 for drama and tests; phonenumbers calls them invalid, but GOV.UK
# Notify takes them as its test numbers, and the examples and demonstrations use them.
DRAMA_MOBILES = re.compile(r"7700900\d{3}")


NOT_AN_EMAIL = "That does not look like an email address. It should look like name@example.com."


class ContactError(ValueError):
    """A contact that cannot be used; its text is a polite sentence to show the resident."""


def check_contact(channel: str, raw: str) -> str:
    """The contact for ``channel`` in the form it is stored and sent: a UK mobile in E.164, an email
    address as email-validator normalises it, or address lines joined by "\\n" ending in the
    postcode. ContactError with a sentence for the resident when it cannot be used."""
    text = (raw or "").strip()
    if channel == "text":
        return _mobile(text)
    if channel == "email":
        try:
            return str(validate_email(text, check_deliverability=False).normalized)
        except EmailNotValidError:
            raise ContactError(NOT_AN_EMAIL) from None
    if channel == "letter":
        return _address(text)
    raise ContactError("Please choose text, email, letter or no updates.")


def _mobile(text: str) -> str:
    problem = ContactError("That does not look like a UK mobile number. It should start 07, like 07700 900123.")
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        raise problem from None
    mobile = phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )  # fmt: skip
    drama = number.country_code == 44 and DRAMA_MOBILES.fullmatch(str(number.national_number))
    if not drama and (number.country_code != 44 or not phonenumbers.is_valid_number(number) or not mobile):
        raise problem
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _address(text: str) -> str:
    lines = [" ".join(line.split()) for line in re.split(r"[\n,]", text)]
    lines = [line for line in lines if line]
    postcode = format_postcode(lines[-1]) if lines else None
    if postcode is None:
        raise ContactError("Please give your address with the postcode at the end, like SO14 7LY.")
    before = POSTCODE.sub("", lines[-1]).strip()
    lines = [*lines[:-1], *([before] if before else [])]
    if not MIN_ADDRESS_LINES <= len(lines) <= MAX_ADDRESS_LINES:
        raise ContactError("Please give your address in 2 to 6 lines, then the postcode.")
    if any(len(line) > MAX_ADDRESS_LINE for line in lines):
        raise ContactError("One line of that address is too long. Please give it in shorter lines.")
    return "\n".join([*lines, postcode])


def letter_address(contact: str) -> dict[str, str]:
    """A stored address as Notify's ``address_line_1`` .. ``address_line_7`` (postcode last)."""
    return {f"address_line_{number}": line for number, line in enumerate(contact.split("\n"), start=1)}


# --- which change sends what -----------------------------------------------------------------------


def messages_for(event_type: str, data: Mapping[str, Any]) -> tuple[str, ...]:
    """The message kinds a webhook event (``storage.webhooks.webhook_events``) sends to the resident
    who chose updates for its reference; none for most events."""
    if data.get("trigger") in NO_UPDATES_TRIGGERS:
        return ()
    if event_type == "report.updated" and data.get("stage") != "closed":  # a close says so by itself
        return ("report_updated",)
    if event_type == "report.closed":
        return ("report_closed",)
    if event_type == "case.created" and data.get("mode") == "change":
        return ("change_recorded",)
    if event_type == "case.claimed" and data.get("mode") != "change":
        return ("case_claimed",)
    if event_type == "case.resolved":
        return ("case_resolved",)
    return ()


@dataclass(frozen=True)
class Reminder:
    """A reminder due for a booked slot: its kind, and the occasion (the slot) it is for."""

    kind: str
    occasion: str


def reminder_for(mode: str, slot_start: datetime, slot_end: datetime | None, local_now: datetime) -> Reminder | None:
    """The reminder due now for a booked slot (times in UK local time), or None: a call back booked
    for today, from 8am on the day until its window ends; a Gateway appointment tomorrow, from 8am
    the day before."""
    if local_now.hour < REMINDER_FROM_HOUR:
        return None
    today = local_now.date()
    if mode == "callback" and slot_start.date() == today and local_now < (slot_end or slot_start):
        return Reminder("callback_today", slot_start.isoformat())
    if mode == "appointment" and slot_start.date() == today + timedelta(days=1):
        return Reminder("appointment_tomorrow", slot_start.isoformat())
    return None


# --- the words -------------------------------------------------------------------------------------


def when_text(moment: datetime, until: datetime | None = None) -> str:
    """A time in words with its date: "on Tuesday 8 December between 10am and 12 noon".

    Never "today" or "tomorrow": a message retried, or read, a day later must still be true.
    """
    day = f"on {date_text(moment)}"
    if until is not None:
        return f"{day} between {clock(moment)} and {clock(until)}"
    return f"{day} at {clock(moment)}"


def personalisation(reference: str, service: str, when: str) -> dict[str, str]:
    """What a message is filled with: the reference, the service's plain name and a time in words."""
    return {"reference": reference, "service": service, "when": when}


MESSAGES = {
    "report_updated": "Your report ((reference)) about ((service)) was updated ((when)). "
    "To find out more, contact us and give your reference.",
    "report_closed": "Your report ((reference)) about ((service)) was closed ((when)). Thank you for telling us.",
    "case_claimed": "Someone from the council is now looking at your request ((reference)) about ((service)). "
    "This happened ((when)).",
    "case_resolved": "Your request ((reference)) about ((service)) was dealt with ((when)).",
    "callback_today": "We will call you back ((when)) about ((service)). Your reference is ((reference)).",
    "appointment_tomorrow": "Your Gateway appointment about ((service)) is ((when)), at {address}. "
    "Please bring {bring}. Your reference is ((reference)).",
    "change_recorded": "We have recorded the change you told us about: ((service)). This was ((when)). "
    "Your reference is ((reference)).",
}


def message_text(kind: str, fields: Mapping[str, str], gateway: Mapping[str, Any] | None = None) -> str:
    """The words of a message, as the local outbox shows them (and as the README suggests for each
    Notify template). ``gateway`` is the council's Gateway centre (``council.yml``): its address and
    what to bring, for an appointment reminder."""
    text = MESSAGES[kind]
    if kind == "appointment_tomorrow":
        gateway = gateway or {}
        text = text.format(address=gateway.get("address", "the Gateway"), bring=gateway.get("bring", "your reference"))
    for name in PERSONALISATION:
        text = text.replace(f"(({name}))", fields[name])
    return text

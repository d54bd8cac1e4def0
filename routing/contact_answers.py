"""The questions everyone asks: the phone number, whether anyone is there now, when we open, the
out-of-hours line and where the Gateway is. Answered from the catalogue and the channels' real
opening hours, at most three messages, with a way to reach a person now (or the out-of-hours line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from routing.answers import Button, Reply
from routing.catalogue import Catalogue, Service
from routing.hours import ContactSchedule, clock, day_text

_ADDRESS = re.compile(r"\b(address|where|visit|come in|pop in|face to face|gateway|civic|office|located)\b", re.I)
_EMAIL = re.compile(r"\b(e-?mail)\b", re.I)
_RELAY = re.compile(r"\b(deaf|textphone|text relay|relay uk|hard of hearing|minicom|18001)\b", re.I)
CHAT_BUTTON = Button("Chat with an adviser", '/request_human{"channel": "webchat"}')


@dataclass(frozen=True)
class ContactQuestion:
    """What the resident asked about: a service's own team, the Gateway's address, email, text relay."""

    service: Service | None = None
    address: bool = False
    email: bool = False
    text_relay: bool = False

    @classmethod
    def read(cls, text: str, service: Service | None) -> ContactQuestion:
        """Read the question's parts from the resident's words (the service from the NLU)."""
        team = service if service is not None and service.code != "gateway" else None
        return cls(team, bool(_ADDRESS.search(text)), bool(_EMAIL.search(text)), bool(_RELAY.search(text)))


def _value(raw: Any) -> str:
    if isinstance(raw, Mapping):
        return str(raw.get("number") or raw.get("url") or "")
    return str(raw or "")


def main_phone(catalogue: Catalogue) -> str:
    """The contact centre's phone number, from the catalogue."""
    return _value(catalogue.council.get("contact_centre", {}).get("phone"))


def outage_answer(catalogue: Catalogue) -> str:
    """What a resident is told when part of the assistant is down: where to get help instead."""
    return (
        "Sorry, the assistant cannot answer just now. "
        f"Please call us on {main_phone(catalogue)}, or try again in a few minutes. "
        "If you are in danger, call 999."
    )


def opening_now(schedule: ContactSchedule, now: datetime, channel: str = "phone") -> str:
    """ "We are open now, until 5pm." or "We are closed now. We open again on Monday 7 December at 9am." """
    local = schedule.local(now)
    if schedule.is_open(channel, now):
        hours = schedule.hours_on(channel, local.date())
        return f"We are open now, until {clock(hours[1])}." if hours else "We are open now."
    opens = schedule.next_opening(channel, now)
    when = day_text(opens, local.date())
    day = when if when in ("today", "tomorrow") else f"on {when}"
    return f"We are closed now. We open again {day} at {clock(opens)}."


def out_of_hours_line(catalogue: Catalogue) -> str:
    """The out-of-hours line and what it is for."""
    out = catalogue.council.get("out_of_hours", {})
    return f"For an emergency when we are closed, call {_value(out.get('phone'))}. It covers {out.get('covers', '')}."


def contact_answer(
    question: ContactQuestion, catalogue: Catalogue, schedule: ContactSchedule, now: datetime, chat_now: bool = False
) -> list[Reply]:
    """The number (the service's team, or the contact centre), whether we are open now, and the
    out-of-hours line when we are closed; the Gateway's address and hours, email or text relay when
    asked; live chat when an adviser can take one now (``chat_now``)."""
    centre = catalogue.council.get("contact_centre", {})
    gateway = catalogue.council.get("gateway", {})
    main = main_phone(catalogue)
    open_now = schedule.is_open("phone", now)
    if question.service is not None and question.service.phone.value:
        first = f"The number for {question.service.name.lower()} is {question.service.phone.value}."
    else:
        first = f"Our phone number is {main}."
    first += f" Lines are open {centre.get('hours', '')}. {opening_now(schedule, now)}"
    replies = [Reply(first)]
    if question.text_relay:
        replies.append(Reply(f"If you use a textphone or Relay UK, call {centre.get('text_relay', '')}."))
    if question.address:
        replies.append(
            Reply(
                f"The {gateway.get('name', 'Gateway')} is at {gateway.get('address', '')}. "
                f"It is open {gateway.get('hours', '')} {gateway.get('free_it', '')}".strip()
            )
        )
    if question.email:
        website = _value(catalogue.council.get("website"))
        replies.append(Reply(f"We do not take requests by email. You can use the forms on {website}, or ask me."))
    if chat_now:
        replies.append(Reply("You can also chat with an adviser here now.", (CHAT_BUTTON,)))
    elif not open_now:
        replies.append(Reply(out_of_hours_line(catalogue)))
    return replies[:3]


_SIGN_LANGUAGE = re.compile(r"\b(bsl|sign language|signing|signer)\b", re.IGNORECASE)


def uses_sign_language(text: str) -> bool:
    """Whether the resident says they use British Sign Language."""
    return bool(_SIGN_LANGUAGE.search(text or ""))


def sign_language_line(catalogue: Catalogue) -> str:
    """How to talk to us in British Sign Language: the video relay service, with its hours."""
    video = catalogue.council.get("bsl_video", {})
    link = video.get("url")
    return (
        f"You can talk to us in British Sign Language by video call, with a BSL interpreter, using "
        f"{video.get('name', 'our video relay service')}: {link.get('url') if isinstance(link, dict) else link}. "
        f"It is open {video.get('hours', '')}"
    ).rstrip(". ") + "."

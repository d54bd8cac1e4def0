"""Plain-English answers built from the catalogue: what the bot says for pay, apply, information
and "talk to a person". Pure functions, so every wording can be tested without Rasa.

Messages are short sentences, one idea each, with the link or number the resident needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from routing.bins import BinDay, Collection, next_collections, week_letter
from routing.catalogue import Catalogue, Service

IN_PERSON_NAMES = {"gateway": "the Gateway", "paypoint": "a PayPoint shop", "post_office": "a Post Office"}


@dataclass(frozen=True)
class Button:
    """A quick reply: what the resident sees and what it sends."""

    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One bot message with optional quick replies.

    Attributes:
        text: what the resident reads.
        buttons: quick replies.
        page: what the chat page should show beside the conversation from now on: ``exit_this_page``
            (the quick way to leave, after signs of abuse), ``safety_routes`` (999 and Samaritans,
            kept on the page after any risk sign) and ``live_chat`` (the resident is now waiting for
            an adviser).
    """

    text: str
    buttons: tuple[Button, ...] = field(default=())
    page: frozenset[str] = field(default=frozenset())


def _value(raw: Any) -> str:
    """A catalogue contact given as ``{url: ...}``/``{number: ...}`` or a plain string."""
    if isinstance(raw, Mapping):
        return str(raw.get("url") or raw.get("number") or "")
    return str(raw or "")


def service_buttons(services: list[Service], intent: str) -> tuple[Button, ...]:
    """One quick reply per service, sending the intent with the service entity."""
    return tuple(
        Button(title=service.name, payload=f'/{intent}{{"service": "{service.code}"}}') for service in services
    )


def price_text(service: Service, subject: str = "It") -> str:
    """What ``service`` costs, in the catalogue's words ("It costs £45 a year."); empty when it has no price."""
    price = service.price or {}
    if not price.get("cost"):
        return ""
    lines = [f"{subject} costs {price['cost']}.", str(price.get("more") or ""), str(price.get("reduced") or "")]
    return " ".join(line for line in lines if line)


def payment_answer(service: Service, catalogue: Catalogue, offline: bool = False) -> list[Reply]:
    """How to pay for ``service``: its price if it has one, online, by the automated line, and in
    person where possible. For a resident without the internet (``offline``) the phone and in-person
    ways come first and the online link is left out."""
    pay = service.pay or {}
    payments = catalogue.council.get("payments", {})
    online = f"You can pay for {service.name.lower()} online. It is quick and secure: {_value(pay.get('online_url'))}"
    by_phone = (
        f"by phone, day or night, on our automated line: "
        f"{_value(pay.get('automated_line'))}. You will need {pay.get('reference_needed', 'your bill')}"
    )
    if offline:
        replies = [Reply(f"{price_text(service, service.name)} You can pay {by_phone}".strip())]
    else:
        price = price_text(service, service.name)
        replies = [Reply(f"{price} {online}".strip()), Reply(f"You can also pay {by_phone}")]
    in_person = [place for place in pay.get("in_person", []) if place in IN_PERSON_NAMES]
    if in_person:
        places = " or ".join(IN_PERSON_NAMES[place] for place in in_person)
        lines = [f"To pay in person, go to {places}."]
        if "paypoint" in in_person:
            lines.append(str(payments.get("paypoint", "")))
        replies.append(Reply(" ".join(line for line in lines if line)))
    replies.append(Reply("I will never ask for your card details in this chat."))
    return replies


def apply_answer(service: Service) -> list[Reply]:
    """Who can apply for ``service``, what it costs, what is needed, the form, and how to apply with help."""
    apply = service.apply or {}
    return [
        Reply(f"{service.name}. {apply.get('eligibility', '')} {price_text(service)}".strip()),
        Reply(f"{apply.get('needs', '')} Apply online: {_value(apply.get('form_url'))}".strip()),
        Reply(str(apply.get("help", f"For help, call {service.phone.value}."))),
    ]


def information_answer(service: Service) -> list[Reply]:
    """The catalogue's answer for an information service, with council tax bands when asked."""
    info = service.information or {}
    replies = [Reply(str(info.get("answer", service.summary)))]
    bands = info.get("bands")
    if isinstance(bands, Mapping) and bands:
        listed = ". ".join(f"Band {band}: {amount}" for band, amount in bands.items())
        replies.append(Reply(f"Yearly amounts this year: {listed}."))
    replies.append(Reply(f"You can read more here: {service.online.value}"))
    return replies


def _bins_emptied(collection: Collection) -> str:
    names = " and ".join(collection.bins)
    return f"We empty your {names} {'bins' if len(collection.bins) > 1 else 'bin'}"


def _when(day: date, today: date) -> str:
    """ "today", "this Thursday, 8 January" or "next Thursday, 15 January"."""
    if day == today:
        return "today"
    this_week = day.weekday() > today.weekday() and (day - today).days < 7
    return f"{'this' if this_week else 'next'} {day:%A}, {day.day} {day:%B}"


def bin_day_answer(
    bin_day: BinDay | None, postcode: str, phone: str, today: date | None = None, week_a_starts: date | None = None
) -> list[Reply]:
    """The collection day for a postcode, or what to do when we do not know it.

    Given ``today`` (the council's local date, from the caller's clock) and the date a week A
    starts, it also says which week this is and which bins go out next, so nobody has to work
    out "week A" from a calendar.
    """
    if bin_day is None:
        return [
            Reply(
                f"Sorry, I do not have bin days for {postcode}. "
                f"Check that it is a Southampton postcode, or call us on {phone} and we will tell you."
            )
        ]
    collections = next_collections(bin_day, today, week_a_starts) if today and week_a_starts else None
    if today is None or week_a_starts is None or collections is None:
        return [
            Reply(f"Bins for {bin_day.postcode} are collected on {bin_day.day}."),
            Reply(f"General waste: {bin_day.general_waste}. Recycling: {bin_day.recycling}."),
            Reply("Please put your bins out by 7am."),
        ]
    first, second = collections if collections[0].bins else (collections[1], collections[1])
    lines = [f"{_bins_emptied(first)} {_when(first.on, today)}."]
    if second.bins and second.bins != first.bins:
        lines.append(f"{_bins_emptied(second)} the week after.")
    week = week_letter(today, week_a_starts)
    return [
        Reply(f"Bins for {bin_day.postcode} are collected on {bin_day.day}. This week is week {week}."),
        Reply(" ".join(lines)),
        Reply("Please put your bins out by 7am."),
    ]


def human_contact_answer(catalogue: Catalogue) -> list[Reply]:
    """How to reach a person: phone (with Relay UK), and the Gateway in person."""
    centre = catalogue.council.get("contact_centre", {})
    gateway = catalogue.council.get("gateway", {})
    return [
        Reply(
            f"You can talk to a person. Call us on {_value(centre.get('phone'))}. "
            f"Lines are open {centre.get('hours', '')}."
        ),
        Reply(f"If you use a textphone, call {centre.get('text_relay', '')}."),
        Reply(
            f"Or visit the {gateway.get('name', 'Gateway')} at {gateway.get('address', '')}. "
            f"It is open {gateway.get('hours', '')}"
        ),
    ]


def topic_menu(catalogue: Catalogue, intent: str, question: str) -> Reply:
    """Ask which service the resident means, with a quick reply for each one under ``intent``."""
    return Reply(question, service_buttons(catalogue.for_intent(intent), intent))


def answer_for(service: Service, task: str, catalogue: Catalogue) -> list[Reply]:
    """The answer for ``service`` that fits the likeliest task (paying, applying, finding out), or its
    best answer when it has none for that task."""
    if task == "make_payment" and service.pay is not None:
        return payment_answer(service, catalogue)
    if task == "apply_for_service" and service.apply is not None:
        return apply_answer(service)
    if service.information is not None and task not in ("make_payment", "apply_for_service"):
        return information_answer(service)
    return best_answer(service, catalogue)


def best_answer(service: Service, catalogue: Catalogue) -> list[Reply]:
    """The most useful answer a service has, for when it does not fit the intent asked."""
    if service.pay is not None:
        return payment_answer(service, catalogue)
    if service.apply is not None:
        return apply_answer(service)
    if service.information is not None:
        return information_answer(service)
    return [
        Reply(service.summary),
        Reply(f"You can report it online: {service.online.value}. Or tell me, and I will take the report."),
    ]

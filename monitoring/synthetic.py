"""A realistic synthetic conversation, for the seeded histories of demonstrations and benchmarks.

Each synthetic conversation is a list of ordinary outcome events: light tuples (a million
conversations make five million events), but every distinct shape of event passes the same
``OutcomeEvent`` checks as real ones. The shape follows the ESIA's figures loosely: most contact
on weekdays in office hours; about a quarter of residents show a support need; residents with some
needs are resolved less often (so the report has something to flag); a person is offered more
often to residents with needs.
"""

from __future__ import annotations

import itertools
import random
import secrets
from bisect import bisect
from datetime import datetime, timedelta
from typing import Any, Callable, Iterator, NamedTuple

from monitoring.events import EventKind, OutcomeEvent
from monitoring.outcomes import INFORMATION_INTENT

SERVICES = (
    ("report_issue", "fly_tipping"),
    ("report_issue", "missed_bin"),
    ("report_issue", "pothole"),
    ("report_issue", "street_lighting"),
    ("make_payment", "council_tax"),
    ("make_payment", "parking_fine"),
    ("apply_for_service", "housing_benefit"),
    ("apply_for_service", "council_tax_reduction"),
    ("apply_for_service", "garden_waste"),
    ("get_information", "bin_collection"),
    ("get_information", "council_tax"),
    ("get_information", "housing"),
)
# Share of conversations showing each need; how much it changes the chance the assistant resolves
# the conversation alone, and the chance a person is accepted when offered (1.0: no effect). Two
# groups fare worse overall, so the monitoring report has a gap to flag.
NEEDS = {
    "digital_exclusion": (0.06, 0.55, 0.6),
    "older_age": (0.04, 0.75, 1.0),
    "disability": (0.04, 0.8, 1.1),
    "mental_health_cognitive": (0.03, 0.8, 1.0),
    "financial_hardship": (0.05, 0.9, 1.0),
    "language_literacy": (0.02, 0.7, 0.5),
    "life_event": (0.02, 0.9, 1.1),
    "carer_proxy": (0.02, 0.95, 1.0),
    "frustration": (0.04, 0.7, 1.0),
}
SAFEGUARDING_SHARE = 0.005
ENTRY = (("web", 0.7), ("embed", 0.2), ("rest", 0.1))
ENTRY_NAMES = tuple(name for name, _ in ENTRY)
ENTRY_CUMULATIVE = tuple(itertools.accumulate(weight for _, weight in ENTRY))
# Share of conversations starting in each hour of the day (UTC).
HOURS = tuple(itertools.accumulate([1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 13, 12, 13, 13, 12, 10, 8, 7, 6, 5, 4, 3, 2]))
HOUR_NUMBERS = tuple(range(24))
# Typical minutes from accepting a person to first contact, per channel.
CONTACT_MINUTES = {"webchat": 4.0, "phone": 150.0, "gateway": 1200.0, "emergency": 25.0}
SLA_MINUTES = {"webchat": 10, "phone": 240, "gateway": 1440, "emergency": 60}


class SeedEvent(NamedTuple):
    """An outcome event as the seeder makes it: ``OutcomeEvent``'s fields, in a light tuple (a
    million conversations make five million of them)."""

    kind: EventKind
    resident_key: str
    conversation_key: str | None
    case_key: str | None
    at: datetime
    entry_channel: str | None = None
    intent: str | None = None
    service: str | None = None
    category: str | None = None
    handoff_channel: str | None = None
    in_hours: bool | None = None
    value: str | None = None


_CHECKED: set[tuple[Any, ...]] = set()  # shapes of event already built as an OutcomeEvent


def new_key() -> str:
    """A key: random shapes repeat with the seed, but keys never do (seeding twice adds, not merges)."""
    return secrets.token_hex(16)


def event_ids(run: str, part: int) -> Iterator[str]:
    """Unique event ids for one part of a seed run (``run``: 10 random hex digits for the run),
    counted up in the order they are written, so the unique index fills in order."""
    return (f"{run}{part:06x}{number:016x}" for number in itertools.count())


def _weighted(rng: random.Random, choices: tuple[Any, ...], cumulative: tuple[float, ...]) -> Any:
    """``rng.choices(choices, cum_weights=cumulative)[0]``, the same draw without its overhead."""
    return choices[bisect(cumulative, rng.random() * cumulative[-1], 0, len(choices) - 1)]


def start_time(rng: random.Random, end: datetime, days: int) -> datetime:
    """A moment weighted to weekdays and office hours (UK local time is close enough to UTC here)."""
    while True:
        day = end - timedelta(days=rng.randrange(days))
        if day.weekday() >= 5 and rng.random() < 0.6:
            continue  # fewer conversations at weekends
        hour = _weighted(rng, HOUR_NUMBERS, HOURS)
        return day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60), microsecond=0)


def synthetic_conversation(rng: random.Random, resident: str, started: datetime) -> list[SeedEvent]:
    """One conversation's events, end to end, as the flows would record them."""
    key = new_key()
    at = started
    events: list[SeedEvent] = []

    def add(
        kind: EventKind,
        minutes: float = 0.5,
        case: str | None = None,
        staff: bool = False,
        entry_channel: str | None = None,
        intent: str | None = None,
        service: str | None = None,
        category: str | None = None,
        handoff_channel: str | None = None,
        in_hours: bool | None = None,
        value: str | None = None,
    ) -> None:
        """One event, ``minutes`` after the last; ``staff`` events are keyed by their case only."""
        nonlocal at
        at = at + timedelta(minutes=minutes)
        event = SeedEvent(
            kind, resident, None if staff else key, case, at, entry_channel, intent, service, category,
            handoff_channel, in_hours, value,
        )  # fmt: skip
        shape = (kind, staff, case is None, entry_channel, intent, service, category, handoff_channel, in_hours, value)
        if shape not in _CHECKED:
            OutcomeEvent(**event._asdict())  # raises InvalidEvent for anything a real event could not be
            _CHECKED.add(shape)
        events.append(event)

    entry = _weighted(rng, ENTRY_NAMES, ENTRY_CUMULATIVE)
    at = started - timedelta(minutes=0.5)
    add(EventKind.CONVERSATION_STARTED, entry_channel=entry)
    intent, service = rng.choice(SERVICES)
    if intent != INFORMATION_INTENT:  # an information intent is recorded once the answer is given
        add(EventKind.INTENT, intent=intent, service=service)
    if rng.random() < SAFEGUARDING_SHARE:
        add(EventKind.SAFEGUARDING_ESCALATED, category="safeguarding")
        if rng.random() < 0.7:
            case = new_key()
            add(EventKind.HANDOFF_ACCEPTED, case=case, handoff_channel="emergency")
            if rng.random() < 0.95:
                _contact(add, rng, "emergency", case, resolved=0.9)
        return events
    needs = [need for need, (share, _, _) in NEEDS.items() if rng.random() < share]
    bot_chance, accept_chance = 0.72, 0.6
    for need in needs:
        add(EventKind.SUPPORT_NEED_DETECTED, category=need)
        bot_chance *= NEEDS[need][1]
        accept_chance *= NEEDS[need][2]
    if needs:
        consent = rng.random() < 0.75
        add(EventKind.CONSENT_GIVEN if consent else EventKind.CONSENT_DECLINED)
        if consent and "digital_exclusion" in needs:
            add(EventKind.DIGITAL_INCLUSION_OFFERED, category="digital_exclusion")
            if rng.random() < 0.4:
                add(EventKind.DIGITAL_INCLUSION_ACCEPTED)
    resolved_by_bot = rng.random() < bot_chance
    if resolved_by_bot:
        kind = {
            "report_issue": EventKind.REPORT_CREATED,
            "make_payment": EventKind.PAYMENT_SIGNPOSTED,
            "apply_for_service": EventKind.APPLICATION_SIGNPOSTED,
        }.get(intent)
        if kind is EventKind.REPORT_CREATED:
            case = new_key()
            add(kind, case=case, intent=intent, service=service)
            chosen = _choose_updates(add, rng, case, needs)
            if chosen and rng.random() < 0.8:  # most reports change stage within the period
                _update(add, rng, case, chosen, minutes=rng.uniform(60, 7200))
        elif kind:
            add(kind, intent=intent, service=service)
        elif intent == INFORMATION_INTENT:
            add(EventKind.INTENT, intent=intent, service=service)
            if rng.random() < 0.1:  # "any update on SCC-...?": more often when no updates were chosen
                add(EventKind.STATUS_ASKED, case=new_key(), value="updates_on" if rng.random() < 0.3 else "no_updates")
    elif rng.random() < (0.75 if needs else 0.45):
        local_hour = started.hour
        in_hours = started.weekday() < 5 and 9 <= local_hour < 17
        offered = (["webchat"] if in_hours and rng.random() < 0.8 else []) + ["phone"]
        offered += ["gateway"] if rng.random() < 0.97 else []
        if not in_hours and rng.random() < 0.03:
            offered = ["webchat"] if rng.random() < 0.5 else []
        for channel in offered:
            add(EventKind.HANDOFF_OFFERED, minutes=0.1, handoff_channel=channel, in_hours=in_hours)
        if offered and rng.random() < accept_chance:
            channel = rng.choice(offered)
            case = new_key()
            add(EventKind.HANDOFF_ACCEPTED, case=case, handoff_channel=channel, service=service)
            # A booked call back or visit is followed by "How would you like to hear back?"; a
            # reminder goes out to those who chose updates, and fewer of them miss it.
            chosen = _choose_updates(add, rng, case, needs) if channel in ("phone", "gateway") else None
            if channel == "webchat" and rng.random() < 0.08:
                add(EventKind.ABANDONED, minutes=rng.uniform(2, 10), case=case, staff=True, value="queue")
            elif channel in ("phone", "gateway") and rng.random() < (0.03 if chosen else 0.08):
                if chosen:
                    _update(add, rng, case, chosen, minutes=600)
                reminded = "reminded" if chosen else "not_reminded"
                add(EventKind.NO_SHOW, minutes=240, case=case, staff=True, handoff_channel=channel, value=reminded)
            elif rng.random() < 0.9:
                if chosen:
                    _update(add, rng, case, chosen, minutes=60)
                _contact(add, rng, channel, case, resolved=0.85)
            elif rng.random() < 0.5:
                add(EventKind.UNABLE_TO_CONTACT, minutes=240, case=case, staff=True, handoff_channel=channel)
    elif rng.random() < 0.1:
        add(EventKind.ABANDONED, value="form")
    if rng.random() < 0.3:
        answer = "yes" if rng.random() < (0.7 if resolved_by_bot else 0.45) else rng.choice(["partly", "no"])
        add(EventKind.SATISFACTION, value=answer)
    if rng.random() < 0.55:
        add(EventKind.CONVERSATION_ENDED)
    return events


def _contact(add: Callable[..., None], rng: random.Random, channel: str, case: str, resolved: float) -> None:
    wait = rng.expovariate(1 / CONTACT_MINUTES[channel])
    timing = "on_time" if wait <= SLA_MINUTES[channel] else "late"
    add(EventKind.HANDOFF_CLAIMED, minutes=wait * 0.8, case=case, staff=True, handoff_channel=channel)
    add(EventKind.CONTACT_MADE, minutes=wait * 0.2, case=case, staff=True, handoff_channel=channel, value=timing)
    outcome = EventKind.RESOLVED if rng.random() < resolved else EventKind.UNABLE_TO_CONTACT
    add(outcome, minutes=rng.uniform(5, 30), case=case, staff=True, handoff_channel=channel)


# How residents choose to hear back: those who are digitally excluded more often by text or letter.
UPDATE_SHARES = {
    "digital_exclusion": (("text", 0.45), ("email", 0.05), ("letter", 0.25), ("none", 0.25)),
    "": (("text", 0.35), ("email", 0.3), ("letter", 0.05), ("none", 0.3)),
}


def _choose_updates(add: Callable[..., None], rng: random.Random, case: str, needs: list[str]) -> str | None:
    """The resident is asked how to hear back about ``case`` (most answer); the channel chosen, or
    None for no updates."""
    if rng.random() >= 0.85:
        return None
    shares = UPDATE_SHARES["digital_exclusion" if "digital_exclusion" in needs else ""]
    choice = rng.choices([name for name, _ in shares], [weight for _, weight in shares])[0]
    add(EventKind.UPDATES_CHOSEN, case=case, value=choice)
    return None if choice == "none" else str(choice)


def _update(add: Callable[..., None], rng: random.Random, case: str, channel: str, minutes: float) -> None:
    """An automatic update about ``case`` by ``channel``: sent, or now and then failed after retries."""
    kind = EventKind.UPDATE_FAILED if rng.random() < 0.03 else EventKind.UPDATE_SENT
    add(kind, minutes=minutes, case=case, staff=True, value=channel)

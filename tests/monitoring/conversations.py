"""Monitoring data for tests: whole conversations written as outcome events, then refreshed.

Each conversation is the events the flows and the inbox would record for it, so the dashboard and
the report are tested through the same path as real data (events -> facts -> daily counters).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable

from sqlalchemy.engine import Engine

from monitoring.events import EventKind, OutcomeEvent, keyed_hash
from monitoring.refresh import refresh
from monitoring.schema import outcome_events

SECRET = b"dashboard-test-secret"
HANDED_OFF = ("handed_off", "handed_off_resolved", "handed_off_unresolved")


def conversation(
    day: date,
    outcome: str = "resolved_by_bot",
    needs: Iterable[str] = (),
    service: str | None = "council_tax",
    entry: str = "web",
    channel: str = "phone",
    offered: Iterable[str] | None = None,
    in_hours: bool = True,
    contact_minutes: float | None = None,
    on_time: bool | None = None,
    satisfaction: str | None = None,
    digital_inclusion: str | None = None,
) -> list[OutcomeEvent]:
    """The events of one conversation that ends with ``outcome`` (see ``monitoring.outcomes``).

    A handoff outcome is offered and accepted on ``channel``; a resolved or unresolved one has a
    first contact ``contact_minutes`` after acceptance (30 by default), on time unless told.
    ``digital_inclusion`` is "offered" or "accepted".
    """
    token = uuid.uuid4().hex
    start = datetime.combine(day, time(12, 0), tzinfo=timezone.utc)
    keys = {
        "resident_key": keyed_hash(SECRET, f"resident:{token}"),
        "conversation_key": keyed_hash(SECRET, f"conversation:{token}"),
    }
    events = [OutcomeEvent(EventKind.CONVERSATION_STARTED, at=start, entry_channel=entry, **keys)]
    if service:
        events.append(OutcomeEvent(EventKind.INTENT, at=start, intent="report_problem", service=service, **keys))
    for category in needs:
        events.append(OutcomeEvent(EventKind.SUPPORT_NEED_DETECTED, at=start, category=category, **keys))
    if digital_inclusion:
        events.append(OutcomeEvent(EventKind.DIGITAL_INCLUSION_OFFERED, at=start, **keys))
        if digital_inclusion == "accepted":
            events.append(OutcomeEvent(EventKind.DIGITAL_INCLUSION_ACCEPTED, at=start, **keys))
    offers = tuple(offered) if offered is not None else ((channel,) if outcome in HANDED_OFF else ())
    for offer in offers:
        events.append(
            OutcomeEvent(EventKind.HANDOFF_OFFERED, at=start, handoff_channel=offer, in_hours=in_hours, **keys)
        )
    if outcome == "safeguarding":
        events.append(OutcomeEvent(EventKind.SAFEGUARDING_ESCALATED, at=start, category="safeguarding", **keys))
    elif outcome == "resolved_by_bot":
        events.append(OutcomeEvent(EventKind.REPORT_CREATED, at=start, service=service, **keys))
    elif outcome in HANDED_OFF:
        case = {"case_key": keyed_hash(SECRET, f"case:{token}"), "handoff_channel": channel}
        events.append(OutcomeEvent(EventKind.HANDOFF_ACCEPTED, at=start, **case, **keys))
        if outcome != "handed_off":
            at = start + timedelta(minutes=30 if contact_minutes is None else contact_minutes)
            timing = "on_time" if on_time is not False else "late"
            events.append(OutcomeEvent(EventKind.CONTACT_MADE, at=at, value=timing, **case, **keys))
            kind = EventKind.RESOLVED if outcome == "handed_off_resolved" else EventKind.UNABLE_TO_CONTACT
            events.append(OutcomeEvent(kind, at=at + timedelta(minutes=5), **case, **keys))
    if satisfaction:
        events.append(OutcomeEvent(EventKind.SATISFACTION, at=start + timedelta(hours=1), value=satisfaction, **keys))
    return events


def many(count: int, first_day: date, days: int = 28, **details: object) -> list[OutcomeEvent]:
    """``count`` alike conversations spread over ``days`` days from ``first_day``."""
    events: list[OutcomeEvent] = []
    for number in range(count):
        events += conversation(first_day + timedelta(days=number % days), **details)  # type: ignore[arg-type]
    return events


def write(engine: Engine, events: list[OutcomeEvent], update: bool = True) -> None:
    """Store the events (as the recorder would) and, by default, bring the counters up to date."""
    with engine.begin() as connection:
        connection.execute(outcome_events.insert(), [event.as_row() for event in events])
    if update:
        refresh(engine)


def january(engine: Engine) -> None:
    """January 2026 with small cells on purpose (3 conversations with a rare need, 4 safeguarding
    escalations, 7 digital inclusion offers), and older residents clearly less often resolved:
    12 of 50 (24%) against 100 of 120 with no need noticed. 184 conversations, 153 about council tax,
    20 from the embedded chat."""

    def month(count: int, **details: object) -> list[OutcomeEvent]:
        return many(count, date(2026, 1, 5), days=26, **details)

    write(
        engine,
        month(100, outcome="resolved_by_bot", service="council_tax", entry="web", satisfaction="yes")
        + month(20, outcome="abandoned", service="missed_bin", entry="embed")
        + month(3, needs=["language_literacy"], outcome="resolved_by_bot", service="council_tax")
        + month(4, outcome="safeguarding", service=None)
        + month(7, needs=["digital_exclusion"], digital_inclusion="offered", service="missed_bin")
        + month(12, needs=["older_age"], outcome="handed_off_resolved", channel="phone")
        + month(38, needs=["older_age"], outcome="handed_off_unresolved", channel="phone"),
    )


def booked_visit(day: date, chose: str, no_show: bool) -> list[OutcomeEvent]:
    """A Gateway visit booked in a conversation, the resident's choice of updates, a reminder to those
    who chose one, and a no-show or a visit held."""
    token = uuid.uuid4().hex
    start = datetime.combine(day, time(11, 0), tzinfo=timezone.utc)
    keys = {
        "resident_key": keyed_hash(SECRET, f"resident:{token}"),
        "conversation_key": keyed_hash(SECRET, f"conversation:{token}"),
    }
    case = keyed_hash(SECRET, f"case:{token}")
    staff = {"resident_key": case, "case_key": case}
    events = [
        OutcomeEvent(EventKind.CONVERSATION_STARTED, at=start, entry_channel="web", **keys),
        OutcomeEvent(EventKind.HANDOFF_ACCEPTED, at=start, case_key=case, handoff_channel="gateway", **keys),
        OutcomeEvent(EventKind.UPDATES_CHOSEN, at=start, case_key=case, value=chose, **keys),
    ]
    if chose != "none":
        events.append(OutcomeEvent(EventKind.UPDATE_SENT, at=start + timedelta(hours=20), value=chose, **staff))
    later = start + timedelta(days=1)
    if no_show:
        reminded = "reminded" if chose != "none" else "not_reminded"
        events.append(OutcomeEvent(EventKind.NO_SHOW, at=later, handoff_channel="gateway", value=reminded, **staff))
    else:
        events.append(OutcomeEvent(EventKind.RESOLVED, at=later, handoff_channel="gateway", **staff))
    return events


def january_updates(engine: Engine) -> None:
    """40 visits with text reminders (3 missed), 30 without updates (12 missed)."""
    events: list[OutcomeEvent] = []
    for number in range(70):
        day = date(2026, 1, 5) + timedelta(days=number % 26)
        events += booked_visit(day, "text" if number < 40 else "none", no_show=number < 3 or 40 <= number < 52)
    write(engine, events)

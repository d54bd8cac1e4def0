"""The update planner: decides which messages residents are due and puts them in the outbox
(``storage.notify_outbox``); the sender (``integrations.notify``) sends them.

Every web-app process runs one (``keep_planning``). It reads the webhook events after its cursor
(a report moved on, a case claimed...), and the booked call backs and Gateway appointments due a
reminder, and queues a message for each reference whose resident chose text, email or letter. The
outbox's unique key (reference, kind, occasion) means two processes planning at once queue a message
once. A change is recorded before the resident chooses how to hear back, so recent choices are also
matched with their reference's earlier events.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection, Engine

from routing import clock
from routing.catalogue import Catalogue, default_catalogue
from routing.updates import NO_UPDATES_TRIGGERS, messages_for, personalisation, reminder_for, when_text
from storage.engine import as_utc
from storage.handoffs import handoff_cases
from storage.notify_outbox import move_cursor, queue_message, read_cursor
from storage.update_contacts import update_contacts
from storage.webhooks import webhook_events

logger = logging.getLogger(__name__)
Local = Callable[[datetime], datetime]  # a UTC time in UK local time (ContactSchedule.local)
PLAN_SECONDS = 15.0
BATCH = 200
LOOK_BACK = timedelta(minutes=10)  # events planned again, in case one committed behind the cursor
LATE_CHOICE = timedelta(days=1)  # a choice made this recently is matched with its reference's earlier events
FALLBACK_SERVICE = {"change_recorded": "a change to your details"}
_WANTS = and_(update_contacts.c.channel != "none", update_contacts.c.contact.is_not(None))


def service_name(catalogue: Catalogue, code: str | None, kind: str) -> str:
    """The plain name of the service a message is about (never anything the resident said)."""
    service = catalogue.get(code)
    if service is None:
        return FALLBACK_SERVICE.get(kind, "your request")
    # Said mid-sentence ("about council tax"); a name starting with capitals ("CCTV") stays as it is.
    return service.name if service.name[:2].isupper() else service.name[:1].lower() + service.name[1:]


def _wanting(connection: Connection, references: set[str]) -> set[str]:
    if not references:
        return set()
    query = select(update_contacts.c.reference).where(_WANTS, update_contacts.c.reference.in_(references))
    return set(connection.execute(query).scalars())


def _kinds(event: Any) -> tuple[str, ...]:
    return messages_for(event.event_type, json.loads(event.data))


def _queue_event(
    connection: Connection, event: Any, catalogue: Catalogue, local: Local, now: datetime, kinds: tuple[str, ...]
) -> int:
    data = json.loads(event.data)
    when = when_text(local(as_utc(event.at)))
    queued = 0
    for kind in kinds:
        fields = personalisation(event.reference, service_name(catalogue, data.get("service_code"), kind), when)
        queued += queue_message(connection, event.reference, kind, event.event_id, fields, now)
    return queued


def plan_events(engine: Engine, catalogue: Catalogue, local: Local, now: datetime | None = None) -> int:
    """Queue the messages the webhook events after the cursor make; how many were queued."""
    now = now or clock.now()
    try:
        return _plan_events(engine, catalogue, local, now)
    except _PlannedElsewhere:  # another process planned these first; its messages stand, ours are undone
        return 0


class _PlannedElsewhere(Exception):
    """The cursor moved while this process planned the same events."""


def _plan_events(engine: Engine, catalogue: Catalogue, local: Local, now: datetime) -> int:
    with engine.begin() as connection:
        cursor = read_cursor(connection)
        query = select(webhook_events).where(webhook_events.c.id > cursor).order_by(webhook_events.c.id).limit(BATCH)
        events = connection.execute(query).all()
        if not events:
            return 0
        wanting = _wanting(connection, {event.reference for event in events})
        queued = 0
        for event in events:
            kinds = messages_for(event.event_type, json.loads(event.data))
            if kinds and event.reference in wanting:
                queued += _queue_event(connection, event, catalogue, local, now, kinds)
        if not move_cursor(connection, cursor, events[-1].id):
            raise _PlannedElsewhere
    return queued


def plan_recent_events(engine: Engine, catalogue: Catalogue, local: Local, now: datetime | None = None) -> int:
    """Plan the last few minutes' events again, behind the cursor. On PostgreSQL an event's id is
    drawn before its transaction commits, so a slow transaction can commit an event below a cursor
    that has already passed it; the outbox's key keeps each message single."""
    now = now or clock.now()
    query = select(webhook_events).where(webhook_events.c.at >= now - LOOK_BACK).order_by(webhook_events.c.id)
    queued = 0
    with engine.begin() as connection:
        events = [(event, _kinds(event)) for event in connection.execute(query).all()]
        wanting = _wanting(connection, {event.reference for event, kinds in events if kinds})
        for event, kinds in events:
            if kinds and event.reference in wanting:
                queued += _queue_event(connection, event, catalogue, local, now, kinds)
    return queued


def plan_late_choices(engine: Engine, catalogue: Catalogue, local: Local, now: datetime | None = None) -> int:
    """Queue what recent choices' earlier events make (a change recorded, then the resident chose
    texts); the outbox's key keeps each message single however often this runs."""
    now = now or clock.now()
    recent = select(update_contacts.c.reference).where(_WANTS, update_contacts.c.chosen_at >= now - LATE_CHOICE)
    query = select(webhook_events).where(
        webhook_events.c.reference.in_(recent), webhook_events.c.event_type == "case.created"
    )
    queued = 0
    with engine.begin() as connection:
        for event in connection.execute(query).all():
            kinds = messages_for(event.event_type, json.loads(event.data))
            if kinds:
                queued += _queue_event(connection, event, catalogue, local, now, kinds)
    return queued


def plan_reminders(engine: Engine, catalogue: Catalogue, local: Local, now: datetime | None = None) -> int:
    """Queue reminders for booked call backs today and Gateway appointments tomorrow; how many."""
    now = now or clock.now()
    cases = handoff_cases.c
    query = (
        select(cases.reference, cases.mode, cases.trigger, cases.service_code, cases.slot_start, cases.slot_end)
        .select_from(handoff_cases.join(update_contacts, update_contacts.c.reference == cases.reference))
        .where(_WANTS, cases.mode.in_(("callback", "appointment")), cases.status.in_(("queued", "claimed")))
        .where(cases.slot_start.is_not(None), cases.slot_start > now - timedelta(days=1))
        .where(cases.slot_start < now + timedelta(days=2))
    )
    local_now = local(now)
    queued = 0
    with engine.begin() as connection:
        for case in connection.execute(query).all():
            if case.trigger in NO_UPDATES_TRIGGERS:
                continue
            start, end = local(as_utc(case.slot_start)), case.slot_end and local(as_utc(case.slot_end))
            reminder = reminder_for(case.mode, start, end, local_now)
            if reminder is None:
                continue
            until = end if reminder.kind == "callback_today" else None
            when = when_text(start, until)
            fields = personalisation(case.reference, service_name(catalogue, case.service_code, reminder.kind), when)
            queued += queue_message(connection, case.reference, reminder.kind, reminder.occasion, fields, now)
    return queued


def plan(engine: Engine, catalogue: Catalogue, local: Local, now: datetime | None = None) -> int:
    """One round of planning: events, recent choices and reminders; how many messages were queued."""
    return (
        plan_events(engine, catalogue, local, now)
        + plan_recent_events(engine, catalogue, local, now)
        + plan_late_choices(engine, catalogue, local, now)
        + plan_reminders(engine, catalogue, local, now)
    )


async def keep_planning(engine: Engine, local: Local, every: float | None = None) -> None:
    """Plan updates until cancelled. A failure (the database away or busy) is logged once and tried
    again next round: the events and bookings are still there."""
    catalogue = default_catalogue()
    every = every or PLAN_SECONDS  # read now, so a test can make it shorter
    failing = False
    while True:
        # A pause first: the app's start-up work (migrations, the first retention run) goes first.
        await asyncio.sleep(every)
        try:
            queued = await asyncio.to_thread(plan, engine, catalogue, local)
            failing = False
            if queued:
                logger.info("Queued %s update(s) to residents", queued)
        except Exception:  # noqa: BLE001 - nothing is lost; the next round plans it
            if not failing:
                logger.exception("Could not plan updates to residents; trying again every %g seconds", every)
            failing = True

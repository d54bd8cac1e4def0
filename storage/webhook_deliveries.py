"""The webhook delivery queue: which deliveries are due, who is sending each, how each attempt went.

Several web-app processes may send at once. A process takes a due delivery with a lease, an
``UPDATE ... WHERE`` the delivery is pending and nobody's lease is running (a compare-and-set, the
same on SQLite and PostgreSQL): of two processes, one gets it. An attempt's result is written only
by the lease's holder; a process that died mid-send leaves a lease that runs out, and the delivery
is taken again. The log is kept for ``forget``'s period (the sender runs it hourly).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.engine import Engine

from routing import clock
from storage.engine import as_utc, from_row
from storage.handoffs import handoff_cases
from storage.reports import service_requests
from storage.webhooks import DELIVERED, GAVE_UP, PENDING, webhook_deliveries, webhook_events, webhook_subscribers

deliveries, events, subscribers = webhook_deliveries, webhook_events, webhook_subscribers
_SENDING = select(
    deliveries.c.id,
    deliveries.c.attempts,
    deliveries.c.leased_by,
    events.c.event_id,
    events.c.event_type,
    events.c.reference,
    events.c.at,
    events.c.data,
    subscribers.c.id.label("subscriber_id"),
    subscribers.c.url,
    subscribers.c.secret,
    subscribers.c.council_system,
).select_from(deliveries.join(events, deliveries.c.event_id == events.c.id).join(subscribers))


@dataclass(frozen=True)
class Delivery:
    """One event on its way to one subscriber, held by this process while it sends it.

    Attributes:
        attempts: attempts made before this one.
        leased_by: this process's lease on it; only the holder records how the attempt went.
    """

    id: int
    attempts: int
    leased_by: str
    event_id: str
    event_type: str
    reference: str
    at: datetime
    data: dict[str, Any]
    subscriber_id: int
    url: str
    secret: str
    council_system: bool


@dataclass(frozen=True)
class LogEntry:
    """One line of the delivery log on the managers' page."""

    event_id: str
    event_type: str
    reference: str
    subscriber: str
    state: str
    attempts: int
    last_status: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    updated_at: datetime


class DeliveryQueue:
    """Takes due deliveries with a lease, records each attempt, and shows and trims the log."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def claim(self, lease_seconds: float, limit: int = 20, now: datetime | None = None) -> list[Delivery]:
        """Take up to ``limit`` due deliveries to active subscribers, oldest first, for ``lease_seconds``."""
        now = now or clock.now()
        token = secrets.token_hex(8)
        free = or_(deliveries.c.lease_until.is_(None), deliveries.c.lease_until < now)
        due = (
            select(deliveries.c.id)
            .join(subscribers)
            .where(deliveries.c.state == PENDING, deliveries.c.next_attempt_at <= now, free)
            .where(subscribers.c.active.is_(True))
            .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            candidates = connection.execute(due).scalars().all()
        # Written in a transaction that starts with its first write (a SQLite transaction that read
        # first could not then write once another process had written meanwhile).
        with self._engine.begin() as connection:
            for delivery_id in candidates:
                # The same conditions again in the UPDATE: another process that took it first wins.
                connection.execute(
                    update(deliveries)
                    .where(deliveries.c.id == delivery_id, deliveries.c.state == PENDING, free)
                    .values(lease_until=now + timedelta(seconds=lease_seconds), leased_by=token)
                )
        with self._engine.connect() as connection:
            rows = connection.execute(_SENDING.where(deliveries.c.leased_by == token)).mappings().all()
        return [from_row(Delivery, row, data=json.loads(row["data"]), at=as_utc(row["at"])) for row in rows]

    def record(
        self, delivery: Delivery, outcome: str, status: int | None, error: str | None,
        retry_at: datetime | None = None, now: datetime | None = None,
    ) -> bool:  # fmt: skip
        """Record an attempt: ``delivered``, ``retry`` (at ``retry_at``), ``gave_up``, or ``gone``
        (given up, and the subscriber paused: its receiver said 410 Gone). False when this process's
        lease had run out and another took the delivery over (nothing is written)."""
        now = now or clock.now()
        values: dict[str, Any] = {
            "attempts": deliveries.c.attempts + 1, "last_status": status, "last_error": (error or None) and error[:200],
            "updated_at": now, "lease_until": None, "leased_by": None,
        }  # fmt: skip
        if outcome == "retry":
            values["next_attempt_at"] = retry_at or now
        else:
            values |= {"state": DELIVERED if outcome == "delivered" else GAVE_UP, "finished_at": now}
        held = and_(deliveries.c.id == delivery.id, deliveries.c.leased_by == delivery.leased_by)
        with self._engine.begin() as connection:
            written = connection.execute(update(deliveries).where(held).values(**values)).rowcount == 1
            if written and outcome == "gone":
                note = "Paused: its receiver answered 410 Gone (it wants no more deliveries)."
                paused = update(subscribers).where(subscribers.c.id == delivery.subscriber_id)
                connection.execute(paused.values(active=False, note=note))
        return written

    def resident_details(self, event_type: str, reference: str) -> dict[str, Any] | None:
        """What the council's own case system may also receive, read now: a case's summary and need
        categories, or a report's description, place and public note. None when nothing is kept
        (a closed case past its transcript period) or the record is gone."""
        with self._engine.connect() as connection:
            if event_type.startswith("case."):
                query = select(handoff_cases.c.summary, handoff_cases.c.needs)
                case = connection.execute(query.where(handoff_cases.c.reference == reference)).first()
                if case is None:
                    return None
                summary, needs = json.loads(case.summary), json.loads(case.needs)
                categories = sorted({str(need.get("category")) for need in needs if need.get("category")})
                found: dict[str, Any] = {"summary": summary} if summary else {}
                return found | ({"need_categories": categories} if categories else {}) or None
            report = connection.execute(
                select(service_requests).where(service_requests.c.service_request_id == reference)
            ).mappings().first()  # fmt: skip
        if report is None:
            return None
        fields = ("description", "address_string", "postcode", "lat", "long", "status_notes")
        return {name: report[name] for name in fields if report[name] is not None} or None

    def log(self, limit: int = 50) -> list[LogEntry]:
        """The latest deliveries, the most recently changed first."""
        query = (
            select(
                events.c.event_id,
                events.c.event_type,
                events.c.reference,
                subscribers.c.name.label("subscriber"),
                deliveries.c.state,
                deliveries.c.attempts,
                deliveries.c.last_status,
                deliveries.c.last_error,
                deliveries.c.next_attempt_at,
                deliveries.c.updated_at,
            )  # fmt: skip
            .select_from(deliveries.join(events, deliveries.c.event_id == events.c.id).join(subscribers))
            .order_by(deliveries.c.updated_at.desc(), deliveries.c.id.desc())
            .limit(limit)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [_entry(row) for row in rows]

    def forget(self, before: datetime) -> int:
        """Delete deliveries last changed before ``before`` (a paused subscriber's old backlog too),
        then events older than that with no delivery left; how many deliveries went."""
        with self._engine.begin() as connection:
            gone = connection.execute(delete(deliveries).where(deliveries.c.updated_at < before)).rowcount
            unsent = ~exists().where(deliveries.c.event_id == events.c.id)
            connection.execute(delete(events).where(events.c.at < before, unsent))
        return int(gone)


def _entry(row: Mapping[str, Any]) -> LogEntry:
    waiting = row["state"] == PENDING
    return from_row(LogEntry, row, next_attempt_at=as_utc(row["next_attempt_at"]) if waiting else None)

"""The booked seats' table and the slot book: free slots offered, and a seat taken at most once.

A booking inserts a row whose (kind, start, seat) is unique, so two residents racing for the last
seat cannot both win, on SQLite or PostgreSQL alike. The slot rules are ``routing.bookings``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Column, DateTime, Integer, String, Table, UniqueConstraint, delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from routing.bookings import KINDS, Slot, SlotUnavailable
from routing.hours import ContactSchedule
from storage.engine import as_utc, metadata

slot_bookings = Table(
    "slot_bookings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("slot_start", DateTime(timezone=True), nullable=False),
    Column("seat", Integer, nullable=False),
    Column("reference", String(16), nullable=False, index=True),
    UniqueConstraint("kind", "slot_start", "seat", name="one_booking_per_seat"),
)


class SlotBook:
    """Offers free slots and books seats in them."""

    def __init__(self, engine: Engine, schedule: ContactSchedule) -> None:
        self._engine = engine
        self._schedule = schedule

    def _rules(self, kind: str) -> tuple[str, int, int, int]:
        if kind not in KINDS:
            raise SlotUnavailable(f"unknown kind of booking {kind!r}")
        channel = KINDS[kind]
        rules = self._schedule.channels[channel].slots
        if rules is None:
            raise SlotUnavailable(f"{channel} has no bookable slots configured")
        return channel, rules.minutes, rules.capacity, rules.days_ahead

    def _all_slots(self, kind: str, now: datetime) -> list[tuple[datetime, datetime]]:
        channel, minutes, _capacity, days_ahead = self._rules(kind)
        local_now = self._schedule.local(now)
        # A callback window that has started is still useful; an appointment must be ahead of us.
        lead = timedelta(minutes=15)
        slots = []
        for offset in range(days_ahead + 1):
            day = local_now.date() + timedelta(days=offset)
            hours = self._schedule.hours_on(channel, day)
            if hours is None:
                continue
            start = datetime.combine(day, hours[0], tzinfo=self._schedule.zone)
            closes = datetime.combine(day, hours[1], tzinfo=self._schedule.zone)
            while start + timedelta(minutes=minutes) <= closes:
                if start >= local_now + lead:
                    slots.append((as_utc(start), as_utc(start + timedelta(minutes=minutes))))
                start += timedelta(minutes=minutes)
        return slots

    def free_slots(self, kind: str, now: datetime, limit: int = 6) -> list[Slot]:
        """The next free slots of this kind, soonest first."""
        _channel, _minutes, capacity, _days = self._rules(kind)
        candidates = self._all_slots(kind, now)
        if not candidates:
            return []
        query = (
            select(slot_bookings.c.slot_start, func.count())
            .where(slot_bookings.c.kind == kind, slot_bookings.c.slot_start >= candidates[0][0])
            .group_by(slot_bookings.c.slot_start)
        )
        with self._engine.connect() as connection:
            taken = {as_utc(start): count for start, count in connection.execute(query)}
        free = []
        for start, end in candidates:
            left = capacity - taken.get(start, 0)
            if left > 0:
                free.append(Slot(kind, start, end, left))
            if len(free) >= limit:
                break
        return free

    def book(self, kind: str, start: datetime, reference: str, now: datetime) -> Slot:
        """Take a seat in the slot starting at ``start`` for ``reference``; SlotUnavailable when full."""
        _channel, _minutes, capacity, _days = self._rules(kind)
        start = as_utc(start)
        match = next(((s, e) for s, e in self._all_slots(kind, now) if s == start), None)
        if match is None:
            raise SlotUnavailable("that time is not available")
        for seat in range(capacity):
            try:
                with self._engine.begin() as connection:
                    connection.execute(
                        slot_bookings.insert().values(kind=kind, slot_start=start, seat=seat, reference=reference)
                    )
            except IntegrityError:
                continue  # someone holds this seat: try the next one
            return Slot(kind, match[0], match[1], 0)
        raise SlotUnavailable("that time has just been taken")

    def release(self, reference: str) -> int:
        """Free every seat held by ``reference``; how many were freed."""
        with self._engine.begin() as connection:
            return int(connection.execute(delete(slot_bookings).where(slot_bookings.c.reference == reference)).rowcount)

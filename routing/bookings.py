"""Bookable time: callback windows and Gateway appointment slots, never double-booked.

Slots come from the channel configuration (``routing.hours``). Each slot has a fixed number of
seats; a booking takes one seat by inserting a row whose (kind, start, seat) is unique, so two
residents racing for the last seat cannot both win, on SQLite or PostgreSQL alike (``storage.bookings``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from routing.hours import ContactSchedule, clock, day_text

KINDS = {"callback": "phone", "appointment": "gateway"}


class SlotUnavailable(Exception):
    """The slot is full, past, or not one the configuration offers."""


@dataclass(frozen=True)
class Slot:
    """A bookable window: a callback window or a Gateway appointment."""

    kind: str
    start: datetime
    end: datetime
    free: int

    @property
    def key(self) -> str:
        """A stable identifier for buttons and forms: the start in UTC, ISO format."""
        return self.start.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M")

    def describe(self, schedule: ContactSchedule, now: datetime) -> str:
        """ "tomorrow, 9am to 11am" in UK time."""
        start, end = schedule.local(self.start), schedule.local(self.end)
        today = schedule.local(now).date()
        if self.kind == "appointment":
            return f"{day_text(start, today)} at {clock(start)}"
        return f"{day_text(start, today)}, {clock(start)} to {clock(end)}"


def parse_slot_key(key: str) -> datetime:
    """The UTC start of a slot from its key; SlotUnavailable when the key is not one."""
    try:
        return datetime.strptime(key.strip(), "%Y-%m-%dT%H:%M").replace(tzinfo=timezone.utc)
    except (ValueError, AttributeError) as error:
        raise SlotUnavailable(f"{key!r} is not a slot") from error

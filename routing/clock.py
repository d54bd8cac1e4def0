"""The one clock the assistant reads.

Every module asks :func:`now` for the time, so a test (or a demonstration) can set it in one place
with :func:`set_time` or :func:`frozen_at`, and time-dependent behaviour (opening hours, free
booking slots, deadlines) is the same whatever day the tests run on.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Iterator

_fixed: datetime | None = None
_offset = timedelta(0)


def now() -> datetime:
    """The current time, in UTC (everything the assistant stores is UTC)."""
    if _fixed is not None:
        return _fixed
    return datetime.now(timezone.utc) + _offset


def start_at(moment: datetime | None) -> None:
    """Set the clock to ``moment`` (an aware datetime) and let it run on from there; None sets it
    back to the real time.

    For a whole running assistant (``COUNCIL_CLOCK``): a demonstration or the journeys suite can
    play a Saturday evening on a Tuesday morning, and bookings still move on as time passes.
    """
    global _offset
    if moment is None:
        _offset = timedelta(0)
        return
    if moment.tzinfo is None:
        raise ValueError("the clock needs an aware datetime (with a time zone)")
    _offset = moment - datetime.now(timezone.utc)


def set_time(moment: datetime | None) -> None:
    """Stop the clock at ``moment`` (an aware datetime); None lets it run again."""
    global _fixed
    if moment is not None and moment.tzinfo is None:
        raise ValueError("the clock needs an aware datetime (with a time zone)")
    _fixed = moment.astimezone(timezone.utc) if moment is not None else None


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """The clock stands at ``moment`` inside the block, and runs again after it."""
    set_time(moment)
    try:
        yield
    finally:
        set_time(None)

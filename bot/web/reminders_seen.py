"""Whether a reminder went out before a booked call back or Gateway visit, so a no-show can be counted
with or without one (issue 17: "no-shows with and without a reminder").

Reads the Notify outbox (``storage.notify_outbox``): a reminder counts once it was sent through Notify
or written to the local outbox (what a council without a Notify key has instead), never while it is
still waiting, nor when it failed or was cancelled.
"""

from __future__ import annotations

import logging

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from storage.notify_outbox import SENT, WRITTEN_LOCALLY, notify_outbox

logger = logging.getLogger(__name__)

REMINDER_KINDS = ("appointment_tomorrow", "callback_today")  # routing.updates.MESSAGE_KINDS that remind
DELIVERED = (SENT, WRITTEN_LOCALLY)


def was_reminded(engine: Engine, reference: str) -> bool:
    """Whether a reminder about the case ``reference`` reached the resident's chosen channel."""
    query = (
        select(notify_outbox.c.id)
        .where(
            notify_outbox.c.reference == reference,
            notify_outbox.c.kind.in_(REMINDER_KINDS),
            notify_outbox.c.state.in_(DELIVERED),
        )
        .limit(1)
    )
    with engine.connect() as connection:
        return connection.execute(query).first() is not None


class RemindersSeen:
    """``was_reminded`` for the web app's database; None (not known) when it cannot be read, so
    recording a no-show never fails because of it."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __call__(self, reference: str) -> bool | None:
        """Whether the case ``reference`` had its reminder; None when that cannot be told."""
        try:
            return was_reminded(self._engine, reference)
        except SQLAlchemyError:
            logger.warning("Could not tell whether case %s had its reminder", reference)
            return None


REMINDERS_SEEN = web.AppKey("reminders_seen", RemindersSeen)

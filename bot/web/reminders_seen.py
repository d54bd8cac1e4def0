"""Whether a reminder went out before a booked call back or Gateway visit, so a no-show can be counted
with or without one (issue 17: "no-shows with and without a reminder"). The answer is the Notify
outbox's (``NotifyOutbox.was_reminded``); this is the web app's view of it, which never fails a staff
action because the outbox cannot be read.
"""

from __future__ import annotations

import logging

from aiohttp import web
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from storage.notify_outbox import NotifyOutbox

logger = logging.getLogger(__name__)


class RemindersSeen:
    """Whether a case had its reminder; None (not known) when it cannot be read, so recording a
    no-show never fails because of it."""

    def __init__(self, engine: Engine) -> None:
        self._outbox = NotifyOutbox(engine)

    def __call__(self, reference: str) -> bool | None:
        """Whether the case ``reference`` had its reminder; None when that cannot be told."""
        try:
            return self._outbox.was_reminded(reference)
        except SQLAlchemyError:
            logger.warning("Could not tell whether case %s had its reminder", reference)
            return None


REMINDERS_SEEN = web.AppKey("reminders_seen", RemindersSeen)

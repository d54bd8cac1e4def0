"""Live webchat between a resident and an adviser: the messages, the wait, and when to give up.

Messages are kept in their own table so both pages can pick up new ones by id (server-sent events,
or polling where those fail). A resident is never left waiting in silence: if nobody picks the chat
up in time, or the adviser's page stops checking in, the chat is closed as "unable to contact" and
the resident is offered a call back instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_MESSAGE = 2000
QUEUE_TIMEOUT = timedelta(minutes=10)
ADVISER_GONE = timedelta(seconds=90)
MINUTES_PER_CHAT = 6  # a typical chat, for the honest wait estimate


class LiveChatError(Exception):
    """A live chat operation that cannot be done; the message is safe to show."""


@dataclass(frozen=True)
class LiveMessage:
    """One message in a live chat."""

    id: int
    sender: str
    author: str | None
    text: str
    at: datetime


def wait_estimate(position: int, advisers_online: int) -> str:
    """An honest wait in words: "about 6 minutes", or that nobody is free yet."""
    if advisers_online <= 0:
        return "Nobody is free to chat just now."
    minutes = max(1, math.ceil((position - 1) * MINUTES_PER_CHAT / advisers_online)) if position > 1 else 1
    return f"The wait is about {minutes} minute{'s' if minutes != 1 else ''}."

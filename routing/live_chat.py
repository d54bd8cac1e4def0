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
from typing import Callable

MAX_MESSAGE = 2000
# The page signal (``Reply.page``) on the turn that puts a resident in the live chat queue: the chat
# page follows the live chat from then on. Only that turn, or one in a chat already live, needs the
# web app to read the live chat's state.
LIVE_CHAT = "live_chat"
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


class QueueShares:
    """How many live chats each client address has waiting, so one script cannot fill the queue.

    A chat counts from when it is first seen waiting until it is seen no longer waiting. Counts are
    kept in this process's memory (like the rate limits): a restart starts them again.
    """

    def __init__(self, per_client: int) -> None:
        self.per_client = per_client
        self._waiting: dict[str, set[str]] = {}

    def admit(self, client: str, chat: str, still_waiting: Callable[[str], bool]) -> bool:
        """Whether ``chat`` may wait in the queue for ``client``: yes if it already does, or if the
        client's other chats that are ``still_waiting`` leave room."""
        chats = self._waiting.setdefault(client, set())
        if chat in chats:
            return True
        chats.intersection_update({other for other in chats if still_waiting(other)})
        if len(chats) >= self.per_client:
            return False
        chats.add(chat)
        return True

    def keep_only(self, waiting: set[str]) -> None:
        """Forget every chat not in ``waiting`` (the queue as it is now), and clients left with none."""
        for client in list(self._waiting):
            self._waiting[client] &= waiting
            if not self._waiting[client]:
                del self._waiting[client]

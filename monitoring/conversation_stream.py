"""Outcome events read from a conversation's own event stream, instead of extra actions.

Rasa publishes every event of a conversation (as a dict with its ``sender_id``) through its event
broker; ``StreamReader`` turns the ones that mean an outcome into outcome events:

* ``session_started`` -> ``conversation_started``, with how the resident came in (the entry channel
  the first message's metadata gave, which Rasa keeps in the ``session_started_metadata`` slot set
  just before the session starts);
* the bot's goodbye (``utter_goodbye``) -> ``conversation_ended``.

The conversation is named as the actions name it (``monitoring.events.session_name``): by the
``session_started`` event's timestamp, which the tracker store adds to each published event as
``session_started_at``. Only fixed vocabularies come out: no text, no metadata beyond the entry
channel. Pure: no Rasa, no database, so it can be tested with hand-built events.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Mapping

from monitoring.events import EventKind, entry_channel, session_name
from routing import clock

METADATA_SLOT = "session_started_metadata"  # Rasa sets it from the first message's metadata
SESSION_KEY = "session_started_at"  # added to each published event by bot.tracker_store
ENDING_ACTIONS = frozenset({"utter_goodbye"})
# Senders whose session is starting, kept only between the metadata slot and the session_started
# event right after it (both come from one save); bounded in case the second never comes.
MAX_PENDING = 10_000


@dataclass(frozen=True)
class StreamOutcome:
    """One outcome event to record: ``Outcomes.record(sender_id, kind, session=..., at=..., **fields)``.

    ``at`` is when the Rasa event happened, on the assistant's clock: the stream is read after the
    turn, and the actions record that turn's other events while it runs.
    """

    sender_id: str
    kind: EventKind
    session: str
    at: datetime
    fields: Mapping[str, str] = field(default_factory=dict)


class StreamReader:
    """Reads published Rasa events, oldest first, into outcome events."""

    def __init__(self) -> None:
        self._entry: OrderedDict[str, str] = OrderedDict()

    def read(self, event: Mapping[str, Any]) -> list[StreamOutcome]:
        """The outcome events one published Rasa event means (usually none)."""
        sender = event.get("sender_id")
        if not isinstance(sender, str) or not sender:
            return []
        kind = event.get("event")
        if kind == "slot" and event.get("name") == METADATA_SLOT:
            self._entry[sender] = entry_channel(event.get("value"))
            self._entry.move_to_end(sender)
            while len(self._entry) > MAX_PENDING:
                self._entry.popitem(last=False)
            return []
        if kind == "session_started":
            channel = self._entry.pop(sender, None) or entry_channel(None)
            started = _number(event.get("timestamp"))
            name = session_name(started)
            return [
                StreamOutcome(sender, EventKind.CONVERSATION_STARTED, name, _when(started), {"entry_channel": channel})
            ]
        if kind == "action" and event.get("name") in ENDING_ACTIONS:
            started = _number(event.get(SESSION_KEY))
            if started is None:
                return []  # not from this project's tracker store: the conversation cannot be named
            ended = _when(_number(event.get("timestamp")))
            return [StreamOutcome(sender, EventKind.CONVERSATION_ENDED, session_name(started), ended)]
        return []


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _when(timestamp: float | None) -> datetime:
    """A Rasa timestamp (the machine's time) on the assistant's clock (``COUNCIL_CLOCK`` may move it)."""
    if timestamp is None:
        return clock.now()
    return clock.now() - timedelta(seconds=max(0.0, time.time() - timestamp))

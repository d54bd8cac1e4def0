"""The one way to record an outcome event, from the actions and the web app.

Recording must never slow or break a conversation. Each event is written straight to the database
when it answers; when it does not, the event goes to a local outbox file (one JSON line per event,
flushed to disk) and the database is left alone for a short while. The next successful write
first empties the outbox, in order. Every event has a unique id and the table refuses a second
copy, so an event that reaches the database twice is still stored once.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from monitoring.events import EventKind, OutcomeEvent, keyed_hash
from monitoring.schema import outcome_events

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30.0


class Outbox:
    """Events waiting for the database, in a local append-only file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def add(self, event: OutcomeEvent) -> None:
        """Keep ``event`` on disk until it can be written."""
        line = json.dumps(event.as_row(), default=str)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as file:
                file.write(line + "\n")
                file.flush()
                os.fsync(file.fileno())

    def waiting(self) -> list[OutcomeEvent]:
        """The events in the outbox, oldest first (a torn last line, from a crash, is skipped)."""
        with self._lock:
            if not self.path.exists():
                return []
            lines = self.path.read_text(encoding="utf-8").splitlines()
        events = []
        for line in lines:
            try:
                events.append(OutcomeEvent.from_row(json.loads(line)))
            except (ValueError, TypeError, KeyError):
                logger.warning("Skipping an unreadable line in the monitoring outbox")
        return events

    def remove(self, written: set[str]) -> None:
        """Drop the events now in the database, keeping any added meanwhile."""
        with self._lock:
            if not self.path.exists():
                return
            kept = [
                line
                for line in self.path.read_text(encoding="utf-8").splitlines()
                if line.strip() and json.loads(line).get("event_id") not in written
            ]
            if kept:
                self.path.write_text("\n".join(kept) + "\n", encoding="utf-8")
            else:
                self.path.unlink()


class OutcomeRecorder:
    """Writes outcome events to the database, or to the outbox while the database is away."""

    def __init__(self, engine: Engine, outbox: Outbox, retry_after: float = RETRY_AFTER_SECONDS) -> None:
        self._engine = engine
        self._outbox = outbox
        self._retry_after = retry_after
        self._database_down_until = 0.0

    def record(self, event: OutcomeEvent) -> None:
        """Record ``event``. Never raises for a database problem: the event waits in the outbox."""
        if time.monotonic() < self._database_down_until:
            self._outbox.add(event)
            return
        try:
            self.flush()
            self._write([event])
        except DBAPIError:
            logger.warning("Monitoring database unavailable; keeping events in %s", self._outbox.path)
            self._database_down_until = time.monotonic() + self._retry_after
            self._outbox.add(event)

    def flush(self) -> int:
        """Write the outbox to the database; how many events it held. Raises if the database is away."""
        waiting = self._outbox.waiting()
        if waiting:
            self._write(waiting)
            self._outbox.remove({event.event_id for event in waiting})
            self._database_down_until = 0.0
        return len(waiting)

    def _write(self, events: list[OutcomeEvent]) -> None:
        ids = [event.event_id for event in events]
        with self._engine.connect() as connection:
            query = select(outcome_events.c.event_id).where(outcome_events.c.event_id.in_(ids))
            stored = set(connection.execute(query).scalars())
        for event in events:
            if event.event_id in stored:
                continue  # already written, perhaps just before the database went away
            try:
                with self._engine.begin() as connection:
                    connection.execute(outcome_events.insert().values(**event.as_row()))
            except IntegrityError:
                continue  # another process wrote the same event a moment ago


class Outcomes:
    """What the flows call: ``record(conversation_id, kind, ...)``. Builds the event (keying the
    conversation with the secret) and records it; a mistake in an event is logged, never raised,
    so recording can never break a conversation."""

    def __init__(self, recorder: OutcomeRecorder, secret: bytes) -> None:
        self._recorder = recorder
        self._secret = secret

    def key(self, conversation_id: str) -> str:
        """The conversation's pseudonym."""
        return keyed_hash(self._secret, conversation_id)

    def record(self, conversation_id: str, kind: EventKind, **fields: object) -> None:
        """Record one event for the conversation."""
        try:
            event = OutcomeEvent(kind=kind, conversation_key=self.key(conversation_id), **fields)  # type: ignore[arg-type]
            self._recorder.record(event)
        except Exception:  # noqa: BLE001 - monitoring must never stop a conversation
            logger.exception("Could not record the outcome event %s", kind)

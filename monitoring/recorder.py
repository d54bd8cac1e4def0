"""The one way to record an outcome event, from the actions and the web app.

Recording must never slow or break a conversation. Each event is written straight to the database
when it answers; when it does not, the event goes to a local outbox file (one JSON line per event,
flushed to disk) and the database is left alone for a short while. The next successful write
first empties the outbox, in order; a background flusher also empties it once the database is
back, so nothing waits for a next event that may not come. Every event has a unique id and the
table refuses a second copy, so an event that reaches the database twice is still stored once.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError

from monitoring.events import EventKind, OutcomeEvent, keyed_hash
from monitoring.schema import outcome_events
from storage.engine import open_engine
from storage.schema import migrate_monitoring
from wiring.kept_secrets import metrics_secret
from wiring.settings import Settings

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30.0
CONNECT_TIMEOUT_SECONDS = 3  # a database that does not answer must not hold a conversation up
MIN_FLUSH_INTERVAL = 0.5


def open_monitoring_engine(url: str) -> Engine:
    """An engine for the monitoring database (its tables come from ``storage.schema.migrate_monitoring``).

    PostgreSQL gets a short connect timeout and a liveness check on each checkout, so a database
    that has gone away is noticed at once and the events wait in the outbox instead.
    """
    if make_url(url).get_backend_name() == "postgresql":
        return create_engine(
            url, future=True, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS}
        )
    return open_engine(url)


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
        """The events in the outbox, oldest first. A torn line (from a crash mid-write) is moved to
        ``<outbox>.torn`` for someone to look at, so it never holds up the events after it."""
        with self._lock:
            if not self.path.exists():
                return []
            lines = self.path.read_text(encoding="utf-8").splitlines()
            events, torn = [], []
            for line in lines:
                event = _event_of(line)
                if event is not None:
                    events.append(event)
                elif line.strip():
                    torn.append(line)
            if torn:
                logger.warning("Moved %d unreadable line(s) of the monitoring outbox aside", len(torn))
                with self.path.with_name(self.path.name + ".torn").open("a", encoding="utf-8") as aside:
                    aside.write("\n".join(torn) + "\n")
                kept = [line for line in lines if line.strip() and line not in torn]
                self._rewrite(kept)
        return events

    def remove(self, written: set[str]) -> None:
        """Drop the events now in the database, keeping any added meanwhile."""
        with self._lock:
            if not self.path.exists():
                return
            lines = self.path.read_text(encoding="utf-8").splitlines()
            self._rewrite([line for line in lines if line.strip() and _id_of(line) not in written])

    def _rewrite(self, kept: list[str]) -> None:
        if kept:  # a new file moved into place, so a crash now cannot tear the outbox
            fresh = self.path.with_name(self.path.name + ".new")
            with fresh.open("w", encoding="utf-8") as file:
                file.write("\n".join(kept) + "\n")
                file.flush()
                os.fsync(file.fileno())
            os.replace(fresh, self.path)
        else:
            self.path.unlink()


def _event_of(line: str) -> OutcomeEvent | None:
    try:
        return OutcomeEvent.from_row(json.loads(line))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _id_of(line: str) -> object:
    try:
        return json.loads(line).get("event_id")
    except (ValueError, AttributeError):
        return None  # a torn line added since it was read: kept until the next read sets it aside


class OutcomeRecorder:
    """Writes outcome events to the database, or to the outbox while the database is away.

    ``prepare`` (the schema migration, say) runs once before the first write, so a database that
    is away when the process starts is made ready when it comes back.
    """

    def __init__(
        self,
        engine: Engine,
        outbox: Outbox,
        retry_after: float = RETRY_AFTER_SECONDS,
        prepare: Callable[[Engine], None] | None = None,
    ) -> None:
        self._engine = engine
        self._outbox = outbox
        self._retry_after = retry_after
        self._database_down_until = 0.0
        self._prepare = prepare
        # One writer at a time, so the outbox reaches the table in the order it was written.
        self._writing = threading.Lock()
        self._flusher: threading.Thread | None = None

    def record(self, event: OutcomeEvent) -> None:
        """Record ``event``. Never raises for a database problem: the event waits in the outbox."""
        # While the database is away, or the background flusher is writing, the event queues behind
        # the others in the outbox rather than waiting here.
        if time.monotonic() < self._database_down_until or not self._writing.acquire(blocking=False):
            self._outbox.add(event)
            return
        try:
            self._flush_waiting()
            self._write([event])
        except DBAPIError:
            self._went_away()
            self._outbox.add(event)
        finally:
            self._writing.release()

    def flush(self) -> int:
        """Write the outbox to the database; how many events it held. Raises if the database is away."""
        with self._writing:
            return self._flush_waiting()

    def start_flushing(self, every: float | None = None) -> None:
        """Empty the outbox in the background (a daemon thread) once the database is back."""
        if self._flusher is not None:
            return
        interval = max(MIN_FLUSH_INTERVAL, self._retry_after if every is None else every)
        self._flusher = threading.Thread(target=self._flush_forever, args=(interval,), daemon=True)
        self._flusher.start()

    def _flush_forever(self, interval: float) -> None:
        while True:
            time.sleep(interval)
            if time.monotonic() < self._database_down_until or not self._outbox.path.exists():
                continue
            try:
                if self._writing.acquire(blocking=False):
                    try:
                        self._flush_waiting()
                    finally:
                        self._writing.release()
            except DBAPIError:
                self._went_away()
            except Exception:  # noqa: BLE001 - the flusher must outlive any one bad moment
                logger.exception("Could not flush the monitoring outbox")

    def _went_away(self) -> None:
        logger.warning("Monitoring database unavailable; keeping events in %s", self._outbox.path)
        self._database_down_until = time.monotonic() + self._retry_after

    def _flush_waiting(self) -> int:
        """Write what the outbox holds, again until it is empty (events may arrive meanwhile)."""
        total = 0
        while waiting := self._outbox.waiting():
            self._write(waiting)
            self._outbox.remove({event.event_id for event in waiting})
            self._database_down_until = 0.0
            total += len(waiting)
        return total

    def _write(self, events: list[OutcomeEvent]) -> None:
        if self._prepare is not None:
            self._prepare(self._engine)
            self._prepare = None
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


# What happens at most once in a conversation. Such an event's id is a keyed hash of the conversation
# and the kind, so whichever path records it (the event stream, an action, a replay of the stream
# after a restart) it is stored once.
ONCE_PER_CONVERSATION = frozenset({EventKind.CONVERSATION_STARTED, EventKind.CONVERSATION_ENDED})


class Outcomes:
    """What the flows call: ``record(sender_id, kind, session=..., case=..., ...)``. Builds the event,
    turning every identity into a keyed hash with the secret, and records it. A mistake in an event
    is logged, never raised, so recording can never break a conversation."""

    def __init__(self, recorder: OutcomeRecorder, secret: bytes) -> None:
        self._recorder = recorder
        self._secret = secret

    def resident_key(self, sender_id: str) -> str:
        """The resident's pseudonym (the same across their conversations)."""
        return keyed_hash(self._secret, f"resident:{sender_id}")

    def conversation_key(self, sender_id: str, session: str) -> str:
        """The pseudonym of one conversation: a resident's Rasa session, named by when it started."""
        return keyed_hash(self._secret, f"conversation:{sender_id}:{session}")

    def case_key(self, reference: str) -> str:
        """The pseudonym of a handoff case, which ties what staff do to the conversation."""
        return keyed_hash(self._secret, f"case:{reference}")

    def record(
        self, sender_id: str, kind: EventKind, session: str | None = None, case: str | None = None, **fields: object
    ) -> None:
        """Record one event: in a conversation (``session`` given), about a case (``case``), or both."""
        try:
            self._recorder.record(self.event(sender_id, kind, session=session, case=case, **fields))
        except Exception:  # noqa: BLE001 - monitoring must never stop a conversation
            logger.exception("Could not record the outcome event %s", kind)

    def event(
        self, sender_id: str, kind: EventKind, session: str | None = None, case: str | None = None, **fields: object
    ) -> OutcomeEvent:
        """The pseudonymous event ``record`` would record (raises ``ValueError``/``TypeError`` for a
        mistake in it). A consumer that must not acknowledge a message before its event is stored
        or in the outbox hands it to ``recorder.record`` itself, which raises only then."""
        conversation = None if session is None else self.conversation_key(sender_id, session)
        if kind in ONCE_PER_CONVERSATION and conversation is not None:
            fields.setdefault("event_id", keyed_hash(self._secret, f"event:{kind.value}:{conversation}"))
        return OutcomeEvent(
            kind=kind,
            resident_key=self.resident_key(sender_id),
            conversation_key=conversation,
            case_key=None if case is None else self.case_key(case),
            **fields,  # type: ignore[arg-type]
        )

    @property
    def recorder(self) -> OutcomeRecorder:
        """Where the events go (the database, or the outbox while it is away)."""
        return self._recorder


class BackgroundOutcomes:
    """``Outcomes`` written by one background thread, in the order they were recorded, so a
    conversation never waits for the database (a write costs a few milliseconds, and Rasa and the
    action server each serve every conversation from one event loop). Work still queued is finished
    when the process exits."""

    def __init__(self, outcomes: Outcomes) -> None:
        self.outcomes = outcomes
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outcome-events")

    def record(
        self, sender_id: str, kind: EventKind, session: str | None = None, case: str | None = None, **fields: object
    ) -> None:
        """Hand one event to the writer (``Outcomes.record`` takes the same arguments); returns at once."""
        self._writer.submit(self.outcomes.record, sender_id, kind, session=session, case=case, **fields)

    def written(self) -> None:
        """Wait until every event recorded so far has been written (or kept in the outbox)."""
        self._writer.submit(lambda: None).result()


def monitoring_engine(settings: Settings, assistant: Engine) -> Engine:
    """The database for outcome events and figures: the assistant's own (``assistant``) unless the
    settings name another (``COUNCIL_MONITORING_DATABASE_URL``)."""
    if settings.monitoring_database_url == settings.database_url:
        return assistant
    return open_monitoring_engine(settings.monitoring_database_url)


def open_outcomes(settings: Settings, engine: Engine, outbox: str) -> Outcomes:
    """This process's outcome recorder, writing to ``engine`` through its own outbox file in var/.

    The monitoring tables are migrated before the first write, so the database may be away when
    the process starts; events wait in the outbox meanwhile.
    """
    recorder = OutcomeRecorder(
        engine, Outbox(settings.var_dir / outbox), settings.monitoring_retry_seconds, prepare=migrate_monitoring
    )
    recorder.start_flushing()
    return Outcomes(recorder, metrics_secret(settings))

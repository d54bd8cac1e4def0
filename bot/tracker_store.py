"""Rasa's SQL tracker store, saving a turn once and streaming the same new events to the broker.

Rasa's own ``SQLTrackerStore.save`` with an event broker loads the whole session a second time
(to tell which events are new) before it works that out again to save them: a cost that grows with
the conversation on every turn. This one works out the new events once, stores them, then publishes
them, each with ``session_started_at`` (the timestamp of the session's ``session_started`` event),
so a consumer can name the conversation an event belongs to as the actions do
(``monitoring.conversation_stream``).

It keeps the trackers it saved last (a few hundred, for a quarter of an hour, in this process's
memory) and hands one back
instead of rebuilding it from every event of the session, when the database holds exactly the
events it has: rebuilding costs more the longer the conversation. Anything else (a turn that failed
before it was saved, another process's write, the retention job) makes the counts differ, and the
tracker is read from the database as before. The count it checks is also what the turn's save
needs (how many events are stored already), so the save does not count them again.

On SQLite (the embedded default) it writes ahead (WAL) and syncs at checkpoints only
(``synchronous=NORMAL``): a turn's commit no longer waits for the disk several times over, and a
crash of the process loses nothing committed (a power cut may lose the last turns). It also keeps
its connections open between turns, where Rasa's engine opens one for every query.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from typing import Any, Dict, List

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import create_engine
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from monitoring.conversation_stream import SESSION_KEY

# Conversations kept in memory: the most recently saved, each for a quarter of an hour after its
# last turn (they hold residents' words; the database keeps the conversation).
HELD_TRACKERS = 500
HELD_SECONDS = 15 * 60


def session_started_at(tracker: DialogueStateTracker) -> float | None:
    """The timestamp of the tracker's latest ``session_started`` event, if it has one."""
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted):
            return float(event.timestamp)
    return None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")  # the retention job may be deleting old conversations
    cursor.close()


class StreamingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` (the same tables and settings) that streams each turn's new events."""

    engine: Engine

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: OrderedDict[str, tuple[DialogueStateTracker, float]] = OrderedDict()
        self.clock = time.monotonic
        self._stored: OrderedDict[str, int] = OrderedDict()  # see _remember_stored
        if self.engine.dialect.name == "sqlite":
            # Rasa's engine opens a connection for every query and closes it after (SQLAlchemy 1.4's
            # pool for SQLite files), and the last close of a WAL database checkpoints it: under
            # load that was a tenth of the turn. This one keeps its connections open.
            url = self.engine.url
            self.engine.dispose()
            self.engine = create_engine(
                url, poolclass=QueuePool, pool_size=2, max_overflow=8, connect_args={"check_same_thread": False}
            )
            sqlalchemy_event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sessionmaker(bind=self.engine)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """This session's tracker: the one saved last, if the database holds just its events."""
        self._forget_older_than(self.clock() - HELD_SECONDS)
        kept = self._held.pop(sender_id, None)  # handed out once: the turn changes it
        held = kept[0] if kept is not None else None
        if held is not None:
            with self.session_scope() as session:
                stored = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).count()
            if stored == len(held.events):
                self._remember_stored(sender_id, stored)
                return held
        self._stored.pop(sender_id, None)
        tracker = await super().retrieve(sender_id)
        if tracker is None:
            self._remember_stored(sender_id, 0)
        return tracker

    def _forget_older_than(self, moment: float) -> None:
        """Forget the trackers last saved before ``moment`` (the oldest are first)."""
        while self._held and next(iter(self._held.values()))[1] < moment:
            self._held.popitem(last=False)

    def _remember_stored(self, sender_id: str, count: int) -> None:
        """How many events of the session the database held when the turn read it, so the save need
        not count them again (the turn holds the conversation's lock: nobody else writes)."""
        self._stored[sender_id] = count
        self._stored.move_to_end(sender_id)
        while len(self._stored) > HELD_TRACKERS:
            self._stored.popitem(last=False)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the events the database does not have yet, then publish them."""
        self._held.pop(tracker.sender_id, None)
        stored = self._stored.pop(tracker.sender_id, None)
        with self.session_scope() as session:
            if stored is not None and stored <= len(tracker.events):
                new_events: List[Event] = list(tracker.events)[stored:]
            else:
                new_events = list(self._additional_events(session, tracker))
            serialised = [(event, event.as_dict()) for event in new_events]
            for event, data in serialised:
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
        self._held[tracker.sender_id] = (tracker, self.clock())
        while len(self._held) > HELD_TRACKERS:
            self._held.popitem(last=False)
        if self.event_broker is not None and new_events:
            started = session_started_at(tracker)
            for _event, data in serialised:
                body: Dict[str, Any] = {"sender_id": tracker.sender_id, SESSION_KEY: started}
                body.update(data)
                self.event_broker.publish(body)

"""Outcome events: fixed vocabularies only, and recording that survives the database going away.

The "database stopped" test puts a real TCP proxy between the recorder and PostgreSQL and stops
it mid-conversation, so the recorder sees a real lost connection, then starts it again.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from monitoring.events import EventKind, InvalidEvent, OutcomeEvent, keyed_hash
from monitoring.recorder import Outbox, OutcomeRecorder
from monitoring.schema import outcome_events
from storage.schema import MONITORING, migrate

SECRET = b"test secret"
KEY = keyed_hash(SECRET, "conversation-1")
RESIDENT = keyed_hash(SECRET, "resident-1")


def event(kind: EventKind = EventKind.CONVERSATION_STARTED, **fields: object) -> OutcomeEvent:
    return OutcomeEvent(kind=kind, resident_key=RESIDENT, conversation_key=KEY, **fields)  # type: ignore[arg-type]


def stored(engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(outcome_events)).scalar_one())


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"category": "I'm deaf and can't phone"}, "category must be one of"),
        ({"service": "my bin on Portswood Road"}, "must be a code"),
        ({"intent": "x" * 65}, "must be a code"),
        ({"handoff_channel": "carrier pigeon"}, "handoff_channel must be one of"),
        ({"value": "it was rubbish, my name is Jo"}, "value must be one of"),
        ({"value": "yes"}, "value must be one of"),  # a satisfaction answer only on a satisfaction event
        ({"at": datetime(2026, 12, 1, 9, 0)}, "naive"),
    ],
)
def test_free_text_and_naive_times_never_get_in(fields, problem):
    with pytest.raises(InvalidEvent, match=problem):
        event(**fields)


def test_the_conversation_is_keyed_by_a_keyed_hash_never_its_id():
    with pytest.raises(InvalidEvent, match="keyed hash"):
        OutcomeEvent(kind=EventKind.CONVERSATION_STARTED, resident_key=RESIDENT, conversation_key="conversation-1")
    with pytest.raises(InvalidEvent, match="keyed hash"):
        OutcomeEvent(kind=EventKind.CONVERSATION_STARTED, resident_key="resident-1", conversation_key=KEY)
    with pytest.raises(InvalidEvent, match="conversation or to a handoff case"):
        OutcomeEvent(kind=EventKind.RESOLVED, resident_key=RESIDENT)
    assert keyed_hash(SECRET, "conversation-1") == KEY
    assert keyed_hash(b"another secret", "conversation-1") != KEY
    assert "conversation-1" not in KEY


@pytest.fixture
def engine(engine):  # the project's engine fixture, with the monitoring migrations applied
    migrate(engine, MONITORING)
    migrate(engine, MONITORING)  # safe to run at every start
    with engine.begin() as connection:  # the PostgreSQL database is shared by the session's tests
        connection.execute(outcome_events.delete())
    return engine


def test_events_are_written_once_even_if_sent_twice(engine, tmp_path: Path):
    recorder = OutcomeRecorder(engine, Outbox(tmp_path / "outbox.jsonl"))
    first = event(EventKind.SUPPORT_NEED_DETECTED, category="digital_exclusion")
    recorder.record(first)
    recorder.record(first)
    assert stored(engine) == 1
    with engine.connect() as connection:
        row = connection.execute(select(outcome_events)).mappings().one()
    assert (row["kind"], row["category"], row["conversation_key"]) == (
        "support_need_detected",
        "digital_exclusion",
        KEY,
    )


class Proxy:
    """A TCP proxy we can stop and start, standing in for the database's network link."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            server = socket.create_connection(self.target)
            self.connections += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.close()

    def stop(self) -> None:
        self.up = False
        for connection in self.connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self.connections = []

    def start(self) -> None:
        self.up = True


@pytest.mark.postgres
def test_the_database_stopping_mid_conversation_loses_nothing_and_stores_each_event_once(
    postgres_url: str, tmp_path: Path
):
    direct = create_engine(postgres_url, future=True)
    migrate(direct, MONITORING)
    with direct.begin() as connection:
        connection.execute(outcome_events.delete())
    url = make_url(postgres_url)
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    through_proxy = create_engine(
        url.set(host="127.0.0.1", port=proxy.port), future=True, pool_pre_ping=True,
        connect_args={"connect_timeout": 2},
    )  # fmt: skip
    recorder = OutcomeRecorder(through_proxy, Outbox(tmp_path / "outbox.jsonl"), retry_after=0)

    conversation = [
        event(EventKind.CONVERSATION_STARTED, entry_channel="web"),
        event(EventKind.INTENT, intent="make_payment", service="council_tax"),
        event(EventKind.SUPPORT_NEED_DETECTED, category="digital_exclusion"),
        event(EventKind.HANDOFF_OFFERED, handoff_channel="phone", in_hours=True),
        event(EventKind.HANDOFF_ACCEPTED, handoff_channel="phone"),
        event(EventKind.CONVERSATION_ENDED),
    ]
    recorder.record(conversation[0])
    recorder.record(conversation[1])
    proxy.stop()  # the database goes away mid-conversation
    for later in conversation[2:5]:
        recorder.record(later)  # returns normally: the conversation carries on
    assert len(Outbox(tmp_path / "outbox.jsonl").waiting()) == 3
    proxy.start()  # and comes back
    recorder.record(conversation[5])
    recorder.record(conversation[5])  # a repeated write is still one row

    with direct.connect() as connection:
        ids = list(connection.execute(select(outcome_events.c.event_id).order_by(outcome_events.c.id)).scalars())
    assert ids == [e.event_id for e in conversation]  # every event, once, in order
    assert Outbox(tmp_path / "outbox.jsonl").waiting() == []
    through_proxy.dispose()
    direct.dispose()


def test_one_torn_line_in_the_outbox_loses_only_itself(engine, tmp_path: Path):
    """A crash mid-write leaves a torn line; the events after it still reach the database, and the
    torn line is kept aside (not lost silently, not retried for ever)."""
    outbox = Outbox(tmp_path / "outbox.jsonl")
    before, after = event(EventKind.INTENT, intent="make_payment"), event(EventKind.CONVERSATION_ENDED)
    outbox.add(before)
    with outbox.path.open("a", encoding="utf-8") as file:
        file.write('{"event_id": "torn-in-the-midd\n')
    outbox.add(after)
    recorder = OutcomeRecorder(engine, outbox)
    latest = event(EventKind.SATISFACTION, value="yes")
    recorder.record(latest)

    with engine.connect() as connection:
        ids = list(connection.execute(select(outcome_events.c.event_id).order_by(outcome_events.c.id)).scalars())
    assert ids == [before.event_id, after.event_id, latest.event_id]
    assert not outbox.path.exists()
    assert "torn-in-the-midd" in (tmp_path / "outbox.jsonl.torn").read_text(encoding="utf-8")

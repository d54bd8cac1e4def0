"""Outcome events from the conversation's own event stream: Rasa's SQL tracker store (the project's
streaming one) saves real turns to SQLite and publishes them to the in-process broker, which writes
the outcome events to a real monitoring database in the background."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select

from bot.outcome_broker import OutcomeBroker
from bot.tracker_store import StreamingSQLTrackerStore
from monitoring.events import keyed_hash, session_name
from monitoring.schema import outcome_events
from storage.engine import open_engine
from tests.conftest import ROOT
from wiring.settings import load_settings

SECRET = "00" * 32
WORDS = "hello, I'm Jo Bloggs of 12 Acacia Avenue"
FIELDS = ("entry_channel", "intent", "service", "category", "handoff_channel", "in_hours", "value")


@pytest.fixture
def broker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OutcomeBroker]:
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.setenv("COUNCIL_METRICS_KEY", SECRET)
    monkeypatch.delenv("COUNCIL_DATABASE_URL", raising=False)
    monkeypatch.delenv("COUNCIL_MONITORING_DATABASE_URL", raising=False)
    yield OutcomeBroker.for_settings(load_settings())


@pytest.fixture
def store(tmp_path: Path, broker: OutcomeBroker) -> StreamingSQLTrackerStore:
    domain = Domain.load(str(ROOT / "domain.yml"))
    return StreamingSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "tracker.db"), event_broker=broker)


def hello(metadata: dict[str, Any] | None, timestamp: float) -> list[Event]:
    """A new session as Rasa's processor starts it: the first message's metadata in a slot, Rasa's own
    action_session_start, then the message and the greeting."""
    start = [SlotSet("session_started_metadata", metadata, timestamp=timestamp)] if metadata else []
    return start + [
        ActionExecuted("action_session_start", timestamp=timestamp),
        SessionStarted(timestamp=timestamp + 0.001),
        ActionExecuted("action_listen", timestamp=timestamp + 0.002),
        UserUttered(WORDS, {"name": "greet", "confidence": 0.99}, metadata=metadata, timestamp=timestamp + 0.003),
        ActionExecuted("utter_greet", timestamp=timestamp + 0.004),
        BotUttered("Hello. I am the council's online assistant.", timestamp=timestamp + 0.005),
        ActionExecuted("action_listen", timestamp=timestamp + 0.006),
    ]


def goodbye(timestamp: float) -> list[Event]:
    return [
        UserUttered("bye", {"name": "goodbye", "confidence": 0.99}, timestamp=timestamp),
        ActionExecuted("utter_goodbye", timestamp=timestamp + 0.001),
        BotUttered("Goodbye. Thank you for contacting the council.", timestamp=timestamp + 0.002),
        ActionExecuted("action_listen", timestamp=timestamp + 0.003),
    ]


async def play(store: StreamingSQLTrackerStore, sender: str, *turns: list[Event]) -> None:
    """Save each turn as Rasa does: the tracker as loaded, with the turn's events added."""
    for events in turns:
        tracker = await store.retrieve(sender) or DialogueStateTracker(sender, store.domain.slots)
        for event in events:
            tracker.update(event)
        await store.save(tracker)


def stored(broker: OutcomeBroker) -> list[dict[str, Any]]:
    broker.outcomes.written()  # written in the background
    engine = open_engine(load_settings().monitoring_database_url)
    with engine.connect() as connection:
        rows = [dict(row) for row in connection.execute(select(outcome_events).order_by(outcome_events.c.at))]
    engine.dispose()
    return rows


def conversation(sender: str, started: float) -> str:
    return keyed_hash(bytes.fromhex(SECRET), f"conversation:{sender}:{session_name(started)}")


@pytest.mark.parametrize(
    ("metadata", "entry"),
    [
        ({"entry_channel": "web"}, "web"),
        ({"entry_channel": "embed", "title": "Report a problem"}, "embed"),
        (None, "rest"),
        ({"entry_channel": "carrier pigeon"}, "rest"),  # only the fixed vocabulary is stored
    ],
)
async def test_each_session_starts_one_conversation_with_how_the_resident_came_in(
    store: StreamingSQLTrackerStore, broker: OutcomeBroker, metadata: dict[str, Any] | None, entry: str
) -> None:
    await play(store, "resident-1", hello(metadata, 1765000000.0), goodbye(1765000010.0), goodbye(1765000020.0))
    # A session later (after it expired): a second conversation, named by its own start.
    await play(store, "resident-1", hello(metadata, 1765009000.0))
    rows = stored(broker)
    assert [(row["kind"], {f: row[f] for f in FIELDS if row[f] is not None}) for row in rows] == [
        ("conversation_started", {"entry_channel": entry}),
        ("conversation_ended", {}),  # the second goodbye ends nothing more
        ("conversation_started", {"entry_channel": entry}),
    ]
    first, second = conversation("resident-1", 1765000000.001), conversation("resident-1", 1765009000.001)
    assert [row["conversation_key"] for row in rows] == [first, first, second]


async def test_a_replayed_stream_is_stored_once(store: StreamingSQLTrackerStore, broker: OutcomeBroker) -> None:
    events = hello({"entry_channel": "web"}, 1765000000.0) + goodbye(1765000010.0)
    await play(store, "resident-1", events)
    tracker = await store.retrieve("resident-1")
    assert tracker is not None
    for event in tracker.events:  # as a restarted consumer would see the same events again
        broker.publish({"sender_id": "resident-1", "session_started_at": 1765000000.001, **event.as_dict()})
    assert [row["kind"] for row in stored(broker)] == ["conversation_started", "conversation_ended"]


async def test_no_event_holds_the_residents_words_id_or_metadata(
    store: StreamingSQLTrackerStore, broker: OutcomeBroker
) -> None:
    metadata = {"entry_channel": "web", "title": "Jo Bloggs's page"}
    await play(store, "jo.bloggs@example.org", hello(metadata, 1765000000.0), goodbye(1765000010.0))
    rows = stored(broker)
    assert len(rows) == 2
    everything = " ".join(str(value) for row in rows for value in row.values())
    for secret in ("jo.bloggs", "Bloggs", "Acacia", "hello", "Goodbye"):
        assert secret not in everything

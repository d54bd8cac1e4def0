"""The streaming tracker store hands back the tracker it saved only while the database agrees with it:
a turn that failed before it was saved, or another process's write, makes it read the database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import HELD_SECONDS, StreamingSQLTrackerStore
from tests.conftest import ROOT


def store(path: Path) -> StreamingSQLTrackerStore:
    return StreamingSQLTrackerStore(Domain.load(str(ROOT / "domain.yml")), dialect="sqlite", db=str(path))


def turn(text: str, timestamp: float) -> list:
    return [
        UserUttered(text, {"name": "greet", "confidence": 0.9}, timestamp=timestamp),
        ActionExecuted("utter_greet", timestamp=timestamp + 0.001),
        ActionExecuted("action_listen", timestamp=timestamp + 0.002),
    ]


def texts(tracker: DialogueStateTracker | None) -> list[str]:
    assert tracker is not None
    return [event.text for event in tracker.events if isinstance(event, UserUttered)]


async def test_the_saved_tracker_is_reused_only_while_the_database_holds_just_its_events(tmp_path: Path) -> None:
    ours, theirs = store(tmp_path / "tracker.db"), store(tmp_path / "tracker.db")
    tracker = DialogueStateTracker("resident", ours.domain.slots)
    for event in [SessionStarted(timestamp=1.0), ActionExecuted("action_listen", timestamp=1.001), *turn("hi", 2.0)]:
        tracker.update(event)
    await ours.save(tracker)
    again = await ours.retrieve("resident")
    assert again is tracker and texts(again) == ["hi"]  # no rebuild from the database

    for event in turn("lost", 3.0):  # a turn that failed before it was saved
        again.update(event)
    reread = await ours.retrieve("resident")
    assert reread is not tracker and texts(reread) == ["hi"]  # the database's version

    assert reread is not None
    await ours.save(reread)  # kept again
    elsewhere = await theirs.retrieve("resident")  # another process carries the conversation on
    assert elsewhere is not None
    for event in [*turn("from elsewhere", 4.0), SlotSet("service", "pothole", timestamp=4.01)]:
        elsewhere.update(event)
    await theirs.save(elsewhere)
    latest = await ours.retrieve("resident")
    assert latest is not reread and texts(latest) == ["hi", "from elsewhere"]
    assert latest is not None and latest.get_slot("service") == "pothole"


async def test_a_tracker_not_used_for_a_quarter_of_an_hour_is_let_go(tmp_path: Path) -> None:
    # It holds a resident's words: after its time it is read from the database again, not kept.
    ours = store(tmp_path / "tracker.db")
    now = [0.0]
    ours.clock = lambda: now[0]
    tracker = DialogueStateTracker("resident", ours.domain.slots)
    for event in [SessionStarted(timestamp=1.0), *turn("hi", 2.0)]:
        tracker.update(event)
    await ours.save(tracker)
    now[0] = HELD_SECONDS + 1
    again = await ours.retrieve("resident")
    assert again is not tracker and texts(again) == ["hi"]
    assert not ours._held


def stored_texts(path: Path, sender: str) -> list[str]:
    """The texts of the resident's messages as the database holds them, in order."""
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender,)
        ).fetchall()
    return [json.loads(data)["text"] for (data,) in rows]


async def test_every_event_is_stored_once_whichever_process_carries_each_turn(tmp_path: Path) -> None:
    """The save uses the count the turn's read found (no second count), so a conversation that
    starts fresh and moves between two processes still stores each message once, in order."""
    path = tmp_path / "tracker.db"
    first, second = store(path), store(path)
    assert await first.retrieve("resident") is None  # a new conversation: nothing stored yet
    tracker = DialogueStateTracker("resident", first.domain.slots)
    for event in [SessionStarted(timestamp=1.0), ActionExecuted("action_listen", timestamp=1.001), *turn("one", 2.0)]:
        tracker.update(event)
    await first.save(tracker)
    await first.save(tracker)  # saved twice in one turn (Rasa does, when it makes a tracker): nothing new
    words = ["two", "three", "four", "five"]
    for number, text in enumerate(words):
        carrier = second if number % 2 else first
        current = await carrier.retrieve("resident")
        assert current is not None
        for event in turn(text, 3.0 + number):
            current.update(event)
        await carrier.save(current)
    assert stored_texts(path, "resident") == ["one", *words]

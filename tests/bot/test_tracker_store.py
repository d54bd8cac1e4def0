"""The streaming tracker store hands back the tracker it saved only while the database agrees with it:
a turn that failed before it was saved, or another process's write, makes it read the database."""

from __future__ import annotations

from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import StreamingSQLTrackerStore
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

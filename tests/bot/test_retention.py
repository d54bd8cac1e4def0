"""Retention: ``python -m bot retention`` (and the web app, hourly) deletes residents' data past its
period and keeps the rest, on real databases: Rasa's own SQL tracker store, the assistant's
tables, and the monitoring tables, with rows of different ages."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select, update

from bot.web.app import create_app
from monitoring.metric_values import Filters, read_period
from monitoring.schema import conversation_facts, outcome_events
from routing.handoffs import NewHandoff
from routing.hours import load_schedule
from storage.engine import open_engine
from storage.handoffs import HandoffStore, handoff_cases, handoff_events
from storage.live_chat import LiveChats, live_messages
from storage.reports import ReportStore, report_updates, service_requests
from storage.schema import migrate
from tests.conftest import ROOT, free_port
from tests.monitoring.conversations import conversation, write
from wiring.settings import Settings, SettingsError, load_settings

NOW = datetime.now(timezone.utc)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def save_conversation(tracker_db: Path, sender: str, *ages_in_days: float) -> None:
    """A conversation in Rasa's own SQL tracker store, one message at each age given."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tracker_db))
    events: list[Any] = []
    for age in ages_in_days:
        moment = days_ago(age).timestamp()
        events += [
            UserUttered(f"message from {sender}", timestamp=moment),
            ActionExecuted("action_listen", timestamp=moment),
        ]
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    store.engine.dispose()


def senders(tracker_db: Path) -> set[str]:
    with sqlite3.connect(tracker_db) as connection:
        return {row[0] for row in connection.execute("SELECT DISTINCT sender_id FROM events")}


def new_case(store: HandoffStore, chat_id: str, channel: str = "phone") -> str:
    case = store.create(
        NewHandoff(
            channel=channel, mode="callback" if channel == "phone" else "live", trigger="asked",
            conversation_id=chat_id, service_code="council_tax", intent="make_payment",
            summary={"wanted": "Pay council tax"}, needs=[{"category": "older_age", "cue": "I'm 84"}],
            adjustments=["prefers phone"], transcript=[{"who": "resident", "text": "I live at 4 Elm Road"}],
            callback_number="+442380833000",
        ),
        now=datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc),
    )  # fmt: skip
    return case.reference


def close(engine: Any, store: HandoffStore, reference: str, days: float) -> None:
    store.claim(reference, "asha")
    store.add_note(reference, "asha", "Spoke to her daughter at 4 Elm Road.")
    store.record_outcome(reference, "resolved", "asha")
    with engine.begin() as connection:
        connection.execute(
            update(handoff_cases).where(handoff_cases.c.reference == reference).values(closed_at=days_ago(days))
        )


def age_messages(engine: Any, reference: str, days: float) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(live_messages).where(live_messages.c.reference == reference).values(at=days_ago(days))
        )


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Any]:
    """Rows of every age: conversations, cases, live chat messages and monitoring events."""
    database = tmp_path / "council.db"
    engine = open_engine(f"sqlite:///{database}")
    migrate(engine)
    tracker_db = tmp_path / "tracker.db"
    save_conversation(tracker_db, "oldchat0000000000", 45, 40)  # last message 40 days ago: goes
    save_conversation(tracker_db, "longchat000000000", 45, 10)  # began 45 days ago, last 10: stays whole
    save_conversation(tracker_db, "newchat0000000000", 1)
    store = HandoffStore(engine, load_schedule())
    chats = LiveChats(engine, store)
    cases = {
        "closed 100 days": new_case(store, "oldchat0000000000", "webchat"),
        "closed 400 days": new_case(store, "olderchat00000000", "webchat"),
        "closed 10 days": new_case(store, "longchat000000000", "webchat"),
        "open 200 days": new_case(store, "openchat000000000", "webchat"),
    }
    for name, reference in cases.items():
        case = store.get(reference)
        chats.post(case, "resident", f"My address is 4 Elm Road ({name})")
        age_messages(engine, reference, float(name.split()[1]))
        if name.startswith("closed"):
            close(engine, store, reference, float(name.split()[1]))
    write(
        engine,
        conversation(days_ago(100).date(), outcome="abandoned")
        + conversation(days_ago(10).date(), outcome="abandoned"),
    )
    return {"engine": engine, "database": database, "tracker_db": tracker_db, "cases": cases, "tmp": tmp_path}


def run_command(world: dict[str, Any], **env: str) -> str:
    environment = {
        **os.environ, "PYTHONPATH": str(ROOT), "VAR_DIR": str(world["tmp"]),
        "COUNCIL_DATABASE_URL": f"sqlite:///{world['database']}", "RASA_TRACKER_DB": str(world["tracker_db"]), **env,
    }  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "bot", "retention"], env=environment, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def case_row(engine: Any, reference: str) -> Any:
    with engine.connect() as connection:
        return connection.execute(select(handoff_cases).where(handoff_cases.c.reference == reference)).first()


def message_count(engine: Any, reference: str) -> int:
    with engine.connect() as connection:
        return len(connection.execute(select(live_messages.c.id).where(live_messages.c.reference == reference)).all())


def totals(engine: Any) -> dict[str, int]:
    with engine.connect() as connection:
        return dict(read_period(connection, Filters(days_ago(400).date(), NOW.date())).totals)


def test_the_command_deletes_what_is_past_its_period_and_keeps_the_rest(world):
    engine, cases = world["engine"], world["cases"]
    figures = totals(engine)
    output = run_command(world)
    assert "Kept: conversations 30 days, transcripts 90 days, closed cases 365 days, resident keys 90 days." in output
    assert "Conversations deleted: 1 (4 tracker events)" in output
    assert "Live chat messages deleted: 2" in output  # the cases closed 100 and 400 days ago
    assert "Closed cases' transcripts and details cleared: 2" in output
    assert "Closed cases deleted: 1" in output
    assert "Resident keys forgotten: 1" in output
    assert "chat0000" not in output and "Elm Road" not in output  # counts only

    assert senders(world["tracker_db"]) == {"longchat000000000", "newchat0000000000"}
    # Closed 100 days ago: a bare record, with nothing the resident said or who they are.
    bare = case_row(engine, cases["closed 100 days"])
    assert bare.status == "resolved" and bare.transcript == "[]" and bare.summary == "{}" and bare.needs == "[]"
    assert bare.callback_number is None and bare.conversation_id is None and bare.adjustments == "[]"
    with engine.connect() as connection:
        notes = connection.execute(select(handoff_events.c.detail).where(handoff_events.c.case_id == bare.id)).all()
    assert notes and all(detail is None for (detail,) in notes)
    assert case_row(engine, cases["closed 400 days"]) is None
    assert message_count(engine, cases["closed 100 days"]) == message_count(engine, cases["closed 400 days"]) == 0
    # Kept: a case closed 10 days ago, and an open case however old, with their messages.
    for name in ("closed 10 days", "open 200 days"):
        kept = case_row(engine, cases[name])
        assert "Elm Road" in kept.transcript and kept.callback_number == "+442380833000", name
        assert message_count(engine, cases[name]) == 1, name
    # The old conversation no longer shares a key with anyone; the figures are the same.
    with engine.connect() as connection:
        facts = connection.execute(select(conversation_facts)).all()
        keys = connection.execute(select(outcome_events.c.at, outcome_events.c.resident_key)).all()
    old = [row for row in facts if row.started_at.replace(tzinfo=timezone.utc) < days_ago(90)]
    assert len(old) == 1 and old[0].resident_key == old[0].conversation_key
    recent = [row for row in facts if row not in old]
    assert len(recent) == 1 and recent[0].resident_key != recent[0].conversation_key
    assert {key for at, key in keys if at.replace(tzinfo=timezone.utc) < days_ago(90)} == {old[0].conversation_key}
    assert totals(engine) == figures

    again = run_command(world)  # nothing left past its period
    assert "Conversations deleted: 0 (0 tracker events)" in again and "Closed cases deleted: 0" in again
    assert "Resident keys forgotten: 0" in again


def test_the_periods_are_settings(world, monkeypatch):
    output = run_command(world, COUNCIL_KEEP_CONVERSATIONS_DAYS="5", COUNCIL_KEEP_CASES_DAYS="50")
    assert "Conversations deleted: 2" in output and "Closed cases deleted: 2" in output
    assert senders(world["tracker_db"]) == {"newchat0000000000"}
    for wrong in ("0", "thirty", "-3", "99999"):
        monkeypatch.setenv("COUNCIL_KEEP_TRANSCRIPTS_DAYS", wrong)
        with pytest.raises(SettingsError, match="COUNCIL_KEEP_TRANSCRIPTS_DAYS must be a whole number of days"):
            load_settings()


async def test_the_web_app_applies_retention_when_it_starts(world):
    settings = Settings(
        rasa_port=free_port(), actions_port=free_port(), web_port=free_port(), host="127.0.0.1",
        var_dir=world["tmp"], database_url=f"sqlite:///{world['database']}", tracker_db=world["tracker_db"],
        model_path=world["tmp"] / "model.tar.gz",
    )  # fmt: skip
    async with TestClient(TestServer(create_app(settings))):
        deadline = time.monotonic() + 20
        # Transcripts go first, then cases, in one retention run beside the starting app: wait for both.
        while time.monotonic() < deadline and (
            "oldchat0000000000" in senders(world["tracker_db"])
            or case_row(world["engine"], world["cases"]["closed 400 days"]) is not None
        ):
            await asyncio.sleep(0.2)
        assert senders(world["tracker_db"]) == {"longchat000000000", "newchat0000000000"}
        assert case_row(world["engine"], world["cases"]["closed 400 days"]) is None


def test_reports_closed_longer_ago_than_the_case_period_go_with_their_history(world):
    engine = world["engine"]
    reports = ReportStore(engine)
    made = {
        name: reports.create(
            "pothole", "POTHOLE", f"{name} Hill Lane", "A deep hole outside number 4"
        ).service_request_id
        for name in ("closed 400 days", "closed 10 days", "open 500 days")
    }
    for name, reference in made.items():
        if name.startswith("closed"):
            reports.change_stage(reference, "closed", "We filled the hole.", by="adviser1")
        age = days_ago(float(name.split()[1]))
        with engine.begin() as connection:
            closed = {"closed_at": age} if name.startswith("closed") else {}
            connection.execute(
                update(service_requests)
                .where(service_requests.c.service_request_id == reference)
                .values(requested_datetime=age, **closed)
            )

    output = run_command(world)

    assert "Closed reports deleted: 1" in output and "Hill Lane" not in output
    assert reports.get(made["closed 400 days"]) is None
    with engine.connect() as connection:
        left = connection.execute(select(report_updates.c.reference)).scalars().all()
    assert made["closed 400 days"] not in left
    # Kept: a report closed 10 days ago, with its history, and an open one however old.
    assert reports.history(made["closed 10 days"]) and reports.get(made["open 500 days"]) is not None

"""Bulk loading: a load that fails leaves the database as it was, indexes and all, and rows
written through the driver read back exactly as rows written through SQLAlchemy."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, insert, select, text

from monitoring.schema import outcome_events
from storage.bulk import bulk_load, insert_rows
from storage.engine import open_engine
from storage.schema import MONITORING, migrate

SCHEMA = "SELECT type, name, sql FROM sqlite_master ORDER BY name"
AT = datetime(2026, 11, 23, 10, 0, 0, 123456, tzinfo=timezone.utc)


@pytest.fixture
def sqlite(tmp_path):
    engine = open_engine(f"sqlite:///{tmp_path}/bulk.db")
    migrate(engine, MONITORING)
    yield engine
    engine.dispose()


def event(event_id: str, **values: object) -> dict[str, object]:
    return {"event_id": event_id, "kind": "intent", "at": AT, "conversation_key": "a" * 32, **values}


def test_a_failed_load_leaves_every_row_and_index_as_it_was(sqlite):
    with sqlite.connect() as connection:
        before = connection.execute(text(SCHEMA)).all()
    with pytest.raises(RuntimeError), bulk_load(sqlite, outcome_events) as connection:
        row = event("e1")
        insert_rows(connection, outcome_events, tuple(row), [tuple(row.values())])
        raise RuntimeError("the load fails half way")
    with sqlite.connect() as connection:
        assert connection.execute(text(SCHEMA)).all() == before  # the indexes dropped for the load are back
        assert connection.execute(select(func.count()).select_from(outcome_events)).scalar_one() == 0
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_rows_loaded_through_the_driver_are_stored_as_sqlalchemy_stores_them(sqlite):
    ordinary = event("e1", in_hours=True, taken_in=False)
    loaded = event("e2", in_hours=False, taken_in=True)
    with sqlite.begin() as connection:
        connection.execute(insert(outcome_events), [ordinary])
    with bulk_load(sqlite, outcome_events) as connection:
        insert_rows(connection, outcome_events, tuple(loaded), [tuple(loaded.values())])
    raw = text("SELECT event_id, at, in_hours, taken_in FROM outcome_events ORDER BY event_id")
    with sqlite.connect() as connection:
        stored = connection.execute(raw).all()
        read = connection.execute(select(outcome_events.c.at).order_by(outcome_events.c.event_id)).scalars().all()
    assert [tuple(row) for row in stored] == [("e1", "2026-11-23 10:00:00.123456", 1, 0), ("e2", stored[0][1], 0, 1)]
    assert read[0] == read[1]

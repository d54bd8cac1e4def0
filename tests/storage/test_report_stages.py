"""The reports queue in a real database (SQLite and PostgreSQL): a report moves through its stages,
each change kept with its public note and who made it; a refused change records nothing; two racing
changes cannot both win; and reports made before the queue start at the right stage."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import func, select, text

from routing.reports import (
    BACK_OFFICE,
    RECEIVED_NOTE,
    ChangedMeanwhile,
    NoteRefused,
    RepeatedChange,
    ReportNotFound,
    StageNotAllowed,
)
from storage.engine import open_engine
from storage.reports import ReportStore, report_updates
from storage.schema import ASSISTANT, MIGRATIONS, migrate

MONDAY = datetime(2026, 12, 7, 9, tzinfo=timezone.utc)


@pytest.fixture
def store(engine):
    return ReportStore(engine)


def _pothole(store: ReportStore, where: str = "Hill Lane", service: str = "pothole"):
    return store.create(service, service.upper(), where, "A deep hole by the bus stop.")


def test_a_new_report_is_at_stage_new_with_no_history(store):
    report = _pothole(store)
    assert (report.stage, report.status, report.closed_at, report.changes) == ("new", "open", None, 0)
    assert report.status_notes == RECEIVED_NOTE
    assert store.history(report.service_request_id) == []


def test_each_change_moves_the_stage_and_is_kept_with_its_note_and_who_made_it(store):
    reference = _pothole(store).service_request_id
    store.change_stage(reference, "acknowledged", "We have seen it.", "asha", now=MONDAY)
    store.change_stage(reference, "in_progress", "The crew comes on Friday.", "asha", now=MONDAY + timedelta(hours=2))
    closed = store.change_stage(reference, "closed", "Filled.", BACK_OFFICE, now=MONDAY + timedelta(days=4))

    assert (closed.stage, closed.status, closed.status_notes) == ("closed", "closed", "Filled.")
    assert closed.closed_at == closed.updated_datetime == MONDAY + timedelta(days=4)
    assert closed.changes == 3
    assert [(u.stage, u.public_note, u.by, u.at) for u in store.history(reference)] == [
        ("acknowledged", "We have seen it.", "asha", MONDAY),
        ("in_progress", "The crew comes on Friday.", "asha", MONDAY + timedelta(hours=2)),
        ("closed", "Filled.", "back office", MONDAY + timedelta(days=4)),
    ]
    assert store.get(reference) == closed


def test_a_reopened_report_is_open_again_and_forgets_when_it_closed(store):
    reference = _pothole(store).service_request_id
    store.change_stage(reference, "closed", "Filled.", "asha", now=MONDAY)
    reopened = store.change_stage(reference, "in_progress", "It has opened up again.", "asha", now=MONDAY)
    assert (reopened.stage, reopened.status, reopened.closed_at) == ("in_progress", "open", None)


def test_a_change_without_a_note_clears_the_last_note_so_the_resident_hears_nothing_stale(store):
    reference = _pothole(store).service_request_id
    store.change_stage(reference, "in_progress", "The crew comes on Friday.", "asha")
    closed = store.change_stage(reference, "closed", None, BACK_OFFICE)
    assert closed.status_notes is None
    assert store.history(reference)[-1].public_note is None


def test_a_further_update_in_the_same_stage_needs_a_new_note(store):
    reference = _pothole(store).service_request_id
    store.change_stage(reference, "in_progress", "The crew comes on Friday.", "asha")
    updated = store.change_stage(reference, "in_progress", "The crew comes on Monday instead.", "asha")
    assert updated.status_notes == "The crew comes on Monday instead."
    with pytest.raises(NoteRefused, match="write a note for the resident"):
        store.change_stage(reference, "in_progress", "  ", "asha")
    assert len(store.history(reference)) == 2


@pytest.mark.parametrize(
    ("stage", "note", "refused"),
    [
        ("new", "Back to the start.", StageNotAllowed),
        ("fixed", "Done.", StageNotAllowed),
        ("closed", "<b>Done</b>", NoteRefused),
        ("closed", "x" * 501, NoteRefused),
    ],
)
def test_a_refused_change_records_nothing(store, stage, note, refused):
    reference = _pothole(store).service_request_id
    moved = store.change_stage(reference, "in_progress", "The crew comes on Friday.", "asha")
    with pytest.raises(refused):
        store.change_stage(reference, stage, note, "asha")
    assert store.get(reference) == moved
    assert len(store.history(reference)) == 1


def test_an_unknown_reference_is_not_found(store):
    _pothole(store)
    with pytest.raises(ReportNotFound):
        store.change_stage("SCC-ZZZZZZ", "closed", "Done.", "asha")
    with pytest.raises(ReportNotFound):
        store.history("SCC-ZZZZZZ")


def test_the_same_change_sent_twice_is_recorded_once(store):
    reference = _pothole(store).service_request_id
    store.change_stage(reference, "in_progress", "The crew comes on Friday.", "asha", seen_changes=0)
    for seen in (0, 1, None):
        with pytest.raises(RepeatedChange):
            store.change_stage(reference, "in_progress", "The crew comes on Friday.", "asha", seen_changes=seen)
    assert len(store.history(reference)) == 1


def test_a_change_from_a_form_opened_before_someone_elses_change_records_nothing(store):
    reference = _pothole(store).service_request_id
    store.change_stage(reference, "acknowledged", "We have seen it.", "morgan", seen_changes=0)
    with pytest.raises(ChangedMeanwhile, match="changed by someone else after you opened it"):
        store.change_stage(reference, "closed", "Filled.", "asha", seen_changes=0)
    assert store.get(reference).stage == "acknowledged"
    assert [u.by for u in store.history(reference)] == ["morgan"]


def test_of_two_racing_changes_exactly_one_is_recorded(engine):
    reference = _pothole(ReportStore(engine)).service_request_id
    start, outcomes = threading.Barrier(2), []

    def change(note: str) -> None:
        start.wait()
        try:
            ReportStore(engine).change_stage(reference, "acknowledged", note, "asha", seen_changes=0)
            outcomes.append("recorded")
        except (ChangedMeanwhile, RepeatedChange):
            outcomes.append("refused")

    threads = [threading.Thread(target=change, args=(note,)) for note in ("Seen by Asha.", "Seen by Morgan.")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["recorded", "refused"]
    assert ReportStore(engine).get(reference).changes == 1
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(report_updates)).scalar_one() == 1


def test_the_queue_lists_open_reports_oldest_first_and_filters_by_stage_and_service(store, set_clock):
    made = {}
    for hours, (name, service) in enumerate([("a", "pothole"), ("b", "graffiti"), ("c", "pothole"), ("d", "pothole")]):
        set_clock(MONDAY + timedelta(hours=hours))
        made[name] = _pothole(store, where=f"Street {name}", service=service).service_request_id
    store.change_stage(made["c"], "in_progress", "On its way.", "asha")
    store.change_stage(made["d"], "closed", "Filled.", "asha", now=MONDAY + timedelta(days=1))

    def where(reports):
        return [report.address_string for report in reports]

    assert where(store.queue()) == ["Street a", "Street b", "Street c"]
    assert where(store.queue(service_code="pothole")) == ["Street a", "Street c"]
    assert where(store.queue(["in_progress"])) == ["Street c"]
    assert where(store.queue(["closed"])) == ["Street d"]
    assert store.counts() == {"new": 2, "acknowledged": 0, "in_progress": 1, "closed": 1}
    assert store.counts("graffiti") == {"new": 1, "acknowledged": 0, "in_progress": 0, "closed": 0}


def test_reports_made_before_the_queue_start_new_or_closed_as_open311_said(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/council.db"
    engine = open_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "a002_session_start")
            for reference, status in (("SCC-AAAAAA", "open"), ("SCC-BBBBBB", "closed")):
                connection.execute(
                    text("INSERT INTO service_requests (service_request_id, service_code, open311_code, "
                         "description, status, requested_datetime, updated_datetime) VALUES "
                         "(:reference, 'pothole', 'POTHOLE', 'deep', :status, '2026-11-01 09:00:00', "
                         "'2026-11-03 10:00:00')"),
                    {"reference": reference, "status": status},
                )  # fmt: skip
            command.upgrade(config, "a003_report_stages")
        store = ReportStore(engine)
        before = store.get("SCC-AAAAAA")
        after = store.get("SCC-BBBBBB")
        assert (before.stage, before.closed_at, before.changes) == ("new", None, 0)
        assert (after.stage, after.closed_at) == ("closed", datetime(2026, 11, 3, 10, tzinfo=timezone.utc))
        migrate(engine, ASSISTANT)  # and on to the migrations after this one
        assert store.change_stage("SCC-BBBBBB", "in_progress", "Looking again.", "asha").stage == "in_progress"
    finally:
        engine.dispose()

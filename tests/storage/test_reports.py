"""Reports stored as Open311 service requests in a real SQLite database."""

from datetime import datetime, timedelta, timezone

import pytest

from routing.references import find_reference
from storage.engine import open_engine
from storage.reports import ReportStore
from storage.schema import ASSISTANT, open_database


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path}/t.db"


@pytest.fixture
def store(database_url):
    engine = open_database(database_url, ASSISTANT)
    yield ReportStore(engine)
    engine.dispose()


def _pothole(store, description="Deep hole by the bus stop, cars swerve round it."):
    return store.create(
        service_code="pothole",
        open311_code="POTHOLE",
        address_string="outside the library on Portswood Road",
        description=description,
        postcode="SO17 1BJ",
    )


def test_a_new_report_is_open_with_a_valid_reference_and_open311_fields(store):
    before = datetime.now(timezone.utc)
    report = _pothole(store)
    after = datetime.now(timezone.utc)

    assert find_reference(report.service_request_id).reference == report.service_request_id
    assert report.service_code == "pothole"
    assert report.open311_code == "POTHOLE"
    assert report.address_string == "outside the library on Portswood Road"
    assert report.postcode == "SO17 1BJ"
    assert report.description == "Deep hole by the bus stop, cars swerve round it."
    assert report.status == "open"
    assert report.status_notes
    for moment in (report.requested_datetime, report.updated_datetime):
        assert moment.tzinfo is not None
        assert moment.utcoffset() == timedelta(0)
        assert before - timedelta(seconds=1) <= moment <= after + timedelta(seconds=1)
    assert report.updated_datetime == report.requested_datetime


def test_get_returns_the_report_as_it_was_created(store):
    report = _pothole(store)
    assert store.get(report.service_request_id) == report


def test_a_report_is_still_there_after_a_restart(database_url):
    first = open_database(database_url, ASSISTANT)
    report = _pothole(ReportStore(first))
    first.dispose()

    second = open_engine(database_url)
    try:
        assert ReportStore(second).get(report.service_request_id) == report
    finally:
        second.dispose()


@pytest.mark.parametrize("reference", ["SCC-ZZZZZZ", "SCC-7KQ4XH", "", "not a reference"])
def test_get_of_an_unknown_reference_is_none(store, reference):
    _pothole(store)
    assert store.get(reference) is None


@pytest.mark.parametrize(
    ("length", "kept"),
    [(10, 10), (3999, 3999), (4000, 4000), (4001, 4000), (10_000, 4000)],
)
def test_a_description_is_kept_up_to_4000_characters(store, length, kept):
    description = ("The pavement is cracked. " * 500)[:length]
    report = _pothole(store, description=description)
    assert report.description == description[:kept]
    assert store.get(report.service_request_id).description == description[:kept]


def test_50_reports_get_50_different_references(store):
    references = [_pothole(store, description=f"report {n}").service_request_id for n in range(50)]
    assert len(set(references)) == 50
    assert all(find_reference(reference).reference == reference for reference in references)
    assert [store.get(reference).description for reference in references] == [f"report {n}" for n in range(50)]

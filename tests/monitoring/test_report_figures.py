"""Report volumes and times to close, per service: the closing event's coarse bands, staff closing
joined to the conversation the report was made in, a report opened again no longer counted closed,
and the dashboard's table under the usual disclosure control."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest

from monitoring.disclosure import SUPPRESSED
from monitoring.events import CLOSE_TIMES, InvalidEvent, OutcomeEvent, close_time, keyed_hash
from monitoring.events import EventKind as E
from monitoring.measures import COUNTERS, REPORT_COUNTERS
from monitoring.metric_values import Filters, Period, read_period
from monitoring.recorder import Outcomes
from monitoring.refresh import rebuild, refresh
from monitoring.report_tables import reports_table
from tests.monitoring import test_refresh

SECRET = b"report figures tests"
engine, outcomes = test_refresh.engine, test_refresh.outcomes  # fixtures: monitoring tables emptied, a recorder
MONDAY_10AM = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)
WHOLE_MONTH = Filters(date(2026, 11, 1), date(2026, 11, 30))


@pytest.mark.parametrize(
    ("taken", "band"),
    [(timedelta(0), "1_day"), (timedelta(days=1), "1_day"), (timedelta(days=1, seconds=1), "7_days"),
     (timedelta(days=7), "7_days"), (timedelta(days=27, hours=23), "28_days"), (timedelta(days=28), "28_days"),
     (timedelta(days=29), "longer"), (timedelta(days=400), "longer")],
)  # fmt: skip
def test_the_time_to_close_is_kept_only_as_a_coarse_band(taken, band):
    assert close_time(taken) == band


def test_a_closing_event_takes_only_a_band_never_free_text():
    case = keyed_hash(SECRET, "case:SCC-7KQ4XH")
    OutcomeEvent(E.REPORT_CLOSED, resident_key=case, case_key=case, service="pothole", value="7_days")
    with pytest.raises(InvalidEvent):
        OutcomeEvent(E.REPORT_CLOSED, resident_key=case, case_key=case, service="pothole", value="3 days 4 hours")
    with pytest.raises(InvalidEvent):
        OutcomeEvent(E.REPORT_CLOSED, resident_key=case, case_key=case, service="Hill Lane, deep hole")


def report_made(outcomes: Outcomes, resident: str, reference: str, service: str = "pothole") -> None:
    """What the assistant records when a resident makes a report (actions/report.py)."""
    outcomes.record(resident, E.CONVERSATION_STARTED, session="s1", at=MONDAY_10AM, entry_channel="web")
    outcomes.record(resident, E.REPORT_CREATED, session="s1", case=reference, at=MONDAY_10AM, intent="report_issue",
                    service=service)  # fmt: skip


def staff_did(outcomes: Outcomes, kind: E, reference: str, days: float, band: str | None = None) -> None:
    """What the reports queue records when staff close or reopen it (bot/web/report_pages.py)."""
    outcomes.record(reference, kind, case=reference, at=MONDAY_10AM + timedelta(days=days), service="pothole",
                    value=band)  # fmt: skip


def read(engine) -> Period:
    refresh(engine)
    with engine.connect() as connection:
        return read_period(connection, WHOLE_MONTH)


def reports(period: Period) -> dict[str, int]:
    return {name: period.totals[name] for name in REPORT_COUNTERS if period.totals[name]}


def test_a_report_closed_by_staff_days_later_counts_as_closed_in_its_band_on_the_day_it_was_made(engine, outcomes):
    report_made(outcomes, "resident-a", "SCC-7KQ4XH")
    report_made(outcomes, "resident-b", "SCC-9MN3PW")
    assert reports(read(engine)) == {"reports": 2}

    staff_did(outcomes, E.REPORT_CLOSED, "SCC-7KQ4XH", days=3, band="7_days")
    period = read(engine)
    assert reports(period) == {"reports": 2, "reports_closed": 1, "report_closed_7_days": 1}
    assert [service for service, _ in period.services] == ["pothole"]
    assert period.totals["conversations"] == 2  # the staff event joined its conversation, it made no new one


def test_a_report_opened_again_no_longer_counts_as_closed_until_it_closes_again(engine, outcomes):
    report_made(outcomes, "resident-a", "SCC-7KQ4XH")
    staff_did(outcomes, E.REPORT_CLOSED, "SCC-7KQ4XH", days=0.5, band="1_day")
    staff_did(outcomes, E.REPORT_REOPENED, "SCC-7KQ4XH", days=2)
    assert reports(read(engine)) == {"reports": 1}
    staff_did(outcomes, E.REPORT_CLOSED, "SCC-7KQ4XH", days=30, band="longer")
    assert reports(read(engine)) == {"reports": 1, "reports_closed": 1, "report_closed_longer": 1}


def test_a_rebuild_gives_the_same_report_figures(engine, outcomes):
    report_made(outcomes, "resident-a", "SCC-7KQ4XH")
    staff_did(outcomes, E.REPORT_CLOSED, "SCC-7KQ4XH", days=3, band="7_days")
    before = reports(read(engine))
    rebuild(engine)
    assert reports(read(engine)) == before == {"reports": 1, "reports_closed": 1, "report_closed_7_days": 1}


def _period(services: dict[str, dict[str, int]]) -> Period:
    totals = dict.fromkeys(COUNTERS, 0)
    filled = []
    for service, given in services.items():
        counts = dict.fromkeys(REPORT_COUNTERS, 0) | {f"report_closed_{band}": n for band, n in given.items()}
        counts["reports_closed"] = sum(given.get(band, 0) for band in CLOSE_TIMES)
        counts["reports"] = given.get("made", counts["reports_closed"])
        counts.pop("report_closed_made", None)
        filled.append((service, counts))
    return Period(WHOLE_MONTH, totals, (), tuple(filled))


def _rows(services: dict[str, dict[str, int]]) -> dict[str, tuple[str, ...]]:
    table = reports_table(_period(services))
    return {row[0]: row for row in table.rows}


def test_the_table_shows_each_service_rounded_with_rates_from_rounded_counts():
    rows = _rows({"pothole": {"made": 62, "1_day": 20, "7_days": 18, "28_days": 12, "longer": 0}})
    assert rows["Pothole"] == ("Pothole", "60", "50", "20", "20", "10", "0", "83%", "80%")
    assert rows["All services"][:3] == ("All services", "60", "50")


@pytest.mark.parametrize("small", [1, 7, 8, 9])
def test_no_count_from_1_to_9_is_shown_and_a_hidden_band_cannot_be_worked_out(small):
    rows = _rows(
        {"pothole": {"made": 60, "1_day": 20, "7_days": small, "28_days": 13, "longer": 10},
         "graffiti": {"made": 40, "1_day": 10, "7_days": 10, "28_days": 10, "longer": 10}}
    )  # fmt: skip
    cells = [cell for row in rows.values() for cell in row[1:7]]
    assert not [cell for cell in cells if re.fullmatch(r"[1-9]", cell)]
    pothole = rows["Pothole"]
    assert pothole[4] == SUPPRESSED  # within a week: the small band
    assert list(pothole[3:7]).count(SUPPRESSED) >= 2  # and another, so the closed total does not give it away
    assert pothole[8] == SUPPRESSED  # the within-a-week rate would give it away too


@pytest.mark.parametrize("made", [0, 1, 7, 8, 9, 10, 13])
def test_a_service_with_few_reports_shows_no_small_count_and_no_rate_over_it(made):
    noise = _rows({"noise": {"made": made}})["Noise"]  # none closed yet
    assert noise[1] == {0: "0", 10: "10", 13: "15"}.get(made, SUPPRESSED)
    assert noise[7] == {0: "no data", 10: "0%", 13: "0%"}.get(made, SUPPRESSED)

"""Opening hours and bank holidays from data/catalogue/channels.yml."""

from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from routing.catalogue import CatalogueError
from routing.hours import clock, load_schedule

UK = ZoneInfo("Europe/London")
SCHEDULE = load_schedule()


@pytest.mark.parametrize(
    ("channel", "moment", "is_open"),
    [
        ("phone", datetime(2026, 12, 1, 9, 0, tzinfo=UK), True),
        ("phone", datetime(2026, 12, 1, 8, 59, tzinfo=UK), False),
        ("phone", datetime(2026, 12, 1, 17, 0, tzinfo=UK), False),
        ("phone", datetime(2026, 12, 5, 12, 0, tzinfo=UK), False),  # Saturday
        ("phone", datetime(2026, 12, 25, 12, 0, tzinfo=UK), False),  # Christmas Day
        ("phone", datetime(2026, 12, 28, 12, 0, tzinfo=UK), False),  # Boxing Day (substitute)
        ("phone", datetime(2026, 8, 31, 12, 0, tzinfo=UK), False),  # late summer bank holiday
        ("gateway", datetime(2026, 12, 2, 9, 30, tzinfo=UK), False),  # Wednesday opens at 10
        ("gateway", datetime(2026, 12, 2, 10, 0, tzinfo=UK), True),
        ("webchat", datetime(2026, 7, 1, 8, 30, tzinfo=ZoneInfo("UTC")), True),  # 9:30 in British Summer Time
    ],
)
def test_open_exactly_in_opening_hours_and_never_on_bank_holidays(channel, moment, is_open):
    assert SCHEDULE.is_open(channel, moment) is is_open


def test_next_opening_skips_weekends_and_bank_holidays():
    christmas_eve_evening = datetime(2026, 12, 24, 18, 0, tzinfo=UK)
    assert SCHEDULE.next_opening("phone", christmas_eve_evening) == datetime(2026, 12, 29, 9, 0, tzinfo=UK)


def test_times_read_as_people_say_them():
    assert [clock(time(12, 0)), clock(time(13, 30)), clock(time(9, 0))] == ["12 noon", "1:30pm", "9am"]


def test_a_broken_configuration_fails_loudly_naming_the_problem(tmp_path: Path):
    broken = tmp_path / "channels.yml"
    broken.write_text("channels:\n  phone:\n    hours: {mon: ['17:00', '09:00']}\n    sla_minutes: 10\n")
    with pytest.raises(CatalogueError, match="closes before it opens"):
        load_schedule(broken)
    broken.write_text("channels:\n  phone:\n    hours: {mon: ['09:00', '17:00']}\n    sla_minutes: 10\n")
    with pytest.raises(CatalogueError, match="no configuration for"):
        load_schedule(broken)

"""Disclosure control: no count from 1 to 9 is ever shown, and no suppressed cell can be worked
out from its row or column totals."""

from __future__ import annotations

import random
from datetime import date

import pytest

from monitoring.disclosure import (
    SUPPRESSED,
    protect_count,
    protect_rate,
    protect_table,
    rate_text,
    rounded,
    shown,
    whole_weeks,
)


@pytest.mark.parametrize(
    ("count", "protected"),
    [(0, 0), (1, None), (5, None), (9, None), (10, 10), (12, 10), (13, 15), (17, 15), (18, 20), (1234, 1235)],
)
def test_small_counts_are_hidden_and_others_rounded_to_5(count, protected):
    assert protect_count(count) == protected


def test_a_negative_count_is_a_programming_error():
    with pytest.raises(ValueError):
        protect_count(-1)


def test_rates_use_rounded_figures_and_hide_when_the_denominator_is_hidden():
    assert protect_rate(13, 30) == pytest.approx(15 / 30)  # 13 / 30 would give the 13 back
    assert protect_rate(391, 1000) == pytest.approx(390 / 1000)
    assert protect_rate(13, 17) is None  # the other 4 would be given away
    assert protect_rate(3, 8) is None
    assert protect_rate(3, 400) is None  # 0.75% of about 400 would give the 3 away
    assert protect_rate(0, 400) == 0
    assert protect_rate(0, 0) is None


def test_shown_marks_a_suppressed_cell():
    assert shown(None) == SUPPRESSED and shown(15) == "15"


def _check_safe(counts):
    table = protect_table(counts)
    every_shown = [*table.cells.values(), *table.row_totals.values(), *table.column_totals.values(), table.grand_total]
    assert not any(value is not None and 1 <= value <= 9 for value in every_shown)
    assert all(value is None or value % 5 == 0 for value in every_shown)
    lines = [([(r, c) for c in table.columns], table.row_totals[r]) for r in table.rows] + [
        ([(r, c) for r in table.rows], table.column_totals[c]) for c in table.columns
    ]
    for keys, total in lines:
        hidden = [key for key in keys if table.cells[key] is None and counts[key[0]].get(key[1], 0) > 0]
        if total is not None:
            # A shown total with one hidden (non-zero) cell would give that cell away.
            assert len(hidden) != 1, (keys, table)
    for totals in (table.row_totals, table.column_totals):
        hidden_totals = [name for name, value in totals.items() if value is None]
        if table.grand_total is not None:
            assert len(hidden_totals) != 1, (totals, table)


def test_a_single_small_cell_gets_a_partner_in_its_row_and_column():
    counts = {"deaf": {"phone": 40, "webchat": 3, "gateway": 25}, "none": {"phone": 300, "webchat": 120, "gateway": 60}}
    table = protect_table(counts)
    assert table.cells[("deaf", "webchat")] is None
    assert table.cells[("deaf", "gateway")] is None  # the smallest other cell in the row
    assert table.cells[("none", "webchat")] is None or table.column_totals["webchat"] is None
    _check_safe(counts)


@pytest.mark.parametrize("seed", range(200))
def test_random_tables_are_always_safe(seed):
    rng = random.Random(seed)
    rows = [f"r{i}" for i in range(rng.randint(1, 5))]
    columns = [f"c{j}" for j in range(rng.randint(1, 5))]
    counts = {
        r: {c: rng.choice([0, 0, rng.randint(1, 9), rng.randint(10, 60), rng.randint(60, 500)]) for c in columns}
        for r in rows
    }
    _check_safe(counts)


def test_rounding_rounds_halves_up():
    assert [rounded(n) for n in (2, 3, 7, 8)] == [0, 5, 5, 10]


def test_rates_are_shown_to_whole_percents():
    assert rate_text(390 / 1000) == "39%" and rate_text(0) == "0%" and rate_text(1) == "100%"


@pytest.mark.parametrize(
    ("start", "end", "today", "expected"),
    [
        # Thursday to Saturday: widened to Monday and Sunday
        (date(2026, 1, 1), date(2026, 1, 31), date(2026, 12, 6), (date(2025, 12, 29), date(2026, 2, 1))),
        # a range reaching into this week (today is Wednesday) stops at last Sunday
        (date(2026, 11, 2), date(2026, 12, 2), date(2026, 12, 2), (date(2026, 11, 2), date(2026, 11, 29))),
        # on a Monday, the week that ended yesterday is whole
        (date(2026, 11, 23), date(2026, 11, 30), date(2026, 11, 30), (date(2026, 11, 23), date(2026, 11, 29))),
    ],
)
def test_date_ranges_are_whole_weeks_up_to_the_last_full_week(start, end, today, expected):
    assert whole_weeks(start, end, today) == expected

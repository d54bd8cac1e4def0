"""Disclosure control on everything the dashboard shows or exports: no count from 1 to 9 in any
cell, no hidden cell recoverable from its row or column, no rate that gives a hidden count away."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest

from monitoring.dashboard import build_dashboard, csv_rows
from monitoring.disclosure import SUPPRESSED, protect_table
from monitoring.measures import COUNTERS
from monitoring.metric_values import Filters, Period
from monitoring.thresholds import load_thresholds

MONTH = Filters(date(2026, 11, 1), date(2026, 11, 30))


def period_with(**counts: int) -> Period:
    totals = Counter(dict.fromkeys(COUNTERS, 0))
    totals.update(counts)
    week = {
        name: totals[name] for name in ("conversations", "outcome_resolved_by_bot", "handed_off", "outcome_abandoned")
    }
    return Period(MONTH, dict(totals), ((date(2026, 11, 2), week),))


SMALL_CELLS = period_with(
    conversations=1000, outcome_resolved_by_bot=600, outcome_abandoned=391, outcome_safeguarding=3,
    outcome_handed_off=6, handed_off=6, need_disability=7, need_older_age=42, group_disability=7,
    eligible_disability=7, resolved_disability=2, group_none=951, eligible_none=900, resolved_none=590,
    offered_phone=20, accepted_phone=6, contact_phone=4, resolved_phone=4, wait_phone_8=4, ontime_phone=4,
    offers=20, offers_non_online=20, di_offered=8, di_accepted=3, repeat_7d=5, sat_all_yes=9, sat_none_yes=9,
)  # fmt: skip


def every_cell(period: Period) -> list[str]:
    dashboard = build_dashboard(period, load_thresholds())
    cells = [headline.value for headline in dashboard.headlines]
    for table in dashboard.tables:
        cells += [cell for row in csv_rows(table)[1:] for cell in row[1:]]
    return cells


def test_no_count_from_1_to_9_is_shown_or_exported_anywhere() -> None:
    for cell in every_cell(SMALL_CELLS):
        assert not re.fullmatch(r"[1-9]", cell), cell
    assert SUPPRESSED in every_cell(SMALL_CELLS)


def test_counts_are_rounded_to_5_and_rates_come_from_the_rounded_figures() -> None:
    dashboard = build_dashboard(SMALL_CELLS, load_thresholds())
    outcomes = {row[0]: row[1:] for row in dashboard.table("outcomes").rows}
    assert outcomes["Resolved by bot"] == ("600", "60%")
    # 391 shown as 390, and the share from 390: 39.1% would give the exact 391 back.
    assert outcomes["Abandoned"] == ("390", "39%")
    assert outcomes["Safeguarding"] == (SUPPRESSED, SUPPRESSED)  # 3: hidden, and so is its share


def test_a_rate_never_gives_a_hidden_count_away() -> None:
    dashboard = build_dashboard(SMALL_CELLS, load_thresholds())
    parity = {row[0]: row for row in dashboard.table("parity").rows}
    assert parity["Disability"][1:6] == (SUPPRESSED,) * 5  # 2 of 7: counts, rate, ratio and interval hidden
    [inclusion] = dashboard.table("digital_inclusion").rows
    assert inclusion[2:] == (SUPPRESSED, SUPPRESSED, SUPPRESSED)  # 8 offered, 3 took it up


@pytest.mark.parametrize(
    "counts",
    [
        {"a": {"x": 40, "y": 3}, "b": {"x": 25, "y": 30}},
        {"a": {"x": 40, "y": 3, "z": 12}, "b": {"x": 25, "y": 30, "z": 4}, "c": {"x": 0, "y": 11, "z": 50}},
        {"a": {"x": 5}, "b": {"x": 100}, "c": {"x": 100}},
        {"a": {"x": 1, "y": 1}, "b": {"x": 500, "y": 500}},
    ],
)
def test_no_hidden_cell_can_be_worked_out_from_its_row_or_column_total(counts) -> None:
    table = protect_table(counts)
    lines = [[(r, c) for c in table.columns] for r in table.rows] + [
        [(r, c) for r in table.rows] for c in table.columns
    ]
    totals = [table.row_totals[r] for r in table.rows] + [table.column_totals[c] for c in table.columns]
    for cells, total in zip(lines, totals, strict=True):
        hidden = [cell for cell in cells if table.cells[cell] is None]
        assert total is None or len(hidden) != 1, f"{hidden} could be worked out from the total {total}"
    shown = [value for value in table.cells.values() if value is not None]
    assert all(value == 0 or (value >= 10 and value % 5 == 0) for value in shown)


def test_a_group_nobody_was_resolved_for_is_flagged() -> None:
    nobody = period_with(
        conversations=400, group_older_age=40, eligible_older_age=40, resolved_older_age=0,
        group_none=360, eligible_none=360, resolved_none=300,
    )  # fmt: skip
    parity = {row[0]: row for row in build_dashboard(nobody, load_thresholds()).table("parity").rows}
    assert parity["Older age"][3] == "0%"
    assert parity["Older age"][4] == "0.01" and parity["Older age"][6] == "Below threshold"


def test_an_outcome_hidden_beside_a_small_one_is_hidden_everywhere() -> None:
    """5 handed off (hidden), so 12 resolved is hidden beside it; the headline and the report must
    not show the 12 as a rate either, or 227 - 12 - 210 gives the 5 away."""
    from monitoring.metric_definitions import BY_KEY
    from monitoring.report import value_of

    period = period_with(conversations=227, outcome_handed_off=5, outcome_resolved_by_bot=12, outcome_abandoned=210)
    dashboard = build_dashboard(period, load_thresholds())
    outcomes = {row[0]: row[1:] for row in dashboard.table("outcomes").rows}
    assert outcomes["Handed off"] == (SUPPRESSED, SUPPRESSED)
    assert outcomes["Resolved by bot"] == (SUPPRESSED, SUPPRESSED)
    headline = {h.metric: h.value for h in dashboard.headlines}
    assert headline["outcome.resolved_by_bot"] == SUPPRESSED
    metric = BY_KEY["outcome.resolved_by_bot"]
    assert value_of(metric, period.totals, load_thresholds()).text == SUPPRESSED

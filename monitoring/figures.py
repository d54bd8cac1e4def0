"""Figures as they may be shown: the text of counts, rates, ratios and times after disclosure
control, and the table and headline shapes every page and CSV file prints as they are.

Counts pass through ``protect_table`` (suppression, secondary suppression, rounding) where a row
adds up to a total that is shown, or are protected cell by cell where nothing adds up; a rate is
computed from unrounded counts and shown only when ``protect_rate`` allows it and neither of its
cells is hidden in the table it sits in; a time is shown only when its number of contacts may be.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

from monitoring.disclosure import (
    SUPPRESSED,
    ProtectedTable,
    protect_count,
    protect_rate,
    protect_table,
    rate_text,
    rounded,
    shown,
)
from monitoring.metric_definitions import BY_KEY, Metric, counters_in
from monitoring.metric_values import Counts, Ratio, percentile_minutes, ratio, ratio_of
from monitoring.outcomes import OUTCOMES
from monitoring.thresholds import Thresholds

NOT_SHOWN = SUPPRESSED  # also marks a rate or a time that would give a hidden count away


@dataclass(frozen=True)
class Table:
    """A table as shown and exported.

    Attributes:
        key: names the CSV file (``<key>.csv``).
        title, caption: what it shows and how to read it.
        header: column headings; the first column names the rows.
        rows: every cell as text, already protected.
        metrics: the metric keys of the figures in it (their definitions are listed under it).
        chart: for a chart beside the table, (label, value) pairs of protected numbers (None: hidden).
        chart_unit: what the chart's values are ("conversations" or "%").
    """

    key: str
    title: str
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    metrics: tuple[str, ...]
    chart: tuple[tuple[str, float | None], ...] = ()
    chart_unit: str = ""


@dataclass(frozen=True)
class Headline:
    """One headline figure."""

    metric: str
    title: str
    value: str
    detail: str


def label(code: str) -> str:
    """A code as words ("older_age" -> "Older age")."""
    return code.replace("_", " ").capitalize()


def percent(numerator: int, denominator: int) -> str:
    """A rate as text, from rounded counts; the caller has checked it may be shown."""
    return rate_text(rounded(numerator) / rounded(denominator)) if rounded(denominator) else "no data"


def protected_rate(
    numerator: int, denominator: int, numerator_shown: bool = True, denominator_shown: bool = True
) -> str:
    """A rate as text, hidden when either count it comes from is hidden (1 to 9, or secondary)."""
    if denominator == 0:
        return "no data"
    rate = protect_rate(numerator, denominator)
    if rate is None or not numerator_shown or not denominator_shown:
        return NOT_SHOWN
    return rate_text(rate)


def minutes(value: float | None) -> str:
    """A time band's upper edge as text."""
    if value is None:
        return "no data"
    if math.isinf(value):
        return "over 5 days"
    if value >= 1440:
        return f"within {value / 1440:g} days" if value > 1440 else "within 1 day"
    if value >= 60:
        return f"within {value / 60:g} hours" if value > 60 else "within 1 hour"
    return f"within {value:g} min"


def count_table(counts: Mapping[str, Mapping[str, int]]) -> ProtectedTable:
    """Counts whose rows add up to a total that is shown (outcomes, weeks): with secondary
    suppression, so no hidden cell can be worked out from the total."""
    return protect_table({row: dict(columns) for row, columns in counts.items()})


def separate_cells(
    counts: Mapping[str, Mapping[str, int]], also_hidden: set[tuple[str, str]] | None = None
) -> ProtectedTable:
    """Counts that do not add up to anything shown (need groups overlap; a conversation can be
    offered several channels; stages of a funnel are nested): each cell protected on its own, and
    each rate hidden by ``protect_rate`` when its rest is small. The report shows the same figures
    by the same rules, so the two agree."""
    columns = tuple(dict.fromkeys(column for row in counts.values() for column in row))
    return ProtectedTable(
        rows=tuple(counts),
        columns=columns,
        cells={
            (row, column): None
            if (row, column) in (also_hidden or set())
            else protect_count(counts[row].get(column, 0))
            for row in counts
            for column in columns
        },
        row_totals={},
        column_totals={},
        grand_total=None,
    )


def cell_text(table: ProtectedTable, row: str, column: str) -> str:
    """A cell as shown: its protected count or the suppression mark."""
    return shown(table.cells[(row, column)])


def cell_visible(table: ProtectedTable, row: str, column: str) -> bool:
    """Whether a cell's count may be shown."""
    return table.cells[(row, column)] is not None


def rate_within(table: ProtectedTable, counts: Mapping[str, Mapping[str, int]], row: str, of: str, over: str) -> str:
    """The rate of one cell over another in the same row, hidden if either cell is hidden."""
    return protected_rate(
        counts[row][of], counts[row][over], cell_visible(table, row, of), cell_visible(table, row, over)
    )


def time_cells(bands: list[int], visible: bool) -> tuple[str, str]:
    """Median and 90th percentile of a time, hidden with the count of contacts they come from."""
    if not sum(bands):
        return ("no data", "no data")
    if not visible:
        return (NOT_SHOWN, NOT_SHOWN)
    return (minutes(percentile_minutes(bands, 0.5)), minutes(percentile_minutes(bands, 0.9)))


def hidden_counters(totals: Counts) -> frozenset[str]:
    """Outcome counters the outcomes table hides (1 to 9, or hidden beside one so it cannot be
    worked out from the total). Every other place that shows them, as a count or in a rate (the
    headlines, the safeguarding table, the report), hides them too."""
    protected = count_table({o: {"Conversations": totals[f"outcome_{o}"]} for o in OUTCOMES})
    return frozenset(f"outcome_{o}" for o in OUTCOMES if protected.cells[(o, "Conversations")] is None)


def metric_hidden(metric: Metric, totals: Counts) -> bool:
    """Whether a count or rate metric uses a counter the outcomes table hides."""
    used = set(counters_in(metric.numerator)) | set(counters_in(metric.denominator))
    return bool(used & hidden_counters(totals))


def parity_row(totals: Counts, group: str, thresholds: Thresholds) -> tuple[Ratio, bool, bool]:
    """A group's parity from rounded counts (so its two decimals and interval give no exact count
    away), whether it may be shown, and whether it is flagged."""
    exact = ratio(totals, BY_KEY[f"parity.{group}"])
    counts = (exact.group_events, exact.group_total, exact.reference_events, exact.reference_total)
    found = ratio_of(*(rounded(count) for count in counts))
    may_show = (
        found.value is not None
        and protect_rate(exact.group_events, exact.group_total) is not None
        and protect_rate(exact.reference_events, exact.reference_total) is not None
    )
    flagged = (
        may_show
        and found.group_total >= thresholds.min_group_size
        and found.value is not None
        and found.value < thresholds.parity_ratio
        and found.clearly_below_one
    )
    return found, may_show, flagged


DEADLINES = {
    "webchat": "{sla} after joining the queue",
    "phone": "{sla} if urgent; else the booked window",
    "gateway": "{sla} after the booked slot starts",
    "emergency": "{sla}",
}


def deadline(channel: str, thresholds: Thresholds) -> str:
    """A channel's pick-up deadline in words."""
    sla = thresholds.sla_minutes.get(channel)
    if sla is None:
        return "none set"
    words = f"{sla // 60} hours" if sla >= 120 else (f"{sla} min" if sla < 60 else "1 hour")
    return DEADLINES.get(channel, "{sla}").format(sla=words)

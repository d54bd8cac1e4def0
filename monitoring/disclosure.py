"""Statistical disclosure control for everything the dashboard shows or exports.

Counts from 1 to 9 are suppressed; other counts are rounded to the nearest 5. In a table with
totals, a row or column with exactly one suppressed cell gets a second one suppressed (the
smallest other cell), repeated until no suppressed cell can be worked out by subtraction from its
row or column total. Rates are computed from the rounded counts (as NHS Digital and OpenSAFELY
do), shown to whole percents, and hidden when their denominator, their numerator or the rest
(denominator minus numerator) would be suppressed: a rate to 0.1% of unrounded counts gives the
exact counts back. Date ranges are whole ISO weeks (Monday to Sunday) up to the last full week, so
two ranges differ by whole weeks at least, and a published range never changes from day to day.
Together with rounding, two published figures never differ by an exact small count: the
difference of two counts rounded to 5 is only known to within 9 values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping

SUPPRESS_BELOW = 10
ROUND_TO = 5
SUPPRESSED = "[c]"  # the Office for National Statistics' mark for a confidential cell


def rounded(count: int) -> int:
    """``count`` rounded to the nearest 5 (halves round up, so 2.5 fives is 15, not 10)."""
    return int((count + ROUND_TO // 2) // ROUND_TO * ROUND_TO)


def protect_count(count: int) -> int | None:
    """A count as it may be shown: None when suppressed (1 to 9), else rounded (0 stays 0)."""
    if count < 0:
        raise ValueError("a count cannot be negative")
    if 0 < count < SUPPRESS_BELOW:
        return None
    return rounded(count)


def protect_rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator from the rounded figures; None when the denominator is 0 or when
    the numerator, the denominator or the rest (denominator - numerator) would be suppressed: with
    the denominator shown, a rate of 97% of 100 gives away the 3 who were not counted. Computed
    from rounded counts, a rate tells no more than the two rounded counts do."""
    small = (protect_count(part) is None for part in (denominator, numerator, max(denominator - numerator, 0)))
    if denominator == 0 or any(small) or rounded(denominator) == 0:
        return None
    return rounded(numerator) / rounded(denominator)


def rate_text(rate: float) -> str:
    """A protected rate as text, to whole percents ("43%")."""
    return f"{100 * rate:.0f}%"


def last_full_week_end(today: date) -> date:
    """The Sunday that ended the last whole week before ``today``."""
    return today - timedelta(days=today.weekday() + 1)


def whole_weeks(start: date, end: date, today: date) -> tuple[date, date]:
    """A date range widened to whole ISO weeks (Monday to Sunday) and cut at the last full week.

    Figures for single days, or for a week still under way, would let two ranges (or one range
    read on two days) differ by one day's count; with whole weeks they differ by whole weeks."""
    start -= timedelta(days=start.weekday())
    end = min(end + timedelta(days=6 - end.weekday()), last_full_week_end(today))
    return start, end


def shown(value: int | None) -> str:
    """A protected count as text: the number, or the suppression mark."""
    return SUPPRESSED if value is None else str(value)


@dataclass(frozen=True)
class ProtectedTable:
    """A table of counts with row and column totals, safe to show and export."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: Mapping[tuple[str, str], int | None]
    row_totals: Mapping[str, int | None]
    column_totals: Mapping[str, int | None]
    grand_total: int | None


def protect_table(counts: Mapping[str, Mapping[str, int]]) -> ProtectedTable:
    """Suppress, add secondary suppression, and round a table of counts (rows -> columns -> count)."""
    rows = tuple(counts)
    columns = tuple(dict.fromkeys(column for row in counts.values() for column in row))
    raw = {(r, c): int(counts[r].get(c, 0)) for r in rows for c in columns}
    hidden = {key for key, value in raw.items() if protect_count(value) is None}
    row_totals = {r: sum(raw[(r, c)] for c in columns) for r in rows}
    column_totals = {c: sum(raw[(r, c)] for r in rows) for c in columns}
    hidden_row_totals = {r for r, total in row_totals.items() if protect_count(total) is None}
    hidden_column_totals = {c for c, total in column_totals.items() if protect_count(total) is None}

    grand = sum(raw.values())
    grand_hidden = protect_count(grand) is None
    changed = True
    while changed:
        changed = False
        for line, keys, total_hidden in [
            *((r, [(r, c) for c in columns], r in hidden_row_totals) for r in rows),
            *((c, [(r, c) for r in rows], c in hidden_column_totals) for c in columns),
        ]:
            if total_hidden:
                continue  # with its total hidden too, one suppressed cell cannot be recovered
            secret = [key for key in keys if key in hidden]
            if len(secret) != 1:
                continue
            # Exactly one hidden cell: the total gives it away. Hide the smallest other non-zero cell.
            candidates = sorted((raw[key], key) for key in keys if key not in hidden and raw[key] > 0)
            if candidates:
                hidden.add(candidates[0][1])
            elif line in row_totals:
                hidden_row_totals.add(line)  # nothing else to hide in the row: hide its total
            else:
                hidden_column_totals.add(line)
            changed = True
        # The totals themselves against the grand total: one hidden row (or column) total could be
        # worked out from the others, so hide a second one too.
        for hidden_totals, totals in ((hidden_row_totals, row_totals), (hidden_column_totals, column_totals)):
            if grand_hidden or len(hidden_totals) != 1:
                continue
            others = sorted((total, name) for name, total in totals.items() if name not in hidden_totals and total > 0)
            if others:
                hidden_totals.add(others[0][1])
                changed = True

    cells = {key: (None if key in hidden else rounded(value)) for key, value in raw.items()}
    return ProtectedTable(
        rows=rows,
        columns=columns,
        cells=cells,
        row_totals={r: None if r in hidden_row_totals else rounded(t) for r, t in row_totals.items()},
        column_totals={c: None if c in hidden_column_totals else rounded(t) for c, t in column_totals.items()},
        grand_total=protect_count(grand),
    )

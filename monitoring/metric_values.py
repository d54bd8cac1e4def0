"""Reading the metrics: the filters, one query over the daily counters, and the arithmetic.

Every figure is computed from unrounded counts here; what may be shown is decided afterwards by
``monitoring.disclosure`` (in ``monitoring.dashboard``), never by the caller.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from monitoring.disclosure import last_full_week_end, whole_weeks
from monitoring.measures import COUNTERS, REPORT_COUNTERS, WAIT_BANDS, WAIT_EDGES
from monitoring.metric_definitions import Metric, counters_in
from monitoring.schema import daily_measures

Counts = Mapping[str, int]
DEFAULT_DAYS = 91
MAX_DAYS = 3 * 366
Z_95 = 1.959964


class FilterError(ValueError):
    """A filter a manager typed that cannot be used; the message says why, plainly."""


@dataclass(frozen=True)
class Filters:
    """Which conversations the figures cover: a date range (inclusive, council's calendar days),
    optionally one service (catalogue code) and one entry channel. From a form, the range is whole
    weeks up to the last full week (``monitoring.disclosure.whole_weeks``)."""

    start: date
    end: date
    service: str | None = None
    entry_channel: str | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str], today: date, services: set[str], entries: set[str]) -> Filters:
        """Filters from a web form's fields (``start``, ``end`` as YYYY-MM-DD, ``service``, ``entry``),
        widened to whole weeks and cut at the last full week."""
        last = last_full_week_end(today)
        end = _day(query.get("end"), "end date", last)
        start = _day(query.get("start"), "start date", min(end, last) - timedelta(days=DEFAULT_DAYS - 1))
        if start > end:
            raise FilterError("The start date must be on or before the end date.")
        if (end - start).days >= MAX_DAYS:
            raise FilterError("Choose a date range of 3 years or less.")
        start, end = whole_weeks(start, end, today)
        if start > end:
            raise FilterError(
                "Figures cover whole weeks, up to the last full week. Choose a start date on or before "
                f"{last.day} {last:%B %Y}."
            )
        service = (query.get("service") or "").strip() or None
        if service is not None and service not in services:
            raise FilterError("Choose a service from the list.")
        entry = (query.get("entry") or "").strip() or None
        if entry is not None and entry not in entries:
            raise FilterError("Choose an entry channel from the list.")
        return cls(start, end, service, entry)

    def as_query(self) -> dict[str, str]:
        """The filters as form fields (for links and the CSV export)."""
        fields = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        fields |= {"service": self.service} if self.service else {}
        fields |= {"entry": self.entry_channel} if self.entry_channel else {}
        return fields


EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


def _day(raw: str | None, name: str, default: date) -> date:
    if raw is None or not raw.strip():
        return default
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        raise FilterError(f"Enter the {name} as a date, for example 2026-11-28.") from None
    if not EARLIEST <= day <= LATEST:
        raise FilterError(f"Enter {'an' if name[0] in 'aeiou' else 'a'} {name} between 2000 and 2099.")
    return day


@dataclass(frozen=True)
class Period:
    """The counters for the filtered conversations: in total, week by week (weeks start Monday),
    and the report counters service by service."""

    filters: Filters
    totals: Counts
    weeks: tuple[tuple[date, Counts], ...]
    services: tuple[tuple[str, Counts], ...] = ()


# The counters the week-by-week trend shows (the totals have every counter).
TREND_COUNTERS = ("conversations", "outcome_resolved_by_bot", "handed_off", "outcome_abandoned")


def read_period(connection: Connection, filters: Filters) -> Period:
    """Sum the daily counters for ``filters``: every counter in total, and the trend's by week."""
    conditions = [daily_measures.c.day >= filters.start, daily_measures.c.day <= filters.end]
    if filters.service:
        conditions.append(daily_measures.c.service == filters.service)
    if filters.entry_channel:
        conditions.append(daily_measures.c.entry_channel == filters.entry_channel)
    sums = connection.execute(select(*(func.sum(daily_measures.c[name]) for name in COUNTERS)).where(*conditions)).one()
    totals = {name: int(value or 0) for name, value in zip(COUNTERS, sums, strict=True)}
    by_day = select(daily_measures.c.day, *(func.sum(daily_measures.c[name]) for name in TREND_COUNTERS))
    weeks: dict[date, Counter[str]] = {}
    for row in connection.execute(by_day.where(*conditions).group_by(daily_measures.c.day)):
        day = row[0] if isinstance(row[0], date) else date.fromisoformat(str(row[0]))
        counts = {name: int(value or 0) for name, value in zip(TREND_COUNTERS, row[1:], strict=True)}
        weeks.setdefault(day - timedelta(days=day.weekday()), Counter()).update(counts)
    by_service = select(daily_measures.c.service, *(func.sum(daily_measures.c[name]) for name in REPORT_COUNTERS))
    services = [
        (str(row[0]), {name: int(value or 0) for name, value in zip(REPORT_COUNTERS, row[1:], strict=True)})
        for row in connection.execute(by_service.where(*conditions).group_by(daily_measures.c.service))
        if row[0]
    ]
    return Period(
        filters,
        totals,
        tuple(sorted((week, dict(counts)) for week, counts in weeks.items())),
        tuple(sorted((service, counts) for service, counts in services if counts["reports"])),
    )


def amount(counts: Counts, expression: str) -> int:
    """The sum of the counters in a numerator or denominator."""
    return sum(counts.get(name, 0) for name in counters_in(expression))


@dataclass(frozen=True)
class Ratio:
    """A ratio of two rates with its 95% confidence interval (log method, Katz et al. 1978)."""

    group_events: int
    group_total: int
    reference_events: int
    reference_total: int
    value: float | None
    low: float | None
    high: float | None

    @property
    def clearly_below_one(self) -> bool:
        """The whole interval is below 1: the group is resolved less often, beyond chance."""
        return self.high is not None and self.high < 1


def ratio(counts: Counts, metric: Metric) -> Ratio:
    """Outcome parity: the group's rate over the reference group's, with a 95% interval."""
    group_events, group_total = (amount(counts, part) for part in metric.numerator.split("/"))
    reference_events, reference_total = (amount(counts, part) for part in metric.denominator.split("/"))
    return ratio_of(group_events, group_total, reference_events, reference_total)


def ratio_of(group_events: int, group_total: int, reference_events: int, reference_total: int) -> Ratio:
    """The ratio of two rates with its 95% interval. When a group has none or all resolved, 0.5 is
    added to each count (Haldane's correction), so a group nobody was resolved for still gets a
    ratio, near 0, rather than none."""
    impossible = group_events > group_total or reference_events > reference_total
    if impossible or group_total == 0 or reference_total == 0:
        return Ratio(group_events, group_total, reference_events, reference_total, None, None, None)
    a, n, b, m = float(group_events), float(group_total), float(reference_events), float(reference_total)
    if 0 in (a, b) or a == n or b == m:
        a, n, b, m = a + 0.5, n + 1, b + 0.5, m + 1
    value = (a / n) / (b / m)
    spread = math.sqrt(1 / a - 1 / n + 1 / b - 1 / m)
    low, high = (math.exp(math.log(value) + sign * Z_95 * spread) for sign in (-1, 1))
    return Ratio(group_events, group_total, reference_events, reference_total, value, low, high)


def wait_bands(counts: Counts, channel: str) -> list[int]:
    """How many first contacts by ``channel`` fell in each time band."""
    return [counts.get(f"wait_{channel}_{band}", 0) for band in range(WAIT_BANDS)]


def percentile_minutes(bands: list[int], share: float) -> float | None:
    """The upper edge of the band holding the given share of contacts ("within N minutes");
    infinity when it falls in the last, open band; None without contacts."""
    total = sum(bands)
    if total == 0:
        return None
    needed, seen = share * total, 0
    for band, count in enumerate(bands):
        seen += count
        if seen >= needed:
            return float(WAIT_EDGES[band]) if band < len(WAIT_EDGES) else math.inf
    return math.inf

"""The differencing attack on the managers' dashboard, its CSV files and the ESIA report.

A real event history (the monitoring seed, plus a few rare events on chosen days) in a real
database; a manager asks for the dashboard over every pair of start and end days across four
weeks, downloads every table, and reads the report. The attacker (``tests.monitoring.differencing``)
then works out all it can from every result and every pair of nested results, rates included. No
count from 1 to 9 may come out exactly.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any

from monitoring.disclosure import rounded
from monitoring.figures import protected_rate
from monitoring.metric_definitions import BY_KEY
from monitoring.metric_values import Filters, read_period
from monitoring.report import build_report, previous_filters
from monitoring.seed import seed
from monitoring.thresholds import load_thresholds
from tests.bot import test_dashboard
from tests.bot.test_dashboard import TABLES, headline
from tests.bot.test_staff_inbox import sign_in
from tests.databases import MANAGER
from tests.monitoring.conversations import conversation, write
from tests.monitoring.differencing import Formula, Key, Published, Rate, leaks

FIRST, LAST = date(2026, 1, 5), date(2026, 2, 1)  # four whole weeks, Monday to Sunday
TOTAL: Key = ("expr", "conversations")
app = test_dashboard.app  # the web app on a real database, as the dashboard's own tests use it
HEADLINES = {  # each headline's title and its metric
    "Conversations": "contacts",
    "Resolved by the assistant": "outcome.resolved_by_bot",
    "Handed to a person": "handoff_rate",
    "Safeguarding escalations": "safeguarding_escalations",
    "Came back within 7 days": "repeat_contact",
    "Got what they needed": "satisfied",
}
# For each rate column of a table: the count it is a share of, and the count it is over ("TOTAL":
# all conversations; a column name: the same row; anything else: a count that is not shown).
RATE_COLUMNS = {
    ("trend", "Resolved by the assistant (%)"): ("Resolved by the assistant", "Conversations"),
    ("outcomes", "Share"): ("Conversations", "TOTAL"),
    ("funnel", "Accepted (%)"): ("Accepted", "Offered"),
    ("funnel", "Contact made (%)"): ("Contact made", "Accepted"),
    ("funnel", "Resolved (%)"): ("Resolved", "Contact made"),
    ("funnel", "Handed to a person (% of conversations)"): ("Accepted", "TOTAL"),
    ("needs", "Share of conversations"): ("Conversations", "TOTAL"),
    ("parity", "Resolved (%)"): ("Resolved", "Finished"),
    ("contact_time", "On time (%)"): ("on time", "First contacts"),
    ("availability", "With phone or face to face (%)"): ("With phone or face to face", "Offers"),
    ("availability", "Share of offers"): ("Offers", "all offers"),
    ("digital_inclusion", "Take-up (%)"): ("Took it up", "Offered help"),
    ("satisfaction", "Yes (%)"): ("Yes", "answered"),
    ("repeat_contact", "Share"): ("Came back within 7 days", "Conversations"),
    ("safeguarding", "On time (%)"): ("on time", "Contact made"),
}


def history(engine: Any) -> None:
    """Six weeks of seeded conversations, and rare events on single days: 3 safeguarding
    escalations on one Wednesday, 1 disabled resident's conversation on the next, 2 abandoned
    conversations on a Sunday."""
    seed(engine, 260, days=42, end=datetime(2026, 2, 9, tzinfo=timezone.utc), progress=False)
    write(
        engine,
        [event for _ in range(3) for event in conversation(date(2026, 1, 14), outcome="safeguarding", service=None)]
        + conversation(date(2026, 1, 21), needs=["disability"], outcome="handed_off_resolved")
        + [event for _ in range(2) for event in conversation(date(2026, 1, 18), outcome="abandoned")],
    )


def day_range(page: str) -> tuple[date, date]:
    """The dates the page's figures cover (the filter form shows them)."""
    found = [re.search(rf'id="{name}" name="{name}"[^>]*value="([0-9-]+)"', page) for name in ("start", "end")]
    assert found[0] and found[1], "the form does not show the dates used"
    return date.fromisoformat(found[0].group(1)), date.fromisoformat(found[1].group(1))


def from_page(page: str) -> Published:
    """The headline figures of a dashboard page."""
    start, end = day_range(page)
    published = Published("page", start, end)
    for title, key in HEADLINES.items():
        value, metric = headline(page, title), BY_KEY[key]
        if metric.kind == "count":
            published.counts[("expr", metric.numerator)] = value
        else:
            published.rates.append(Rate(value, ("expr", metric.numerator), ("expr", metric.denominator)))
    return published


def from_csv(table: str, text: str, start: date, end: date) -> Published:
    """One downloaded table: its counts, and its rates tied to the counts they come from."""
    header, *rows = list(csv.reader(io.StringIO(text)))
    published = Published(f"{table}.csv", start, end)
    for row in rows:
        name = row[0]

        def key(column: str, row_name: str = name) -> Key:
            if column == "TOTAL" or (column == "Conversations" and row_name in ("All conversations", "All")):
                return TOTAL
            return ("csv", table, row_name, column)

        for column, cell in zip(header[1:], row[1:], strict=True):
            if (table, column) in RATE_COLUMNS:
                numerator, denominator = RATE_COLUMNS[(table, column)]
                published.rates.append(Rate(cell, key(numerator), key(denominator)))
            elif cell.isdigit() or cell == "[c]":
                published.counts[key(column)] = cell
    return published


def weeks_of(trend: Published) -> list[Published]:
    """The trend table's rows, each a result for one week."""
    weeks: dict[str, Published] = {}
    for (_, table, row, column), text in ((k, v) for k, v in trend.counts.items() if k[0] == "csv"):
        monday = date.fromisoformat(row[:10])
        week = weeks.setdefault(row, Published("trend week", monday, monday + timedelta(days=6)))
        week.counts[("csv", table, "week", column)] = text
    for rate in trend.rates:
        week = weeks[rate.numerator[2]]
        week.rates.append(Rate(rate.text, rate.numerator[:2] + ("week",) + rate.numerator[3:],
                               rate.denominator[:2] + ("week",) + rate.denominator[3:]))  # fmt: skip
    return list(weeks.values())


def from_report(engine: Any, start: date, end: date) -> list[Published]:
    """The ESIA report for a range, as built for the page: this period and the one before."""
    filters = Filters(start, end)
    earlier = previous_filters(filters)
    with engine.connect() as connection:
        report = build_report(read_period(connection, filters), read_period(connection, earlier), load_thresholds())
    now, before = Published("report", start, end), Published("report (before)", earlier.start, earlier.end)
    for section in report.sections:
        for group in section.groups:
            for figure in group.figures:
                metric = BY_KEY[figure.metric]
                for published, text in ((now, figure.now), (before, figure.before)):
                    if metric.kind == "count":
                        published.counts[("expr", metric.numerator)] = text
                    elif metric.kind == "rate":
                        published.rates.append(Rate(text, ("expr", metric.numerator), ("expr", metric.denominator)))
    return [now, before]


def ceiling(engine: Any) -> int:
    """No count can be larger than the largest counter over the whole history."""
    with engine.connect() as connection:
        totals = read_period(connection, Filters(date(2025, 12, 1), date(2026, 2, 28))).totals
    return max(totals.values()) + 10


async def test_no_count_from_1_to_9_can_be_worked_out_from_overlapping_ranges_and_exports(app):
    client, engine = app
    history(engine)
    await sign_in(client, MANAGER)
    days = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
    results: dict[tuple[date, date], Published] = {}
    pages: dict[tuple[date, date], str] = {}
    for start in days:
        for end in days[days.index(start) :]:
            answer = await client.get(f"/dashboard?start={start}&end={end}")
            assert answer.status == 200
            page = await answer.text()
            published = from_page(page)
            covered = (published.start, published.end)
            assert covered[0].weekday() == 0 and covered[1].weekday() == 6 and covered[0] <= start <= end <= covered[1]
            # Every range asked for inside the same weeks gives the very same figures.
            assert results.setdefault(covered, published).counts == published.counts
            assert results[covered].rates == published.rates
            pages.setdefault(covered, f"start={start}&end={end}")
    assert len(results) == 10  # 406 ranges asked for, 10 different answers: the runs of whole weeks
    everything = list(results.values())
    for (start, end), query in pages.items():
        for table in TABLES:
            answer = await client.get(f"/dashboard/export/{table}.csv?{query}")
            assert answer.status == 200, table
            published = from_csv(table, await answer.text(), start, end)
            everything.append(published)
            if table == "trend":
                everything += weeks_of(published)
        everything += from_report(engine, start, end)

    found = leaks(everything, protected_rate, ceiling(engine))
    assert found == [], "\n".join(found[:20])


def test_the_attacker_finds_the_counts_when_rates_are_precise():
    """The attack itself works: with rates to 0.1% from unrounded counts (as before), a one-day
    difference of 3 escalations comes straight out of two results that show only rounded counts."""

    def precise(numerator: int, denominator: int) -> str:
        return f"{100 * numerator / denominator:.1f}%"

    def published(start: date, end: date, total: int, parts: dict[str, int], formula: Formula) -> Published:
        result = Published("dashboard", start, end, counts={TOTAL: str(rounded(total))})
        for name, count in parts.items():
            result.counts[("csv", "outcomes", name, "Conversations")] = str(rounded(count)) if count > 9 else "[c]"
            result.rates.append(Rate(formula(count, total), ("csv", "outcomes", name, "Conversations"), TOTAL))
        return result

    def both(formula: Formula) -> list[Published]:
        return [
            published(
                date(2026, 1, 5), date(2026, 1, 13), 203, {"resolved": 97, "abandoned": 60, "other": 46}, formula
            ),
            published(
                date(2026, 1, 5), date(2026, 1, 14), 206, {"resolved": 97, "abandoned": 60, "other": 49}, formula
            ),
        ]

    found = leaks(both(precise), precise, 300)
    assert any(line.endswith("'other', 'Conversations') = 3") for line in found), found
    assert leaks(both(protected_rate), protected_rate, 300) == []  # the same counts under today's rule

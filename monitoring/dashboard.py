"""What the dashboard shows: headline figures and every table, as protected text a page or a CSV
file prints as it is.

Disclosure control happens in the query layer (``monitoring.figures``), so no page or export can
show a raw count. This module holds the headlines and the tables about the conversations
themselves; ``monitoring.support_tables`` holds those about reaching a person and the help given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Sequence

from monitoring.disclosure import ProtectedTable, protect_count, shown
from monitoring.figures import (
    NOT_SHOWN,
    Headline,
    Table,
    cell_text,
    cell_visible,
    count_table,
    label,
    metric_hidden,
    parity_row,
    protected_rate,
    rate_within,
    separate_cells,
)
from monitoring.measures import GROUPS
from monitoring.metric_definitions import BY_KEY
from monitoring.metric_values import Counts, Period, amount
from monitoring.outcomes import OUTCOMES
from monitoring.report_tables import reports_table
from monitoring.support_tables import (
    availability_table,
    contact_time_table,
    digital_inclusion_table,
    repeat_table,
    safeguarding_table,
    satisfaction_table,
)
from monitoring.thresholds import Thresholds
from monitoring.update_tables import UPDATE_TABLE_KEYS, update_tables
from routing.categories import CATEGORIES
from routing.contact_channels import CHANNELS


@dataclass(frozen=True)
class Dashboard:
    """Everything ``/dashboard`` shows for one set of filters."""

    period: Period
    headlines: tuple[Headline, ...]
    tables: tuple[Table, ...]

    def table(self, key: str) -> Table:
        """One table by its key."""
        return next(table for table in self.tables if table.key == key)


TABLE_KEYS = (
    "trend", "outcomes", "funnel", "needs", "parity", "contact_time", "availability", "digital_inclusion",
    "satisfaction", "repeat_contact", "safeguarding", "reports", *UPDATE_TABLE_KEYS,
)  # fmt: skip


def build_dashboard(period: Period, thresholds: Thresholds) -> Dashboard:
    """The dashboard for one period: headlines and every table, all protected."""
    totals = period.totals
    tables = (
        trend_table(period),
        outcomes_table(totals),
        funnel_table(totals),
        needs_table(totals),
        parity_table(totals, thresholds),
        contact_time_table(totals, thresholds),
        availability_table(totals),
        digital_inclusion_table(totals),
        satisfaction_table(totals),
        repeat_table(totals),
        safeguarding_table(totals, thresholds),
        reports_table(period),
        *update_tables(totals),
    )
    return Dashboard(period, headlines(totals), tables)


def headlines(totals: Counts) -> tuple[Headline, ...]:
    """The figures at the top of the page."""
    conversations = totals["conversations"]

    def rate(key: str) -> str:
        metric = BY_KEY[key]
        if metric_hidden(metric, totals):
            return NOT_SHOWN
        return protected_rate(amount(totals, metric.numerator), amount(totals, metric.denominator))

    escalations = None if metric_hidden(BY_KEY["safeguarding_escalations"], totals) else totals["outcome_safeguarding"]

    return (
        Headline("contacts", "Conversations", shown(protect_count(conversations)), "started with the assistant"),
        Headline(
            "outcome.resolved_by_bot", "Resolved by the assistant", rate("outcome.resolved_by_bot"), "of conversations"
        ),
        Headline("handoff_rate", "Handed to a person", rate("handoff_rate"), "of conversations"),
        Headline(
            "safeguarding_escalations",
            "Safeguarding escalations",
            shown(None if escalations is None else protect_count(escalations)),
            "urgent help shown",
        ),
        Headline("repeat_contact", "Came back within 7 days", rate("repeat_contact"), "of conversations"),
        Headline("satisfied", "Got what they needed", rate("satisfied"), "of residents who answered"),
    )


def trend_table(period: Period) -> Table:
    """Conversations and outcomes week by week."""
    columns = {
        "Conversations": "conversations",
        "Resolved by the assistant": "outcome_resolved_by_bot",
        "Handed to a person": "handed_off",
        "Abandoned": "outcome_abandoned",
    }

    def name(week: date) -> str:
        whole = period.filters.start <= week and week + timedelta(days=6) <= period.filters.end
        return week.isoformat() if whole else f"{week.isoformat()} (part week)"

    weeks = {name(week): counts for week, counts in period.weeks}
    protected = count_table(
        {week: {name: counts.get(c, 0) for name, c in columns.items()} for week, counts in weeks.items()}
    )
    rows = []
    chart: list[tuple[str, float | None]] = []
    for week, counts in weeks.items():
        visible = cell_visible(protected, week, "Resolved by the assistant") and cell_visible(
            protected, week, "Conversations"
        )
        rate = protected_rate(counts.get("outcome_resolved_by_bot", 0), counts.get("conversations", 0), visible)
        rows.append((week, *(cell_text(protected, week, name) for name in columns), rate))
        chart.append((week, protected.cells[(week, "Conversations")]))
    return Table(
        "trend",
        "Conversations week by week",
        "Weeks start on Monday. Resolved by the assistant is a share of that week's conversations.",
        ("Week starting", *columns, "Resolved by the assistant (%)"),
        tuple(rows),
        ("contacts", "outcome.resolved_by_bot", "handoff_rate", "outcome.abandoned"),
        tuple(chart),
        "conversations",
    )


def _shares_of_conversations(
    protected: ProtectedTable, totals: Counts, counter: str, keys: Sequence[str], everyone_shown: bool
) -> list[tuple[str, str, str]]:
    """A row for each key: its label, how many conversations (``{counter}_{key}``) and what share of all."""
    return [
        (
            label(key),
            cell_text(protected, key, "Conversations"),
            protected_rate(
                totals[f"{counter}_{key}"],
                totals["conversations"],
                cell_visible(protected, key, "Conversations"),
                everyone_shown,
            ),
        )
        for key in keys
    ]


def outcomes_table(totals: Counts) -> Table:
    """Every conversation's one outcome."""
    protected = count_table({outcome: {"Conversations": totals[f"outcome_{outcome}"]} for outcome in OUTCOMES})
    total_shown = protected.column_totals["Conversations"] is not None
    rows = _shares_of_conversations(protected, totals, "outcome", OUTCOMES, total_shown)
    rows.append(
        ("All conversations", shown(protected.column_totals["Conversations"]), "100%" if total_shown else NOT_SHOWN)
    )
    return Table(
        "outcomes",
        "Outcomes",
        "Each conversation has one outcome: the first that applies in the order shown.",
        ("Outcome", "Conversations", "Share"),
        tuple(rows),
        tuple(f"outcome.{outcome}" for outcome in OUTCOMES),
        tuple((label(o), protected.cells[(o, "Conversations")]) for o in OUTCOMES),
        "conversations",
    )


FUNNEL_STAGES = (
    ("Offered", "offered"),
    ("Accepted", "accepted"),
    ("Contact made", "contact"),
    ("Resolved", "resolved"),
)


def funnel_table(totals: Counts) -> Table:
    """Offered -> accepted -> contact made -> resolved, per channel; each rate over the stage before."""
    counts = {ch: {name: totals[f"{stage}_{ch}"] for name, stage in FUNNEL_STAGES} for ch in CHANNELS}
    protected = separate_cells(counts)
    everyone_shown = protect_count(totals["conversations"]) is not None
    rows = []
    for channel in CHANNELS:
        cells = [cell_text(protected, channel, name) for name, _ in FUNNEL_STAGES]
        rates = [
            rate_within(protected, counts, channel, later, earlier)
            for (earlier, _), (later, _) in zip(FUNNEL_STAGES, FUNNEL_STAGES[1:], strict=False)
        ]
        accepted = counts[channel]["Accepted"]
        handoff_rate = protected_rate(
            accepted, totals["conversations"], cell_visible(protected, channel, "Accepted"), everyone_shown
        )
        rows.append((label(channel), *cells, *rates, handoff_rate))
    chart = tuple(
        (f"{label(ch)}: {name.lower()}", protected.cells[(ch, name)]) for ch in CHANNELS for name, _ in FUNNEL_STAGES
    )
    return Table(
        "funnel",
        "From offer to resolution, by channel",
        "Each share is of the stage before it: accepted of offered, contact of accepted, resolved of contact. "
        "Handed to a person is accepted as a share of all conversations.",
        (
            "Channel",
            *(name for name, _ in FUNNEL_STAGES),
            "Accepted (%)",
            "Contact made (%)",
            "Resolved (%)",
            "Handed to a person (% of conversations)",
        ),
        tuple(rows),
        tuple(f"funnel.{ch}.{stage}" for ch in CHANNELS for _, stage in FUNNEL_STAGES)
        + tuple(f"handoff_rate.{ch}" for ch in CHANNELS),
        chart,
        "conversations",
    )


def needs_table(totals: Counts) -> Table:
    """How often each support need is noticed."""
    protected = separate_cells({c: {"Conversations": totals[f"need_{c}"]} for c in CATEGORIES})
    everyone_shown = protect_count(totals["conversations"]) is not None
    rows = tuple(_shares_of_conversations(protected, totals, "need", CATEGORIES, everyone_shown))
    return Table(
        "needs",
        "Support needs noticed",
        "A conversation can show more than one need, so these do not add up to the number of conversations.",
        ("Need", "Conversations", "Share of conversations"),
        rows,
        tuple(f"need_rate.{c}" for c in CATEGORIES),
        tuple((label(c), protected.cells[(c, "Conversations")]) for c in CATEGORIES),
        "conversations",
    )


def parity_table(totals: Counts, thresholds: Thresholds) -> Table:
    """Outcome parity: each group's resolution rate against residents with no need noticed."""
    counts = {g: {"Finished": totals[f"eligible_{g}"], "Resolved": totals[f"resolved_{g}"]} for g in GROUPS}
    protected = separate_cells(counts)
    rows = []
    chart: list[tuple[str, float | None]] = []
    for group in GROUPS:
        rate = rate_within(protected, counts, group, "Resolved", "Finished")
        if group == "none":
            rows.append(
                (
                    "No need noticed (reference)",
                    cell_text(protected, group, "Finished"),
                    cell_text(protected, group, "Resolved"),
                    rate,
                    "1.00",
                    "",
                    "",
                )
            )
            continue
        found, visible, flagged = parity_row(totals, group, thresholds)
        hidden = "no data" if found.value is None and rate == "no data" else NOT_SHOWN
        value = f"{found.value:.2f}" if visible and found.value is not None else hidden
        interval = f"{found.low:.2f} to {found.high:.2f}" if visible and found.low is not None else hidden
        flag = "Below threshold" if flagged else ""
        rows.append(
            (
                label(group),
                cell_text(protected, group, "Finished"),
                cell_text(protected, group, "Resolved"),
                rate,
                value,
                interval,
                flag,
            )
        )
        chart.append((label(group), round(found.value, 2) if visible and found.value is not None else None))
    return Table(
        "parity",
        "Outcome parity",
        "Resolved of finished conversations (not escalated, not still with a person). Ratio is the group's rate "
        f"over the reference rate; flagged when below {thresholds.parity_ratio:g} and the whole 95% interval "
        "is below 1.",
        ("Group", "Finished", "Resolved", "Resolved (%)", "Ratio to reference", "95% interval", "Flag"),
        tuple(rows),
        tuple(f"parity.{g}" for g in GROUPS if g != "none") + tuple(f"resolution_rate.{g}" for g in GROUPS),
        tuple(chart),
        "ratio",
    )


def csv_rows(table: Table) -> list[Sequence[str]]:
    """A table as CSV rows (header first). Cells that a spreadsheet would run as a formula are
    prefixed with an apostrophe."""
    return [[_safe(cell) for cell in row] for row in (table.header, *table.rows)]


def _safe(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell

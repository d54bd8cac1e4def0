"""What the dashboard shows: every figure as protected text, in tables a page or a CSV file can
print as they are.

Disclosure control happens here, in the query layer, so no page or export can show a raw count:
counts pass through ``protect_table`` (suppression, secondary suppression, rounding); a rate is
computed from unrounded counts and shown only when ``protect_rate`` allows it and neither of its
cells is hidden in the table it sits in; a time is shown only when its number of contacts may be.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping, Sequence

from monitoring.disclosure import SUPPRESSED, ProtectedTable, protect_count, protect_rate, protect_table, shown
from monitoring.measures import FUNNEL_CHANNELS, GROUPS, SATISFACTION_ANSWERS
from monitoring.metrics import Counts, Period, Ratio, amount, percentile_minutes, ratio, wait_bands
from monitoring.outcomes import OUTCOMES
from monitoring.registry import BY_KEY, Metric, counters_in
from monitoring.thresholds import Thresholds
from routing.support_needs import CATEGORIES

NOT_SHOWN = SUPPRESSED  # also marks a rate or a time that would give a hidden count away


@dataclass(frozen=True)
class Table:
    """A table as shown and exported.

    Attributes:
        key: names the CSV file (``<key>.csv``).
        title, caption: what it shows and how to read it.
        header: column headings; the first column names the rows.
        rows: every cell as text, already protected.
        metrics: the registry keys of the figures in it (their definitions are listed under it).
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


@dataclass(frozen=True)
class Dashboard:
    """Everything ``/dashboard`` shows for one set of filters."""

    period: Period
    headlines: tuple[Headline, ...]
    tables: tuple[Table, ...]

    def table(self, key: str) -> Table:
        """One table by its key."""
        return next(table for table in self.tables if table.key == key)


def label(code: str) -> str:
    """A code as words ("older_age" -> "Older age")."""
    return code.replace("_", " ").capitalize()


def percent(numerator: int, denominator: int) -> str:
    """A rate as text, from unrounded counts; the caller has checked it may be shown."""
    return f"{100 * numerator / denominator:.1f}%" if denominator else "no data"


def protected_rate(
    numerator: int, denominator: int, numerator_shown: bool = True, denominator_shown: bool = True
) -> str:
    """A rate as text, hidden when either count it comes from is hidden (1 to 9, or secondary)."""
    if denominator == 0:
        return "no data"
    rate = protect_rate(numerator, denominator)
    if rate is None or not numerator_shown or not denominator_shown:
        return NOT_SHOWN
    return f"{100 * rate:.1f}%"


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


def _count_table(counts: Mapping[str, Mapping[str, int]]) -> ProtectedTable:
    """Counts whose rows add up to a total that is shown (outcomes, weeks): with secondary
    suppression, so no hidden cell can be worked out from the total."""
    return protect_table({row: dict(columns) for row, columns in counts.items()})


def _separate_cells(
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


def _cell(table: ProtectedTable, row: str, column: str) -> str:
    return shown(table.cells[(row, column)])


def _visible(table: ProtectedTable, row: str, column: str) -> bool:
    return table.cells[(row, column)] is not None


def _rate_within(table: ProtectedTable, counts: Mapping[str, Mapping[str, int]], row: str, of: str, over: str) -> str:
    """The rate of one cell over another in the same row, hidden if either cell is hidden."""
    return protected_rate(counts[row][of], counts[row][over], _visible(table, row, of), _visible(table, row, over))


def _time_cells(bands: list[int], visible: bool) -> tuple[str, str]:
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
    protected = _count_table({o: {"Conversations": totals[f"outcome_{o}"]} for o in OUTCOMES})
    return frozenset(f"outcome_{o}" for o in OUTCOMES if protected.cells[(o, "Conversations")] is None)


def metric_hidden(metric: Metric, totals: Counts) -> bool:
    """Whether a count or rate metric uses a counter the outcomes table hides."""
    used = set(counters_in(metric.numerator)) | set(counters_in(metric.denominator))
    return bool(used & hidden_counters(totals))


TABLE_KEYS = (
    "trend", "outcomes", "funnel", "needs", "parity", "contact_time", "availability", "digital_inclusion",
    "satisfaction", "repeat_contact", "safeguarding",
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
    protected = _count_table(
        {week: {name: counts.get(c, 0) for name, c in columns.items()} for week, counts in weeks.items()}
    )
    rows = []
    chart: list[tuple[str, float | None]] = []
    for week, counts in weeks.items():
        visible = _visible(protected, week, "Resolved by the assistant") and _visible(protected, week, "Conversations")
        rate = protected_rate(counts.get("outcome_resolved_by_bot", 0), counts.get("conversations", 0), visible)
        rows.append((week, *(_cell(protected, week, name) for name in columns), rate))
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


def outcomes_table(totals: Counts) -> Table:
    """Every conversation's one outcome."""
    protected = _count_table({outcome: {"Conversations": totals[f"outcome_{outcome}"]} for outcome in OUTCOMES})
    total_shown = protected.column_totals["Conversations"] is not None
    rows = [
        (
            label(outcome),
            _cell(protected, outcome, "Conversations"),
            protected_rate(
                totals[f"outcome_{outcome}"],
                totals["conversations"],
                _visible(protected, outcome, "Conversations"),
                total_shown,
            ),
        )
        for outcome in OUTCOMES
    ]
    rows.append(
        ("All conversations", shown(protected.column_totals["Conversations"]), "100.0%" if total_shown else NOT_SHOWN)
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
    counts = {ch: {name: totals[f"{stage}_{ch}"] for name, stage in FUNNEL_STAGES} for ch in FUNNEL_CHANNELS}
    protected = _separate_cells(counts)
    everyone_shown = protect_count(totals["conversations"]) is not None
    rows = []
    for channel in FUNNEL_CHANNELS:
        cells = [_cell(protected, channel, name) for name, _ in FUNNEL_STAGES]
        rates = [
            _rate_within(protected, counts, channel, later, earlier)
            for (earlier, _), (later, _) in zip(FUNNEL_STAGES, FUNNEL_STAGES[1:], strict=False)
        ]
        accepted = counts[channel]["Accepted"]
        handoff_rate = protected_rate(
            accepted, totals["conversations"], _visible(protected, channel, "Accepted"), everyone_shown
        )
        rows.append((label(channel), *cells, *rates, handoff_rate))
    chart = tuple(
        (f"{label(ch)}: {name.lower()}", protected.cells[(ch, name)])
        for ch in FUNNEL_CHANNELS
        for name, _ in FUNNEL_STAGES
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
        tuple(f"funnel.{ch}.{stage}" for ch in FUNNEL_CHANNELS for _, stage in FUNNEL_STAGES)
        + tuple(f"handoff_rate.{ch}" for ch in FUNNEL_CHANNELS),
        chart,
        "conversations",
    )


def needs_table(totals: Counts) -> Table:
    """How often each support need is noticed."""
    protected = _separate_cells({c: {"Conversations": totals[f"need_{c}"]} for c in CATEGORIES})
    everyone_shown = protect_count(totals["conversations"]) is not None
    rows = tuple(
        (
            label(c),
            _cell(protected, c, "Conversations"),
            protected_rate(
                totals[f"need_{c}"], totals["conversations"], _visible(protected, c, "Conversations"), everyone_shown
            ),
        )
        for c in CATEGORIES
    )
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


def parity_row(totals: Counts, group: str, thresholds: Thresholds) -> tuple[Ratio, bool, bool]:
    """A group's parity, whether it may be shown, and whether it is flagged."""
    found = ratio(totals, BY_KEY[f"parity.{group}"])
    may_show = (
        found.value is not None
        and protect_rate(found.group_events, found.group_total) is not None
        and protect_rate(found.reference_events, found.reference_total) is not None
    )
    flagged = (
        may_show
        and found.group_total >= thresholds.min_group_size
        and found.value is not None
        and found.value < thresholds.parity_ratio
        and found.clearly_below_one
    )
    return found, may_show, flagged


def parity_table(totals: Counts, thresholds: Thresholds) -> Table:
    """Outcome parity: each group's resolution rate against residents with no need noticed."""
    counts = {g: {"Finished": totals[f"eligible_{g}"], "Resolved": totals[f"resolved_{g}"]} for g in GROUPS}
    protected = _separate_cells(counts)
    rows = []
    chart: list[tuple[str, float | None]] = []
    for group in GROUPS:
        rate = _rate_within(protected, counts, group, "Resolved", "Finished")
        if group == "none":
            rows.append(
                (
                    "No need noticed (reference)",
                    _cell(protected, group, "Finished"),
                    _cell(protected, group, "Resolved"),
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
                _cell(protected, group, "Finished"),
                _cell(protected, group, "Resolved"),
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


def contact_time_table(totals: Counts, thresholds: Thresholds) -> Table:
    """Time from accepting a person to the first human contact, per channel, against its SLA."""
    counts = {ch: {"First contacts": sum(wait_bands(totals, ch))} for ch in FUNNEL_CHANNELS}
    protected = _separate_cells(counts)
    rows = []
    for channel in FUNNEL_CHANNELS:
        bands = wait_bands(totals, channel)
        visible = _visible(protected, channel, "First contacts") and sum(bands) > 0
        on_time, late = totals[f"ontime_{channel}"], totals[f"late_{channel}"]
        rows.append(
            (
                label(channel),
                _cell(protected, channel, "First contacts"),
                *_time_cells(bands, visible),
                deadline(channel, thresholds),
                protected_rate(on_time, on_time + late),
            )
        )
    return Table(
        "contact_time",
        "Time to first human contact",
        "From accepting a person to a person first reaching the resident. Times are read from bands. "
        "On time is against each case's own deadline (its SLA, or its booked slot).",
        ("Channel", "First contacts", "Median", "90th percentile", "Deadline (SLA)", "On time (%)"),
        tuple(rows),
        tuple(f"contact_time.{ch}" for ch in FUNNEL_CHANNELS) + tuple(f"within_sla.{ch}" for ch in FUNNEL_CHANNELS),
    )


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


def availability_table(totals: Counts) -> Table:
    """Offers of a person in and out of hours, and whether phone or face to face was among them."""
    offers, ooh = totals["offers"], totals["offers_ooh"]
    non_online, ooh_non_online = totals["offers_non_online"], totals["offers_ooh_non_online"]
    counts = {
        "In hours": {"Offers": offers - ooh, "With phone or face to face": non_online - ooh_non_online},
        "Out of hours": {"Offers": ooh, "With phone or face to face": ooh_non_online},
    }
    protected = _separate_cells(counts)
    rows = tuple(
        (
            when,
            _cell(protected, when, "Offers"),
            _cell(protected, when, "With phone or face to face"),
            _rate_within(protected, counts, when, "With phone or face to face", "Offers"),
            protected_rate(c["Offers"], offers, _visible(protected, when, "Offers"), protect_count(offers) is not None),
        )
        for when, c in counts.items()
    )
    return Table(
        "availability",
        "Is a person available?",
        "Conversations offered a person. Out of hours means no phone line or Gateway desk was open at the time; "
        "a booked call back or visit still counts as phone or face to face.",
        ("When offered", "Offers", "With phone or face to face", "With phone or face to face (%)", "Share of offers"),
        rows,
        ("offers_out_of_hours", "non_online_offered", "non_online_offered_out_of_hours"),
    )


def digital_inclusion_table(totals: Counts) -> Table:
    """Digital inclusion help: how often it is offered, and taken up."""
    counts = {
        "Digital inclusion": {
            "Found online hard": totals["need_digital_exclusion"],
            "Offered help": totals["di_offered"],
            "Took it up": totals["di_accepted"],
        }
    }
    protected = _separate_cells(counts)
    c = counts["Digital inclusion"]
    row = (
        "Digital inclusion",
        *(_cell(protected, "Digital inclusion", name) for name in c),
        _rate_within(protected, counts, "Digital inclusion", "Took it up", "Offered help"),
    )
    return Table(
        "digital_inclusion",
        "Digital inclusion help",
        "Help is offered to residents who say they find online hard and agree to us noting it.",
        ("", "Found online hard", "Offered help", "Took it up", "Take-up (%)"),
        (row,),
        ("need_rate.digital_exclusion", "digital_inclusion_offered", "digital_inclusion_take_up"),
    )


def satisfaction_table(totals: Counts) -> Table:
    """Answers to "Did you get what you needed?", by group."""
    groups = ("all",) + GROUPS
    counts = {g: {label(a): totals[f"sat_{g}_{a}"] for a in SATISFACTION_ANSWERS} for g in groups}
    protected = _separate_cells({g: c for g, c in counts.items() if g != "all"})
    everyone = _separate_cells({"all": counts["all"]})
    rows = []
    for group in groups:
        table = everyone if group == "all" else protected
        answered = sum(counts[group].values())
        all_shown = all(_visible(table, group, label(a)) for a in SATISFACTION_ANSWERS)
        rows.append(
            (
                "Everyone who answered" if group == "all" else ("No need noticed" if group == "none" else label(group)),
                *(_cell(table, group, label(a)) for a in SATISFACTION_ANSWERS),
                protected_rate(counts[group]["Yes"], answered, _visible(table, group, "Yes"), all_shown),
            )
        )
    return Table(
        "satisfaction",
        "Did you get what you needed?",
        "Asked at the end of a conversation. Groups overlap: a resident can have more than one need.",
        ("Group", "Yes", "Partly", "No", "Yes (%)"),
        tuple(rows),
        ("satisfied",) + tuple(f"satisfied.{g}" for g in GROUPS),
    )


def repeat_table(totals: Counts) -> Table:
    """Failure demand: residents coming back within 7 days."""
    counts = {"All": {"Conversations": totals["conversations"], "Came back within 7 days": totals["repeat_7d"]}}
    protected = _separate_cells(counts)
    row = (
        "All",
        _cell(protected, "All", "Conversations"),
        _cell(protected, "All", "Came back within 7 days"),
        _rate_within(protected, counts, "All", "Came back within 7 days", "Conversations"),
    )
    return Table(
        "repeat_contact",
        "Coming back within 7 days",
        "A resident is recognised by their chat identity, which the web page keeps for one day only (for safety on "
        "shared computers), so web figures are a lower bound.",
        ("", "Conversations", "Came back within 7 days", "Share"),
        (row,),
        ("contacts", "repeat_contact"),
    )


def safeguarding_table(totals: Counts, thresholds: Thresholds) -> Table:
    """Safeguarding escalations and how soon a person made contact."""
    bands = wait_bands(totals, "emergency")
    counts = {
        "Safeguarding": {
            "Escalations": totals["outcome_safeguarding"],
            "Urgent handoffs": totals["accepted_emergency"],
            "Contact made": sum(bands),
        }
    }
    # Escalations are hidden here whenever the outcomes table hides them (beside another outcome).
    hidden = {("Safeguarding", "Escalations")} if "outcome_safeguarding" in hidden_counters(totals) else set()
    protected = _separate_cells(counts, hidden)
    visible = _visible(protected, "Safeguarding", "Contact made") and sum(bands) > 0
    on_time, late = totals["ontime_emergency"], totals["late_emergency"]
    row = (
        "Safeguarding",
        *(_cell(protected, "Safeguarding", name) for name in counts["Safeguarding"]),
        *_time_cells(bands, visible),
        protected_rate(on_time, on_time + late),
    )
    return Table(
        "safeguarding",
        "Safeguarding",
        f"Escalations show urgent help at once. An urgent handoff should reach a person within "
        f"{thresholds.sla_minutes.get('emergency', 60)} minutes.",
        (
            "",
            "Escalations",
            "Urgent handoffs",
            "Contact made",
            "Median time to contact",
            "90th percentile",
            "On time (%)",
        ),
        (row,),
        ("safeguarding_escalations", "handoff_rate.emergency", "contact_time.emergency", "within_sla.emergency"),
    )


def csv_rows(table: Table) -> list[Sequence[str]]:
    """A table as CSV rows (header first). Cells that a spreadsheet would run as a formula are
    prefixed with an apostrophe."""
    return [[_safe(cell) for cell in row] for row in (table.header, *table.rows)]


def _safe(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell

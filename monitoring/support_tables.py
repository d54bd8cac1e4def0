"""The dashboard's tables about reaching a person and the help given: time to first contact,
availability in and out of hours, digital inclusion, satisfaction, repeat contact, safeguarding."""

from __future__ import annotations

from monitoring.disclosure import protect_count
from monitoring.figures import (
    Table,
    cell_text,
    cell_visible,
    deadline,
    hidden_counters,
    label,
    protected_rate,
    rate_within,
    separate_cells,
    time_cells,
)
from monitoring.measures import GROUPS, SATISFACTION_ANSWERS
from monitoring.metric_values import Counts, wait_bands
from monitoring.thresholds import Thresholds
from routing.contact_channels import CHANNELS


def contact_time_table(totals: Counts, thresholds: Thresholds) -> Table:
    """Time from accepting a person to the first human contact, per channel, against its SLA."""
    counts = {ch: {"First contacts": sum(wait_bands(totals, ch))} for ch in CHANNELS}
    protected = separate_cells(counts)
    rows = []
    for channel in CHANNELS:
        bands = wait_bands(totals, channel)
        visible = cell_visible(protected, channel, "First contacts") and sum(bands) > 0
        on_time, late = totals[f"ontime_{channel}"], totals[f"late_{channel}"]
        rows.append(
            (
                label(channel),
                cell_text(protected, channel, "First contacts"),
                *time_cells(bands, visible),
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
        tuple(f"contact_time.{ch}" for ch in CHANNELS) + tuple(f"within_sla.{ch}" for ch in CHANNELS),
    )


def availability_table(totals: Counts) -> Table:
    """Offers of a person in and out of hours, and whether phone or face to face was among them."""
    offers, ooh = totals["offers"], totals["offers_ooh"]
    non_online, ooh_non_online = totals["offers_non_online"], totals["offers_ooh_non_online"]
    counts = {
        "In hours": {"Offers": offers - ooh, "With phone or face to face": non_online - ooh_non_online},
        "Out of hours": {"Offers": ooh, "With phone or face to face": ooh_non_online},
    }
    protected = separate_cells(counts)
    rows = tuple(
        (
            when,
            cell_text(protected, when, "Offers"),
            cell_text(protected, when, "With phone or face to face"),
            rate_within(protected, counts, when, "With phone or face to face", "Offers"),
            protected_rate(
                c["Offers"], offers, cell_visible(protected, when, "Offers"), protect_count(offers) is not None
            ),
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
    protected = separate_cells(counts)
    c = counts["Digital inclusion"]
    row = (
        "Digital inclusion",
        *(cell_text(protected, "Digital inclusion", name) for name in c),
        rate_within(protected, counts, "Digital inclusion", "Took it up", "Offered help"),
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
    protected = separate_cells({g: c for g, c in counts.items() if g != "all"})
    everyone = separate_cells({"all": counts["all"]})
    rows = []
    for group in groups:
        table = everyone if group == "all" else protected
        answered = sum(counts[group].values())
        all_shown = all(cell_visible(table, group, label(a)) for a in SATISFACTION_ANSWERS)
        rows.append(
            (
                "Everyone who answered" if group == "all" else ("No need noticed" if group == "none" else label(group)),
                *(cell_text(table, group, label(a)) for a in SATISFACTION_ANSWERS),
                protected_rate(counts[group]["Yes"], answered, cell_visible(table, group, "Yes"), all_shown),
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
    protected = separate_cells(counts)
    row = (
        "All",
        cell_text(protected, "All", "Conversations"),
        cell_text(protected, "All", "Came back within 7 days"),
        rate_within(protected, counts, "All", "Came back within 7 days", "Conversations"),
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
    protected = separate_cells(counts, hidden)
    visible = cell_visible(protected, "Safeguarding", "Contact made") and sum(bands) > 0
    on_time, late = totals["ontime_emergency"], totals["late_emergency"]
    row = (
        "Safeguarding",
        *(cell_text(protected, "Safeguarding", name) for name in counts["Safeguarding"]),
        *time_cells(bands, visible),
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

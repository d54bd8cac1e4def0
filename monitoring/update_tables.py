"""The dashboard's tables about automatic updates (issue 17): how residents chose to hear back, per
need group; the updates sent and failed, by channel; no-shows with and without a reminder; and
residents coming back to ask for news, with and without updates.

This is the evidence for the ESIA's promise that residents are kept up to date without having to
ask. A choice counts in the conversation it was made in; an update sent or failed joins that
conversation through its reference; a no-show joins the conversation the booking was made in. All
counts pass disclosure control (``monitoring.disclosure``) as in the other tables.
"""

from __future__ import annotations

from monitoring.disclosure import shown
from monitoring.figures import (
    Table,
    cell_text,
    cell_visible,
    count_table,
    label,
    protected_rate,
    rate_within,
    separate_cells,
)
from monitoring.measures import GROUPS
from monitoring.metric_values import Counts

CHOICE_NAMES = {"text": "Text message", "email": "Email", "letter": "Letter", "none": "No thanks"}
CHANNEL_NAMES = {"text": "Text message", "email": "Email", "letter": "Letter"}
UPDATE_TABLE_KEYS = ("updates_chosen", "updates_sent", "reminders", "status_asked")


def update_tables(totals: Counts) -> tuple[Table, ...]:
    """Every automatic-update table, in the order the dashboard shows them."""
    return updates_chosen_table(totals), updates_sent_table(totals), reminders_table(totals), status_asked_table(totals)


def updates_chosen_table(totals: Counts) -> Table:
    """How residents chose to hear back, per need group and in all."""
    rows = []
    for group in (*GROUPS, "all"):
        counts = {CHOICE_NAMES[choice]: totals[f"chose_{group}_{choice}"] for choice in CHOICE_NAMES}
        # Each row adds up to the residents asked, which is shown, so each row is protected as a table
        # with its total (need groups overlap, so rows do not add up to anything).
        protected = count_table({group: counts})
        asked = protected.row_totals[group]
        chose = sum(counts[CHOICE_NAMES[channel]] for channel in CHANNEL_NAMES)
        chose_shown = all(cell_visible(protected, group, CHOICE_NAMES[channel]) for channel in CHANNEL_NAMES)
        rows.append(
            (
                "All residents asked" if group == "all" else ("No need noted" if group == "none" else label(group)),
                shown(asked),
                *(cell_text(protected, group, name) for name in CHOICE_NAMES.values()),
                protected_rate(chose, sum(counts.values()), chose_shown, asked is not None),
            )
        )
    return Table(
        "updates_chosen",
        "How residents chose to hear back, by need group",
        "Residents asked at the end of a report, a booked call back or visit, or a change how they would like "
        "updates. Need groups overlap: a resident with two needs is counted in both.",
        ("Need group", "Asked", *CHOICE_NAMES.values(), "Chose updates (%)"),
        tuple(rows),
        ("updates_chosen",),
    )


def updates_sent_table(totals: Counts) -> Table:
    """Cases sent an update, and cases an update failed for, by channel."""
    counts = {
        name: {"Sent": totals[f"update_sent_{channel}"], "Failed": totals[f"update_failed_{channel}"]}
        for channel, name in CHANNEL_NAMES.items()
    }
    # A case can have an update sent and another fail, so the columns do not add up.
    protected = separate_cells(counts)
    rows = [
        (
            name,
            cell_text(protected, name, "Sent"),
            cell_text(protected, name, "Failed"),
            protected_rate(
                totals[f"update_failed_{channel}"],
                totals[f"update_tried_{channel}"],
                cell_visible(protected, name, "Failed"),
            ),
        )
        for channel, name in CHANNEL_NAMES.items()
    ]
    return Table(
        "updates_sent",
        "Updates sent and failed, by channel",
        "Cases with at least one update sent, and cases where an update could not be sent after retries "
        "(staff see these). Failed is a share of the cases an update was tried for.",
        ("Channel", "Cases sent an update", "Cases with a failed update", "Failed (%)"),
        tuple(rows),
        ("updates_sent", "updates_failed"),
    )


def reminders_table(totals: Counts) -> Table:
    """No-shows among booked calls back and Gateway visits, with and without a reminder."""
    names = {"reminded": "With a reminder", "not_reminded": "Without a reminder"}
    counts = {
        name: {"Booked": totals[f"booked_{group}"], "No-shows": totals[f"no_show_{group}"]}
        for group, name in names.items()
    }
    protected = separate_cells(counts)  # no-shows are some of the booked: nested, not adding up
    rows = [
        (
            name,
            cell_text(protected, name, "Booked"),
            cell_text(protected, name, "No-shows"),
            rate_within(protected, counts, name, "No-shows", "Booked"),
        )
        for name in names.values()
    ]
    return Table(
        "reminders",
        "No-shows with and without a reminder",
        "Booked calls back and Gateway visits. A booking counts as reminded when the resident chose updates "
        "by text, email or letter; a no-show counts by whether its reminder was actually sent. No-shows "
        "recorded before reminders were tracked are left out.",
        ("Booking", "Booked", "No-shows", "No-show rate (%)"),
        tuple(rows),
        ("no_show_reminded", "no_show_not_reminded"),
    )


def status_asked_table(totals: Counts) -> Table:
    """Residents coming back to ask for news on a reference, with and without updates chosen."""
    chose_updates = sum(totals[f"chose_all_{channel}"] for channel in CHANNEL_NAMES)
    counts = {
        "Updates on": {"References": chose_updates, "Asked for news": totals["status_asked_updates_on"]},
        "No updates": {"References": totals["chose_all_none"], "Asked for news": totals["status_asked_no_updates"]},
    }
    protected = separate_cells(counts)  # asks are counted in later conversations: nothing adds up
    rows = [
        (
            name,
            cell_text(protected, name, "References"),
            cell_text(protected, name, "Asked for news"),
            rate_within(protected, counts, name, "Asked for news", "References"),
        )
        for name in counts
    ]
    return Table(
        "status_asked",
        'Repeat contact ("any update?") with and without updates',
        "References residents chose updates for (or chose none for) in the period, and conversations in the "
        "period asking for news on a reference of each kind. Asks per reference can pass 100% when residents "
        "ask more than once.",
        ("Updates", "References", "Asked for news", "Asks per reference (%)"),
        tuple(rows),
        ("status_asked_updates_on", "status_asked_no_updates"),
    )

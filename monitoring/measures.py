"""The counters every metric is computed from, and what one conversation adds to them.

The dashboard must answer over a million conversations in well under a second, so it never reads
the conversations themselves: it sums a daily table with one row per day, service and entry
channel and one column per counter here. A conversation adds 1 to each counter it belongs to;
when its facts change (a case is closed days later), its old contribution is taken away and the
new one added, so the daily table always equals a count over the facts.
"""

from __future__ import annotations

from monitoring.events import CLOSE_TIMES, NO_SHOW_REMINDERS, STATUS_ASKED_STATES, UPDATE_CHOICES, UPDATE_SENT_CHANNELS
from monitoring.facts import NON_ONLINE, ConversationFacts
from monitoring.outcomes import OUTCOMES
from routing.categories import CATEGORIES
from routing.contact_channels import CHANNELS

# Residents with each need against residents with none (safeguarding has its own outcome, so it is
# reported as escalations and time to contact, not as a parity group).
GROUPS = tuple(category for category in CATEGORIES if category != "safeguarding") + ("none",)
SATISFACTION_ANSWERS = ("yes", "partly", "no")
# Upper edges, in minutes, of the time-to-first-contact bands. Each channel's SLA is an edge, so
# "90% within the SLA" can be read off exactly.
WAIT_EDGES = (1, 2, 5, 10, 15, 30, 60, 120, 240, 480, 1440, 2880, 7200)
WAIT_BANDS = len(WAIT_EDGES) + 1  # the last band is "longer than 5 days"
# Outcomes that count as the resident getting what they came for.
RESOLVED_OUTCOMES = frozenset({"resolved_by_bot", "handed_off_resolved"})
# Outcomes not yet final, or not about resolution, leave the parity denominator.
NOT_ELIGIBLE = frozenset({"handed_off", "safeguarding"})


# Reports made, and closed by staff in each time band (counted on the day the report was made).
REPORT_COUNTERS = ("reports", "reports_closed", *(f"report_closed_{band}" for band in CLOSE_TIMES))
# Automatic updates (issue 17): how residents chose to hear back, overall and per need group; the
# channels updates went out or failed on; booked calls and visits, and no-shows, with and without a
# reminder; and conversations asking for news on a reference with and without updates.
UPDATE_COUNTERS = (
    *(f"chose_{group}_{choice}" for group in (*GROUPS, "all") for choice in UPDATE_CHOICES),
    *(f"update_{stage}_{channel}" for stage in ("sent", "failed", "tried") for channel in UPDATE_SENT_CHANNELS),
    *(f"{what}_{reminder}" for what in ("booked", "no_show") for reminder in NO_SHOW_REMINDERS),
    *(f"status_asked_{state}" for state in STATUS_ASKED_STATES),
)


def _counter_names() -> tuple[str, ...]:
    names = ["conversations", "repeat_7d", "ended"]
    names += [f"outcome_{outcome}" for outcome in OUTCOMES]
    names += [f"need_{category}" for category in CATEGORIES] + ["need_any"]
    for group in GROUPS:
        names += [f"group_{group}", f"eligible_{group}", f"resolved_{group}", f"offered_{group}"]
        names += [f"accepted_{group}"] + [f"sat_{group}_{answer}" for answer in SATISFACTION_ANSWERS]
    names += [f"sat_all_{answer}" for answer in SATISFACTION_ANSWERS]
    for channel in CHANNELS:
        names += [f"{stage}_{channel}" for stage in ("offered", "accepted", "contact", "resolved", "ontime", "late")]
        names += [f"wait_{channel}_{band}" for band in range(WAIT_BANDS)]
    names += ["offers", "offers_ooh", "offers_non_online", "offers_ooh_non_online", "handed_off"]
    names += ["di_offered", "di_accepted", "consent_given", "consent_declined"]
    names += ["abandoned_queue", "abandoned_form"]
    names += list(REPORT_COUNTERS)
    names += list(UPDATE_COUNTERS)
    return tuple(names)


COUNTERS = _counter_names()


def wait_band(minutes: float) -> int:
    """The band a time to first contact falls in."""
    return next((band for band, edge in enumerate(WAIT_EDGES) if minutes <= edge), len(WAIT_EDGES))


def contribution(facts: ConversationFacts) -> dict[str, int]:
    """The counters this conversation adds 1 to."""
    adds = ["conversations", f"outcome_{facts.outcome}"]
    if facts.repeat:
        adds.append("repeat_7d")
    if facts.ended:
        adds.append("ended")
    adds += [f"need_{category}" for category in facts.needs]
    groups = sorted(facts.needs & set(GROUPS)) or (["none"] if not facts.needs else [])
    if facts.needs:
        adds.append("need_any")
    for group in groups:
        adds.append(f"group_{group}")
        if facts.outcome not in NOT_ELIGIBLE:
            adds.append(f"eligible_{group}")
            if facts.outcome in RESOLVED_OUTCOMES:
                adds.append(f"resolved_{group}")
        if facts.offered:
            adds.append(f"offered_{group}")
            if facts.accepted:
                adds.append(f"accepted_{group}")
        if facts.satisfaction:
            adds.append(f"sat_{group}_{facts.satisfaction}")
    if facts.satisfaction:
        adds.append(f"sat_all_{facts.satisfaction}")
    for stage, channels in (
        ("offered", facts.offered),
        ("accepted", facts.accepted),
        ("contact", facts.contacted),
        ("resolved", facts.resolved),
    ):
        adds += [f"{stage}_{channel}" for channel in channels if channel in CHANNELS]
    if facts.contact_channel in CHANNELS and facts.contact_minutes is not None:
        adds.append(f"wait_{facts.contact_channel}_{wait_band(facts.contact_minutes)}")
        if facts.contact_on_time is not None:
            adds.append(f"{'ontime' if facts.contact_on_time else 'late'}_{facts.contact_channel}")
    if facts.offered_out_of_hours is not None:
        adds.append("offers")
        adds += ["offers_ooh"] if facts.offered_out_of_hours else []
        if facts.non_online_offered:
            adds += ["offers_non_online"] + (["offers_ooh_non_online"] if facts.offered_out_of_hours else [])
    if facts.accepted:
        adds.append("handed_off")
    adds += ["di_offered"] if facts.digital_inclusion_offered else []
    adds += ["di_accepted"] if facts.digital_inclusion_accepted else []
    adds += [f"consent_{facts.consent}"] if facts.consent else []
    adds += [f"abandoned_{facts.abandoned_at}"] if facts.abandoned_at else []
    if facts.report_made:
        adds.append("reports")
        if facts.report_closed_in in CLOSE_TIMES:
            adds += ["reports_closed", f"report_closed_{facts.report_closed_in}"]
    adds += _update_counters(facts, groups)
    return dict.fromkeys(adds, 1)


def _update_counters(facts: ConversationFacts, groups: list[str]) -> list[str]:
    """The automatic-update counters this conversation adds 1 to."""
    adds = []
    if facts.updates_chosen in UPDATE_CHOICES:
        adds += [f"chose_{group}_{facts.updates_chosen}" for group in (*groups, "all")]
    adds += [f"update_sent_{channel}" for channel in facts.updates_sent if channel in UPDATE_SENT_CHANNELS]
    adds += [f"update_failed_{channel}" for channel in facts.updates_failed if channel in UPDATE_SENT_CHANNELS]
    tried = (facts.updates_sent | facts.updates_failed) & set(UPDATE_SENT_CHANNELS)
    adds += [f"update_tried_{channel}" for channel in tried]
    reminder = reminder_group(facts)
    if reminder is not None:
        adds.append(f"booked_{reminder}")
        if facts.no_show == reminder:
            adds.append(f"no_show_{reminder}")
    adds += [f"status_asked_{state}" for state in facts.status_asked if state in STATUS_ASKED_STATES]
    return adds


def reminder_group(facts: ConversationFacts) -> str | None:
    """Whether a booked call back or Gateway visit counts as reminded: a no-show by whether its
    reminder was sent; any other booking by whether the resident chose updates (a reminder goes to
    each that did). None without a booking, or for a no-show from before reminders were tracked."""
    if facts.no_show in NO_SHOW_REMINDERS:
        return facts.no_show
    if facts.no_show is not None or not facts.accepted & NON_ONLINE:
        return None
    return "reminded" if facts.updates_chosen in UPDATE_SENT_CHANNELS else "not_reminded"

"""The staff queues: open handoff cases grouped the way advisers work them, with SLA timers.

Urgent cases first; then live chats waiting; call backs with the overdue and due-now first; Gateway
appointments today; complaints for the complaints team (due by their stage's reply date); changes
of circumstances to record (due by the working days the catalogue gives); then
everything else (people told to ring or walk in with a reference).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from routing.handoffs import HandoffCase
from routing.hours import ContactSchedule, clock

CATEGORY_NAMES = {
    "safeguarding": "At risk",
    "digital_exclusion": "No internet or device",
    "disability": "Disability",
    "mental_health_cognitive": "Mental health or memory",
    "older_age": "Older age",
    "financial_hardship": "Money worries",
    "language_literacy": "Language or reading",
    "life_event": "Life event",
    "carer_proxy": "Acting for someone",
    "frustration": "Frustrated",
}
MODE_NAMES = {
    "live": "Live chat",
    "call_now": "Will phone in",
    "text_relay": "Will call by Relay UK",
    "callback": "Call back",
    "out_of_hours_line": "Out-of-hours line",
    "walk_in": "Walk-in",
    "appointment": "Gateway appointment",
    "emergency": "Urgent",
    "complaint": "Complaint (reply by phone or letter)",
    "change": "Change to record",
}
TITLES = {
    "urgent": "Urgent",
    "webchat": "Live chats waiting",
    "callback": "Call backs",
    "gateway": "Gateway appointments today",
    "complaints": "Complaints",
    "changes": "Changes to record",
    "other": "Told to phone or visit",
}
DAYS_FROM_HOURS = 48  # from two days away, a due time reads in days


@dataclass(frozen=True)
class QueueRow:
    """One case as a queue shows it."""

    case: HandoffCase
    due_text: str
    overdue: bool
    when: str | None  # the booked window or appointment, in words


@dataclass(frozen=True)
class Queue:
    """A titled group of cases."""

    key: str
    title: str
    rows: tuple[QueueRow, ...]


def due_text(due: datetime, now: datetime) -> tuple[str, bool]:
    """ "due in 25 minutes" / "overdue by 1 hour 5 minutes" / "due in 12 days", and whether it is overdue."""
    seconds = int((due - now).total_seconds())
    overdue = seconds < 0
    minutes = abs(seconds) // 60
    hours, minutes = divmod(minutes, 60)
    if hours >= DAYS_FROM_HOURS:  # a complaint's reply date is days away: the minutes do not matter
        days = hours // 24
        return (f"overdue by {days} days", True) if overdue else (f"due in {days} days", False)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    span = " ".join(parts)
    return (f"overdue by {span}", True) if overdue else (f"due in {span}", False)


def _row(case: HandoffCase, schedule: ContactSchedule, now: datetime) -> QueueRow:
    text, overdue = due_text(case.sla_due_at, now)
    when = None
    if case.slot_start is not None:
        start = schedule.local(case.slot_start)
        end = schedule.local(case.slot_end or case.slot_start)
        when = f"{start:%a %d %b} {clock(start)}" + (f" to {clock(end)}" if case.mode == "callback" else "")
    return QueueRow(case, text, overdue, when)


def build_queues(cases: Sequence[HandoffCase], schedule: ContactSchedule, now: datetime) -> list[Queue]:
    """The open cases, grouped and ordered for the inbox."""
    today = schedule.local(now).date()
    groups: dict[str, list[HandoffCase]] = {key: [] for key in TITLES}
    for case in cases:
        if not case.open:
            continue
        if case.channel == "emergency" or case.trigger == "safeguarding":
            groups["urgent"].append(case)
        elif case.trigger == "complaint":
            groups["complaints"].append(case)
        elif case.trigger == "change":
            groups["changes"].append(case)
        elif case.mode == "live":
            groups["webchat"].append(case)
        elif case.mode == "callback":
            groups["callback"].append(case)
        elif case.mode == "appointment":
            if case.slot_start is not None and schedule.local(case.slot_start).date() == today:
                groups["gateway"].append(case)
        else:
            groups["other"].append(case)
    queues = []
    for key, members in groups.items():
        ordered = sorted(members, key=lambda case: (case.status == "claimed", case.sla_due_at))
        queues.append(Queue(key, TITLES[key], tuple(_row(case, schedule, now) for case in ordered)))
    return queues

"""What the assistant says about a report: the check before sending, the reference once sent, and
its status when asked. (The form's questions are in ``routing.prompts``.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from routing.answers import Button, Reply
from routing.reports import RECEIVED_NOTE, ServiceRequest

# One sentence per status: where the report is, in words that do not contradict each other.
# ``{day}`` is the day it was sent (open) or last changed (in progress, closed).
STATUS_WORDS = {
    "open": "was sent on {day}. The team has it, but work has not started yet.",
    "in_progress": "is being worked on now. The last update was on {day}.",
    "closed": "was closed on {day}.",
}
# What the resident can do next, by status (the response time, where the service has one, comes first).
NEXT_STEP = {
    "open": "You can ask me about it again at any time.",
    "in_progress": "You can ask me about it again at any time.",
    "closed": "If the problem is still there, you can report it again.",
}
NOT_SENT = Reply("I have not sent a report.")
SEND_FAILED = Reply("Sorry, I could not send your report just now. Please try again in a few minutes.")


def check_report(problem: str, location: str, description: str) -> Reply:
    """The report read back, with one question: send it, change it, or cancel."""
    return Reply(
        f"Please check your report. Problem: {problem}. Where: {location}. Details: {description}. Shall I send it?",
        (Button("Yes, send it", "/affirm"), Button("No, change it", "/deny"), Button("Cancel", "/stop")),
    )


def report_sent(reference: str, details: Mapping[str, Any]) -> list[Reply]:
    """The reference, and what happens next from the service's report block (and any urgent note)."""
    lines = [
        f"Thank you. Your report has been sent. Your reference is {reference}.",
        "Please keep it. You can ask me about it at any time.",
    ]
    if details.get("response_time"):
        lines.append(str(details["response_time"]))
    replies = [Reply(" ".join(lines))]
    if details.get("urgent"):
        replies.append(Reply(str(details["urgent"])))
    return replies


def _day(moment: datetime) -> str:
    return moment.strftime("%d %B %Y").lstrip("0")


def report_status(report: ServiceRequest, what: str, response_time: str | None = None) -> list[Reply]:
    """Where a report is up to, in one sentence for its status, then what happens next (and when,
    for an open report, from the service's response time), and the team's latest note, if any."""
    status = report.status if report.status in STATUS_WORDS else "open"
    when = report.requested_datetime if status == "open" else report.updated_datetime
    lines = [f"Your report {report.service_request_id} about {what} {STATUS_WORDS[status].format(day=_day(when))}"]
    if response_time and status == "open":
        lines.append(response_time)
    lines.append(NEXT_STEP[status])
    notes = (report.status_notes or "").strip()
    # The note every new report gets only repeats its status: it is not news from the team.
    show_notes = notes and notes != RECEIVED_NOTE
    return [Reply(" ".join(lines)), *([Reply(f"The team's latest note: {notes}")] if show_notes else [])]


def reference_not_found(reference: str, phone: str) -> Reply:
    """No report or handoff has this reference: check it, or call (with the number)."""
    return Reply(
        f"I cannot find {reference}. Please check the reference. "
        f"If it came from a phone call or a letter, please call us on {phone} and we will check."
    )

"""What the assistant says about a report: the check before sending, the reference once sent, and
its status when asked. (The form's questions are in ``routing.prompts``.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from routing.answers import Button, Reply
from routing.reports import RECEIVED_NOTE, ServiceRequest

# One sentence per stage of the team's queue (``routing.reports.STAGES``): where the report is, in
# words that do not contradict each other. ``{day}`` is the day it was sent (new) or last changed.
STATUS_WORDS = {
    "new": "was sent on {day}. The team has it, but work has not started yet.",
    "acknowledged": "has been seen by the team. Work has not started yet. The last update was on {day}.",
    "in_progress": "is being worked on now. The last update was on {day}.",
    "closed": "was closed on {day}.",
}
# What the resident can do next, by stage (the response time, where the service has one, comes first
# while work has not started).
NEXT_STEP = {
    "new": "You can ask me about it again at any time.",
    "acknowledged": "You can ask me about it again at any time.",
    "in_progress": "You can ask me about it again at any time.",
    "closed": "If the problem is still there, you can report it again.",
}
NOT_STARTED = ("new", "acknowledged")
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


def report_stage(report: ServiceRequest) -> str:
    """The report's stage as the resident hears it: a stage the assistant has no words for is read
    as new (never echoed), and a report Open311 calls closed is closed whatever its stage says."""
    if report.status == "closed":
        return "closed"
    return report.stage if report.stage in STATUS_WORDS else "new"


def report_status(report: ServiceRequest, what: str, response_time: str | None = None) -> list[Reply]:
    """Where a report is up to, in one sentence for its stage, then what happens next (and when,
    before work has started, from the service's response time), and the team's latest public note."""
    stage = report_stage(report)
    when = report.requested_datetime if stage == "new" else report.updated_datetime
    lines = [f"Your report {report.service_request_id} about {what} {STATUS_WORDS[stage].format(day=_day(when))}"]
    if response_time and stage in NOT_STARTED:
        lines.append(response_time)
    lines.append(NEXT_STEP[stage])
    notes = (report.status_notes or "").strip()
    # The note every new report gets only repeats its stage: it is not news from the team.
    show_notes = notes and notes != RECEIVED_NOTE
    return [Reply(" ".join(lines)), *([Reply(f"The team's latest note: {notes}")] if show_notes else [])]


def reference_not_found(reference: str, phone: str) -> Reply:
    """No report or handoff has this reference: check it, or call (with the number)."""
    return Reply(
        f"I cannot find {reference}. Please check the reference. "
        f"If it came from a phone call or a letter, please call us on {phone} and we will check."
    )

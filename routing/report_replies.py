"""What the assistant says about a report: the check before sending, the reference once sent, and
its status when asked. (The form's questions are in ``routing.prompts``.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from routing.answers import Button, Reply

STATUS_WORDS = {"open": "open. We are working on it", "closed": "closed. The work is done"}
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


def report_status(reference: str, what: str, status: str, updated: datetime, notes: str | None) -> list[Reply]:
    """Where a report is up to, and the latest note from the team, if any."""
    day = updated.strftime("%d %B %Y").lstrip("0")
    text = f"Your report {reference} about {what} is {STATUS_WORDS.get(status, status)}. Last update: {day}."
    return [Reply(text), *([Reply(notes)] if notes else [])]


def reference_not_found(reference: str) -> Reply:
    """No report or handoff has this reference."""
    return Reply(
        f"I cannot find {reference}. Please check the reference. "
        "If it came from a phone call or a letter, please call us and we will check."
    )

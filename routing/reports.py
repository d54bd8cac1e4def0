"""Reports of problems, stored in the shape of an Open311 GeoReport v2 service request, and the
stages a report moves through in the team's queue.

Keeping the Open311 fields (service_code, address_string or lat/long, description, status,
requested and updated times) means a later connector can forward reports to a council's
back office without reshaping them.

Open311's ``status`` only knows open and closed; the team's queue has four stages: ``new`` (nobody
has looked yet), ``acknowledged``, ``in_progress`` and ``closed``. A report is Open311 ``closed``
exactly when its stage is. Every change of stage is kept with the short public note the resident
hears when they ask about the report, and who made it: a member of staff, or the back office.

The value types and rules live here; the tables and the store are ``storage.reports``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from routing.redaction import redact

MAX_DESCRIPTION_LENGTH = 4000  # the Open311 limit
# The status note every new report starts with (Open311 ``status_notes``), until the team writes one.
RECEIVED_NOTE = "Received. Waiting for the team to look at it."

STAGES = ("new", "acknowledged", "in_progress", "closed")
# The stages' names as staff read them in the queue.
STAGE_NAMES = {"new": "New", "acknowledged": "Acknowledged", "in_progress": "In progress", "closed": "Closed"}
# Where each stage may go next. A report only moves on, except that a closed one can be reopened
# (the problem came back); staying in an open stage is a further update, and needs a new note.
NEXT_STAGES = {
    "new": ("acknowledged", "in_progress", "closed"),
    "acknowledged": ("acknowledged", "in_progress", "closed"),
    "in_progress": ("in_progress", "closed"),
    "closed": ("in_progress",),
}
# The note is read out to the resident in the chat: a sentence or two, not a case file.
MAX_PUBLIC_NOTE_LENGTH = 500
BACK_OFFICE = "back office"  # who made a change that came from the council's back-office system
# A tag (``<b>``, ``</a>``, ``<!--``) or an entity (``&nbsp;``); "a < b" in words is not markup.
_MARKUP = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>|<!|&[a-zA-Z#][a-zA-Z0-9]*;")


class ReportError(Exception):
    """A change to a report that cannot be made; the message is safe to show to staff."""


class ReportNotFound(ReportError):
    """No report has that reference."""


class StageNotAllowed(ReportError):
    """An unknown stage, or a move the report's stage does not allow (a closed report to new, say)."""


class UnknownStage(StageNotAllowed):
    """A stage that is not one of ``STAGES``."""


class NoteRefused(ReportError):
    """A public note that is missing where one is needed, too long, or written as HTML."""


class RepeatedChange(ReportError):
    """The same change again (a form sent twice): it is already recorded, and nothing is added."""


class ChangedMeanwhile(ReportError):
    """Someone else changed the report after the change was asked for; nothing was recorded."""


@dataclass(frozen=True)
class ServiceRequest:
    """A stored report, field for field as Open311 GeoReport v2 names them, with its queue stage.

    Attributes:
        stage: where the team is with it (``STAGES``).
        closed_at: when its stage last became closed; None while it is open.
        changes: how many changes of stage it has had, so a form can tell it is out of date.
    """

    service_request_id: str
    service_code: str
    open311_code: str
    address_string: str | None
    postcode: str | None
    description: str
    status: str
    status_notes: str | None
    requested_datetime: datetime
    updated_datetime: datetime
    stage: str = "new"
    closed_at: datetime | None = None
    changes: int = 0


@dataclass(frozen=True)
class ReportUpdate:
    """One change in a report's history: when, to which stage, what the resident hears, and by whom
    (a staff username, or ``BACK_OFFICE``)."""

    reference: str
    at: datetime
    stage: str
    public_note: str | None
    by: str


def stage_name(stage: str) -> str:
    """A stage as staff read it: "In progress"."""
    return STAGE_NAMES.get(stage, stage.replace("_", " ").capitalize())


def open311_status(stage: str) -> str:
    """Open311's status for a stage: closed exactly when the stage is."""
    return "closed" if stage == "closed" else "open"


def check_stage_change(reference: str, current: str, to: str) -> None:
    """StageNotAllowed unless a report at ``current`` may move to ``to``."""
    if to not in STAGES:
        raise UnknownStage(f"There is no stage called {to!r}. Choose one of: {_names(STAGES)}.")
    if to not in NEXT_STAGES.get(current, ()):
        allowed = NEXT_STAGES.get(current, ())
        raise StageNotAllowed(
            f"Report {reference} is {stage_name(current).lower()}; it cannot move to {stage_name(to).lower()}. "
            f"It can move to: {_names(allowed)}."
        )


def public_note_text(note: str | None) -> str | None:
    """A public note as stored: card numbers redacted, spaces trimmed; None when there is none.

    NoteRefused when it is too long or written with HTML tags (the resident reads it as plain text).
    """
    text = " ".join(redact(str(note or "")).text.split())
    if not text:
        return None
    if len(text) > MAX_PUBLIC_NOTE_LENGTH:
        raise NoteRefused(
            f"The note for the resident can be at most {MAX_PUBLIC_NOTE_LENGTH} characters; "
            f"this one has {len(text)}. Please shorten it."
        )
    if _MARKUP.search(text):
        raise NoteRefused("The note for the resident must be plain text, without HTML tags. Please rewrite it.")
    return text


def age_text(since: datetime, now: datetime) -> str:
    """How long ago ``since`` was, to the unit that matters: "12 minutes", "5 hours", "3 days"."""
    minutes = max(0, int((now - since).total_seconds()) // 60)
    for size, unit in ((24 * 60, "day"), (60, "hour"), (1, "minute")):
        if minutes >= size or unit == "minute":
            count = minutes // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    raise AssertionError("unreachable")


def _names(stages: tuple[str, ...]) -> str:
    return ", ".join(stage_name(stage).lower() for stage in stages)

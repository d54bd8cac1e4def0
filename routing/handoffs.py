"""Handoff cases: a resident passed to a person, with everything staff need, and its lifecycle rules.

A case is created by the assistant with a reference, the channel, why it was created (the trigger),
an automatic summary, the consented adjustments, a redacted transcript and any booked time. Staff
claim it (exactly one of two racing claims wins), add notes and record the outcome. Every change is
an event with who and when, and so is the first time staff reached the resident ("contacted").

Lifecycle: ``queued`` -> ``claimed`` -> ``resolved``, or ``unable_to_contact``, ``cancelled``,
``no_show``. A claimed case can be released back to ``queued``.

The value types and rules live here; the tables and the store are ``storage.handoffs``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, Sequence

from routing.hours import ContactSchedule
from routing.redaction import redact

# "complaint": a complaint logged for the complaints team (``routing.complaints``); "change": a change of
# circumstances to record (``routing.changes``).
TRIGGERS = ("asked", "repeated_failure", "detected_need", "safeguarding", "complaint", "change")

MODES = (
    "live", "call_now", "text_relay", "callback", "out_of_hours_line", "walk_in", "appointment", "emergency",
    "complaint", "change",
)  # fmt: skip
OUTCOMES = ("resolved", "unable_to_contact", "cancelled", "no_show")
STATUSES = ("queued", "claimed", *OUTCOMES)
ALLOWED = {
    "queued": {"claimed", "cancelled", "unable_to_contact"},
    "claimed": {"queued", *OUTCOMES},
}
CONTACTED = "contacted"  # the history entry for the first time staff reached the resident
MAX_NOTE_LENGTH = 2000
MAX_TRANSCRIPT_TURNS = 200


class HandoffError(Exception):
    """A handoff operation that cannot be done; the message is safe to show."""


class CaseNotFound(HandoffError):
    """No case has that reference."""


class InvalidTransition(HandoffError):
    """The case's status does not allow that change (for example claiming a resolved case)."""


class AlreadyClaimed(InvalidTransition):
    """Someone else claimed the case first."""


class NotYours(InvalidTransition):
    """The case is held by another member of staff."""


@dataclass(frozen=True)
class NewHandoff:
    """What the assistant knows when it hands a resident over."""

    channel: str
    mode: str
    trigger: str
    conversation_id: str | None = None
    service_code: str | None = None
    intent: str | None = None
    summary: Mapping[str, Any] = field(default_factory=dict)
    needs: Sequence[Mapping[str, Any]] = ()
    adjustments: Sequence[str] = ()
    transcript: Sequence[Mapping[str, str]] = ()
    callback_number: str | None = None
    # A deadline the task sets itself (a complaint's reply date), instead of the channel's pick-up time.
    due_at: datetime | None = None


@dataclass(frozen=True)
class CaseEvent:
    """One step in a case's history."""

    at: datetime
    actor: str
    action: str
    detail: str | None


@dataclass(frozen=True)
class HandoffCase:
    """A stored handoff case."""

    reference: str
    conversation_id: str | None
    channel: str
    mode: str
    trigger: str
    status: str
    service_code: str | None
    intent: str | None
    summary: Mapping[str, Any]
    needs: list[dict[str, Any]]
    adjustments: list[str]
    transcript: list[dict[str, str]]
    callback_number: str | None
    slot_start: datetime | None
    slot_end: datetime | None
    created_at: datetime
    updated_at: datetime
    sla_due_at: datetime
    claimed_by: str | None
    claimed_at: datetime | None
    closed_at: datetime | None
    events: tuple[CaseEvent, ...] = ()

    @property
    def open(self) -> bool:
        """Still waiting for, or with, a member of staff."""
        return self.status in ("queued", "claimed")

    @property
    def contacted(self) -> bool:
        """Staff have reached the resident on this case (its history says so)."""
        return any(event.action == CONTACTED for event in self.events)

    def as_json(self) -> dict[str, Any]:
        """The case as the JSON API returns it."""
        data = {key: getattr(self, key) for key in self.__dataclass_fields__ if key != "events"}
        data["events"] = [event.__dict__ for event in self.events]
        return jsonable(data)


def jsonable(value: Any) -> Any:
    """``value`` with datetimes as ISO text, so it can be written as JSON."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def clean_transcript(turns: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """The transcript with card numbers and security codes removed, and the newest turns kept."""
    kept = list(turns)[-MAX_TRANSCRIPT_TURNS:]
    return [{"who": str(turn.get("who", "")), "text": redact(str(turn.get("text", ""))).text} for turn in kept]


def status_words(status: str) -> str:
    """A status as words: "unable to contact"."""
    return status.replace("_", " ")


def check_transition(reference: str, status: str, to: str) -> None:
    """InvalidTransition unless a case in ``status`` may become ``to``."""
    if to not in ALLOWED.get(status, set()):
        raise InvalidTransition(f"case {reference} is {status_words(status)}; it cannot be {status_words(to)}")


def note_text(note: str | None) -> str:
    """A staff note as stored: card numbers redacted, trimmed; HandoffError if empty or too long."""
    text = redact(str(note or "")).text.strip()
    if not text:
        raise HandoffError("A note cannot be empty.")
    if len(text) > MAX_NOTE_LENGTH:
        raise HandoffError(f"A note can be at most {MAX_NOTE_LENGTH} characters.")
    return text


def sla_due(
    schedule: ContactSchedule, channel: str, mode: str, now: datetime,
    slot_start: datetime | None, slot_end: datetime | None,
) -> datetime:  # fmt: skip
    """When staff must have picked the case up, by channel: the end of a callback window, the
    start of an appointment plus the channel's allowance, otherwise from when it next opens."""
    minutes = timedelta(minutes=schedule.channels[channel].sla_minutes)
    if mode == "callback" and slot_end is not None:
        return slot_end
    if slot_start is not None:
        return slot_start + minutes
    if channel == "emergency":
        return now + minutes
    return schedule.next_opening(channel, now).astimezone(timezone.utc) + minutes

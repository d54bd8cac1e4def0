"""Outcome events: what happened in a conversation, recorded without identifying anyone.

Each event is typed and timestamped in UTC. Only fixed vocabularies are stored (a need category,
never the words; a service code, never a description); the resident and the conversation are keyed
by a keyed hash (HMAC-SHA256 with a secret from the environment), so repeat contact within 7 days
can be counted, but nobody can be looked up from the table.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any, Mapping

from routing import clock
from routing.categories import CATEGORIES
from routing.contact_channels import CHANNELS
from routing.reports import ServiceRequest

ENTRY_CHANNELS = ("web", "rest", "embed")
SATISFACTION_ANSWERS = ("yes", "partly", "no")
CONTACT_TIMING = ("on_time", "late")  # first human contact against the case's pick-up deadline
ABANDONED_AT = ("queue", "form")  # where a resident gave up: waiting for a person, or mid-form
# A possible risk: the check-in was asked, then answered "I'm safe" or "I need help now".
CHECK_IN_STEPS = ("asked", "safe", "needs_help")
# Why the emergency routes were shown: a clear risk, "I need help now" after a check-in, or a
# further risk sign after an earlier check-in or interrupt.
ESCALATION_REASONS = ("clear_risk", "after_check_in", "repeat_sign")
# How long a report took from being made to being closed, in coarse bands (never the exact time, so
# a closed report cannot be matched to a resident's by when it was made): a day, a week, four weeks.
CLOSE_TIMES = ("1_day", "7_days", "28_days", "longer")
_CLOSE_EDGES = ((timedelta(days=1), "1_day"), (timedelta(days=7), "7_days"), (timedelta(days=28), "28_days"))
# Automatic updates (issue 17): the channel a resident chose for updates on a reference (the same
# words as ``routing.updates.UPDATE_CHANNELS``), the channel an update went out on or failed on, and
# whether a reference the resident asked about had updates chosen.
UPDATE_CHOICES = ("text", "email", "letter", "none")
UPDATE_SENT_CHANNELS = ("text", "email", "letter")
STATUS_ASKED_STATES = ("updates_on", "no_updates")
# Whether a reminder (appointment_tomorrow or callback_today) went out before a no-show. Older
# no-show events carry no value, and still count as no-shows.
NO_SHOW_REMINDERS = ("reminded", "not_reminded")


class EventKind(str, Enum):
    """Everything the monitoring counts (issue: Prove the promises hold)."""

    CONVERSATION_STARTED = "conversation_started"
    INTENT = "intent"
    SUPPORT_NEED_DETECTED = "support_need_detected"
    CONSENT_GIVEN = "consent_given"
    CONSENT_DECLINED = "consent_declined"
    SAFEGUARDING_ESCALATED = "safeguarding_escalated"
    RISK_CHECK_IN = "risk_check_in"
    HANDOFF_OFFERED = "handoff_offered"
    HANDOFF_ACCEPTED = "handoff_accepted"
    HANDOFF_CLAIMED = "handoff_claimed"
    CONTACT_MADE = "contact_made"
    RESOLVED = "resolved"
    UNABLE_TO_CONTACT = "unable_to_contact"
    NO_SHOW = "no_show"
    ABANDONED = "abandoned"
    REPORT_CREATED = "report_created"
    REPORT_CLOSED = "report_closed"  # staff or the back office closed a report, with how long it took (``CLOSE_TIMES``)
    REPORT_REOPENED = "report_reopened"  # a closed report was opened again, so it no longer counts as closed
    PAYMENT_SIGNPOSTED = "payment_signposted"
    APPLICATION_SIGNPOSTED = "application_signposted"
    DIGITAL_INCLUSION_OFFERED = "digital_inclusion_offered"
    DIGITAL_INCLUSION_ACCEPTED = "digital_inclusion_accepted"
    SATISFACTION = "satisfaction"
    CONVERSATION_ENDED = "conversation_ended"
    UPDATES_CHOSEN = "updates_chosen"  # the resident chose how to hear about a reference (case=)
    UPDATE_SENT = "update_sent"  # an automatic update went out, by channel
    UPDATE_FAILED = "update_failed"  # an automatic update could not be sent, by channel
    STATUS_ASKED = "status_asked"  # the resident asked "any update?" on a reference


VALUES: dict[EventKind, tuple[str, ...]] = {
    EventKind.SATISFACTION: SATISFACTION_ANSWERS,
    EventKind.CONTACT_MADE: CONTACT_TIMING,
    EventKind.ABANDONED: ABANDONED_AT,
    EventKind.RISK_CHECK_IN: CHECK_IN_STEPS,
    EventKind.SAFEGUARDING_ESCALATED: ESCALATION_REASONS,
    EventKind.REPORT_CLOSED: CLOSE_TIMES,
    EventKind.UPDATES_CHOSEN: UPDATE_CHOICES,
    EventKind.UPDATE_SENT: UPDATE_SENT_CHANNELS,
    EventKind.UPDATE_FAILED: UPDATE_SENT_CHANNELS,
    EventKind.STATUS_ASKED: STATUS_ASKED_STATES,
    EventKind.NO_SHOW: NO_SHOW_REMINDERS,
}


class InvalidEvent(ValueError):
    """An event with a value outside its vocabulary (free text never gets in)."""


def session_name(started_at: float | None) -> str:
    """The name of a resident's Rasa session (one conversation, to the monitoring): the timestamp of
    its ``session_started`` event, which the actions and the event stream both see."""
    return "first" if started_at is None else f"{started_at:.6f}"


def entry_channel(metadata: Any) -> str:
    """How the resident came in: the web app says "web" or "embed" in the first message's metadata;
    anything else (a bare REST client, a made-up value) counts as "rest"."""
    said = metadata.get("entry_channel") if isinstance(metadata, dict) else None
    return said if said in ENTRY_CHANNELS else "rest"


def close_time(taken: timedelta) -> str:
    """The band (``CLOSE_TIMES``) a report's time from made to closed falls in."""
    return next((band for edge, band in _CLOSE_EDGES if taken <= edge), "longer")


def report_change(before: ServiceRequest | None, after: ServiceRequest) -> tuple[EventKind, dict[str, str]] | None:
    """The outcome event a report's change means, whoever made it (staff or the back office): closed,
    with its service and how long it took in bands; or opened again, so it no longer counts as
    closed. None for any other change."""
    if after.stage == "closed" and after.closed_at is not None:
        return EventKind.REPORT_CLOSED, {
            "service": after.service_code, "value": close_time(after.closed_at - after.requested_datetime),
        }  # fmt: skip
    if before is not None and before.stage == "closed":
        return EventKind.REPORT_REOPENED, {"service": after.service_code}
    return None


def keyed_hash(secret: bytes, value: str) -> str:
    """A stable pseudonym for ``value``: the same person gets the same key, and the key cannot be
    turned back into them without the secret."""
    return hmac.new(secret, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class OutcomeEvent:
    """One thing that happened, in fixed vocabularies only.

    Attributes:
        kind: what happened.
        resident_key: keyed hash of the resident's channel identity (the sender id), so repeat
            contact can be counted without knowing who it is.
        conversation_key: keyed hash of the conversation (the sender id and the Rasa session it is
            in); None for an event staff cause on a case, which is tied to its conversation by
            ``case_key`` when outcomes are derived.
        case_key: keyed hash of a handoff case's (or a report's) reference, on events about it.
        at: when (UTC).
        entry_channel: how the resident came in (web page, REST, embedded widget).
        intent, service: the task, as intent name and catalogue code.
        category: a support-need category (``routing.categories``), never the resident's words.
        handoff_channel: webchat, phone, gateway or emergency.
        in_hours: whether the offer was made while a non-online channel was open.
        value: a small fixed answer: satisfaction (yes, partly, no), contact timing (on_time,
            late), where a resident gave up (queue, form) or how long a report took to close
            (``CLOSE_TIMES``), an update channel, or whether a no-show was reminded; see ``VALUES``.
        event_id: unique, so an event written twice is stored once.
    """

    kind: EventKind
    resident_key: str
    conversation_key: str | None = None
    case_key: str | None = None
    at: datetime = field(default_factory=clock.now)
    entry_channel: str | None = None
    intent: str | None = None
    service: str | None = None
    category: str | None = None
    handoff_channel: str | None = None
    in_hours: bool | None = None
    value: str | None = None
    event_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def __post_init__(self) -> None:
        checks: list[tuple[str | None, tuple[str, ...], str]] = [
            (self.entry_channel, ENTRY_CHANNELS, "entry_channel"),
            (self.category, CATEGORIES, "category"),
            (self.handoff_channel, CHANNELS, "handoff_channel"),
            (self.value, VALUES.get(self.kind, ()), "value"),
        ]
        for given, allowed, name in checks:
            if given is not None and given not in allowed:
                raise InvalidEvent(f"{name} must be one of {allowed}, not {given!r}")
        for name in ("intent", "service"):
            given = getattr(self, name)
            if given is not None and (not given.replace("_", "").isalnum() or len(given) > 64):
                raise InvalidEvent(f"{name} must be a code such as 'council_tax', not free text")
        if self.at.tzinfo is None:
            raise InvalidEvent("at must be a UTC time, not a naive one")
        if self.conversation_key is None and self.case_key is None:
            raise InvalidEvent("an event belongs to a conversation or to a handoff case")
        for name in ("resident_key", "conversation_key", "case_key"):
            key = getattr(self, name)
            if key is not None and (len(key) != 32 or not all(c in "0123456789abcdef" for c in key)):
                raise InvalidEvent(f"{name} must be a keyed hash, never the id itself")

    def as_row(self) -> dict[str, Any]:
        """The event as a database row."""
        row = {name: getattr(self, name) for name in _FIELD_NAMES}  # shallow: asdict deep-copies
        row["kind"] = self.kind.value
        row["at"] = self.at.astimezone(timezone.utc)
        return row

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> OutcomeEvent:
        """An event read back from a row or the outbox."""
        values = dict(row)
        values.pop("id", None)
        values["kind"] = EventKind(values["kind"])
        at = values["at"]
        if isinstance(at, str):
            at = datetime.fromisoformat(at)
        values["at"] = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
        return cls(**values)


_FIELD_NAMES = tuple(item.name for item in fields(OutcomeEvent))

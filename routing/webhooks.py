"""Signed outgoing webhooks: the event types, what a body may hold, the signature and the retry rules.

The signature is Standard Webhooks 1.0 (https://www.standardwebhooks.com; the spec is in the
``standard-webhooks/standard-webhooks`` repository): three headers, ``webhook-id``
(the event's id, the same on every retry), ``webhook-timestamp`` (Unix seconds of the attempt) and
``webhook-signature`` (``v1,`` and the base64 HMAC-SHA256 of ``id.timestamp.body``, keyed with the
base64 after a ``whsec_`` secret's prefix). Zendesk and Chatwoot sign the same way in their own
headers (HMAC-SHA256 over a timestamp and the body); the published spec has verifiers in many
languages, so a council's integrator need write none.

The stored body of an event holds fixed vocabularies only (``SAFE_FIELDS``): a reference, service
code, channel, status, stage. Never what a resident said, a name, a number or an address; those are
added at delivery time, and only for a subscriber marked as the council's own case system.
Pure rules; the tables are ``storage.webhooks``, the sender ``integrations.webhooks``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Mapping

from routing.retries import growing_wait
from routing.web_addresses import needs_https, web_address

CASE_EVENTS = ("case.created", "case.claimed", "case.contact_made", "case.resolved", "case.closed")
REPORT_EVENTS = ("report.created", "report.updated", "report.closed")
EVENT_TYPES = (*CASE_EVENTS, *REPORT_EVENTS)
# The only keys an event's stored ``data`` may have; every value a short word from a fixed
# vocabulary or a time (checked by ``check_data``), so free text cannot get in.
SAFE_FIELDS = frozenset(
    {"service_code", "channel", "mode", "trigger", "status", "stage", "outcome", "due_at", "open311_code"}
)
_WORD = re.compile(r"^[A-Za-z0-9_:+.\-]{0,64}$")
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # the spec asks for 24 to 64 random bytes
MIN_SECRET_BYTES, MAX_SECRET_BYTES = 24, 64
MAX_NAME_LENGTH, MAX_URL_LENGTH = 80, 500


class WebhookError(ValueError):
    """A subscriber's settings that cannot be used; the message is safe to show a manager."""


NO_SUCH_SUBSCRIBER = "That subscriber is no longer there; it may have just been removed."


class SubscriberNotFound(WebhookError):
    """No subscriber has that id (it was removed a moment ago, say)."""


class InvalidEvent(ValueError):
    """An event of an unknown type, or with data outside the safe fields (a programming error)."""


def check_data(event_type: str, data: Mapping[str, Any]) -> dict[str, str | None]:
    """``data`` as an event may store it; InvalidEvent for an unknown type, key or free-text value."""
    if event_type not in EVENT_TYPES:
        raise InvalidEvent(f"no webhook event type {event_type!r}; use one of {', '.join(EVENT_TYPES)}")
    unknown = set(data) - SAFE_FIELDS
    if unknown:
        raise InvalidEvent(f"webhook events may not carry {', '.join(sorted(unknown))}")
    checked: dict[str, str | None] = {}
    for key, value in data.items():
        if value is not None and not (isinstance(value, str) and _WORD.match(value)):
            raise InvalidEvent(f"webhook event field {key} must be a short code, not free text")
        checked[key] = value
    return checked


def new_secret() -> str:
    """A fresh signing secret as the spec serialises it: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key in a ``whsec_`` secret; WebhookError when it is not one."""
    if not secret.startswith(SECRET_PREFIX):
        raise WebhookError("A signing secret starts with 'whsec_' (the Standard Webhooks form).")
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise WebhookError("After 'whsec_', a signing secret is base64.") from None
    if not MIN_SECRET_BYTES <= len(key) <= MAX_SECRET_BYTES:
        raise WebhookError(f"A signing secret holds {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} random bytes.")
    return key


def signature(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header for one attempt: ``v1,`` and the base64 HMAC-SHA256 of
    ``event_id.timestamp.body``."""
    signed = f"{event_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(secret: str, event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Every header a delivery carries."""
    return {
        "Content-Type": "application/json",
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, event_id, timestamp, body),
    }


def check_name(name: str) -> str:
    """A subscriber's name, trimmed; WebhookError when empty or too long."""
    cleaned = " ".join(str(name).split())
    if not cleaned:
        raise WebhookError("Give the subscriber a name, such as 'Council CRM'.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise WebhookError(f"A subscriber's name can be at most {MAX_NAME_LENGTH} characters.")
    return cleaned


def check_url(url: str, council_system: bool) -> str:
    """An address deliveries can go to: http or https with a host. A subscriber that receives
    residents' words must use https, unless it is on this machine (nothing crosses a network)."""
    cleaned = str(url).strip()
    parts = web_address(cleaned)
    if parts is None or len(cleaned) > MAX_URL_LENGTH:
        raise WebhookError(
            "The address must start with https:// (or http://), name a host, and be at most "
            f"{MAX_URL_LENGTH} characters, such as https://crm.example.gov.uk/hooks."
        )
    if council_system and needs_https(parts):
        raise WebhookError("The council's own case system receives residents' words, so its address must use https://.")
    return cleaned


def check_events(events: Any) -> tuple[str, ...]:
    """The event types a subscriber wants, in the usual order; WebhookError for none or an unknown one."""
    wanted = [events] if isinstance(events, str) else list(events or [])
    unknown = [str(event) for event in wanted if event not in EVENT_TYPES]
    if unknown:
        raise WebhookError(f"There is no event {', '.join(unknown)}. Choose from: {', '.join(EVENT_TYPES)}.")
    if not wanted:
        raise WebhookError("Choose at least one event to send.")
    return tuple(event for event in EVENT_TYPES if event in wanted)


# --- retries ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """When a failed delivery is tried again, and when it is given up.

    Attributes:
        first_delay: seconds before the second attempt.
        factor: each later wait is this many times the one before...
        cap: ...up to this many seconds.
        jitter: up to this share of each wait is taken off at random, so deliveries that failed
            together (a receiver's outage) do not all come back at the same moment.
        attempts: attempts in all before a delivery is given up (with the defaults, over about two days).
        refused_attempts: attempts in all when the receiver refuses the request itself (a 4xx other
            than 408 and 429, or a redirect): a mistake that someone may fix soon, but not often.
        timeout: seconds an attempt may take (the spec suggests 15 to 30).
        lease: seconds a process holds a delivery it is sending, so no other process sends it too;
            well above ``timeout``.
    """

    first_delay: float = 10.0
    factor: float = 3.0
    cap: float = 6 * 60 * 60.0
    jitter: float = 0.2
    attempts: int = 16
    refused_attempts: int = 3
    timeout: float = 15.0
    lease: float = 60.0

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds to wait after ``attempts`` attempts have failed (at least what a ``Retry-After``
        header asked for, within the cap)."""
        wait = growing_wait(attempts, self.first_delay, self.cap, self.factor, spread=self.jitter)
        return min(self.cap, max(wait, retry_after or 0.0))


def verdict(status: int | None, attempts: int, policy: RetryPolicy) -> str:
    """What an attempt's answer means, after ``attempts`` attempts: ``delivered``, ``retry``,
    ``gave_up``, or ``gone`` (410: the receiver wants no more, so its subscription is paused).

    ``status`` None is no answer at all (a timeout, a refused connection)."""
    if status is not None and 200 <= status < 300:
        return "delivered"
    if status == 410:
        return "gone"
    refused = status is not None and (300 <= status < 400 or (400 <= status < 500 and status not in (408, 429)))
    limit = policy.refused_attempts if refused else policy.attempts
    return "gave_up" if attempts >= limit else "retry"


@dataclass(frozen=True)
class SubscriberSpec:
    """A subscriber as the webhooks file (or a manager) gives it, checked.

    Attributes:
        name: what staff call it ("Council CRM"); unique.
        url: where deliveries are sent (``check_url``).
        secret: the ``whsec_`` signing secret it verifies with.
        events: the event types it receives (``EVENT_TYPES``).
        council_system: the council's own case system, which may receive residents' words (a case's
            summary, a report's description and place); every other subscriber gets codes only.
    """

    name: str
    url: str
    secret: str
    events: tuple[str, ...]
    council_system: bool = False


# Fields that say a resident needed help or was at risk (why a case began; an urgent channel or
# mode): inferred circumstances about a person with a reference beside them, so they go to the
# council's own case system only, like residents' words.
_WHO_NEEDED_HELP = ("trigger",)
_URGENT = "emergency"


def shared_data(data: Mapping[str, Any], council_system: bool) -> dict[str, Any]:
    """An event's fields as one subscriber receives them: all of them for the council's own case
    system; for any other, nothing that says why a case began or that it was urgent."""
    if council_system:
        return dict(data)
    return {
        key: value
        for key, value in data.items()
        if key not in _WHO_NEEDED_HELP and not (key in ("channel", "mode") and value == _URGENT)
    }


def event_body(
    event_id: str, event_type: str, at: datetime, reference: str, data: Mapping[str, Any],
    resident: Mapping[str, Any] | None = None,
) -> bytes:  # fmt: skip
    """The JSON body sent for an event (the shape the spec recommends: id, type, timestamp, data),
    compact, as its signature covers it. ``resident`` is added for the council's own case system only."""
    payload: dict[str, Any] = {"reference": reference}
    payload |= {key: value for key, value in data.items() if value is not None}
    if resident:
        payload["resident"] = dict(resident)
    moment = at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    body = {"id": event_id, "type": event_type, "timestamp": moment, "data": payload}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def case_events(status: str) -> tuple[str, ...]:
    """The events a case's move to ``status`` makes: a claim, or a close (resolved is both
    ``case.resolved`` and ``case.closed``); none for a case put back in the queue."""
    if status == "claimed":
        return ("case.claimed",)
    if status == "resolved":
        return ("case.resolved", "case.closed")
    return () if status in ("queued", "") else ("case.closed",)


def report_events(stage: str) -> tuple[str, ...]:
    """The events a report's change of stage makes (reaching closed is ``report.closed`` too)."""
    return ("report.updated", "report.closed") if stage == "closed" else ("report.updated",)


def case_data(case: Any, status: str) -> dict[str, str | None]:
    """A case's safe fields for an event (``case`` a stored case, a new one, or its table row)."""
    names = ("service_code", "channel", "mode", "trigger")
    found = {name: case[name] if isinstance(case, Mapping) else getattr(case, name, None) for name in names}
    return {**found, "status": status}


def report_data(report: Mapping[str, Any]) -> dict[str, str | None]:
    """A report's safe fields for an event, from its table values."""
    return {name: report.get(name) for name in ("service_code", "open311_code", "status", "stage")}

"""The update sender: takes due messages from the outbox and sends them through GOV.UK Notify with
its maintained client (``notifications_python_client``), or, with no API key, writes each to the
local outbox that staff read.

Nothing is sent twice. Each message goes to Notify with its outbox key as Notify's ``reference``.
When a try gets no answer (a timeout, a dropped connection) or a 5xx, Notify may or may not have
made the message: before trying again the sender asks Notify for notifications with that reference,
and counts the message sent if there is one. 400 and 403 say the request itself is wrong: the message
is failed at once, for staff to see. Other failures are tried again with a growing wait
(``routing.retries.growing_wait``) and failed after ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, Mapping

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient
from sqlalchemy.engine import Engine

from routing import clock
from routing.catalogue import default_catalogue
from routing.retries import growing_wait
from routing.updates import letter_address, message_text
from storage.notify_outbox import CANCELLED, FAILED, PENDING, SENT, WRITTEN_LOCALLY, Message, NotifyOutbox
from wiring.notify import NotifySettings

logger = logging.getLogger(__name__)
POLL_SECONDS = 2.0
BATCH = 20
LEASE_SECONDS = 120.0  # longer than a try (the lookup and the send, each within the timeout)
MAX_ATTEMPTS = 8
FIRST_WAIT, MAX_WAIT = 30.0, 3600.0
FINAL_STATUSES = (400, 403)
# Called with (message, channel, sent): the web app records UPDATE_SENT or UPDATE_FAILED.
Outcome = Callable[[Message, str, bool], None]
_CLIENT: Any = NotificationsAPIClient


@dataclass(frozen=True)
class Result:
    """How one try went: ``sent``, ``failed`` (final), ``unknown`` (no answer: look it up before the
    next try) or ``retry`` (Notify said no, for now)."""

    outcome: str
    notify_id: str | None = None
    error: str | None = None


def _status(error: APIError) -> int | None:
    return None if error.response is None else error.status_code


def _describe(error: APIError) -> str:
    """A failure in fixed words: the status and Notify's error type, never its message (which may
    repeat a number or an address)."""
    status = _status(error)
    if status is None:
        return "No answer from Notify (a timeout or a dropped connection)"
    kinds: list[str] = []
    with contextlib.suppress(ValueError, AttributeError):
        kinds = [str(item.get("error", "")) for item in error.response.json().get("errors", [])]  # type: ignore[union-attr]
    named = f" ({', '.join(kind for kind in kinds if kind.isidentifier())})" if any(kinds) else ""
    return f"Notify answered {status}{named}"


def send_one(settings: NotifySettings, message: Message) -> Result:
    """Make one try at ``message`` through Notify (blocking: run it in a thread)."""
    assert settings.api_key is not None and message.channel is not None and message.contact is not None
    # The client ships py.typed but no annotations: it is used as Any. One client a try, as it is
    # not thread-safe and each try runs in a thread of its own.
    client: Any = _CLIENT(settings.api_key, base_url=settings.base_url, timeout=settings.timeout)
    template = settings.templates[(message.kind, message.channel)]
    fields = dict(message.personalisation)
    try:
        if message.outcome_unknown:  # the last try may have reached Notify: never send it twice
            found = client.get_all_notifications(reference=message.key).get("notifications") or []
            if found:
                return Result("sent", notify_id=str(found[0].get("id")))
        answer: Mapping[str, Any]
        if message.channel == "text":
            answer = client.send_sms_notification(message.contact, template, fields, reference=message.key)
        elif message.channel == "email":
            answer = client.send_email_notification(message.contact, template, fields, reference=message.key)
        else:
            letter = {**letter_address(message.contact), **fields}
            answer = client.send_letter_notification(template, letter, reference=message.key)
    except APIError as error:
        status = _status(error)
        if status in FINAL_STATUSES:
            return Result("failed", error=_describe(error))
        if status is None or status >= 500:
            return Result("unknown", error=_describe(error))
        return Result("retry", error=_describe(error))
    return Result("sent", notify_id=str(answer.get("id")))


def write_locally(message: Message) -> str:
    """The text a resident would have received, for the local outbox."""
    gateway = default_catalogue().council.get("gateway")
    return message_text(message.kind, message.personalisation, gateway if isinstance(gateway, dict) else None)


async def deliver(outbox: NotifyOutbox, settings: NotifySettings, message: Message, on_outcome: Outcome) -> str:
    """Send (or write locally) one message and record how it went; its state afterwards."""
    if message.channel is None or message.contact is None:  # chose no updates since, or forgotten
        await asyncio.to_thread(outbox.record, message, CANCELLED, error="No contact kept for this reference now")
        return CANCELLED
    if settings.local:
        body = write_locally(message)
        written = await asyncio.to_thread(outbox.record, message, WRITTEN_LOCALLY, channel=message.channel, body=body)
        if written:
            await asyncio.to_thread(on_outcome, message, message.channel, True)
        return WRITTEN_LOCALLY
    result = await asyncio.to_thread(send_one, settings, message)
    attempts = message.attempts + 1
    if result.outcome in ("unknown", "retry") and attempts < MAX_ATTEMPTS:
        retry_at = clock.now() + timedelta(seconds=growing_wait(attempts, FIRST_WAIT, MAX_WAIT))
        unknown = result.outcome == "unknown"
        await asyncio.to_thread(
            outbox.record, message, PENDING, channel=message.channel, error=result.error, retry_at=retry_at,
            unknown=unknown or message.outcome_unknown,
        )  # fmt: skip
        logger.info("Update %s try %s: %s; trying again", message.id, attempts, result.error)
        return PENDING
    state = SENT if result.outcome == "sent" else FAILED
    written = await asyncio.to_thread(
        outbox.record, message, state, channel=message.channel, notify_id=result.notify_id, error=result.error
    )
    if written:
        await asyncio.to_thread(on_outcome, message, message.channel, state == SENT)
    if state == FAILED:
        logger.warning("Update %s failed after %s tries: %s", message.id, attempts, result.error)
    return state


async def send_due(outbox: NotifyOutbox, settings: NotifySettings, on_outcome: Outcome) -> int:
    """Take the messages due now (up to a batch) and send them side by side; how many were taken."""
    taken = await asyncio.to_thread(outbox.claim, LEASE_SECONDS, BATCH)
    await asyncio.gather(*(deliver(outbox, settings, message, on_outcome) for message in taken))
    return len(taken)


async def keep_sending(
    engine: Engine, settings: NotifySettings, on_outcome: Outcome, every: float = POLL_SECONDS
) -> None:
    """Send due messages until cancelled. A failure (the database away) is logged once and tried
    again next round; the messages wait in the outbox."""
    outbox = NotifyOutbox(engine)
    failing = False
    taken = 0
    while True:
        if taken < BATCH:  # a full batch means more may be waiting: no pause
            await asyncio.sleep(every)  # first too: the app's start-up work goes first
        try:
            taken = await send_due(outbox, settings, on_outcome)
            failing = False
        except Exception:  # noqa: BLE001 - the messages wait in the outbox; the web app carries on
            taken = 0
            if not failing:
                logger.exception("Could not send updates to residents; trying again every %g seconds", every)
            failing = True

"""The webhook sender: takes due deliveries from the queue, signs and posts them, and records how
each attempt went (retry with backoff, delivered, or given up).

Every web-app process runs one (``keep_delivering``); leases in the queue
(``storage.webhook_deliveries``) make sure each delivery is sent by one process at a time. Events
are recorded by whichever process made the change (the action server creates cases and reports), so
the sender looks for due deliveries every couple of seconds rather than waiting to be told.

A 2xx answer is delivered. No answer (a timeout, a refused connection), 408, 429 and 5xx are tried
again with exponential backoff and jitter (``routing.webhooks.RetryPolicy``; a ``Retry-After`` is
honoured), and given up after 16 attempts over about two days. Any other 4xx, or a redirect, says the
request itself is wrong: it is tried 3 times in all, in case someone is fixing the receiver, then
given up. 410 Gone gives up at once and pauses the subscriber, as the Standard Webhooks spec asks.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import aiohttp
from sqlalchemy.engine import Engine

from routing import clock
from routing.webhooks import RetryPolicy, event_body, shared_data, signed_headers, verdict
from storage.webhook_deliveries import Delivery, DeliveryQueue

logger = logging.getLogger(__name__)
POLL_SECONDS = 2.0
TRIM_SECONDS = 60 * 60  # the log is trimmed hourly
BATCH = 20  # deliveries one process takes at a time
USER_AGENT = "council-contact-assistant-webhooks/1"


async def send(session: aiohttp.ClientSession, queue: DeliveryQueue, delivery: Delivery, policy: RetryPolicy) -> str:
    """Make one attempt at ``delivery`` and record it; the outcome (``routing.webhooks.verdict``)."""
    resident = None
    if delivery.council_system:  # read now, so a case cleared by retention sends nothing of it
        resident = await asyncio.to_thread(queue.resident_details, delivery.event_type, delivery.reference)
    data = shared_data(delivery.data, delivery.council_system)
    body = event_body(delivery.event_id, delivery.event_type, delivery.at, delivery.reference, data, resident)
    # The receiver checks this against its own clock to refuse replays: the real time, not the
    # assistant's clock (which a demonstration may set days away).
    headers = signed_headers(delivery.secret, delivery.event_id, int(time.time()), body)
    status: int | None = None
    error: str | None = None
    retry_after: float | None = None
    try:
        async with session.post(
            delivery.url, data=body, headers={**headers, "User-Agent": USER_AGENT}, allow_redirects=False,
            timeout=aiohttp.ClientTimeout(total=policy.timeout),
        ) as answer:  # fmt: skip
            status = answer.status
            retry_after = _retry_after(answer.headers.get("Retry-After"))
            await answer.content.read(
                4096
            )  # the answer's body is not needed; a little is read so the connection is reusable
            if not 200 <= status < 300:
                error = f"The receiver answered {status} {answer.reason or ''}".strip()
    except asyncio.TimeoutError:
        error = f"No answer within {policy.timeout:g} seconds"
    except aiohttp.ClientError as failure:
        error = f"Could not connect: {type(failure).__name__}"
    attempts = delivery.attempts + 1
    outcome = verdict(status, attempts, policy)
    now = clock.now()
    retry_at = now + timedelta(seconds=policy.delay(attempts, retry_after)) if outcome == "retry" else None
    written = await asyncio.to_thread(queue.record, delivery, outcome, status, error, retry_at, now)
    if not written:
        logger.warning("Webhook delivery %s took longer than its lease; another process has it now", delivery.id)
    elif outcome != "delivered":
        logger.info("Webhook delivery %s attempt %s: %s (%s)", delivery.id, attempts, outcome, error)
    return outcome


def _retry_after(raw: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (a number of seconds, or an HTTP date)."""
    if not raw:
        return None
    if raw.strip().isdigit():
        return float(raw.strip())
    try:
        when: datetime = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


async def deliver_due(session: aiohttp.ClientSession, queue: DeliveryQueue, policy: RetryPolicy) -> int:
    """Take the deliveries due now (up to a batch) and send them side by side; how many were taken."""
    taken = await asyncio.to_thread(queue.claim, policy.lease, BATCH)
    await asyncio.gather(*(send(session, queue, delivery, policy) for delivery in taken))
    return len(taken)


async def keep_delivering(
    engine: Engine, keep_log_days: int, policy: RetryPolicy | None = None, every: float = POLL_SECONDS
) -> None:
    """Send due deliveries until cancelled, and trim the log hourly. A failure (the database away)
    is logged and tried again on the next round; nothing is lost, as everything waits in the queue."""
    policy = policy or RetryPolicy()
    queue = DeliveryQueue(engine)
    trimmed_at = float("-inf")
    failing = False
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                if time.monotonic() - trimmed_at >= TRIM_SECONDS:
                    before = clock.now() - timedelta(days=keep_log_days)
                    await asyncio.to_thread(queue.forget, before)
                    trimmed_at = time.monotonic()
                taken = await deliver_due(session, queue, policy)
                failing = False
                if taken == BATCH:
                    continue  # more may be waiting: no pause
            except Exception:  # noqa: BLE001 - the deliveries wait in the queue; the web app carries on
                # Logged once, not every round, until it works again.
                if not failing:
                    logger.exception("Could not send webhook deliveries; trying again every %g seconds", every)
                failing = True
            await asyncio.sleep(every)

"""The Open311 sender: a background task in the web app that takes reports from the outbox
(``storage.open311_outbox``) to the council's back office, and keeps what it answered.

Each round it adopts new reports into the outbox, takes the ones that are due under a lease, and
for each: posts it (or, when the back office gave a token, asks for the id the token stands for).
The SCC reference leads the description, and goes in the service's reference attribute where the
settings name one, so the report can be found on the endpoint again.

**Never twice.** A post is marked in doubt in the database before it goes. When it fails in a way
that leaves open whether the endpoint stored it (a timeout, a dropped connection, a 5xx, an answer
that is not JSON) or the sender dies mid-post, the mark stays. Before posting an in-doubt report
again, the sender lists the endpoint's requests of that service since the first post
(``GET requests.json``) and looks for the reference in their descriptions: found, it keeps that id
and posts nothing; not found, it posts again. An endpoint that lists requests without descriptions
cannot tell, so the report is left for staff, marked "may have reached the back office", rather
than risk a second copy.

**Never lost.** Failures a retry could fix are tried again after a wait that doubles from
``retry_seconds`` up to ``retry_cap_seconds``, with jitter (so several processes and reports do not
retry in step), until ``max_attempts`` where one is set. A refusal (4xx) is kept as the reason the
report was not sent, and the report stays in the assistant's own queue for staff.

**Services.** At start, and hourly, it reads ``services.json`` and compares it with the catalogue's
``open311_code`` of each report service: a code the endpoint does not offer is logged as an error,
and that service's reports are held (not sent, with the reason) until the endpoint offers it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import re
import secrets
import socket
from datetime import datetime, timedelta
from typing import AsyncIterator, Awaitable, Callable, Mapping, TypeVar

import aiohttp
from aiohttp import web
from sqlalchemy.exc import DBAPIError

from integrations.open311 import NotAuthorised, Open311Client, Open311Error, ServiceNotOffered
from routing import clock
from routing.catalogue import Catalogue, default_catalogue
from routing.reports import MAX_DESCRIPTION_LENGTH
from routing.retries import growing_wait
from storage.engine import open_engine
from storage.open311_outbox import SENT, LeaseLost, Open311Outbox, OutboxEntry, ReportToSend
from wiring.background import running
from wiring.open311 import Open311Settings, open311_settings
from wiring.settings import Settings

logger = logging.getLogger(__name__)
T = TypeVar("T")

SERVICES_CHECK_SECONDS = 3600  # the endpoint's services are read again hourly
LOOK_UP_MARGIN = timedelta(minutes=10)  # either side of the first post, for clocks that differ
LONGEST_LOOK_UP = timedelta(days=90)  # the spec's longest span for GET requests.json
NOT_FOUND, CANNOT_TELL = "not found", "cannot tell"
ROUND = 50  # the most reports one round works on, so the services check is not kept waiting


def report_codes(catalogue: Catalogue) -> dict[str, str]:
    """The catalogue's Open311 service code of each report service: {open311_code: service code}."""
    return {
        str((service.report or {}).get("open311_code", code)): code
        for code, service in catalogue.services.items()
        if service.offers("report")
    }


def report_form(report: ReportToSend, reference_attribute: str | None) -> list[tuple[str, str]]:
    """A report as ``POST requests.json`` takes it. No name, email or phone: the report flow asks
    the resident for none, so there is none they agreed to pass on."""
    description = f"{report.reference}: {report.description}"[:MAX_DESCRIPTION_LENGTH]
    form = [("service_code", report.service_code), ("description", description)]
    if report.lat is not None and report.long is not None:
        form += [("lat", f"{report.lat:.6f}"), ("long", f"{report.long:.6f}")]
    address = report.address_string or ""
    postcode = report.postcode or ""
    if postcode and postcode.replace(" ", "").lower() not in address.replace(" ", "").lower():
        address = f"{address}, {postcode}" if address else postcode
    if address:
        form.append(("address_string", address))
    if reference_attribute:
        form.append((f"attribute[{reference_attribute}]", report.reference))
    return form


def retry_delay(attempts: int, settings: Open311Settings, draw: Callable[[], float] = random.random) -> float:
    """Seconds before the next try after ``attempts`` tries: doubling from ``retry_seconds``, at most
    ``retry_cap_seconds``, and a random half of it taken off (so retries do not come in step)."""
    return growing_wait(attempts, settings.retry_seconds, settings.retry_cap_seconds, draw=draw)


def mentions(text: str | None, reference: str) -> bool:
    """Whether ``text`` carries ``reference`` as a word of its own."""
    return bool(text) and re.search(rf"(?<![\w-]){re.escape(reference)}(?![\w-])", str(text)) is not None


class Open311Sender:
    """Sends the outbox's reports to one endpoint; several may run at once (one per web process)."""

    def __init__(
        self, outbox: Open311Outbox, client: Open311Client, settings: Open311Settings, codes: Mapping[str, str],
        owner: str | None = None,
    ) -> None:  # fmt: skip
        self._outbox = outbox
        self._client = client
        self._settings = settings
        self._codes = dict(codes)
        self.owner = owner or f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(3)}"
        self.offered: set[str] | None = None  # None until the endpoint's services have been read
        self._with_reference: set[str] = set()  # the services whose definition has the reference attribute
        self._send_from: datetime | None = None

    async def check_services(self) -> bool:
        """Read the endpoint's services; hold the reports of codes it does not offer, and send those
        it offers again. False when the endpoint could not be read (the check is tried again)."""
        try:
            services = await self._client.services()
        except Open311Error as error:
            logger.warning("Could not read the Open311 services (reports wait until it can): %s", error)
            return False
        offered = {service.service_code for service in services}
        missing = sorted(set(self._codes) - offered)
        for code in missing:
            logger.error(
                "The council's Open311 endpoint does not offer the service code %s (the catalogue's %s). Its "
                "reports are not sent: they stay in the assistant's own queue.", code, self._codes[code],
            )  # fmt: skip
        self._with_reference = await self._services_with_reference(
            [service.service_code for service in services if service.metadata and service.service_code in self._codes]
        )
        now = clock.now()
        await asyncio.to_thread(self._outbox.send_from, now, self._settings.send_from)
        await asyncio.to_thread(self._outbox.hold, missing, now, _not_offered(missing))
        await asyncio.to_thread(self._outbox.release, sorted(offered), now)
        await asyncio.to_thread(self._outbox.record_check, now, missing)
        self.offered = offered
        return True

    async def _services_with_reference(self, codes: list[str]) -> set[str]:
        """The services whose definition has the reference attribute (and, logged, any attribute a
        service requires that the assistant does not collect)."""
        found = set()
        for code in codes:
            try:
                attributes = await self._client.attributes(code)
            except Open311Error as error:
                logger.warning("Could not read the Open311 definition of %s: %s", code, error)
                continue
            names = {attribute.code for attribute in attributes}
            if self._settings.reference_attribute in names:
                found.add(code)
            required = sorted(
                a.code for a in attributes if a.required and a.variable and a.code != self._settings.reference_attribute
            )
            if required:
                logger.warning("The back office requires attributes of %s the assistant does not collect: %s; its "
                               "reports may be refused", code, ", ".join(required))  # fmt: skip
        return found

    async def run_once(self) -> int:
        """One round: adopt new reports, then work on those that are due. How many were worked on."""
        now = clock.now()
        if self._send_from is None:
            self._send_from = await asyncio.to_thread(self._outbox.send_from, now, self._settings.send_from)
        await asyncio.to_thread(self._outbox.adopt, self._send_from, now)
        if self.offered is None:
            return 0
        handled = 0
        while handled < ROUND:
            # One at a time, each just before its try, so a lease only ever has to outlast one try.
            lease = self._settings.lease_seconds
            claimed = await asyncio.to_thread(self._outbox.claim, self.owner, clock.now(), lease, 1)
            if not claimed:
                break
            handled += 1
            try:
                await (self._resolve_token(claimed[0]) if claimed[0].state == SENT else self._send(claimed[0]))
            except LeaseLost as error:  # it took longer than the lease, and another sender has it now
                logger.warning("An Open311 delivery outlived its lease: %s", error)
            except DBAPIError:
                raise  # the database is away: end the round
            except Exception:  # one odd report must not keep the others waiting: it is tried after its lease
                logger.exception("Report %s could not be worked on", claimed[0].reference)
        return handled

    async def run(self) -> None:
        """Rounds every ``poll_seconds`` until cancelled; the services are checked at start and hourly."""
        loop = asyncio.get_running_loop()
        next_check = loop.time()
        while True:
            if loop.time() >= next_check:
                checked = await self._safely(self.check_services())
                next_check = loop.time() + (SERVICES_CHECK_SECONDS if checked else self._settings.retry_seconds)
            await self._safely(self.run_once())
            await asyncio.sleep(self._settings.poll_seconds)

    async def _safely(self, work: Awaitable[T]) -> T | None:
        try:
            return await work
        except DBAPIError:  # the database is away: the outbox is untouched, the next round tries again
            logger.warning("The database did not answer the Open311 sender; it tries again shortly")
        except Exception:  # one bad report must not stop the sender for the others
            logger.exception("The Open311 sender failed a round; it carries on")
        return None

    async def _send(self, entry: OutboxEntry) -> None:
        outbox, now = self._outbox, clock.now()
        report = await asyncio.to_thread(outbox.report_to_send, entry.reference)
        if report is None:
            await asyncio.to_thread(outbox.fail, entry.id, self.owner, now, "The report is no longer kept.")
            return
        if self.offered is not None and entry.service_code not in self.offered:
            await asyncio.to_thread(outbox.held, entry.id, self.owner, now, _not_offered([entry.service_code]))
            return
        if entry.in_doubt and await self._found_already(entry, report):
            return
        with_reference = entry.service_code in self._with_reference
        form = report_form(report, self._settings.reference_attribute if with_reference else None)
        await asyncio.to_thread(outbox.begin_post, entry.id, self.owner, now, self._settings.lease_seconds)
        try:
            posted = await self._client.post_request(form)
        except ServiceNotOffered as error:
            await asyncio.to_thread(outbox.held, entry.id, self.owner, clock.now(), str(error))
            return
        except Open311Error as error:
            await self._after_failure(entry, entry.attempts + 1, error, in_doubt=error.maybe_received)
            return
        next_try = None if posted.service_request_id or not posted.token else clock.now() + _seconds(self._settings)
        await asyncio.to_thread(
            outbox.sent, entry.id, self.owner, clock.now(), posted.service_request_id, posted.token, next_try
        )
        logger.info("Report %s sent to the back office as %s", entry.reference,
                    posted.service_request_id or f"token {posted.token}")  # fmt: skip

    async def _found_already(self, entry: OutboxEntry, report: ReportToSend) -> bool:
        """For a report in doubt: look it up on the endpoint. True when nothing more is to be done
        now (found and kept, left for staff, or the look-up failed and waits for a retry)."""
        outbox = self._outbox
        try:
            found = await self._look_up(entry, report)
        except Open311Error as error:
            if error.retry_may_help:  # the look-up was this try: count it
                await asyncio.to_thread(outbox.count_attempt, entry.id, self.owner, clock.now())
                await self._after_failure(entry, entry.attempts + 1, error, in_doubt=True, doing="looking it up")
                return True
            found = CANNOT_TELL  # the endpoint will not list its requests
        if found == NOT_FOUND:
            return False
        if found == CANNOT_TELL:
            reason = (f"It may have reached the back office: a post failed and the back office cannot say whether "
                      f"it has {entry.reference}. Check there before sending it again.")  # fmt: skip
            logger.error("Report %s is left for staff: %s", entry.reference, reason)
            await asyncio.to_thread(outbox.fail, entry.id, self.owner, clock.now(), reason, True)
            return True
        await asyncio.to_thread(outbox.sent, entry.id, self.owner, clock.now(), found, None)
        logger.info("Report %s was already with the back office as %s: not sent again", entry.reference, found)
        return True

    async def _look_up(self, entry: OutboxEntry, report: ReportToSend) -> str:
        """The back office's id for the report if it has it, else ``NOT_FOUND`` or ``CANNOT_TELL``."""
        end = clock.now() + LOOK_UP_MARGIN
        start = max((entry.first_posted_at or report.requested_datetime) - LOOK_UP_MARGIN, end - LONGEST_LOOK_UP)
        listed = await self._client.requests(entry.service_code, start, end)
        for request in listed:
            if mentions(request.description, entry.reference):
                return request.service_request_id
        if listed and all(request.description is None for request in listed):
            return CANNOT_TELL
        return NOT_FOUND

    async def _resolve_token(self, entry: OutboxEntry) -> None:
        outbox, now = self._outbox, clock.now()
        await asyncio.to_thread(outbox.count_attempt, entry.id, self.owner, now)
        try:
            request_id = await self._client.token(entry.token or "")
        except Open311Error as error:
            await self._after_failure(entry, entry.attempts + 1, error, doing="asking for the id of its token")
            return
        if request_id is None:
            waiting = Open311Error("the back office has not given an id for its token yet")
            await self._after_failure(entry, entry.attempts + 1, waiting, doing="asking for the id of its token")
            return
        await asyncio.to_thread(outbox.sent, entry.id, self.owner, clock.now(), request_id, entry.token)
        logger.info("Report %s has the back office id %s (from its token)", entry.reference, request_id)

    async def _after_failure(
        self, entry: OutboxEntry, attempts: int, error: Open311Error, in_doubt: bool | None = None, doing: str = ""
    ) -> None:
        """Retry later with backoff, or stop where a retry cannot help or the tries have run out."""
        outbox, now = self._outbox, clock.now()
        said = f"{doing}: {error}" if doing else str(error)
        limit = self._settings.max_attempts
        if isinstance(error, NotAuthorised):  # fixed in the settings, then the same report goes
            logger.error("The Open311 endpoint refused the API key; check COUNCIL_OPEN311_API_KEY: %s", error)
        elif not error.retry_may_help or (limit and attempts >= limit):
            if in_doubt:
                said += " It may have reached the back office: check there before sending it again."
            logger.error("Report %s was not sent to the back office: %s", entry.reference, said)
            if entry.state == SENT:  # it is with the back office; only its id is missing
                await asyncio.to_thread(outbox.retry, entry.id, self.owner, now, None, said)
            else:
                await asyncio.to_thread(outbox.fail, entry.id, self.owner, now, said, in_doubt)
            return
        at = now + timedelta(seconds=retry_delay(attempts, self._settings))
        logger.warning("Report %s: %s; trying again at %s", entry.reference, said, at.isoformat(timespec="seconds"))
        await asyncio.to_thread(outbox.retry, entry.id, self.owner, now, at, said, in_doubt)


def _seconds(settings: Open311Settings) -> timedelta:
    return timedelta(seconds=settings.retry_seconds)


def _not_offered(codes: list[str]) -> str:
    return f"Not sent: the back office does not offer the service code {', '.join(codes)}."


def open311_sending(settings: Settings) -> Callable[[web.Application], AsyncIterator[None]]:
    """The web app's lifecycle step that runs the sender while the app runs (when an endpoint is
    set) and stops it cleanly: ``app.cleanup_ctx.append(open311_sending(settings))``."""

    async def sending(_app: web.Application) -> AsyncIterator[None]:
        connector = open311_settings()
        if not connector.enabled:
            yield
            return
        engine = open_engine(settings.database_url)  # the tables are there: the database step migrated them
        async with aiohttp.ClientSession() as session:
            client = Open311Client(session, connector)
            sender = Open311Sender(Open311Outbox(engine), client, connector, report_codes(default_catalogue()))
            logger.info("Sending reports to the Open311 endpoint %s", connector.url)
            async with running(sender.run()):
                yield
        engine.dispose()

    return sending

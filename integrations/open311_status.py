"""The back office's status, carried to the report a resident asks about ("any update on SCC-...").

When the report has reached the back office, the action server asks ``GET requests/{id}.json``
(resolving a token to the id first where the back office gave one), with a short timeout, at most
once a minute per report in each process. A new status or note is recorded on the report as a change
of stage by the back office, which is what the resident hears:

- Open311 ``closed``: the report is closed, with the back office's note;
- ``open`` with a new note: the report keeps its stage with that note, except that a new report
  moves to in progress (someone is on it) and a closed one is reopened as in progress;
- ``open`` with no note, or the note it already had: nothing changes.

An endpoint that is away, slow or odd changes nothing: the resident hears what is stored.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import time

import aiohttp
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from integrations.open311 import Open311Client, Open311Error, RequestStatus
from routing import clock
from routing.reports import BACK_OFFICE, MAX_PUBLIC_NOTE_LENGTH, RepeatedChange, ReportError, ServiceRequest
from storage.open311_outbox import SENT, Open311Outbox, OutboxEntry
from storage.reports import ReportStore
from wiring.open311 import Open311Settings

logger = logging.getLogger(__name__)

_TAGS = re.compile(r"<[^>]*>")
CLOSED_NOTE = "The team has closed this report."


def stage_after(current: str, status: str, note: str | None, had_note: str | None) -> str | None:
    """The stage a report at ``current`` moves to when the back office says ``status`` with ``note``
    (it had ``had_note``), or None when nothing should change."""
    if status == "closed":
        return None if current == "closed" else "closed"
    if current == "closed":
        return "in_progress"  # the back office reopened it
    if not note or note == had_note:
        return None
    return "in_progress" if current == "new" else current


def public_note(notes: str | None) -> str | None:
    """The back office's notes as a note the resident can hear: plain text, one paragraph, short."""
    # Entities first ("Fixed &amp; closed", "&lt;b&gt;"), then any tags they made.
    text = " ".join(_TAGS.sub(" ", html.unescape(notes or "")).split())
    if len(text) > MAX_PUBLIC_NOTE_LENGTH:
        text = text[: MAX_PUBLIC_NOTE_LENGTH - 1].rsplit(" ", 1)[0] + "…"
    return text or None


class BackOfficeStatus:
    """Refreshes a report from the back office before the assistant answers about it."""

    def __init__(self, engine: Engine, settings: Open311Settings) -> None:
        self._outbox = Open311Outbox(engine)
        self._reports = ReportStore(engine)
        self._settings = settings
        self._asked: dict[str, float] = {}  # reference -> when this process last asked the back office

    async def refresh(self, reference: str) -> tuple[ServiceRequest, ServiceRequest] | None:
        """Carry the back office's latest status of ``reference`` to the stored report, when the
        report is with the back office and was not asked about in the last ``status_cache_seconds``;
        the report before and after, when this call changed it. Never raises: with the back office
        or the database away, the stored status stands."""
        if not self._settings.enabled or not self._due(reference):
            return None
        try:
            entry = await asyncio.to_thread(self._outbox.delivery, reference)
            if entry is None or entry.state != SENT or not (entry.back_office_id or entry.token):
                return None
            found = await self._ask(entry)
            if found is not None:
                return await asyncio.to_thread(self._carry, entry, found)
        except Open311Error as error:
            logger.info("The back office did not give the status of %s; answering from what is stored: %s",
                        reference, error)  # fmt: skip
        except DBAPIError:
            logger.warning("The database did not answer while refreshing %s from the back office", reference)
        return None

    def _due(self, reference: str) -> bool:
        moment = time.monotonic()
        if moment - self._asked.get(reference, float("-inf")) < self._settings.status_cache_seconds:
            return False
        if len(self._asked) > 10_000:  # forget the oldest half, so the map stays small
            for old in sorted(self._asked, key=self._asked.__getitem__)[:5_000]:
                del self._asked[old]
        self._asked[reference] = moment  # asked, answered or not: an endpoint that is away is not asked again at once
        return True

    async def _ask(self, entry: OutboxEntry) -> RequestStatus | None:
        timeout = self._settings.status_timeout_seconds
        async with aiohttp.ClientSession() as session:
            client = Open311Client(session, self._settings, timeout=timeout)
            request_id = entry.back_office_id
            if request_id is None:
                request_id = await client.token(entry.token or "")
                if request_id is None:
                    return None
                await asyncio.to_thread(self._outbox.resolved, entry.reference, request_id, clock.now())
            return await client.request(request_id)

    def _carry(self, entry: OutboxEntry, found: RequestStatus) -> tuple[ServiceRequest, ServiceRequest] | None:
        seen = (entry.remote_status, entry.remote_notes)
        now_ = (found.status, found.status_notes)
        if now_ == seen:
            return None
        # Of several processes asking at once, the one that records the new status carries it.
        if not self._outbox.remote_changed(entry.reference, seen, now_, clock.now()):
            return None
        report = self._reports.get(entry.reference)
        if report is None:
            return None
        note = public_note(found.status_notes)
        stage = stage_after(report.stage, found.status, note, public_note(seen[1]))
        if stage is None:
            return None
        if stage == "closed" and note is None:
            note = CLOSED_NOTE
        try:
            changed = self._reports.change_stage(entry.reference, stage, note, by=BACK_OFFICE)
        except RepeatedChange:  # the same change again: nothing new to carry
            pass
        except ReportError as error:  # staff changed it at that moment, or a note it cannot take
            # Not recorded: the status as seen before is put back, so the next ask carries it again.
            self._outbox.remote_changed(entry.reference, now_, seen, clock.now())
            logger.info("The back office's status of %s was not recorded: %s", entry.reference, error)
        else:
            logger.info("Report %s is now %s, from the back office", entry.reference, stage)
            return report, changed
        return None

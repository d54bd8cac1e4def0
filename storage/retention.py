"""Deleting what the assistant keeps about residents once it is no longer needed.

Three kinds of record, each with its own period (``wiring.settings.RetentionPeriods``):

- **conversations**: Rasa's tracker store (table ``events``), a whole conversation at a time once
  its last message is older than the period;
- **transcripts**: live chat messages, and a closed case's transcript, summary, needs, call-back
  number, notes and chat id, once the case closed longer ago than the period (the case itself
  stays, as a bare record: reference, channel, status and times);
- **closed cases**: the bare record and its history, with its booking, once it closed longer ago;
  closed reports (what was reported, where, and the notes residents heard) likewise, with their
  history and their record in the Open311 outbox.

Open cases and reports are never touched: someone is still working on them. Rasa has no delete API for its
tracker store (RasaHQ/rasa#10719), so its table is cleared here with plain SQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import and_, bindparam, delete, inspect, or_, select, text, update
from sqlalchemy.engine import Engine, make_url

from storage.bookings import slot_bookings
from storage.engine import open_engine
from storage.handoffs import handoff_cases, handoff_events
from storage.live_chat import adviser_presence, live_messages
from storage.notify_outbox import PENDING, notify_outbox
from storage.open311_outbox import open311_outbox
from storage.reports import report_updates, service_requests
from storage.update_contacts import update_contacts

EMPTY_LIST = json.dumps([])
EMPTY_SUMMARY = json.dumps({})


@dataclass(frozen=True)
class Deleted:
    """What one retention run removed, as counts only."""

    conversations: int = 0
    conversation_events: int = 0
    live_messages: int = 0
    transcripts: int = 0
    cases: int = 0
    reports: int = 0

    def lines(self) -> list[str]:
        """The counts in words, one a line."""
        return [
            f"Conversations deleted: {self.conversations} ({self.conversation_events} tracker events)",
            f"Live chat messages deleted: {self.live_messages}",
            f"Closed cases' transcripts and details cleared: {self.transcripts}",
            f"Closed cases deleted: {self.cases}",
            f"Closed reports deleted: {self.reports}",
        ]


def forget_conversations(tracker_url: str, before: datetime) -> tuple[int, int]:
    """Delete every conversation in Rasa's SQL tracker store at ``tracker_url`` (its SQLite file, or
    PostgreSQL in the scale-out) whose last event is before ``before``; (conversations, events)
    deleted. Nothing to do when there is no store yet."""
    parsed = make_url(tracker_url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return 0, 0
    engine = open_engine(tracker_url)
    try:
        if "events" not in inspect(engine).get_table_names():
            return 0, 0
        with engine.begin() as connection:
            old = connection.execute(
                text("SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"),
                {"cutoff": before.timestamp()},
            ).scalars()
            senders = list(old)
            events = 0
            for start in range(0, len(senders), 500):  # SQLite limits the parameters of one statement
                chunk = senders[start : start + 500]
                statement = text("DELETE FROM events WHERE sender_id IN :senders")
                found = connection.execute(
                    statement.bindparams(bindparam("senders", expanding=True)), {"senders": chunk}
                )
                events += found.rowcount
        return len(senders), events
    finally:
        engine.dispose()


def forget_transcripts(engine: Engine, before: datetime) -> tuple[int, int]:
    """Delete live chat messages older than ``before`` (unless their case is still open), and clear
    what residents said from cases closed before ``before``; (messages, cases cleared)."""
    closed_early = and_(handoff_cases.c.closed_at.is_not(None), handoff_cases.c.closed_at < before)
    still_open = select(handoff_cases.c.reference).where(handoff_cases.c.closed_at.is_(None))
    with engine.begin() as connection:
        messages = connection.execute(
            delete(live_messages).where(live_messages.c.at < before, live_messages.c.reference.not_in(still_open))
        ).rowcount
        cleared = connection.execute(
            update(handoff_cases)
            .where(
                closed_early,
                or_(
                    handoff_cases.c.transcript != EMPTY_LIST,
                    handoff_cases.c.summary != EMPTY_SUMMARY,
                    handoff_cases.c.conversation_id.is_not(None),
                    handoff_cases.c.callback_number.is_not(None),
                ),
            )
            .values(
                transcript=EMPTY_LIST,
                summary=EMPTY_SUMMARY,
                needs=EMPTY_LIST,
                adjustments=EMPTY_LIST,
                callback_number=None,
                conversation_id=None,
            )  # fmt: skip
        ).rowcount
        cases = select(handoff_cases.c.id).where(closed_early)
        connection.execute(update(handoff_events).where(handoff_events.c.case_id.in_(cases)).values(detail=None))
    return messages, cleared


def forget_update_contacts(engine: Engine, before: datetime) -> int:
    """Delete the update choices (numbers, email and postal addresses) of cases and reports closed
    before ``before``, and of references with neither any more, chosen before then; and the outbox's
    finished messages last changed before then. How many choices went."""
    closed_cases = select(handoff_cases.c.reference).where(
        handoff_cases.c.closed_at.is_not(None), handoff_cases.c.closed_at < before
    )
    closed_reports = select(service_requests.c.service_request_id).where(
        service_requests.c.stage == "closed", service_requests.c.closed_at < before
    )
    known = select(handoff_cases.c.reference).union(select(service_requests.c.service_request_id))
    with engine.begin() as connection:
        gone = connection.execute(
            delete(update_contacts).where(
                or_(
                    update_contacts.c.reference.in_(closed_cases),
                    update_contacts.c.reference.in_(closed_reports),
                    and_(update_contacts.c.chosen_at < before, update_contacts.c.reference.not_in(known)),
                )
            )
        ).rowcount
        connection.execute(
            delete(notify_outbox).where(notify_outbox.c.state != PENDING, notify_outbox.c.updated_at < before)
        )
    return int(gone)


def forget_cases(engine: Engine, before: datetime) -> int:
    """Delete cases closed before ``before``, with their history, booking and live chat presence."""
    with engine.begin() as connection:
        old = select(handoff_cases.c.id, handoff_cases.c.reference).where(
            handoff_cases.c.closed_at.is_not(None), handoff_cases.c.closed_at < before
        )
        rows = connection.execute(old).all()
        ids, references = [row.id for row in rows], [row.reference for row in rows]
        for start in range(0, len(ids), 500):
            chunk_ids, chunk_refs = ids[start : start + 500], references[start : start + 500]
            connection.execute(delete(handoff_events).where(handoff_events.c.case_id.in_(chunk_ids)))
            connection.execute(delete(slot_bookings).where(slot_bookings.c.reference.in_(chunk_refs)))
            connection.execute(delete(adviser_presence).where(adviser_presence.c.reference.in_(chunk_refs)))
            connection.execute(delete(live_messages).where(live_messages.c.reference.in_(chunk_refs)))
            connection.execute(delete(handoff_cases).where(handoff_cases.c.id.in_(chunk_ids)))
    return len(ids)


def forget_reports(engine: Engine, before: datetime) -> int:
    """Delete reports closed before ``before``, with their history and their Open311 outbox record."""
    with engine.begin() as connection:
        old = select(service_requests.c.service_request_id).where(
            service_requests.c.stage == "closed", service_requests.c.closed_at < before
        )
        references = list(connection.execute(old).scalars())
        for start in range(0, len(references), 500):  # SQLite limits the parameters of one statement
            chunk = references[start : start + 500]
            connection.execute(delete(report_updates).where(report_updates.c.reference.in_(chunk)))
            connection.execute(delete(open311_outbox).where(open311_outbox.c.reference.in_(chunk)))
            connection.execute(delete(service_requests).where(service_requests.c.service_request_id.in_(chunk)))
    return len(references)

"""The outbox of updates to residents: one row per (reference, message kind, occasion), so nothing is
queued twice however many web processes plan updates, and a lease so each is sent by one process.

A row holds the reference, the kind, and the message's personalisation (the service's plain name and
a time in words), never the resident's number or address: those are read from
``storage.update_contacts`` when the message is sent, so a contact forgotten meanwhile is not used.
The planner's cursor over the webhook events is kept in ``update_planner``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Table, Text, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from routing import clock
from routing.updates import REMINDER_KINDS
from storage.engine import from_row, metadata
from storage.update_contacts import update_contacts

notify_outbox = Table(
    "notify_outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), nullable=False, unique=True),  # Notify's ``reference``: looked up after a timeout
    Column("reference", String(16), nullable=False, index=True),
    Column("kind", String(24), nullable=False),
    Column("occasion", String(64), nullable=False),  # the webhook event, or the slot reminded of
    Column("channel", String(8)),  # text, email or letter, once tried
    Column("personalisation", Text, nullable=False),  # JSON: reference, service, when
    Column("state", String(16), nullable=False, index=True),
    Column("attempts", Integer, nullable=False),
    Column("outcome_unknown", Boolean, nullable=False),  # the last try had no answer: look it up first
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, index=True),
    Column("lease_until", DateTime(timezone=True)),
    Column("leased_by", String(32)),
    Column("notify_id", String(64)),
    Column("last_error", String(200)),  # a status and a fixed phrase, never personal data
    Column("body", Text),  # written_locally: the text the resident would have received
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

update_planner = Table(
    "update_planner",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("cursor", Integer, nullable=False),  # the last webhook event planned from
)

PENDING, SENT, FAILED, WRITTEN_LOCALLY, CANCELLED = "pending", "sent", "failed", "written_locally", "cancelled"
STATES = (PENDING, SENT, FAILED, WRITTEN_LOCALLY, CANCELLED)
EVENTS_CURSOR = "webhook_events"
_REFERENCE = notify_outbox.c.reference


def outbox_key(reference: str, kind: str, occasion: str) -> str:
    """The message's unique key, also sent to Notify as its ``reference``: no personal data in it."""
    digest = hashlib.sha256(f"{reference}|{kind}|{occasion}".encode()).hexdigest()[:16]
    return f"{reference}-{kind}-{digest}"


@dataclass(frozen=True)
class Message:
    """A message due to be sent, held by this process's lease, with the resident's current choice."""

    id: int
    key: str
    reference: str
    kind: str
    personalisation: dict[str, str]
    attempts: int
    outcome_unknown: bool
    leased_by: str
    channel: str | None  # the resident's choice now; None when it was forgotten
    contact: str | None
    conversation_id: str | None


@dataclass(frozen=True)
class OutboxEntry:
    """One line of the staff page "Messages to residents"."""

    reference: str
    kind: str
    channel: str | None
    state: str
    attempts: int
    last_error: str | None
    body: str | None
    created_at: datetime
    updated_at: datetime


def queue_message(
    connection: Connection, reference: str, kind: str, occasion: str, fields: Mapping[str, str], now: datetime
) -> bool:
    """Queue a message on ``connection`` unless it is queued already; whether it was new."""
    values = {
        "key": outbox_key(reference, kind, occasion), "reference": reference, "kind": kind,
        "occasion": occasion[:64], "personalisation": json.dumps(dict(fields)), "state": PENDING, "attempts": 0,
        "outcome_unknown": False, "next_attempt_at": now, "created_at": now, "updated_at": now,
    }  # fmt: skip
    return connection.execute(_insert_new(connection, notify_outbox).values(**values)).rowcount == 1


def _insert_new(connection: Connection, table: Table) -> Any:
    """An INSERT that does nothing for a row whose unique key is there already (another process
    queued it first): the rest of the transaction carries on."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


class NotifyOutbox:
    """Takes due messages with a lease, records each try, and shows the outbox to staff."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def queue(self, reference: str, kind: str, occasion: str, fields: Mapping[str, str]) -> bool:
        """Queue one message (for tests and one-off use); whether it was new."""
        with self._engine.begin() as connection:
            return queue_message(connection, reference, kind, occasion, fields, clock.now())

    def claim(self, lease_seconds: float, limit: int = 20, now: datetime | None = None) -> list[Message]:
        """Take up to ``limit`` due messages, oldest first, for ``lease_seconds``."""
        now = now or clock.now()
        token = secrets.token_hex(8)
        free = or_(notify_outbox.c.lease_until.is_(None), notify_outbox.c.lease_until < now)
        due = (
            select(notify_outbox.c.id)
            .where(notify_outbox.c.state == PENDING, notify_outbox.c.next_attempt_at <= now, free)
            .order_by(notify_outbox.c.next_attempt_at, notify_outbox.c.id)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            candidates = connection.execute(due).scalars().all()
        with self._engine.begin() as connection:
            for message_id in candidates:  # the same conditions again: of two processes, one wins
                connection.execute(
                    update(notify_outbox)
                    .where(notify_outbox.c.id == message_id, notify_outbox.c.state == PENDING, free)
                    .values(lease_until=now + timedelta(seconds=lease_seconds), leased_by=token)
                )
        query = (
            select(
                notify_outbox,
                update_contacts.c.channel.label("chosen"),
                update_contacts.c.contact,
                update_contacts.c.conversation_id,
            )  # fmt: skip
            .select_from(
                notify_outbox.outerjoin(update_contacts, update_contacts.c.reference == notify_outbox.c.reference)
            )
            .where(notify_outbox.c.leased_by == token)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [_message(row) for row in rows]

    def record(
        self, message: Message, state: str, *, channel: str | None = None, notify_id: str | None = None,
        error: str | None = None, retry_at: datetime | None = None, body: str | None = None,
        unknown: bool = False, now: datetime | None = None,
    ) -> bool:  # fmt: skip
        """Record a try: a final ``state`` (sent, failed, written_locally, cancelled), or ``pending``
        again at ``retry_at`` (``unknown`` when the try had no answer). False when this process's
        lease had run out and another took the message over (nothing is written)."""
        now = now or clock.now()
        values: dict[str, Any] = {
            "state": state, "attempts": notify_outbox.c.attempts + 1, "channel": channel, "updated_at": now,
            "lease_until": None, "leased_by": None, "last_error": (error or None) and error[:200],
            "outcome_unknown": unknown, "next_attempt_at": retry_at or now,
        }  # fmt: skip
        if notify_id is not None:
            values["notify_id"] = notify_id
        if body is not None:
            values["body"] = body
        held = and_(notify_outbox.c.id == message.id, notify_outbox.c.leased_by == message.leased_by)
        with self._engine.begin() as connection:
            return connection.execute(update(notify_outbox).where(held).values(**values)).rowcount == 1

    def entries(self, limit: int = 100) -> list[OutboxEntry]:
        """The latest messages, newest first."""
        query = select(notify_outbox).order_by(notify_outbox.c.created_at.desc(), notify_outbox.c.id.desc())
        with self._engine.connect() as connection:
            rows = connection.execute(query.limit(limit)).mappings().all()
        return [from_row(OutboxEntry, row) for row in rows]

    def was_reminded(self, reference: str) -> bool:
        """Whether a reminder about the case ``reference`` reached the resident's chosen channel: sent
        through Notify or written to the local outbox, never one still waiting, failed or cancelled."""
        query = select(notify_outbox.c.id).where(
            reference == _REFERENCE,
            notify_outbox.c.kind.in_(REMINDER_KINDS),
            notify_outbox.c.state.in_((SENT, WRITTEN_LOCALLY)),
        )
        with self._engine.connect() as connection:
            return connection.execute(query.limit(1)).first() is not None


def _message(row: Mapping[str, Any]) -> Message:
    chosen = row["chosen"] if row["chosen"] not in (None, "none") else None
    return Message(
        id=row["id"], key=row["key"], reference=row["reference"], kind=row["kind"],
        personalisation=json.loads(row["personalisation"]), attempts=row["attempts"],
        outcome_unknown=bool(row["outcome_unknown"]), leased_by=row["leased_by"], channel=chosen,
        contact=row["contact"] if chosen else None, conversation_id=row["conversation_id"],
    )  # fmt: skip


def read_cursor(connection: Connection) -> int:
    """The last webhook event the planner has planned from (0 before the first)."""
    query = select(update_planner.c.cursor).where(update_planner.c.name == EVENTS_CURSOR)
    return int(connection.execute(query).scalar() or 0)


def move_cursor(connection: Connection, old: int, new: int) -> bool:
    """Move the planner's cursor from ``old`` to ``new`` (a compare-and-set); False when another
    process moved it first."""
    if old == 0 and not connection.execute(select(update_planner.c.name)).first():
        added = _insert_new(connection, update_planner).values(name=EVENTS_CURSOR, cursor=new)
        return connection.execute(added).rowcount == 1
    same = and_(update_planner.c.name == EVENTS_CURSOR, update_planner.c.cursor == old)
    return connection.execute(update(update_planner).where(same).values(cursor=new)).rowcount == 1

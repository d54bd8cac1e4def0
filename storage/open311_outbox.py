"""The Open311 outbox: one row per report to send to the council's back office, with its state,
tries, the next try's time, a lease, and what the back office answered.

How reports come in: the sender copies every report that has no row yet (``adopt``), in one
``INSERT ... SELECT``, on each of its rounds. Nothing else writes here when a report is made, so a
process that dies just after storing a report loses nothing: the report is in ``service_requests``,
and the next round finds it. Only reports made at or after the connector's start time are taken
(``send_from``: the first time the connector ran against this database, kept in
``open311_connector``, unless the settings give one), so switching the connector on does not send the
back office every report the assistant ever took.

States: ``waiting`` (to send), ``sent`` (the back office has it: its id, or a token that gives the
id later), ``held`` (its service code is not one the endpoint offers; sent once it is), and
``failed`` (refused, or the tries ran out: left in the assistant's own queue for staff).
A row with work to do has a ``next_attempt_at``. A sender takes a row with an atomic
``UPDATE ... WHERE`` the lease has run out, so two web processes never work on one report at once,
on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    and_,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from storage.engine import as_utc, from_row, metadata
from storage.reports import service_requests

WAITING, SENT, HELD, FAILED = "waiting", "sent", "held", "failed"
MAX_IDENTIFIER_LENGTH = 255  # a back office's id or token
STATES = (WAITING, SENT, HELD, FAILED)

open311_outbox = Table(
    "open311_outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(16), nullable=False, unique=True),  # the report's SCC reference
    Column("service_code", String(64), nullable=False),  # the report's Open311 service code
    Column("state", String(16), nullable=False, index=True),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), index=True),  # None: nothing more to do
    Column("lease_owner", String(64)),
    Column("lease_until", DateTime(timezone=True)),
    # A post began and its outcome is not known (it failed ambiguously, or its sender died): look
    # the report up on the endpoint before posting it again.
    Column("in_doubt", Boolean, nullable=False),
    Column("first_posted_at", DateTime(timezone=True)),
    Column("back_office_id", String(MAX_IDENTIFIER_LENGTH)),  # the back office's service_request_id
    Column("token", String(MAX_IDENTIFIER_LENGTH)),
    Column("last_error", Text),
    Column("remote_status", String(16)),  # the back office's status and notes, as last carried back
    Column("remote_notes", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

open311_connector = Table(
    "open311_connector",
    metadata,
    Column("id", Integer, primary_key=True),  # always 1: one connector per database
    Column("send_from", DateTime(timezone=True), nullable=False),
    Column("checked_at", DateTime(timezone=True)),  # the last check of the endpoint's services
    Column("missing_codes", Text),  # the catalogue's codes it did not offer then, comma-separated
)


@dataclass(frozen=True)
class OutboxEntry:
    """One report's delivery to the back office."""

    id: int
    reference: str
    service_code: str
    state: str
    attempts: int
    next_attempt_at: datetime | None
    in_doubt: bool
    first_posted_at: datetime | None
    back_office_id: str | None
    token: str | None
    last_error: str | None
    remote_status: str | None
    remote_notes: str | None


@dataclass(frozen=True)
class ReportToSend:
    """What a post to the back office needs of a stored report."""

    reference: str
    service_code: str
    address_string: str | None
    postcode: str | None
    lat: float | None
    long: float | None
    description: str
    requested_datetime: datetime


@dataclass(frozen=True)
class ServicesCheck:
    """The last check of the endpoint's services: when, and the catalogue's codes it did not offer."""

    checked_at: datetime | None
    missing_codes: tuple[str, ...]


class LeaseLost(Exception):
    """The row's lease ran out and another sender took it: this sender's outcome was not recorded."""


class Open311Outbox:
    """Reads and moves the outbox's rows. Every change made by a sender names the sender (``owner``)
    and succeeds only while it still holds the row's lease."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def send_from(self, now: datetime, configured: datetime | None = None) -> datetime:
        """The time from which reports are sent: ``configured``, or the connector's first start
        (``now`` on the first call against this database, kept from then on)."""
        with self._engine.connect() as connection:
            kept = connection.execute(select(open311_connector.c.send_from).where(open311_connector.c.id == 1)).scalar()
        if kept is None:
            try:
                with self._engine.begin() as connection:
                    connection.execute(open311_connector.insert().values(id=1, send_from=now))
                kept = now
            except IntegrityError:  # another process started the connector at the same moment
                return self.send_from(now, configured)
        return configured if configured is not None else as_utc(kept)

    def adopt(self, send_from: datetime, now: datetime) -> int:
        """Add a waiting row for each report made since ``send_from`` that has none; how many."""
        reports = service_requests.c
        has_row = exists().where(open311_outbox.c.reference == reports.service_request_id)
        found = select(
            reports.service_request_id, reports.open311_code, literal(WAITING), literal(0),
            literal(now, DateTime(timezone=True)), literal(False), literal(now, DateTime(timezone=True)),
            literal(now, DateTime(timezone=True)),
        ).where(reports.requested_datetime >= send_from, ~has_row)  # fmt: skip
        columns = [
            "reference", "service_code", "state", "attempts", "next_attempt_at", "in_doubt", "created_at", "updated_at",
        ]  # fmt: skip
        try:
            with self._engine.begin() as connection:
                return int(connection.execute(insert(open311_outbox).from_select(columns, found)).rowcount or 0)
        except IntegrityError:  # another sender adopted some of them first: the next round takes the rest
            return 0

    def claim(self, owner: str, now: datetime, lease_seconds: float, limit: int = 20) -> list[OutboxEntry]:
        """Take up to ``limit`` rows that are due and not held by a live lease, for ``owner``."""
        row = open311_outbox.c
        free = or_(row.lease_until.is_(None), row.lease_until < now)
        due = and_(row.state.in_((WAITING, SENT)), row.next_attempt_at.is_not(None), row.next_attempt_at <= now, free)
        with self._engine.connect() as connection:
            ids = connection.execute(select(row.id).where(due).order_by(row.next_attempt_at).limit(limit)).scalars()
            candidates = list(ids)
        taken = []
        until = now + timedelta(seconds=lease_seconds)
        for entry_id in candidates:
            with self._engine.begin() as connection:
                # The lease test again, in the UPDATE itself: of two senders, exactly one changes the row.
                claimed = connection.execute(
                    update(open311_outbox).where(row.id == entry_id, due).values(lease_owner=owner, lease_until=until)
                ).rowcount
            if claimed == 1:
                taken.append(entry_id)
        return [entry for entry_id in taken if (entry := self._get(open311_outbox.c.id == entry_id)) is not None]

    def begin_post(self, entry_id: int, owner: str, now: datetime, lease_seconds: float) -> None:
        """Note that a post is starting (kept before it goes, so a sender that dies mid-post leaves
        the report in doubt, and the next one looks it up first). The lease must still be running,
        and runs a whole lease again from now: no other sender takes the report while it is posted."""
        self._change(entry_id, owner, now, keep_lease=True, held_at=now, in_doubt=True,
                     attempts=open311_outbox.c.attempts + 1, first_posted_at=_first(now),
                     lease_until=now + timedelta(seconds=lease_seconds))  # fmt: skip

    def count_attempt(self, entry_id: int, owner: str, now: datetime) -> None:
        """Count a try that posted nothing (a look-up, or resolving a token)."""
        self._change(entry_id, owner, now, keep_lease=True, attempts=open311_outbox.c.attempts + 1)

    def sent(self, entry_id: int, owner: str, now: datetime, back_office_id: str | None, token: str | None,
             next_attempt_at: datetime | None = None) -> None:  # fmt: skip
        """The back office has the report: its id, or a token to resolve at ``next_attempt_at``."""
        self._change(entry_id, owner, now, state=SENT, in_doubt=False, back_office_id=back_office_id, token=token,
                     next_attempt_at=next_attempt_at, last_error=None)  # fmt: skip

    def held(self, entry_id: int, owner: str, now: datetime, reason: str) -> None:
        """Hold one report whose service code the endpoint does not offer (sent once it does)."""
        self._change(entry_id, owner, now, state=HELD, next_attempt_at=None, in_doubt=False, last_error=reason)

    def retry(self, entry_id: int, owner: str, now: datetime, at: datetime | None, error: str,
              in_doubt: bool | None = None) -> None:  # fmt: skip
        """Try again at ``at`` (None: no more tries, for a sent report whose token gives no id), keeping
        why this try failed (and, for a post, whether it is in doubt)."""
        values: dict[str, Any] = {"next_attempt_at": at, "last_error": error[:2000]}
        if in_doubt is not None:
            values["in_doubt"] = in_doubt
        self._change(entry_id, owner, now, **values)

    def fail(self, entry_id: int, owner: str, now: datetime, error: str, in_doubt: bool | None = None) -> None:
        """Stop: the report stays in the assistant's own queue, marked not sent with ``error``."""
        values: dict[str, Any] = {"state": FAILED, "next_attempt_at": None, "last_error": error[:2000]}
        if in_doubt is not None:
            values["in_doubt"] = in_doubt
        self._change(entry_id, owner, now, **values)

    def hold(self, codes: Iterable[str], now: datetime, reason: str) -> int:
        """Hold the waiting reports of service ``codes`` (not offered by the endpoint); how many."""
        row = open311_outbox.c
        codes = list(codes)
        if not codes:
            return 0
        free = or_(row.lease_until.is_(None), row.lease_until < now)
        with self._engine.begin() as connection:
            return int(connection.execute(
                update(open311_outbox).where(row.state == WAITING, row.service_code.in_(codes), free)
                .values(state=HELD, next_attempt_at=None, last_error=reason, updated_at=now)
            ).rowcount)  # fmt: skip

    def release(self, offered: Iterable[str], now: datetime) -> int:
        """Send the held reports whose service code the endpoint now offers; how many."""
        row = open311_outbox.c
        with self._engine.begin() as connection:
            return int(connection.execute(
                update(open311_outbox).where(row.state == HELD, row.service_code.in_(list(offered)))
                .values(state=WAITING, next_attempt_at=now, last_error=None, updated_at=now)
            ).rowcount)  # fmt: skip

    def record_check(self, now: datetime, missing: Iterable[str]) -> None:
        """Keep the result of a check of the endpoint's services."""
        with self._engine.begin() as connection:
            connection.execute(
                update(open311_connector).where(open311_connector.c.id == 1)
                .values(checked_at=now, missing_codes=",".join(sorted(missing)))
            )  # fmt: skip

    def last_check(self) -> ServicesCheck:
        """The last check of the endpoint's services (for a manager's page)."""
        with self._engine.connect() as connection:
            row = connection.execute(select(open311_connector).where(open311_connector.c.id == 1)).mappings().first()
        if row is None:
            return ServicesCheck(None, ())
        codes = tuple(code for code in (row["missing_codes"] or "").split(",") if code)
        return ServicesCheck(as_utc(row["checked_at"]), codes)

    def report_to_send(self, reference: str) -> ReportToSend | None:
        """The stored report ``reference``, with what a post needs (None if it is no longer kept)."""
        reports = service_requests.c
        columns = [reports.service_request_id, reports.open311_code, reports.address_string, reports.postcode,
                   reports.lat, reports.long, reports.description, reports.requested_datetime]  # fmt: skip
        with self._engine.connect() as connection:
            row = connection.execute(select(*columns).where(reports.service_request_id == reference)).mappings().first()
        if row is None:
            return None
        return ReportToSend(
            reference=row["service_request_id"], service_code=row["open311_code"], address_string=row["address_string"],
            postcode=row["postcode"], lat=row["lat"], long=row["long"], description=row["description"],
            requested_datetime=as_utc(row["requested_datetime"]),
        )  # fmt: skip

    def delivery(self, reference: str) -> OutboxEntry | None:
        """The delivery of report ``reference``, or None where it has none (yet, or ever)."""
        return self._get(open311_outbox.c.reference == reference)

    def not_sent(self) -> list[OutboxEntry]:
        """Reports held or failed, oldest first, each with its reason (for staff)."""
        query = select(open311_outbox).where(open311_outbox.c.state.in_((HELD, FAILED))).order_by(open311_outbox.c.id)
        with self._engine.connect() as connection:
            return [from_row(OutboxEntry, row) for row in connection.execute(query).mappings()]

    def resolved(self, reference: str, back_office_id: str, now: datetime) -> None:
        """A token resolved outside the sender (a resident asking): keep the id."""
        row = open311_outbox.c
        with self._engine.begin() as connection:
            connection.execute(
                update(open311_outbox).where(row.reference == reference, row.back_office_id.is_(None))
                .values(back_office_id=back_office_id, next_attempt_at=None, updated_at=now)
            )  # fmt: skip

    def remote_changed(
        self, reference: str, seen: tuple[str | None, str | None], now_: tuple[str | None, str | None], now: datetime
    ) -> bool:
        """Record the back office's new (status, notes), if they still were ``seen``: True for the
        one caller (of several processes asking at once) that should carry the change to the report."""
        row = open311_outbox.c
        same_status = row.remote_status.is_(None) if seen[0] is None else row.remote_status == seen[0]
        same_notes = row.remote_notes.is_(None) if seen[1] is None else row.remote_notes == seen[1]
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(open311_outbox).where(row.reference == reference, same_status, same_notes)
                .values(remote_status=now_[0], remote_notes=now_[1], updated_at=now)
            ).rowcount  # fmt: skip
        return bool(changed == 1)

    def _get(self, condition: Any) -> OutboxEntry | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(open311_outbox).where(condition)).mappings().first()
        return None if row is None else from_row(OutboxEntry, row, in_doubt=bool(row["in_doubt"]))

    def _change(self, entry_id: int, owner: str, now: datetime, keep_lease: bool = False,
                held_at: datetime | None = None, **values: Any) -> None:  # fmt: skip
        row = open311_outbox.c
        if not keep_lease:
            values.update(lease_owner=None, lease_until=None)
        still_held = [row.lease_until > held_at] if held_at is not None else []
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(open311_outbox).where(row.id == entry_id, row.lease_owner == owner, *still_held)
                .values(updated_at=now, **values)
            ).rowcount  # fmt: skip
        if changed != 1:
            raise LeaseLost(f"the outbox row {entry_id} is no longer held by {owner}")


def _first(now: datetime) -> Any:
    """``first_posted_at`` kept from the first post on."""
    return func.coalesce(open311_outbox.c.first_posted_at, literal(now, DateTime(timezone=True)))

"""The reports' tables (Open311 GeoReport v2 service requests, and each report's history of stage
changes) and their store: create, read, list the team's queue, and move a report on.

The rules (stages, allowed moves, note limits) are ``routing.reports``; this module keeps them in the
database, where a compare-and-set on the report's count of changes makes exactly one of two racing
changes win.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import Column, DateTime, Float, ForeignKey, Integer, String, Table, Text, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from routing import clock
from routing.references import new_reference
from routing.reports import (
    MAX_DESCRIPTION_LENGTH,
    RECEIVED_NOTE,
    STAGES,
    ChangedMeanwhile,
    NoteRefused,
    RepeatedChange,
    ReportNotFound,
    ReportUpdate,
    ServiceRequest,
    check_stage_change,
    open311_status,
    public_note_text,
)
from routing.webhooks import report_data, report_events
from storage.engine import from_row, metadata
from storage.webhooks import record_event

service_requests = Table(
    "service_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("service_request_id", String(16), nullable=False, unique=True),
    Column("service_code", String(64), nullable=False),
    Column("open311_code", String(64), nullable=False),
    Column("address_string", String(255)),
    Column("postcode", String(10)),
    Column("lat", Float),
    Column("long", Float),
    Column("description", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("status_notes", Text),
    Column("requested_datetime", DateTime(timezone=True), nullable=False),
    Column("updated_datetime", DateTime(timezone=True), nullable=False),
    Column("stage", String(16), nullable=False, index=True),
    Column("closed_at", DateTime(timezone=True)),
    Column("changes", Integer, nullable=False),
)

report_updates = Table(
    "report_updates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "reference",
        String(16),
        ForeignKey("service_requests.service_request_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("public_note", Text),
    Column("by", String(64), nullable=False),
)

OPEN_STAGES = tuple(stage for stage in STAGES if stage != "closed")


class ReportStore:
    """Creates and looks up reports in the assistant's database, and moves them through the stages."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def create(
        self,
        service_code: str,
        open311_code: str,
        address_string: str,
        description: str,
        postcode: str | None = None,
    ) -> ServiceRequest:
        """Store a new open report and return it with its fresh reference."""
        now = clock.now()
        values = {
            "service_code": service_code,
            "open311_code": open311_code,
            "address_string": address_string[:255],
            "postcode": postcode,
            "description": description[:MAX_DESCRIPTION_LENGTH],
            "status": "open",
            "status_notes": RECEIVED_NOTE,
            "requested_datetime": now,
            "updated_datetime": now,
            "stage": "new",
            "changes": 0,
        }
        for _attempt in range(5):
            reference = new_reference()
            try:
                with self._engine.begin() as connection:
                    connection.execute(service_requests.insert().values(service_request_id=reference, **values))
                    record_event(connection, "report.created", reference, report_data(values), now)
            except IntegrityError:
                continue  # the random reference is already taken: draw another
            found = self.get(reference)
            assert found is not None
            return found
        raise RuntimeError("could not find a free reference after 5 attempts")

    def get(self, reference: str) -> ServiceRequest | None:
        """The report with this reference, or None."""
        query = select(service_requests).where(service_requests.c.service_request_id == reference)
        with self._engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            return None
        return from_row(ServiceRequest, row)

    def find_near(self, words: Sequence[str], service_code: str | None = None, limit: int = 3) -> list[ServiceRequest]:
        """The newest reports whose address has every one of ``words`` (for a resident without a
        reference: "it was on shirley high street"), of one service when it is known."""
        if not words:
            return []
        query = select(service_requests).order_by(service_requests.c.requested_datetime.desc()).limit(limit)
        for word in words:
            query = query.where(service_requests.c.address_string.ilike(f"%{word}%"))
        if service_code:
            query = query.where(service_requests.c.service_code == service_code)
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [from_row(ServiceRequest, row) for row in rows]

    # --- the team's queue -----------------------------------------------------------------------

    def queue(
        self, stages: Sequence[str] = OPEN_STAGES, service_code: str | None = None, limit: int = 200
    ) -> list[ServiceRequest]:
        """Reports at ``stages`` (by default every open one), of one service when given: the open
        ones oldest first (the longest waiting at the top), closed ones most recently closed first."""
        query = select(service_requests).where(service_requests.c.stage.in_(list(stages)))
        if service_code:
            query = query.where(service_requests.c.service_code == service_code)
        if set(stages) == {"closed"}:
            query = query.order_by(service_requests.c.closed_at.desc(), service_requests.c.id.desc())
        else:
            query = query.order_by(service_requests.c.requested_datetime, service_requests.c.id)
        with self._engine.connect() as connection:
            rows = connection.execute(query.limit(limit)).mappings().all()
        return [from_row(ServiceRequest, row) for row in rows]

    def counts(self, service_code: str | None = None) -> dict[str, int]:
        """How many reports are at each stage (every stage named, 0 where there are none)."""
        query = select(service_requests.c.stage, func.count()).group_by(service_requests.c.stage)
        if service_code:
            query = query.where(service_requests.c.service_code == service_code)
        with self._engine.connect() as connection:
            found = {str(stage): int(count) for stage, count in connection.execute(query).all()}
        return {stage: found.get(stage, 0) for stage in STAGES}

    def history(self, reference: str) -> list[ReportUpdate]:
        """The report's changes of stage, oldest first; ReportNotFound when there is no such report."""
        if self.get(reference) is None:
            raise ReportNotFound(f"There is no report {reference}.")
        query = select(report_updates).where(report_updates.c.reference == reference).order_by(report_updates.c.id)
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [from_row(ReportUpdate, row) for row in rows]

    # --- changing -------------------------------------------------------------------------------

    def change_stage(
        self,
        reference: str,
        stage: str,
        public_note: str | None,
        by: str,
        now: datetime | None = None,
        *,
        seen_changes: int | None = None,
    ) -> ServiceRequest:
        """Move the report to ``stage`` with the note the resident will hear, recording who did it.

        ``seen_changes`` is the report's count of changes when the one asking last saw it (a staff
        form carries it): if the report has changed since, nothing is recorded.

        Raises:
            ReportNotFound: no report has that reference.
            StageNotAllowed: an unknown stage, or a move its current stage does not allow.
            NoteRefused: the note is too long or HTML, or missing on an update that stays in a stage.
            RepeatedChange: the report already is at that stage with that note (a form sent twice).
            ChangedMeanwhile: someone else changed it first.
        """
        now = now or clock.now()
        note = public_note_text(public_note)
        # One transaction for the whole change, so what else must happen with it (a webhook event
        # queued, say) is recorded with it or not at all.
        with self._engine.begin() as connection:
            row = (
                connection.execute(select(service_requests).where(service_requests.c.service_request_id == reference))
                .mappings()
                .first()
            )
            if row is None:
                raise ReportNotFound(f"There is no report {reference}.")
            current = from_row(ServiceRequest, row)
            _check_change(current, stage, note, seen_changes)
            values: dict[str, Any] = {
                "stage": stage,
                "status": open311_status(stage),
                "status_notes": note,
                "updated_datetime": now,
                "closed_at": now if stage == "closed" else None,
                "changes": current.changes + 1,
            }
            # The count of changes in the WHERE clause makes this a compare-and-set: of two racing
            # changes, one wins and the other records nothing.
            changed = connection.execute(
                update(service_requests)
                .where(service_requests.c.service_request_id == reference)
                .where(service_requests.c.changes == current.changes)
                .values(**values)
            ).rowcount
            if changed != 1:
                raise ChangedMeanwhile(
                    f"Report {reference} was changed by someone else just now. Nothing was recorded."
                )
            connection.execute(
                report_updates.insert().values(reference=reference, at=now, stage=stage, public_note=note, by=by)
            )
            for event_type in report_events(stage):  # webhook events, in the change's own transaction
                record_event(connection, event_type, reference, report_data({**row, **values}), now)
        found = self.get(reference)
        assert found is not None
        return found


def _check_change(current: ServiceRequest, stage: str, note: str | None, seen_changes: int | None) -> None:
    reference = current.service_request_id
    if stage == current.stage and note == current.status_notes:
        raise RepeatedChange(f"Report {reference} is already at that stage with that note. Nothing new was recorded.")
    if seen_changes is not None and seen_changes != current.changes:
        raise ChangedMeanwhile(
            f"Report {reference} was changed by someone else after you opened it. Nothing was recorded: "
            "please check its latest stage and note, then try again."
        )
    check_stage_change(reference, current.stage, stage)
    if stage == current.stage and note is None:
        raise NoteRefused("To update a report without moving it to another stage, write a note for the resident.")

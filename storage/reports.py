"""The reports' table (Open311 GeoReport v2 service requests) and their store."""

from __future__ import annotations

from typing import Sequence

from sqlalchemy import Column, DateTime, Float, Integer, String, Table, Text, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from routing import clock
from routing.references import new_reference
from routing.reports import MAX_DESCRIPTION_LENGTH, RECEIVED_NOTE, ServiceRequest
from storage.engine import from_row, metadata

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
)


class ReportStore:
    """Creates and looks up reports in the assistant's database."""

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
        }
        for _attempt in range(5):
            reference = new_reference()
            try:
                with self._engine.begin() as connection:
                    connection.execute(service_requests.insert().values(service_request_id=reference, **values))
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
